//! Learning mode through the real binary: `pitfall explain` for terminals and pipes,
//! teach mode (`check --explain`), and the `pitfall docs` site on disk (the browser
//! checks of the site are in `tests/site/`, run by `.ci/site-test.sh`).

mod common;

use std::path::Path;
use std::process::{Command, Output};

use pitfall::registry;

fn pitfall(args: &[&str], dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pitfall"));
    command.args(args).current_dir(dir).env_remove("NO_COLOR");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn explain_prints_plain_wrapped_text_when_piped() {
    let out = pitfall(
        &["explain", "late-binding-closure"],
        &common::root(),
        &[("COLUMNS", "60")],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(!text.contains('\x1b'), "{text}");
    assert!(
        text.starts_with("late-binding-closure (PF302)\n====="),
        "{text}"
    );
    assert!(
        text.contains("\nWhy is this bad?\n----------------\n"),
        "{text}"
    );
    assert!(!text.contains("```") && !text.contains("## "), "{text}");
    // Prose wraps at the width; code keeps its lines, indented.
    for line in text.lines().filter(|l| !l.starts_with("    ")) {
        assert!(line.chars().count() <= 60, "too wide: {line:?}");
    }
    assert!(
        text.contains("\n    fns = [lambda: i for i in range(3)]\n"),
        "{text}"
    );
    assert!(
        text.contains("  • it is the element of a comprehension"),
        "{text}"
    );
}

#[test]
fn explain_highlights_python_in_colour() {
    let root = common::root();
    let out = pitfall(&["explain", "PF301", "--color", "always"], &root, &[]);
    let text = stdout(&out);
    assert!(text.contains("\x1b[1;34mdef"), "{text}");
    assert!(text.contains("\x1b[1;36mWhy is this bad?\x1b[0m"), "{text}");
    for args in [
        &["explain", "PF301", "--color", "always", "--no-color"][..],
        &["explain", "PF301", "--color", "never"][..],
    ] {
        assert!(!stdout(&pitfall(args, &root, &[])).contains('\x1b'));
    }
}

#[test]
fn explain_markdown_prints_the_source() {
    for meta in registry::all_meta() {
        let out = pitfall(
            &["explain", meta.code, "--format", "markdown"],
            &common::root(),
            &[],
        );
        assert_eq!(stdout(&out), meta.doc);
    }
}

fn teach(source: &str, extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), source).unwrap();
    let mut args = vec!["check", "--explain", "--no-color", "app.py"];
    args.extend_from_slice(extra);
    let out = pitfall(&args, dir.path(), &[("COLUMNS", "100")]);
    let after = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(after, source, "teach mode must not touch the file");
    (stdout(&out), after)
}

#[test]
fn teach_mode_rewrites_the_users_own_signature() {
    let (text, _) = teach(
        "def collect(item, bucket={}):\n    bucket[item] = True\n    return bucket\n",
        &[],
    );
    assert!(text.contains("Why this bites:"), "{text}");
    assert!(text.contains("Python evaluates a default value"), "{text}");
    assert!(text.contains("1 │ def collect(item, bucket={}):"), "{text}");
    assert!(
        text.contains("1 │ def collect(item, bucket=None):"),
        "{text}"
    );
    assert!(text.contains("2 │     if bucket is None:"), "{text}");
    assert!(text.contains("3 │         bucket = {}"), "{text}");
    assert!(text.contains("4 │     bucket[item] = True"), "{text}");
    assert!(
        text.contains("pitfall explain mutable-default-arg"),
        "{text}"
    );
}

#[test]
fn teach_mode_binds_the_loop_variable_in_the_users_lambda() {
    let source = "buttons = []\nfor label in ['a', 'b']:\n    buttons.append(lambda event: print(label, event))\n";
    for format in ["concise", "full"] {
        let (text, _) = teach(source, &["--output-format", format]);
        assert!(text.contains("capture the variable (a cell)"), "{text}");
        assert!(
            text.contains("3 │     buttons.append(lambda event, label=label: print(label, event))"),
            "{text}"
        );
        assert!(text.contains("--fix --unsafe-fixes"), "{text}");
    }
}

#[test]
fn teach_mode_without_a_fix_shows_the_help_once() {
    let source = "def f(x):\n    assert x > 0, 'positive'\n    return x\n";
    let (concise, _) = teach(source, &["--output-format", "concise"]);
    assert!(concise.contains("How to fix it:"), "{concise}");
    let (full, _) = teach(source, &["--output-format", "full"]);
    assert!(!full.contains("How to fix it:"), "{full}");
    assert!(full.contains("Why this bites:"), "{full}");
}

