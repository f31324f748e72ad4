//! The control room's live boards, computed from a drill's events: per role, where each expected action it
//! owns stands (open, due soon, overdue, done, done late, and by whom); per capability in play, how its
//! Responsible, Accountable, Consulted and Informed roles stand (told, acknowledged, acted, last heard), with
//! flags for an Accountable role gone silent and for work done outside its lane.
//!
//! Pure and cheap, so the runtime can recompute it on every refresh: one pass over the events, each costing
//! at most the scenario's size, then one pass over the scenario. It never reads the clock (`now` comes from
//! the caller) and shares scoring's notions — on time, right owner, which messages count for an action —
//! through [`crate::score`], so the board never tells the facilitator something the report contradicts.
//! Its thresholds are [`DUE_SOON_MS`] and [`SILENT_ACCOUNTABLE_MS`], explained in `docs/scoring.md`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::engine::{ActionRef, Builtin, Event, EventKind, ParticipantId};
use crate::model::{ActionId, Capability, CapabilityId, Raci, ResponsibilityModel, RoleId};
use crate::scenario::Scenario;
use crate::score::{RULES, handover_counts, late_by, message_counts_for};
use crate::time::ScenarioMs;

/// An open action is due soon when its deadline is this close or closer (scenario time).
pub const DUE_SOON_MS: ScenarioMs = ScenarioMs::from_mins(5);
/// The Accountable role of a capability with open work is flagged silent after this much scenario time
/// without acting, acknowledging or sending a message about it.
pub const SILENT_ACCOUNTABLE_MS: ScenarioMs = ScenarioMs::from_mins(10);

/// Both boards of the control room at one scenario time.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct LiveBoard {
    /// One board per role in play, in the scenario's order.
    pub roles: Vec<RoleBoard>,
    /// One board per capability in play, in the order the scenario's actions first name them.
    pub raci: Vec<CapabilityBoard>,
}

/// The per-role board: the expected actions a role owns.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleBoard {
    /// The role.
    pub role: RoleId,
    /// The actions it owns (alone or jointly), in the scenario's order.
    pub actions: Vec<BoardAction>,
}

/// One expected action on a role's board.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoardAction {
    /// The action.
    pub action: ActionId,
    /// Its label.
    pub label: String,
    /// Where it stands now.
    pub state: BoardState,
    /// Its deadline in scenario time, while it is open and has one.
    pub due: Option<ScenarioMs>,
    /// Who did it (the first time), once done.
    pub done_by: Option<Doer>,
}

/// Where an expected action stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BoardState {
    /// No inject has offered it yet.
    NotOpen,
    /// Offered, not done, its deadline (if any) more than [`DUE_SOON_MS`] away.
    Open,
    /// Offered, not done, its deadline at most [`DUE_SOON_MS`] away.
    DueSoon,
    /// Offered, not done, its deadline reached.
    Overdue,
    /// Done by its deadline, or it has none.
    Done,
    /// Done after its deadline.
    DoneLate,
}

/// Who did an action.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doer {
    /// The participant.
    pub participant: ParticipantId,
    /// Their display name when they joined (their id if the log has no name).
    pub name: String,
    /// The role they acted as.
    pub role: RoleId,
    /// When.
    pub at: ScenarioMs,
}

/// The live RACI board of one capability in play (one an expected action of the scenario belongs to).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapabilityBoard {
    /// The capability.
    pub capability: CapabilityId,
    /// Its display name.
    pub label: String,
    /// One per (role, letter) of the model's RACI for it: roles in play first, then R, A, C, I order.
    pub entries: Vec<RaciEntry>,
    /// What the facilitator should look at: silent Accountable first, then work out of lane as it happened.
    pub flags: Vec<BoardFlag>,
}

/// How one role with one RACI letter stands on a capability.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaciEntry {
    /// The role.
    pub role: RoleId,
    /// Its letter for the capability.
    pub letter: Raci,
    /// Whether the role is in play in this scenario.
    pub in_play: bool,
    /// It received an inject offering an action of the capability, or a message (notify, approval request,
    /// hand-off, escalation) that counts for one (as scoring counts it).
    pub told: bool,
    /// It acknowledged an inject offering an action of the capability, acted on one, or sent a message or
    /// approval naming one.
    pub acknowledged: bool,
    /// It did an expected action of the capability.
    pub acted: bool,
    /// The last time it acted on anything related to the capability: an action, an acknowledgement, an
    /// approval or a message that counts for one of its actions.
    pub last_heard: Option<ScenarioMs>,
}

