//! The virtual clock: scenario time as a pure, invertible function of wall time, speed and pauses.
//!
//! Wall time comes from the caller as [`WallMs`]; speed is an integer ratio (milli-speed: 1000 = 1×), so
//! there is no floating point anywhere. A `now` earlier than one already seen is clamped: time never moves
//! backwards (the caller's contract, as in quinn-proto).

use serde::{Deserialize, Serialize};

use crate::time::ScenarioMs;

/// Milliseconds of wall-clock time, as the caller measures it (e.g. since the Unix epoch).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct WallMs(pub u64);

/// Drill speed as scenario milliseconds per 1000 wall milliseconds: 1000 is real time, 60 000 is 60×.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Speed(pub u32);

impl Speed {
    /// Real time.
    pub const REAL_TIME: Speed = Speed(1000);
    /// The fastest paced speed: 1000×.
    pub const MAX: Speed = Speed(1_000_000);

    /// A whole-number factor, e.g. `Speed::times(60)`; `None` outside 1..=1000.
    pub fn times(factor: u32) -> Option<Speed> {
        (1..=1000).contains(&factor).then(|| Speed(factor * 1000))
    }

    /// Whether this is a speed the engine accepts (1× to 1000×).
    pub fn is_valid(self) -> bool {
        (Speed::REAL_TIME.0..=Speed::MAX.0).contains(&self.0)
    }
}

impl std::fmt::Display for Speed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(1000) {
            write!(f, "{}×", self.0 / 1000)
        } else {
            write!(f, "{}.{:03}×", self.0 / 1000, self.0 % 1000)
        }
    }
}

/// Scenario time from wall time. Running: `anchor_scenario + (now - anchor_wall) * speed / 1000`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    anchor_wall: WallMs,
    anchor_scenario: ScenarioMs,
    speed: Speed,
    running: bool,
    latest: WallMs,
}

impl Clock {
    /// A stopped clock at T+0.
    pub fn new(speed: Speed) -> Clock {
        Clock {
            anchor_wall: WallMs(0),
            anchor_scenario: ScenarioMs::ZERO,
            speed,
            running: false,
            latest: WallMs(0),
        }
    }

    /// Clamps `now` so it never goes backwards, and remembers it.
    pub fn observe(&mut self, now: WallMs) -> WallMs {
        debug_assert!(now >= self.latest || self.latest == WallMs(0), "wall time went backwards");
        self.latest = self.latest.max(now);
        self.latest
    }

    /// Scenario time at `now` (which must not be earlier than the last observed time).
    pub fn at(&self, now: WallMs) -> ScenarioMs {
        if !self.running {
            return self.anchor_scenario;
        }
        let elapsed = now.0.max(self.anchor_wall.0) - self.anchor_wall.0;
        let scaled = u128::from(elapsed) * u128::from(self.speed.0) / 1000;
        ScenarioMs(self.anchor_scenario.0.saturating_add(u64::try_from(scaled).unwrap_or(u64::MAX)))
    }

    /// The earliest wall time at which scenario time reaches `t`; `None` while stopped.
    pub fn wall_of(&self, t: ScenarioMs) -> Option<WallMs> {
        if !self.running {
            return None;
        }
        let ahead = t.0.saturating_sub(self.anchor_scenario.0);
        // Ceiling division, so that at(wall_of(t)) >= t.
        let wall = (u128::from(ahead) * 1000).div_ceil(u128::from(self.speed.0));
        Some(WallMs(self.anchor_wall.0.saturating_add(u64::try_from(wall).unwrap_or(u64::MAX))))
    }

    /// Whether time is flowing.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// Current speed.
    pub fn speed(&self) -> Speed {
        self.speed
    }

    fn reanchor(&mut self, now: WallMs) {
        self.anchor_scenario = self.at(now);
        self.anchor_wall = now;
    }

    /// Starts or resumes the flow of time at `now`.
    pub fn run(&mut self, now: WallMs) {
        self.reanchor(now);
        self.running = true;
    }

    /// Stops the flow of time at `now`.
    pub fn stop(&mut self, now: WallMs) {
        self.reanchor(now);
        self.running = false;
    }

    /// Changes speed from `now` on; scenario time is continuous.
    pub fn set_speed(&mut self, now: WallMs, speed: Speed) {
        self.reanchor(now);
        self.speed = speed;
    }

    /// Jumps forward to scenario time `t` at `now` (never backwards).
    pub fn seek(&mut self, now: WallMs, t: ScenarioMs) {
        self.reanchor(now);
        self.anchor_scenario = self.anchor_scenario.max(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pause_speed_and_seek_keep_time_continuous() {
        let mut c = Clock::new(Speed::REAL_TIME);
        assert_eq!(c.at(WallMs(5_000)), ScenarioMs(0));
        c.run(WallMs(10_000));
        assert_eq!(c.at(WallMs(11_500)), ScenarioMs(1_500));
        c.set_speed(WallMs(12_000), Speed::times(60).expect("60x"));
        assert_eq!(c.at(WallMs(12_000)), ScenarioMs(2_000));
        assert_eq!(c.at(WallMs(13_000)), ScenarioMs(62_000));
        c.stop(WallMs(13_000));
        assert_eq!(c.at(WallMs(99_000)), ScenarioMs(62_000));
        assert_eq!(c.wall_of(ScenarioMs(70_000)), None);
        c.run(WallMs(100_000));
        c.seek(WallMs(100_000), ScenarioMs(600_000));
        assert_eq!(c.at(WallMs(100_000)), ScenarioMs(600_000));
        c.seek(WallMs(100_000), ScenarioMs(1));
        assert_eq!(c.at(WallMs(100_000)), ScenarioMs(600_000), "never backwards");
        let w = c.wall_of(ScenarioMs(600_061)).expect("running");
        assert!(c.at(w) >= ScenarioMs(600_061) && c.at(WallMs(w.0 - 1)) < ScenarioMs(600_061));
    }
}
