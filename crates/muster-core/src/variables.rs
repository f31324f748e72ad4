//! Seeded variables: draws each scenario variable's value from a drill's seed, and fills `{{name}}` in text.
//!
//! Deterministic across platforms and releases: ChaCha8 (a named algorithm, unlike `StdRng`), seeded from
//! the drill's `u64` seed, variables drawn in file order. The drill engine resolves them once and logs the
//! values, so a replay never samples again. Never uses OS randomness.

use std::collections::BTreeMap;

use chacha20::ChaCha8Rng;
use rand::{RngExt, SeedableRng};

use crate::scenario::{Variable, VariableValue};
use crate::validate::variable_names;

/// Variable values by name.
pub type Values = BTreeMap<String, String>;

/// Draws every variable's value from `seed`.
pub fn resolve(variables: &[Variable], seed: u64) -> Values {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    variables
        .iter()
        .map(|v| {
            let value = match &v.value {
                VariableValue::OneOf(options) => match options.len() {
                    0 => String::new(),
                    n => options[rng.random_range(0..n)].clone(),
                },
                VariableValue::RandomId { prefix, length, charset } => {
                    let chars: Vec<char> = charset.chars().chars().collect();
                    let mut out = prefix.clone();
                    for _ in 0..*length {
                        out.push(chars[rng.random_range(0..chars.len())]);
                    }
                    out
                }
                VariableValue::Number { min, max } => rng.random_range(*min..=*max.max(min)).to_string(),
            };
            (v.name.clone(), value)
        })
        .collect()
}

/// Replaces each `{{name}}` whose name has a value; anything else between braces stays as written.
pub fn fill(text: &str, values: &Values) -> String {
    if variable_names(text).next().is_none() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    walk(text, |name| values.get(name)).for_each(|piece| out.push_str(piece));
    out
}

/// The longest value a variable can take, in bytes.
pub fn longest_value_bytes(value: &VariableValue) -> u64 {
    let n = match value {
        VariableValue::OneOf(options) => options.iter().map(String::len).max().unwrap_or(0),
        // The charsets are ASCII: one byte a character.
        VariableValue::RandomId { prefix, length, .. } => prefix.len().saturating_add(*length as usize),
        // A number's text is longest at one end of its range.
        VariableValue::Number { min, max } => min.to_string().len().max(max.to_string().len()),
    };
    n as u64
}

/// How long `text` can be once filled, when each variable's value is at most `longest[name]` bytes, and
/// how many times each variable is used in it. Counts exactly the references [`fill`] replaces.
pub fn filled_bytes<'t>(text: &'t str, longest: &BTreeMap<&str, u64>) -> (u64, BTreeMap<&'t str, u64>) {
    let mut uses: BTreeMap<&str, u64> = BTreeMap::new();
    let mut bytes = text.len() as u64;
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        match after.split_once("}}").and_then(|(name, tail)| longest.get(name).map(|n| (name, n, tail))) {
            Some((name, n, tail)) => {
                bytes = bytes.saturating_sub(name.len() as u64 + 4).saturating_add(*n);
                *uses.entry(name).or_default() += 1;
                rest = tail;
            }
            None => rest = after,
        }
    }
    (bytes, uses)
}

/// The pieces [`fill`] writes: text kept as written, and the value of each known `{{name}}`.
fn walk<'t, F>(text: &'t str, value: F) -> impl Iterator<Item = &'t str>
where
    F: Fn(&str) -> Option<&'t String>,
{
    let mut rest = Some(text);
    let mut pending: Option<&'t str> = None;
    std::iter::from_fn(move || {
        if let Some(p) = pending.take() {
            return Some(p);
        }
        let r = rest?;
        let Some(open) = r.find("{{") else {
            rest = None;
            return Some(r);
        };
        let after = &r[open + 2..];
        match after.split_once("}}").and_then(|(name, tail)| value(name).map(|v| (v, tail))) {
            Some((v, tail)) => {
                rest = Some(tail);
                pending = Some(v.as_str());
                Some(&r[..open])
            }
            None => {
                rest = Some(after);
                Some(&r[..open + 2])
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Charset;

    fn vars() -> Vec<Variable> {
        vec![
            Variable {
                name: "repo".into(),
                value: VariableValue::OneOf(vec!["a".into(), "b".into(), "c".into()]),
            },
            Variable {
                name: "key".into(),
                value: VariableValue::RandomId {
                    prefix: "AKIA".into(),
                    length: 16,
                    charset: Charset::UpperAlnum,
                },
            },
            Variable { name: "n".into(), value: VariableValue::Number { min: 2, max: 9 } },
        ]
    }

    #[test]
    fn same_seed_same_values_other_seed_other_values() {
        let a = resolve(&vars(), 42);
        assert_eq!(a, resolve(&vars(), 42));
        assert_ne!(a, resolve(&vars(), 43));
        let key = &a["key"];
        assert!(key.starts_with("AKIA") && key.len() == 20);
        assert!(key[4..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
        let n: i64 = a["n"].parse().expect("number");
        assert!((2..=9).contains(&n));
        assert!(["a", "b", "c"].contains(&a["repo"].as_str()));
    }

    #[test]
    fn values_are_stable_across_releases() {
        // ChaCha8 from seed 7: if this changes, old drills would replay with other values.
        expect_test::expect![[r#"{"key": "AKIAFGGJZB0CV3MICJ4M", "n": "5", "repo": "a"}"#]]
            .assert_eq(&format!("{:?}", resolve(&vars(), 7)));
    }

    #[test]
    fn filled_bytes_is_the_length_of_the_longest_fill() {
        // Every value at its longest: the bound is exact, and counts what `fill` replaces.
        let values: Values =
            [("a", "xxxxx"), ("b", "")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let longest: BTreeMap<&str, u64> = [("a", 5), ("b", 0)].into_iter().collect();
        for text in ["{{a}}{{a}} {{b}}", "{{{{a}}}} {{c}} {{a", "no refs", "{{a}}}}{{", "é{{a}}é"] {
            let (bytes, _) = filled_bytes(text, &longest);
            assert_eq!(bytes, fill(text, &values).len() as u64, "{text}");
        }
        let (_, uses) = filled_bytes("{{a}} {{a}} {{b}}", &longest);
        assert_eq!(uses.get("a"), Some(&2));
    }

    #[test]
    fn fill_replaces_known_names_only() {
        let values = resolve(&vars(), 1);
        let text = "key {{key}} in {{repo}}; ${{ secrets.TOKEN }} and {{unknown}} stay; {{ unclosed";
        let out = fill(text, &values);
        assert!(out.contains(&values["key"]) && out.contains(&format!("in {};", values["repo"])));
        assert!(
            out.contains("${{ secrets.TOKEN }}")
                && out.contains("{{unknown}}")
                && out.ends_with("{{ unclosed")
        );
    }
}
