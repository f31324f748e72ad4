//! The engine's vocabulary: commands in (imperative), events out (past tense), rejections (why not).
//!
//! All of them serialize: inputs and events are what the store logs and the server sends.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::clock::{Speed, WallMs};
use crate::model::{ActionId, InjectId, RoleId};
use crate::scenario::Channel;
use crate::time::ScenarioMs;

/// A participant's id, chosen by the runtime (e.g. per browser session).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ParticipantId(pub String);

impl std::borrow::Borrow<str> for ParticipantId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ParticipantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who sends a command.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Actor {
    /// The facilitator: the only one who steers.
    Facilitator,
    /// A participant.
    Participant(ParticipantId),
}

/// One input to the engine: what the log stores and a replay feeds back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    /// A command at a wall time.
    Command {
        /// When it arrived.
        now: WallMs,
        /// Who sent it.
        actor: Actor,
        /// What it asks.
        command: Command,
    },
    /// The runtime's timer fired.
    Timeout {
        /// When.
        now: WallMs,
    },
}

/// What the facilitator or a participant asks of the drill.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Start the clock at T+0 (facilitator).
    Start,
    /// Stop the clock (facilitator).
    Pause,
    /// Restart the clock (facilitator).
    Resume,
    /// Change speed (facilitator).
    SetSpeed(Speed),
    /// Jump forward to a scenario time, firing what falls due on the way (facilitator).
    SeekTo(ScenarioMs),
    /// Jump forward to the next scheduled inject (facilitator).
    SeekNextInject,
    /// Fire an inject now, whatever its trigger (facilitator).
    FireInject(InjectId),
    /// Keep an inject from firing until released (facilitator).
    HoldInject(InjectId),
    /// Let a held inject fire; it fires now if it fell due meanwhile (facilitator).
    ReleaseInject(InjectId),
    /// Never fire this inject (facilitator).
    SkipInject(InjectId),
    /// Send an ad-hoc inject now (facilitator).
    AddInject(AdHocInject),
    /// Join the drill under a display name (participant).
    Join {
        /// Display name.
        name: String,
    },
    /// Leave the drill (participant).
    Leave,
    /// Give a participant a role (facilitator).
    Assign {
        /// Who.
        participant: ParticipantId,
        /// Which role (in play).
        role: RoleId,
    },
    /// Take a role away (facilitator).
    Unassign {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: RoleId,
    },
    /// Perform an action as one of one's roles (participant). `client_id` makes retries idempotent.
    Act {
        /// Chosen by the client, unique per participant.
        client_id: String,
        /// The role acted as.
        role: RoleId,
        /// What is done.
        action: ActionRef,
    },
    /// A facilitator's note or observation.
    Note {
        /// Observation (for the report) or a plain note.
        kind: NoteKind,
        /// The text.
        text: String,
    },
    /// End the drill (facilitator).
    End,
}

/// A facilitator's note kinds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoteKind {
    /// A private note.
    Note,
    /// An observation for the after-action report.
    Observation,
}

/// An inject written during the drill.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdHocInject {
    /// Headline.
    pub title: String,
    /// Channel.
    pub channel: Channel,
    /// Recipients (roles in play).
    pub to: Vec<RoleId>,
    /// Body.
    pub body: String,
}

/// What a participant does: one of the scenario's expected actions, or a built-in one.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionRef {
    /// A scenario action.
    Scenario(ActionId),
    /// A built-in action every drill has.
    Builtin(Builtin),
}

