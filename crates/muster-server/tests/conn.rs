//! Connection limits on a real server on loopback (hardening issue, item 8): a client that stalls half
//! way through its headers, or keeps a connection idle, is closed after the header read timeout; an
//! address holding its cap of connections gets no more until it lets one go. Each case checks that a
//! well-behaved request still gets its answer. No timing is asserted: the waits only bound the test.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use muster_server::{DirAssets, HEADER_READ_TIMEOUT, MAX_HTTP_CONNECTIONS_PER_IP, Server, ServerConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

/// WebSockets one address may hold in these tests (the TCP cap adds the HTTP allowance to it).
const WS_PER_IP: usize = 2;
/// Longest the test waits for the server to close a connection: well past the timeout, so a slow
/// machine cannot fail it, yet it ends if the server never closes.
const CLOSE_WAIT: Duration = Duration::from_secs(60);

async fn start() -> (SocketAddr, oneshot::Sender<()>, tempfile::TempDir) {
    let tmp = tempfile::tempdir().expect("tempdir");
    muster_library::builtin::seed(tmp.path()).expect("seed");
    let config = ServerConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        library_dir: tmp.path().to_owned(),
        assets: Arc::new(DirAssets(tmp.path().join("ui"))),
        store: None,
        store_label: None,
        export_dir: None,
        live: None,
        max_connections_per_ip: WS_PER_IP,
        lan: None,
    };
    let server = Server::bind(config).await.expect("bind");
    let addr = server.addr();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        server.run(async { drop(stopped.await) }).await.expect("serve");
    });
    (addr, stop, tmp)
}

/// A complete request on a fresh connection: the server still answers.
async fn health(addr: SocketAddr) -> String {
    let mut tcp = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // A connection the server refused may be reset: that reads as no answer.
    let _ = tcp.write_all(req.as_bytes()).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(CLOSE_WAIT, tcp.read_to_end(&mut answer)).await.expect("answer in time");
    String::from_utf8_lossy(&answer).into_owned()
}

/// Reads until the server closes the connection; returns what it sent before.
async fn until_closed(tcp: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(CLOSE_WAIT, tcp.read_to_end(&mut got)).await;
    assert!(read.is_ok(), "the server kept the connection open past {CLOSE_WAIT:?}");
    got
}

#[tokio::test]
async fn stalled_and_idle_connections_are_closed() {
    let (addr, stop, _tmp) = start().await;
    // Half-sent headers, from several connections at once.
    let mut stalled = Vec::new();
    for _ in 0..8 {
        let mut tcp = TcpStream::connect(addr).await.expect("connect");
        tcp.write_all(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ").await.expect("send");
        stalled.push(tcp);
    }
    // A keep-alive connection that answered once and then stays idle.
    let mut idle = TcpStream::connect(addr).await.expect("connect");
    let req = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    idle.write_all(req.as_bytes()).await.expect("send");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("answer");
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(health(addr).await.starts_with("HTTP/1.1 200"), "others are served meanwhile");
    for tcp in &mut stalled {
        let got = until_closed(tcp).await;
        // hyper answers a header timeout with nothing, or with a 408 before closing.
        assert!(got.is_empty() || got.starts_with(b"HTTP/1.1 408"), "{}", String::from_utf8_lossy(&got));
    }
    until_closed(&mut idle).await;
    assert!(HEADER_READ_TIMEOUT < CLOSE_WAIT);
    assert!(health(addr).await.starts_with("HTTP/1.1 200"));
    let _ = stop.send(());
}

#[tokio::test]
async fn an_address_gets_no_more_than_its_cap_of_connections() {
    let (addr, stop, _tmp) = start().await;
    let cap = WS_PER_IP + MAX_HTTP_CONNECTIONS_PER_IP;
    let mut held = Vec::new();
    for _ in 0..cap {
        let tcp = TcpStream::connect(addr).await.expect("connect");
        held.push(tcp);
    }
    // Each held connection is accepted (a request on the first gets its answer)...
    let req = format!("GET /api/health HTTP/1.1\r\nHost: {addr}\r\n\r\n");
    held[0].write_all(req.as_bytes()).await.expect("send");
    let mut first = [0u8; 12];
    held[0].read_exact(&mut first).await.expect("answer");
    assert_eq!(&first, b"HTTP/1.1 200");
    // ...and one more is closed before it is read: the kernel accepts it, the server drops it.
    let mut over = TcpStream::connect(addr).await.expect("connect");
    let _ = over.write_all(req.as_bytes()).await;
    let got = until_closed(&mut over).await;
    assert!(got.is_empty(), "a connection over the cap was served: {}", String::from_utf8_lossy(&got));
    // Letting connections go makes room again.
    held.truncate(cap - 2);
    let mut answer = String::new();
    for _ in 0..50 {
        answer = health(addr).await;
        if !answer.is_empty() {
            break;
        }
        // The server learns of the closed connections as it reads them; give it a moment.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let _ = stop.send(());
}
