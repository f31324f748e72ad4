//! LAN mode, on another loopback address standing in for the LAN (127.0.0.2; tests never send traffic to
//! a private or public address): participants join over TLS with the kept certificate, checked by its
//! fingerprint; the LAN listener serves participants only; without `--lan` nothing listens there.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use muster_app::live::client::{Client, create_on};
use muster_core::engine::Speed;
use muster_protocol::live::{CreateLive, Credential, You};
use muster_server::{DirAssets, LanConfig, Server, ServerConfig, tls};
use muster_store::Store;

const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");
const LAN: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 2);

async fn start(dir: &std::path::Path, lan: Option<LanConfig>) -> (Server, String) {
    let library = dir.join("scenarios");
    if !library.exists() {
        muster_library::builtin::seed(&library).expect("seed");
        std::fs::write(library.join("minimal.ron"), MINIMAL).expect("minimal");
    }
    let store = Store::open(&dir.join("muster.db")).await.expect("store");
    let config = ServerConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        library_dir: library,
        assets: Arc::new(DirAssets(dir.join("ui"))),
        store: Some(store),
        store_label: None,
        export_dir: None,
        live: None,
        max_connections_per_ip: 16,
        lan,
    };
    let server = Server::bind(config).await.expect("bind");
    let base = format!("http://{}", server.addr());
    (server, base)
}

/// The HTTP status the LAN listener answers a WebSocket upgrade to `path` with, over TLS pinned to
/// `fingerprint`, with `host` as the Host header (a non-upgrade answer is an error that carries it).
async fn status_of(addr: &str, host: &str, path: &str, fingerprint: &str) -> u16 {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("wss://{addr}{path}").into_client_request().expect("request");
    request.headers_mut().insert("host", host.parse().expect("host"));
    let connector = tokio_tungstenite::Connector::Rustls(
        muster_app::live::client::pinned_config(fingerprint).expect("tls config"),
    );
    match tokio_tungstenite::connect_async_tls_with_config(request, None, true, Some(connector)).await {
        Ok(_) => 101,
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => res.status().as_u16(),
        Err(e) => panic!("no HTTP answer: {e}"),
    }
}

/// A plain HTTP/1.1 GET on loopback, answered as JSON.
async fn get_json(base: &str, path: &str) -> serde_json::Value {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("read");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    serde_json::from_str(body).expect("JSON")
}

