//! Rule docs cannot rot: each has the standard sections, its Example raises the rule
//! and its "Use instead" code does not, and its closing "Try it" snippet raises the rule.
//!
//! Every doc (new rules too) must end with a `## Try it` section after `## References`:
//! a sentence, then one ```python block that a reader can paste into a file; checking
//! that block alone (with only the rule and syntax-error enabled) must report the rule.
//! A project-wide rule's snippet is a small tree: `# file: PATH` starts each file.

mod common;

use std::path::Path;
use std::sync::Arc;

use pitfall::checker::check_source;
use pitfall::config::Settings;
use pitfall::finding::Finding;
use pitfall::project::check_files;
use pitfall::registry;
use pitfall::rule::{RuleMeta, Topic};

const SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## Equivalents",
    "## References",
    "## Try it",
];

/// The first ```python block after `heading`.
fn code_after<'d>(doc: &'d str, heading: &str) -> Option<&'d str> {
    let section = &doc[doc.find(heading)? + heading.len()..];
    let start = section.find("```python\n")? + "```python\n".len();
    let end = section[start..].find("```")?;
    Some(&section[start..start + end])
}

/// The rule alone (with syntax-error), or every rule for unused-noqa, which needs the
/// others to know what a `# noqa` silences.
fn settings_for(rule: &'static dyn pitfall::rule::Rule) -> Settings {
    let mut settings = if rule.meta().name == "unused-noqa" {
        Settings::for_rules(registry::RULES)
    } else {
        Settings::for_rules(&[rule, registry::find("syntax-error").unwrap()])
    };
    // The examples show the pitfall, whatever severity the evidence in them earns.
    settings.min_severity = pitfall::rule::Severity::Info;
    settings
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
    for rule in registry::RULES.iter().copied() {
        let meta = rule.meta();
        let settings = Arc::new(settings_for(rule));
        let bad = code_after(meta.doc, "## Example")
            .unwrap_or_else(|| panic!("{}: no Example code", meta.name));
        let good = code_after(meta.doc, "## Use instead")
            .unwrap_or_else(|| panic!("{}: no Use instead code", meta.name));
        let found = findings_of(meta, "example.py", bad, &settings);
        assert!(
            found.iter().any(|f| f.rule.code == meta.code),
            "{}: the Example does not raise the rule",
            meta.name
        );
        let found = findings_of(meta, "example.py", good, &settings);
        assert!(
            found.is_empty(),
            "{}: the Use instead code raises {:?}",
            meta.name,
            found.iter().map(|f| &f.message).collect::<Vec<_>>()
        );
    }
}

/// What pitfall finds in a doc's code block. A project-wide rule's blocks are small trees
/// (`# file: PATH` starts each file): written to a temporary directory and checked as a
/// project; any other block is one file named `file_name`.
fn findings_of(
    meta: &RuleMeta,
    file_name: &str,
    code: &str,
    settings: &Arc<Settings>,
) -> Vec<Finding> {
    if meta.topic != Topic::ProjectWide {
        return check_source(Path::new(file_name), code.to_owned(), settings, false).findings;
    }
    let dir = tempfile::tempdir().unwrap();
    let paths = common::materialise(dir.path(), code);
    check_files(&paths, settings.clone(), &[dir.path().to_owned()])
}

#[test]
fn try_it_snippets_raise_the_rule() {
    for rule in registry::RULES.iter().copied() {
        let meta = rule.meta();
        let settings = settings_for(rule);
        let section = pitfall::explain::section(meta.doc, "Try it")
            .unwrap_or_else(|| panic!("rules/{}.md lacks `## Try it`", meta.name));
        let snippet = code_after(section, "")
            .unwrap_or_else(|| panic!("rules/{}.md: `## Try it` has no python block", meta.name));
        assert!(
            meta.doc.trim_end().ends_with("```"),
            "rules/{}.md must end with its Try it snippet",
            meta.name
        );
        let found = findings_of(meta, "try_it.py", snippet, &Arc::new(settings));
        assert!(
            found.iter().any(|f| f.rule.code == meta.code),
            "rules/{}.md: the Try it snippet does not raise the rule; it found {:?}",
            meta.name,
            found.iter().map(|f| f.rule.name).collect::<Vec<_>>()
        );
    }
}

#[test]
fn readme_lists_every_rule() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    for meta in registry::all_meta() {
        // The row states the rule's default severity, which must match the code.
        let row = format!(
            "| {} | `{}` | {} |",
            meta.code,
            meta.name,
            meta.severity.as_str()
        );
        assert!(
            readme.contains(&row),
            "README.md lacks a table row `{row}` for {} {} (a missing row or a stale severity)",
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
