//! The one writer: a task that owns the only writing connection and commits in groups.
//!
//! Producers send requests over a bounded channel and wait for an acknowledgement. The task takes
//! whatever is queued (up to `batch_max`), writes it all in one `BEGIN IMMEDIATE` transaction, commits
//! (with `synchronous=FULL` the commit has reached the disk), and only then answers every request of
//! the batch. If the transaction fails, every request in it gets the error and nothing of it is kept.
//! A request that is invalid on its own (unknown drill, event out of sequence) is refused before it
//! writes anything, so it never spoils its batch. This module never acknowledges before a commit.
//!
//! Rows go in with multi-row `INSERT`s of a few fixed sizes (prepared once each): with sqlx every
//! statement is a round trip to the connection's worker thread, which costs more than SQLite's work.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use muster_core::engine::{DrillState, Event, Input};
use sqlx::{AssertSqlSafe, Connection, SqlSafeStr, SqlStr, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::codec::{self, EventRow, InputRow};
use crate::error::OrDb;
use crate::{DrillId, NewDrill, StoreError};

/// Most drills whose next sequence numbers the writer keeps in memory; beyond it the cache is cleared
/// before the next transaction (it is only a cache: it reloads from `MAX(seq)` on first use).
const CURSORS_MAX: usize = 100_000;

/// Rows per multi-row `INSERT`, largest first; a batch's rows are cut greedily into these sizes.
/// 256 events × 7 columns stays far below SQLite's 32 766 bound parameters.
const CHUNKS: [usize; 5] = [256, 64, 16, 4, 1];

/// A handle to the store's writer task. Cheap to clone; all clones feed the same task.
#[derive(Debug, Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
}

impl Writer {
    /// Durably appends one input with the events it produced and the drill's state after it; resolves
    /// only after the transaction holding it has committed (`synchronous=FULL`). Returns the input's
    /// sequence number in the drill (from 1, dense).
    ///
    /// The events must continue the drill's event log: the first one's `seq` is one more than the
    /// last logged event's, and they are consecutive ([`StoreError::EventSeq`] otherwise). Appends to one
    /// drill are logged in the order they reach the writer.
    pub async fn append(
        &self,
        drill: &DrillId,
        input: Input,
        events: Vec<Event>,
        state: DrillState,
    ) -> Result<u64, StoreError> {
        self.enqueue(drill, input, events, state).await?.await
    }

    /// Queues one append and returns as soon as it holds its place in the writer's queue (waiting
    /// only while the queue is full); the returned [`Receipt`] resolves like [`Writer::append`] once it
    /// has committed. For a caller that must keep one drill's appends in order without waiting for
    /// each commit: enqueue in order, await the receipts anywhere.
    pub async fn enqueue(
        &self,
        drill: &DrillId,
        input: Input,
        events: Vec<Event>,
        state: DrillState,
    ) -> Result<Receipt, StoreError> {
        let input = codec::input_row(&input)?;
        let events = events.iter().map(codec::event_row).collect::<Result<Vec<_>, _>>()?;
        let (ack, done) = oneshot::channel();
        self.send(Request::Append { drill: drill.clone(), input, events, state, ack }).await?;
        Ok(Receipt(done))
    }

    pub(crate) fn spawn(conn: SqliteConnection, queue_capacity: usize, batch_max: usize) -> Writer {
        let (tx, rx) = mpsc::channel(queue_capacity.max(1));
        let task = Task {
            conn,
            rx,
            inserts: Inserts::new(),
            batch_max: batch_max.max(1),
            cursors: BTreeMap::new(),
            dirty: BTreeSet::new(),
            shutdowns: Vec::new(),
        };
        tokio::spawn(task.run());
        Writer { tx }
    }

    pub(crate) async fn create(&self, new: NewDrill) -> Result<DrillId, StoreError> {
        let row = DrillRow {
            prefix: codec::id_prefix(new.created_wall_ms)?,
            created_wall_ms: codec::to_i64("creation time", new.created_wall_ms)?,
            setup_json: codec::to_json("drill setup", &new.setup)?,
            new,
        };
        let (ack, done) = oneshot::channel();
        self.send(Request::Create { row: Box::new(row), ack }).await?;
        done.await.map_err(|_| StoreError::WriterClosed)?
    }

