//! Scoring: how the team coordinated against the responsibility model, explained point by point.
//!
//! [`score`] reads a drill's event log with its scenario and model and returns a [`Score`]: a list of
//! [`Finding`]s, each naming the rule it applied, the points it gave and the events that caused it, and the
//! figures derived from the same log (objective ratings, per-role figures, time metrics, the ownership
//! heat map, the timeline). Pure and deterministic, like the engine: the same log gives the same score.
//! Every number lives in [`RULES`]; `docs/scoring.md` explains them.

mod rules;
#[cfg(test)]
mod tests;
mod types;

use std::collections::{BTreeMap, BTreeSet};

pub use rules::{RULES, Rules};
pub use types::{
    Ack, ActionScore, Finding, FindingKind, Handoff, HandoffKind, HeatRow, IdleGap, Mark, MarkKind, Metrics,
    ObjectiveScore, Observation, Outcome, ParticipantInfo, PlanDraft, PlanItem, PlanStatus, Rating,
    RoleScore, Rule, Score, TeamScore, Tone,
};

use crate::engine::{ActionRef, Builtin, Event, EventKind, NoteKind, ParticipantId};
use crate::model::{ActionId, CapabilityId, InjectId, ResponsibilityModel, RoleId, SodConstraint, SodSide};
use crate::scenario::{ExpectedAction, Metric, Scenario, Trigger};
use crate::time::ScenarioMs;

/// Scores a drill from its events (in log order) with the rules Muster uses.
pub fn score(scenario: &Scenario, model: &ResponsibilityModel, events: &[Event]) -> Score {
    score_with(scenario, model, events, &RULES)
}

/// One scenario action as the log shows it.
#[derive(Debug, Default)]
struct ActionLog {
    offered: Option<(ScenarioMs, u64)>,
    done: Option<Act>,
    repeats: Vec<Act>,
    overdue: Option<u64>,
}

#[derive(Debug, Clone)]
struct Act {
    participant: ParticipantId,
    role: RoleId,
    at: ScenarioMs,
    seq: u64,
}

/// A message from one role to another.
#[derive(Debug, Clone)]
struct Tell {
    from: RoleId,
    participant: ParticipantId,
    to: RoleId,
    about: Option<ActionId>,
    at: ScenarioMs,
    seq: u64,
}

#[derive(Debug, Clone)]
struct HandOffAct {
    from: RoleId,
    to: RoleId,
    action: ActionId,
    at: ScenarioMs,
    seq: u64,
}

/// Everything scoring needs, gathered from the log in one pass.
#[derive(Debug, Default)]
struct Log {
    actions: Vec<ActionLog>,
    /// Every act on a scenario action (first and repeats), in log order: (action index, act).
    scenario_acts: Vec<(usize, Act)>,
    tells: Vec<Tell>,
    handoffs: Vec<HandOffAct>,
    fired: Vec<(InjectId, ScenarioMs, Vec<RoleId>, u64)>,
    /// Injects the facilitator skipped, or held and never released.
    withheld: BTreeSet<InjectId>,
    acks: BTreeMap<(InjectId, RoleId), ScenarioMs>,
    activity: BTreeMap<RoleId, Vec<ScenarioMs>>,
    participants: BTreeMap<ParticipantId, ParticipantInfo>,
    observations: Vec<Observation>,
    ended_at: Option<ScenarioMs>,
    last_at: ScenarioMs,
    seed: Option<u64>,
}

impl Log {
    fn read(scenario: &Scenario, events: &[Event]) -> Log {
        let index: BTreeMap<&str, usize> =
            scenario.actions.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
        let mut log = Log {
            actions: scenario.actions.iter().map(|_| ActionLog::default()).collect(),
            ..Log::default()
        };
        for e in events {
            log.last_at = log.last_at.max(e.at);
            match &e.kind {
                EventKind::Started { seed, .. } => log.seed = Some(*seed),
                EventKind::InjectFired { inject, to, .. } if scenario.inject(inject.as_str()).is_some() => {
                    log.fired.push((inject.clone(), e.at, to.clone(), e.seq));
                }
                EventKind::ActionOpened { action, .. } => {
                    if let Some(&i) = index.get(action.as_str()) {
                        log.actions[i].offered.get_or_insert((e.at, e.seq));
                    }
                }
                EventKind::ActionOverdue(action) => {
                    if let Some(&i) = index.get(action.as_str()) {
                        log.actions[i].overdue.get_or_insert(e.seq);
                    }
                }
                EventKind::Joined { participant, name } => {
                    let p = log.participants.entry(participant.clone()).or_insert_with(|| ParticipantInfo {
                        id: participant.clone(),
                        name: name.clone(),
                        roles: Vec::new(),
                    });
                    p.name = name.clone();
                }
                EventKind::Assigned { participant, role } => {
                    if let Some(p) = log.participants.get_mut(participant)
                        && !p.roles.contains(role)
                    {
                        p.roles.push(role.clone());
                    }
                }
                EventKind::Noted { kind: NoteKind::Observation, text } => {
                    log.observations.push(Observation { at: e.at, text: text.clone(), seq: e.seq });
                }
                EventKind::Ended { .. } => log.ended_at = Some(e.at),
                EventKind::InjectSkipped(id) | EventKind::InjectHeld(id) => {
                    log.withheld.insert(id.clone());
                }
                EventKind::InjectReleased(id) => {
                    log.withheld.remove(id);
                }
                EventKind::Acted { participant, role, action, .. } => {
                    log.activity.entry(role.clone()).or_default().push(e.at);
                    let act =
                        Act { participant: participant.clone(), role: role.clone(), at: e.at, seq: e.seq };
                    log.read_act(&index, act, action);
                }
                _ => {}
            }
        }
        log
    }

    fn read_act(&mut self, index: &BTreeMap<&str, usize>, act: Act, action: &ActionRef) {
        let tell = |to: &RoleId, about: Option<&ActionId>| Tell {
            from: act.role.clone(),
            participant: act.participant.clone(),
            to: to.clone(),
            about: about.cloned(),
            at: act.at,
            seq: act.seq,
        };
        match action {
            ActionRef::Scenario(id) => {
                let Some(&i) = index.get(id.as_str()) else { return };
                self.scenario_acts.push((i, act.clone()));
                let log = &mut self.actions[i];
                if log.done.is_none() {
                    log.done = Some(act);
                } else {
                    log.repeats.push(act);
                }
            }
            ActionRef::Builtin(b) => match b {
                Builtin::Acknowledge { inject } => {
                    self.acks.entry((inject.clone(), act.role.clone())).or_insert(act.at);
                }
                Builtin::Notify { to, about, .. } | Builtin::RequestApproval { to, about, .. } => {
                    self.tells.push(tell(to, about.as_ref()));
                }
                Builtin::Escalate { to, .. } => self.tells.push(tell(to, None)),
                Builtin::HandOff { action, to, .. } => {
                    self.tells.push(tell(to, Some(action)));
                    self.handoffs.push(HandOffAct {
                        from: act.role.clone(),
                        to: to.clone(),
                        action: action.clone(),
                        at: act.at,
                        seq: act.seq,
                    });
                }
                Builtin::Approve { .. } | Builtin::RecordDecision { .. } => {}
            },
        }
    }
}

