// Generated from the Rust constants by muster-protocol's tests. Do not edit.

/** Longest display or team name, in characters (`MAX_NAME_CHARS`). */
export const MAX_NAME_CHARS = 80;
/** Longest text of a message, note or inject, in characters (`MAX_TEXT_CHARS`). */
export const MAX_TEXT_CHARS = 4000;
/** An open action counts as due soon this long before its deadline, in scenario ms (`board::DUE_SOON_MS`). */
export const DUE_SOON_MS = 300000;
