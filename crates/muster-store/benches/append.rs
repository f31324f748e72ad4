//! Durable appends through the one writer, 200 concurrent producers, each append one input with one small
//! event, each producer waiting for its acknowledgement before the next:
//!
//! - group commit, every producer driving its own drill (the worst case for the log's locality: every
//!   append in a commit lands on another drill's index pages);
//! - group commit, the producers sharing 8 drills, 25 each (participants of a drill: a producer takes
//!   its drill's turn to number its event and enqueue, then waits for the receipt outside it);
//! - one transaction per append (`batch_max = 1`), every producer on its own drill: the baseline;
//! - and the disk's fsync latency (100 bytes written, then `File::sync_all`).
//!
//! One criterion iteration is one append by each of the 200 producers, so the throughput is in events
//! per second. Files live in Cargo's target tmp folder, on the same disk as the build.

use std::hint::black_box;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muster_core::ScenarioMs;
use muster_core::engine::{
    Audience, DrillSetup, DrillState, Event, EventKind, Input, NoteKind, RolePolicy, Speed, WallMs,
};
use muster_store::{DrillId, NewDrill, Store, StoreConfig};
use tokio::runtime::Runtime;
use tokio::sync::Mutex;

const PRODUCERS: u64 = 200;

/// A drill and the seq its next event gets; producers sharing it take turns through the lock.
type Shared = (DrillId, Arc<Mutex<u64>>);

fn new_drill() -> NewDrill {
    NewDrill {
        scenario_id: "bench".into(),
        scenario_version: "1".into(),
        scenario_text: String::new(),
        model_text: String::new(),
        setup: DrillSetup::new(1, Speed::REAL_TIME, RolePolicy::One),
        team: None,
        facilitator: None,
        created_wall_ms: 1_795_435_200_000,
    }
}

/// A store at `path` with `drills` drills.
fn store(rt: &Runtime, path: &Path, config: &StoreConfig, drills: u64) -> (Store, Vec<Shared>) {
    rt.block_on(async {
        let store = Store::open_with(path, config).await.expect("open");
        let mut shared = Vec::new();
        for _ in 0..drills {
            shared.push((store.create_drill(new_drill()).await.expect("create"), Arc::new(Mutex::new(1))));
        }
        (store, shared)
    })
}

/// Producer `p` appends to drill `p % drills.len()`, `iters` times; returns the time all took.
fn appends(rt: &Runtime, store: &Store, drills: &[Shared], iters: u64) -> Duration {
    rt.block_on(async {
        let start = Instant::now();
        let mut tasks = tokio::task::JoinSet::new();
        for (drill, next) in drills.iter().cycle().take(PRODUCERS as usize) {
            let (writer, drill, next) = (store.writer(), drill.clone(), next.clone());
            tasks.spawn(async move {
                for _ in 0..iters {
                    let receipt = {
                        let mut next = next.lock().await;
                        let event = Event {
                            seq: *next,
                            at: ScenarioMs(*next),
                            audience: Audience::Facilitator,
                            kind: EventKind::Noted {
                                kind: NoteKind::Note,
                                text: "checked the audit log".into(),
                            },
                        };
                        let input = Input::Timeout { now: WallMs(*next) };
                        *next += 1;
                        writer
                            .enqueue(&drill, input, vec![event], DrillState::Running)
                            .await
                            .expect("enqueue")
                    };
                    receipt.await.expect("append");
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("producer");
        }
        start.elapsed()
    })
}

fn durable_appends(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let dir = tempfile::TempDir::new_in(env!("CARGO_TARGET_TMPDIR")).expect("temp dir");
    let mut group = c.benchmark_group("durable appends, 200 producers");
    group.throughput(Throughput::Elements(PRODUCERS));
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));

    let cases = [
        ("group commit, a drill each", StoreConfig::default(), PRODUCERS),
        ("group commit, 8 drills shared", StoreConfig::default(), 8),
        (
            "one transaction per append, a drill each",
            StoreConfig { batch_max: 1, ..StoreConfig::default() },
            PRODUCERS,
        ),
    ];
    for (n, (name, config, n_drills)) in cases.into_iter().enumerate() {
        let (store, drills) = store(&rt, &dir.path().join(format!("{n}.db")), &config, n_drills);
        group.bench_function(name, |b| b.iter_custom(|iters| appends(&rt, &store, &drills, iters)));
        rt.block_on(store.close());
    }
    group.finish();

    let mut group = c.benchmark_group("disk");
    group.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    let mut file = std::fs::File::create(dir.path().join("fsync")).expect("file");
    group.bench_function("write 100 bytes + fsync", |b| {
        b.iter(|| {
            file.write_all(black_box(&[b'x'; 100])).expect("write");
            file.sync_all().expect("fsync");
        })
    });
    group.finish();
}

criterion_group!(benches, durable_appends);
criterion_main!(benches);
