//! Loading and validation: RON text in, the best model we could build plus every diagnostic out.
//!
//! Never fails as a whole and never panics on any input (a property test feeds it mutated text). Syntax
//! and type errors come from ron, one at a time, because ron stops at the first; every semantic problem
//! is reported in one pass, positioned through [`SpanIndex`]. The functions here only see text: reading
//! files is the caller's job.

use std::collections::{BTreeMap, BTreeSet};

use ron::extensions::Extensions;

use crate::diagnostic::{Code, Diagnostic, MAX_DIAGNOSTICS_PER_FILE, Unlisted, capped};
use crate::model::{
    ActionId, Capability, CapabilityId, InjectId, ObjectiveId, ResponsibilityModel, Role, RoleId, ScenarioId,
    SodConstraint, SodRule, SodRuleId, SodSide,
};
use crate::raw::{RawAction, RawInject, RawModel, RawScenario, RawSodConstraint, RawTrigger};
use crate::scenario::{
    Attachment, DEFAULT_WEIGHT, ExpectedAction, Inject, Objective, Scenario, SodPart, Trigger, Variable,
    VariableValue,
};
use crate::span::{ByteSpan, Lines, SpanIndex};
use crate::text::{describe, first_refused_in_block, first_refused_in_line};
use crate::time::{ScenarioMs, format_duration, parse_duration};
use crate::variables::{filled_bytes, longest_value_bytes};

/// Largest number of injects, actions, roles, objectives or variables in one file.
pub const MAX_ITEMS: usize = 1000;
/// Largest number of entries in a list inside one item (an inject's `to` and `actions`, an action's
/// `after`, a capability's RACI lists, a variable's options, tags, attachments).
pub const MAX_LIST_ITEMS: usize = 100;
/// Largest scenario or model file, in bytes.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;
/// Longest one text (a title, a body, an attachment, a label) may grow when its `{{variables}}` are
/// filled with their longest values, in bytes: as long as a whole file may be.
pub const MAX_FILLED_TEXT_BYTES: u64 = MAX_FILE_BYTES as u64;
/// Most bytes all texts of a drill may add up to once filled (each inject fires once), in bytes.
pub const MAX_FILLED_DRILL_BYTES: u64 = 8 * 1024 * 1024;
/// Diagnostics a checker builds in full before it only counts the rest (it keeps the first
/// [`MAX_DIAGNOSTICS_PER_FILE`] by position of these): a hostile file costs no more than this.
const DIAGNOSTICS_BUILT: usize = 10 * MAX_DIAGNOSTICS_PER_FILE;
/// The UTF-8 byte-order mark some editors put first.
const BOM: &str = "\u{feff}";

/// What loading a file produced: the value if there were no errors, and every diagnostic.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The resolved value; `None` when any error was found.
    pub value: Option<T>,
    /// Errors and warnings in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// What loading a scenario produced, with what could be read of its header even when it has errors.
#[derive(Debug, Clone)]
pub struct ScenarioLoad {
    /// The scenario, when it has no errors.
    pub scenario: Option<Scenario>,
    /// Id and title as written, when the file parsed.
    pub header: Option<Header>,
    /// Sizes as written, when the file parsed.
    pub counts: Option<Counts>,
    /// Errors and warnings in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Sizes of a scenario file, as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Counts {
    /// Injects.
    pub injects: usize,
    /// Injects with a trigger other than `At`.
    pub conditional_injects: usize,
    /// Expected actions.
    pub expected_actions: usize,
    /// Roles in play.
    pub roles: usize,
    /// Objectives.
    pub objectives: usize,
}

/// What a broken scenario still tells about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Id as written.
    pub id: String,
    /// Title as written.
    pub title: String,
    /// Summary as written.
    pub summary: String,
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

fn parse<T: serde::de::DeserializeOwned>(src: &str) -> Result<T, Diagnostic> {
    if src.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(Code::OutOfRange, ByteSpan::new(0, 0), "file is larger than 2 MiB")
            .with_hint("split the scenario or trim its attachments"));
    }
    // A byte-order mark is harmless: read what follows it, and keep positions in the whole text.
    let (body, shift) = match src.strip_prefix(BOM) {
        Some(body) => (body, BOM.len()),
        None => (src, 0),
    };
    if body.trim().is_empty() {
        let what = if shift > 0 { "the file holds only a byte-order mark" } else { "the file is empty" };
        return Err(Diagnostic::error(Code::Syntax, ByteSpan::new(0, src.len()), what).with_hint(
            "write a `Scenario(...)` or a `ResponsibilityModel(...)`; scenarios/README.md shows one",
        ));
    }
    ron_options().from_str::<T>(body).map_err(|e| {
        let mut d = ron_diagnostic(body, &e);
        d.span.start += shift;
        d.span.end += shift;
        d
    })
}

fn ron_diagnostic(src: &str, err: &ron::error::SpannedError) -> Diagnostic {
    use ron::Error as E;
    let lines = Lines::new(src);
    let start = lines.offset_of(err.span.start.line, err.span.start.col);
    let end = lines.offset_of(err.span.end.line, err.span.end.col).max(start);
    let span = ByteSpan::new(start, end);
    let (code, hint) = match &err.code {
        E::NoSuchStructField { expected, found, .. } | E::NoSuchEnumVariant { expected, found, .. } => (
            Code::Type,
            Some(match closest(found, expected.iter().copied()) {
                Some(best) => format!("did you mean `{best}`?"),
                None => "the authoring guide (scenarios/README.md) lists every field and variant".to_owned(),
            }),
        ),
        E::MissingStructField { field, .. } => {
            (Code::Type, Some(format!("add `{field}: …`; the authoring guide lists every field")))
        }
        E::DuplicateStructField { field, .. } => {
            (Code::Type, Some(format!("remove one of the `{field}` fields")))
        }
        E::ExpectedDifferentStructName { expected, .. } => {
            (Code::Type, Some(format!("write `{expected}(` here, or leave the name out")))
        }
        E::InvalidValueForType { .. } | E::ExpectedString | E::ExpectedInteger | E::ExpectedArray => {
            (Code::Type, Some("check the value's type against the authoring guide".to_owned()))
        }
        E::Message(_) => (Code::Type, None),
        E::Eof | E::ExpectedStructLikeEnd | E::ExpectedArrayEnd | E::ExpectedStringEnd => {
            (Code::Syntax, Some("the text ends early: look for a missing `)`, `]` or `\"`".to_owned()))
        }
        E::ExpectedComma => (Code::Syntax, Some("separate items with `,`".to_owned())),
        E::TrailingCharacters => (Code::Syntax, Some("remove what follows the closing `)`".to_owned())),
        _ => (Code::Syntax, None),
    };
    let diagnostic = Diagnostic::error(code, span, lowercase_first(&err.code.to_string()));
    match hint {
        Some(h) => diagnostic.with_hint(h),
        None => diagnostic,
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn closest<'a>(found: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(found, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    what: &str,
) -> String {
    let all: Vec<&str> = candidates.clone().into_iter().collect();
    match closest(found, candidates) {
        Some(best) => format!("did you mean `{best}`?"),
        None if all.is_empty() => format!("no {what} is defined"),
        None if all.len() <= 12 => format!("known {what}s: {}", all.join(", ")),
        None => format!("{} {what}s are defined; check the spelling", all.len()),
    }
}

fn is_valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && id.len() <= 64
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

/// Shared plumbing for both loaders: the text, its span index and the diagnostics so far.
struct Checker<'a> {
    src: &'a str,
    index: SpanIndex,
    diagnostics: Vec<Diagnostic>,
    /// Problems counted but not built, past [`DIAGNOSTICS_BUILT`].
    unlisted: Unlisted,
    checks: Checks,
}

impl<'a> Checker<'a> {
    fn new(src: &'a str, checks: Checks) -> Checker<'a> {
        let index = SpanIndex::build(src);
        Checker { src, index, diagnostics: Vec::new(), unlisted: Unlisted::default(), checks }
    }

    fn at(&self, path: &str) -> ByteSpan {
        self.index.get(path)
    }

    /// Whether enough diagnostics were built: from here on they are only counted, and callers skip the
    /// costly parts (suggestions) of new ones.
    fn full(&self) -> bool {
        self.diagnostics.len() >= DIAGNOSTICS_BUILT
    }

    fn push(&mut self, d: Diagnostic) {
        if self.full() {
            match d.severity {
                crate::Severity::Error => self.unlisted.errors += 1,
                crate::Severity::Warning => self.unlisted.warnings += 1,
            }
        } else {
            self.diagnostics.push(d);
        }
    }

    /// "did you mean …?" while diagnostics are still built in full, a plain pointer after.
    fn suggest<'s>(
        &self,
        found: &str,
        candidates: impl IntoIterator<Item = &'s str> + Clone,
        what: &str,
    ) -> String {
        if self.full() {
            format!("check the spelling against the {what}s defined")
        } else {
            did_you_mean(found, candidates, what)
        }
    }

    /// Refuses control characters in a single-line text (an id, a title, a label, a name).
    fn line_text(&mut self, path: &str, what: &str, text: &str) {
        if self.checks == Checks::Stored {
            return;
        }
        if let Some((at, c)) = first_refused_in_line(text) {
            self.control_character(path, what, text, at, c);
        }
    }

    /// Refuses control characters other than line breaks and tabs in a multi-line text.
    fn block_text(&mut self, path: &str, what: &str, text: &str) {
        if self.checks == Checks::Stored {
            return;
        }
        if let Some((at, c)) = first_refused_in_block(text) {
            self.control_character(path, what, text, at, c);
        }
    }

