-- The drill log: drills, their inputs, and the events each input produced.
-- Inputs and events are append-only (the triggers below refuse UPDATE and DELETE); only a drill's
-- `state` column changes, in the same transaction as the input that changed it.

-- One row per run of a scenario. The scenario and model texts are kept as loaded, so that a later
-- edit of the files cannot change what a replay runs.
CREATE TABLE drills (
    -- 10 base-32 digits of created_wall_ms + a 2-digit counter (see the crate docs).
    id               TEXT    NOT NULL PRIMARY KEY,
    scenario_id      TEXT    NOT NULL,
    scenario_version TEXT    NOT NULL,
    scenario_text    TEXT    NOT NULL,
    model_text       TEXT    NOT NULL,
    -- serde_json of muster_core::engine::DrillSetup.
    setup_json       TEXT    NOT NULL,
    team             TEXT,
    created_wall_ms  INTEGER NOT NULL CHECK (created_wall_ms >= 0),
    state            TEXT    NOT NULL CHECK (state IN ('not_started', 'running', 'paused', 'ended'))
) STRICT;

CREATE INDEX drills_by_created ON drills (created_wall_ms DESC, id DESC);

-- Inputs and events are rowid tables, so rows land in append order and a commit that appends to many
-- drills writes few table pages; their primary keys are separate, narrow indexes. (Clustering them by
-- drill, WITHOUT ROWID, cost up to half the group-commit throughput with 200 drills appending at once, and
-- SQLite advises against it for rows this large.)

-- The engine's inputs (commands with their wall time, timer firings), numbered from 1 per drill.
CREATE TABLE inputs (
    drill_id   TEXT    NOT NULL REFERENCES drills (id),
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    wall_ms    INTEGER NOT NULL CHECK (wall_ms >= 0),
    -- serde_json of muster_core::engine::Input.
    input_json TEXT    NOT NULL,
    PRIMARY KEY (drill_id, seq)
) STRICT;

-- The events, numbered as the engine numbered them (Event.seq, from 1 per drill, dense), each with
-- the input that produced it.
CREATE TABLE events (
    drill_id      TEXT    NOT NULL,
    seq           INTEGER NOT NULL CHECK (seq >= 1),
    input_seq     INTEGER NOT NULL,
    at_ms         INTEGER NOT NULL CHECK (at_ms >= 0),
    -- The EventKind variant's name, e.g. 'InjectFired', for queries. Not indexed: a query by kind
    -- scans one drill's events through the primary key, and every index costs each commit a page
    -- per drill.
    kind          TEXT    NOT NULL,
    -- serde_json of muster_core::engine::Audience.
    audience_json TEXT    NOT NULL,
    -- serde_json of the whole muster_core::engine::Event: what is read back.
    event_json    TEXT    NOT NULL,
    PRIMARY KEY (drill_id, seq),
    FOREIGN KEY (drill_id, input_seq) REFERENCES inputs (drill_id, seq)
) STRICT;

CREATE TRIGGER inputs_append_only_update BEFORE UPDATE ON inputs
BEGIN
    SELECT RAISE(ABORT, 'inputs are append-only');
END;

CREATE TRIGGER inputs_append_only_delete BEFORE DELETE ON inputs
BEGIN
    SELECT RAISE(ABORT, 'inputs are append-only');
END;

CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