/// Names for people: roles by display name, participants by name.
struct Names<'a> {
    model: &'a ResponsibilityModel,
    participants: &'a BTreeMap<ParticipantId, ParticipantInfo>,
}

impl Names<'_> {
    fn role(&self, role: &RoleId) -> String {
        self.model.role(role.as_str()).map_or_else(|| role.to_string(), |r| r.name.clone())
    }

    fn roles(&self, roles: &[RoleId]) -> String {
        let names: Vec<String> = roles.iter().map(|r| self.role(r)).collect();
        match names.len() {
            0 => "nobody".to_owned(),
            1 => names[0].clone(),
            n => format!("{} and {}", names[..n - 1].join(", "), names[n - 1]),
        }
    }

    fn act(&self, act: &Act) -> String {
        let who =
            self.participants.get(&act.participant).map_or(act.participant.0.as_str(), |p| p.name.as_str());
        format!("{} ({who})", self.role(&act.role))
    }
}

/// The first clause of an action's label (at most 70 characters), for sentences.
pub fn short(label: &str) -> String {
    let cut = label
        .char_indices()
        .find(|&(i, c)| i >= 20 && matches!(c, ':' | ',' | ';' | '('))
        .map_or(label, |(i, _)| &label[..i]);
    let cut = cut.trim_end();
    if cut.chars().count() <= 70 {
        return cut.to_owned();
    }
    let mut out: String = cut.chars().take(70).collect();
    if let Some(space) = out.rfind(' ') {
        out.truncate(space);
    }
    out.push('…');
    out
}

fn signed(points: i64, max: i64) -> String {
    if max == 0 { format!("{points:+}") } else { format!("{points:+} of {max}") }
}

struct Scorer<'a> {
    scenario: &'a Scenario,
    model: &'a ResponsibilityModel,
    rules: &'a Rules,
    log: Log,
    /// Per action: offered, or held back because a prerequisite in play was never done.
    in_play: Vec<bool>,
    /// Per action held back: the undone action that held it back.
    blocked_by: Vec<Option<ActionId>>,
    findings: Vec<Finding>,
}

/// Scores with explicit rules (tests and what-ifs).
pub fn score_with(
    scenario: &Scenario,
    model: &ResponsibilityModel,
    events: &[Event],
    rules: &Rules,
) -> Score {
    let log = Log::read(scenario, events);
    let (in_play, blocked_by) = in_play(scenario, &log);
    let mut s = Scorer { scenario, model, rules, log, in_play, blocked_by, findings: Vec::new() };
    for i in 0..scenario.actions.len() {
        s.action_findings(i);
    }
    s.sod_findings();
    s.duplicate_findings();
    s.finish()
}

/// Which actions count: those offered, and those whose inject never fired only because an action in play
/// was never done (directly, or through a chain of injects). Injects the facilitator withheld, escalations
/// that were not needed, cues never given and injects due after the end do not count.
fn in_play(scenario: &Scenario, log: &Log) -> (Vec<bool>, Vec<Option<ActionId>>) {
    let mut in_play: Vec<bool> = log.actions.iter().map(|l| l.offered.is_some()).collect();
    let mut blocked_by: Vec<Option<ActionId>> = vec![None; scenario.actions.len()];
    let fired: BTreeSet<&InjectId> = log.fired.iter().map(|(id, ..)| id).collect();
    let mut blocked: Vec<Option<ActionId>> = vec![None; scenario.injects.len()];
    let action_index = |id: &ActionId| scenario.actions.iter().position(|a| &a.id == id);
    loop {
        let mut changed = false;
        for (k, inject) in scenario.injects.iter().enumerate() {
            if blocked[k].is_some() || fired.contains(&inject.id) || log.withheld.contains(&inject.id) {
                continue;
            }
            blocked[k] = match &inject.trigger {
                Trigger::AfterAction { action, .. } => action_index(action)
                    .filter(|&j| in_play[j] && log.actions[j].done.is_none())
                    .map(|_| action.clone()),
                Trigger::AfterInject { inject: parent, .. } => {
                    scenario.injects.iter().position(|x| &x.id == parent).and_then(|x| blocked[x].clone())
                }
                _ => None,
            };
            let Some(by) = blocked[k].clone() else { continue };
            changed = true;
            for j in inject.actions.iter().filter_map(&action_index) {
                if !in_play[j] {
                    in_play[j] = true;
                    blocked_by[j] = Some(by.clone());
                }
            }
        }
        if !changed {
            return (in_play, blocked_by);
        }
    }
}

