//! Parse and validate the model and all four shipped drills, as `muster validate scenarios/` does
//! (without the file reads). Target: under 5 ms for all four in a release build.
//! Run: `cargo bench -p muster-core --bench validate`.

use criterion::{Criterion, criterion_group, criterion_main};
use muster_core::{load_model, load_scenario};

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const SCENARIOS: &[&str] = &[
    include_str!("../../../scenarios/leaked-secret.ron"),
    include_str!("../../../scenarios/compromised-ci-token.ron"),
    include_str!("../../../scenarios/dependency-compromise.ron"),
    include_str!("../../../scenarios/cloud-account-abuse.ron"),
];

fn bench(c: &mut Criterion) {
    c.bench_function("model + four drills: parse and validate", |b| {
        b.iter(|| {
            let model = load_model(std::hint::black_box(MODEL)).value.expect("valid model");
            let mut n = 0;
            for src in SCENARIOS {
                n += load_scenario(std::hint::black_box(src), &model).diagnostics.len();
            }
            assert_eq!(n, 0);
        });
    });
    let model = load_model(MODEL).value.expect("valid model");
    c.bench_function("one drill (leaked secret): parse and validate", |b| {
        b.iter(|| load_scenario(std::hint::black_box(SCENARIOS[0]), &model).scenario.is_some());
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
