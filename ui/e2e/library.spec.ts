import { expect, test } from "@playwright/test";
import { fileURLToPath } from "node:url";

import { shot, watchPages } from "./common";

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const DRILLS = [/leaked secret/i, /compromised ci token/i, /dependency compromise/i, /cloud account abuse/i];

// Every test: no console errors, no uncaught exceptions, no CSP violations.
const allow = watchPages();

test("the library lists the four drills with their status", async ({ page }) => {
  const res = await page.goto("/");
  // The UI runs under the server's strict CSP; any violation would fail the test (see afterEach).
  const csp = res?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("style-src 'self'");
  await expect(page.getByRole("heading", { level: 1, name: "Scenario library" })).toBeVisible();

  const cards = page.getByRole("list", { name: "Scenarios" }).getByRole("article");
  await expect(cards).toHaveCount(4);
  for (const title of DRILLS) {
    const card = cards.filter({ has: page.getByRole("heading", { level: 2, name: title }) });
    await expect(card).toHaveCount(1);
    // Status is an icon and a word, never colour alone.
    await expect(card.getByText(/^Valid/)).toBeVisible();
    await expect(card.getByText(/\d+ injects/)).toBeVisible();
    await expect(card.getByText(/\d+ min/).first()).toBeVisible();
  }
  await expect(page.getByRole("button", { name: /Import scenario/ })).toBeVisible();
  await shot(page, "library.png");

  // Dark theme from the system preference…
  await page.emulateMedia({ colorScheme: "dark" });
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await shot(page, "library-dark.png");

  // …and from the toggle, remembered across reloads.
  const toggle = page.getByRole("button", { name: "Dark theme" });
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await toggle.click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "light");

  // Projector mode scales the type.
  const before = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  await page.getByRole("button", { name: "Projector mode" }).click();
  const after = await page.evaluate(() => parseFloat(getComputedStyle(document.documentElement).fontSize));
  expect(after).toBeGreaterThan(before);
});

test("a scenario page shows the MSEL with timed and conditional injects", async ({ page }) => {
  await page.goto("/");
  // Keyboard first: the skip link, then the main navigation.
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main")).toBeFocused();
  await expect(page.getByRole("heading", { level: 1, name: "Scenario library" })).toBeVisible();
  await page.getByRole("link", { name: /leaked secret/i }).first().click();
  await expect(page).toHaveURL(/#\/scenario\/leaked-secret$/);
  // Focus follows the navigation to the new page's heading.
  await expect(page.getByRole("heading", { level: 1, name: /leaked secret/i })).toBeFocused();

  const msel = page.getByRole("table", { name: "Master scenario events list" });
  await expect(msel).toBeVisible();
  const timed = msel.locator("tbody:not(.conditional)");
  const conditional = msel.locator("tbody.conditional");
  expect(await timed.count()).toBeGreaterThan(3);
  expect(await conditional.count()).toBeGreaterThan(2);
  await expect(timed.first().getByText("T+00:00:00")).toBeVisible();
  await expect(msel.getByText(/^If ‘.+’ not done by T\+\d\d:\d\d:\d\d$/).first()).toBeVisible();
  await expect(msel.getByText("Escalation").first()).toBeVisible();
  await expect(msel.getByText("On facilitator’s cue")).toBeVisible();

  await shot(page, "scenario-top.png");
  await page.evaluate(() => {
    const h = document.getElementById("msel-title");
    if (h) window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 72);
  });
  await shot(page, "scenario.png");

  // Rows expand to show the body and the attachments.
  const first = timed.first();
  const expander = first.getByRole("button").first();
  await expect(expander).toHaveAttribute("aria-expanded", "false");
  await expander.focus();
  await page.keyboard.press("Enter");
  await expect(expander).toHaveAttribute("aria-expanded", "true");
  await expect(first.locator("tr.detail")).toBeVisible();
  await expect(first.locator("tr.detail figure").first()).toBeVisible();
  await expect(first.locator("tr.detail")).toContainText("{{");
  await shot(page, "scenario-inject.png");

  const actions = page.getByRole("table", { name: "Expected actions" });
  await expect(actions.getByRole("rowheader").first()).toBeVisible();
  await expect(actions.getByRole("columnheader", { name: "Accountable" })).toBeVisible();
});

