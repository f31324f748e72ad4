import { describe, expect, it } from "vitest";
import { parseInline, parseMarkdown, type Inline } from "./markdown";

const flat = (xs: Inline[]): string[] => xs.map((x) => `${x.kind}:${x.pieces.map((p) => p.text).join("")}`);

describe("parseInline", () => {
  it("reads strong, emphasis and code", () => {
    expect(flat(parseInline("a **b** *c* `d` __e__"))).toEqual([
      "text:a ",
      "strong:b",
      "text: ",
      "em:c",
      "text: ",
      "code:d",
      "text: ",
      "strong:e",
    ]);
  });
  it("keeps snake_case, arithmetic and lone stars as text", () => {
    expect(flat(parseInline("deploy_admin_role 2 * 3 * 4"))).toEqual(["text:deploy_admin_role 2 * 3 * 4"]);
  });
  it("marks variables inside every run", () => {
    const runs = parseInline("**{{org}}/{{repo}}** `{{key}}`");
    expect(runs[0]?.pieces).toEqual([
      { text: "{{org}}", variable: true },
      { text: "/", variable: false },
      { text: "{{repo}}", variable: true },
    ]);
    expect(runs[2]?.kind).toBe("code");
    expect(runs[2]?.pieces[0]?.variable).toBe(true);
  });
  it("shows links as text with their address, never as links", () => {
    expect(flat(parseInline("see [the advisory](example.test/a) now"))).toEqual([
      "text:see the advisory (example.test/a) now",
    ]);
    const hostile = parseInline("[click](javascript:alert(1))");
    expect(hostile.every((r) => r.kind === "text")).toBe(true);
    expect(flat(hostile).join("")).toContain("click (javascript:alert(1");
  });
  it("leaves markup as text", () => {
    expect(flat(parseInline("<img src=x onerror=alert(1)>"))).toEqual(["text:<img src=x onerror=alert(1)>"]);
  });
});

describe("parseMarkdown", () => {
  it("splits blocks and keeps line breaks in paragraphs", () => {
    const blocks = parseMarkdown("# Title\n\nline one\nline two\n\n- a\n- b\n  more\n\n1. x\n2. y\n\n> quoted\n\n```\ncode **raw**\n```\nafter");
    expect(blocks.map((b) => b.kind)).toEqual(["heading", "p", "ul", "ol", "quote", "pre", "p"]);
    const p = blocks[1];
    expect(p?.kind === "p" && flat(p.inline)).toEqual(["text:line one\nline two"]);
    const ul = blocks[2];
    expect(ul?.kind === "ul" && ul.items.map(flat)).toEqual([["text:a"], ["text:b\nmore"]]);
    const pre = blocks[5];
    expect(pre).toEqual({ kind: "pre", text: "code **raw**" });
  });
  it("handles an empty body and an unclosed fence", () => {
    expect(parseMarkdown("")).toEqual([]);
    expect(parseMarkdown("```\nlog line")).toEqual([{ kind: "pre", text: "log line" }]);
  });
});
