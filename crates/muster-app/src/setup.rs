//! Loading a drill's scenario and model, and creating a drill in the store.

use std::path::Path;

use muster_core::engine::DrillSetup;
use muster_core::{ResponsibilityModel, Scenario};
use muster_library::Library;
use muster_store::{DrillId, NewDrill, Store, StoreError};

/// A scenario ready to run, with the texts the store keeps so that a replay runs exactly it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The scenario.
    pub scenario: Scenario,
    /// Its responsibility model.
    pub model: ResponsibilityModel,
    /// The scenario file's text.
    pub scenario_text: String,
    /// The model file's text.
    pub model_text: String,
}

/// Why a scenario could not be loaded to run.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The library folder could not be read.
    #[error(transparent)]
    Library(#[from] muster_library::LibraryError),
    /// No scenario with this key.
    #[error("no scenario `{0}` in the library")]
    NotFound(String),
    /// The scenario has errors.
    #[error("the scenario `{0}` has errors; fix them (muster validate) before running it")]
    Invalid(String),
    /// The model has errors.
    #[error("the responsibility model has errors; fix them (muster validate) before running a drill")]
    Model,
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The scenario with this key (its id or file name) from the library folder `dir`, validated.
pub fn from_library(dir: &Path, key: &str) -> Result<Loaded, SetupError> {
    let lib = Library::open(dir)?;
    let model = lib.model.model.clone().ok_or(SetupError::Model)?;
    let file = lib.find(key).ok_or_else(|| SetupError::NotFound(key.to_owned()))?;
    let scenario = file.scenario.clone().ok_or_else(|| SetupError::Invalid(key.to_owned()))?;
    Ok(Loaded { scenario, model, scenario_text: file.text.clone(), model_text: lib.model.text.clone() })
}

/// What a new drill records besides its scenario.
#[derive(Debug, Clone)]
pub struct DrillMeta {
    /// Seed, speed, role policy, rules.
    pub setup: DrillSetup,
    /// Team name or profile.
    pub team: Option<String>,
    /// Who facilitates.
    pub facilitator: Option<String>,
    /// Creation wall time, ms since the Unix epoch.
    pub created_wall_ms: u64,
}

/// Records a new drill of `scenario` (with the file texts it was loaded from) and exactly the setup it
/// will run with, so that its log replays.
pub async fn create_drill(
    store: &Store,
    scenario: &Scenario,
    scenario_text: String,
    model_text: String,
    meta: DrillMeta,
) -> Result<DrillId, StoreError> {
    store
        .create_drill(NewDrill {
            scenario_id: scenario.id.0.clone(),
            scenario_version: scenario.version.clone(),
            scenario_text,
            model_text,
            setup: meta.setup,
            team: meta.team,
            facilitator: meta.facilitator,
            created_wall_ms: meta.created_wall_ms,
        })
        .await
}

/// The wall clock in milliseconds since the Unix epoch (0 if the system clock is before 1970).
pub fn wall_now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Longest route a window may be told to open at start (`MUSTER_OPEN`), in bytes.
pub const MAX_START_ROUTE_BYTES: usize = 512;

/// The address a window opens: the server's `base` (ending in `/`), with a `#/…` route when one is asked
/// for and fits [`MAX_START_ROUTE_BYTES`]; anything else is ignored (no other scheme, host or path).
pub fn start_url(base: &str, route: Option<&str>) -> String {
    match route {
        Some(r) if r.starts_with("#/") && r.len() <= MAX_START_ROUTE_BYTES => format!("{base}{r}"),
        _ => base.to_owned(),
    }
}

#[cfg(test)]
mod start_url_tests {
    use super::{MAX_START_ROUTE_BYTES, start_url};

    #[test]
    fn only_a_fragment_route_within_the_limit_is_opened() {
        let base = "http://127.0.0.1:4790/";
        assert_eq!(start_url(base, Some("#/live/d1?key=ab")), "http://127.0.0.1:4790/#/live/d1?key=ab");
        assert_eq!(start_url(base, None), base);
        assert_eq!(start_url(base, Some("//evil.example/")), base);
        assert_eq!(start_url(base, Some("javascript:alert(1)")), base);
        let long = format!("#/{}", "a".repeat(MAX_START_ROUTE_BYTES - 1));
        assert_eq!(start_url(base, Some(&long)), base, "one byte past the limit");
        assert_eq!(
            start_url(base, Some(&long[..MAX_START_ROUTE_BYTES])),
            format!("{base}{}", &long[..MAX_START_ROUTE_BYTES])
        );
    }
}