/// Something on a capability's board the facilitator should look at.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BoardFlag {
    /// The Accountable role (in play) has said nothing about the capability — no action, acknowledgement or
    /// message — for longer than [`SILENT_ACCOUNTABLE_MS`], counted from when its first action opened or
    /// from when the role was last heard, while an action of the capability is still open.
    AccountableSilent {
        /// The Accountable role.
        role: RoleId,
        /// Silent since then.
        since: ScenarioMs,
    },
    /// An action of the capability was done by a role that is not a right owner as scoring judges it: not
    /// one of its owners, and not handed it by one.
    OutOfLane {
        /// The action.
        action: ActionId,
        /// The role acted as.
        role: RoleId,
        /// Who.
        participant: ParticipantId,
    },
}

/// Computes both boards from a drill's events (in log order) at scenario time `now`.
pub fn live_board(
    scenario: &Scenario,
    model: &ResponsibilityModel,
    events: &[Event],
    now: ScenarioMs,
) -> LiveBoard {
    let index = Index::new(scenario);
    let mut log = BoardLog::new(scenario, &index);
    for event in events {
        log.read(event);
    }
    LiveBoard { roles: role_boards(&log, now), raci: capability_boards(model, &log, now) }
}

/// The scenario's actions, capabilities and injects by position, so that reading an event costs lookups.
struct Index<'s> {
    scenario: &'s Scenario,
    actions: BTreeMap<&'s str, usize>,
    /// Capabilities in play, in the order the actions first name them.
    capabilities: Vec<&'s CapabilityId>,
    /// Per action: the position of its capability in `capabilities`.
    capability_of: Vec<usize>,
    /// Per scenario inject: the capabilities of the actions it offers.
    inject_capabilities: BTreeMap<&'s str, BTreeSet<usize>>,
}

impl<'s> Index<'s> {
    fn new(scenario: &'s Scenario) -> Index<'s> {
        let mut capabilities: Vec<&CapabilityId> = Vec::new();
        let mut capability_of = Vec::new();
        for a in &scenario.actions {
            let c = capabilities.iter().position(|&c| c == &a.capability).unwrap_or_else(|| {
                capabilities.push(&a.capability);
                capabilities.len() - 1
            });
            capability_of.push(c);
        }
        let actions: BTreeMap<&str, usize> =
            scenario.actions.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let inject_capabilities = scenario
            .injects
            .iter()
            .map(|x| {
                let caps =
                    x.actions.iter().filter_map(|a| actions.get(a.as_str())).map(|&i| capability_of[i]);
                (x.id.as_str(), caps.collect())
            })
            .collect();
        Index { scenario, actions, capabilities, capability_of, inject_capabilities }
    }

    fn action(&self, id: &ActionId) -> Option<usize> {
        self.actions.get(id.as_str()).copied()
    }
}

/// The first doing of an action.
#[derive(Debug, Clone)]
struct Doing {
    participant: ParticipantId,
    role: RoleId,
    at: ScenarioMs,
}

/// How a role stands on a capability.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    told: bool,
    acknowledged: bool,
    acted: bool,
    last_heard: Option<ScenarioMs>,
}

impl Standing {
    fn heard(&mut self, at: ScenarioMs) {
        self.last_heard = self.last_heard.max(Some(at));
    }
}

/// What the boards need, gathered from the log in one pass.
struct BoardLog<'i, 's> {
    index: &'i Index<'s>,
    /// Per action: when it was first offered.
    offered: Vec<Option<ScenarioMs>>,
    /// Per action: its first doing.
    done: Vec<Option<Doing>>,
    /// Per action: whether the engine marked it overdue.
    overdue: Vec<bool>,
    names: BTreeMap<ParticipantId, String>,
    /// Per (capability position, role).
    standing: BTreeMap<(usize, RoleId), Standing>,
    /// (action, role) pairs an owner handed over, which makes the role a right owner.
    handed: BTreeSet<(usize, RoleId)>,
    /// Per capability position: out-of-lane doings in log order, each (action, role, participant) once.
    out_of_lane: Vec<Vec<(usize, RoleId, ParticipantId)>>,
    out_of_lane_seen: BTreeSet<(usize, RoleId, ParticipantId)>,
}

impl<'i, 's> BoardLog<'i, 's> {
    fn new(scenario: &Scenario, index: &'i Index<'s>) -> BoardLog<'i, 's> {
        let n = scenario.actions.len();
        BoardLog {
            index,
            offered: vec![None; n],
            done: vec![None; n],
            overdue: vec![false; n],
            names: BTreeMap::new(),
            standing: BTreeMap::new(),
            handed: BTreeSet::new(),
            out_of_lane: vec![Vec::new(); index.capabilities.len()],
            out_of_lane_seen: BTreeSet::new(),
        }
    }

    fn standing(&mut self, capability: usize, role: &RoleId) -> &mut Standing {
        self.standing.entry((capability, role.clone())).or_default()
    }

