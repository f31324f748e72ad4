// The live-drill client: one WebSocket to `/api/live/ws`, speaking the protocol of docs/protocol.md.
// It keeps every event this person may see (by sequence number, so a catch-up after a reconnect never
// shows one twice), runs the clock between messages, answers requests by id, and reconnects on its own
// with what it holds (`since`), so the server sends exactly what was missed. No Svelte here: the
// reactive wrapper is live.svelte.ts, and the unit tests drive this with a fake socket.

import type { ActionRef } from "../gen/ActionRef";
import type { ClientMessage } from "../gen/ClientMessage";
import type { ClockView } from "../gen/ClockView";
import type { Command } from "../gen/Command";
import type { Credential } from "../gen/Credential";
import type { DrillHeader } from "../gen/DrillHeader";
import type { Event } from "../gen/Event";
import type { EventDetail } from "../gen/EventDetail";
import type { LobbyEntry } from "../gen/LobbyEntry";
import type { RoleId } from "../gen/RoleId";
import type { ServerMessage } from "../gen/ServerMessage";
import type { StatusView } from "../gen/StatusView";
import type { You } from "../gen/You";

/** The protocol version this client speaks (`LIVE_PROTOCOL_VERSION`). */
export const LIVE_PROTOCOL_VERSION = 1;

/** Reconnect delays, in milliseconds: quick at first, then every few seconds, for as long as it takes. */
export const RECONNECT_DELAYS_MS = [300, 1000, 2000, 4000, 5000] as const;

/** How long a request waits for its answer before it is reported as lost, in milliseconds. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Close codes after which reconnecting cannot help: the person must act (or nothing can be done). */
const FINAL_CODES = new Set(["taken-over", "removed", "denied", "bad-token", "wrong-protocol", "bad-name", "lobby-full"]);

/** One event as received, with the scenario's words for it. */
export interface Received {
  event: Event;
  detail: EventDetail | null;
}

/** Where the connection stands. */
export type LinkState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "reconnecting"; attempt: number; inMs: number }
  | { kind: "closed"; code: string; message: string };

/** The answer to a request: done (with the first event's sequence number), or refused with a reason. */
export type Answer = { ok: true; seq: number | null; retry: boolean } | { ok: false; code: string; message: string };

/** The clock as last heard, with the local time it was heard at. */
export interface ClockAnchor {
  clock: ClockView;
  /** `performance.now()`-like local milliseconds when the anchor was taken. */
  at: number;
}

