//! Live drills end to end: a real server on loopback, real WebSocket clients, the real store.
//!
//! Joining by seat link and by code, role assignment, an inject reaching exactly the roles it is for,
//! acknowledgements only once the action is in the log, reconnect with the last sequence number, retries,
//! seat take-over; and hostile clients: forged and foreign tokens, acting as a role not held, steering as a
//! participant, oversize frames, floods, malformed JSON, a wrong protocol version, a foreign Origin, markup
//! in text. Each hostile case checks the answer and that the log did not change.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use muster_app::live::client::{Client, ClientError, create_on};
use muster_core::engine::{ActionRef, Audience, Builtin, Command, Event, EventKind, Speed};
use muster_core::{ActionId, InjectId, RoleId};
use muster_protocol::live::{ClientMessage, CreateLive, Credential, LiveCreated, ServerMessage, You};
use muster_server::{DirAssets, Server, ServerConfig};
use muster_store::{DrillId, Store};
use tokio::sync::oneshot;

const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");
/// How long a client waits for a message that should come.
const WAIT: Duration = Duration::from_secs(10);
/// How long a client listens to be sure nothing more comes.
const QUIET: Duration = Duration::from_millis(400);

struct TestServer {
    base: String,
    store: Store,
    _tmp: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestServer {
    async fn start() -> TestServer {
        let tmp = tempfile::tempdir().expect("tempdir");
        let library = tmp.path().join("scenarios");
        muster_library::builtin::seed(&library).expect("seed library");
        std::fs::write(library.join("minimal.ron"), MINIMAL).expect("minimal scenario");
        let store = Store::open(&tmp.path().join("muster.db")).await.expect("store");
        TestServer::on(tmp, library, store).await
    }

    async fn on(tmp: tempfile::TempDir, library: PathBuf, store: Store) -> TestServer {
        let config = ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            library_dir: library,
            assets: Arc::new(DirAssets(tmp.path().join("ui"))),
            store: Some(store.clone()),
            store_label: None,
            export_dir: None,
            live: None,
            max_connections_per_ip: 64,
            lan: None,
        };
        let server = Server::bind(config).await.expect("bind");
        let base = format!("http://{}", server.addr());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            server.run(async { drop(stopped.await) }).await.expect("serve");
        });
        TestServer { base, store, _tmp: tmp, stop: Some(stop), task: Some(task) }
    }

    async fn create(&self, scenario: &str, speed: u32) -> LiveCreated {
        let request = CreateLive {
            scenario: scenario.into(),
            team: Some("Blue".into()),
            facilitator: Some("Fran".into()),
            seed: Some("7".into()),
            speed: Some(Speed(speed)),
            seats: None,
        };
        create_on(&self.base, &request).await.expect("create")
    }

    async fn log(&self, drill: &str) -> (usize, Vec<Event>) {
        let id = DrillId(drill.into());
        let inputs = self.store.inputs(&id).await.expect("inputs").len();
        (inputs, self.store.events(&id).await.expect("events"))
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

fn token(t: &str) -> Credential {
    Credential::Token { token: t.into(), name: None }
}

fn seat(t: &str, name: &str) -> Credential {
    Credential::Token { token: t.into(), name: Some(name.into()) }
}

fn seat_of<'a>(created: &'a LiveCreated, role: &str) -> &'a str {
    &created.seats.iter().find(|s| s.role.0 == role).expect("seat").token
}

/// Everything that arrives until the line has been quiet for [`QUIET`].
async fn drain(client: &mut Client) -> Vec<ServerMessage> {
    let mut out = Vec::new();
    while let Ok(msg) = client.recv_within(QUIET).await {
        out.push(msg);
    }
    out
}

/// Reads until `pred` matches, returning everything read (the match last).
async fn until(client: &mut Client, pred: impl Fn(&ServerMessage) -> bool) -> Vec<ServerMessage> {
    let mut out = Vec::new();
    loop {
        let msg = client.recv_within(WAIT).await.expect("the awaited message");
        let done = pred(&msg);
        out.push(msg);
        if done {
            return out;
        }
    }
}

fn events(msgs: &[ServerMessage]) -> Vec<Event> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMessage::Event { event, .. } => Some(event.clone()),
            _ => None,
        })
        .collect()
}