    fn control_character(&mut self, path: &str, what: &str, text: &str, at: usize, c: char) {
        let n = text[..at].chars().count() + 1;
        self.error(
            Code::ControlCharacter,
            path,
            format!("{what} holds the control character {} at character {n}", describe(c)),
            "remove it: control characters (terminal escapes, bells, line breaks in one-line texts) are refused \
             in scenario text, because a terminal would obey them",
        );
    }

    fn error(&mut self, code: Code, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let span = self.at(path);
        self.push(Diagnostic::error(code, span, message).with_hint(hint));
    }

    fn warning(&mut self, code: Code, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        let span = self.at(path);
        self.push(Diagnostic::warning(code, span, message).with_hint(hint));
    }

    fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Checks id syntax and uniqueness over `ids` (path, id); returns the set of ids seen.
    fn ids<'s>(&mut self, kind: &str, ids: impl IntoIterator<Item = (String, &'s str)>) -> BTreeSet<&'s str> {
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        for (path, id) in ids {
            if !is_valid_id(id) {
                self.error(
                    Code::BadId,
                    &path,
                    format!("`{id}` is not a valid {kind} id"),
                    "ids are 1 to 64 lowercase letters, digits, `-` or `_`, starting with a letter",
                );
            }
            if let Some(first) = seen.get(id) {
                let first_span = self.at(first);
                let span = self.at(&path);
                self.push(
                    Diagnostic::error(Code::DuplicateId, span, format!("{kind} `{id}` is defined twice"))
                        .with_label(first_span, "first defined here")
                        .with_hint(format!("give each {kind} its own id")),
                );
            } else {
                seen.insert(id, path);
            }
        }
        seen.into_keys().collect()
    }

    /// Refuses more than [`MAX_ITEMS`] items; returns whether they are within the limit.
    fn count_limit(&mut self, path: &str, n: usize, what: &str) -> bool {
        if n > MAX_ITEMS {
            self.error(
                Code::OutOfRange,
                path,
                format!("{n} {what} is more than the limit of {MAX_ITEMS}"),
                "split the file",
            );
        }
        n <= MAX_ITEMS
    }

    /// Refuses more than [`MAX_LIST_ITEMS`] entries in a list inside an item; returns whether they are
    /// within the limit.
    fn list_limit(&mut self, path: &str, n: usize) -> bool {
        if self.checks == Checks::Stored {
            return true;
        }
        if n > MAX_LIST_ITEMS {
            self.error(
                Code::OutOfRange,
                path,
                format!("this list has {n} entries, more than the limit of {MAX_LIST_ITEMS}"),
                "shorten it; a list inside one item holds at most 100 entries",
            );
        }
        n <= MAX_LIST_ITEMS
    }

    fn sorted(self) -> Vec<Diagnostic> {
        capped(self.diagnostics, self.unlisted)
    }
}

/// Which checks a load runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checks {
    /// Every check: a file being written, imported or run for the first time.
    Authoring,
    /// The texts stored with a drill: every check but the input hygiene added after drills were first
    /// stored (control characters, list lengths), so that a stored drill still loads, replays and scores.
    Stored,
}

/// Loads and checks a responsibility model.
pub fn load_model(src: &str) -> Loaded<ResponsibilityModel> {
    load_model_checked(src, Checks::Authoring)
}

/// Loads the model text stored with a drill (see [`load_stored_scenario`]).
pub fn load_stored_model(src: &str) -> Loaded<ResponsibilityModel> {
    load_model_checked(src, Checks::Stored)
}

fn load_model_checked(src: &str, checks: Checks) -> Loaded<ResponsibilityModel> {
    let raw: RawModel = match parse(src) {
        Ok(raw) => raw,
        Err(d) => return Loaded { value: None, diagnostics: vec![d] },
    };
    let mut c = Checker::new(src, checks);
    if !model_sizes(&mut c, &raw) {
        // Past a limit nothing else is checked: the work would grow with the excess.
        return Loaded { value: None, diagnostics: c.sorted() };
    }
    model_texts(&mut c, &raw);
    let role_ids =
        c.ids("role", raw.roles.iter().enumerate().map(|(i, r)| (format!("roles[{i}].id"), r.id.as_str())));
    let cap_ids = c.ids(
        "capability",
        raw.capabilities.iter().enumerate().map(|(i, r)| (format!("capabilities[{i}].id"), r.id.as_str())),
    );
    // The first capability of each id, for the oversight rules' look-ups.
    let mut caps_by_id: BTreeMap<&str, &crate::raw::RawCapability> = BTreeMap::new();
    for cap in &raw.capabilities {
        caps_by_id.entry(cap.id.as_str()).or_insert(cap);
    }
    c.ids(
        "rule",
        raw.sod_rules.iter().enumerate().map(|(i, r)| (format!("sod_rules[{i}].id"), r.id.as_str())),
    );

    let mut capabilities = Vec::new();
    for (i, cap) in raw.capabilities.iter().enumerate() {
        let base = format!("capabilities[{i}]");
        for (field, list) in [
            ("responsible", &cap.responsible),
            ("accountable", &cap.accountable),
            ("consulted", &cap.consulted),
            ("informed", &cap.informed),
        ] {
            for (k, role) in list.iter().enumerate() {
                if !role_ids.contains(role.as_str()) {
                    let hint = c.suggest(role, role_ids.iter().copied(), "role");
                    c.error(
                        Code::UnknownRole,
                        &format!("{base}.{field}[{k}]"),
                        format!("unknown role `{role}` in the RACI of `{}`", cap.id),
                        hint,
                    );
                }
            }
        }
        match cap.accountable.len() {
            1 => {}
            0 => c.error(
                Code::AccountableCount,
                &format!("{base}.id"),
                format!("capability `{}` has no Accountable role", cap.id),
                "name exactly one role in `accountable: [...]`: the one that answers for it",
            ),
            n => c.error(
                Code::AccountableCount,
                &format!("{base}.accountable"),
                format!("capability `{}` has {n} Accountable roles", cap.id),
                "keep exactly one: shared accountability is how ownership gets lost",
            ),
        }
        if cap.responsible.is_empty() {
            c.error(
                Code::NoResponsible,
                &format!("{base}.id"),
                format!("capability `{}` has no Responsible role", cap.id),
                "name the role or roles that do the work in `responsible: [...]`",
            );
        }
        if let [accountable] = cap.accountable.as_slice() {
            capabilities.push(Capability {
                id: CapabilityId(cap.id.clone()),
                name: cap.name.clone(),
                description: cap.description.clone(),
                responsible: cap.responsible.iter().map(|r| RoleId(r.clone())).collect(),
                accountable: RoleId(accountable.clone()),
                consulted: cap.consulted.iter().map(|r| RoleId(r.clone())).collect(),
                informed: cap.informed.iter().map(|r| RoleId(r.clone())).collect(),
            });
        }
    }

    let mut sod_rules = Vec::new();
    for (i, rule) in raw.sod_rules.iter().enumerate() {
        let base = format!("sod_rules[{i}].constraint");
        let constraint = match &rule.constraint {
            RawSodConstraint::SeparateActors { first, second } => {
                if first == second {
                    c.error(
                        Code::OutOfRange,
                        &format!("{base}.second"),
                        format!("rule `{}` names the same duty `{first}` twice", rule.id),
                        "a separation needs two different duties, e.g. first: \"request\", second: \"approve\"",
                    );
                }
                SodConstraint::SeparateActors { first: first.clone(), second: second.clone() }
            }
            RawSodConstraint::Oversight { overseer, capabilities: caps } => {
                if !role_ids.contains(overseer.as_str()) {
                    let hint = c.suggest(overseer, role_ids.iter().copied(), "role");
                    c.error(
                        Code::UnknownRole,
                        &format!("{base}.overseer"),
                        format!("unknown role `{overseer}`"),
                        hint,
                    );
                }
                for (k, cap_id) in caps.iter().enumerate() {
                    let path = format!("{base}.capabilities[{k}]");
                    let Some(cap) = caps_by_id.get(cap_id.as_str()) else {
                        let hint = c.suggest(cap_id, cap_ids.iter().copied(), "capability");
                        c.error(
                            Code::UnknownCapability,
                            &path,
                            format!("unknown capability `{cap_id}`"),
                            hint,
                        );
                        continue;
                    };
                    if cap.responsible.contains(overseer) {
                        c.error(
                            Code::SodConflict,
                            &path,
                            format!("`{overseer}` oversees `{cap_id}` but is also Responsible for it"),
                            "oversight means not operating it: move the R to the team that runs it",
                        );
                    } else if !cap.consulted.contains(overseer)
                        && !cap.informed.contains(overseer)
                        && !cap.accountable.contains(overseer)
                    {
                        c.warning(
                            Code::OversightNotTold,
                            &path,
                            format!("`{overseer}` oversees `{cap_id}` but is neither Consulted nor Informed"),
                            "add the overseer to `consulted` or `informed` of that capability",
                        );
                    }
                }
                SodConstraint::Oversight {
                    overseer: RoleId(overseer.clone()),
                    capabilities: caps.iter().map(|x| CapabilityId(x.clone())).collect(),
                }
            }
        };
        sod_rules.push(SodRule {
            id: SodRuleId(rule.id.clone()),
            title: rule.title.clone(),
            rationale: rule.rationale.clone(),
            constraint,
        });
    }

    let value = (!c.has_errors()).then(|| ResponsibilityModel {
        name: raw.name.clone(),
        version: raw.version,
        roles: raw
            .roles
            .iter()
            .map(|r| Role {
                id: RoleId(r.id.clone()),
                name: r.name.clone(),
                team: r.team.clone(),
                remit: r.remit.clone(),
            })
            .collect(),
        capabilities,
        sod_rules,
    });
    Loaded { value, diagnostics: c.sorted() }
}

