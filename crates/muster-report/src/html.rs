//! The report as one self-contained HTML file: inline CSS, inline SVG, no script, no external request.
//!
//! Every string from the report goes through [`h`] (HTML escaping); numbers are written as numbers.
//! Status is never shown by colour alone: each mark, badge and cell also carries a letter, word or shape.
//! The print stylesheet drops decorative backgrounds and starts big sections on a new A4 page.

use std::fmt::Write as _;

use crate::text::{RuleGroup, by_rule, dur, html as h, pct, plural, points, seqs, signed};
use crate::types::*;

/// Writes formatted text into a `String` (which cannot fail).
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}
pub(crate) use w;

/// The page head: CSP, charset, the shared stylesheet. Leaves `<body>` open.
pub fn head(out: &mut String, title: &str) {
    w!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"Muster\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        h(title)
    );
}

/// One stylesheet for reports and trends: light, one accent, system fonts, print-friendly.
pub const STYLE: &str = r#"
:root { --fg: #1f2328; --muted: #59636e; --line: #d0d7de; --bg: #ffffff; --soft: #f6f8fa; --accent: #1f5fad;
  --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --purple: #6639ba; --ink: #1f2328; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--fg); background: var(--bg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
main, header.doc { max-width: 1040px; margin: 0 auto; padding: 0 24px; }
header.doc { padding-top: 28px; padding-bottom: 12px; border-bottom: 3px solid var(--accent); }
.kicker { margin: 0; color: var(--accent); font-weight: 600; text-transform: uppercase; letter-spacing: .06em; font-size: 12px; }
h1 { margin: 4px 0 4px; font-size: 28px; line-height: 1.2; }
h2 { margin: 36px 0 12px; font-size: 21px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { margin: 20px 0 8px; font-size: 16px; }
p { margin: 8px 0; }
.sub, .muted, .note { color: var(--muted); }
.note { font-size: 13px; }
nav.toc ol { display: flex; flex-wrap: wrap; gap: 4px 16px; list-style: none; padding: 0; margin: 12px 0 0; font-size: 13px; }
nav.toc a { color: var(--accent); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(165px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; background: var(--soft); }
.card .big { font-size: 24px; font-weight: 700; line-height: 1.15; white-space: nowrap; font-variant-numeric: tabular-nums; }
.card .of { font-size: 15px; font-weight: 400; }
.card .lbl { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
th { font-weight: 600; background: var(--soft); }
.scroll { overflow-x: auto; }
table.wide { font-size: 12.5px; }
table.wide th, table.wide td { padding: 4px 6px; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; min-width: 1.7em; padding: 1px 6px; border-radius: 4px; font-weight: 700; text-align: center;
  border: 1px solid currentColor; }
.r-P { color: var(--ok); } .r-S { color: var(--warn); } .r-M { color: #bc4c00; } .r-U { color: var(--bad); }
.rating-text { font-weight: 600; }
.ok { color: var(--ok); } .warn { color: var(--warn); } .bad { color: var(--bad); }
ol.themes { padding-left: 22px; }
ol.themes > li { margin: 10px 0; }
ol.themes .pts { color: var(--muted); font-size: 13px; white-space: nowrap; }
ul.evidence { margin: 4px 0; padding-left: 18px; font-size: 13px; color: var(--muted); }
figure { margin: 0 0 12px; }
.chart { width: 100%; height: auto; display: block; margin: 8px 0; }
.chart text { font: 11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: var(--muted); }
.chart .lane-label { fill: var(--fg); font-size: 12px; }
.chart .lane { fill: var(--soft); }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .injline { stroke: #8c959f; stroke-dasharray: 2 3; stroke-width: 1; }
ul.legend { display: flex; flex-wrap: wrap; gap: 4px 18px; list-style: none; padding: 0; margin: 4px 0 12px; font-size: 13px; }
ul.legend svg { vertical-align: middle; margin-right: 4px; }
.m-inject { fill: #57606a; } .m-done { fill: var(--ok); } .m-late { fill: var(--warn); } .m-outside { fill: var(--purple); }
.m-missed { stroke: var(--bad); stroke-width: 2.5; fill: none; } .m-told { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.m-sod { fill: none; stroke: var(--bad); stroke-width: 2; }
table.heat td.cell { text-align: center; font-variant-numeric: tabular-nums; min-width: 3.2em; }
table.heat th.col { text-align: center; font-size: 12px; }
.h0 { background: #ffffff; } .h1 { background: #e7eef8; } .h2 { background: #cfdef1; } .h3 { background: #a9c3e6; }
.h4 { background: #7fa5d8; } .h5 { background: #3f6db3; color: #fff; }
td.exp { outline: 2px solid var(--ink); outline-offset: -3px; font-weight: 700; }
td.miss { background: #fbe3e4; }
.pt { fill: var(--accent); }
.series { fill: none; stroke: var(--accent); stroke-width: 2; }
blockquote { margin: 6px 0; padding: 2px 12px; border-left: 3px solid var(--line); }
footer { max-width: 1040px; margin: 40px auto 24px; padding: 0 24px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { font-size: 10.5pt; background: none; }
  main, header.doc, footer { max-width: none; padding: 0; }
  nav.toc { display: none; }
  header.doc { border-bottom: 2px solid #000; }
  .card, th, .chart .lane { background: none; }
  td.miss { background: none; }
  .card { border-color: #999; }
  section.major { break-before: page; }
  h2, h3 { break-after: avoid; }
  tr, li, .card, figure { break-inside: avoid; }
  table.heat td.cell { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
  .scroll { overflow: visible; }
}
"#;

const SECTIONS: [(&str, &str); 12] = [
    ("overview", "Overview"),
    ("summary", "Executive summary"),
    ("objectives", "Objective ratings"),
    ("strengths", "Strengths"),
    ("improvements", "Areas for improvement"),
    ("timeline", "Timeline"),
    ("heatmap", "Ownership heat map"),
    ("roles", "Roles"),
    ("sod", "Segregation of duties"),
    ("observations", "Observations"),
    ("plan", "Improvement plan"),
    ("findings", "All findings"),
];

pub fn report(r: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024 + r.findings.len() * 400 + r.timeline.marks.len() * 200);
    let d = &r.drill;
    head(&mut out, &format!("After-action report: {} ({})", d.scenario_title, d.date));
    w!(
        out,
        "<header class=\"doc\">\n<p class=\"kicker\">After-action report</p>\n<h1>{}</h1>\n\
         <p class=\"sub\">Drill {} · {} · scenario {} v{}</p>\n<nav class=\"toc\" aria-label=\"Sections\"><ol>",
        h(&d.scenario_title),
        h(&d.id),
        h(&d.date),
        h(&d.scenario_id),
        h(&d.scenario_version)
    );
    for (id, title) in SECTIONS {
        w!(out, "<li><a href=\"#{id}\">{title}</a></li>");
    }
    out.push_str("</ol></nav>\n</header>\n<main>\n");
    overview(&mut out, r);
    w!(
        out,
        "<section id=\"summary\">\n<h2>Executive summary</h2>\n<p>{}</p>\n</section>\n",
        h(&r.executive_summary)
    );
    objectives(&mut out, r);
    themes(&mut out, "strengths", "Strengths", &r.strengths, "earned", "No strength stood out.");
    themes(
        &mut out,
        "improvements",
        "Areas for improvement",
        &r.areas_for_improvement,
        "lost",
        "Nothing to improve was found.",
    );
    timeline(&mut out, r);
    heatmap(&mut out, r);
    roles(&mut out, r);
    sod(&mut out, r);
    observations(&mut out, r);
    plan(&mut out, r);
    findings(&mut out, r);
    w!(
        out,
        "</main>\n<footer>Generated by Muster from drill {} · report schema version {} · times are scenario \
         time (T+) unless marked UTC.</footer>\n</body>\n</html>\n",
        h(&d.id),
        r.schema_version
    );
    out
}

fn overview(out: &mut String, r: &Report) {
    let d = &r.drill;
    let tm = &r.team;
    out.push_str("<section id=\"overview\">\n<h2>Overview</h2>\n<div class=\"cards\">\n");
    let card = |out: &mut String, big: &str, lbl: &str| {
        w!(out, "<div class=\"card\"><div class=\"big\">{big}</div><div class=\"lbl\">{lbl}</div></div>\n");
    };
    card(out, &format!("{}<span class=\"muted of\">/100</span>", tm.score), "Score");
    card(out, &pct(tm.coverage), &format!("Coverage ({} of {} done)", tm.done, tm.in_play));
    card(out, &format!("{} of {}", tm.right_owner, tm.done), "Done by the owner");
    card(out, &format!("{} of {}", tm.on_time, tm.done_with_deadline), "On time");
    card(
        out,
        &r.metrics.time_to_contain.as_deref().map_or_else(|| "—".to_owned(), |x| h(x).into_owned()),
        "Time to contain",
    );
    let sod_class = if tm.sod_violations == 0 { "ok" } else { "bad" };
    let sod_icon = if tm.sod_violations == 0 { "✓" } else { "⚠" };
    card(
        out,
        &format!("<span class=\"{sod_class}\">{sod_icon} {}</span>", tm.sod_violations),
        "SoD violations",
    );
    out.push_str("</div>\n<dl class=\"facts\">\n");
    let fact = |out: &mut String, k: &str, v: &str| w!(out, "<dt>{k}</dt><dd>{}</dd>\n", h(v));
    fact(out, "Scenario", &format!("{} ({} v{})", d.scenario_title, d.scenario_id, d.scenario_version));
    fact(out, "Drill", &d.id);
    fact(out, "Created (UTC)", &d.created);
    fact(out, "Started (UTC)", d.started.as_deref().unwrap_or("—"));
    fact(out, "Ended (UTC)", d.ended.as_deref().unwrap_or("—"));
    fact(out, "Wall duration", d.wall_duration.as_deref().unwrap_or("—"));
    fact(
        out,
        "Scenario time reached",
        &format!("{} of {} planned", d.scenario_time_reached, dur(d.scenario_duration_ms)),
    );
    fact(out, "State", &state_words(&d.state));
    fact(out, "Facilitator", d.facilitator.as_deref().unwrap_or("—"));
    fact(out, "Team", d.team.as_deref().unwrap_or("—"));
    fact(out, "Seed", &d.seed.map_or_else(|| "—".to_owned(), |s| s.to_string()));
    fact(out, "Points", &format!("{} of {}", tm.earned, tm.possible));
    out.push_str("</dl>\n");
    w!(out, "<h3>Participants ({})</h3>\n", d.participants.len());
    if d.participants.is_empty() {
        out.push_str("<p class=\"muted\">Nobody joined.</p>\n");
    } else {
        out.push_str("<table>\n<thead><tr><th>Name</th><th>Id</th><th>Roles</th></tr></thead>\n<tbody>\n");
        for p in &d.participants {
            w!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                h(&p.name),
                h(&p.id),
                h(&names(&p.roles))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

pub fn state_words(state: &str) -> String {
    match state {
        "not_started" => "Not started".to_owned(),
        "running" => "Running".to_owned(),
        "paused" => "Paused".to_owned(),
        "ended" => "Ended".to_owned(),
        other => other.to_owned(),
    }
}

fn names(items: &[Named]) -> String {
    items.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", ")
}

fn letter(l: RatingLetter) -> &'static str {
    match l {
        RatingLetter::P => "P",
        RatingLetter::S => "S",
        RatingLetter::M => "M",
        RatingLetter::U => "U",
    }
}

fn objectives(out: &mut String, r: &Report) {
    out.push_str("<section id=\"objectives\">\n<h2>Objective ratings</h2>\n");
    if r.objectives.is_empty() {
        out.push_str("<p class=\"muted\">The scenario states no objectives.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Rating</th><th>Objective</th><th>Why</th><th class=\"num\">Actions done</th>\
         <th class=\"num\">Points</th></tr></thead>\n<tbody>\n",
    );
    for o in &r.objectives {
        let l = letter(o.rating);
        w!(
            out,
            "<tr><td class=\"nowrap\"><span class=\"badge r-{l}\">{l}</span> <span class=\"rating-text r-{l}\">{}</span></td>\
             <td>{}</td><td>{}</td><td class=\"num\">{} of {}</td><td class=\"num\">{} of {}</td></tr>\n",
            h(&o.rating_text),
            h(&o.title),
            h(&o.reason),
            o.done,
            o.in_play,
            o.earned,
            o.possible
        );
    }
    out.push_str(
        "</tbody>\n</table>\n<p class=\"note\">P: performed without challenges · S: with some challenges · \
         M: with major challenges · U: unable to be performed.</p>\n</section>\n",
    );
}

fn themes(out: &mut String, id: &str, title: &str, items: &[Theme], points_word: &str, none: &str) {
    w!(out, "<section id=\"{id}\">\n<h2>{title}</h2>\n");
    if items.is_empty() {
        w!(out, "<p class=\"muted\">{none}</p>\n</section>\n");
        return;
    }
    let icon =
        if id == "strengths" { "<span class=\"ok\">✓</span>" } else { "<span class=\"warn\">△</span>" };
    out.push_str("<ol class=\"themes\">\n");
    for th in items {
        w!(
            out,
            "<li>{icon} {} <span class=\"pts\">({} {points_word})</span>\n<ul class=\"evidence\">\n",
            h(&th.text),
            points(th.points)
        );
        const SHOWN: usize = 4;
        for (n, e) in th.findings.iter().zip(&th.evidence).take(SHOWN) {
            w!(out, "<li>F{n}: {}</li>\n", h(e));
        }
        if th.evidence.len() > SHOWN {
            w!(out, "<li>and {} more (see all findings)</li>\n", th.evidence.len() - SHOWN);
        }
        w!(out, "<li>Events: {}</li>\n</ul>\n</li>\n", h(&seqs(&th.events)));
    }
    out.push_str("</ol>\n</section>\n");
}

/// The shapes of the timeline marks, drawn centred on (x, y).
fn shape(out: &mut String, kind: MarkKindName, x: f64, y: f64) {
    match kind {
        MarkKindName::Inject => {
            w!(out, "<path class=\"m-inject\" d=\"M{:.1} {:.1}h10l-5 8z\"/>", x - 5.0, y - 4.0)
        }
        MarkKindName::Done => w!(out, "<circle class=\"m-done\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\"/>"),
        MarkKindName::Late => w!(out, "<path class=\"m-late\" d=\"M{x:.1} {:.1}l6 6-6 6-6-6z\"/>", y - 6.0),
        MarkKindName::OutsideLane => {
            w!(
                out,
                "<rect class=\"m-outside\" x=\"{:.1}\" y=\"{:.1}\" width=\"10\" height=\"10\"/>",
                x - 5.0,
                y - 5.0
            )
        }
        MarkKindName::Missed => {
            w!(out, "<path class=\"m-missed\" d=\"M{:.1} {:.1}l10 10m0-10l-10 10\"/>", x - 5.0, y - 5.0)
        }
        MarkKindName::Told => w!(out, "<circle class=\"m-told\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>"),
        MarkKindName::SodViolation => w!(
            out,
            "<path class=\"m-sod\" d=\"M{:.1} {:.1}l8 0 0 8-8 0z\" transform=\"rotate(45 {x:.1} {y:.1})\"/>",
            x - 4.0,
            y - 4.0
        ),
    }
}

const MARK_LEGEND: [(MarkKindName, &str); 7] = [
    (MarkKindName::Inject, "inject received"),
    (MarkKindName::Done, "done by the owner, on time"),
    (MarkKindName::Late, "done late"),
    (MarkKindName::OutsideLane, "done outside the owner's lane"),
    (MarkKindName::Missed, "missed (never done)"),
    (MarkKindName::Told, "told another role"),
    (MarkKindName::SodViolation, "segregation-of-duties violation"),
];

/// Tick spacing for a chart `end_ms` long: about 6–12 ticks on round minutes.
fn tick_step(end_ms: u64) -> u64 {
    const STEPS_MIN: [u64; 12] = [1, 2, 5, 10, 15, 20, 30, 60, 120, 240, 480, 1440];
    let mins = end_ms / 60_000;
    let step = STEPS_MIN.iter().copied().find(|s| mins / s <= 12).unwrap_or(1440);
    step * 60_000
}

fn timeline(out: &mut String, r: &Report) {
    let tl = &r.timeline;
    out.push_str("<section id=\"timeline\" class=\"major\">\n<h2>Timeline</h2>\n");
    if tl.lanes.is_empty() || tl.marks.is_empty() {
        out.push_str("<p class=\"muted\">Nothing happened on the timeline.</p>\n</section>\n");
        return;
    }
    const W: f64 = 1000.0;
    const LABEL_W: f64 = 215.0;
    const RIGHT: f64 = 30.0;
    const TOP: f64 = 26.0;
    const LANE: f64 = 36.0;
    let end = tl.end_ms.max(60_000);
    let plot_w = W - LABEL_W - RIGHT;
    let x = |ms: u64| LABEL_W + plot_w * (ms.min(end) as f64) / (end as f64);
    let height = TOP + LANE * tl.lanes.len() as f64 + 8.0;
    w!(
        out,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {height}\" role=\"img\" aria-labelledby=\"tl-title\">\n<title id=\"tl-title\">Timeline: one lane per role, scenario time \
         from T+00:00:00 to {}</title>\n",
        h(&tl.end)
    );
    for (i, lane) in tl.lanes.iter().enumerate() {
        let y = TOP + LANE * i as f64;
        if i % 2 == 0 {
            w!(out, "<rect class=\"lane\" x=\"0\" y=\"{y}\" width=\"{W}\" height=\"{LANE}\"/>\n");
        }
        // Long role names are cut to fit the label column; the full name is the hover text.
        let label: String = if lane.name.chars().count() > 32 {
            lane.name.chars().take(31).chain(['…']).collect()
        } else {
            lane.name.clone()
        };
        w!(
            out,
            "<text class=\"lane-label\" x=\"6\" y=\"{:.1}\"><title>{}</title>{}</text>\n",
            y + LANE / 2.0 + 4.0,
            h(&lane.name),
            h(&label)
        );
    }
    let step = tick_step(end);
    let mut tick = 0;
    while tick <= end {
        let tx = x(tick);
        let secs = tick / 1000;
        let anchor = if tx > W - RIGHT - 20.0 { "end" } else { "middle" };
        w!(
            out,
            "<line class=\"grid\" x1=\"{tx:.1}\" y1=\"{:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/><text x=\"{tx:.1}\" y=\"14\" \
             text-anchor=\"{anchor}\">T+{:02}:{:02}</text>\n",
            TOP - 4.0,
            height - 8.0,
            secs / 3600,
            secs / 60 % 60
        );
        tick += step;
    }
    // One dashed line per moment an inject fired, across every lane.
    let mut inject_times: Vec<u64> =
        tl.marks.iter().filter(|m| m.kind == MarkKindName::Inject).map(|m| m.at_ms).collect();
    inject_times.dedup();
    for at in inject_times {
        let ix = x(at);
        w!(
            out,
            "<line class=\"injline\" x1=\"{ix:.1}\" y1=\"{TOP}\" x2=\"{ix:.1}\" y2=\"{:.1}\"/>\n",
            height - 8.0
        );
    }
    for m in &tl.marks {
        let Some(lane) = tl.lanes.iter().position(|l| l.id == m.role) else { continue };
        let mid = TOP + LANE * lane as f64 + LANE / 2.0;
        let y = match m.kind {
            MarkKindName::Inject => mid - 10.0,
            MarkKindName::Told => mid + 11.0,
            _ => mid,
        };
        w!(out, "<g><title>{}</title>", h(&m.text));
        shape(out, m.kind, x(m.at_ms), y);
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n<ul class=\"legend\">\n");
    for (kind, words) in MARK_LEGEND {
        out.push_str("<li><svg width=\"16\" height=\"16\" viewBox=\"0 0 16 16\" aria-hidden=\"true\">");
        shape(out, kind, 8.0, 8.0);
        w!(out, "</svg>{words}</li>\n");
    }
    out.push_str(
        "</ul>\n<p class=\"note\">Dashed lines: injects firing. Hover a mark for what happened.</p>\n",
    );
    w!(out, "<h3>Key moments</h3>\n");
    moments_table(out, &tl.key_moments);
    out.push_str("</section>\n");
}

fn moment_word(kind: &str) -> &'static str {
    match kind {
        "inject" => "▼ inject",
        "done" => "● done",
        "late" => "◆ late",
        "outside_lane" => "■ outside lane",
        "missed" => "✕ missed",
        "sod_violation" => "⚠ SoD violation",
        "observation" => "✎ observation",
        "ended" => "■ end",
        _ => "",
    }
}

fn moments_table(out: &mut String, moments: &[Moment]) {
    out.push_str(
        "<table>\n<thead><tr><th>Time</th><th>What</th><th>Detail</th><th class=\"num\">Event</th></tr></thead>\n<tbody>\n",
    );
    for m in moments {
        w!(
            out,
            "<tr><td class=\"nowrap\">{}</td><td class=\"nowrap\">{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
            h(&m.at),
            moment_word(&m.kind),
            h(&m.text),
            m.seq.map_or_else(String::new, |s| format!("#{s}"))
        );
    }
    out.push_str("</tbody>\n</table>\n");
}

fn heat_class(count: u32, max: u32) -> u32 {
    if count == 0 || max == 0 { 0 } else { 1 + (count * 4).div_ceil(max).min(4) }
}

fn heatmap(out: &mut String, r: &Report) {
    let hm = &r.heatmap;
    out.push_str("<section id=\"heatmap\" class=\"major\">\n<h2>Ownership heat map</h2>\n");
    if hm.rows.is_empty() {
        out.push_str("<p class=\"muted\">No expected action came up.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<p class=\"note\">Rows: capabilities. Columns: roles in play. Each cell counts the capability's actions \
         the role did; darker is more. Cells marked ◆ and outlined are the expected owners.</p>\n",
    );
    out.push_str("<table class=\"heat\">\n<thead><tr><th>Capability</th>");
    for role in &hm.roles {
        w!(out, "<th class=\"col\">{}</th>", h(&role.name));
    }
    out.push_str("<th class=\"col\">Not done</th></tr></thead>\n<tbody>\n");
    for row in &hm.rows {
        w!(out, "<tr><th>{}</th>", h(&row.capability.name));
        for c in &row.cells {
            let class = heat_class(c.count, hm.max_count);
            let (exp, mark, what) =
                if c.expected { (" exp", "◆ ", "expected owner") } else { ("", "", "not an owner") };
            w!(
                out,
                "<td class=\"cell h{class}{exp}\" title=\"{}: {} by {} ({what})\">{mark}{}</td>",
                h(&row.capability.name),
                c.count,
                h(&c.role),
                c.count
            );
        }
        if row.missed > 0 {
            w!(out, "<td class=\"cell miss\" title=\"never done\">✕ {}</td>", row.missed);
        } else {
            out.push_str("<td class=\"cell\">0</td>");
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "—".to_owned(), |x| h(x).into_owned())
}

fn roles(out: &mut String, r: &Report) {
    out.push_str("<section id=\"roles\">\n<h2>Roles</h2>\n");
    if r.roles.is_empty() {
        out.push_str("<p class=\"muted\">No role was in play.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<div class=\"scroll\"><table class=\"wide\">\n<thead><tr><th>Role (held by)</th><th class=\"num\">Owned</th>\
         <th class=\"num\">Done by it</th><th class=\"num\">By others</th><th class=\"num\">Missed</th>\
         <th class=\"num\">Late</th><th class=\"num\">Outside lane</th><th class=\"num\">Points</th>\
         <th class=\"num\">Injects acked</th><th class=\"num\">Median ack</th><th class=\"num\">Longest idle</th>\
         <th class=\"num\">Told / was told</th></tr></thead>\n<tbody>\n",
    );
    for x in &r.roles {
        w!(
            out,
            "<tr><td>{}<br><span class=\"note\">{}</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} of {}</td>\
             <td class=\"num\">{} of {}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{} / {}</td></tr>\n",
            h(&x.name),
            h(&names(&x.participants)),
            x.owned,
            x.done_by_role,
            x.done_by_others,
            x.missed,
            x.late,
            x.outside_lane,
            x.earned,
            x.possible,
            x.acknowledged,
            x.injects,
            opt(&x.median_ack),
            opt(&x.longest_idle),
            x.told_others,
            x.was_told
        );
    }
    out.push_str("</tbody>\n</table></div>\n");
    let m = &r.metrics;
    w!(
        out,
        "<p>Time to contain: <strong>{}</strong>. Time to notify: <strong>{}</strong>.</p>\n",
        m.time_to_contain.as_deref().map_or_else(|| "not reached".to_owned(), |x| h(x).into_owned()),
        m.time_to_notify.as_deref().map_or_else(|| "not reached".to_owned(), |x| h(x).into_owned())
    );
    if !m.handoffs.is_empty() {
        w!(out, "<h3>Hand-offs ({})</h3>\n", m.handoffs.len());
        out.push_str(
            "<table>\n<thead><tr><th>Time</th><th>Kind</th><th>From</th><th>To</th><th>Action</th>\
             <th class=\"num\">Done</th><th class=\"num\">Latency</th></tr></thead>\n<tbody>\n",
        );
        for x in &m.handoffs {
            let kind = match x.kind {
                HandoffKindName::Explicit => "hand-off",
                HandoffKindName::Prerequisite => "prerequisite",
            };
            w!(
                out,
                "<tr><td class=\"nowrap\">{}</td><td>{kind}</td><td>{}</td><td>{}</td><td>{}</td>\
                 <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                h(&x.at),
                h(&x.from.name),
                h(&x.to.name),
                h(&crate::text::short(&x.action.name)),
                x.done_at.as_deref().map_or_else(|| "✕ never".to_owned(), |d| h(d).into_owned()),
                opt(&x.latency)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    if !m.idle_gaps.is_empty() {
        w!(out, "<h3>Idle gaps with open work ({})</h3>\n", m.idle_gaps.len());
        out.push_str(
            "<table>\n<thead><tr><th>Role</th><th>From</th><th>To</th><th class=\"num\">Length</th></tr></thead>\n<tbody>\n",
        );
        for g in &m.idle_gaps {
            w!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n",
                h(&g.role.name),
                h(&g.from),
                h(&g.to),
                h(&g.length)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}

fn sod(out: &mut String, r: &Report) {
    out.push_str("<section id=\"sod\">\n<h2>Segregation of duties</h2>\n");
    if r.sod_violations.is_empty() {
        out.push_str(
            "<p><span class=\"ok\">✓</span> No segregation-of-duties rule was broken.</p>\n</section>\n",
        );
        return;
    }
    w!(
        out,
        "<p><span class=\"bad\">⚠</span> {} broken.</p>\n<table>\n<thead><tr><th>Time</th><th>Rule</th>\
         <th>Who</th><th>As</th><th>What happened</th><th class=\"num\">Points</th><th class=\"num\">Events</th>\
         </tr></thead>\n<tbody>\n",
        plural(r.sod_violations.len() as u64, "rule was", "rules were")
    );
    for v in &r.sod_violations {
        w!(
            out,
            "<tr><td class=\"nowrap\">{}</td><td><strong>{}</strong><br><span class=\"note\">{}</span></td><td>{}</td>\
             <td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
            opt(&v.at),
            h(&v.rule.name),
            h(&v.rationale),
            h(&names(&v.participants)),
            h(&names(&v.roles)),
            h(&v.text),
            v.points,
            h(&seqs(&v.events))
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn observations(out: &mut String, r: &Report) {
    out.push_str("<section id=\"observations\">\n<h2>Observations</h2>\n");
    if r.observations.is_empty() {
        out.push_str("<p class=\"muted\">The facilitator recorded no observation.</p>\n");
    }
    for o in &r.observations {
        w!(
            out,
            "<blockquote><p><strong>{}</strong> <span class=\"note\">(event #{})</span> {}</p></blockquote>\n",
            h(&o.at),
            o.seq,
            h(&o.text)
        );
    }
    out.push_str("</section>\n");
}

fn plan(out: &mut String, r: &Report) {
    out.push_str("<section id=\"plan\" class=\"major\">\n<h2>Improvement plan</h2>\n");
    if r.improvement_plan.is_empty() {
        out.push_str("<p class=\"muted\">No improvement-plan item.</p>\n</section>\n");
        return;
    }
    out.push_str(
        "<table>\n<thead><tr><th>Issue</th><th>Corrective action</th><th>Capability</th><th>Owner</th>\
         <th class=\"num\">Due</th><th>Status</th></tr></thead>\n<tbody>\n",
    );
    for p in &r.improvement_plan {
        let status = match p.status {
            PlanStatusName::Open => "<span class=\"warn\">○</span> Open",
            PlanStatusName::Done => "<span class=\"ok\">✓</span> Done",
        };
        let carried = p.carried_from.as_deref().map_or_else(String::new, |c| {
            format!("<br><span class=\"note\">carried from drill {}</span>", h(c))
        });
        w!(
            out,
            "<tr><td>{}{carried}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"nowrap\">{status}</td></tr>\n",
            h(&p.issue),
            h(&p.corrective_action),
            h(&p.capability.name),
            h(&p.owner.name),
            h(&p.due)
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

fn findings(out: &mut String, r: &Report) {
    w!(out, "<section id=\"findings\" class=\"major\">\n<h2>All findings ({})</h2>\n", r.findings.len());
    if r.findings.is_empty() {
        out.push_str("<p class=\"muted\">No finding: nothing came up to score.</p>\n</section>\n");
        return;
    }
    for RuleGroup { title, findings: fs, points, max } in by_rule(&r.findings) {
        w!(
            out,
            "<h3>{} <span class=\"note\">({}, {points} of {max} points)</span></h3>\n",
            h(&title),
            plural(fs.len() as u64, "finding", "findings")
        );
        out.push_str(
            "<table>\n<thead><tr><th class=\"num\">#</th><th>Time</th><th></th><th>Finding</th>\
             <th class=\"num\">Points</th><th class=\"num\">Events</th></tr></thead>\n<tbody>\n",
        );
        for f in fs {
            let tone = match f.tone {
                ToneName::Strength => "<span class=\"ok\" title=\"strength\">✓</span>",
                ToneName::Improvement => "<span class=\"warn\" title=\"to improve\">△</span>",
                ToneName::Neutral => "",
            };
            let pts = signed(f.points, f.max);
            w!(
                out,
                "<tr><td class=\"num\">F{}</td><td class=\"nowrap\">{}</td><td>{tone}</td><td>{}</td>\
                 <td class=\"num\">{pts}</td><td class=\"num\">{}</td></tr>\n",
                f.number,
                opt(&f.at),
                h(&f.text),
                h(&seqs(&f.events))
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
}
