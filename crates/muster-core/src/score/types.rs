//! What scoring returns: the findings that explain every point, and the figures built from them.

use serde::{Deserialize, Serialize};

use crate::engine::ParticipantId;
use crate::model::{ActionId, CapabilityId, InjectId, ObjectiveId, RoleId, SodRuleId};
use crate::time::ScenarioMs;

/// A drill's score: findings first, every other figure derived from the same log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    /// The team's totals.
    pub team: TeamScore,
    /// Per expected action, in scenario order.
    pub actions: Vec<ActionScore>,
    /// Per objective, in scenario order.
    pub objectives: Vec<ObjectiveScore>,
    /// Per role in play, in scenario order.
    pub roles: Vec<RoleScore>,
    /// Every point, explained; in scenario action order, then penalties.
    pub findings: Vec<Finding>,
    /// Time metrics.
    pub metrics: Metrics,
    /// Expected owner × actual actor, per capability.
    pub heatmap: Vec<HeatRow>,
    /// What happened when, per role lane, for the timeline chart.
    pub timeline: Vec<Mark>,
    /// Everyone who joined, with every role they held.
    pub participants: Vec<ParticipantInfo>,
    /// The facilitator's observations.
    pub observations: Vec<Observation>,
    /// When the drill ended, if it did.
    pub ended_at: Option<ScenarioMs>,
    /// The seed, if the drill started.
    pub seed: Option<u64>,
}

/// The team's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamScore {
    /// 0–100: points earned over points possible, rounded.
    pub score: u32,
    /// Points earned (penalties taken off, never below zero).
    pub earned: i64,
    /// Points possible: the worth of every action in play.
    pub possible: i64,
    /// Expected actions in play: offered during the drill, or held back because an action in play that
    /// they follow was never done.
    pub in_play: u32,
    /// Of those, done.
    pub done: u32,
    /// Of those done, by an owner or a role an owner handed them to.
    pub right_owner: u32,
    /// Of those done with a deadline, by it.
    pub on_time: u32,
    /// Segregation-of-duties violations.
    pub sod_violations: u32,
    /// Expected actions not in play (an escalation not needed, an inject withheld or due after the end).
    pub not_in_play: u32,
}

impl TeamScore {
    /// Coverage: the share of expected actions in play done, 0–1.
    pub fn coverage(&self) -> f64 {
        if self.in_play == 0 { 0.0 } else { f64::from(self.done) / f64::from(self.in_play) }
    }
}

/// Where an expected action ended up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Done (the first time).
    Done {
        /// By whom.
        by: ParticipantId,
        /// As which role.
        role: RoleId,
        /// When.
        at: ScenarioMs,
    },
    /// In play and never done.
    Missed,
    /// Not in play.
    NotInPlay,
}

/// One expected action's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionScore {
    /// The action.
    pub id: ActionId,
    /// What it asked.
    pub label: String,
    /// Its capability.
    pub capability: CapabilityId,
    /// Roles that own it.
    pub owners: Vec<RoleId>,
    /// Points it is worth (0 when not in play).
    pub worth: i64,
    /// Whether it counts: offered, or held back because an action in play it follows was never done.
    pub in_play: bool,
    /// For an action held back: the undone action that held it back.
    pub blocked_by: Option<ActionId>,
    /// Points earned, penalties included (may be negative).
    pub earned: i64,
    /// When it was first offered.
    pub offered_at: Option<ScenarioMs>,
    /// Its deadline.
    pub deadline: Option<ScenarioMs>,
    /// What became of it.
    pub outcome: Outcome,
    /// How late it was done, if it was.
    pub late_by: Option<ScenarioMs>,
    /// Whether an owner (or a role an owner handed it to) did it.
    pub right_owner: bool,
}

/// The four ratings exercise programmes give an objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rating {
    /// P: performed without challenges.
    Performed,
    /// S: performed with some challenges.
    SomeChallenges,
    /// M: performed with major challenges.
    MajorChallenges,
    /// U: unable to be performed.
    Unable,
}

impl Rating {
    /// The letter exercise programmes use.
    pub fn letter(self) -> char {
        match self {
            Rating::Performed => 'P',
            Rating::SomeChallenges => 'S',
            Rating::MajorChallenges => 'M',
            Rating::Unable => 'U',
        }
    }

    /// The rating in words.
    pub fn words(self) -> &'static str {
        match self {
            Rating::Performed => "Performed without challenges",
            Rating::SomeChallenges => "Performed with some challenges",
            Rating::MajorChallenges => "Performed with major challenges",
            Rating::Unable => "Unable to be performed",
        }
    }
}

/// One objective's score and rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectiveScore {
    /// The objective.
    pub id: ObjectiveId,
    /// Its sentence.
    pub title: String,
    /// The rating.
    pub rating: Rating,
    /// Why, in one sentence (the rule that applied).
    pub reason: String,
    /// Points earned over its actions.
    pub earned: i64,
    /// Points possible over its actions in play.
    pub possible: i64,
    /// Its actions in play.
    pub in_play: u32,
    /// Done.
    pub done: u32,
    /// Segregation-of-duties violations on its actions.
    pub sod_violations: u32,
}

/// One role's figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleScore {
    /// The role.
    pub role: RoleId,
    /// Its display name.
    pub name: String,
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
    /// Messages it sent (notify, escalate, request approval, hand off).
    pub told_others: u32,
    /// Messages it received.
    pub was_told: u32,
    /// Injects it received.
    pub injects: u32,
    /// Of those, acknowledged.
    pub acknowledged: u32,
    /// Median time to acknowledge.
    pub median_ack: Option<ScenarioMs>,
    /// Longest idle gap.
    pub longest_idle: Option<ScenarioMs>,
}

