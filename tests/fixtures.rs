//! Every rule's fixtures check themselves: each `# error: NAME` line must be flagged
//! by NAME, and no other line may be.

mod common;

use std::sync::Arc;

use pitfall::checker::check_source;
use pitfall::config::Settings;
use pitfall::project::check_files;
use pitfall::registry;
use pitfall::rule::{Severity, Topic};

#[test]
fn every_rule_has_fixtures_and_every_fixture_dir_a_rule() {
    let dirs = common::fixture_dirs();
    for meta in registry::all_meta() {
        let Some(dir) = dirs.get(meta.name) else {
            panic!(
                "rule {} has no fixtures/{}/ directory",
                meta.code, meta.name
            );
        };
        // Project-wide rules have trees of modules, one per case, in subdirectories.
        let files = if meta.topic == Topic::ProjectWide {
            common::python_files_recursive(dir)
        } else {
            common::python_files(dir)
        };
        assert!(!files.is_empty(), "fixtures/{} is empty", meta.name);
    }
    for name in dirs.keys() {
        assert!(
            registry::find(name).is_some(),
            "fixtures/{name}/ names no rule"
        );
    }
}

#[test]
fn fixtures_flag_exactly_the_marked_lines() {
    let mut failures = Vec::new();
    for (name, dir) in common::fixture_dirs() {
        let Some(rule) = registry::find(&name) else {
            continue;
        };
        if rule.meta().topic == Topic::ProjectWide {
            continue; // see project_fixture_trees_flag_exactly_the_marked_lines
        }
        // syntax-error rides along so a fixture that does not parse fails loudly.
        let syntax = registry::find("syntax-error").unwrap();
        // unused-noqa judges the other rules' suppressions, so it needs them all on.
        let mut settings = if name == "unused-noqa" {
            Settings::for_rules(registry::RULES)
        } else {
            Settings::for_rules(&[rule, syntax])
        };
        // Every finding, those an intent comment or weak evidence lowered to `info` too:
        // the markers say which severity each must have.
        settings.min_severity = Severity::Info;
        let mut positives = 0;
        for file in common::python_files(&dir) {
            let text = std::fs::read_to_string(&file).unwrap();
            // Markers for other rules (a fixture line may rightly trip two rules) are
            // checked by the binary test, which runs every rule.
            let expected: Vec<(usize, String)> = common::expected_markers(&text)
                .into_iter()
                .filter(|(_, marked)| marked == &name || marked == "syntax-error")
                .collect();
            positives += expected.len();
            let severities = common::expected_severities(&text);
            let result = check_source(&file, text, &settings, false);
            for finding in result.findings.iter().filter(|f| f.rule.name == name) {
                let line = finding.start.line;
                let wanted = severities
                    .iter()
                    .find(|(l, n, _)| *l == line && *n == name)
                    .and_then(|(_, _, severity)| severity.as_deref());
                if let Some(wanted) = wanted
                    && wanted != finding.severity.as_str()
                {
                    failures.push(format!(
                        "{}:{line}: {name} is reported as {}, the marker says {wanted}",
                        file.display(),
                        finding.severity.as_str()
                    ));
                }
            }
            let mut actual: Vec<(usize, String)> = result
                .findings
                .iter()
                .filter(|f| f.rule.name == name || f.rule.name == "syntax-error")
                .map(|f| (f.start.line, f.rule.name.to_owned()))
                .collect();
            actual.sort();
            if actual != expected {
                let missing: Vec<_> = expected.iter().filter(|e| !actual.contains(e)).collect();
                let unexpected: Vec<_> = result
                    .findings
                    .iter()
                    .filter(|f| f.rule.name == name || f.rule.name == "syntax-error")
                    .filter(|f| !expected.contains(&(f.start.line, f.rule.name.to_owned())))
                    .map(|f| format!("{}:{} {}", f.start.line, f.start.column, f.message))
                    .collect();
                failures.push(format!(
                    "{}:\n  missing: {missing:?}\n  unexpected: {unexpected:#?}",
                    file.display()
                ));
            }
        }
        if name != "syntax-error" {
            assert!(
                positives >= 5,
                "fixtures/{name} has only {positives} true positives"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}

/// A project-wide rule's fixtures are trees, one per subdirectory of `fixtures/NAME/`,
/// each checked as a project of its own (with the directory and its `src/` as source
/// roots); `# error: NAME` markers work as in the other fixtures.
#[test]
fn project_fixture_trees_flag_exactly_the_marked_lines() {
    let syntax = registry::find("syntax-error").unwrap();
    let mut failures = Vec::new();
    for (name, dir) in common::fixture_dirs() {
        let Some(rule) = registry::find(&name) else {
            continue;
        };
        if rule.meta().topic != Topic::ProjectWide {
            continue;
        }
        let settings = Arc::new(Settings::for_rules(&[rule, syntax]));
        let mut positives = 0;
        for case in std::fs::read_dir(&dir).unwrap() {
            let case = case.unwrap().path();
            let files = common::python_files_recursive(&case);
            let mut expected = Vec::new();
            for file in &files {
                let text = std::fs::read_to_string(file).unwrap();
                for (line, marked) in common::expected_markers(&text) {
                    expected.push((file.clone(), line, marked));
                }
            }
            expected.sort();
            positives += expected.len();
            let roots = [case.clone(), case.join("src")];
            let found = check_files(&files, settings.clone(), &roots);
            let actual: Vec<_> = found
                .iter()
                .map(|f| (f.path.clone(), f.start.line, f.rule.name.to_owned()))
                .collect();
            if actual != expected {
                failures.push(format!(
                    "{}:\n  expected: {expected:#?}\n  found: {:#?}",
                    case.display(),
                    found
                        .iter()
                        .map(|f| format!("{}:{} {}", f.path.display(), f.start.line, f.message))
                        .collect::<Vec<_>>()
                ));
            }
        }
        assert!(
            positives >= 5,
            "fixtures/{name} has only {positives} true positives"
        );
    }
    assert!(
        failures.is_empty(),
        "fixture mismatches:\n{}",
        failures.join("\n")
    );
}
