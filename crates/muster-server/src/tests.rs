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
