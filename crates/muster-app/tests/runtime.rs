//! The live runtime's failure paths, through `Live::connect` (what the WebSocket handler calls): a slow
//! consumer is closed and catches up on reconnect; a log that cannot be written stops the drill, tells
//! everyone, acknowledges nothing, and the drill resumes from the log; the facilitator's token opens a few
//! sockets, not more; one runner per drill.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use muster_app::live::{Connection, CreateSpec, Kick, Live, LiveConfig, MAX_FACILITATOR_SOCKETS, Refusal};
use muster_core::RoleId;
use muster_core::engine::{AdHocInject, Command, DrillState, EventKind, Speed};
use muster_core::scenario::Channel;
use muster_protocol::live::{
    ClientMessage, CreateLive, Credential, Hello, LIVE_PROTOCOL_VERSION, LiveCreated, ServerMessage,
};
use muster_store::{DrillId, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");
const MODEL: &str = include_str!("../../../scenarios/model.ron");
const WAIT: Duration = Duration::from_secs(10);

struct Seat {
    conn: Connection,
    rx: mpsc::Receiver<Arc<str>>,
    kicked: oneshot::Receiver<Kick>,
}

async fn join(live: &Live, credential: Credential, since: u64, queue: usize) -> Result<Seat, Refusal> {
    join_from(live, credential, since, queue, IpAddr::V4(Ipv4Addr::LOCALHOST)).await
}

/// `peer` is only the address the runtime is told the connection came from: nothing is sent anywhere.
async fn join_from(
    live: &Live,
    credential: Credential,
    since: u64,
    queue: usize,
    peer: IpAddr,
) -> Result<Seat, Refusal> {
    let (tx, rx) = mpsc::channel(queue);
    let (kick, kicked) = oneshot::channel();
    let hello = Hello { protocol: LIVE_PROTOCOL_VERSION, credential, since };
    let conn = live.connect(hello, peer, tx, kick).await?;
    Ok(Seat { conn, rx, kicked })
}

fn parse(text: &str) -> ServerMessage {
    serde_json::from_str(text).expect("a server message")
}

async fn next(seat: &mut Seat) -> ServerMessage {
    let text = tokio::time::timeout(WAIT, seat.rx.recv()).await.expect("in time").expect("open");
    parse(&text)
}

async fn until(seat: &mut Seat, pred: impl Fn(&ServerMessage) -> bool) -> Vec<ServerMessage> {
    let mut seen = Vec::new();
    loop {
        let msg = next(seat).await;
        let done = pred(&msg);
        seen.push(msg);
        if done {
            return seen;
        }
    }
}

async fn setup(
    dir: &std::path::Path,
    config: impl FnOnce(LiveConfig) -> LiveConfig,
) -> (Store, Live, LiveCreated) {
    let library = dir.join("scenarios");
    std::fs::create_dir_all(&library).expect("library");
    std::fs::write(library.join("model.ron"), MODEL).expect("model");
    std::fs::write(library.join("minimal.ron"), MINIMAL).expect("scenario");
    let store = Store::open(&dir.join("muster.db")).await.expect("store");
    let live = Live::new(store.clone(), config(LiveConfig::new(library)));
    let request = CreateLive {
        scenario: "minimal".into(),
        team: None,
        facilitator: None,
        seed: Some("5".into()),
        speed: Some(Speed::REAL_TIME),
        seats: None,
    };
    let created = live
        .create(CreateSpec { request, base_url: "http://127.0.0.1:1".into(), fingerprint: None })
        .await
        .expect("create");
    (store, live, created)
}

fn fac(created: &LiveCreated) -> Credential {
    Credential::Token { token: created.facilitator_token.clone(), name: None }
}

fn seat(created: &LiveCreated, n: usize, name: &str) -> Credential {
    Credential::Token { token: created.seats[n].token.clone(), name: Some(name.into()) }
}

fn adhoc(n: u32) -> ClientMessage {
    ClientMessage::Command {
        id: format!("i{n}"),
        command: Command::AddInject(AdHocInject {
            title: format!("Update {n}"),
            channel: Channel::Chat,
            to: vec![RoleId("security".into())],
            body: "More news.".into(),
        }),
    }
}

#[tokio::test]
async fn a_slow_consumer_is_closed_and_catches_up_on_reconnect() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, live, created) = setup(dir.path(), |c| c).await;
    let mut f = join(&live, fac(&created), 0, 4096).await.expect("facilitator");
    // Security reads nothing, through a queue of 8.
    let mut slow = join(&live, seat(&created, 1, "Sam"), 0, 8).await.expect("security");
    f.conn.send(ClientMessage::Command { id: "s".into(), command: Command::Start }).await.expect("start");
    until(&mut f, |m| matches!(m, ServerMessage::Ack { id, .. } if id == "s")).await;
    for n in 0..15 {
        f.conn.send(adhoc(n)).await.expect("inject");
        until(&mut f, |m| matches!(m, ServerMessage::Ack { id, .. } if *id == format!("i{n}"))).await;
    }
    let kick = tokio::time::timeout(WAIT, &mut slow.kicked).await.expect("in time").expect("kicked");
    assert_eq!(kick.code, "too-slow");
    // Drain what was queued before the kick, note the last seq, reconnect and get exactly the rest.
    let mut last = 0;
    while let Ok(text) = slow.rx.try_recv() {
        if let ServerMessage::Event { event, .. } = parse(&text) {
            last = event.seq;
        }
    }
    assert!(last > 0);
    let mut back = join(&live, seat(&created, 1, "Sam"), last, 4096).await.expect("reconnect");
    let mut injects = Vec::new();
    for text in back.conn.initial.drain(..) {
        if let ServerMessage::Event { event, .. } = parse(&text) {
            assert!(event.seq > last, "nothing twice");
            if let EventKind::InjectFired { title, .. } = event.kind {
                injects.push(title);
            }
        }
    }
    assert!(injects.contains(&"Update 14".to_owned()), "caught up: {injects:?}");
    drop(back.rx.try_recv());
}

