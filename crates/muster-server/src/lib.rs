//! Muster's local HTTP server: the scenario library's JSON API and the web UI's static assets.
//!
//! The desktop window and participants' browsers load the same UI from here and speak one protocol
//! (the wire types of `muster-protocol`). This crate owns the network edge: it checks `Host` and
//! `Origin`, caps body sizes, sets a strict Content-Security-Policy, and never trusts request content.
//! It does no validation of its own: `muster-library` and `muster-core` do. Later it also carries the
//! WebSocket and the drill runtime. See SECURITY.md beside this file for the threat model.

use std::borrow::Cow;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use muster_library::{CheckedFile, ImportError, Library, scenario_key};
use muster_protocol::views::{self, FileFacts};
use muster_protocol::{
    ApiError, CheckResult, Health, ImportResult, LibraryView, ModelStatus, ModelView, PROTOCOL_VERSION,
    ScenarioDetail, UploadRequest,
};
mod conn;
mod history;
pub mod live;
pub mod tls;

pub use conn::{HEADER_READ_TIMEOUT, MAX_HTTP_CONNECTIONS_PER_IP, REQUEST_TIMEOUT};

/// Largest request body: a 2 MiB scenario file plus JSON escaping.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// The policy sent with every response; the desktop window's tauri.conf.json carries the same.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
    frame-ancestors 'none'; form-action 'none'";

/// The built UI's files, wherever they come from (embedded in the binary, Tauri's assets, a folder).
pub trait Assets: Send + Sync + 'static {
    /// The bytes of `path` (no leading slash, e.g. `index.html`, `assets/app.js`).
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>>;
}

/// Serves the UI from a folder on disk (for development and tests).
#[derive(Debug, Clone)]
pub struct DirAssets(pub PathBuf);

impl Assets for DirAssets {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        // Reject anything that could leave the folder; paths come from the network.
        if path.split('/').any(|seg| seg == ".." || seg.contains('\\') || seg.starts_with('.')) {
            return None;
        }
        std::fs::read(self.0.join(path)).ok().map(Cow::Owned)
    }
}

/// Where the server runs and what it serves.
pub struct ServerConfig {
    /// Address to bind; port 0 picks a free port.
    pub addr: SocketAddr,
    /// The scenario folder.
    pub library_dir: PathBuf,
    /// The UI's files.
    pub assets: Arc<dyn Assets>,
    /// The drill log, for the drill history and reports (`None`: those endpoints say there is none).
    pub store: Option<muster_store::Store>,
    /// Where to show the drill log is, for people (e.g. its path).
    pub store_label: Option<String>,
    /// Where `POST /api/drills/{id}/export` writes reports.
    pub export_dir: Option<PathBuf>,
    /// The live runtime's settings (`None`: the defaults for `library_dir`). Live drills need a store.
    pub live: Option<muster_app::live::LiveConfig>,
    /// WebSocket connections one address may hold ([`live::MAX_CONNECTIONS_PER_IP`] by default).
    pub max_connections_per_ip: usize,
    /// A second listener for participants on the LAN (`muster serve --lan`), `None`: loopback only.
    pub lan: Option<LanConfig>,
}

/// The LAN listener: participants' browsers join here; the facilitator's pages stay on loopback.
#[derive(Debug, Clone)]
pub struct LanConfig {
    /// Address to bind (`0.0.0.0:4781` by default; tests use 127.0.0.2).
    pub addr: SocketAddr,
    /// The TLS identity; `None` serves plain HTTP (`--insecure-lan`, shown to the facilitator as a warning).
    pub tls: Option<tls::TlsIdentity>,
}

/// The port the LAN listener binds by default (`muster serve --lan`, the app with `MUSTER_LAN=1`).
pub const DEFAULT_LAN_PORT: u16 = 4781;

impl LanConfig {
    /// The LAN listener on every interface at [`DEFAULT_LAN_PORT`].
    pub fn default_addr() -> SocketAddr {
        SocketAddr::from((std::net::Ipv4Addr::UNSPECIFIED, DEFAULT_LAN_PORT))
    }

