import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

import { watchPages } from "./common";

// axe-core on every screen that is not a live drill (live.spec.ts covers those), in both themes: no serious
// or critical violation. And the keyboard: a participant joins with the keyboard alone.

const allow = watchPages();

async function axe(page: Page, what: string, frames = true): Promise<void> {
  const bad: string[] = [];
  // A sandboxed frame runs no script, so axe would wait on it forever: it is set aside (its document is
  // checked on its own).
  if (!frames) await page.evaluate(() => document.querySelectorAll("iframe").forEach((f) => f.replaceWith(document.createElement("div"))));
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).options({ iframes: frames }).analyze();
    for (const v of result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")) {
      bad.push(`${what} (${scheme}): ${v.id} ${v.help}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  expect(bad, bad.join("\n")).toEqual([]);
}

async function firstDrill(page: Page): Promise<{ id: string; scenario_id: string }> {
  const res = await page.request.get("/api/drills");
  const list = (await res.json()) as { drills: { id: string; scenario_id: string }[] };
  const d = list.drills[list.drills.length - 1];
  if (!d) throw new Error("serve.sh simulates drills");
  return d;
}

test("the library, a scenario, the RACI matrix and the history pass axe in both themes", async ({ page }) => {
  test.setTimeout(90_000);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.locator(".card, article").first()).toBeVisible();
  await axe(page, "library");
  await page.goto("/#/scenario/leaked-secret");
  await expect(page.getByRole("link", { name: "Run this drill" })).toBeVisible();
  await axe(page, "scenario page");
  await page.goto("/#/model");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await axe(page, "RACI matrix");
  await page.goto("/#/drills");
  await expect(page.getByRole("table")).toBeVisible();
  await axe(page, "drill history");
  await page.goto("/#/nothing-here");
  await expect(page.getByRole("heading", { name: "Nothing here" })).toBeVisible();
  await axe(page, "not found");
});

test("a drill's report page and its trends pass axe in both themes", async ({ page, browser }) => {
  test.setTimeout(90_000);
  const d = await firstDrill(page);
  // axe cannot run inside the report's sandboxed frame (no scripts there, by design): it checks the page
  // around it, then the report's own document on its own.
  allow(/Blocked script execution in .* because the document's frame is sandboxed/);
  await page.goto(`/#/drills/${d.id}`);
  await expect(page.locator('iframe[data-testid="report-frame"]')).toBeVisible();
  await axe(page, "report page", false);
  // The report's own CSP forbids every script (axe's too): checked with CSP set aside in a context of its own.
  const ctx = await browser.newContext({ bypassCSP: true });
  const doc = await ctx.newPage();
  await doc.goto(new URL(`/api/drills/${d.id}/report/html`, page.url()).toString());
  await expect(doc.locator("section#objectives")).toBeAttached();
  await axe(doc, "report document");
  await ctx.close();
  await page.goto(`/#/trends/${d.scenario_id}`);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await axe(page, "trends", false);
  await page.goto("/#/run/leaked-secret");
  await expect(page.getByRole("button", { name: "Create the drill" })).toBeVisible();
  await axe(page, "drill setup");
});

test("the join page works from the keyboard alone and explains a wrong code", async ({ page }) => {
  await page.goto("/join");
  await expect(page.getByRole("heading", { name: "Join a drill" })).toBeVisible();
  await axe(page, "join page");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Join code")).toBeFocused();
  await page.keyboard.type("???");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Your name")).toBeFocused();
  await page.keyboard.type("Kim");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("alert")).toHaveText(/The join code is on the facilitator's screen/);
});
