//! The hardening issue ("limits on every input, no whole-library failures, no first-open race, no raw
//! control sequences") on the real binary: each hostile input is made here, and each test checks the
//! clear error or diagnostic and that nothing else was affected.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");
const MODEL: &str = include_str!("../../../scenarios/model.ron");
const ESC: char = '\u{1b}';

fn muster(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("MUSTER_DB")
        .output()
        .expect("run muster")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json_lines(out: &Output) -> Vec<Value> {
    text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("json line")).collect()
}

/// A scenario folder with the shipped model and the minimal drill.
fn library() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("scenarios");
    std::fs::create_dir_all(&dir).expect("dir");
    std::fs::write(dir.join("model.ron"), MODEL).expect("model");
    std::fs::write(dir.join("minimal.ron"), MINIMAL).expect("minimal");
    (tmp, dir)
}

#[test]
fn validate_checks_every_file_when_one_is_not_utf8() {
    // Item 3: a Latin-1 file made `muster validate DIR` exit 2 with no result for any file.
    let (tmp, dir) = library();
    let mut latin1 = b"// na\xefve\nScenario()".to_vec();
    latin1.push(b'\n');
    std::fs::write(dir.join("latin1.ron"), latin1).expect("write");
    let out = muster(tmp.path(), &["validate", "--format", "json", "scenarios"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let files = json_lines(&out);
    assert_eq!(files.len(), 3, "model, latin1, minimal");
    for f in &files {
        if f["file"].as_str().is_some_and(|n| n.ends_with("latin1.ron")) {
            assert_eq!(f["diagnostics"][0]["code"], "encoding", "{f}");
            assert!(f["diagnostics"][0]["message"].as_str().expect("m").contains("byte 5 (0xEF)"), "{f}");
        } else {
            assert_eq!(f["status"], "ok", "{f}");
        }
    }
}

#[test]
fn a_fill_bomb_is_refused_by_validate_and_simulate() {
    // Item 1: a ~900 KB variable used 150 000 times passed validation and made `simulate` abort.
    let (tmp, dir) = library();
    let value = "v".repeat(900_000);
    let bomb = MINIMAL
        .replacen(
            "variables: [",
            &format!("variables: [Variable(name: \"big\", value: OneOf([\"{value}\"])),"),
            1,
        )
        .replacen("body: \"A personal", &format!("body: \"{}A personal", "{{big}}".repeat(150_000)), 1);
    std::fs::write(dir.join("minimal.ron"), &bomb).expect("write");
    let out = muster(tmp.path(), &["validate", "--format", "json", "scenarios/minimal.ron"]);
    assert_eq!(out.status.code(), Some(1));
    let d = &json_lines(&out)[0]["diagnostics"][0];
    assert_eq!(d["code"], "out-of-range", "{d}");
    assert!(d["message"].as_str().expect("m").contains("{{big}}"), "{d}");
    assert_eq!(d["line"], 14, "at the variable: {d}");
    let db = tmp.path().join("drills.db");
    let db = db.to_str().expect("utf8");
    let out = muster(tmp.path(), &["simulate", "scenarios/minimal.ron", "--db", db, "--seed", "1"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("per text"));
}

#[test]
fn a_hostile_file_gets_a_capped_list_of_diagnostics() {
    // Item 2: a file near the size cap, a 1 MB comment then thousands of unknown roles.
    let (tmp, dir) = library();
    let to = (0..100).map(|k| format!("\"ghost{k}\"")).collect::<Vec<_>>().join(",");
    let injects: String = (0..900)
        .map(|i| {
            format!(
                "Inject(id: \"g{i}\", title: \"t\", channel: Chat, to: [{to}], trigger: Cue, body: \"b\"),"
            )
        })
        .collect();
    let hostile = format!(
        "// {}\n{}",
        "x".repeat(1_000_000),
        MINIMAL.replacen("injects: [", &format!("injects: [{injects}"), 1)
    );
    std::fs::write(dir.join("minimal.ron"), &hostile).expect("write");
    let out = muster(tmp.path(), &["validate", "--format", "json", "scenarios/minimal.ron"]);
    assert_eq!(out.status.code(), Some(1));
    let report = &json_lines(&out)[0];
    let ds = report["diagnostics"].as_array().expect("diagnostics");
    assert!(ds.len() <= 101, "{}", ds.len());
    let last = ds.last().expect("closing");
    assert_eq!(last["code"], "too-many-problems");
    assert!(last["message"].as_str().expect("m").starts_with("and 89"), "{last}");
    assert!(out.stdout.len() < 200_000, "the answer stays small: {} bytes", out.stdout.len());
    // The human form too, on the terminal's stream.
    let out = muster(tmp.path(), &["validate", "scenarios/minimal.ron"]);
    assert!(text(&out.stderr).contains("too-many-problems"));
}

#[test]
fn raw_control_sequences_never_reach_the_terminal() {
    // Item 5: escapes in a file's comment are shown as text in excerpts; an escape in a label is refused
    // by validate and simulate; plan text with escapes is refused and nothing is saved; a plan stored
    // with escapes (by an older Muster) prints as text from `plan` and `report --format md`.
    let (tmp, dir) = library();
    let hostile = MINIMAL.replacen(
        "roles: [\"platform\", \"security\"],",
        "roles: [\"platform\", \"securty\"], // \u{1b}]0;pwned\u{7}\u{1b}[2J\u{1b}]52;c;cm0gLXJm\u{7}",
        1,
    );
    std::fs::write(dir.join("minimal.ron"), &hostile).expect("write");
    let out = muster(tmp.path(), &["validate", "scenarios/minimal.ron"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("securty") && stderr.contains("\\u{1b}]0;pwned"), "{stderr}");
    assert!(!stderr.contains(ESC) && !text(&out.stdout).contains(ESC), "{stderr}");

    let labelled = MINIMAL.replacen("Revoke the leaked token", "Revoke\\u{1b}[2J\\u{1b}]0;x\\u{7} token", 1);
    std::fs::write(dir.join("minimal.ron"), &labelled).expect("write");
    let out = muster(tmp.path(), &["validate", "--format", "json", "scenarios/minimal.ron"]);
    assert_eq!(json_lines(&out)[0]["diagnostics"][0]["code"], "control-character");
    let db = tmp.path().join("drills.db");
    let db_arg = db.to_str().expect("utf8");
    let out = muster(tmp.path(), &["simulate", "scenarios/minimal.ron", "--db", db_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stdout).contains(ESC) && !text(&out.stderr).contains(ESC));

    std::fs::write(dir.join("minimal.ron"), MINIMAL).expect("write");
    let out = muster(
        tmp.path(),
        &["simulate", "scenarios/minimal.ron", "--db", db_arg, "--team", "slow", "--seed", "3"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let id = text(&out.stdout).lines().last().and_then(|l| l.strip_prefix("drill ")).expect("id").to_owned();
    let before = text(&muster(tmp.path(), &["plan", &id, "--db", db_arg]).stdout);
    for (flag, value) in [
        ("--issue", "x\u{1b}[2J"),
        ("--action", "\u{1b}]8;;http://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\"),
        ("--issue", "\u{1b}]52;c;cm0gLXJmIH4=\u{7}"),
    ] {
        let out = muster(tmp.path(), &["plan", &id, "--db", db_arg, "set", "1", flag, value]);
        assert_eq!(out.status.code(), Some(1), "{flag} {value:?}");
        assert!(text(&out.stderr).contains("control character"), "{}", text(&out.stderr));
        assert!(!text(&out.stderr).contains(ESC));
    }
    let out = muster(tmp.path(), &["plan", &id, "--db", db_arg, "set", "1", "--due", "+2026-12-31"]);
    assert_eq!(out.status.code(), Some(1), "item 9: a signed year is not a date");
    assert_eq!(text(&muster(tmp.path(), &["plan", &id, "--db", db_arg]).stdout), before, "nothing was saved");

    // A plan stored with escapes before this check existed.
    store_plan_with_escapes(&db, &id);
    for args in
        [vec!["plan", &id], vec!["report", &id, "--format", "md"], vec!["report", &id, "--format", "html"]]
    {
        let mut args = args.clone();
        args.extend(["--db", db_arg]);
        let out = muster(tmp.path(), &args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        // Written out (Markdown escapes the brackets too), never raw.
        assert!(stdout.contains("\\u{1b}") && stdout.contains("pwned"), "{args:?}: {stdout}");
        assert!(!stdout.contains(ESC), "{args:?} printed a raw escape");
    }
}

/// Writes a plan whose texts hold escape sequences straight into the database, as an older Muster
/// (which did not refuse them) could have saved it.
fn store_plan_with_escapes(db: &Path, id: &str) {
    use sqlx::{ConnectOptions, Connection};
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("rt");
    rt.block_on(async {
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new().filename(db).connect().await.expect("db");
        let plan = serde_json::json!([{
            "issue": "Clear \u{1b}[2J\u{1b}]0;pwned\u{7} screen",
            "corrective_action": "Copy \u{1b}]52;c;cm0gLXJm\u{7} this",
            "capability": "secrets_management",
            "owner": "platform",
            "due": "2026-12-31",
            "status": "Open",
        }]);
        sqlx::query("INSERT OR REPLACE INTO plans (drill_id, plan_json, saved_wall_ms) VALUES (?1, ?2, 1)")
            .bind(id)
            .bind(plan.to_string())
            .execute(&mut conn)
            .await
            .expect("insert plan");
        conn.close().await.expect("close");
    });
}

#[test]
fn read_only_commands_leave_a_foreign_database_alone() {
    // Item 4: `drills`, `report` and `log` must not create tables in, or switch the journal of, a file
    // that is not Muster's; they refuse it with a clear message.
    let tmp = tempfile::tempdir().expect("tmp");
    let foreign = tmp.path().join("other.db");
    std::fs::write(&foreign, "").expect("empty database file");
    let notes = tmp.path().join("notes.db");
    std::fs::write(&notes, "my notes, not a database\n").expect("write");
    for path in [&foreign, &notes] {
        let before = std::fs::read(path).expect("read");
        let db = path.to_str().expect("utf8");
        for args in [vec!["drills"], vec!["report", "01abc"], vec!["log", "01abc"]] {
            let mut args = args.clone();
            args.extend(["--db", db]);
            let out = muster(tmp.path(), &args);
            assert_eq!(out.status.code(), Some(2), "{args:?}");
            assert!(text(&out.stderr).contains("is not a Muster drill database"), "{}", text(&out.stderr));
        }
        assert_eq!(std::fs::read(path).expect("read"), before, "{} changed", path.display());
        assert!(!tmp.path().join(format!("{}-wal", path.file_name().expect("n").to_string_lossy())).exists());
    }
    // No database yet: an empty list, and still no file.
    let fresh = tmp.path().join("fresh.db");
    let out = muster(tmp.path(), &["drills", "--db", fresh.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("no drills yet"));
    assert!(!fresh.exists());
}

#[test]
fn several_processes_opening_a_new_database_at_once_all_succeed() {
    // Item 4, on the real binary: four `muster simulate` started together on a database that does not
    // exist yet all log their drill.
    let (tmp, _dir) = library();
    let db = tmp.path().join("first.db");
    let db = db.to_str().expect("utf8");
    let spawned: Vec<_> = (0..4)
        .map(|k| {
            Command::new(env!("CARGO_BIN_EXE_muster"))
                .args(["simulate", "scenarios/minimal.ron", "--db", db, "--seed", &k.to_string()])
                .current_dir(tmp.path())
                .env("NO_COLOR", "1")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for child in spawned {
        let out = child.wait_with_output().expect("wait");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let out = muster(tmp.path(), &["drills", "--db", db, "--format", "json"]);
    assert_eq!(text(&out.stdout).lines().count(), 4, "{}", text(&out.stderr));
}