    /// Replaces a drill's document (JSON) of this kind, durably.
    pub(crate) async fn save_doc(
        &self,
        doc: Doc,
        drill: &DrillId,
        json: String,
        saved_wall_ms: u64,
    ) -> Result<(), StoreError> {
        self.enqueue_doc(doc, drill, json, saved_wall_ms).await?.await
    }

    /// Queues a document save behind everything queued before it; the receipt resolves once committed.
    pub(crate) async fn enqueue_doc(
        &self,
        doc: Doc,
        drill: &DrillId,
        json: String,
        saved_wall_ms: u64,
    ) -> Result<SaveReceipt, StoreError> {
        let saved_wall_ms = codec::to_i64("save time", saved_wall_ms)?;
        let (ack, done) = oneshot::channel();
        self.send(Request::SaveDoc { doc, drill: drill.clone(), json, saved_wall_ms, ack }).await?;
        Ok(SaveReceipt(done))
    }

    /// Asks the task to commit everything queued before this call, close its connection and stop.
    pub(crate) async fn shut_down(&self) {
        let (ack, done) = oneshot::channel();
        if self.tx.send(Request::Shutdown { ack }).await.is_ok() {
            // An error means the task is gone already, which is what was asked.
            let _ = done.await;
        }
    }

    async fn send(&self, request: Request) -> Result<(), StoreError> {
        self.tx.send(request).await.map_err(|_| StoreError::WriterClosed)
    }
}

/// An append waiting in the writer's queue: a future of the input's seq, ready once it has committed.
/// Dropping it does not cancel the append.
#[derive(Debug)]
#[must_use = "a receipt resolves when the append is durable"]
pub struct Receipt(oneshot::Receiver<Result<u64, StoreError>>);

impl Future for Receipt {
    type Output = Result<u64, StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|answer| answer.unwrap_or(Err(StoreError::WriterClosed)))
    }
}

/// A document save waiting in the writer's queue, ready once it has committed. Dropping it does not
/// cancel the save.
#[derive(Debug)]
#[must_use = "a receipt resolves when the save is durable"]
pub struct SaveReceipt(oneshot::Receiver<Result<(), StoreError>>);

impl Future for SaveReceipt {
    type Output = Result<(), StoreError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx).map(|answer| answer.unwrap_or(Err(StoreError::WriterClosed)))
    }
}

/// The documents kept beside a drill's log, each replaced whole on save.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    /// The improvement plan (`plans`).
    Plan,
    /// Who may connect to a live drill (`live_access`).
    Access,
}

impl Doc {
    fn upsert(self) -> &'static str {
        match self {
            Doc::Plan => {
                "INSERT INTO plans (drill_id, plan_json, saved_wall_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (drill_id) DO UPDATE SET plan_json = excluded.plan_json, \
                 saved_wall_ms = excluded.saved_wall_ms"
            }
            Doc::Access => {
                "INSERT INTO live_access (drill_id, access_json, saved_wall_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (drill_id) DO UPDATE SET access_json = excluded.access_json, \
                 saved_wall_ms = excluded.saved_wall_ms"
            }
        }
    }
}

/// A new drill's row, encoded by the caller.
struct DrillRow {
    prefix: String,
    created_wall_ms: i64,
    setup_json: String,
    new: NewDrill,
}

enum Request {
    Create {
        row: Box<DrillRow>,
        ack: oneshot::Sender<Result<DrillId, StoreError>>,
    },
    Append {
        drill: DrillId,
        input: InputRow,
        events: Vec<EventRow>,
        state: DrillState,
        ack: oneshot::Sender<Result<u64, StoreError>>,
    },
    SaveDoc {
        doc: Doc,
        drill: DrillId,
        json: String,
        saved_wall_ms: i64,
        ack: oneshot::Sender<Result<(), StoreError>>,
    },
    Shutdown {
        ack: oneshot::Sender<()>,
    },
}

/// A request written into the open transaction, waiting for its commit.
enum Staged {
    Created(oneshot::Sender<Result<DrillId, StoreError>>, DrillId),
    Appended(oneshot::Sender<Result<u64, StoreError>>, u64),
    Saved(oneshot::Sender<Result<(), StoreError>>),
}

impl Staged {
    // A requester that stopped waiting does not undo the commit: its answer is simply dropped.
    fn succeed(self) {
        match self {
            Staged::Created(ack, id) => drop(ack.send(Ok(id))),
            Staged::Appended(ack, seq) => drop(ack.send(Ok(seq))),
            Staged::Saved(ack) => drop(ack.send(Ok(()))),
        }
    }