/// Checks the model's counts and list lengths; returns whether all are within their limits.
fn model_sizes(c: &mut Checker<'_>, raw: &RawModel) -> bool {
    let mut ok = c.count_limit("roles", raw.roles.len(), "roles");
    ok &= c.count_limit("capabilities", raw.capabilities.len(), "capabilities");
    ok &= c.count_limit("sod_rules", raw.sod_rules.len(), "rules");
    for (i, cap) in raw.capabilities.iter().enumerate() {
        for (field, list) in [
            ("responsible", &cap.responsible),
            ("accountable", &cap.accountable),
            ("consulted", &cap.consulted),
            ("informed", &cap.informed),
        ] {
            ok &= c.list_limit(&format!("capabilities[{i}].{field}"), list.len());
        }
    }
    for (i, rule) in raw.sod_rules.iter().enumerate() {
        if let RawSodConstraint::Oversight { capabilities, .. } = &rule.constraint {
            ok &= c.list_limit(&format!("sod_rules[{i}].constraint.capabilities"), capabilities.len());
        }
    }
    ok
}

/// Refuses control characters in the model's texts.
fn model_texts(c: &mut Checker<'_>, raw: &RawModel) {
    c.line_text("name", "the model's name", &raw.name);
    for (i, r) in raw.roles.iter().enumerate() {
        c.line_text(&format!("roles[{i}].name"), &format!("the name of role `{}`", r.id), &r.name);
        c.line_text(&format!("roles[{i}].team"), &format!("the team of role `{}`", r.id), &r.team);
        c.block_text(&format!("roles[{i}].remit"), &format!("the remit of role `{}`", r.id), &r.remit);
    }
    for (i, x) in raw.capabilities.iter().enumerate() {
        c.line_text(
            &format!("capabilities[{i}].name"),
            &format!("the name of capability `{}`", x.id),
            &x.name,
        );
        let what = format!("the description of capability `{}`", x.id);
        c.block_text(&format!("capabilities[{i}].description"), &what, &x.description);
    }
    for (i, r) in raw.sod_rules.iter().enumerate() {
        c.line_text(&format!("sod_rules[{i}].title"), &format!("the title of rule `{}`", r.id), &r.title);
        c.block_text(
            &format!("sod_rules[{i}].rationale"),
            &format!("the rationale of rule `{}`", r.id),
            &r.rationale,
        );
        if let RawSodConstraint::SeparateActors { first, second } = &r.constraint {
            let base = format!("sod_rules[{i}].constraint");
            c.line_text(&format!("{base}.first"), &format!("a duty of rule `{}`", r.id), first);
            c.line_text(&format!("{base}.second"), &format!("a duty of rule `{}`", r.id), second);
        }
    }
}

/// Loads a scenario and checks it against `model`.
pub fn load_scenario(src: &str, model: &ResponsibilityModel) -> ScenarioLoad {
    load_scenario_checked(src, model, Checks::Authoring)
}

/// Loads the scenario text stored with a drill: as [`load_scenario`], without the checks of input
/// hygiene that came after drills were first stored (control characters, list lengths). The stored log
/// is an API boundary: a drill stored by an older Muster still loads, replays and scores. Sizes, items
/// and variable fills stay bounded.
pub fn load_stored_scenario(src: &str, model: &ResponsibilityModel) -> ScenarioLoad {
    load_scenario_checked(src, model, Checks::Stored)
}

fn load_scenario_checked(src: &str, model: &ResponsibilityModel, checks: Checks) -> ScenarioLoad {
    let raw: RawScenario = match parse(src) {
        Ok(raw) => raw,
        Err(d) => return ScenarioLoad { scenario: None, header: None, counts: None, diagnostics: vec![d] },
    };
    let (header, counts) = header_and_counts(&raw);
    let mut c = Checker::new(src, checks);
    let scenario = ScenarioCheck::new(&mut c, &raw, model).run();
    let scenario = scenario.filter(|_| !c.has_errors());
    ScenarioLoad { scenario, header: Some(header), counts: Some(counts), diagnostics: c.sorted() }
}

/// Reads only what a scenario says about itself, without a model: for showing a file whose model is
/// broken. `None` when the text is not a readable scenario.
pub fn read_header(src: &str) -> Option<(Header, Counts)> {
    parse::<RawScenario>(src).ok().map(|raw| header_and_counts(&raw))
}

fn header_and_counts(raw: &RawScenario) -> (Header, Counts) {
    let header = Header { id: raw.id.clone(), title: raw.title.clone(), summary: raw.summary.clone() };
    let counts = Counts {
        injects: raw.injects.len(),
        conditional_injects: raw.injects.iter().filter(|x| !matches!(x.trigger, RawTrigger::At(_))).count(),
        expected_actions: raw.actions.len(),
        roles: raw.roles.len(),
        objectives: raw.objectives.len(),
    };
    (header, counts)
}

/// What a RON file holds, judged from its first identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A `ResponsibilityModel(...)`.
    Model,
    /// Anything else is treated as a scenario.
    Scenario,
}

/// Tells a model file from a scenario file by the first identifier after comments and attributes.
pub fn file_kind(src: &str) -> FileKind {
    let mut rest = src.strip_prefix(BOM).unwrap_or(src);
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("//") {
            rest = r.split_once('\n').map_or("", |(_, tail)| tail);
        } else if let Some(r) = rest.strip_prefix("/*") {
            rest = r.split_once("*/").map_or("", |(_, tail)| tail);
        } else if rest.starts_with("#!") {
            rest = rest.split_once(']').map_or("", |(_, tail)| tail);
        } else {
            break;
        }
    }
    if rest.starts_with("ResponsibilityModel") { FileKind::Model } else { FileKind::Scenario }
}

/// A diagnostic for a scenario whose model could not be loaded.
pub fn model_unavailable(model_path: &str) -> Diagnostic {
    Diagnostic::error(
        Code::ModelUnavailable,
        ByteSpan::new(0, 0),
        format!("cannot check roles and capabilities: the responsibility model `{model_path}` has errors"),
    )
    .with_hint("fix the model first; `muster validate` lists its problems")
}

/// The semantic checks of one scenario.
struct ScenarioCheck<'c, 'a> {
    c: &'c mut Checker<'a>,
    raw: &'a RawScenario,
    model: &'a ResponsibilityModel,
    in_play: BTreeSet<&'a str>,
    inject_ids: BTreeSet<&'a str>,
    action_ids: BTreeSet<&'a str>,
    /// The model's role and capability ids, for look-ups in logarithmic time.
    model_roles: BTreeSet<&'a str>,
    model_capabilities: BTreeSet<&'a str>,
    /// The declared variable names.
    variable_names: BTreeSet<&'a str>,
    /// Parsed scenario duration (None if unparsable).
    duration: Option<ScenarioMs>,
}

impl<'c, 'a> ScenarioCheck<'c, 'a> {
    fn new(c: &'c mut Checker<'a>, raw: &'a RawScenario, model: &'a ResponsibilityModel) -> Self {
        ScenarioCheck {
            c,
            raw,
            model,
            in_play: BTreeSet::new(),
            inject_ids: BTreeSet::new(),
            action_ids: BTreeSet::new(),
            model_roles: model.roles.iter().map(|r| r.id.as_str()).collect(),
            model_capabilities: model.capabilities.iter().map(|c| c.id.as_str()).collect(),
            variable_names: raw.variables.iter().map(|v| v.name.as_str()).collect(),
            duration: None,
        }
    }

    /// Checks counts and list lengths; returns whether all are within their limits.
    fn sizes(&mut self) -> bool {
        let raw = self.raw;
        let mut ok = true;
        for (field, n) in [
            ("injects", raw.injects.len()),
            ("actions", raw.actions.len()),
            ("roles", raw.roles.len()),
            ("objectives", raw.objectives.len()),
            ("variables", raw.variables.len()),
        ] {
            ok &= self.c.count_limit(field, n, field);
        }
        ok &= self.c.list_limit("tags", raw.tags.len());
        for (i, x) in raw.injects.iter().enumerate() {
            ok &= self.c.list_limit(&format!("injects[{i}].to"), x.to.len());
            ok &= self.c.list_limit(&format!("injects[{i}].actions"), x.actions.len());
            ok &= self.c.list_limit(&format!("injects[{i}].attachments"), x.attachments.len());
        }
        for (i, a) in raw.actions.iter().enumerate() {
            ok &= self.c.list_limit(&format!("actions[{i}].after"), a.after.len());
        }
        for (i, o) in raw.objectives.iter().enumerate() {
            ok &= self.c.list_limit(&format!("objectives[{i}].capabilities"), o.capabilities.len());
        }
        for (i, v) in raw.variables.iter().enumerate() {
            if let VariableValue::OneOf(options) = &v.value {
                ok &= self.c.list_limit(&format!("variables[{i}].value"), options.len());
            }
        }
        ok
    }