#[test]
fn teach_mode_needs_a_human_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), "x = 1\n").unwrap();
    let out = pitfall(
        &["check", "--explain", "--output-format", "json", "app.py"],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn every_rule_teaches_from_its_own_doc() {
    for meta in registry::all_meta() {
        let why = pitfall::explain::teach::why_it_bites(meta);
        let section = pitfall::explain::section(meta.doc, "Why is this bad?").unwrap();
        assert!(
            why.len() > 80
                && section
                    .trim_start()
                    .starts_with(why.lines().next().unwrap()),
            "{}: {why:?}",
            meta.name
        );
    }
}

#[test]
fn docs_writes_a_page_for_every_finding_url() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = pitfall(
        &["docs", "--out", site.to_str().unwrap()],
        &common::root(),
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let index = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(site.join("assets/search.js").is_file() && site.join("assets/style.css").is_file());
    assert!(
        !index.contains("http://") && !index.contains("https://"),
        "the index loads nothing remote"
    );
    for meta in registry::all_meta() {
        // A finding's default url ends in the page the site has for its rule.
        let url = pitfall::config::Settings::for_rules(registry::RULES).url(meta);
        let page = url
            .strip_prefix(pitfall::finding::DOCS_URL)
            .unwrap_or_else(|| panic!("{url} is not under the default docs-url"));
        assert_eq!(page, format!("{}.html", meta.name));
        let html = std::fs::read_to_string(site.join("rules").join(page)).unwrap();
        assert!(index.contains(&format!(r#"href="rules/{page}""#)), "{page}");
        assert!(html.contains(r#"id="why-is-this-bad""#), "{page}");
        assert!(html.contains(r#"id="try-it""#), "{page}");
        assert!(
            html.contains(
                r#"<pre class="code"><code class="language-python"><span class="source python">"#
            ),
            "{page}"
        );
    }
}

/// The rules whose Try it snippet gets a concrete before/after change in teach mode (a
/// fix or a display-only suggestion); the others show their help text.
const CONCRETE: &[&str] = &[
    "none-comparison",
    "bool-comparison",
    "is-literal",
    "type-comparison",
    "list-comprehension-in-reducer",
    "mutable-default-arg",
    "late-binding-closure",
    "call-in-default-arg",
    "lambda-assignment",
    "exception-inherits-baseexception",
    "bare-except",
    "raise-without-from",
    "unawaited-coroutine",
    "class-attr-from-method",
    "shallow-copy-grid",
    "super-init-not-called",
    "wrong-first-arg",
    "unhashable-literal-key",
    "missing-functools-wraps",
];

/// `source` with the edits of `fix` applied.
fn apply(source: &str, fix: &pitfall::finding::FindingFix) -> String {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.start_offset, e.end_offset));
    let mut out = String::new();
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.start_offset]);
        out.push_str(&edit.content);
        at = edit.end_offset;
    }
    out.push_str(&source[at..]);
    out
}

#[test]
fn fixes_and_suggestions_on_the_docs_snippets_are_valid_python() {
    let syntax_only = pitfall::config::Settings::for_rules(&[registry::find("PF000").unwrap()]);
    let mut concrete = Vec::new();
    for rule in registry::RULES {
        let meta = rule.meta();
        if meta.name == "syntax-error" {
            continue;
        }
        let settings = pitfall::config::Settings::for_rules(registry::RULES);
        let try_it = pitfall::explain::section(meta.doc, "Try it").unwrap();
        let start = try_it.find("```python\n").unwrap() + "```python\n".len();
        let snippet = &try_it[start..start + try_it[start..].find("```").unwrap()];
        let findings =
            pitfall::checker::check_source(Path::new("t.py"), snippet.into(), &settings, false)
                .findings;
        for finding in &findings {
            let Some(fix) = &finding.fix else { continue };
            if finding.rule.code == meta.code {
                concrete.push(meta.name);
            }
            let fixed = apply(snippet, fix);
            let errors = pitfall::checker::check_source(
                Path::new("t.py"),
                fixed.clone(),
                &syntax_only,
                false,
            )
            .findings;
            assert!(
                errors.is_empty(),
                "{}: the {} of {} gives invalid Python:\n{fixed}",
                meta.name,
                fix.applicability.as_str(),
                finding.rule.name
            );
        }
    }
    concrete.sort_unstable();
    concrete.dedup();
    let mut expected = CONCRETE.to_vec();
    expected.sort_unstable();
    assert_eq!(concrete, expected);
}

#[test]
fn suggestions_are_shown_but_never_applied() {
    let source = "async def save(x):\n    return x\n\n\nasync def main():\n    save(1)\n";
    let (text, _) = teach(source, &["--output-format", "concise"]);
    assert!(
        text.contains("A suggested change: await the coroutine"),
        "{text}"
    );
    assert!(text.contains("6 │     await save(1)"), "{text}");
    // `--fix --unsafe-fixes` leaves a display-only suggestion alone.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("app.py"), source).unwrap();
    let out = pitfall(
        &["check", "--fix", "--unsafe-fixes", "app.py"],
        dir.path(),
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    let after = std::fs::read_to_string(dir.path().join("app.py")).unwrap();
    assert_eq!(after, source);
}

#[test]
fn rules_lists_fixability_and_other_linters_codes() {
    let text = stdout(&pitfall(&["rules"], &common::root(), &[]));
    let line = |code: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(code))
            .unwrap_or_else(|| panic!("{code} missing:\n{text}"))
            .to_owned()
    };
    let fixable = line("PF301");
    assert!(fixable.contains(" warning  fix  "), "{fixable}");
    assert!(
        fixable.contains("(also: ruff B006, flake8-bugbear B006, pylint W0102)"),
        "{fixable}"
    );
    let unfixable = line("PF103");
    assert!(unfixable.contains(" error         "), "{unfixable}");
    assert!(
        !line("PF203").contains("(also:"),
        "PF203 has no equivalents"
    );
}

#[test]
fn docs_reports_an_unwritable_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("taken");
    std::fs::write(&file, "not a directory").unwrap();
    let out = pitfall(&["docs", "--out", file.to_str().unwrap()], dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot write the site"));
}