/** What a socket must offer (the browser's WebSocket has it; tests pass a fake). */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface LiveOptions {
  /** The WebSocket address, e.g. `ws://127.0.0.1:4817/api/live/ws`. */
  url: string;
  credential: Credential;
  /** Opens a socket (default: the browser's WebSocket). */
  open?: (url: string) => SocketLike;
  /** Local monotonic milliseconds (default: performance.now). */
  now?: () => number;
  /** Timers (default: the window's). */
  setTimer?: (f: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
  /** Called after every change, for the reactive wrapper. */
  onchange?: () => void;
  /** Called when the server hands a lobby connection its participant token: keep it to come back. */
  ontoken?: (token: string) => void;
}

/** The WebSocket address of this page's server. */
export function socketUrl(loc: Pick<Location, "protocol" | "host">): string {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}/api/live/ws`;
}

/** A request id: unique on this device, and usable as an action's client id (a retry reuses it). */
export function newId(prefix = "r"): string {
  const bytes = new Uint8Array(9);
  crypto.getRandomValues(bytes);
  return `${prefix}-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Scenario time now, from an anchor: it runs at the drill's speed while the drill runs. */
export function scenarioNow(anchor: ClockAnchor | null, now: number): number {
  if (!anchor) return 0;
  const { clock } = anchor;
  if (clock.state !== "Running") return clock.scenario_ms;
  return clock.scenario_ms + Math.max(0, now - anchor.at) * (clock.speed / 1000);
}

interface Pending {
  msg: ClientMessage;
  resolve: (a: Answer) => void;
  timer: unknown;
  /** Resent after a reconnect (actions: the server recognises the retry by its client id). */
  resend: boolean;
}

export class LiveClient {
  header: DrillHeader | null = null;
  you: You | null = null;
  anchor: ClockAnchor | null = null;
  link: LinkState = { kind: "connecting" };
  /** Every event received, in sequence order. */
  events: Received[] = [];
  lastSeq = 0;
  /** Facilitator: the control room's view, as last asked. */
  status: StatusView | null = null;
  /** Facilitator: who waits in the lobby. */
  lobby: LobbyEntry[] = [];
  /** Set when the drill stopped on the server (a failed write, a shutdown). */
  stopped: string | null = null;
  /** Local time of the last message from the server (for "last heard"). */
  lastHeard = 0;

  private credential: Credential;
  private socket: SocketLike | null = null;
  private seqs = new Set<number>();
  private pending = new Map<string, Pending>();
  private attempt = 0;
  private retryTimer: unknown = null;
  private liveFrom = Number.POSITIVE_INFINITY;
  private ended = false;
  private readonly opts: Required<Omit<LiveOptions, "onchange" | "ontoken" | "credential">> &
    Pick<LiveOptions, "onchange" | "ontoken">;

  constructor(options: LiveOptions) {
    this.credential = options.credential;
    this.opts = {
      url: options.url,
      open: options.open ?? ((url) => new WebSocket(url) as unknown as SocketLike),
      now: options.now ?? (() => performance.now()),
      setTimer: options.setTimer ?? ((f, ms) => setTimeout(f, ms)),
      clearTimer: options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>)),
      onchange: options.onchange,
      ontoken: options.ontoken,
    };
    this.connect();
  }

  /** Scenario time now. */
  scenarioMs(): number {
    return scenarioNow(this.anchor, this.opts.now());
  }

  /** Closes for good (leaving the page). */
  close(): void {
    this.ended = true;
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer);
    this.socket?.close(1000, "bye");
    this.socket = null;
    for (const [, p] of this.pending) {
      this.opts.clearTimer(p.timer);
      p.resolve({ ok: false, code: "closed", message: "The page closed the connection." });
    }
    this.pending.clear();
  }

  /** Reconnects now (after a final close, e.g. to take a seat back from another device). */
  reconnect(): void {
    this.ended = false;
    this.attempt = 0;
    if (this.retryTimer !== null) this.opts.clearTimer(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  /** Acts as one of one's roles. The client id makes a retry harmless: the server logs it once. */
  act(role: RoleId, action: ActionRef): Promise<Answer> {
    const id = newId("act");
    return this.request({ type: "act", id, role, action }, true);
  }

  /** Facilitator: a command to the drill. */
  command(command: Command): Promise<Answer> {
    return this.request({ type: "command", id: newId(), command }, false);
  }

  /** Facilitator: asks for the control room's view; `status` holds it when answered. */
  refreshStatus(): Promise<Answer> {
    return this.request({ type: "status", id: newId("st") }, false);
  }

  admit(lobby: string, roles: RoleId[]): Promise<Answer> {
    return this.request({ type: "admit", id: newId(), lobby, roles }, false);
  }

  deny(lobby: string): Promise<Answer> {
    return this.request({ type: "deny", id: newId(), lobby }, false);
  }

  remove(participant: string): Promise<Answer> {
    return this.request({ type: "remove", id: newId(), participant }, false);
  }

  private request(msg: ClientMessage, resend: boolean): Promise<Answer> {
    return new Promise((resolve) => {
      const timer = this.opts.setTimer(() => {
        if (this.pending.delete(msg.id)) {
          resolve({
            ok: false,
            code: "no-answer",
            message: "No answer from the server in time; check the connection and try again.",
          });
          this.changed();
        }
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(msg.id, { msg, resolve, timer, resend });
      if (this.link.kind === "open") this.send(msg);
      else if (!resend) {
        // Steering commands are not queued blind: the facilitator decides again once back online.
        this.pending.delete(msg.id);
        this.opts.clearTimer(timer);
        resolve({ ok: false, code: "offline", message: "Not connected: wait for the connection to come back." });
      }
    });
  }

  private send(msg: unknown): void {
    try {
      this.socket?.send(JSON.stringify(msg));
    } catch {
      // The close handler reconnects; a pending action is resent then.
    }
  }

  private connect(): void {
    if (this.ended) return;
    this.link = this.attempt === 0 ? { kind: "connecting" } : this.link;
    let socket: SocketLike;
    try {
      socket = this.opts.open(this.opts.url);
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.send({ protocol: LIVE_PROTOCOL_VERSION, credential: this.credential, since: this.lastSeq });
    };
    socket.onmessage = (ev) => {
      if (typeof ev.data !== "string") return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(ev.data) as ServerMessage;
      } catch {
        return;
      }
      this.lastHeard = this.opts.now();
      this.receive(msg);
      this.changed();
    };
    socket.onerror = () => {
      // The close that follows decides what to do.
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.ended) return;
      if (this.link.kind === "closed") {
        this.changed();
        return;
      }
      // 1008/4xxx with a reason we know are final; everything else is worth another try.
      const reason = ev.reason || "";
      if (FINAL_CODES.has(reason)) {
        this.finalClose(reason, closeMessage(reason));
        return;
      }
      this.retry();
    };
  }

  private retry(): void {
    if (this.ended) return;
    const inMs = RECONNECT_DELAYS_MS[Math.min(this.attempt, RECONNECT_DELAYS_MS.length - 1)] ?? 5000;
    this.attempt += 1;
    this.link = { kind: "reconnecting", attempt: this.attempt, inMs };
    this.retryTimer = this.opts.setTimer(() => {
      this.retryTimer = null;
      this.connect();
    }, inMs);
    this.changed();
  }

  private finalClose(code: string, message: string): void {
    this.link = { kind: "closed", code, message };
    this.ended = true;
    for (const [, p] of this.pending) {
      this.opts.clearTimer(p.timer);
      p.resolve({ ok: false, code, message });
    }
    this.pending.clear();
    this.socket?.close(1000, code);
    this.socket = null;
    this.changed();
  }

  private receive(msg: ServerMessage): void {
    switch (msg.type) {
      case "welcome": {
        this.header = msg.drill;
        this.you = msg.you;
        this.anchor = { clock: msg.clock, at: this.opts.now() };
        this.liveFrom = msg.last_seq;
        this.link = { kind: "open" };
        this.attempt = 0;
        this.stopped = null;
        // What was in flight when the link dropped: actions go again (answered once), the rest is refused.
        for (const [id, p] of this.pending) {
          if (p.resend) this.send(p.msg);
          else {
            this.opts.clearTimer(p.timer);
            this.pending.delete(id);
            p.resolve({ ok: false, code: "offline", message: "The connection dropped before an answer; try again." });
          }
        }
        break;
      }
      case "event":
        this.addEvent(msg.event, msg.detail ?? null);
        break;
      case "ack":
        this.answer(msg.id, { ok: true, seq: msg.seq, retry: msg.retry });
        break;
      case "rejected":
        this.answer(msg.id, { ok: false, code: msg.code, message: msg.message });
        break;
      case "status":
        this.status = msg.status;
        this.lobby = msg.status.lobby;
        this.anchor = { clock: msg.status.clock, at: this.opts.now() };
        this.answer(msg.id, { ok: true, seq: null, retry: false });
        break;
      case "lobby":
        this.lobby = msg.waiting;
        break;
      case "admitted":
        this.you = msg.you;
        this.credential = { kind: "token", token: msg.token, name: null };
        this.opts.ontoken?.(msg.token);
        break;
      case "stopped":
        this.stopped = msg.message;
        break;
      case "closed":
        if (FINAL_CODES.has(msg.code)) this.finalClose(msg.code, msg.message);
        else this.link = { kind: "reconnecting", attempt: this.attempt, inMs: 0 };
        if (msg.code === "stopped") this.stopped = msg.message;
        break;
    }
  }

  private answer(id: string, a: Answer): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.opts.clearTimer(p.timer);
    p.resolve(a);
  }

  private addEvent(event: Event, detail: EventDetail | null): void {
    if (this.seqs.has(event.seq)) return;
    this.seqs.add(event.seq);
    const item = { event, detail };
    const last = this.events[this.events.length - 1];
    if (!last || last.event.seq < event.seq) this.events.push(item);
    else {
      // A backfill (a role given mid-drill shows its past): keep sequence order.
      const at = this.events.findIndex((e) => e.event.seq > event.seq);
      this.events.splice(at, 0, item);
    }
    this.lastSeq = Math.max(this.lastSeq, event.seq);
    if (event.seq > this.liveFrom) this.moveClock(event);
    if (this.you?.kind === "participant") this.followRoles(event);
  }

  /** A live lifecycle event moves the clock (events caught up on do not: the welcome's clock is newer). */
  private moveClock(event: Event): void {
    const now = this.opts.now();
    const base = this.anchor?.clock ?? { state: "NotStarted", scenario_ms: 0, speed: 1000 };
    const k = event.kind;
    let clock: ClockView | null = null;
    if (k === "Began" || k === "Resumed") clock = { ...base, state: "Running", scenario_ms: event.at };
    else if (k === "Paused") clock = { ...base, state: "Paused", scenario_ms: event.at };
    else if (typeof k === "object" && "Started" in k) clock = { ...base, state: "Running", scenario_ms: event.at };
    else if (typeof k === "object" && "SpeedChanged" in k)
      clock = { ...base, speed: k.SpeedChanged, scenario_ms: scenarioNow(this.anchor, now) };
    else if (typeof k === "object" && "Seeked" in k) clock = { ...base, scenario_ms: k.Seeked.to };
    else if (typeof k === "object" && "Ended" in k) clock = { ...base, state: "Ended", scenario_ms: event.at };
    if (clock) this.anchor = { clock, at: now };
  }

  /** Keeps a participant's roles current as the facilitator assigns and unassigns them. */
  private followRoles(event: Event): void {
    const you = this.you;
    if (you?.kind !== "participant" || typeof event.kind !== "object") return;
    if ("Assigned" in event.kind && event.kind.Assigned.participant === you.id) {
      const role = event.kind.Assigned.role;
      if (!you.roles.includes(role)) this.you = { ...you, roles: [...you.roles, role] };
    } else if ("Unassigned" in event.kind && event.kind.Unassigned.participant === you.id) {
      const role = event.kind.Unassigned.role;
      this.you = { ...you, roles: you.roles.filter((r) => r !== role) };
    }
  }

  private changed(): void {
    this.opts.onchange?.();
  }
}

/** Words for a close code. */
export function closeMessage(code: string): string {
  switch (code) {
    case "taken-over":
      return "You joined from another device or tab, so this one was closed.";
    case "removed":
      return "The facilitator removed you from the drill.";
    case "denied":
      return "The facilitator did not let you in.";
    case "bad-token":
      return "This link or code is not valid (any more). Ask the facilitator for a new one.";
    case "wrong-protocol":
      return "This page is older than the server: reload it.";
    default:
      return "The connection closed.";
  }
}
