//! API tests through the router, no socket: each request is built as a browser or a hostile client
//! would send it, and the answer's status and JSON are checked.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use muster_library::builtin;
use serde_json::Value;
use tower::ServiceExt;

use super::{AppState, DirAssets, allowed_hosts, router};

const HOST: &str = "127.0.0.1:4000";

fn app() -> (axum::Router, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    builtin::seed(tmp.path()).expect("seed");
    let ui = tmp.path().join("ui");
    std::fs::create_dir_all(ui.join("assets")).expect("ui dir");
    std::fs::write(ui.join("index.html"), "<!doctype html><title>Muster</title>").expect("index");
    std::fs::write(ui.join("assets/app.js"), "console.log(1)").expect("js");
    let state = AppState {
        library_dir: tmp.path().to_owned(),
        assets: Arc::new(DirAssets(ui)),
        allowed_hosts: Arc::new(allowed_hosts(HOST.parse().expect("addr"))),
        store: None,
        store_label: None,
        export_dir: None,
        live: None,
        per_ip: Arc::default(),
        max_connections_per_ip: crate::live::MAX_CONNECTIONS_PER_IP,
        exposure: crate::Exposure::Local,
        join_base: None,
        fingerprint: None,
    };
    (router(state), tmp)
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, Value, axum::http::HeaderMap) {
    let res = app.clone().oneshot(req).await.expect("response");
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.expect("body").to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, json, headers)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).header("host", HOST).body(Body::empty()).expect("request")
}

fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("host", HOST)
        .header("origin", format!("http://{HOST}"))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request")
}

#[tokio::test]
async fn library_lists_the_four_drills() {
    let (app, _tmp) = app();
    let (status, json, headers) = send(&app, get("/api/library")).await;
    assert_eq!(status, StatusCode::OK);
    let cards = json["scenarios"].as_array().expect("cards");
    assert_eq!(cards.len(), 4);
    for card in cards {
        assert_eq!(card["status"], "ok", "{card}");
        assert!(card["counts"]["injects"].as_u64().expect("n") >= 1);
    }
    assert_eq!(json["model"]["status"], "ok");
    assert!(headers["content-security-policy"].to_str().expect("csp").contains("default-src 'self'"));
}

