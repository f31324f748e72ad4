// What the live screens show, derived from the events a person received. Pure: no DOM, no state.
// The control room's boards come from the core (StatusView.board); these are the participant's views
// and the feed's words.

import type { ActionBrief } from "../gen/ActionBrief";
import type { ActionRef } from "../gen/ActionRef";
import type { AttachmentView } from "../gen/AttachmentView";
import type { Event } from "../gen/Event";
import type { Received } from "./live";

/** Scenario time as `T+00:12:30` is in format.ts; a countdown is `4:59 left`, past due `overdue 1:02`. */
export function countdown(deadlineMs: number, nowMs: number): string {
  const left = Math.round((deadlineMs - nowMs) / 1000);
  const abs = Math.abs(left);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  const s = abs % 60;
  const text = h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
  return left >= 0 ? `${text} left` : `overdue ${text}`;
}

/** One inject in a participant's inbox. */
export interface InboxItem {
  seq: number;
  at: number;
  inject: string;
  title: string;
  channel: string;
  from: string | null;
  to: string[];
  body: string;
  attachments: AttachmentView[];
  actions: ActionBrief[];
  adhoc: boolean;
}

/** The injects received, newest first. */
export function inbox(events: readonly Received[]): InboxItem[] {
  const out: InboxItem[] = [];
  for (const { event, detail } of events) {
    const k = event.kind;
    if (typeof k !== "object" || !("InjectFired" in k)) continue;
    const f = k.InjectFired;
    out.push({
      seq: event.seq,
      at: event.at,
      inject: f.inject,
      title: f.title,
      channel: f.channel.toLowerCase(),
      from: detail?.from ?? (f.by === "Facilitator" && f.inject.startsWith("adhoc-") ? "Facilitator" : null),
      to: f.to,
      body: f.body,
      attachments: detail?.attachments ?? [],
      actions: detail?.actions ?? [],
      adhoc: f.inject.startsWith("adhoc-"),
    });
  }
  return out.reverse();
}

/** An expected action as a participant's to-do list shows it. */
export interface OpenAction {
  brief: ActionBrief;
  /** The roles of mine it was offered to. */
  roles: string[];
  openedAt: number;
  overdue: boolean;
  done: { by: string; role: string; at: number } | null;
}

/** The expected actions offered to any of `roles`, in the order they opened, with what became of them. */
export function myActions(events: readonly Received[], roles: readonly string[], names: Map<string, string>): OpenAction[] {
  const byId = new Map<string, OpenAction>();
  const briefs = new Map<string, ActionBrief>();
  for (const { event, detail } of events) {
    for (const b of detail?.actions ?? []) briefs.set(b.id, b);
    const k = event.kind;
    if (typeof k !== "object") continue;
    if ("ActionOpened" in k) {
      const mine = k.ActionOpened.visible_to.filter((r) => roles.includes(r));
      const brief = briefs.get(k.ActionOpened.action);
      if (mine.length === 0 || !brief) continue;
      const known = byId.get(brief.id);
      if (known) known.roles = [...new Set([...known.roles, ...mine])];
      else byId.set(brief.id, { brief, roles: mine, openedAt: event.at, overdue: false, done: null });
    } else if ("ActionOverdue" in k) {
      const a = byId.get(k.ActionOverdue);
      if (a) a.overdue = true;
    } else if ("Acted" in k) {
      const action = k.Acted.action;
      if ("Scenario" in action) {
        const a = byId.get(action.Scenario);
        if (a && !a.done) {
          a.done = { by: names.get(k.Acted.participant) ?? k.Acted.participant, role: k.Acted.role, at: event.at };
        }
      }
    }
  }
  return [...byId.values()];
}

/** Display names by participant id, from the `Joined` events. */
export function participantNames(events: readonly Received[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const { event } of events) {
    const k = event.kind;
    if (typeof k === "object" && "Joined" in k) names.set(k.Joined.participant, k.Joined.name);
  }
  return names;
}

/** Who holds which roles now, from the `Assigned` / `Unassigned` / `Left` events. */
export function roster(events: readonly Received[]): { id: string; name: string; roles: string[]; present: boolean }[] {
  const people = new Map<string, { id: string; name: string; roles: string[]; present: boolean }>();
  for (const { event } of events) {
    const k = event.kind;
    if (typeof k !== "object") continue;
    if ("Joined" in k) people.set(k.Joined.participant, { id: k.Joined.participant, name: k.Joined.name, roles: [], present: true });
    else if ("Left" in k) {
      const p = people.get(k.Left);
      if (p) p.present = false;
    } else if ("Assigned" in k) {
      const p = people.get(k.Assigned.participant);
      if (p && !p.roles.includes(k.Assigned.role)) p.roles.push(k.Assigned.role);
    } else if ("Unassigned" in k) {
      const p = people.get(k.Unassigned.participant);
      if (p) p.roles = p.roles.filter((r) => r !== k.Unassigned.role);
    }
  }
  return [...people.values()];
}

