//! The generated TypeScript in `ui/src/gen/` must match the Rust types. Regenerate with
//! `cargo test -p muster-protocol` outside CI (it rewrites the files and fails once, so the change is seen).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use ts_rs::{Config, TS};

use crate::{
    ApiError, CheckResult, DrillList, ExportRequest, ExportResult, Health, ImportResult, LibraryView,
    ModelView, PlanUpdate, PlanView, ScenarioDetail, UploadRequest,
};

fn gen_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/gen")
}

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "ts"))
        .map(|e| {
            let text = fs::read_to_string(e.path()).expect("read generated file");
            (e.file_name().to_string_lossy().into_owned(), text)
        })
        .collect()
}

#[test]
fn generated_types_are_fresh() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = Config::new().with_out_dir(tmp.path()).with_large_int("number");
    ApiError::export_all(&cfg).expect("export");
    CheckResult::export_all(&cfg).expect("export");
    Health::export_all(&cfg).expect("export");
    ImportResult::export_all(&cfg).expect("export");
    LibraryView::export_all(&cfg).expect("export");
    ModelView::export_all(&cfg).expect("export");
    ScenarioDetail::export_all(&cfg).expect("export");
    UploadRequest::export_all(&cfg).expect("export");
    DrillList::export_all(&cfg).expect("export");
    PlanView::export_all(&cfg).expect("export");
    PlanUpdate::export_all(&cfg).expect("export");
    ExportRequest::export_all(&cfg).expect("export");
    ExportResult::export_all(&cfg).expect("export");
    crate::live::Hello::export_all(&cfg).expect("export");
    crate::live::ClientMessage::export_all(&cfg).expect("export");
    crate::live::ServerMessage::export_all(&cfg).expect("export");
    crate::live::CreateLive::export_all(&cfg).expect("export");
    crate::live::LiveCreated::export_all(&cfg).expect("export");
    crate::live::LiveServer::export_all(&cfg).expect("export");
    fs::write(tmp.path().join("limits.ts"), crate::live::client_limits_ts()).expect("limits.ts");
    let fresh = read_dir(tmp.path());
    let committed = read_dir(&gen_dir());
    if fresh == committed {
        return;
    }
    if std::env::var_os("CI").is_none() {
        let dir = gen_dir();
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create ui/src/gen");
        for (name, text) in &fresh {
            fs::write(dir.join(name), text).expect("write generated file");
        }
        panic!("ui/src/gen was stale and has been regenerated: review and commit it");
    }
    panic!("ui/src/gen is stale: run `cargo test -p muster-protocol` locally and commit the result");
}

/// Every example message in `docs/protocol.md` (a ```` ```json client ```` or ```` ```json server ```` block)
/// reads as the protocol type it stands for, so the write-up cannot drift from the types.
#[test]
fn the_protocol_write_up_examples_parse() {
    use crate::live::{ClientMessage, Hello, ServerMessage};
    let doc = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md"))
        .expect("docs/protocol.md");
    let mut blocks = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```json ") {
        let after = &rest[start + "```json ".len()..];
        let (tag, body) = after.split_once('\n').expect("block header");
        let end = body.find("```").expect("block end");
        let json = &body[..end];
        match tag.trim() {
            "client" => {
                let hello = serde_json::from_str::<Hello>(json);
                let msg = serde_json::from_str::<ClientMessage>(json);
                assert!(hello.is_ok() || msg.is_ok(), "not a client message: {json}\n{msg:?}");
            }
            "server" => {
                if let Err(e) = serde_json::from_str::<ServerMessage>(json) {
                    panic!("not a server message: {json}\n{e}");
                }
            }
            other => panic!("unknown example tag `{other}`"),
        }
        blocks += 1;
        rest = &body[end + 3..];
    }
    assert!(blocks >= 15, "only {blocks} examples found");
}
