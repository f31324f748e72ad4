//! `muster validate` run as a user would: the real binary on real files.
//!
//! The broken corpus under `tests/data/validate/broken/` has one file per check; each file ends with
//! `// expect: SEVERITY CODE LINE:COLUMN` lines, and this test asserts that exactly those diagnostics come
//! back, each with a hint, with the documented exit code.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn muster(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("run muster")
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

#[test]
fn shipped_scenarios_are_valid_without_warnings() {
    let out = muster(&["validate", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let files = json_lines(&out);
    assert_eq!(files.len(), 5, "model + four drills");
    for f in &files {
        assert_eq!(f["status"], "ok", "{f}");
        assert_eq!(f["diagnostics"].as_array().map(Vec::len), Some(0), "{f}");
        if f["kind"] == "scenario" {
            let c = &f["counts"];
            assert!(c["injects"].as_u64() >= Some(12), "{f}");
            assert!(c["conditional_injects"].as_u64() >= Some(3), "{f}");
            assert_eq!(c["roles"].as_u64(), Some(6), "{f}");
            for key in ["injects", "conditional_injects", "expected_actions", "roles", "objectives"] {
                assert!(c[key].is_u64(), "counts.{key} in {f}");
            }
        }
    }
}

#[test]
fn minimal_example_of_the_authoring_guide_validates() {
    let guide = std::fs::read_to_string(root().join("scenarios/README.md")).expect("guide");
    let example =
        std::fs::read_to_string(root().join("tests/data/validate/ok/minimal.ron")).expect("minimal");
    assert!(guide.contains(example.trim()), "tests/data/validate/ok/minimal.ron must be the guide's example");
    let out = muster(&["validate", "--model", "scenarios/model.ron", "tests/data/validate/ok/minimal.ron"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

fn expectations(text: &str) -> BTreeSet<String> {
    text.lines().filter_map(|l| l.strip_prefix("// expect: ")).map(str::to_owned).collect()
}

#[test]
fn broken_corpus_reports_expected_diagnostics() {
    let dir = root().join("tests/data/validate/broken");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "one file per check");
    let mut codes_seen = BTreeSet::new();
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let expected = expectations(&text);
        assert!(!expected.is_empty(), "{} has no `// expect:` lines", path.display());
        let rel = path.strip_prefix(root()).expect("relative").to_string_lossy().into_owned();
        let out = muster(&["validate", "--format", "json", "--model", "scenarios/model.ron", &rel]);
        let report = &json_lines(&out)[0];
        let diagnostics = report["diagnostics"].as_array().expect("diagnostics");
        let actual: BTreeSet<String> = diagnostics
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}:{}",
                    d["severity"].as_str().unwrap_or("?"),
                    d["code"].as_str().unwrap_or("?"),
                    d["line"],
                    d["column"]
                )
            })
            .collect();
        if actual != expected {
            failures.push(format!("{rel}\n  expected: {expected:?}\n  actual:   {actual:?}"));
        }
        for d in diagnostics {
            assert!(d["hint"].as_str().is_some_and(|h| !h.is_empty()), "{rel}: no hint in {d}");
            assert!(d["line"].as_u64() >= Some(1) && d["column"].as_u64() >= Some(1), "{rel}: {d}");
            codes_seen.insert(d["code"].as_str().unwrap_or_default().to_owned());
        }
        let has_error = expected.iter().any(|e| e.starts_with("error "));
        let want_exit = if has_error { 1 } else { 0 };
        assert_eq!(out.status.code(), Some(want_exit), "{rel}: exit code");
        assert_eq!(report["status"], if has_error { "error" } else { "ok" }, "{rel}");
    }
    assert!(failures.is_empty(), "diagnostics differ:\n{}", failures.join("\n"));
    // Every check the foundation issue names has at least one file.
    for code in [
        "syntax",
        "type",
        "unknown-role",
        "unknown-capability",
        "unknown-action",
        "unknown-inject",
        "unknown-variable",
        "duplicate-id",
        "prerequisite-cycle",
        "dead-trigger",
        "deadline-past-duration",
        "objective-without-action",
        "accountable-count",
        "sod-conflict",
        "unused-action",
        "bad-duration",
        "role-not-in-play",
        "no-owner",
        "deadline-before-offer",
        "sod-unpaired",
        "unknown-sod-rule",
        "bad-id",
        "out-of-range",
        "unused-variable",
        "idle-role",
        "file-name-mismatch",
        "facilitator-text",
    ] {
        assert!(codes_seen.contains(code), "no corpus file exercises `{code}`");
    }
}

#[test]
fn human_output_shows_position_excerpt_and_hint() {
    let out = muster(&[
        "validate",
        "--model",
        "scenarios/model.ron",
        "tests/data/validate/broken/unknown-variable.ron",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    insta::assert_snapshot!("unknown_variable_human", stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    insta::assert_snapshot!("unknown_variable_status", stdout);
}

#[test]
fn scenario_against_a_broken_model_says_so() {
    let out = muster(&[
        "validate",
        "--format",
        "json",
        "--model",
        "tests/data/validate/broken/model-accountable-count.ron",
        "tests/data/validate/ok/minimal.ron",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_lines(&out)[0]["diagnostics"][0]["code"], "model-unavailable");
}

#[test]
fn usage_and_io_errors_exit_2() {
    let out = muster(&["validate", "no/such/file.ron"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.ron"));
    let out = muster(&["validate", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = muster(&["validate", "Cargo.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a .ron file"));
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::write(tmp.path().join("a.ron"), "Scenario()").expect("write");
    let out = muster(&["validate", tmp.path().to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--model"));
    let out = muster(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
}
