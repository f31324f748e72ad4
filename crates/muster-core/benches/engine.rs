//! Engine figures for docs/benchmarks.md. Run: `cargo bench -p muster-core --bench engine`.
//! - throughput: commands per second on one core (target ≥ 1 M/s), participants notifying each other;
//! - replay: a logged drill of 1 M events fed back through a fresh engine (target < 2 s).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use muster_core::engine::{
    ActionRef, Actor, Builtin, Command, Drill, DrillSetup, Input, ParticipantId, RolePolicy, Speed, WallMs,
};
use muster_core::{RoleId, Scenario, load_model, load_scenario};

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");

fn scenario() -> Scenario {
    let model = load_model(MODEL).value.expect("model");
    load_scenario(LEAKED, &model).scenario.expect("scenario")
}

/// Setup inputs (six participants, one per role, start) and then `n` notify commands.
fn inputs(scenario: &Scenario, n: usize) -> Vec<Input> {
    let mut out = Vec::new();
    let roles = scenario.roles.clone();
    for (i, role) in roles.iter().enumerate() {
        let who = ParticipantId(format!("p{i}"));
        out.push(Input::Command {
            now: WallMs(0),
            actor: Actor::Participant(who.clone()),
            command: Command::Join { name: format!("P{i}") },
        });
        out.push(Input::Command {
            now: WallMs(0),
            actor: Actor::Facilitator,
            command: Command::Assign { participant: who, role: role.clone() },
        });
    }
    out.push(Input::Command { now: WallMs(0), actor: Actor::Facilitator, command: Command::Start });
    for k in 0..n {
        let i = k % roles.len();
        let to: RoleId = roles[(i + 1) % roles.len()].clone();
        out.push(Input::Command {
            // One command per simulated millisecond of wall time: timers fire along the way.
            now: WallMs(k as u64 / 100),
            actor: Actor::Participant(ParticipantId(format!("p{i}"))),
            command: Command::Act {
                client_id: k.to_string(),
                role: roles[i].clone(),
                action: ActionRef::Builtin(Builtin::Notify { to, about: None, text: "status".into() }),
            },
        });
    }
    out
}

fn setup() -> DrillSetup {
    DrillSetup::new(1, Speed::REAL_TIME, RolePolicy::One)
}

fn bench(c: &mut Criterion) {
    let scenario = scenario();
    let n = 100_000;
    let log = inputs(&scenario, n);
    let mut group = c.benchmark_group("engine");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("100k commands", |b| {
        b.iter_batched(
            || Drill::new(scenario.clone(), setup()),
            |mut drill| {
                for input in &log {
                    black_box(drill.input(input));
                }
                drill
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();

    let big = inputs(&scenario, 1_000_000);
    let mut group = c.benchmark_group("replay");
    group.sample_size(10);
    group.bench_function("1M-event drill", |b| {
        b.iter_batched(
            || Drill::new(scenario.clone(), setup()),
            |mut drill| {
                let mut n_events = 0;
                for input in &big {
                    n_events += drill.input(input).events.len();
                }
                assert!(n_events >= 1_000_000);
                drill
            },
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
