//! One live drill's runner: the task that owns its `Drill`.
//!
//! It waits on its request channel and on `sleep_until` the engine's next deadline — no interval, no
//! polling — and takes `now` from the [`LiveClock`] when it dequeues. Each input goes through
//! [`crate::step::apply`], what must be logged is queued on the store's one writer in order, and the
//! answer and the events wait in a FIFO of receipts: an action is acknowledged, and its events fan out,
//! only after the transaction holding them has committed. A failed commit acknowledges nothing: the runner
//! tells every connection the drill stopped, closes them, and ends; the drill resumes from the log.
//!
//! Fan-out: each event is serialised once and queued to the connections whose roles its audience admits
//! (the facilitator's admit everything, a lobby connection's nothing). Each connection has a bounded queue;
//! one that is full is a slow consumer: it is closed (`too-slow`) and catches up on reconnect.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use muster_core::board::live_board;
use muster_core::engine::{
    Actor, Audience, Command, DeadlineReason, Drill, Event, EventKind, Input, ParticipantId, Rejection,
};
use muster_core::variables::fill;
use muster_core::{ResponsibilityModel, RoleId};
use muster_protocol::live::{
    ClientMessage, ClockView, DrillHeader, EventDetail, LIVE_PROTOCOL_VERSION, LobbyEntry, RejectionView,
    SeatView, ServerMessage, StatusView, Welcome, You,
};
use muster_store::{DrillId, DrillLock, Store, StoreError};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use super::access::{Access, Holder, Member, TokenHash, new_token, short_id};
use super::clock::LiveClock;
use super::{Index, Kick, MAX_FACILITATOR_SOCKETS, MAX_LOBBY, MAX_NAME_CHARS, Refusal};
use crate::step::{Applied, apply};

/// A connection's id within its drill.
pub type ConnId = u64;

/// The answer to a connect: the connection's id and what to send it first, or why not.
pub(crate) type ConnectReply = oneshot::Sender<Result<(ConnId, Vec<Arc<str>>), Refusal>>;

/// How a connection presents itself to its drill.
#[derive(Debug)]
pub(crate) enum Cred {
    Token { hash: TokenHash, name: Option<String> },
    Code { name: String },
}

/// What the runner is asked.
pub(crate) enum Request {
    Connect {
        cred: Cred,
        since: u64,
        out: mpsc::Sender<Arc<str>>,
        kick: oneshot::Sender<Kick>,
        reply: ConnectReply,
    },
    Message {
        conn: ConnId,
        msg: ClientMessage,
    },
    Disconnect {
        conn: ConnId,
    },
    /// A ping's round trip on a connection, in milliseconds.
    Latency {
        conn: ConnId,
        ms: u32,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
}

/// Who a connection is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Facilitator,
    Participant(ParticipantId),
    Lobby(String),
}

struct Conn {
    who: Who,
    out: mpsc::Sender<Arc<str>>,
    kick: Option<oneshot::Sender<Kick>>,
}

struct Waiting {
    name: String,
    conn: ConnId,
}

/// One logged event, serialised once.
struct Logged {
    seq: u64,
    audience: Audience,
    text: Arc<str>,
}

/// What to do once the writes before it have committed.
enum After {
    /// Answer a connection.
    Reply { conn: ConnId, text: Arc<str> },
    /// Let a connection in (after its seat's `Join` is durable).
    Register { pending: Box<PendingConn> },
    /// A lobby connection was admitted: hand it its token and let it in as the participant.
    Admitted { conn: ConnId, participant: ParticipantId, token: String },
    /// A participant was removed: close their connections.
    Removed { participant: ParticipantId },
}

struct PendingConn {
    who: Who,
    since: u64,
    out: mpsc::Sender<Arc<str>>,
    kick: oneshot::Sender<Kick>,
    reply: ConnectReply,
}

struct Done {
    result: Result<(), StoreError>,
    events: Vec<Event>,
    after: Vec<After>,
}

type Pending = Pin<Box<dyn Future<Output = Done> + Send>>;

