//! A headless live-protocol client: what `muster live`, the live bench and the tests use to play a drill
//! over a real WebSocket against a real server, exactly as a browser does.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use muster_protocol::live::{
    ClientMessage, Credential, Hello, LIVE_PROTOCOL_VERSION, ServerMessage, Welcome,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why the client stopped.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The WebSocket failed.
    #[error("websocket: {0}")]
    Socket(#[from] Box<tokio_tungstenite::tungstenite::Error>),
    /// The server sent something that does not read.
    #[error("the server sent an unreadable message: {0}")]
    Unreadable(String),
    /// The server closed the connection, saying why.
    #[error("closed by the server: {code}: {message}")]
    Closed {
        /// The code.
        code: String,
        /// The reason.
        message: String,
    },
    /// The connection ended without a word.
    #[error("the connection ended")]
    Ended,
    /// Nothing arrived in time.
    #[error("no message within {0:?}")]
    Timeout(Duration),
}

impl From<tokio_tungstenite::tungstenite::Error> for ClientError {
    fn from(e: tokio_tungstenite::tungstenite::Error) -> ClientError {
        ClientError::Socket(Box::new(e))
    }
}

/// One connection to `/api/live/ws`.
pub struct Client {
    socket: Socket,
}

impl Client {
    /// Opens `ws://…/api/live/ws` of the server at `base` (`http://host:port`) without sending anything.
    pub async fn open(base: &str, origin: Option<&str>) -> Result<Client, ClientError> {
        Client::open_with(base, origin, None).await
    }

    /// Opens the socket of `base`, which may be `https://…` (a LAN server): then the server's certificate
    /// must have this SHA-256 `fingerprint` (as `muster serve --lan` prints it); nothing else is trusted.
    pub async fn open_with(
        base: &str,
        origin: Option<&str>,
        fingerprint: Option<&str>,
    ) -> Result<Client, ClientError> {
        let url = format!("{}/api/live/ws", base.trim_end_matches('/').replacen("http", "ws", 1));
        let mut request = url.into_client_request()?;
        if let Some(origin) = origin {
            let value =
                origin.parse().map_err(|_| ClientError::Unreadable(format!("bad origin {origin}")))?;
            request.headers_mut().insert("origin", value);
        }
        let connector = if base.starts_with("https://") {
            let fingerprint = fingerprint.ok_or_else(|| {
                ClientError::Unreadable("an https server needs the certificate's SHA-256 fingerprint".into())
            })?;
            Some(tokio_tungstenite::Connector::Rustls(pinned_config(fingerprint)?))
        } else {
            None
        };
        // No Nagle: commands are small and must go out at once.
        let (socket, _) =
            tokio_tungstenite::connect_async_tls_with_config(request, None, true, connector).await?;
        Ok(Client { socket })
    }

    /// Opens a connection and says hello; returns the welcome (the events it may see follow).
    pub async fn connect(
        base: &str,
        credential: Credential,
        since: u64,
    ) -> Result<(Client, Welcome), ClientError> {
        Client::connect_with(base, None, credential, since).await
    }

    /// [`Client::connect`] to an `https://` server whose certificate has this fingerprint.
    pub async fn connect_pinned(
        base: &str,
        fingerprint: &str,
        credential: Credential,
        since: u64,
    ) -> Result<(Client, Welcome), ClientError> {
        Client::connect_with(base, Some(fingerprint), credential, since).await
    }

    /// Opens a connection (`fingerprint` for an `https://` server), says hello, and returns the welcome
    /// or the server's reason for closing.
    pub async fn connect_with(
        base: &str,
        fingerprint: Option<&str>,
        credential: Credential,
        since: u64,
    ) -> Result<(Client, Welcome), ClientError> {
        let mut client = Client::open_with(base, None, fingerprint).await?;
        client.hello(credential, since).await?;
        match client.recv().await? {
            ServerMessage::Welcome(w) => Ok((client, w)),
            other => Err(ClientError::Unreadable(format!("expected a welcome, got {other:?}"))),
        }
    }

    /// Sends the hello.
    pub async fn hello(&mut self, credential: Credential, since: u64) -> Result<(), ClientError> {
        let hello = Hello { protocol: LIVE_PROTOCOL_VERSION, credential, since };
        self.send_text(&serde_json::to_string(&hello).unwrap_or_default()).await
    }

    /// Sends a message.
    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), ClientError> {
        self.send_text(&serde_json::to_string(msg).unwrap_or_default()).await
    }

    /// Sends raw text (for tests of what a hostile client sends).
    pub async fn send_text(&mut self, text: &str) -> Result<(), ClientError> {
        self.socket.send(Message::Text(text.into())).await?;
        Ok(())
    }

    /// Sends raw bytes as a binary frame.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> Result<(), ClientError> {
        self.socket.send(Message::Binary(bytes.into())).await?;
        Ok(())
    }

    /// The next message; a `closed` message is an error that says why.
    pub async fn recv(&mut self) -> Result<ServerMessage, ClientError> {
        parse(&next_text(&mut self.socket).await?)
    }

    /// The next text message as it came (for a reader that parses only what it needs).
    pub async fn recv_text(&mut self) -> Result<String, ClientError> {
        next_text(&mut self.socket).await
    }

    /// The next message within `wait`.
    pub async fn recv_within(&mut self, wait: Duration) -> Result<ServerMessage, ClientError> {
        tokio::time::timeout(wait, self.recv()).await.map_err(|_| ClientError::Timeout(wait))?
    }

    /// Splits the connection into a sending and a receiving half, to read on one task while another sends.
    pub fn split(self) -> (Sender, Receiver) {
        let (sink, stream) = self.socket.split();
        (Sender(sink), Receiver(stream))
    }

    /// Closes the connection.
    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// The sending half of a [`Client`].
