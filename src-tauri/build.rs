//! tauri.conf.json lives at the repository root (the design card); point tauri-build at it. The app's two
//! commands are declared, so that each gets a permission (`allow-save-report`, `allow-open-data-folder`)
//! that the capability grants by name: the page is loaded from loopback, and a remote page reaches only
//! the commands a capability names.
fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&["save_report", "open_data_folder"]);
    let attributes = tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest);
    if let Err(e) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {e:#}");
    }
}