/// The runner's state.
pub(crate) struct Runner {
    pub id: DrillId,
    pub drill: Drill,
    /// The responsibility model the drill runs with (for the live boards).
    pub model: ResponsibilityModel,
    pub store: Store,
    pub clock: LiveClock,
    pub access: Access,
    pub header: DrillHeader,
    pub index: Arc<Mutex<Index>>,
    pub _lock: DrillLock,
    conns: BTreeMap<ConnId, Conn>,
    next_conn: ConnId,
    lobby: BTreeMap<String, Waiting>,
    history: Vec<Logged>,
    /// Every event fanned out, for the live boards.
    events: Vec<Event>,
    /// Roles as of the last event fanned out (the committed roster).
    roles: BTreeMap<ParticipantId, Vec<RoleId>>,
    /// Each participant's role changes fanned out, (seq, role, given), for catch-up and backfill.
    role_changes: BTreeMap<ParticipantId, Vec<(u64, RoleId, bool)>>,
    last_seen: BTreeMap<ParticipantId, Instant>,
    /// Each participant's last ping round trip, in milliseconds.
    latency: BTreeMap<ParticipantId, u32>,
    pending: FuturesOrdered<Pending>,
    stopped: bool,
}

impl Runner {
    /// A runner for `drill` (replayed to where it stands), with the events already logged.
    #[expect(clippy::too_many_arguments, reason = "assembled once by `Live`")]
    pub(crate) fn new(
        id: DrillId,
        drill: Drill,
        model: ResponsibilityModel,
        past: Vec<Event>,
        store: Store,
        clock: LiveClock,
        access: Access,
        header: DrillHeader,
        index: Arc<Mutex<Index>>,
        lock: DrillLock,
    ) -> Runner {
        let mut runner = Runner {
            id,
            drill,
            model,
            store,
            clock,
            access,
            header,
            index,
            _lock: lock,
            conns: BTreeMap::new(),
            next_conn: 1,
            lobby: BTreeMap::new(),
            history: Vec::new(),
            events: Vec::new(),
            roles: BTreeMap::new(),
            role_changes: BTreeMap::new(),
            last_seen: BTreeMap::new(),
            latency: BTreeMap::new(),
            pending: FuturesOrdered::new(),
            stopped: false,
        };
        for event in &past {
            runner.fan_out(event);
        }
        runner
    }

    /// Runs until shut down, or stopped by a failed write. Waits on requests, on committed writes, and
    /// on the engine's next deadline; never polls.
    pub(crate) async fn run(mut self, mut rx: mpsc::Receiver<Request>) {
        let mut shutdown: Option<oneshot::Sender<()>> = None;
        loop {
            let deadline = if self.stopped || shutdown.is_some() {
                None
            } else {
                self.drill.next_deadline().map(|(wall, _)| self.clock.instant_of(wall))
            };
            tokio::select! {
                biased;
                Some(done) = self.pending.next(), if !self.pending.is_empty() => self.finish(done),
                () = sleep_until(deadline), if deadline.is_some() => {
                    let input = Input::Timeout { now: self.clock.now() };
                    self.feed(input, Vec::new()).await;
                }
                request = rx.recv(), if shutdown.is_none() && !self.stopped => match request {
                    Some(Request::Shutdown { done }) => shutdown = Some(done),
                    Some(request) => self.handle(request).await,
                    None => break,
                },
                else => break,
            }
            if (shutdown.is_some() || self.stopped) && self.pending.is_empty() {
                break;
            }
        }
        if !self.stopped {
            let message = "the server is shutting down; the drill will continue when it is back";
            self.close_all("shutdown", message);
        }
        self.unregister();
        if let Some(done) = shutdown {
            let _ = done.send(());
        }
    }

    async fn handle(&mut self, request: Request) {
        match request {
            Request::Connect { cred, since, out, kick, reply } => {
                self.connect(cred, since, out, kick, reply).await
            }
            Request::Message { conn, msg } => self.message(conn, msg).await,
            Request::Disconnect { conn } => self.disconnect(conn),
            Request::Latency { conn, ms } => {
                if let Some(Who::Participant(p)) = self.conns.get(&conn).map(|c| c.who.clone()) {
                    self.latency.insert(p, ms);
                }
            }
            Request::Shutdown { .. } => {}
        }
    }

    // Connections.

