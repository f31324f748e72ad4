//! Shared by the live tests: `muster serve` on a temp folder with the built-in model and the minimal
//! scenario, on a free loopback port.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

pub const MINIMAL: &str = include_str!("../../../../tests/data/validate/ok/minimal.ron");

/// A running `muster serve` (killed when dropped).
pub struct Serve {
    pub child: tokio::process::Child,
    pub base: String,
}

/// Writes the scenario folder under `dir` (once) and returns it.
pub fn library(dir: &Path) -> PathBuf {
    let scenarios = dir.join("scenarios");
    if !scenarios.join("minimal.ron").exists() {
        std::fs::create_dir_all(&scenarios).expect("scenarios");
        std::fs::write(scenarios.join("model.ron"), muster_library::builtin::MODEL).expect("model");
        std::fs::write(scenarios.join("minimal.ron"), MINIMAL).expect("scenario");
    }
    scenarios
}

/// Starts `muster serve` on `dir` (its library, `muster.db`, no UI) and waits for its readiness line.
pub async fn serve(dir: &Path) -> Serve {
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_muster"))
        .args(["serve", "--port", "0"])
        .arg("--scenarios")
        .arg(library(dir))
        .arg("--db")
        .arg(dir.join("muster.db"))
        .arg("--ui-dir")
        .arg(dir.join("ui"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start muster serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::time::timeout(Duration::from_secs(30), BufReader::new(stdout).lines().next_line())
        .await
        .expect("ready within 30 s")
        .expect("read")
        .expect("a line");
    let base = line.strip_prefix("MUSTER_HTTP=").expect("readiness line").trim_end_matches('/').to_owned();
    Serve { child, base }
}
