//! The step every runner takes: feed one input to the engine and say what the log must hold so that a
//! replay reproduces it. `muster simulate` and the live runtime both go through [`apply`].

use muster_core::engine::{Drill, Input, Outcome};
use muster_store::{DrillId, Receipt, StoreError, Writer};

/// One input applied to a drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// What the engine said.
    pub outcome: Outcome,
    /// What to log: the input, a timeout standing for a refused command that fired timers, or nothing
    /// (a retry, a refusal with nothing due, a command that changed nothing).
    pub logged: Option<Input>,
}

/// Feeds `input` to `drill` (the engine's one mutator) and works out what to log.
pub fn apply(drill: &mut Drill, input: &Input) -> Applied {
    Applied::new(input, drill.input(input))
}

impl Applied {
    /// What `outcome`, the engine's answer to `input`, asks the log to hold (for a runner such as the
    /// simulation that fed the engine itself).
    pub fn new(input: &Input, outcome: Outcome) -> Applied {
        Applied { logged: outcome.loggable(input), outcome }
    }

    /// Queues what must be logged on the writer, in order; the receipt resolves once it is durable.
    /// `None` when there is nothing to log.
    pub async fn enqueue(
        &self,
        writer: &Writer,
        id: &DrillId,
        drill: &Drill,
    ) -> Result<Option<Receipt>, StoreError> {
        let Some(input) = &self.logged else { return Ok(None) };
        let receipt = writer.enqueue(id, input.clone(), self.outcome.events.clone(), drill.state()).await?;
        Ok(Some(receipt))
    }
}
