//! Live drills: people playing a drill together, each from their own browser.
//!
//! [`Live`] holds the drills this process runs: it creates one from a library scenario (join code,
//! facilitator token, per-seat links), resumes the unfinished ones after a crash (paused, from the log),
//! and connects a WebSocket to the right drill by token or code. Each drill has its own runner task
//! ([`runner`]); everything a connection asks goes to that task, which alone touches the `Drill`.
//! The HTTP crate only moves frames: it parses a [`Hello`] and [`ClientMessage`]s and hands them here.

mod access;
pub mod bench;
pub mod client;
mod clock;
pub mod dryrun;
mod runner;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use muster_core::engine::{DrillSetup, DrillState, RolePolicy, Speed, WallMs};
use muster_protocol::live::{
    ClientMessage, Credential, DrillHeader, Hello, LIVE_PROTOCOL_VERSION, LiveCreated, RejectionView,
    SeatLink,
};
use muster_store::{DrillId, Store, StoreError};
use tokio::sync::{mpsc, oneshot};

pub use access::{Access, TokenHash, normalize_code};
pub use clock::LiveClock;
pub use runner::{ConnId, rejection_view};

use access::{Seat, new_code, new_token};
use runner::{Cred, Request, Runner};

use crate::setup::{self, DrillMeta, SetupError};

pub use muster_core::engine::MAX_NAME_CHARS;
/// Most people waiting in one drill's lobby.
pub const MAX_LOBBY: usize = 200;
/// Most seats (per-seat links) a drill is created with.
pub const MAX_SEATS: usize = muster_core::engine::MAX_PARTICIPANTS;
/// Sockets the facilitator's token may hold at once (a laptop, a projector, a spare); a participant's
/// token holds one (joining again takes the seat over).
pub const MAX_FACILITATOR_SOCKETS: usize = 4;
/// Messages queued to one connection before it counts as a slow consumer and is closed.
pub const MAX_QUEUED_MESSAGES: usize = 4096;
/// Requests queued to one drill's runner.
pub const RUNNER_QUEUE: usize = 8192;
/// Messages per second one connection may send, sustained (participants act about once a second).
pub const MESSAGES_PER_SECOND: u32 = 10;
/// Messages one connection may send in a burst above the sustained rate.
pub const MESSAGE_BURST: u32 = 20;
/// Join attempts (codes and tokens presented) per minute from one address other than loopback.
pub const JOINS_PER_MINUTE: u32 = 30;
/// Addresses the join limiter keeps before it forgets the ones not seen recently.
const JOIN_LIMITER_KEYS: usize = 10_000;
/// Join attempts one address may make in a burst.
pub const JOIN_BURST: u32 = 10;

/// How the live runtime is set up.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The scenario folder live drills are created from.
    pub library_dir: PathBuf,
    /// Messages queued per connection before it is dropped as too slow.
    pub queue_per_connection: usize,
    /// Join attempts per minute per address.
    pub joins_per_minute: u32,
}

impl LiveConfig {
    /// The defaults, for the scenario folder `library_dir`.
    pub fn new(library_dir: PathBuf) -> LiveConfig {
        LiveConfig {
            library_dir,
            queue_per_connection: MAX_QUEUED_MESSAGES,
            joins_per_minute: JOINS_PER_MINUTE,
        }
    }
}

/// Why a live drill could not be created or resumed.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// The scenario could not be loaded.
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The store failed (or another process runs the drill: [`StoreError::Busy`]).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A request was not acceptable.
    #[error("{0}")]
    Invalid(String),
    /// The drill is over.
    #[error("drill `{0}` has ended; its report is in the drill history")]
    Ended(DrillId),
    /// The drill has no live access list (it was simulated, not run live).
    #[error("drill `{0}` was not run live (it has no join code or tokens)")]
    NotLive(DrillId),
    /// The operating system gave no randomness for tokens.
    #[error("no randomness for tokens: {0}")]
    Random(String),
}

/// Why a connection is refused or closed: a stable code and a sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// E.g. `bad-token`, `wrong-protocol`, `rate-limited`, `not-running`.
    pub code: String,
    /// For people.
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(code: &str, message: &str) -> Refusal {
        Refusal { code: code.to_owned(), message: message.to_owned() }
    }

    fn bad_token() -> Refusal {
        Refusal::new(
            "bad-token",
            "this link or token does not open any running drill; ask the facilitator for a new one",
        )
    }

    /// As the protocol's rejection body.
    pub fn view(&self) -> RejectionView {
        RejectionView { code: self.code.clone(), message: self.message.clone() }
    }
}

/// The runner's word that a connection must close, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kick {
    /// E.g. `taken-over`, `removed`, `too-slow`, `denied`, `stopped`, `shutdown`.
    pub code: String,
    /// For people.
    pub message: String,
}