    /// Refuses control characters in the scenario's texts: none in one-line texts, none but line breaks
    /// and tabs in bodies and attachments.
    fn texts(&mut self) {
        let raw = self.raw;
        let c = &mut *self.c;
        c.line_text("title", "the scenario's title", &raw.title);
        c.block_text("summary", "the scenario's summary", &raw.summary);
        c.line_text("version", "the scenario's version", &raw.version);
        for (i, t) in raw.tags.iter().enumerate() {
            c.line_text(&format!("tags[{i}]"), "a tag", t);
        }
        for (i, o) in raw.objectives.iter().enumerate() {
            c.line_text(
                &format!("objectives[{i}].title"),
                &format!("the title of objective `{}`", o.id),
                &o.title,
            );
        }
        for (i, v) in raw.variables.iter().enumerate() {
            let what = format!("a value of variable `{}`", v.name);
            match &v.value {
                VariableValue::OneOf(options) => {
                    for (k, o) in options.iter().enumerate() {
                        c.block_text(&format!("variables[{i}].value.0[{k}]"), &what, o);
                    }
                }
                VariableValue::RandomId { prefix, .. } => {
                    c.line_text(&format!("variables[{i}].value.prefix"), &what, prefix);
                }
                VariableValue::Number { .. } => {}
            }
        }
        for (i, x) in raw.injects.iter().enumerate() {
            let base = format!("injects[{i}]");
            c.line_text(&format!("{base}.title"), &format!("the title of inject `{}`", x.id), &x.title);
            c.line_text(&format!("{base}.from"), &format!("the sender of inject `{}`", x.id), &x.from);
            c.block_text(&format!("{base}.body"), &format!("the body of inject `{}`", x.id), &x.body);
            for (k, a) in x.attachments.iter().enumerate() {
                let what = format!("an attachment of inject `{}`", x.id);
                c.line_text(&format!("{base}.attachments[{k}].name"), &what, &a.name);
                c.block_text(&format!("{base}.attachments[{k}].content"), &what, &a.content);
            }
        }
        for (i, a) in raw.actions.iter().enumerate() {
            c.line_text(&format!("actions[{i}].label"), &format!("the label of action `{}`", a.id), &a.label);
        }
    }

