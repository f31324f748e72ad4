//! Drill history and after-action reports over the durable log. `muster report`, `muster trends`,
//! `muster plan` and the app's report viewer all go through here, so they agree on what a report holds:
//! the drill as stored, its score, and its improvement plan (as saved, or the draft from its findings
//! with the open items of the previous drill of the same scenario and team carried over).

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use muster_core::engine::Event;
use muster_core::score::{self, PlanItem, PlanStatus, RULES, Score};
use muster_core::{ResponsibilityModel, Scenario, load_stored_model, load_stored_scenario};
use muster_report::{DrillInfo, Report, ReportInput, TrendPoint};
use muster_store::{DrillId, DrillRecord, Store, StoreError};

/// How many drills back open plan items are followed when carrying them over.
const CARRY_DEPTH: usize = 8;
/// Most items in a plan.
pub const MAX_PLAN_ITEMS: usize = 200;
/// Longest text in a plan item, in characters.
pub const MAX_PLAN_TEXT: usize = 2000;

/// Why a report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The store failed, or has no such drill.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The scenario or model text stored with the drill does not load any more.
    #[error("drill {id}: the stored {what} does not load ({problem})")]
    Unreadable {
        /// The drill.
        id: DrillId,
        /// `scenario` or `model`.
        what: &'static str,
        /// The first error.
        problem: String,
    },
}

/// A drill with everything its report needs.
#[derive(Debug, Clone)]
pub struct DrillReport {
    /// The drill as stored.
    pub record: DrillRecord,
    /// Its scenario, as loaded when it ran.
    pub scenario: Scenario,
    /// Its model, as loaded when it ran.
    pub model: ResponsibilityModel,
    /// Its events.
    pub events: Vec<Event>,
    /// Its score.
    pub score: Score,
    /// Its improvement plan.
    pub plan: Vec<PlanItem>,
    /// Whether the plan was saved by the facilitator (otherwise it is the draft).
    pub plan_saved: bool,
    /// Wall times of its first and last input.
    pub wall_span: Option<(u64, u64)>,
}

impl DrillReport {
    /// What the report shows of the drill.
    pub fn info(&self) -> DrillInfo {
        DrillInfo {
            id: self.record.id.0.clone(),
            scenario_id: self.record.scenario_id.clone(),
            scenario_title: self.scenario.title.clone(),
            scenario_version: self.record.scenario_version.clone(),
            created_wall_ms: self.record.created_wall_ms,
            started_wall_ms: self.wall_span.map(|(first, _)| first),
            ended_wall_ms: self.wall_span.map(|(_, last)| last),
            facilitator: self.record.facilitator.clone(),
            team: self.record.team.clone(),
            state: state_name(self.record.state).to_owned(),
        }
    }

    /// The after-action report.
    pub fn report(&self) -> Report {
        muster_report::build(&ReportInput {
            drill: self.info(),
            scenario: &self.scenario,
            model: &self.model,
            score: &self.score,
            plan: &self.plan,
            events: &self.events,
        })
    }

    /// The event log as CSV.
    pub fn csv(&self) -> String {
        muster_report::events_csv(&self.events, &self.model)
    }

    /// The report in a format by its file extension: `html`, `md`, `json`, else the event log as `csv`.
    pub fn render(&self, ext: &str) -> String {
        match ext {
            "html" => muster_report::to_html(&self.report()),
            "md" => muster_report::to_markdown(&self.report()),
            "json" => muster_report::to_json(&self.report()),
            _ => self.csv(),
        }
    }
}

/// The wire and file name of a drill state.
pub fn state_name(state: muster_core::engine::DrillState) -> &'static str {
    use muster_core::engine::DrillState;
    match state {
        DrillState::NotStarted => "not_started",
        DrillState::Running => "running",
        DrillState::Paused => "paused",
        DrillState::Ended => "ended",
    }
}

/// The scenario and model a drill ran with, from the texts stored with it.
pub fn loaded(record: &DrillRecord) -> Result<(Scenario, ResponsibilityModel), ReportError> {
    let unreadable = |what, problem: String| ReportError::Unreadable { id: record.id.clone(), what, problem };
    let model = load_stored_model(&record.model_text);
    let Some(model_value) = model.value else {
        let problem = model.diagnostics.first().map_or_else(String::new, |d| d.message.clone());
        return Err(unreadable("model", problem));
    };
    let load = load_stored_scenario(&record.scenario_text, &model_value);
    let Some(scenario) = load.scenario else {
        let problem = load.diagnostics.first().map_or_else(String::new, |d| d.message.clone());
        return Err(unreadable("scenario", problem));
    };
    Ok((scenario, model_value))
}

