//! Crash safety: a real process appending simulated drills under load is killed with SIGKILL at random
//! points, 20 times over the same database. After each kill, every input the process saw acknowledged is
//! in the log, `PRAGMA integrity_check` is ok, and every stored drill replays to exactly its stored events.
//! The kill points come from a fixed seed (`MUSTER_SEED` overrides it) and are printed on failure.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use muster_store::{DrillId, Store};

fn seed() -> u64 {
    std::env::var("MUSTER_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_123)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_inputs_survive_sigkill() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("crash.db");
    let mut state = seed();
    let mut acked: BTreeMap<String, u64> = BTreeMap::new();
    for round in 0..20 {
        // xorshift: a deterministic kill point between 100 and 700 ms.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let kill_after = Duration::from_millis(100 + state % 600);
        let mut child = Command::new(env!("CARGO_BIN_EXE_muster"))
            .args(["crash-writer", "--drills", "6", "--seed", &round.to_string(), "--db"])
            .arg(&db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the writer");
        let stdout = child.stdout.take().expect("stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<String>>()
        });
        std::thread::sleep(kill_after);
        child.kill().expect("SIGKILL");
        let _ = child.wait();
        let lines = reader.join().expect("reader");
        for line in &lines {
            // A line cut by the kill is not an acknowledgement we can rely on.
            let Some((id, seq)) = line.split_once(' ') else { continue };
            let Ok(seq) = seq.parse::<u64>() else { continue };
            let best = acked.entry(id.to_owned()).or_default();
            *best = (*best).max(seq);
        }
        let store = Store::open(&db).await.expect("reopen after the kill");
        store
            .integrity_check()
            .await
            .unwrap_or_else(|e| panic!("round {round} (seed {}): integrity check: {e}", seed()));
        for (id, seq) in &acked {
            let n = store.inputs(&DrillId(id.clone())).await.expect("inputs").len() as u64;
            assert!(
                n >= *seq,
                "round {round} (seed {}): drill {id} acknowledged input {seq} but the log has {n}",
                seed()
            );
        }
        for drill in store.drills().await.expect("drills") {
            muster_store::replay(&store, &drill.id).await.unwrap_or_else(|e| {
                panic!("round {round} (seed {}): drill {} does not replay: {e}", seed(), drill.id)
            });
        }
        store.close().await;
    }
    assert!(
        acked.values().sum::<u64>() > 200,
        "the writer acknowledged too little to test anything: {acked:?}"
    );
}
