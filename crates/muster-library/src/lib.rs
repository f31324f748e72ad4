//! The scenario library on disk: a folder holding `model.ron` and one `.ron` file per scenario.
//!
//! This crate owns the file I/O around the pure core: it reads files, pairs each scenario with its
//! responsibility model, checks them with `muster-core`, and writes imported scenarios only after they
//! validate. It never interprets RON itself and never renders diagnostics (the CLI and UI do).

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use muster_core::{
    Counts, Diagnostic, FileKind, Header, ResponsibilityModel, Scenario, file_kind, load_model,
    load_scenario, model_unavailable,
};

pub mod builtin;

/// The name of the responsibility model file in a scenario folder.
pub const MODEL_FILE: &str = "model.ron";

/// Failures to reach files; problems *in* files are diagnostics, not errors.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A file or folder could not be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// What.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A file could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// What.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },
    /// A scenario has no model beside it and none was given.
    #[error("no responsibility model for `{}`: `{}` does not exist (pass --model FILE)", scenario.display(), looked.display())]
    NoModel {
        /// The scenario.
        scenario: PathBuf,
        /// Where the model was looked for.
        looked: PathBuf,
    },
    /// A path is neither a `.ron` file nor a folder.
    #[error("`{}` is not a .ron file or a folder", path.display())]
    NotRon {
        /// The path.
        path: PathBuf,
    },
    /// A folder holds no `.ron` file.
    #[error("`{}` holds no .ron file", path.display())]
    Empty {
        /// The folder.
        path: PathBuf,
    },
}

/// One file, read and checked.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// Where it was read from (or the name it was uploaded under).
    pub path: PathBuf,
    /// Its text, kept so diagnostics can be shown with excerpts.
    pub text: String,
    /// Model or scenario.
    pub kind: FileKind,
    /// Every problem found.
    pub diagnostics: Vec<Diagnostic>,
    /// The scenario, when it is one and has no errors.
    pub scenario: Option<Scenario>,
    /// The model, when it is one and has no errors.
    pub model: Option<ResponsibilityModel>,
    /// Id, title, summary as written, when the scenario parsed.
    pub header: Option<Header>,
    /// Sizes as written.
    pub counts: Counts,
}

impl CheckedFile {
    /// Whether the file has no errors (warnings allowed).
    pub fn is_ok(&self) -> bool {
        !self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The file name for display.
    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(|| self.path.display().to_string(), |n| n.to_string_lossy().into_owned())
    }
}

/// Checks a model's text.
pub fn check_model_text(path: PathBuf, text: String) -> CheckedFile {
    let loaded = load_model(&text);
    let counts = Counts { roles: loaded.value.as_ref().map_or(0, |m| m.roles.len()), ..Counts::default() };
    CheckedFile {
        path,
        text,
        kind: FileKind::Model,
        diagnostics: loaded.diagnostics,
        scenario: None,
        model: loaded.value,
        header: None,
        counts,
    }
}

/// Checks a scenario's text against a model; `model` is `Err(model path)` when that model has errors.
pub fn check_scenario_text(
    path: PathBuf,
    text: String,
    model: Result<&ResponsibilityModel, &Path>,
) -> CheckedFile {
    let (scenario, header, counts, diagnostics) = match model {
        Ok(model) => {
            let load = load_scenario(&text, model);
            (load.scenario, load.header, load.counts.unwrap_or_default(), load.diagnostics)
        }
        Err(model_path) => {
            let (header, counts) = muster_core::read_header(&text).unzip();
            let diagnostics = vec![model_unavailable(&model_path.display().to_string())];
            (None, header, counts.unwrap_or_default(), diagnostics)
        }
    };
    CheckedFile { path, text, kind: FileKind::Scenario, diagnostics, scenario, model: None, header, counts }
}

/// Adds a warning when a scenario's id differs from its file name, which makes it hard to find.
fn check_file_name(mut file: CheckedFile) -> CheckedFile {
    let stem = file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    if let Some(header) = &file.header
        && header.id != stem
    {
        let span = muster_core::span::SpanIndex::build(&file.text).get("id");
        file.diagnostics.push(
            Diagnostic::warning(
                muster_core::Code::FileNameMismatch,
                span,
                format!("scenario id `{}` differs from the file name `{stem}.ron`", header.id),
            )
            .with_hint(format!("rename the file to `{}.ron`, or change the id", header.id)),
        );
        file.diagnostics.sort_by_key(|d| (d.span.start, d.severity, d.code));
    }
    file
}

