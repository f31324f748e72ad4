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
use std::sync::{Arc, RwLock};

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
    ApiError, CheckResult, Health, ImportResult, LibraryView, ModelStatus, PROTOCOL_VERSION, ScenarioDetail,
    UploadRequest,
};
use tokio::net::TcpListener;

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
}

/// Shared state of the handlers.
#[derive(Clone)]
struct AppState {
    library_dir: PathBuf,
    library: Arc<RwLock<Library>>,
    assets: Arc<dyn Assets>,
    allowed_hosts: Arc<Vec<String>>,
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
    listener: TcpListener,
    router: Router,
    addr: SocketAddr,
}

impl Server {
    /// Opens the library and binds the address.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServerError> {
        let dir = config.library_dir.clone();
        let library = tokio::task::spawn_blocking(move || Library::open(&dir))
            .await
            .map_err(|e| ServerError::Bind { addr: config.addr, source: std::io::Error::other(e) })??;
        let listener = TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServerError::Bind { addr: config.addr, source })?;
        let addr = listener.local_addr().map_err(|source| ServerError::Bind { addr: config.addr, source })?;
        let state = AppState {
            library_dir: config.library_dir,
            library: Arc::new(RwLock::new(library)),
            assets: config.assets,
            allowed_hosts: Arc::new(allowed_hosts(addr)),
        };
        Ok(Server { listener, router: router(state), addr })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL of the UI.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Serves until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await
    }
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
        .fallback(api_not_found);
    Router::new()
        .nest("/api", api)
        .fallback(asset)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .with_state(state)
}

/// Refuses foreign Host and Origin headers and adds the security headers to every response.
async fn guard(State(state): State<AppState>, req: axum::extract::Request, next: Next) -> Response {
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !state.allowed_hosts.iter().any(|h| h == host) {
        return api_error(
            StatusCode::MISDIRECTED_REQUEST,
            "bad-host",
            format!("this server does not answer for host `{host}`"),
        );
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let ok = origin
            .to_str()
            .ok()
            .and_then(|o| o.strip_prefix("http://"))
            .is_some_and(|o| state.allowed_hosts.iter().any(|h| h == o));
        if !ok && req.method() != Method::GET {
            return api_error(
                StatusCode::FORBIDDEN,
                "bad-origin",
                "requests from other sites are refused".to_owned(),
            );
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

fn api_error(status: StatusCode, code: &str, message: String) -> Response {
    (status, axum::Json(ApiError { error: code.to_owned(), message, check: None })).into_response()
}

async fn api_not_found(uri: Uri) -> Response {
    api_error(StatusCode::NOT_FOUND, "not-found", format!("no API endpoint at `{}`", uri.path()))
}

async fn health() -> axum::Json<Health> {
    axum::Json(Health { protocol: PROTOCOL_VERSION, version: env!("CARGO_PKG_VERSION").to_owned() })
}

/// Re-reads the folder so edits made outside the app show up, then runs `f` on the fresh library.
async fn with_fresh_library<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&Library) -> T + Send + 'static,
) -> Result<T, Response> {
    let dir = state.library_dir.clone();
    let shared = state.library.clone();
    tokio::task::spawn_blocking(move || {
        let fresh = Library::open(&dir).map_err(|e| {
            tracing::warn!("cannot reload the scenario library: {e}");
            api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "library",
                format!("cannot read the scenario library: {e}"),
            )
        })?;
        let out = f(&fresh);
        if let Ok(mut guard) = shared.write() {
            *guard = fresh;
        }
        Ok(out)
    })
    .await
    .map_err(|_| api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed".to_owned()))?
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

async fn library(State(state): State<AppState>) -> Response {
    let res = with_fresh_library(&state, |lib| {
        let mut scenarios: Vec<_> = lib.scenarios.iter().map(|f| card_of(lib, f)).collect();
        scenarios.sort_by(|a, b| a.title.to_lowercase().cmp(&b.title.to_lowercase()).then(a.key.cmp(&b.key)));
        LibraryView {
            dir: lib.dir.display().to_string(),
            model: ModelStatus {
                file: lib.model.name(),
                name: lib.model.model.as_ref().map(|m| m.name.clone()),
                status: views::status(&lib.model.diagnostics),
                diagnostics: views::diagnostics(&lib.model.text, &lib.model.diagnostics),
            },
            scenarios,
        }
    })
    .await;
    match res {
        Ok(view) => axum::Json(view).into_response(),
        Err(e) => e,
    }
}

async fn scenario(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let lookup = key.clone();
    let res = with_fresh_library(&state, move |lib| {
        lib.find(&lookup).map(|file| -> ScenarioDetail {
            let name = file.name();
            views::detail(file_facts(file, &lookup, &name), lib.model.model.as_ref())
        })
    })
    .await;
    match res {
        Ok(Some(detail)) => axum::Json(detail).into_response(),
        Ok(None) => {
            api_error(StatusCode::NOT_FOUND, "not-found", format!("no scenario `{key}` in the library"))
        }
        Err(e) => e,
    }
}

async fn model(State(state): State<AppState>) -> Response {
    let res = with_fresh_library(&state, |lib| lib.model.model.as_ref().map(views::model)).await;
    match res {
        Ok(Some(view)) => axum::Json(view).into_response(),
        Ok(None) => api_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "model-invalid",
            "the responsibility model has errors; the library page lists them".to_owned(),
        ),
        Err(e) => e,
    }
}

fn check_result(file: &CheckedFile) -> CheckResult {
    CheckResult {
        file: file.name(),
        status: views::status(&file.diagnostics),
        counts: views::counts(file.counts),
        diagnostics: views::diagnostics(&file.text, &file.diagnostics),
    }
}

/// Parses the JSON body ourselves so a bad request gets our error shape, not axum's plain text.
fn upload(headers: &HeaderMap, body: &[u8]) -> Result<UploadRequest, Response> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !is_json {
        return Err(api_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad-request",
            "send JSON: {\"name\", \"text\"}".to_owned(),
        ));
    }
    let req: UploadRequest = serde_json::from_slice(body).map_err(|e| {
        api_error(
            StatusCode::BAD_REQUEST,
            "bad-request",
            format!("the body is not {{\"name\", \"text\"}}: {e}"),
        )
    })?;
    if req.text.len() > muster_core::validate::MAX_FILE_BYTES {
        return Err(api_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            "scenario files are limited to 2 MiB".to_owned(),
        ));
    }
    Ok(req)
}