    fn read(&mut self, e: &Event) {
        match &e.kind {
            EventKind::Joined { participant, name } => {
                self.names.insert(participant.clone(), name.clone());
            }
            EventKind::InjectFired { to, actions, .. } => {
                let caps: BTreeSet<usize> = actions
                    .iter()
                    .filter_map(|a| self.index.action(a))
                    .map(|i| self.index.capability_of[i])
                    .collect();
                for c in caps {
                    for role in to {
                        self.standing(c, role).told = true;
                    }
                }
            }
            EventKind::ActionOpened { action, .. } => {
                if let Some(i) = self.index.action(action) {
                    self.offered[i].get_or_insert(e.at);
                }
            }
            EventKind::ActionOverdue(action) => {
                if let Some(i) = self.index.action(action) {
                    self.overdue[i] = true;
                }
            }
            EventKind::Acted { participant, role, action, .. } => {
                self.read_act(participant, role, action, e.at)
            }
            _ => {}
        }
    }

    fn read_act(&mut self, participant: &ParticipantId, role: &RoleId, action: &ActionRef, at: ScenarioMs) {
        match action {
            ActionRef::Scenario(id) => {
                let Some(i) = self.index.action(id) else { return };
                let c = self.index.capability_of[i];
                let standing = self.standing(c, role);
                standing.acted = true;
                standing.acknowledged = true;
                standing.heard(at);
                if self.done[i].is_none() {
                    self.done[i] = Some(Doing { participant: participant.clone(), role: role.clone(), at });
                }
                let a = &self.index.scenario.actions[i];
                let in_lane = a.owners.contains(role) || self.handed.contains(&(i, role.clone()));
                if !in_lane && self.out_of_lane_seen.insert((i, role.clone(), participant.clone())) {
                    self.out_of_lane[c].push((i, role.clone(), participant.clone()));
                }
            }
            ActionRef::Builtin(b) => match b {
                Builtin::Acknowledge { inject } => {
                    let caps =
                        self.index.inject_capabilities.get(inject.as_str()).cloned().unwrap_or_default();
                    for c in caps {
                        let standing = self.standing(c, role);
                        standing.acknowledged = true;
                        standing.heard(at);
                    }
                }
                Builtin::Notify { to, about, .. } | Builtin::RequestApproval { to, about, .. } => {
                    self.read_message(role, to, about.as_ref(), at);
                }
                Builtin::Escalate { to, .. } => self.read_message(role, to, None, at),
                Builtin::HandOff { action, to, .. } => {
                    if let Some(i) = self.index.action(action)
                        && handover_counts(&self.index.scenario.actions[i], role)
                    {
                        self.handed.insert((i, to.clone()));
                    }
                    self.read_message(role, to, Some(action), at);
                }
                Builtin::Approve { about: Some(id), .. } => {
                    if let Some(i) = self.index.action(id) {
                        let standing = self.standing(self.index.capability_of[i], role);
                        standing.acknowledged = true;
                        standing.heard(at);
                    }
                }
                Builtin::Approve { about: None, .. } | Builtin::RecordDecision { .. } => {}
            },
        }
    }

    /// A message from `from` to `to`: it tells `to` about every capability it counts for (by scoring's
    /// rule), and `from` is heard on them; naming an action, `from` has acknowledged it too.
    fn read_message(&mut self, from: &RoleId, to: &RoleId, about: Option<&ActionId>, at: ScenarioMs) {
        let candidates: Vec<usize> = match about {
            Some(id) => self.index.action(id).into_iter().collect(),
            None => (0..self.offered.len()).collect(),
        };
        let mut caps = BTreeSet::new();
        for i in candidates {
            let Some(offered_at) = self.offered[i] else { continue };
            let done_at = self.done[i].as_ref().map(|d| d.at);
            if message_counts_for(about, at, &self.index.scenario.actions[i], offered_at, done_at, &RULES) {
                caps.insert(self.index.capability_of[i]);
            }
        }
        for c in caps {
            self.standing(c, to).told = true;
            let standing = self.standing(c, from);
            standing.heard(at);
            standing.acknowledged |= about.is_some();
        }
    }

    fn action_on_board(&self, i: usize, now: ScenarioMs) -> BoardAction {
        let a = &self.index.scenario.actions[i];
        let (state, due) = match (&self.done[i], self.offered[i], a.deadline) {
            (Some(d), _, deadline) => (
                if late_by(d.at, deadline).is_some() { BoardState::DoneLate } else { BoardState::Done },
                None,
            ),
            (None, None, _) => (BoardState::NotOpen, None),
            (None, Some(_), None) => (BoardState::Open, None),
            // The engine marks an action overdue when its deadline is reached, as here.
            (None, Some(_), Some(d)) if self.overdue[i] || now >= d => (BoardState::Overdue, Some(d)),
            (None, Some(_), Some(d)) if d.0 - now.0 <= DUE_SOON_MS.0 => (BoardState::DueSoon, Some(d)),
            (None, Some(_), Some(d)) => (BoardState::Open, Some(d)),
        };
        let done_by = self.done[i].as_ref().map(|d| Doer {
            participant: d.participant.clone(),
            name: self.names.get(&d.participant).cloned().unwrap_or_else(|| d.participant.0.clone()),
            role: d.role.clone(),
            at: d.at,
        });
        BoardAction { action: a.id.clone(), label: a.label.clone(), state, due, done_by }
    }

