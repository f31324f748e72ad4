//! Parse and validate the model and all four shipped drills, as `muster validate scenarios/` does
//! (without the file reads). Target: under 5 ms for all four in a release build.
//! Run: `cargo bench -p muster-core --bench validate`.
//!
//! Then the worst cases at the size cap (hardening issue, item 2): hostile files generated here, each
//! near 2 MiB. Target: each well under a second. Run: `cargo bench -p muster-core --bench validate --
//! hostile`; with `MUSTER_HOSTILE_DIR=DIR` set, the files are also written there (for measuring
//! `muster validate`'s time and peak memory on them, see docs/benchmarks.md).

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

const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");

/// The minimal drill with `injects` put first in its injects and `variables` first in its variables.
fn minimal_with(variables: &str, injects: &str, body: &str) -> String {
    MINIMAL
        .replacen("variables: [", &format!("variables: [{variables}"), 1)
        .replacen("injects: [", &format!("injects: [{injects}"), 1)
        .replacen("body: \"A personal", &format!("body: \"{body}A personal"), 1)
}

/// Hostile files near the size cap: (name, text). The model one is a model.
fn hostile() -> Vec<(&'static str, String)> {
    let to = (0..100).map(|k| format!("\"ghost{k}\"")).collect::<Vec<_>>().join(",");
    let ghosts: String = (0..900)
        .map(|i| {
            format!(
                "Inject(id: \"g{i}\", title: \"t\", channel: Chat, to: [{to}], trigger: Cue, body: \"b\"),"
            )
        })
        .collect();
    let unknown_roles = format!("// {}\n{}", "x".repeat(1_000_000), minimal_with("", &ghosts, ""));
    let bomb = minimal_with(
        &format!("Variable(name: \"big\", value: OneOf([\"{}\"])),", "v".repeat(900_000)),
        "",
        &"{{big}}".repeat(150_000),
    );
    let unknown_variables = minimal_with("", "", &"{{nope}}".repeat(250_000));
    let variables: String =
        (0..997).map(|i| format!("Variable(name: \"v{i}\", value: OneOf([\"a\"])),")).collect();
    let many_variables = minimal_with(&variables, "", &"x".repeat(1_900_000));
    // Triggers chained in reverse file order, and prerequisites of a hundred each: the timing fixpoints'
    // worst order.
    let mut chain: String = (1..997)
        .rev()
        .map(|i| {
            format!(
                "Inject(id: \"c{i}\", title: \"t\", channel: Chat, to: [\"platform\"], trigger: AfterInject(inject: \"c{}\", delay: \"0s\"), body: \"b\", actions: [\"a{i}\"]),",
                i - 1
            )
        })
        .collect();
    chain.push_str("Inject(id: \"c0\", title: \"t\", channel: Chat, to: [\"platform\"], trigger: At(\"0s\"), body: \"b\", actions: [\"a0\"]),");
    let actions: String = (0..998)
        .rev()
        .map(|i: usize| {
            let after: Vec<String> = (i.saturating_sub(100)..i).map(|k| format!("\"a{k}\"")).collect();
            format!(
                "Action(id: \"a{i}\", label: \"l\", capability: \"secrets_management\", after: [{}]),",
                after.join(",")
            )
        })
        .collect();
    let chains = minimal_with("", &chain, "").replacen(
        "actions: [\n        Action(",
        &format!("actions: [{actions}Action("),
        1,
    );
    let n = 1000;
    let roles: Vec<String> =
        (0..n).map(|i| format!("Role(id: \"r{i}\", name: \"R\", team: \"T\", remit: \"x\")")).collect();
    let caps: Vec<String> = (0..n)
        .map(|i| format!("Capability(id: \"c{i}\", name: \"C\", description: \"d\", responsible: [\"r{i}\"], accountable: [\"r{}\"], consulted: [], informed: [])", (i + 1) % n))
        .collect();
    let rules: Vec<String> = (0..n)
        .map(|i| {
            let list: Vec<String> = (0..100).map(|k| format!("\"c{}\"", (i * 7 + k) % n)).collect();
            format!("SodRule(id: \"s{i}\", title: \"t\", rationale: \"r\", constraint: Oversight(overseer: \"r{i}\", capabilities: [{}]))", list.join(","))
        })
        .collect();
    let model = format!(
        "ResponsibilityModel(name: \"m\", version: 1, roles: [{}], capabilities: [{}], sod_rules: [{}])",
        roles.join(","),
        caps.join(","),
        rules.join(",")
    );
    vec![
        ("unknown-roles", unknown_roles),
        ("fill-bomb", bomb),
        ("unknown-variables", unknown_variables),
        ("many-variables", many_variables),
        ("trigger-chains", chains),
        ("oversight-model", model),
    ]
}

#[expect(
    clippy::disallowed_methods,
    reason = "the bench, not the core, writes the generated files for measuring the CLI on them"
)]
fn write_hostile(dir: &std::path::Path, files: &[(&str, String)]) {
    std::fs::create_dir_all(dir).expect("hostile dir");
    std::fs::write(dir.join("model.ron"), MODEL).expect("model");
    for (name, text) in files {
        std::fs::write(dir.join(format!("{name}.ron")), text).expect("write");
    }
}

fn bench_hostile(c: &mut Criterion) {
    let model = load_model(MODEL).value.expect("valid model");
    let files = hostile();
    if let Some(dir) = std::env::var_os("MUSTER_HOSTILE_DIR") {
        write_hostile(std::path::Path::new(&dir), &files);
    }
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for (name, text) in &files {
        assert!(text.len() <= muster_core::validate::MAX_FILE_BYTES, "{name}: {} bytes", text.len());
        if name.ends_with("model") {
            group.bench_function(*name, |b| {
                b.iter(|| load_model(std::hint::black_box(text)).diagnostics.len())
            });
        } else {
            group.bench_function(*name, |b| {
                b.iter(|| load_scenario(std::hint::black_box(text), &model).diagnostics.len())
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench, bench_hostile);
criterion_main!(benches);