    /// A LAN listener at `addr`: TLS with the certificate kept in `tls/` beside the drill log `db` (made on
    /// first use, so the fingerprint participants saw stays true across restarts), or plain HTTP.
    pub fn beside(db: &std::path::Path, addr: SocketAddr, use_tls: bool) -> Result<LanConfig, tls::TlsError> {
        if !use_tls {
            return Ok(LanConfig { addr, tls: None });
        }
        let dir = db
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."))
            .join("tls");
        Ok(LanConfig { addr, tls: Some(tls::identity(&dir)?) })
    }
}

/// Which listener a request came through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Exposure {
    /// Loopback: the facilitator's own machine, every endpoint.
    Local,
    /// The LAN: the join page's assets, `/api/health` and `/api/live/ws` only.
    Lan {
        /// Whether it is TLS.
        tls: bool,
        /// The LAN listener's port (a `Host` must name it).
        port: u16,
    },
}

/// Shared state of the handlers.
#[derive(Clone)]
struct AppState {
    library_dir: PathBuf,
    assets: Arc<dyn Assets>,
    allowed_hosts: Arc<Vec<String>>,
    store: Option<muster_store::Store>,
    store_label: Option<Arc<str>>,
    export_dir: Option<PathBuf>,
    live: Option<muster_app::live::Live>,
    per_ip: Arc<live::PerIp>,
    max_connections_per_ip: usize,
    exposure: Exposure,
    /// Where participants reach the server (the LAN URL when there is one), for join links.
    join_base: Option<Arc<str>>,
    /// The LAN certificate's fingerprint, shown with the join code.
    fingerprint: Option<Arc<str>>,
}

/// Failures to start.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The scenario library could not be read.
    #[error(transparent)]
    Library(#[from] muster_library::LibraryError),
    /// The address could not be bound.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// A bound server, ready to run.
pub struct Server {
    listener: std::net::TcpListener,
    router: Router,
    addr: SocketAddr,
    live: Option<muster_app::live::Live>,
    lan: Option<LanListener>,
    /// TCP connections one address may hold: its WebSockets and [`MAX_HTTP_CONNECTIONS_PER_IP`] more.
    max_tcp_per_ip: usize,
}

/// The bound LAN listener.
struct LanListener {
    listener: std::net::TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    url: String,
    fingerprint: Option<String>,
}

impl Server {
    /// Opens the library and binds the address.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        // Open the library once up front so a missing or unreadable folder fails at start, not per request.
        let dir = config.library_dir.clone();
        tokio::task::spawn_blocking(move || Library::open(&dir))
            .await
            .map_err(|e| ServerError::Bind { addr: config.addr, source: std::io::Error::other(e) })??;
        let bind_error = |source| ServerError::Bind { addr: config.addr, source };
        let listener = std::net::TcpListener::bind(config.addr).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let max_tcp_per_ip = config.max_connections_per_ip.saturating_add(MAX_HTTP_CONNECTIONS_PER_IP);
        let live = config.store.clone().map(|store| {
            let live_config = config
                .live
                .clone()
                .unwrap_or_else(|| muster_app::live::LiveConfig::new(config.library_dir.clone()));
            muster_app::live::Live::new(store, live_config)
        });
        let lan = match &config.lan {
            Some(lan) => Some(bind_lan(lan)?),
            None => None,
        };
        let state = AppState {
            live: live.clone(),
            per_ip: Arc::default(),
            max_connections_per_ip: config.max_connections_per_ip,
            library_dir: config.library_dir,
            assets: config.assets,
            allowed_hosts: Arc::new(allowed_hosts(addr)),
            store: config.store,
            store_label: config.store_label.map(Arc::from),
            export_dir: config.export_dir,
            exposure: Exposure::Local,
            join_base: lan.as_ref().map(|l| Arc::from(l.2.as_str())),
            fingerprint: lan.as_ref().and_then(|l| l.3.as_deref().map(Arc::from)),
        };
        let lan = lan.map(|(listener, tls, url, fingerprint)| {
            let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
            let lan_state = AppState {
                exposure: Exposure::Lan { tls: tls.is_some(), port },
                allowed_hosts: Arc::new(Vec::new()),
                ..state.clone()
            };
            LanListener { listener, router: router(lan_state), tls, url, fingerprint }
        });
        Ok(Server { listener, router: router(state), addr, live, lan, max_tcp_per_ip })
    }

    /// Where participants join: the LAN URL (`https://192.168.1.20:4781`) when there is a LAN listener.
    pub fn lan_url(&self) -> Option<&str> {
        self.lan.as_ref().map(|l| l.url.as_str())
    }

    /// The LAN certificate's SHA-256 fingerprint, when the LAN listener serves TLS.
    pub fn fingerprint(&self) -> Option<&str> {
        self.lan.as_ref().and_then(|l| l.fingerprint.as_deref())
    }

    /// The live runtime (`None` without a store).
    pub fn live(&self) -> Option<&muster_app::live::Live> {
        self.live.as_ref()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the UI.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves until `shutdown` completes; then live drills commit what is queued and close their
    /// connections (they resume, paused, on the next start).
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let live = self.live.clone();
        let shutdown = async move {
            shutdown.await;
            if let Some(live) = live {
                live.shutdown().await;
            }
        };
        // Both listeners stop together when `shutdown` completes.
        let (local_handle, lan_handle) = (axum_server::Handle::new(), axum_server::Handle::new());
        let (stop_local, stop_lan) = (local_handle.clone(), lan_handle.clone());
        let stopper = async move {
            shutdown.await;
            conn::stop(&stop_local);
            conn::stop(&stop_lan);
        };
        let max = self.max_tcp_per_ip;
        let local = conn::serve(self.listener, self.router, None, local_handle, max);
        let lan = async move {
            match self.lan {
                Some(lan) => conn::serve(lan.listener, lan.router, lan.tls, lan_handle, max).await,
                None => Ok(()),
            }
        };
        let (a, b, ()) = tokio::join!(local, lan, stopper);
        a.and(b)
    }
}

