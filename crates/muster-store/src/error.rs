//! The store's one failure domain: [`StoreError`].
//!
//! Database driver errors are wrapped in the opaque [`DbError`], so no sqlx type reaches the public API.
//! Every variant is `Clone`: the group-commit writer hands one failure to every acknowledgement of a batch.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use crate::DrillId;

/// Why a store operation failed. Messages are lowercase fragments without a final period.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The folder that should hold the database could not be created.
    #[error("cannot create the database folder `{}`", path.display())]
    CreateDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        #[source]
        source: Arc<io::Error>,
    },
    /// The database could not be opened.
    #[error("cannot open the database `{}`", path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        #[source]
        source: DbError,
    },
    /// No database file is there (a read-only command creates none).
    #[error("there is no drill database at `{}` yet (`muster simulate` or the app makes one)", .0.display())]
    NoDatabase(PathBuf),
    /// The file is not a Muster drill database, so a read-only command leaves it untouched.
    #[error(
        "`{}` is not a Muster drill database (it holds no drill log); nothing was changed in it: pass --db with the file Muster keeps its drills in",
        .0.display()
    )]
    NotMuster(PathBuf),
    /// Another process kept the database's open lock for longer than the busy timeout.
    #[error("another process has been opening the database `{}` for more than {} s; try again", path.display(), waited.as_secs())]
    OpenBusy {
        /// The database file.
        path: PathBuf,
        /// How long this one waited.
        waited: std::time::Duration,
    },
    /// The schema migrations could not be applied.
    #[error("cannot bring the database schema up to date")]
    Migrate(#[source] DbError),
    /// A statement or transaction failed.
    #[error("database statement failed")]
    Database(#[source] DbError),
    /// Neither `MUSTER_DB` nor a platform data folder names a place for the database.
    #[error("no data folder to keep the database in (set MUSTER_DB)")]
    NoDataDir,
    /// No drill has this id.
    #[error("no drill `{0}`")]
    NotFound(DrillId),
    /// Another runner (this process or another: the app, a `muster resume`) is running the drill.
    #[error(
        "drill `{0}` is being run by another Muster process (the app or a terminal); continue it there, or stop that one first"
    )]
    Busy(DrillId),
    /// The runner lock file could not be opened or locked.
    #[error("cannot lock `{}`", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// Why.
        #[source]
        source: Arc<io::Error>,
    },
    /// A value could not be encoded as JSON.
    #[error("cannot encode the {what} as JSON")]
    Encode {
        /// What was encoded.
        what: &'static str,
        /// Why.
        #[source]
        source: Arc<serde_json::Error>,
    },
    /// Stored data does not decode or breaks an invariant of the log.
    #[error("stored data of drill `{drill}` is corrupt: {detail}")]
    Corrupt {
        /// The drill.
        drill: DrillId,
        /// What is wrong.
        detail: String,
    },
    /// An appended event's sequence number does not continue the drill's log.
    #[error("event #{actual} of drill `{drill}` is out of sequence, expected #{expected}")]
    EventSeq {
        /// The drill.
        drill: DrillId,
        /// The sequence number the log continues with.
        expected: u64,
        /// The one given.
        actual: u64,
    },
    /// A number is too large for the database's signed 64-bit integers (or for a drill id).
    #[error("{what} {value} is out of range")]
    OutOfRange {
        /// Which number.
        what: &'static str,
        /// Its value.
        value: u64,
    },
    /// Every drill id for this creation millisecond is taken.
    #[error("no drill id left for creation time {created_wall_ms} ms")]
    IdsExhausted {
        /// The creation time.
        created_wall_ms: u64,
    },
    /// The writer task has stopped (the store was closed).
    #[error("the store's writer has stopped")]
    WriterClosed,
    /// The scenario or model text stored with a drill no longer loads.
    #[error("stored {what} of drill `{drill}` does not load: {message}")]
    StoredText {
        /// The drill.
        drill: DrillId,
        /// `"model"` or `"scenario"`.
        what: &'static str,
        /// The first error diagnostic.
        message: String,
    },
    /// Replaying the inputs produced an event different from the logged one (or one too many or few).
    #[error("replay differs from the log at event #{seq}: expected `{expected}`, got `{actual}`")]
    ReplayMismatch {
        /// Sequence number of the first differing event.
        seq: u64,
        /// The logged event (`<no event>` when the replay produced an extra one).
        expected: String,
        /// The replayed event (`<no event>` when the replay produced too few).
        actual: String,
    },
    /// Replaying the inputs reproduced every event but ended in another drill state than the stored one.
    #[error("replay ends {actual} but the log says {expected}")]
    ReplayState {
        /// The stored state.
        expected: String,
        /// The replayed state.
        actual: String,
    },
    /// `PRAGMA integrity_check` reported problems.
    #[error("database integrity check failed: {0}")]
    Integrity(String),
}

/// A database driver error, kept opaque so that no driver type is part of the API.
#[derive(Debug, Clone)]
pub struct DbError(Arc<dyn std::error::Error + Send + Sync>);

impl DbError {
    pub(crate) fn new(e: impl std::error::Error + Send + Sync + 'static) -> DbError {
        DbError(Arc::new(e))
    }
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DbError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Turns driver results into [`StoreError::Database`] without a public `From` impl.
pub(crate) trait OrDb<T> {
    fn or_db(self) -> Result<T, StoreError>;
}

impl<T> OrDb<T> for Result<T, sqlx::Error> {
    fn or_db(self) -> Result<T, StoreError> {
        self.map_err(|e| StoreError::Database(DbError::new(e)))
    }
}