#[tokio::test]
async fn scenario_detail_and_model() {
    let (app, _tmp) = app();
    let (status, json, _) = send(&app, get("/api/scenarios/leaked-secret")).await;
    assert_eq!(status, StatusCode::OK);
    let msel = json["msel"].as_array().expect("msel");
    assert!(!msel.is_empty());
    assert!(msel.iter().any(|r| r["conditional"] == true));
    let times: Vec<u64> = msel
        .iter()
        .filter(|r| r["trigger"]["type"] != "cue")
        .map(|r| r["earliest_ms"].as_u64().expect("ms"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "MSEL sorted by time: {times:?}");
    assert!(!json["actions"].as_array().expect("actions").is_empty());

    let (status, json, _) = send(&app, get("/api/model")).await;
    assert_eq!(status, StatusCode::OK);
    let roles = json["roles"].as_array().expect("roles").len();
    for row in json["capabilities"].as_array().expect("rows") {
        let cells = row["cells"].as_array().expect("cells");
        assert_eq!(cells.len(), roles);
        assert_eq!(cells.iter().filter(|c| c.as_str().expect("cell").contains('A')).count(), 1, "{row}");
    }

    let (status, json, _) = send(&app, get("/api/scenarios/nope")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["error"], "not-found");
}

#[tokio::test]
async fn import_refuses_broken_files_and_accepts_valid_ones() {
    let (app, tmp) = app();
    let broken = builtin::SCENARIOS[0].1.replacen("\"security\"", "\"securty\"", 1);
    let (status, json, _) =
        send(&app, post_json("/api/scenarios/import", &serde_json::json!({"name": "x.ron", "text": broken})))
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let d = &json["check"]["diagnostics"][0];
    assert_eq!(d["code"], "unknown-role");
    assert!(d["line"].as_u64().expect("line") > 1 && d["column"].as_u64().expect("col") > 1, "{d}");
    assert!(d["hint"].as_str().expect("hint").contains("security"));

    let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
    let req = serde_json::json!({"name": "../../etc/minimal.ron", "text": minimal});
    let (status, json, _) = send(&app, post_json("/api/scenarios/import", &req)).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    assert_eq!(json["card"]["key"], "minimal");
    assert!(tmp.path().join("minimal.ron").exists());
    let (status, json, _) = send(&app, post_json("/api/scenarios/import", &req)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(json["error"], "exists");
    let (_, json, _) = send(&app, get("/api/library")).await;
    assert_eq!(json["scenarios"].as_array().expect("cards").len(), 5);
}

#[tokio::test]
async fn hostile_requests_are_refused() {
    let (app, _tmp) = app();
    // DNS rebinding: a foreign Host.
    let req =
        Request::get("/api/library").header("host", "evil.example:4000").body(Body::empty()).expect("req");
    assert_eq!(send(&app, req).await.0, StatusCode::MISDIRECTED_REQUEST);
    // Cross-site POST.
    let req = Request::post("/api/scenarios/check")
        .header("host", HOST)
        .header("origin", "http://evil.example")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("req");
    assert_eq!(send(&app, req).await.0, StatusCode::FORBIDDEN);
    // Malformed JSON gets our error shape.
    let req = Request::post("/api/scenarios/check")
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(Body::from("{not json"))
        .expect("req");
    let (status, json, _) = send(&app, req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["error"], "bad-request");
    // Path traversal to the scenario folder.
    assert_eq!(send(&app, get("/../model.ron")).await.0, StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/assets/%2e%2e/%2e%2e/model.ron")).await.0, StatusCode::NOT_FOUND);
    // Oversized body.
    let big = "x".repeat(super::MAX_BODY_BYTES + 1);
    let (status, _, _) =
        send(&app, post_json("/api/scenarios/check", &serde_json::json!({"name": "a", "text": big}))).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn refusals_carry_the_security_headers_and_the_error_shape() {
    // Hardening issue, item 6: the guard's own refusals and axum's rejections are answered like any
    // other API failure: JSON `{error, message}` with the CSP, nosniff and frame options.
    let (app, _tmp) = app();
    let check_headers = |headers: &axum::http::HeaderMap, what: &str| {
        assert!(headers.get("content-security-policy").is_some(), "{what}: no CSP");
        assert_eq!(
            headers.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{what}"
        );
        assert_eq!(headers.get("x-frame-options").map(|v| v.as_bytes()), Some(&b"DENY"[..]), "{what}");
    };
    let foreign_host =
        Request::get("/api/library").header("host", "evil.example:4000").body(Body::empty()).expect("req");
    let foreign_origin = Request::post("/api/scenarios/check")
        .header("host", HOST)
        .header("origin", "http://evil.example")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .expect("req");
    let big = "x".repeat(super::MAX_BODY_BYTES + 1);
    let oversize = post_json("/api/scenarios/check", &serde_json::json!({"name": "a", "text": big}));
    let wrong_method = get("/api/scenarios/import");
    for (req, status, code) in [
        (foreign_host, StatusCode::MISDIRECTED_REQUEST, "bad-host"),
        (foreign_origin, StatusCode::FORBIDDEN, "bad-origin"),
        (oversize, StatusCode::PAYLOAD_TOO_LARGE, "too-large"),
        (wrong_method, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
    ] {
        let (got, json, headers) = send(&app, req).await;
        assert_eq!(got, status, "{json}");
        assert_eq!(json["error"], code, "{json}");
        assert!(json["message"].as_str().is_some_and(|m| !m.is_empty()), "{json}");
        check_headers(&headers, code);
    }
}

#[tokio::test]
async fn the_content_type_is_a_media_type_not_a_prefix() {
    // Hardening issue, item 9: compared as a type, case-insensitively, with parameters.
    let (app, _tmp) = app();
    let body = serde_json::json!({"name": "a.ron", "text": "Scenario()"}).to_string();
    for (content_type, status) in [
        ("application/json", StatusCode::OK),
        ("APPLICATION/JSON", StatusCode::OK),
        ("application/json; charset=utf-8", StatusCode::OK),
        ("application/jsonfoo", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("application/json+evil", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ] {
        let req = Request::post("/api/scenarios/check")
            .header("host", HOST)
            .header("content-type", content_type)
            .body(Body::from(body.clone()))
            .expect("req");
        let (got, json, _) = send(&app, req).await;
        assert_eq!(got, status, "{content_type}: {json}");
    }
}

#[tokio::test]
async fn one_file_that_is_not_utf8_does_not_break_the_library() {
    // Hardening issue, item 3: a Latin-1 file is listed with its own diagnostic; the library, the model,
    // the other scenarios and import answer as usual.
    let (app, tmp) = app();
    let mut latin1 = b"// R\xe9sum\xe9 of the drill\nScenario()".to_vec();
    latin1.extend_from_slice(b"\n");
    std::fs::write(tmp.path().join("latin1.ron"), &latin1).expect("write");
    let (status, json, _) = send(&app, get("/api/library")).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let cards = json["scenarios"].as_array().expect("cards");
    assert_eq!(cards.len(), 5);
    let bad = cards.iter().find(|c| c["file"] == "latin1.ron").expect("listed");
    assert_eq!(bad["status"], "error");
    assert_eq!(cards.iter().filter(|c| c["status"] == "ok").count(), 4);
    let (status, detail, _) = send(&app, get("/api/scenarios/latin1")).await;
    assert_eq!(status, StatusCode::OK);
    let d = &detail["diagnostics"][0];
    assert_eq!(d["code"], "encoding");
    assert!(d["message"].as_str().expect("message").contains("byte 4 (0xE9)"), "{d}");
    assert_eq!(send(&app, get("/api/model")).await.0, StatusCode::OK);
    assert_eq!(send(&app, get("/api/scenarios/leaked-secret")).await.0, StatusCode::OK);
    let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
    let (status, json, _) = send(
        &app,
        post_json("/api/scenarios/import", &serde_json::json!({"name": "m.ron", "text": minimal})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
}

#[tokio::test]
async fn import_never_writes_through_a_planted_link() {
    // Hardening issue, item 7: a dangling link named like the import's target (`minimal.ron`) is refused
    // as existing; nothing is written where it points, and the link stays as it was.
    let (app, tmp) = app();
    let outside = tempfile::tempdir().expect("outside");
    let victim = outside.path().join("victim.ron");
    std::os::unix::fs::symlink(&victim, tmp.path().join("minimal.ron")).expect("symlink");
    let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
    let (status, json, _) = send(
        &app,
        post_json("/api/scenarios/import", &serde_json::json!({"name": "m.ron", "text": minimal})),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{json}");
    assert_eq!(json["error"], "exists");
    assert!(!victim.exists(), "the import wrote through the link");
    assert!(
        std::fs::symlink_metadata(tmp.path().join("minimal.ron")).expect("link").file_type().is_symlink()
    );
    let (status, _, _) = send(&app, get("/api/library")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test(start_paused = true)]
async fn a_request_that_never_finishes_is_answered_408() {
    // Hardening issue, item 8: a body that never ends holds no handler past `REQUEST_TIMEOUT` (on
    // tokio's paused clock, so the test does not wait for it).
    let (app, _tmp) = app();
    let never = futures_util::stream::pending::<Result<Vec<u8>, std::io::Error>>();
    let req = Request::post("/api/scenarios/check")
        .header("host", HOST)
        .header("content-type", "application/json")
        .body(Body::from_stream(never))
        .expect("req");
    let (status, json, headers) = send(&app, req).await;
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(json["error"], "timeout");
    assert!(headers.get("content-security-policy").is_some());
}

#[test]
fn a_failure_of_our_own_says_its_cause() {
    // Hardening issue, item 9: a plan save on a full disk said "database statement failed" and no more.
    let full = std::io::Error::from_raw_os_error(28);
    let e = muster_store::StoreError::Lock { path: "muster.db.locks/x.lock".into(), source: Arc::new(full) };
    let super::Failure(inner) = super::Failure::internal(e);
    assert!(inner.1.message.contains("No space left on device"), "{}", inner.1.message);
}

#[tokio::test]
async fn assets_and_client_routes() {
    let (app, _tmp) = app();
    let res = app.clone().oneshot(get("/")).await.expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().expect("ct").starts_with("text/html"));
    let res = app.clone().oneshot(get("/assets/app.js")).await.expect("res");
    assert!(res.headers()["content-type"].to_str().expect("ct").contains("javascript"));
    assert_eq!(
        app.clone().oneshot(get("/scenario/leaked-secret")).await.expect("res").status(),
        StatusCode::OK
    );
    assert_eq!(app.clone().oneshot(get("/missing.png")).await.expect("res").status(), StatusCode::NOT_FOUND);
    assert_eq!(send(&app, get("/api/nothing")).await.1["error"], "not-found");
}

mod drills {
    use muster_core::engine::{
        ActionRef, Actor, Command, Drill, DrillSetup, Input, NoteKind, ParticipantId, RolePolicy, Speed,
        WallMs,
    };
    use muster_core::{ActionId, RoleId, load_model, load_scenario};
    use muster_store::{NewDrill, Store};

    use super::*;

    const T0: u64 = 1_795_435_200_000;

    /// A router with a drill log holding one short drill of leaked-secret: platform deactivates the key
    /// late, the facilitator notes hostile-looking text, the drill ends.
    async fn app_with_drill() -> (axum::Router, tempfile::TempDir, String) {
        let tmp = tempfile::tempdir().expect("tempdir");
        builtin::seed(tmp.path()).expect("seed");
        let store = Store::open(&tmp.path().join("muster.db")).await.expect("store");
        let model = load_model(builtin::MODEL).value.expect("model");
        let text = builtin::SCENARIOS.iter().find(|(n, _)| *n == "leaked-secret.ron").expect("scenario").1;
        let scenario = load_scenario(text, &model).scenario.expect("scenario");
        let setup = DrillSetup::new(9, Speed::REAL_TIME, RolePolicy::One);
        let id = store
            .create_drill(NewDrill {
                scenario_id: scenario.id.0.clone(),
                scenario_version: scenario.version.clone(),
                scenario_text: text.into(),
                model_text: builtin::MODEL.into(),
                setup: setup.clone(),
                team: Some("blue".into()),
                facilitator: Some("Fran".into()),
                created_wall_ms: T0,
            })
            .await
            .expect("create");
        let mut drill = Drill::new(scenario, setup);
        let ana = Actor::Participant(ParticipantId("ana".into()));
        let steps = [
            (0, ana.clone(), Command::Join { name: "Ana".into() }),
            (
                0,
                Actor::Facilitator,
                Command::Assign { participant: ParticipantId("ana".into()), role: RoleId::from("platform") },
            ),
            (0, Actor::Facilitator, Command::Start),
            (
                60,
                Actor::Facilitator,
                Command::Note {
                    kind: NoteKind::Observation,
                    text: "<script>alert(1)</script> | *x*, \"q\"".into(),
                },
            ),
            (
                20 * 60,
                ana,
                Command::Act {
                    client_id: "c1".into(),
                    role: RoleId::from("platform"),
                    action: ActionRef::Scenario(ActionId::from("deactivate_key")),
                },
            ),
            (30 * 60, Actor::Facilitator, Command::End),
        ];
        let writer = store.writer();
        for (s, actor, command) in steps {
            let input = Input::Command { now: WallMs(T0 + s * 1000), actor, command };
            let outcome = drill.input(&input);
            assert_eq!(outcome.rejection, None);
            writer.append(&id, input, outcome.events, drill.state()).await.expect("append");
        }
        let state = AppState {
            library_dir: tmp.path().to_owned(),
            assets: Arc::new(DirAssets(tmp.path().to_owned())),
            allowed_hosts: Arc::new(allowed_hosts(HOST.parse().expect("addr"))),
            store: Some(store),
            store_label: Some(Arc::from("test.db")),
            export_dir: Some(tmp.path().join("exports")),
            live: None,
            per_ip: Arc::default(),
            max_connections_per_ip: crate::live::MAX_CONNECTIONS_PER_IP,
            exposure: crate::Exposure::Local,
            join_base: None,
            fingerprint: None,
        };
        (router(state), tmp, id.0)
    }

    async fn text(app: &axum::Router, path: &str) -> (StatusCode, String, axum::http::HeaderMap) {
        let res = app.clone().oneshot(get(path)).await.expect("response");
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.expect("body").to_bytes();
        (status, String::from_utf8(bytes.to_vec()).expect("utf-8"), headers)
    }

    fn put_json(path: &str, body: &Value) -> Request<Body> {
        Request::put(path)
            .header("host", HOST)
            .header("origin", format!("http://{HOST}"))
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .expect("request")
    }

    #[tokio::test]
    async fn the_history_lists_the_drill_with_its_title() {
        let (app, _tmp, id) = app_with_drill().await;
        let (status, json, _) = send(&app, get("/api/drills")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json["store"], "test.db");
        let drill = &json["drills"][0];
        assert_eq!(drill["id"], id.as_str());
        assert_eq!(drill["scenario_id"], "leaked-secret");
        assert!(drill["scenario_title"].as_str().expect("title").len() > 10);
        assert_eq!((drill["team"].as_str(), drill["facilitator"].as_str()), (Some("blue"), Some("Fran")));
        assert_eq!(drill["state"], "ended");
    }

    #[tokio::test]
    async fn reports_come_in_four_formats_and_hostile_text_stays_text() {
        let (app, _tmp, id) = app_with_drill().await;
        let (status, html, headers) = text(&app, &format!("/api/drills/{id}/report/html")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-security-policy"], crate::history::REPORT_CSP);
        assert_eq!(headers["x-frame-options"], "SAMEORIGIN");
        assert!(html.contains("id=\"objectives\"") && html.contains("<svg"), "sections and charts");
        assert!(!html.contains("<script>alert(1)</script>"), "the note is escaped");
        assert!(html.contains("&lt;script&gt;alert(1)"), "shown as text");
        let (status, json, _) = send(&app, get(&format!("/api/drills/{id}/report/json"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(json["schema_version"], 1);
        let score = json["team"]["score"].as_u64().expect("score");
        assert!(score > 0 && score < 100, "one late action out of many: {score}");
        let (status, md, _) = text(&app, &format!("/api/drills/{id}/report/md")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!md.contains("<script>"), "markdown escapes the note too");
        let (status, csv, headers) = text(&app, &format!("/api/drills/{id}/report/csv?download=1")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(csv.contains("\"\"q\"\""), "quotes in CSV are doubled");
        let disposition = headers["content-disposition"].to_str().expect("header");
        assert_eq!(disposition, format!("attachment; filename=\"leaked-secret-{id}.csv\""));
        let (status, json, _) = send(&app, get(&format!("/api/drills/{id}/report/pdf"))).await;
        assert_eq!((status, json["error"].as_str()), (StatusCode::NOT_FOUND, Some("not-found")));
        for bad in ["..%2F..%2Fetc", "NOSUCHDRILL1", "a%20b"] {
            let (status, json, _) = send(&app, get(&format!("/api/drills/{bad}/report/html"))).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {json}");
        }
    }

    #[tokio::test]
    async fn the_plan_is_drafted_edited_checked_and_saved() {
        let (app, tmp, id) = app_with_drill().await;
        let path = format!("/api/drills/{id}/plan");
        let (status, plan, _) = send(&app, get(&path)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plan["saved"], false);
        let items = plan["items"].as_array().expect("items").clone();
        assert!(!items.is_empty(), "a drill with missed actions has a draft plan");
        assert!(plan["roles"].as_array().expect("roles").iter().any(|r| r["id"] == "security"));
        // Edit: close the first item, give it to platform, keep one more.
        let mut first = items[0].clone();
        first["status"] = "done".into();
        first["owner"] = "platform".into();
        first["due"] = "2027-01-15".into();
        let edited = serde_json::json!({ "items": [first, items[1].clone()] });
        let (status, saved, _) = send(&app, put_json(&path, &edited)).await;
        assert_eq!(status, StatusCode::OK, "{saved}");
        assert_eq!(saved["saved"], true);
        let (_, again, _) = send(&app, get(&path)).await;
        assert_eq!(again["items"], edited["items"]);
        // The saved plan is what the report shows.
        let (_, report, _) = send(&app, get(&format!("/api/drills/{id}/report/json"))).await;
        assert_eq!(report["improvement_plan"].as_array().map(Vec::len), Some(2));
        // Bad items are refused with a message that says which and why; nothing is saved.
        for (field, value, says) in [
            ("owner", "ceo", "no role `ceo`"),
            ("capability", "magic", "no capability `magic`"),
            ("due", "next week", "not a date"),
            ("due", "+2026-12-31", "not a date"),
            ("due", "2026-1-5", "not a date"),
            ("issue", " ", "the issue is empty"),
            // Hardening issue, item 5: clear screen, set title, hyperlink, clipboard.
            ("issue", "x\u{1b}[2J", "control character U+001B"),
            ("corrective_action", "x\u{1b}]0;pwned\u{7}", "control character U+001B"),
            ("corrective_action", "\u{1b}]8;;http://evil.example\u{1b}\\link", "control character"),
            ("issue", "\u{1b}]52;c;cm0gLXJmIH4=\u{7}", "control character"),
        ] {
            let mut bad = items[0].clone();
            bad[field] = value.into();
            let (status, json, _) = send(&app, put_json(&path, &serde_json::json!({ "items": [bad] }))).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
            assert!(json["message"].as_str().expect("message").contains(says), "{json}");
        }
        let (_, again, _) = send(&app, get(&path)).await;
        assert_eq!(again["items"], edited["items"]);
        // Another site cannot change it.
        let mut foreign = put_json(&path, &edited);
        foreign.headers_mut().insert("origin", "http://evil.example".parse().expect("header"));
        let (status, _, _) = send(&app, foreign).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // Export writes the file into the export folder.
        let body = serde_json::json!({ "format": "html" });
        let (status, json, _) = send(&app, post_json(&format!("/api/drills/{id}/export"), &body)).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        let written = std::path::PathBuf::from(json["path"].as_str().expect("path"));
        assert!(written.starts_with(tmp.path().join("exports")));
        assert!(std::fs::read_to_string(written).expect("export").contains("id=\"plan\""));
        // Trends over the one drill.
        let (status, trends, _) = send(&app, get("/api/trends?scenario=leaked-secret&team=blue")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(trends["points"].as_array().map(Vec::len), Some(1));
        assert_eq!(trends["points"][0]["plan_done"], 1);
    }
}
