// Pure formatting helpers shared by the views. No DOM, no state: tested with vitest.

import type { DiagnosticView } from "../gen/DiagnosticView";
import type { FileStatus } from "../gen/FileStatus";
import type { TriggerView } from "../gen/TriggerView";

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** Scenario time as `T+00:12:30` (hours, minutes, seconds; milliseconds dropped). */
export function scenarioTime(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `T+${pad2(h)}:${pad2(m)}:${pad2(s)}`;
}

/** A nominal duration for cards: `90 min`, `45 s`, `1 min 30 s`; `null` when unknown (0). */
export function duration(ms: number): string | null {
  if (!(ms > 0)) return null;
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  if (m === 0) return `${s} s`;
  if (s === 0) return `${m} min`;
  return `${m} min ${s} s`;
}

/** A delay after an event: `2 min`, `90 s` → `1 min 30 s`. */
export function delay(ms: number): string {
  return duration(ms) ?? "0 s";
}

export type TriggerKind = TriggerView["type"];

export interface TriggerText {
  /** Whether the inject depends on what the team does (every trigger but `at`). */
  conditional: boolean;
  /** Short category, shown beside the icon: `Timed`, `Escalation`, … */
  label: string;
  /** The whole condition in words. */
  text: string;
}

/** Curly-quote a name taken from a file. */
export const quote = (s: string): string => `\u2018${s}\u2019`;

/** How an inject fires, in words. */
export function describeTrigger(t: TriggerView): TriggerText {
  switch (t.type) {
    case "at":
      return { conditional: false, label: "Timed", text: scenarioTime(t.at_ms) };
    case "after_inject":
      return {
        conditional: true,
        label: "Follows inject",
        text:
          t.delay_ms > 0
            ? `${delay(t.delay_ms)} after ${quote(t.title)} fires`
            : `When ${quote(t.title)} fires`,
      };
    case "after_action":
      return {
        conditional: true,
        label: "Follows action",
        text:
          t.delay_ms > 0
            ? `${delay(t.delay_ms)} after ${quote(t.label)} is done`
            : `When ${quote(t.label)} is done`,
      };
    case "not_done_by":
      return {
        conditional: true,
        label: "Escalation",
        text: `If ${quote(t.label)} not done by ${scenarioTime(t.at_ms)}`,
      };
    case "cue":
      return { conditional: true, label: "On cue", text: "On facilitator\u2019s cue" };
  }
}

/** `Introductory` / `intermediate` → `Introductory`, with its level 1–3 for the meter. */
export function difficulty(d: string | null): { word: string; level: number } | null {
  if (!d) return null;
  const lower = d.toLowerCase();
  const level = lower === "introductory" ? 1 : lower === "intermediate" ? 2 : lower === "advanced" ? 3 : 0;
  return { word: lower.charAt(0).toUpperCase() + lower.slice(1), level };
}

/** Status word shown beside the status icon. */
export function statusWord(s: FileStatus): string {
  return s === "ok" ? "Valid" : s === "warning" ? "Valid, with warnings" : "Errors";
}

/** `1 inject`, `3 injects`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** `leaked-secret.ron has 2 errors and 1 warning` style tail: `2 errors, 1 warning`. */
export function problemCount(errors: number, warnings: number): string {
  const parts: string[] = [];
  if (errors > 0) parts.push(plural(errors, "error"));
  if (warnings > 0) parts.push(plural(warnings, "warning"));
  return parts.length > 0 ? parts.join(", ") : "no problems";
}

const CHANNELS: Record<string, string> = {
  alert: "Alert",
  email: "Email",
  chat: "Chat",
  pager: "Pager",
  ticket: "Ticket",
  news: "News",
  log: "Log",
  call: "Call",
};

/** Display word for an inject channel. */
export function channelWord(channel: string): string {
  return CHANNELS[channel.toLowerCase()] ?? capitalise(channel);
}