    async fn connect(
        &mut self,
        cred: Cred,
        since: u64,
        out: mpsc::Sender<Arc<str>>,
        kick: oneshot::Sender<Kick>,
        reply: ConnectReply,
    ) {
        match cred {
            Cred::Code { name } => {
                let Some(name) = clean_name(&name) else {
                    let _ = reply.send(Err(Refusal::new("bad-name", &name_problem())));
                    return;
                };
                if self.lobby.len() >= MAX_LOBBY {
                    let _ =
                        reply.send(Err(Refusal::new("lobby-full", "the lobby is full; ask the facilitator")));
                    return;
                }
                let Ok(lobby) = short_id() else {
                    let _ = reply.send(Err(Refusal::new("internal", "no randomness available")));
                    return;
                };
                let pending = PendingConn { who: Who::Lobby(lobby.clone()), since: 0, out, kick, reply };
                let conn = self.register(pending, Some(name.clone()));
                self.lobby.insert(lobby, Waiting { name, conn });
                self.lobby_changed();
            }
            Cred::Token { hash, name } => match self.access.holder(&hash) {
                None => {
                    let _ = reply.send(Err(Refusal::bad_token()));
                }
                Some(Holder::Facilitator) => {
                    let open = self.conns.values().filter(|c| c.who == Who::Facilitator).count();
                    if open >= MAX_FACILITATOR_SOCKETS {
                        let message = format!(
                            "the facilitator's token is open in {open} places already; close one (at most {MAX_FACILITATOR_SOCKETS})"
                        );
                        let _ = reply.send(Err(Refusal::new("too-many-sockets", &message)));
                        return;
                    }
                    let pending = PendingConn { who: Who::Facilitator, since, out, kick, reply };
                    self.register(pending, None);
                }
                Some(Holder::Member(p)) => {
                    let pending = Box::new(PendingConn { who: Who::Participant(p), since, out, kick, reply });
                    self.after_pending(vec![After::Register { pending }]);
                }
                Some(Holder::Seat(n)) => {
                    if let Some(p) = self.access.seats[n].participant.clone() {
                        // Behind whatever is being written (the seat's own join, perhaps): the last device wins.
                        let pending =
                            Box::new(PendingConn { who: Who::Participant(p), since, out, kick, reply });
                        self.after_pending(vec![After::Register { pending }]);
                        return;
                    }
                    // First use of the seat link: join as a new participant in the seat's role.
                    let Some(name) = name.as_deref().and_then(clean_name) else {
                        let _ = reply.send(Err(Refusal::new("bad-name", &name_problem())));
                        return;
                    };
                    let p = self.access.next_id();
                    let role = self.access.seats[n].role.clone();
                    let inputs = [
                        (Actor::Participant(p.clone()), Command::Join { name }),
                        (Actor::Facilitator, Command::Assign { participant: p.clone(), role }),
                    ];
                    if let Err(r) = self.apply_all(&inputs).await {
                        let _ = reply.send(Err(Refusal::new(r.code(), &r.to_string())));
                        return;
                    }
                    self.access.seats[n].participant = Some(p.clone());
                    let pending = Box::new(PendingConn { who: Who::Participant(p), since, out, kick, reply });
                    self.save_access(vec![After::Register { pending }]).await;
                }
            },
        }
    }

