//! Reports of real simulated drills: the Markdown golden, the HTML's promises (sections, SVG, no request,
//! no script, escaping), the JSON's shape, the CSV's quoting, the schema's freshness, trends' edge cases.
//! Method: run the seeded simulation on a shipped scenario, plant hostile text in an observation and a
//! participant's name, score, build, render, and check each output (parsing it back where a parser exists).

use std::fs;
use std::path::{Path, PathBuf};

use muster_core::engine::{Audience, Event, EventKind, Input, NoteKind, Speed, WallMs};
use muster_core::score::{self, PlanStatus, RULES};
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_core::{ResponsibilityModel, Scenario, ScenarioMs, load_model, load_scenario};

use crate::*;

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");
const CREATED: u64 = 1_741_701_600_000; // 2025-03-11T14:00:00Z
const NASTY: &str = "<script>alert(1)</script> | *x*, \"quoted\"\nline 2";
const NASTY_NAME: &str = "=Eve <b>Mallory</b> | *y*";

struct Fixture {
    model: ResponsibilityModel,
    scenario: Scenario,
    events: Vec<Event>,
    info: DrillInfo,
}

/// A seeded drill of the leaked-secret scenario, with an observation and a participant name holding
/// markup, Markdown and CSV specials (planted into the log; scoring reads them like real ones).
fn fixture(team: Team, seed: u64) -> Fixture {
    let model = load_model(MODEL).value.expect("model");
    let scenario = load_scenario(LEAKED, &model).scenario.expect("scenario");
    let config =
        SimConfig { seed, team, participants: None, speed: Speed::REAL_TIME, start: WallMs(CREATED) };
    let mut sim = Simulation::new(scenario.clone(), &model, &config);
    let mut events = Vec::new();
    let (mut first, mut last) = (None, 0);
    while let Some(step) = sim.step() {
        let (Input::Command { now, .. } | Input::Timeout { now }) = step.input;
        first.get_or_insert(now.0);
        last = now.0;
        events.extend(step.outcome.events);
    }
    if let Some(e) = events.iter_mut().find(|e| matches!(e.kind, EventKind::Joined { .. }))
        && let EventKind::Joined { name, .. } = &mut e.kind
    {
        *name = NASTY_NAME.to_owned();
    }
    let mid = events.len() / 2;
    let at = events[mid - 1].at;
    events.insert(
        mid,
        Event {
            seq: 0,
            at,
            audience: Audience::Facilitator,
            kind: EventKind::Noted { kind: NoteKind::Observation, text: NASTY.to_owned() },
        },
    );
    for (i, e) in events.iter_mut().enumerate() {
        e.seq = i as u64 + 1;
    }
    let info = DrillInfo {
        id: "drill-0001".to_owned(),
        scenario_id: scenario.id.to_string(),
        scenario_title: scenario.title.clone(),
        scenario_version: scenario.version.clone(),
        created_wall_ms: CREATED,
        started_wall_ms: first,
        ended_wall_ms: Some(last),
        facilitator: Some("Fran <Facilitator>".to_owned()),
        team: Some("Blue | *team*".to_owned()),
        state: "ended".to_owned(),
    };
    Fixture { model, scenario, events, info }
}

fn report_of(f: &Fixture) -> Report {
    let score = score::score(&f.scenario, &f.model, &f.events);
    let mut plan = draft_plan(&score::plan_draft(&score, &f.model, &RULES), f.info.created_wall_ms);
    if let Some(p) = plan.first_mut() {
        p.status = PlanStatus::Done;
        p.carried_from = Some("drill-0000 <old>".to_owned());
    }
    build(&ReportInput {
        drill: f.info.clone(),
        scenario: &f.scenario,
        model: &f.model,
        score: &score,
        plan: &plan,
        events: &f.events,
    })
}

#[test]
fn markdown_snapshot() {
    let f = fixture(Team::Mixed, 7);
    insta::assert_snapshot!(to_markdown(&report_of(&f)));
}

#[test]
fn reports_are_deterministic() {
    let f = fixture(Team::Mixed, 7);
    assert_eq!(to_json(&report_of(&f)), to_json(&report_of(&fixture(Team::Mixed, 7))));
}

#[test]
fn html_is_self_contained_sectioned_and_escaped() {
    let f = fixture(Team::Mixed, 7);
    let html = to_html(&report_of(&f));
    for id in [
        "overview",
        "summary",
        "objectives",
        "strengths",
        "improvements",
        "timeline",
        "heatmap",
        "roles",
        "sod",
        "observations",
        "plan",
        "findings",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\"")), "section {id} missing");
    }
    // Ratings come before the evidence.
    assert!(html.find("id=\"objectives\"") < html.find("id=\"findings\""));
    assert!(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"));
    assert!(html.contains("@media print"));
    assert!(html.matches("<svg").count() >= 2, "timeline chart and legend shapes");
    assert!(html.contains("<title>"), "hover text on marks");
    for banned in ["http://", "https://", "<script", "@import", "url(", "src=\"", "<link", "<img", "<iframe"]
    {
        assert!(!html.contains(banned), "HTML contains {banned:?}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; | *x*, &quot;quoted&quot;"));
    assert!(html.contains("=Eve &lt;b&gt;Mallory&lt;&#x2F;b&gt; | *y*"));
    assert!(html.contains("Fran &lt;Facilitator&gt;"));
    assert!(!html.contains("<b>Mallory"));
}

