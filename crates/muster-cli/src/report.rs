//! `muster report`, `muster trends` and `muster plan`: the after-action report and its improvement plan
//! from the durable log, through the same code the app's report viewer uses (`muster_app::drills`).

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use muster_app::drills::{self, DrillReport, ReportError};
use muster_core::score::{PlanItem, PlanStatus};
use muster_core::text::neutralize;
use muster_core::{CapabilityId, RoleId};
use muster_store::{DrillId, StoreError};

use crate::drill::{not_found, open_store, open_store_read_only, wall_now};
use crate::exit;

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// One self-contained HTML file (print it to PDF from a browser).
    Html,
    /// Markdown, for wikis.
    Md,
    /// JSON, as docs/report.schema.json describes.
    Json,
    /// The event log as CSV.
    Csv,
}

/// Trend formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TrendFormat {
    /// One self-contained HTML file with charts.
    Html,
    /// Markdown.
    Md,
    /// JSON.
    Json,
}

fn load_error(e: ReportError, id: &str) -> anyhow::Error {
    match e {
        ReportError::Store(e @ StoreError::NotFound(_)) => not_found(e, id),
        other => other.into(),
    }
}

/// How `emit` may treat a text on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// JSON: serde_json escapes every control character a terminal obeys (C0) already, and writing
    /// out others in Rust's form would break the JSON.
    Json,
    /// Anything else: control characters are written out (see `neutralize`).
    Text,
}

/// Writes `text` to `output`, or to stdout; says where it went on stderr when it is a file.
fn emit(text: &str, output: Option<&Path>, shape: Shape) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {}", neutralize(&path.display().to_string()));
        }
        None => {
            // Plans, notes and messages are people's text: a terminal shows it, never obeys it.
            let text = if shape == Shape::Text { neutralize(text) } else { text.into() };
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            out.flush()?;
        }
    }
    Ok(())
}

/// `muster report`.
pub async fn report(
    id: &str,
    db: Option<&Path>,
    format: ReportFormat,
    output: Option<&Path>,
) -> anyhow::Result<u8> {
    let store = open_store_read_only(db).await?;
    let drill = drills::load(&store, &DrillId(id.to_owned())).await.map_err(|e| load_error(e, id))?;
    store.close().await;
    let text = match format {
        ReportFormat::Html => muster_report::to_html(&drill.report()),
        ReportFormat::Md => muster_report::to_markdown(&drill.report()),
        ReportFormat::Json => muster_report::to_json(&drill.report()),
        ReportFormat::Csv => drill.csv(),
    };
    let shape = if format == ReportFormat::Json { Shape::Json } else { Shape::Text };
    emit(&text, output, shape)?;
    Ok(exit::OK)
}

/// `muster trends`.
pub async fn trends(
    scenario: Option<&str>,
    team: Option<&str>,
    db: Option<&Path>,
    format: TrendFormat,
    output: Option<&Path>,
) -> anyhow::Result<u8> {
    let store = open_store(db).await?;
    let points = drills::trends(&store, scenario, team).await?;
    store.close().await;
    if points.is_empty() && format != TrendFormat::Json {
        eprintln!("no drills match; `muster drills` lists them, `muster simulate leaked-secret` makes one");
    }
    let title = drills::trends_title(scenario, team);
    let text = match format {
        TrendFormat::Html => muster_report::trends_html(&title, &points),
        TrendFormat::Md => muster_report::trends_markdown(&title, &points),
        TrendFormat::Json => muster_report::trends_json(&points),
    };
    let shape = if format == TrendFormat::Json { Shape::Json } else { Shape::Text };
    emit(&text, output, shape)?;
    Ok(exit::OK)
}

