//! The scoring rules in one place: shares, decay, penalties and the rating rule.
//! `docs/scoring.md` explains each number; change them here and there together.

use serde::{Deserialize, Serialize};

use crate::time::ScenarioMs;

/// Every number scoring uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    /// Points an expected action is worth per unit of its weight (weight 25 → 250 points).
    pub points_per_weight: i64,
    /// Percent of an action's worth for being done at all (coverage).
    pub share_done: i64,
    /// Percent for being done by an owner, or by a role an owner handed it to (right owner).
    pub share_owner: i64,
    /// Percent for being done by the deadline (timeliness; decays linearly after it).
    pub share_timely: i64,
    /// Percent for its prerequisites having been done first (order).
    pub share_order: i64,
    /// Percent for the capability's Consulted and Informed roles having been told (communication).
    pub share_told: i64,
    /// Percent of a Consulted role's part kept when it was told only after the action was done.
    pub consulted_after_percent: i64,
    /// Shortest decay window: lateness at which the timeliness part reaches zero is the time the action
    /// was given (deadline minus when it was offered), but never less than this.
    pub decay_min: ScenarioMs,
    /// A message naming no action counts for an action when sent while it was open or this long after it
    /// was done.
    pub tell_grace: ScenarioMs,
    /// Percent of the worth of the action that completed a segregation-of-duties violation, taken off.
    pub sod_penalty_percent: i64,
    /// Percent of an action's worth taken off per other role that did it again (duplicated effort).
    pub duplicate_penalty_percent: i64,
    /// Shortest stretch without activity, while a role had open work, reported as an idle gap.
    pub idle_gap: ScenarioMs,
    /// Objective rating: "performed without challenges" needs every action done, no SoD violation and at
    /// least this percent of its points.
    pub rating_performed_percent: i64,
    /// "Performed with some challenges" needs at least this percent of its points.
    pub rating_some_percent: i64,
    /// Below this percent of the objective's weight done, it was "unable to be performed".
    pub rating_unable_below_percent: i64,
    /// Days from the drill to the due date of an improvement-plan item.
    pub plan_due_days: u32,
    /// Days for items about segregation of duties (a control gap, so sooner).
    pub plan_due_days_sod: u32,
}

/// The rules Muster scores with.
pub const RULES: Rules = Rules {
    points_per_weight: 10,
    share_done: 40,
    share_owner: 20,
    share_timely: 20,
    share_order: 10,
    share_told: 10,
    consulted_after_percent: 50,
    decay_min: ScenarioMs::from_mins(5),
    tell_grace: ScenarioMs::from_mins(15),
    sod_penalty_percent: 50,
    duplicate_penalty_percent: 20,
    idle_gap: ScenarioMs::from_mins(10),
    rating_performed_percent: 90,
    rating_some_percent: 70,
    rating_unable_below_percent: 50,
    plan_due_days: 30,
    plan_due_days_sod: 14,
};

impl Rules {
    /// The worth of an action of `weight`.
    pub fn worth(&self, weight: u32) -> i64 {
        i64::from(weight) * self.points_per_weight
    }

    /// `percent` of `worth`, rounded down.
    pub fn part(&self, worth: i64, percent: i64) -> i64 {
        worth * percent / 100
    }

    /// The timeliness points kept when `late` after the deadline, with `window` as the decay window.
    pub fn decayed(&self, full: i64, late: ScenarioMs, window: ScenarioMs) -> i64 {
        let window = window.max(self.decay_min).0 as i64;
        let late = (late.0 as i64).min(window);
        full * (window - late) / window
    }
}
