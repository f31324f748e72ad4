//! The report's shapes: what `to_json` writes and `docs/report.schema.json` describes.
//!
//! These are report-owned types, not re-serialized core types: the JSON is an API with its own version
//! ([`crate::SCHEMA_VERSION`]), and the core may change its internals without breaking readers.
//! Scenario times come as milliseconds (`*_ms`) beside a `T+hh:mm:ss` string; durations as milliseconds
//! beside a short form (`4m30s`); wall times as ISO 8601 UTC strings only.

use schemars::JsonSchema;
use serde::Serialize;

/// An after-action report: the story of one drill, ratings first, then the evidence.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Report {
    /// Version of this JSON shape; readers check it before anything else.
    pub schema_version: u32,
    /// The drill: scenario, dates, people.
    pub drill: DrillSection,
    /// The team's figures.
    pub team: TeamFigures,
    /// One generated paragraph for leadership.
    pub executive_summary: String,
    /// Each objective with its rating, in scenario order.
    pub objectives: Vec<ObjectiveRating>,
    /// What went well, one item per capability, most points first.
    pub strengths: Vec<Theme>,
    /// What to improve, one item per capability and rule, most points lost first.
    pub areas_for_improvement: Vec<Theme>,
    /// Per role in play, in scenario order.
    pub roles: Vec<RoleFigures>,
    /// Time metrics.
    pub metrics: MetricsSection,
    /// Who did the work of each capability, against who was expected to.
    pub heatmap: Heatmap,
    /// What happened when, per role lane.
    pub timeline: Timeline,
    /// Segregation-of-duties violations.
    pub sod_violations: Vec<SodViolation>,
    /// The facilitator's observations, in time order.
    pub observations: Vec<ObservationItem>,
    /// The improvement plan as the facilitator left it.
    pub improvement_plan: Vec<PlanEntry>,
    /// Every finding (every point explained), in scoring order.
    pub findings: Vec<FindingItem>,
}

/// Something with an id and a name for people (a role, a participant, a capability).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
pub struct Named {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
}

/// The drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DrillSection {
    /// Drill id.
    pub id: String,
    /// Scenario id.
    pub scenario_id: String,
    /// Scenario title.
    pub scenario_title: String,
    /// Scenario script version.
    pub scenario_version: String,
    /// When the drill was created, ISO 8601 UTC (`2025-03-11T14:00:00Z`).
    pub created: String,
    /// The creation date, `YYYY-MM-DD` (UTC).
    pub date: String,
    /// Wall time of the first input, ISO 8601 UTC.
    pub started: Option<String>,
    /// Wall time of the last input, ISO 8601 UTC.
    pub ended: Option<String>,
    /// Wall time between the first and the last input, in milliseconds.
    pub wall_duration_ms: Option<u64>,
    /// The same, short form (`1h5m30s`).
    pub wall_duration: Option<String>,
    /// The scenario time the drill reached (its end, or its last event), in milliseconds.
    pub scenario_time_reached_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub scenario_time_reached: String,
    /// The scenario's nominal duration, in milliseconds.
    pub scenario_duration_ms: u64,
    /// Facilitator's name, if recorded.
    pub facilitator: Option<String>,
    /// Team name, if recorded.
    pub team: Option<String>,
    /// The drill's seed, if it started.
    pub seed: Option<u64>,
    /// `not_started`, `running`, `paused` or `ended`.
    pub state: String,
    /// Everyone who joined, with every role they held.
    pub participants: Vec<Participant>,
}

/// A participant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Participant {
    /// Participant id.
    pub id: String,
    /// Display name (the last one given).
    pub name: String,
    /// Roles held during the drill.
    pub roles: Vec<Named>,
}

/// The team's figures.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TeamFigures {
    /// 0–100: points earned over points possible, rounded.
    pub score: u32,
    /// 0–1: the share of expected actions in play done.
    pub coverage: f64,
    /// Points earned (penalties taken off, never below zero).
    pub earned: i64,
    /// Points possible.
    pub possible: i64,
    /// Expected actions in play: offered during the drill, or held back because an action in play that
    /// they follow was never done.
    pub in_play: u32,
    /// Of those, done.
    pub done: u32,
    /// Of those done, by an owner or a role an owner handed them to.
    pub right_owner: u32,
    /// Of those done, how many had a deadline.
    pub done_with_deadline: u32,
    /// Of those, done by it.
    pub on_time: u32,
    /// Segregation-of-duties violations.
    pub sod_violations: u32,
    /// Expected actions not in play (an escalation not needed, an inject withheld or due after the end);
    /// not counted.
    pub not_in_play: u32,
}

