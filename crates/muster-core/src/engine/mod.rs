//! The drill engine: a deterministic state machine on a virtual clock. Commands in, events out.
//!
//! No clock, no I/O, no async: every input carries its wall time ([`WallMs`]), and the engine says when
//! it next needs to be woken ([`Drill::next_deadline`]), so the runtime sleeps exactly until then.
//! Same scenario + setup + inputs ⇒ same events, always: replaying the logged [`Input`]s through a fresh
//! `Drill` reproduces the logged events (the replay contract). Rejections are values that change no state.
//! Methods are sorted as in quinn-proto: `handle*`/[`Drill::input`] take inputs, getters read state.

mod clock;
mod status;
mod types;

use std::collections::BTreeMap;

pub use clock::{Clock, Speed, WallMs};
pub use status::{InjectState, InjectStatus, Waiting, Why};
pub use types::{
    ActionRef, Actor, AdHocInject, Audience, Builtin, Command, DrillState, Event, EventKind, FiredBy, Input,
    NoteKind, ParticipantId, Rejection,
};

use crate::model::{ActionId, InjectId, RoleId};
use crate::scenario::{Scenario, Trigger};
use crate::time::ScenarioMs;
use crate::variables::{self, Values};

/// Most participants in one drill.
pub const MAX_PARTICIPANTS: usize = 1000;
/// Most ad-hoc injects in one drill.
pub const MAX_ADHOC_INJECTS: usize = 500;
/// Longest text (notes, messages, ad-hoc bodies), in characters.
pub const MAX_TEXT_CHARS: usize = 4000;
/// Longest display name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Longest client id of an `Act`, in bytes.
pub const MAX_CLIENT_ID_BYTES: usize = 128;
/// Most remembered client ids (for idempotent retries) in one drill.
pub const MAX_CLIENT_IDS: usize = 1_000_000;

/// The engine's rules version that new drills get. A stored drill keeps the version it was created with
/// (its `DrillSetup::rules`), so its log replays event for event however the rules move on:
/// - 1: the first engine (drills stored before live play). Every `Acted` reaches everyone; `Started` is
///   the only start event (facilitator only); nothing marks the end of the nominal duration.
/// - 2: audiences fit for fan-out by role (a message reaches its sender's and target's roles only), a
///   `Began` event for everyone beside the facilitator's `Started`, and `DurationReached` when scenario
///   time reaches the scenario's nominal duration.
/// - 3: segregation of duties is enforced: a participant who did one duty of a separate-actors rule is
///   refused the other (`Rejection::SeparationOfDuties`), instead of the report finding it afterwards.
pub const RULES_VERSION: u32 = 3;

/// How a drill is set up.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DrillSetup {
    /// Seed of the variables.
    pub seed: u64,
    /// Initial speed.
    pub speed: Speed,
    /// Whether one person may hold several roles.
    pub roles_per_participant: RolePolicy,
    /// The engine rules it runs under ([`RULES_VERSION`] for new drills; 1 when absent, as in drills
    /// stored before the field existed).
    #[serde(default = "first_rules")]
    pub rules: u32,
}

fn first_rules() -> u32 {
    1
}

impl DrillSetup {
    /// A setup under the current rules.
    pub fn new(seed: u64, speed: Speed, roles_per_participant: RolePolicy) -> DrillSetup {
        DrillSetup { seed, speed, roles_per_participant, rules: RULES_VERSION }
    }
}

/// Whether a participant may hold more than one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum RolePolicy {
    /// One role each.
    One,
    /// Any number of roles.
    Many,
}

/// Why the runtime must wake the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeadlineReason {
    /// An inject comes due.
    Inject(InjectId),
    /// An expected action's deadline passes.
    ActionDeadline(ActionId),
    /// Scenario time reaches the scenario's nominal duration (rules 2).
    DurationReached,
}

/// A pending timer, by index: injects sort before deadlines, deadlines before the end of the nominal
/// duration, at equal times.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Timer {
    Inject(usize),
    Deadline(usize),
    Duration,
}

/// Where an expected action stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ActionPhase {
    /// No inject has offered it yet.
    NotOpen,
    /// Offered, not done.
    Open {
        /// Since when.
        since: ScenarioMs,
    },
    /// Done (the first time).
    Done {
        /// By whom.
        by: ParticipantId,
        /// As which role.
        role: RoleId,
        /// When.
        at: ScenarioMs,
    },
}