/// Loads a drill, scores it and settles its plan.
pub async fn load(store: &Store, id: &DrillId) -> Result<DrillReport, ReportError> {
    let record = store.drill(id).await?;
    let (scenario, model) = loaded(&record)?;
    let events = store.events(id).await?;
    let score = score::score(&scenario, &model, &events);
    let (plan, plan_saved) =
        plan_of(store, &record, &model, &score, CARRY_DEPTH, &mut Memo::default()).await?;
    let wall_span = store.wall_span(id).await?;
    Ok(DrillReport { record, scenario, model, events, score, plan, plan_saved, wall_span })
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A drill's model and score, the costly part of settling a plan.
type Scored = Arc<(ResponsibilityModel, Score)>;

/// What settling plans has worked out already, within one request: each drill's predecessor, its
/// score (`None`: its stored texts do not load), and its plan at each carry depth. Trends over many
/// drills then score each drill once instead of once per successor.
#[derive(Default)]
struct Memo {
    previous: BTreeMap<DrillId, Option<Arc<DrillRecord>>>,
    scored: BTreeMap<DrillId, Option<Scored>>,
    plans: BTreeMap<(DrillId, usize), (Vec<PlanItem>, bool)>,
}

impl Memo {
    async fn previous(
        &mut self,
        store: &Store,
        record: &DrillRecord,
    ) -> Result<Option<Arc<DrillRecord>>, StoreError> {
        if let Some(p) = self.previous.get(&record.id) {
            return Ok(p.clone());
        }
        let p = store.previous(record).await?.map(Arc::new);
        self.previous.insert(record.id.clone(), p.clone());
        Ok(p)
    }

    async fn scored(&mut self, store: &Store, record: &DrillRecord) -> Result<Option<Scored>, StoreError> {
        if let Some(s) = self.scored.get(&record.id) {
            return Ok(s.clone());
        }
        let s = match loaded(record) {
            Ok((scenario, model)) => {
                let events = store.events(&record.id).await?;
                let score = score::score(&scenario, &model, &events);
                Some(Arc::new((model, score)))
            }
            Err(_) => None,
        };
        self.scored.insert(record.id.clone(), s.clone());
        Ok(s)
    }
}

/// The drill's plan: as saved, or the draft from its findings with the previous drill's open items first.
fn plan_of<'a>(
    store: &'a Store,
    record: &'a DrillRecord,
    model: &'a ResponsibilityModel,
    score: &'a Score,
    depth: usize,
    memo: &'a mut Memo,
) -> BoxFuture<'a, Result<(Vec<PlanItem>, bool), ReportError>> {
    Box::pin(async move {
        let key = (record.id.clone(), depth);
        if let Some(known) = memo.plans.get(&key) {
            return Ok(known.clone());
        }
        let settled = settle_plan(store, record, model, score, depth, memo).await?;
        memo.plans.insert(key, settled.clone());
        Ok(settled)
    })
}

async fn settle_plan(
    store: &Store,
    record: &DrillRecord,
    model: &ResponsibilityModel,
    score: &Score,
    depth: usize,
    memo: &mut Memo,
) -> Result<(Vec<PlanItem>, bool), ReportError> {
    {
        if let Some(saved) = store.plan(&record.id).await? {
            return Ok((saved, true));
        }
        let mut plan = Vec::new();
        if depth > 0
            && let Some(previous) = memo.previous(store, record).await?
            && let Some(scored) = memo.scored(store, &previous).await?
        {
            let (p_model, p_score) = &*scored;
            let (p_plan, _) = plan_of(store, &previous, p_model, p_score, depth - 1, memo).await?;
            plan.extend(p_plan.into_iter().filter(|i| i.status == PlanStatus::Open).map(|mut i| {
                i.carried_from.get_or_insert_with(|| previous.id.0.clone());
                i
            }));
        }
        let drafts = score::plan_draft(score, model, &RULES);
        for item in muster_report::draft_plan(&drafts, record.created_wall_ms) {
            // The same fix carried over already stands for this one.
            if !plan
                .iter()
                .any(|c| c.capability == item.capability && c.corrective_action == item.corrective_action)
            {
                plan.push(item);
            }
        }
        Ok((plan, false))
    }
}