/** Words for an action reference: a scenario action's label, or what a built-in action says. */
export function actionWords(action: ActionRef, labels: Map<string, string>, roleName: (r: string) => string): string {
  if ("Scenario" in action) return labels.get(action.Scenario) ?? action.Scenario;
  const b = action.Builtin;
  const about = (a: string | null): string => (a ? ` about “${labels.get(a) ?? a}”` : "");
  if ("Acknowledge" in b) return `acknowledged “${b.Acknowledge.inject}”`;
  if ("Notify" in b) return `told ${roleName(b.Notify.to)}${about(b.Notify.about)}: ${b.Notify.text}`;
  if ("HandOff" in b) return `handed “${labels.get(b.HandOff.action) ?? b.HandOff.action}” to ${roleName(b.HandOff.to)}: ${b.HandOff.text}`;
  if ("Escalate" in b) return `escalated to ${roleName(b.Escalate.to)}: ${b.Escalate.text}`;
  if ("RequestApproval" in b) return `asked ${roleName(b.RequestApproval.to)} for approval${about(b.RequestApproval.about)}: ${b.RequestApproval.text}`;
  if ("Approve" in b) return `approved${about(b.Approve.about)}: ${b.Approve.text}`;
  return `recorded a decision: ${b.RecordDecision.text}`;
}

/** Action labels known from the events' details (and any extra source, e.g. the scenario page). */
export function actionLabels(events: readonly Received[]): Map<string, string> {
  const labels = new Map<string, string>();
  for (const { detail } of events) for (const b of detail?.actions ?? []) labels.set(b.id, b.label);
  return labels;
}

/** One line of the live feed. */
export interface FeedLine {
  seq: number;
  at: number;
  /** The roles it concerns (for the filter); empty: the whole drill. */
  roles: string[];
  text: string;
  tone: "act" | "inject" | "warn" | "life" | "note";
}

/** The feed's words for one event; `null` for events the feed leaves out. */
export function feedLine(
  event: Event,
  names: Map<string, string>,
  labels: Map<string, string>,
  roleName: (r: string) => string,
): FeedLine | null {
  const k = event.kind;
  const line = (text: string, tone: FeedLine["tone"], roles: string[] = []): FeedLine => ({
    seq: event.seq,
    at: event.at,
    roles,
    text,
    tone,
  });
  if (k === "Began") return line("The drill began", "life");
  if (k === "Paused") return line("Paused", "life");
  if (k === "Resumed") return line("Resumed", "life");
  if (k === "DurationReached") return line("The scenario's nominal duration is reached: you may end the drill", "warn");
  if (typeof k !== "object") return null;
  if ("SpeedChanged" in k) return line(`Speed ×${k.SpeedChanged / 1000}`, "life");
  if ("Seeked" in k) return line("Jumped ahead", "life");
  if ("InjectFired" in k) {
    const f = k.InjectFired;
    return line(`Inject “${f.title}” to ${f.to.map(roleName).join(", ")}`, "inject", f.to);
  }
  if ("InjectHeld" in k) return line(`Held “${k.InjectHeld}”`, "life");
  if ("InjectReleased" in k) return line(`Released “${k.InjectReleased}”`, "life");
  if ("InjectSkipped" in k) return line(`Skipped “${k.InjectSkipped}”`, "life");
  if ("EscalationAverted" in k) {
    const a = k.EscalationAverted;
    return line(`Escalation averted: “${labels.get(a.action) ?? a.action}” was done in time`, "act");
  }
  if ("Joined" in k) return line(`${k.Joined.name} joined`, "life");
  if ("Left" in k) return line(`${names.get(k.Left) ?? k.Left} left`, "life");
  if ("Assigned" in k) {
    const a = k.Assigned;
    return line(`${names.get(a.participant) ?? a.participant} plays ${roleName(a.role)}`, "life", [a.role]);
  }
  if ("Unassigned" in k) {
    const a = k.Unassigned;
    return line(`${names.get(a.participant) ?? a.participant} no longer plays ${roleName(a.role)}`, "life", [a.role]);
  }
  if ("ActionOpened" in k) return null;
  if ("Acted" in k) {
    const a = k.Acted;
    const who = `${names.get(a.participant) ?? a.participant} (${roleName(a.role)})`;
    const what = actionWords(a.action, labels, roleName);
    const roles = [a.role];
    if ("Builtin" in a.action) {
      const b = a.action.Builtin;
      for (const v of Object.values(b)) {
        const to = (v as { to?: string }).to;
        if (to && !roles.includes(to)) roles.push(to);
      }
    }
    const did = "Scenario" in a.action ? `did “${what}”${a.repeat ? " (again)" : ""}` : what;
    return line(`${who} ${did}`, "act", roles);
  }
  if ("ActionOverdue" in k) return line(`Overdue: “${labels.get(k.ActionOverdue) ?? k.ActionOverdue}”`, "warn");
  if ("Noted" in k) return line(`${k.Noted.kind === "Observation" ? "Observation" : "Note"}: ${k.Noted.text}`, "note");
  if ("Ended" in k) return line(`The drill ended (${k.Ended.missed.length} expected actions not done)`, "life");
  return null;
}