    /// Bounds what filling the variables can make: each text at most [`MAX_FILLED_TEXT_BYTES`], all of
    /// a drill's texts together at most [`MAX_FILLED_DRILL_BYTES`]. Each problem is reported at the
    /// variable that makes it, once.
    fn fill_limits(&mut self) {
        let raw = self.raw;
        if raw.variables.is_empty() {
            return;
        }
        let mut longest: BTreeMap<&str, u64> = BTreeMap::new();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, v) in raw.variables.iter().enumerate() {
            longest.entry(v.name.as_str()).or_insert_with(|| longest_value_bytes(&v.value));
            index.entry(v.name.as_str()).or_insert(i);
        }
        let mut total: u64 = 0;
        // What each variable adds to the drill's total, for blaming the largest.
        let mut added: BTreeMap<&str, u64> = BTreeMap::new();
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        for (path, what, text) in filled_texts(raw) {
            let (bytes, uses) = filled_bytes(text, &longest);
            total = total.saturating_add(bytes);
            for (&name, &n) in &uses {
                let grows = n.saturating_mul(longest.get(name).copied().unwrap_or(0));
                let entry = added.entry(name).or_default();
                *entry = entry.saturating_add(grows);
            }
            if bytes <= MAX_FILLED_TEXT_BYTES {
                continue;
            }
            let worst = uses
                .iter()
                .max_by_key(|&(name, n)| n.saturating_mul(longest.get(name).copied().unwrap_or(0)))
                .map(|(&name, &n)| (name, n));
            let Some((name, n)) = worst else { continue };
            if !reported.insert(name) {
                continue;
            }
            let var_path = format!("variables[{}].value", index.get(name).copied().unwrap_or(0));
            let span = self.c.at(&var_path);
            let text_span = self.c.at(&path);
            self.c.push(
                Diagnostic::error(
                    Code::OutOfRange,
                    span,
                    format!(
                        "`{{{{{name}}}}}` (values up to {} bytes, used {n} times there) makes {what} up to {bytes} \
                         bytes once filled, over the limit of {MAX_FILLED_TEXT_BYTES} bytes per text",
                        longest.get(name).copied().unwrap_or(0)
                    ),
                )
                .with_label(text_span, "this text")
                .with_hint("shorten the variable's values or use it fewer times"),
            );
        }
        if total > MAX_FILLED_DRILL_BYTES {
            let Some((&name, _)) = added.iter().max_by_key(|&(_, n)| *n) else { return };
            if reported.contains(name) {
                return;
            }
            let var_path = format!("variables[{}].value", index.get(name).copied().unwrap_or(0));
            self.c.error(
                Code::OutOfRange,
                &var_path,
                format!(
                    "once `{{{{{name}}}}}` and the other variables are filled, the drill's texts come to up to \
                     {total} bytes, over the limit of {MAX_FILLED_DRILL_BYTES} bytes per drill"
                ),
                "shorten the variable's values or use it fewer times",
            );
        }
    }

    fn run(mut self) -> Option<Scenario> {
        let raw = self.raw;
        if !self.sizes() {
            // Past a limit nothing else is checked: the work would grow with the excess.
            return None;
        }
        self.texts();
        self.fill_limits();
        if !is_valid_id(&raw.id) {
            self.c.error(
                Code::BadId,
                "id",
                format!("`{}` is not a valid scenario id", raw.id),
                "use kebab-case, e.g. \"leaked-secret\"",
            );
        }
        self.duration = self.duration_at("duration", &raw.duration);
        if self.duration == Some(ScenarioMs::ZERO) {
            self.c.error(
                Code::OutOfRange,
                "duration",
                "the nominal duration is zero",
                "e.g. duration: \"90m\"",
            );
        }
        self.roles_in_play();
        self.inject_ids = self.c.ids(
            "inject",
            raw.injects.iter().enumerate().map(|(i, x)| (format!("injects[{i}].id"), x.id.as_str())),
        );
        self.action_ids = self.c.ids(
            "action",
            raw.actions.iter().enumerate().map(|(i, x)| (format!("actions[{i}].id"), x.id.as_str())),
        );
        self.c.ids(
            "objective",
            raw.objectives.iter().enumerate().map(|(i, x)| (format!("objectives[{i}].id"), x.id.as_str())),
        );
        self.c.ids(
            "variable",
            raw.variables.iter().enumerate().map(|(i, x)| (format!("variables[{i}].name"), x.name.as_str())),
        );
        if raw.injects.is_empty() {
            self.c.error(
                Code::OutOfRange,
                "injects",
                "the scenario has no injects",
                "add at least one inject",
            );
        }

        let variables = self.variables();
        let actions = self.actions();
        let injects = self.injects();
        let objectives = self.objectives(&actions);
        self.timing(&injects, &actions);
        self.sod(&actions);
        self.usage(&injects, &actions);

        let duration = self.duration?;
        Some(Scenario {
            id: ScenarioId(raw.id.clone()),
            title: raw.title.clone(),
            summary: raw.summary.clone(),
            version: raw.version.clone(),
            duration,
            difficulty: raw.difficulty,
            tags: raw.tags.clone(),
            objectives,
            roles: raw.roles.iter().map(|r| RoleId(r.clone())).collect(),
            variables,
            injects: injects.into_iter().collect::<Option<Vec<_>>>()?,
            actions: actions.into_iter().collect::<Option<Vec<_>>>()?,
        })
    }

    fn duration_at(&mut self, path: &str, text: &str) -> Option<ScenarioMs> {
        match parse_duration(text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.c.error(
                    Code::BadDuration,
                    path,
                    format!("`{text}` is not a duration: {e}"),
                    "write hours, minutes and seconds like \"90s\", \"15m\" or \"1h30m\"",
                );
                None
            }
        }
    }

    fn roles_in_play(&mut self) {
        if self.raw.roles.is_empty() {
            self.c.error(Code::OutOfRange, "roles", "no roles in play", "list the role ids that take part");
        }
        for (i, role) in self.raw.roles.iter().enumerate() {
            let path = format!("roles[{i}]");
            if !self.model_roles.contains(role.as_str()) {
                let hint = self.c.suggest(role, self.model_roles.iter().copied(), "role");
                self.c.error(Code::UnknownRole, &path, format!("unknown role `{role}`"), hint);
            } else if !self.in_play.insert(role.as_str()) {
                self.c.warning(Code::Repeated, &path, format!("role `{role}` is listed twice"), "remove one");
            }
        }
    }

    /// Checks a role reference that must be in the model and in play.
    fn role_ref(&mut self, path: &str, role: &str) -> bool {
        if !self.model_roles.contains(role) {
            let hint = self.c.suggest(role, self.model_roles.iter().copied(), "role");
            self.c.error(Code::UnknownRole, path, format!("unknown role `{role}`"), hint);
            false
        } else if !self.in_play.contains(role) {
            let hint = if self.c.full() {
                format!("add \"{role}\" to `roles: [...]`")
            } else {
                format!("add \"{role}\" to `roles: [...]`, or pick one of: {}", join(&self.in_play))
            };
            self.c.error(
                Code::RoleNotInPlay,
                path,
                format!("role `{role}` is not in play in this scenario"),
                hint,
            );
            false
        } else {
            true
        }
    }

    fn action_ref(&mut self, path: &str, action: &str) -> bool {
        let ok = self.action_ids.contains(action);
        if !ok {
            let hint = self.c.suggest(action, self.action_ids.iter().copied(), "action");
            self.c.error(Code::UnknownAction, path, format!("unknown action `{action}`"), hint);
        }
        ok
    }

    fn capability_ref(&mut self, path: &str, cap: &str) -> bool {
        let ok = self.model_capabilities.contains(cap);
        if !ok {
            let hint = self.c.suggest(cap, self.model_capabilities.iter().copied(), "capability");
            self.c.error(Code::UnknownCapability, path, format!("unknown capability `{cap}`"), hint);
        }
        ok
    }

    fn variables(&mut self) -> Vec<Variable> {
        let mut out = Vec::new();
        for (i, var) in self.raw.variables.iter().enumerate() {
            let path = format!("variables[{i}].value");
            let value = match &var.value {
                VariableValue::OneOf(options) => {
                    if options.is_empty() {
                        self.c.error(
                            Code::OutOfRange,
                            &path,
                            "`OneOf` needs at least one value",
                            "list the values to pick from",
                        );
                    }
                    VariableValue::OneOf(options.clone())
                }
                VariableValue::RandomId { prefix, length, charset } => {
                    if !(1..=64).contains(length) {
                        self.c.error(
                            Code::OutOfRange,
                            &format!("{path}.length"),
                            format!("length {length} is outside 1..=64"),
                            "pick a length from 1 to 64",
                        );
                    }
                    VariableValue::RandomId { prefix: prefix.clone(), length: *length, charset: *charset }
                }
                VariableValue::Number { min, max } => {
                    if min > max {
                        self.c.error(
                            Code::OutOfRange,
                            &format!("{path}.max"),
                            format!("max {max} is below min {min}"),
                            "swap them",
                        );
                    }
                    VariableValue::Number { min: *min, max: *max }
                }
            };
            out.push(Variable { name: var.name.clone(), value });
        }
        out
    }

    fn actions(&mut self) -> Vec<Option<ExpectedAction>> {
        let raw = self.raw;
        raw.actions.iter().enumerate().map(|(i, a)| self.action(i, a)).collect()
    }

    fn action(&mut self, i: usize, a: &RawAction) -> Option<ExpectedAction> {
        let base = format!("actions[{i}]");
        let cap_ok = self.capability_ref(&format!("{base}.capability"), &a.capability);
        let owners: Vec<RoleId> = match &a.owner {
            Some(owner) => {
                if self.role_ref(&format!("{base}.owner"), owner) {
                    vec![RoleId(owner.clone())]
                } else {
                    Vec::new()
                }
            }
            None => match self.model.capability(&a.capability) {
                Some(cap) => {
                    let owners: Vec<RoleId> = cap
                        .responsible
                        .iter()
                        .filter(|r| self.in_play.contains(r.as_str()))
                        .cloned()
                        .collect();
                    if owners.is_empty() {
                        let responsible: Vec<&str> = cap.responsible.iter().map(RoleId::as_str).collect();
                        self.c.error(
                            Code::NoOwner,
                            &format!("{base}.capability"),
                            format!(
                                "no role in play is Responsible for `{}` (the model says {})",
                                cap.id,
                                responsible.join(", ")
                            ),
                            format!(
                                "add `owner: \"…\"` to this action, or put {} in play",
                                responsible.join(" or ")
                            ),
                        );
                    }
                    owners
                }
                None => Vec::new(),
            },
        };
        self.variable_refs(&format!("{base}.label"), &a.label);
        let deadline = a.deadline.as_ref().and_then(|d| self.duration_at(&format!("{base}.deadline"), d));
        let mut after = Vec::new();
        for (k, pre) in a.after.iter().enumerate() {
            let path = format!("{base}.after[{k}]");
            if pre == &a.id {
                self.c.error(
                    Code::PrerequisiteCycle,
                    &path,
                    format!("action `{pre}` waits for itself"),
                    "remove it from its own `after`",
                );
            } else if self.action_ref(&path, pre) {
                after.push(ActionId(pre.clone()));
            }
        }
        let weight = a.weight.unwrap_or(DEFAULT_WEIGHT);
        if !(1..=100).contains(&weight) {
            self.c.error(
                Code::OutOfRange,
                &format!("{base}.weight"),
                format!("weight {weight} is outside 1..=100"),
                format!("the default is {DEFAULT_WEIGHT}; use 1 for minor steps and up to 100 for the decisive one"),
            );
        }
        let sod = a.sod.as_ref().and_then(|part| {
            let path = format!("{base}.sod");
            let Some(rule) = self.model.sod_rule(&part.rule) else {
                let hint =
                    did_you_mean(&part.rule, self.model.sod_rules.iter().map(|r| r.id.as_str()), "rule");
                self.c.error(
                    Code::UnknownSodRule,
                    &format!("{path}.rule"),
                    format!("unknown rule `{}`", part.rule),
                    hint,
                );
                return None;
            };
            match &rule.constraint {
                SodConstraint::SeparateActors { first, second } => {
                    let side = if &part.side == first {
                        SodSide::First
                    } else if &part.side == second {
                        SodSide::Second
                    } else {
                        self.c.error(
                            Code::UnknownSodRule,
                            &format!("{path}.side"),
                            format!("rule `{}` has no duty `{}`", rule.id, part.side),
                            format!("its duties are \"{first}\" and \"{second}\""),
                        );
                        return None;
                    };
                    Some(SodPart { rule: rule.id.clone(), side })
                }
                SodConstraint::Oversight { .. } => {
                    self.c.error(
                        Code::UnknownSodRule,
                        &format!("{path}.rule"),
                        format!("rule `{}` is an oversight rule, which applies by capability", rule.id),
                        "only separation rules are named on actions; remove `sod` here",
                    );
                    None
                }
            }
        });
        (cap_ok && !owners.is_empty()).then(|| ExpectedAction {
            id: ActionId(a.id.clone()),
            label: a.label.clone(),
            capability: CapabilityId(a.capability.clone()),
            owners,
            owner_overridden: a.owner.is_some(),
            kind: a.kind.unwrap_or_default(),
            deadline,
            after,
            weight,
            counts_as: a.counts_as,
            sod,
        })
    }

    fn injects(&mut self) -> Vec<Option<Inject>> {
        let raw = self.raw;
        raw.injects.iter().enumerate().map(|(i, x)| self.inject(i, x)).collect()
    }

    fn inject(&mut self, i: usize, x: &RawInject) -> Option<Inject> {
        let base = format!("injects[{i}]");
        let mut ok = true;
        if x.to.is_empty() {
            self.c.error(
                Code::OutOfRange,
                &format!("{base}.to"),
                format!("inject `{}` goes to nobody", x.id),
                "list the roles that receive it",
            );
            ok = false;
        }
        let mut to = Vec::new();
        for (k, role) in x.to.iter().enumerate() {
            if self.role_ref(&format!("{base}.to[{k}]"), role) {
                to.push(RoleId(role.clone()));
            } else {
                ok = false;
            }
        }
        let tpath = format!("{base}.trigger");
        let trigger = match &x.trigger {
            RawTrigger::At(t) => self.duration_at(&format!("{tpath}.0"), t).map(Trigger::At),
            RawTrigger::AfterInject { inject, delay } => {
                let delay = self.delay(&format!("{tpath}.delay"), delay.as_deref());
                let known = self.inject_ids.contains(inject.as_str());
                if !known {
                    let hint = self.c.suggest(inject, self.inject_ids.iter().copied(), "inject");
                    self.c.error(
                        Code::UnknownInject,
                        &format!("{tpath}.inject"),
                        format!("unknown inject `{inject}`"),
                        hint,
                    );
                }
                delay
                    .filter(|_| known)
                    .map(|delay| Trigger::AfterInject { inject: InjectId(inject.clone()), delay })
            }
            RawTrigger::AfterAction { action, delay } => {
                let delay = self.delay(&format!("{tpath}.delay"), delay.as_deref());
                let known = self.action_ref(&format!("{tpath}.action"), action);
                delay
                    .filter(|_| known)
                    .map(|delay| Trigger::AfterAction { action: ActionId(action.clone()), delay })
            }
            RawTrigger::NotDoneBy { action, at } => {
                let at = self.duration_at(&format!("{tpath}.at"), at);
                let known = self.action_ref(&format!("{tpath}.action"), action);
                at.filter(|_| known).map(|at| Trigger::NotDoneBy { action: ActionId(action.clone()), at })
            }
            RawTrigger::Cue => Some(Trigger::Cue),
        };
        let mut actions = Vec::new();
        for (k, action) in x.actions.iter().enumerate() {
            let path = format!("{base}.actions[{k}]");
            if self.action_ref(&path, action) {
                if actions.iter().any(|a: &ActionId| a.0 == *action) {
                    self.c.warning(
                        Code::Repeated,
                        &path,
                        format!("action `{action}` is offered twice"),
                        "remove one",
                    );
                } else {
                    actions.push(ActionId(action.clone()));
                }
            }
        }
        self.variable_refs(&format!("{base}.title"), &x.title);
        self.variable_refs(&format!("{base}.from"), &x.from);
        self.variable_refs(&format!("{base}.body"), &x.body);
        for (k, att) in x.attachments.iter().enumerate() {
            self.variable_refs(&format!("{base}.attachments[{k}].name"), &att.name);
            self.variable_refs(&format!("{base}.attachments[{k}].content"), &att.content);
        }
        if let Some(notes) = &x.facilitator_notes {
            self.variable_refs(&format!("{base}.facilitator_notes"), notes);
        }
        self.facilitator_text(i, x);
        let trigger = trigger?;
        ok.then(|| Inject {
            id: InjectId(x.id.clone()),
            title: x.title.clone(),
            channel: x.channel,
            from: x.from.clone(),
            to,
            trigger,
            body: x.body.clone(),
            attachments: x
                .attachments
                .iter()
                .map(|a| Attachment { name: a.name.clone(), kind: a.kind, content: a.content.clone() })
                .collect(),
            actions,
            facilitator_notes: x.facilitator_notes.clone(),
        })
    }

    /// Warns when text that reaches participants speaks to the facilitator (once per field, at the
    /// first such aside): that belongs in `facilitator_notes`, which only the facilitator sees.
    fn facilitator_text(&mut self, i: usize, x: &RawInject) {
        let base = format!("injects[{i}]");
        let fields =
            [(format!("{base}.title"), "title", &x.title), (format!("{base}.body"), "body", &x.body)]
                .into_iter()
                .chain(
                    x.attachments
                        .iter()
                        .enumerate()
                        .map(|(k, a)| (format!("{base}.attachments[{k}].content"), "attachment", &a.content)),
                );
        for (path, what, text) in fields {
            let Some(found) = facilitator_aside(text) else { continue };
            let value_span = self.c.at(&path);
            let source = self.c.src.get(value_span.start..value_span.end).unwrap_or_default();
            let span = source
                .find(&text[found.clone()])
                .map(|off| ByteSpan::new(value_span.start + off, value_span.start + off + found.len()))
                .unwrap_or(value_span);
            self.c.push(
                Diagnostic::warning(
                    Code::FacilitatorText,
                    span,
                    format!(
                        "the {what} of inject `{}` speaks to the facilitator, but every recipient reads it",
                        x.id
                    ),
                )
                .with_hint(
                    "move it to `facilitator_notes: \"…\"` on this inject: the control room shows it to the \
                     facilitator only",
                ),
            );
        }
    }

    fn delay(&mut self, path: &str, delay: Option<&str>) -> Option<ScenarioMs> {
        match delay {
            None => Some(ScenarioMs::ZERO),
            Some(d) => self.duration_at(path, d),
        }
    }

    /// Reports `{{name}}` references to undeclared variables, pointing at the reference when it can.
    fn variable_refs(&mut self, path: &str, text: &str) {
        let value_span = self.c.at(path);
        // References come in text order, so each is searched for after the one before: one pass.
        let mut from = value_span.start;
        for name in variable_names(text) {
            if self.variable_names.contains(name) {
                continue;
            }
            if self.c.full() {
                self.c.unlisted.errors += 1;
                continue;
            }
            let needle = format!("{{{{{name}}}}}");
            let end = value_span.end.min(self.c.src.len());
            let found = self.c.src.get(from.min(end)..end).and_then(|s| s.find(&needle));
            let span = match found {
                Some(off) => {
                    let start = from + off;
                    from = start + needle.len();
                    ByteSpan::new(start, start + needle.len())
                }
                None => value_span,
            };
            let best = if self.c.full() { None } else { closest(name, self.variable_names.iter().copied()) };
            let hint = match best {
                Some(best) => format!("did you mean `{{{{{best}}}}}`?"),
                None => format!(
                    "declare it under `variables: [...]`, e.g. Variable(name: \"{name}\", value: OneOf([\"…\"]))"
                ),
            };
            self.c.push(
                Diagnostic::error(Code::UnknownVariable, span, format!("unknown variable `{name}`"))
                    .with_hint(hint),
            );
        }
    }

    fn objectives(&mut self, actions: &[Option<ExpectedAction>]) -> Vec<Objective> {
        let mut out = Vec::new();
        for (i, obj) in self.raw.objectives.iter().enumerate() {
            let base = format!("objectives[{i}]");
            let mut caps = Vec::new();
            for (k, cap) in obj.capabilities.iter().enumerate() {
                if self.capability_ref(&format!("{base}.capabilities[{k}]"), cap) {
                    caps.push(CapabilityId(cap.clone()));
                }
            }
            if obj.capabilities.is_empty() {
                self.c.error(
                    Code::ObjectiveWithoutAction,
                    &format!("{base}.capabilities"),
                    format!("objective `{}` names no capability", obj.id),
                    "list the capabilities whose actions rate it",
                );
            }
            let linked: Vec<ActionId> = self
                .raw
                .actions
                .iter()
                .filter(|a| obj.capabilities.contains(&a.capability))
                .map(|a| ActionId(a.id.clone()))
                .collect();
            if linked.is_empty() && !caps.is_empty() {
                self.c.error(
                    Code::ObjectiveWithoutAction,
                    &format!("{base}.id"),
                    format!("objective `{}` has no expected action, so it cannot be rated", obj.id),
                    format!(
                        "add an expected action with capability {}, or change the objective's capabilities",
                        obj.capabilities.join(" or ")
                    ),
                );
            }
            let _ = actions;
            out.push(Objective {
                id: ObjectiveId(obj.id.clone()),
                title: obj.title.clone(),
                capabilities: caps,
                actions: linked,
            });
        }
        out
    }

    /// Prerequisite cycles, dead triggers and deadlines, from the earliest time each inject can fire.
    fn timing(&mut self, injects: &[Option<Inject>], actions: &[Option<ExpectedAction>]) {
        self.prerequisite_cycles(actions);
        let Some(duration) = self.duration else { return };
        let inject_refs: Vec<&Inject> = injects.iter().flatten().collect();
        let known_actions: BTreeSet<&str> = actions.iter().flatten().map(|a| a.id.as_str()).collect();
        let earliest = earliest_times(&inject_refs, &known_actions);

        for (i, inject) in injects.iter().enumerate() {
            let Some(inject) = inject else { continue };
            let path = format!("injects[{i}].trigger");
            match earliest.injects.get(inject.id.as_str()) {
                None => {
                    let why = match &inject.trigger {
                        Trigger::AfterInject { inject: parent, .. } if parent == &inject.id => {
                            "it follows itself".to_owned()
                        }
                        Trigger::AfterInject { inject: parent, .. } => {
                            format!(
                                "it follows `{parent}`, which can never fire (a trigger cycle, or a dead trigger upstream)"
                            )
                        }
                        Trigger::AfterAction { action, .. } => {
                            format!("it follows action `{action}`, which no inject that can fire ever offers")
                        }
                        _ => "nothing leads to it".to_owned(),
                    };
                    self.c.error(
                        Code::DeadTrigger,
                        &path,
                        format!("inject `{}` can never fire: {why}", inject.id),
                        "trigger it at a time, after an inject that fires, or on the facilitator's cue",
                    );
                }
                Some(&t) if t > duration => {
                    self.c.error(
                        Code::DeadTrigger,
                        &path,
                        format!(
                            "inject `{}` can fire at {} at the earliest, after the drill's nominal end ({})",
                            inject.id,
                            t,
                            format_duration(duration)
                        ),
                        "move it earlier or lengthen `duration`",
                    );
                }
                Some(_) => {}
            }
        }

        let ready = earliest_ready(actions, &earliest.offers);
        for (i, action) in actions.iter().enumerate() {
            let Some(action) = action else { continue };
            let Some(deadline) = action.deadline else { continue };
            let path = format!("actions[{i}].deadline");
            if deadline > duration {
                self.c.error(
                    Code::DeadlinePastDuration,
                    &path,
                    format!(
                        "deadline {} of `{}` is after the drill's nominal end ({})",
                        format_duration(deadline),
                        action.id,
                        format_duration(duration)
                    ),
                    "deadlines are scenario times from T+0: pull it in or lengthen `duration`",
                );
            } else if let Some(&(offered, via)) = ready.get(action.id.as_str())
                && deadline < offered
            {
                let why = match via {
                    Some(pre) => format!("its prerequisite `{pre}` cannot be done before {offered}"),
                    None => format!("no inject can offer it before {offered}"),
                };
                self.c.error(
                    Code::DeadlineBeforeOffer,
                    &path,
                    format!("deadline {} of `{}` passes before it can be done: {why}", format_duration(deadline), action.id),
                    "deadlines are scenario times from T+0, not delays: make it later than the inject that offers it \
                     and the deadlines of its prerequisites",
                );
            }
        }
    }

    fn prerequisite_cycles(&mut self, actions: &[Option<ExpectedAction>]) {
        let edges: BTreeMap<&str, Vec<&str>> = actions
            .iter()
            .flatten()
            .map(|a| (a.id.as_str(), a.after.iter().map(ActionId::as_str).collect()))
            .collect();
        // Depth-first search with colours; each cycle is reported once, at its first action in file order.
        let mut state: BTreeMap<&str, u8> = BTreeMap::new();
        let mut reported: BTreeSet<Vec<&str>> = BTreeSet::new();
        for start in actions.iter().flatten().map(|a| a.id.as_str()) {
            let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
            let mut path: Vec<&str> = vec![start];
            if state.contains_key(start) {
                continue;
            }
            state.insert(start, 1);
            while let Some((node, next)) = stack.last().copied() {
                let children = edges.get(node).map(Vec::as_slice).unwrap_or_default();
                if let Some(&child) = children.get(next) {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match state.get(child) {
                        None => {
                            state.insert(child, 1);
                            stack.push((child, 0));
                            path.push(child);
                        }
                        Some(1) => {
                            let from = path.iter().position(|&n| n == child).unwrap_or(0);
                            let mut cycle: Vec<&str> = path[from..].to_vec();
                            let mut key = cycle.clone();
                            key.sort_unstable();
                            if reported.insert(key) {
                                cycle.push(child);
                                let first_idx = actions
                                    .iter()
                                    .position(|a| a.as_ref().is_some_and(|a| a.id.as_str() == child))
                                    .unwrap_or(0);
                                self.c.error(
                                    Code::PrerequisiteCycle,
                                    &format!("actions[{first_idx}].after"),
                                    format!("prerequisites go round in a circle: {}", cycle.join(" → ")),
                                    "remove one of these `after` entries so the chain has a start",
                                );
                            }
                        }
                        Some(_) => {}
                    }
                } else {
                    state.insert(node, 2);
                    stack.pop();
                    path.pop();
                }
            }
        }
    }

    fn sod(&mut self, actions: &[Option<ExpectedAction>]) {
        let raw_index = |id: &ActionId| self.raw.actions.iter().position(|a| a.id == id.0).unwrap_or(0);
        for rule in &self.model.sod_rules {
            match &rule.constraint {
                SodConstraint::SeparateActors { .. } => {
                    let side = |s: SodSide| -> Vec<&ExpectedAction> {
                        actions
                            .iter()
                            .flatten()
                            .filter(|a| a.sod.as_ref().is_some_and(|p| p.rule == rule.id && p.side == s))
                            .collect()
                    };
                    let (firsts, seconds) = (side(SodSide::First), side(SodSide::Second));
                    // Judged on the text, so an action that failed other checks still counts as a side.
                    let SodConstraint::SeparateActors { first, second } = &rule.constraint else { continue };
                    let written = |label: &str| {
                        self.raw.actions.iter().position(|a| {
                            a.sod.as_ref().is_some_and(|p| p.rule == rule.id.0 && p.side == label)
                        })
                    };
                    let (first_at, second_at) = (written(first), written(second));
                    if first_at.is_some() != second_at.is_some() {
                        let lone = first_at.or(second_at).unwrap_or(0);
                        self.c.warning(
                            Code::SodUnpaired,
                            &format!("actions[{lone}].sod"),
                            format!("only one duty of rule `{}` appears in this scenario", rule.id),
                            "name the other duty on the action it separates from, or drop `sod` here",
                        );
                    }
                    for a in &firsts {
                        for b in &seconds {
                            if let Some(shared) = a.owners.iter().find(|o| b.owners.contains(o)) {
                                let (culprit, other) =
                                    if b.owner_overridden || !a.owner_overridden { (b, a) } else { (a, b) };
                                let idx = raw_index(&culprit.id);
                                let path = if culprit.owner_overridden {
                                    format!("actions[{idx}].owner")
                                } else {
                                    format!("actions[{idx}].sod")
                                };
                                let other_span = self.c.at(&format!("actions[{}].id", raw_index(&other.id)));
                                let span = self.c.at(&path);
                                self.c.push(
                                    Diagnostic::error(
                                        Code::SodConflict,
                                        span,
                                        format!(
                                            "`{shared}` owns both `{}` and `{}`, which rule `{}` keeps apart",
                                            a.id, b.id, rule.id
                                        ),
                                    )
                                    .with_label(other_span, "the other duty")
                                    .with_hint(format!(
                                        "{}: give one of the two to another role",
                                        rule.title
                                    )),
                                );
                            }
                        }
                    }
                }
                SodConstraint::Oversight { overseer, capabilities } => {
                    for action in actions.iter().flatten() {
                        if action.owner_overridden
                            && capabilities.contains(&action.capability)
                            && action.owners.contains(overseer)
                        {
                            let idx = raw_index(&action.id);
                            self.c.error(
                                Code::SodConflict,
                                &format!("actions[{idx}].owner"),
                                format!(
                                    "`{overseer}` oversees `{}` and must not operate it, but owns `{}` here",
                                    action.capability, action.id
                                ),
                                format!("{}: give the action to the team that runs it", rule.title),
                            );
                        }
                    }
                }
            }
        }
    }

    /// Warnings for what is declared but never reaches a participant.
    fn usage(&mut self, injects: &[Option<Inject>], actions: &[Option<ExpectedAction>]) {
        let raw = self.raw;
        let offered: BTreeSet<&str> =
            raw.injects.iter().flat_map(|x| x.actions.iter().map(String::as_str)).collect();
        for (i, action) in raw.actions.iter().enumerate() {
            if !offered.contains(action.id.as_str()) {
                self.c.warning(
                    Code::UnusedAction,
                    &format!("actions[{i}].id"),
                    format!("no inject offers action `{}`, so no participant will see it", action.id),
                    "list it under `actions: [...]` of the inject after which it makes sense",
                );
            }
        }
        let used: BTreeSet<&str> = filled_texts(raw).flat_map(|(_, _, text)| variable_names(text)).collect();
        for (i, var) in raw.variables.iter().enumerate() {
            if !used.contains(var.name.as_str()) {
                self.c.warning(
                    Code::UnusedVariable,
                    &format!("variables[{i}].name"),
                    format!("variable `{}` is never used", var.name),
                    format!("use it as {{{{{}}}}} in an inject, or remove it", var.name),
                );
            }
        }
        let busy: BTreeSet<&str> = injects
            .iter()
            .flatten()
            .flat_map(|x| x.to.iter())
            .chain(actions.iter().flatten().flat_map(|a| a.owners.iter()))
            .map(RoleId::as_str)
            .collect();
        for (i, role) in raw.roles.iter().enumerate() {
            if !busy.contains(role.as_str()) && self.model_roles.contains(role.as_str()) {
                self.c.warning(
                    Code::IdleRole,
                    &format!("roles[{i}]"),
                    format!("role `{role}` receives no inject and owns no action"),
                    "give it something to do, or take it out of play",
                );
            }
        }
    }
}

