//! The store against real SQLite files in temp folders: what is acknowledged is there, in order, after
//! concurrency, close and reopen; a drill run through the engine replays; tampering is caught.

use std::path::{Path, PathBuf};

use expect_test::expect;
use muster_core::engine::{
    ActionRef, Actor, Audience, Command, Drill, DrillSetup, DrillState, Event, EventKind, Input, NoteKind,
    ParticipantId, RolePolicy, Speed, WallMs,
};
use muster_core::{ActionId, RoleId, ScenarioMs, load_model, load_scenario};
use muster_store::{DrillId, DrillStore, NewDrill, Store, StoreError, replay};
use sqlx::{ConnectOptions, Connection};
use tempfile::TempDir;

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");

/// 2026-11-23T12:00:00Z, the wall time every drill here starts at.
const T0: u64 = 1_795_435_200_000;

fn setup() -> DrillSetup {
    DrillSetup::new(7, Speed::REAL_TIME, RolePolicy::One)
}

fn new_drill(created_wall_ms: u64) -> NewDrill {
    NewDrill {
        scenario_id: "minimal".into(),
        scenario_version: "1.0.0".into(),
        scenario_text: MINIMAL.into(),
        model_text: MODEL.into(),
        setup: setup(),
        team: Some("diligent".into()),
        facilitator: Some("Fran".into()),
        created_wall_ms,
    }
}

/// A store in a fresh temp folder (kept alive by the returned `TempDir`), in a subfolder that `open`
/// must create.
async fn temp_store() -> (TempDir, PathBuf, Store) {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("nested").join("muster.db");
    let store = Store::open(&path).await.expect("open");
    (dir, path, store)
}

fn timeout(now: u64) -> Input {
    Input::Timeout { now: WallMs(now) }
}

fn note(seq: u64, text: &str) -> Event {
    Event {
        seq,
        at: ScenarioMs(0),
        audience: Audience::Facilitator,
        kind: EventKind::Noted { kind: NoteKind::Note, text: text.into() },
    }
}

fn p(id: &str) -> Actor {
    Actor::Participant(ParticipantId(id.into()))
}

fn assign(who: &str, role: &str) -> Command {
    Command::Assign { participant: ParticipantId(who.into()), role: RoleId(role.into()) }
}

fn act(client_id: &str, role: &str, action: &str) -> Command {
    Command::Act {
        client_id: client_id.into(),
        role: RoleId(role.into()),
        action: ActionRef::Scenario(ActionId(action.into())),
    }
}

/// The minimal drill played by two participants, with one refused command; `End` last if `end`.
fn script(end: bool) -> Vec<(u64, Actor, Command)> {
    let mut steps = vec![
        (0, p("ana"), Command::Join { name: "Ana".into() }),
        (0, p("sam"), Command::Join { name: "Sam".into() }),
        (0, Actor::Facilitator, assign("ana", "platform")),
        (0, Actor::Facilitator, assign("sam", "security")),
        (0, Actor::Facilitator, Command::Start),
        (60, p("sam"), act("c0", "security", "review_audit_log")),
        (120, p("ana"), act("c1", "platform", "revoke_token")),
        (300, p("sam"), act("c2", "security", "review_audit_log")),
    ];
    if end {
        steps.push((310, Actor::Facilitator, Command::End));
    }
    steps
}

/// Runs `script(end)` through the engine as the runtime would (waking it at every deadline, logging
/// every input with the events it produced and the state after it) and returns the live drill.
async fn run_drill(store: &Store, end: bool) -> (DrillId, Drill) {
    let id = store.create_drill(new_drill(T0)).await.expect("create");
    let model = load_model(MODEL).value.expect("model loads");
    let scenario = load_scenario(MINIMAL, &model).scenario.expect("scenario loads");
    let mut drill = Drill::new(scenario, setup());
    let writer = store.writer();
    for (s, actor, command) in script(end) {
        let now = WallMs(T0 + s * 1000);
        let mut inputs = Vec::new();
        while let Some((at, _)) = drill.next_deadline().filter(|(at, _)| *at <= now) {
            inputs.push(Input::Timeout { now: at });
            let outcome = drill.input(&Input::Timeout { now: at });
            writer
                .append(&id, Input::Timeout { now: at }, outcome.events, drill.state())
                .await
                .expect("append");
        }
        let input = Input::Command { now, actor, command };
        let outcome = drill.input(&input);
        writer.append(&id, input, outcome.events, drill.state()).await.expect("append");
    }
    (id, drill)
}

