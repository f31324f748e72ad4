//! Every limit of a scenario file, gone past by a file this test makes (hardening issue, items 1, 2, 3
//! and 5): the file is refused with a diagnostic that says where and what, and a file just inside the
//! limit is accepted. No timing is asserted; docs/benchmarks.md has the figures.

use muster_core::diagnostic::MAX_DIAGNOSTICS_PER_FILE;
use muster_core::validate::{
    MAX_FILE_BYTES, MAX_FILLED_DRILL_BYTES, MAX_FILLED_TEXT_BYTES, MAX_ITEMS, MAX_LIST_ITEMS,
};
use muster_core::{Code, ResponsibilityModel, ScenarioLoad, load_model, load_scenario};

const MODEL: &str = include_str!("../../../scenarios/model.ron");
const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");

fn model() -> ResponsibilityModel {
    load_model(MODEL).value.expect("the shipped model is valid")
}

fn check(text: &str) -> ScenarioLoad {
    load_scenario(text, &model())
}

/// The minimal drill with `variables` added first and `body` put before the first inject's body.
fn with(variables: &str, body: &str) -> String {
    MINIMAL.replacen("variables: [", &format!("variables: [{variables}"), 1).replacen(
        "body: \"A personal",
        &format!("body: \"{body}A personal"),
        1,
    )
}

/// Codes of the errors, in order.
fn errors(load: &ScenarioLoad) -> Vec<Code> {
    load.diagnostics.iter().filter(|d| d.is_error()).map(|d| d.code).collect()
}

#[test]
fn a_variable_that_fills_a_text_past_its_limit_is_refused_at_the_variable() {
    // Item 1: ~900 KB referenced ~150 000 times would fill to 135 GB. The file stays under 2 MiB.
    let value = "v".repeat(900_000);
    let text =
        with(&format!("Variable(name: \"big\", value: OneOf([\"{value}\"])),"), &"{{big}}".repeat(150_000));
    assert!(text.len() < MAX_FILE_BYTES);
    let load = check(&text);
    assert!(load.scenario.is_none());
    let d = load.diagnostics.iter().find(|d| d.code == Code::OutOfRange).expect("out-of-range");
    assert!(d.message.contains("{{big}}") && d.message.contains("per text"), "{}", d.message);
    // Positioned at the variable's value, with a label at the text it fills.
    let at = text.find("OneOf([\"vvv").expect("variable");
    assert_eq!(d.span.start, at);
    assert_eq!(d.labels[0].message, "this text");
    // Just inside the limit: accepted.
    let n = (MAX_FILLED_TEXT_BYTES / 900_000) as usize - 1;
    let ok = with(&format!("Variable(name: \"big\", value: OneOf([\"{value}\"])),"), &"{{big}}".repeat(n));
    assert_eq!(errors(&load_scenario(&ok, &model())), Vec::<Code>::new());
}

#[test]
fn variables_that_fill_a_drill_past_its_limit_are_refused() {
    // Item 1, per drill: each text stays under its limit, all of them together do not.
    let value = "v".repeat(60_000);
    let per_text = (MAX_FILLED_TEXT_BYTES / 60_000) as usize - 2;
    let n_texts = (MAX_FILLED_DRILL_BYTES / (per_text as u64 * 60_000)) as usize + 1;
    let refs = "{{big}}".repeat(per_text);
    let mut text = with(&format!("Variable(name: \"big\", value: OneOf([\"{value}\"])),"), "");
    let mut extra = String::new();
    for i in 0..n_texts {
        extra.push_str(&format!(
            "Inject(id: \"x{i}\", title: \"t\", channel: Chat, to: [\"security\"], trigger: Cue, body: \"{refs}\"),"
        ));
    }
    text = text.replacen("injects: [", &format!("injects: [{extra}"), 1);
    assert!(text.len() < MAX_FILE_BYTES);
    let load = check(&text);
    let d = load.diagnostics.iter().find(|d| d.code == Code::OutOfRange).expect("out-of-range");
    assert!(d.message.contains("per drill"), "{}", d.message);
    assert_eq!(d.span.start, text.find("OneOf([\"vvv").expect("variable"));
}

