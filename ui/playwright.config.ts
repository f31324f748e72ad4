import { defineConfig } from "@playwright/test";

const port = Number(process.env.MUSTER_E2E_PORT ?? 4817);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? "line" : "list",
  outputDir: "test-results",
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    trace: "off",
    launchOptions: {
      // Debian's chromium; Playwright never downloads a browser here.
      executablePath: process.env.MUSTER_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-gpu",
      ],
    },
  },
  webServer: {
    command: "sh e2e/serve.sh",
    url: `${baseURL}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    // SIGTERM first, so that serve.sh stops the server and removes its temporary library.
    gracefulShutdown: { signal: "SIGTERM", timeout: 2_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: { MUSTER_E2E_PORT: String(port) },
  },
});
