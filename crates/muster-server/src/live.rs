//! Live drills over HTTP and WebSocket: `POST /api/live` creates one (facilitator, from this machine
//! only), `GET /api/live/ws` upgrades to the live protocol. Frames in, frames out: everything else is
//! `muster_app::live`.
//!
//! The upgrade is a GET, which the guard's Origin rule lets through, so it checks `Origin` itself
//! (allowlist: the server's own origins; a client that sends none is not a browser and is let through to the
//! token check). Frames over [`MAX_MESSAGE_BYTES`] close the connection; a [`Hello`] must arrive within
//! [`HELLO_TIMEOUT`]; the server pings every [`PING_INTERVAL`] and closes a connection silent for
//! [`IDLE_TIMEOUT`]; each address may hold at most `max_connections_per_ip` sockets. No compression is
//! negotiated (permessage-deflate is off: axum does not offer it).

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::SinkExt;
use muster_app::live::{CreateSpec, Kick, Live, LiveError, Refusal};
use muster_protocol::live::{
    ClientMessage, CreateLive, Hello, LiveCreated, LiveServer, MAX_MESSAGE_BYTES, ServerMessage,
};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::{ApiResult, AppState, Failure, json_body};

/// How long a new connection has to send its [`Hello`].
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the server pings an open connection.
pub const PING_INTERVAL: Duration = Duration::from_secs(15);
/// How long a connection may stay silent (no message, no pong) before it is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(45);
/// Bytes of each connection's read buffer.
const READ_BUFFER_BYTES: usize = 4 * 1024;
/// Bytes a connection gathers before writing to the socket (a flush writes sooner).
const WRITE_BUFFER_BYTES: usize = 16 * 1024;
/// Longest reason in a close frame, in bytes (RFC 6455 allows 123; codes are ASCII and shorter).
const MAX_CLOSE_REASON_BYTES: usize = 123;
/// Longest a write to one socket may take: a client that stops reading is closed.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Most queued messages written to one socket before a flush.
const WRITE_BATCH: usize = 64;

/// WebSocket connections one address may hold at once, by default.
pub const MAX_CONNECTIONS_PER_IP: usize = 32;

/// Open WebSocket connections per address.
#[derive(Debug, Default)]
pub(crate) struct PerIp(Mutex<BTreeMap<IpAddr, usize>>);

/// A connection's place in the per-address count, given back when dropped.
pub(crate) struct Slot(Arc<PerIp>, IpAddr);

impl PerIp {
    pub(crate) fn take(self: &Arc<PerIp>, ip: IpAddr, max: usize) -> Option<Slot> {
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = map.entry(ip).or_insert(0);
        if *n >= max {
            return None;
        }
        *n += 1;
        Some(Slot(self.clone(), ip))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut map = self.0.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = map.get_mut(&self.1) {
            *n -= 1;
            if *n == 0 {
                map.remove(&self.1);
            }
        }
    }
}

fn live(state: &AppState) -> ApiResult<&Live> {
    state.live.as_ref().ok_or_else(|| {
        Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-store",
            "this server was started without a drill log",
        )
    })
}

/// `GET /api/live`: where participants reach this server. Only from this machine, like creating.
pub(crate) async fn server(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> ApiResult<axum::Json<LiveServer>> {
    facilitator_machine(&state, peer)?;
    Ok(axum::Json(LiveServer {
        lan_url: state.join_base.as_deref().map(str::to_owned),
        fingerprint: state.fingerprint.as_deref().map(str::to_owned),
    }))
}

fn facilitator_machine(state: &AppState, peer: SocketAddr) -> ApiResult<()> {
    if !peer.ip().is_loopback() || state.exposure != crate::Exposure::Local {
        return Err(Failure::new(
            StatusCode::FORBIDDEN,
            "facilitator-only",
            "live drills are set up on the facilitator's machine",
        ));
    }
    Ok(())
}

/// `POST /api/live`: create a live drill. Only from this machine: participants join, they do not create.
pub(crate) async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, axum::Json<LiveCreated>)> {
    facilitator_machine(&state, peer)?;
    let live = live(&state)?;
    let request: CreateLive =
        json_body(&headers, &body, "{\"scenario\", \"team\", \"seed\", \"speed\", \"seats\"}")?;
    // Links point where participants reach the server: the LAN listener when there is one, else the Host
    // the facilitator used (checked by the guard: one of this server's own names).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let base_url = state.join_base.as_deref().map_or_else(|| format!("http://{host}"), str::to_owned);
    let fingerprint = state.fingerprint.as_deref().map(str::to_owned);
    let spec = CreateSpec { request, base_url, fingerprint };
    match live.create(spec).await {
        Ok(created) => Ok((StatusCode::CREATED, axum::Json(created))),
        Err(LiveError::Invalid(m)) => Err(Failure::new(StatusCode::BAD_REQUEST, "bad-request", m)),
        Err(LiveError::Setup(e @ muster_app::setup::SetupError::NotFound(_))) => {
            Err(Failure::new(StatusCode::NOT_FOUND, "not-found", e.to_string()))
        }
        Err(LiveError::Setup(e)) => {
            Err(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid", e.to_string()))
        }
        Err(e) => Err(Failure::internal(e)),
    }
}

/// `GET /api/live/ws`: the live protocol.
pub(crate) async fn ws(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if let Some(origin) = headers.get(header::ORIGIN) {
        // The guard checked Host; the page must come from this very listener and host.
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let ok = origin.to_str().ok().is_some_and(|o| crate::origin_allowed(&state, o, host));
        if !ok {
            return Failure::new(
                StatusCode::FORBIDDEN,
                "bad-origin",
                "connections from other sites are refused",
            )
            .into_response();
        }
    }
    let Some(live) = state.live.clone() else {
        return Failure::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "no-store",
            "this server was started without a drill log",
        )
        .into_response();
    };
    let Some(slot) = state.per_ip.take(peer.ip(), state.max_connections_per_ip) else {
        return Failure::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-connections",
            "too many open connections from this address",
        )
        .into_response();
    };
    upgrade
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
        // Small buffers: hundreds of connections each hold them. Writes are batched by `flush` below.
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| session(socket, live, peer.ip(), slot))
}

