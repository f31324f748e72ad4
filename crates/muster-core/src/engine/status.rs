//! The control room's view of every inject: fired (when, how), upcoming (when, why), held, skipped,
//! averted, or waiting on a condition (which). A pure reading of the drill's state.

use serde::{Deserialize, Serialize};

use super::{Drill, Due, FiredBy, InjectPhase};
use crate::model::{ActionId, InjectId, RoleId};
use crate::time::ScenarioMs;
use crate::variables;

/// One inject as the facilitator sees it now.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectStatus {
    /// The inject.
    pub id: InjectId,
    /// Its headline, variables filled.
    pub title: String,
    /// Its recipients.
    pub to: Vec<RoleId>,
    /// Where it stands.
    pub state: InjectState,
}

/// Where an inject stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum InjectState {
    /// It reached its recipients.
    Fired {
        /// When.
        at: ScenarioMs,
        /// By its trigger or by the facilitator.
        by: FiredBy,
    },
    /// It has a time and will fire then (unless held or skipped first).
    Upcoming {
        /// When it falls due.
        at: ScenarioMs,
        /// Why then.
        why: Why,
    },
    /// It has no time yet: it waits for something to happen.
    Waiting {
        /// What.
        on: Waiting,
    },
    /// The facilitator holds it; it fires when released if it fell due meanwhile.
    Held {
        /// When it falls (or fell) due, if its trigger has a time yet.
        due: Option<ScenarioMs>,
    },
    /// The facilitator skipped it.
    Skipped,
    /// An escalation not needed: its action was done in time.
    Averted {
        /// The action that was done.
        action: ActionId,
    },
}

/// Why an upcoming inject falls due when it does.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Why {
    /// Scheduled at a fixed time.
    Scheduled,
    /// A delay after another inject fired.
    AfterInject {
        /// That inject.
        inject: InjectId,
    },
    /// A delay after an action was done.
    AfterAction {
        /// That action.
        action: ActionId,
    },
    /// An escalation: it fires then unless the action is done by then.
    UnlessDone {
        /// The action that averts it.
        action: ActionId,
    },
}

/// What a conditional inject waits for.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Waiting {
    /// Another inject to fire (it follows that one after a delay).
    Inject {
        /// That inject.
        inject: InjectId,
        /// The delay after it.
        delay: ScenarioMs,
    },
    /// An action to be done (it follows after a delay).
    Action {
        /// That action.
        action: ActionId,
        /// The delay after it.
        delay: ScenarioMs,
    },
    /// The facilitator's cue: it fires only when fired by hand.
    Cue,
}

impl Drill {
    /// Every scenario inject's status, in scenario order (ad-hoc injects are in the log only).
    pub fn inject_status(&self) -> Vec<InjectStatus> {
        (0..self.injects.len()).map(|i| self.status_of(i)).collect()
    }

    fn status_of(&self, idx: usize) -> InjectStatus {
        let inject = &self.scenario.injects[idx];
        let state = match (&self.injects[idx], self.dues[idx]) {
            (InjectPhase::Fired(at, by), _) => InjectState::Fired { at: *at, by: *by },
            (InjectPhase::Skipped, _) => InjectState::Skipped,
            (InjectPhase::Averted, Due::NotDoneBy(a, _)) => {
                InjectState::Averted { action: self.actions[a].id.clone() }
            }
            (InjectPhase::Averted, _) => InjectState::Skipped,
            (InjectPhase::Held, _) => InjectState::Held { due: self.inject_due(idx) },
            (InjectPhase::Waiting, due) => match (self.inject_due(idx), due) {
                (Some(at), Due::At(_)) => InjectState::Upcoming { at, why: Why::Scheduled },
                (Some(at), Due::NotDoneBy(a, _)) => {
                    InjectState::Upcoming { at, why: Why::UnlessDone { action: self.actions[a].id.clone() } }
                }
                (Some(at), Due::AfterInject(i, _)) => InjectState::Upcoming {
                    at,
                    why: Why::AfterInject { inject: self.scenario.injects[i].id.clone() },
                },
                (Some(at), Due::AfterAction(a, _)) => {
                    InjectState::Upcoming { at, why: Why::AfterAction { action: self.actions[a].id.clone() } }
                }
                (None, Due::AfterInject(i, delay)) => InjectState::Waiting {
                    on: Waiting::Inject { inject: self.scenario.injects[i].id.clone(), delay },
                },
                (None, Due::AfterAction(a, delay)) => {
                    InjectState::Waiting { on: Waiting::Action { action: self.actions[a].id.clone(), delay } }
                }
                (_, _) => InjectState::Waiting { on: Waiting::Cue },
            },
        };
        InjectStatus {
            id: inject.id.clone(),
            title: variables::fill(&inject.title, &self.values),
            to: inject.to.clone(),
            state,
        }
    }
}
