//! Replay: a stored drill's inputs through a fresh engine, checked against its stored events.
//!
//! This is the replay contract of `muster-core` checked from the store's side: the texts stored with the
//! drill are loaded again, every input is fed in order, and each produced event must equal the logged
//! one, after the same input. The log is read in pages, so a long drill never sits in memory twice.
//! Replay only reads; it never repairs the log.

use muster_core::engine::{Actor, Command, Drill, DrillState, Event, Input, WallMs};
use muster_core::{Diagnostic, Severity, load_stored_model, load_stored_scenario};

use crate::codec;
use crate::{DrillId, Store, StoreError};

/// Rows read per page.
const PAGE: u32 = 4096;

/// Replays a stored drill through a fresh engine (model and scenario loaded from the stored texts,
/// `Drill::new(scenario, setup)`, every input fed with `Drill::input`) and checks the produced events
/// equal the stored ones. Returns the drill in its replayed state, or [`StoreError::ReplayMismatch`]
/// naming the first difference (a missing or extra event is one too), or [`StoreError::ReplayState`]
/// when the events agree but the final state differs from the stored one.
pub async fn replay(store: &Store, id: &DrillId) -> Result<Drill, StoreError> {
    replay_with_last_wall(store, id).await.map(|(drill, _)| drill)
}

/// Resumes an unfinished drill after a stop or a crash: replays its log (checked as [`replay`] checks it)
/// to the identical state, and if the clock was running, pauses it at the wall time of the last logged
/// input, so that scenario time stands exactly where the log left it however long the drill was down. That
/// pause is logged like any input, so the log still replays. The facilitator then resumes.
pub async fn resume(store: &Store, id: &DrillId) -> Result<Drill, StoreError> {
    let (mut drill, last_wall) = replay_with_last_wall(store, id).await?;
    if drill.state() == DrillState::Running {
        let input = Input::Command { now: last_wall, actor: Actor::Facilitator, command: Command::Pause };
        let outcome = drill.input(&input);
        store.writer().append(id, input, outcome.events, drill.state()).await?;
    }
    Ok(drill)
}

fn wall_of(input: &Input) -> WallMs {
    match input {
        Input::Command { now, .. } | Input::Timeout { now } => *now,
    }
}

async fn replay_with_last_wall(store: &Store, id: &DrillId) -> Result<(Drill, WallMs), StoreError> {
    let record = store.drill(id).await?;
    let loaded = load_stored_model(&record.model_text);
    let model = loaded.value.ok_or_else(|| stored_text(id, "model", &loaded.diagnostics))?;
    let loaded = load_stored_scenario(&record.scenario_text, &model);
    let scenario = loaded.scenario.ok_or_else(|| stored_text(id, "scenario", &loaded.diagnostics))?;
    let mut drill = Drill::new(scenario, record.setup);
    let mut log = EventLog { store, id, page: Vec::new().into_iter(), last: 0 };
    let mut last_input = 0;
    let mut last_wall = WallMs(0);
    loop {
        let inputs = store.input_page(id, last_input, PAGE).await?;
        let Some(&(last, _)) = inputs.last() else { break };
        last_input = last;
        for (input_seq, input) in inputs {
            last_wall = last_wall.max(wall_of(&input));
            for event in drill.input(&input).events {
                let logged = log.next().await?;
                check(logged.as_ref(), input_seq, &event)?;
            }
        }
    }
    // A drill being run while it is replayed may have grown since its inputs were read: events of later
    // inputs are not a difference, and its state is then newer than the record's.
    if let Some((input_seq, extra)) = log.next().await?
        && input_seq <= last_input
    {
        return Err(mismatch(extra.seq, Some(&extra), None));
    }
    if last_input == record.n_inputs && drill.state() != record.state {
        return Err(StoreError::ReplayState {
            expected: codec::state_text(record.state).to_owned(),
            actual: codec::state_text(drill.state()).to_owned(),
        });
    }
    Ok((drill, last_wall))
}

/// The stored events of a drill, read a page at a time.
struct EventLog<'a> {
    store: &'a Store,
    id: &'a DrillId,
    page: std::vec::IntoIter<(u64, Event)>,
    last: u64,
}

impl EventLog<'_> {
    /// The next logged event with the seq of its input, `None` after the last.
    async fn next(&mut self) -> Result<Option<(u64, Event)>, StoreError> {
        if self.page.len() == 0 {
            self.page = self.store.event_page(self.id, self.last, PAGE).await?.into_iter();
        }
        let next = self.page.next();
        if let Some((_, event)) = &next {
            self.last = event.seq;
        }
        Ok(next)
    }
}

fn check(logged: Option<&(u64, Event)>, input_seq: u64, replayed: &Event) -> Result<(), StoreError> {
    match logged {
        None => Err(mismatch(replayed.seq, None, Some(replayed))),
        Some((_, logged)) if logged != replayed => Err(mismatch(logged.seq, Some(logged), Some(replayed))),
        Some((logged_input, logged)) if *logged_input != input_seq => Err(StoreError::ReplayMismatch {
            seq: logged.seq,
            expected: format!("{logged} after input #{logged_input}"),
            actual: format!("{replayed} after input #{input_seq}"),
        }),
        Some(_) => Ok(()),
    }
}

/// The difference between a logged and a replayed event, shown with `Display` (or `Debug` when the
/// `Display` lines are equal, since `Display` leaves some fields out).
fn mismatch(seq: u64, logged: Option<&Event>, replayed: Option<&Event>) -> StoreError {
    let show = |e: Option<&Event>, debug: bool| match e {
        None => "<no event>".to_owned(),
        Some(e) if debug => format!("{e:?}"),
        Some(e) => e.to_string(),
    };
    let (mut expected, mut actual) = (show(logged, false), show(replayed, false));
    if expected == actual {
        (expected, actual) = (show(logged, true), show(replayed, true));
    }
    StoreError::ReplayMismatch { seq, expected, actual }
}

fn stored_text(drill: &DrillId, what: &'static str, diagnostics: &[Diagnostic]) -> StoreError {
    let message = diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .map_or_else(|| "no value".to_owned(), |d| d.message.clone());
    StoreError::StoredText { drill: drill.clone(), what, message }
}
