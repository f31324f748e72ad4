import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Browser, type BrowserContext, type Page } from "@playwright/test";

import { shot, watchPages } from "./common";

// A facilitator and three participants, each in their own browser context, play leaked-secret at 60×:
// set up, join by seat link and by code (one person with two roles, on a phone), start, injects reaching
// exactly their roles, actions in the control room and on the boards, pause and resume, hold / skip / fire /
// ad-hoc, a page closed and reopened that catches up, an approval refused for segregation of duties, the end
// and the report. axe-core checks every screen on the way, in both themes.

const allow = watchPages();

interface Seat {
  drill: string;
  code: string;
  join_url: string;
  seats: { role: string; token: string; link: string }[];
}

async function axe(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${what}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(bad, bad.join("\n")).toEqual([]);
}

/** Both themes: the page as it is, then dark, then back. */
async function axeBoth(page: Page, what: string): Promise<void> {
  await axe(page, `${what} (light)`);
  await page.emulateMedia({ colorScheme: "dark" });
  await axe(page, `${what} (dark)`);
  await page.emulateMedia({ colorScheme: "light" });
}

async function player(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport });
  const page = await ctx.newPage();
  page.on("pageerror", (err) => {
    throw err;
  });
  return { ctx, page };
}

const inbox = (page: Page) => page.getByRole("region", { name: /^Inbox/ });
const clock = (page: Page) => page.getByTestId("clock");

