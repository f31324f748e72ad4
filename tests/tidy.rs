//! Tidy: the architecture's invariants, checked on the source tree (after rust-analyzer's tidy test).
//!
//! - muster-core depends only on an allowlist and never touches the clock, files, OS randomness or async;
//! - every crate under crates/ is in ARCHITECTURE.md;
//! - the UI never injects raw HTML (`{@html`) and never loads anything from outside;
//! - the root layout of the design card exists.

use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn files_under(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if name != "node_modules" && name != "dist" && name != "target" && !name.starts_with('.') {
                files_under(&path, ext, out);
            }
        } else if path.extension().is_some_and(|e| ext.iter().any(|x| e == *x)) {
            out.push(path);
        }
    }
}

#[test]
fn core_dependencies_stay_on_the_allowlist() {
    let manifest: toml::Table = fs::read_to_string(root().join("crates/muster-core/Cargo.toml"))
        .expect("core manifest")
        .parse()
        .expect("toml");
    let deps = manifest.get("dependencies").and_then(|d| d.as_table()).expect("dependencies");
    // ts-rs only derives TypeScript twins of the wire types, behind the `ts` feature.
    let allowed = ["ron", "serde", "strsim", "line-index", "rand", "chacha20", "ts-rs"];
    for name in deps.keys() {
        assert!(
            allowed.contains(&name.as_str()),
            "muster-core may not depend on `{name}` (pure core; allowlist: {allowed:?})"
        );
    }
}

#[test]
fn core_does_no_io_no_clock_no_os_randomness() {
    let mut files = Vec::new();
    files_under(&root().join("crates/muster-core/src"), &["rs"], &mut files);
    assert!(!files.is_empty());
    let banned = [
        "std::fs",
        "std::net",
        "std::time::Instant",
        "SystemTime",
        "Instant::now",
        "thread_rng",
        "rand::rng()",
        "OsRng",
        "tokio",
        "async fn",
        "std::env",
        "std::process",
        "println!",
        "eprintln!",
    ];
    for file in files {
        let text = fs::read_to_string(&file).expect("read");
        // Comments may name what is banned (to say so); code may not use it.
        let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
        for b in banned {
            let hit = code.iter().find(|l| l.contains(b));
            assert!(hit.is_none(), "{} uses `{b}`: muster-core is pure: {hit:?}", file.display());
        }
    }
}

#[test]
fn every_crate_is_on_the_architecture_map() {
    let arch = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    for entry in fs::read_dir(root().join("crates")).expect("crates").flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(arch.contains(&format!("`crates/{name}`")), "crates/{name} is missing from ARCHITECTURE.md");
    }
    for folder in ["src-tauri", "ui", "scenarios", "tests"] {
        assert!(arch.contains(&format!("`{folder}/`")), "{folder}/ is missing from ARCHITECTURE.md");
    }
}

#[test]
fn ui_never_injects_markup_or_loads_from_outside() {
    let mut files = Vec::new();
    files_under(&root().join("ui/src"), &["svelte", "ts", "css", "html"], &mut files);
    files_under(&root().join("ui"), &["html"], &mut files);
    assert!(!files.is_empty(), "ui/src is empty");
    for file in files {
        if file.components().any(|c| c.as_os_str() == "gen") {
            continue;
        }
        let text = fs::read_to_string(&file).expect("read");
        assert!(
            !text.contains("{@html"),
            "{}: `{{@html` bypasses escaping; render text as text",
            file.display()
        );
        assert!(!text.contains("innerHTML"), "{}: innerHTML bypasses escaping", file.display());
        for external in ["https://", "http://", "//fonts.", "@import url("] {
            let hits: Vec<&str> = text
                .lines()
                .filter(|l| {
                    l.contains(external) && !["//", "/*", "*"].iter().any(|c| l.trim_start().starts_with(c))
                })
                .collect();
            assert!(hits.is_empty(), "{}: no external requests allowed: {hits:?}", file.display());
        }
    }
}

#[test]
fn design_card_layout_exists() {
    for path in [
        "Cargo.toml",
        "Cargo.lock",
        "src-tauri",
        "ui",
        "scenarios",
        "tests",
        "README.md",
        "LICENSE",
        "tauri.conf.json",
        "ARCHITECTURE.md",
        ".ci/run",
        "docs/benchmarks.md",
    ] {
        assert!(root().join(path).exists(), "{path} is missing");
    }
    let conf = fs::read_to_string(root().join("tauri.conf.json")).expect("tauri.conf.json");
    assert!(!conf.contains("\"csp\": null"), "the desktop window needs a strict CSP");
}