    /// Closes the connections a participant had: joining again from another device takes the seat over.
    fn take_over(&mut self, p: &ParticipantId) {
        let ids: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| c.who == Who::Participant(p.clone()))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.kick(id, "taken-over", "you joined from another device or tab; this one is closed");
        }
    }

    /// Registers a connection and queues its welcome and the events it may see that it has not seen.
    fn register(&mut self, pending: PendingConn, lobby_name: Option<String>) -> ConnId {
        let PendingConn { who, since, out, kick, reply } = pending;
        let id = self.next_conn;
        self.next_conn += 1;
        let you = match &who {
            Who::Facilitator => You::Facilitator,
            Who::Participant(p) => self.you(p),
            Who::Lobby(l) => You::Lobby { lobby: l.clone(), name: lobby_name.unwrap_or_default() },
        };
        let mut initial = vec![self.text(&ServerMessage::Welcome(Welcome {
            protocol: LIVE_PROTOCOL_VERSION,
            drill: self.header.clone(),
            you,
            clock: self.clock_view(),
            last_seq: self.history.last().map_or(0, |l| l.seq),
        }))];
        initial.extend(self.catch_up(&who, since));
        if who == Who::Facilitator {
            initial.push(self.text(&ServerMessage::Lobby { waiting: self.lobby_entries() }));
        }
        if let Who::Participant(p) = &who {
            self.last_seen.insert(p.clone(), Instant::now());
        }
        self.conns.insert(id, Conn { who, out, kick: Some(kick) });
        if reply.send(Ok((id, initial))).is_err() {
            // The socket went away while waiting.
            self.conns.remove(&id);
        }
        id
    }

    fn you(&self, p: &ParticipantId) -> You {
        let participant = self.drill.participants().get(p);
        You::Participant {
            id: p.clone(),
            name: participant.map(|x| x.name.clone()).unwrap_or_default(),
            roles: self.roles.get(p).cloned().unwrap_or_default(),
        }
    }

    /// The events `who` may see that a client holding everything up to `since` has not seen: later ones,
    /// and earlier ones that a role given since then lets it see.
    fn catch_up(&self, who: &Who, since: u64) -> Vec<Arc<str>> {
        match who {
            Who::Lobby(_) => Vec::new(),
            Who::Facilitator => {
                self.history.iter().filter(|l| l.seq > since).map(|l| l.text.clone()).collect()
            }
            Who::Participant(p) => {
                let now: &[RoleId] = self.roles.get(p).map_or(&[], Vec::as_slice);
                let changes: &[(u64, RoleId, bool)] = self.role_changes.get(p).map_or(&[], Vec::as_slice);
                // Held up to `since`: every event seq ≤ since that a role held at some point from its seq
                // through `since` admits (received live, or as the backfill of a role given later).
                self.history
                    .iter()
                    .filter(|l| {
                        l.audience.admits(now)
                            && (l.seq > since || !l.audience.admits(&roles_between(changes, l.seq, since)))
                    })
                    .map(|l| l.text.clone())
                    .collect()
            }
        }
    }

    fn disconnect(&mut self, conn: ConnId) {
        let Some(c) = self.conns.remove(&conn) else { return };
        if let Who::Lobby(l) = c.who {
            self.lobby.remove(&l);
            self.lobby_changed();
        }
    }

    fn kick(&mut self, conn: ConnId, code: &str, message: &str) {
        if let Some(mut c) = self.conns.remove(&conn) {
            if let Some(kick) = c.kick.take() {
                let _ = kick.send(Kick { code: code.to_owned(), message: message.to_owned() });
            }
            if let Who::Lobby(l) = &c.who {
                self.lobby.remove(l);
                self.lobby_changed();
            }
        }
    }

    fn close_all(&mut self, code: &str, message: &str) {
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in ids {
            self.kick(id, code, message);
        }
    }

    fn unregister(&self) {
        let mut index = self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        index.drills.remove(&self.id);
        index.tokens.retain(|_, d| *d != self.id);
        index.codes.retain(|_, d| *d != self.id);
    }

    // Messages.

    async fn message(&mut self, conn: ConnId, msg: ClientMessage) {
        let Some(who) = self.conns.get(&conn).map(|c| c.who.clone()) else { return };
        if let Who::Participant(p) = &who {
            self.last_seen.insert(p.clone(), Instant::now());
        }
        let id = msg.id().to_owned();
        let refuse = |code: &str, message: &str| Refusal::new(code, message);
        let result = match (&who, msg) {
            (Who::Lobby(_), _) => {
                Err(refuse("not-admitted", "wait in the lobby until the facilitator lets you in"))
            }
            (Who::Participant(p), ClientMessage::Act { id, role, action }) => {
                self.act(conn, p.clone(), Command::Act { client_id: id, role, action }).await
            }
            (Who::Participant(p), ClientMessage::Command { command: command @ Command::Act { .. }, .. }) => {
                self.act(conn, p.clone(), command).await
            }
            (Who::Participant(_), _) => Err(refuse(
                "not-facilitator",
                "only the facilitator steers the drill; participants act as their roles",
            )),
            (Who::Facilitator, ClientMessage::Command { id, command }) => match command {
                Command::Act { .. } | Command::Join { .. } | Command::Leave => Err(refuse(
                    "not-participant",
                    "the facilitator steers; acting, joining and leaving are the participants' own",
                )),
                command => self.command(conn, &id, Actor::Facilitator, command).await,
            },
            (Who::Facilitator, ClientMessage::Act { .. }) => {
                Err(refuse("not-participant", "the facilitator steers; acting is the participants' own"))
            }
            (Who::Facilitator, ClientMessage::Status { id }) => {
                let status = self.status();
                self.reply_after(conn, &ServerMessage::Status { id, status: Box::new(status) });
                Ok(())
            }
            (Who::Facilitator, ClientMessage::Admit { id, lobby, roles }) => {
                self.admit(conn, &id, &lobby, roles).await
            }
            (Who::Facilitator, ClientMessage::Deny { id, lobby }) => {
                match self.lobby.get(&lobby).map(|w| w.conn) {
                    Some(c) => {
                        self.kick(c, "denied", "the facilitator did not let you in");
                        self.reply_after(conn, &ServerMessage::Ack { id, seq: None, retry: false });
                        Ok(())
                    }
                    None => Err(refuse("unknown-lobby", "nobody with that lobby id is waiting")),
                }
            }
            (Who::Facilitator, ClientMessage::Remove { id, participant }) => {
                self.remove(conn, &id, participant).await
            }
        };
        if let Err(refusal) = result {
            self.reply_after(conn, &ServerMessage::Rejected { id, why: refusal.view() });
        }
    }

    /// A participant's action: checked against the roster before it reaches the engine, so a hostile or
    /// mistaken request changes nothing, not even the log.
    async fn act(&mut self, conn: ConnId, p: ParticipantId, command: Command) -> Result<(), Refusal> {
        let Command::Act { client_id, role, .. } = &command else { return Ok(()) };
        let holds = self.drill.participants().get(&p).is_some_and(|x| x.present && x.roles.contains(role));
        let retry = self.drill.first_outcome(&Actor::Participant(p.clone()), &command).is_some();
        if !holds && !retry {
            return Err(Refusal::new(
                "role-not-held",
                &format!("you do not hold the role `{role}`; act as one of your roles"),
            ));
        }
        let id = client_id.clone();
        self.command(conn, &id, Actor::Participant(p), command).await
    }

    /// Feeds one command and answers `conn` once what it logged is durable.
    async fn command(
        &mut self,
        conn: ConnId,
        id: &str,
        actor: Actor,
        command: Command,
    ) -> Result<(), Refusal> {
        let input = Input::Command { now: self.clock.now(), actor, command };
        let applied = apply(&mut self.drill, &input);
        let answer = match &applied.outcome.rejection {
            Some(r) => ServerMessage::Rejected { id: id.to_owned(), why: rejection_view(r) },
            None => ServerMessage::Ack {
                id: id.to_owned(),
                seq: applied.outcome.ack,
                retry: applied.outcome.retry,
            },
        };
        let after = vec![After::Reply { conn, text: self.text(&answer) }];
        self.log(applied, after).await;
        Ok(())
    }

    /// Feeds an input the runner makes itself (a timeout).
    async fn feed(&mut self, input: Input, after: Vec<After>) {
        let applied = apply(&mut self.drill, &input);
        self.log(applied, after).await;
    }

    /// Feeds several inputs that must all be accepted (the checks before make a refusal unlikely); stops at
    /// the first refusal, keeping what went before (it is logged: it happened).
    async fn apply_all(&mut self, inputs: &[(Actor, Command)]) -> Result<(), Rejection> {
        for (actor, command) in inputs {
            let input =
                Input::Command { now: self.clock.now(), actor: actor.clone(), command: command.clone() };
            let applied = apply(&mut self.drill, &input);
            let rejection = applied.outcome.rejection.clone();
            self.log(applied, Vec::new()).await;
            if let Some(r) = rejection {
                return Err(r);
            }
        }
        Ok(())
    }

    /// Queues what must be logged; `after` runs once it (and everything before it) has committed.
    async fn log(&mut self, applied: Applied, after: Vec<After>) {
        let receipt = applied.enqueue(&self.store.writer(), &self.id, &self.drill).await;
        let events = applied.outcome.events;
        self.pending.push_back(Box::pin(async move {
            let result = match receipt {
                Ok(Some(receipt)) => receipt.await.map(|_| ()),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            Done { result, events, after }
        }));
    }

    /// Queues a save of the access document; `after` runs once it has committed.
    async fn save_access(&mut self, after: Vec<After>) {
        let json = match serde_json::to_string(&self.access) {
            Ok(json) => json,
            Err(e) => {
                self.stop(&format!("the drill's access list could not be encoded ({e})"));
                return;
            }
        };
        let receipt = self.store.enqueue_live_access(&self.id, json, self.clock.now().0).await;
        self.pending.push_back(Box::pin(async move {
            let result = match receipt {
                Ok(receipt) => receipt.await,
                Err(e) => Err(e),
            };
            Done { result, events: Vec::new(), after }
        }));
    }

    fn reply_after(&mut self, conn: ConnId, message: &ServerMessage) {
        let text = self.text(message);
        self.after_pending(vec![After::Reply { conn, text }]);
    }

    /// Runs `after` once everything queued before it has committed (nothing of its own to write).
    fn after_pending(&mut self, after: Vec<After>) {
        self.pending.push_back(Box::pin(async move { Done { result: Ok(()), events: Vec::new(), after } }));
    }

    async fn admit(
        &mut self,
        conn: ConnId,
        id: &str,
        lobby: &str,
        roles: Vec<RoleId>,
    ) -> Result<(), Refusal> {
        let Some(waiting) = self.lobby.get(lobby) else {
            return Err(Refusal::new(
                "unknown-lobby",
                "nobody with that lobby id is waiting (they may have left)",
            ));
        };
        if let Some(role) = roles.iter().find(|r| !self.drill.scenario().roles.contains(r)) {
            return Err(Refusal::new("role-not-in-play", &format!("the role `{role}` is not in this drill")));
        }
        let (name, lobby_conn) = (waiting.name.clone(), waiting.conn);
        let Ok((token, hash)) = new_token() else {
            return Err(Refusal::new("internal", "no randomness available"));
        };
        let p = self.access.next_id();
        let mut inputs = vec![(Actor::Participant(p.clone()), Command::Join { name })];
        inputs.extend(
            roles
                .into_iter()
                .map(|role| (Actor::Facilitator, Command::Assign { participant: p.clone(), role })),
        );
        if let Err(r) = self.apply_all(&inputs).await {
            return Err(Refusal::new(r.code(), &r.to_string()));
        }
        self.lobby.remove(lobby);
        self.access.members.push(Member { participant: p.clone(), token: hash.clone() });
        self.index_tokens();
        let ack = self.text(&ServerMessage::Ack { id: id.to_owned(), seq: None, retry: false });
        let after = vec![
            After::Admitted { conn: lobby_conn, participant: p, token },
            After::Reply { conn, text: ack },
        ];
        self.save_access(after).await;
        self.lobby_changed();
        Ok(())
    }

    async fn remove(&mut self, conn: ConnId, id: &str, p: ParticipantId) -> Result<(), Refusal> {
        if !self.access.revoke(&p) {
            return Err(Refusal::new("unknown-participant", &format!("no participant `{p}` in this drill")));
        }
        self.index_tokens();
        if self.drill.participants().get(&p).is_some_and(|x| x.present) {
            let _ = self.apply_all(&[(Actor::Participant(p.clone()), Command::Leave)]).await;
        }
        let ack = self.text(&ServerMessage::Ack { id: id.to_owned(), seq: None, retry: false });
        self.save_access(vec![After::Removed { participant: p }, After::Reply { conn, text: ack }]).await;
        Ok(())
    }

    fn index_tokens(&self) {
        let mut index = self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        index.tokens.retain(|_, d| *d != self.id);
        for hash in self.access.live_hashes() {
            index.tokens.insert(hash, self.id.clone());
        }
    }

    // After a commit.

    fn finish(&mut self, done: Done) {
        if let Err(e) = done.result {
            self.stop(&format!(
                "the drill log could not be written ({e}); nothing after the last acknowledged action was kept"
            ));
            return;
        }
        if self.stopped {
            return;
        }
        for event in &done.events {
            self.fan_out(event);
        }
        for after in done.after {
            match after {
                After::Reply { conn, text } => self.send(conn, text),
                After::Register { pending } => {
                    if let Who::Participant(p) = &pending.who {
                        // Joining again from another device takes the seat over.
                        let p = p.clone();
                        self.take_over(&p);
                    }
                    self.register(*pending, None);
                }
                After::Admitted { conn, participant, token } => {
                    let Some(c) = self.conns.get_mut(&conn) else { continue };
                    c.who = Who::Participant(participant.clone());
                    let admitted = ServerMessage::Admitted { token, you: self.you(&participant) };
                    let text = self.text(&admitted);
                    self.send(conn, text);
                    for text in self.catch_up(&Who::Participant(participant.clone()), 0) {
                        self.send(conn, text);
                    }
                    self.last_seen.insert(participant, Instant::now());
                }
                After::Removed { participant } => {
                    let ids: Vec<ConnId> = self
                        .conns
                        .iter()
                        .filter(|(_, c)| c.who == Who::Participant(participant.clone()))
                        .map(|(id, _)| *id)
                        .collect();
                    for id in ids {
                        self.kick(id, "removed", "the facilitator removed you from the drill");
                    }
                }
            }
        }
    }

    /// Sends one committed event to every connection whose roles its audience admits, and keeps it.
    fn fan_out(&mut self, event: &Event) {
        let detail = EventDetail::of(event, self.drill.scenario(), self.drill.values());
        let text = self.text(&EventOut { event, detail: detail.as_ref() });
        let mut backfill: Option<ParticipantId> = None;
        match &event.kind {
            EventKind::Joined { participant, .. } => {
                self.roles.entry(participant.clone()).or_default();
            }
            EventKind::Assigned { participant, role } => {
                self.roles.entry(participant.clone()).or_default().push(role.clone());
                let changes = self.role_changes.entry(participant.clone()).or_default();
                changes.push((event.seq, role.clone(), true));
                backfill = Some(participant.clone());
            }
            EventKind::Unassigned { participant, role } => {
                if let Some(roles) = self.roles.get_mut(participant) {
                    roles.retain(|r| r != role);
                }
                let changes = self.role_changes.entry(participant.clone()).or_default();
                changes.push((event.seq, role.clone(), false));
            }
            _ => {}
        }
        // A role given mid-drill shows its holder that role's past, like a new on-call reading the channel:
        // exactly what a reconnect holding everything before this event would catch up on.
        if let Some(p) = backfill {
            let past = self.catch_up(&Who::Participant(p.clone()), event.seq.saturating_sub(1));
            let ids: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, c)| c.who == Who::Participant(p.clone()))
                .map(|(id, _)| *id)
                .collect();
            for id in ids {
                for t in &past {
                    self.send(id, t.clone());
                }
            }
        }
        let targets: Vec<ConnId> = self
            .conns
            .iter()
            .filter(|(_, c)| match &c.who {
                Who::Facilitator => true,
                Who::Lobby(_) => false,
                Who::Participant(p) => event.audience.admits(self.roles.get(p).map_or(&[], Vec::as_slice)),
            })
            .map(|(id, _)| *id)
            .collect();
        for id in targets {
            self.send(id, text.clone());
        }
        self.history.push(Logged { seq: event.seq, audience: event.audience.clone(), text });
        self.events.push(event.clone());
    }

    /// Queues a message to one connection; a full queue is a slow consumer, which is closed.
    fn send(&mut self, conn: ConnId, text: Arc<str>) {
        let Some(c) = self.conns.get(&conn) else { return };
        match c.out.try_send(text) {
            Ok(()) => {}
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.kick(conn, "too-slow", "this connection fell too far behind; reconnect to catch up");
            }
            Err(mpsc::error::TrySendError::Closed(_)) => {
                self.disconnect(conn);
            }
        }
    }

    /// Stops the drill after a failed write: nothing more is acknowledged; everyone is told.
    fn stop(&mut self, why: &str) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        tracing::error!(drill = %self.id, "live drill stopped: {why}");
        let message = format!("The drill stopped: {why}. The facilitator can resume it from the log.");
        let text = self.text(&ServerMessage::Stopped { message: message.clone() });
        let ids: Vec<ConnId> = self.conns.keys().copied().collect();
        for id in &ids {
            if let Some(c) = self.conns.get(id) {
                let _ = c.out.try_send(text.clone());
            }
        }
        self.close_all("stopped", &message);
        // Whatever was queued after the failure is not acknowledged: drop it.
        self.pending = FuturesOrdered::new();
    }

    // Views.

    fn lobby_entries(&self) -> Vec<LobbyEntry> {
        self.lobby.iter().map(|(id, w)| LobbyEntry { lobby: id.clone(), name: w.name.clone() }).collect()
    }

    fn lobby_changed(&mut self) {
        let text = self.text(&ServerMessage::Lobby { waiting: self.lobby_entries() });
        let ids: Vec<ConnId> =
            self.conns.iter().filter(|(_, c)| c.who == Who::Facilitator).map(|(id, _)| *id).collect();
        for id in ids {
            self.send(id, text.clone());
        }
    }

    fn clock_view(&self) -> ClockView {
        let now = self.clock.now();
        ClockView {
            state: self.drill.state(),
            scenario_ms: self.drill.scenario_time(now),
            speed: self.drill.clock().speed(),
        }
    }

    fn status(&self) -> StatusView {
        let seats = self
            .drill
            .participants()
            .iter()
            .map(|(p, x)| SeatView {
                participant: p.clone(),
                name: x.name.clone(),
                roles: x.roles.clone(),
                connections: u32::try_from(
                    self.conns.values().filter(|c| c.who == Who::Participant(p.clone())).count(),
                )
                .unwrap_or(u32::MAX),
                idle_ms: self
                    .last_seen
                    .get(p)
                    .map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)),
                latency_ms: self.latency.get(p).copied(),
            })
            .collect();
        let next = self.drill.next_deadline().map(|(wall, reason)| {
            let at = self.drill.scenario_time(wall);
            let scenario = self.drill.scenario();
            match reason {
                DeadlineReason::Inject(i) => {
                    let title = scenario
                        .inject(i.as_str())
                        .map_or_else(|| i.to_string(), |x| fill(&x.title, self.drill.values()));
                    format!("{at}: “{title}”")
                }
                DeadlineReason::ActionDeadline(a) => {
                    let label = scenario.action(a.as_str()).map_or(a.as_str(), |x| x.label.as_str());
                    format!("{at}: the deadline of “{label}”")
                }
                DeadlineReason::DurationReached => format!("{at}: the end of the nominal duration"),
            }
        });
        StatusView {
            clock: self.clock_view(),
            injects: self.drill.inject_status(),
            actions: self.drill.actions().to_vec(),
            seats,
            lobby: self.lobby_entries(),
            next,
            board: live_board(
                self.drill.scenario(),
                &self.model,
                &self.events,
                self.drill.scenario_time(self.clock.now()),
            ),
        }
    }

    fn text(&self, message: &impl serde::Serialize) -> Arc<str> {
        // Serialising our own types cannot fail (no maps with non-string keys, no failing serializers).
        Arc::from(serde_json::to_string(message).unwrap_or_else(|_| String::from("{\"type\":\"error\"}")))
    }
}