fn read(path: &Path) -> Result<String, LibraryError> {
    fs::read_to_string(path).map_err(|source| LibraryError::Read { path: path.to_owned(), source })
}

/// The `.ron` files of a folder, sorted by name (not recursive).
pub fn ron_files(dir: &Path) -> Result<Vec<PathBuf>, LibraryError> {
    let entries = fs::read_dir(dir).map_err(|source| LibraryError::Read { path: dir.to_owned(), source })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| LibraryError::Read { path: dir.to_owned(), source })?;
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ron") && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// Checks files and folders as `muster validate` does: every `.ron` file of each folder, each scenario
/// against `model` if given, else against `model.ron` in its own folder.
pub fn check_paths(paths: &[PathBuf], model: Option<&Path>) -> Result<Vec<CheckedFile>, LibraryError> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = ron_files(path)?;
            if found.is_empty() {
                return Err(LibraryError::Empty { path: path.clone() });
            }
            files.extend(found);
        } else if path.extension().is_some_and(|e| e == "ron") {
            files.push(path.clone());
        } else if !path.exists() {
            return Err(LibraryError::Read {
                path: path.clone(),
                source: io::Error::new(io::ErrorKind::NotFound, "no such file or folder"),
            });
        } else {
            return Err(LibraryError::NotRon { path: path.clone() });
        }
    }
    let mut models: BTreeMap<PathBuf, Option<ResponsibilityModel>> = BTreeMap::new();
    let mut out = Vec::new();
    for path in files {
        let text = read(&path)?;
        if file_kind(&text) == FileKind::Model {
            out.push(check_model_text(path, text));
            continue;
        }
        let model_path = match model {
            Some(m) => m.to_owned(),
            None => path.parent().unwrap_or(Path::new(".")).join(MODEL_FILE),
        };
        if !models.contains_key(&model_path) {
            if !model_path.exists() {
                return Err(LibraryError::NoModel { scenario: path, looked: model_path });
            }
            let loaded = load_model(&read(&model_path)?).value;
            models.insert(model_path.clone(), loaded);
        }
        let model = models.get(&model_path).and_then(Option::as_ref).ok_or(model_path.as_path());
        out.push(check_file_name(check_scenario_text(path.clone(), text, model)));
    }
    Ok(out)
}

/// A scenario folder loaded for the app: its model and every scenario, valid or not.
#[derive(Debug, Clone)]
pub struct Library {
    /// The folder.
    pub dir: PathBuf,
    /// `model.ron`, checked.
    pub model: CheckedFile,
    /// Every other `.ron` file, checked, sorted by file name.
    pub scenarios: Vec<CheckedFile>,
}

/// Why an import was refused.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file has errors; nothing was written.
    #[error("the scenario has errors")]
    Invalid(Box<CheckedFile>),
    /// A scenario with the same id or file name already exists.
    #[error("a scenario with id `{0}` is already in the library")]
    Exists(String),
    /// The library's model has errors, so nothing can be checked.
    #[error("the library's responsibility model has errors")]
    NoModel,
    /// The upload is a model, not a scenario.
    #[error("this is a responsibility model, not a scenario")]
    NotAScenario,
    /// Writing failed.
    #[error(transparent)]
    Io(#[from] LibraryError),
}

impl Library {
    /// Reads and checks a folder.
    pub fn open(dir: &Path) -> Result<Library, LibraryError> {
        let model_path = dir.join(MODEL_FILE);
        if !model_path.exists() {
            return Err(LibraryError::NoModel { scenario: dir.to_owned(), looked: model_path });
        }
        let model = check_model_text(model_path.clone(), read(&model_path)?);
        let mut scenarios = Vec::new();
        for path in ron_files(dir)? {
            if path == model_path {
                continue;
            }
            let text = read(&path)?;
            let model_ref = model.model.as_ref().ok_or(model_path.as_path());
            scenarios.push(check_file_name(check_scenario_text(path, text, model_ref)));
        }
        Ok(Library { dir: dir.to_owned(), model, scenarios })
    }

