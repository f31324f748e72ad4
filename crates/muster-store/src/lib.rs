//! Muster's durable drill log: drills, their inputs and the events those produced, in SQLite.
//!
//! This crate owns the database: the schema (`migrations/`, applied on open), the one group-commit
//! [`Writer`] that appends inputs and events, the queries that read them back, and [`replay`], which feeds
//! a stored drill's inputs through a fresh engine and checks it reproduces the stored events.
//! It must never acknowledge a write before its transaction has committed to disk (WAL,
//! `synchronous=FULL`), never update or delete a logged input or event (triggers refuse it), never run
//! the engine except in [`replay`], and never let a sqlx type into its public API.
//!
//! Drill ids are 12 characters: the creation wall time in milliseconds as 10 base-32 digits (Crockford's
//! alphabet, lower case), then a 2-digit counter among drills created in the same millisecond. No
//! randomness; ids sort by creation time: `01m844dzg000` and `01m844dzg001` were created in the same
//! millisecond, `01m844dzg100` one millisecond later.
//!
//! The store's operations are also the [`DrillStore`] trait, so that another backend (PostgreSQL for a
//! shared server) can follow without touching the engine or its callers.

use std::fmt;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use muster_core::engine::{DrillSetup, DrillState, Event, Input};
use muster_core::score::PlanItem;
use serde::{Deserialize, Serialize};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};

mod codec;
mod error;
mod replay;
mod writer;

pub use error::{DbError, StoreError};
pub use replay::{replay, resume};
pub use writer::{Receipt, SaveReceipt, Writer};

use error::OrDb;

/// The environment variable that overrides [`Store::default_path`].
pub const DB_ENV: &str = "MUSTER_DB";

/// A drill's id (see the crate docs for its shape).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DrillId(pub String);

impl fmt::Display for DrillId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a new drill is made of. The texts are the scenario and model files as loaded, so that a later
/// edit of the files cannot change what a replay of this drill runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDrill {
    /// The scenario's id.
    pub scenario_id: String,
    /// The scenario's version.
    pub scenario_version: String,
    /// The scenario file's text.
    pub scenario_text: String,
    /// The responsibility model file's text.
    pub model_text: String,
    /// Seed, speed, role policy.
    pub setup: DrillSetup,
    /// The team profile, if any (e.g. a `muster simulate --team`).
    pub team: Option<String>,
    /// Who facilitates it, for the report.
    pub facilitator: Option<String>,
    /// When it was created, in wall milliseconds since the Unix epoch (gives the id its time part).
    pub created_wall_ms: u64,
}

/// A stored drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillRecord {
    /// Its id.
    pub id: DrillId,
    /// The scenario's id.
    pub scenario_id: String,
    /// The scenario's version.
    pub scenario_version: String,
    /// The scenario file's text as loaded (empty in listings: [`Store::drills`], [`Store::unfinished`]).
    pub scenario_text: String,
    /// The model file's text as loaded (empty in listings).
    pub model_text: String,
    /// Seed, speed, role policy.
    pub setup: DrillSetup,
    /// The team profile, if any.
    pub team: Option<String>,
    /// Who facilitated it.
    pub facilitator: Option<String>,
    /// Creation wall time, in milliseconds since the Unix epoch.
    pub created_wall_ms: u64,
    /// The state after its last logged input.
    pub state: DrillState,
    /// Logged inputs.
    pub n_inputs: u64,
    /// Logged events.
    pub n_events: u64,
}

/// How a [`Store`] is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreConfig {
    /// Requests the writer's channel holds before producers wait.
    pub queue_capacity: usize,
    /// Most requests committed in one transaction. 1 gives one transaction per append.
    pub batch_max: usize,
    /// How long a statement waits for a lock held by another process.
    pub busy_timeout: Duration,
    /// Reading connections in the pool.
    pub readers: u32,
}

impl Default for StoreConfig {
    fn default() -> StoreConfig {
        StoreConfig {
            queue_capacity: 4096,
            batch_max: 1024,
            busy_timeout: Duration::from_secs(10),
            readers: 4,
        }
    }
}

/// The drill log. Cheap to clone; clones share the reading pool and the one writer.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: Writer,
    /// The database file (`None` in memory), beside which runner locks live.
    path: Option<PathBuf>,
    /// Runner locks of an in-memory store.
    memory_locks: std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<DrillId>>>,
}