/// Binds the LAN listener and works out its URL and certificate.
type BoundLan = (std::net::TcpListener, Option<Arc<rustls::ServerConfig>>, String, Option<String>);

fn bind_lan(lan: &LanConfig) -> Result<BoundLan, ServerError> {
    let bind_error = |source| ServerError::Bind { addr: lan.addr, source };
    let listener = std::net::TcpListener::bind(lan.addr).map_err(bind_error)?;
    listener.set_nonblocking(true).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let tls = match &lan.tls {
        Some(id) => Some(tls::server_config(id).map_err(|e| bind_error(std::io::Error::other(e)))?),
        None => None,
    };
    let host = if addr.ip().is_unspecified() { lan_ip().unwrap_or(addr.ip()) } else { addr.ip() };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let url = format!("{scheme}://{}", SocketAddr::new(host, addr.port()));
    Ok((listener, tls, url, lan.tls.as_ref().map(|t| t.fingerprint.clone())))
}

/// This machine's first non-loopback IPv4 address (what participants type when the LAN listener binds
/// every interface).
fn lan_ip() -> Option<std::net::IpAddr> {
    if_addrs::get_if_addrs()
        .ok()?
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .find(std::net::IpAddr::is_ipv4)
}

/// Host header values accepted: the bound address and its loopback names. Anything else is refused,
/// which defeats DNS rebinding against the loopback server.
fn allowed_hosts(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![
        addr.to_string(),
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
    ];
    hosts.sort();
    hosts.dedup();
    hosts
}

fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(health))
        .route("/library", get(library))
        .route("/model", get(model))
        .route("/scenarios/check", post(check))
        .route("/scenarios/import", post(import))
        .route("/scenarios/{key}", get(scenario))
        .route("/drills", get(history::list))
        .route("/drills/{id}/plan", get(history::plan).put(history::save_plan))
        .route("/drills/{id}/report/{format}", get(history::report))
        .route("/drills/{id}/export", post(history::export))
        .route("/trends", get(history::trend))
        .route("/live", get(live::server).post(live::create))
        .route("/live/ws", get(live::ws))
        .fallback(api_not_found);
    Router::new()
        .nest("/api", api)
        .fallback(asset)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuses foreign Host and Origin headers, bounds each request's time, answers every API failure in
/// the API's error shape (axum's own rejections included), and adds the security headers to every
/// response, refusals included.
async fn guard(State(state): State<AppState>, req: axum::extract::Request, next: Next) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = match refusal(&state, &req) {
        Some(refused) => refused,
        None => match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
            Ok(res) => res,
            Err(_) => api_error(
                StatusCode::REQUEST_TIMEOUT,
                "timeout",
                format!("the request took longer than {} s; send it again", REQUEST_TIMEOUT.as_secs()),
            ),
        },
    };
    let res = if is_api { api_shaped(res).await } else { res };
    secured(res)
}