fn display_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let clean: String = base.chars().filter(|c| !c.is_control()).take(128).collect();
    if clean.is_empty() { "upload.ron".to_owned() } else { clean }
}

async fn check(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let req = match upload(&headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let res =
        with_fresh_library(&state, move |lib| check_result(&lib.check(&display_name(&req.name), req.text)))
            .await;
    match res {
        Ok(result) => axum::Json(result).into_response(),
        Err(e) => e,
    }
}

async fn import(State(state): State<AppState>, headers: HeaderMap, body: axum::body::Bytes) -> Response {
    let req = match upload(&headers, &body) {
        Ok(r) => r,
        Err(e) => return e,
    };
    let dir = state.library_dir.clone();
    let shared = state.library.clone();
    let res = tokio::task::spawn_blocking(move || -> Response {
        let mut lib = match Library::open(&dir) {
            Ok(lib) => lib,
            Err(e) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, "library", format!("cannot read the scenario library: {e}")),
        };
        let out = match lib.import(&display_name(&req.name), req.text) {
            Ok(file) => {
                let file = file.clone();
                let file = &file;
                let result = ImportResult {
                    card: card_of(&lib, file),
                    diagnostics: views::diagnostics(&file.text, &file.diagnostics),
                };
                (StatusCode::CREATED, axum::Json(result)).into_response()
            }
            Err(ImportError::Invalid(file)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(ApiError {
                    error: "invalid".to_owned(),
                    message: "the scenario has errors and was not imported; fix them and try again".to_owned(),
                    check: Some(check_result(&file)),
                }),
            )
                .into_response(),
            Err(ImportError::Exists(id)) => api_error(
                StatusCode::CONFLICT,
                "exists",
                format!("a scenario with id `{id}` is already in the library; change the file's `id` to import it as a new one"),
            ),
            Err(e @ (ImportError::NoModel | ImportError::NotAScenario)) => {
                api_error(StatusCode::UNPROCESSABLE_ENTITY, "not-importable", e.to_string())
            }
            Err(ImportError::Io(e)) => {
                tracing::warn!("import failed: {e}");
                api_error(StatusCode::INTERNAL_SERVER_ERROR, "io", format!("cannot save the scenario: {e}"))
            }
        };
        if let Ok(mut guard) = shared.write() {
            *guard = lib;
        }
        out
    })
    .await;
    res.unwrap_or_else(|_| {
        api_error(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed".to_owned())
    })
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
