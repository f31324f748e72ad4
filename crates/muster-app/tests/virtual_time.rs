//! The live runtime on virtual time (tokio's paused clock) with a bot team as clients.
//!
//! A facilitator and one bot per role play the leaked-secret drill through `Live::connect` — the same
//! entry the WebSocket handler uses — at 100×. After every message a bot receives it checks that the
//! event's audience admits its roles; after every acknowledgement that the acknowledged event is in the
//! store; and every few acknowledgements, and at the end, that replaying the log reproduces the events
//! the facilitator saw live.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::Duration;

use muster_app::live::{CreateSpec, Kick, Live, LiveConfig};
use muster_core::engine::{ActionRef, Builtin, Command, Event, EventKind, Speed};
use muster_core::{load_model, load_scenario};
use muster_protocol::live::{
    ClientMessage, CreateLive, Credential, Hello, LIVE_PROTOCOL_VERSION, ServerMessage, You,
};
use muster_store::{DrillId, Store};
use tokio::sync::{mpsc, oneshot};

const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");
const MODEL: &str = include_str!("../../../scenarios/model.ron");

struct Player {
    conn: muster_app::live::Connection,
    rx: mpsc::Receiver<Arc<str>>,
    _kick: oneshot::Receiver<Kick>,
    pending: std::collections::VecDeque<ServerMessage>,
}

impl Player {
    async fn join(live: &Live, credential: Credential) -> Player {
        let (tx, rx) = mpsc::channel(4096);
        let (kick, kicked) = oneshot::channel();
        let hello = Hello { protocol: LIVE_PROTOCOL_VERSION, credential, since: 0 };
        let conn = live.connect(hello, IpAddr::V4(Ipv4Addr::LOCALHOST), tx, kick).await.expect("connect");
        let pending = conn.initial.iter().map(|t| serde_json::from_str(t).expect("message")).collect();
        Player { conn, rx, _kick: kicked, pending }
    }

    async fn next(&mut self) -> Option<ServerMessage> {
        if let Some(m) = self.pending.pop_front() {
            return Some(m);
        }
        let text = tokio::time::timeout(Duration::from_secs(3600), self.rx.recv()).await.ok()??;
        Some(serde_json::from_str(&text).expect("message"))
    }
}

/// Reads the store with the clock running: sqlx's pool has timeouts of its own, which a paused clock
/// would fire while a query waits on its worker thread.
async fn logged(store: &Store, id: &DrillId) -> Vec<Event> {
    tokio::time::resume();
    let events = store.events(id).await.expect("events");
    tokio::time::pause();
    events
}

async fn replays(store: &Store, id: &DrillId) {
    tokio::time::resume();
    muster_store::replay(store, id).await.expect("the log replays");
    tokio::time::pause();
}

