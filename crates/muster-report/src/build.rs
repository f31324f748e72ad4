//! From a score and a log to a [`Report`]: names for ids, times in both forms, themes from findings,
//! the executive summary. Pure and deterministic; it never fails (missing names fall back to ids).

use std::collections::BTreeMap;

use muster_core::engine::{ActionRef, Builtin, Event, EventKind};
use muster_core::score::{
    Finding, FindingKind, HandoffKind, MarkKind, Outcome, PlanStatus, Rating, Rule, Score, Tone,
};
use muster_core::{Metric, ResponsibilityModel, RoleId, Scenario};

use crate::text::{and_list, dur, iso, pct, plural, short, t};
use crate::types::*;
use crate::{ReportInput, SCHEMA_VERSION};

pub fn build(input: &ReportInput) -> Report {
    let names = Names::new(input);
    let score = input.score;
    let findings: Vec<FindingItem> =
        score.findings.iter().enumerate().map(|(i, f)| names.finding(i as u32 + 1, f)).collect();
    let strengths = themes(&names, &score.findings, &findings, Tone::Strength);
    let areas_for_improvement = themes(&names, &score.findings, &findings, Tone::Improvement);
    let team = team(score);
    let objectives: Vec<ObjectiveRating> = score
        .objectives
        .iter()
        .map(|o| ObjectiveRating {
            id: o.id.to_string(),
            title: o.title.clone(),
            rating: letter(o.rating),
            rating_text: o.rating.words().to_owned(),
            reason: o.reason.clone(),
            earned: o.earned,
            possible: o.possible,
            in_play: o.in_play,
            done: o.done,
            sod_violations: o.sod_violations,
        })
        .collect();
    let drill = drill(input, &names);
    let metrics = metrics(&names, score);
    let executive_summary =
        summary(input, &drill, &team, &objectives, &metrics, areas_for_improvement.first());
    Report {
        schema_version: SCHEMA_VERSION,
        executive_summary,
        team,
        objectives,
        strengths,
        areas_for_improvement,
        roles: roles(&names, score),
        metrics,
        heatmap: heatmap(&names, input.scenario, score),
        timeline: timeline(&names, input, drill.scenario_time_reached_ms),
        sod_violations: sod(&names, input.model, &findings),
        observations: score
            .observations
            .iter()
            .map(|o| ObservationItem { at_ms: o.at.0, at: t(o.at.0), seq: o.seq, text: o.text.clone() })
            .collect(),
        improvement_plan: input
            .plan
            .iter()
            .map(|p| PlanEntry {
                issue: p.issue.clone(),
                corrective_action: p.corrective_action.clone(),
                capability: names.capability(p.capability.as_str()),
                owner: names.role(p.owner.as_str()),
                due: p.due.clone(),
                status: match p.status {
                    PlanStatus::Open => PlanStatusName::Open,
                    PlanStatus::Done => PlanStatusName::Done,
                },
                carried_from: p.carried_from.clone(),
            })
            .collect(),
        findings,
        drill,
    }
}

/// Names for ids, from the model, the scenario and the log.
struct Names<'a> {
    model: &'a ResponsibilityModel,
    scenario: &'a Scenario,
    participants: BTreeMap<&'a str, &'a str>,
    events: &'a [Event],
}