/// An expected action's progress.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ActionStatus {
    /// The action.
    pub id: ActionId,
    /// Where it stands.
    pub phase: ActionPhase,
    /// Roles it has been offered to.
    pub visible_to: Vec<RoleId>,
    /// Whether its deadline passed before it was done.
    pub overdue: bool,
}

/// An inject's trigger with its references resolved to indices, so timers cost no lookups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Due {
    At(ScenarioMs),
    AfterInject(usize, ScenarioMs),
    AfterAction(usize, ScenarioMs),
    NotDoneBy(usize, ScenarioMs),
    Cue,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum InjectPhase {
    Waiting,
    Held,
    Skipped,
    Averted,
    Fired(ScenarioMs, FiredBy),
}

/// A participant in the roster.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Participant {
    /// Display name.
    pub name: String,
    /// Roles held.
    pub roles: Vec<RoleId>,
    /// Whether connected (joined and not left).
    pub present: bool,
}

/// What one input produced: events (possibly some before a rejection, from timers that came due).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// New events, in order.
    pub events: Vec<Event>,
    /// Why the command was refused, if it was.
    pub rejection: Option<Rejection>,
    /// The sequence number of the first event the command itself produced (after any timers that came
    /// due before it); `None` for a timeout, a rejection, or a command that changed nothing.
    pub ack: Option<u64>,
    /// Whether this was a retry of an `Act` whose client id was seen before: nothing happened (no events,
    /// no state change, no timers fired), and `ack` / `rejection` repeat the first outcome. The runtime
    /// answers the client with them and logs nothing.
    pub retry: bool,
}

impl Outcome {
    /// What to log for `input` so a replay reproduces this outcome: the input itself when it was
    /// accepted and produced events; a timeout at its time when it was refused but timers fired first;
    /// nothing when it changed nothing (a retry, a rejection with nothing due, a no-op command).
    pub fn loggable(&self, input: &Input) -> Option<Input> {
        if self.events.is_empty() {
            return None;
        }
        match input {
            Input::Command { now, .. } if self.rejection.is_some() => Some(Input::Timeout { now: *now }),
            other => Some(other.clone()),
        }
    }
}

/// One run of a scenario.
#[derive(Debug, Clone)]
pub struct Drill {
    scenario: Scenario,
    setup: DrillSetup,
    state: DrillState,
    clock: Clock,
    values: Values,
    injects: Vec<InjectPhase>,
    dues: Vec<Due>,
    actions: Vec<ActionStatus>,
    n_adhoc: usize,
    participants: BTreeMap<ParticipantId, Participant>,
    /// First outcome of each client id, per participant (nested so lookups need no allocation).
    client_ids: BTreeMap<ParticipantId, BTreeMap<String, u64>>,
    n_client_ids: usize,
    next_seq: u64,
    /// The time of the last event emitted: a timer that fell due earlier (an inject released while
    /// paused after its due time) fires no earlier than this, so the log's times never go backwards.
    last_at: ScenarioMs,
    duration_reached: bool,
}

impl Drill {
    /// A drill of `scenario`, not started.
    pub fn new(scenario: Scenario, setup: DrillSetup) -> Drill {
        let values = variables::resolve(&scenario.variables, setup.seed);
        let clock = Clock::new(if setup.speed.is_valid() { setup.speed } else { Speed::REAL_TIME });
        let inject_idx = |id: &InjectId| scenario.injects.iter().position(|i| &i.id == id);
        let action_idx = |id: &ActionId| scenario.actions.iter().position(|a| &a.id == id);
        // A valid scenario resolves every reference; one that does not simply never comes due.
        let dues = scenario
            .injects
            .iter()
            .map(|i| match &i.trigger {
                Trigger::At(t) => Due::At(*t),
                Trigger::AfterInject { inject, delay } => {
                    inject_idx(inject).map_or(Due::Cue, |x| Due::AfterInject(x, *delay))
                }
                Trigger::AfterAction { action, delay } => {
                    action_idx(action).map_or(Due::Cue, |x| Due::AfterAction(x, *delay))
                }
                Trigger::NotDoneBy { action, at } => {
                    action_idx(action).map_or(Due::Cue, |x| Due::NotDoneBy(x, *at))
                }
                Trigger::Cue => Due::Cue,
            })
            .collect();
        Drill {
            dues,
            injects: vec![InjectPhase::Waiting; scenario.injects.len()],
            actions: scenario
                .actions
                .iter()
                .map(|a| ActionStatus {
                    id: a.id.clone(),
                    phase: ActionPhase::NotOpen,
                    visible_to: Vec::new(),
                    overdue: false,
                })
                .collect(),
            scenario,
            setup,
            state: DrillState::NotStarted,
            clock,
            values,
            n_adhoc: 0,
            participants: BTreeMap::new(),
            client_ids: BTreeMap::new(),
            n_client_ids: 0,
            next_seq: 1,
            last_at: ScenarioMs(0),
            duration_reached: false,
        }
    }