#[tokio::test]
async fn a_log_that_cannot_be_written_stops_the_drill_acknowledges_nothing_and_it_resumes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (store, live, created) = setup(dir.path(), |c| c).await;
    let id = DrillId(created.drill.clone());
    let mut f = join(&live, fac(&created), 0, 4096).await.expect("facilitator");
    let mut p = join(&live, seat(&created, 0, "Pia"), 0, 4096).await.expect("platform");
    f.conn.send(ClientMessage::Command { id: "s".into(), command: Command::Start }).await.expect("start");
    until(&mut f, |m| matches!(m, ServerMessage::Ack { id, .. } if id == "s")).await;
    let logged_before = store.events(&id).await.expect("events").len();
    // The log goes away under the running drill (as a disk or a database failure would).
    store.clone().close().await;
    let act = ClientMessage::Act {
        id: "c1".into(),
        role: RoleId("platform".into()),
        action: muster_core::engine::ActionRef::Scenario(muster_core::ActionId("revoke_token".into())),
    };
    p.conn.send(act).await.expect("act");
    let seen = until(&mut p, |m| matches!(m, ServerMessage::Stopped { .. })).await;
    assert!(!seen.iter().any(|m| matches!(m, ServerMessage::Ack { .. })), "nothing acknowledged: {seen:?}");
    let kick = tokio::time::timeout(WAIT, &mut p.kicked).await.expect("in time").expect("closed");
    assert_eq!(kick.code, "stopped");
    let kick = tokio::time::timeout(WAIT, &mut f.kicked).await.expect("in time").expect("closed");
    assert_eq!(kick.code, "stopped", "the facilitator is told too");
    drop((f, p));
    // A new process (here: a new store and runtime) resumes it from the log, paused, without the action.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let store = Store::open(&dir.path().join("muster.db")).await.expect("reopen");
    assert_eq!(
        store.events(&id).await.expect("events").len(),
        logged_before,
        "the refused action left nothing"
    );
    let live = Live::new(store.clone(), LiveConfig::new(dir.path().join("scenarios")));
    let resumed = live.resume_all().await;
    assert!(resumed.iter().all(|(_, r)| r.is_ok()), "{resumed:?}");
    let mut f = join(&live, fac(&created), 0, 4096).await.expect("facilitator again");
    let ServerMessage::Welcome(w) = parse(&f.conn.initial.remove(0)) else { panic!("welcome") };
    assert_eq!(w.clock.state, DrillState::Paused);
    // One runner per drill: a second runtime on the same database cannot take it.
    let other = Live::new(store.clone(), LiveConfig::new(dir.path().join("scenarios")));
    assert!(matches!(other.resume(&id).await, Err(muster_app::live::LiveError::Store(StoreError::Busy(_)))));
    drop(f.rx.try_recv());
}