impl<'a> Names<'a> {
    fn new(input: &ReportInput<'a>) -> Names<'a> {
        let participants =
            input.score.participants.iter().map(|p| (p.id.0.as_str(), p.name.as_str())).collect();
        Names { model: input.model, scenario: input.scenario, participants, events: input.events }
    }

    fn role(&self, id: &str) -> Named {
        let name = self.model.role(id).map_or(id, |r| r.name.as_str());
        Named { id: id.to_owned(), name: name.to_owned() }
    }

    fn roles(&self, ids: &[RoleId]) -> Vec<Named> {
        ids.iter().map(|r| self.role(r.as_str())).collect()
    }

    fn role_names(&self, ids: &[RoleId]) -> String {
        let names: Vec<String> = ids.iter().map(|r| self.role(r.as_str()).name).collect();
        if names.is_empty() { "nobody".to_owned() } else { and_list(&names) }
    }

    fn capability(&self, id: &str) -> Named {
        let name = self.model.capability(id).map_or(id, |c| c.name.as_str());
        Named { id: id.to_owned(), name: name.to_owned() }
    }

    fn action(&self, id: &str) -> Named {
        let name = self.scenario.action(id).map_or(id, |a| a.label.as_str());
        Named { id: id.to_owned(), name: name.to_owned() }
    }

    fn participant(&self, id: &str) -> Named {
        let name = self.participants.get(id).copied().unwrap_or(id);
        Named { id: id.to_owned(), name: name.to_owned() }
    }

    fn sod_rule(&self, id: &str) -> Named {
        let name = self.model.sod_rule(id).map_or(id, |r| r.title.as_str());
        Named { id: id.to_owned(), name: name.to_owned() }
    }

    fn event(&self, seq: u64) -> Option<&'a Event> {
        let i = self.events.binary_search_by_key(&seq, |e| e.seq).ok()?;
        self.events.get(i)
    }

    fn finding(&self, number: u32, f: &Finding) -> FindingItem {
        FindingItem {
            number,
            rule: rule(f.rule),
            rule_text: f.rule.name().to_owned(),
            kind: kind(f.kind),
            tone: match f.tone {
                Tone::Strength => ToneName::Strength,
                Tone::Improvement => ToneName::Improvement,
                Tone::Neutral => ToneName::Neutral,
            },
            action: f.action.as_ref().map(|a| self.action(a.as_str())),
            capability: f.capability.as_ref().map(|c| self.capability(c.as_str())),
            sod_rule: f.sod_rule.as_ref().map(|r| self.sod_rule(r.as_str())),
            roles: self.roles(&f.roles),
            participants: f.participants.iter().map(|p| self.participant(&p.0)).collect(),
            at_ms: f.at.map(|a| a.0),
            at: f.at.map(|a| t(a.0)),
            points: f.points,
            max: f.max,
            events: f.events.clone(),
            text: f.text.clone(),
        }
    }
}

fn letter(r: Rating) -> RatingLetter {
    match r {
        Rating::Performed => RatingLetter::P,
        Rating::SomeChallenges => RatingLetter::S,
        Rating::MajorChallenges => RatingLetter::M,
        Rating::Unable => RatingLetter::U,
    }
}

fn rule(r: Rule) -> RuleName {
    match r {
        Rule::Coverage => RuleName::Coverage,
        Rule::RightOwner => RuleName::RightOwner,
        Rule::Timeliness => RuleName::Timeliness,
        Rule::Order => RuleName::Order,
        Rule::Segregation => RuleName::Segregation,
        Rule::Communication => RuleName::Communication,
        Rule::Duplication => RuleName::Duplication,
    }
}

fn kind(k: FindingKind) -> FindingKindName {
    match k {
        FindingKind::Done => FindingKindName::Done,
        FindingKind::Missed => FindingKindName::Missed,
        FindingKind::Gap => FindingKindName::Gap,
        FindingKind::Owner => FindingKindName::Owner,
        FindingKind::HandedOff => FindingKindName::HandedOff,
        FindingKind::OutsideLane => FindingKindName::OutsideLane,
        FindingKind::OnTime => FindingKindName::OnTime,
        FindingKind::Late => FindingKindName::Late,
        FindingKind::InOrder => FindingKindName::InOrder,
        FindingKind::OutOfOrder => FindingKindName::OutOfOrder,
        FindingKind::Told => FindingKindName::Told,
        FindingKind::ToldLate => FindingKindName::ToldLate,
        FindingKind::NotTold => FindingKindName::NotTold,
        FindingKind::SodViolated => FindingKindName::SodViolated,
        FindingKind::SodKept => FindingKindName::SodKept,
        FindingKind::Duplicate => FindingKindName::Duplicate,
    }
}