pub struct Sender(futures_util::stream::SplitSink<Socket, Message>);

impl Sender {
    /// Sends a message.
    pub async fn send(&mut self, msg: &ClientMessage) -> Result<(), ClientError> {
        self.0.send(Message::Text(serde_json::to_string(msg).unwrap_or_default().into())).await?;
        Ok(())
    }
}

/// The receiving half of a [`Client`].
pub struct Receiver(futures_util::stream::SplitStream<Socket>);

impl Receiver {
    /// The next message; a `closed` message is an error that says why.
    pub async fn recv(&mut self) -> Result<ServerMessage, ClientError> {
        parse(&next_text(&mut self.0).await?)
    }
}

/// The next text frame of a socket (or its receiving half); pings and pongs are the library's business.
async fn next_text<S>(socket: &mut S) -> Result<String, ClientError>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        let Some(frame) = socket.next().await else { return Err(ClientError::Ended) };
        match frame? {
            Message::Text(t) => return Ok(t.as_str().to_owned()),
            Message::Close(_) => return Err(ClientError::Ended),
            _ => {}
        }
    }
}

/// A server message; `closed` is an error that says why.
fn parse(text: &str) -> Result<ServerMessage, ClientError> {
    let msg: ServerMessage =
        serde_json::from_str(text).map_err(|e| ClientError::Unreadable(format!("{e}: {text}")))?;
    match msg {
        ServerMessage::Closed { code, message } => Err(ClientError::Closed { code, message }),
        msg => Ok(msg),
    }
}

/// Why creating a live drill on a server failed.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The server could not be reached.
    #[error("cannot reach the server at {base}: {why}")]
    Unreachable {
        /// The server.
        base: String,
        /// Why.
        why: String,
    },
    /// The server refused, saying why.
    #[error("the server refused ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Its message.
        message: String,
    },
}

/// `POST /api/live` on the server at `base` (on this machine: only the facilitator's machine creates).
pub async fn create_on(
    base: &str,
    request: &muster_protocol::live::CreateLive,
) -> Result<muster_protocol::live::LiveCreated, CreateError> {
    let url = format!("{}/api/live", base.trim_end_matches('/'));
    let body = serde_json::to_string(request).unwrap_or_default();
    let base = base.to_owned();
    let unreachable = |why: String| CreateError::Unreachable { base: base.clone(), why };
    let (status, text) = tokio::task::spawn_blocking(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut res = agent.post(&url).header("content-type", "application/json").send(body.as_str())?;
        let status = res.status().as_u16();
        let text = res.body_mut().read_to_string()?;
        Ok::<_, ureq::Error>((status, text))
    })
    .await
    .map_err(|e| unreachable(e.to_string()))?
    .map_err(|e| unreachable(e.to_string()))?;
    if status == 201 {
        return serde_json::from_str(&text).map_err(|e| unreachable(format!("unreadable answer: {e}")));
    }
    let message: String = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(v) => v.get("message").and_then(|m| m.as_str()).map_or_else(|| text.clone(), str::to_owned),
        Err(_) => text,
    };
    Err(CreateError::Refused { status, message })
}

/// Colon-less upper-case hex, so `ab:cd` and `ABCD` compare equal.
fn normalize_fingerprint(f: &str) -> String {
    f.chars().filter(char::is_ascii_hexdigit).map(|c| c.to_ascii_uppercase()).collect()
}

/// Trusts exactly the certificate with this SHA-256 (a self-signed LAN certificate), and checks the
/// handshake signatures as usual.
#[derive(Debug)]
struct Pinned {
    fingerprint: String,
    provider: std::sync::Arc<rustls::crypto::CryptoProvider>,
}

impl rustls::client::danger::ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        use sha2::Digest;
        let got = hex::encode_upper(sha2::Sha256::digest(end_entity.as_ref()));
        if got == self.fingerprint {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(format!(
                "the server's certificate has SHA-256 {got}, not the one given"
            )))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &rustls::pki_types::CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A TLS client configuration that trusts exactly the certificate with this SHA-256 fingerprint.
pub fn pinned_config(fingerprint: &str) -> Result<std::sync::Arc<rustls::ClientConfig>, ClientError> {
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Pinned { fingerprint: normalize_fingerprint(fingerprint), provider: provider.clone() };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Unreadable(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(std::sync::Arc::new(verifier))
        .with_no_client_auth();
    Ok(std::sync::Arc::new(config))
}