/// An objective exercise programmes' letter rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub enum RatingLetter {
    /// Performed without challenges.
    P,
    /// Performed with some challenges.
    S,
    /// Performed with major challenges.
    M,
    /// Unable to be performed.
    U,
}

/// One objective's rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ObjectiveRating {
    /// Objective id.
    pub id: String,
    /// Its sentence.
    pub title: String,
    /// The letter.
    pub rating: RatingLetter,
    /// The rating in words ("Performed with some challenges").
    pub rating_text: String,
    /// Why, in one sentence.
    pub reason: String,
    /// Points earned over its actions.
    pub earned: i64,
    /// Points possible over its actions in play.
    pub possible: i64,
    /// Its actions in play.
    pub in_play: u32,
    /// Of those, done.
    pub done: u32,
    /// Segregation-of-duties violations on its actions.
    pub sod_violations: u32,
}

/// Which scoring rule a finding applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// Every expected action done.
    Coverage,
    /// Done by its owner, or properly handed off.
    RightOwner,
    /// By the deadline.
    Timeliness,
    /// Prerequisites first.
    Order,
    /// Segregation of duties.
    Segregation,
    /// Consulted and Informed roles told.
    Communication,
    /// Not done twice by different roles.
    Duplication,
}

/// What a finding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FindingKindName {
    /// The action was done.
    Done,
    /// Offered, never done.
    Missed,
    /// Never done while another role waited on it.
    Gap,
    /// Done by an owner.
    Owner,
    /// Done by a role an owner handed it to.
    HandedOff,
    /// Done by a role that does not own it.
    OutsideLane,
    /// Done by the deadline.
    OnTime,
    /// Done after the deadline.
    Late,
    /// Prerequisites done first.
    InOrder,
    /// Done before its prerequisites.
    OutOfOrder,
    /// A Consulted or Informed role was told.
    Told,
    /// A Consulted role was told only after the action.
    ToldLate,
    /// A Consulted or Informed role was never told.
    NotTold,
    /// A segregation-of-duties rule was broken.
    SodViolated,
    /// A segregation-of-duties rule was exercised and kept.
    SodKept,
    /// Another role did an action already done.
    Duplicate,
}

/// Strength, area for improvement, or context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ToneName {
    /// Went well.
    Strength,
    /// To improve.
    Improvement,
    /// Context.
    Neutral,
}

/// One explained point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FindingItem {
    /// Number of the finding in this report, from 1 (themes refer to it).
    pub number: u32,
    /// The rule applied.
    pub rule: RuleName,
    /// The rule's name for people.
    pub rule_text: String,
    /// What it says.
    pub kind: FindingKindName,
    /// Strength or improvement.
    pub tone: ToneName,
    /// The expected action concerned.
    pub action: Option<Named>,
    /// Its capability.
    pub capability: Option<Named>,
    /// The segregation-of-duties rule concerned.
    pub sod_rule: Option<Named>,
    /// Roles concerned (the actor's first).
    pub roles: Vec<Named>,
    /// Participants concerned.
    pub participants: Vec<Named>,
    /// When, in scenario milliseconds.
    pub at_ms: Option<u64>,
    /// When, `T+hh:mm:ss`.
    pub at: Option<String>,
    /// Points given (negative for a penalty).
    pub points: i64,
    /// Points this part could give (0 for a penalty).
    pub max: i64,
    /// Sequence numbers of the events that caused it.
    pub events: Vec<u64>,
    /// The finding in one sentence.
    pub text: String,
}

