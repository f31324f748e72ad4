// Typed access to the Muster HTTP API. Every failure becomes an `ApiFailure` carrying an `ApiError`.

import type { ApiError } from "../gen/ApiError";
import type { CheckResult } from "../gen/CheckResult";
import type { DrillList } from "../gen/DrillList";
import type { ExportResult } from "../gen/ExportResult";
import type { CreateLive } from "../gen/CreateLive";
import type { Health } from "../gen/Health";
import type { LiveCreated } from "../gen/LiveCreated";
import type { LiveServer } from "../gen/LiveServer";
import type { ImportResult } from "../gen/ImportResult";
import type { LibraryView } from "../gen/LibraryView";
import type { ModelView } from "../gen/ModelView";
import type { PlanItemView } from "../gen/PlanItemView";
import type { PlanUpdate } from "../gen/PlanUpdate";
import type { PlanView } from "../gen/PlanView";
import type { ScenarioDetail } from "../gen/ScenarioDetail";
import type { UploadRequest } from "../gen/UploadRequest";

/** A failed call: `status` is the HTTP status, or 0 when the server could not be reached. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly body: ApiError;

  constructor(status: number, body: ApiError) {
    super(body.message);
    this.name = "ApiFailure";
    this.status = status;
    this.body = body;
  }

  /** The server did not answer at all (stopped, restarted, network gone). */
  get unreachable(): boolean {
    return this.status === 0;
  }
}

/** Where the API lives: same origin by default. */
let base = "";

/** Point the client at another origin (e.g. `http://127.0.0.1:4817`), without a trailing slash. */
export function setApiBase(url: string): void {
  base = url.replace(/\/+$/, "");
}

type Fetch = typeof fetch;

function isApiError(v: unknown): v is ApiError {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { error?: unknown }).error === "string" &&
    typeof (v as { message?: unknown }).message === "string"
  );
}

const FALLBACK: Record<number, [string, string]> = {
  400: ["bad-request", "The server could not read the request."],
  404: ["not-found", "Nothing here: it may have been renamed or removed."],
  413: ["too-large", "The file is too large to import."],
  500: ["internal", "The server failed while answering. Its log says more."],
};

/** Turn a non-2xx response into an ApiError, whatever its body looks like. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let parsed: unknown = null;
  try {
    parsed = await res.json();
  } catch {
    // Not JSON (e.g. a proxy's or a body-limit page): fall back below.
  }
  if (isApiError(parsed)) {
    return { error: parsed.error, message: parsed.message, check: parsed.check ?? null };
  }
  const [error, message] = FALLBACK[res.status] ?? [
    `http-${res.status}`,
    `The server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ""}.`,
  ];
  return { error, message, check: null };
}

/** Call the API and return the parsed body of a 2xx answer. */
export async function request<T>(path: string, init: RequestInit = {}, f: Fetch = fetch): Promise<T> {
  let res: Response;
  try {
    res = await f(`${base}${path}`, {
      ...init,
      headers: { Accept: "application/json", ...(init.headers ?? {}) },
    });
  } catch {
    throw new ApiFailure(0, {
      error: "unreachable",
      message: "The Muster server is not answering. Is muster serve (or the desktop app) still running?",
      check: null,
    });
  }
  if (!res.ok) throw new ApiFailure(res.status, await errorFromResponse(res));
  try {
    return (await res.json()) as T;
  } catch {
    throw new ApiFailure(res.status, {
      error: "bad-response",
      message: "The server's answer was not valid JSON.",
      check: null,
    });
  }
}

function send<T>(method: "POST" | "PUT", path: string, body: unknown, f?: Fetch): Promise<T> {
  return request<T>(
    path,
    { method, headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) },
    f,
  );
}

function post<T>(path: string, body: UploadRequest, f?: Fetch): Promise<T> {
  return send<T>("POST", path, body, f);
}

/** The report formats the server renders. */
export type ReportFormat = "html" | "md" | "json" | "csv";

const drillPath = (id: string): string => `/api/drills/${encodeURIComponent(id)}`;

/**
 * Where a drill's report lives (for an iframe `src` or a download link). The id is percent-encoded
 * behind a fixed prefix and the format is one of four words, so data never picks the target.
 */
export function reportUrl(id: string, format: ReportFormat, download = false): string {
  return `${base}${drillPath(id)}/report/${format}${download ? "?download=1" : ""}`;
}

/** The trends page (HTML, for an iframe) of a scenario, for one team or all of them. */
export function trendsUrl(scenario: string, team: string | null): string {
  const q = new URLSearchParams({ scenario });
  if (team !== null && team !== "") q.set("team", team);
  q.set("format", "html");
  return `${base}/api/trends?${q.toString()}`;
}

export const api = {
  health: (f?: Fetch) => request<Health>("/api/health", {}, f),
  library: (f?: Fetch) => request<LibraryView>("/api/library", {}, f),
  scenario: (key: string, f?: Fetch) =>
    request<ScenarioDetail>(`/api/scenarios/${encodeURIComponent(key)}`, {}, f),
  model: (f?: Fetch) => request<ModelView>("/api/model", {}, f),
  check: (body: UploadRequest, f?: Fetch) => post<CheckResult>("/api/scenarios/check", body, f),
  importScenario: (body: UploadRequest, f?: Fetch) =>
    post<ImportResult>("/api/scenarios/import", body, f),
  drills: (f?: Fetch) => request<DrillList>("/api/drills", {}, f),
  plan: (id: string, f?: Fetch) => request<PlanView>(`${drillPath(id)}/plan`, {}, f),
  savePlan: (id: string, items: PlanItemView[], f?: Fetch) =>
    send<PlanView>("PUT", `${drillPath(id)}/plan`, { items } satisfies PlanUpdate, f),
  /** Live drills: where participants reach this server (facilitator's machine only). */
  liveServer: (f?: Fetch) => request<LiveServer>("/api/live", {}, f),
  createLive: (body: CreateLive, f?: Fetch) => send<LiveCreated>("POST", "/api/live", body, f),
  exportReport: (id: string, format: ReportFormat, f?: Fetch) =>
    send<ExportResult>("POST", `${drillPath(id)}/export`, { format }, f),
};
