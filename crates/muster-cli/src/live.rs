//! `muster live create` and `muster bench live`: live drills from the command line. The work is in
//! `muster_app::live`; this module turns flags into requests and results into text.

use anyhow::Context;
use muster_app::live::bench::{self, BenchOptions};
use muster_app::live::client::create_on;
use muster_core::RoleId;
use muster_core::engine::Speed;
use muster_protocol::live::CreateLive;

use crate::exit;

/// Output format of `muster live create` and `muster bench live`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object.
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CreateArgs {
    /// The scenario's id (or file name) in the server's library
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// The running server (the app prints it as MUSTER_HTTP=…; `muster serve` listens on 4780)
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:4780", env = "MUSTER_SERVER")]
    server: String,
    /// Team name, for the report and the trends
    #[arg(long)]
    team: Option<String>,
    /// Facilitator's name, for the report
    #[arg(long)]
    facilitator: Option<String>,
    /// Seed of the variables [default: random, and printed]
    #[arg(long, value_name = "K")]
    seed: Option<u64>,
    /// Speed factor from 1 to 1000
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    speed: u32,
    /// A seat with its own link, by role; repeat for more [default: one per role in play]
    #[arg(long = "seat", value_name = "ROLE")]
    seats: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// Bot participants
    #[arg(long, value_name = "N", default_value_t = 100, value_parser = clap::value_parser!(u16).range(1..=2000))]
    participants: u16,
    /// Seconds of play
    #[arg(long, value_name = "S", default_value_t = 30, value_parser = clap::value_parser!(u64).range(5..=3600))]
    seconds: u64,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Debug, clap::Args)]
pub struct DryRunArgs {
    /// The scenario's id (or file name) in the server's library (read here too, for the bots' brain)
    #[arg(value_name = "SCENARIO")]
    scenario: String,
    /// The running server
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:4780", env = "MUSTER_SERVER")]
    server: String,
    /// The server's certificate SHA-256, for an https server (as `muster serve --lan` prints it)
    #[arg(long, value_name = "SHA256")]
    fingerprint: Option<String>,
    /// The scenario folder the server serves [default: ./scenarios if it holds model.ron, else the user's library]
    #[arg(long, value_name = "DIR", env = "MUSTER_SCENARIOS")]
    scenarios: Option<std::path::PathBuf>,
    /// Team profile: diligent, slow, distracted, siloed, absent or mixed
    #[arg(long, default_value = "mixed", value_parser = crate::drill::parse_team)]
    team: muster_core::sim::Team,
    /// Speed factor from 1 to 1000 (60 plays an hour in a minute)
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=1000))]
    speed: u32,
    /// Seed of the variables and the bots [default: drawn from the clock, and printed]
    #[arg(long, value_name = "K")]
    seed: Option<u64>,
}

/// `muster live dry-run`: the simulator's bots play a live drill on a running server over WebSockets.
pub async fn dry_run(args: &DryRunArgs) -> anyhow::Result<u8> {
    let dir = crate::serve::library_dir(args.scenarios.as_ref())?;
    let key = args.scenario.clone();
    let loaded =
        match tokio::task::spawn_blocking(move || muster_app::setup::from_library(&dir, &key)).await? {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: {}", muster_core::text::neutralize(&e.to_string()));
                return Ok(exit::PROBLEMS);
            }
        };
    let seed = args.seed.unwrap_or_else(|| crate::drill::wall_now().0 ^ 0x5eed);
    let speed = Speed::times(args.speed).context("speed from 1 to 1000")?;
    eprintln!(
        "Dry run of {} with a {} team at {}× (seed {seed}); it lasts about {} s.",
        muster_core::text::neutralize(&loaded.scenario.title),
        args.team.name(),
        args.speed,
        loaded.scenario.duration.0 / 1000 / u64::from(args.speed)
    );
    let run = muster_app::live::dryrun::run(
        &args.server,
        args.fingerprint.as_deref(),
        &args.scenario,
        &loaded,
        args.team,
        speed,
        seed,
    )
    .await;
    match run {
        Ok(run) => {
            println!(
                "drill {}: the bots sent {} actions; {} acknowledged, {} refused by the server",
                run.drill, run.sent, run.acknowledged, run.refused
            );
            println!("The after-action report: muster report {}", run.drill);
            Ok(exit::OK)
        }
        Err(e) => {
            eprintln!("error: {}", muster_core::text::neutralize(&e.to_string()));
            Ok(exit::PROBLEMS)
        }
    }
}

pub async fn create(args: &CreateArgs) -> anyhow::Result<u8> {
    let request = CreateLive {
        scenario: args.scenario.clone(),
        team: args.team.clone(),
        facilitator: args.facilitator.clone(),
        seed: args.seed.map(|s| s.to_string()),
        speed: Speed::times(args.speed),
        seats: (!args.seats.is_empty()).then(|| args.seats.iter().map(|r| RoleId(r.clone())).collect()),
    };
    let created = match create_on(&args.server, &request).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {}", muster_core::text::neutralize(&e.to_string()));
            return Ok(exit::PROBLEMS);
        }
    };
    if args.format == Format::Json {
        println!("{}", serde_json::to_string_pretty(&created)?);
        return Ok(exit::OK);
    }
    println!("drill {} (seed {})", created.drill, created.seed);
    println!("join code  {}   at {}", created.code, created.join_url);
    if let Some(fp) = &created.fingerprint {
        println!("certificate SHA-256 {fp}");
    }
    println!("facilitator token  {}   (keep it: it steers the drill)", created.facilitator_token);
    // The key rides after `#`, so it never reaches a server or its log; the page keeps it and clears the address.
    println!(
        "control room  {}/#/live/{}?key={}",
        args.server.trim_end_matches('/'),
        created.drill,
        created.facilitator_token
    );
    println!("seat links:");
    for seat in &created.seats {
        println!("  {:<20} {}", seat.role.0, seat.link);
    }
    Ok(exit::OK)
}

/// Starts the server, then the load (at a lower priority, so the numbers are the server's), then prints.
pub fn bench(args: &BenchArgs) -> anyhow::Result<u8> {
    let muster_bin = std::env::current_exe().context("cannot find the muster binary to start the server")?;
    let opts =
        BenchOptions { participants: usize::from(args.participants), seconds: args.seconds, muster_bin };
    let server = bench::start_server(&opts)?;
    bench::yield_cpu();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let report = runtime.block_on(bench::run(&opts, server))?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string(&report)?),
        Format::Text => print!("{}", bench::human(&report)),
    }
    Ok(exit::OK)
}