impl Scorer<'_> {
    fn names(&self) -> Names<'_> {
        Names { model: self.model, participants: &self.log.participants }
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        rule: Rule,
        kind: FindingKind,
        a: &ExpectedAction,
        roles: Vec<RoleId>,
        participants: Vec<ParticipantId>,
        at: Option<ScenarioMs>,
        (points, max): (i64, i64),
        mut events: Vec<u64>,
        text: String,
    ) {
        events.sort_unstable();
        events.dedup();
        let tone = match kind {
            FindingKind::Done
            | FindingKind::Owner
            | FindingKind::HandedOff
            | FindingKind::OnTime
            | FindingKind::InOrder
            | FindingKind::Told
            | FindingKind::SodKept => Tone::Strength,
            _ => Tone::Improvement,
        };
        self.findings.push(Finding {
            rule,
            kind,
            tone,
            action: Some(a.id.clone()),
            capability: Some(a.capability.clone()),
            sod_rule: None,
            roles,
            participants,
            at,
            points,
            max,
            events,
            text,
        });
    }

    fn action_findings(&mut self, i: usize) {
        let a = &self.scenario.actions[i];
        let r = self.rules;
        let worth = r.worth(a.weight);
        let log = &self.log.actions[i];
        if !self.in_play[i] {
            return;
        }
        let label = short(&a.label);
        let Some((offered_at, offered_seq)) = log.offered else {
            let by = self.blocked_by[i].clone().map_or_else(String::new, |b| b.0);
            let by_label = self.scenario.action(&by).map_or(by.clone(), |b| short(&b.label));
            let owners = self.names().roles(&a.owners);
            let text = format!(
                "Missed: “{label}” (owner: {owners}) never came up, because “{by_label}” was never done. {}",
                signed(0, worth)
            );
            self.push(
                Rule::Coverage,
                FindingKind::Missed,
                a,
                a.owners.clone(),
                vec![],
                None,
                (0, worth),
                vec![],
                text,
            );
            return;
        };
        let Some(done) = log.done.clone() else {
            let overdue: Vec<u64> = log.overdue.into_iter().collect();
            let owners = self.names().roles(&a.owners);
            let joint = if a.owners.len() > 1 {
                format!(", owned jointly by {owners}: none of them acted")
            } else {
                format!(" (owner: {owners})")
            };
            let mut events = vec![offered_seq];
            events.extend(&overdue);
            let text = format!("Missed: nobody did “{label}”{joint}. {}", signed(0, worth));
            let at = Some(offered_at);
            self.push(
                Rule::Coverage,
                FindingKind::Missed,
                a,
                a.owners.clone(),
                vec![],
                at,
                (0, worth),
                events,
                text,
            );
            self.gap_finding(i);
            return;
        };
        let names = self.names();
        let who = names.act(&done);
        let when = done.at;
        let has_deadline = a.deadline.is_some();
        let has_prereqs = !a.after.is_empty();
        let required = self.told_roles(a, &done.role);
        // Parts without a condition to meet come with the Done finding, so an action's findings add up to its worth.
        let mut base = r.part(worth, r.share_done);
        let mut free = Vec::new();
        if !has_deadline {
            base += r.part(worth, r.share_timely);
            free.push("no deadline");
        }
        if !has_prereqs {
            base += r.part(worth, r.share_order);
            free.push("no prerequisites");
        }
        if required.is_empty() {
            base += r.part(worth, r.share_told);
            free.push("nobody to consult or inform");
        }
        let extra = if free.is_empty() { String::new() } else { format!(" ({})", free.join(", ")) };
        let text = format!("{who} did “{label}” at {when}{extra}: {}", signed(base, base));
        let (roles, ps) = (vec![done.role.clone()], vec![done.participant.clone()]);
        self.push(
            Rule::Coverage,
            FindingKind::Done,
            a,
            roles.clone(),
            ps.clone(),
            Some(when),
            (base, base),
            vec![done.seq],
            text,
        );

        // Right owner.
        let owner_part = r.part(worth, r.share_owner);
        if a.owners.contains(&done.role) {
            let text = format!("{who} owns “{label}” and did it: {}", signed(owner_part, owner_part));
            self.push(
                Rule::RightOwner,
                FindingKind::Owner,
                a,
                roles.clone(),
                ps.clone(),
                Some(when),
                (owner_part, owner_part),
                vec![done.seq],
                text,
            );
        } else if let Some(h) = self
            .log
            .handoffs
            .iter()
            .find(|h| {
                h.action == a.id && h.to == done.role && handover_counts(a, &h.from) && h.seq < done.seq
            })
            .cloned()
        {
            let names = self.names();
            let text = format!(
                "{} handed “{label}” to {} at {}, who did it at {when}: {}",
                names.role(&h.from),
                names.role(&h.to),
                h.at,
                signed(owner_part, owner_part)
            );
            let roles = vec![done.role.clone(), h.from.clone()];
            self.push(
                Rule::RightOwner,
                FindingKind::HandedOff,
                a,
                roles,
                ps.clone(),
                Some(when),
                (owner_part, owner_part),
                vec![h.seq, done.seq],
                text,
            );
        } else {
            let names = self.names();
            let text = format!(
                "Responsibility confusion: {who} did “{label}”, which {} owns: {}",
                names.roles(&a.owners),
                signed(0, owner_part)
            );
            let mut roles = roles.clone();
            roles.extend(a.owners.iter().cloned());
            self.push(
                Rule::RightOwner,
                FindingKind::OutsideLane,
                a,
                roles,
                ps.clone(),
                Some(when),
                (0, owner_part),
                vec![done.seq],
                text,
            );
        }

        // Timeliness.
        if let Some(deadline) = a.deadline {
            let full = r.part(worth, r.share_timely);
            if late_by(when, Some(deadline)).is_none() {
                let text =
                    format!("{who} did “{label}” at {when}, deadline {deadline}: {}", signed(full, full));
                self.push(
                    Rule::Timeliness,
                    FindingKind::OnTime,
                    a,
                    roles.clone(),
                    ps.clone(),
                    Some(when),
                    (full, full),
                    vec![done.seq],
                    text,
                );
            } else {
                let late = ScenarioMs(when.0 - deadline.0);
                let window = ScenarioMs(deadline.0.saturating_sub(offered_at.0));
                let kept = r.decayed(full, late, window);
                let window = window.max(r.decay_min);
                let text = format!(
                    "{who} did “{label}” at {when}, {} after the deadline {deadline} (the part decays to zero {} late): {}",
                    crate::time::format_duration(late),
                    crate::time::format_duration(window),
                    signed(kept, full)
                );
                let mut events = vec![done.seq];
                events.extend(self.log.actions[i].overdue);
                self.push(
                    Rule::Timeliness,
                    FindingKind::Late,
                    a,
                    roles.clone(),
                    ps.clone(),
                    Some(when),
                    (kept, full),
                    events,
                    text,
                );
            }
        }

        // Order.
        if has_prereqs {
            let full = r.part(worth, r.share_order);
            let missing: Vec<&ActionId> = a
                .after
                .iter()
                .filter(|p| {
                    let done_first = self
                        .scenario
                        .actions
                        .iter()
                        .position(|x| &&x.id == p)
                        .and_then(|j| self.log.actions[j].done.as_ref())
                        .is_some_and(|d| d.seq < done.seq);
                    !done_first
                })
                .collect();
            let mut events = vec![done.seq];
            for p in &a.after {
                if let Some(d) = self
                    .scenario
                    .actions
                    .iter()
                    .position(|x| &x.id == p)
                    .and_then(|j| self.log.actions[j].done.as_ref())
                {
                    events.push(d.seq);
                }
            }
            events.sort_unstable();
            let list = |ids: &[&ActionId]| ids.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(", ");
            if missing.is_empty() {
                let all: Vec<&ActionId> = a.after.iter().collect();
                let text = format!(
                    "“{label}” came after its prerequisites ({}): {}",
                    list(&all),
                    signed(full, full)
                );
                self.push(
                    Rule::Order,
                    FindingKind::InOrder,
                    a,
                    roles.clone(),
                    ps.clone(),
                    Some(when),
                    (full, full),
                    events,
                    text,
                );
            } else {
                let text =
                    format!("{who} did “{label}” before {} was done: {}", list(&missing), signed(0, full));
                self.push(
                    Rule::Order,
                    FindingKind::OutOfOrder,
                    a,
                    roles.clone(),
                    ps.clone(),
                    Some(when),
                    (0, full),
                    events,
                    text,
                );
            }
        }

        // Communication.
        if !required.is_empty() {
            let total = r.part(worth, r.share_told);
            let n = required.len() as i64;
            for (k, (role, consulted)) in required.iter().enumerate() {
                let max = total / n + i64::from((k as i64) < total % n);
                let tell = self
                    .log
                    .tells
                    .iter()
                    .filter(|t| &t.to == role)
                    .filter(|t| message_counts_for(t.about.as_ref(), t.at, a, offered_at, Some(when), r))
                    .min_by_key(|t| t.seq)
                    .cloned();
                let names = self.names();
                let target = names.role(role);
                let letter = if *consulted { "Consulted" } else { "Informed" };
                match tell {
                    Some(t) if !*consulted || t.seq <= done.seq => {
                        let from = names.role(&t.from);
                        let text = format!(
                            "{from} told {target} ({letter}) about “{label}” at {}: {}",
                            t.at,
                            signed(max, max)
                        );
                        let roles = vec![t.from.clone(), role.clone()];
                        self.push(
                            Rule::Communication,
                            FindingKind::Told,
                            a,
                            roles,
                            vec![t.participant.clone()],
                            Some(t.at),
                            (max, max),
                            vec![t.seq],
                            text,
                        );
                    }
                    Some(t) => {
                        let kept = max * r.consulted_after_percent / 100;
                        let from = names.role(&t.from);
                        let text = format!(
                            "{from} consulted {target} about “{label}” only at {}, after it was done at {when}: {}",
                            t.at,
                            signed(kept, max)
                        );
                        let roles = vec![t.from.clone(), role.clone()];
                        self.push(
                            Rule::Communication,
                            FindingKind::ToldLate,
                            a,
                            roles,
                            vec![t.participant.clone()],
                            Some(t.at),
                            (kept, max),
                            vec![done.seq, t.seq],
                            text,
                        );
                    }
                    None => {
                        let text = format!(
                            "{target} ({letter} for {}) was never told about “{label}”: {}",
                            self.capability_name(&a.capability),
                            signed(0, max)
                        );
                        let roles = vec![role.clone(), done.role.clone()];
                        self.push(
                            Rule::Communication,
                            FindingKind::NotTold,
                            a,
                            roles,
                            vec![],
                            Some(when),
                            (0, max),
                            vec![done.seq],
                            text,
                        );
                    }
                }
            }
        }
    }

    fn capability_name(&self, id: &CapabilityId) -> String {
        self.model.capability(id.as_str()).map_or_else(|| id.to_string(), |c| c.name.clone())
    }

    /// The Consulted (true) and Informed (false) roles in play to tell about `a`, the actor's role excepted.
    fn told_roles(&self, a: &ExpectedAction, actor: &RoleId) -> Vec<(RoleId, bool)> {
        let Some(cap) = self.model.capability(a.capability.as_str()) else { return Vec::new() };
        let mut out: Vec<(RoleId, bool)> = Vec::new();
        let tagged = cap.consulted.iter().map(|r| (r, true)).chain(cap.informed.iter().map(|r| (r, false)));
        for (role, consulted) in tagged {
            if role != actor && self.scenario.roles.contains(role) && !out.iter().any(|(r, _)| r == role) {
                out.push((role.clone(), consulted));
            }
        }
        out
    }

    /// A missed action another role waited on: a dependent action of theirs, or a message they sent about it.
    fn gap_finding(&mut self, i: usize) {
        let a = &self.scenario.actions[i];
        let mut waiting: Vec<RoleId> = Vec::new();
        let mut events = Vec::new();
        let mut why = Vec::new();
        for (j, b) in self.scenario.actions.iter().enumerate() {
            if b.after.contains(&a.id) && self.in_play[j] {
                for o in b.owners.iter().filter(|o| !a.owners.contains(o)) {
                    if !waiting.contains(o) {
                        waiting.push(o.clone());
                    }
                }
                if b.owners.iter().any(|o| !a.owners.contains(o)) {
                    events.extend(self.log.actions[j].offered.map(|(_, seq)| seq));
                    why.push(format!("“{}” needs it", short(&b.label)));
                }
            }
        }
        for t in &self.log.tells {
            if a.owners.contains(&t.to)
                && !a.owners.contains(&t.from)
                && t.about.as_ref().is_some_and(|x| x == &a.id)
            {
                if !waiting.contains(&t.from) {
                    waiting.push(t.from.clone());
                }
                events.push(t.seq);
                why.push(format!("{} asked at {}", self.names().role(&t.from), t.at));
            }
        }
        if waiting.is_empty() {
            return;
        }
        events.sort_unstable();
        events.dedup();
        why.dedup();
        let names = self.names();
        let text = format!(
            "Gap: “{}”, owned by {}, was never done while {} waited on it ({})",
            short(&a.label),
            names.roles(&a.owners),
            names.roles(&waiting),
            why.join("; ")
        );
        let mut roles = a.owners.clone();
        roles.extend(waiting);
        let at = self.log.actions[i].offered.map(|(t, _)| t);
        self.push(Rule::Coverage, FindingKind::Gap, a, roles, vec![], at, (0, 0), events, text);
    }

    fn sod_findings(&mut self) {
        let r = self.rules;
        for rule in &self.model.sod_rules {
            match &rule.constraint {
                SodConstraint::SeparateActors { first, second } => {
                    let acts = |side: SodSide| -> Vec<(usize, Act)> {
                        self.log
                            .scenario_acts
                            .iter()
                            .filter(|(i, _)| {
                                self.scenario.actions[*i]
                                    .sod
                                    .as_ref()
                                    .is_some_and(|s| s.rule == rule.id && s.side == side)
                            })
                            .cloned()
                            .collect()
                    };
                    let (firsts, seconds) = (acts(SodSide::First), acts(SodSide::Second));
                    let mut violators = BTreeSet::new();
                    for (fi, f) in &firsts {
                        for (si, s) in &seconds {
                            if f.participant != s.participant || !violators.insert(f.participant.clone()) {
                                continue;
                            }
                            let (early, late, li) = if f.seq < s.seq { (f, s, *si) } else { (s, f, *fi) };
                            let a = &self.scenario.actions[li];
                            let penalty = -r.part(r.worth(a.weight), r.sod_penalty_percent);
                            let (fa, sa) = (&self.scenario.actions[*fi], &self.scenario.actions[*si]);
                            let who = self
                                .log
                                .participants
                                .get(&f.participant)
                                .map_or(f.participant.0.clone(), |p| p.name.clone());
                            let text = format!(
                                "Segregation of duties broken ({}): {who} did both “{}” ({first}, as {}) and “{}” ({second}, as {}), at {} and {}: {}",
                                rule.title,
                                short(&fa.label),
                                self.names().role(&f.role),
                                short(&sa.label),
                                self.names().role(&s.role),
                                early.at,
                                late.at,
                                signed(penalty, 0)
                            );
                            let roles = vec![f.role.clone(), s.role.clone()];
                            self.push(
                                Rule::Segregation,
                                FindingKind::SodViolated,
                                a,
                                roles,
                                vec![f.participant.clone()],
                                Some(late.at),
                                (penalty, 0),
                                vec![early.seq, late.seq],
                                text,
                            );
                            self.findings.last_mut().expect("just pushed").sod_rule = Some(rule.id.clone());
                        }
                    }
                    // Kept: both duties done, by different people.
                    let done_by = |side: SodSide| -> Vec<Act> {
                        self.scenario
                            .actions
                            .iter()
                            .zip(&self.log.actions)
                            .filter(|(a, _)| {
                                a.sod.as_ref().is_some_and(|s| s.rule == rule.id && s.side == side)
                            })
                            .filter_map(|(_, l)| l.done.clone())
                            .collect()
                    };
                    let (df, ds) = (done_by(SodSide::First), done_by(SodSide::Second));
                    if violators.is_empty() && !df.is_empty() && !ds.is_empty() {
                        let Some(last) = ds.iter().chain(&df).max_by_key(|x| x.seq).cloned() else {
                            continue;
                        };
                        let Some(li) =
                            self.log.scenario_acts.iter().find(|(_, x)| x.seq == last.seq).map(|(i, _)| *i)
                        else {
                            continue;
                        };
                        let a = &self.scenario.actions[li];
                        let mut ps: Vec<ParticipantId> =
                            df.iter().chain(&ds).map(|x| x.participant.clone()).collect();
                        ps.sort();
                        ps.dedup();
                        let mut events: Vec<u64> = df.iter().chain(&ds).map(|x| x.seq).collect();
                        events.sort_unstable();
                        let text = format!(
                            "Segregation of duties kept ({}): {first} and {second} were done by different people",
                            rule.title
                        );
                        let roles = df
                            .iter()
                            .chain(&ds)
                            .map(|x| x.role.clone())
                            .collect::<BTreeSet<_>>()
                            .into_iter()
                            .collect();
                        self.push(
                            Rule::Segregation,
                            FindingKind::SodKept,
                            a,
                            roles,
                            ps,
                            Some(last.at),
                            (0, 0),
                            events,
                            text,
                        );
                        self.findings.last_mut().expect("just pushed").sod_rule = Some(rule.id.clone());
                    }
                }
                SodConstraint::Oversight { overseer, capabilities } => {
                    let acts: Vec<(usize, Act)> = self
                        .log
                        .scenario_acts
                        .iter()
                        .filter(|(i, act)| {
                            let a = &self.scenario.actions[*i];
                            &act.role == overseer
                                && capabilities.contains(&a.capability)
                                && !a.owners.contains(overseer)
                        })
                        .cloned()
                        .collect();
                    for (i, act) in acts {
                        let a = &self.scenario.actions[i];
                        let penalty = -r.part(r.worth(a.weight), r.sod_penalty_percent);
                        let text = format!(
                            "Segregation of duties broken ({}): {} operated “{}” ({}) at {}, which it oversees: {}",
                            rule.title,
                            self.names().act(&act),
                            short(&a.label),
                            self.capability_name(&a.capability),
                            act.at,
                            signed(penalty, 0)
                        );
                        self.push(
                            Rule::Segregation,
                            FindingKind::SodViolated,
                            a,
                            vec![act.role.clone()],
                            vec![act.participant.clone()],
                            Some(act.at),
                            (penalty, 0),
                            vec![act.seq],
                            text,
                        );
                        self.findings.last_mut().expect("just pushed").sod_rule = Some(rule.id.clone());
                    }
                }
            }
        }
    }

    fn duplicate_findings(&mut self) {
        let r = self.rules;
        for (i, a) in self.scenario.actions.iter().enumerate() {
            let log = &self.log.actions[i];
            let Some(first) = log.done.clone() else { continue };
            let mut seen = vec![first.role.clone()];
            for rep in log.repeats.clone() {
                if seen.contains(&rep.role) {
                    continue;
                }
                seen.push(rep.role.clone());
                let penalty = -r.part(r.worth(a.weight), r.duplicate_penalty_percent);
                let names = self.names();
                let text = format!(
                    "Duplicated effort: {} did “{}” at {}, already done by {} at {}: {}",
                    names.act(&rep),
                    short(&a.label),
                    rep.at,
                    names.act(&first),
                    first.at,
                    signed(penalty, 0)
                );
                let roles = vec![rep.role.clone(), first.role.clone()];
                let ps = vec![rep.participant.clone(), first.participant.clone()];
                self.push(
                    Rule::Duplication,
                    FindingKind::Duplicate,
                    a,
                    roles,
                    ps,
                    Some(rep.at),
                    (penalty, 0),
                    vec![first.seq, rep.seq],
                    text,
                );
            }
        }
    }

    fn finish(self) -> Score {
        let Scorer { scenario, model, rules, log, in_play, blocked_by, findings } = self;
        let actions: Vec<ActionScore> = scenario
            .actions
            .iter()
            .zip(&log.actions)
            .zip(in_play.iter().zip(blocked_by))
            .map(|((a, l), (&in_play, blocked_by))| {
                let earned =
                    findings.iter().filter(|f| f.action.as_ref() == Some(&a.id)).map(|f| f.points).sum();
                let outcome = match (&l.done, in_play) {
                    (Some(d), _) => {
                        Outcome::Done { by: d.participant.clone(), role: d.role.clone(), at: d.at }
                    }
                    (None, true) => Outcome::Missed,
                    (None, false) => Outcome::NotInPlay,
                };
                let late_by = l.done.as_ref().and_then(|d| late_by(d.at, a.deadline));
                let right_owner = findings.iter().any(|f| {
                    f.action.as_ref() == Some(&a.id)
                        && matches!(f.kind, FindingKind::Owner | FindingKind::HandedOff)
                });
                ActionScore {
                    id: a.id.clone(),
                    label: a.label.clone(),
                    capability: a.capability.clone(),
                    owners: a.owners.clone(),
                    worth: if in_play { rules.worth(a.weight) } else { 0 },
                    in_play,
                    blocked_by,
                    earned,
                    offered_at: l.offered.map(|(t, _)| t),
                    deadline: a.deadline,
                    outcome,
                    late_by,
                    right_owner,
                }
            })
            .collect();
        let n_in_play = actions.iter().filter(|a| a.in_play).count() as u32;
        let done = actions.iter().filter(|a| matches!(a.outcome, Outcome::Done { .. })).count() as u32;
        let possible: i64 = actions.iter().map(|a| a.worth).sum();
        let earned = findings.iter().map(|f| f.points).sum::<i64>().clamp(0, possible);
        let sod_violations = findings.iter().filter(|f| f.kind == FindingKind::SodViolated).count() as u32;
        let team = TeamScore {
            score: percent(earned, possible) as u32,
            earned,
            possible,
            in_play: n_in_play,
            done,
            right_owner: actions.iter().filter(|a| a.right_owner).count() as u32,
            on_time: actions
                .iter()
                .filter(|a| {
                    a.deadline.is_some() && matches!(a.outcome, Outcome::Done { .. }) && a.late_by.is_none()
                })
                .count() as u32,
            sod_violations,
            not_in_play: actions.len() as u32 - n_in_play,
        };
        let objectives = scenario
            .objectives
            .iter()
            .map(|o| {
                let mine: Vec<&ActionScore> = actions.iter().filter(|a| o.actions.contains(&a.id)).collect();
                let played: Vec<&&ActionScore> = mine.iter().filter(|a| a.in_play).collect();
                let possible: i64 = played.iter().map(|a| a.worth).sum();
                let earned = mine.iter().map(|a| a.earned).sum::<i64>().clamp(0, possible.max(0));
                let done: Vec<&&&ActionScore> =
                    played.iter().filter(|a| matches!(a.outcome, Outcome::Done { .. })).collect();
                let weight_done: i64 = done.iter().map(|a| a.worth).sum();
                let sod = findings
                    .iter()
                    .filter(|f| {
                        f.kind == FindingKind::SodViolated
                            && f.action.as_ref().is_some_and(|x| o.actions.contains(x))
                    })
                    .count() as u32;
                let late = done.iter().filter(|a| a.late_by.is_some()).count();
                let all_done = done.len() == played.len();
                let (rating, reason) = rate(rules, (possible, earned, weight_done), all_done, late, sod);
                ObjectiveScore {
                    id: o.id.clone(),
                    title: o.title.clone(),
                    rating,
                    reason,
                    earned,
                    possible,
                    in_play: played.len() as u32,
                    done: done.len() as u32,
                    sod_violations: sod,
                }
            })
            .collect();
        let metrics = metrics(scenario, rules, &log, &actions);
        let roles = role_scores(scenario, model, &log, &actions, &findings, &metrics);
        let heatmap = heatmap(scenario, model, &actions);
        let timeline = timeline(scenario, &log, &actions, &findings);
        Score {
            team,
            actions,
            objectives,
            roles,
            findings,
            metrics,
            heatmap,
            timeline,
            participants: log.participants.into_values().collect(),
            observations: log.observations,
            ended_at: log.ended_at,
            seed: log.seed,
        }
    }
}

