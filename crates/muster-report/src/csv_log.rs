//! The event log as CSV for spreadsheets: one row per event, a human-readable detail, and the raw event
//! as JSON in the last column (so nothing is lost). Quoting is the `csv` crate's (RFC 4180); a cell that a
//! spreadsheet would take for a formula gets a leading `'`.

use muster_core::ResponsibilityModel;
use muster_core::engine::{ActionRef, Audience, Builtin, Event, EventKind, FiredBy, NoteKind};

use crate::text::t;

/// The header row.
pub const COLUMNS: [&str; 11] = [
    "seq",
    "at_ms",
    "at",
    "kind",
    "audience",
    "participant",
    "role",
    "action",
    "inject",
    "text",
    "event_json",
];

pub fn events(events: &[Event], model: &ResponsibilityModel) -> String {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(events.len() * 256 + 128));
    // Writing into a Vec cannot fail; a failed row would only be missing, never corrupt the file.
    let _ = w.write_record(COLUMNS);
    for e in events {
        let row = Row::of(e, model);
        let json = serde_json::to_string(e).unwrap_or_default();
        let _ = w.write_record([
            e.seq.to_string().as_str(),
            e.at.0.to_string().as_str(),
            t(e.at.0).as_str(),
            row.kind,
            audience(&e.audience).as_str(),
            &inert(row.participant),
            &inert(row.role),
            &inert(row.action),
            &inert(row.inject),
            &inert(&row.text),
            json.as_str(),
        ]);
    }
    w.into_inner().ok().and_then(|b| String::from_utf8(b).ok()).unwrap_or_default()
}

/// Keeps a spreadsheet from reading a cell as a formula (CSV injection): a leading `=`, `+`, `-`, `@`,
/// tab or carriage return gets a `'` in front, as OWASP recommends. The JSON column needs none (it starts
/// with `{`).
fn inert(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{cell}").into() } else { cell.into() }
}

fn audience(a: &Audience) -> String {
    match a {
        Audience::Everyone => "everyone".to_owned(),
        Audience::Facilitator => "facilitator".to_owned(),
        Audience::Roles(r) => r.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" "),
    }
}

#[derive(Default)]
struct Row<'a> {
    kind: &'static str,
    participant: &'a str,
    role: &'a str,
    action: &'a str,
    inject: &'a str,
    text: String,
}