/// Every text of a scenario that may hold `{{variables}}`: its path, how to name it, and the text.
fn filled_texts(raw: &RawScenario) -> impl Iterator<Item = (String, String, &str)> {
    let injects = raw.injects.iter().enumerate().flat_map(|(i, x)| {
        let base = format!("injects[{i}]");
        [
            (format!("{base}.title"), format!("the title of inject `{}`", x.id), x.title.as_str()),
            (format!("{base}.from"), format!("the sender of inject `{}`", x.id), x.from.as_str()),
            (format!("{base}.body"), format!("the body of inject `{}`", x.id), x.body.as_str()),
        ]
        .into_iter()
        .chain(x.attachments.iter().enumerate().flat_map(move |(k, a)| {
            let what = format!("attachment `{}` of inject `{}`", a.name, x.id);
            [
                (format!("injects[{i}].attachments[{k}].name"), what.clone(), a.name.as_str()),
                (format!("injects[{i}].attachments[{k}].content"), what, a.content.as_str()),
            ]
        }))
        .chain(x.facilitator_notes.as_deref().map(|notes| {
            (
                format!("{base}.facilitator_notes"),
                format!("the facilitator notes of inject `{}`", x.id),
                notes,
            )
        }))
    });
    let labels = raw.actions.iter().enumerate().map(|(i, a)| {
        (format!("actions[{i}].label"), format!("the label of action `{}`", a.id), a.label.as_str())
    });
    injects.chain(labels)
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

/// Where `text` speaks to the facilitator, if it does: the word "Facilitator" (any case) opening a line or
/// an aside (after `*`, `_`, `(`, `[`, `>` or spaces, e.g. `*(Facilitator: …)*`), followed by `:`, `'s cue`
/// or ` note`. Mentions in running prose ("ask the facilitator: …") do not count.
pub fn facilitator_aside(text: &str) -> Option<std::ops::Range<usize>> {
    const WORD: &str = "facilitator";
    const OPENERS: &[char] = &['*', '_', '(', '[', '>'];
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let mut from = 0;
        while let Some(pos) = find_ascii_ci(&line[from..], WORD) {
            let at = from + pos;
            from = at + WORD.len();
            let before = line[..at].trim_end_matches(|c: char| c.is_whitespace() || OPENERS.contains(&c));
            let opens_aside = before.is_empty() || line[before.len()..at].contains(['(', '[']);
            let after = &line[at + WORD.len()..];
            let rest = after.strip_prefix(['s', 'S']).unwrap_or(after).trim_start();
            let addressed = rest.starts_with(':')
                || starts_with_ci(after, "'s cue")
                || starts_with_ci(after, "\u{2019}s cue")
                || starts_with_ci(after, " note");
            if opens_aside && addressed {
                return Some(line_start + at..line_start + at + WORD.len());
            }
        }
        line_start += line.len();
    }
    None
}

