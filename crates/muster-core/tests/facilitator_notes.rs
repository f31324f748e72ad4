//! No participant ever receives a facilitator note.
//!
//! Method: play each shipped drill with several simulated teams (the engine's real events), and once more
//! with the facilitator firing every inject by hand, cues included, so that every inject reaches its
//! recipients. Then look through every event a participant may see (any audience but
//! `Audience::Facilitator`) for each inject's facilitator notes: the whole text, and its first words
//! (in case a future change quoted or trimmed it).

use muster_core::engine::{
    Actor, Audience, Command, Drill, DrillSetup, Event, EventKind, Input, ParticipantId, RolePolicy, Speed,
    WallMs,
};
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_core::{ResponsibilityModel, Scenario, load_model, load_scenario};
use serde_json::Value;

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const SHIPPED: [&str; 4] = [
    include_str!("../../../scenarios/leaked-secret.ron"),
    include_str!("../../../scenarios/compromised-ci-token.ron"),
    include_str!("../../../scenarios/dependency-compromise.ron"),
    include_str!("../../../scenarios/cloud-account-abuse.ron"),
];
/// Length of the distinctive opening of a note looked for besides the whole note, in characters.
const OPENING_CHARS: usize = 32;

fn model() -> ResponsibilityModel {
    load_model(MODEL).value.expect("the shipped model is valid")
}

fn simulate(scenario: &Scenario, model: &ResponsibilityModel, team: Team) -> Vec<Event> {
    let config =
        SimConfig { seed: 17, team, participants: None, speed: Speed::REAL_TIME, start: WallMs(1_000_000) };
    let mut sim = Simulation::new(scenario.clone(), model, &config);
    let mut events = Vec::new();
    while let Some(step) = sim.step() {
        events.extend(step.outcome.events);
    }
    events
}

/// One participant per role in play; the facilitator starts, then fires every inject in file order.
fn fire_everything(scenario: &Scenario) -> Vec<Event> {
    let mut drill = Drill::new(scenario.clone(), DrillSetup::new(5, Speed::REAL_TIME, RolePolicy::One));
    let mut events = Vec::new();
    let mut feed = |actor: Actor, command: Command| {
        let outcome = drill.input(&Input::Command { now: WallMs(1_000_000), actor, command });
        events.extend(outcome.events);
    };
    for (k, role) in scenario.roles.iter().enumerate() {
        let participant = ParticipantId(format!("p{k}"));
        feed(Actor::Participant(participant.clone()), Command::Join { name: format!("Player {k}") });
        feed(Actor::Facilitator, Command::Assign { participant, role: role.clone() });
    }
    feed(Actor::Facilitator, Command::Start);
    for inject in &scenario.injects {
        feed(Actor::Facilitator, Command::FireInject(inject.id.clone()));
    }
    events
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(fields) => fields.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Every (event, note) pair where an event a participant may see holds the note or its opening.
fn leaks(scenario: &Scenario, events: &[Event]) -> Vec<String> {
    let needles: Vec<(String, String)> = scenario
        .injects
        .iter()
        .filter_map(|i| i.facilitator_notes.as_ref())
        .map(|n| (n.clone(), n.chars().take(OPENING_CHARS).collect()))
        .collect();
    let mut found = Vec::new();
    for event in events.iter().filter(|e| e.audience != Audience::Facilitator) {
        let mut texts = Vec::new();
        strings(&serde_json::to_value(event).expect("events serialize"), &mut texts);
        for (note, opening) in &needles {
            if texts.iter().any(|t| t.contains(note.as_str()) || t.contains(opening.as_str())) {
                found.push(format!("{}: {event} holds “{opening}…”", scenario.id));
            }
        }
    }
    found
}

#[test]
fn no_participant_ever_receives_a_facilitator_note() {
    let model = model();
    for src in SHIPPED {
        let scenario = load_scenario(src, &model).scenario.expect("a shipped drill loads");
        let n_notes = scenario.injects.iter().filter(|i| i.facilitator_notes.is_some()).count();
        assert!(n_notes > 0, "{}: nothing to look for", scenario.id);

        let everything = fire_everything(&scenario);
        let n_fired = everything.iter().filter(|e| matches!(e.kind, EventKind::InjectFired { .. })).count();
        assert_eq!(n_fired, scenario.injects.len(), "{}: every inject reached its recipients", scenario.id);
        let mut found = leaks(&scenario, &everything);
        for team in [Team::Diligent, Team::Siloed, Team::Slow, Team::Mixed] {
            found.extend(leaks(&scenario, &simulate(&scenario, &model, team)));
        }
        assert!(found.is_empty(), "facilitator notes reached participants:\n{}", found.join("\n"));
    }
}