/// A drill's runner lock, released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct DrillLock {
    _file: Option<std::fs::File>,
    memory: Option<(std::sync::Arc<std::sync::Mutex<std::collections::BTreeSet<DrillId>>>, DrillId)>,
}

impl Drop for DrillLock {
    fn drop(&mut self) {
        if let Some((held, id)) = self.memory.take() {
            held.lock().unwrap_or_else(std::sync::PoisonError::into_inner).remove(&id);
        }
    }
}

/// A store's operations, so that another database can back them without changes to their callers.
pub trait DrillStore {
    /// Creates a drill, not started, and returns its id once it is durable.
    fn create_drill(&self, new: NewDrill) -> impl Future<Output = Result<DrillId, StoreError>> + Send;
    /// Durably appends one input, its events, and the drill's state after it; returns the input's seq.
    fn append(
        &self,
        drill: &DrillId,
        input: Input,
        events: Vec<Event>,
        state: DrillState,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Every drill, newest first, without the scenario and model texts.
    fn drills(&self) -> impl Future<Output = Result<Vec<DrillRecord>, StoreError>> + Send;
    /// One drill, with its texts.
    fn drill(&self, id: &DrillId) -> impl Future<Output = Result<DrillRecord, StoreError>> + Send;
    /// The drills not ended, newest first, without their texts.
    fn unfinished(&self) -> impl Future<Output = Result<Vec<DrillRecord>, StoreError>> + Send;
    /// A drill's inputs in order.
    fn inputs(&self, id: &DrillId) -> impl Future<Output = Result<Vec<Input>, StoreError>> + Send;
    /// A drill's events in order.
    fn events(&self, id: &DrillId) -> impl Future<Output = Result<Vec<Event>, StoreError>> + Send;
}

impl Store {
    /// Opens (creating it and its folder if needed) the database at `path` with the default config.
    /// WAL journal, `synchronous=FULL`, a busy timeout; migrations are applied. Needs a tokio runtime:
    /// the writer task is spawned here.
    pub async fn open(path: &Path) -> Result<Store, StoreError> {
        Store::open_with(path, &StoreConfig::default()).await
    }

