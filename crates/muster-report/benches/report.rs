//! After-action report of a large drill: score + build + HTML, together, as `muster report` runs them.
//! The workload is the leaked-secret drill simulated with a siloed team (every bot acts outside its lane,
//! so many findings) and the smallest number of bots that logs at least 10 000 events.

use criterion::{Criterion, criterion_group, criterion_main};
use muster_core::engine::{Event, Input, Speed, WallMs};
use muster_core::score;
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_core::{load_model, load_scenario};
use muster_report::{DrillInfo, ReportInput, build, to_html};

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");
const CREATED: u64 = 1_741_701_600_000;

fn bench(c: &mut Criterion) {
    let model = load_model(MODEL).value.expect("model");
    let scenario = load_scenario(LEAKED, &model).scenario.expect("scenario");
    let simulate = |n: usize| {
        let team = Team::Siloed;
        let config = SimConfig {
            seed: 42,
            team,
            participants: Some(n),
            speed: Speed::REAL_TIME,
            start: WallMs(CREATED),
        };
        let mut sim = Simulation::new(scenario.clone(), &model, &config);
        let mut events: Vec<Event> = Vec::new();
        let mut last = CREATED;
        while let Some(step) = sim.step() {
            let (Input::Command { now, .. } | Input::Timeout { now }) = step.input;
            last = now.0;
            events.extend(step.outcome.events);
        }
        (events, last)
    };
    let (events, last) = (500..=1000)
        .step_by(25)
        .map(simulate)
        .find(|(events, _)| events.len() >= 10_000)
        .unwrap_or_else(|| simulate(1000));
    let info = DrillInfo {
        id: "bench".to_owned(),
        scenario_id: scenario.id.to_string(),
        scenario_title: scenario.title.clone(),
        scenario_version: scenario.version.clone(),
        created_wall_ms: CREATED,
        started_wall_ms: Some(CREATED),
        ended_wall_ms: Some(last),
        facilitator: None,
        team: None,
        state: "ended".to_owned(),
    };
    let s = score::score(&scenario, &model, &events);
    let html = to_html(&build(&ReportInput {
        drill: info.clone(),
        scenario: &scenario,
        model: &model,
        score: &s,
        plan: &[],
        events: &events,
    }));
    println!(
        "workload: {} events, {} participants, {} findings, HTML {} KiB",
        events.len(),
        s.participants.len(),
        s.findings.len(),
        html.len() / 1024
    );
    c.bench_function(&format!("score + build + to_html, {} events", events.len()), |b| {
        b.iter(|| {
            let s = score::score(&scenario, &model, &events);
            let report = build(&ReportInput {
                drill: info.clone(),
                scenario: &scenario,
                model: &model,
                score: &s,
                plan: &[],
                events: &events,
            });
            to_html(&report)
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