    fn fail(self, e: StoreError) {
        match self {
            Staged::Created(ack, _) => drop(ack.send(Err(e))),
            Staged::Appended(ack, _) => drop(ack.send(Err(e))),
            Staged::Saved(ack) => drop(ack.send(Err(e))),
        }
    }
}

/// Where a drill's log continues, and its state as last written.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    next_input: u64,
    next_event: u64,
    state: DrillState,
}

struct Task {
    conn: SqliteConnection,
    rx: mpsc::Receiver<Request>,
    inserts: Inserts,
    batch_max: usize,
    cursors: BTreeMap<DrillId, Cursor>,
    /// Drills whose state changed in the open transaction.
    dirty: BTreeSet<DrillId>,
    shutdowns: Vec<oneshot::Sender<()>>,
}

impl Task {
    async fn run(mut self) {
        let mut batch = Vec::with_capacity(self.batch_max);
        // `recv_many` returns 0 only once the channel is closed and empty: every queued request is
        // written before the task stops.
        while self.rx.recv_many(&mut batch, self.batch_max).await > 0 {
            self.gather(&mut batch).await;
            self.commit(&mut batch).await;
            if !self.shutdowns.is_empty() {
                self.rx.close();
            }
        }
        // Closing checkpoints the WAL; a failure here loses nothing that was acknowledged.
        let _ = self.conn.close().await;
        for ack in self.shutdowns.drain(..) {
            let _ = ack.send(());
        }
    }

    /// Tops the batch up with requests that arrive while other tasks get a turn: producers answered by
    /// the last commit are usually just about to send their next request, and waiting for them costs
    /// far less than a commit of its own. Stops as soon as a turn brings nothing new; never sleeps.
    async fn gather(&mut self, batch: &mut Vec<Request>) {
        while batch.len() < self.batch_max {
            tokio::task::yield_now().await;
            let before = batch.len();
            while batch.len() < self.batch_max {
                let Ok(request) = self.rx.try_recv() else { break };
                batch.push(request);
            }
            if batch.len() == before {
                break;
            }
        }
    }

    /// Writes one batch in one transaction and answers every request in it.
    async fn commit(&mut self, batch: &mut Vec<Request>) {
        if self.cursors.len() > CURSORS_MAX {
            // Forgotten only between transactions: a cursor staged in the open one is ahead of the
            // database and could not be reloaded.
            self.cursors.clear();
        }
        let mut staged = Vec::with_capacity(batch.len());
        let mut rows = Rows::default();
        let mut requests = batch.drain(..);
        let mut failure = exec(&mut self.conn, "BEGIN IMMEDIATE").await.err();
        if failure.is_none() {
            for request in requests.by_ref() {
                if let Err(e) = self.stage(request, &mut staged, &mut rows).await {
                    failure = Some(e);
                    break;
                }
            }
        }
        if failure.is_none() {
            failure = self.finish(rows).await.err();
        }
        let Some(e) = failure else {
            staged.into_iter().for_each(Staged::succeed);
            return;
        };
        // Nothing of the batch is kept: roll back (an error means SQLite rolled back already) and
        // forget the cursors, which may have advanced past what is on disk.
        let _ = exec(&mut self.conn, "ROLLBACK").await;
        self.cursors.clear();
        self.dirty.clear();
        staged.into_iter().for_each(|s| s.fail(e.clone()));
        for request in requests {
            match request {
                Request::Create { ack, .. } => drop(ack.send(Err(e.clone()))),
                Request::Append { ack, .. } => drop(ack.send(Err(e.clone()))),
                Request::SaveDoc { ack, .. } => drop(ack.send(Err(e.clone()))),
                Request::Shutdown { ack } => self.shutdowns.push(ack),
            }
        }
    }

