//! Rule selectors: a code (`PF301`), a code prefix (`PF3`, `PF30`), a name
//! (`mutable-default-arg`) or `ALL`.

use crate::registry;
use crate::rule::RuleMeta;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// No `select` given: every rule that is on by default.
    Default,
    All,
    Prefix(String),
    Name(&'static str),
}

/// Rules that exist but are off unless selected by code, prefix or name.
const OFF_BY_DEFAULT: &[&str] = &["PF900"];

impl Selector {
    /// Whether a `select`/`extend-select` entry turns `rule` on.
    pub fn matches(&self, rule: &RuleMeta) -> bool {
        match self {
            Selector::Default => !OFF_BY_DEFAULT.contains(&rule.code),
            _ => self.matches_explicitly(rule),
        }
    }

    /// Whether the selector names `rule` (for `ignore` and per-file ignores, where the
    /// default set means nothing).
    pub fn matches_explicitly(&self, rule: &RuleMeta) -> bool {
        match self {
            Selector::Default => false,
            Selector::All => true,
            Selector::Prefix(prefix) => rule.code.starts_with(prefix.as_str()),
            Selector::Name(name) => rule.name == *name,
        }
    }
}

/// Parses selectors; an unknown one is an error with the nearest valid spelling.
pub fn parse_selectors(values: &[String]) -> Result<Vec<Selector>, (String, Option<String>)> {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|value| !value.is_empty())
        .map(|value| {
            parse_one(value).ok_or_else(|| {
                (
                    value.to_owned(),
                    registry::suggest(value).map(|s| format!("did you mean `{s}`?")),
                )
            })
        })
        .collect()
}

fn parse_one(value: &str) -> Option<Selector> {
    if value.eq_ignore_ascii_case("ALL") {
        return Some(Selector::All);
    }
    let upper = value.to_ascii_uppercase();
    if upper.starts_with("PF") && upper[2..].bytes().all(|b| b.is_ascii_digit()) {
        return registry::all_meta()
            .any(|m| m.code.starts_with(&upper))
            .then_some(Selector::Prefix(upper));
    }
    registry::all_meta()
        .find(|m| m.name.eq_ignore_ascii_case(value))
        .map(|m| Selector::Name(m.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(values: &[&str]) -> Result<Vec<Selector>, (String, Option<String>)> {
        parse_selectors(&values.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn codes_prefixes_names_and_all() {
        assert_eq!(sel(&["PF301"]).unwrap(), [Selector::Prefix("PF301".into())]);
        assert_eq!(
            sel(&["pf3, PF30"]).unwrap(),
            [
                Selector::Prefix("PF3".into()),
                Selector::Prefix("PF30".into())
            ]
        );
        assert_eq!(
            sel(&["Mutable-Default-Arg"]).unwrap(),
            [Selector::Name("mutable-default-arg")]
        );
        assert_eq!(sel(&["ALL"]).unwrap(), [Selector::All]);
    }

    #[test]
    fn unknown_selectors_suggest_the_nearest() {
        let (bad, help) = sel(&["mutable-defualt-arg"]).unwrap_err();
        assert_eq!(bad, "mutable-defualt-arg");
        assert_eq!(help.as_deref(), Some("did you mean `mutable-default-arg`?"));
        assert!(sel(&["PF999"]).is_err());
        assert!(sel(&["E711"]).is_err());
    }
}
