//! `muster simulate`, `drills`, `log`, `replay`: drills run headless and the durable log read back.
//!
//! The simulation itself is `muster_core::sim`; the log is `muster_store`. This module only paces,
//! persists, shows progress and prints summaries.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use muster_core::engine::{ActionPhase, Drill, DrillState, Event, Speed, WallMs};
use muster_core::score::Outcome;
use muster_core::sim::{SimConfig, Simulation, Team};
use muster_core::text::neutralize;
use muster_core::{ResponsibilityModel, Scenario, format_duration};
use muster_store::{DrillId, Store, StoreError};

use crate::{exit, render};

/// How fast a simulation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Scenario time runs `speed` times real time; the CLI sleeps between inputs.
    Paced(Speed),
    /// Virtual time jumps to the next deadline: as fast as the machine allows.
    Max,
}

/// Parses `--speed`: a factor ≥ 1 (decimals allowed, up to 1000) or `max`.
pub fn parse_pace(text: &str) -> Result<Pace, String> {
    if text == "max" {
        return Ok(Pace::Max);
    }
    let factor: f64 = text.parse().map_err(|_| format!("`{text}` is not a number or `max`"))?;
    if !(1.0..=1000.0).contains(&factor) {
        return Err(format!("speed {text} is outside 1 to 1000 (or use `max`)"));
    }
    // Integer milli-speed from here on: the engine never sees floating point.
    #[expect(clippy::cast_possible_truncation, clippy::cast_sign_loss, reason = "checked to lie in 1..=1000")]
    let milli = (factor * 1000.0).round() as u32;
    Ok(Pace::Paced(Speed(milli)))
}

/// Parses `--team`.
pub fn parse_team(text: &str) -> Result<Team, String> {
    Team::from_name(text).ok_or_else(|| {
        let names: Vec<&str> = Team::ALL.iter().map(|t| t.name()).collect();
        format!("unknown team profile `{text}`; one of: {}", names.join(", "))
    })
}

pub fn wall_now() -> WallMs {
    WallMs(muster_app::setup::wall_now_ms())
}

/// A scenario argument: a path to a file, or the id of a scenario under `./scenarios/` or the user library.
fn scenario_path(arg: &str) -> anyhow::Result<PathBuf> {
    let path = PathBuf::from(arg);
    if path.is_file() {
        return Ok(path);
    }
    let local = Path::new("scenarios").join(format!("{arg}.ron"));
    if local.is_file() {
        return Ok(local);
    }
    let user = muster_library::user_library_dir()?.join(format!("{arg}.ron"));
    if user.is_file() {
        return Ok(user);
    }
    bail!(
        "no scenario `{arg}`: not a file, and not in ./scenarios/ or {}",
        user.parent().map_or_else(String::new, |p| p.display().to_string())
    )
}

/// Loads and validates a scenario and its model; prints diagnostics and returns `None` when invalid.
fn load(arg: &str) -> anyhow::Result<Option<(Scenario, ResponsibilityModel, String, String)>> {
    let path = scenario_path(arg)?;
    let files = muster_library::check_paths(std::slice::from_ref(&path), None)?;
    let Some(file) = files.into_iter().next() else { bail!("nothing to simulate in {}", path.display()) };
    if !file.is_ok() {
        let style = render::Style::detect();
        let shown = render::Shown::new(&file.text);
        for d in &file.diagnostics {
            eprint!("{}", render::human_diagnostic(&file, &shown, d, style));
        }
        return Ok(None);
    }
    let model_path = path.parent().unwrap_or(Path::new(".")).join(muster_library::MODEL_FILE);
    let model_text = std::fs::read_to_string(&model_path)
        .with_context(|| format!("cannot read {}", model_path.display()))?;
    let model = muster_core::load_model(&model_text).value.context("the model has errors")?;
    match file.scenario {
        Some(s) => Ok(Some((s, model, file.text, model_text))),
        None => Ok(None),
    }
}

pub async fn open_store(db: Option<&Path>) -> anyhow::Result<Store> {
    let path = db_path(db)?;
    Store::open(&path).await.with_context(|| format!("cannot open the drill database {}", path.display()))
}

