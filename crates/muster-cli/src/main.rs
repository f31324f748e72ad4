//! The `muster` binary: parses arguments with clap and calls the libraries. No logic of its own beyond
//! turning arguments into calls and results into output and exit codes.
//!
//! Exit codes (an API boundary, documented in the README): 0 success (warnings allowed), 1 problems
//! found in the input, 2 usage or I/O error.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

mod render;
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
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(exit::OK);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
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
                for d in &file.diagnostics {
                    write!(err, "{}", render::human_diagnostic(file, d, style))?;
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