fn team(score: &Score) -> TeamFigures {
    let s = &score.team;
    let done_with_deadline = score
        .actions
        .iter()
        .filter(|a| a.deadline.is_some() && matches!(a.outcome, Outcome::Done { .. }))
        .count() as u32;
    TeamFigures {
        score: s.score.min(100),
        coverage: s.coverage().clamp(0.0, 1.0),
        earned: s.earned,
        possible: s.possible,
        in_play: s.in_play,
        done: s.done,
        right_owner: s.right_owner,
        done_with_deadline,
        on_time: s.on_time,
        sod_violations: s.sod_violations,
        not_in_play: s.not_in_play,
    }
}

fn drill(input: &ReportInput, names: &Names) -> DrillSection {
    let d = &input.drill;
    let last_at = input.events.iter().map(|e| e.at.0).max().unwrap_or(0);
    let reached = input.score.ended_at.map_or(last_at, |e| e.0);
    let wall_duration_ms = match (d.started_wall_ms, d.ended_wall_ms) {
        (Some(a), Some(b)) => Some(b.saturating_sub(a)),
        _ => None,
    };
    DrillSection {
        id: d.id.clone(),
        scenario_id: d.scenario_id.clone(),
        scenario_title: d.scenario_title.clone(),
        scenario_version: d.scenario_version.clone(),
        created: iso(d.created_wall_ms),
        date: crate::text::date(d.created_wall_ms),
        started: d.started_wall_ms.map(iso),
        ended: d.ended_wall_ms.map(iso),
        wall_duration_ms,
        wall_duration: wall_duration_ms.map(dur),
        scenario_time_reached_ms: reached,
        scenario_time_reached: t(reached),
        scenario_duration_ms: input.scenario.duration.0,
        facilitator: d.facilitator.clone(),
        team: d.team.clone(),
        seed: input.score.seed,
        state: d.state.clone(),
        participants: input
            .score
            .participants
            .iter()
            .map(|p| Participant { id: p.id.0.clone(), name: p.name.clone(), roles: names.roles(&p.roles) })
            .collect(),
    }
}

/// Groups findings of one tone into themes, one sentence each: strengths per capability (what went well
/// with it, rule by rule), areas for improvement per capability and rule (each one fix, as in the plan).
fn themes(names: &Names, core: &[Finding], items: &[FindingItem], tone: Tone) -> Vec<Theme> {
    let mut groups: BTreeMap<(usize, Option<Rule>), Vec<usize>> = BTreeMap::new();
    for (i, f) in core.iter().enumerate() {
        if f.tone != tone {
            continue;
        }
        let cap = f
            .capability
            .as_ref()
            .and_then(|c| names.model.capabilities.iter().position(|x| &x.id == c))
            .unwrap_or(usize::MAX);
        let rule = (tone != Tone::Strength).then_some(f.rule);
        groups.entry((cap, rule)).or_default().push(i);
    }
    let mut out: Vec<Theme> = groups
        .into_iter()
        .map(|((_, rule), idx)| {
            let fs: Vec<&Finding> = idx.iter().map(|&i| &core[i]).collect();
            let capability = fs[0].capability.as_ref().map(|c| names.capability(c.as_str()));
            let points = match tone {
                Tone::Improvement => fs.iter().map(|f| f.max - f.points).sum(),
                _ => fs.iter().map(|f| f.points).sum(),
            };
            let mut events: Vec<u64> = fs.iter().flat_map(|f| f.events.iter().copied()).collect();
            events.sort_unstable();
            events.dedup();
            let mut rules: Vec<RuleName> = fs.iter().map(|f| crate::build::rule(f.rule)).collect();
            rules.sort();
            rules.dedup();
            let text = match rule {
                Some(rule) => theme_text(names, rule, capability.as_ref(), &fs),
                None => strength_text(names, capability.as_ref(), &fs),
            };
            Theme {
                rules,
                text,
                capability,
                points,
                findings: idx.iter().map(|&i| items[i].number).collect(),
                evidence: fs.iter().map(|f| f.text.clone()).collect(),
                events,
            }
        })
        .collect();
    // Most points first (earned or lost); ties keep rule and model order.
    out.sort_by_key(|t| std::cmp::Reverse(t.points));
    out
}

