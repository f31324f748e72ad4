import { describe, expect, it } from "vitest";
import { ApiFailure, api, reportUrl, request, trendsUrl } from "./api";

const respond =
  (status: number, body: string, contentType = "application/json"): typeof fetch =>
  async () =>
    new Response(body, { status, headers: { "Content-Type": contentType } });

describe("request", () => {
  it("returns the parsed body", async () => {
    const h = await api.health(respond(200, '{"protocol":1,"version":"0.1.0"}'));
    expect(h).toEqual({ protocol: 1, version: "0.1.0" });
  });

  it("passes ApiError bodies through, with the check result", async () => {
    const body = {
      error: "invalid",
      message: "bad file",
      check: { file: "x.ron", status: "error", counts: {}, diagnostics: [] },
    };
    const err = await api
      .importScenario({ name: "x.ron", text: "" }, respond(422, JSON.stringify(body)))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiFailure);
    const f = err as ApiFailure;
    expect(f.status).toBe(422);
    expect(f.body.error).toBe("invalid");
    expect(f.body.check?.file).toBe("x.ron");
  });

  it("makes an ApiError of a non-JSON error", async () => {
    const err = (await request("/x", {}, respond(413, "Payload Too Large", "text/plain")).catch(
      (e: unknown) => e,
    )) as ApiFailure;
    expect(err.status).toBe(413);
    expect(err.body).toEqual({ error: "too-large", message: "The file is too large to import.", check: null });
  });

  it("says when the server is unreachable", async () => {
    const down: typeof fetch = async () => {
      throw new TypeError("Failed to fetch");
    };
    const err = (await api.library(down).catch((e: unknown) => e)) as ApiFailure;
    expect(err.unreachable).toBe(true);
    expect(err.body.error).toBe("unreachable");
  });

  it("encodes scenario keys and posts JSON", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const spy: typeof fetch = async (url, init) => {
      seen.push({ url: String(url), init });
      return new Response("{}", { status: 200 });
    };
    await api.scenario("a/b", spy);
    await api.check({ name: "n.ron", text: "t" }, spy);
    expect(seen[0]?.url).toBe("/api/scenarios/a%2Fb");
    expect(seen[1]?.url).toBe("/api/scenarios/check");
    expect(seen[1]?.init?.method).toBe("POST");
    expect(seen[1]?.init?.body).toBe('{"name":"n.ron","text":"t"}');
  });
});

describe("drill calls", () => {
  it("puts the plan and posts exports as JSON, with encoded ids", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const spy: typeof fetch = async (url, init) => {
      seen.push({ url: String(url), init });
      return new Response("{}", { status: 200 });
    };
    const item = {
      issue: "i",
      corrective_action: "c",
      capability: "cap",
      owner: "dev",
      due: "2026-12-31",
      status: "open" as const,
      carried_from: null,
    };
    await api.drills(spy);
    await api.plan("a/b", spy);
    await api.savePlan("d1", [item], spy);
    await api.exportReport("d1", "md", spy);
    expect(seen.map((s) => s.url)).toEqual([
      "/api/drills",
      "/api/drills/a%2Fb/plan",
      "/api/drills/d1/plan",
      "/api/drills/d1/export",
    ]);
    expect(seen[2]?.init?.method).toBe("PUT");
    expect(JSON.parse(String(seen[2]?.init?.body))).toEqual({ items: [item] });
    expect(seen[3]?.init?.method).toBe("POST");
    expect(seen[3]?.init?.body).toBe('{"format":"md"}');
  });

  it("passes a 422 plan message through", async () => {
    const body = { error: "invalid", message: "item 2: the due date `x` is not a date like 2026-12-31" };
    const err = (await api.savePlan("d1", [], respond(422, JSON.stringify(body))).catch((e: unknown) => e)) as ApiFailure;
    expect(err.status).toBe(422);
    expect(err.message).toBe(body.message);
  });
});

describe("report and trends URLs", () => {
  it("builds fixed-prefix URLs", () => {
    expect(reportUrl("01m8", "html")).toBe("/api/drills/01m8/report/html");
    expect(reportUrl("01m8", "csv", true)).toBe("/api/drills/01m8/report/csv?download=1");
    expect(reportUrl("../x?y", "md")).toBe("/api/drills/..%2Fx%3Fy/report/md");
    expect(trendsUrl("leaked-secret", "mixed")).toBe("/api/trends?scenario=leaked-secret&team=mixed&format=html");
    expect(trendsUrl("a&b", null)).toBe("/api/trends?scenario=a%26b&format=html");
  });
});
