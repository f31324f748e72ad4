//! The stored log is an API boundary: `tests/data/drills-rules-1.db` was written by the `muster simulate`
//! of the first engine (rules 1, before live play) and is never regenerated. Every drill in it must still
//! open, replay event for event, resume and score as it did then.

use muster_core::engine::{DrillState, RULES_VERSION};
use muster_core::{load_model, load_scenario, score};
use muster_store::{DrillId, Store, replay};

/// The frozen database, copied to a temp folder so that opening it (migrations) never changes the original.
async fn open_copy() -> (tempfile::TempDir, Store) {
    let dir = tempfile::TempDir::new().expect("temp dir");
    let path = dir.path().join("muster.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/drills-rules-1.db"), &path).expect("copy");
    let store = Store::open(&path).await.expect("a database written by the first engine opens");
    (dir, store)
}

#[tokio::test]
async fn drills_stored_by_the_first_engine_still_replay_and_score_as_they_did() {
    let (_dir, store) = open_copy().await;
    let drills = store.drills().await.expect("list");
    // (id, scenario, events, team score as `muster simulate` printed it when the drill was stored)
    let expected =
        [("01m89q3p1100", "compromised-ci-token", 193, 0), ("01m89q3nvw00", "leaked-secret", 141, 91)];
    assert_eq!(drills.len(), expected.len());
    for (id, scenario_id, n_events, team_score) in expected {
        let id = DrillId(id.to_owned());
        let record = store.drill(&id).await.expect("stored drill");
        assert_eq!(record.scenario_id, scenario_id);
        assert_eq!(record.setup.rules, 1, "a setup without `rules` is the first engine's");
        const { assert!(RULES_VERSION > 1) };
        assert_eq!(record.n_events, n_events);
        assert_eq!(record.state, DrillState::Ended);
        let drill = replay(&store, &id).await.expect("replays event for event under its own rules");
        assert_eq!(drill.state(), DrillState::Ended);
        let model = load_model(&record.model_text).value.expect("stored model loads");
        let scenario = load_scenario(&record.scenario_text, &model).scenario.expect("stored scenario loads");
        let events = store.events(&id).await.expect("events");
        assert_eq!(events.len() as u64, n_events);
        let scored = score::score(&scenario, &model, &events);
        assert_eq!(scored.team.score, team_score, "{scenario_id} scores as it did");
    }
}