/// The guard's answer when a request must not reach a handler: a LAN request for the facilitator's
/// pages, a foreign `Host`, or a state-changing request from a foreign `Origin`.
fn refusal(state: &AppState, req: &axum::extract::Request) -> Option<Response> {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if let Exposure::Lan { .. } = state.exposure {
        let path = req.uri().path();
        if path.starts_with("/api/") && path != "/api/health" && path != "/api/live/ws" {
            return Some(api_error(
                StatusCode::FORBIDDEN,
                "facilitator-only",
                "this address is for participants; the facilitator's pages are on the facilitator's machine"
                    .to_owned(),
            ));
        }
    }
    if !host_allowed(state, host) {
        let shown: String = host.chars().filter(|c| !c.is_control()).take(100).collect();
        return Some(api_error(
            StatusCode::MISDIRECTED_REQUEST,
            "bad-host",
            format!("this server does not answer for host `{shown}`"),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin.to_str().ok().is_some_and(|o| origin_allowed(state, o, host));
        if !ok && req.method() != Method::GET {
            return Some(api_error(
                StatusCode::FORBIDDEN,
                "bad-origin",
                "requests from other sites are refused".to_owned(),
            ));
        }
    }
    None
}

/// Most bytes of a framework rejection's text kept when it is turned into the API's error shape.
const MAX_REJECTION_BYTES: usize = 4 * 1024;

/// An API failure that is not in the API's error shape yet (axum's rejections: the body limit's 413,
/// a malformed path or query, a wrong method) put into it, with the rejection's text as the message.
async fn api_shaped(res: Response) -> Response {
    let status = res.status();
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return res;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too-large",
        StatusCode::METHOD_NOT_ALLOWED => "method-not-allowed",
        StatusCode::NOT_FOUND => "not-found",
        StatusCode::UNSUPPORTED_MEDIA_TYPE | StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => {
            "bad-request"
        }
        s if s.is_server_error() => "internal",
        _ => "refused",
    };
    let text = axum::body::to_bytes(res.into_body(), MAX_REJECTION_BYTES).await.unwrap_or_default();
    let text: String = String::from_utf8_lossy(&text).chars().filter(|c| !c.is_control()).collect();
    let message = match (status, text.trim()) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            format!("the request body is larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024))
        }
        (_, "") => status.canonical_reason().unwrap_or("the request was refused").to_lowercase(),
        (_, text) => text.to_owned(),
    };
    api_error(status, code, message)
}

