//! Rule docs cannot rot: each has the standard sections, its Example raises the rule
//! and its "Use instead" code does not.

mod common;

use std::path::Path;

use pitfall::checker::check_source;
use pitfall::config::Settings;
use pitfall::registry;

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Equivalents",
    "## References",
];

/// The first ```python block after `heading`.
fn code_after<'d>(doc: &'d str, heading: &str) -> Option<&'d str> {
    let section = &doc[doc.find(heading)? + heading.len()..];
    let start = section.find("```python\n")? + "```python\n".len();
    let end = section[start..].find("```")?;
    Some(&section[start..start + end])
}

#[test]
fn every_rule_doc_has_the_standard_sections() {
    for meta in registry::all_meta() {
        let title = format!("# {} ({})", meta.name, meta.code);
        assert!(
            meta.doc.starts_with(&title),
            "rules/{}.md must start with `{title}`",
            meta.name
        );
        let mut last = 0;
        for section in SECTIONS {
            let at = meta
                .doc
                .find(section)
                .unwrap_or_else(|| panic!("rules/{}.md lacks `{section}`", meta.name));
            assert!(
                at > last,
                "rules/{}.md: `{section}` is out of order",
                meta.name
            );
            last = at;
        }
    }
}

#[test]
fn every_doc_file_belongs_to_a_rule() {
    for entry in std::fs::read_dir(common::root().join("rules")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(path.extension().unwrap(), "md", "{}", path.display());
        assert!(
            registry::find(&name).is_some(),
            "rules/{name}.md documents no rule"
        );
    }
}

#[test]
fn examples_raise_the_rule_and_fixes_do_not() {
    let syntax = registry::find("syntax-error").unwrap();
    for rule in registry::RULES.iter().copied() {
        let meta = rule.meta();
        let mut settings = if meta.name == "unused-noqa" {
            Settings::for_rules(registry::RULES)
        } else {
            Settings::for_rules(&[rule, syntax])
        };
        // The examples show the pitfall, whatever severity the evidence in them earns.
        settings.min_severity = pitfall::rule::Severity::Info;
        let path = Path::new("example.py");
        let bad = code_after(meta.doc, "## Example")
            .unwrap_or_else(|| panic!("{}: no Example code", meta.name));
        let found = check_source(path, bad.to_owned(), &settings, false).findings;
        assert!(
            found.iter().any(|f| f.rule.code == meta.code),
            "{}: the Example does not raise the rule",
            meta.name
        );
        let good = code_after(meta.doc, "## Use instead")
            .unwrap_or_else(|| panic!("{}: no Use instead code", meta.name));
        let found = check_source(path, good.to_owned(), &settings, false).findings;
        assert!(
            found.is_empty(),
            "{}: the Use instead code raises {:?}",
            meta.name,
            found.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for meta in registry::all_meta() {
        let row = format!("| {} | `{}` |", meta.code, meta.name);
        assert!(
            readme.contains(&row),
            "README.md lacks a table row for {} {}",
            meta.code,
            meta.name
        );
    }
}

#[test]
fn fixing_rules_document_their_fix_safety() {
    for meta in registry::all_meta() {
        let fixes = meta.fix != pitfall::rule::FixAvailability::None;
        assert_eq!(
            meta.doc.contains("## Fix safety"),
            fixes,
            "rules/{}.md: a `## Fix safety` section exactly when the rule fixes",
            meta.name
        );
    }
}
