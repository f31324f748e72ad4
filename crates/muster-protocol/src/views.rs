//! Builds wire views from core values: cards, MSEL rows, the RACI matrix, diagnostics with excerpts.
//!
//! Pure functions of their inputs; the server calls them and serializes the result.

use muster_core::span::Lines;
use muster_core::{
    ActionKind, AttachmentKind, Channel, Counts, Diagnostic, Difficulty, Header, Metric, ResponsibilityModel,
    Scenario, Severity, SodConstraint, SodSide, Trigger, earliest_fire_times,
};

use crate::{
    ActionView, AttachmentView, CapabilityRef, CountsView, DiagnosticView, ExcerptLine, FileStatus,
    ModelView, MselRow, ObjectiveRef, ObjectiveView, RaciRow, RoleRef, RoleView, ScenarioCard,
    ScenarioDetail, SeverityView, SodPartView, SodRuleView, TriggerView,
};

/// What the server knows about one scenario file.
#[derive(Debug, Clone, Copy)]
pub struct FileFacts<'a> {
    /// Key used in URLs.
    pub key: &'a str,
    /// File name.
    pub file: &'a str,
    /// Source text.
    pub text: &'a str,
    /// Header as written, when it parsed.
    pub header: Option<&'a Header>,
    /// The scenario, when valid.
    pub scenario: Option<&'a Scenario>,
    /// Sizes as written.
    pub counts: Counts,
    /// Its diagnostics.
    pub diagnostics: &'a [Diagnostic],
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The status of a file from its diagnostics.
pub fn status(diagnostics: &[Diagnostic]) -> FileStatus {
    if diagnostics.iter().any(Diagnostic::is_error) {
        FileStatus::Error
    } else if diagnostics.is_empty() {
        FileStatus::Ok
    } else {
        FileStatus::Warning
    }
}

/// Counts on the wire.
pub fn counts(c: Counts) -> CountsView {
    CountsView {
        injects: u32_of(c.injects),
        conditional_injects: u32_of(c.conditional_injects),
        expected_actions: u32_of(c.expected_actions),
        roles: u32_of(c.roles),
        objectives: u32_of(c.objectives),
    }
}

/// A diagnostic with line, column and an excerpt of up to three lines.
pub fn diagnostic(text: &str, d: &Diagnostic) -> DiagnosticView {
    diagnostic_in(&Lines::new(text), d)
}

/// [`diagnostic`] with the text's lines indexed once, for many diagnostics of one text.
fn diagnostic_in(lines: &Lines<'_>, d: &Diagnostic) -> DiagnosticView {
    let (line, column) = lines.line_col(d.span.start);
    let (end_line, end_column) = lines.line_col(d.span.end);
    let first = line.saturating_sub(1).max(1);
    let excerpt = (first..=line + 1)
        .filter_map(|n| {
            lines.line(n).map(|l| ExcerptLine { number: u32_of(n), text: l.chars().take(300).collect() })
        })
        .collect();
    DiagnosticView {
        severity: match d.severity {
            Severity::Error => SeverityView::Error,
            Severity::Warning => SeverityView::Warning,
        },
        code: d.code.as_str().to_owned(),
        message: d.message.clone(),
        line: u32_of(line),
        column: u32_of(column),
        end_line: u32_of(end_line),
        end_column: u32_of(end_column),
        hint: d.hint.clone(),
        excerpt,
    }
}

/// All diagnostics of a text.
pub fn diagnostics(text: &str, ds: &[Diagnostic]) -> Vec<DiagnosticView> {
    let lines = Lines::new(text);
    ds.iter().map(|d| diagnostic_in(&lines, d)).collect()
}

fn role_ref(model: Option<&ResponsibilityModel>, id: &str) -> RoleRef {
    RoleRef {
        id: id.to_owned(),
        name: model.and_then(|m| m.role(id)).map_or_else(|| id.to_owned(), |r| r.name.clone()),
    }
}

fn capability_ref(model: &ResponsibilityModel, id: &str) -> CapabilityRef {
    CapabilityRef {
        id: id.to_owned(),
        name: model.capability(id).map_or_else(|| id.to_owned(), |c| c.name.clone()),
    }
}

fn difficulty(d: Difficulty) -> &'static str {
    match d {
        Difficulty::Introductory => "introductory",
        Difficulty::Intermediate => "intermediate",
        Difficulty::Advanced => "advanced",
    }
}