    /// [`Store::open`] with an explicit config.
    ///
    /// Several processes may open a brand-new database at once (the app and a terminal on a fresh
    /// install): the first to take the open lock beside it (`<db>.open.lock`, the operating system's)
    /// creates the file, switches it to WAL and applies the migrations; the others wait for it, at most
    /// `config.busy_timeout`, and find the schema up to date.
    pub async fn open_with(path: &Path, config: &StoreConfig) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| StoreError::CreateDir { path: dir.to_owned(), source: e.into() })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full);
        let _open_lock = open_lock(path, config.busy_timeout).await?;
        Store::connect(options, config, path).await
    }

    /// Opens an existing database for reading only (`muster drills`, `report`, `log`): nothing is
    /// created, migrated or switched to WAL, and a file that is not a Muster drill log is refused
    /// ([`StoreError::NotMuster`]) before anything is written to it. Writes through the returned store
    /// fail.
    pub async fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::NoDatabase(path.to_owned()));
        }
        let config = StoreConfig::default();
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(config.busy_timeout)
            .foreign_keys(true);
        let open_error = |e| StoreError::Open { path: path.to_owned(), source: DbError::new(e) };
        let mut conn = options.connect().await.map_err(open_error)?;
        let tables: Result<Vec<String>, sqlx::Error> =
            sqlx::query_scalar("SELECT name FROM sqlite_schema WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await;
        let is_muster = match tables {
            Ok(tables) => ["_sqlx_migrations", "drills", "inputs", "events"]
                .iter()
                .all(|t| tables.iter().any(|x| x == t)),
            // "file is not a database": not ours either.
            Err(_) => false,
        };
        if !is_muster {
            let _ = conn.close().await;
            return Err(StoreError::NotMuster(path.to_owned()));
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(config.readers.max(1))
            .connect_with(options)
            .await
            .map_err(open_error)?;
        Ok(Store {
            pool,
            writer: Writer::spawn(conn, config.queue_capacity, config.batch_max),
            path: Some(path.to_owned()),
            memory_locks: std::sync::Arc::default(),
        })
    }

    /// A store in memory, gone when the last clone is closed or dropped. For tests.
    pub async fn open_in_memory() -> Result<Store, StoreError> {
        let path = Path::new(":memory:");
        // sqlx gives `sqlite::memory:` a process-unique name with a shared cache, so that the pool
        // and the writer see the same database.
        let options = SqliteConnectOptions::from_str("sqlite::memory:")
            .map_err(|e| StoreError::Open { path: path.to_owned(), source: DbError::new(e) })?;
        Store::connect(options, &StoreConfig::default(), path).await
    }

    /// Where the database lives by default: `$MUSTER_DB` if set and not empty, else `muster.db` in the
    /// platform's data folder (`~/.local/share/muster/muster.db` on Linux).
    pub fn default_path() -> Result<PathBuf, StoreError> {
        if let Some(path) = std::env::var_os(DB_ENV).filter(|p| !p.is_empty()) {
            return Ok(PathBuf::from(path));
        }
        let dirs = directories::ProjectDirs::from("org", "Muster", "muster").ok_or(StoreError::NoDataDir)?;
        Ok(dirs.data_dir().join("muster.db"))
    }

    /// Creates a drill, not started; returns its id once the row is durable.
    pub async fn create_drill(&self, new: NewDrill) -> Result<DrillId, StoreError> {
        self.writer.create(new).await
    }

    /// A handle to the store's one writer.
    pub fn writer(&self) -> Writer {
        self.writer.clone()
    }

    /// Every drill, newest first. The scenario and model texts are left empty to keep the listing
    /// light; [`Store::drill`] has them.
    pub async fn drills(&self) -> Result<Vec<DrillRecord>, StoreError> {
        self.records(
            "SELECT id, scenario_id, scenario_version, '', '', setup_json, team, facilitator, created_wall_ms, state, \
               (SELECT COALESCE(MAX(seq), 0) FROM inputs WHERE drill_id = d.id), \
               (SELECT COALESCE(MAX(seq), 0) FROM events WHERE drill_id = d.id) \
             FROM drills d ORDER BY created_wall_ms DESC, id DESC",
        )
        .await
    }

    /// One drill, with its texts; [`StoreError::NotFound`] if there is none with this id.
    pub async fn drill(&self, id: &DrillId) -> Result<DrillRecord, StoreError> {
        let row: Option<RecordRow> = sqlx::query_as(
            "SELECT id, scenario_id, scenario_version, scenario_text, model_text, setup_json, team, \
               facilitator, created_wall_ms, state, \
               (SELECT COALESCE(MAX(seq), 0) FROM inputs WHERE drill_id = d.id), \
               (SELECT COALESCE(MAX(seq), 0) FROM events WHERE drill_id = d.id) \
             FROM drills d WHERE id = ?1",
        )
        .bind(&id.0)
        .fetch_optional(&self.pool)
        .await
        .or_db()?;
        record(row.ok_or_else(|| StoreError::NotFound(id.clone()))?)
    }

    /// The drills not ended (not started, running or paused), newest first, texts left empty as in
    /// [`Store::drills`]: what can be resumed.
    pub async fn unfinished(&self) -> Result<Vec<DrillRecord>, StoreError> {
        self.records(
            "SELECT id, scenario_id, scenario_version, '', '', setup_json, team, facilitator, created_wall_ms, state, \
               (SELECT COALESCE(MAX(seq), 0) FROM inputs WHERE drill_id = d.id), \
               (SELECT COALESCE(MAX(seq), 0) FROM events WHERE drill_id = d.id) \
             FROM drills d WHERE state <> 'ended' ORDER BY created_wall_ms DESC, id DESC",
        )
        .await
    }

    /// A drill's inputs in sequence order.
    pub async fn inputs(&self, id: &DrillId) -> Result<Vec<Input>, StoreError> {
        self.input_page(id, 0, u32::MAX).await.map(|page| page.into_iter().map(|(_, input)| input).collect())
    }

    /// A drill's events in sequence order.
    pub async fn events(&self, id: &DrillId) -> Result<Vec<Event>, StoreError> {
        self.event_page(id, 0, u32::MAX).await.map(|page| page.into_iter().map(|(_, event)| event).collect())
    }

    /// The drill's improvement plan as last saved, or `None` if it was never edited.
    pub async fn plan(&self, id: &DrillId) -> Result<Option<Vec<PlanItem>>, StoreError> {
        let json: Option<String> = sqlx::query_scalar("SELECT plan_json FROM plans WHERE drill_id = ?1")
            .bind(&id.0)
            .fetch_optional(&self.pool)
            .await
            .or_db()?;
        json.map(|j| codec::from_json(id, "improvement plan", &j)).transpose()
    }

    /// Replaces the drill's improvement plan, durably (through the writer), at wall time `saved_wall_ms`.
    pub async fn save_plan(
        &self,
        id: &DrillId,
        plan: &[PlanItem],
        saved_wall_ms: u64,
    ) -> Result<(), StoreError> {
        let json = codec::to_json("improvement plan", &plan)?;
        self.writer.save_doc(writer::Doc::Plan, id, json, saved_wall_ms).await
    }

    /// A live drill's access document (JSON, as the live runtime wrote it), if it has one.
    pub async fn live_access(&self, id: &DrillId) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT access_json FROM live_access WHERE drill_id = ?1")
            .bind(&id.0)
            .fetch_optional(&self.pool)
            .await
            .or_db()
    }

    /// Queues a replacement of a live drill's access document behind everything queued before it (so it
    /// commits after the inputs that admitted its participants); the receipt resolves once durable.
    pub async fn enqueue_live_access(
        &self,
        id: &DrillId,
        json: String,
        saved_wall_ms: u64,
    ) -> Result<SaveReceipt, StoreError> {
        self.writer.enqueue_doc(writer::Doc::Access, id, json, saved_wall_ms).await
    }

    /// Takes the one runner's lock of a drill for as long as the returned guard lives: a second runner,
    /// in this process or another (`muster resume` in a terminal while the app runs the drill), gets
    /// [`StoreError::Busy`]. The lock is the operating system's (`flock` on a file beside the database),
    /// so a crashed runner holds nothing.
    pub fn lock_drill(&self, id: &DrillId) -> Result<DrillLock, StoreError> {
        let Some(db) = &self.path else {
            let mut held = self.memory_locks.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if !held.insert(id.clone()) {
                return Err(StoreError::Busy(id.clone()));
            }
            return Ok(DrillLock { _file: None, memory: Some((self.memory_locks.clone(), id.clone())) });
        };
        let mut dir = db.clone().into_os_string();
        dir.push(".locks");
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::CreateDir { path: dir.clone(), source: e.into() })?;
        let path = dir.join(format!("{}.lock", id.0));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| StoreError::Lock { path: path.clone(), source: e.into() })?;
        match file.try_lock() {
            Ok(()) => Ok(DrillLock { _file: Some(file), memory: None }),
            Err(std::fs::TryLockError::WouldBlock) => Err(StoreError::Busy(id.clone())),
            Err(std::fs::TryLockError::Error(e)) => Err(StoreError::Lock { path, source: e.into() }),
        }
    }

    /// The drill of the same scenario and team created just before `drill`, if any: the one whose open
    /// improvement-plan items carry over.
    pub async fn previous(&self, drill: &DrillRecord) -> Result<Option<DrillRecord>, StoreError> {
        let id: Option<String> = sqlx::query_scalar(
            "SELECT id FROM drills WHERE scenario_id = ?1 AND team IS ?2 AND id < ?3 \
             ORDER BY created_wall_ms DESC, id DESC LIMIT 1",
        )
        .bind(&drill.scenario_id)
        .bind(&drill.team)
        .bind(&drill.id.0)
        .fetch_optional(&self.pool)
        .await
        .or_db()?;
        match id {
            Some(id) => Ok(Some(self.drill(&DrillId(id)).await?)),
            None => Ok(None),
        }
    }

    /// Wall times of the drill's first and last input, if it has any.
    pub async fn wall_span(&self, id: &DrillId) -> Result<Option<(u64, u64)>, StoreError> {
        let (first, last): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(wall_ms), MAX(wall_ms) FROM inputs WHERE drill_id = ?1")
                .bind(&id.0)
                .fetch_one(&self.pool)
                .await
                .or_db()?;
        match (first, last) {
            (Some(f), Some(l)) => {
                Ok(Some((codec::to_u64(id, "wall time", f)?, codec::to_u64(id, "wall time", l)?)))
            }
            _ => Ok(None),
        }
    }

    /// Runs `PRAGMA integrity_check`; [`StoreError::Integrity`] with SQLite's report unless it says `ok`.
    pub async fn integrity_check(&self) -> Result<(), StoreError> {
        let lines: Vec<String> =
            sqlx::query_scalar("PRAGMA integrity_check").fetch_all(&self.pool).await.or_db()?;
        match lines.as_slice() {
            [ok] if ok == "ok" => Ok(()),
            _ => Err(StoreError::Integrity(lines.join("; "))),
        }
    }

    /// Commits everything the writer has queued, stops it, and closes every connection. Clones of this
    /// store (and their writers) fail with [`StoreError::WriterClosed`] afterwards. (Dropping every
    /// clone and writer instead also stops the writer after its queue, but only while the runtime runs.)
    pub async fn close(self) {
        self.writer.shut_down().await;
        self.pool.close().await;
    }
}