#[tokio::test]
async fn participants_join_over_tls_with_the_kept_certificate_and_only_reach_the_live_socket() {
    let dir = tempfile::tempdir().expect("tempdir");
    let identity = tls::identity(&dir.path().join("tls")).expect("certificate");
    let lan = LanConfig { addr: SocketAddr::from((LAN, 0)), tls: Some(identity.clone()) };
    let (server, base) = start(dir.path(), Some(lan)).await;
    let lan_url = server.lan_url().expect("a LAN url").to_owned();
    assert!(lan_url.starts_with("https://127.0.0.2:"), "{lan_url}");
    assert_eq!(server.fingerprint(), Some(identity.fingerprint.as_str()));
    let task = tokio::spawn(server.run(std::future::pending()));

    // The facilitator creates on loopback; the links and the fingerprint are the LAN's.
    let request = CreateLive {
        scenario: "minimal".into(),
        team: None,
        facilitator: None,
        seed: None,
        speed: Some(Speed::REAL_TIME),
        seats: None,
    };
    let created = create_on(&base, &request).await.expect("create");
    assert_eq!(created.fingerprint.as_deref(), Some(identity.fingerprint.as_str()));
    // The setup screen learns where participants join, on the loopback listener.
    let server_view = get_json(&base, "/api/live").await;
    assert_eq!(server_view["lan_url"].as_str(), Some(lan_url.as_str()));
    assert_eq!(server_view["fingerprint"].as_str(), Some(identity.fingerprint.as_str()));
    assert!(created.seats.iter().all(|s| s.link.starts_with(&format!("{lan_url}/join#seat="))));
    assert_eq!(created.join_url, format!("{lan_url}/join"));

    // A participant joins over TLS, trusting exactly that certificate.
    let seat = Credential::Token { token: created.seats[0].token.clone(), name: Some("Pia".into()) };
    let (_player, welcome) =
        Client::connect_pinned(&lan_url, &identity.fingerprint, seat, 0).await.expect("join over TLS");
    assert!(matches!(welcome.you, You::Participant { .. }));
    // The same certificate after a restart: the fingerprint participants saw stays true.
    assert_eq!(tls::identity(&dir.path().join("tls")).expect("kept").fingerprint, identity.fingerprint);

    // Another certificate's fingerprint is refused (what a participant's check protects against).
    let wrong = "00:".repeat(31) + "00";
    let seat = Credential::Token { token: created.seats[1].token.clone(), name: Some("Sam".into()) };
    assert!(Client::connect_pinned(&lan_url, &wrong, seat, 0).await.is_err(), "a foreign certificate");
    // Plain WebSocket to the TLS port gets nowhere.
    let lan_port = lan_url.rsplit(':').next().expect("port");
    let plain = format!("http://127.0.0.2:{lan_port}");
    let seat = Credential::Token { token: created.seats[1].token.clone(), name: Some("Sam".into()) };
    assert!(Client::connect(&plain, seat, 0).await.is_err(), "TLS only on the LAN listener");
    // The facilitator's endpoints are not served on the LAN; the live socket is.
    let addr = format!("127.0.0.2:{lan_port}");
    let fp = &identity.fingerprint;
    assert_eq!(status_of(&addr, &addr, "/api/live/ws", fp).await, 101);
    assert_eq!(status_of(&addr, &addr, "/api/library", fp).await, 403);
    assert_eq!(status_of(&addr, &addr, "/api/live", fp).await, 403);
    assert_eq!(status_of(&addr, &addr, "/api/drills", fp).await, 403);
    // A DNS name as Host on the LAN (a rebinding attempt) is refused.
    assert_eq!(status_of(&addr, &format!("evil.example:{lan_port}"), "/api/live/ws", fp).await, 421);
    task.abort();
}

#[tokio::test]
async fn without_lan_nothing_listens_on_the_lan_address() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (server, _) = start(dir.path(), None).await;
    let port = server.addr().port();
    assert_eq!(server.lan_url(), None);
    let task = tokio::spawn(server.run(std::future::pending()));
    // The loopback listener is bound to 127.0.0.1 alone: the same port on 127.0.0.2 refuses.
    let refused = tokio::net::TcpStream::connect(("127.0.0.2", port)).await;
    assert!(refused.is_err(), "the default refuses other addresses");
    task.abort();
}

#[tokio::test]
async fn plain_http_on_the_lan_only_when_asked_and_then_without_a_fingerprint() {
    let dir = tempfile::tempdir().expect("tempdir");
    let lan = LanConfig { addr: SocketAddr::from((LAN, 0)), tls: None };
    let (server, base) = start(dir.path(), Some(lan)).await;
    let lan_url = server.lan_url().expect("lan").to_owned();
    assert!(lan_url.starts_with("http://127.0.0.2:"));
    assert_eq!(server.fingerprint(), None);
    let task = tokio::spawn(server.run(std::future::pending()));
    let request = CreateLive {
        scenario: "minimal".into(),
        team: None,
        facilitator: None,
        seed: None,
        speed: None,
        seats: None,
    };
    let created = create_on(&base, &request).await.expect("create");
    assert_eq!(created.fingerprint, None, "no certificate to check: the facilitator sees a warning instead");
    let seat = Credential::Token { token: created.seats[0].token.clone(), name: Some("Pia".into()) };
    let (_p, welcome) = Client::connect(&lan_url, seat, 0).await.expect("join over plain HTTP");
    assert!(matches!(welcome.you, You::Participant { .. }));
    // A browser page from the LAN origin may open the socket; one from elsewhere may not.
    assert!(Client::open(&lan_url, Some(&lan_url)).await.is_ok());
    assert!(Client::open(&lan_url, Some("http://127.0.0.1:9")).await.is_err());
    task.abort();
}