async fn raw_connection(path: &Path) -> sqlx::SqliteConnection {
    sqlx::sqlite::SqliteConnectOptions::new().filename(path).connect().await.expect("raw connection")
}

#[tokio::test]
async fn create_append_and_read_back() {
    // Goal: what is appended reads back unchanged, with counts and state. Method: one drill, three
    // inputs (one without events), read through every query.
    let (_dir, _path, store) = temp_store().await;
    let id = store.create_drill(new_drill(T0)).await.expect("create");
    let writer = store.writer();
    let inputs = [timeout(T0 + 1), timeout(T0 + 2), timeout(T0 + 3)];
    let events = [vec![note(1, "a"), note(2, "b")], vec![], vec![note(3, "c")]];
    for (n, (input, events)) in inputs.iter().zip(&events).enumerate() {
        let seq =
            writer.append(&id, input.clone(), events.clone(), DrillState::Paused).await.expect("append");
        assert_eq!(seq, n as u64 + 1);
    }
    assert_eq!(store.inputs(&id).await.expect("inputs"), inputs);
    assert_eq!(store.events(&id).await.expect("events"), events.concat());
    let record = store.drill(&id).await.expect("drill");
    assert_eq!((record.n_inputs, record.n_events, record.state), (3, 3, DrillState::Paused));
    assert_eq!((record.scenario_text.as_str(), record.model_text.as_str()), (MINIMAL, MODEL));
    assert_eq!(
        (record.setup, record.team.as_deref(), record.created_wall_ms),
        (setup(), Some("diligent"), T0)
    );
    let listed = store.drills().await.expect("drills");
    assert_eq!(listed.len(), 1);
    assert_eq!((listed[0].n_events, listed[0].scenario_text.as_str()), (3, ""), "listings leave texts out");
    // The trait reaches the same data.
    assert_eq!(DrillStore::events(&store, &id).await.expect("events").len(), 3);
    store.close().await;
}

#[tokio::test]
async fn refused_appends_write_nothing_and_spoil_nothing() {
    // Goal: an append to an unknown drill, or with events that do not continue the log, is refused on
    // its own; the next good append still gets seq 1.
    let (_dir, _path, store) = temp_store().await;
    let id = store.create_drill(new_drill(T0)).await.expect("create");
    let writer = store.writer();
    let unknown = DrillId("nope".into());
    let e = writer.append(&unknown, timeout(T0), vec![], DrillState::Running).await.expect_err("unknown");
    assert!(matches!(e, StoreError::NotFound(ref d) if *d == unknown), "{e}");
    let e =
        writer.append(&id, timeout(T0), vec![note(2, "gap")], DrillState::Running).await.expect_err("gap");
    expect!["event #2 of drill `01m844dzg000` is out of sequence, expected #1"].assert_eq(&e.to_string());
    let seq =
        writer.append(&id, timeout(T0), vec![note(1, "ok")], DrillState::Running).await.expect("append");
    assert_eq!(seq, 1);
    assert!(matches!(store.inputs(&unknown).await, Err(StoreError::NotFound(_))));
    assert!(matches!(store.drill(&unknown).await, Err(StoreError::NotFound(_))));
    store.close().await;
}

#[tokio::test]
async fn enqueued_appends_keep_their_order_and_a_refused_one_spoils_nothing() {
    // Goal: a caller can queue several appends of one drill without waiting for each commit; they are
    // numbered in queue order, and a refused one in the same batch leaves the others durable.
    let (_dir, _path, store) = temp_store().await;
    let id = store.create_drill(new_drill(T0)).await.expect("create");
    let writer = store.writer();
    let mut receipts = Vec::new();
    for (n, events) in
        [vec![note(1, "a")], vec![note(3, "gap")], vec![note(2, "b")], vec![]].into_iter().enumerate()
    {
        receipts.push(
            writer.enqueue(&id, timeout(T0 + n as u64), events, DrillState::Running).await.expect("enqueue"),
        );
    }
    let mut answers = Vec::new();
    for receipt in receipts {
        answers.push(receipt.await.map_err(|e| e.to_string()));
    }
    expect![[
        r#"[Ok(1), Err("event #3 of drill `01m844dzg000` is out of sequence, expected #2"), Ok(2), Ok(3)]"#
    ]]
    .assert_eq(&format!("{answers:?}"));
    assert_eq!(store.inputs(&id).await.expect("inputs"), [timeout(T0), timeout(T0 + 2), timeout(T0 + 3)]);
    assert_eq!(store.events(&id).await.expect("events"), [note(1, "a"), note(2, "b")]);
    store.close().await;
}

