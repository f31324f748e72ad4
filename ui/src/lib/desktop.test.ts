import { afterEach, describe, expect, it } from "vitest";
import { desktop } from "./desktop";

type Global = { __TAURI_INTERNALS__?: { invoke: (cmd: string, args?: unknown) => Promise<unknown> } };

describe("desktop", () => {
  afterEach(() => {
    delete (globalThis as Global).__TAURI_INTERNALS__;
  });

  it("is not available in a browser, and says so if asked", async () => {
    expect(desktop.available).toBe(false);
    await expect(desktop.saveReport("d1", "html")).rejects.toThrow(/only the desktop app/);
  });

  it("calls the app's typed commands with their arguments and passes on its sentence on failure", async () => {
    const calls: [string, unknown][] = [];
    (globalThis as Global).__TAURI_INTERNALS__ = {
      invoke: async (cmd, args) => {
        calls.push([cmd, args]);
        if (cmd === "open_data_folder") throw "cannot open /data: no file manager";
        return "/home/fran/report.html";
      },
    };
    expect(desktop.available).toBe(true);
    await expect(desktop.saveReport("d1", "html")).resolves.toBe("/home/fran/report.html");
    await expect(desktop.openDataFolder()).rejects.toThrow("cannot open /data: no file manager");
    expect(calls).toEqual([
      ["save_report", { drill: "d1", format: "html" }],
      ["open_data_folder", undefined],
    ]);
  });
});
