// Credentials kept on this device, so a reload or a reopened page reconnects on its own. Tokens stay in
// this browser's storage; they never go into a URL the server sees (a seat link carries its token after
// `#`, and the page removes it from the address bar once read).

import type { LiveCreated } from "../gen/LiveCreated";

const FACILITATOR_PREFIX = "muster.live.facilitator.";
const PARTICIPANT_KEY = "muster.live.participant";

/** What the facilitator's device keeps of a live drill it created. */
export interface FacilitatorSeat extends LiveCreated {
  /** The scenario's key in the library (for the scenario page's words). */
  key: string;
}

/** What a participant's device keeps. */
export interface ParticipantSeat {
  token: string;
  name: string;
}

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // No storage (private mode): the seat lasts as long as the page.
  }
}

export function facilitatorSeat(drill: string): FacilitatorSeat | null {
  return read<FacilitatorSeat>(FACILITATOR_PREFIX + drill);
}

export function keepFacilitatorSeat(seat: FacilitatorSeat): void {
  write(FACILITATOR_PREFIX + seat.drill, seat);
}

export function participantSeat(): ParticipantSeat | null {
  const s = read<ParticipantSeat>(PARTICIPANT_KEY);
  return s && typeof s.token === "string" && typeof s.name === "string" ? s : null;
}

export function keepParticipantSeat(seat: ParticipantSeat | null): void {
  write(PARTICIPANT_KEY, seat);
}

/** The seat token in a join link's fragment (`#seat=<token>`), if any. */
export function seatFromHash(hash: string): string | null {
  const m = /^#?seat=([A-Za-z0-9_-]{16,128})$/.exec(hash);
  return m?.[1] ?? null;
}