    /// The one way in: a timeout fires what is due; a command first fires what is due, then runs. A retried
    /// `Act` (a client id this participant used before) changes nothing and repeats the first outcome
    /// (`Outcome::retry`).
    pub fn input(&mut self, input: &Input) -> Outcome {
        match input {
            Input::Timeout { now } => Outcome { events: self.handle_timeout(*now), ..Outcome::default() },
            Input::Command { now, actor, command } => {
                if let Some(first) = self.first_outcome(actor, command) {
                    return Outcome { events: Vec::new(), rejection: None, ack: Some(first), retry: true };
                }
                let mut events = self.handle_timeout(*now);
                let first_own = self.next_seq;
                match self.handle(*now, actor, command) {
                    Ok(more) => {
                        let ack = (!more.is_empty()).then_some(first_own);
                        events.extend(more);
                        Outcome { events, rejection: None, ack, retry: false }
                    }
                    Err(r) => Outcome { events, rejection: Some(r), ack: None, retry: false },
                }
            }
        }
    }

    /// The sequence number of the `Acted` event of an accepted `Act` with this client id by this
    /// participant, if there was one (a refused `Act` is not remembered: retrying it tries again).
    pub fn first_outcome(&self, actor: &Actor, command: &Command) -> Option<u64> {
        let (Actor::Participant(p), Command::Act { client_id, .. }) = (actor, command) else { return None };
        self.client_ids.get(p.0.as_str()).and_then(|ids| ids.get(client_id.as_str())).copied()
    }

    /// Fires everything due by `now`. An early or repeated call does nothing.
    fn handle_timeout(&mut self, now: WallMs) -> Vec<Event> {
        let now = self.clock.observe(now);
        let mut out = Vec::new();
        if self.state == DrillState::Running {
            self.run_due(self.clock.at(now), &mut out);
        }
        out
    }

    /// Runs one command, after [`Drill::handle_timeout`] (only [`Drill::input`] calls it, so a command never
    /// overtakes an escalation that fell due before it). Remembers an `Act`'s first outcome by client id.
    fn handle(&mut self, now: WallMs, actor: &Actor, command: &Command) -> Result<Vec<Event>, Rejection> {
        let now = self.clock.observe(now);
        let (Actor::Participant(p), Command::Act { client_id, .. }) = (actor, command) else {
            return self.dispatch(now, actor, command);
        };
        if self.n_client_ids >= MAX_CLIENT_IDS {
            return Err(Rejection::LimitReached);
        }
        let first_own = self.next_seq;
        let result = self.dispatch(now, actor, command);
        if result.is_ok() {
            // An accepted `Act` emits its `Acted` event first.
            self.n_client_ids += 1;
            self.client_ids.entry(p.clone()).or_default().insert(client_id.clone(), first_own);
        }
        result
    }

    /// When the runtime must feed [`Input::Timeout`] next, and why; `None` while not running.
    pub fn next_deadline(&self) -> Option<(WallMs, DeadlineReason)> {
        if self.state != DrillState::Running {
            return None;
        }
        let (t, reason) = self.next_due()?;
        Some((self.clock.wall_of(t)?, reason))
    }

    /// The drill's state.
    pub fn state(&self) -> DrillState {
        self.state
    }

    /// Scenario time at `now`.
    pub fn scenario_time(&self, now: WallMs) -> ScenarioMs {
        self.clock.at(now)
    }

    /// The clock (speed, running).
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The setup.
    pub fn setup(&self) -> &DrillSetup {
        &self.setup
    }

    /// The seeded variables' values.
    pub fn values(&self) -> &Values {
        &self.values
    }

    /// Every expected action's progress, in scenario order.
    pub fn actions(&self) -> &[ActionStatus] {
        &self.actions
    }

