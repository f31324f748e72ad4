import { describe, expect, it } from "vitest";
import { ApiFailure, api, request } from "./api";

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