/** `separate_actors` → `Separate actors`, `task` → `Task`. */
export function capitalise(s: string): string {
  const spaced = s.replace(/_/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export type RaciLetter = "R" | "A" | "C" | "I";

export const RACI_WORDS: Record<RaciLetter, string> = {
  R: "Responsible",
  A: "Accountable",
  C: "Consulted",
  I: "Informed",
};

/** The letters of a RACI cell in R, A, C, I order; unknown characters are ignored. */
export function raciLetters(cell: string): RaciLetter[] {
  const order: RaciLetter[] = ["R", "A", "C", "I"];
  const upper = cell.toUpperCase();
  return order.filter((l) => upper.includes(l));
}

/** A RACI cell in words, for screen readers: `Responsible and Accountable`, `none`. */
export function raciWords(cell: string): string {
  const words = raciLetters(cell).map((l) => RACI_WORDS[l]);
  if (words.length === 0) return "none";
  if (words.length === 1) return words[0] ?? "";
  return `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** One piece of an excerpt line: plain or inside the diagnostic's span. */
export interface Segment {
  text: string;
  marked: boolean;
}

/**
 * Split one excerpt line into segments, marking the columns the diagnostic points at.
 * Columns are 1-based and count characters (Unicode scalar values), end exclusive.
 * A span that is empty on this line but starts here gets a one-character mark
 * (a space when it points past the end), so the position is always visible.
 */
export function markLine(d: DiagnosticView, lineNo: number, text: string): Segment[] {
  const chars = Array.from(text);
  if (lineNo < d.line || lineNo > d.end_line) return [{ text, marked: false }];
  let from = lineNo === d.line ? d.column - 1 : 0;
  let to = lineNo === d.end_line ? d.end_column - 1 : chars.length;
  from = Math.max(0, Math.min(from, chars.length));
  to = Math.max(from, Math.min(to, chars.length));
  if (from === to) {
    if (lineNo !== d.line) return [{ text, marked: false }];
    // Point at one character, or just past the end of the line.
    if (from < chars.length) to = from + 1;
    else {
      return [
        { text, marked: false },
        { text: " ", marked: true },
      ].filter((s) => s.text.length > 0);
    }
  }
  return [
    { text: chars.slice(0, from).join(""), marked: false },
    { text: chars.slice(from, to).join(""), marked: true },
    { text: chars.slice(to).join(""), marked: false },
  ].filter((s) => s.text.length > 0);
}

/** `12:5` — where a diagnostic starts. */
export function position(d: Pick<DiagnosticView, "line" | "column">): string {
  return `${d.line}:${d.column}`;
}

/** Errors first, then by position. */
export function sortDiagnostics(ds: readonly DiagnosticView[]): DiagnosticView[] {
  return [...ds].sort(
    (a, b) =>
      (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1) ||
      a.line - b.line ||
      a.column - b.column,
  );
}

/** Split a diagnostic message at its `code spans`, so they can be set in monospace. */
export function codeSpans(text: string): Segment[] {
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(/`([^`\n]+)`/g)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ text: text.slice(last, at), marked: false });
    out.push({ text: m[1] ?? "", marked: true });
    last = at + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), marked: false });
  return out;
}

/** A message from the server as a sentence: capital first letter, final full stop. */
export function sentence(s: string): string {
  const t = s.trim();
  if (t.length === 0) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}

/** Wall time in the viewer's time zone: `2026-11-23 22:41` (the report's own clock, for people). */
export function wallTime(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return "—";
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A drill's state in words, with the icon shown beside it (never colour alone). */
export function drillState(state: string): { word: string; icon: "ok" | "clock" | "hourglass" | "info" } {
  switch (state) {
    case "ended":
      return { word: "Ended", icon: "ok" };
    case "running":
      return { word: "Running", icon: "clock" };
    case "paused":
      return { word: "Paused", icon: "hourglass" };
    case "not_started":
      return { word: "Not started", icon: "info" };
    default:
      return { word: capitalise(state), icon: "info" };
  }
}