/// The distinct actions of some findings, shortened, in finding order.
fn action_labels(names: &Names, fs: &[&Finding]) -> Vec<String> {
    let mut actions: Vec<String> = Vec::new();
    for f in fs {
        if let Some(a) = &f.action {
            let label = short(&names.action(a.as_str()).name);
            if !actions.contains(&label) {
                actions.push(label);
            }
        }
    }
    actions
}

/// Up to three quoted labels, then how many more.
fn quoted(items: &[String]) -> String {
    let shown: Vec<String> = items.iter().take(3).map(|x| format!("“{x}”")).collect();
    let more = items.len().saturating_sub(3);
    if more == 0 { and_list(&shown) } else { format!("{}, and {more} more", shown.join(", ")) }
}

fn sod_titles(names: &Names, fs: &[&Finding]) -> String {
    let mut titles: Vec<String> = Vec::new();
    for f in fs {
        if let Some(r) = &f.sod_rule {
            let title = names.sod_rule(r.as_str()).name;
            if !titles.contains(&title) {
                titles.push(title);
            }
        }
    }
    and_list(&titles)
}

/// The roles told (or not): the second role of a Told or ToldLate finding, the first of NotTold.
fn told_roles(names: &Names, fs: &[&Finding]) -> String {
    let mut roles: Vec<String> = Vec::new();
    for f in fs {
        let target = if f.kind == FindingKind::NotTold { f.roles.first() } else { f.roles.get(1) };
        if let Some(r) = target {
            let name = names.role(r.as_str()).name;
            if !roles.contains(&name) {
                roles.push(name);
            }
        }
    }
    and_list(&roles)
}

/// One capability's strengths in one sentence: what was done, then how well, rule by rule.
fn strength_text(names: &Names, cap: Option<&Named>, fs: &[&Finding]) -> String {
    let cap = cap.map_or_else(|| "Other".to_owned(), |c| c.name.clone());
    let of_kind = |k: &[FindingKind]| fs.iter().filter(|f| k.contains(&f.kind)).count() as u64;
    let done: Vec<&Finding> = fs.iter().copied().filter(|f| f.kind == FindingKind::Done).collect();
    let mut parts = Vec::new();
    let owner = of_kind(&[FindingKind::Owner, FindingKind::HandedOff]);
    if owner > 0 {
        parts.push(format!("{owner} by the owner or after a proper hand-off"));
    }
    let on_time = of_kind(&[FindingKind::OnTime]);
    if on_time > 0 {
        parts.push(format!("{on_time} by the deadline"));
    }
    let in_order = of_kind(&[FindingKind::InOrder]);
    if in_order > 0 {
        parts.push(format!(
            "{in_order} after {}",
            if in_order == 1 { "its prerequisites" } else { "their prerequisites" }
        ));
    }
    let told = of_kind(&[FindingKind::Told]);
    if told > 0 {
        let told_fs: Vec<&Finding> = fs.iter().copied().filter(|f| f.kind == FindingKind::Told).collect();
        parts.push(format!("{} told ({})", told_roles(names, &told_fs), plural(told, "time", "times")));
    }
    if of_kind(&[FindingKind::SodKept]) > 0 {
        parts.push(format!("segregation of duties kept ({})", sod_titles(names, fs)));
    }
    let mut s = format!("{cap}: ");
    if !done.is_empty() {
        let labels = action_labels(names, &done);
        s.push_str(&format!(
            "{} done ({})",
            plural(labels.len() as u64, "expected action", "expected actions"),
            quoted(&labels)
        ));
        if !parts.is_empty() {
            s.push_str("; ");
        }
    }
    s.push_str(&parts.join("; "));
    s.push('.');
    s
}