/// The built-in actions.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
    /// Acknowledge an inject one's role received.
    Acknowledge {
        /// The inject.
        inject: InjectId,
    },
    /// Tell another role something.
    Notify {
        /// The role told.
        to: RoleId,
        /// The expected action it is about, if any.
        about: Option<ActionId>,
        /// The message.
        text: String,
    },
    /// Hand an expected action over to another role.
    HandOff {
        /// The action.
        action: ActionId,
        /// The role taking it.
        to: RoleId,
        /// Why.
        text: String,
    },
    /// Escalate to another role.
    Escalate {
        /// The role escalated to.
        to: RoleId,
        /// Why.
        text: String,
    },
    /// Ask another role to approve something.
    RequestApproval {
        /// The role asked.
        to: RoleId,
        /// The expected action needing approval, if any.
        about: Option<ActionId>,
        /// What is asked.
        text: String,
    },
    /// Approve something.
    Approve {
        /// The expected action approved, if any.
        about: Option<ActionId>,
        /// What is approved.
        text: String,
    },
    /// Record a decision.
    RecordDecision {
        /// The decision.
        text: String,
    },
}

/// Who may see an event. The facilitator sees every event.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Everyone in the drill.
    Everyone,
    /// The facilitator only.
    Facilitator,
    /// These roles (and the facilitator).
    Roles(Vec<RoleId>),
}

impl Audience {
    /// Whether a holder of `roles` may see it.
    pub fn admits(&self, roles: &[RoleId]) -> bool {
        match self {
            Audience::Everyone => true,
            Audience::Facilitator => false,
            Audience::Roles(to) => to.iter().any(|r| roles.contains(r)),
        }
    }
}

/// Something that happened, with when and who may see it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// Per-drill sequence number, from 1.
    pub seq: u64,
    /// Scenario time it happened at.
    pub at: ScenarioMs,
    /// Who may see it.
    pub audience: Audience,
    /// What happened.
    pub kind: EventKind,
}

/// Why an inject fired.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FiredBy {
    /// Its trigger came due.
    Trigger,
    /// The facilitator fired it.
    Facilitator,
}

/// What happened.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EventKind {
    /// The drill started; the seeded variables were drawn.
    Started {
        /// The seed (a decimal string on the wire: it may not fit a JavaScript number; a number in
        /// drills stored before that, still read).
        #[serde(with = "seed_text")]
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        seed: u64,
        /// The variables' values.
        variables: Vec<(String, String)>,
    },
    /// The drill began: the clock runs from T+0 (rules 2; for everyone, while `Started`, with the seed
    /// and the drawn values, is the facilitator's).
    Began,
    /// Scenario time reached the scenario's nominal duration (rules 2): the facilitator may end the drill.
    DurationReached,
    /// The clock stopped.
    Paused,
    /// The clock restarted.
    Resumed,
    /// The speed changed.
    SpeedChanged(Speed),
    /// Time jumped forward.
    Seeked {
        /// From.
        from: ScenarioMs,
        /// To.
        to: ScenarioMs,
    },
    /// An inject reached its recipients.
    InjectFired {
        /// The inject (`adhoc-N` for ad-hoc ones).
        inject: InjectId,
        /// Why.
        by: FiredBy,
        /// Headline with variables filled.
        title: String,
        /// Channel.
        channel: Channel,
        /// Recipients.
        to: Vec<RoleId>,
        /// Body with variables filled.
        body: String,
        /// Expected actions it offers.
        actions: Vec<ActionId>,
    },
    /// An inject was held.
    InjectHeld(InjectId),
    /// A held inject was released.
    InjectReleased(InjectId),
    /// An inject was skipped.
    InjectSkipped(InjectId),
    /// An escalation was not needed: its action was done in time.
    EscalationAverted {
        /// The escalation inject.
        inject: InjectId,
        /// The action that was done.
        action: ActionId,
    },
    /// A participant joined.
    Joined {
        /// Who.
        participant: ParticipantId,
        /// Display name.
        name: String,
    },
    /// A participant left.
    Left(ParticipantId),
    /// A role was given.
    Assigned {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: RoleId,
    },
    /// A role was taken away.
    Unassigned {
        /// Who.
        participant: ParticipantId,
        /// Which role.
        role: RoleId,
    },
    /// An expected action became available to the roles that received it.
    ActionOpened {
        /// The action.
        action: ActionId,
        /// Roles that can see it now.
        visible_to: Vec<RoleId>,
    },
    /// Someone acted.
    Acted {
        /// Who.
        participant: ParticipantId,
        /// As which role.
        role: RoleId,
        /// The client's id for the command.
        client_id: String,
        /// What.
        action: ActionRef,
        /// For a scenario action: whether it had been done already (duplicated effort).
        repeat: bool,
    },
    /// An expected action's deadline passed with the action not done.
    ActionOverdue(ActionId),
    /// A facilitator's note or observation.
    Noted {
        /// Kind.
        kind: NoteKind,
        /// Text.
        text: String,
    },
    /// The drill ended.
    Ended {
        /// Expected actions never done.
        missed: Vec<ActionId>,
    },
}

