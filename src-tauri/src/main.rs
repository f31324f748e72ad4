//! Muster's desktop app: starts the same local server as `muster serve` on a free loopback port, with
//! the UI built into this binary, and opens a window on it. The window and participants' browsers thus
//! load one UI from one origin and speak one protocol; this shell holds no logic of its own.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use muster_server::{Assets, Server, ServerConfig};
use muster_store::Store;
use tauri::{WebviewUrl, WebviewWindowBuilder};

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

fn setup(app: &mut tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    // The drill log: $MUSTER_DB, else muster.db in the user's data folder (as the CLI).
    let db = Store::default_path()?;
    let store = tauri::async_runtime::block_on(Store::open(&db))?;
    let config = ServerConfig {
        addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        library_dir: library_dir()?,
        assets: Arc::new(TauriAssets(app.asset_resolver())),
        store: Some(store),
        store_label: Some(db.display().to_string()),
        export_dir: muster_app::drills::default_export_dir(),
        live: None,
        max_connections_per_ip: muster_server::live::MAX_CONNECTIONS_PER_IP,
        lan: None,
    };
    let server = tauri::async_runtime::block_on(Server::bind(config))?;
    let url = server.url();
    // Readiness line for scripts and tests.
    println!("MUSTER_HTTP={url}");
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
    WebviewWindowBuilder::new(app, "main", WebviewUrl::External(url.parse()?))
        .title("Muster")
        .inner_size(1280.0, 800.0)
        .min_inner_size(720.0, 480.0)
        .build()?;
    Ok(())
}

fn main() {
    let result = tauri::Builder::default().setup(setup).run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("error: Muster could not start: {e}");
        std::process::exit(1);
    }
}