function seconds(t: string): number {
  const m = /T\+(\d\d):(\d\d):(\d\d)/.exec(t);
  if (!m) throw new Error(`not a clock: ${t}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

test("a facilitator and three participants play a whole drill", async ({ page: f, browser }) => {
  test.setTimeout(180_000);
  // A closed participant page aborts its socket; the server answers a closed control room's requests late.
  allow(/WebSocket/);

  // Setup: from the scenario page.
  await f.goto("/#/scenario/leaked-secret");
  await f.getByRole("link", { name: "Run this drill" }).click();
  await expect(f.getByRole("heading", { level: 1, name: /^Run “Leaked secret/ })).toBeVisible();
  await f.getByLabel("Team name").fill("Blue");
  for (const role of ["Developer", "Incident commander", "Risk owner", "Compliance officer"]) {
    await f.getByLabel(role, { exact: true }).selectOption("0");
  }
  await f.getByLabel("Speed").selectOption("60000");
  await axeBoth(f, "drill setup");
  await f.getByRole("button", { name: "Create the drill" }).click();
  await expect(f).toHaveURL(/#\/live\//);
  const code = f.getByTestId("join-code");
  await expect(code).toHaveText(/^[A-Z0-9]{3}-[A-Z0-9]{3}$/);
  await expect(f.getByRole("img", { name: /QR code of the join address/ })).toBeVisible();
  const seat = (await f.evaluate(() => {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i) ?? "";
      if (k.startsWith("muster.live.facilitator.")) return JSON.parse(localStorage.getItem(k) ?? "null");
    }
    return null;
  })) as Seat;
  expect(seat.seats.map((s) => s.role).sort()).toEqual(["platform", "security"]);
  const link = (role: string): string => seat.seats.find((s) => s.role === role)?.link ?? "";

  // Pia and Sam by seat link, on laptops; Dev by code, on a phone, admitted with two roles.
  const pia = await player(browser);
  await pia.page.goto(link("platform"));
  await axeBoth(pia.page, "join by seat link");
  await pia.page.getByLabel("Your name").fill("Pia");
  await pia.page.getByRole("button", { name: "Join" }).click();
  await expect(pia.page.getByRole("heading", { name: "Waiting for the facilitator to start" })).toBeVisible();
  // The token left the address bar.
  expect(pia.page.url()).not.toContain("seat=");
  await axeBoth(pia.page, "participant lobby");

  const sam = await player(browser);
  await sam.page.goto(link("security"));
  await sam.page.getByLabel("Your name").fill("Sam");
  await sam.page.getByRole("button", { name: "Join" }).click();
  await expect(sam.page.getByRole("heading", { name: "Waiting for the facilitator to start" })).toBeVisible();

  const dev = await player(browser, { width: 390, height: 844 });
  await dev.page.goto("/join");
  await axeBoth(dev.page, "join by code (phone)");
  await dev.page.getByLabel("Join code").fill((await code.textContent()) ?? "");
  await dev.page.getByLabel("Your name").fill("Dev");
  await dev.page.getByRole("button", { name: "Join" }).click();
  await expect(dev.page.getByText("You are in the lobby, Dev.")).toBeVisible();
  await expect(f.getByRole("heading", { name: "Waiting in the lobby" })).toBeVisible();
  await f.getByRole("checkbox", { name: "Developer" }).check();
  await f.getByRole("checkbox", { name: "Risk owner" }).check();
  await f.getByRole("button", { name: "Let Dev in" }).click();
  await expect(dev.page.getByText("Developer, Risk owner").first()).toBeVisible();
  const people = f.getByRole("region", { name: "People" });
  for (const name of ["Pia", "Sam", "Dev"]) await expect(people.getByText(name, { exact: true })).toBeVisible();
  // Each seat's freshness: connected, and how far away (the round trip of the server's ping).
  await expect(people.getByRole("listitem").filter({ hasText: "Pia" })).toContainText(/connected · \d+ ms away/, { timeout: 10_000 });
  await expect(pia.page.getByRole("listitem").filter({ hasText: "Dev" })).toBeVisible();
  await axeBoth(f, "control room, joining");
  await shot(f, "live-join.png");

  // Start: each inject reaches exactly its roles.
  await f.getByRole("button", { name: "Start the drill" }).click();
  await expect(inbox(pia.page).getByText(/Secret scanning: AWS access key/)).toBeVisible();
  await expect(inbox(sam.page).getByText(/Secret scanning: AWS access key/)).toBeVisible();
  await expect(inbox(dev.page).getByText(/That was me/)).toBeVisible({ timeout: 15_000 });
  await expect(inbox(dev.page).getByText(/Secret scanning/)).toHaveCount(0);
  await expect(inbox(sam.page).getByText(/That was me/)).toHaveCount(0);

  // Pia deactivates the key: the control room's feed and boards show it.
  await pia.page.getByRole("listitem").filter({ hasText: "Deactivate the exposed access key now" }).getByRole("button", { name: "Do it" }).click();
  await expect(pia.page.getByText(/^Done: Deactivate the exposed access key/)).toBeVisible();
  const feed = f.getByRole("list", { name: "What happened, newest first" });
  await expect(feed.getByText(/Pia \(Platform \/ operations engineer\) did “Deactivate the exposed access key/)).toBeVisible();
  const roleBoard = f.getByRole("region", { name: "Expected actions by role" });
  await expect(roleBoard.getByRole("row").filter({ hasText: "Deactivate the exposed access key" }).first()).toContainText("Pia");
  const raci = f.getByRole("region", { name: "Who owns what, live" });
  await expect(raci.getByRole("row").filter({ hasText: "Secrets management" }).first()).toBeVisible();
  await expect(sam.page.getByRole("region", { name: "What the team has done" })).toContainText("Pia (Platform) did");

  // Pause stops the clock everywhere; resume goes on from there, without a jump.
  await f.getByRole("button", { name: "Pause", exact: true }).click();
  for (const p of [pia.page, sam.page, dev.page]) await expect(p.getByText("Paused by the facilitator")).toBeVisible();
  const paused = seconds((await clock(pia.page).textContent()) ?? "");
  await pia.page.waitForTimeout(1500);
  expect(seconds((await clock(pia.page).textContent()) ?? "")).toBe(paused);
  expect(Math.abs(seconds((await clock(f).textContent()) ?? "") - paused)).toBeLessThanOrEqual(1);
  await f.getByRole("button", { name: "Resume" }).click();
  await expect(pia.page.getByText("Paused by the facilitator")).toHaveCount(0);
  const resumed = seconds((await clock(pia.page).textContent()) ?? "");
  expect(resumed - paused).toBeGreaterThanOrEqual(0);
  expect(resumed - paused).toBeLessThan(60);

  // Hold, skip, fire now, and an ad-hoc inject.
  const row = (title: RegExp) => f.getByRole("row").filter({ hasText: title });
  await row(/The force-push didn't remove the key/).getByRole("button", { name: /^Hold/ }).click();
  await expect(row(/The force-push didn't remove the key/)).toContainText("held");
  await row(/Is this a personal-data breach/).getByRole("button", { name: /^Skip/ }).click();
  await expect(row(/Is this a personal-data breach/)).toContainText("skipped");
  await row(/Reporter: "A bot posted/).getByRole("button", { name: /^Fire/ }).click();
  await expect(inbox(dev.page).getByText(/Reporter: "A bot posted/)).toBeVisible();
  await expect(inbox(pia.page).getByText(/Reporter:/)).toHaveCount(0);
  await f.getByLabel("Title").fill("CISO: are we ok?");
  await f.getByRole("group", { name: "To" }).getByRole("checkbox", { name: "Security engineer" }).check();
  await f.getByRole("button", { name: "Send inject" }).click();
  await expect(inbox(sam.page).getByText("CISO: are we ok?")).toBeVisible();
  await expect(inbox(pia.page).getByText("CISO: are we ok?")).toHaveCount(0);

  // Sam's page closes; what happens meanwhile is there when it reopens.
  await sam.page.close();
  await f.getByLabel("Title").fill("While you were away");
  await f.getByRole("group", { name: "To" }).getByRole("checkbox", { name: "Security engineer" }).check();
  await f.getByRole("button", { name: "Send inject" }).click();
  await expect(feed.getByText(/Inject “While you were away”/)).toBeVisible();
  const again = await sam.ctx.newPage();
  await again.goto("/join");
  await expect(inbox(again).getByText("While you were away")).toBeVisible();
  await expect(inbox(again).getByText("CISO: are we ok?")).toBeVisible();
  await expect(inbox(again).getByText(/Secret scanning/)).toHaveCount(1);

  // Dev requests the exception as developer, then may not approve it as risk owner: someone else must.
  const request = dev.page.getByRole("listitem").filter({ hasText: "Request a time-boxed risk exception" });
  await expect(request).toBeVisible({ timeout: 20_000 });
  await request.getByRole("button", { name: "Do it" }).click();
  await expect(dev.page.getByText(/^Done: Request a time-boxed risk exception/)).toBeVisible();
  const approve = dev.page.getByRole("listitem").filter({ hasText: "Approve or refuse the static-key exception" });
  await expect(approve).toBeVisible({ timeout: 20_000 });
  await approve.getByRole("button", { name: "Do it" }).click();
  await expect(dev.page.getByText(/^Not done: segregation of duties/)).toBeVisible();
  await axeBoth(dev.page, "participant inbox (phone)");
  await shot(dev.page, "live-participant-phone.png", true);
  await axeBoth(pia.page, "participant inbox (laptop)");
  await shot(pia.page, "live-participant.png");

  // A note for the report, one keystroke away.
  await f.getByRole("heading", { level: 1 }).click();
  await f.keyboard.press("n");
  await expect(f.getByLabel("Note", { exact: true })).toBeFocused();
  await f.keyboard.type("Dev asked to approve their own exception");
  await f.getByRole("button", { name: "Save" }).click();
  await expect(feed.getByText("Observation: Dev asked to approve their own exception")).toBeVisible();

  await axeBoth(f, "control room, running");
  await shot(f, "live-control-room.png", true);
  await f.getByRole("button", { name: "Projector mode" }).click();
  await shot(f, "live-control-room-projector.png");
  await f.getByRole("button", { name: "Projector mode" }).click();

  // End, with a confirmation, straight to the report.
  await f.getByRole("button", { name: "End the drill" }).click();
  await f.getByRole("button", { name: "End and open the report" }).click();
  await expect(f).toHaveURL(new RegExp(`#/drills/${seat.drill}$`));
  const frame = f.frameLocator('iframe[data-testid="report-frame"]');
  await expect(frame.locator("section#objectives h2")).toBeVisible();
  // The score is of what they did: Pia's deactivation is in it, Dev's refused approval is not, and the
  // facilitator's observation is there for the report.
  const report = (await (await f.request.get(`/api/drills/${seat.drill}/report/json`)).json()) as {
    team: { score: number; done: number };
    sod_violations: unknown[];
    observations: { text: string }[];
  };
  expect(report.team.score).toBeGreaterThan(0);
  expect(report.team.score).toBeLessThan(100);
  expect(report.team.done).toBeGreaterThanOrEqual(2);
  expect(report.sod_violations).toEqual([]);
  expect(report.observations.map((o) => o.text)).toContain("Dev asked to approve their own exception");
  await expect(pia.page.getByText("The drill is over")).toBeVisible();
  for (const p of [pia, sam, dev]) await p.ctx.close();
});