fn injects(msgs: &[ServerMessage]) -> Vec<String> {
    events(msgs)
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::InjectFired { inject, .. } => Some(inject.0),
            _ => None,
        })
        .collect()
}

fn is_ack(id: &str) -> impl Fn(&ServerMessage) -> bool + '_ {
    move |m| matches!(m, ServerMessage::Ack { id: got, .. } | ServerMessage::Rejected { id: got, .. } if got == id)
}

fn command(id: &str, command: Command) -> ClientMessage {
    ClientMessage::Command { id: id.into(), command }
}

fn act(id: &str, role: &str, action: &str) -> ClientMessage {
    ClientMessage::Act {
        id: id.into(),
        role: RoleId(role.into()),
        action: ActionRef::Scenario(ActionId(action.into())),
    }
}

fn ack_seq(msgs: &[ServerMessage], id: &str) -> (Option<u64>, bool) {
    msgs.iter()
        .find_map(|m| match m {
            ServerMessage::Ack { id: got, seq, retry } if got == id => Some((*seq, *retry)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no ack for {id} in {msgs:?}"))
}

fn rejected(msgs: &[ServerMessage]) -> Vec<String> {
    msgs.iter()
        .filter_map(|m| match m {
            ServerMessage::Rejected { why, .. } => Some(why.code.clone()),
            _ => None,
        })
        .collect()
}

/// A drill of the minimal scenario (platform and security) at `speed`: the facilitator, a platform
/// and a security participant by seat link, and an observer admitted from the lobby with no role.
struct Table {
    created: LiveCreated,
    fac: Client,
    platform: Client,
    security: Client,
    observer: Client,
}

async fn table(server: &TestServer, speed: u32) -> Table {
    let created = server.create("minimal", speed).await;
    let (mut fac, welcome) =
        Client::connect(&server.base, token(&created.facilitator_token), 0).await.expect("fac");
    assert_eq!(welcome.you, You::Facilitator);
    assert_eq!(welcome.drill.drill, created.drill);
    let (platform, welcome) =
        Client::connect(&server.base, seat(seat_of(&created, "platform"), "Pia"), 0).await.expect("platform");
    match &welcome.you {
        You::Participant { name, roles, .. } => {
            assert_eq!(name, "Pia");
            assert_eq!(roles, &[RoleId("platform".into())], "a seat link admits straight into its role");
        }
        other => panic!("not a participant: {other:?}"),
    }
    let (security, _) =
        Client::connect(&server.base, seat(seat_of(&created, "security"), "Sam"), 0).await.expect("security");
    // Someone with the code waits in the lobby until the facilitator admits them.
    let code = created.code.to_lowercase();
    let (mut observer, welcome) =
        Client::connect(&server.base, Credential::Code { code, name: "Olu".into() }, 0).await.expect("code");
    let You::Lobby { lobby, .. } = welcome.you else { panic!("a code puts a person in the lobby") };
    let waiting =
        until(&mut fac, |m| matches!(m, ServerMessage::Lobby { waiting } if !waiting.is_empty())).await;
    assert!(waiting.iter().any(
        |m| matches!(m, ServerMessage::Lobby { waiting } if waiting.first().is_some_and(|w| w.name == "Olu"))
    ));
    fac.send(&ClientMessage::Admit { id: "a1".into(), lobby, roles: Vec::new() }).await.expect("admit");
    until(&mut fac, is_ack("a1")).await;
    let admitted = until(&mut observer, |m| matches!(m, ServerMessage::Admitted { .. })).await;
    let Some(ServerMessage::Admitted { token, .. }) = admitted.last() else { panic!("admitted") };
    assert_eq!(token.len(), 64, "a full-strength token for reconnecting");
    Table { created, fac, platform, security, observer }
}

#[tokio::test]
async fn an_inject_reaches_exactly_its_roles_and_an_ack_means_it_is_in_the_log() {
    let server = TestServer::start().await;
    let Table { created, mut fac, mut platform, mut security, mut observer } =
        table(&server, 1_000_000).await;
    drain(&mut fac).await;
    fac.send(&command("s1", Command::Start)).await.expect("start");
    until(&mut fac, is_ack("s1")).await;
    let p = drain(&mut platform).await;
    let s = drain(&mut security).await;
    let o = drain(&mut observer).await;
    assert_eq!(injects(&p), ["report"]);
    assert_eq!(injects(&s), ["report"]);
    // The inbox's words come with the inject: its sender, its attachments and the actions it offers.
    let detail = p
        .iter()
        .find_map(|m| match m {
            ServerMessage::Event { event, detail } if matches!(event.kind, EventKind::InjectFired { .. }) => {
                detail.clone()
            }
            _ => None,
        })
        .expect("an inject comes with its detail");
    assert_eq!(detail.from.as_deref(), Some("Secret scanner"));
    assert_eq!(detail.attachments.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), ["scan.log"]);
    assert_eq!(detail.actions.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(), ["revoke_token"]);
    // The control room sees each seat's latency: the server pings right after the welcome, and a client
    // that reads answers. Asked a few times, as the pongs come back in their own time.
    let mut latencies = Vec::new();
    for k in 0..20 {
        let id = format!("st{k}");
        fac.send(&ClientMessage::Status { id: id.clone() }).await.expect("status");
        drain(&mut platform).await;
        drain(&mut security).await;
        let msgs =
            until(&mut fac, |m| matches!(m, ServerMessage::Status { id: got, .. } if *got == id)).await;
        let Some(ServerMessage::Status { status, .. }) = msgs.last() else { panic!("a status") };
        latencies = status
            .seats
            .iter()
            .filter(|s| s.connections > 0 && !s.roles.is_empty())
            .map(|s| s.latency_ms)
            .collect();
        if latencies.len() == 2 && latencies.iter().all(Option::is_some) {
            break;
        }
    }
    assert_eq!(latencies.len(), 2, "platform and security are connected");
    assert!(latencies.iter().all(|l| l.is_some_and(|ms| ms < 10_000)), "{latencies:?}");
    assert_eq!(injects(&o), Vec::<String>::new(), "the observer holds no role the report is for");
    for msgs in [&p, &s, &o] {
        assert!(events(msgs).iter().any(|e| e.kind == EventKind::Began), "everyone learns the drill began");
        assert!(
            !events(msgs).iter().any(|e| matches!(e.kind, EventKind::Started { .. })),
            "the seed and secret values stay with the facilitator"
        );
    }
    // Platform revokes; the ack names the Acted event, which is in the store when the ack arrives.
    platform.send(&act("c1", "platform", "revoke_token")).await.expect("act");
    let msgs = until(&mut platform, is_ack("c1")).await;
    let (seq, retry) = ack_seq(&msgs, "c1");
    assert!(!retry);
    let (_, logged) = server.log(&created.drill).await;
    let acted = logged.iter().find(|e| Some(e.seq) == seq).expect("acknowledged means logged");
    assert!(matches!(&acted.kind, EventKind::Acted { client_id, .. } if client_id == "c1"));
    // A minute of scenario time later (60 ms at 1000×) `revoked` reaches security only.
    let s = until(&mut security, |m| !injects(std::slice::from_ref(m)).is_empty()).await;
    assert_eq!(injects(&s), ["revoked"]);
    tokio::time::sleep(QUIET).await;
    assert_eq!(injects(&drain(&mut platform).await), Vec::<String>::new());
    assert_eq!(injects(&drain(&mut observer).await), Vec::<String>::new());
    // No participant ever got an event its roles do not admit.
    let (_, logged) = server.log(&created.drill).await;
    for e in &logged {
        if let Audience::Roles(roles) = &e.audience {
            assert!(!roles.is_empty());
        }
    }
    server.stop().await;
}

#[tokio::test]
async fn a_reconnect_gets_exactly_the_missed_events_and_a_retry_is_acknowledged_once() {
    let server = TestServer::start().await;
    let Table { created, mut fac, mut security, .. } = table(&server, 1000).await;
    fac.send(&command("s1", Command::Start)).await.expect("start");
    until(&mut fac, is_ack("s1")).await;
    let seen = events(&drain(&mut security).await);
    let last = seen.last().map(|e| e.seq).expect("events seen");
    security.close().await;
    // While security is away: a note for the facilitator only, an ad-hoc inject to security, a pause.
    let adhoc = muster_core::engine::AdHocInject {
        title: "Call from legal".into(),
        channel: muster_core::scenario::Channel::Call,
        to: vec![RoleId("security".into())],
        body: "Legal asks whether customer data was exposed.".into(),
    };
    fac.send(&command(
        "n1",
        Command::Note { kind: muster_core::engine::NoteKind::Note, text: "security dropped".into() },
    ))
    .await
    .expect("note");
    fac.send(&command("i1", Command::AddInject(adhoc))).await.expect("adhoc");
    fac.send(&command("p1", Command::Pause)).await.expect("pause");
    until(&mut fac, is_ack("p1")).await;
    let (mut back, _) =
        Client::connect(&server.base, token(seat_of(&created, "security")), last).await.expect("back");
    let missed = events(&drain(&mut back).await);
    let (_, logged) = server.log(&created.drill).await;
    let security = [RoleId("security".into())];
    let expected: Vec<Event> =
        logged.iter().filter(|e| e.seq > last && e.audience.admits(&security)).cloned().collect();
    assert_eq!(missed, expected, "exactly the missed events security may see, once each");
    assert!(
        missed
            .iter()
            .any(|e| matches!(&e.kind, EventKind::InjectFired { title, .. } if title == "Call from legal"))
    );
    assert!(missed.iter().all(|e| !matches!(e.kind, EventKind::Noted { .. })));
    // Resume; security acts twice with the same client id (a retry after a lost answer).
    fac.send(&command("r1", Command::Resume)).await.expect("resume");
    until(&mut fac, is_ack("r1")).await;
    let ack = ClientMessage::Act {
        id: "k1".into(),
        role: RoleId("security".into()),
        action: ActionRef::Builtin(Builtin::Acknowledge { inject: InjectId("report".into()) }),
    };
    back.send(&ack).await.expect("act");
    back.send(&ack).await.expect("retry");
    let msgs = until(&mut back, |m| matches!(m, ServerMessage::Ack { retry: true, .. })).await;
    let acks: Vec<(Option<u64>, bool)> = msgs
        .iter()
        .filter_map(|m| match m {
            ServerMessage::Ack { id, seq, retry } if id == "k1" => Some((*seq, *retry)),
            _ => None,
        })
        .collect();
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].0, acks[1].0, "the retry is answered with the first outcome");
    assert_eq!((acks[0].1, acks[1].1), (false, true));
    let (_, logged) = server.log(&created.drill).await;
    let k1 = logged
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::Acted { client_id, .. } if client_id == "k1"))
        .count();
    assert_eq!(k1, 1, "logged once");
    server.stop().await;
}