/// Adds the security headers; a handler may have set a policy of its own (the report page: no script at
/// all, framable by the app).
fn secured(mut res: Response) -> Response {
    let h = res.headers_mut();
    // A handler may set a policy of its own (the report page: no script at all, framable by the app).
    h.entry(header::CONTENT_SECURITY_POLICY).or_insert(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.entry(header::X_FRAME_OPTIONS).or_insert(HeaderValue::from_static("DENY"));
    res
}

/// Whether a `Host` header names this listener: on loopback one of its names; on the LAN an IP literal
/// with the listener's port (a DNS name there could be a rebinding attack: participants type the address).
fn host_allowed(state: &AppState, host: &str) -> bool {
    match state.exposure {
        Exposure::Local => state.allowed_hosts.iter().any(|h| h == host),
        Exposure::Lan { port, .. } => host.strip_suffix(&format!(":{port}")).is_some_and(|ip| {
            ip.parse::<std::net::Ipv4Addr>().is_ok()
                || ip
                    .strip_prefix('[')
                    .and_then(|i| i.strip_suffix(']'))
                    .is_some_and(|i| i.parse::<std::net::Ipv6Addr>().is_ok())
        }),
    }
}

/// Whether an `Origin` is this server's own page: the listener's scheme and the request's (checked) host.
fn origin_allowed(state: &AppState, origin: &str, host: &str) -> bool {
    let scheme = match state.exposure {
        Exposure::Lan { tls: true, .. } => "https://",
        _ => "http://",
    };
    origin.strip_prefix(scheme).is_some_and(|o| o == host && host_allowed(state, o))
}

/// An API failure: a status and the [`ApiError`] body, boxed to keep `Result`s small.
struct Failure(Box<(StatusCode, ApiError)>);

impl Failure {
    fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Failure {
        Failure(Box::new((status, ApiError { error: code.to_owned(), message: message.into(), check: None })))
    }

    fn with_check(mut self, check: CheckResult) -> Failure {
        self.0.1.check = Some(check);
        self
    }

    /// A failure of the server's own, with its whole cause: "database statement failed: database or
    /// disk is full" says what to do, "database statement failed" does not.
    fn internal(what: impl std::error::Error) -> Failure {
        let mut text = what.to_string();
        let mut source = what.source();
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.ends_with(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        tracing::warn!("request failed: {text}");
        Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("the request failed: {text}"))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let (status, body) = *self.0;
        (status, axum::Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, Failure>;

fn api_error(status: StatusCode, code: &str, message: String) -> Response {
    Failure::new(status, code, message).into_response()
}

async fn api_not_found(uri: Uri) -> Failure {
    Failure::new(StatusCode::NOT_FOUND, "not-found", format!("no API endpoint at `{}`", uri.path()))
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { protocol: PROTOCOL_VERSION, version: env!("CARGO_PKG_VERSION").to_owned() })
}

/// Reads the folder afresh (so edits made outside the app show up) on a blocking thread and runs `f`
/// on it. The folder is small: reading and checking it takes a few milliseconds.
async fn with_library<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Library) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let dir = state.library_dir.clone();
    tokio::task::spawn_blocking(move || {
        let mut lib = Library::open(&dir).map_err(|e| {
            Failure::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "library",
                format!("cannot read the scenario library: {e}"),
            )
        })?;
        f(&mut lib)
    })
    .await
    .map_err(Failure::internal)?
}

fn card_of(lib: &Library, file: &CheckedFile) -> muster_protocol::ScenarioCard {
    let (key, name) = (scenario_key(file), file.name());
    views::card(file_facts(file, &key, &name), lib.model.model.as_ref())
}

fn file_facts<'a>(file: &'a CheckedFile, key: &'a str, name: &'a str) -> FileFacts<'a> {
    FileFacts {
        key,
        file: name,
        text: &file.text,
        header: file.header.as_ref(),
        scenario: file.scenario.as_ref(),
        counts: file.counts,
        diagnostics: &file.diagnostics,
    }
}

async fn library(State(state): State<AppState>) -> ApiResult<axum::Json<LibraryView>> {
    let view = with_library(&state, |lib| {
        let mut scenarios: Vec<_> = lib.scenarios.iter().map(|f| card_of(lib, f)).collect();
        scenarios.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.key.cmp(&b.key)));
        Ok(LibraryView {
            dir: lib.dir.display().to_string(),
            model: ModelStatus {
                file: lib.model.name(),
                name: lib.model.model.as_ref().map(|m| m.name.clone()),
                status: views::status(&lib.model.diagnostics),
                diagnostics: views::diagnostics(&lib.model.text, &lib.model.diagnostics),
            },
            scenarios,
        })
    })
    .await?;
    Ok(axum::Json(view))
}

async fn scenario(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult<axum::Json<ScenarioDetail>> {
    let detail = with_library(&state, move |lib| {
        let file = lib.find(&key).ok_or_else(|| {
            Failure::new(StatusCode::NOT_FOUND, "not-found", format!("no scenario `{key}` in the library"))
        })?;
        let name = file.name();
        Ok(views::detail(file_facts(file, &key, &name), lib.model.model.as_ref()))
    })
    .await?;
    Ok(axum::Json(detail))
}

async fn model(State(state): State<AppState>) -> ApiResult<axum::Json<ModelView>> {
    let view = with_library(&state, |lib| match &lib.model.model {
        Some(m) => Ok(views::model(m)),
        None => Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "model-invalid",
            "the responsibility model has errors; fix them to see the RACI matrix",
        )
        .with_check(check_result(&lib.model))),
    })
    .await?;
    Ok(axum::Json(view))
}

fn check_result(file: &CheckedFile) -> CheckResult {
    CheckResult {
        file: file.name(),
        status: views::status(&file.diagnostics),
        counts: views::counts(file.counts),
        diagnostics: views::diagnostics(&file.text, &file.diagnostics),
    }
}