/// Which rule a finding applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Rule {
    /// Every expected action done.
    Coverage,
    /// Done by its owner, or properly handed off.
    RightOwner,
    /// By the deadline, with a decay after it.
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

impl Rule {
    /// The rule's name for people.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Coverage => "coverage",
            Rule::RightOwner => "right owner",
            Rule::Timeliness => "timeliness",
            Rule::Order => "order",
            Rule::Segregation => "segregation of duties",
            Rule::Communication => "communication",
            Rule::Duplication => "duplicated effort",
        }
    }
}

/// What a finding says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FindingKind {
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
    /// Done by a role that does not own it (responsibility confusion).
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

/// Whether a finding is a strength, an area for improvement, or neither.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    /// Went well.
    Strength,
    /// To improve.
    Improvement,
    /// Context.
    Neutral,
}

/// One explained point: what happened, the rule, the points, the events that caused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule applied.
    pub rule: Rule,
    /// What it says.
    pub kind: FindingKind,
    /// Strength or improvement.
    pub tone: Tone,
    /// The action concerned.
    pub action: Option<ActionId>,
    /// Its capability.
    pub capability: Option<CapabilityId>,
    /// The segregation-of-duties rule concerned.
    pub sod_rule: Option<SodRuleId>,
    /// Roles concerned (the actor's first).
    pub roles: Vec<RoleId>,
    /// Participants concerned.
    pub participants: Vec<ParticipantId>,
    /// When.
    pub at: Option<ScenarioMs>,
    /// Points given (negative for a penalty).
    pub points: i64,
    /// Points this part could give (0 for a penalty).
    pub max: i64,
    /// Sequence numbers of the events that caused it.
    pub events: Vec<u64>,
    /// The finding in one sentence.
    pub text: String,
}

/// Time metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metrics {
    /// Per inject fired and recipient role.
    pub acknowledgements: Vec<Ack>,
    /// When the last containment action was done (all of them), from T+0.
    pub time_to_contain: Option<ScenarioMs>,
    /// When the last notification action was done (all of them), from T+0.
    pub time_to_notify: Option<ScenarioMs>,
    /// Work passing between roles.
    pub handoffs: Vec<Handoff>,
    /// Stretches where a role with open work did nothing.
    pub idle_gaps: Vec<IdleGap>,
}

/// One inject reaching one role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ack {
    /// The inject.
    pub inject: InjectId,
    /// The recipient role.
    pub role: RoleId,
    /// When it fired.
    pub fired_at: ScenarioMs,
    /// When the role first acknowledged it.
    pub acked_at: Option<ScenarioMs>,
}

/// How work passed from one role to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HandoffKind {
    /// An explicit hand-off.
    Explicit,
    /// One role's action unblocked another role's (its prerequisite).
    Prerequisite,
}

/// Work passing between roles, and how long the receiving role took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handoff {
    /// Kind.
    pub kind: HandoffKind,
    /// The role passing it on.
    pub from: RoleId,
    /// The role taking it.
    pub to: RoleId,
    /// The action taken up.
    pub action: ActionId,
    /// When it was passed (the hand-off, or the prerequisite done and the action offered).
    pub at: ScenarioMs,
    /// When the receiving role did it.
    pub done_at: Option<ScenarioMs>,
}

/// A stretch where a role with open work did nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdleGap {
    /// The role.
    pub role: RoleId,
    /// From.
    pub from: ScenarioMs,
    /// To.
    pub to: ScenarioMs,
}

/// One capability's row of the ownership heat map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeatRow {
    /// The capability.
    pub capability: CapabilityId,
    /// Its name.
    pub name: String,
    /// Roles expected to do its actions.
    pub expected: Vec<RoleId>,
    /// Actions done by each role in play (scenario role order).
    pub done_by: Vec<u32>,
    /// Actions offered and never done.
    pub missed: u32,
}

/// What a timeline mark shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarkKind {
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

/// One mark on the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// When.
    pub at: ScenarioMs,
    /// The lane.
    pub role: RoleId,
    /// What.
    pub kind: MarkKind,
    /// Short label (inject or action id).
    pub label: String,
    /// The event, if one.
    pub seq: Option<u64>,
}

/// A participant as the log shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantInfo {
    /// Id.
    pub id: ParticipantId,
    /// Display name (the last one given).
    pub name: String,
    /// Every role held during the drill.
    pub roles: Vec<RoleId>,
}

/// A facilitator's observation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    /// When.
    pub at: ScenarioMs,
    /// The text (data, never markup).
    pub text: String,
    /// The event.
    pub seq: u64,
}

/// A draft item of the improvement plan, from the findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanDraft {
    /// What went wrong.
    pub issue: String,
    /// What to do about it.
    pub corrective_action: String,
    /// The capability.
    pub capability: CapabilityId,
    /// Who answers for it (the capability's Accountable role).
    pub owner: RoleId,
    /// Days from the drill to its due date.
    pub due_days: u32,
    /// The rule it comes from.
    pub rule: Rule,
}

/// Where an improvement-plan item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PlanStatus {
    /// Still to do.
    Open,
    /// Done.
    Done,
}

/// An item of a drill's improvement plan, as the facilitator left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItem {
    /// What went wrong.
    pub issue: String,
    /// What to do about it.
    pub corrective_action: String,
    /// The capability.
    pub capability: CapabilityId,
    /// The role that owns the fix.
    pub owner: RoleId,
    /// Due date, `YYYY-MM-DD`.
    pub due: String,
    /// Open or done.
    pub status: PlanStatus,
    /// The drill whose plan it was carried over from, if any.
    pub carried_from: Option<String>,
}
