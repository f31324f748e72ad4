//! Muster's application layer: the one way in that the CLI, the HTTP server and the desktop app share.
//!
//! - [`setup`]: a scenario and its model from the library or a file, and a new drill in the store;
//! - [`step`]: the step every runner takes — input → engine → what to log — so `muster simulate` and the
//!   live runtime log the same way;
//! - [`live`]: the live-drill runtime: one task per drill that owns its `Drill`, sleeps until the engine's
//!   next deadline, logs through the group-commit writer, and fans events out by role only after they are
//!   durable; joining by code or per-seat link, tokens, the lobby, resume after a crash;
//! - [`drills`]: drill history over the log — reports' data, improvement plans, trends.
//!
//! The HTTP crate holds HTTP and WebSocket only and calls in here; nothing here knows about HTTP.

pub mod drills;
pub mod live;
pub mod setup;
pub mod step;