    /// Takes one request into the open transaction: a new drill is inserted at once, an append's rows
    /// are collected in `rows`. An `Err` is a database failure that spoils the batch; a request refused
    /// on its own is answered here and returns `Ok`.
    async fn stage(
        &mut self,
        request: Request,
        staged: &mut Vec<Staged>,
        rows: &mut Rows,
    ) -> Result<(), StoreError> {
        match request {
            Request::Shutdown { ack } => self.shutdowns.push(ack),
            Request::Create { row, ack } => match self.create(&row).await {
                Ok(Ok(id)) => staged.push(Staged::Created(ack, id)),
                Ok(Err(refused)) => drop(ack.send(Err(refused))),
                Err(e) => {
                    drop(ack.send(Err(e.clone())));
                    return Err(e);
                }
            },
            Request::SaveDoc { doc, drill, json, saved_wall_ms, ack } => {
                if self.cursor(&drill).await?.is_none() {
                    drop(ack.send(Err(StoreError::NotFound(drill))));
                    return Ok(());
                }
                let saved = sqlx::query(doc.upsert())
                    .bind(&drill.0)
                    .bind(json)
                    .bind(saved_wall_ms)
                    .execute(&mut self.conn)
                    .await
                    .or_db();
                match saved {
                    Ok(_) => staged.push(Staged::Saved(ack)),
                    Err(e) => {
                        drop(ack.send(Err(e.clone())));
                        return Err(e);
                    }
                }
            }
            Request::Append { drill, input, events, state, ack } => {
                match self.append(drill, input, events, state, rows).await {
                    Ok(Ok(seq)) => staged.push(Staged::Appended(ack, seq)),
                    Ok(Err(refused)) => drop(ack.send(Err(refused))),
                    Err(e) => {
                        drop(ack.send(Err(e.clone())));
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// Inserts a new drill under the next free id of its creation millisecond.
    async fn create(&mut self, row: &DrillRow) -> Result<Result<DrillId, StoreError>, StoreError> {
        let first = codec::drill_id(&row.prefix, 0);
        let last = codec::drill_id(&row.prefix, codec::COUNTER_MAX - 1);
        let max: Option<String> =
            sqlx::query_scalar("SELECT MAX(id) FROM drills WHERE id >= ?1 AND id <= ?2")
                .bind(&first.0)
                .bind(&last.0)
                .fetch_one(&mut self.conn)
                .await
                .or_db()?;
        let counter = match max.as_deref().map(codec::id_counter) {
            None => 0,
            Some(Some(n)) if n + 1 < codec::COUNTER_MAX => n + 1,
            Some(_) => {
                let created_wall_ms = row.new.created_wall_ms;
                return Ok(Err(StoreError::IdsExhausted { created_wall_ms }));
            }
        };
        let id = codec::drill_id(&row.prefix, counter);
        let new = &row.new;
        sqlx::query(
            "INSERT INTO drills (id, scenario_id, scenario_version, scenario_text, model_text, setup_json, \
             team, facilitator, created_wall_ms, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .bind(&id.0)
        .bind(&new.scenario_id)
        .bind(&new.scenario_version)
        .bind(&new.scenario_text)
        .bind(&new.model_text)
        .bind(&row.setup_json)
        .bind(&new.team)
        .bind(&new.facilitator)
        .bind(row.created_wall_ms)
        .bind(codec::state_text(DrillState::NotStarted))
        .execute(&mut self.conn)
        .await
        .or_db()?;
        self.cursors
            .insert(id.clone(), Cursor { next_input: 1, next_event: 1, state: DrillState::NotStarted });
        Ok(Ok(id))
    }

    /// Numbers one input and collects its rows; [`Task::finish`] writes them and the drill's state.
    async fn append(
        &mut self,
        drill: DrillId,
        input: InputRow,
        events: Vec<EventRow>,
        state: DrillState,
        rows: &mut Rows,
    ) -> Result<Result<u64, StoreError>, StoreError> {
        let Some(cursor) = self.cursor(&drill).await? else {
            return Ok(Err(StoreError::NotFound(drill)));
        };
        for (expected, event) in (cursor.next_event..).zip(&events) {
            if event.seq != expected {
                return Ok(Err(StoreError::EventSeq { drill, expected, actual: event.seq }));
            }
        }
        let seq = cursor.next_input;
        let seq_i64 = match codec::to_i64("input sequence number", seq) {
            Ok(n) => n,
            Err(refused) => return Ok(Err(refused)),
        };
        let n_events = u64::try_from(events.len()).unwrap_or(u64::MAX);
        if state != cursor.state {
            self.dirty.insert(drill.clone());
        }
        let next = Cursor { next_input: seq + 1, next_event: cursor.next_event + n_events, state };
        self.cursors.insert(drill.clone(), next);
        rows.events.extend(events.into_iter().map(|event| (drill.0.clone(), seq_i64, event)));
        rows.inputs.push((drill.0, seq_i64, input));
        Ok(Ok(seq))
    }

    /// Inserts the collected rows, writes the state of every drill whose state changed, and commits.
    async fn finish(&mut self, rows: Rows) -> Result<(), StoreError> {
        let mut inputs = rows.inputs.into_iter();
        for (n, sql) in &self.inserts.inputs {
            while inputs.len() >= *n {
                let mut query = sqlx::query(sql.clone());
                for (drill, seq, input) in inputs.by_ref().take(*n) {
                    query = query.bind(drill).bind(seq).bind(input.wall_ms).bind(input.json);
                }
                query.execute(&mut self.conn).await.or_db()?;
            }
        }
        // Events after inputs: each event's foreign key names its input.
        let mut events = rows.events.into_iter();
        for (n, sql) in &self.inserts.events {
            while events.len() >= *n {
                let mut query = sqlx::query(sql.clone());
                for (drill, input_seq, event) in events.by_ref().take(*n) {
                    // `codec::event_row` checked that the seq fits.
                    let seq = i64::try_from(event.seq).unwrap_or(i64::MAX);
                    query = query
                        .bind(drill)
                        .bind(seq)
                        .bind(input_seq)
                        .bind(event.at_ms)
                        .bind(event.kind)
                        .bind(event.audience_json)
                        .bind(event.json);
                }
                query.execute(&mut self.conn).await.or_db()?;
            }
        }
        for drill in std::mem::take(&mut self.dirty) {
            let Some(cursor) = self.cursors.get(&drill) else { continue };
            sqlx::query("UPDATE drills SET state = ?2 WHERE id = ?1")
                .bind(&drill.0)
                .bind(codec::state_text(cursor.state))
                .execute(&mut self.conn)
                .await
                .or_db()?;
        }
        exec(&mut self.conn, "COMMIT").await
    }

    /// The drill's cursor, loaded from the log on first use; `None` if there is no such drill.
    async fn cursor(&mut self, drill: &DrillId) -> Result<Option<Cursor>, StoreError> {
        if let Some(cursor) = self.cursors.get(drill) {
            return Ok(Some(*cursor));
        }
        let row: Option<(String, i64, i64)> = sqlx::query_as(
            "SELECT state, \
               (SELECT COALESCE(MAX(seq), 0) FROM inputs WHERE drill_id = ?1), \
               (SELECT COALESCE(MAX(seq), 0) FROM events WHERE drill_id = ?1) \
             FROM drills WHERE id = ?1",
        )
        .bind(&drill.0)
        .fetch_optional(&mut self.conn)
        .await
        .or_db()?;
        let Some((state, last_input, last_event)) = row else { return Ok(None) };
        let cursor = Cursor {
            next_input: codec::to_u64(drill, "input sequence number", last_input)? + 1,
            next_event: codec::to_u64(drill, "event sequence number", last_event)? + 1,
            state: codec::parse_state(drill, &state)?,
        };
        self.cursors.insert(drill.clone(), cursor);
        Ok(Some(cursor))
    }
}

/// The rows of the appends staged in the open transaction: `(drill, input seq, row)`.
#[derive(Default)]
struct Rows {
    inputs: Vec<(String, i64, InputRow)>,
    events: Vec<(String, i64, EventRow)>,
}

/// The multi-row `INSERT` statements, one per size in [`CHUNKS`].
struct Inserts {
    inputs: Vec<(usize, SqlStr)>,
    events: Vec<(usize, SqlStr)>,
}

impl Inserts {
    fn new() -> Inserts {
        let sized = |head: &str, columns: usize| {
            let row = format!("({})", vec!["?"; columns].join(", "));
            CHUNKS
                .iter()
                .map(|&n| {
                    (
                        n,
                        AssertSqlSafe(format!("{head} VALUES {}", vec![row.as_str(); n].join(", ")))
                            .into_sql_str(),
                    )
                })
                .collect()
        };
        Inserts {
            inputs: sized("INSERT INTO inputs (drill_id, seq, wall_ms, input_json)", 4),
            events: sized(
                "INSERT INTO events (drill_id, seq, input_seq, at_ms, kind, audience_json, event_json)",
                7,
            ),
        }
    }
}

async fn exec(conn: &mut SqliteConnection, sql: &'static str) -> Result<(), StoreError> {
    sqlx::query(sql).execute(conn).await.or_db().map(drop)
}