// The notions the live board (`crate::board`) shares with scoring, so the two never disagree.

/// How late an action done at `at` was against its deadline (`None`: on time, or no deadline). Done at the
/// deadline itself is on time.
pub(crate) fn late_by(at: ScenarioMs, deadline: Option<ScenarioMs>) -> Option<ScenarioMs> {
    deadline.filter(|&d| at > d).map(|d| ScenarioMs(at.0 - d.0))
}

/// Whether handing `a` over from `from` makes the receiving role a right owner: only an owner can hand
/// its work over.
pub(crate) fn handover_counts(a: &ExpectedAction, from: &RoleId) -> bool {
    a.owners.contains(from)
}

/// Whether a message (notify, approval request, hand-off, escalation) sent at `at` counts as telling
/// someone about `a`, offered at `offered_at` and done at `done_at` (`None`: not done yet): one naming `a`
/// does once `a` is offered; one naming no action does while `a` is open or up to `rules.tell_grace`
/// after it was done.
pub(crate) fn message_counts_for(
    about: Option<&ActionId>,
    at: ScenarioMs,
    a: &ExpectedAction,
    offered_at: ScenarioMs,
    done_at: Option<ScenarioMs>,
    rules: &Rules,
) -> bool {
    at >= offered_at
        && match about {
            Some(x) => x == &a.id,
            None => done_at.is_none_or(|d| at <= d.saturating_add(rules.tell_grace)),
        }
}

