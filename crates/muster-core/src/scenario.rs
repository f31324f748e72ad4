//! A scenario, resolved against the responsibility model: ids checked, durations parsed, owners known.
//!
//! Built only by [`crate::load_scenario`]; a `Scenario` value is proof that it validated without errors.
//! The enums here are shared with the raw file shapes, so authors and code use the same names.

use serde::{Deserialize, Serialize};

use crate::model::{ActionId, CapabilityId, InjectId, ObjectiveId, RoleId, ScenarioId, SodRuleId, SodSide};
use crate::time::ScenarioMs;

/// A tabletop scenario, ready to run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// Id (kebab-case).
    pub id: ScenarioId,
    /// Title.
    pub title: String,
    /// What it rehearses.
    pub summary: String,
    /// Script version.
    pub version: String,
    /// Nominal duration.
    pub duration: ScenarioMs,
    /// Difficulty.
    pub difficulty: Difficulty,
    /// Tags.
    pub tags: Vec<String>,
    /// Objectives with the expected actions that rate them.
    pub objectives: Vec<Objective>,
    /// Roles in play.
    pub roles: Vec<RoleId>,
    /// Seeded variables.
    pub variables: Vec<Variable>,
    /// Injects in file order.
    pub injects: Vec<Inject>,
    /// Expected actions in file order.
    pub actions: Vec<ExpectedAction>,
}

impl Scenario {
    /// The inject with this id.
    pub fn inject(&self, id: &str) -> Option<&Inject> {
        self.injects.iter().find(|i| i.id.0 == id)
    }

    /// The expected action with this id.
    pub fn action(&self, id: &str) -> Option<&ExpectedAction> {
        self.actions.iter().find(|a| a.id.0 == id)
    }

    /// Number of injects whose trigger depends on what happens in the drill (not a fixed time).
    pub fn n_conditional_injects(&self) -> usize {
        self.injects.iter().filter(|i| i.trigger.is_conditional()).count()
    }
}

/// How hard a drill is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Difficulty {
    /// For a team new to drills.
    Introductory,
    /// For a team that has run drills before.
    Intermediate,
    /// Many conditional injects, tight deadlines.
    Advanced,
}

/// An objective.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objective {
    /// Id.
    pub id: ObjectiveId,
    /// The objective in one sentence.
    pub title: String,
    /// Capabilities it covers.
    pub capabilities: Vec<CapabilityId>,
    /// Expected actions of those capabilities, in file order (never empty).
    pub actions: Vec<ActionId>,
}

/// A seeded variable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variable {
    /// Name, used as `{{name}}`.
    pub name: String,
    /// How its value is drawn.
    pub value: VariableValue,
}

/// How a variable's value is drawn from the drill's seed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VariableValue {
    /// One of these (never empty).
    OneOf(Vec<String>),
    /// A prefix and random characters.
    RandomId {
        /// Fixed prefix.
        #[serde(default)]
        prefix: String,
        /// Number of random characters, 1..=64.
        length: u32,
        /// Characters to draw from.
        charset: Charset,
    },
    /// An integer in `min..=max`.
    Number {
        /// Smallest.
        min: i64,
        /// Largest.
        max: i64,
    },
}

/// Character sets for random ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Charset {
    /// 0-9a-f
    Hex,
    /// 0-9
    Digits,
    /// A-Z0-9
    UpperAlnum,
    /// a-z0-9
    LowerAlnum,
}

impl Charset {
    /// The characters of the set.
    pub fn chars(self) -> &'static str {
        match self {
            Charset::Hex => "0123456789abcdef",
            Charset::Digits => "0123456789",
            Charset::UpperAlnum => "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
            Charset::LowerAlnum => "abcdefghijklmnopqrstuvwxyz0123456789",
        }
    }
}

/// An inject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inject {
    /// Id.
    pub id: InjectId,
    /// Headline.
    pub title: String,
    /// Channel it imitates.
    pub channel: Channel,
    /// Sender shown in the inbox.
    pub from: String,
    /// Recipients.
    pub to: Vec<RoleId>,
    /// When it fires.
    pub trigger: Trigger,
    /// Markdown body with `{{variables}}`.
    pub body: String,
    /// Artefacts.
    pub attachments: Vec<Attachment>,
    /// Expected actions it offers.
    pub actions: Vec<ActionId>,
    /// Markdown for the facilitator only (when to fire it, what to listen for, the expected answer), with
    /// `{{variables}}` unfilled. The engine never puts it in an event: the control room reads it here.
    #[serde(default)]
    pub facilitator_notes: Option<String>,
}

/// Channels an inject can imitate.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Channel {
    /// A monitoring or scanner alert.
    Alert,
    /// An email.
    Email,
    /// A chat message.
    Chat,
    /// A page to the on-call phone.
    Pager,
    /// A ticket.
    Ticket,
    /// News or social media.
    News,
    /// A log excerpt.
    Log,
    /// A phone call.
    Call,
}

/// When an inject fires.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    /// At a scenario time.
    At(ScenarioMs),
    /// After another inject.
    AfterInject {
        /// The inject to follow.
        inject: InjectId,
        /// Delay.
        delay: ScenarioMs,
    },
    /// After an expected action was done.
    AfterAction {
        /// The action to follow.
        action: ActionId,
        /// Delay.
        delay: ScenarioMs,
    },
    /// If `action` is not done by `at` (the escalation path).
    NotDoneBy {
        /// The action.
        action: ActionId,
        /// Scenario time of the check.
        at: ScenarioMs,
    },
    /// On the facilitator's cue.
    Cue,
}

impl Trigger {
    /// Whether firing depends on what happens in the drill (anything but a fixed time).
    pub fn is_conditional(&self) -> bool {
        !matches!(self, Trigger::At(_))
    }
}

/// An artefact attached to an inject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// File-like name.
    pub name: String,
    /// How to show it.
    pub kind: AttachmentKind,
    /// Content with `{{variables}}`.
    pub content: String,
}

/// Attachment kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttachmentKind {
    /// Log lines.
    Log,
    /// JSON.
    Json,
    /// A unified diff.
    Diff,
    /// Plain text.
    Text,
}

/// An expected action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpectedAction {
    /// Id.
    pub id: ActionId,
    /// What to do.
    pub label: String,
    /// Capability it belongs to.
    pub capability: CapabilityId,
    /// Roles in play that own it (never empty): the override, or the model's Responsible roles in play.
    pub owners: Vec<RoleId>,
    /// Whether `owners` comes from the scenario's override rather than the model.
    pub owner_overridden: bool,
    /// Kind.
    pub kind: ActionKind,
    /// Scenario time by which it should be done.
    pub deadline: Option<ScenarioMs>,
    /// Prerequisites.
    pub after: Vec<ActionId>,
    /// Weight, 1..=100.
    pub weight: u32,
    /// Time metric it marks.
    pub counts_as: Option<Metric>,
    /// Segregation-of-duties part.
    pub sod: Option<SodPart>,
}

/// Kinds of expected action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ActionKind {
    /// Do something.
    #[default]
    Task,
    /// Ask for an approval or exception.
    Request,
    /// Approve what was requested.
    Approval,
    /// Make and record a decision.
    Decision,
    /// Tell someone outside the drill (regulator, customers, vendor).
    Notification,
}

/// Time metrics an action can mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Metric {
    /// Containment.
    Containment,
    /// Notification.
    Notification,
}

/// An action's part in a segregation-of-duties rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SodPart {
    /// The rule.
    pub rule: SodRuleId,
    /// Which duty.
    pub side: SodSide,
}

/// Default weight of an expected action.
pub const DEFAULT_WEIGHT: u32 = 10;
