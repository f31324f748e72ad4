import { describe, expect, it } from "vitest";
import { diffLines, splitVariables } from "./text";

describe("splitVariables", () => {
  it("finds placeholders", () => {
    expect(splitVariables("Token {{token}} in {{ repo }}.")).toEqual([
      { text: "Token ", variable: false },
      { text: "{{token}}", variable: true },
      { text: " in ", variable: false },
      { text: "{{ repo }}", variable: true },
      { text: ".", variable: false },
    ]);
  });
  it("leaves other braces and markup as text", () => {
    expect(splitVariables("<b>{x}</b>")).toEqual([{ text: "<b>{x}</b>", variable: false }]);
    expect(splitVariables("")).toEqual([]);
  });
});

describe("diffLines", () => {
  it("classifies lines", () => {
    expect(diffLines("--- a\n+++ b\n@@ -1 +1 @@\n-old\n+new\n same").map((l) => l.kind)).toEqual([
      "context",
      "context",
      "hunk",
      "del",
      "add",
      "context",
    ]);
  });
});