/// Renders Markdown as GitHub does (tables on) and returns the HTML.
fn render_markdown(text: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(text, pulldown_cmark::Options::ENABLE_TABLES);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

#[test]
fn markdown_keeps_hostile_text_literal() {
    let f = fixture(Team::Mixed, 7);
    let md = to_markdown(&report_of(&f));
    let html = render_markdown(&md);
    assert!(!html.contains("<script"), "a script tag survived");
    assert!(!html.contains("<b>Mallory"), "markup in a name survived");
    assert!(!html.contains("<em>x</em>") && !html.contains("<em>y</em>"), "emphasis from data");
    assert!(html.contains(r#"&lt;script&gt;alert(1)&lt;/script&gt; | *x*, "quoted" line 2"#));
    // The participants table keeps three cells in the row of the name with a `|` in it.
    let row = html.split("<tr>").find(|r| r.contains("Mallory")).expect("participant row");
    assert_eq!(row.matches("<td").count(), 3, "{row}");
    // Same for the team name in the overview table.
    let row = html.split("<tr>").find(|r| r.contains("Blue")).expect("team row");
    assert_eq!(row.matches("<td").count(), 2, "{row}");
    for heading in
        ["## Objective ratings", "## Timeline: key moments", "## Ownership heat map", "## Improvement plan"]
    {
        assert!(md.contains(heading), "{heading}");
    }
    assert!(md.find("## Objective ratings") < md.find("## All findings"));
}

#[test]
fn csv_has_one_quoted_row_per_event() {
    let f = fixture(Team::Mixed, 7);
    let text = events_csv(&f.events, &f.model);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(headers.iter().collect::<Vec<_>>(), csv_log::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), f.events.len());
    let note = rows.iter().find(|r| &r[3] == "Noted").expect("the observation row");
    assert_eq!(&note[9], format!("Observation: {NASTY}"));
    let event: Event = serde_json::from_str(&note[10]).expect("raw event JSON");
    assert!(matches!(event.kind, EventKind::Noted { ref text, .. } if text == NASTY));
    // A name that a spreadsheet would run as a formula is defused.
    let joined = rows.iter().find(|r| &r[3] == "Joined").expect("joined row");
    assert_eq!(&joined[9], format!("'{NASTY_NAME} joined"));
    for (row, e) in rows.iter().zip(&f.events) {
        assert_eq!(row[0].parse::<u64>().ok(), Some(e.seq));
        assert_eq!(&row[2], ScenarioMs(e.at.0).to_string());
    }
}

#[test]
fn json_has_the_documented_shape() {
    for team in [Team::Mixed, Team::Diligent, Team::Siloed, Team::Absent] {
        let f = fixture(team, 3);
        let json: serde_json::Value = serde_json::from_str(&to_json(&report_of(&f))).expect("JSON");
        assert_eq!(json["schema_version"], 1);
        let score = json["team"]["score"].as_u64().expect("score");
        assert!(score <= 100);
        let coverage = json["team"]["coverage"].as_f64().expect("coverage");
        assert!((0.0..=1.0).contains(&coverage));
        let objectives = json["objectives"].as_array().expect("objectives");
        assert!(!objectives.is_empty());
        for o in objectives {
            assert!(o["id"].as_str().is_some_and(|s| !s.is_empty()));
            assert!(matches!(o["rating"].as_str(), Some("P" | "S" | "M" | "U")), "{o}");
            assert!(
                o["rating_text"]
                    .as_str()
                    .is_some_and(|s| s.starts_with("Performed") || s.starts_with("Unable"))
            );
        }
        assert_eq!(json["drill"]["created"], "2025-03-11T14:00:00Z");
        assert!(json["drill"]["scenario_time_reached"].as_str().is_some_and(|s| s.starts_with("T+")));
        for key in [
            "executive_summary",
            "strengths",
            "areas_for_improvement",
            "roles",
            "metrics",
            "heatmap",
            "timeline",
        ] {
            assert!(!json[key].is_null(), "{key}");
        }
        let findings = json["findings"].as_array().expect("findings");
        assert!(
            findings
                .iter()
                .all(|f| f["at"].is_null() || f["at"].as_str().is_some_and(|s| s.starts_with("T+")))
        );
        let improvements = json["areas_for_improvement"].as_array().expect("improvements");
        let lost: Vec<i64> = improvements.iter().map(|t| t["points"].as_i64().expect("points")).collect();
        assert!(lost.windows(2).all(|w| w[0] >= w[1]), "improvements sorted by points lost: {lost:?}");
    }
}

#[test]
fn themes_and_summary_read_well() {
    let f = fixture(Team::Mixed, 7);
    let r = report_of(&f);
    assert!(r.executive_summary.contains(&format!("scored {}/100", r.team.score)));
    assert!(r.executive_summary.contains("Team Blue | *team*"));
    assert!(!r.strengths.is_empty() && !r.areas_for_improvement.is_empty());
    for th in r.strengths.iter().chain(&r.areas_for_improvement) {
        assert!(th.text.ends_with('.'), "{}", th.text);
        assert_eq!(th.findings.len(), th.evidence.len());
        assert!(!th.events.is_empty());
    }
    assert_eq!(r.observations.len(), 1);
    assert_eq!(r.observations[0].text, NASTY);
    assert_eq!(r.sod_violations.len() as u32, r.team.sod_violations);
}

#[test]
fn draft_plan_dates_items_from_the_drill_creation_date() {
    let f = fixture(Team::Siloed, 5);
    let s = score::score(&f.scenario, &f.model, &f.events);
    let drafts = score::plan_draft(&s, &f.model, &RULES);
    assert!(!drafts.is_empty());
    // 23:30 UTC: the date is the UTC one, whatever the local zone.
    let plan = draft_plan(&drafts, 1_741_735_800_000);
    for (item, d) in plan.iter().zip(&drafts) {
        let expected = if d.due_days == 14 { "2025-03-25" } else { "2025-04-10" };
        assert_eq!(item.due, expected, "{d:?}");
        assert_eq!(item.status, PlanStatus::Open);
        assert_eq!(item.carried_from, None);
    }
}

fn point(id: &str, day: u64, score: u32, ttc: Option<u64>, items: u32, done: u32) -> TrendPoint {
    TrendPoint {
        drill_id: id.to_owned(),
        created_wall_ms: CREATED + day * 86_400_000,
        scenario_id: "leaked-secret".to_owned(),
        team: Some("Blue <b>".to_owned()),
        score,
        coverage: f64::from(score) / 100.0,
        time_to_contain_ms: ttc,
        plan_items: items,
        plan_done: done,
    }
}

#[test]
fn trends_handle_zero_one_and_many_drills() {
    let none = trends_html("Trends <all>", &[]);
    assert!(none.contains("No drill to chart yet") && !none.contains("<svg") && !none.contains("<script"));
    assert!(none.contains("Trends &lt;all&gt;"));
    assert!(trends_markdown("T", &[]).contains("No drill to chart yet"));

    let one = trends_html("T", &[point("d1", 0, 60, Some(1_800_000), 3, 1)]);
    assert_eq!(one.matches("<svg").count(), 4);
    assert!(one.contains("One drill so far"));

    let many = [
        point("d3", 2, 80, Some(1_200_000), 2, 2),
        point("d1", 0, 55, None, 0, 0),
        point("d2", 1, 70, Some(2_400_000), 4, 1),
    ];
    let html = trends_html("Trends", &many);
    for banned in ["http://", "https://", "<script", "Blue <b>"] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert!(html.contains("Blue &lt;b&gt;"));
    assert!(html.contains("<polyline"));
    assert!(html.contains("3 drills from 2025-03-11 to 2025-03-13: score 55 → 80"));
    let md = trends_markdown("Trends", &many);
    let d1 = md.find("| d1 |").expect("d1");
    let d3 = md.find("| d3 |").expect("d3");
    assert!(d1 < d3, "date order");
    assert!(md.contains("Blue &lt;b&gt;"));
    let json: serde_json::Value = serde_json::from_str(&trends_json(&many)).expect("JSON");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["points"][0]["drill_id"], "d1");
}

fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs")
}

/// The committed schemas must match the types. Outside CI a stale file is rewritten and the test fails
/// once, so the change is seen and committed (as muster-protocol does for its TypeScript).
#[test]
fn schemas_are_fresh() {
    let schemas = [
        ("report.schema.json", schemars::schema_for!(Report)),
        ("trends.schema.json", schemars::schema_for!(Trends)),
    ];
    let mut stale = Vec::new();
    for (name, schema) in schemas {
        let fresh = serde_json::to_string_pretty(&schema).expect("schema") + "\n";
        let path = docs_dir().join(name);
        if fs::read_to_string(&path).ok().as_deref() == Some(fresh.as_str()) {
            continue;
        }
        if std::env::var_os("CI").is_none() {
            fs::write(&path, &fresh).expect("write schema");
        }
        stale.push(name);
    }
    if stale.is_empty() {
        return;
    }
    if std::env::var_os("CI").is_none() {
        panic!("docs/{stale:?} were stale and have been regenerated: review and commit them");
    }
    panic!("docs/{stale:?} are stale: run `cargo test -p muster-report` locally and commit the result");
}
