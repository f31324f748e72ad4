import { describe, expect, it } from "vitest";
import type { Event } from "../gen/Event";
import type { ServerMessage } from "../gen/ServerMessage";
import { countdown, feedLine, inbox, myActions, participantNames } from "./drill";
import { LiveClient, RECONNECT_DELAYS_MS, scenarioNow, type SocketLike } from "./live";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  deliver(msg: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }
  drop(reason = ""): void {
    this.onclose?.({ code: 1006, reason });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { f: () => void; ms: number; done: boolean }[] = [];
  let now = 1000;
  const client = new LiveClient({
    url: "ws://127.0.0.1:1/api/live/ws",
    credential: { kind: "token", token: "t".repeat(64), name: null },
    open: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    now: () => now,
    setTimer: (f, ms) => {
      const t = { f, ms, done: false };
      timers.push(t);
      return t;
    },
    clearTimer: (t) => {
      (t as { done: boolean }).done = true;
    },
  });
  const fire = (ms: number): void => {
    for (const t of timers.filter((t) => !t.done && t.ms === ms)) {
      t.done = true;
      t.f();
    }
  };
  return { client, sockets, fire, advance: (ms: number) => (now += ms) };
}

const welcome = (lastSeq: number): ServerMessage => ({
  type: "welcome",
  protocol: 1,
  drill: { drill: "d1", scenario_id: "s", title: "Leaked secret", duration: 3_600_000, roles: ["platform", "security"], team: null },
  you: { kind: "participant", id: "p1", name: "Pia", roles: ["platform"] },
  clock: { state: "Running", scenario_ms: 60_000, speed: 2000 },
  last_seq: lastSeq,
});

const ev = (seq: number, at: number, kind: Event["kind"]): ServerMessage => ({
  type: "event",
  event: { seq, at, audience: "Everyone", kind },
});

describe("LiveClient", () => {
  it("says hello with what it holds, keeps events once each and in order", () => {
    const { client, sockets } = harness();
    const s = sockets[0]!;
    s.open();
    expect(s.sent[0]).toEqual({ protocol: 1, credential: { kind: "token", token: "t".repeat(64), name: null }, since: 0 });
    s.deliver(welcome(2));
    s.deliver(ev(1, 0, { Joined: { participant: "p1", name: "Pia" } }));
    s.deliver(ev(2, 0, "Began"));
    s.deliver(ev(2, 0, "Began"));
    expect(client.events.map((e) => e.event.seq)).toEqual([1, 2]);
    expect(client.link.kind).toBe("open");
    expect(client.header?.title).toBe("Leaked secret");
  });

  it("runs the clock at the drill's speed and stops it on pause", () => {
    const { client, sockets, advance } = harness();
    const s = sockets[0]!;
    s.open();
    s.deliver(welcome(0));
    advance(10_000);
    expect(client.scenarioMs()).toBe(60_000 + 20_000);
    s.deliver(ev(1, 80_000, "Paused"));
    advance(5_000);
    expect(client.scenarioMs()).toBe(80_000);
    s.deliver(ev(2, 80_000, "Resumed"));
    advance(1_000);
    expect(client.scenarioMs()).toBe(82_000);
  });

  it("reconnects after a drop with the last sequence number and sends an unanswered action again", async () => {
    const { client, sockets, fire } = harness();
    sockets[0]!.open();
    sockets[0]!.deliver(welcome(0));
    sockets[0]!.deliver(ev(1, 0, "Began"));
    const answer = client.act("platform", { Scenario: "revoke" });
    const sent = sockets[0]!.sent[1] as { id: string; type: string };
    expect(sent.type).toBe("act");
    sockets[0]!.drop();
    expect(client.link).toEqual({ kind: "reconnecting", attempt: 1, inMs: RECONNECT_DELAYS_MS[0] });
    fire(RECONNECT_DELAYS_MS[0]);
    const again = sockets[1]!;
    again.open();
    expect(again.sent[0]).toMatchObject({ since: 1 });
    again.deliver(welcome(3));
    // The same client id goes again: the server answers a retry with the first outcome.
    expect(again.sent[1]).toEqual(sent);
    again.deliver({ type: "ack", id: sent.id, seq: 2, retry: true });
    await expect(answer).resolves.toEqual({ ok: true, seq: 2, retry: true });
  });

  it("does not reconnect after a take-over, and says why", () => {
    const { client, sockets } = harness();
    sockets[0]!.open();
    sockets[0]!.deliver(welcome(0));
    sockets[0]!.deliver({ type: "closed", code: "taken-over", message: "another device" });
    sockets[0]!.drop("taken-over");
    expect(client.link.kind).toBe("closed");
    expect(sockets).toHaveLength(1);
  });

  it("refuses a steering command while offline instead of queueing it blind", async () => {
    const { client, sockets } = harness();
    sockets[0]!.open();
    sockets[0]!.deliver(welcome(0));
    sockets[0]!.drop();
    await expect(client.command("Pause")).resolves.toMatchObject({ ok: false, code: "offline" });
  });
});

describe("drill views", () => {
  const received = [
    { event: { seq: 1, at: 0, audience: "Everyone" as const, kind: { Joined: { participant: "p1", name: "Pia" } } }, detail: null },
    {
      event: {
        seq: 2,
        at: 0,
        audience: { Roles: ["platform"] },
        kind: {
          InjectFired: {
            inject: "report",
            by: "Trigger" as const,
            title: "Token leaked",
            channel: "Alert" as const,
            to: ["platform"],
            body: "A scanner found it.",
            actions: ["revoke"],
          },
        },
      },
      detail: {
        from: "Scanner",
        attachments: [],
        actions: [{ id: "revoke", label: "Revoke the token", kind: "task", deadline: 900_000, owners: ["platform"] }],
      },
    },
    {
      event: { seq: 3, at: 0, audience: { Roles: ["platform"] }, kind: { ActionOpened: { action: "revoke", visible_to: ["platform"] } } },
      detail: null,
    },
    {
      event: {
        seq: 4,
        at: 120_000,
        audience: "Everyone" as const,
        kind: { Acted: { participant: "p1", role: "platform", client_id: "c1", action: { Scenario: "revoke" }, repeat: false } },
      },
      detail: null,
    },
  ];

  it("builds the inbox and the to-do list from events", () => {
    expect(inbox(received).map((i) => [i.title, i.from, i.channel])).toEqual([["Token leaked", "Scanner", "alert"]]);
    const names = participantNames(received);
    const actions = myActions(received, ["platform"], names);
    expect(actions).toHaveLength(1);
    expect(actions[0]?.done).toEqual({ by: "Pia", role: "platform", at: 120_000 });
    expect(myActions(received, ["security"], names)).toEqual([]);
  });

  it("words the feed and the countdowns", () => {
    const names = participantNames(received);
    const labels = new Map([["revoke", "Revoke the token"]]);
    const line = feedLine(received[3]!.event, names, labels, (r) => r);
    expect(line?.text).toBe("Pia (platform) did “Revoke the token”");
    expect(countdown(300_000, 1_000)).toBe("4:59 left");
    expect(countdown(0, 62_000)).toBe("overdue 1:02");
  });

  it("keeps the clock still unless running", () => {
    expect(scenarioNow({ clock: { state: "Paused", scenario_ms: 5, speed: 1000 }, at: 0 }, 10_000)).toBe(5);
  });
});
