//! Connections: how long a client may take to send a request, how long an idle one is kept, and how many
//! one address may hold, on both listeners (loopback and LAN).
//!
//! hyper enforces the header read timeout (it also bounds a keep-alive connection waiting for its next
//! request) through axum-server, which serves both listeners; the per-address cap is an acceptor that
//! closes a connection over the cap before any byte is read and counts each accepted one until it
//! closes. A request whose handler (body included) takes longer than [`REQUEST_TIMEOUT`] is answered
//! 408 by the guard. This module never looks inside a request.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum_server::accept::Accept;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

use crate::live::{PerIp, Slot};

/// Longest a client may take to send a request's headers, and longest a keep-alive connection may
/// wait idle for its next request.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest a request may take from its headers to the response, its body included (a WebSocket's
/// upgrade answers at once; the socket then has its own timeouts).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections one address may hold beside its WebSockets (a browser opens about six).
pub const MAX_HTTP_CONNECTIONS_PER_IP: usize = 32;
/// Longest graceful stop: connections still open after it are closed.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Serves `router` on `listener` with the limits of this module until `handle` is told to stop; TLS
/// when `tls` is given.
pub(crate) async fn serve(
    listener: std::net::TcpListener,
    router: axum::Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    handle: axum_server::Handle<SocketAddr>,
    max_per_ip: usize,
) -> io::Result<()> {
    let capped = Capped { per_ip: Arc::default(), max: max_per_ip };
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    // The first request must come within the header timeout (this also bounds hyper's detection of
    // HTTP/1 or HTTP/2, which has no timeout of its own); HTTP/1 serves WebSocket upgrades.
    let mut server =
        axum_server::from_tcp(listener)?.handle(handle).first_request_timeout(HEADER_READ_TIMEOUT);
    // axum-server installs hyper's timer, which these timeouts need.
    server.http_builder().http1().header_read_timeout(HEADER_READ_TIMEOUT).keep_alive(true);
    server
        .http_builder()
        .http2()
        .keep_alive_interval(Some(HEADER_READ_TIMEOUT))
        .keep_alive_timeout(HEADER_READ_TIMEOUT);
    match tls {
        Some(config) => {
            let tls = axum_server::tls_rustls::RustlsAcceptor::new(
                axum_server::tls_rustls::RustlsConfig::from_config(config),
            )
            .handshake_timeout(HEADER_READ_TIMEOUT)
            .acceptor(capped);
            server.acceptor(tls).serve(service).await
        }
        None => server.acceptor(capped).serve(service).await,
    }
}

/// Tells the listeners served with `handle` to stop: each finishes what it is answering, closes idle
/// connections, and closes the rest after a grace period.
pub(crate) fn stop(handle: &axum_server::Handle<SocketAddr>) {
    handle.graceful_shutdown(Some(SHUTDOWN_GRACE));
}

/// Accepts a connection only while its address holds fewer than `max`; sets `TCP_NODELAY` (live events
/// are small messages that must go out at once, not wait for an ACK).
#[derive(Clone)]
struct Capped {
    per_ip: Arc<PerIp>,
    max: usize,
}

impl<S> Accept<TcpStream, S> for Capped {
    type Stream = Counted;
    type Service = S;
    type Future = std::future::Ready<io::Result<(Counted, S)>>;

    fn accept(&self, stream: TcpStream, service: S) -> Self::Future {
        let slot = stream.peer_addr().ok().and_then(|peer| self.per_ip.take(peer.ip(), self.max));
        let Some(slot) = slot else {
            // Dropping the stream closes it before a byte is read.
            return std::future::ready(Err(io::Error::other("too many connections from this address")));
        };
        let _ = stream.set_nodelay(true);
        std::future::ready(Ok((Counted { stream, _slot: slot }, service)))
    }
}

/// An accepted connection holding its place in the per-address count until it closes.
struct Counted {
    stream: TcpStream,
    _slot: Slot,
}

impl AsyncRead for Counted {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Counted {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}
