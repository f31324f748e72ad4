//! The report as GitHub-flavoured Markdown for wikis: the HTML report's sections, ratings first, charts
//! replaced by tables (key moments for the timeline, counts with ◆ on expected owners for the heat map).
//!
//! Every string from the report goes through [`md`], so a note with `<script>`, `|` or `*` stays literal
//! text, in tables too; no data ever starts a line.

use std::fmt::Write as _;

use crate::html::{state_words, w};
use crate::text::{RuleGroup, by_rule, dur, md, pct, plural, points, seqs, short, signed};
use crate::types::*;

pub fn report(r: &Report) -> String {
    let mut out = String::with_capacity(32 * 1024 + r.findings.len() * 300);
    let d = &r.drill;
    w!(out, "# After-action report: {}\n\n", md(&d.scenario_title));
    w!(
        out,
        "Drill {} · {} · scenario {} v{} · report schema version {}\n\n",
        md(&d.id),
        md(&d.date),
        md(&d.scenario_id),
        md(&d.scenario_version),
        r.schema_version
    );
    overview(&mut out, r);
    w!(out, "## Executive summary\n\n{}\n\n", md(&r.executive_summary));
    objectives(&mut out, r);
    themes(&mut out, "Strengths", &r.strengths, "earned", "No strength stood out.");
    themes(
        &mut out,
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
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn opt(s: &Option<String>) -> String {
    s.as_deref().map_or_else(|| "—".to_owned(), md)
}

fn names(items: &[Named]) -> String {
    md(&items.iter().map(|n| n.name.as_str()).collect::<Vec<_>>().join(", "))
}

/// A table header row and its separator; `right` marks numeric columns.
fn header(out: &mut String, cols: &[(&str, bool)]) {
    out.push('|');
    for (c, _) in cols {
        w!(out, " {c} |");
    }
    out.push_str("\n|");
    for (_, right) in cols {
        out.push_str(if *right { " ---: |" } else { " --- |" });
    }
    out.push('\n');
}

fn row(out: &mut String, cells: &[String]) {
    out.push('|');
    for c in cells {
        w!(out, " {} |", if c.is_empty() { " " } else { c });
    }
    out.push('\n');
}

fn overview(out: &mut String, r: &Report) {
    let d = &r.drill;
    let tm = &r.team;
    out.push_str("## Overview\n\n");
    header(out, &[("Figure", false), ("Value", false)]);
    let facts: Vec<(&str, String)> = vec![
        ("**Score**", format!("**{}/100** ({} of {} points)", tm.score, tm.earned, tm.possible)),
        ("Coverage", format!("{} ({} of {} expected actions done)", pct(tm.coverage), tm.done, tm.in_play)),
        ("Done by the owner", format!("{} of {}", tm.right_owner, tm.done)),
        ("On time", format!("{} of {} with a deadline", tm.on_time, tm.done_with_deadline)),
        ("Time to contain", opt(&r.metrics.time_to_contain)),
        ("Time to notify", opt(&r.metrics.time_to_notify)),
        ("Segregation-of-duties violations", tm.sod_violations.to_string()),
        (
            "Scenario",
            format!("{} ({} v{})", md(&d.scenario_title), md(&d.scenario_id), md(&d.scenario_version)),
        ),
        ("Drill", md(&d.id)),
        ("Created (UTC)", md(&d.created)),
        ("Started (UTC)", opt(&d.started)),
        ("Ended (UTC)", opt(&d.ended)),
        ("Wall duration", opt(&d.wall_duration)),
        (
            "Scenario time reached",
            format!("{} of {} planned", md(&d.scenario_time_reached), dur(d.scenario_duration_ms)),
        ),
        ("State", md(&state_words(&d.state))),
        ("Facilitator", opt(&d.facilitator)),
        ("Team", opt(&d.team)),
        ("Seed", d.seed.map_or_else(|| "—".to_owned(), |s| s.to_string())),
    ];
    for (k, v) in facts {
        row(out, &[k.to_owned(), v]);
    }
    w!(out, "\n### Participants ({})\n\n", d.participants.len());
    if d.participants.is_empty() {
        out.push_str("Nobody joined.\n\n");
        return;
    }
    header(out, &[("Name", false), ("Id", false), ("Roles", false)]);
    for p in &d.participants {
        row(out, &[md(&p.name), md(&p.id), names(&p.roles)]);
    }
    out.push('\n');
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
    out.push_str("## Objective ratings\n\n");
    if r.objectives.is_empty() {
        out.push_str("The scenario states no objectives.\n\n");
        return;
    }
    header(
        out,
        &[("Rating", false), ("Objective", false), ("Why", false), ("Actions done", true), ("Points", true)],
    );
    for o in &r.objectives {
        row(
            out,
            &[
                format!("**{}** {}", letter(o.rating), md(&o.rating_text)),
                md(&o.title),
                md(&o.reason),
                format!("{} of {}", o.done, o.in_play),
                format!("{} of {}", o.earned, o.possible),
            ],
        );
    }
    out.push_str(
        "\nP: performed without challenges · S: with some challenges · M: with major challenges · \
         U: unable to be performed.\n\n",
    );
}

fn themes(out: &mut String, title: &str, items: &[Theme], points_word: &str, none: &str) {
    w!(out, "## {title}\n\n");
    if items.is_empty() {
        w!(out, "{none}\n\n");
        return;
    }
    for (i, th) in items.iter().enumerate() {
        w!(out, "{}. {} ({} {points_word})\n", i + 1, md(&th.text), points(th.points));
        const SHOWN: usize = 4;
        for (n, e) in th.findings.iter().zip(&th.evidence).take(SHOWN) {
            w!(out, "   - F{n}: {}\n", md(e));
        }
        if th.evidence.len() > SHOWN {
            w!(out, "   - and {} more (see all findings)\n", th.evidence.len() - SHOWN);
        }
        w!(out, "   - Events: {}\n", seqs(&th.events));
    }
    out.push('\n');
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

fn timeline(out: &mut String, r: &Report) {
    out.push_str("## Timeline: key moments\n\n");
    let tl = &r.timeline;
    if tl.key_moments.is_empty() {
        out.push_str("Nothing happened on the timeline.\n\n");
        return;
    }
    header(out, &[("Time", false), ("What", false), ("Detail", false), ("Event", true)]);
    for m in &tl.key_moments {
        row(
            out,
            &[
                md(&m.at),
                moment_word(&m.kind).to_owned(),
                md(&m.text),
                m.seq.map_or_else(String::new, |s| format!("#{s}")),
            ],
        );
    }
    out.push('\n');
}

fn heatmap(out: &mut String, r: &Report) {
    let hm = &r.heatmap;
    out.push_str("## Ownership heat map\n\n");
    if hm.rows.is_empty() {
        out.push_str("No expected action came up.\n\n");
        return;
    }
    out.push_str(
        "Actions of each capability done by each role; ◆ marks the expected owners, ✕ the actions never done.\n\n",
    );
    let mut cols: Vec<(String, bool)> = vec![("Capability".to_owned(), false)];
    cols.extend(hm.roles.iter().map(|r| (md(&r.name), true)));
    cols.push(("Not done".to_owned(), true));
    let cols_ref: Vec<(&str, bool)> = cols.iter().map(|(c, r)| (c.as_str(), *r)).collect();
    header(out, &cols_ref);
    for row_ in &hm.rows {
        let mut cells = vec![md(&row_.capability.name)];
        for c in &row_.cells {
            cells.push(if c.expected { format!("◆ {}", c.count) } else { c.count.to_string() });
        }
        cells.push(if row_.missed > 0 { format!("✕ {}", row_.missed) } else { "0".to_owned() });
        row(out, &cells);
    }
    out.push('\n');
}

fn roles(out: &mut String, r: &Report) {
    out.push_str("## Roles\n\n");
    if !r.roles.is_empty() {
        header(
            out,
            &[
                ("Role", false),
                ("Held by", false),
                ("Owned", true),
                ("Done by it", true),
                ("By others", true),
                ("Missed", true),
                ("Late", true),
                ("Outside lane", true),
                ("Points", true),
                ("Injects acked", true),
                ("Median ack", true),
                ("Longest idle", true),
                ("Told / was told", true),
            ],
        );
        for x in &r.roles {
            row(
                out,
                &[
                    md(&x.name),
                    names(&x.participants),
                    x.owned.to_string(),
                    x.done_by_role.to_string(),
                    x.done_by_others.to_string(),
                    x.missed.to_string(),
                    x.late.to_string(),
                    x.outside_lane.to_string(),
                    format!("{} of {}", x.earned, x.possible),
                    format!("{} of {}", x.acknowledged, x.injects),
                    opt(&x.median_ack),
                    opt(&x.longest_idle),
                    format!("{} / {}", x.told_others, x.was_told),
                ],
            );
        }
        out.push('\n');
    }
    let m = &r.metrics;
    w!(
        out,
        "Time to contain: **{}**. Time to notify: **{}**.\n\n",
        m.time_to_contain.as_deref().map_or_else(|| "not reached".to_owned(), md),
        m.time_to_notify.as_deref().map_or_else(|| "not reached".to_owned(), md)
    );
    if !m.handoffs.is_empty() {
        w!(out, "### Hand-offs ({})\n\n", m.handoffs.len());
        header(
            out,
            &[
                ("Time", false),
                ("Kind", false),
                ("From", false),
                ("To", false),
                ("Action", false),
                ("Done", true),
                ("Latency", true),
            ],
        );
        for x in &m.handoffs {
            let kind = match x.kind {
                HandoffKindName::Explicit => "hand-off",
                HandoffKindName::Prerequisite => "prerequisite",
            };
            row(
                out,
                &[
                    md(&x.at),
                    kind.to_owned(),
                    md(&x.from.name),
                    md(&x.to.name),
                    md(&short(&x.action.name)),
                    x.done_at.as_deref().map_or_else(|| "✕ never".to_owned(), md),
                    opt(&x.latency),
                ],
            );
        }
        out.push('\n');
    }
    if !m.idle_gaps.is_empty() {
        w!(out, "### Idle gaps with open work ({})\n\n", m.idle_gaps.len());
        header(out, &[("Role", false), ("From", false), ("To", false), ("Length", true)]);
        for g in &m.idle_gaps {
            row(out, &[md(&g.role.name), md(&g.from), md(&g.to), md(&g.length)]);
        }
        out.push('\n');
    }
}

fn sod(out: &mut String, r: &Report) {
    out.push_str("## Segregation of duties\n\n");
    if r.sod_violations.is_empty() {
        out.push_str("✓ No segregation-of-duties rule was broken.\n\n");
        return;
    }
    w!(out, "⚠ {} broken.\n\n", plural(r.sod_violations.len() as u64, "rule was", "rules were"));
    header(
        out,
        &[
            ("Time", false),
            ("Rule", false),
            ("Who", false),
            ("As", false),
            ("What happened", false),
            ("Points", true),
            ("Events", true),
        ],
    );
    for v in &r.sod_violations {
        row(
            out,
            &[
                opt(&v.at),
                md(&v.rule.name),
                names(&v.participants),
                names(&v.roles),
                md(&v.text),
                v.points.to_string(),
                seqs(&v.events),
            ],
        );
    }
    out.push('\n');
}

fn observations(out: &mut String, r: &Report) {
    out.push_str("## Observations\n\n");
    if r.observations.is_empty() {
        out.push_str("The facilitator recorded no observation.\n\n");
        return;
    }
    for o in &r.observations {
        w!(out, "- **{}** (event #{}): {}\n", md(&o.at), o.seq, md(&o.text));
    }
    out.push('\n');
}

fn plan(out: &mut String, r: &Report) {
    out.push_str("## Improvement plan\n\n");
    if r.improvement_plan.is_empty() {
        out.push_str("No improvement-plan item.\n\n");
        return;
    }
    header(
        out,
        &[
            ("Issue", false),
            ("Corrective action", false),
            ("Capability", false),
            ("Owner", false),
            ("Due", false),
            ("Status", false),
        ],
    );
    for p in &r.improvement_plan {
        let status = match p.status {
            PlanStatusName::Open => "○ Open",
            PlanStatusName::Done => "✓ Done",
        };
        let issue = match &p.carried_from {
            Some(c) => format!("{} (carried from drill {})", md(&p.issue), md(c)),
            None => md(&p.issue),
        };
        row(
            out,
            &[
                issue,
                md(&p.corrective_action),
                md(&p.capability.name),
                md(&p.owner.name),
                md(&p.due),
                status.to_owned(),
            ],
        );
    }
    out.push('\n');
}

fn findings(out: &mut String, r: &Report) {
    w!(out, "## All findings ({})\n\n", r.findings.len());
    if r.findings.is_empty() {
        out.push_str("No finding: nothing came up to score.\n\n");
        return;
    }
    for RuleGroup { title, findings: fs, points, max } in by_rule(&r.findings) {
        w!(
            out,
            "### {} ({}, {points} of {max} points)\n\n",
            md(&title),
            plural(fs.len() as u64, "finding", "findings")
        );
        header(
            out,
            &[
                ("#", true),
                ("Time", false),
                ("", false),
                ("Finding", false),
                ("Points", true),
                ("Events", true),
            ],
        );
        for f in fs {
            let tone = match f.tone {
                ToneName::Strength => "✓",
                ToneName::Improvement => "△",
                ToneName::Neutral => "",
            };
            let pts = signed(f.points, f.max);
            row(
                out,
                &[
                    format!("F{}", f.number),
                    opt(&f.at),
                    tone.to_owned(),
                    md(&f.text),
                    md(&pts),
                    seqs(&f.events),
                ],
            );
        }
        out.push('\n');
    }
}