/// Which drill a token or a code opens.
#[derive(Default)]
pub(crate) struct Index {
    drills: BTreeMap<DrillId, mpsc::Sender<Request>>,
    tokens: BTreeMap<TokenHash, DrillId>,
    codes: BTreeMap<String, DrillId>,
}

struct Shared {
    store: Store,
    config: LiveConfig,
    index: Arc<Mutex<Index>>,
    joins: DefaultKeyedRateLimiter<IpAddr>,
}

/// The live drills of this process. Cheap to clone.
#[derive(Clone)]
pub struct Live {
    shared: Arc<Shared>,
}

/// What creating a live drill needs beyond the protocol's request.
#[derive(Debug, Clone)]
pub struct CreateSpec {
    /// The request.
    pub request: muster_protocol::live::CreateLive,
    /// The server's address as participants reach it (`http://host:port`), for the links.
    pub base_url: String,
    /// The TLS certificate's SHA-256 fingerprint, when served over TLS.
    pub fingerprint: Option<String>,
}

/// An open connection to a live drill. Messages go to the drill's runner; dropping it disconnects.
pub struct Connection {
    tx: mpsc::Sender<Request>,
    conn: ConnId,
    limiter: DefaultDirectRateLimiter,
    /// The welcome and the events this connection may see, to send first.
    pub initial: Vec<Arc<str>>,
}

impl Connection {
    /// Hands a client's message to the drill, or refuses it when the connection sends too fast.
    pub async fn send(&self, msg: ClientMessage) -> Result<(), Refusal> {
        if self.limiter.check().is_err() {
            return Err(Refusal::new(
                "rate-limited",
                &format!(
                    "too many messages: at most {MESSAGES_PER_SECOND} a second; this one was not carried out"
                ),
            ));
        }
        self.tx
            .send(Request::Message { conn: self.conn, msg })
            .await
            .map_err(|_| Refusal::new("not-running", "the drill is no longer running"))
    }
}

impl Connection {
    /// Tells the drill how long this connection's last ping took to come back (for the control room's
    /// freshness of each seat). A measurement, not a message: dropped when the drill's queue is full.
    pub fn report_latency(&self, round_trip: std::time::Duration) {
        let ms = u32::try_from(round_trip.as_millis()).unwrap_or(u32::MAX);
        let _ = self.tx.try_send(Request::Latency { conn: self.conn, ms });
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let request = Request::Disconnect { conn: self.conn };
        // A full queue must not lose the disconnect (a stale lobby entry, a facilitator socket that counts).
        if let Err(mpsc::error::TrySendError::Full(request)) = self.tx.try_send(request)
            && let Ok(runtime) = tokio::runtime::Handle::try_current()
        {
            let tx = self.tx.clone();
            runtime.spawn(async move { tx.send(request).await });
        }
    }
}

fn quota(per_period: u32, burst: u32, per_minute: bool) -> Quota {
    let rate = NonZeroU32::new(per_period.max(1)).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst.max(1)).unwrap_or(NonZeroU32::MIN);
    if per_minute {
        Quota::per_minute(rate).allow_burst(burst)
    } else {
        Quota::per_second(rate).allow_burst(burst)
    }
}

/// What a runner starts from: the drill where it stands, its model, its past, its clock and access list.
struct Parts {
    drill: muster_core::engine::Drill,
    model: muster_core::ResponsibilityModel,
    past: Vec<muster_core::engine::Event>,
    clock: LiveClock,
    access: Access,
    team: Option<String>,
}

impl Live {
    /// The live runtime over `store`.
    pub fn new(store: Store, config: LiveConfig) -> Live {
        // A raised rate (the bench) raises the burst with it; the default keeps JOIN_BURST.
        let burst = JOIN_BURST.max(config.joins_per_minute / 3);
        let joins = RateLimiter::keyed(quota(config.joins_per_minute, burst, true));
        Live { shared: Arc::new(Shared { store, config, index: Arc::default(), joins }) }
    }

