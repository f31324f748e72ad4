// Hash routes: `#/`, `#/scenario/<key>`, `#/model`, `#/drills`, `#/drills/<id>`, `#/trends/<scenario>[/<team>]`,
// `#/run/<key>` (drill setup), `#/live/<drill>` (control room). Participants use the `/join` page instead.
// Pure; the reactive wrapper is router.svelte.ts.

export type Route =
  | { name: "library" }
  | { name: "scenario"; key: string }
  | { name: "model" }
  | { name: "drills" }
  | { name: "drill"; id: string }
  | { name: "trends"; scenario: string; team: string | null }
  | { name: "run"; key: string }
  | { name: "live"; drill: string; key: string | null }
  | { name: "not-found"; path: string };

function decode(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  if (path === "/" || path === "") return { name: "library" };
  if (path === "/model" || path === "/model/") return { name: "model" };
  if (path === "/drills" || path === "/drills/") return { name: "drills" };
  const m = /^\/scenario\/([^/]+)\/?$/.exec(path);
  if (m?.[1]) {
    const key = decode(m[1]);
    return key === null ? { name: "not-found", path } : { name: "scenario", key };
  }
  const d = /^\/drills\/([^/]+)\/?$/.exec(path);
  if (d?.[1]) {
    const id = decode(d[1]);
    return id === null ? { name: "not-found", path } : { name: "drill", id };
  }
  const r = /^\/run\/([^/]+)\/?$/.exec(path);
  if (r?.[1]) {
    const key = decode(r[1]);
    return key === null ? { name: "not-found", path } : { name: "run", key };
  }
  // `?key=` carries a facilitator's token from `muster live create` (after `#`: never sent to a server).
  const l = /^\/live\/([^/?]+)\/?(?:\?key=([0-9a-f]{64}))?$/.exec(path);
  if (l?.[1]) {
    const drill = decode(l[1]);
    return drill === null ? { name: "not-found", path } : { name: "live", drill, key: l[2] ?? null };
  }
  const t = /^\/trends\/([^/]+)(?:\/([^/]+))?\/?$/.exec(path);
  if (t?.[1]) {
    const scenario = decode(t[1]);
    const team = t[2] === undefined ? null : decode(t[2]);
    if (scenario === null || (t[2] !== undefined && team === null)) return { name: "not-found", path };
    return { name: "trends", scenario, team };
  }
  return { name: "not-found", path };
}

/**
 * The link to a scenario page. The key comes from a file, so it is always percent-encoded
 * behind a fixed `#/scenario/` prefix: it can never become a scheme or another path.
 */
export function scenarioHref(key: string): string {
  return `#/scenario/${encodeURIComponent(key)}`;
}

export const libraryHref = "#/";
export const modelHref = "#/model";
export const drillsHref = "#/drills";

/** The link to a drill's report page; the id is percent-encoded behind a fixed prefix. */
export function drillHref(id: string): string {
  return `#/drills/${encodeURIComponent(id)}`;
}

/** The link to the trends of a scenario, for one team or all of them. */
export function trendsHref(scenario: string, team: string | null): string {
  const s = `#/trends/${encodeURIComponent(scenario)}`;
  return team === null || team === "" ? s : `${s}/${encodeURIComponent(team)}`;
}

/** The drill setup page of a scenario. */
export function runHref(key: string): string {
  return `#/run/${encodeURIComponent(key)}`;
}

/** The control room of a live drill. */
export function liveHref(drill: string): string {
  return `#/live/${encodeURIComponent(drill)}`;
}
