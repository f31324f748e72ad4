// Editing an improvement plan: pure helpers behind the plan editor, tested with vitest.

import type { PlanItemView } from "../gen/PlanItemView";

/** A reference the selects offer: a role or a capability. */
export interface Ref {
  id: string;
  name: string;
}

/** One row of the editor: the item plus a key that stays put while rows are added and removed. */
export interface PlanRow {
  key: number;
  item: PlanItemView;
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

/** A local calendar date as `YYYY-MM-DD`. */
export function isoDate(d: Date): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

/** `days` calendar days after `d` (local time, so daylight saving never skips a date). */
export function addDays(d: Date, days: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + days);
}

/** How long a new item gets by default. */
export const DEFAULT_DUE_DAYS = 30;

/** A new, empty item: open, due in 30 days, about the first capability, owned by the first role. */
export function blankItem(today: Date, capabilities: readonly Ref[], roles: readonly Ref[]): PlanItemView {
  return {
    issue: "",
    corrective_action: "",
    capability: capabilities[0]?.id ?? "",
    owner: roles[0]?.id ?? "",
    due: isoDate(addDays(today, DEFAULT_DUE_DAYS)),
    status: "open",
    carried_from: null,
  };
}

/** Rows for the editor, keyed from `firstKey` on. Items are copied, so editing never touches the source. */
export function toRows(items: readonly PlanItemView[], firstKey = 0): PlanRow[] {
  return items.map((item, i) => ({ key: firstKey + i, item: { ...item } }));
}

/** The items to send, in row order, with text trimmed. */
export function fromRows(rows: readonly PlanRow[]): PlanItemView[] {
  return rows.map(({ item }) => ({
    ...item,
    issue: item.issue.trim(),
    corrective_action: item.corrective_action.trim(),
  }));
}

/** Whether the edited rows differ from the saved items (what a Save would change). */
export function isDirty(rows: readonly PlanRow[], saved: readonly PlanItemView[]): boolean {
  const now = fromRows(rows);
  if (now.length !== saved.length) return true;
  return now.some((a, i) => {
    const b = saved[i];
    return (
      b === undefined ||
      a.issue !== b.issue.trim() ||
      a.corrective_action !== b.corrective_action.trim() ||
      a.capability !== b.capability ||
      a.owner !== b.owner ||
      a.due !== b.due ||
      a.status !== b.status ||
      a.carried_from !== b.carried_from
    );
  });
}

/**
 * The options of a select: the known references, plus the current value when it is not among them
 * (a carried-over item may name a role the model no longer has), so a select never silently changes it.
 */
export function optionsFor(refs: readonly Ref[], current: string): Ref[] {
  if (current === "" || refs.some((r) => r.id === current)) return [...refs];
  return [...refs, { id: current, name: `${current} (not in the model)` }];
}

/** Counts for the editor's heading: `24 items · 3 done · 19 carried over`. */
export function planSummary(items: readonly PlanItemView[]): string {
  const n = items.length;
  const done = items.filter((i) => i.status === "done").length;
  const carried = items.filter((i) => i.carried_from !== null).length;
  const parts = [`${n} ${n === 1 ? "item" : "items"}`, `${done} done`];
  if (carried > 0) parts.push(`${carried} carried over`);
  return parts.join(" \u00b7 ");
}

/** The 1-based item a server message is about (`item 2: the due date …`), or null. */
export function itemOfMessage(message: string): number | null {
  const m = /^item (\d+)\b/i.exec(message.trim());
  if (!m?.[1]) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}
