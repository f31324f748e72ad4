//! The `muster` binary: parses arguments with clap and calls the libraries. No logic of its own beyond
//! turning arguments into calls and results into output and exit codes.
//!
//! Exit codes (an API boundary, documented in the README): 0 success (warnings allowed), 1 problems
//! found in the input, 2 usage or I/O error.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};

mod drill;
mod live;
mod render;
mod report;
mod serve;

/// Named exit codes.
mod exit {
    pub const OK: u8 = 0;
    pub const PROBLEMS: u8 = 1;
    pub const USAGE: u8 = 2;
}

/// Muster: incident drills and tabletop exercises for DevSecOps teams.
#[derive(Debug, Parser)]
#[command(name = "muster", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check scenario and model files; report every problem with its position
    Validate(ValidateArgs),
    /// Run the local server headless: the web UI and its API, on loopback by default
    Serve(ServeArgs),
    /// Run a whole drill with bot participants and log it to the database
    Simulate(SimulateArgs),
    /// List the drills in the database
    Drills(DrillsArgs),
    /// Print a drill's event log
    Log(LogArgs),
    /// Replay a drill's log through the engine and check it reproduces the stored events
    Replay(ReplayArgs),
    /// Bring an unfinished drill back after a stop or crash, paused where it stood
    Resume(ResumeArgs),
    /// Write a drill's after-action report (HTML, Markdown, JSON, or the event log as CSV)
    Report(ReportArgs),
    /// Show or edit a drill's improvement plan (it carries over to the team's next drill of the scenario)
    Plan(PlanArgs),
    /// Scores, time to contain and improvement-plan closure across drills
    Trends(TrendsArgs),
    /// Live drills on a running server: create one and print its join code and links
    #[command(subcommand)]
    Live(LiveCommand),
    /// Measure Muster under load (numbers for docs/benchmarks.md)
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Append simulated drills under load, printing each acknowledged input (for the crash test)
    #[command(hide = true)]
    CrashWriter {
        /// Database file
        #[arg(long)]
        db: PathBuf,
        /// Concurrent drills
        #[arg(long, default_value_t = 8)]
        drills: usize,
        /// Seed
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum LiveCommand {
    /// Create a live drill from a library scenario on a running `muster serve` (or the app) on this machine
    Create(live::CreateArgs),
    /// A dry run: the simulator's bot team plays a live drill on a running server over WebSockets
    DryRun(live::DryRunArgs),
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// A live drill with N bot participants over real WebSockets against a server in its own process
    Live(live::BenchArgs),
}

#[derive(Debug, clap::Args)]
struct DbArg {
    /// Drill database [default: $MUSTER_DB, else muster.db in the user's data folder]
    #[arg(long, value_name = "FILE", env = "MUSTER_DB", global = true)]
    db: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct SimulateArgs {
    /// A scenario file, or the id of a scenario under ./scenarios/ or in the user's library
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// Team profile: diligent, slow, distracted, siloed, absent or mixed
    #[arg(long, default_value = "mixed", value_parser = drill::parse_team)]
    team: muster_core::sim::Team,
    /// Number of bot participants [default: one per role in play]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    participants: Option<u16>,
    /// Speed: a factor from 1 to 1000 (600 plays 90 minutes in 9 s), or `max`
    #[arg(long, default_value = "max", value_parser = drill::parse_pace)]
    speed: drill::Pace,
    /// Seed of the variables and the bots [default: drawn from the clock, and printed]
    #[arg(long, value_name = "K")]
    seed: Option<u64>,
    #[command(flatten)]
    db: DbArg,
}

#[derive(Debug, clap::Args)]
struct DrillsArgs {
    #[command(flatten)]
    db: DbArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = drill::ListFormat::Table)]
    format: drill::ListFormat,
}

#[derive(Debug, clap::Args)]
struct LogArgs {
    /// The drill's id (`muster drills` lists them)
    drill: String,
    #[command(flatten)]
    db: DbArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = drill::LogFormat::Table)]
    format: drill::LogFormat,
}

#[derive(Debug, clap::Args)]
struct ResumeArgs {
    /// The drill's id
    drill: String,
    #[command(flatten)]
    db: DbArg,
}

#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// The drill's id
    drill: String,
    /// Check the replay against the stored events (the only mode for now)
    #[arg(long, required = true)]
    verify: bool,
    #[command(flatten)]
    db: DbArg,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// The drill's id (`muster drills` lists them)
    drill: String,
    #[command(flatten)]
    db: DbArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = report::ReportFormat::Html)]
    format: report::ReportFormat,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// The drill's id
    drill: String,
    #[command(flatten)]
    db: DbArg,
    #[command(subcommand)]
    command: Option<report::PlanCommand>,
}

