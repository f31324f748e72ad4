//! Hostile input never panics the loader, a rejected file always says where, and a valid one can be
//! played.
//!
//! Method: take the shipped files, mutate them (truncate, delete a range, insert noise, duplicate a
//! slice) and load the result; and generate drills whose variables fill to random sizes around the
//! limits. Whatever comes back, when there is no scenario there must be at least one error, and every
//! diagnostic's span must lie within the text; when there is one, the simulator plays it to the end
//! under a memory ceiling (the test binary's allocator refuses past [`MEMORY_CEILING_BYTES`], which
//! aborts the test), so "valid" always means "can be played". A failing case prints its input;
//! proptest's seed is in `proptest-regressions/` when it shrinks one.

use muster_core::engine::{Speed, WallMs};
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_core::{ResponsibilityModel, Scenario, load_model, load_scenario};
use proptest::prelude::*;

/// Most memory this test binary may hold at once, in bytes: far above what any valid drill needs (a
/// few megabytes), far below what an unbounded variable fill would ask for (gigabytes).
const MEMORY_CEILING_BYTES: usize = 1024 * 1024 * 1024;

#[global_allocator]
static ALLOCATOR: cap::Cap<std::alloc::System> = cap::Cap::new(std::alloc::System, MEMORY_CEILING_BYTES);

/// Most steps a simulation of a valid drill may take here: it ends long before.
const MAX_SIM_STEPS: usize = 200_000;

/// Plays a valid scenario to its end with a bot team.
fn play(scenario: Scenario, model: &ResponsibilityModel) -> Result<(), TestCaseError> {
    let config = SimConfig {
        seed: 7,
        team: Team::Mixed,
        participants: None,
        speed: Speed::REAL_TIME,
        start: WallMs(1_000),
    };
    let mut sim = Simulation::new(scenario, model, &config);
    let mut steps = 0;
    while sim.step().is_some() {
        steps += 1;
        prop_assert!(steps < MAX_SIM_STEPS, "the simulation does not end");
    }
    Ok(())
}

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const SCENARIOS: &[&str] = &[
    include_str!("../../../scenarios/leaked-secret.ron"),
    include_str!("../../../scenarios/compromised-ci-token.ron"),
    include_str!("../../../scenarios/dependency-compromise.ron"),
    include_str!("../../../scenarios/cloud-account-abuse.ron"),
];

fn model() -> ResponsibilityModel {
    load_model(MODEL).value.expect("the shipped model is valid")
}

fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Debug, Clone)]
enum Mutation {
    Truncate(usize),
    Delete(usize, usize),
    Insert(usize, String),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), 1usize..64).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), "[\\(\\)\\[\\]\\{\\},:\"'#/\\*a-zA-Z0-9_ \n\\\\é]{1,8}")
            .prop_map(|(a, s)| Mutation::Insert(a, s)),
        (any::<usize>(), 1usize..200).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
    ]
}

fn apply(src: &str, m: &Mutation) -> String {
    match m {
        Mutation::Truncate(at) => src[..floor(src, at % (src.len() + 1))].to_owned(),
        Mutation::Delete(at, n) => {
            let a = floor(src, at % (src.len() + 1));
            let b = floor(src, a + n);
            format!("{}{}", &src[..a], &src[b..])
        }
        Mutation::Insert(at, s) => {
            let a = floor(src, at % (src.len() + 1));
            format!("{}{s}{}", &src[..a], &src[a..])
        }
        Mutation::Duplicate(at, n) => {
            let a = floor(src, at % (src.len() + 1));
            let b = floor(src, a + n);
            format!("{}{}{}", &src[..b], &src[a..b], &src[b..])
        }
    }
}

