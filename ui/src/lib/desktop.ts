// The desktop window's few native powers (typed Tauri commands), where a browser has none: saving a report
// with the system's save dialog (download links do nothing in WebKitGTK) and opening the data folder.
// In a browser `available` is false and the screens offer downloads instead.

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;

function tauri(): Invoke | null {
  const internals = (globalThis as { __TAURI_INTERNALS__?: { invoke?: Invoke } }).__TAURI_INTERNALS__;
  return typeof internals?.invoke === "function" ? internals.invoke.bind(internals) : null;
}

/** A command's failure, for people (the app answers with a sentence). */
function message(e: unknown): string {
  return typeof e === "string" ? e : e instanceof Error ? e.message : "the app could not do it";
}

export const desktop = {
  /** Whether this page runs in the Muster desktop window. */
  get available(): boolean {
    return tauri() !== null;
  },
  /** Asks where to save, then writes the report there: the path, or `null` when cancelled. */
  async saveReport(drill: string, format: string): Promise<string | null> {
    const invoke = tauri();
    if (!invoke) throw new Error("only the desktop app has a save dialog");
    try {
      return await invoke<string | null>("save_report", { drill, format });
    } catch (e) {
      throw new Error(message(e));
    }
  },
  /** Opens the folder of the drill log in the file manager. */
  async openDataFolder(): Promise<void> {
    const invoke = tauri();
    if (!invoke) throw new Error("only the desktop app can open folders");
    try {
      await invoke<null>("open_data_folder");
    } catch (e) {
      throw new Error(message(e));
    }
  },
};