/// Parses a JSON body ourselves so a bad request gets our error shape, not axum's plain text.
fn json_body<T: serde::de::DeserializeOwned>(headers: &HeaderMap, body: &[u8], shape: &str) -> ApiResult<T> {
    // A media type is compared as a type, case-insensitively, with any parameters (`charset=utf-8`):
    // `application/json` and `APPLICATION/JSON` are JSON, `application/jsonfoo` is not.
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok())
        .is_some_and(|m| m.type_() == mime::APPLICATION && m.subtype() == mime::JSON && m.suffix().is_none());
    if !is_json {
        return Err(Failure::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad-request",
            format!("send JSON: {shape}"),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        Failure::new(StatusCode::BAD_REQUEST, "bad-request", format!("the body is not {shape}: {e}"))
    })
}

/// The body of a check or import request.
fn upload(headers: &HeaderMap, body: &[u8]) -> ApiResult<UploadRequest> {
    let req: UploadRequest = json_body(headers, body, "{\"name\", \"text\"}")?;
    if req.text.len() > muster_core::validate::MAX_FILE_BYTES {
        return Err(Failure::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "scenario files are limited to 2 MiB",
        ));
    }
    Ok(req)
}

/// The base name of an uploaded file, for display only (never used as a path).
fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(128).collect();
    if clean.is_empty() { "upload.ron".to_owned() } else { clean }
}

async fn check(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<axum::Json<CheckResult>> {
    let req = upload(&headers, &body)?;
    let result =
        with_library(&state, move |lib| Ok(check_result(&lib.check(&display_name(&req.name), req.text))))
            .await?;
    Ok(axum::Json(result))
}

async fn import(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> ApiResult<(StatusCode, axum::Json<ImportResult>)> {
    let req = upload(&headers, &body)?;
    let result = with_library(&state, move |lib| match lib.import(&display_name(&req.name), req.text) {
        Ok(index) => {
            let file = &lib.scenarios[index];
            Ok(ImportResult { card: card_of(lib, file), diagnostics: views::diagnostics(&file.text, &file.diagnostics) })
        }
        Err(ImportError::Invalid(file)) => Err(Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
            "the scenario has errors and was not imported; fix them and try again",
        )
        .with_check(check_result(&file))),
        Err(ImportError::Exists(id)) => Err(Failure::new(
            StatusCode::CONFLICT,
            "exists",
            format!("a scenario with id `{id}` is already in the library; change the file's `id` to import it as a new one"),
        )),
        Err(e @ (ImportError::NoModel | ImportError::NotAScenario)) => {
            Err(Failure::new(StatusCode::UNPROCESSABLE_ENTITY, "not-importable", e.to_string()))
        }
        Err(ImportError::Io(e)) => {
            tracing::warn!("import failed: {e}");
            Err(Failure::new(StatusCode::INTERNAL_SERVER_ERROR, "io", format!("cannot save the scenario: {e}")))
        }
    })
    .await?;
    Ok((StatusCode::CREATED, axum::Json(result)))
}

async fn asset(State(state): State<AppState>, uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let (bytes, served) = match state.assets.get(path) {
        Some(b) => (b, path),
        // Client-side routes (no file extension) get the app's entry page.
        None if !path.rsplit('/').next().unwrap_or("").contains('.') => {
            match state.assets.get("index.html") {
                Some(b) => (b, "index.html"),
                None => return ui_missing(),
            }
        }
        None => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let mime = mime_guess::from_path(served).first_or_octet_stream();
    let cache =
        if served.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    Response::builder()
        .header(header::CONTENT_TYPE, mime.as_ref())
        .header(header::CACHE_CONTROL, cache)
        .body(Body::from(bytes.into_owned()))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn ui_missing() -> Response {
    let body = "<!doctype html><meta charset=utf-8><title>Muster</title><h1>Muster's UI is not built</h1>\
        <p>Run <code>npm ci --prefix ui &amp;&amp; npm run --prefix ui build</code> and reload. \
        The API is up: <a href=/api/library>/api/library</a>.</p>";
    (StatusCode::SERVICE_UNAVAILABLE, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body)
        .into_response()
}

#[cfg(test)]
mod tests;
