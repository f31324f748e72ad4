import { describe, expect, it } from "vitest";
import { parseHash, scenarioHref } from "./route";

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
