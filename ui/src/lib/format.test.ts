import { describe, expect, it } from "vitest";
import type { DiagnosticView } from "../gen/DiagnosticView";
import {
  capitalise,
  drillState,
  wallTime,
  codeSpans,
  sentence,
  channelWord,
  describeTrigger,
  difficulty,
  duration,
  markLine,
  plural,
  position,
  problemCount,
  raciLetters,
  raciWords,
  scenarioTime,
  sortDiagnostics,
  statusWord,
} from "./format";

const diag = (over: Partial<DiagnosticView>): DiagnosticView => ({
  severity: "error",
  code: "unknown-role",
  message: "m",
  line: 3,
  column: 5,
  end_line: 3,
  end_column: 9,
  hint: null,
  excerpt: [],
  ...over,
});

describe("scenarioTime", () => {
  it("pads hours, minutes and seconds", () => {
    expect(scenarioTime(0)).toBe("T+00:00:00");
    expect(scenarioTime(750_000)).toBe("T+00:12:30");
    expect(scenarioTime(5_400_000)).toBe("T+01:30:00");
    expect(scenarioTime(36_000_000 + 61_999)).toBe("T+10:01:01");
  });
  it("never goes negative", () => {
    expect(scenarioTime(-5)).toBe("T+00:00:00");
  });
});

describe("duration", () => {
  it("uses minutes, seconds when needed", () => {
    expect(duration(5_400_000)).toBe("90 min");
    expect(duration(45_000)).toBe("45 s");
    expect(duration(90_000)).toBe("1 min 30 s");
  });
  it("is null when unknown", () => {
    expect(duration(0)).toBeNull();
  });
});

describe("describeTrigger", () => {
  it("shows timed injects as scenario time", () => {
    expect(describeTrigger({ type: "at", at_ms: 300_000 })).toEqual({
      conditional: false,
      label: "Timed",
      text: "T+00:05:00",
    });
  });
  it("words escalations", () => {
    const t = describeTrigger({ type: "not_done_by", action: "a", label: "Deactivate the key", at_ms: 1_200_000 });
    expect(t.conditional).toBe(true);
    expect(t.label).toBe("Escalation");
    expect(t.text).toBe("If \u2018Deactivate the key\u2019 not done by T+00:20:00");
  });
  it("words follow-ups with and without delay", () => {
    expect(describeTrigger({ type: "after_inject", inject: "i", title: "Alert", delay_ms: 120_000 }).text).toBe(
      "2 min after \u2018Alert\u2019 fires",
    );
    expect(describeTrigger({ type: "after_inject", inject: "i", title: "Alert", delay_ms: 0 }).text).toBe(
      "When \u2018Alert\u2019 fires",
    );
    expect(describeTrigger({ type: "after_action", action: "a", label: "Revoke", delay_ms: 60_000 }).text).toBe(
      "1 min after \u2018Revoke\u2019 is done",
    );
    expect(describeTrigger({ type: "after_action", action: "a", label: "Revoke", delay_ms: 0 }).label).toBe(
      "Follows action",
    );
  });
  it("words cues", () => {
    expect(describeTrigger({ type: "cue" })).toEqual({
      conditional: true,
      label: "On cue",
      text: "On facilitator\u2019s cue",
    });
  });
});

describe("words", () => {
  it("difficulty", () => {
    expect(difficulty("Intermediate")).toEqual({ word: "Intermediate", level: 2 });
    expect(difficulty("advanced")).toEqual({ word: "Advanced", level: 3 });
    expect(difficulty(null)).toBeNull();
  });
  it("status, plural, problems", () => {
    expect(statusWord("ok")).toBe("Valid");
    expect(statusWord("error")).toBe("Errors");
    expect(plural(1, "inject")).toBe("1 inject");
    expect(plural(2, "inject")).toBe("2 injects");
    expect(problemCount(2, 1)).toBe("2 errors, 1 warning");
    expect(problemCount(0, 0)).toBe("no problems");
  });
  it("channels and identifiers", () => {
    expect(channelWord("pager")).toBe("Pager");
    expect(channelWord("Email")).toBe("Email");
    expect(channelWord("carrier_pigeon")).toBe("Carrier pigeon");
    expect(capitalise("separate_actors")).toBe("Separate actors");
  });
});

