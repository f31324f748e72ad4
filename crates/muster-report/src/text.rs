//! Formatting and escaping shared by the renderers: times, dates, plurals, HTML and Markdown escaping.
//!
//! Every piece of text that came from a person or a file goes through [`html`] or [`md`] before it is
//! written into a document; nothing here ever produces markup from data.

use std::borrow::Cow;

use chrono::{DateTime, Days, SecondsFormat, Utc};
use muster_core::ScenarioMs;

/// Scenario time as the UI shows it: `T+00:12:30`.
pub fn t(ms: u64) -> String {
    ScenarioMs(ms).to_string()
}

/// A duration, short form: `4m30s`.
pub fn dur(ms: u64) -> String {
    muster_core::format_duration(ScenarioMs(ms))
}

fn wall(ms: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or(DateTime::UNIX_EPOCH)
}

/// Wall time, ISO 8601 UTC to the second: `2025-03-11T14:00:00Z`.
pub fn iso(ms: u64) -> String {
    wall(ms).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The UTC date of a wall time: `2025-03-11`.
pub fn date(ms: u64) -> String {
    wall(ms).format("%Y-%m-%d").to_string()
}

/// The UTC date of a wall time plus `days`: `2025-04-10`.
pub fn date_plus_days(ms: u64, days: u32) -> String {
    let d = wall(ms).date_naive();
    d.checked_add_days(Days::new(u64::from(days))).unwrap_or(d).format("%Y-%m-%d").to_string()
}

/// `1 action`, `2 actions`.
pub fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    if n == 1 { format!("1 {one}") } else { format!("{n} {many}") }
}

/// `1 point`, `-50 points`.
pub fn points(n: i64) -> String {
    if n == 1 { "1 point".to_owned() } else { format!("{n} points") }
}

/// A percentage of a 0–1 ratio, rounded: `78 %`.
pub fn pct(ratio: f64) -> String {
    format!("{:.0} %", ratio * 100.0)
}

/// Event numbers for people: `#3, #17`.
pub fn seqs(events: &[u64]) -> String {
    events.iter().map(|s| format!("#{s}")).collect::<Vec<_>>().join(", ")
}

/// "a, b and c".
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The first clause of an action label, for sentences: the core's `score::short`, as findings shorten it.
pub fn short(label: &str) -> String {
    muster_core::score::short(label)
}

/// Escapes text for HTML text and quoted attribute values (`& < > " ' /`).
pub fn html(text: &str) -> Cow<'_, str> {
    html_escape::encode_safe(text)
}

/// Escapes text for Markdown (GitHub-flavoured), in paragraphs, list items and table cells alike:
/// the characters of emphasis, code, links, strikethrough and table cells get a backslash; `<`, `>` and `&`
/// become entities (so no HTML tag or entity survives); line breaks become spaces (a table row is one line).
/// Line-start markers (`#`, `-`, `+`, `1.`) stay harmless because callers never start a line with data.
/// Known limit: GitHub still turns a bare `https://…` or `www.…` into a link (never into markup).
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The findings of one rule, for the "all findings" section.
pub struct RuleGroup<'a> {
    /// The rule's name, capitalised.
    pub title: String,
    /// Its findings, in report order.
    pub findings: Vec<&'a crate::types::FindingItem>,
    /// Points they gave.
    pub points: i64,
    /// Points they could give.
    pub max: i64,
}

/// The findings grouped by rule, in rule order.
pub fn by_rule(findings: &[crate::types::FindingItem]) -> Vec<RuleGroup<'_>> {
    let mut rules: Vec<(crate::types::RuleName, &str)> = Vec::new();
    for f in findings {
        if !rules.iter().any(|(x, _)| *x == f.rule) {
            rules.push((f.rule, &f.rule_text));
        }
    }
    rules.sort();
    rules
        .into_iter()
        .map(|(rule, text)| {
            let fs: Vec<_> = findings.iter().filter(|f| f.rule == rule).collect();
            let mut title = text.to_owned();
            if let Some(c) = title.get_mut(0..1) {
                c.make_ascii_uppercase();
            }
            RuleGroup {
                title,
                points: fs.iter().map(|f| f.points).sum(),
                max: fs.iter().map(|f| f.max).sum(),
                findings: fs,
            }
        })
        .collect()
}

/// A finding's points: `+20 of 60`, or `-50` for a penalty.
pub fn signed(points: i64, max: i64) -> String {
    if max == 0 { format!("{points:+}") } else { format!("{points:+} of {max}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_dates_and_escaping() {
        assert_eq!(t(750_000), "T+00:12:30");
        assert_eq!(dur(270_000), "4m30s");
        assert_eq!(iso(1_741_701_600_000), "2025-03-11T14:00:00Z");
        assert_eq!(date(1_741_701_600_000), "2025-03-11");
        assert_eq!(date_plus_days(1_741_701_600_000, 30), "2025-04-10");
        assert_eq!(html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;");
        assert_eq!(
            md("<script>alert(1)</script> | *x*"),
            "&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\*"
        );
        assert_eq!(and_list(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(plural(1u32, "action", "actions"), "1 action");
    }
}
