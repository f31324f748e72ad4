//! Turns checked files into text: miette reports for people, JSON objects for tools.
//!
//! The JSON shape is an API boundary (documented in the README): `file`, `kind`, `status`,
//! `diagnostics[]` with `severity`, `code`, `message`, `line`, `column`, `end_line`, `end_column`,
//! `hint`, and `counts`.

use std::io::IsTerminal;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};
use muster_core::{Counts, Diagnostic, FileKind, Severity, span::line_col};
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

/// One diagnostic as a miette graphical report with the source excerpt.
pub fn human_diagnostic(file: &CheckedFile, d: &Diagnostic, style: Style) -> String {
    let severity = match d.severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
    };
    let mut labels =
        vec![LabeledSpan::new_primary_with_span(None, (d.span.start, d.span.end - d.span.start))];
    labels.extend(d.labels.iter().map(|l| {
        LabeledSpan::new_with_span(Some(l.message.clone()), (l.span.start, l.span.end - l.span.start))
    }));
    let mut diag = MietteDiagnostic::new(d.message.clone())
        .with_code(d.code.as_str())
        .with_severity(severity)
        .with_labels(labels);
    if let Some(hint) = &d.hint {
        diag = diag.with_help(hint.clone());
    }
    let report = Report::new(diag)
        .with_source_code(NamedSource::new(file.path.display().to_string(), file.text.clone()));
    let theme = if style.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(style.width).with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, report.as_ref()).is_err() {
        let (line, col) = line_col(&file.text, d.span.start);
        out = format!("{}:{line}:{col}: {}: {}\n", file.path.display(), d.code, d.message);
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
    format!("{status:<5} {}  {what}{problems}", file.path.display())
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
                let (line, column) = line_col(&file.text, d.span.start);
                let (end_line, end_column) = line_col(&file.text, d.span.end);
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