describe("raci", () => {
  it("orders letters and ignores noise", () => {
    expect(raciLetters("AR")).toEqual(["R", "A"]);
    expect(raciLetters("")).toEqual([]);
    expect(raciLetters("i")).toEqual(["I"]);
  });
  it("words cells", () => {
    expect(raciWords("RA")).toBe("Responsible and Accountable");
    expect(raciWords("RCI")).toBe("Responsible, Consulted and Informed");
    expect(raciWords("")).toBe("none");
  });
});

describe("markLine", () => {
  it("marks a span on one line", () => {
    expect(markLine(diag({}), 3, "    roles: [x]")).toEqual([
      { text: "    ", marked: false },
      { text: "role", marked: true },
      { text: "s: [x]", marked: false },
    ]);
  });
  it("leaves other lines alone", () => {
    expect(markLine(diag({}), 2, "abc")).toEqual([{ text: "abc", marked: false }]);
  });
  it("counts characters, not UTF-16 units", () => {
    const d = diag({ line: 1, column: 3, end_line: 1, end_column: 4 });
    expect(markLine(d, 1, "\u{1F600}\u2019x!")).toEqual([
      { text: "\u{1F600}\u2019", marked: false },
      { text: "x", marked: true },
      { text: "!", marked: false },
    ]);
  });
  it("marks across lines", () => {
    const d = diag({ line: 1, column: 3, end_line: 3, end_column: 2 });
    expect(markLine(d, 1, "abcd")).toEqual([
      { text: "ab", marked: false },
      { text: "cd", marked: true },
    ]);
    expect(markLine(d, 2, "xyz")).toEqual([{ text: "xyz", marked: true }]);
    expect(markLine(d, 3, "pqr")).toEqual([
      { text: "p", marked: true },
      { text: "qr", marked: false },
    ]);
  });
  it("always shows an empty span", () => {
    const d = diag({ line: 1, column: 2, end_line: 1, end_column: 2 });
    expect(markLine(d, 1, "abc")).toEqual([
      { text: "a", marked: false },
      { text: "b", marked: true },
      { text: "c", marked: false },
    ]);
    const end = diag({ line: 1, column: 4, end_line: 1, end_column: 4 });
    expect(markLine(end, 1, "abc")).toEqual([
      { text: "abc", marked: false },
      { text: " ", marked: true },
    ]);
  });
});

describe("diagnostics", () => {
  it("positions and sorts", () => {
    expect(position(diag({}))).toBe("3:5");
    const sorted = sortDiagnostics([
      diag({ severity: "warning", line: 1 }),
      diag({ line: 9 }),
      diag({ line: 2 }),
    ]);
    expect(sorted.map((d) => `${d.severity}@${d.line}`)).toEqual(["error@2", "error@9", "warning@1"]);
  });
});

describe("codeSpans", () => {
  it("finds backticked spans", () => {
    expect(codeSpans("unknown role `janitor` here")).toEqual([
      { text: "unknown role ", marked: false },
      { text: "janitor", marked: true },
      { text: " here", marked: false },
    ]);
    expect(codeSpans("no code")).toEqual([{ text: "no code", marked: false }]);
    expect(codeSpans("odd ` tick")).toEqual([{ text: "odd ` tick", marked: false }]);
  });
});

describe("sentence", () => {
  it("capitalises and ends with a full stop", () => {
    expect(sentence("the model has errors; the library page lists them")).toBe(
      "The model has errors; the library page lists them.",
    );
    expect(sentence("Done!")).toBe("Done!");
    expect(sentence("")).toBe("");
  });
});

describe("wallTime and drillState", () => {
  it("shows wall time in the local zone, minutes precision", () => {
    expect(wallTime(new Date(2026, 10, 23, 22, 41, 59).getTime())).toBe("2026-11-23 22:41");
    expect(wallTime(new Date(2027, 0, 2, 3, 4).getTime())).toBe("2027-01-02 03:04");
    expect(wallTime(Number.NaN)).toBe("—");
  });
  it("puts every state in words", () => {
    expect(drillState("ended")).toEqual({ word: "Ended", icon: "ok" });
    expect(drillState("not_started").word).toBe("Not started");
    expect(drillState("paused").word).toBe("Paused");
    expect(drillState("running").word).toBe("Running");
    expect(drillState("odd_state").word).toBe("Odd state");
  });
});