/// One capability's findings under one rule, to improve, in one sentence.
fn theme_text(names: &Names, rule: Rule, cap: Option<&Named>, fs: &[&Finding]) -> String {
    let cap = cap.map_or_else(|| "Other".to_owned(), |c| c.name.clone());
    let actions = action_labels(names, fs);
    let n_actions = actions.len() as u64;
    let list = |items: &[String]| quoted(items);
    let n = fs.len() as u64;
    let of_kind = |k: FindingKind| fs.iter().filter(|f| f.kind == k).count() as u64;
    let sod_titles = || sod_titles(names, fs);
    let told_roles = || told_roles(names, fs);
    match rule {
        Rule::Coverage => {
            let missed = of_kind(FindingKind::Missed);
            let gaps = of_kind(FindingKind::Gap);
            let mut s = if missed > 0 {
                format!(
                    "{cap}: {} never done ({})",
                    plural(missed, "expected action", "expected actions"),
                    list(&actions)
                )
            } else {
                format!("{cap}: work left undone ({})", list(&actions))
            };
            if gaps > 0 {
                s.push_str(&format!(
                    ", while other roles waited on {}",
                    if gaps == 1 { "it" } else { "them" }
                ));
            }
            s.push('.');
            s
        }
        Rule::RightOwner => format!(
            "{cap}: {} done outside the owner's lane, responsibility confusion ({}).",
            plural(n_actions, "action", "actions"),
            list(&actions)
        ),
        Rule::Timeliness => {
            format!(
                "{cap}: {} done after the deadline ({}).",
                plural(n_actions, "action", "actions"),
                list(&actions)
            )
        }
        Rule::Order => format!(
            "{cap}: {} done before their prerequisites ({}).",
            plural(n_actions, "action", "actions"),
            list(&actions)
        ),
        Rule::Communication => format!(
            "{cap}: {} not told, or consulted only after the fact ({}).",
            told_roles(),
            plural(n, "time", "times")
        ),
        Rule::Segregation => {
            format!("{cap}: segregation of duties broken {} ({}).", plural(n, "time", "times"), sod_titles())
        }
        Rule::Duplication => format!(
            "{cap}: the same work done twice by different roles, {} ({}).",
            plural(n, "time", "times"),
            list(&actions)
        ),
    }
}

fn roles(names: &Names, score: &Score) -> Vec<RoleFigures> {
    score
        .roles
        .iter()
        .map(|r| RoleFigures {
            id: r.role.to_string(),
            name: r.name.clone(),
            participants: score
                .participants
                .iter()
                .filter(|p| p.roles.contains(&r.role))
                .map(|p| names.participant(&p.id.0))
                .collect(),
            owned: r.owned,
            done_by_role: r.done_by_role,
            done_by_others: r.done_by_others,
            missed: r.missed,
            outside_lane: r.outside_lane,
            late: r.late,
            earned: r.earned,
            possible: r.possible,
            told_others: r.told_others,
            was_told: r.was_told,
            injects: r.injects,
            acknowledged: r.acknowledged,
            median_ack_ms: r.median_ack.map(|d| d.0),
            median_ack: r.median_ack.map(|d| dur(d.0)),
            longest_idle_ms: r.longest_idle.map(|d| d.0),
            longest_idle: r.longest_idle.map(|d| dur(d.0)),
        })
        .collect()
}