/// `earned` as a rounded percent of `possible` (0 when nothing was possible).
fn percent(earned: i64, possible: i64) -> i64 {
    if possible <= 0 { 0 } else { (earned * 100 + possible / 2) / possible }
}

/// The rating rule (docs/scoring.md).
fn rate(
    rules: &Rules,
    (possible, earned, weight_done): (i64, i64, i64),
    all_done: bool,
    late: usize,
    sod: u32,
) -> (Rating, String) {
    if possible == 0 {
        return (Rating::Unable, "none of its actions came up in the drill".to_owned());
    }
    let pct = percent(earned, possible);
    let done_pct = percent(weight_done, possible);
    if done_pct < rules.rating_unable_below_percent {
        let r = format!("{done_pct} % of its weight done, under {} %", rules.rating_unable_below_percent);
        return (Rating::Unable, r);
    }
    if all_done && late == 0 && sod == 0 && pct >= rules.rating_performed_percent {
        let r =
            format!("every action done on time, no segregation-of-duties violation, {pct} % of its points");
        return (Rating::Performed, r);
    }
    if pct >= rules.rating_some_percent {
        let mut why = Vec::new();
        if !all_done {
            why.push("not every action done".to_owned());
        }
        if late > 0 {
            why.push(format!("{late} done late"));
        }
        if sod > 0 {
            why.push(format!("{sod} segregation-of-duties violation(s)"));
        }
        if pct < rules.rating_performed_percent {
            why.push(format!("under {} % of its points", rules.rating_performed_percent));
        }
        return (Rating::SomeChallenges, format!("{pct} % of its points; {}", why.join(", ")));
    }
    (Rating::MajorChallenges, format!("{pct} % of its points, under {} %", rules.rating_some_percent))
}