    /// When the Accountable role of capability `c` went silent, if it has been silent too long by `now`.
    fn silent_since(&self, c: usize, accountable: &RoleId, now: ScenarioMs) -> Option<ScenarioMs> {
        let of_capability = || (0..self.offered.len()).filter(move |&i| self.index.capability_of[i] == c);
        let first_opened = of_capability().filter_map(|i| self.offered[i]).min()?;
        let open = of_capability().any(|i| self.offered[i].is_some() && self.done[i].is_none());
        if !open || !self.index.scenario.roles.contains(accountable) {
            return None;
        }
        let heard = self.standing.get(&(c, accountable.clone())).and_then(|s| s.last_heard);
        let since = heard.map_or(first_opened, |h| h.max(first_opened));
        (now.0.saturating_sub(since.0) > SILENT_ACCOUNTABLE_MS.0).then_some(since)
    }
}

fn role_boards(log: &BoardLog<'_, '_>, now: ScenarioMs) -> Vec<RoleBoard> {
    let scenario = log.index.scenario;
    scenario
        .roles
        .iter()
        .map(|role| RoleBoard {
            role: role.clone(),
            actions: (0..scenario.actions.len())
                .filter(|&i| scenario.actions[i].owners.contains(role))
                .map(|i| log.action_on_board(i, now))
                .collect(),
        })
        .collect()
}

fn capability_boards(
    model: &ResponsibilityModel,
    log: &BoardLog<'_, '_>,
    now: ScenarioMs,
) -> Vec<CapabilityBoard> {
    let index = log.index;
    index
        .capabilities
        .iter()
        .enumerate()
        .map(|(c, &id)| {
            let Some(cap) = model.capability(id.as_str()) else {
                // A scenario resolved against another model: nothing to say about its RACI.
                return CapabilityBoard {
                    capability: id.clone(),
                    label: id.0.clone(),
                    entries: vec![],
                    flags: vec![],
                };
            };
            let mut flags: Vec<BoardFlag> = log
                .silent_since(c, &cap.accountable, now)
                .map(|since| BoardFlag::AccountableSilent { role: cap.accountable.clone(), since })
                .into_iter()
                .collect();
            flags.extend(log.out_of_lane[c].iter().map(|(i, role, participant)| BoardFlag::OutOfLane {
                action: index.scenario.actions[*i].id.clone(),
                role: role.clone(),
                participant: participant.clone(),
            }));
            CapabilityBoard {
                capability: id.clone(),
                label: cap.name.clone(),
                entries: entries(log, c, cap),
                flags,
            }
        })
        .collect()
}

/// The RACI entries of capability `c`: every (role, letter) of the model, roles in play first.
fn entries(log: &BoardLog<'_, '_>, c: usize, cap: &Capability) -> Vec<RaciEntry> {
    let lettered = (cap.responsible.iter().map(|r| (r, Raci::Responsible)))
        .chain([(&cap.accountable, Raci::Accountable)])
        .chain(cap.consulted.iter().map(|r| (r, Raci::Consulted)))
        .chain(cap.informed.iter().map(|r| (r, Raci::Informed)));
    let mut out: Vec<RaciEntry> = lettered
        .map(|(role, letter)| {
            let s = log.standing.get(&(c, role.clone())).copied().unwrap_or_default();
            RaciEntry {
                role: role.clone(),
                letter,
                in_play: log.index.scenario.roles.contains(role),
                told: s.told,
                acknowledged: s.acknowledged,
                acted: s.acted,
                last_heard: s.last_heard,
            }
        })
        .collect();
    // Stable: R, A, C, I order kept within each group.
    out.sort_by_key(|e| !e.in_play);
    out
}

#[cfg(test)]
mod tests {
    //! Scripted drills of the `triage` scoring fixture (platform revokes a key, security verifies,
    //! developer requests an exception, the risk owner approves it and decides on notification), the
    //! boards rendered one line per action, RACI entry and flag; and a large drill for the board's shape.

    use expect_test::{Expect, expect};

    use super::*;
    use crate::engine::{Actor, Command, Drill, DrillSetup, Input, RolePolicy, Speed, WallMs};
    use crate::sim::{SimConfig, Simulation, Team};
    use crate::{load_model, load_scenario};

