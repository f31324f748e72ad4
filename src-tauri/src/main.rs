//! Muster's desktop app: starts the same local server as `muster serve` on a free loopback port, with
//! the UI built into this binary, and opens a window on it. The window and participants' browsers thus
//! load one UI from one origin and speak one protocol; this shell holds no logic of its own.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use muster_server::{Assets, Server, ServerConfig};
use muster_store::{DrillId, Store};
use tauri::{Manager, WebviewUrl, WebviewWindowBuilder};
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

/// What the app's few commands need: the drill log and where it lives.
struct Desktop {
    store: Store,
    db: std::path::PathBuf,
}

/// The report formats a save offers, by file extension.
const REPORT_FORMATS: [&str; 4] = ["html", "md", "json", "csv"];

/// Saves a drill's report where the facilitator chooses, with the system's save dialog (a download link does
/// nothing in this window). Answers the path written, or `None` when the dialog was cancelled.
#[tauri::command]
async fn save_report(
    app: tauri::AppHandle,
    desktop: tauri::State<'_, Desktop>,
    drill: String,
    format: String,
) -> Result<Option<String>, String> {
    if !REPORT_FORMATS.contains(&format.as_str()) {
        return Err(format!("no report format `{format}`: use one of {}", REPORT_FORMATS.join(", ")));
    }
    let report = muster_app::drills::load(&desktop.store, &DrillId(drill.clone()))
        .await
        .map_err(|e| format!("the report of drill `{drill}` could not be made: {e}"))?;
    let name = muster_app::drills::export_name(&report.record, &format);
    let text = report.render(&format);
    let mut dialog = app.dialog().file();
    if let Some(dir) = muster_app::drills::default_export_dir().filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let chosen = dialog
        .set_title("Save the after-action report")
        .set_file_name(&name)
        .add_filter(format.to_uppercase(), &[format.as_str()])
        .blocking_save_file();
    let Some(path) = chosen else { return Ok(None) };
    let path = path.into_path().map_err(|e| format!("that place cannot be written to: {e}"))?;
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(Some(path.display().to_string()))
}

/// Opens the folder that holds the drill log (and the LAN certificate) in the system's file manager.
#[tauri::command]
fn open_data_folder(app: tauri::AppHandle, desktop: tauri::State<'_, Desktop>) -> Result<(), String> {
    let dir = desktop.db.parent().unwrap_or(std::path::Path::new("."));
    app.opener()
        .open_path(dir.display().to_string(), None::<&str>)
        .map_err(|e| format!("cannot open {}: {e}", dir.display()))
}

/// Serves the UI files Tauri embedded from `ui/dist`.
struct TauriAssets<R: tauri::Runtime>(tauri::AssetResolver<R>);

impl<R: tauri::Runtime> Assets for TauriAssets<R> {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        self.0.get(path.to_owned()).map(|asset| Cow::Owned(asset.bytes))
    }
}

fn library_dir() -> Result<std::path::PathBuf, Box<dyn std::error::Error>> {
    match std::env::var_os("MUSTER_SCENARIOS") {
        Some(dir) => Ok(dir.into()),
        None => Ok(muster_library::user_library_dir()?),
    }
}

/// The loopback port the app prefers, so that its page keeps one origin from one start to the next (the
/// browser storage that holds the facilitator's keys and the display preferences is per origin); another
/// free port when it is taken (a `muster serve` running, say).
const PREFERRED_PORT: u16 = 4790;

/// Where participants join from the LAN when `MUSTER_LAN=1`: as `muster serve --lan` (all interfaces, TLS
/// with the certificate kept beside the drill log).
fn lan_config(db: &std::path::Path) -> Result<Option<muster_server::LanConfig>, Box<dyn std::error::Error>> {
    if std::env::var_os("MUSTER_LAN").is_none_or(|v| v.is_empty() || v == "0") {
        return Ok(None);
    }
    Ok(Some(muster_server::LanConfig::beside(db, muster_server::LanConfig::default_addr(), true)?))
}

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    // The drill log: $MUSTER_DB, else muster.db in the user's data folder (as the CLI).
    let db = Store::default_path()?;
    let store = tauri::async_runtime::block_on(Store::open(&db))?;
    let config = |port: u16| -> Result<ServerConfig, Box<dyn std::error::Error>> {
        Ok(ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            library_dir: library_dir()?,
            assets: Arc::new(TauriAssets(app.asset_resolver())),
            store: Some(store.clone()),
            store_label: Some(db.display().to_string()),
            export_dir: muster_app::drills::default_export_dir(),
            live: None,
            max_connections_per_ip: muster_server::live::MAX_CONNECTIONS_PER_IP,
            lan: lan_config(&db)?,
        })
    };
    let server = match tauri::async_runtime::block_on(Server::bind(config(PREFERRED_PORT)?)) {
        Ok(server) => server,
        Err(_) => tauri::async_runtime::block_on(Server::bind(config(0)?))?,
    };
    app.manage(Desktop { store: store.clone(), db: db.clone() });
    let url = server.url();
    // Readiness lines for scripts and tests.
    println!("MUSTER_HTTP={url}");
    if let Some(lan) = server.lan_url() {
        println!("MUSTER_LAN={lan}");
    }
    tauri::async_runtime::spawn(async move {
        // Live drills a crash or a quit interrupted come back paused; the facilitator resumes them.
        if let Some(live) = server.live() {
            for (id, result) in live.resume_all().await {
                if let Err(e) = result {
                    eprintln!("live drill {id} was not resumed: {e}");
                }
            }
        }
        if let Err(e) = server.run(std::future::pending()).await {
            eprintln!("error: the local server stopped: {e}");
        }
    });
    // `MUSTER_OPEN=#/live/<drill>?key=<token>` opens the window on a screen (a control room, say; the key
    // stays in the fragment, which no server sees). Anything but a `#/` route is ignored.
    let start = muster_app::setup::start_url(&url, std::env::var("MUSTER_OPEN").ok().as_deref());
    WebviewWindowBuilder::new(app, "main", WebviewUrl::External(start.parse()?))
        .title("Muster")
        .inner_size(1280.0, 800.0)
        .min_inner_size(720.0, 480.0)
        .build()?;
    Ok(())
}

fn main() {
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(tauri::generate_handler![save_report, open_data_folder])
        .setup(setup)
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("error: Muster could not start: {e}");
        std::process::exit(1);
    }
}