fn metrics(names: &Names, score: &Score) -> MetricsSection {
    let m = &score.metrics;
    MetricsSection {
        acknowledgements: m
            .acknowledgements
            .iter()
            .map(|a| AckItem {
                inject: a.inject.to_string(),
                role: names.role(a.role.as_str()),
                fired_at_ms: a.fired_at.0,
                fired_at: t(a.fired_at.0),
                acked_at_ms: a.acked_at.map(|x| x.0),
                acked_at: a.acked_at.map(|x| t(x.0)),
                latency_ms: a.acked_at.map(|x| x.0.saturating_sub(a.fired_at.0)),
            })
            .collect(),
        time_to_contain_ms: m.time_to_contain.map(|x| x.0),
        time_to_contain: m.time_to_contain.map(|x| t(x.0)),
        time_to_notify_ms: m.time_to_notify.map(|x| x.0),
        time_to_notify: m.time_to_notify.map(|x| t(x.0)),
        handoffs: m
            .handoffs
            .iter()
            .map(|h| {
                let latency_ms = h.done_at.map(|d| d.0.saturating_sub(h.at.0));
                HandoffItem {
                    kind: match h.kind {
                        HandoffKind::Explicit => HandoffKindName::Explicit,
                        HandoffKind::Prerequisite => HandoffKindName::Prerequisite,
                    },
                    from: names.role(h.from.as_str()),
                    to: names.role(h.to.as_str()),
                    action: names.action(h.action.as_str()),
                    at_ms: h.at.0,
                    at: t(h.at.0),
                    done_at_ms: h.done_at.map(|d| d.0),
                    done_at: h.done_at.map(|d| t(d.0)),
                    latency_ms,
                    latency: latency_ms.map(dur),
                }
            })
            .collect(),
        idle_gaps: m
            .idle_gaps
            .iter()
            .map(|g| IdleGapItem {
                role: names.role(g.role.as_str()),
                from_ms: g.from.0,
                from: t(g.from.0),
                to_ms: g.to.0,
                to: t(g.to.0),
                length_ms: g.to.0.saturating_sub(g.from.0),
                length: dur(g.to.0.saturating_sub(g.from.0)),
            })
            .collect(),
    }
}

fn heatmap(names: &Names, scenario: &Scenario, score: &Score) -> Heatmap {
    let rows: Vec<HeatRowItem> = score
        .heatmap
        .iter()
        .map(|row| HeatRowItem {
            capability: names.capability(row.capability.as_str()),
            cells: scenario
                .roles
                .iter()
                .enumerate()
                .map(|(i, role)| HeatCell {
                    role: role.to_string(),
                    count: row.done_by.get(i).copied().unwrap_or(0),
                    expected: row.expected.contains(role),
                })
                .collect(),
            missed: row.missed,
        })
        .collect();
    let max_count =
        rows.iter().flat_map(|r| r.cells.iter().map(|c| c.count).chain([r.missed])).max().unwrap_or(0);
    Heatmap { roles: names.roles(&scenario.roles), rows, max_count }
}

fn timeline(names: &Names, input: &ReportInput, reached: u64) -> Timeline {
    let score = input.score;
    let marks: Vec<MarkItem> = score
        .timeline
        .iter()
        .map(|m| {
            let role = names.role(m.role.as_str());
            let at = t(m.at.0);
            let event = m.seq.map_or_else(String::new, |s| format!(" (event #{s})"));
            let label = |id: &str| short(&names.action(id).name);
            let (kind, text) = match m.kind {
                MarkKind::Inject => {
                    let title = m
                        .seq
                        .and_then(|s| names.event(s))
                        .and_then(|e| match &e.kind {
                            EventKind::InjectFired { title, .. } => Some(title.clone()),
                            _ => None,
                        })
                        .unwrap_or_else(|| m.label.clone());
                    (MarkKindName::Inject, format!("{at} inject “{title}” reached {}{event}", role.name))
                }
                MarkKind::Done => {
                    (MarkKindName::Done, format!("{at} {} did “{}”{event}", role.name, label(&m.label)))
                }
                MarkKind::Late => {
                    (MarkKindName::Late, format!("{at} {} did “{}” late{event}", role.name, label(&m.label)))
                }
                MarkKind::OutsideLane => (
                    MarkKindName::OutsideLane,
                    format!("{at} {} did “{}”, which it does not own{event}", role.name, label(&m.label)),
                ),
                MarkKind::Missed => (
                    MarkKindName::Missed,
                    format!("{at} “{}”, owned by {}, was never done", label(&m.label), role.name),
                ),
                MarkKind::Told => {
                    let to = m.seq.and_then(|s| names.event(s)).and_then(told_to).map_or_else(
                        || m.label.trim_start_matches('→').trim().to_owned(),
                        |r| names.role(r).name,
                    );
                    (MarkKindName::Told, format!("{at} {} told {to}{event}", role.name))
                }
                MarkKind::SodViolation => (
                    MarkKindName::SodViolation,
                    format!(
                        "{at} segregation of duties broken ({}) as {}{event}",
                        names.sod_rule(&m.label).name,
                        role.name
                    ),
                ),
            };
            MarkItem {
                at_ms: m.at.0,
                at,
                role: m.role.to_string(),
                kind,
                label: m.label.clone(),
                seq: m.seq,
                text,
            }
        })
        .collect();
    let end_ms = marks.iter().map(|m| m.at_ms).max().unwrap_or(0).max(reached);
    Timeline {
        end_ms,
        end: t(end_ms),
        lanes: names.roles(&input.scenario.roles),
        key_moments: moments(names, input),
        marks,
    }
}

