//! Muster's pure core: the responsibility model, the scenario language and its validation.
//!
//! Everything here is deterministic and does no I/O: text comes in, values and diagnostics go out.
//! It never reads the clock, the file system or OS randomness (see `clippy.toml` and the tidy test).
//! Later the drill engine and scoring live here too, on the same terms.
#![warn(missing_docs)]

pub mod board;
pub mod diagnostic;
pub mod engine;
pub mod model;
pub mod raw;
pub mod scenario;
pub mod score;
pub mod sim;
pub mod span;
pub mod text;
pub mod time;
pub mod validate;
pub mod variables;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use model::{
    ActionId, Capability, CapabilityId, InjectId, ObjectiveId, Raci, ResponsibilityModel, Role, RoleId,
    ScenarioId, SodConstraint, SodRule, SodRuleId, SodSide,
};
pub use scenario::{
    ActionKind, Attachment, AttachmentKind, Channel, Charset, Difficulty, ExpectedAction, Inject, Metric,
    Objective, Scenario, SodPart, Trigger, Variable, VariableValue,
};
pub use time::{ScenarioMs, format_duration, parse_duration};
pub use validate::{
    Counts, FileKind, Header, Loaded, ScenarioLoad, earliest_fire_times, file_kind, load_model,
    load_scenario, load_stored_model, load_stored_scenario, model_unavailable, read_header,
};