#[tokio::test]
async fn drills_created_in_one_millisecond_get_distinct_ordered_ids() {
    // Goal: ids are unique without randomness and listings are newest first.
    let (_dir, _path, store) = temp_store().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(store.create_drill(new_drill(T0)).await.expect("create"));
    }
    ids.push(store.create_drill(new_drill(T0 + 1)).await.expect("create"));
    let shown: Vec<String> = ids.iter().map(ToString::to_string).collect();
    expect![[r#"["01m844dzg000", "01m844dzg001", "01m844dzg002", "01m844dzg100"]"#]]
        .assert_eq(&format!("{shown:?}"));
    let listed: Vec<DrillId> = store.drills().await.expect("drills").into_iter().map(|r| r.id).collect();
    ids.reverse();
    assert_eq!(listed, ids);
    store.close().await;
}

#[tokio::test]
async fn appends_from_200_concurrent_tasks_are_all_acknowledged_present_and_dense() {
    // Goal: under concurrency every acknowledged append is logged once, with per-drill seqs 1..=N and in
    // each task's order. Method: 200 tasks share 5 drills, 10 appends each; every input carries a
    // unique wall time that says which task and append it was.
    let (_dir, _path, store) = temp_store().await;
    let mut drills = Vec::new();
    for _ in 0..5 {
        drills.push(store.create_drill(new_drill(T0)).await.expect("create"));
    }
    let mut tasks = tokio::task::JoinSet::new();
    for task in 0..200u64 {
        let (writer, drill) = (store.writer(), drills[(task % 5) as usize].clone());
        tasks.spawn(async move {
            let mut acked = Vec::new();
            for n in 0..10 {
                let wall = T0 + task * 100 + n;
                let seq =
                    writer.append(&drill, timeout(wall), vec![], DrillState::Running).await.expect("append");
                acked.push((drill.clone(), seq, wall));
            }
            acked
        });
    }
    let mut acked = Vec::new();
    while let Some(done) = tasks.join_next().await {
        let mine = done.expect("task");
        assert!(mine.windows(2).all(|w| w[0].1 < w[1].1), "a task's appends keep its order");
        acked.extend(mine);
    }
    assert_eq!(acked.len(), 2000);
    for drill in &drills {
        let logged = store.inputs(drill).await.expect("inputs");
        assert_eq!(logged.len(), 400);
        let mut mine: Vec<(u64, u64)> =
            acked.iter().filter(|(d, ..)| d == drill).map(|&(_, seq, wall)| (seq, wall)).collect();
        mine.sort_unstable();
        let seqs: Vec<u64> = mine.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, (1..=400).collect::<Vec<_>>(), "dense and distinct");
        for ((_, wall), input) in mine.iter().zip(&logged) {
            assert_eq!(*input, timeout(*wall), "the acknowledged seq holds that input");
        }
        assert_eq!(store.drill(drill).await.expect("drill").state, DrillState::Running);
    }
    store.close().await;
}

#[tokio::test]
async fn concurrent_producers_each_on_its_own_drill_log_their_events() {
    // Goal: 200 producers, each driving one drill (the benchmark's shape), keep each drill's events
    // dense. Method: every producer creates a drill in the same millisecond and appends 5 inputs with
    // one event each.
    let (_dir, _path, store) = temp_store().await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..200 {
        let store = store.clone();
        tasks.spawn(async move {
            let id = store.create_drill(new_drill(T0)).await.expect("create");
            let writer = store.writer();
            for seq in 1..=5 {
                let text = format!("{id} {seq}");
                writer
                    .append(&id, timeout(T0 + seq), vec![note(seq, &text)], DrillState::Running)
                    .await
                    .expect("append");
            }
            id
        });
    }
    let mut ids = Vec::new();
    while let Some(id) = tasks.join_next().await {
        ids.push(id.expect("task"));
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200, "distinct ids");
    for id in &ids {
        let events = store.events(id).await.expect("events");
        let expected: Vec<Event> = (1..=5).map(|seq| note(seq, &format!("{id} {seq}"))).collect();
        assert_eq!(events, expected);
    }
    store.close().await;
}