#[tokio::test]
async fn bots_play_on_virtual_time_and_the_log_replays_what_they_saw() {
    let dir = tempfile::tempdir().expect("tempdir");
    let library = dir.path().join("scenarios");
    std::fs::create_dir_all(&library).expect("library");
    std::fs::write(library.join("model.ron"), MODEL).expect("model");
    std::fs::write(library.join("leaked-secret.ron"), LEAKED).expect("scenario");
    let store = Store::open(&dir.path().join("muster.db")).await.expect("store");
    let live = Live::new(store.clone(), LiveConfig::new(library));
    let request = CreateLive {
        scenario: "leaked-secret".into(),
        team: Some("bots".into()),
        facilitator: None,
        seed: Some("11".into()),
        // 100×: the store checks below run with the clock resumed (sqlx has timeouts of its own), and the
        // real milliseconds they take must stay short in scenario time.
        speed: Some(Speed(100_000)),
        seats: None,
    };
    let created = live
        .create(CreateSpec { request, base_url: "http://127.0.0.1:1".into(), fingerprint: None })
        .await
        .expect("create");
    let id = DrillId(created.drill.clone());
    let model = load_model(MODEL).value.expect("model");
    let scenario = load_scenario(LEAKED, &model).scenario.expect("scenario");

    let mut fac =
        Player::join(&live, Credential::Token { token: created.facilitator_token.clone(), name: None }).await;
    let mut bots = Vec::new();
    for (i, seat) in created.seats.iter().enumerate() {
        let credential = Credential::Token { token: seat.token.clone(), name: Some(format!("Bot {i}")) };
        let mut bot = Player::join(&live, credential).await;
        let Some(ServerMessage::Welcome(w)) = bot.next().await else { panic!("welcome") };
        let You::Participant { roles, .. } = w.you else { panic!("participant") };
        assert_eq!(roles, vec![seat.role.clone()]);
        bots.push((bot, roles, 0u32));
    }
    // From here on, time is virtual: it jumps to the runner's next deadline whenever everyone waits.
    tokio::time::pause();
    fac.conn
        .send(ClientMessage::Command { id: "start".into(), command: Command::Start })
        .await
        .expect("start");

    // Each bot answers what reaches it: acknowledges its injects, does the actions its role owns.
    let mut acks = 0u32;
    let mut ended = false;
    let mut live_events: Vec<Event> = Vec::new();
    for _step in 0..1_000_000 {
        // The facilitator: collect; end once the nominal duration is reached.
        while let Ok(text) = fac.rx.try_recv() {
            match serde_json::from_str::<ServerMessage>(&text).expect("message") {
                ServerMessage::Event { event, .. } => {
                    if event.kind == EventKind::DurationReached {
                        fac.conn
                            .send(ClientMessage::Command { id: "end".into(), command: Command::End })
                            .await
                            .expect("end");
                    }
                    ended |= matches!(event.kind, EventKind::Ended { .. });
                    live_events.push(event);
                }
                ServerMessage::Rejected { why, .. } => panic!("facilitator refused: {why:?}"),
                _ => {}
            }
        }
        if ended {
            break;
        }
        let mut any = false;
        for (bot, roles, n) in &mut bots {
            let Ok(text) = bot.rx.try_recv() else { continue };
            any = true;
            match serde_json::from_str::<ServerMessage>(&text).expect("message") {
                ServerMessage::Event { event, .. } => {
                    assert!(event.audience.admits(roles), "{roles:?} received {event}");
                    let role = roles[0].clone();
                    let reply = match &event.kind {
                        EventKind::InjectFired { inject, to, .. } if to.contains(&role) => {
                            Some(ActionRef::Builtin(Builtin::Acknowledge { inject: inject.clone() }))
                        }
                        EventKind::ActionOpened { action, .. }
                            if scenario.action(action.as_str()).is_some_and(|a| a.owners.contains(&role)) =>
                        {
                            Some(ActionRef::Scenario(action.clone()))
                        }
                        _ => None,
                    };
                    if let Some(action) = reply {
                        *n += 1;
                        let msg = ClientMessage::Act { id: format!("{role}-{n}"), role, action };
                        bot.conn.send(msg).await.expect("act");
                    }
                }
                ServerMessage::Ack { seq: Some(seq), .. } => {
                    acks += 1;
                    let log = logged(&store, &id).await;
                    assert!(log.iter().any(|e| e.seq == seq), "acknowledged #{seq} is in the store");
                    if acks.is_multiple_of(10) {
                        replays(&store, &id).await;
                    }
                }
                _ => {}
            }
        }
        if !any {
            // Nothing to read: let virtual time move on by a millisecond (a tenth of a second of scenario
            // time at 100×). The runtime jumps the paused clock to the earliest timer whenever it idles — also while
            // a commit is on SQLite's thread — so this short timer paces the jumps and the bots keep up.
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    assert!(ended, "the drill ended at its nominal duration");
    assert!(acks > 20, "the bots acted: {acks} acknowledgements");
    // What the facilitator saw live is the log, and the log replays.
    tokio::time::sleep(Duration::from_millis(100)).await;
    while let Ok(text) = fac.rx.try_recv() {
        if let ServerMessage::Event { event, .. } =
            serde_json::from_str::<ServerMessage>(&text).expect("message")
        {
            live_events.push(event);
        }
    }
    let log = logged(&store, &id).await;
    let fac_seen: Vec<Event> = fac
        .pending
        .drain(..)
        .filter_map(|m| match m {
            ServerMessage::Event { event, .. } => Some(event),
            _ => None,
        })
        .chain(live_events)
        .collect();
    assert_eq!(fac_seen, log, "the facilitator saw every logged event once, in order");
    replays(&store, &id).await;
}
