//! Live drills from the command line, on the real binary against a real `muster serve` on loopback:
//! `muster live create` prints the join code and links, `muster live dry-run` has the simulator's bots play
//! a drill over WebSockets (its log replays and reports), and `muster resume` refuses a drill the server runs.

use std::path::Path;
use std::process::Command;

mod common;

fn muster(args: &[&str], db: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_muster")).args(args).arg("--db").arg(db).output().expect("run muster")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_dry_run_and_one_runner_per_drill() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenarios = common::library(dir.path());
    let db = dir.path().join("muster.db");
    let common::Serve { mut child, base } = common::serve(dir.path()).await;

    // Create: a code, a facilitator token and a link per seat.
    let out = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["live", "create", "minimal", "--server", &base, "--team", "Blue", "--format", "json"])
        .output()
        .expect("create");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let created: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let drill = created["drill"].as_str().expect("drill").to_owned();
    assert_eq!(created["seats"].as_array().map(Vec::len), Some(2));
    assert!(created["seats"][0]["link"].as_str().is_some_and(|l| l.contains("/join#seat=")));
    let text = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["live", "create", "minimal", "--server", &base])
        .output()
        .expect("create, text");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("join code") && text.contains("seat links:"), "{text}");
    // An unknown scenario is a clear refusal, exit 1.
    let missing = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["live", "create", "no-such-drill", "--server", &base])
        .output()
        .expect("create, missing");
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no scenario `no-such-drill`"));

    // One runner per drill: the server runs it, so a terminal's resume is refused.
    let refused = muster(&["resume", &drill], &db);
    assert_eq!(refused.status.code(), Some(1), "{}", String::from_utf8_lossy(&refused.stdout));
    assert!(String::from_utf8_lossy(&refused.stdout).contains("another Muster process"));

    // A dry run: the diligent bots play the whole drill over WebSockets at 1000×.
    let run = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["live", "dry-run", "minimal", "--server", &base, "--team", "diligent", "--speed", "1000"])
        .arg("--scenarios")
        .arg(&scenarios)
        .args(["--seed", "4"])
        .output()
        .expect("dry run");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    let played = stdout.split_whitespace().nth(1).expect("drill id").trim_end_matches(':').to_owned();
    assert!(stdout.contains("acknowledged"), "{stdout}");
    let _ = child.kill().await;
    let replay = muster(&["replay", &played, "--verify"], &db);
    assert!(replay.status.success(), "{}", String::from_utf8_lossy(&replay.stdout));
    let report = muster(&["report", &played, "--format", "json"], &db);
    assert!(report.status.success());
    let report: serde_json::Value = serde_json::from_slice(&report.stdout).expect("report json");
    let score = report["team"]["score"].as_u64().expect("score");
    assert!(score >= 50, "a diligent team does well in a dry run too: {score}");
}