#[test]
fn a_file_past_the_size_cap_is_refused_unread() {
    let text = format!("{MINIMAL}//{}", "x".repeat(MAX_FILE_BYTES));
    let load = check(&text);
    assert_eq!(errors(&load), [Code::OutOfRange]);
    assert!(load.diagnostics[0].message.contains("larger than 2 MiB"));
}

#[test]
fn too_many_items_or_list_entries_stop_the_check_there() {
    // Items 2: a count past its limit is reported once, and nothing is checked past it.
    let roles = vec!["\"nobody\""; MAX_ITEMS + 1].join(",");
    let load =
        check(&MINIMAL.replacen("roles: [\"platform\", \"security\"]", &format!("roles: [{roles}]"), 1));
    assert_eq!(errors(&load), [Code::OutOfRange]);
    assert!(load.diagnostics[0].message.contains("1001 roles"), "{:?}", load.diagnostics);
    let to = vec!["\"nobody\""; MAX_LIST_ITEMS + 1].join(",");
    let load = check(&MINIMAL.replacen("to: [\"platform\", \"security\"]", &format!("to: [{to}]"), 1));
    assert_eq!(errors(&load), [Code::OutOfRange]);
    assert!(load.diagnostics[0].message.contains("101 entries"), "{:?}", load.diagnostics);
    let to = vec!["\"nobody\""; MAX_LIST_ITEMS].join(",");
    let load = check(&MINIMAL.replacen("to: [\"platform\", \"security\"]", &format!("to: [{to}]"), 1));
    assert!(errors(&load).iter().all(|&c| c == Code::UnknownRole), "{:?}", load.diagnostics);
}

#[test]
fn diagnostics_are_capped_per_file_with_a_closing_count() {
    // Item 2: a 2 MiB file after a 1 MB comment with thousands of unknown roles (a hundred injects of a
    // hundred each) gets the first diagnostics in file order and one closing "and N more".
    let to = (0..MAX_LIST_ITEMS).map(|k| format!("\"ghost{k}\"")).collect::<Vec<_>>().join(",");
    let injects: String = (0..900)
        .map(|i| {
            format!(
                "Inject(id: \"g{i}\", title: \"t\", channel: Chat, to: [{to}], trigger: Cue, body: \"b\"),"
            )
        })
        .collect();
    let text = format!(
        "// {}\n{}",
        "x".repeat(1_000_000),
        MINIMAL.replacen("injects: [", &format!("injects: [{injects}"), 1)
    );
    assert!(text.len() <= MAX_FILE_BYTES, "{}", text.len());
    let load = check(&text);
    let n_unknown = load.diagnostics.iter().filter(|d| d.code == Code::UnknownRole).count();
    assert_eq!(n_unknown, MAX_DIAGNOSTICS_PER_FILE, "{:?}", load.diagnostics.last());
    let last = load.diagnostics.last().expect("closing");
    assert_eq!(last.code, Code::TooManyProblems);
    assert!(last.is_error());
    assert!(last.message.starts_with("and ") && last.message.contains(" more"), "{}", last.message);
    let positions: Vec<usize> = load.diagnostics.iter().map(|d| d.span.start).collect();
    assert!(positions.windows(2).all(|w| w[0] <= w[1]), "in file order");
}