#[tokio::test]
async fn joining_again_from_another_device_takes_the_seat_over() {
    let server = TestServer::start().await;
    let Table { created, mut platform, .. } = table(&server, 1000).await;
    let (_second, welcome) =
        Client::connect(&server.base, token(seat_of(&created, "platform")), 0).await.expect("second device");
    assert!(
        matches!(welcome.you, You::Participant { ref name, .. } if name == "Pia"),
        "the same participant"
    );
    let closed = loop {
        match platform.recv_within(WAIT).await {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert!(matches!(closed, ClientError::Closed { ref code, .. } if code == "taken-over"), "{closed:?}");
    server.stop().await;
}

#[tokio::test]
async fn hostile_clients_get_a_clear_answer_and_change_nothing() {
    let server = TestServer::start().await;
    let Table { created, mut fac, mut platform, mut security, .. } = table(&server, 1000).await;
    let other = server.create("minimal", 1000).await;
    fac.send(&command("s1", Command::Start)).await.expect("start");
    until(&mut fac, is_ack("s1")).await;
    drain(&mut platform).await;
    drain(&mut security).await;
    let before = server.log(&created.drill).await;
    let refused = |e: ClientError| match e {
        ClientError::Closed { code, .. } => code,
        other => format!("{other:?}"),
    };

    // A forged token opens nothing.
    let forged = Client::connect(&server.base, token(&"ab".repeat(32)), 0).await.err().map(refused);
    assert_eq!(forged.as_deref(), Some("bad-token"));
    // Another drill's token opens that drill, never this one.
    let (mut elsewhere, welcome) =
        Client::connect(&server.base, seat(seat_of(&other, "platform"), "Mallory"), 0)
            .await
            .expect("other drill");
    assert_eq!(welcome.drill.drill, other.drill);
    elsewhere.send(&act("x1", "platform", "revoke_token")).await.expect("send");
    assert_eq!(rejected(&until(&mut elsewhere, is_ack("x1")).await), ["wrong-state"]);
    // Acting as a role one does not hold.
    security.send(&act("h1", "platform", "revoke_token")).await.expect("send");
    assert_eq!(rejected(&until(&mut security, is_ack("h1")).await), ["role-not-held"]);
    // A participant steering.
    security.send(&command("h2", Command::Pause)).await.expect("send");
    assert_eq!(rejected(&until(&mut security, is_ack("h2")).await), ["not-facilitator"]);
    security.send(&ClientMessage::Status { id: "h3".into() }).await.expect("send");
    assert_eq!(rejected(&until(&mut security, is_ack("h3")).await), ["not-facilitator"]);
    // The facilitator acting as a participant.
    fac.send(&act("h4", "platform", "revoke_token")).await.expect("send");
    assert_eq!(rejected(&until(&mut fac, is_ack("h4")).await), ["not-participant"]);
    // Malformed JSON and binary frames.
    security.send_text("{\"type\":\"act\",").await.expect("send");
    security.send_binary(vec![0, 1, 2]).await.expect("send");
    let msgs = drain(&mut security).await;
    assert_eq!(rejected(&msgs), ["bad-message", "bad-message"]);
    // Markup in a display name or a message is data, carried as written.
    let markup = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let (_, welcome) =
        Client::connect(&server.base, seat(seat_of(&other, "security"), markup), 0).await.expect("join");
    assert!(matches!(welcome.you, You::Participant { ref name, .. } if name == markup));
    assert_eq!(server.log(&created.drill).await, before, "nothing above reached this drill's log");

    // A wrong protocol version.
    let mut old = Client::open(&server.base, None).await.expect("open");
    old.send_text(r#"{"protocol":99,"credential":{"kind":"token","token":"x"}}"#).await.expect("send");
    assert_eq!(old.recv_within(WAIT).await.err().map(refused).as_deref(), Some("wrong-protocol"));
    // A foreign Origin is refused at the upgrade.
    let foreign = Client::open(&server.base, Some("http://evil.example")).await;
    assert!(matches!(foreign, Err(ClientError::Socket(_))), "a cross-site WebSocket is refused");
    // An oversize frame closes the connection.
    let big = format!("{{\"type\":\"status\",\"id\":\"{}\"}}", "x".repeat(17 * 1024));
    security.send_text(&big).await.expect("send");
    let after_big = loop {
        match security.recv_within(WAIT).await {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert!(!matches!(after_big, ClientError::Timeout(_)), "the connection is closed: {after_big:?}");
    assert_eq!(server.log(&created.drill).await, before, "hostile input left the log unchanged");

    // A flood: past the burst, messages are refused as rate-limited; what was acknowledged is logged.
    let text = |n: u32| ClientMessage::Act {
        id: format!("f{n}"),
        role: RoleId("platform".into()),
        action: ActionRef::Builtin(Builtin::Notify {
            to: RoleId("security".into()),
            about: None,
            text: format!("<b>flood</b> {n}"),
        }),
    };
    for n in 0..60 {
        platform.send(&text(n)).await.expect("send");
    }
    let msgs = until(&mut platform, is_ack("f59")).await;
    let msgs = [msgs, drain(&mut platform).await].concat();
    let limited = rejected(&msgs).iter().filter(|c| *c == "rate-limited").count();
    let acked = msgs.iter().filter(|m| matches!(m, ServerMessage::Ack { .. })).count();
    assert!(limited > 0, "a flood is throttled");
    assert_eq!(limited + acked, 60, "every message gets one answer");
    let (_, logged) = server.log(&created.drill).await;
    let notes: Vec<&Event> = logged
        .iter()
        .filter(|e| {
            matches!(&e.kind, EventKind::Acted { action: ActionRef::Builtin(Builtin::Notify { .. }), .. })
        })
        .collect();
    assert_eq!(notes.len(), acked, "each acknowledged message is in the log, no other");
    let EventKind::Acted { action: ActionRef::Builtin(Builtin::Notify { text, .. }), .. } = &notes[0].kind
    else {
        panic!("notify")
    };
    assert_eq!(text, "<b>flood</b> 0", "markup is stored as text, unchanged");
    server.stop().await;
}

#[tokio::test]
async fn a_role_given_mid_drill_shows_its_past_and_a_removed_participant_is_out() {
    let server = TestServer::start().await;
    let Table { created, mut fac, mut observer, .. } = table(&server, 1000).await;
    fac.send(&command("s1", Command::Start)).await.expect("start");
    until(&mut fac, is_ack("s1")).await;
    assert_eq!(injects(&drain(&mut observer).await), Vec::<String>::new(), "no role, no injects");
    // The facilitator gives the observer the security role: the report reaches them now, as history.
    let observer_id = server
        .log(&created.drill)
        .await
        .1
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::Joined { participant, name } if name == "Olu" => Some(participant.clone()),
            _ => None,
        })
        .expect("observer joined");
    let assign = Command::Assign { participant: observer_id.clone(), role: RoleId("security".into()) };
    fac.send(&command("a2", assign)).await.expect("assign");
    until(&mut fac, is_ack("a2")).await;
    let msgs = drain(&mut observer).await;
    assert_eq!(injects(&msgs), ["report"], "the role's past arrives");
    let (_, logged) = server.log(&created.drill).await;
    let security = [RoleId("security".into())];
    let expected: Vec<u64> = logged.iter().filter(|e| e.audience.admits(&security)).map(|e| e.seq).collect();
    let got: Vec<u64> = events(&msgs).iter().map(|e| e.seq).collect();
    let mut once = got.clone();
    once.sort_unstable();
    once.dedup();
    assert_eq!(once.len(), got.len(), "each event once");
    assert!(got.iter().all(|s| expected.contains(s)), "only events security may see: {got:?}");
    // Taken away and given back: only what came in between arrives; nothing twice.
    let unassign = Command::Unassign { participant: observer_id.clone(), role: RoleId("security".into()) };
    fac.send(&command("u1", unassign)).await.expect("unassign");
    until(&mut fac, is_ack("u1")).await;
    let gap = muster_core::engine::AdHocInject {
        title: "While you were away".into(),
        channel: muster_core::scenario::Channel::Chat,
        to: vec![RoleId("security".into())],
        body: "News.".into(),
    };
    fac.send(&command("g1", Command::AddInject(gap))).await.expect("inject");
    until(&mut fac, is_ack("g1")).await;
    let again = Command::Assign { participant: observer_id.clone(), role: RoleId("security".into()) };
    fac.send(&command("a3", again)).await.expect("assign again");
    until(&mut fac, is_ack("a3")).await;
    let msgs = drain(&mut observer).await;
    let titles: Vec<String> = events(&msgs)
        .into_iter()
        .filter_map(|e| match e.kind {
            EventKind::InjectFired { title, .. } => Some(title),
            _ => None,
        })
        .collect();
    assert_eq!(titles, ["While you were away"], "the report is not sent twice");
    // Removed: the socket is closed, the token is dead, the leaving is logged.
    fac.send(&ClientMessage::Remove { id: "r1".into(), participant: observer_id.clone() })
        .await
        .expect("remove");
    until(&mut fac, is_ack("r1")).await;
    let closed = loop {
        match observer.recv_within(WAIT).await {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert!(matches!(closed, ClientError::Closed { ref code, .. } if code == "removed"), "{closed:?}");
    let (_, logged) = server.log(&created.drill).await;
    assert!(logged.iter().any(|e| e.kind == EventKind::Left(observer_id.clone())));
    server.stop().await;
}

#[tokio::test]
async fn no_compression_is_negotiated_and_sockets_per_address_are_capped() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let server = TestServer::start().await;
    let url = format!("{}/api/live/ws", server.base.replacen("http", "ws", 1));
    let mut request = url.clone().into_client_request().expect("request");
    request.headers_mut().insert("sec-websocket-extensions", "permessage-deflate".parse().expect("header"));
    let (_socket, response) = tokio_tungstenite::connect_async(request).await.expect("upgrade");
    assert!(response.headers().get("sec-websocket-extensions").is_none(), "permessage-deflate stays off");
    // The test server allows 64 sockets per address: the 65th is refused before the upgrade.
    let mut open = vec![_socket];
    let mut refused = None;
    for _ in 0..70 {
        match tokio_tungstenite::connect_async(url.clone()).await {
            Ok((s, _)) => open.push(s),
            Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
                refused = Some(res.status().as_u16());
                break;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(open.len(), 64);
    assert_eq!(refused, Some(429));
    drop(open);
    server.stop().await;
}
