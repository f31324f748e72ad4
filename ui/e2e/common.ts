import { expect, test, type Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

// Screenshots go to test-results/ on every run; MUSTER_SCREENSHOTS=1 refreshes the committed ones.
const shots = fileURLToPath(
  new URL(process.env.MUSTER_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../test-results/screenshots/", import.meta.url),
);
mkdirSync(shots, { recursive: true });

/** Saves a screenshot once fonts and layout have settled. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: `${shots}${name}`, animations: "disabled", fullPage });
}

/**
 * Makes every test of the calling spec fail on console errors or warnings, uncaught exceptions, failed
 * requests and CSP violations. Returns `allow`: a test that expects a problem says so, by status (Chromium
 * logs every 4xx answer as a console error) or by a pattern of the problem's text.
 */
export function watchPages(): (expected: number | RegExp) => void {
  let problems: string[] = [];
  let allowed: RegExp[] = [];
  test.beforeEach(async ({ page }) => {
    problems = [];
    allowed = [];
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
    page.on("requestfailed", (req) => {
      const why = req.failure()?.errorText ?? "";
      // A reload or navigation cancels requests in flight: that is not a failure.
      if (why !== "net::ERR_ABORTED") problems.push(`request failed: ${req.url()} ${why}`);
    });
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
      });
    });
  });
  test.afterEach(async () => {
    const unexpected = problems.filter((p) => !allowed.some((a) => a.test(p)));
    expect(unexpected, unexpected.join("\n")).toEqual([]);
  });
  return (expected: number | RegExp): void => {
    allowed.push(
      typeof expected === "number"
        ? new RegExp(`^console error: Failed to load resource: the server responded with a status of ${expected} `)
        : expected,
    );
  };
}