    const MODEL: &str = include_str!("../../../scenarios/model.ron");
    const TRIAGE: &str = include_str!("../../../tests/data/score/triage.ron");
    const LEAKED: &str = include_str!("../../../scenarios/leaked-secret.ron");
    const MIN: u64 = 60;

    /// Who plays what: participant id, name, role.
    const CAST: [(&str, &str, &str); 5] = [
        ("p1", "Pia", "platform"),
        ("p2", "Sam", "security"),
        ("p3", "Dev", "developer"),
        ("p4", "Rita", "risk_owner"),
        ("p5", "Ike", "incident_commander"),
    ];

    /// At scenario second `.0`, participant `.1` does `.2` as role `.3`.
    type Move = (u64, &'static str, &'static str, ActionRef);

    fn does(action: &str) -> ActionRef {
        ActionRef::Scenario(ActionId(action.into()))
    }

    fn ack(inject: &str) -> ActionRef {
        ActionRef::Builtin(Builtin::Acknowledge { inject: crate::model::InjectId(inject.into()) })
    }

    fn tell(to: &str, about: Option<&str>) -> ActionRef {
        ActionRef::Builtin(Builtin::Notify {
            to: RoleId(to.into()),
            about: about.map(|a| ActionId(a.into())),
            text: "fyi".into(),
        })
    }

    fn hand(action: &str, to: &str) -> ActionRef {
        ActionRef::Builtin(Builtin::HandOff {
            action: ActionId(action.into()),
            to: RoleId(to.into()),
            text: "yours".into(),
        })
    }

    fn model() -> ResponsibilityModel {
        load_model(MODEL).value.expect("model")
    }

    /// Plays `moves` on a fresh triage drill at real time with the `CAST` seated, waking the engine at every
    /// deadline as the runtime does, up to scenario second `until_s`: later moves are not played yet, and the
    /// drill is left running.
    fn play(moves: &[Move], until_s: u64) -> (Scenario, Vec<Event>) {
        let scenario = load_scenario(TRIAGE, &model()).scenario.expect("fixture loads");
        let mut drill = Drill::new(scenario.clone(), DrillSetup::new(1, Speed::REAL_TIME, RolePolicy::One));
        let mut events = Vec::new();
        let wall = |s: u64| WallMs(1_000_000 + s * 1000);
        let wake = |drill: &mut Drill, events: &mut Vec<Event>, s: u64| {
            while let Some((at, _)) = drill.next_deadline().filter(|(at, _)| *at <= wall(s)) {
                events.extend(drill.input(&Input::Timeout { now: at }).events);
            }
        };
        let feed = |drill: &mut Drill, events: &mut Vec<Event>, s: u64, actor: Actor, command: Command| {
            wake(drill, events, s);
            let outcome = drill.input(&Input::Command { now: wall(s), actor, command: command.clone() });
            assert_eq!(outcome.rejection, None, "{command:?} at {s} s was refused");
            events.extend(outcome.events);
        };
        for (id, name, role) in CAST {
            let pid = ParticipantId(id.into());
            feed(
                &mut drill,
                &mut events,
                0,
                Actor::Participant(pid.clone()),
                Command::Join { name: name.into() },
            );
            let assign = Command::Assign { participant: pid, role: RoleId(role.into()) };
            feed(&mut drill, &mut events, 0, Actor::Facilitator, assign);
        }
        feed(&mut drill, &mut events, 0, Actor::Facilitator, Command::Start);
        for (k, (s, who, role, what)) in moves.iter().enumerate().filter(|(_, m)| m.0 <= until_s) {
            let command = Command::Act {
                client_id: format!("c{k}"),
                role: RoleId((*role).into()),
                action: what.clone(),
            };
            feed(&mut drill, &mut events, *s, Actor::Participant(ParticipantId((*who).into())), command);
        }
        wake(&mut drill, &mut events, until_s);
        (scenario, events)
    }

    fn board_at(moves: &[Move], now_s: u64) -> LiveBoard {
        let (scenario, events) = play(moves, now_s);
        live_board(&scenario, &model(), &events, ScenarioMs(now_s * 1000))
    }

    /// The role boards, one line per action: `role: action state [due …] [by name (participant) as role at …]`.
    fn render_roles(board: &LiveBoard) -> String {
        let mut lines = Vec::new();
        for r in &board.roles {
            for a in &r.actions {
                let mut line = format!("{}: {} {:?}", r.role, a.action, a.state);
                if let Some(due) = a.due {
                    line += &format!(" due {due}");
                }
                if let Some(d) = &a.done_by {
                    line += &format!(" by {} ({}) as {} at {}", d.name, d.participant, d.role, d.at);
                }
                lines.push(line);
            }
        }
        lines.join("\n")
    }