    /// Creates a live drill from a library scenario, not started, and starts its runner.
    pub async fn create(&self, spec: CreateSpec) -> Result<LiveCreated, LiveError> {
        let req = spec.request;
        let dir = self.shared.config.library_dir.clone();
        let key = req.scenario.clone();
        let loaded = tokio::task::spawn_blocking(move || setup::from_library(&dir, &key))
            .await
            .map_err(|e| LiveError::Invalid(format!("loading the scenario failed: {e}")))??;
        let seed = match &req.seed {
            Some(text) => text
                .trim()
                .parse::<u64>()
                .map_err(|_| LiveError::Invalid(format!("the seed `{text}` is not a whole number")))?,
            None => {
                let mut bytes = [0u8; 8];
                getrandom::fill(&mut bytes).map_err(|e| LiveError::Random(e.to_string()))?;
                u64::from_le_bytes(bytes)
            }
        };
        let speed = req.speed.unwrap_or(Speed::REAL_TIME);
        if !speed.is_valid() {
            return Err(LiveError::Invalid(format!("speed {speed} is outside 1× to 1000×")));
        }
        let roles = req.seats.clone().unwrap_or_else(|| loaded.scenario.roles.clone());
        if roles.len() > MAX_SEATS {
            return Err(LiveError::Invalid(format!("at most {MAX_SEATS} seats")));
        }
        if let Some(role) = roles.iter().find(|r| !loaded.scenario.roles.contains(r)) {
            return Err(LiveError::Invalid(format!("the role `{role}` is not in this scenario")));
        }
        let clean = |t: &Option<String>| t.as_deref().and_then(runner::clean_name);
        let meta = DrillMeta {
            setup: DrillSetup::new(seed, speed, RolePolicy::Many),
            team: clean(&req.team),
            facilitator: clean(&req.facilitator),
            created_wall_ms: setup::wall_now_ms(),
        };
        let (scenario_text, model_text) = (loaded.scenario_text.clone(), loaded.model_text.clone());
        let id = setup::create_drill(
            &self.shared.store,
            &loaded.scenario,
            scenario_text,
            model_text,
            meta.clone(),
        )
        .await?;
        let lock = self.shared.store.lock_drill(&id)?;
        let random = |e: getrandom::Error| LiveError::Random(e.to_string());
        let (facilitator_token, facilitator) = new_token().map_err(random)?;
        let mut seats = Vec::new();
        let mut links = Vec::new();
        for role in roles {
            let (token, hash) = new_token().map_err(random)?;
            let link = format!("{}/join#seat={token}", spec.base_url.trim_end_matches('/'));
            links.push(SeatLink { role: role.clone(), token, link });
            seats.push(Seat { role, token: hash, participant: None });
        }
        let code = new_code().map_err(random)?;
        let access = Access {
            code: code.replace('-', ""),
            facilitator,
            seats,
            members: Vec::new(),
            revoked: Vec::new(),
            next_participant: 0,
        };
        let json = serde_json::to_string(&access).map_err(|e| LiveError::Invalid(e.to_string()))?;
        self.shared.store.enqueue_live_access(&id, json, meta.created_wall_ms).await?.await?;
        let drill = muster_core::engine::Drill::new(loaded.scenario, meta.setup);
        let clock = LiveClock::new(WallMs(setup::wall_now_ms()), WallMs(0));
        let parts =
            Parts { drill, model: loaded.model, past: Vec::new(), clock, access, team: meta.team.clone() };
        self.start(id.clone(), parts, lock);
        Ok(LiveCreated {
            drill: id.0,
            code,
            join_url: format!("{}/join", spec.base_url.trim_end_matches('/')),
            facilitator_token,
            seats: links,
            seed: seed.to_string(),
            fingerprint: spec.fingerprint,
        })
    }

    /// Resumes every unfinished live drill in the store (after a stop or a crash): replayed from the log,
    /// paused where it stood; the facilitator resumes it. Drills run by another process are skipped.
    pub async fn resume_all(&self) -> Vec<(DrillId, Result<(), LiveError>)> {
        let unfinished = match self.shared.store.unfinished().await {
            Ok(d) => d,
            Err(e) => return vec![(DrillId(String::new()), Err(e.into()))],
        };
        let mut results = Vec::new();
        for record in unfinished {
            match self.shared.store.live_access(&record.id).await {
                Ok(Some(_)) => {}
                Ok(None) => continue,
                Err(e) => {
                    results.push((record.id.clone(), Err(e.into())));
                    continue;
                }
            }
            let result = self.resume(&record.id).await;
            results.push((record.id, result));
        }
        results
    }

    /// Resumes one live drill from the log, paused; refused if another runner holds it.
    pub async fn resume(&self, id: &DrillId) -> Result<(), LiveError> {
        if self.lock_index().drills.contains_key(id) {
            return Ok(());
        }
        let store = &self.shared.store;
        let lock = store.lock_drill(id)?;
        let access_json = store.live_access(id).await?.ok_or_else(|| LiveError::NotLive(id.clone()))?;
        let mut access: Access = serde_json::from_str(&access_json)
            .map_err(|e| LiveError::Invalid(format!("drill `{id}`: its access list does not read: {e}")))?;
        let drill = muster_store::resume(store, id).await?;
        if drill.state() == DrillState::Ended {
            return Err(LiveError::Ended(id.clone()));
        }
        if access.reconcile(drill.participants().keys()) {
            let json = serde_json::to_string(&access).map_err(|e| LiveError::Invalid(e.to_string()))?;
            store.enqueue_live_access(id, json, setup::wall_now_ms()).await?.await?;
        }
        let record = store.drill(id).await?;
        let model = muster_core::load_model(&record.model_text).value.ok_or_else(|| {
            LiveError::Invalid(format!("drill `{id}`: the responsibility model stored with it does not read"))
        })?;
        let past = store.events(id).await?;
        let last_wall = store.wall_span(id).await?.map_or(0, |(_, last)| last);
        let clock = LiveClock::new(WallMs(setup::wall_now_ms()), WallMs(last_wall));
        self.start(id.clone(), Parts { drill, model, past, clock, access, team: record.team }, lock);
        Ok(())
    }