#[tokio::test]
async fn a_drill_run_through_the_engine_replays_and_tampering_is_caught() {
    // Goal: the replay contract holds through the store, and a changed event is named by its seq.
    // Method: run the minimal drill with the engine, logging as the runtime does; replay; then rewrite
    // one event's JSON behind the store's back (dropping the append-only trigger first) and replay again.
    let (_dir, path, store) = temp_store().await;
    let (id, live) = run_drill(&store, true).await;
    let replayed = replay(&store, &id).await.expect("replay");
    assert_eq!(replayed.state(), DrillState::Ended);
    assert_eq!(replayed.next_seq(), live.next_seq());
    assert_eq!(replayed.actions(), live.actions());
    let record = store.drill(&id).await.expect("drill");
    assert_eq!((record.n_events, record.state), (live.next_seq() - 1, DrillState::Ended));

    let mut raw = raw_connection(&path).await;
    let refused = sqlx::query("UPDATE events SET kind = 'x' WHERE drill_id = ?1 AND seq = 3")
        .bind(&id.0)
        .execute(&mut raw)
        .await;
    assert!(refused.is_err(), "the log is append-only");
    sqlx::query("DROP TRIGGER events_append_only_update").execute(&mut raw).await.expect("drop trigger");
    sqlx::query("UPDATE events SET event_json = replace(event_json, 'platform', 'security') WHERE drill_id = ?1 AND seq = 3")
        .bind(&id.0)
        .execute(&mut raw)
        .await
        .expect("tamper");
    raw.close().await.expect("close raw");
    let e = replay(&store, &id).await.expect_err("tampered");
    assert!(matches!(e, StoreError::ReplayMismatch { seq: 3, .. }), "{e}");
    expect![[r#"replay differs from the log at event #3: expected `T+00:00:00 #3 [all] Assigned { participant: ParticipantId("ana"), role: RoleId("security") }`, got `T+00:00:00 #3 [all] Assigned { participant: ParticipantId("ana"), role: RoleId("platform") }`"#]]
        .assert_eq(&e.to_string());
    store.close().await;
}

#[tokio::test]
async fn an_event_the_engine_did_not_produce_is_a_difference() {
    // Goal: an extra logged event fails the replay. Method: after a clean run, log a timer input with a
    // fabricated note the engine would not produce.
    let (_dir, _path, store) = temp_store().await;
    let (id, live) = run_drill(&store, false).await;
    let extra = note(live.next_seq(), "made up");
    store
        .writer()
        .append(&id, timeout(T0 + 400_000), vec![extra], DrillState::Running)
        .await
        .expect("append");
    let e = replay(&store, &id).await.expect_err("extra event");
    expect![[r#"replay differs from the log at event #13: expected `T+00:00:00 #13 [facilitator] Noted { kind: Note, text: "made up" }`, got `<no event>`"#]]
        .assert_eq(&e.to_string());
    store.close().await;
}

#[tokio::test]
async fn reopening_after_close_keeps_everything_and_the_file_is_sound() {
    // Goal: close flushes, reopen sees the same log, appends continue the seqs, integrity_check is ok.
    let (_dir, path, store) = temp_store().await;
    let (id, live) = run_drill(&store, false).await;
    let before = (store.drill(&id).await.expect("drill"), store.inputs(&id).await.expect("inputs"));
    let events = store.events(&id).await.expect("events");
    let writer = store.writer();
    store.close().await;
    let e = writer.append(&id, timeout(T0 + 999_000), vec![], DrillState::Running).await.expect_err("closed");
    assert!(matches!(e, StoreError::WriterClosed), "{e}");

    let store = Store::open(&path).await.expect("reopen");
    assert_eq!((store.drill(&id).await.expect("drill"), store.inputs(&id).await.expect("inputs")), before);
    assert_eq!(store.events(&id).await.expect("events"), events);
    store.integrity_check().await.expect("integrity ok");
    let seq = store
        .writer()
        .append(&id, timeout(T0 + 999_000), vec![note(live.next_seq(), "after reopen")], DrillState::Running)
        .await
        .expect("append after reopen");
    assert_eq!(seq, before.1.len() as u64 + 1);
    let mut raw = raw_connection(&path).await;
    let check: String =
        sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut raw).await.expect("pragma");
    assert_eq!(check, "ok");
    raw.close().await.expect("close raw");
    store.close().await;
}

#[tokio::test]
async fn close_commits_what_is_queued() {
    // Goal: shutting down drains the queue. Method: queue 500 appends without awaiting them, close, and
    // check every receipt says committed and every input is there after reopening.
    let (_dir, path, store) = temp_store().await;
    let id = store.create_drill(new_drill(T0)).await.expect("create");
    let writer = store.writer();
    let mut receipts = Vec::new();
    for n in 0..500 {
        receipts
            .push(writer.enqueue(&id, timeout(T0 + n), vec![], DrillState::Running).await.expect("enqueue"));
    }
    store.close().await;
    for (n, receipt) in (1..).zip(receipts) {
        assert_eq!(receipt.await.expect("committed"), n);
    }
    let store = Store::open(&path).await.expect("reopen");
    assert_eq!(store.drill(&id).await.expect("drill").n_inputs, 500);
    store.close().await;
}

#[tokio::test]
async fn unfinished_lists_a_running_drill_and_not_an_ended_one() {
    let (_dir, _path, store) = temp_store().await;
    let (running, _) = run_drill(&store, false).await;
    let (ended, _) = run_drill(&store, true).await;
    let fresh = store.create_drill(new_drill(T0 + 5)).await.expect("create");
    let unfinished: Vec<(DrillId, DrillState)> =
        store.unfinished().await.expect("unfinished").into_iter().map(|r| (r.id, r.state)).collect();
    assert_eq!(unfinished, [(fresh, DrillState::NotStarted), (running, DrillState::Running)]);
    assert_eq!(store.drill(&ended).await.expect("drill").state, DrillState::Ended);
    store.close().await;
}

#[tokio::test]
async fn an_in_memory_store_works_like_a_file() {
    let store = Store::open_in_memory().await.expect("open");
    let (id, _) = run_drill(&store, true).await;
    assert_eq!(replay(&store, &id).await.expect("replay").state(), DrillState::Ended);
    store.close().await;
}

#[test]
fn the_default_path_is_a_database_file() {
    let path = Store::default_path().expect("a data folder or MUSTER_DB");
    assert!(path.ends_with("muster.db") || std::env::var_os("MUSTER_DB").is_some(), "{}", path.display());
}

#[tokio::test]
async fn the_improvement_plan_is_saved_replaced_and_carried_over_from_the_previous_drill() {
    use muster_core::score::{PlanItem, PlanStatus};
    let (_dir, path, store) = temp_store().await;
    let first = store.create_drill(new_drill(T0)).await.expect("create");
    let second = store.create_drill(new_drill(T0 + 86_400_000)).await.expect("create");
    let mut other_team = new_drill(T0 + 1000);
    other_team.team = Some("blue".into());
    let other = store.create_drill(other_team).await.expect("create");
    assert_eq!(store.plan(&first).await.expect("plan"), None, "never edited: no plan");
    let item = |issue: &str, status| PlanItem {
        issue: issue.into(),
        corrective_action: "Rehearse it <b>with</b> the owner".into(),
        capability: "secrets_management".into(),
        owner: "security".into(),
        due: "2026-12-23".into(),
        status,
        carried_from: None,
    };
    let plan = vec![item("Late revoke", PlanStatus::Open), item("Nobody told IC", PlanStatus::Done)];
    store.save_plan(&first, &plan, T0 + 5000).await.expect("save");
    assert_eq!(store.plan(&first).await.expect("plan").as_deref(), Some(plan.as_slice()));
    // A save replaces the whole plan.
    store.save_plan(&first, &plan[..1], T0 + 6000).await.expect("save again");
    assert_eq!(store.plan(&first).await.expect("plan").as_deref(), Some(&plan[..1]));
    let missing = DrillId("0000000000ZZ".into());
    assert!(matches!(store.save_plan(&missing, &plan, T0).await, Err(StoreError::NotFound(_))));
    // The previous drill is the same scenario and team, created before; the other team's is not.
    let record = store.drill(&second).await.expect("drill");
    assert_eq!(record.facilitator.as_deref(), Some("Fran"));
    let previous = store.previous(&record).await.expect("previous").expect("one");
    assert_eq!(previous.id, first);
    let record = store.drill(&first).await.expect("drill");
    assert_eq!(store.previous(&record).await.expect("previous"), None);
    let record = store.drill(&other).await.expect("drill");
    assert_eq!(store.previous(&record).await.expect("previous"), None);
    assert_eq!(store.wall_span(&first).await.expect("span"), None);
    store.close().await;
    // Durable across reopening.
    let store = Store::open(&path).await.expect("reopen");
    assert_eq!(store.plan(&first).await.expect("plan").as_deref(), Some(&plan[..1]));
    store.close().await;
}

#[test]
fn concurrent_first_opens_of_a_new_database_all_succeed() {
    // Hardening issue, item 4: the app and a terminal command opening a brand-new database at once
    // failed with "table drills already exists", "duplicate column name" or "database is locked".
    // Method: eight threads, each with its own runtime and pools (as separate processes would have),
    // open the same fresh file at the same moment; each then creates a drill.
    for round in 0..3 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(format!("fresh-{round}.db"));
        let start = std::sync::Arc::new(std::sync::Barrier::new(8));
        let threads: Vec<_> = (0..8u64)
            .map(|k| {
                let (path, start) = (path.clone(), start.clone());
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
                    rt.block_on(async move {
                        start.wait();
                        let store = Store::open(&path).await.map_err(|e| format!("open {k}: {e:#}"))?;
                        store
                            .create_drill(new_drill(T0 + k))
                            .await
                            .map_err(|e| format!("create {k}: {e}"))?;
                        store.close().await;
                        Ok::<(), String>(())
                    })
                })
            })
            .collect();
        let results: Vec<Result<(), String>> =
            threads.into_iter().map(|t| t.join().expect("thread")).collect();
        assert!(results.iter().all(Result::is_ok), "round {round}: {results:?}");
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
        let n = rt.block_on(async {
            let store = Store::open_read_only(&path).await.expect("reopen");
            let n = store.drills().await.expect("drills").len();
            store.close().await;
            n
        });
        assert_eq!(n, 8);
    }
}

