import { describe, expect, it } from "vitest";
import { drillHref, drillsHref, liveHref, parseHash, runHref, scenarioHref, trendsHref } from "./route";

describe("parseHash", () => {
  it("knows the three screens", () => {
    expect(parseHash("")).toEqual({ name: "library" });
    expect(parseHash("#/")).toEqual({ name: "library" });
    expect(parseHash("#/model")).toEqual({ name: "model" });
    expect(parseHash("#/scenario/leaked-secret")).toEqual({ name: "scenario", key: "leaked-secret" });
  });
  it("decodes keys and rejects the rest", () => {
    expect(parseHash("#/scenario/a%20b")).toEqual({ name: "scenario", key: "a b" });
    expect(parseHash("#/scenario/%E0%A4%A")).toEqual({ name: "not-found", path: "/scenario/%E0%A4%A" });
    expect(parseHash("#/nope")).toEqual({ name: "not-found", path: "/nope" });
  });
});

describe("scenarioHref", () => {
  it("keeps file-derived keys inside the fragment", () => {
    expect(scenarioHref("leaked-secret")).toBe("#/scenario/leaked-secret");
    expect(scenarioHref("javascript:alert(1)")).toBe("#/scenario/javascript%3Aalert(1)");
    expect(scenarioHref("../x/y")).toBe("#/scenario/..%2Fx%2Fy");
    expect(parseHash(scenarioHref("a/b c"))).toEqual({ name: "scenario", key: "a/b c" });
  });
});

describe("drill routes", () => {
  it("parses the drill history, a drill and trends", () => {
    expect(parseHash("#/drills")).toEqual({ name: "drills" });
    expect(parseHash("#/drills/")).toEqual({ name: "drills" });
    expect(parseHash("#/drills/01m8594ms400")).toEqual({ name: "drill", id: "01m8594ms400" });
    expect(parseHash("#/trends/leaked-secret")).toEqual({ name: "trends", scenario: "leaked-secret", team: null });
    expect(parseHash("#/trends/leaked-secret/red%20team")).toEqual({
      name: "trends",
      scenario: "leaked-secret",
      team: "red team",
    });
    expect(parseHash("#/drills/a/b")).toEqual({ name: "not-found", path: "/drills/a/b" });
    expect(parseHash("#/trends/ok/%E0%A4%A")).toEqual({ name: "not-found", path: "/trends/ok/%E0%A4%A" });
  });

  it("round-trips the links and keeps data inside the fragment", () => {
    expect(drillsHref).toBe("#/drills");
    expect(drillHref("01m8594ms400")).toBe("#/drills/01m8594ms400");
    expect(drillHref("javascript:x/y")).toBe("#/drills/javascript%3Ax%2Fy");
    expect(parseHash(drillHref("a/b"))).toEqual({ name: "drill", id: "a/b" });
    expect(trendsHref("leaked-secret", null)).toBe("#/trends/leaked-secret");
    expect(trendsHref("leaked-secret", "")).toBe("#/trends/leaked-secret");
    expect(trendsHref("s", "team/1")).toBe("#/trends/s/team%2F1");
    expect(parseHash(trendsHref("s x", "a/b"))).toEqual({ name: "trends", scenario: "s x", team: "a/b" });
  });

  it("parses the live drill routes, with a facilitator's key only in its exact shape", () => {
    const key = "ab".repeat(32);
    expect(parseHash(runHref("leaked-secret"))).toEqual({ name: "run", key: "leaked-secret" });
    expect(parseHash(liveHref("01m8a"))).toEqual({ name: "live", drill: "01m8a", key: null });
    expect(parseHash(`#/live/01m8a?key=${key}`)).toEqual({ name: "live", drill: "01m8a", key });
    expect(parseHash("#/live/01m8a?key=nothex")).toEqual({ name: "not-found", path: "/live/01m8a?key=nothex" });
    expect(liveHref("a/b")).toBe("#/live/a%2Fb");
  });
});