/// Opens the database for a command that only reads (`drills`, `report`, `log`): it creates nothing and
/// changes nothing, and refuses a file that is not a Muster drill log.
pub async fn open_store_read_only(db: Option<&Path>) -> Result<Store, StoreError> {
    let path = db_path(db).map_err(|_| StoreError::NoDataDir)?;
    Store::open_read_only(&path).await
}

fn db_path(db: Option<&Path>) -> anyhow::Result<PathBuf> {
    Ok(match db {
        Some(p) => p.to_owned(),
        None => Store::default_path()?,
    })
}

/// Options of `muster simulate`.
pub struct SimulateOptions<'a> {
    /// Scenario path or id.
    pub scenario: &'a str,
    /// Team profile.
    pub team: Team,
    /// Number of bots.
    pub participants: Option<usize>,
    /// Pace.
    pub pace: Pace,
    /// Seed; drawn from the clock when absent.
    pub seed: Option<u64>,
    /// Database file.
    pub db: Option<&'a Path>,
}

/// Runs a whole drill with bots, logs it durably, prints a summary and the drill id.
pub async fn simulate(opts: SimulateOptions<'_>) -> anyhow::Result<u8> {
    let Some((scenario, model, scenario_text, model_text)) = load(opts.scenario)? else {
        return Ok(exit::PROBLEMS);
    };
    let seed = opts.seed.unwrap_or_else(|| wall_now().0 ^ 0x5eed);
    let speed = match opts.pace {
        Pace::Paced(s) => s,
        Pace::Max => Speed::REAL_TIME,
    };
    let start = wall_now();
    let config = SimConfig { seed, team: opts.team, participants: opts.participants, speed, start };
    let duration = scenario.duration;
    let title = scenario.title.clone();
    let store = open_store(opts.db).await?;
    let mut sim = Simulation::new(scenario, &model, &config);
    let id = create_drill(&store, &sim, scenario_text, model_text, opts.team, start).await?;
    let writer = store.writer();
    let progress = Progress::new(&title, duration.0);
    let real_start = Instant::now();
    let mut n_events = 0u64;
    let mut events = Vec::new();
    while let Some(step) = sim.step() {
        if let Pace::Paced(_) = opts.pace {
            let due = Duration::from_millis(sim.now().0.saturating_sub(start.0));
            if let Some(wait) = due.checked_sub(real_start.elapsed()) {
                tokio::time::sleep(wait).await;
            }
        }
        n_events += step.outcome.events.len() as u64;
        events.extend(step.outcome.events.iter().cloned());
        // The same step as the live runtime's: log what replays (nothing for a refusal that changed nothing).
        let applied = muster_app::step::Applied::new(&step.input, step.outcome);
        if let Some(receipt) = applied.enqueue(&writer, &id, sim.drill()).await? {
            receipt.await?;
        }
        progress.set(sim.drill().scenario_time(sim.now()).0, n_events);
    }
    progress.finish();
    store.close().await;
    let drill = sim.drill();
    let run = Run { id: &id, seed, team: opts.team, took: real_start.elapsed() };
    // Labels and names come from files: shown as text, never obeyed by the terminal.
    print!("{}", neutralize(&summary(drill, &model, &events, &run)));
    Ok(exit::OK)
}

/// Records a new drill with exactly the setup the simulation runs with, so that its log replays.
async fn create_drill(
    store: &Store,
    sim: &Simulation,
    scenario_text: String,
    model_text: String,
    team: Team,
    start: WallMs,
) -> anyhow::Result<DrillId> {
    let meta = muster_app::setup::DrillMeta {
        setup: sim.drill().setup().clone(),
        team: Some(team.name().to_owned()),
        facilitator: Some("muster simulate".to_owned()),
        created_wall_ms: start.0,
    };
    Ok(muster_app::setup::create_drill(store, sim.drill().scenario(), scenario_text, model_text, meta)
        .await?)
}

/// The progress bar on a terminal, plain lines every tenth of the drill otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: u64,
    last_tenth: std::cell::Cell<u64>,
}