/// A strength or an area for improvement in one sentence, with its evidence. Strengths group the findings
/// of one capability; areas for improvement those of one capability and one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Theme {
    /// The rules its findings applied.
    pub rules: Vec<RuleName>,
    /// The capability, when the findings have one.
    pub capability: Option<Named>,
    /// The theme in one sentence.
    pub text: String,
    /// For a strength, points earned; for an area for improvement, points lost.
    pub points: i64,
    /// The findings behind it (their numbers).
    pub findings: Vec<u32>,
    /// Their texts, the evidence.
    pub evidence: Vec<String>,
    /// The events behind them, sorted.
    pub events: Vec<u64>,
}

/// One role's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RoleFigures {
    /// Role id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Who held it.
    pub participants: Vec<Named>,
    /// Offered actions it owns.
    pub owned: u32,
    /// Of those, done by this role.
    pub done_by_role: u32,
    /// Of those, done by another role.
    pub done_by_others: u32,
    /// Of those, never done.
    pub missed: u32,
    /// Actions it did that other roles own and had not handed to it.
    pub outside_lane: u32,
    /// Of the owned actions it did, done late.
    pub late: u32,
    /// Points earned over the actions it owns.
    pub earned: i64,
    /// Points possible over the actions it owns.
    pub possible: i64,
    /// Messages it sent.
    pub told_others: u32,
    /// Messages it received.
    pub was_told: u32,
    /// Injects it received.
    pub injects: u32,
    /// Of those, acknowledged.
    pub acknowledged: u32,
    /// Median time to acknowledge an inject, in milliseconds.
    pub median_ack_ms: Option<u64>,
    /// The same, short form.
    pub median_ack: Option<String>,
    /// Longest idle gap with open work, in milliseconds.
    pub longest_idle_ms: Option<u64>,
    /// The same, short form.
    pub longest_idle: Option<String>,
}

/// Time metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MetricsSection {
    /// Per inject fired and recipient role.
    pub acknowledgements: Vec<AckItem>,
    /// When every containment action was done, in scenario milliseconds.
    pub time_to_contain_ms: Option<u64>,
    /// The same, `T+hh:mm:ss`.
    pub time_to_contain: Option<String>,
    /// When every notification action was done, in scenario milliseconds.
    pub time_to_notify_ms: Option<u64>,
    /// The same, `T+hh:mm:ss`.
    pub time_to_notify: Option<String>,
    /// Work passing between roles.
    pub handoffs: Vec<HandoffItem>,
    /// Stretches where a role with open work did nothing.
    pub idle_gaps: Vec<IdleGapItem>,
}

/// One inject reaching one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AckItem {
    /// The inject id.
    pub inject: String,
    /// The recipient role.
    pub role: Named,
    /// When it fired, scenario milliseconds.
    pub fired_at_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub fired_at: String,
    /// When the role first acknowledged it.
    pub acked_at_ms: Option<u64>,
    /// The same, `T+hh:mm:ss`.
    pub acked_at: Option<String>,
    /// How long that took, in milliseconds.
    pub latency_ms: Option<u64>,
}

/// How work passed from one role to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoffKindName {
    /// An explicit hand-off.
    Explicit,
    /// One role's action unblocked another role's (its prerequisite).
    Prerequisite,
}

/// Work passing between roles, and how long the receiving role took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct HandoffItem {
    /// Kind.
    pub kind: HandoffKindName,
    /// The role passing it on.
    pub from: Named,
    /// The role taking it.
    pub to: Named,
    /// The expected action taken up.
    pub action: Named,
    /// When it was passed, scenario milliseconds.
    pub at_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub at: String,
    /// When the receiving role did it.
    pub done_at_ms: Option<u64>,
    /// The same, `T+hh:mm:ss`.
    pub done_at: Option<String>,
    /// Latency: from passed to done, in milliseconds.
    pub latency_ms: Option<u64>,
    /// The same, short form.
    pub latency: Option<String>,
}

/// A stretch where a role with open work did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IdleGapItem {
    /// The role.
    pub role: Named,
    /// From, scenario milliseconds.
    pub from_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub from: String,
    /// To, scenario milliseconds.
    pub to_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub to: String,
    /// Length in milliseconds.
    pub length_ms: u64,
    /// The same, short form.
    pub length: String,
}

/// Expected owner × actual actor, per capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Heatmap {
    /// The columns: roles in play, in scenario order (a last "not done" column is implied by `missed`).
    pub roles: Vec<Named>,
    /// One row per capability whose actions came up.
    pub rows: Vec<HeatRowItem>,
    /// The largest count in any cell (for shading).
    pub max_count: u32,
}