fn metrics(scenario: &Scenario, rules: &Rules, log: &Log, actions: &[ActionScore]) -> Metrics {
    let mut acknowledgements = Vec::new();
    for (inject, at, to, _) in &log.fired {
        for role in to.iter().filter(|r| scenario.roles.contains(r)) {
            let acked_at = log.acks.get(&(inject.clone(), role.clone())).copied();
            acknowledgements.push(Ack {
                inject: inject.clone(),
                role: role.clone(),
                fired_at: *at,
                acked_at,
            });
        }
    }
    let time_to = |metric: Metric| -> Option<ScenarioMs> {
        let marked: Vec<&ActionScore> = scenario
            .actions
            .iter()
            .zip(actions)
            .filter(|(a, s)| a.counts_as == Some(metric) && s.in_play)
            .map(|(_, s)| s)
            .collect();
        let mut last = None;
        for s in &marked {
            match s.outcome {
                Outcome::Done { at, .. } => last = last.max(Some(at)),
                _ => return None,
            }
        }
        last
    };
    let mut handoffs = Vec::new();
    let done_by = |i: usize| log.actions[i].done.as_ref();
    let index = |id: &ActionId| scenario.actions.iter().position(|a| &a.id == id);
    for h in &log.handoffs {
        let Some(i) = index(&h.action) else { continue };
        let done_at = std::iter::once(done_by(i))
            .flatten()
            .chain(&log.actions[i].repeats)
            .find(|d| d.role == h.to && d.seq > h.seq)
            .map(|d| d.at);
        handoffs.push(Handoff {
            kind: HandoffKind::Explicit,
            from: h.from.clone(),
            to: h.to.clone(),
            action: h.action.clone(),
            at: h.at,
            done_at,
        });
    }
    for (j, b) in scenario.actions.iter().enumerate() {
        let Some((offered, _)) = log.actions[j].offered else { continue };
        for p in &b.after {
            let Some(pd) = index(p).and_then(done_by) else { continue };
            let to = match done_by(j) {
                Some(d) => d.role.clone(),
                None => match b.owners.first() {
                    Some(o) => o.clone(),
                    None => continue,
                },
            };
            if to == pd.role {
                continue;
            }
            let at = pd.at.max(offered);
            let done_at = done_by(j).map(|d| d.at.max(at));
            handoffs.push(Handoff {
                kind: HandoffKind::Prerequisite,
                from: pd.role.clone(),
                to,
                action: b.id.clone(),
                at,
                done_at,
            });
        }
    }
    handoffs.sort_by(|x, y| x.at.cmp(&y.at).then_with(|| x.action.cmp(&y.action)));
    let idle_gaps = idle_gaps(scenario, rules, log);
    Metrics {
        acknowledgements,
        time_to_contain: time_to(Metric::Containment),
        time_to_notify: time_to(Metric::Notification),
        handoffs,
        idle_gaps,
    }
}