// Internals: connecting, paged reads, row decoding.
impl Store {
    async fn connect(
        options: SqliteConnectOptions,
        config: &StoreConfig,
        path: &Path,
    ) -> Result<Store, StoreError> {
        let options = options.busy_timeout(config.busy_timeout).foreign_keys(true);
        let open_error = |e| StoreError::Open { path: path.to_owned(), source: DbError::new(e) };
        // The writer keeps its statement journals (one per multi-row INSERT) in memory, and lets the WAL
        // grow to ~40 MB before checkpointing: a commit rewrites the tail pages of every drill it
        // touches, and a checkpoint copies each page once however often it was rewritten.
        let writer_options =
            options.clone().pragma("temp_store", "MEMORY").pragma("wal_autocheckpoint", "10000");
        let mut conn = writer_options.connect().await.map_err(open_error)?;
        if let Err(e) = MIGRATOR.run(&mut conn).await {
            let _ = conn.close().await;
            return Err(StoreError::Migrate(DbError::new(e)));
        }
        // Readers cannot write: the writer task is the only writer in this process.
        let pool = SqlitePoolOptions::new()
            .max_connections(config.readers.max(1))
            .connect_with(options.pragma("query_only", "ON"))
            .await
            .map_err(open_error)?;
        let file = (path != Path::new(":memory:")).then(|| path.to_owned());
        Ok(Store {
            pool,
            writer: Writer::spawn(conn, config.queue_capacity, config.batch_max),
            path: file,
            memory_locks: std::sync::Arc::default(),
        })
    }