#[tokio::test]
async fn the_facilitator_token_opens_a_few_sockets_not_more() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, live, created) = setup(dir.path(), |c| c).await;
    let mut open = Vec::new();
    for _ in 0..MAX_FACILITATOR_SOCKETS {
        open.push(join(&live, fac(&created), 0, 64).await.expect("within the cap"));
    }
    let refused = join(&live, fac(&created), 0, 64).await.err().expect("refused");
    assert_eq!(refused.code, "too-many-sockets");
    drop(open.pop());
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(join(&live, fac(&created), 0, 64).await.is_ok(), "a closed one frees its place");
}

#[tokio::test]
async fn join_attempts_from_the_network_are_rate_limited_per_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, live, _created) = setup(dir.path(), |c| c).await;
    // A documentation address (RFC 5737) as the peer's label: the runtime only counts it.
    let stranger = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
    let mut refusals = Vec::new();
    for n in 0..15 {
        let guess = Credential::Code { code: format!("AAA-{n:03}"), name: "Mallory".into() };
        if let Err(r) = join_from(&live, guess, 0, 8, stranger).await {
            refusals.push(r.code);
        }
    }
    assert_eq!(refusals.len(), 15);
    assert!(refusals.iter().take(10).all(|c| c == "bad-code"), "{refusals:?}");
    assert!(refusals.iter().skip(10).all(|c| c == "rate-limited"), "past the burst: {refusals:?}");
    // The facilitator's own machine is not limited (bots, dry runs, a second window).
    for n in 0..15 {
        let guess = Credential::Code { code: format!("BBB-{n:03}"), name: "Fran".into() };
        assert_eq!(join(&live, guess, 0, 8).await.err().map(|r| r.code).as_deref(), Some("bad-code"));
    }
}

#[tokio::test]
async fn names_lobbies_seats_and_client_ids_are_bounded() {
    use muster_app::live::{LiveError, MAX_LOBBY, MAX_NAME_CHARS, MAX_SEATS};
    let dir = tempfile::tempdir().expect("tempdir");
    let (_store, live, created) = setup(dir.path(), |c| c).await;
    // A display name one past the limit.
    let long = "n".repeat(MAX_NAME_CHARS + 1);
    let refused = join(&live, seat(&created, 0, &long), 0, 8).await.err().expect("refused");
    assert_eq!(refused.code, "bad-name");
    let mut pia =
        join(&live, seat(&created, 0, &"n".repeat(MAX_NAME_CHARS)), 0, 64).await.expect("at the limit");
    // The lobby: full at MAX_LOBBY.
    let code = created.code.clone();
    let mut waiting = Vec::new();
    for n in 0..MAX_LOBBY {
        let credential = Credential::Code { code: code.clone(), name: format!("guest {n}") };
        waiting.push(join(&live, credential, 0, 64).await.expect("room in the lobby"));
    }
    let full =
        join(&live, Credential::Code { code, name: "one more".into() }, 0, 8).await.err().expect("full");
    assert_eq!(full.code, "lobby-full");
    // A client id one past its limit is refused by the engine, and nothing is logged for it.
    let mut f = join(&live, fac(&created), 0, 4096).await.expect("facilitator");
    f.conn.send(ClientMessage::Command { id: "s".into(), command: Command::Start }).await.expect("start");
    until(&mut f, |m| matches!(m, ServerMessage::Ack { id, .. } if id == "s")).await;
    let act = |id: String| ClientMessage::Act {
        id,
        role: RoleId("platform".into()),
        action: muster_core::engine::ActionRef::Scenario(muster_core::ActionId("revoke_token".into())),
    };
    let long_id = "c".repeat(muster_core::engine::MAX_CLIENT_ID_BYTES + 1);
    pia.conn.send(act(long_id.clone())).await.expect("act");
    let seen =
        until(&mut pia, |m| matches!(m, ServerMessage::Rejected { .. } | ServerMessage::Ack { .. })).await;
    assert!(
        seen.iter().any(|m| matches!(m, ServerMessage::Rejected { why, .. } if why.code == "bad-text")),
        "{seen:?}"
    );
    // Seats: one past MAX_SEATS is refused before anything is created.
    let request = CreateLive {
        scenario: "minimal".into(),
        team: None,
        facilitator: None,
        seed: None,
        speed: None,
        seats: Some(vec![RoleId("platform".into()); MAX_SEATS + 1]),
    };
    let too_many =
        live.create(CreateSpec { request, base_url: "http://127.0.0.1:1".into(), fingerprint: None }).await;
    assert!(matches!(too_many, Err(LiveError::Invalid(ref m)) if m.contains("seats")), "{too_many:?}");
}