fn text(message: &ServerMessage) -> Message {
    Message::Text(serde_json::to_string(message).unwrap_or_default().into())
}

async fn close(socket: &mut WebSocket, code: &str, message: &str) {
    let closed = ServerMessage::Closed { code: code.to_owned(), message: message.to_owned() };
    let _ = socket.send(text(&closed)).await;
    // A close frame's reason is capped by the protocol; the code says enough.
    let reason: String = code.chars().take(MAX_CLOSE_REASON_BYTES).collect();
    let _ =
        socket.send(Message::Close(Some(CloseFrame { code: 1000, reason: Utf8Bytes::from(reason) }))).await;
}

/// One connection: the hello, then messages both ways until either side stops.
async fn session(mut socket: WebSocket, live: Live, peer: IpAddr, _slot: Slot) {
    let hello = match tokio::time::timeout(HELLO_TIMEOUT, socket.recv()).await {
        Ok(Some(Ok(Message::Text(t)))) => serde_json::from_str::<Hello>(&t),
        Err(_) => {
            let message = format!("no hello within {} seconds", HELLO_TIMEOUT.as_secs());
            return close(&mut socket, "timeout", &message).await;
        }
        Ok(_) => return close(&mut socket, "bad-hello", "the first message must be a hello").await,
    };
    let hello = match hello {
        Ok(h) => h,
        Err(e) => return close(&mut socket, "bad-hello", &format!("the hello does not read: {e}")).await,
    };
    let (out_tx, mut out_rx) = mpsc::channel::<Arc<str>>(live.queue_per_connection());
    let (kick_tx, mut kick_rx) = oneshot::channel::<Kick>();
    let conn = match live.connect(hello, peer, out_tx, kick_tx).await {
        Ok(c) => c,
        Err(Refusal { code, message }) => return close(&mut socket, &code, &message).await,
    };
    for t in &conn.initial {
        if socket.send(Message::Text(t.as_ref().into())).await.is_err() {
            return;
        }
    }
    // The first tick is at once: a ping right after the welcome gives the control room a latency soon.
    let mut ping = tokio::time::interval(PING_INTERVAL);
    let mut ping_sent: Option<Instant> = None;
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            biased;
            kick = &mut kick_rx => {
                let Kick { code, message } = kick.unwrap_or(Kick { code: "closed".into(), message: String::new() });
                // What was queued before the word to close still goes out first (if the client reads).
                let drain = async {
                    while let Ok(t) = out_rx.try_recv() {
                        socket.feed(Message::Text(t.as_ref().into())).await?;
                    }
                    socket.flush().await
                };
                if tokio::time::timeout(WRITE_TIMEOUT, drain).await.is_ok() {
                    let _ = tokio::time::timeout(WRITE_TIMEOUT, close(&mut socket, &code, &message)).await;
                }
                return;
            }
            out = out_rx.recv() => match out {
                Some(t) => {
                    // Write what is queued in one go: one system call for many messages; a client that stops
                    // reading cannot hold the connection open past the write timeout.
                    let write = async {
                        socket.feed(Message::Text(t.as_ref().into())).await?;
                        for _ in 1..WRITE_BATCH {
                            let Ok(t) = out_rx.try_recv() else { break };
                            socket.feed(Message::Text(t.as_ref().into())).await?;
                        }
                        socket.flush().await
                    };
                    if !matches!(tokio::time::timeout(WRITE_TIMEOUT, write).await, Ok(Ok(()))) {
                        return;
                    }
                }
                None => return close(&mut socket, "stopped", "the drill is no longer running").await,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(t))) => {
                    heard = Instant::now();
                    match serde_json::from_str::<ClientMessage>(&t) {
                        Ok(msg) => {
                            let id = msg.id().to_owned();
                            if let Err(refusal) = conn.send(msg).await {
                                let answer = ServerMessage::Rejected { id, why: refusal.view() };
                                if socket.send(text(&answer)).await.is_err() { return }
                            }
                        }
                        Err(e) => {
                            let why = Refusal { code: "bad-message".into(), message: format!("the message does not read: {e}") };
                            if socket.send(text(&ServerMessage::Rejected { id: String::new(), why: why.view() })).await.is_err() {
                                return;
                            }
                        }
                    }
                }
                Some(Ok(Message::Binary(_))) => {
                    heard = Instant::now();
                    let why = Refusal { code: "bad-message".into(), message: "send JSON text messages".into() };
                    if socket.send(text(&ServerMessage::Rejected { id: String::new(), why: why.view() })).await.is_err() {
                        return;
                    }
                }
                Some(Ok(Message::Pong(_))) => {
                    heard = Instant::now();
                    if let Some(sent) = ping_sent.take() {
                        conn.report_latency(sent.elapsed());
                    }
                }
                Some(Ok(Message::Ping(_))) => heard = Instant::now(),
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
            },
            _ = ping.tick() => {
                if heard.elapsed() > IDLE_TIMEOUT {
                    let message = format!("no word from this connection for {} seconds", IDLE_TIMEOUT.as_secs());
                    return close(&mut socket, "idle", &message).await;
                }
                if socket.send(Message::Ping(axum::body::Bytes::new())).await.is_err() {
                    return;
                }
                ping_sent = Some(Instant::now());
            }
        }
    }
}