fn told_to(e: &Event) -> Option<&str> {
    match &e.kind {
        EventKind::Acted { action: ActionRef::Builtin(b), .. } => match b {
            Builtin::Notify { to, .. }
            | Builtin::HandOff { to, .. }
            | Builtin::Escalate { to, .. }
            | Builtin::RequestApproval { to, .. } => Some(to.as_str()),
            Builtin::Acknowledge { .. } | Builtin::Approve { .. } | Builtin::RecordDecision { .. } => None,
        },
        _ => None,
    }
}

/// The moments a reader of a table wants: injects, actions done or missed, violations, observations, the end.
fn moments(names: &Names, input: &ReportInput) -> Vec<Moment> {
    let score = input.score;
    let mut out = Vec::new();
    let moment = |at: u64, kind: &str, text: String, roles: Vec<Named>, seq: Option<u64>| Moment {
        at_ms: at,
        at: t(at),
        kind: kind.to_owned(),
        text,
        roles,
        seq,
    };
    for e in input.events {
        if let EventKind::InjectFired { title, to, .. } = &e.kind {
            let text = format!("Inject “{title}” reached {}", names.role_names(to));
            out.push(moment(e.at.0, "inject", text, names.roles(to), Some(e.seq)));
        }
    }
    let end = score.ended_at.map_or_else(|| input.events.iter().map(|e| e.at.0).max().unwrap_or(0), |e| e.0);
    for (a, s) in input.scenario.actions.iter().zip(&score.actions) {
        let label = short(&a.label);
        match &s.outcome {
            Outcome::Done { by, role, at } => {
                let who = format!("{} ({})", names.role(role.as_str()).name, names.participant(&by.0).name);
                let (kind, text) = if !s.right_owner {
                    ("outside_lane", format!("{who} did “{label}”, owned by {}", names.role_names(&a.owners)))
                } else if let Some(late) = s.late_by {
                    ("late", format!("{who} did “{label}”, {} late", dur(late.0)))
                } else {
                    ("done", format!("{who} did “{label}”"))
                };
                let seq = score
                    .timeline
                    .iter()
                    .find(|m| m.label == a.id.0 && m.at == *at && m.kind != MarkKind::Inject)
                    .and_then(|m| m.seq);
                out.push(moment(at.0, kind, text, vec![names.role(role.as_str())], seq));
            }
            Outcome::Missed => {
                let at = a.deadline.map_or(end, |d| d.0.min(end));
                let held = s.blocked_by.as_ref().map_or_else(String::new, |b| {
                    format!(", held back by “{}”", short(&names.action(b.as_str()).name))
                });
                let text = format!("“{label}” was never done (owner: {}){held}", names.role_names(&a.owners));
                out.push(moment(at, "missed", text, names.roles(&a.owners), None));
            }
            Outcome::NotInPlay => {}
        }
    }
    for f in score.findings.iter().filter(|f| f.kind == FindingKind::SodViolated) {
        let at = f.at.map_or(0, |a| a.0);
        out.push(moment(
            at,
            "sod_violation",
            f.text.clone(),
            names.roles(&f.roles),
            f.events.last().copied(),
        ));
    }
    for o in &score.observations {
        out.push(moment(o.at.0, "observation", format!("Observation: {}", o.text), vec![], Some(o.seq)));
    }
    if let Some(e) = score.ended_at {
        let seq =
            input.events.iter().rev().find(|x| matches!(x.kind, EventKind::Ended { .. })).map(|x| x.seq);
        out.push(moment(e.0, "ended", "The drill ended".to_owned(), vec![], seq));
    }
    out.sort_by_key(|m| (m.at_ms, m.seq.unwrap_or(u64::MAX)));
    out
}