/// What `muster plan` does.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum PlanCommand {
    /// Print the plan (the default)
    Show,
    /// Change item N (from `muster plan DRILL`)
    Set {
        /// Item number, from 1
        n: usize,
        /// open or done
        #[arg(long, value_parser = parse_status)]
        status: Option<PlanStatus>,
        /// Owner role id
        #[arg(long)]
        owner: Option<String>,
        /// Due date, YYYY-MM-DD
        #[arg(long)]
        due: Option<String>,
        /// The issue
        #[arg(long)]
        issue: Option<String>,
        /// The corrective action
        #[arg(long = "action")]
        corrective_action: Option<String>,
    },
    /// Add an item
    Add {
        /// The issue
        #[arg(long)]
        issue: String,
        /// The corrective action
        #[arg(long = "action")]
        corrective_action: String,
        /// Capability id
        #[arg(long)]
        capability: String,
        /// Owner role id
        #[arg(long)]
        owner: String,
        /// Due date, YYYY-MM-DD
        #[arg(long)]
        due: String,
    },
    /// Remove item N
    Remove {
        /// Item number, from 1
        n: usize,
    },
}

fn parse_status(text: &str) -> Result<PlanStatus, String> {
    match text {
        "open" => Ok(PlanStatus::Open),
        "done" => Ok(PlanStatus::Done),
        other => Err(format!("`{other}` is not a status: use open or done")),
    }
}

fn show(drill: &DrillReport) -> String {
    let mut out = format!(
        "Improvement plan of drill {} ({}){}\n",
        drill.record.id,
        drill.scenario.title,
        if drill.plan_saved { "" } else { " — draft from the findings, not yet edited" }
    );
    if drill.plan.is_empty() {
        out.push_str("\nNothing to improve: the findings raised no issue.\n");
    }
    for (n, item) in drill.plan.iter().enumerate() {
        let status = match item.status {
            PlanStatus::Open => "open",
            PlanStatus::Done => "done",
        };
        let carried =
            item.carried_from.as_ref().map_or_else(String::new, |d| format!(" (carried over from {d})"));
        out.push_str(&format!(
            "\n{}. [{status}] {}{carried}\n   Action: {}\n   Capability {}, owner {}, due {}\n",
            n + 1,
            item.issue,
            item.corrective_action,
            item.capability,
            item.owner,
            item.due
        ));
    }
    out
}

/// `muster plan`.
pub async fn plan(id: &str, db: Option<&Path>, command: PlanCommand) -> anyhow::Result<u8> {
    let store = open_store(db).await?;
    let mut drill = drills::load(&store, &DrillId(id.to_owned())).await.map_err(|e| load_error(e, id))?;
    let index = |n: usize, len: usize| -> anyhow::Result<usize> {
        if n == 0 || n > len {
            bail!("there is no item {n}: the plan has {len} (see `muster plan {id}`)");
        }
        Ok(n - 1)
    };
    let mut items = drill.plan.clone();
    match command {
        PlanCommand::Show => {
            print!("{}", neutralize(&show(&drill)));
            store.close().await;
            return Ok(exit::OK);
        }
        PlanCommand::Set { n, status, owner, due, issue, corrective_action } => {
            let i = index(n, items.len())?;
            let item = &mut items[i];
            if let Some(s) = status {
                item.status = s;
            }
            if let Some(o) = owner {
                item.owner = RoleId(o);
            }
            if let Some(d) = due {
                item.due = d;
            }
            if let Some(t) = issue {
                item.issue = t;
            }
            if let Some(t) = corrective_action {
                item.corrective_action = t;
            }
        }
        PlanCommand::Add { issue, corrective_action, capability, owner, due } => items.push(PlanItem {
            issue,
            corrective_action,
            capability: CapabilityId(capability),
            owner: RoleId(owner),
            due,
            status: PlanStatus::Open,
            carried_from: None,
        }),
        PlanCommand::Remove { n } => {
            let i = index(n, items.len())?;
            items.remove(i);
        }
    }
    if let Err(problem) = drills::check_plan(&items, &drill.model) {
        store.close().await;
        eprintln!("error: {}; nothing was saved", neutralize(&problem));
        return Ok(exit::PROBLEMS);
    }
    store.save_plan(&drill.record.id, &items, wall_now().0).await?;
    store.close().await;
    drill.plan = items;
    drill.plan_saved = true;
    print!("{}", neutralize(&show(&drill)));
    Ok(exit::OK)
}