    /// The valid scenario or the checked file with this id (by header id, else file stem).
    pub fn find(&self, id: &str) -> Option<&CheckedFile> {
        self.scenarios.iter().find(|f| scenario_key(f) == id)
    }

    /// Checks text as a scenario of this library without keeping it.
    pub fn check(&self, name: &str, text: String) -> CheckedFile {
        let model_path = self.model.path.clone();
        check_scenario_text(PathBuf::from(name), text, self.model.model.as_ref().ok_or(model_path.as_path()))
    }

    /// Validates an uploaded scenario and, only if it has no errors, writes it as `<id>.ron` and adds it.
    /// Returns the new file's index in `scenarios`.
    pub fn import(&mut self, name: &str, text: String) -> Result<usize, ImportError> {
        if self.model.model.is_none() {
            return Err(ImportError::NoModel);
        }
        if file_kind(&text) == FileKind::Model {
            return Err(ImportError::NotAScenario);
        }
        let checked = self.check(name, text);
        let Some(scenario) = checked.scenario.as_ref().filter(|_| checked.is_ok()) else {
            return Err(ImportError::Invalid(Box::new(checked)));
        };
        let id = scenario.id.as_str().to_owned();
        let target = self.dir.join(format!("{id}.ron"));
        if self.find(&id).is_some() || target.exists() {
            return Err(ImportError::Exists(id));
        }
        fs::write(&target, &checked.text)
            .map_err(|source| LibraryError::Write { path: target.clone(), source })?;
        self.scenarios.push(CheckedFile { path: target, ..checked });
        Ok(self.scenarios.len() - 1)
    }
}

/// The id a file is known by: its scenario id when it parsed, else its file stem.
pub fn scenario_key(file: &CheckedFile) -> String {
    match &file.header {
        Some(h) => h.id.clone(),
        None => file.path.file_stem().map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
    }
}

/// The per-user scenario folder (`~/.local/share/muster/scenarios` on Linux), created and seeded with
/// the built-in drills that are missing from it. Files already there are never overwritten.
pub fn user_library_dir() -> Result<PathBuf, LibraryError> {
    let dirs =
        directories::ProjectDirs::from("org", "Muster", "muster").ok_or_else(|| LibraryError::Read {
            path: PathBuf::from("~"),
            source: io::Error::new(io::ErrorKind::NotFound, "no home folder to keep the scenario library in"),
        })?;
    let dir = dirs.data_dir().join("scenarios");
    builtin::seed(&dir)?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).expect("write test file");
    }

    #[test]
    fn open_and_import() {
        // Goal: a seeded library opens with every built-in drill valid; a broken import is refused
        // and writes nothing; a valid one is written under its id and refused the second time.
        let tmp = tempfile::tempdir().expect("tempdir");
        builtin::seed(tmp.path()).expect("seed");
        let mut lib = Library::open(tmp.path()).expect("open");
        assert!(lib.model.is_ok(), "{:?}", lib.model.diagnostics);
        assert_eq!(lib.scenarios.len(), builtin::SCENARIOS.len());
        for f in &lib.scenarios {
            assert!(f.is_ok(), "{}: {:?}", f.name(), f.diagnostics);
        }
        let broken = builtin::SCENARIOS[0].1.replacen("At(\"0s\")", "At(\"0 s\")", 1);
        match lib.import("broken.ron", broken) {
            Err(ImportError::Invalid(f)) => assert!(!f.is_ok()),
            other => panic!("expected Invalid, got {other:?}"),
        }
        assert_eq!(ron_files(tmp.path()).expect("list").len(), builtin::SCENARIOS.len() + 1);
        let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
        let index = lib.import("upload.ron", minimal.to_owned()).expect("import");
        let id = lib.scenarios[index].header.clone().expect("header").id;
        assert_eq!(id, "minimal");
        assert!(tmp.path().join("minimal.ron").exists());
        assert!(matches!(lib.import("again.ron", minimal.to_owned()), Err(ImportError::Exists(_))));
    }

    #[test]
    fn check_paths_reports_missing_model() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "a.ron", "Scenario()");
        let err = check_paths(&[tmp.path().join("a.ron")], None).expect_err("no model");
        assert!(err.to_string().contains("no responsibility model"), "{err}");
    }
}