impl Progress {
    fn new(title: &str, total_ms: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total_ms);
            let style = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {prefix}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
            bar.set_style(style.progress_chars("=> "));
            bar.set_message(neutralize(title).into_owned());
            bar
        });
        Progress { bar, total: total_ms.max(1), last_tenth: std::cell::Cell::new(0) }
    }

    fn set(&self, scenario_ms: u64, n_events: u64) {
        let t = muster_core::ScenarioMs(scenario_ms);
        match &self.bar {
            Some(bar) => {
                bar.set_position(scenario_ms.min(self.total));
                bar.set_prefix(format!("{t} · {n_events} events"));
            }
            None => {
                let tenth = scenario_ms * 10 / self.total;
                if tenth > self.last_tenth.get() {
                    self.last_tenth.set(tenth);
                    eprintln!("{t}  {n_events} events");
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// One screen: what was done, by whom, late or missed, and the score; then the drill id.
fn summary(drill: &Drill, model: &ResponsibilityModel, events: &[Event], run: &Run) -> String {
    let s = drill.scenario();
    let score = muster_core::score::score(s, model, events);
    let role_name =
        |r: &muster_core::RoleId| model.role(r.as_str()).map_or_else(|| r.0.clone(), |x| x.name.clone());
    let mut out = format!(
        "{} — team {}, seed {}, {} bots\n\n",
        s.title,
        run.team.name(),
        run.seed,
        drill.participants().len()
    );
    let (mut late, mut outside) = (0, 0);
    for a in score.actions.iter().filter(|a| a.in_play) {
        let owners: Vec<String> = a.owners.iter().map(role_name).collect();
        let deadline = a.deadline.map_or_else(|| "no deadline".to_owned(), |d| format!("due {d}"));
        let line = match &a.outcome {
            Outcome::Done { by, role, at } => {
                let lane = if a.right_owner {
                    String::new()
                } else {
                    format!(", outside {}'s lane", owners.join("/"))
                };
                late += usize::from(a.late_by.is_some());
                outside += usize::from(!a.right_owner);
                let mark = if a.late_by.is_some() { "late  " } else { "done  " };
                format!("{mark} {} — {} as {} at {at} ({deadline}{lane})", a.label, by, role_name(role))
            }
            _ => format!("missed {} — owner {} ({deadline})", a.label, owners.join("/")),
        };
        out.push_str(&line);
        out.push('\n');
    }
    let t = &score.team;
    let on_time = t.done as usize - late;
    out.push_str(&format!(
        "\nScore {}/100: {on_time} of {} expected actions on time, {late} late, {} missed, {outside} outside the owner's lane.\n",
        t.score,
        t.in_play,
        t.in_play - t.done,
    ));
    out.push_str(&format!(
        "Simulated {} of scenario time in {:.1} s. The after-action report: muster report {}\n",
        format_duration(s.duration),
        run.took.as_secs_f64(),
        run.id
    ));
    out.push_str(&format!("drill {}\n", run.id));
    out
}

/// What a simulation run was, for its summary.
struct Run<'a> {
    id: &'a DrillId,
    seed: u64,
    team: Team,
    took: Duration,
}

/// Output formats of `muster drills`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// Aligned columns.
    Table,
    /// One JSON object per drill, one per line.
    Json,
}

/// `muster drills`.
pub async fn list(db: Option<&Path>, format: ListFormat) -> anyhow::Result<u8> {
    let store = match open_store_read_only(db).await {
        Ok(store) => Some(store),
        // Nothing logged yet is an empty list, not an error; and no file is made to say so.
        Err(StoreError::NoDatabase(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let drills = match &store {
        Some(store) => store.drills().await?,
        None => Vec::new(),
    };
    let mut out = std::io::stdout().lock();
    match format {
        ListFormat::Json => {
            for d in &drills {
                let line = serde_json::json!({
                    "id": d.id.to_string(), "scenario": d.scenario_id, "version": d.scenario_version,
                    "started": started(d.created_wall_ms), "state": format!("{:?}", d.state).to_lowercase(),
                    "team": d.team, "inputs": d.n_inputs, "events": d.n_events, "seed": d.setup.seed,
                });
                writeln!(out, "{line}")?;
            }
        }
        ListFormat::Table => {
            writeln!(
                out,
                "{:<28} {:<24} {:<20} {:<11} {:>7}",
                "DRILL", "SCENARIO", "STARTED (UTC)", "STATE", "EVENTS"
            )?;
            for d in &drills {
                let state = format!("{:?}", d.state).to_lowercase();
                let line = format!(
                    "{:<28} {:<24} {:<20} {:<11} {:>7}",
                    d.id.to_string(),
                    d.scenario_id,
                    started(d.created_wall_ms),
                    state,
                    d.n_events
                );
                writeln!(out, "{}", neutralize(&line))?;
            }
            if drills.is_empty() {
                writeln!(out, "no drills yet: run `muster simulate leaked-secret` to make one")?;
            }
            let unfinished: Vec<&str> =
                drills.iter().filter(|d| d.state != DrillState::Ended).map(|d| d.id.0.as_str()).collect();
            if let Some(first) = unfinished.first() {
                let n = unfinished.len();
                let what = if n == 1 {
                    "drill was left unfinished".to_owned()
                } else {
                    format!("{n} drills were left unfinished")
                };
                let line = format!("\n{what}: `muster resume {first}` brings it back, paused where it stood");
                writeln!(out, "{}", neutralize(&line))?;
            }
        }
    }
    if let Some(store) = store {
        store.close().await;
    }
    Ok(exit::OK)
}

fn started(wall_ms: u64) -> String {
    let secs = i64::try_from(wall_ms / 1000).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp(secs, 0)
        .map_or_else(|| wall_ms.to_string(), |t| t.format("%Y-%m-%d %H:%M:%S").to_string())
}

/// Output formats of `muster log`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON event per line.
    Jsonl,
    /// One readable line per event.
    Table,
}

pub fn not_found(e: StoreError, id: &str) -> anyhow::Error {
    match e {
        StoreError::NotFound(_) => {
            anyhow::anyhow!("no drill `{id}` in the database; `muster drills` lists them")
        }
        other => other.into(),
    }
}

/// `muster log`.
pub async fn log(id: &str, db: Option<&Path>, format: LogFormat) -> anyhow::Result<u8> {
    let store = open_store_read_only(db).await?;
    let id = DrillId(id.to_owned());
    store.drill(&id).await.map_err(|e| not_found(e, &id.0))?;
    let events = store.events(&id).await?;
    let mut out = std::io::stdout().lock();
    for e in &events {
        match format {
            LogFormat::Jsonl => writeln!(out, "{}", serde_json::to_string(e)?)?,
            // Participants' notes and messages are in here: shown as text, never obeyed by the terminal.
            LogFormat::Table => writeln!(out, "{}", neutralize(&e.to_string()))?,
        }
    }
    store.close().await;
    Ok(exit::OK)
}

/// `muster resume`: replays an unfinished drill to where it stood and leaves it paused (logged).
pub async fn resume(id: &str, db: Option<&Path>) -> anyhow::Result<u8> {
    let store = open_store(db).await?;
    let drill_id = DrillId(id.to_owned());
    let record = store.drill(&drill_id).await.map_err(|e| not_found(e, id))?;
    if record.state == DrillState::Ended {
        store.close().await;
        let line = format!("drill {id} has ended; nothing to resume (`muster log {id}` shows what happened)");
        println!("{}", neutralize(&line));
        return Ok(exit::OK);
    }
    // One runner per drill: refused while the app (or another terminal) runs it.
    let lock = match store.lock_drill(&drill_id) {
        Ok(lock) => lock,
        Err(e @ StoreError::Busy(_)) => {
            store.close().await;
            println!("{}", neutralize(&format!("cannot resume drill {id}: {e}")));
            return Ok(exit::PROBLEMS);
        }
        Err(e) => return Err(e.into()),
    };
    let result = muster_store::resume(&store, &drill_id).await;
    store.close().await;
    drop(lock);
    let drill = match result {
        Ok(drill) => drill,
        Err(e @ (StoreError::ReplayMismatch { .. } | StoreError::ReplayState { .. })) => {
            println!("{}", neutralize(&format!("cannot resume drill {id}: its log does not replay: {e}")));
            return Ok(exit::PROBLEMS);
        }
        Err(e) => return Err(e.into()),
    };
    let done = drill.actions().iter().filter(|a| matches!(a.phase, ActionPhase::Done { .. })).count();
    let at = drill.scenario_time(WallMs(u64::MAX));
    let line = format!(
        "drill {id} ({}) resumed: {:?} at {at}; {} participants; {done} of {} expected actions done",
        record.scenario_id,
        drill.state(),
        drill.participants().len(),
        drill.actions().len()
    );
    println!("{}", neutralize(&line));
    Ok(exit::OK)
}

/// `muster replay --verify`.
pub async fn replay(id: &str, db: Option<&Path>) -> anyhow::Result<u8> {
    let store = open_store(db).await?;
    let drill_id = DrillId(id.to_owned());
    let record = store.drill(&drill_id).await.map_err(|e| not_found(e, id))?;
    let result = muster_store::replay(&store, &drill_id).await;
    store.close().await;
    match result {
        Ok(drill) => {
            println!(
                "replay matches: {} inputs reproduce {} events; state {:?}",
                record.n_inputs,
                drill.next_seq() - 1,
                drill.state()
            );
            Ok(exit::OK)
        }
        Err(StoreError::ReplayMismatch { seq, expected, actual }) => {
            let line =
                format!("replay differs at event #{seq}\n  stored:   {expected}\n  replayed: {actual}");
            println!("{}", neutralize(&line));
            Ok(exit::PROBLEMS)
        }
        Err(e @ StoreError::ReplayState { .. }) => {
            println!("{}", neutralize(&format!("replay differs: {e}")));
            Ok(exit::PROBLEMS)
        }
        Err(e) => Err(e.into()),
    }
}

/// `muster crash-writer` (hidden, for the crash test): appends simulated drills from several tasks at
/// once, forever, and prints `DRILL SEQ` for every input only after the store acknowledged it.
pub async fn crash_writer(db: &Path, n_drills: usize, seed: u64) -> anyhow::Result<u8> {
    let store = open_store(Some(db)).await?;
    let model_text = muster_library::builtin::MODEL.to_owned();
    let model = muster_core::load_model(&model_text).value.context("built-in model")?;
    let stdout = std::sync::Arc::new(std::sync::Mutex::new(std::io::stdout()));
    let mut tasks = tokio::task::JoinSet::new();
    for k in 0..n_drills {
        let (store, model, model_text, stdout) =
            (store.clone(), model.clone(), model_text.clone(), stdout.clone());
        tasks.spawn(async move {
            for round in 0u64.. {
                let (_, text) =
                    muster_library::builtin::SCENARIOS[k % muster_library::builtin::SCENARIOS.len()];
                let scenario =
                    muster_core::load_scenario(text, &model).scenario.context("built-in scenario")?;
                let seed = seed.wrapping_mul(1000).wrapping_add(k as u64 * 100 + round);
                let start = wall_now();
                let config = SimConfig {
                    seed,
                    team: Team::Mixed,
                    participants: Some(12),
                    speed: Speed::REAL_TIME,
                    start,
                };
                let mut sim = Simulation::new(scenario, &model, &config);
                let id = create_drill(&store, &sim, text.to_owned(), model_text.clone(), Team::Mixed, start)
                    .await?;
                let writer = store.writer();
                while let Some(step) = sim.step() {
                    let seq =
                        writer.append(&id, step.input, step.outcome.events, sim.drill().state()).await?;
                    let mut out = stdout.lock().map_err(|_| anyhow::anyhow!("stdout lock poisoned"))?;
                    writeln!(out, "{id} {seq}")?;
                    out.flush()?;
                }
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(res) = tasks.join_next().await {
        res??;
    }
    Ok(exit::OK)
}