fn check_scenario(text: &str, model: &ResponsibilityModel) -> Result<(), TestCaseError> {
    let load = load_scenario(text, model);
    if load.scenario.is_none() {
        prop_assert!(load.diagnostics.iter().any(|d| d.is_error()), "rejected without an error");
    } else {
        prop_assert!(!load.diagnostics.iter().any(|d| d.is_error()), "accepted with an error");
    }
    if let Some(scenario) = load.scenario.clone() {
        play(scenario, model)?;
    }
    for d in &load.diagnostics {
        prop_assert!(d.span.start <= d.span.end && d.span.end <= text.len(), "span out of bounds: {d:?}");
        let (line, col) = d.line_col(text);
        prop_assert!(line >= 1 && col >= 1);
        prop_assert!(!d.message.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn mutated_scenarios_never_panic(idx in 0usize..4, muts in prop::collection::vec(mutation(), 1..4)) {
        let model = model();
        let mut text = SCENARIOS[idx].to_owned();
        for m in &muts {
            text = apply(&text, m);
        }
        check_scenario(&text, &model)?;
    }

    #[test]
    fn mutated_models_never_panic(muts in prop::collection::vec(mutation(), 1..4)) {
        let mut text = MODEL.to_owned();
        for m in &muts {
            text = apply(&text, m);
        }
        let loaded = load_model(&text);
        prop_assert_eq!(loaded.value.is_none(), loaded.diagnostics.iter().any(|d| d.is_error()));
        for d in &loaded.diagnostics {
            prop_assert!(d.span.end <= text.len());
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_scenario(&text, &model())?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Variables of random length used a random number of times in several texts, around the fill
    /// limits: either validation refuses the drill, or it plays within the memory ceiling.
    #[test]
    fn filled_variables_stay_within_the_memory_ceiling(
        value_bytes in 1usize..1_000_000,
        refs in prop::collection::vec(0usize..3_000, 3),
    ) {
        let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
        let value = "v".repeat(value_bytes);
        let use_ = |n: usize| "{{big}}".repeat(n);
        let text = minimal
            .replacen("variables: [", &format!("variables: [Variable(name: \"big\", value: OneOf([\"{value}\"])),"), 1)
            .replacen("title: \"Token {{token}}", &format!("title: \"{}Token {{{{token}}}}", use_(refs[0])), 1)
            .replacen("body: \"A personal", &format!("body: \"{}A personal", use_(refs[1])), 1)
            .replacen("body: \"Platform reports", &format!("body: \"{}Platform reports", use_(refs[2])), 1);
        check_scenario(&text, &model())?;
    }
}

#[test]
fn every_truncation_of_a_scenario_is_positioned() {
    // Exhaustive over prefixes of the smallest shipped drill, at a stride to keep it quick.
    let model = model();
    let src = SCENARIOS.iter().min_by_key(|s| s.len()).expect("scenarios");
    let mut at = 0;
    while at < src.len() {
        let cut = floor(src, at);
        let load = load_scenario(&src[..cut], &model);
        assert!(load.scenario.is_none() || cut == src.len());
        assert!(load.diagnostics.iter().any(|d| d.is_error()), "prefix of {cut} bytes accepted");
        at += 97;
    }
}

#[test]
fn shipped_files_are_valid() {
    let model = model();
    for src in SCENARIOS {
        let load = load_scenario(src, &model);
        assert!(load.diagnostics.is_empty(), "{:?}", load.diagnostics);
        let s = load.scenario.expect("valid");
        assert!(s.injects.len() >= 12);
        assert!(s.n_conditional_injects() >= 3);
        assert!((60..=120).contains(&(s.duration.0 / 60_000)), "60–120 minutes");
        // Every role in play owns at least one expected action.
        for role in &s.roles {
            assert!(s.actions.iter().any(|a| a.owners.contains(role)), "{} owns nothing in {}", role, s.id);
        }
        // At least one approval governed by a separation rule.
        assert!(
            s.actions.iter().any(|a| a.kind == muster_core::ActionKind::Approval && a.sod.is_some()),
            "{}",
            s.id
        );
    }
}