    async fn records(&self, sql: &'static str) -> Result<Vec<DrillRecord>, StoreError> {
        let rows: Vec<RecordRow> = sqlx::query_as(sql).fetch_all(&self.pool).await.or_db()?;
        rows.into_iter().map(record).collect()
    }

    /// Up to `limit` inputs with their seq, after seq `after`. Checks the drill exists and the seqs are
    /// dense.
    pub(crate) async fn input_page(
        &self,
        id: &DrillId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<(u64, Input)>, StoreError> {
        self.require(id).await?;
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, input_json FROM inputs WHERE drill_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )
        .bind(&id.0)
        .bind(codec::to_i64("input sequence number", after)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .or_db()?;
        let mut page = Vec::with_capacity(rows.len());
        for (expected, (seq, json)) in (after + 1..).zip(rows) {
            let seq = codec::to_u64(id, "input sequence number", seq)?;
            if seq != expected {
                return Err(codec::corrupt(id, format!("input #{expected} is missing")));
            }
            page.push((seq, codec::from_json(id, &format!("input #{seq}"), &json)?));
        }
        Ok(page)
    }

    /// Up to `limit` events with the seq of their input, after event seq `after`. Checks the drill
    /// exists, the seqs are dense, and each event's own `seq` is its row's.
    pub(crate) async fn event_page(
        &self,
        id: &DrillId,
        after: u64,
        limit: u32,
    ) -> Result<Vec<(u64, Event)>, StoreError> {
        self.require(id).await?;
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "SELECT seq, input_seq, event_json FROM events WHERE drill_id = ?1 AND seq > ?2 \
             ORDER BY seq LIMIT ?3",
        )
        .bind(&id.0)
        .bind(codec::to_i64("event sequence number", after)?)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .or_db()?;
        let mut page = Vec::with_capacity(rows.len());
        for (expected, (seq, input_seq, json)) in (after + 1..).zip(rows) {
            let seq = codec::to_u64(id, "event sequence number", seq)?;
            if seq != expected {
                return Err(codec::corrupt(id, format!("event #{expected} is missing")));
            }
            let event: Event = codec::from_json(id, &format!("event #{seq}"), &json)?;
            if event.seq != seq {
                return Err(codec::corrupt(id, format!("event #{seq} says it is #{}", event.seq)));
            }
            page.push((codec::to_u64(id, "input sequence number", input_seq)?, event));
        }
        Ok(page)
    }

