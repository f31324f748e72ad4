//! The runtime's wall clock: monotonic, anchored once, never before what the log already holds.
//!
//! Wall time is read from the system clock once, when the drill's runner starts; from then on it advances
//! with tokio's monotonic `Instant` (so a system clock stepped backwards cannot move a drill back, and tests
//! on tokio's paused clock run on virtual time). A resumed drill never sees a time before its last logged
//! input.

use muster_core::engine::WallMs;
use tokio::time::Instant;

/// Wall milliseconds from one anchor.
#[derive(Debug, Clone, Copy)]
pub struct LiveClock {
    anchor: Instant,
    anchor_wall: WallMs,
}

impl LiveClock {
    /// A clock reading `wall` now, or `floor` if that is later (the last logged input of a resumed drill).
    pub fn new(wall: WallMs, floor: WallMs) -> LiveClock {
        LiveClock { anchor: Instant::now(), anchor_wall: wall.max(floor) }
    }

    /// Now.
    pub fn now(&self) -> WallMs {
        let elapsed = u64::try_from(self.anchor.elapsed().as_millis()).unwrap_or(u64::MAX);
        WallMs(self.anchor_wall.0.saturating_add(elapsed))
    }

    /// The instant at which it will read `wall` (now, if that has passed).
    pub fn instant_of(&self, wall: WallMs) -> Instant {
        let ahead = wall.0.saturating_sub(self.anchor_wall.0);
        self.anchor + std::time::Duration::from_millis(ahead)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_goes_back_and_maps_deadlines_to_instants() {
        let clock = LiveClock::new(WallMs(1_000), WallMs(5_000));
        assert_eq!(clock.now(), WallMs(5_000), "a resumed drill starts at its last logged input");
        tokio::time::advance(std::time::Duration::from_millis(1_500)).await;
        assert_eq!(clock.now(), WallMs(6_500));
        let at = clock.instant_of(WallMs(7_000));
        tokio::time::sleep_until(at).await;
        assert_eq!(clock.now(), WallMs(7_000));
    }
}