/// The library card of a file.
pub fn card(f: FileFacts<'_>, model: Option<&ResponsibilityModel>) -> ScenarioCard {
    let (n_errors, n_warnings) = muster_core::diagnostic::count(f.diagnostics);
    let s = f.scenario;
    ScenarioCard {
        key: f.key.to_owned(),
        file: f.file.to_owned(),
        title: f.header.map_or_else(|| f.file.to_owned(), |h| h.title.clone()),
        summary: f.header.map_or_else(String::new, |h| h.summary.clone()),
        duration_ms: s.map_or(0, |s| s.duration.0),
        difficulty: s.map(|s| difficulty(s.difficulty).to_owned()),
        tags: s.map_or_else(Vec::new, |s| s.tags.clone()),
        roles: s.map_or_else(Vec::new, |s| s.roles.iter().map(|r| role_ref(model, r.as_str())).collect()),
        objectives: s.map_or_else(Vec::new, |s| {
            s.objectives.iter().map(|o| ObjectiveRef { id: o.id.0.clone(), title: o.title.clone() }).collect()
        }),
        counts: counts(f.counts),
        status: status(f.diagnostics),
        n_errors: u32_of(n_errors),
        n_warnings: u32_of(n_warnings),
    }
}

fn channel(c: Channel) -> &'static str {
    match c {
        Channel::Alert => "alert",
        Channel::Email => "email",
        Channel::Chat => "chat",
        Channel::Pager => "pager",
        Channel::Ticket => "ticket",
        Channel::News => "news",
        Channel::Log => "log",
        Channel::Call => "call",
    }
}

pub(crate) fn attachment_kind(k: AttachmentKind) -> &'static str {
    match k {
        AttachmentKind::Log => "log",
        AttachmentKind::Json => "json",
        AttachmentKind::Diff => "diff",
        AttachmentKind::Text => "text",
    }
}

pub(crate) fn action_kind(k: ActionKind) -> &'static str {
    match k {
        ActionKind::Task => "task",
        ActionKind::Request => "request",
        ActionKind::Approval => "approval",
        ActionKind::Decision => "decision",
        ActionKind::Notification => "notification",
    }
}

fn trigger(s: &Scenario, t: &Trigger) -> TriggerView {
    let label = |id: &str| s.action(id).map_or_else(|| id.to_owned(), |a| a.label.clone());
    match t {
        Trigger::At(at) => TriggerView::At { at_ms: at.0 },
        Trigger::AfterInject { inject, delay } => TriggerView::AfterInject {
            inject: inject.0.clone(),
            title: s.inject(inject.as_str()).map_or_else(|| inject.0.clone(), |i| i.title.clone()),
            delay_ms: delay.0,
        },
        Trigger::AfterAction { action, delay } => TriggerView::AfterAction {
            action: action.0.clone(),
            label: label(action.as_str()),
            delay_ms: delay.0,
        },
        Trigger::NotDoneBy { action, at } => {
            TriggerView::NotDoneBy { action: action.0.clone(), label: label(action.as_str()), at_ms: at.0 }
        }
        Trigger::Cue => TriggerView::Cue,
    }
}

/// Everything about one file; MSEL, objectives and actions only when it is valid.
pub fn detail(f: FileFacts<'_>, model: Option<&ResponsibilityModel>) -> ScenarioDetail {
    let mut out = ScenarioDetail {
        card: card(f, model),
        version: None,
        objectives: Vec::new(),
        msel: Vec::new(),
        actions: Vec::new(),
        variables: Vec::new(),
        diagnostics: diagnostics(f.text, f.diagnostics),
    };
    let (Some(s), Some(model)) = (f.scenario, model) else { return out };
    out.version = Some(s.version.clone());
    out.variables = s.variables.iter().map(|v| v.name.clone()).collect();
    out.objectives = s
        .objectives
        .iter()
        .map(|o| ObjectiveView {
            id: o.id.0.clone(),
            title: o.title.clone(),
            capabilities: o.capabilities.iter().map(|c| capability_ref(model, c.as_str())).collect(),
            actions: o.actions.iter().map(|a| a.0.clone()).collect(),
        })
        .collect();
    let earliest = earliest_fire_times(s);
    let mut rows: Vec<(bool, u64, usize, MselRow)> = s
        .injects
        .iter()
        .zip(earliest)
        .enumerate()
        .map(|(idx, (i, at))| {
            let row = MselRow {
                inject: i.id.0.clone(),
                earliest_ms: at.0,
                conditional: i.trigger.is_conditional(),
                trigger: trigger(s, &i.trigger),
                title: i.title.clone(),
                channel: channel(i.channel).to_owned(),
                from: i.from.clone(),
                to: i.to.iter().map(|r| role_ref(Some(model), r.as_str())).collect(),
                body: i.body.clone(),
                attachments: i
                    .attachments
                    .iter()
                    .map(|a| AttachmentView {
                        name: a.name.clone(),
                        kind: attachment_kind(a.kind).to_owned(),
                        content: a.content.clone(),
                    })
                    .collect(),
                actions: i.actions.iter().map(|a| a.0.clone()).collect(),
                facilitator_notes: i.facilitator_notes.clone(),
            };
            (matches!(i.trigger, Trigger::Cue), at.0, idx, row)
        })
        .collect();
    // Timed and conditional injects by earliest time; cued ones, which can come at any time, last.
    rows.sort_by_key(|(cue, at, idx, _)| (*cue, *at, *idx));
    out.msel = rows.into_iter().map(|(_, _, _, row)| row).collect();
    out.actions = s
        .actions
        .iter()
        .map(|a| {
            let cap = model.capability(a.capability.as_str());
            ActionView {
                id: a.id.0.clone(),
                label: a.label.clone(),
                kind: action_kind(a.kind).to_owned(),
                capability: capability_ref(model, a.capability.as_str()),
                owners: a.owners.iter().map(|r| role_ref(Some(model), r.as_str())).collect(),
                owner_overridden: a.owner_overridden,
                accountable: role_ref(Some(model), cap.map_or("", |c| c.accountable.as_str())),
                deadline_ms: a.deadline.map(|d| d.0),
                after: a.after.iter().map(|x| x.0.clone()).collect(),
                weight: a.weight,
                counts_as: a.counts_as.map(|m| {
                    match m {
                        Metric::Containment => "containment",
                        Metric::Notification => "notification",
                    }
                    .to_owned()
                }),
                sod: a.sod.as_ref().and_then(|p| {
                    let rule = model.sod_rule(p.rule.as_str())?;
                    let SodConstraint::SeparateActors { first, second } = &rule.constraint else {
                        return None;
                    };
                    let duty = match p.side {
                        SodSide::First => first,
                        SodSide::Second => second,
                    };
                    Some(SodPartView {
                        rule: rule.id.0.clone(),
                        title: rule.title.clone(),
                        duty: duty.clone(),
                    })
                }),
            }
        })
        .collect();
    out
}