    async fn require(&self, id: &DrillId) -> Result<(), StoreError> {
        let found: Option<i64> = sqlx::query_scalar("SELECT 1 FROM drills WHERE id = ?1")
            .bind(&id.0)
            .fetch_optional(&self.pool)
            .await
            .or_db()?;
        found.map(drop).ok_or_else(|| StoreError::NotFound(id.clone()))
    }
}

impl DrillStore for Store {
    async fn create_drill(&self, new: NewDrill) -> Result<DrillId, StoreError> {
        Store::create_drill(self, new).await
    }

    async fn append(
        &self,
        drill: &DrillId,
        input: Input,
        events: Vec<Event>,
        state: DrillState,
    ) -> Result<u64, StoreError> {
        self.writer.append(drill, input, events, state).await
    }

    async fn drills(&self) -> Result<Vec<DrillRecord>, StoreError> {
        Store::drills(self).await
    }

    async fn drill(&self, id: &DrillId) -> Result<DrillRecord, StoreError> {
        Store::drill(self, id).await
    }

    async fn unfinished(&self) -> Result<Vec<DrillRecord>, StoreError> {
        Store::unfinished(self).await
    }

    async fn inputs(&self, id: &DrillId) -> Result<Vec<Input>, StoreError> {
        Store::inputs(self, id).await
    }

    async fn events(&self, id: &DrillId) -> Result<Vec<Event>, StoreError> {
        Store::events(self, id).await
    }
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How often a process waiting for another's open lock tries again.
const OPEN_LOCK_RETRY: Duration = Duration::from_millis(20);

/// Takes the lock that serialises opening (creating, switching to WAL, migrating) the database at
/// `db` across processes; waits at most `wait`. Released when the returned file is dropped, or when the
/// process ends however it ends.
async fn open_lock(db: &Path, wait: Duration) -> Result<std::fs::File, StoreError> {
    let mut name = db.as_os_str().to_owned();
    name.push(".open.lock");
    let path = PathBuf::from(name);
    let lock_error =
        |path: &Path, e: std::io::Error| StoreError::Lock { path: path.to_owned(), source: e.into() };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| lock_error(&path, e))?;
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(std::fs::TryLockError::WouldBlock) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(OPEN_LOCK_RETRY).await;
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::OpenBusy { path: db.to_owned(), waited: wait });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(lock_error(&path, e)),
        }
    }
}

/// A `drills` row with its counts, in column order.
type RecordRow =
    (String, String, String, String, String, String, Option<String>, Option<String>, i64, String, i64, i64);

fn record(row: RecordRow) -> Result<DrillRecord, StoreError> {
    let (
        id,
        scenario_id,
        scenario_version,
        scenario_text,
        model_text,
        setup,
        team,
        facilitator,
        created,
        state,
        n_in,
        n_ev,
    ) = row;
    let id = DrillId(id);
    Ok(DrillRecord {
        setup: codec::from_json(&id, "setup", &setup)?,
        created_wall_ms: codec::to_u64(&id, "creation time", created)?,
        state: codec::parse_state(&id, &state)?,
        n_inputs: codec::to_u64(&id, "input count", n_in)?,
        n_events: codec::to_u64(&id, "event count", n_ev)?,
        id,
        scenario_id,
        scenario_version,
        scenario_text,
        model_text,
        team,
        facilitator,
    })
}
