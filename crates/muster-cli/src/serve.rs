//! `muster serve`: the same server the desktop app embeds, run headless.

use std::borrow::Cow;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use muster_server::{Assets, DirAssets, Server, ServerConfig};

use crate::{ServeArgs, exit};

/// The UI as built into the binary (`ui/dist` at compile time; read from disk in debug builds).
#[derive(rust_embed::RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct EmbeddedUi;

struct EmbeddedAssets;

impl Assets for EmbeddedAssets {
    fn get(&self, path: &str) -> Option<Cow<'static, [u8]>> {
        EmbeddedUi::get(path).map(|f| f.data)
    }
}

/// The scenario folder: the flag, else `./scenarios` when it holds a model, else the user's library.
pub fn library_dir(flag: Option<&PathBuf>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.clone());
    }
    let local = PathBuf::from("scenarios");
    if local.join(muster_library::MODEL_FILE).is_file() {
        return Ok(local);
    }
    muster_library::user_library_dir().context("cannot prepare the scenario library")
}

pub fn run(args: &ServeArgs) -> anyhow::Result<u8> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MUSTER_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let library_dir = library_dir(args.scenarios.as_ref())?;
    let assets: Arc<dyn Assets> = match &args.ui_dir {
        Some(dir) => Arc::new(DirAssets(dir.clone())),
        None => Arc::new(EmbeddedAssets),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async {
        let db = match &args.db.db {
            Some(p) => p.clone(),
            None => muster_store::Store::default_path()?,
        };
        let store = muster_store::Store::open(&db)
            .await
            .with_context(|| format!("cannot open the drill database {}", db.display()))?;
        let config = ServerConfig {
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, args.port)),
            library_dir: library_dir.clone(),
            assets,
            store: Some(store),
            store_label: Some(db.display().to_string()),
            export_dir: muster_app::drills::default_export_dir(),
            live: Some(muster_app::live::LiveConfig {
                joins_per_minute: args.joins_per_minute,
                ..muster_app::live::LiveConfig::new(library_dir.clone())
            }),
            max_connections_per_ip: args.max_connections_per_ip,
            lan: lan_config(args, &db)?,
        };
        let server = Server::bind(config).await?;
        // The first line is the readiness signal scripts wait for.
        println!("MUSTER_HTTP={}", server.url());
        if let Some(url) = server.lan_url() {
            // The second line, with --lan: where participants join.
            println!("MUSTER_LAN={url}");
            match server.fingerprint() {
                Some(fp) => eprintln!(
                    "Participants join at {url} (TLS). Their browser will warn about the certificate: \
                     it is this one if it shows SHA-256 {fp}"
                ),
                None => eprintln!(
                    "WARNING: participants join at {url} over plain HTTP (--insecure-lan): anyone on this \
                     network can read the drill and the tokens. Use --lan alone for TLS."
                ),
            }
        }
        resume_live(&server).await;
        eprintln!(
            "Serving the scenario library in {} — press Ctrl+C to stop.",
            muster_core::text::neutralize(&library_dir.display().to_string())
        );
        server
            .run(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("the server stopped with an error")?;
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(exit::OK)
}

/// The LAN listener `--lan` asks for: TLS with the certificate kept beside the database (made on first
/// use), or plain HTTP with `--insecure-lan`.
fn lan_config(args: &ServeArgs, db: &std::path::Path) -> anyhow::Result<Option<muster_server::LanConfig>> {
    if !args.lan && !args.insecure_lan {
        return Ok(None);
    }
    let lan = muster_server::LanConfig::beside(db, args.lan_addr, !args.insecure_lan)
        .context("cannot set up TLS for the LAN")?;
    Ok(Some(lan))
}

/// Brings back the live drills a stop or crash interrupted, paused where they stood; says so on stderr.
pub async fn resume_live(server: &Server) {
    let Some(live) = server.live() else { return };
    for (id, result) in live.resume_all().await {
        match result {
            Ok(()) => {
                eprintln!("Live drill {id} is back, paused where it stood: the facilitator resumes it.")
            }
            Err(e) => eprintln!(
                "Live drill {id} was not resumed: {}",
                muster_core::text::neutralize(&e.to_string())
            ),
        }
    }
}