fn sod(names: &Names, model: &ResponsibilityModel, findings: &[FindingItem]) -> Vec<SodViolation> {
    findings
        .iter()
        .filter(|f| f.kind == FindingKindName::SodViolated)
        .map(|f| {
            let rule = f.sod_rule.clone().unwrap_or_else(|| names.sod_rule("?"));
            SodViolation {
                rationale: model.sod_rule(&rule.id).map_or_else(String::new, |r| r.rationale.clone()),
                rule,
                participants: f.participants.clone(),
                roles: f.roles.clone(),
                action: f.action.clone(),
                at_ms: f.at_ms,
                at: f.at.clone(),
                points: f.points,
                events: f.events.clone(),
                text: f.text.clone(),
            }
        })
        .collect()
}

fn summary(
    input: &ReportInput,
    drill: &DrillSection,
    team: &TeamFigures,
    objectives: &[ObjectiveRating],
    metrics: &MetricsSection,
    worst: Option<&Theme>,
) -> String {
    let who = drill.team.as_deref().map_or_else(|| "The team".to_owned(), |t| format!("Team {t}"));
    let mut s = format!(
        "{who} scored {}/100 in the drill “{}” on {}. ",
        team.score, drill.scenario_title, drill.date
    );
    if team.in_play == 0 {
        s.push_str("No expected action came into play. ");
    } else {
        s.push_str(&format!(
            "It did {} of {} expected actions in play ({} coverage), {} of them by their owner or after a proper \
             hand-off",
            team.done,
            team.in_play,
            pct(team.coverage),
            team.right_owner
        ));
        if team.done_with_deadline > 0 {
            s.push_str(&format!(
                ", and {} of {} with a deadline on time",
                team.on_time, team.done_with_deadline
            ));
        }
        s.push_str(". ");
    }
    let offered = |metric: Metric| {
        input
            .scenario
            .actions
            .iter()
            .zip(&input.score.actions)
            .any(|(a, s)| a.counts_as == Some(metric) && s.in_play)
    };
    for (metric, what, at) in [
        (Metric::Containment, "Containment", &metrics.time_to_contain),
        (Metric::Notification, "Notification", &metrics.time_to_notify),
    ] {
        if offered(metric) {
            match at {
                Some(at) => s.push_str(&format!("{what} was complete at {at}. ")),
                None => s.push_str(&format!("{what} was never completed. ")),
            }
        }
    }
    if team.sod_violations == 0 {
        s.push_str("No segregation-of-duties rule was broken. ");
    } else {
        s.push_str(&format!(
            "Segregation of duties was broken {}. ",
            plural(team.sod_violations, "time", "times")
        ));
    }
    if !objectives.is_empty() {
        let count = |l: RatingLetter| objectives.iter().filter(|o| o.rating == l).count();
        s.push_str(&format!(
            "Of {}, {} were performed without challenges (P), {} with some challenges (S), {} with major \
             challenges (M), and {} could not be performed (U).",
            plural(objectives.len() as u64, "objective", "objectives"),
            count(RatingLetter::P),
            count(RatingLetter::S),
            count(RatingLetter::M),
            count(RatingLetter::U),
        ));
    }
    if let Some(w) = worst {
        s.push_str(&format!(" The largest area for improvement: {}", w.text));
    }
    s.trim_end().to_owned()
}