/// Why a command was refused. A rejection changes nothing.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rejection {
    /// The command does not fit the drill's state (e.g. acting before start, resuming while running).
    WrongState {
        /// The state.
        state: DrillState,
    },
    /// Only the facilitator may do this.
    NotFacilitator,
    /// The facilitator cannot do this (it is a participant's command).
    NotParticipant,
    /// The participant has not joined.
    UnknownParticipant(ParticipantId),
    /// The participant has joined already.
    AlreadyJoined,
    /// The participant does not hold the role acted as.
    RoleNotHeld(RoleId),
    /// The role is not in play.
    RoleNotInPlay(RoleId),
    /// The participant holds a role already and the drill allows one each.
    OneRoleEach,
    /// The role acted as has not been offered the action.
    RoleNotAllowed {
        /// The action.
        action: ActionId,
        /// The role.
        role: RoleId,
    },
    /// Segregation of duties (rules 3): this participant did the other duty of the same rule already.
    SeparationOfDuties {
        /// The action refused.
        action: ActionId,
        /// The rule (an id of the responsibility model's segregation-of-duties rules).
        rule: String,
        /// The action of the other duty that this participant did.
        did: ActionId,
    },
    /// No such expected action.
    UnknownAction(ActionId),
    /// No such inject.
    UnknownInject(InjectId),
    /// The action has not been offered yet.
    NotOpen(ActionId),
    /// The inject is not in a state for this (fired, skipped, not held…).
    InjectNotPending(InjectId),
    /// The inject was not sent to the acting role.
    NotReceived(InjectId),
    /// Speed outside 1× to 1000×.
    BadSpeed(Speed),
    /// A seek to a time earlier than now.
    SeekBackwards,
    /// Nothing is scheduled to seek to.
    NothingScheduled,
    /// A text longer than allowed, or empty where it must not be.
    BadText,
    /// Too many participants, ad-hoc injects or commands.
    LimitReached,
}

/// The drill's lifecycle.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DrillState {
    /// Set up, clock not started.
    NotStarted,
    /// Clock running.
    Running,
    /// Clock stopped.
    Paused,
    /// Over.
    Ended,
}

impl Builtin {
    /// The expected action this built-in action is about, if it names one.
    pub fn about(&self) -> Option<&ActionId> {
        match self {
            Builtin::Notify { about, .. }
            | Builtin::RequestApproval { about, .. }
            | Builtin::Approve { about, .. } => about.as_ref(),
            Builtin::HandOff { action, .. } => Some(action),
            Builtin::Acknowledge { .. } | Builtin::Escalate { .. } | Builtin::RecordDecision { .. } => None,
        }
    }
}

impl Rejection {
    /// A stable code a program can branch on, e.g. `role-not-held`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::WrongState { .. } => "wrong-state",
            Rejection::NotFacilitator => "not-facilitator",
            Rejection::NotParticipant => "not-participant",
            Rejection::UnknownParticipant(_) => "unknown-participant",
            Rejection::AlreadyJoined => "already-joined",
            Rejection::RoleNotHeld(_) => "role-not-held",
            Rejection::RoleNotInPlay(_) => "role-not-in-play",
            Rejection::OneRoleEach => "one-role-each",
            Rejection::RoleNotAllowed { .. } => "role-not-allowed",
            Rejection::SeparationOfDuties { .. } => "separation-of-duties",
            Rejection::UnknownAction(_) => "unknown-action",
            Rejection::UnknownInject(_) => "unknown-inject",
            Rejection::NotOpen(_) => "not-open",
            Rejection::InjectNotPending(_) => "inject-not-pending",
            Rejection::NotReceived(_) => "not-received",
            Rejection::BadSpeed(_) => "bad-speed",
            Rejection::SeekBackwards => "seek-backwards",
            Rejection::NothingScheduled => "nothing-scheduled",
            Rejection::BadText => "bad-text",
            Rejection::LimitReached => "limit-reached",
        }
    }
}