/// Stretches of at least `rules.idle_gap` between a role's activity points (first inject received, its
/// acts, the end) while an action it owns was open and not done.
fn idle_gaps(scenario: &Scenario, rules: &Rules, log: &Log) -> Vec<IdleGap> {
    let end = log.ended_at.unwrap_or(log.last_at);
    let mut out = Vec::new();
    for role in &scenario.roles {
        let Some(first) =
            log.fired.iter().filter(|(_, _, to, _)| to.contains(role)).map(|(_, at, _, _)| *at).min()
        else {
            continue;
        };
        let mut points: Vec<ScenarioMs> = vec![first];
        points.extend(log.activity.get(role).into_iter().flatten().filter(|t| **t >= first));
        points.push(end);
        points.sort_unstable();
        for w in points.windows(2) {
            let (from, to) = (w[0], w[1]);
            if to.0 - from.0 < rules.idle_gap.0 {
                continue;
            }
            let open_work = scenario.actions.iter().zip(&log.actions).any(|(a, l)| {
                a.owners.contains(role)
                    && l.offered.is_some_and(|(t, _)| t < to)
                    && l.done.as_ref().is_none_or(|d| d.at > from)
            });
            if open_work {
                out.push(IdleGap { role: role.clone(), from, to });
            }
        }
    }
    out
}

fn role_scores(
    scenario: &Scenario,
    model: &ResponsibilityModel,
    log: &Log,
    actions: &[ActionScore],
    findings: &[Finding],
    metrics: &Metrics,
) -> Vec<RoleScore> {
    scenario
        .roles
        .iter()
        .map(|role| {
            let owned: Vec<&ActionScore> =
                actions.iter().filter(|a| a.in_play && a.owners.contains(role)).collect();
            let by = |a: &ActionScore| match &a.outcome {
                Outcome::Done { role, .. } => Some(role.clone()),
                _ => None,
            };
            let done_by_role = owned.iter().filter(|a| by(a).as_ref() == Some(role)).count() as u32;
            let done_by_others = owned.iter().filter(|a| by(a).is_some_and(|r| &r != role)).count() as u32;
            let missed = owned.iter().filter(|a| a.outcome == Outcome::Missed).count() as u32;
            let late =
                owned.iter().filter(|a| by(a).as_ref() == Some(role) && a.late_by.is_some()).count() as u32;
            let outside_lane = findings
                .iter()
                .filter(|f| f.kind == FindingKind::OutsideLane && f.roles.first() == Some(role))
                .count() as u32;
            let possible = owned.iter().map(|a| a.worth).sum();
            let earned = owned.iter().map(|a| a.earned).sum::<i64>().clamp(0, possible);
            let acks: Vec<&Ack> = metrics.acknowledgements.iter().filter(|a| &a.role == role).collect();
            let mut latencies: Vec<u64> =
                acks.iter().filter_map(|a| a.acked_at.map(|t| t.0.saturating_sub(a.fired_at.0))).collect();
            latencies.sort_unstable();
            let longest_idle = metrics
                .idle_gaps
                .iter()
                .filter(|g| &g.role == role)
                .map(|g| ScenarioMs(g.to.0 - g.from.0))
                .max();
            RoleScore {
                role: role.clone(),
                name: model.role(role.as_str()).map_or_else(|| role.to_string(), |r| r.name.clone()),
                owned: owned.len() as u32,
                done_by_role,
                done_by_others,
                missed,
                outside_lane,
                late,
                earned,
                possible,
                told_others: log.tells.iter().filter(|t| &t.from == role).count() as u32,
                was_told: log.tells.iter().filter(|t| &t.to == role).count() as u32,
                injects: acks.len() as u32,
                acknowledged: latencies.len() as u32,
                median_ack: latencies.get(latencies.len().saturating_sub(1) / 2).map(|&ms| ScenarioMs(ms)),
                longest_idle,
            }
        })
        .collect()
}