/// `ServerMessage::Event` borrowing its event: fan-out serialises each event once, without a copy.
#[derive(serde::Serialize)]
#[serde(tag = "type", rename = "event")]
struct EventOut<'a> {
    event: &'a Event,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a EventDetail>,
}

/// Every role held at some point from event `from` through event `to` (inclusive), from one participant's
/// role changes in order.
fn roles_between(changes: &[(u64, RoleId, bool)], from: u64, to: u64) -> Vec<RoleId> {
    let mut roles: Vec<RoleId> = Vec::new();
    for (at, role, given) in changes {
        if *at > to {
            break;
        }
        if *at <= from {
            // The roles held at `from`.
            if *given {
                roles.push(role.clone());
            } else {
                roles.retain(|r| r != role);
            }
        } else if *given && !roles.contains(role) {
            roles.push(role.clone());
        }
    }
    roles
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// A display name as typed, trimmed, without control characters; `None` when empty or too long.
pub(crate) fn clean_name(name: &str) -> Option<String> {
    let clean: String = name.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    (!clean.is_empty() && clean.chars().count() <= MAX_NAME_CHARS).then(|| clean.to_owned())
}

fn name_problem() -> String {
    format!("give a display name of 1 to {MAX_NAME_CHARS} characters")
}

/// The engine's refusal as a code a program can branch on and a sentence for people.
pub fn rejection_view(r: &Rejection) -> RejectionView {
    RejectionView { code: r.code().to_owned(), message: r.to_string() }
}