    /// The RACI boards: a capability line, then one line per entry (`letter role [out of play] flags
    /// heard …`) and per flag.
    fn render_raci(board: &LiveBoard) -> String {
        let mut lines = Vec::new();
        for c in &board.raci {
            lines.push(format!("{} ({})", c.capability, c.label));
            for e in &c.entries {
                let marks: Vec<&str> = [(e.told, "told"), (e.acknowledged, "ack"), (e.acted, "acted")]
                    .into_iter()
                    .filter_map(|(on, name)| on.then_some(name))
                    .collect();
                let play = if e.in_play { "" } else { " (not in play)" };
                let heard = e.last_heard.map_or_else(String::new, |t| format!(" heard {t}"));
                lines.push(format!("  {} {}{play} [{}]{heard}", e.letter.letter(), e.role, marks.join(" ")));
            }
            for f in &c.flags {
                lines.push(format!("  ! {f:?}"));
            }
        }
        lines.join("\n")
    }

    fn check_roles(moves: &[Move], now_s: u64, expect: Expect) {
        expect.assert_eq(&render_roles(&board_at(moves, now_s)));
    }

    fn check_raci(moves: &[Move], now_s: u64, expect: Expect) {
        expect.assert_eq(&render_raci(&board_at(moves, now_s)));
    }

    /// Owners act on time and tell the roles the model names: every action done, no flag.
    fn prompt_moves() -> Vec<Move> {
        vec![
            (30, "p1", "platform", ack("leak")),
            (2 * MIN, "p1", "platform", does("revoke")),
            (2 * MIN + 10, "p1", "platform", tell("incident_commander", Some("revoke"))),
            (2 * MIN + 20, "p2", "security", ack("leak")),
            (4 * MIN, "p2", "security", does("verify")),
            (5 * MIN, "p3", "developer", does("request_exception")),
            (7 * MIN, "p4", "risk_owner", does("approve_exception")),
            (21 * MIN, "p4", "risk_owner", does("notify")),
        ]
    }