    /// The roster.
    pub fn participants(&self) -> &BTreeMap<ParticipantId, Participant> {
        &self.participants
    }

    /// The sequence number the next event will get.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// Ids of injects that have fired, with when.
    pub fn fired(&self) -> Vec<(InjectId, ScenarioMs)> {
        self.scenario
            .injects
            .iter()
            .zip(&self.injects)
            .filter_map(|(i, p)| match p {
                InjectPhase::Fired(t, _) => Some((i.id.clone(), *t)),
                _ => None,
            })
            .collect()
    }
}

// Internals: dispatch, timers, firing.
impl Drill {
    fn emit(&mut self, out: &mut Vec<Event>, at: ScenarioMs, audience: Audience, kind: EventKind) {
        debug_assert!(at >= self.last_at, "event at {at} before the last event at {}", self.last_at);
        out.push(Event { seq: self.next_seq, at, audience, kind });
        self.next_seq += 1;
        self.last_at = self.last_at.max(at);
    }

    fn facilitator(actor: &Actor) -> Result<(), Rejection> {
        match actor {
            Actor::Facilitator => Ok(()),
            Actor::Participant(_) => Err(Rejection::NotFacilitator),
        }
    }

    fn require(&self, states: &[DrillState]) -> Result<(), Rejection> {
        if states.contains(&self.state) { Ok(()) } else { Err(Rejection::WrongState { state: self.state }) }
    }

    fn inject_index(&self, id: &InjectId) -> Result<usize, Rejection> {
        self.scenario
            .injects
            .iter()
            .position(|i| &i.id == id)
            .ok_or_else(|| Rejection::UnknownInject(id.clone()))
    }

    fn action_index(&self, id: &ActionId) -> Result<usize, Rejection> {
        self.scenario
            .actions
            .iter()
            .position(|a| &a.id == id)
            .ok_or_else(|| Rejection::UnknownAction(id.clone()))
    }

    fn in_play(&self, role: &RoleId) -> Result<(), Rejection> {
        if self.scenario.roles.contains(role) { Ok(()) } else { Err(Rejection::RoleNotInPlay(role.clone())) }
    }

    fn text_ok(text: &str) -> Result<(), Rejection> {
        if text.trim().is_empty() || text.chars().count() > MAX_TEXT_CHARS {
            Err(Rejection::BadText)
        } else {
            Ok(())
        }
    }

