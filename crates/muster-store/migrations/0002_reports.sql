-- What the after-action report needs beyond the log: who facilitated, and the improvement plan as the
-- facilitator edited it.

-- The facilitator's name, shown in the report's overview.
ALTER TABLE drills ADD COLUMN facilitator TEXT;

-- A drill's improvement plan: a document the facilitator edits before export (not part of the log, so it
-- is replaced as a whole on each save). No row: nobody edited it yet, and the report shows the draft
-- generated from the findings. The next drill of the same scenario and team carries its open items over.
CREATE TABLE plans (
    drill_id      TEXT    NOT NULL PRIMARY KEY REFERENCES drills (id),
    -- serde_json of a Vec<muster_core::score::PlanItem>.
    plan_json     TEXT    NOT NULL,
    saved_wall_ms INTEGER NOT NULL CHECK (saved_wall_ms >= 0)
) STRICT;