#[test]
fn control_characters_are_refused_where_they_have_no_business() {
    // Item 5: an escape in a label, a title or a variable value is refused, at that field.
    for (from, to) in [
        ("label: \"Revoke the leaked token\"", "label: \"Revoke\\u{1b}[2J the token\""),
        ("title: \"Minimal drill\"", "title: \"Minimal\\u{1b}]0;pwned\\u{7} drill\""),
        ("\"billing-web\"", "\"billing\\u{9b}31m\""),
        ("from: \"Secret scanner\"", "from: \"Secret\\nscanner\""),
    ] {
        let text = MINIMAL.replacen(from, to, 1);
        let load = check(&text);
        let d = load.diagnostics.iter().find(|d| d.code == Code::ControlCharacter).expect(to);
        assert!(d.is_error() && d.message.contains("U+"), "{}", d.message);
        let at = text.find(to.split(':').next().expect("field")).expect("field");
        assert!(d.span.start >= at, "{to}: at the field");
    }
    // A body may have line breaks and tabs, not escapes.
    let ok = MINIMAL.replacen("with the token continue", "with the token\\n\\tcontinue", 1);
    assert!(ok != MINIMAL && check(&ok).scenario.is_some());
    let bad = MINIMAL.replacen("Platform reports the token", "Platform reports\\u{1b}[8m the token", 1);
    assert!(bad != MINIMAL);
    assert!(errors(&check(&bad)).contains(&Code::ControlCharacter));
}

#[test]
fn a_byte_order_mark_is_read_past_and_an_empty_file_says_so() {
    // Item 3: a BOM changes nothing but the positions, which stay those of the whole text.
    let text = format!("\u{feff}{MINIMAL}");
    assert!(check(&text).scenario.is_some());
    let broken = format!("\u{feff}{}", MINIMAL.replacen("\"security\"]", "\"securty\"]", 1));
    let d =
        check(&broken).diagnostics.into_iter().find(|d| d.code == Code::UnknownRole).expect("unknown role");
    assert_eq!(&broken[d.span.start..d.span.end], "\"securty\"");
    let syntax = format!("\u{feff}{}", MINIMAL.replacen("id: \"minimal\",", "id: \"minimal\" oops", 1));
    let d = &check(&syntax).diagnostics[0];
    assert_eq!(d.code, Code::Syntax);
    assert!(syntax[d.span.start..].starts_with("oops"), "{d:?}: {:?}", &syntax[d.span.start..]);
    for empty in ["", "\u{feff}", " \n"] {
        let loaded = load_model(empty);
        assert!(loaded.value.is_none());
        assert!(loaded.diagnostics[0].message.contains("the file"), "{:?}", loaded.diagnostics);
    }
    assert_eq!(muster_core::file_kind("\u{feff}ResponsibilityModel()"), muster_core::FileKind::Model);
}

#[test]
fn a_model_of_many_oversight_rules_is_checked_with_capped_diagnostics() {
    // Item 2: a model near a megabyte whose rules each name a hundred capabilities.
    let n = MAX_ITEMS;
    let roles: Vec<String> =
        (0..n).map(|i| format!("Role(id: \"r{i}\", name: \"R\", team: \"T\", remit: \"x\")")).collect();
    let caps: Vec<String> = (0..n)
        .map(|i| {
            format!(
                "Capability(id: \"c{i}\", name: \"C\", description: \"d\", responsible: [\"r{i}\"], accountable: [\"r{}\"], consulted: [], informed: [])",
                (i + 1) % n
            )
        })
        .collect();
    let rules: Vec<String> = (0..n)
        .map(|i| {
            let list: Vec<String> = (0..MAX_LIST_ITEMS).map(|k| format!("\"c{}\"", (i * 7 + k) % n)).collect();
            format!(
                "SodRule(id: \"s{i}\", title: \"t\", rationale: \"r\", constraint: Oversight(overseer: \"r{i}\", capabilities: [{}]))",
                list.join(",")
            )
        })
        .collect();
    let text = format!(
        "ResponsibilityModel(name: \"m\", version: 1, roles: [{}], capabilities: [{}], sod_rules: [{}])",
        roles.join(","),
        caps.join(","),
        rules.join(",")
    );
    assert!(text.len() < MAX_FILE_BYTES);
    let loaded = load_model(&text);
    assert!(loaded.diagnostics.len() <= MAX_DIAGNOSTICS_PER_FILE + 1);
    assert_eq!(loaded.diagnostics.last().map(|d| d.code), Some(Code::TooManyProblems));
}
