//! Diagnostics as plain data: severity, a stable code, a message, a byte span, labels and a hint.
//!
//! The core never renders them; the CLI (miette), the JSON output and the UI do. Codes are a closed,
//! documented catalogue ([`Code`]) so that tests, docs and tools can rely on them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::span::{ByteSpan, line_col};

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file cannot be used.
    Error,
    /// The file works but something looks wrong.
    Warning,
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Every diagnostic code, with the check it stands for.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        pub enum Code { $($(#[doc = $doc])* $variant,)* }

        impl Code {
            /// All codes, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as written in output, e.g. `unknown-role`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }

            /// One line on what the check looks for.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// The text is not valid RON.
    Syntax = "syntax",
    /// Valid RON, but a field is missing, unknown or of the wrong type.
    Type = "type",
    /// An id is not lowercase letters, digits, `-` and `_`, starting with a letter.
    BadId = "bad-id",
    /// Two items of the same kind share an id.
    DuplicateId = "duplicate-id",
    /// A duration is not like "90s", "15m" or "1h30m".
    BadDuration = "bad-duration",
    /// A role id is not in the responsibility model.
    UnknownRole = "unknown-role",
    /// A role is in the model but not among the scenario's roles in play.
    RoleNotInPlay = "role-not-in-play",
    /// A capability id is not in the responsibility model.
    UnknownCapability = "unknown-capability",
    /// An expected-action id is not defined in the scenario.
    UnknownAction = "unknown-action",
    /// An inject id is not defined in the scenario.
    UnknownInject = "unknown-inject",
    /// A `{{variable}}` in text is not declared.
    UnknownVariable = "unknown-variable",
    /// A segregation-of-duties rule or side is not in the model.
    UnknownSodRule = "unknown-sod-rule",
    /// Expected actions depend on each other in a circle.
    PrerequisiteCycle = "prerequisite-cycle",
    /// An inject's trigger can never fire.
    DeadTrigger = "dead-trigger",
    /// A deadline falls after the scenario's nominal duration.
    DeadlinePastDuration = "deadline-past-duration",
    /// A deadline falls before any inject can offer the action.
    DeadlineBeforeOffer = "deadline-before-offer",
    /// An objective's capabilities have no expected action.
    ObjectiveWithoutAction = "objective-without-action",
    /// A capability has no Accountable role, or more than one.
    AccountableCount = "accountable-count",
    /// A capability has no Responsible role.
    NoResponsible = "no-responsible",
    /// No role in play owns an expected action.
    NoOwner = "no-owner",
    /// Owners break a segregation-of-duties rule.
    SodConflict = "sod-conflict",
    /// A segregation-of-duties rule is referenced by one side only.
    SodUnpaired = "sod-unpaired",
    /// A value is out of its allowed range.
    OutOfRange = "out-of-range",
    /// No inject offers an expected action, so nobody will ever see it.
    UnusedAction = "unused-action",
    /// A declared variable is never used.
    UnusedVariable = "unused-variable",
    /// A role in play receives no inject and owns no action.
    IdleRole = "idle-role",
    /// The same id is listed twice where once is meant.
    Repeated = "repeated",
    /// The scenario cannot be checked because its responsibility model has errors.
    ModelUnavailable = "model-unavailable",
    /// The overseer of a capability is neither Consulted nor Informed.
    OversightNotTold = "oversight-not-told",
    /// A scenario's id differs from its file name.
    FileNameMismatch = "file-name-mismatch",
    /// An inject's title, body or attachment speaks to the facilitator, and every recipient would read it.
    FacilitatorText = "facilitator-text",
    /// The file is not UTF-8 text, or starts with a byte-order mark.
    Encoding = "encoding",
    /// A text holds a control character (such as a terminal escape) where none belongs.
    ControlCharacter = "control-character",
    /// More problems than are shown for one file.
    TooManyProblems = "too-many-problems",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span with a note, e.g. "first defined here".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Where.
    pub span: ByteSpanData,
    /// What about it.
    pub message: String,
}

/// A serializable byte span.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteSpanData {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl From<ByteSpan> for ByteSpanData {
    fn from(s: ByteSpan) -> Self {
        ByteSpanData { start: s.start, end: s.end }
    }
}

/// One problem found in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// What is wrong, in a sentence fragment.
    pub message: String,
    /// Where, in bytes of the source.
    pub span: ByteSpanData,
    /// Other places that explain it.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: Code, span: ByteSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: span.into(),
            labels: Vec::new(),
            hint: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(code: Code, span: ByteSpan, message: impl Into<String>) -> Diagnostic {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(code, span, message) }
    }

    /// Adds a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_label(mut self, span: ByteSpan, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label { span: span.into(), message: message.into() });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column of the start of the span in `src`.
    pub fn line_col(&self, src: &str) -> (usize, usize) {
        line_col(src, self.span.start)
    }
}

/// Most diagnostics kept for one file; the rest are summed up in one closing "and N more".
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 100;

/// Sorts diagnostics by position, drops exact repeats, and keeps the first
/// [`MAX_DIAGNOSTICS_PER_FILE`] plus one closing diagnostic that counts the rest (`n_unlisted` more were
/// never built, because the checker stopped listing them). The closing one is an error if any dropped
/// one was, so a file's status never changes by the cut.
pub fn capped(mut diagnostics: Vec<Diagnostic>, n_unlisted: Unlisted) -> Vec<Diagnostic> {
    diagnostics.sort_by_key(|d| (d.span.start, d.severity, d.code));
    diagnostics.dedup();
    let kept = diagnostics.len().min(MAX_DIAGNOSTICS_PER_FILE);
    let rest = diagnostics.split_off(kept);
    let (rest_errors, rest_warnings) = count(&rest);
    let n_errors = rest_errors + n_unlisted.errors;
    let n_warnings = rest_warnings + n_unlisted.warnings;
    if n_errors + n_warnings == 0 {
        return diagnostics;
    }
    let at = rest.first().map_or(ByteSpan::new(0, 0), |d| ByteSpan::new(d.span.start, d.span.start));
    let message = format!(
        "and {} more: {} errors, {} warnings not listed",
        n_errors + n_warnings,
        n_errors,
        n_warnings
    );
    let hint = format!(
        "only the first {MAX_DIAGNOSTICS_PER_FILE} problems of a file are listed; fix these and check again"
    );
    let closing = if n_errors > 0 {
        Diagnostic::error(Code::TooManyProblems, at, message)
    } else {
        Diagnostic::warning(Code::TooManyProblems, at, message)
    };
    diagnostics.push(closing.with_hint(hint));
    diagnostics
}

/// Problems a checker found but stopped building diagnostics for, once a file had plenty.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unlisted {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
}

/// Counts of errors and warnings.
pub fn count(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let n_errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (n_errors, diagnostics.len() - n_errors)
}