    #[test]
    fn a_prompt_team_has_everything_done_and_no_flag() {
        let moves = prompt_moves();
        check_roles(
            &moves,
            25 * MIN,
            expect![[r#"
            platform: revoke Done by Pia (p1) as platform at T+00:02:00
            security: verify Done by Sam (p2) as security at T+00:04:00
            developer: request_exception Done by Dev (p3) as developer at T+00:05:00
            risk_owner: approve_exception Done by Rita (p4) as risk_owner at T+00:07:00
            risk_owner: notify Done by Rita (p4) as risk_owner at T+00:21:00"#]],
        );
        check_raci(
            &moves,
            25 * MIN,
            expect![[r#"
            secrets_management (Secrets management)
              R platform [told ack acted] heard T+00:02:10
              R developer [told]
              A security [told ack] heard T+00:02:20
              I incident_commander [told]
              I compliance (not in play) []
            cicd_controls (CI/CD controls)
              R platform [told]
              R developer [told ack acted] heard T+00:05:00
              A security [told]
              I incident_commander []
            risk_decisions (Risk decisions)
              R risk_owner [told ack acted] heard T+00:07:00
              A risk_owner [told ack acted] heard T+00:07:00
              C security []
              I incident_commander []
              C compliance (not in play) []
            detection_monitoring (Detection and monitoring)
              R security [told ack acted] heard T+00:04:00
              A security [told ack acted] heard T+00:04:00
              C platform [told]
              I incident_commander []
            communications (Communications and notification)
              R risk_owner [told ack acted] heard T+00:21:00
              A risk_owner [told ack acted] heard T+00:21:00
              C incident_commander [told]
              C security []
              I developer []
              I platform []
              C compliance (not in play) []"#]],
        );
    }

    /// The flags of every capability board, one per line.
    fn render_flags(board: &LiveBoard) -> String {
        let lines: Vec<String> = board
            .raci
            .iter()
            .flat_map(|c| c.flags.iter().map(move |f| format!("{}: {f:?}", c.capability)))
            .collect();
        lines.join("\n")
    }

    #[test]
    fn a_siloed_team_is_flagged_out_of_lane_as_scoring_judges_it() {
        // The developer, who does not own the revoke here, hands it to the incident commander, who does it;
        // the developer then does it again. Platform verifies its own containment (security owns that). A
        // hand-off from the owner puts the receiver in lane: the developer hands its request to platform.
        let moves = vec![
            (30, "p3", "developer", hand("revoke", "incident_commander")),
            (MIN, "p5", "incident_commander", does("revoke")),
            (90, "p3", "developer", does("revoke")),
            (3 * MIN, "p1", "platform", does("verify")),
            (4 * MIN, "p3", "developer", hand("request_exception", "platform")),
            (5 * MIN, "p1", "platform", does("request_exception")),
        ];
        let (scenario, events) = play(&moves, 6 * MIN);
        let model = model();
        let board = live_board(&scenario, &model, &events, ScenarioMs(6 * MIN * 1000));
        expect![[r#"
            secrets_management: OutOfLane { action: ActionId("revoke"), role: RoleId("incident_commander"), participant: ParticipantId("p5") }
            secrets_management: OutOfLane { action: ActionId("revoke"), role: RoleId("developer"), participant: ParticipantId("p3") }
            detection_monitoring: OutOfLane { action: ActionId("verify"), role: RoleId("platform"), participant: ParticipantId("p1") }"#]].assert_eq(&render_flags(&board));
        // The first doer of each action is out of lane on the board exactly when scoring says so.
        let scored = crate::score::score(&scenario, &model, &events);
        for a in board.roles.iter().flat_map(|r| &r.actions) {
            let Some(d) = &a.done_by else { continue };
            let flagged = board.raci.iter().flat_map(|c| &c.flags).any(|f| {
                matches!(f, BoardFlag::OutOfLane { action, role, .. } if action == &a.action && role == &d.role)
            });
            let outside = scored.findings.iter().any(|f| {
                f.action.as_ref() == Some(&a.action) && f.kind == crate::score::FindingKind::OutsideLane
            });
            assert_eq!(flagged, outside, "{}", a.action);
        }
    }

    #[test]
    fn a_silent_accountable_is_flagged_while_its_capability_has_open_work() {
        // Security answers for secrets management. It says nothing until 12 min, then nothing more; platform
        // revokes at 24 min. Silence counts from the first offer (T+0) or from when it was last heard.
        let moves = vec![
            (MIN, "p1", "platform", ack("leak")),
            (12 * MIN, "p2", "security", ack("leak")),
            (24 * MIN, "p1", "platform", does("revoke")),
        ];
        let lines: Vec<String> = [9, 10, 11, 13, 22, 23, 25]
            .into_iter()
            .map(|m| {
                let board = board_at(&moves, m * MIN);
                let flags: Vec<String> = board
                    .raci
                    .iter()
                    .filter(|c| c.capability.as_str() == "secrets_management")
                    .flat_map(|c| c.flags.iter().map(|f| format!("{f:?}")))
                    .collect();
                format!("{}: {}", ScenarioMs(m * MIN * 1000), flags.join(", "))
            })
            .collect();
        expect![[r#"
            T+00:09:00: 
            T+00:10:00: 
            T+00:11:00: AccountableSilent { role: RoleId("security"), since: ScenarioMs(0) }
            T+00:13:00: 
            T+00:22:00: 
            T+00:23:00: AccountableSilent { role: RoleId("security"), since: ScenarioMs(720000) }
            T+00:25:00: "#]]
        .assert_eq(&lines.join("\n"));
    }

    #[test]
    fn states_follow_the_deadlines() {
        // revoke is due at 15 min (done at 16), verify at 30 (offered a minute after the revoke, done at 20),
        // request_exception at 30 (offered with verify, never done).
        let moves =
            vec![(16 * MIN, "p1", "platform", does("revoke")), (20 * MIN, "p2", "security", does("verify"))];
        let lines: Vec<String> = [9, 10, 15, 17, 20, 25, 30]
            .into_iter()
            .map(|m| {
                let board = board_at(&moves, m * MIN);
                let states: Vec<String> = board
                    .roles
                    .iter()
                    .flat_map(|r| &r.actions)
                    .filter(|a| ["revoke", "verify", "request_exception"].contains(&a.action.as_str()))
                    .map(|a| match a.due {
                        Some(due) => format!("{} {:?} due {due}", a.action, a.state),
                        None => format!("{} {:?}", a.action, a.state),
                    })
                    .collect();
                format!("{}: {}", ScenarioMs(m * MIN * 1000), states.join(", "))
            })
            .collect();
        expect![[r#"
            T+00:09:00: revoke Open due T+00:15:00, verify NotOpen, request_exception NotOpen
            T+00:10:00: revoke DueSoon due T+00:15:00, verify NotOpen, request_exception NotOpen
            T+00:15:00: revoke Overdue due T+00:15:00, verify NotOpen, request_exception NotOpen
            T+00:17:00: revoke DoneLate, verify Open due T+00:30:00, request_exception Open due T+00:30:00
            T+00:20:00: revoke DoneLate, verify Done, request_exception Open due T+00:30:00
            T+00:25:00: revoke DoneLate, verify Done, request_exception DueSoon due T+00:30:00
            T+00:30:00: revoke DoneLate, verify Done, request_exception Overdue due T+00:30:00"#]]
        .assert_eq(&lines.join("\n"));
    }

    #[test]
    fn told_acknowledged_and_acted_come_from_the_right_events() {
        // CI/CD controls (request_exception): R platform and developer, A security, I incident commander.
        // The `revoked` inject offers it to developer, security and platform (told); the incident commander
        // is told by a message naming no action while it is open (scoring's rule); security acknowledges
        // the inject; the developer does it.
        let moves = vec![
            (MIN, "p1", "platform", does("revoke")),
            (3 * MIN, "p1", "platform", tell("incident_commander", None)),
            (4 * MIN, "p2", "security", ack("revoked")),
            (5 * MIN, "p3", "developer", does("request_exception")),
        ];
        let cicd = |now_s: u64| {
            let board = board_at(&moves, now_s);
            let only = LiveBoard {
                roles: vec![],
                raci: board.raci.into_iter().filter(|c| c.capability.as_str() == "cicd_controls").collect(),
            };
            render_raci(&only)
        };
        expect![[r#"
            cicd_controls (CI/CD controls)
              R platform [told]
              R developer [told]
              A security [told]
              I incident_commander []"#]]
        .assert_eq(&cicd(150));
        expect![[r#"
            cicd_controls (CI/CD controls)
              R platform [told] heard T+00:03:00
              R developer [told ack acted] heard T+00:05:00
              A security [told ack] heard T+00:04:00
              I incident_commander [told]"#]]
        .assert_eq(&cicd(6 * MIN));
    }

    #[test]
    fn a_drill_of_ten_thousand_events_gets_a_full_board_in_one_pass() {
        // A simulated drill of the leaked-secret scenario padded with 10 000 messages and acknowledgements:
        // the board has every role and capability in play, with the model's RACI, and round-trips as JSON.
        // (Its cost is one pass over the events; the benchmark, not this test, says how fast that is.)
        let model = model();
        let scenario = load_scenario(LEAKED, &model).scenario.expect("loads");
        let config = SimConfig {
            seed: 9,
            team: Team::Mixed,
            participants: None,
            speed: Speed::REAL_TIME,
            start: WallMs(0),
        };
        let mut sim = Simulation::new(scenario.clone(), &model, &config);
        let mut events = Vec::new();
        while let Some(step) = sim.step() {
            events.extend(step.outcome.events);
        }
        let last = events.last().map_or(ScenarioMs::ZERO, |e| e.at);
        let first_inject = scenario.injects[0].id.clone();
        for k in 0..10_000u64 {
            let role = scenario.roles[(k / 3) as usize % scenario.roles.len()].clone();
            let to = scenario.roles[(k / 3 + 1) as usize % scenario.roles.len()].clone();
            let action = match k % 3 {
                0 => ActionRef::Builtin(Builtin::Acknowledge { inject: first_inject.clone() }),
                1 => ActionRef::Builtin(Builtin::Notify { to, about: None, text: "status".into() }),
                _ => ActionRef::Builtin(Builtin::Escalate { to, text: "help".into() }),
            };
            events.push(Event {
                seq: events.len() as u64 + 1,
                at: last,
                audience: crate::engine::Audience::Everyone,
                kind: EventKind::Acted {
                    participant: ParticipantId(format!("bot-{:03}", k % 7)),
                    role,
                    client_id: format!("pad-{k}"),
                    action,
                    repeat: false,
                },
            });
        }
        assert!(events.len() > 10_000);
        let board = live_board(&scenario, &model, &events, last);
        assert_eq!(
            board.roles.iter().map(|r| &r.role).collect::<Vec<_>>(),
            scenario.roles.iter().collect::<Vec<_>>()
        );
        for r in &board.roles {
            let owned = scenario.actions.iter().filter(|a| a.owners.contains(&r.role)).count();
            assert_eq!(r.actions.len(), owned, "{}", r.role);
        }
        let in_play: BTreeSet<&CapabilityId> = scenario.actions.iter().map(|a| &a.capability).collect();
        assert_eq!(board.raci.len(), in_play.len());
        for c in &board.raci {
            let cap = model.capability(c.capability.as_str()).expect("in the model");
            let n = cap.responsible.len() + 1 + cap.consulted.len() + cap.informed.len();
            assert_eq!(c.entries.len(), n, "{}", c.capability);
            assert!(c.entries.windows(2).all(|w| w[0].in_play >= w[1].in_play), "roles in play first");
        }
        // Every role in play acknowledged the first inject over and over: heard on what it offers.
        let first_caps: BTreeSet<&CapabilityId> = scenario.injects[0]
            .actions
            .iter()
            .filter_map(|a| scenario.action(a.as_str()))
            .map(|a| &a.capability)
            .collect();
        for c in board.raci.iter().filter(|c| first_caps.contains(&c.capability)) {
            for e in c.entries.iter().filter(|e| e.in_play) {
                assert_eq!(e.last_heard, Some(last), "{} {}", c.capability, e.role);
            }
        }
        let json = serde_json::to_string(&board).expect("serializes");
        assert_eq!(serde_json::from_str::<LiveBoard>(&json).expect("reads back"), board);
    }
}
