import { expect, test, type Page } from "@playwright/test";

import { shot, watchPages } from "./common";

// serve.sh simulates two drills of leaked-secret for team mixed (seeds 5 and 6) into a throwaway log.

const TITLE = /leaked secret/i;
const SECTIONS = ["overview", "summary", "objectives", "timeline", "heatmap", "roles", "plan", "findings"];

interface Drill {
  id: string;
  scenario_id: string;
  team: string | null;
  created_wall_ms: number;
}

// Every test: no console errors, no uncaught exceptions, no CSP violations.
const allow = watchPages();

async function allDrills(page: Page): Promise<Drill[]> {
  const res = await page.request.get("/api/drills");
  expect(res.ok()).toBe(true);
  const list = (await res.json()) as { drills: Drill[] };
  return list.drills;
}

/** The two simulated drills, newest first (the live spec may have played one more). */
async function drills(page: Page): Promise<Drill[]> {
  const simulated = (await allDrills(page)).filter((d) => d.team?.toLowerCase() === "mixed");
  expect(simulated.length).toBeGreaterThanOrEqual(2);
  return simulated;
}

test("the drill history lists the simulated drills, newest first", async ({ page }) => {
  const all = await allDrills(page);
  expect(all.length).toBeGreaterThanOrEqual(2);
  // Newest first, as the server promises.
  expect(all.map((d) => d.created_wall_ms)).toEqual([...all.map((d) => d.created_wall_ms)].sort((a, b) => b - a));

  await page.goto("/");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Drills" }).click();
  await expect(page).toHaveURL(/#\/drills$/);
  await expect(page.getByRole("heading", { level: 1, name: "Drills" })).toBeFocused();
  await expect(page.getByRole("link", { name: "Drills" })).toHaveAttribute("aria-current", "page");

  const table = page.getByRole("table", { name: "Drill history, newest first" });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(all.length);
  for (const [i, d] of all.entries()) {
    const row = rows.nth(i);
    await expect(row).toHaveAttribute("data-drill", d.id);
    await expect(row.getByRole("link", { name: TITLE })).toBeVisible();
    await expect(row).toContainText(d.id);
    // Wall time, local: 2026-11-23 22:41.
    await expect(row.locator("td").first()).toHaveText(/^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    // The simulated drills (a live drill played by another spec may be listed too).
    if (d.team?.toLowerCase() === "mixed") {
      await expect(row).toContainText("Mixed");
      await expect(row).toContainText("muster simulate");
    }
    // State in a word, not colour alone.
    await expect(row.getByText("Ended")).toBeVisible();
  }
  await expect(table.getByRole("columnheader")).toHaveText(["Date", "Scenario", "Team", "Facilitator", "State", "Events"]);
  await shot(page, "drills.png");
});

test("the history says so when a server has no drills", async ({ page }) => {
  await page.route("**/api/drills", (route) =>
    route.fulfill({ json: { drills: [], store: "/tmp/empty.db" } }),
  );
  await page.goto("/#/drills");
  await expect(page.getByRole("heading", { level: 2, name: "No drills yet" })).toBeVisible();
  await expect(page.getByText("muster simulate leaked-secret")).toBeVisible();
});

test("a drill shows its report, exports it and links to the trends", async ({ page }) => {
  const [newest] = await drills(page);
  if (!newest) throw new Error("no drill");
  await page.goto("/#/drills");
  await page.locator(`tr[data-drill="${newest.id}"]`).getByRole("link", { name: TITLE }).click();
  await expect(page).toHaveURL(new RegExp(`#/drills/${newest.id}$`));
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByText(newest.id).first()).toBeVisible();

  // The report, in a sandboxed frame with a title.
  const iframe = page.locator('iframe[data-testid="report-frame"]');
  await expect(iframe).toHaveAttribute("sandbox", "");
  await expect(iframe).toHaveAttribute("title", /After-action report/);
  const frame = page.frameLocator('iframe[data-testid="report-frame"]');
  for (const id of ["objectives", "timeline", "heatmap", "plan"]) {
    await expect(frame.locator(`section#${id}`)).toBeAttached();
  }
  await expect(frame.locator("section#objectives h2")).toBeVisible();
  expect(await frame.locator("svg").count()).toBeGreaterThanOrEqual(2);
  await expect(frame.locator("section#timeline svg").first()).toBeAttached();
  await expect(frame.locator("section#heatmap")).toContainText(/heat map/i);

  // Download links for the four formats.
  for (const [label, fmt] of [
    ["HTML", "html"],
    ["Markdown", "md"],
    ["JSON", "json"],
    ["CSV", "csv"],
  ] as const) {
    const link = page.getByRole("link", { name: `Download the report as ${label}` });
    await expect(link).toHaveAttribute("href", `/api/drills/${newest.id}/report/${fmt}?download=1`);
    const res = await page.request.get(`/api/drills/${newest.id}/report/${fmt}?download=1`);
    expect(res.status()).toBe(200);
    expect(res.headers()["content-disposition"]).toContain(`${newest.id}.${fmt}`);
  }
  await shot(page, "report.png");

  // Save to the Reports folder: the server says where it wrote the file.
  await page.getByLabel("Save as").selectOption("md");
  await page.getByRole("button", { name: "Save to Reports folder" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved to" })).toContainText(
    new RegExp(`leaked-secret-${newest.id}\\.md`),
  );

  // Trends of this scenario and team.
  await page.getByRole("link", { name: "Trends for this scenario and team" }).click();
  await expect(page).toHaveURL(/#\/trends\/leaked-secret\/mixed$/);
  await expect(page.getByRole("heading", { level: 1, name: "Trends" })).toBeVisible();
  const trends = page.locator("iframe");
  await expect(trends).toHaveAttribute("sandbox", "");
  await expect(trends).toHaveAttribute("src", "/api/trends?scenario=leaked-secret&team=mixed&format=html");
  await expect(page.frameLocator("iframe").locator("body")).toContainText(/leaked-secret/);
});

test("the HTML report stands on its own, with charts and its own CSP", async ({ page }) => {
  const [newest] = await drills(page);
  if (!newest) throw new Error("no drill");
  const res = await page.goto(`/api/drills/${newest.id}/report/html`);
  expect(res?.status()).toBe(200);
  const csp = res?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("default-src 'none'");
  expect(csp).toContain("sandbox");
  for (const id of SECTIONS) await expect(page.locator(`section#${id}`)).toBeAttached();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(TITLE);
  expect(await page.locator("svg").count()).toBeGreaterThanOrEqual(2);
  await expect(page.locator("section#timeline svg").first()).toBeVisible();
  await expect(page.locator("section#heatmap svg, section#heatmap table").first()).toBeVisible();
  await shot(page, "report-html.png");
  await page.locator("section#timeline").evaluate((e) => e.scrollIntoView({ block: "start" }));
  await shot(page, "report-charts.png");
});

test("the improvement plan is edited, saved and shown in the report", async ({ page }) => {
  allow(422);
  const [newest, older] = await drills(page);
  if (!newest || !older) throw new Error("two drills expected");
  await page.goto(`/#/drills/${newest.id}`);
  const plan = page.getByRole("region", { name: "Improvement plan" });
  await expect(plan.getByTestId("draft-badge")).toHaveText(/Draft — not saved yet/);
  // Open items of the team's previous drill are carried over, read-only, with a link to it.
  await expect(plan.getByText(`Carried over from ${older.id}`).first()).toBeVisible();

  const item = (n: number) => plan.locator(`tr[data-item="${n}"]`);
  const status1 = plan.getByLabel("Status, item 1", { exact: true });
  const owner1 = plan.getByLabel("Owner, item 1", { exact: true });
  await expect(status1).toHaveValue("open");
  const before = await owner1.inputValue();
  const newOwner = before === "developer" ? "platform" : "developer";
  const newOwnerName = newOwner === "developer" ? "Developer" : "Platform / operations engineer";

  // Keyboard: the controls are reachable and labelled.
  await plan.getByLabel("Issue, item 1", { exact: true }).focus();
  await page.keyboard.press("Tab");
  await expect(plan.getByLabel("Corrective action, item 1", { exact: true })).toBeFocused();

  await status1.selectOption("done");
  await owner1.selectOption(newOwner);
  await expect(plan.getByText("Unsaved changes")).toBeVisible();

  // Add an item, then remove it again; and add one that stays.
  const count = await plan.locator("tbody tr").count();
  await plan.getByRole("button", { name: "Add item" }).click();
  await expect(plan.locator("tbody tr")).toHaveCount(count + 1);
  await expect(plan.getByLabel(`Issue, item ${count + 1}`, { exact: true })).toBeFocused();
  await page.keyboard.type("Nobody knew who rotates the deploy key");
  await plan.getByLabel(`Corrective action, item ${count + 1}`, { exact: true }).fill("Name the platform on-call as owner");
  await plan.getByLabel(`Due, item ${count + 1}`, { exact: true }).fill("2027-01-31");
  await plan.getByRole("button", { name: "Add item" }).click();
  await expect(plan.locator("tbody tr")).toHaveCount(count + 2);
  await plan.getByRole("button", { name: `Remove item ${count + 2}` }).click();
  await expect(plan.locator("tbody tr")).toHaveCount(count + 1);

  await plan.getByRole("button", { name: "Save plan" }).click();
  await expect(plan.getByText("Saved", { exact: true })).toBeVisible();
  await expect(plan.getByTestId("draft-badge")).toHaveCount(0);
  await expect(plan.getByText("Unsaved changes")).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "Plan saved" })).toHaveCount(1);

  // The report frame was reloaded and shows the saved plan.
  const frame = page.frameLocator('iframe[data-testid="report-frame"]');
  const first = frame.locator("section#plan tbody tr").first();
  await expect(first).toContainText("Done");
  await expect(first).toContainText(newOwnerName);
  await expect(frame.locator("section#plan")).toContainText("Nobody knew who rotates the deploy key");

  // Persisted: a reload shows the same.
  await page.reload();
  await expect(status1).toHaveValue("done");
  await expect(owner1).toHaveValue(newOwner);
  await expect(plan.locator("tbody tr")).toHaveCount(count + 1);
  await expect(plan.getByText("Saved", { exact: true })).toBeVisible();
  await plan.getByRole("heading", { name: "Improvement plan" }).scrollIntoViewIfNeeded();
  await page.evaluate(() => {
    const h = document.getElementById("plan-title");
    if (h) window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 72);
  });
  await shot(page, "plan-editor.png");

  // A missing due date: the server's message is shown beside the form, and the item is marked.
  await plan.getByLabel("Due, item 2", { exact: true }).fill("");
  await plan.getByRole("button", { name: "Save plan" }).click();
  const alert = plan.getByRole("alert");
  await expect(alert).toContainText(/item 2/i);
  await expect(alert).toContainText(/due date/i);
  await expect(item(2)).toHaveClass(/invalid/);
  await expect(item(2)).toContainText("Not saved");
  await plan.getByRole("button", { name: "Undo changes" }).click();
  await expect(alert).toHaveCount(0);

  // Bad data straight to the API: 422 with a message naming the item and the problem.
  const bad = await page.request.put(`/api/drills/${newest.id}/plan`, {
    data: {
      items: [
        {
          issue: "x",
          corrective_action: "y",
          capability: "secrets_management",
          owner: "janitor",
          due: "2026-12-31",
          status: "open",
          carried_from: null,
        },
        {
          issue: "x",
          corrective_action: "y",
          capability: "secrets_management",
          owner: "developer",
          due: "someday",
          status: "open",
          carried_from: null,
        },
      ],
    },
  });
  expect(bad.status()).toBe(422);
  const body = (await bad.json()) as { error: string; message: string };
  expect(body.error).toBe("invalid");
  expect(body.message).toMatch(/^item 1: /);
  expect(body.message).toContain("janitor");
  // Nothing changed.
  await page.reload();
  await expect(status1).toHaveValue("done");
});

test("an unknown drill says so", async ({ page }) => {
  await page.goto("/#/drills/nosuchdrill");
  await expect(page.getByRole("heading", { level: 1, name: "No drill called nosuchdrill" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the drills" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Drills" })).toBeFocused();
});