    fn start(&self, id: DrillId, parts: Parts, lock: muster_store::DrillLock) {
        let Parts { drill, model, past, clock, access, team } = parts;
        let scenario = drill.scenario();
        let header = DrillHeader {
            drill: id.0.clone(),
            scenario_id: scenario.id.0.clone(),
            title: scenario.title.clone(),
            duration: scenario.duration,
            roles: scenario.roles.clone(),
            team,
        };
        let (tx, rx) = mpsc::channel(RUNNER_QUEUE);
        {
            let mut index = self.lock_index();
            index.drills.insert(id.clone(), tx);
            index.codes.insert(access.code.clone(), id.clone());
            for hash in access.live_hashes() {
                index.tokens.insert(hash, id.clone());
            }
        }
        let runner = Runner::new(
            id,
            drill,
            model,
            past,
            self.shared.store.clone(),
            clock,
            access,
            header,
            self.shared.index.clone(),
            lock,
        );
        tokio::spawn(runner.run(rx));
    }

    fn lock_index(&self) -> std::sync::MutexGuard<'_, Index> {
        self.shared.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How many messages to queue per connection before it counts as too slow.
    pub fn queue_per_connection(&self) -> usize {
        self.shared.config.queue_per_connection
    }

    /// The drills running now.
    pub fn running(&self) -> Vec<DrillId> {
        self.lock_index().drills.keys().cloned().collect()
    }

    /// Connects a client that sent `hello` from `peer`. `out` receives what to send it (after
    /// `Connection::initial`), `kick` the runner's word to close it.
    pub async fn connect(
        &self,
        hello: Hello,
        peer: IpAddr,
        out: mpsc::Sender<Arc<str>>,
        kick: oneshot::Sender<Kick>,
    ) -> Result<Connection, Refusal> {
        if hello.protocol != LIVE_PROTOCOL_VERSION {
            return Err(Refusal::new(
                "wrong-protocol",
                &format!(
                    "this server speaks protocol {LIVE_PROTOCOL_VERSION}, the client {}; reload the page",
                    hello.protocol
                ),
            ));
        }
        // Guessing is a threat from the network; the facilitator's own machine (bots, dry runs, a second
        // window) is not limited.
        if self.shared.joins.len() > JOIN_LIMITER_KEYS {
            // Addresses not seen for a while are forgotten, so the limiter's memory stays bounded.
            self.shared.joins.retain_recent();
        }
        if !peer.is_loopback() && self.shared.joins.check_key(&peer).is_err() {
            return Err(Refusal::new(
                "rate-limited",
                "too many join attempts from this address; wait a minute",
            ));
        }
        let (drill, cred) = {
            let index = self.lock_index();
            match hello.credential {
                Credential::Token { token, name } => {
                    let hash = TokenHash::of(&token);
                    let drill = index.tokens.get(&hash).cloned().ok_or_else(Refusal::bad_token)?;
                    (drill, Cred::Token { hash, name })
                }
                Credential::Code { code, name } => {
                    let drill = normalize_code(&code).and_then(|c| index.codes.get(&c).cloned()).ok_or_else(
                        || Refusal::new("bad-code", "no running drill has this code; check it on the screen"),
                    )?;
                    (drill, Cred::Code { name })
                }
            }
        };
        let tx = self.lock_index().drills.get(&drill).cloned().ok_or_else(Refusal::bad_token)?;
        let (reply, answer) = oneshot::channel();
        tx.send(Request::Connect { cred, since: hello.since, out, kick, reply })
            .await
            .map_err(|_| Refusal::new("not-running", "the drill is no longer running"))?;
        let (conn, initial) =
            answer.await.map_err(|_| Refusal::new("not-running", "the drill is no longer running"))??;
        let limiter = RateLimiter::direct(quota(MESSAGES_PER_SECOND, MESSAGE_BURST, false));
        Ok(Connection { tx, conn, limiter, initial })
    }

    /// Stops every runner after what is queued has committed; connections are told and closed.
    pub async fn shutdown(&self) {
        let runners: Vec<mpsc::Sender<Request>> = self.lock_index().drills.values().cloned().collect();
        for tx in runners {
            let (done, wait) = oneshot::channel();
            if tx.send(Request::Shutdown { done }).await.is_ok() {
                let _ = wait.await;
            }
        }
    }
}
