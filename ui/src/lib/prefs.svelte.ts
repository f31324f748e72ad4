// Display preferences: theme and projector mode, remembered on this device.

export type Theme = "light" | "dark";

const THEME_KEY = "muster.theme";
const PROJECTOR_KEY = "muster.projector";

function read(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function write(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage may be unavailable (private mode); the choice then lasts for this page only.
  }
}

const media = typeof matchMedia === "function" ? matchMedia("(prefers-color-scheme: dark)") : null;
const stored = read(THEME_KEY);

let chosen = $state<Theme | null>(stored === "light" || stored === "dark" ? stored : null);
let systemDark = $state(media?.matches ?? false);
let projector = $state(read(PROJECTOR_KEY) === "on");

media?.addEventListener("change", (e) => {
  systemDark = e.matches;
});

export const prefs = {
  /** The theme in effect: the user's choice, else the system's. */
  get theme(): Theme {
    return chosen ?? (systemDark ? "dark" : "light");
  },
  toggleTheme(): void {
    const next: Theme = this.theme === "dark" ? "light" : "dark";
    // Choosing what the system already shows forgets the choice, so the app follows the system again.
    chosen = next === (systemDark ? "dark" : "light") ? null : next;
    write(THEME_KEY, chosen);
  },
  get projector(): boolean {
    return projector;
  },
  toggleProjector(): void {
    projector = !projector;
    write(PROJECTOR_KEY, projector ? "on" : null);
  },
};

/** Reflect the preferences on <html>, where tokens.css reads them. */
export function applyPrefs(root: HTMLElement): void {
  root.dataset.theme = prefs.theme;
  if (prefs.projector) root.dataset.projector = "on";
  else delete root.dataset.projector;
}
