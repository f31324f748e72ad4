import { describe, expect, it } from "vitest";
import type { PlanItemView } from "../gen/PlanItemView";
import {
  addDays,
  blankItem,
  fromRows,
  isDirty,
  isoDate,
  itemOfMessage,
  optionsFor,
  planSummary,
  toRows,
} from "./plan";

const item = (over: Partial<PlanItemView> = {}): PlanItemView => ({
  issue: "Secrets: key left active",
  corrective_action: "Rehearse the runbook",
  capability: "secrets_management",
  owner: "security",
  due: "2026-12-23",
  status: "open",
  carried_from: null,
  ...over,
});

const caps = [
  { id: "secrets_management", name: "Secrets management" },
  { id: "cicd_controls", name: "CI/CD controls" },
];
const roles = [
  { id: "developer", name: "Developer" },
  { id: "security", name: "Security engineer" },
];

describe("dates", () => {
  it("formats local calendar dates", () => {
    expect(isoDate(new Date(2026, 0, 5))).toBe("2026-01-05");
    expect(isoDate(new Date(2026, 11, 31, 23, 59))).toBe("2026-12-31");
  });
  it("adds calendar days across months and years", () => {
    expect(isoDate(addDays(new Date(2026, 11, 15), 30))).toBe("2027-01-14");
    expect(isoDate(addDays(new Date(2028, 1, 28), 1))).toBe("2028-02-29");
    expect(isoDate(addDays(new Date(2026, 2, 28, 23, 30), 1))).toBe("2026-03-29");
  });
});

describe("blankItem", () => {
  it("is open, due in 30 days, about the first capability and owned by the first role", () => {
    expect(blankItem(new Date(2026, 10, 23, 22, 41), caps, roles)).toEqual({
      issue: "",
      corrective_action: "",
      capability: "secrets_management",
      owner: "developer",
      due: "2026-12-23",
      status: "open",
      carried_from: null,
    });
  });
  it("copes with an empty model", () => {
    const b = blankItem(new Date(2026, 0, 1), [], []);
    expect(b.capability).toBe("");
    expect(b.owner).toBe("");
  });
});

describe("rows", () => {
  it("copies items, keys them and trims on the way out", () => {
    const source = [item(), item({ issue: "  two  ", corrective_action: " fix\n" })];
    const rows = toRows(source, 10);
    expect(rows.map((r) => r.key)).toEqual([10, 11]);
    const first = rows[0];
    if (!first) throw new Error("no row");
    first.item.status = "done";
    expect(source[0]?.status).toBe("open");
    const out = fromRows(rows);
    expect(out[1]).toEqual(item({ issue: "two", corrective_action: "fix" }));
    expect(out[0]?.status).toBe("done");
  });

  it("knows when there is something to save", () => {
    const saved = [item(), item({ owner: "developer", carried_from: "01abc" })];
    const rows = toRows(saved);
    expect(isDirty(rows, saved)).toBe(false);
    const second = rows[1];
    if (!second) throw new Error("no row");
    second.item.owner = "platform";
    expect(isDirty(rows, saved)).toBe(true);
    second.item.owner = "developer";
    // Whitespace alone is not a change: it is trimmed before saving.
    second.item.issue += "   ";
    expect(isDirty(rows, saved)).toBe(false);
    expect(isDirty(rows.slice(1), saved)).toBe(true);
    expect(isDirty([...rows, { key: 9, item: item() }], saved)).toBe(true);
  });
});

describe("optionsFor", () => {
  it("keeps an unknown current value selectable", () => {
    expect(optionsFor(roles, "security")).toEqual(roles);
    expect(optionsFor(roles, "")).toEqual(roles);
    expect(optionsFor(roles, "janitor")).toEqual([...roles, { id: "janitor", name: "janitor (not in the model)" }]);
  });
});

describe("planSummary", () => {
  it("counts items, done and carried over", () => {
    expect(planSummary([])).toBe("0 items \u00b7 0 done");
    expect(planSummary([item()])).toBe("1 item \u00b7 0 done");
    expect(planSummary([item({ status: "done" }), item({ carried_from: "x" }), item()])).toBe(
      "3 items \u00b7 1 done \u00b7 1 carried over",
    );
  });
});

describe("itemOfMessage", () => {
  it("finds the item a server message names", () => {
    expect(itemOfMessage("item 2: the due date `x` is not a date like 2026-12-31")).toBe(2);
    expect(itemOfMessage("Item 14: unknown role `janitor`")).toBe(14);
    expect(itemOfMessage("the plan is too long")).toBe(null);
    expect(itemOfMessage("item 0: nothing")).toBe(null);
    expect(itemOfMessage("items 3: no")).toBe(null);
  });
});
