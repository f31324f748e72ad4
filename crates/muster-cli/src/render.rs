//! Turns checked files into text: miette reports for people, JSON objects for tools.
//!
//! The JSON shape is an API boundary (documented in the README): `file`, `kind`, `status`,
//! `diagnostics[]` with `severity`, `code`, `message`, `line`, `column`, `end_line`, `end_column`,
//! `hint`, and `counts`.

use std::io::IsTerminal;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};
use muster_core::span::Lines;
use muster_core::text::{escape, escapes, neutralize};
use muster_core::{Counts, Diagnostic, FileKind, Severity};
use muster_library::CheckedFile;
use serde::Serialize;

/// Colour or not, and how wide.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Colour output.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl Style {
    /// Colour only on a terminal and when NO_COLOR is unset.
    pub fn detect() -> Style {
        let color =
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        Style { color, width: 100 }
    }
}

/// A file's text as a terminal may show it: control characters written out (see
/// [`muster_core::text::neutralize`]), with a map from the file's byte offsets to the shown text's.
pub struct Shown {
    text: std::sync::Arc<str>,
    /// Each written-out character's byte offset in the file, and the bytes added up to and including it.
    shifts: Vec<(usize, usize)>,
}

impl Shown {
    /// Prepares `text` once for all of its diagnostics.
    pub fn new(text: &str) -> Shown {
        let mut shifts = Vec::new();
        let mut added = 0;
        for (i, c) in escapes(text) {
            added += escape(c).len() - c.len_utf8();
            shifts.push((i, added));
        }
        let shown = neutralize(text);
        Shown { text: std::sync::Arc::from(shown.as_ref()), shifts }
    }

    /// Where byte `offset` of the file is in the shown text.
    fn offset(&self, offset: usize) -> usize {
        let before = self.shifts.partition_point(|&(i, _)| i < offset);
        offset + before.checked_sub(1).map_or(0, |k| self.shifts[k].1)
    }

    fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let (a, b) = (self.offset(start), self.offset(end));
        (a, b.saturating_sub(a))
    }
}

/// One diagnostic as a miette graphical report with the source excerpt. The excerpt, the message and the
/// hint are shown with control characters written out, so a hostile file cannot drive the terminal.
pub fn human_diagnostic(file: &CheckedFile, shown: &Shown, d: &Diagnostic, style: Style) -> String {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut labels = vec![LabeledSpan::new_primary_with_span(None, shown.span(d.span.start, d.span.end))];
    labels.extend(d.labels.iter().map(|l| {
        LabeledSpan::new_with_span(
            Some(neutralize(&l.message).into_owned()),
            shown.span(l.span.start, l.span.end),
        )
    }));
    let mut diag = MietteDiagnostic::new(neutralize(&d.message).into_owned())
        .with_code(d.code.as_str())
        .with_severity(severity)
        .with_labels(labels);
    if let Some(hint) = &d.hint {
        diag = diag.with_help(neutralize(hint).into_owned());
    }
    let name = neutralize(&file.path.display().to_string()).into_owned();
    let report = Report::new(diag).with_source_code(NamedSource::new(name.clone(), shown.text.clone()));
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        let (line, col) = Lines::new(&file.text).line_col(d.span.start);
        out = format!("{name}:{line}:{col}: {}: {}\n", d.code, neutralize(&d.message));
    }
    out.push('\n');
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `ok   scenarios/leaked-secret.ron  14 injects (4 conditional), 18 actions, 6 roles, 4 objectives`
pub fn status_line(file: &CheckedFile) -> String {
    let (n_err, n_warn) = muster_core::diagnostic::count(&file.diagnostics);
    let status = if n_err > 0 { "error" } else { "ok" };
    let what = match file.kind {
        FileKind::Model => format!("responsibility model, {}", plural(file.counts.roles, "role", "roles")),
        FileKind::Scenario if file.header.is_none() => "could not be read as a scenario".to_owned(),
        FileKind::Scenario => {
            let c = file.counts;
            format!(
                "{} ({} conditional), {}, {}, {}",
                plural(c.injects, "inject", "injects"),
                c.conditional_injects,
                plural(c.expected_actions, "action", "actions"),
                plural(c.roles, "role", "roles"),
                plural(c.objectives, "objective", "objectives"),
            )
        }
    };
    let mut problems = Vec::new();
    if n_err > 0 {
        problems.push(plural(n_err, "error", "errors"));
    }
    if n_warn > 0 {
        problems.push(plural(n_warn, "warning", "warnings"));
    }
    let problems = if problems.is_empty() { String::new() } else { format!(" [{}]", problems.join(", ")) };
    let path = file.path.display().to_string();
    format!("{status:<5} {}  {what}{problems}", neutralize(&path))
}

/// `4 files checked: 0 errors, 2 warnings`
pub fn summary_line(files: &[CheckedFile]) -> String {
    let (mut n_err, mut n_warn) = (0, 0);
    for f in files {
        let (e, w) = muster_core::diagnostic::count(&f.diagnostics);
        n_err += e;
        n_warn += w;
    }
    format!(
        "{} checked: {}, {}",
        plural(files.len(), "file", "files"),
        plural(n_err, "error", "errors"),
        plural(n_warn, "warning", "warnings")
    )
}

/// The JSON line for one file.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    file: String,
    kind: &'static str,
    status: &'static str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    counts: Counts,
}

#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    message: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    hint: Option<&'a str>,
}

/// Builds the JSON line for one file.
pub fn json_report(file: &CheckedFile) -> JsonReport<'_> {
    let lines = Lines::new(&file.text);
    JsonReport {
        file: file.path.display().to_string(),
        kind: match file.kind {
            FileKind::Model => "model",
            FileKind::Scenario => "scenario",
        },
        status: if file.is_ok() { "ok" } else { "error" },
        diagnostics: file
            .diagnostics
            .iter()
            .map(|d| {
                let (line, column) = lines.line_col(d.span.start);
                let (end_line, end_column) = lines.line_col(d.span.end);
                JsonDiagnostic {
                    severity: d.severity,
                    code: d.code.as_str(),
                    message: &d.message,
                    line,
                    column,
                    end_line,
                    end_column,
                    hint: d.hint.as_deref(),
                }
            })
            .collect(),
        counts: file.counts,
    }
}
