//! The RON file shapes exactly as authors write them: strings for ids and durations, nothing resolved.
//!
//! These types only describe syntax. Every semantic check (unknown ids, bad durations, cycles) happens
//! in [`crate::validate`], which turns them into the resolved [`crate::Scenario`] and
//! [`crate::ResponsibilityModel`]. Never `flatten` or `untagged` here: they ruin serde's error messages.

use serde::Deserialize;

use crate::scenario::{ActionKind, AttachmentKind, Channel, Difficulty, Metric, VariableValue};

/// `model.ron`: the organisation's responsibility model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "ResponsibilityModel")]
pub struct RawModel {
    /// Free-form name of the organisation or model.
    pub name: String,
    /// Format version of the model file.
    #[serde(default = "one")]
    pub version: u32,
    /// The roles people play.
    pub roles: Vec<RawRole>,
    /// Capabilities with their RACI assignment.
    pub capabilities: Vec<RawCapability>,
    /// Segregation-of-duties rules.
    #[serde(default)]
    pub sod_rules: Vec<RawSodRule>,
}

fn one() -> u32 {
    1
}

/// A role in the model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Role")]
pub struct RawRole {
    /// Stable id, referenced by scenarios.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Which team the role belongs to.
    #[serde(default)]
    pub team: String,
    /// One line on what the role is there for.
    pub remit: String,
}

/// A capability and who is Responsible, Accountable, Consulted and Informed for it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Capability")]
pub struct RawCapability {
    /// Stable id, referenced by scenarios.
    pub id: String,
    /// Display name.
    pub name: String,
    /// What the capability covers.
    #[serde(default)]
    pub description: String,
    /// Roles that do the work.
    #[serde(default)]
    pub responsible: Vec<String>,
    /// Role that answers for it; exactly one.
    #[serde(default)]
    pub accountable: Vec<String>,
    /// Roles asked before acting.
    #[serde(default)]
    pub consulted: Vec<String>,
    /// Roles told after acting.
    #[serde(default)]
    pub informed: Vec<String>,
}

/// A segregation-of-duties rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "SodRule")]
pub struct RawSodRule {
    /// Stable id, referenced by expected actions.
    pub id: String,
    /// The rule in one sentence.
    pub title: String,
    /// Why the rule exists.
    #[serde(default)]
    pub rationale: String,
    /// What the rule constrains.
    pub constraint: RawSodConstraint,
}

/// The two shapes a segregation-of-duties rule takes.
#[derive(Debug, Clone, Deserialize)]
pub enum RawSodConstraint {
    /// One participant must not perform both sides (e.g. `request` and `approve`).
    SeparateActors {
        /// Label of the first duty, named by expected actions' `sod.side`.
        first: String,
        /// Label of the second duty.
        second: String,
    },
    /// The overseer role keeps oversight of these capabilities: it must not be Responsible for them,
    /// and must be Consulted or Informed.
    Oversight {
        /// The role that oversees.
        overseer: String,
        /// Capabilities it oversees but does not operate.
        capabilities: Vec<String>,
    },
}

/// A scenario file (`scenarios/*.ron`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Scenario")]
pub struct RawScenario {
    /// Stable id (kebab-case), usually the file name.
    pub id: String,
    /// Display title.
    pub title: String,
    /// Two or three sentences on what the drill rehearses.
    pub summary: String,
    /// Version of this script, e.g. "1.2.0".
    pub version: String,
    /// Nominal duration, e.g. "90m".
    pub duration: String,
    /// How hard the drill is.
    pub difficulty: Difficulty,
    /// Free tags for the library.
    #[serde(default)]
    pub tags: Vec<String>,
    /// What the drill rehearses; rated in the report.
    pub objectives: Vec<RawObjective>,
    /// Role ids in play.
    pub roles: Vec<String>,
    /// Seeded variables, usable in text as `{{name}}`.
    #[serde(default)]
    pub variables: Vec<RawVariable>,
    /// Messages into the drill.
    pub injects: Vec<RawInject>,
    /// What a good response contains.
    pub actions: Vec<RawAction>,
}

