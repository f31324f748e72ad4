// Project rules that a type checker cannot see.
import { describe, expect, it } from "vitest";

const sources = import.meta.glob(["../**/*.svelte", "../**/*.ts", "!../**/*.test.ts", "!../gen/**"], {
  query: "?raw",
  import: "default",
  eager: true,
}) as Record<string, string>;

const html = import.meta.glob("../../index.html", { query: "?raw", import: "default", eager: true }) as Record<
  string,
  string
>;

describe("tidy", () => {
  it("finds the sources", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it("never renders raw HTML", () => {
    const banned = "{" + "@html";
    const offenders = Object.entries(sources)
      .filter(([, text]) => text.includes(banned))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it("never writes markup from strings", () => {
    // Spelled in pieces so that this file does not trip the repository's own tidy test.
    const patterns = ["inner", "outer"].map((w) => new RegExp(`\\.${w}HTML\\s*=`));
    patterns.push(/insertAdjacent(?=HTML)/, /document\.write/);
    const offenders = Object.entries(sources)
      .filter(([, text]) => patterns.some((p) => p.test(text)))
      .map(([file]) => file);
    expect(offenders).toEqual([]);
  });

  it("builds every link target from a fixed prefix", () => {
    // href={…} must come from the route helpers, never straight from data.
    const offenders: string[] = [];
    for (const [file, text] of Object.entries(sources)) {
      for (const m of text.matchAll(/\b(?:href|src)=\{([^}]*)\}/g)) {
        const expr = (m[1] ?? "").trim();
        if (!/^(scenarioHref\(|libraryHref$|modelHref$|link\.href$|drillsHref$|drillHref\(|trendsHref\(|runHref\(|liveHref\(|reportUrl\(|trendsUrl\()/.test(expr))
          offenders.push(`${file}: ${m[0]}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it("loads nothing from elsewhere and has no inline script or style", () => {
    const page = Object.values(html)[0] ?? "";
    expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(page).not.toMatch(/<style|\sstyle=/);
    for (const text of [page, ...Object.values(sources)]) {
      expect(text).not.toMatch(/https?:\/\/(?!127\.0\.0\.1|www\.w3\.org)/);
    }
  });
});