/// The byte offset of the first ASCII-case-insensitive occurrence of `needle` (ASCII) in `haystack`.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack.char_indices().map(|(i, _)| i).find(|&i| {
        haystack
            .as_bytes()
            .get(i..i + needle.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(needle.as_bytes()))
    })
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|t| t.to_lowercase() == prefix.to_lowercase())
}

/// The `{{name}}` references in a text: a name is letters, digits and `_`, with no spaces, so other
/// brace syntax such as GitHub Actions' `${{ secrets.TOKEN }}` stays plain text.
pub fn variable_names(text: &str) -> impl Iterator<Item = &str> {
    text.split("{{").skip(1).filter_map(|part| {
        let (name, _) = part.split_once("}}")?;
        let mut chars = name.chars();
        let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
        ok.then_some(name)
    })
}

/// The earliest time each action can be done: when it is first offered, or when its latest prerequisite
/// can be done if that is later (then naming that prerequisite). One pass in prerequisite order (Kahn's
/// algorithm), so a long chain costs no more than its edges; an action in or after a prerequisite cycle
/// (reported elsewhere) keeps its offer time.
fn earliest_ready<'s>(
    actions: &'s [Option<ExpectedAction>],
    offers: &BTreeMap<&'s str, ScenarioMs>,
) -> BTreeMap<&'s str, (ScenarioMs, Option<&'s str>)> {
    let mut ready: BTreeMap<&str, (ScenarioMs, Option<&str>)> =
        offers.iter().map(|(&id, &t)| (id, (t, None))).collect();
    let all: Vec<&ExpectedAction> = actions.iter().flatten().collect();
    // Edges prerequisite → action, and how many prerequisites each action still waits for.
    let mut waiting: Vec<usize> = all.iter().map(|a| a.after.len()).collect();
    let mut dependents: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (k, a) in all.iter().enumerate() {
        for pre in &a.after {
            dependents.entry(pre.as_str()).or_default().push(k);
        }
    }
    // Prerequisites that are not actions of this scenario were reported as unknown; they hold nothing up.
    let ids: BTreeSet<&str> = all.iter().map(|a| a.id.as_str()).collect();
    for (k, a) in all.iter().enumerate() {
        waiting[k] -= a.after.iter().filter(|p| !ids.contains(p.as_str())).count();
    }
    let mut queue: std::collections::VecDeque<usize> = (0..all.len()).filter(|&k| waiting[k] == 0).collect();
    while let Some(k) = queue.pop_front() {
        let a = all[k];
        if let Some(&(mut t, mut via)) = ready.get(a.id.as_str()) {
            for pre in &a.after {
                if let Some(&(pt, _)) = ready.get(pre.as_str())
                    && pt > t
                {
                    (t, via) = (pt, Some(pre.as_str()));
                }
            }
            ready.insert(a.id.as_str(), (t, via));
        }
        for &d in dependents.get(a.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
            waiting[d] -= 1;
            if waiting[d] == 0 {
                queue.push_back(d);
            }
        }
    }
    ready
}

