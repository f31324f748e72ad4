// The live client as reactive state for the screens, plus a clock that ticks for countdowns.
import type { Credential } from "../gen/Credential";
import { LiveClient, socketUrl } from "./live";

export class LiveSession {
  readonly client: LiveClient;
  /** Bumped on every change of the client: read it to depend on the client's fields. */
  version = $state(0);
  /** Local time, ticking a few times a second while the session is open (for clocks and countdowns). */
  now = $state(performance.now());
  private ticker: ReturnType<typeof setInterval>;

  constructor(credential: Credential, ontoken?: (token: string) => void) {
    this.client = new LiveClient({
      url: socketUrl(location),
      credential,
      onchange: () => {
        this.version += 1;
      },
      ontoken,
    });
    this.ticker = setInterval(() => {
      this.now = performance.now();
    }, 250);
  }

  /** Scenario time now (reactive on the ticking clock and on the client). */
  get scenarioMs(): number {
    void this.version;
    void this.now;
    return this.client.scenarioMs();
  }

  close(): void {
    clearInterval(this.ticker);
    this.client.close();
  }
}
