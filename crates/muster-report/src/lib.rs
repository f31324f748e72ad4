//! After-action reports: a drill's score and event log rendered for people and for programs.
//!
//! [`build`] turns the core's [`Score`](muster_core::score::Score) plus what the store knows about the
//! drill ([`DrillInfo`]) into a [`Report`]: report-owned, serializable types whose JSON shape is an API,
//! versioned by [`SCHEMA_VERSION`] and described by `docs/report.schema.json`. The renderers
//! ([`to_json`], [`to_html`], [`to_markdown`], [`events_csv`], and the `trends_*` functions over many drills)
//! are pure functions of their arguments. This crate never reads the clock, files or the network, and the
//! HTML it writes loads nothing from anywhere: inline CSS and SVG only, under a strict CSP.
//! All text that comes from people or files (names, notes, titles, ids) is escaped for the format it goes
//! into; nothing from a drill is ever written as markup.

mod build;
mod csv_log;
mod html;
mod markdown;
mod text;
mod trends;
mod types;

#[cfg(test)]
mod tests;

use muster_core::engine::Event;
use muster_core::score::{PlanDraft, PlanItem, PlanStatus, Score};
use muster_core::{ResponsibilityModel, Scenario};
use schemars::JsonSchema;
use serde::Serialize;

pub use types::{
    AckItem, DrillSection, FindingItem, FindingKindName, HandoffItem, HandoffKindName, HeatCell, HeatRowItem,
    Heatmap, IdleGapItem, MarkItem, MarkKindName, MetricsSection, Moment, Named, ObjectiveRating,
    ObservationItem, Participant, PlanEntry, PlanStatusName, RatingLetter, Report, RoleFigures, RuleName,
    SodViolation, TeamFigures, Theme, Timeline, ToneName, Trends,
};

/// Version of the report's JSON shape (and of the trends JSON). Bump it on any change a reader could notice,
/// and regenerate `docs/report.schema.json` (the crate's tests do it outside CI).
pub const SCHEMA_VERSION: u32 = 1;

/// What the store knows about a drill, filled in by the caller.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillInfo {
    /// Drill id.
    pub id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub scenario_title: String,
    /// Scenario script version.
    pub scenario_version: String,
    /// When the drill was created, ms since the Unix epoch.
    pub created_wall_ms: u64,
    /// Wall time of the first input.
    pub started_wall_ms: Option<u64>,
    /// Wall time of the last input.
    pub ended_wall_ms: Option<u64>,
    /// Facilitator's name.
    pub facilitator: Option<String>,
    /// Team name.
    pub team: Option<String>,
    /// `not_started`, `running`, `paused` or `ended`.
    pub state: String,
}

/// Everything a report is built from.
#[derive(Debug, Clone)]
pub struct ReportInput<'a> {
    /// The drill as the store knows it.
    pub drill: DrillInfo,
    /// The scenario it ran.
    pub scenario: &'a Scenario,
    /// The responsibility model it was scored against.
    pub model: &'a ResponsibilityModel,
    /// Its score (`muster_core::score::score`).
    pub score: &'a Score,
    /// Its improvement plan as the facilitator left it.
    pub plan: &'a [PlanItem],
    /// Its events, in log order.
    pub events: &'a [Event],
}

/// One drill's figures in a trends chart.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TrendPoint {
    /// Drill id.
    pub drill_id: String,
    /// When it was created, ms since the Unix epoch.
    pub created_wall_ms: u64,
    /// Scenario id.
    pub scenario_id: String,
    /// Team name.
    pub team: Option<String>,
    /// Score 0–100.
    pub score: u32,
    /// Coverage 0–1.
    pub coverage: f64,
    /// Time to contain, scenario milliseconds.
    pub time_to_contain_ms: Option<u64>,
    /// Improvement-plan items.
    pub plan_items: u32,
    /// Of those, done.
    pub plan_done: u32,
}

/// Builds the report of one drill.
pub fn build(input: &ReportInput) -> Report {
    build::build(input)
}

/// The report as pretty JSON (the shape of `docs/report.schema.json`).
pub fn to_json(report: &Report) -> String {
    json(report)
}

/// The report as one self-contained HTML file: inline CSS and SVG, no script, no external request.
pub fn to_html(report: &Report) -> String {
    html::report(report)
}

/// The report as GitHub-flavoured Markdown, for wikis: the same sections, charts as tables.
pub fn to_markdown(report: &Report) -> String {
    markdown::report(report)
}

/// The event log as CSV: one row per event, with its raw JSON in the last column.
pub fn events_csv(events: &[Event], model: &ResponsibilityModel) -> String {
    csv_log::events(events, model)
}

/// Turns the core's drafts into dated plan items: due = drill creation date (UTC) + `due_days`.
pub fn draft_plan(drafts: &[PlanDraft], created_wall_ms: u64) -> Vec<PlanItem> {
    drafts
        .iter()
        .map(|d| PlanItem {
            issue: d.issue.clone(),
            corrective_action: d.corrective_action.clone(),
            capability: d.capability.clone(),
            owner: d.owner.clone(),
            due: text::date_plus_days(created_wall_ms, d.due_days),
            status: PlanStatus::Open,
            carried_from: None,
        })
        .collect()
}

/// Trends over drills as one self-contained HTML file: line charts as inline SVG, then a table.
pub fn trends_html(title: &str, points: &[TrendPoint]) -> String {
    trends::html(title, &trends::sorted(points))
}

/// Trends over drills as Markdown: a table per drill, in date order.
pub fn trends_markdown(title: &str, points: &[TrendPoint]) -> String {
    trends::markdown(title, &trends::sorted(points))
}

/// Trends over drills as pretty JSON: `{ "schema_version": 1, "points": [...] }`, in date order.
pub fn trends_json(points: &[TrendPoint]) -> String {
    json(&Trends { schema_version: SCHEMA_VERSION, points: trends::sorted(points) })
}

fn json<T: Serialize>(value: &T) -> String {
    // Serializing these types cannot fail: no maps with non-string keys, no non-finite floats
    // (coverage is a ratio of counts, 0 when nothing was offered).
    serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
