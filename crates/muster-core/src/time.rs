//! Time as integers: scenario time in milliseconds, human-readable durations ("90s", "1h30m").
//!
//! Never `f64`, never `std::time::Instant`: time arrives from the caller as plain numbers, so it can be
//! stored, replayed and built in a test.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Milliseconds of scenario time since the drill's T+0.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ScenarioMs(pub u64);

impl ScenarioMs {
    /// T+0.
    pub const ZERO: ScenarioMs = ScenarioMs(0);

    /// From whole minutes.
    pub const fn from_mins(mins: u64) -> ScenarioMs {
        ScenarioMs(mins * 60_000)
    }

    /// Adds, saturating at the maximum.
    #[must_use]
    pub fn saturating_add(self, other: ScenarioMs) -> ScenarioMs {
        ScenarioMs(self.0.saturating_add(other.0))
    }
}

impl fmt::Display for ScenarioMs {
    /// Scenario time as the UI shows it everywhere: `T+00:12:30`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1000;
        write!(f, "T+{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60)
    }
}

/// The longest duration a scenario may state anywhere: one week.
pub const MAX_DURATION: ScenarioMs = ScenarioMs(7 * 24 * 3_600_000);

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationError {
    /// Empty string.
    Empty,
    /// A number without a unit, or an unknown unit.
    BadUnit(String),
    /// Something that is not a number where one was expected.
    NotANumber,
    /// Units out of order or repeated ("30m1h", "5m5m").
    Order,
    /// Longer than [`MAX_DURATION`].
    TooLong,
}

impl fmt::Display for DurationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DurationError::Empty => f.write_str("empty duration"),
            DurationError::BadUnit(u) if u.is_empty() => f.write_str("number without a unit"),
            DurationError::BadUnit(u) => write!(f, "unknown unit `{u}`"),
            DurationError::NotANumber => f.write_str("expected a number"),
            DurationError::Order => f.write_str("units must go from hours to seconds, each once"),
            DurationError::TooLong => f.write_str("longer than a week"),
        }
    }
}

/// Parses "90s", "15m", "1h30m", "2h", "1h5m30s" (units h, m, s, in that order, each at most once).
pub fn parse_duration(text: &str) -> Result<ScenarioMs, DurationError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total: u64 = 0;
    let mut last_rank = 0u8;
    let mut rest = text;
    while !rest.is_empty() {
        let n_digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if n_digits == 0 {
            return Err(DurationError::NotANumber);
        }
        let (digits, tail) = rest.split_at(n_digits);
        let value: u64 = digits.parse().map_err(|_| DurationError::TooLong)?;
        let n_unit = tail.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, tail) = tail.split_at(n_unit);
        let (rank, ms_per) = match unit {
            "h" => (1, 3_600_000),
            "m" => (2, 60_000),
            "s" => (3, 1_000),
            other => return Err(DurationError::BadUnit(other.to_owned())),
        };
        if rank <= last_rank {
            return Err(DurationError::Order);
        }
        last_rank = rank;
        total = value.checked_mul(ms_per).and_then(|v| total.checked_add(v)).ok_or(DurationError::TooLong)?;
        rest = tail;
    }
    if total > MAX_DURATION.0 {
        return Err(DurationError::TooLong);
    }
    Ok(ScenarioMs(total))
}

/// Formats a duration the way authors write it: "1h30m", "90s", "0s".
pub fn format_duration(d: ScenarioMs) -> String {
    let secs = d.0 / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 || out.is_empty() {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expect: expect_test::Expect) {
        let actual = match parse_duration(input) {
            Ok(d) => format!("{} {}", d.0, format_duration(d)),
            Err(e) => format!("error: {e}"),
        };
        expect.assert_eq(&actual);
    }

    #[test]
    fn durations() {
        use expect_test::expect;
        check("90s", expect!["90000 1m30s"]);
        check("15m", expect!["900000 15m"]);
        check("1h30m", expect!["5400000 1h30m"]);
        check("1h5m30s", expect!["3930000 1h5m30s"]);
        check("0s", expect!["0 0s"]);
        check("", expect!["error: empty duration"]);
        check("15", expect!["error: number without a unit"]);
        check("15min", expect!["error: unknown unit `min`"]);
        check("30m1h", expect!["error: units must go from hours to seconds, each once"]);
        check("m", expect!["error: expected a number"]);
        check("200h", expect!["error: longer than a week"]);
        check("99999999999999999999h", expect!["error: longer than a week"]);
    }

    #[test]
    fn scenario_time_display() {
        assert_eq!(ScenarioMs(750_000).to_string(), "T+00:12:30");
        assert_eq!(ScenarioMs(5_400_000).to_string(), "T+01:30:00");
    }
}
