//! `muster simulate`, `drills`, `log` and `replay` run as a user would, on a temporary database.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn muster(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(args)
        .arg("--db")
        .arg(db)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run muster")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn drill_id(out: &Output) -> String {
    let text = stdout(out);
    let last = text.lines().last().unwrap_or_default();
    last.strip_prefix("drill ").unwrap_or_else(|| panic!("no drill id in: {text}")).to_owned()
}

#[test]
fn same_seed_same_log_and_replay_verifies() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("drills.db");
    let a = muster(&db, &["simulate", "leaked-secret", "--team", "mixed", "--seed", "9", "--speed", "max"]);
    assert_eq!(a.status.code(), Some(0), "{}", String::from_utf8_lossy(&a.stderr));
    let b = muster(&db, &["simulate", "scenarios/leaked-secret.ron", "--team", "mixed", "--seed", "9"]);
    assert_eq!(b.status.code(), Some(0));
    let summary = stdout(&a);
    assert!(summary.contains("expected actions on time") && summary.contains("seed 9"), "{summary}");
    assert!(summary.contains("\nScore "), "{summary}");
    let (a, b) = (drill_id(&a), drill_id(&b));
    assert_ne!(a, b);
    let log_a = stdout(&muster(&db, &["log", &a, "--format", "jsonl"]));
    let log_b = stdout(&muster(&db, &["log", &b, "--format", "jsonl"]));
    assert!(log_a.lines().count() > 50, "{log_a}");
    assert_eq!(log_a, log_b, "same seed, scenario, team and speed give the same events");
    for id in [&a, &b] {
        let out = muster(&db, &["replay", id, "--verify"]);
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert!(stdout(&out).starts_with("replay matches"));
    }
    let list = stdout(&muster(&db, &["drills", "--format", "json"]));
    assert_eq!(list.lines().count(), 2);
    for line in list.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("json");
        assert_eq!(v["scenario"], "leaked-secret");
        assert_eq!(v["state"], "ended");
        assert!(v["events"].as_u64() > Some(50));
    }
    let table = stdout(&muster(&db, &["drills"]));
    assert!(table.starts_with("DRILL") && table.contains(&a), "{table}");
}

#[test]
fn team_profiles_score_in_order_and_the_report_and_plan_work_on_the_log() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("drills.db");
    let run = |team: &str| -> (u32, String) {
        let out = muster(&db, &["simulate", "cloud-account-abuse", "--team", team, "--seed", "4"]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        let line = text.lines().find(|l| l.starts_with("Score ")).expect("score line");
        let score = line["Score ".len()..].split('/').next().and_then(|n| n.parse().ok()).expect("score");
        (score, drill_id(&out))
    };
    let ((diligent, _), (slow, slow_id), (absent, _)) = (run("diligent"), run("slow"), run("absent"));
    assert!(diligent >= slow + 5 && slow >= absent + 5, "diligent {diligent}, slow {slow}, absent {absent}");
    assert_eq!(absent, 0);
    // The report of the slow drill, in every format, to stdout and to a file.
    let json = stdout(&muster(&db, &["report", &slow_id, "--format", "json"]));
    let report: serde_json::Value = serde_json::from_str(&json).expect("report json");
    assert_eq!(report["team"]["score"].as_u64(), Some(u64::from(slow)));
    assert_eq!(report["schema_version"], 1);
    let html = tmp.path().join("report.html");
    let out = muster(&db, &["report", &slow_id, "-o", html.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(std::fs::read_to_string(&html).expect("html").contains("id=\"heatmap\""));
    let md = stdout(&muster(&db, &["report", &slow_id, "--format", "md"]));
    assert!(md.starts_with("# After-action report"), "{md}");
    let csv = stdout(&muster(&db, &["report", &slow_id, "--format", "csv"]));
    assert!(csv.lines().count() > 50);
    // The plan: a draft, then an edit that sticks; a bad edit is refused with the reason.
    let plan = stdout(&muster(&db, &["plan", &slow_id]));
    assert!(plan.contains("draft from the findings") && plan.contains("1. [open]"), "{plan}");
    let out = muster(&db, &["plan", &slow_id, "set", "1", "--status", "done", "--owner", "platform"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let plan = stdout(&muster(&db, &["plan", &slow_id]));
    assert!(plan.contains("1. [done]") && !plan.contains("draft from the findings"), "{plan}");
    let out = muster(&db, &["plan", &slow_id, "set", "1", "--due", "soon"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a date like 2026-12-31"));
    let out = muster(&db, &["plan", &slow_id, "remove", "99"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("there is no item 99"));
    // The next drill of the scenario by the same team carries the open items over.
    let out = muster(&db, &["simulate", "cloud-account-abuse", "--team", "slow", "--seed", "5"]);
    let next = drill_id(&out);
    let plan = stdout(&muster(&db, &["plan", &next]));
    assert!(plan.contains(&format!("carried over from {slow_id}")), "{plan}");
    // Trends of the slow team: two points, in order.
    let trends = stdout(&muster(&db, &["trends", "--team", "slow", "--format", "json"]));
    let trends: serde_json::Value = serde_json::from_str(&trends).expect("trends json");
    let ids: Vec<&str> =
        trends["points"].as_array().expect("points").iter().filter_map(|p| p["drill_id"].as_str()).collect();
    assert_eq!(ids, [slow_id.as_str(), next.as_str()]);
    let out = muster(&db, &["report", "NOSUCHDRILL1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("muster drills"));
}

#[test]
fn bad_input_is_explained() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("drills.db");
    let out = muster(&db, &["simulate", "no-such-drill"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario `no-such-drill`"));
    let out = muster(&db, &["simulate", "leaked-secret", "--speed", "0.5"]);
    assert_eq!(out.status.code(), Some(2));
    // A read-only command on a database that does not exist yet says so, and makes none.
    let out = muster(&db, &["log", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no drill database"), "{out:?}");
    assert!(!db.exists());
    std::fs::copy(root().join("scenarios/model.ron"), tmp.path().join("model.ron")).expect("model");
    let broken = tmp.path().join("unknown-role.ron");
    std::fs::copy(root().join("tests/data/validate/broken/unknown-role.ron"), &broken).expect("copy");
    let out = muster(&db, &["simulate", broken.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(1), "a scenario with errors is refused with its diagnostics");
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role"));
}

#[test]
fn a_drill_cut_off_mid_run_is_listed_and_resumes_paused() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("drills.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["crash-writer", "--drills", "2", "--db"])
        .arg(&db)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("writer");
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().expect("kill");
    let _ = child.wait();
    let list = stdout(&muster(&db, &["drills", "--format", "json"]));
    let unfinished: Vec<String> = list
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("json"))
        // A kill can also land between a drill's creation and its start; those resume as not started.
        .filter(|v| v["state"] == "running")
        .map(|v| v["id"].as_str().expect("id").to_owned())
        .collect();
    assert!(!unfinished.is_empty(), "no drill cut off while running in {list}");
    assert!(stdout(&muster(&db, &["drills"])).contains("muster resume"));
    let id = &unfinished[0];
    let out = muster(&db, &["resume", id]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("resumed: Paused at T+"), "{}", stdout(&out));
    let out = muster(&db, &["replay", id, "--verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("state Paused"));
}