/// One capability's row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct HeatRowItem {
    /// The capability.
    pub capability: Named,
    /// One cell per role in `Heatmap::roles`, same order.
    pub cells: Vec<HeatCell>,
    /// Actions offered and never done.
    pub missed: u32,
}

/// One cell: how many of the capability's actions a role did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct HeatCell {
    /// The role id.
    pub role: String,
    /// Actions done by the role.
    pub count: u32,
    /// Whether the role owns any of the capability's actions.
    pub expected: bool,
}

/// What a timeline mark shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MarkKindName {
    /// An inject reached the lane's role.
    Inject,
    /// The role did an expected action on time (or without a deadline).
    Done,
    /// The role did an expected action late.
    Late,
    /// The role did an action it does not own.
    OutsideLane,
    /// An action the role owns passed its deadline undone and was never done.
    Missed,
    /// The role told another role.
    Told,
    /// A segregation-of-duties violation.
    SodViolation,
}

/// What happened when, per role lane.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Timeline {
    /// The end of the chart, scenario milliseconds.
    pub end_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub end: String,
    /// The lanes: roles in play, in scenario order.
    pub lanes: Vec<Named>,
    /// Every mark, in time order.
    pub marks: Vec<MarkItem>,
    /// The key moments (injects, actions done or missed, violations, observations, the end), in time order.
    pub key_moments: Vec<Moment>,
}

/// One mark on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct MarkItem {
    /// When, scenario milliseconds.
    pub at_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub at: String,
    /// The lane (role id).
    pub role: String,
    /// What.
    pub kind: MarkKindName,
    /// Short label (inject or action id, or the role told).
    pub label: String,
    /// The event, if one.
    pub seq: Option<u64>,
    /// A sentence for hover text.
    pub text: String,
}

/// A key moment of the drill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Moment {
    /// When, scenario milliseconds.
    pub at_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub at: String,
    /// What kind of moment: `inject`, `done`, `late`, `outside_lane`, `missed`, `sod_violation`,
    /// `observation` or `ended`.
    pub kind: String,
    /// What happened, in one sentence.
    pub text: String,
    /// Roles concerned.
    pub roles: Vec<Named>,
    /// The event, if one.
    pub seq: Option<u64>,
}

/// A segregation-of-duties violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SodViolation {
    /// The rule broken.
    pub rule: Named,
    /// Its rationale.
    pub rationale: String,
    /// Who broke it.
    pub participants: Vec<Named>,
    /// As which roles.
    pub roles: Vec<Named>,
    /// The action that completed the violation.
    pub action: Option<Named>,
    /// When, scenario milliseconds.
    pub at_ms: Option<u64>,
    /// The same, `T+hh:mm:ss`.
    pub at: Option<String>,
    /// The penalty (negative).
    pub points: i64,
    /// The events.
    pub events: Vec<u64>,
    /// The finding's sentence.
    pub text: String,
}

/// A facilitator's observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ObservationItem {
    /// When, scenario milliseconds.
    pub at_ms: u64,
    /// The same, `T+hh:mm:ss`.
    pub at: String,
    /// The event.
    pub seq: u64,
    /// The text, as typed (data, never markup).
    pub text: String,
}

/// Where an improvement-plan item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatusName {
    /// Still to do.
    Open,
    /// Done.
    Done,
}

/// An item of the improvement plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct PlanEntry {
    /// What went wrong.
    pub issue: String,
    /// What to do about it.
    pub corrective_action: String,
    /// The capability.
    pub capability: Named,
    /// The role that owns the fix.
    pub owner: Named,
    /// Due date, `YYYY-MM-DD`.
    pub due: String,
    /// Open or done.
    pub status: PlanStatusName,
    /// The drill whose plan it was carried over from, if any.
    pub carried_from: Option<String>,
}

/// A trends document: `trends_json` writes it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Trends {
    /// Version of this JSON shape (the same counter as the report's).
    pub schema_version: u32,
    /// One point per drill, in drill date order.
    pub points: Vec<crate::TrendPoint>,
}