    fn dispatch(&mut self, now: WallMs, actor: &Actor, command: &Command) -> Result<Vec<Event>, Rejection> {
        use DrillState::{NotStarted, Paused, Running};
        let t = self.clock.at(now);
        let mut out = Vec::new();
        match command {
            Command::Start => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted])?;
                self.clock.run(now);
                self.state = Running;
                let variables = self.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
                self.emit(
                    &mut out,
                    ScenarioMs::ZERO,
                    Audience::Facilitator,
                    EventKind::Started { seed: self.setup.seed, variables },
                );
                if self.setup.rules >= 2 {
                    // Everyone learns the clock runs; the seed and the drawn values stay with the facilitator.
                    self.emit(&mut out, ScenarioMs::ZERO, Audience::Everyone, EventKind::Began);
                }
                self.run_due(ScenarioMs::ZERO, &mut out);
            }
            Command::Pause => {
                Self::facilitator(actor)?;
                self.require(&[Running])?;
                self.clock.stop(now);
                self.state = Paused;
                self.emit(&mut out, t, Audience::Everyone, EventKind::Paused);
            }
            Command::Resume => {
                Self::facilitator(actor)?;
                self.require(&[Paused])?;
                self.clock.run(now);
                self.state = Running;
                self.emit(&mut out, t, Audience::Everyone, EventKind::Resumed);
            }
            Command::SetSpeed(speed) => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                if !speed.is_valid() {
                    return Err(Rejection::BadSpeed(*speed));
                }
                self.clock.set_speed(now, *speed);
                self.emit(&mut out, t, Audience::Everyone, EventKind::SpeedChanged(*speed));
            }
            Command::SeekTo(to) => {
                Self::facilitator(actor)?;
                self.require(&[Running, Paused])?;
                self.seek(now, t, *to, &mut out)?;
            }
            Command::SeekNextInject => {
                Self::facilitator(actor)?;
                self.require(&[Running, Paused])?;
                let next = self.next_inject_due().ok_or(Rejection::NothingScheduled)?;
                self.seek(now, t, next.max(t), &mut out)?;
            }
            Command::FireInject(id) => {
                Self::facilitator(actor)?;
                self.require(&[Running, Paused])?;
                let idx = self.inject_index(id)?;
                if !matches!(self.injects[idx], InjectPhase::Waiting | InjectPhase::Held) {
                    return Err(Rejection::InjectNotPending(id.clone()));
                }
                self.fire(idx, t, FiredBy::Facilitator, &mut out);
            }
            Command::HoldInject(id) => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                let idx = self.inject_index(id)?;
                if self.injects[idx] != InjectPhase::Waiting {
                    return Err(Rejection::InjectNotPending(id.clone()));
                }
                self.injects[idx] = InjectPhase::Held;
                self.emit(&mut out, t, Audience::Facilitator, EventKind::InjectHeld(id.clone()));
            }
            Command::ReleaseInject(id) => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                let idx = self.inject_index(id)?;
                if self.injects[idx] != InjectPhase::Held {
                    return Err(Rejection::InjectNotPending(id.clone()));
                }
                self.injects[idx] = InjectPhase::Waiting;
                self.emit(&mut out, t, Audience::Facilitator, EventKind::InjectReleased(id.clone()));
                // If it fell due while held, it fires now.
                if self.state == Running {
                    if let Some(due) = self.inject_due(idx)
                        && due <= t
                    {
                        self.fire(idx, t, FiredBy::Trigger, &mut out);
                    }
                    self.run_due(t, &mut out);
                }
            }
            Command::SkipInject(id) => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                let idx = self.inject_index(id)?;
                if !matches!(self.injects[idx], InjectPhase::Waiting | InjectPhase::Held) {
                    return Err(Rejection::InjectNotPending(id.clone()));
                }
                self.injects[idx] = InjectPhase::Skipped;
                self.emit(&mut out, t, Audience::Facilitator, EventKind::InjectSkipped(id.clone()));
            }
            Command::AddInject(adhoc) => {
                Self::facilitator(actor)?;
                self.require(&[Running, Paused])?;
                if self.n_adhoc >= MAX_ADHOC_INJECTS {
                    return Err(Rejection::LimitReached);
                }
                Self::text_ok(&adhoc.title)?;
                Self::text_ok(&adhoc.body)?;
                if adhoc.to.is_empty() {
                    return Err(Rejection::BadText);
                }
                for role in &adhoc.to {
                    self.in_play(role)?;
                }
                self.n_adhoc += 1;
                let kind = EventKind::InjectFired {
                    inject: InjectId(format!("adhoc-{}", self.n_adhoc)),
                    by: FiredBy::Facilitator,
                    title: adhoc.title.clone(),
                    channel: adhoc.channel,
                    to: adhoc.to.clone(),
                    body: adhoc.body.clone(),
                    actions: Vec::new(),
                };
                self.emit(&mut out, t, Audience::Roles(adhoc.to.clone()), kind);
            }
            Command::Join { name } => {
                let Actor::Participant(p) = actor else { return Err(Rejection::NotParticipant) };
                self.require(&[NotStarted, Running, Paused])?;
                if name.trim().is_empty() || name.chars().count() > MAX_NAME_CHARS {
                    return Err(Rejection::BadText);
                }
                match self.participants.get_mut(p) {
                    Some(existing) if existing.present => return Err(Rejection::AlreadyJoined),
                    Some(existing) => {
                        existing.present = true;
                        existing.name = name.clone();
                    }
                    None => {
                        if self.participants.len() >= MAX_PARTICIPANTS {
                            return Err(Rejection::LimitReached);
                        }
                        let joined = Participant { name: name.clone(), roles: Vec::new(), present: true };
                        self.participants.insert(p.clone(), joined);
                    }
                }
                self.emit(
                    &mut out,
                    t,
                    Audience::Everyone,
                    EventKind::Joined { participant: p.clone(), name: name.clone() },
                );
            }
            Command::Leave => {
                let Actor::Participant(p) = actor else { return Err(Rejection::NotParticipant) };
                let who = self
                    .participants
                    .get_mut(p)
                    .filter(|x| x.present)
                    .ok_or_else(|| Rejection::UnknownParticipant(p.clone()))?;
                who.present = false;
                self.emit(&mut out, t, Audience::Everyone, EventKind::Left(p.clone()));
            }
            Command::Assign { participant, role } => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                self.in_play(role)?;
                let policy = self.setup.roles_per_participant;
                let who = self
                    .participants
                    .get_mut(participant)
                    .ok_or_else(|| Rejection::UnknownParticipant(participant.clone()))?;
                if who.roles.contains(role) {
                    return Ok(out);
                }
                if policy == RolePolicy::One && !who.roles.is_empty() {
                    return Err(Rejection::OneRoleEach);
                }
                who.roles.push(role.clone());
                let kind = EventKind::Assigned { participant: participant.clone(), role: role.clone() };
                self.emit(&mut out, t, Audience::Everyone, kind);
            }
            Command::Unassign { participant, role } => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                let who = self
                    .participants
                    .get_mut(participant)
                    .ok_or_else(|| Rejection::UnknownParticipant(participant.clone()))?;
                let pos = who
                    .roles
                    .iter()
                    .position(|r| r == role)
                    .ok_or_else(|| Rejection::RoleNotHeld(role.clone()))?;
                who.roles.remove(pos);
                let kind = EventKind::Unassigned { participant: participant.clone(), role: role.clone() };
                self.emit(&mut out, t, Audience::Everyone, kind);
            }
            Command::Act { client_id, role, action } => {
                let Actor::Participant(p) = actor else { return Err(Rejection::NotParticipant) };
                self.require(&[Running])?;
                if client_id.is_empty() || client_id.len() > MAX_CLIENT_ID_BYTES {
                    return Err(Rejection::BadText);
                }
                let who = self
                    .participants
                    .get(p)
                    .filter(|x| x.present)
                    .ok_or_else(|| Rejection::UnknownParticipant(p.clone()))?;
                if !who.roles.contains(role) {
                    return Err(Rejection::RoleNotHeld(role.clone()));
                }
                let repeat = self.check_act(t, p, role, action)?;
                let audience =
                    if self.setup.rules >= 2 { acted_audience(role, action) } else { Audience::Everyone };
                let kind = EventKind::Acted {
                    participant: p.clone(),
                    role: role.clone(),
                    client_id: client_id.clone(),
                    action: action.clone(),
                    repeat,
                };
                self.emit(&mut out, t, audience, kind);
                // Follow-ups of a scenario action with no delay fire at once; built-in actions trigger nothing.
                if matches!(action, ActionRef::Scenario(_)) {
                    self.run_due(t, &mut out);
                }
            }
            Command::Note { kind, text } => {
                Self::facilitator(actor)?;
                self.require(&[NotStarted, Running, Paused])?;
                Self::text_ok(text)?;
                self.emit(
                    &mut out,
                    t,
                    Audience::Facilitator,
                    EventKind::Noted { kind: *kind, text: text.clone() },
                );
            }
            Command::End => {
                Self::facilitator(actor)?;
                self.require(&[Running, Paused])?;
                self.clock.stop(now);
                self.state = DrillState::Ended;
                let missed = self
                    .actions
                    .iter()
                    .filter(|a| !matches!(a.phase, ActionPhase::Done { .. }))
                    .map(|a| a.id.clone())
                    .collect();
                self.emit(&mut out, t, Audience::Everyone, EventKind::Ended { missed });
            }
        }
        Ok(out)
    }

    /// Validates an action and records it; returns whether it repeats a scenario action already done.
    fn check_act(
        &mut self,
        t: ScenarioMs,
        p: &ParticipantId,
        role: &RoleId,
        action: &ActionRef,
    ) -> Result<bool, Rejection> {
        match action {
            ActionRef::Scenario(id) => {
                let idx = self.action_index(id)?;
                let status = &mut self.actions[idx];
                if status.phase == ActionPhase::NotOpen {
                    return Err(Rejection::NotOpen(id.clone()));
                }
                if !status.visible_to.contains(role) {
                    return Err(Rejection::RoleNotAllowed { action: id.clone(), role: role.clone() });
                }
                if self.setup.rules >= 3 {
                    self.check_separation(idx, p)?;
                }
                let status = &mut self.actions[idx];
                if matches!(status.phase, ActionPhase::Done { .. }) {
                    return Ok(true);
                }
                status.phase = ActionPhase::Done { by: p.clone(), role: role.clone(), at: t };
                Ok(false)
            }
            ActionRef::Builtin(b) => {
                match b {
                    Builtin::Acknowledge { inject } => {
                        let idx = self.inject_index(inject)?;
                        if !matches!(self.injects[idx], InjectPhase::Fired(..))
                            || !self.scenario.injects[idx].to.contains(role)
                        {
                            return Err(Rejection::NotReceived(inject.clone()));
                        }
                    }
                    Builtin::Notify { to, about, text } | Builtin::RequestApproval { to, about, text } => {
                        self.in_play(to)?;
                        if let Some(a) = about {
                            self.action_index(a)?;
                        }
                        Self::text_ok(text)?;
                    }
                    Builtin::HandOff { action, to, text } => {
                        self.in_play(to)?;
                        self.action_index(action)?;
                        Self::text_ok(text)?;
                    }
                    Builtin::Escalate { to, text } => {
                        self.in_play(to)?;
                        Self::text_ok(text)?;
                    }
                    Builtin::Approve { about, text } => {
                        if let Some(a) = about {
                            self.action_index(a)?;
                        }
                        Self::text_ok(text)?;
                    }
                    Builtin::RecordDecision { text } => Self::text_ok(text)?,
                }
                Ok(false)
            }
        }
    }

    /// Refuses action `idx` to `p` when it performs one duty of a separate-actors rule and `p` did the
    /// rule's other duty already.
    fn check_separation(&self, idx: usize, p: &ParticipantId) -> Result<(), Rejection> {
        let Some(part) = &self.scenario.actions[idx].sod else { return Ok(()) };
        let did = self.scenario.actions.iter().zip(&self.actions).find(|(a, status)| {
            a.sod.as_ref().is_some_and(|o| o.rule == part.rule && o.side != part.side)
                && matches!(&status.phase, ActionPhase::Done { by, .. } if by == p)
        });
        match did {
            Some((a, _)) => Err(Rejection::SeparationOfDuties {
                action: self.scenario.actions[idx].id.clone(),
                rule: part.rule.0.clone(),
                did: a.id.clone(),
            }),
            None => Ok(()),
        }
    }

    fn seek(
        &mut self,
        now: WallMs,
        from: ScenarioMs,
        to: ScenarioMs,
        out: &mut Vec<Event>,
    ) -> Result<(), Rejection> {
        if to < from {
            return Err(Rejection::SeekBackwards);
        }
        if to > crate::time::MAX_DURATION {
            return Err(Rejection::LimitReached);
        }
        self.run_due(to, out);
        self.clock.seek(now, to);
        self.emit(out, to, Audience::Everyone, EventKind::Seeked { from, to });
        Ok(())
    }

    /// When inject `idx` comes due, if its trigger has a time yet.
    fn inject_due(&self, idx: usize) -> Option<ScenarioMs> {
        match self.dues[idx] {
            Due::At(t) | Due::NotDoneBy(_, t) => Some(t),
            Due::Cue => None,
            Due::AfterInject(parent, delay) => match self.injects[parent] {
                InjectPhase::Fired(at, _) => Some(at.saturating_add(delay)),
                _ => None,
            },
            Due::AfterAction(action, delay) => match &self.actions[action].phase {
                ActionPhase::Done { at, .. } => Some(at.saturating_add(delay)),
                _ => None,
            },
        }
    }

    fn next_inject_due(&self) -> Option<ScenarioMs> {
        (0..self.injects.len())
            .filter(|&i| self.injects[i] == InjectPhase::Waiting)
            .filter_map(|i| self.inject_due(i))
            .min()
    }

    /// The earliest pending timer: injects before action deadlines at equal times, then file order.
    fn next_due(&self) -> Option<(ScenarioMs, DeadlineReason)> {
        let (t, timer) = self.next_timer()?;
        let reason = match timer {
            Timer::Inject(i) => DeadlineReason::Inject(self.scenario.injects[i].id.clone()),
            Timer::Deadline(i) => DeadlineReason::ActionDeadline(self.scenario.actions[i].id.clone()),
            Timer::Duration => DeadlineReason::DurationReached,
        };
        Some((t, reason))
    }

    fn next_timer(&self) -> Option<(ScenarioMs, Timer)> {
        let injects = (0..self.injects.len())
            .filter(|&i| self.injects[i] == InjectPhase::Waiting)
            .filter_map(|i| self.inject_due(i).map(|t| (t, Timer::Inject(i))));
        let deadlines = self.scenario.actions.iter().enumerate().filter_map(|(i, a)| {
            let status = &self.actions[i];
            let pending = !status.overdue && !matches!(status.phase, ActionPhase::Done { .. });
            a.deadline.filter(|_| pending).map(|t| (t, Timer::Deadline(i)))
        });
        let end = (self.setup.rules >= 2 && !self.duration_reached)
            .then_some((self.scenario.duration, Timer::Duration));
        injects.chain(deadlines).chain(end).min()
    }

    /// Processes every timer due at or before `until`, each at its own due time, in order.
    fn run_due(&mut self, until: ScenarioMs, out: &mut Vec<Event>) {
        // Each step retires one inject or one deadline, so this is bounded.
        for _ in 0..=(self.injects.len() + self.actions.len() + 1) {
            let Some((due, timer)) = self.next_timer().filter(|(t, _)| *t <= until) else { return };
            let t = due.max(self.last_at);
            match timer {
                Timer::Inject(idx) => {
                    let id = self.scenario.injects[idx].id.clone();
                    if let Due::NotDoneBy(a, _) = self.dues[idx]
                        && matches!(self.actions[a].phase, ActionPhase::Done { .. })
                    {
                        self.injects[idx] = InjectPhase::Averted;
                        let action = self.actions[a].id.clone();
                        self.emit(
                            out,
                            t,
                            Audience::Facilitator,
                            EventKind::EscalationAverted { inject: id, action },
                        );
                        continue;
                    }
                    self.fire(idx, t, FiredBy::Trigger, out);
                }
                Timer::Deadline(idx) => {
                    let id = self.actions[idx].id.clone();
                    self.actions[idx].overdue = true;
                    let mut audience = self.scenario.actions[idx].owners.clone();
                    for r in &self.actions[idx].visible_to {
                        if !audience.contains(r) {
                            audience.push(r.clone());
                        }
                    }
                    self.emit(out, t, Audience::Roles(audience), EventKind::ActionOverdue(id));
                }
                Timer::Duration => {
                    self.duration_reached = true;
                    self.emit(out, t, Audience::Facilitator, EventKind::DurationReached);
                }
            }
        }
    }

    fn fire(&mut self, idx: usize, t: ScenarioMs, by: FiredBy, out: &mut Vec<Event>) {
        self.injects[idx] = InjectPhase::Fired(t, by);
        let inject = &self.scenario.injects[idx];
        let kind = EventKind::InjectFired {
            inject: inject.id.clone(),
            by,
            title: variables::fill(&inject.title, &self.values),
            channel: inject.channel,
            to: inject.to.clone(),
            body: variables::fill(&inject.body, &self.values),
            actions: inject.actions.clone(),
        };
        let to = inject.to.clone();
        let offered = inject.actions.clone();
        self.emit(out, t, Audience::Roles(to.clone()), kind);
        for action in offered {
            let Some(a) = self.actions.iter().position(|s| s.id == action) else { continue };
            let status = &mut self.actions[a];
            let new_roles: Vec<RoleId> =
                to.iter().filter(|r| !status.visible_to.contains(r)).cloned().collect();
            if new_roles.is_empty() {
                continue;
            }
            status.visible_to.extend(new_roles.iter().cloned());
            if status.phase == ActionPhase::NotOpen {
                status.phase = ActionPhase::Open { since: t };
            }
            let kind = EventKind::ActionOpened { action, visible_to: new_roles.clone() };
            self.emit(out, t, Audience::Roles(new_roles), kind);
        }
    }
}

/// Who sees an `Acted` event (rules 2): a message (notify, hand-off, escalation, approval request) reaches
/// the sender's role and the role it is for; an acknowledgement stays with the acting role; the work itself,
/// approvals and decisions reach everyone (the incident channel). The facilitator sees all of them.
fn acted_audience(role: &RoleId, action: &ActionRef) -> Audience {
    match action {
        ActionRef::Builtin(
            Builtin::Notify { to, .. }
            | Builtin::HandOff { to, .. }
            | Builtin::Escalate { to, .. }
            | Builtin::RequestApproval { to, .. },
        ) => {
            let mut roles = vec![role.clone()];
            if to != role {
                roles.push(to.clone());
            }
            Audience::Roles(roles)
        }
        ActionRef::Builtin(Builtin::Acknowledge { .. }) => Audience::Roles(vec![role.clone()]),
        ActionRef::Scenario(_)
        | ActionRef::Builtin(Builtin::Approve { .. } | Builtin::RecordDecision { .. }) => Audience::Everyone,
    }
}

#[cfg(test)]
mod tests;