impl<'a> Row<'a> {
    fn of(e: &'a Event, model: &ResponsibilityModel) -> Row<'a> {
        let role_name = |id: &str| model.role(id).map_or_else(|| id.to_owned(), |r| r.name.clone());
        let roles = |ids: &[muster_core::RoleId]| {
            ids.iter().map(|r| role_name(r.as_str())).collect::<Vec<_>>().join(", ")
        };
        match &e.kind {
            EventKind::Started { seed, variables } => Row {
                kind: "Started",
                text: format!("Drill started (seed {seed}, {} variables drawn)", variables.len()),
                ..Row::default()
            },
            EventKind::Began => {
                Row { kind: "Began", text: "The clock runs from T+0".to_owned(), ..Row::default() }
            }
            EventKind::DurationReached => Row {
                kind: "DurationReached",
                text: "The scenario's nominal duration is reached".to_owned(),
                ..Row::default()
            },
            EventKind::Paused => Row { kind: "Paused", text: "Clock stopped".to_owned(), ..Row::default() },
            EventKind::Resumed => {
                Row { kind: "Resumed", text: "Clock restarted".to_owned(), ..Row::default() }
            }
            EventKind::SpeedChanged(s) => Row {
                kind: "SpeedChanged",
                text: format!("Speed set to {}×", f64::from(s.0) / 1000.0),
                ..Row::default()
            },
            EventKind::Seeked { from, to } => {
                Row { kind: "Seeked", text: format!("Time jumped from {from} to {to}"), ..Row::default() }
            }
            EventKind::InjectFired { inject, by, title, to, body, .. } => Row {
                kind: "InjectFired",
                inject: inject.as_str(),
                text: format!(
                    "{title} (to {}{}): {body}",
                    roles(to),
                    if *by == FiredBy::Facilitator { ", fired by the facilitator" } else { "" }
                ),
                ..Row::default()
            },
            EventKind::InjectHeld(i) => Row {
                kind: "InjectHeld",
                inject: i.as_str(),
                text: "Inject held".to_owned(),
                ..Row::default()
            },
            EventKind::InjectReleased(i) => Row {
                kind: "InjectReleased",
                inject: i.as_str(),
                text: "Inject released".to_owned(),
                ..Row::default()
            },
            EventKind::InjectSkipped(i) => Row {
                kind: "InjectSkipped",
                inject: i.as_str(),
                text: "Inject skipped".to_owned(),
                ..Row::default()
            },
            EventKind::EscalationAverted { inject, action } => Row {
                kind: "EscalationAverted",
                inject: inject.as_str(),
                action: action.as_str(),
                text: format!("Escalation not needed: {action} was done in time"),
                ..Row::default()
            },
            EventKind::Joined { participant, name } => Row {
                kind: "Joined",
                participant: &participant.0,
                text: format!("{name} joined"),
                ..Row::default()
            },
            EventKind::Left(p) => {
                Row { kind: "Left", participant: &p.0, text: "Left".to_owned(), ..Row::default() }
            }
            EventKind::Assigned { participant, role } => Row {
                kind: "Assigned",
                participant: &participant.0,
                role: role.as_str(),
                text: format!("Given the role {}", role_name(role.as_str())),
                ..Row::default()
            },
            EventKind::Unassigned { participant, role } => Row {
                kind: "Unassigned",
                participant: &participant.0,
                role: role.as_str(),
                text: format!("Role {} taken away", role_name(role.as_str())),
                ..Row::default()
            },
            EventKind::ActionOpened { action, visible_to } => Row {
                kind: "ActionOpened",
                action: action.as_str(),
                text: format!("Offered to {}", roles(visible_to)),
                ..Row::default()
            },
            EventKind::Acted { participant, role, action, repeat, .. } => {
                let (action_id, inject, text) = acted(action, &role_name);
                Row {
                    kind: "Acted",
                    participant: &participant.0,
                    role: role.as_str(),
                    action: action_id,
                    inject,
                    text: if *repeat { format!("{text} (again: already done)") } else { text },
                }
            }
            EventKind::ActionOverdue(a) => Row {
                kind: "ActionOverdue",
                action: a.as_str(),
                text: "Deadline passed, not done".to_owned(),
                ..Row::default()
            },
            EventKind::Noted { kind, text } => Row {
                kind: "Noted",
                text: match kind {
                    NoteKind::Observation => format!("Observation: {text}"),
                    NoteKind::Note => format!("Note: {text}"),
                },
                ..Row::default()
            },
            EventKind::Ended { missed } => Row {
                kind: "Ended",
                text: if missed.is_empty() {
                    "Drill ended; every offered action done".to_owned()
                } else {
                    let ids: Vec<&str> = missed.iter().map(|a| a.as_str()).collect();
                    format!("Drill ended; never done: {}", ids.join(", "))
                },
                ..Row::default()
            },
        }
    }
}

/// The action column, the inject column and the detail of an `Acted` event.
fn acted<'a>(action: &'a ActionRef, role_name: &dyn Fn(&str) -> String) -> (&'a str, &'a str, String) {
    match action {
        ActionRef::Scenario(id) => (id.as_str(), "", format!("Did {id}")),
        ActionRef::Builtin(b) => match b {
            Builtin::Acknowledge { inject } => ("", inject.as_str(), format!("Acknowledged {inject}")),
            Builtin::Notify { to, about, text } => (
                about.as_ref().map_or("", |a| a.as_str()),
                "",
                format!("Notified {}: {text}", role_name(to.as_str())),
            ),
            Builtin::HandOff { action, to, text } => {
                (action.as_str(), "", format!("Handed {action} to {}: {text}", role_name(to.as_str())))
            }
            Builtin::Escalate { to, text } => {
                ("", "", format!("Escalated to {}: {text}", role_name(to.as_str())))
            }
            Builtin::RequestApproval { to, about, text } => (
                about.as_ref().map_or("", |a| a.as_str()),
                "",
                format!("Asked {} to approve: {text}", role_name(to.as_str())),
            ),
            Builtin::Approve { about, text } => {
                (about.as_ref().map_or("", |a| a.as_str()), "", format!("Approved: {text}"))
            }
            Builtin::RecordDecision { text } => ("", "", format!("Decision: {text}")),
        },
    }
}