impl fmt::Display for Rejection {
    /// What went wrong, for people.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            Rejection::WrongState { state } => format!("not possible while the drill is {state:?}"),
            Rejection::NotFacilitator => "only the facilitator can do this".to_owned(),
            Rejection::NotParticipant => "only a participant can do this".to_owned(),
            Rejection::UnknownParticipant(p) => format!("`{p}` is not in the drill"),
            Rejection::AlreadyJoined => "already in the drill".to_owned(),
            Rejection::RoleNotHeld(role) => format!("you do not hold the role `{role}`"),
            Rejection::RoleNotInPlay(role) => format!("the role `{role}` is not in this drill"),
            Rejection::OneRoleEach => "this drill gives each person one role".to_owned(),
            Rejection::RoleNotAllowed { action, role } => {
                format!("`{action}` was not offered to the role `{role}`")
            }
            Rejection::SeparationOfDuties { action, rule, did } => format!(
                "segregation of duties (`{rule}`): you did `{did}`, so someone else must do `{action}`; hand it off or ask another role"
            ),
            Rejection::UnknownAction(a) => format!("no action `{a}` in this scenario"),
            Rejection::UnknownInject(i) => format!("no inject `{i}` in this scenario"),
            Rejection::NotOpen(a) => format!("`{a}` has not been offered yet"),
            Rejection::InjectNotPending(i) => {
                format!("the inject `{i}` is not waiting (fired, skipped or not held)")
            }
            Rejection::NotReceived(i) => format!("your role did not receive the inject `{i}`"),
            Rejection::BadSpeed(s) => format!("speed {s} is outside 1× to 1000×"),
            Rejection::SeekBackwards => "time only moves forward".to_owned(),
            Rejection::NothingScheduled => "nothing is scheduled to jump to".to_owned(),
            Rejection::BadText => "the text is empty or too long".to_owned(),
            Rejection::LimitReached => "a limit of the drill is reached".to_owned(),
        };
        f.write_str(&text)
    }
}

impl fmt::Display for Event {
    /// One line per event, stable, for golden traces: `T+00:01:00 #3 [roles] InjectFired …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let audience = match &self.audience {
            Audience::Everyone => "all".to_owned(),
            Audience::Facilitator => "facilitator".to_owned(),
            Audience::Roles(r) => r.iter().map(RoleId::as_str).collect::<Vec<_>>().join(","),
        };
        write!(f, "{} #{} [{audience}] ", self.at, self.seq)?;
        match &self.kind {
            EventKind::InjectFired { inject, by, to, actions, .. } => {
                let to: Vec<&str> = to.iter().map(RoleId::as_str).collect();
                let actions: Vec<&str> = actions.iter().map(ActionId::as_str).collect();
                write!(f, "InjectFired {inject} by {by:?} to {} offers [{}]", to.join(","), actions.join(","))
            }
            EventKind::Acted { participant, role, action, repeat, .. } => {
                let what = match action {
                    ActionRef::Scenario(a) => a.to_string(),
                    ActionRef::Builtin(b) => format!("{b:?}"),
                };
                write!(f, "Acted {participant} as {role}: {what}{}", if *repeat { " (repeat)" } else { "" })
            }
            other => write!(f, "{other:?}"),
        }
    }
}

/// A seed as a decimal string, read from a string or (as older logs have it) a number.
mod seed_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(seed: &u64, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(seed)
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Text(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        match Either::deserialize(d)? {
            Either::Number(n) => Ok(n),
            Either::Text(t) => t.parse().map_err(serde::de::Error::custom),
        }
    }
}