/// The earliest scenario time at which each inject of a valid scenario can fire, in inject order.
///
/// A cued inject counts from T+0; conditional injects count from the earliest their condition can hold.
pub fn earliest_fire_times(scenario: &Scenario) -> Vec<ScenarioMs> {
    let injects: Vec<&Inject> = scenario.injects.iter().collect();
    let known: BTreeSet<&str> = scenario.actions.iter().map(|a| a.id.as_str()).collect();
    let e = earliest_times(&injects, &known);
    scenario
        .injects
        .iter()
        .map(|i| e.injects.get(i.id.as_str()).copied().unwrap_or(scenario.duration))
        .collect()
}

/// Earliest scenario times: when each inject can first fire, when each action can first be offered.
struct Earliest<'s> {
    injects: BTreeMap<&'s str, ScenarioMs>,
    offers: BTreeMap<&'s str, ScenarioMs>,
}

/// Shortest paths over the triggers (Dijkstra: delays are never negative), so a long chain in any file
/// order costs near-linear time. A cued inject may fire at T+0 at the earliest; an inject missing from
/// the result can never fire.
fn earliest_times<'s>(injects: &[&'s Inject], known_actions: &BTreeSet<&str>) -> Earliest<'s> {
    use std::cmp::Reverse;
    let mut e = Earliest { injects: BTreeMap::new(), offers: BTreeMap::new() };
    // Who waits on which inject or action, and the candidates to settle, earliest first.
    let mut after_inject: BTreeMap<&str, Vec<(usize, ScenarioMs)>> = BTreeMap::new();
    let mut after_action: BTreeMap<&str, Vec<(usize, ScenarioMs)>> = BTreeMap::new();
    let mut heap: std::collections::BinaryHeap<Reverse<(ScenarioMs, usize)>> =
        std::collections::BinaryHeap::new();
    for (k, inject) in injects.iter().enumerate() {
        match &inject.trigger {
            Trigger::At(t) => heap.push(Reverse((*t, k))),
            Trigger::Cue => heap.push(Reverse((ScenarioMs::ZERO, k))),
            Trigger::NotDoneBy { at, .. } => heap.push(Reverse((*at, k))),
            Trigger::AfterInject { inject: parent, delay } => {
                after_inject.entry(parent.as_str()).or_default().push((k, *delay));
            }
            Trigger::AfterAction { action, delay } => {
                after_action.entry(action.as_str()).or_default().push((k, *delay));
            }
        }
    }
    let mut settled = vec![false; injects.len()];
    while let Some(Reverse((t, k))) = heap.pop() {
        if std::mem::replace(&mut settled[k], true) {
            continue;
        }
        let inject = injects[k];
        // Popped in time order: the first time an id or an action is reached is its earliest.
        if !e.injects.contains_key(inject.id.as_str()) {
            e.injects.insert(inject.id.as_str(), t);
            for &(child, delay) in after_inject.get(inject.id.as_str()).map(Vec::as_slice).unwrap_or_default()
            {
                heap.push(Reverse((t.saturating_add(delay), child)));
            }
        }
        for action in &inject.actions {
            if !known_actions.contains(action.as_str()) || e.offers.contains_key(action.as_str()) {
                continue;
            }
            e.offers.insert(action.as_str(), t);
            for &(child, delay) in after_action.get(action.as_str()).map(Vec::as_slice).unwrap_or_default() {
                heap.push(Reverse((t.saturating_add(delay), child)));
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    const MODEL: &str = include_str!("../../../scenarios/model.ron");
    const MINIMAL: &str = include_str!("../../../tests/data/validate/ok/minimal.ron");
    const SHIPPED: [&str; 4] = [
        include_str!("../../../scenarios/leaked-secret.ron"),
        include_str!("../../../scenarios/compromised-ci-token.ron"),
        include_str!("../../../scenarios/dependency-compromise.ron"),
        include_str!("../../../scenarios/cloud-account-abuse.ron"),
    ];

    fn model() -> ResponsibilityModel {
        load_model(MODEL).value.expect("the shipped model is valid")
    }

    /// Loads the minimal example with `edit` applied (`(old, new)` text replacements) and renders its
    /// diagnostics one per line: severity, code, line:column, the text spanned, message, hint.
    fn check(edits: &[(&str, &str)], expect: Expect) {
        let mut src = MINIMAL.to_owned();
        for (old, new) in edits {
            assert!(src.contains(old), "the minimal example has no `{old}`");
            src = src.replacen(old, new, 1);
        }
        let load = load_scenario(&src, &model());
        let lines: Vec<String> = load
            .diagnostics
            .iter()
            .map(|d| {
                let (line, col) = d.line_col(&src);
                let hint = d.hint.as_deref().unwrap_or("");
                let spanned = &src[d.span.start..d.span.end];
                format!("{:?} {} {line}:{col} `{spanned}` {} | {hint}", d.severity, d.code, d.message)
            })
            .collect();
        expect.assert_eq(&lines.join("\n"));
    }

    #[test]
    fn facilitator_asides_are_recognised_where_they_address_the_facilitator() {
        // Goal: the patterns authors used in the shipped drills count, prose about the facilitator does not.
        let addressed = [
            "*Facilitator: fire this once the team has discussed the signing key.*",
            "*(Facilitator: fire when the team starts talking about costs.)*",
            "Facilitator's cue: fire it late in the drill.",
            "FACILITATOR\u{2019}s cue — jump three weeks ahead",
            "Body text.\n\n(facilitator note) listen for the word rollback",
            "Finance is asking. [Facilitator: expected answer is no]",
            "> facilitators: wait for the risk owner",
        ];
        for text in addressed {
            let found = facilitator_aside(text).unwrap_or_else(|| panic!("not recognised: {text:?}"));
            assert!(text[found].eq_ignore_ascii_case("facilitator"), "{text:?}");
        }
        let prose = [
            "Ask the facilitator: they know the answer.",
            "The facilitator's laptop is on the projector.",
            "Facilitation notes are kept elsewhere.",
            "Our CI facilitator: Jenkins.",
            "",
        ];
        for text in prose {
            assert_eq!(facilitator_aside(text), None, "{text:?}");
        }
    }

    #[test]
    fn facilitator_text_in_what_participants_read_is_a_warning() {
        check(
            &[
                (
                    "body: \"API calls",
                    "body: \"*(Facilitator: fire only if the team is slow.)*\\n\\nAPI calls",
                ),
                ("content: \"12:00:01", "content: \"Facilitator's cue: point at this line\\n12:00:01"),
            ],
            expect![[r#"
                Warning facilitator-text 28:67 `Facilitator` the attachment of inject `report` speaks to the facilitator, but every recipient reads it | move it to `facilitator_notes: "…"` on this inject: the control room shows it to the facilitator only
                Warning facilitator-text 38:22 `Facilitator` the body of inject `still_live` speaks to the facilitator, but every recipient reads it | move it to `facilitator_notes: "…"` on this inject: the control room shows it to the facilitator only"#]],
        );
    }

    #[test]
    fn facilitator_notes_load_and_are_checked_for_variables() {
        let notes = "facilitator_notes: \"Fire if {{repo}} comes up; listen for {{tokn}}.\",\n            body: \"API calls";
        check(
            &[("body: \"API calls", notes)],
            expect![
                "Error unknown-variable 38:71 `{{tokn}}` unknown variable `tokn` | did you mean `{{token}}`?"
            ],
        );
        let src = MINIMAL.replacen(
            "body: \"API calls",
            "facilitator_notes: \"Fire if slow.\",\n body: \"API calls",
            1,
        );
        let scenario = load_scenario(&src, &model()).scenario.expect("loads");
        let notes: Vec<Option<&str>> =
            scenario.injects.iter().map(|i| i.facilitator_notes.as_deref()).collect();
        assert_eq!(notes, [None, Some("Fire if slow."), None]);
    }

    #[test]
    fn shipped_drills_validate_without_any_diagnostic() {
        // The CLI test says the same through the binary; this one keeps the core honest on its own.
        let model = model();
        for src in SHIPPED {
            let load = load_scenario(src, &model);
            assert_eq!(load.diagnostics, [], "{:?}", load.header.map(|h| h.id));
            let scenario = load.scenario.expect("loads");
            assert!(
                scenario.injects.iter().any(|i| i.facilitator_notes.is_some()),
                "{}: its facilitator's instructions live in `facilitator_notes`",
                scenario.id
            );
        }
    }
}