/// The model as a RACI matrix with its separation rules.
pub fn model(m: &ResponsibilityModel) -> ModelView {
    ModelView {
        name: m.name.clone(),
        roles: m
            .roles
            .iter()
            .map(|r| RoleView {
                id: r.id.0.clone(),
                name: r.name.clone(),
                team: r.team.clone(),
                remit: r.remit.clone(),
            })
            .collect(),
        capabilities: m
            .capabilities
            .iter()
            .map(|c| RaciRow {
                id: c.id.0.clone(),
                name: c.name.clone(),
                description: c.description.clone(),
                cells: m
                    .roles
                    .iter()
                    .map(|r| c.letters(&r.id).into_iter().map(|l| l.letter()).collect())
                    .collect(),
            })
            .collect(),
        sod_rules: m
            .sod_rules
            .iter()
            .map(|r| match &r.constraint {
                SodConstraint::SeparateActors { first, second } => SodRuleView {
                    id: r.id.0.clone(),
                    title: r.title.clone(),
                    rationale: r.rationale.clone(),
                    kind: "separate_actors".to_owned(),
                    duties: vec![first.clone(), second.clone()],
                    overseer: None,
                    capabilities: Vec::new(),
                },
                SodConstraint::Oversight { overseer, capabilities } => SodRuleView {
                    id: r.id.0.clone(),
                    title: r.title.clone(),
                    rationale: r.rationale.clone(),
                    kind: "oversight".to_owned(),
                    duties: Vec::new(),
                    overseer: Some(role_ref(Some(m), overseer.as_str())),
                    capabilities: capabilities.iter().map(|c| capability_ref(m, c.as_str())).collect(),
                },
            })
            .collect(),
    }
}

/// The wire form of a plan item.
pub fn plan_item(item: &muster_core::score::PlanItem) -> crate::PlanItemView {
    use muster_core::score::PlanStatus;
    crate::PlanItemView {
        issue: item.issue.clone(),
        corrective_action: item.corrective_action.clone(),
        capability: item.capability.0.clone(),
        owner: item.owner.0.clone(),
        due: item.due.clone(),
        status: match item.status {
            PlanStatus::Open => crate::PlanStatusView::Open,
            PlanStatus::Done => crate::PlanStatusView::Done,
        },
        carried_from: item.carried_from.clone(),
    }
}

/// A plan item from the wire (not yet checked against the model: the server does that).
pub fn plan_item_from(view: &crate::PlanItemView) -> muster_core::score::PlanItem {
    use muster_core::score::PlanStatus;
    muster_core::score::PlanItem {
        issue: view.issue.clone(),
        corrective_action: view.corrective_action.clone(),
        capability: muster_core::CapabilityId(view.capability.clone()),
        owner: muster_core::RoleId(view.owner.clone()),
        due: view.due.clone(),
        status: match view.status {
            crate::PlanStatusView::Open => PlanStatus::Open,
            crate::PlanStatusView::Done => PlanStatus::Done,
        },
        carried_from: view.carried_from.clone(),
    }
}