test("the RACI matrix shows who is accountable", async ({ page }) => {
  await page.goto("/#/model");
  await expect(page.getByRole("heading", { level: 1, name: "RACI matrix" })).toBeVisible();
  const matrix = page.getByRole("table");
  await expect(matrix.getByRole("columnheader", { name: "Security engineer" })).toBeVisible();
  await expect(matrix.getByRole("rowheader", { name: /Secrets management/ })).toBeVisible();

  const cell = (cap: string, role: string) =>
    matrix.locator(`tr[data-capability="${cap}"] td[data-role="${role}"]`);
  await expect(cell("secrets_management", "security")).toHaveText(/^\s*A\s*Accountable\s*$/);
  await expect(cell("secrets_management", "platform")).toContainText("Responsible");
  await expect(cell("incident_coordination", "incident_commander")).toContainText("Responsible and Accountable");
  // Exactly one Accountable per capability.
  for (const row of await matrix.locator("tbody tr").all()) {
    await expect(row.locator("td.accountable")).toHaveCount(1);
  }

  const sod = page.getByRole("complementary", { name: "Separation of duties" });
  await expect(sod.getByRole("heading", { name: /requests a risk exception does not approve/i })).toBeVisible();
  await expect(sod.getByText(/oversees/)).toBeVisible();
  await shot(page, "raci.png");
});

test("importing a broken file shows its diagnostics", async ({ page }) => {
  allow(422);
  await page.goto("/");
  await expect(page.getByRole("list", { name: "Scenarios" }).getByRole("article")).toHaveCount(4);
  await page.locator('input[type="file"]').setInputFiles(fixture("broken-drill.ron"));

  const panel = page.getByTestId("import-problem");
  await expect(panel.getByRole("heading", { name: "broken-drill.ron was not imported" })).toBeFocused();
  const items = panel.getByRole("listitem");
  await expect(items).toHaveCount(2);
  const duration = items.filter({ hasText: "bad-duration" });
  await expect(duration).toContainText("broken-drill.ron:6:15");
  await expect(duration.locator("mark")).toHaveText('"half an hour"');
  await expect(duration).toContainText("Hint:");
  const role = items.filter({ hasText: "unknown-role" });
  await expect(role).toContainText("13:37");
  await expect(role).toContainText("janitor");
  await expect(role.getByText(/Hint:.*known roles/)).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "was not imported" })).toHaveCount(1);

  // Nothing was added.
  await expect(page.getByRole("list", { name: "Scenarios" }).getByRole("article")).toHaveCount(4);
  await shot(page, "import-errors.png");

  await panel.getByRole("button", { name: "Dismiss" }).click();
  await expect(panel).toHaveCount(0);
});

test("importing a valid file adds its card", async ({ page }) => {
  allow(409);
  await page.goto("/");
  const cards = page.getByRole("list", { name: "Scenarios" }).getByRole("article");
  await expect(cards).toHaveCount(4);
  await page.locator('input[type="file"]').setInputFiles(fixture("minimal.ron"));

  await expect(page.getByRole("status").filter({ hasText: "Imported ‘Minimal drill’" })).toHaveCount(1);
  await expect(cards).toHaveCount(5);
  const card = cards.filter({ has: page.getByRole("heading", { name: "Minimal drill" }) });
  await expect(card.getByText("Valid", { exact: true })).toBeVisible();
  await expect(card).toContainText("Just imported");

  // It is in the library for good, and its page works.
  await page.reload();
  await expect(cards).toHaveCount(5);
  await card.getByRole("link", { name: "Minimal drill" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Minimal drill" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Master scenario events list" }).locator("tbody")).toHaveCount(3);

  // A second import of the same scenario is refused, and says why.
  await page.goto("/");
  await page.locator('input[type="file"]').setInputFiles(fixture("minimal.ron"));
  await expect(page.getByTestId("import-problem")).toBeVisible();
  await expect(cards).toHaveCount(5);
});

test("a lost server is said so, and the library comes back on its own", async ({ page }) => {
  allow(/net::ERR_CONNECTION_REFUSED/);
  let down = true;
  await page.route("**/api/library", (route) => (down ? route.abort("connectionrefused") : route.continue()));
  await page.goto("/");
  const alert = page.getByRole("alert");
  await expect(alert.getByRole("heading", { name: "Can’t reach the Muster server" })).toBeVisible();
  await expect(alert.getByText(/Trying again automatically/)).toBeVisible();
  await shot(page, "unreachable.png");
  down = false;
  await expect(page.getByRole("heading", { level: 2, name: /leaked secret/i })).toBeVisible({ timeout: 10_000 });
  await expect(alert).toHaveCount(0);
});

test("an unknown scenario says so", async ({ page }) => {
  allow(404);
  await page.goto("/#/scenario/no-such-drill");
  await expect(page.getByRole("heading", { level: 1, name: "No scenario called no-such-drill" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the library" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Scenario library" })).toBeFocused();
});