#[derive(Debug, clap::Args)]
struct TrendsArgs {
    /// Only drills of this scenario id
    #[arg(long, value_name = "ID")]
    scenario: Option<String>,
    /// Only drills of this team
    #[arg(long, value_name = "NAME")]
    team: Option<String>,
    #[command(flatten)]
    db: DbArg,
    /// Output format
    #[arg(long, value_enum, default_value_t = report::TrendFormat::Html)]
    format: report::TrendFormat,
    /// Write to this file instead of stdout
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 4780)]
    port: u16,
    /// Scenario folder [default: ./scenarios if it holds model.ron, else the user's library folder]
    #[arg(long, value_name = "DIR", env = "MUSTER_SCENARIOS")]
    scenarios: Option<PathBuf>,
    /// Serve the UI from this folder instead of the copy built into the binary
    #[arg(long, value_name = "DIR")]
    ui_dir: Option<PathBuf>,
    /// Also listen on the LAN for participants, with TLS (a self-signed certificate made on first use and
    /// kept beside the database; its SHA-256 fingerprint is printed for participants to check)
    #[arg(long)]
    lan: bool,
    /// Listen on the LAN over plain HTTP instead: anyone on the network can read the drill
    #[arg(long, conflicts_with = "lan")]
    insecure_lan: bool,
    /// The LAN address and port to listen on
    #[arg(long, value_name = "ADDR", default_value_t = muster_server::LanConfig::default_addr())]
    lan_addr: std::net::SocketAddr,
    /// WebSocket connections one address may hold (raised by `muster bench live`)
    #[arg(long, value_name = "N", default_value_t = muster_server::live::MAX_CONNECTIONS_PER_IP, hide = true)]
    max_connections_per_ip: usize,
    /// Join attempts per minute from one address (raised by `muster bench live`)
    #[arg(long, value_name = "N", default_value_t = muster_app::live::JOINS_PER_MINUTE, hide = true)]
    joins_per_minute: u32,
    #[command(flatten)]
    db: DbArg,
}

#[derive(Debug, clap::Args)]
struct ValidateArgs {
    /// Files or folders to check (every .ron file of a folder)
    #[arg(value_name = "PATH", default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Responsibility model to check scenarios against [default: model.ron beside each scenario]
    #[arg(long, value_name = "FILE")]
    model: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Readable report with source excerpts (diagnostics on stderr, one status line per file on stdout)
    Human,
    /// One JSON object per file, one per line, on stdout
    Json,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Command::Validate(args) => validate(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Simulate(args) => block_on(drill::simulate(drill::SimulateOptions {
            scenario: &args.scenario,
            team: args.team,
            participants: args.participants.map(usize::from),
            pace: args.speed,
            seed: args.seed,
            db: args.db.db.as_deref(),
        })),
        Command::Drills(args) => block_on(drill::list(args.db.db.as_deref(), args.format)),
        Command::Log(args) => block_on(drill::log(&args.drill, args.db.db.as_deref(), args.format)),
        Command::Replay(args) => block_on(drill::replay(&args.drill, args.db.db.as_deref())),
        Command::Resume(args) => block_on(drill::resume(&args.drill, args.db.db.as_deref())),
        Command::Report(args) => {
            block_on(report::report(&args.drill, args.db.db.as_deref(), args.format, args.output.as_deref()))
        }
        Command::Plan(args) => block_on(report::plan(
            &args.drill,
            args.db.db.as_deref(),
            args.command.unwrap_or(report::PlanCommand::Show),
        )),
        Command::Trends(args) => block_on(report::trends(
            args.scenario.as_deref(),
            args.team.as_deref(),
            args.db.db.as_deref(),
            args.format,
            args.output.as_deref(),
        )),
        Command::CrashWriter { db, drills, seed } => block_on(drill::crash_writer(&db, drills, seed)),
        Command::Live(LiveCommand::Create(args)) => block_on(live::create(&args)),
        Command::Live(LiveCommand::DryRun(args)) => block_on(live::dry_run(&args)),
        Command::Bench(BenchCommand::Live(args)) => live::bench(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("error: {}", muster_core::text::neutralize(&format!("{e:#}")));
            ExitCode::from(exit::USAGE)
        }
    }
}

fn block_on(fut: impl Future<Output = anyhow::Result<u8>>) -> anyhow::Result<u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?
        .block_on(fut)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

fn validate(args: &ValidateArgs) -> anyhow::Result<u8> {
    let files = muster_library::check_paths(&args.paths, args.model.as_deref())?;
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match args.format {
        Format::Json => {
            for file in &files {
                serde_json::to_writer(&mut out, &render::json_report(file))?;
                writeln!(out)?;
            }
        }
        Format::Human => {
            let style = render::Style::detect();
            let mut err = io::stderr().lock();
            for file in &files {
                let shown = render::Shown::new(&file.text);
                for d in &file.diagnostics {
                    write!(err, "{}", render::human_diagnostic(file, &shown, d, style))?;
                }
            }
            for file in &files {
                writeln!(out, "{}", render::status_line(file))?;
            }
            writeln!(out, "{}", render::summary_line(&files))?;
        }
    }
    out.flush()?;
    Ok(if files.iter().all(muster_library::CheckedFile::is_ok) { exit::OK } else { exit::PROBLEMS })
}