fn heatmap(scenario: &Scenario, model: &ResponsibilityModel, actions: &[ActionScore]) -> Vec<HeatRow> {
    let mut caps: Vec<&CapabilityId> = Vec::new();
    for c in model.capabilities.iter().map(|c| &c.id) {
        if actions.iter().any(|a| &a.capability == c && a.in_play) {
            caps.push(c);
        }
    }
    caps.into_iter()
        .map(|cap| {
            let mine: Vec<&ActionScore> =
                actions.iter().filter(|a| &a.capability == cap && a.in_play).collect();
            let mut expected: Vec<RoleId> = Vec::new();
            for o in mine.iter().flat_map(|a| &a.owners) {
                if !expected.contains(o) {
                    expected.push(o.clone());
                }
            }
            let done_by = scenario
                .roles
                .iter()
                .map(|r| {
                    mine.iter()
                        .filter(|a| matches!(&a.outcome, Outcome::Done { role, .. } if role == r))
                        .count() as u32
                })
                .collect();
            HeatRow {
                capability: cap.clone(),
                name: model.capability(cap.as_str()).map_or_else(|| cap.to_string(), |c| c.name.clone()),
                expected,
                done_by,
                missed: mine.iter().filter(|a| a.outcome == Outcome::Missed).count() as u32,
            }
        })
        .collect()
}

fn timeline(scenario: &Scenario, log: &Log, actions: &[ActionScore], findings: &[Finding]) -> Vec<Mark> {
    let mut marks = Vec::new();
    for (inject, at, to, seq) in &log.fired {
        for role in to.iter().filter(|r| scenario.roles.contains(r)) {
            marks.push(Mark {
                at: *at,
                role: role.clone(),
                kind: MarkKind::Inject,
                label: inject.to_string(),
                seq: Some(*seq),
            });
        }
    }
    let end = log.ended_at.unwrap_or(log.last_at);
    for (a, s) in scenario.actions.iter().zip(actions) {
        match &s.outcome {
            Outcome::Done { role, at, .. } => {
                let kind = if !s.right_owner {
                    MarkKind::OutsideLane
                } else if s.late_by.is_some() {
                    MarkKind::Late
                } else {
                    MarkKind::Done
                };
                let seq = log
                    .actions
                    .get(scenario.actions.iter().position(|x| x.id == a.id).unwrap_or(0))
                    .and_then(|l| l.done.as_ref())
                    .map(|d| d.seq);
                marks.push(Mark { at: *at, role: role.clone(), kind, label: a.id.to_string(), seq });
            }
            Outcome::Missed => {
                let at = a.deadline.unwrap_or(end).min(end);
                for o in &a.owners {
                    marks.push(Mark {
                        at,
                        role: o.clone(),
                        kind: MarkKind::Missed,
                        label: a.id.to_string(),
                        seq: None,
                    });
                }
            }
            Outcome::NotInPlay => {}
        }
    }
    for t in &log.tells {
        marks.push(Mark {
            at: t.at,
            role: t.from.clone(),
            kind: MarkKind::Told,
            label: format!("→ {}", t.to),
            seq: Some(t.seq),
        });
    }
    for f in findings.iter().filter(|f| f.kind == FindingKind::SodViolated) {
        if let (Some(at), Some(role)) = (f.at, f.roles.first()) {
            let label = f.sod_rule.as_ref().map_or_else(String::new, ToString::to_string);
            marks.push(Mark {
                at,
                role: role.clone(),
                kind: MarkKind::SodViolation,
                label,
                seq: f.events.last().copied(),
            });
        }
    }
    marks.sort_by(|x, y| x.at.cmp(&y.at).then_with(|| x.seq.cmp(&y.seq)));
    marks
}

/// Draft improvement-plan items from the areas for improvement: one per capability and rule broken.
pub fn plan_draft(score: &Score, model: &ResponsibilityModel, rules: &Rules) -> Vec<PlanDraft> {
    let mut groups: BTreeMap<(usize, Rule), Vec<&Finding>> = BTreeMap::new();
    for f in &score.findings {
        let lost = f.points < f.max || f.points < 0;
        if f.tone != Tone::Improvement || !lost && f.kind != FindingKind::Gap {
            continue;
        }
        let Some(cap) = &f.capability else { continue };
        let pos = model.capabilities.iter().position(|c| &c.id == cap).unwrap_or(usize::MAX);
        groups.entry((pos, f.rule)).or_default().push(f);
    }
    let mut out = Vec::new();
    for ((pos, rule), fs) in groups {
        let Some(cap) = model.capabilities.get(pos) else { continue };
        let mut acts: Vec<String> = Vec::new();
        for f in &fs {
            if let Some(a) = &f.action
                && !acts.contains(&a.0)
            {
                acts.push(a.0.clone());
            }
        }
        let list = acts.join(", ");
        let role_name = |r: &RoleId| model.role(r.as_str()).map_or_else(|| r.to_string(), |x| x.name.clone());
        let owners: Vec<String> = cap.responsible.iter().map(role_name).collect();
        let (issue, action) = match rule {
            Rule::Coverage => (
                format!("{}: {} left undone ({list})", cap.name, plural(acts.len(), "expected action")),
                format!(
                    "Name one owner per step in the {} runbook ({}) and rehearse it with them",
                    cap.name,
                    owners.join(", ")
                ),
            ),
            Rule::RightOwner => (
                format!("{}: work done outside its owner's lane ({list})", cap.name),
                format!(
                    "Make {} the named operators of {}; others hand off instead of doing it",
                    owners.join(" and "),
                    cap.name
                ),
            ),
            Rule::Timeliness => (
                format!("{}: {} late ({list})", cap.name, plural(acts.len(), "action")),
                format!(
                    "Pre-authorise and script the {} steps so they fit their deadlines; page the owner sooner",
                    cap.name
                ),
            ),
            Rule::Order => (
                format!("{}: steps done before their prerequisites ({list})", cap.name),
                format!("Put the {} steps in the runbook as an ordered checklist", cap.name),
            ),
            Rule::Communication => {
                let mut told: Vec<String> = Vec::new();
                for f in &fs {
                    if let Some(r) = f.roles.first() {
                        let n = role_name(r);
                        if !told.contains(&n) {
                            told.push(n);
                        }
                    }
                }
                (
                    format!("{}: {} not told in time ({list})", cap.name, told.join(", ")),
                    format!(
                        "Add {} to the {} notification list and the incident channel template",
                        told.join(" and "),
                        cap.name
                    ),
                )
            }
            Rule::Segregation => (
                format!("{}: segregation of duties broken ({list})", cap.name),
                format!(
                    "Enforce the duty split for {} in tooling (required reviewers, separate approvers)",
                    cap.name
                ),
            ),
            Rule::Duplication => (
                format!("{}: the same work done twice by different roles ({list})", cap.name),
                format!(
                    "Announce who takes each {} step in the incident channel before starting it",
                    cap.name
                ),
            ),
        };
        let due_days = if rule == Rule::Segregation { rules.plan_due_days_sod } else { rules.plan_due_days };
        out.push(PlanDraft {
            issue,
            corrective_action: action,
            capability: cap.id.clone(),
            owner: cap.accountable.clone(),
            due_days,
            rule,
        });
    }
    out
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 { format!("1 {what}") } else { format!("{n} {what}s") }
}