/// Checks a plan from a person or the network against the drill's model; the message says what to fix.
pub fn check_plan(items: &[PlanItem], model: &ResponsibilityModel) -> Result<(), String> {
    if items.len() > MAX_PLAN_ITEMS {
        return Err(format!("a plan holds at most {MAX_PLAN_ITEMS} items, this one has {}", items.len()));
    }
    for (n, item) in items.iter().enumerate() {
        let n = n + 1;
        for (what, text) in [("issue", &item.issue), ("corrective action", &item.corrective_action)] {
            if text.trim().is_empty() {
                return Err(format!("item {n}: the {what} is empty"));
            }
            if text.chars().count() > MAX_PLAN_TEXT {
                return Err(format!("item {n}: the {what} is longer than {MAX_PLAN_TEXT} characters"));
            }
            // Plans are printed by `muster plan` and reports: a terminal escape has no business here.
            if let Some((at, c)) = muster_core::text::first_refused_in_block(text) {
                let k = text[..at].chars().count() + 1;
                return Err(format!(
                    "item {n}: the {what} holds the control character {} at character {k}; remove it",
                    muster_core::text::describe(c)
                ));
            }
        }
        if model.capability(item.capability.as_str()).is_none() {
            return Err(format!("item {n}: there is no capability `{}` in the model", item.capability));
        }
        if model.role(item.owner.as_str()).is_none() {
            return Err(format!("item {n}: there is no role `{}` in the model", item.owner));
        }
        // Exactly `YYYY-MM-DD`: chrono alone also takes a sign (`+2026-12-31`) and short years.
        let shaped = item.due.len() == 10
            && item
                .due
                .bytes()
                .enumerate()
                .all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
        if !shaped || chrono::NaiveDate::parse_from_str(&item.due, "%Y-%m-%d").is_err() {
            return Err(format!("item {n}: the due date `{}` is not a date like 2026-12-31", item.due));
        }
        if let Some(from) = &item.carried_from
            && (from.len() > 40 || !from.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            return Err(format!("item {n}: `{from}` is not a drill id"));
        }
    }
    Ok(())
}

/// One point per drill with a log, oldest first, filtered by scenario and team.
pub async fn trends(
    store: &Store,
    scenario: Option<&str>,
    team: Option<&str>,
) -> Result<Vec<TrendPoint>, ReportError> {
    let mut points = Vec::new();
    let mut drills = store.drills().await?;
    drills.reverse();
    // Oldest first with one memo: each drill is scored once, however many successors carry its plan.
    let mut memo = Memo::default();
    for listed in drills {
        if scenario.is_some_and(|s| s != listed.scenario_id)
            || team.is_some_and(|t| listed.team.as_deref() != Some(t))
            || listed.n_events == 0
        {
            continue;
        }
        let record = store.drill(&listed.id).await?;
        // One unreadable drill does not hide the others' trend.
        let Some(scored) = memo.scored(store, &record).await? else { continue };
        let (model, score) = &*scored;
        let (plan, _) = plan_of(store, &record, model, score, CARRY_DEPTH, &mut memo).await?;
        let t = &score.team;
        points.push(TrendPoint {
            drill_id: listed.id.0.clone(),
            created_wall_ms: listed.created_wall_ms,
            scenario_id: listed.scenario_id.clone(),
            team: listed.team.clone(),
            score: t.score,
            coverage: t.coverage(),
            time_to_contain_ms: score.metrics.time_to_contain.map(|t| t.0),
            plan_items: plan.len() as u32,
            plan_done: plan.iter().filter(|i| i.status == PlanStatus::Done).count() as u32,
        });
    }
    Ok(points)
}

/// The title of a trends page for its filters.
pub fn trends_title(scenario: Option<&str>, team: Option<&str>) -> String {
    match (scenario, team) {
        (Some(s), Some(t)) => format!("Trends: {s}, team {t}"),
        (Some(s), None) => format!("Trends: {s}"),
        (None, Some(t)) => format!("Trends: team {t}"),
        (None, None) => "Trends: all drills".to_owned(),
    }
}

/// Where the app exports reports: the user's documents folder, else Muster's data folder.
pub fn default_export_dir() -> Option<std::path::PathBuf> {
    let user = directories::UserDirs::new();
    if let Some(docs) = user.as_ref().and_then(|u| u.document_dir()) {
        return Some(docs.join("Muster reports"));
    }
    directories::ProjectDirs::from("org", "Muster", "muster").map(|d| d.data_dir().join("reports"))
}

/// A file name for an export: `<scenario>-<drill id>.<ext>`, from ids that are safe by construction.
pub fn export_name(record: &DrillRecord, ext: &str) -> String {
    let safe: String =
        record.scenario_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    format!("{safe}-{}.{ext}", record.id.0)
}
