-- Live drills: who may connect to a drill. A document the live runtime replaces whole on each change
-- (the join code, the facilitator's and each seat's and participant's token as a SHA-256 hash, never the
-- token itself; who is admitted, removed, or holds which seat), written through the same writer as the log,
-- so a participant's token is durable before it is handed out and survives a crash of the server.
CREATE TABLE live_access (
    drill_id      TEXT    NOT NULL PRIMARY KEY REFERENCES drills (id),
    -- serde_json of muster_app::live access (see crates/muster-app/src/live/access.rs).
    access_json   TEXT    NOT NULL,
    saved_wall_ms INTEGER NOT NULL CHECK (saved_wall_ms >= 0)
) STRICT;
