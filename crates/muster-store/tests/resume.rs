//! Resume after a stop: a drill left running is replayed to its exact state and scenario time, paused,
//! and stays replayable; an ended drill is not touched.

use muster_core::engine::{
    ActionRef, Actor, Command, Drill, DrillSetup, DrillState, Input, ParticipantId, RolePolicy, Speed, WallMs,
};
use muster_core::{ActionId, RoleId, load_model, load_scenario};
use muster_store::{NewDrill, Store};

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");

fn cmd(now: u64, actor: Actor, command: Command) -> Input {
    Input::Command { now: WallMs(now), actor, command }
}

#[tokio::test]
async fn a_running_drill_resumes_paused_where_it_stood() {
    let tmp = tempfile::tempdir().expect("tmp");
    let path = tmp.path().join("drills.db");
    let model = load_model(MODEL).value.expect("model");
    let scenario = load_scenario(MINIMAL, &model).scenario.expect("scenario");
    let setup = DrillSetup::new(3, Speed::REAL_TIME, RolePolicy::One);
    let store = Store::open(&path).await.expect("open");
    let id = store
        .create_drill(NewDrill {
            scenario_id: "minimal".into(),
            scenario_version: "1.0.0".into(),
            scenario_text: MINIMAL.into(),
            model_text: MODEL.into(),
            setup: setup.clone(),
            team: None,
            facilitator: None,
            created_wall_ms: 0,
        })
        .await
        .expect("create");
    let ana = Actor::Participant(ParticipantId("ana".into()));
    let inputs = [
        cmd(1_000, ana.clone(), Command::Join { name: "Ana".into() }),
        cmd(
            1_000,
            Actor::Facilitator,
            Command::Assign { participant: ParticipantId("ana".into()), role: RoleId("platform".into()) },
        ),
        cmd(1_000, Actor::Facilitator, Command::Start),
        Input::Timeout { now: WallMs(601_000) },
        cmd(
            700_000,
            ana,
            Command::Act {
                client_id: "1".into(),
                role: RoleId("platform".into()),
                action: ActionRef::Scenario(ActionId("revoke_token".into())),
            },
        ),
    ];
    let mut live = Drill::new(scenario, setup);
    let writer = store.writer();
    for input in inputs {
        let outcome = live.input(&input);
        writer.append(&id, input, outcome.events, live.state()).await.expect("append");
    }
    let stood = live.scenario_time(WallMs(700_000));
    store.close().await;

    // The process is gone for an hour; on restart the drill is listed as unfinished and resumed.
    let store = Store::open(&path).await.expect("reopen");
    let unfinished = store.unfinished().await.expect("unfinished");
    assert_eq!(unfinished.iter().map(|d| &d.id).collect::<Vec<_>>(), vec![&id]);
    let resumed = muster_store::resume(&store, &id).await.expect("resume");
    assert_eq!(resumed.state(), DrillState::Paused);
    assert_eq!(
        resumed.scenario_time(WallMs(700_000 + 3_600_000)),
        stood,
        "scenario time stands still while down"
    );
    assert_eq!(resumed.actions(), live.actions());
    // The pause is logged, so the log still replays, and resuming again changes nothing.
    let again = muster_store::replay(&store, &id).await.expect("replay after resume");
    assert_eq!(again.state(), DrillState::Paused);
    let n = store.inputs(&id).await.expect("inputs").len();
    muster_store::resume(&store, &id).await.expect("resume again");
    assert_eq!(store.inputs(&id).await.expect("inputs").len(), n);
    store.close().await;
}
