//! The scenario library on disk: a folder holding `model.ron` and one `.ron` file per scenario.
//!
//! This crate owns the file I/O around the pure core: it reads files, pairs each scenario with its
//! responsibility model, checks them with `muster-core`, and writes imported scenarios only after they
//! validate. It never interprets RON itself and never renders diagnostics (the CLI and UI do).

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use muster_core::span::ByteSpan;
use muster_core::validate::MAX_FILE_BYTES;
use muster_core::{
    Code, Counts, Diagnostic, FileKind, Header, ResponsibilityModel, Scenario, file_kind, load_model,
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

/// A file's text, or why it has none a checker can read.
enum Text {
    /// UTF-8 text.
    Utf8(String),
    /// Not UTF-8: the text with bad sequences replaced (for excerpts), and the problem.
    Unreadable(String, Diagnostic),
}

/// Reads a file as text without trusting it: at most [`MAX_FILE_BYTES`] + 1 bytes are read, and bytes
/// that are not UTF-8 become a diagnostic of that file (with the offset of the first bad sequence)
/// instead of an error that would stop every other file from being checked.
fn read(path: &Path) -> Result<Text, LibraryError> {
    let read_error = |source| LibraryError::Read { path: path.to_owned(), source };
    let file = fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(read_error)?;
    if bytes.len() > MAX_FILE_BYTES {
        let d = Diagnostic::error(Code::OutOfRange, ByteSpan::new(0, 0), "file is larger than 2 MiB")
            .with_hint("split the scenario or trim its attachments");
        return Ok(Text::Unreadable(String::new(), d));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Text::Utf8(text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bad = e.as_bytes().get(at).copied().unwrap_or_default();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // The lossy text keeps the valid prefix, so `at` points at the first replacement character.
            let span = ByteSpan::new(at, at + char::REPLACEMENT_CHARACTER.len_utf8());
            let d = Diagnostic::error(
                Code::Encoding,
                span,
                format!("the file is not UTF-8 text: byte {at} (0x{bad:02X}) starts an invalid sequence"),
            )
            .with_hint(
                "save the file as UTF-8; a Latin-1 or Windows-1252 file can be converted with \
                 `iconv -f latin1 -t utf-8 FILE`",
            );
            Ok(Text::Unreadable(text, d))
        }
    }
}

/// A file that could not be read as text, shown as what it was meant to be.
fn unreadable(path: PathBuf, text: String, d: Diagnostic, kind: FileKind) -> CheckedFile {
    CheckedFile {
        path,
        text,
        kind,
        diagnostics: vec![d],
        scenario: None,
        model: None,
        header: None,
        counts: Counts::default(),
    }
}

/// Whether a path is a library's model file by its name (an empty or broken `model.ron` is still one).
fn is_model_file(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == MODEL_FILE)
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
        let kind = |text: &str| if is_model_file(&path) { FileKind::Model } else { file_kind(text) };
        let text = match read(&path)? {
            Text::Utf8(text) => text,
            Text::Unreadable(text, d) => {
                let kind = kind(&text);
                out.push(unreadable(path, text, d, kind));
                continue;
            }
        };
        if kind(&text) == FileKind::Model {
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
            let loaded = match read(&model_path)? {
                Text::Utf8(text) => load_model(&text).value,
                Text::Unreadable(..) => None,
            };
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
        let model = match read(&model_path)? {
            Text::Utf8(text) => check_model_text(model_path.clone(), text),
            Text::Unreadable(text, d) => unreadable(model_path.clone(), text, d, FileKind::Model),
        };
        let mut scenarios = Vec::new();
        for path in ron_files(dir)? {
            if path == model_path {
                continue;
            }
            // One unreadable file is that file's problem: every other one is still checked and shown.
            match read(&path)? {
                Text::Utf8(text) => {
                    let model_ref = model.model.as_ref().ok_or(model_path.as_path());
                    scenarios.push(check_file_name(check_scenario_text(path, text, model_ref)));
                }
                Text::Unreadable(text, d) => scenarios.push(unreadable(path, text, d, FileKind::Scenario)),
            }
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
        if self.find(&id).is_some() {
            return Err(ImportError::Exists(id));
        }
        write_new(&target, checked.text.as_bytes()).map_err(|e| match e {
            WriteNew::Exists => ImportError::Exists(id.clone()),
            WriteNew::Io(source) => ImportError::Io(LibraryError::Write { path: target.clone(), source }),
        })?;
        self.scenarios.push(CheckedFile { path: target, ..checked });
        Ok(self.scenarios.len() - 1)
    }
}

/// Why [`write_new`] wrote nothing.
pub(crate) enum WriteNew {
    /// Something of that name is there already: a file, a folder, or a link (dangling or not).
    Exists,
    /// Creating or writing failed.
    Io(io::Error),
}

/// Creates `path` and writes `bytes` to it, never following or replacing whatever has that name: the
/// create is exclusive (`O_CREAT | O_EXCL`, which also refuses a dangling symbolic link), so there is
/// no gap between a check and the write. A file left half-written by a failed write is removed.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), WriteNew> {
    let mut file = match fs::OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(WriteNew::Exists),
        Err(e) => return Err(WriteNew::Io(e)),
    };
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(WriteNew::Io(e));
    }
    Ok(())
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
    fn a_file_that_is_not_utf8_is_its_own_problem() {
        // Goal (hardening issue, item 3): one Latin-1 file gets a diagnostic with the offset of its first
        // bad byte; the model and every other scenario load as usual, through `Library::open` and
        // `check_paths` alike. A byte-order mark is accepted.
        let tmp = tempfile::tempdir().expect("tempdir");
        builtin::seed(tmp.path()).expect("seed");
        let mut latin1 = b"// caf".to_vec();
        latin1.push(0xE9);
        latin1.extend_from_slice(b"\nScenario()");
        fs::write(tmp.path().join("latin1.ron"), &latin1).expect("write");
        let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
        write(tmp.path(), "minimal.ron", &format!("\u{feff}{minimal}"));
        let lib = Library::open(tmp.path()).expect("one bad file does not fail the library");
        assert!(lib.model.is_ok());
        let bad = lib.find("latin1").expect("the bad file is listed");
        assert_eq!(bad.diagnostics.len(), 1);
        assert_eq!(bad.diagnostics[0].code, Code::Encoding);
        assert!(bad.diagnostics[0].message.contains("byte 6 (0xE9)"), "{}", bad.diagnostics[0].message);
        assert_eq!(bad.diagnostics[0].span.start, 6);
        for f in lib.scenarios.iter().filter(|f| f.name() != "latin1.ron") {
            assert!(f.is_ok(), "{}: {:?}", f.name(), f.diagnostics);
        }
        assert_eq!(lib.scenarios.len(), builtin::SCENARIOS.len() + 2);
        let checked = check_paths(&[tmp.path().to_owned()], None).expect("validate the folder");
        assert_eq!(checked.len(), builtin::SCENARIOS.len() + 3);
        assert_eq!(checked.iter().filter(|f| !f.is_ok()).count(), 1);
    }

    #[test]
    fn an_empty_or_bom_only_model_is_a_broken_model() {
        for text in ["", "\u{feff}", "  \n"] {
            let tmp = tempfile::tempdir().expect("tempdir");
            write(tmp.path(), MODEL_FILE, text);
            write(tmp.path(), "minimal.ron", include_str!("../../../tests/data/validate/ok/minimal.ron"));
            let checked = check_paths(&[tmp.path().to_owned()], None).expect("validate");
            let model = checked.iter().find(|f| f.name() == MODEL_FILE).expect("model listed");
            assert_eq!(model.kind, FileKind::Model, "{text:?}");
            assert!(
                !model.is_ok() && model.diagnostics[0].message.contains("file"),
                "{:?}",
                model.diagnostics
            );
            let lib = Library::open(tmp.path()).expect("open");
            assert!(lib.model.model.is_none());
            assert_eq!(lib.scenarios[0].diagnostics[0].code, Code::ModelUnavailable);
        }
    }

    #[test]
    fn import_never_writes_through_a_link() {
        // Goal (hardening issue, item 7): a dangling symbolic link named like the import's target is
        // neither followed nor replaced; the import is refused as existing and nothing is written.
        let tmp = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("outside");
        builtin::seed(tmp.path()).expect("seed");
        let victim = outside.path().join("victim");
        std::os::unix::fs::symlink(&victim, tmp.path().join("minimal.ron")).expect("symlink");
        let mut lib = Library::open(tmp.path()).expect("open");
        let minimal = include_str!("../../../tests/data/validate/ok/minimal.ron");
        assert!(matches!(lib.import("upload.ron", minimal.to_owned()), Err(ImportError::Exists(_))));
        assert!(!victim.exists(), "the link was followed");
        assert!(fs::symlink_metadata(tmp.path().join("minimal.ron")).expect("link").file_type().is_symlink());
        // Seeding leaves a link in place of a built-in file alone too.
        fs::remove_file(tmp.path().join(builtin::SCENARIOS[0].0)).expect("remove");
        std::os::unix::fs::symlink(&victim, tmp.path().join(builtin::SCENARIOS[0].0)).expect("symlink");
        builtin::seed(tmp.path()).expect("seed again");
        assert!(!victim.exists(), "seeding followed the link");
    }

    #[test]
    fn check_paths_reports_missing_model() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write(tmp.path(), "a.ron", "Scenario()");
        let err = check_paths(&[tmp.path().join("a.ron")], None).expect_err("no model");
        assert!(err.to_string().contains("no responsibility model"), "{err}");
    }
}