/// An exercise objective.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Objective")]
pub struct RawObjective {
    /// Stable id.
    pub id: String,
    /// The objective in one sentence.
    pub title: String,
    /// Capabilities whose expected actions rate this objective.
    pub capabilities: Vec<String>,
}

/// A seeded variable.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Variable")]
pub struct RawVariable {
    /// Name used as `{{name}}` in text.
    pub name: String,
    /// How the value is drawn.
    pub value: VariableValue,
}

/// An inject: a message into the drill.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Inject")]
pub struct RawInject {
    /// Stable id.
    pub id: String,
    /// Headline as the recipient sees it.
    pub title: String,
    /// Channel the message imitates.
    pub channel: Channel,
    /// Sender as shown in the inbox, e.g. "GitHub secret scanning".
    #[serde(default)]
    pub from: String,
    /// Role ids that receive it.
    pub to: Vec<String>,
    /// When it fires.
    pub trigger: RawTrigger,
    /// Markdown body; may use `{{variable}}`.
    pub body: String,
    /// Artefacts that come with it.
    #[serde(default)]
    pub attachments: Vec<RawAttachment>,
    /// Expected-action ids that make sense once this inject has fired.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Markdown for the facilitator only: when to fire it, what to listen for, the expected answer.
    /// Never sent to participants. Optional, so files written before it existed still load.
    #[serde(default)]
    pub facilitator_notes: Option<String>,
}

/// When an inject fires.
#[derive(Debug, Clone, Deserialize)]
pub enum RawTrigger {
    /// At a scenario time, e.g. `At("5m")`.
    At(String),
    /// A delay after another inject fired.
    AfterInject {
        /// The inject to follow.
        inject: String,
        /// Delay after it, default "0s".
        #[serde(default)]
        delay: Option<String>,
    },
    /// A delay after an expected action was done.
    AfterAction {
        /// The action to follow.
        action: String,
        /// Delay after it, default "0s".
        #[serde(default)]
        delay: Option<String>,
    },
    /// The escalation path: fires at `at` if `action` has not been done by then.
    NotDoneBy {
        /// The action that should have been done.
        action: String,
        /// Scenario time of the check.
        at: String,
    },
    /// Fires only when the facilitator cues it.
    Cue,
}

/// An artefact attached to an inject.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Attachment")]
pub struct RawAttachment {
    /// File-like name, e.g. "cloudtrail.json".
    pub name: String,
    /// How to show it.
    pub kind: AttachmentKind,
    /// The content; may use `{{variable}}`.
    pub content: String,
}

/// An expected action: what a good response contains.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Action")]
pub struct RawAction {
    /// Stable id.
    pub id: String,
    /// What to do, as a participant sees it.
    pub label: String,
    /// The capability it belongs to; the owner comes from the model.
    pub capability: String,
    /// Role that owns it in this scenario, overriding the model's Responsible roles.
    #[serde(default)]
    pub owner: Option<String>,
    /// Task, approval request, approval or decision.
    #[serde(default)]
    pub kind: Option<ActionKind>,
    /// Scenario time by which it should be done, e.g. "25m".
    #[serde(default)]
    pub deadline: Option<String>,
    /// Actions that must come before it.
    #[serde(default)]
    pub after: Vec<String>,
    /// How much it counts, 1..=100; default 10.
    #[serde(default)]
    pub weight: Option<u32>,
    /// Whether it marks containment or notification for the time metrics.
    #[serde(default)]
    pub counts_as: Option<Metric>,
    /// The segregation-of-duties rule it takes part in.
    #[serde(default)]
    pub sod: Option<RawSodPart>,
}

/// An action's part in a segregation-of-duties rule.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename = "Sod")]
pub struct RawSodPart {
    /// The rule's id in the model.
    pub rule: String,
    /// Which duty of the rule this action is (`first` or `second` label of the rule).
    pub side: String,
}
