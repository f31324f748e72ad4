//! How values become columns and back: drill ids, state names, integers, JSON.
//!
//! Pure functions only; this module never touches the database.

use muster_core::engine::{DrillState, Event, Input};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{DrillId, StoreError};

/// Crockford's base-32 alphabet in lower case; ASCII order equals digit order, so ids sort by value.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Characters of the time part of a drill id: 10 × 5 bits = 50 bits of milliseconds (35 000 years).
const TIME_CHARS: usize = 10;
/// Characters of the counter part of a drill id.
const COUNTER_CHARS: usize = 2;
/// Drills that can be created within one millisecond.
pub(crate) const COUNTER_MAX: u32 = 1 << (5 * COUNTER_CHARS);

/// The id prefix of drills created at `created_wall_ms`: 10 base-32 characters of the time.
pub(crate) fn id_prefix(created_wall_ms: u64) -> Result<String, StoreError> {
    if created_wall_ms >> (5 * TIME_CHARS) != 0 {
        return Err(StoreError::OutOfRange { what: "creation time", value: created_wall_ms });
    }
    Ok(base32(created_wall_ms, TIME_CHARS))
}

/// A drill id: `prefix` followed by `counter` in two base-32 characters (`counter < COUNTER_MAX`).
pub(crate) fn drill_id(prefix: &str, counter: u32) -> DrillId {
    DrillId(format!("{prefix}{}", base32(u64::from(counter), COUNTER_CHARS)))
}

/// The counter part of a drill id of this prefix, if `id` is one.
pub(crate) fn id_counter(id: &str) -> Option<u32> {
    let tail = id.as_bytes().get(TIME_CHARS..)?;
    if tail.len() != COUNTER_CHARS {
        return None;
    }
    tail.iter().try_fold(0u32, |acc, c| {
        let digit = ALPHABET.iter().position(|a| a == c)?;
        Some(acc * 32 + u32::try_from(digit).ok()?)
    })
}

fn base32(mut value: u64, width: usize) -> String {
    let mut out = vec![b'0'; width];
    for slot in out.iter_mut().rev() {
        // `value % 32` is below 32, so the index is in bounds and the cast lossless.
        *slot = ALPHABET[(value % 32) as usize];
        value /= 32;
    }
    out.into_iter().map(char::from).collect()
}

/// The `state` column's text of a drill state.
pub(crate) fn state_text(state: DrillState) -> &'static str {
    match state {
        DrillState::NotStarted => "not_started",
        DrillState::Running => "running",
        DrillState::Paused => "paused",
        DrillState::Ended => "ended",
    }
}

/// The drill state of a `state` column's text.
pub(crate) fn parse_state(drill: &DrillId, text: &str) -> Result<DrillState, StoreError> {
    Ok(match text {
        "not_started" => DrillState::NotStarted,
        "running" => DrillState::Running,
        "paused" => DrillState::Paused,
        "ended" => DrillState::Ended,
        other => return Err(corrupt(drill, format!("unknown state `{other}`"))),
    })
}

/// A u64 as SQLite's signed integer.
pub(crate) fn to_i64(what: &'static str, value: u64) -> Result<i64, StoreError> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange { what, value })
}

/// A stored signed integer as the u64 it was written from.
pub(crate) fn to_u64(drill: &DrillId, what: &str, value: i64) -> Result<u64, StoreError> {
    u64::try_from(value).map_err(|_| corrupt(drill, format!("negative {what} {value}")))
}

pub(crate) fn to_json(what: &'static str, value: &impl Serialize) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Encode { what, source: e.into() })
}

pub(crate) fn from_json<T: DeserializeOwned>(
    drill: &DrillId,
    what: &str,
    text: &str,
) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| corrupt(drill, format!("{what} does not decode: {e}")))
}

pub(crate) fn corrupt(drill: &DrillId, detail: String) -> StoreError {
    StoreError::Corrupt { drill: drill.clone(), detail }
}

/// An input ready for its row.
#[derive(Debug)]
pub(crate) struct InputRow {
    pub wall_ms: i64,
    pub json: String,
}

/// An event ready for its row.
#[derive(Debug)]
pub(crate) struct EventRow {
    pub seq: u64,
    pub at_ms: i64,
    pub kind: String,
    pub audience_json: String,
    pub json: String,
}

pub(crate) fn input_row(input: &Input) -> Result<InputRow, StoreError> {
    let (Input::Command { now, .. } | Input::Timeout { now }) = input;
    Ok(InputRow { wall_ms: to_i64("input wall time", now.0)?, json: to_json("input", input)? })
}

pub(crate) fn event_row(event: &Event) -> Result<EventRow, StoreError> {
    to_i64("event sequence number", event.seq)?;
    Ok(EventRow {
        seq: event.seq,
        at_ms: to_i64("event scenario time", event.at.0)?,
        kind: kind_name(event)?,
        audience_json: to_json("event audience", &event.audience)?,
        json: to_json("event", event)?,
    })
}

/// The serialized name of the event's `EventKind` variant (`"InjectFired"`), for queries by kind.
fn kind_name(event: &Event) -> Result<String, StoreError> {
    let value = serde_json::to_value(&event.kind)
        .map_err(|e| StoreError::Encode { what: "event kind", source: e.into() })?;
    // serde's externally tagged enums: a unit variant is its name, any other an object of one key.
    match value {
        serde_json::Value::String(name) => Ok(name),
        serde_json::Value::Object(map) if map.len() == 1 => Ok(map.into_iter().map(|(k, _)| k).collect()),
        other => Ok(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_by_time_then_counter_and_round_trip() {
        let a = drill_id(&id_prefix(1_764_000_000_000).expect("in range"), 0);
        let b = drill_id(&id_prefix(1_764_000_000_000).expect("in range"), 31);
        let c = drill_id(&id_prefix(1_764_000_000_001).expect("in range"), 0);
        assert_eq!(a.0.len(), TIME_CHARS + COUNTER_CHARS);
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(id_counter(&b.0), Some(31));
        assert_eq!(id_counter(&drill_id("0000000000", COUNTER_MAX - 1).0), Some(COUNTER_MAX - 1));
        assert_eq!(id_counter("short"), None);
        assert!(id_prefix(1 << 50).is_err());
    }
}
