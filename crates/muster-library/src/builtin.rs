//! The drills and model that ship with Muster, compiled into the binary so the desktop app and
//! `muster serve` work from any folder. `scenarios/` in the repository is their source.

use std::fs;
use std::path::Path;

use crate::{LibraryError, MODEL_FILE};

/// The default responsibility model.
pub const MODEL: &str = include_str!("../../../scenarios/model.ron");

/// The built-in scenarios: (file name, text).
pub const SCENARIOS: &[(&str, &str)] = &[
    ("leaked-secret.ron", include_str!("../../../scenarios/leaked-secret.ron")),
    ("compromised-ci-token.ron", include_str!("../../../scenarios/compromised-ci-token.ron")),
    ("dependency-compromise.ron", include_str!("../../../scenarios/dependency-compromise.ron")),
    ("cloud-account-abuse.ron", include_str!("../../../scenarios/cloud-account-abuse.ron")),
];

/// Creates `dir` and writes the model and built-in scenarios that are missing from it.
pub fn seed(dir: &Path) -> Result<(), LibraryError> {
    fs::create_dir_all(dir).map_err(|source| LibraryError::Write { path: dir.to_owned(), source })?;
    for (name, text) in std::iter::once((MODEL_FILE, MODEL)).chain(SCENARIOS.iter().copied()) {
        // Whatever has the name already, a file or a link, is left alone and never written through.
        let path = dir.join(name);
        match crate::write_new(&path, text.as_bytes()) {
            Ok(()) | Err(crate::WriteNew::Exists) => {}
            Err(crate::WriteNew::Io(source)) => return Err(LibraryError::Write { path, source }),
        }
    }
    Ok(())
}