#[tokio::test]
async fn a_read_only_open_leaves_a_foreign_database_untouched() {
    // Hardening issue, item 4: `muster drills` on a database that is not Muster's created tables in it
    // and switched its journal to WAL. Method: a foreign SQLite file in rollback mode, and a text file;
    // each is refused with a clear error and is byte for byte what it was, with no WAL beside it.
    let dir = tempfile::tempdir().expect("tempdir");
    let foreign = dir.path().join("notes.db");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&foreign)
        .create_if_missing(true)
        .connect()
        .await
        .expect("foreign db");
    sqlx::query("CREATE TABLE notes (body TEXT)").execute(&mut conn).await.expect("create");
    sqlx::query("INSERT INTO notes VALUES ('keep me')").execute(&mut conn).await.expect("insert");
    conn.close().await.expect("close");
    let text = dir.path().join("readme.db");
    std::fs::write(&text, "not a database at all\n").expect("write");
    for path in [&foreign, &text] {
        let before = std::fs::read(path).expect("read");
        let e = Store::open_read_only(path).await.expect_err("refused");
        assert!(matches!(e, StoreError::NotMuster(_)), "{e}");
        assert!(e.to_string().contains("is not a Muster drill database"), "{e}");
        assert_eq!(std::fs::read(path).expect("read"), before, "{} changed", path.display());
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        assert!(!Path::new(&wal).exists());
    }
    let missing = dir.path().join("missing.db");
    assert!(matches!(Store::open_read_only(&missing).await, Err(StoreError::NoDatabase(_))));
    assert!(!missing.exists(), "a read-only open creates nothing");
    // A Muster database opens read-only, and refuses writes.
    let ours = dir.path().join("muster.db");
    let store = Store::open(&ours).await.expect("open");
    store.create_drill(new_drill(T0)).await.expect("create");
    store.close().await;
    let store = Store::open_read_only(&ours).await.expect("read-only");
    assert_eq!(store.drills().await.expect("drills").len(), 1);
    assert!(store.create_drill(new_drill(T0 + 1)).await.is_err());
    store.close().await;
}

#[tokio::test]
async fn a_drill_stored_before_the_hygiene_checks_still_replays() {
    // The stored log is an API boundary: a scenario stored with a drill by an older Muster, with a tab in
    // a label and 101 options in a variable (both refused on input now), still loads and replays.
    let (_dir, _path, store) = temp_store().await;
    let options: Vec<String> = (0..101).map(|k| format!("\"repo{k}\"")).collect();
    let old_text = MINIMAL.replacen("Revoke the leaked token", "Revoke\tthe leaked token", 1).replacen(
        "OneOf([\"payments-api\", \"billing-web\"])",
        &format!("OneOf([{}])", options.join(",")),
        1,
    );
    let model = load_model(MODEL).value.expect("model");
    assert!(load_scenario(&old_text, &model).scenario.is_none(), "refused as a new file");
    assert!(muster_core::load_stored_scenario(&old_text, &model).scenario.is_some());
    let id = store.create_drill(NewDrill { scenario_text: old_text, ..new_drill(T0) }).await.expect("create");
    let drill = replay(&store, &id).await.expect("replays");
    assert_eq!(drill.state(), DrillState::NotStarted);
    store.close().await;
}
