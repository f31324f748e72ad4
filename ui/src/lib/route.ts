// Hash routes: `#/`, `#/scenario/<key>`, `#/model`. Pure; the reactive wrapper is router.svelte.ts.

export type Route =
  | { name: "library" }
  | { name: "scenario"; key: string }
  | { name: "model" }
  | { name: "not-found"; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, "") || "/";
  if (path === "/" || path === "") return { name: "library" };
  if (path === "/model" || path === "/model/") return { name: "model" };
  const m = /^\/scenario\/([^/]+)\/?$/.exec(path);
  if (m?.[1]) {
    try {
      return { name: "scenario", key: decodeURIComponent(m[1]) };
    } catch {
      return { name: "not-found", path };
    }
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
