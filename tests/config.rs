//! Configuration through the real binary: discovery of config files, selection,
//! per-file ignores, excludes, command-line overrides and bad configs.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

fn pitfall(args: &[&str], dir: &Path) -> Output {
    // These tests are about configuration, not severity: every finding is shown.
    let mut args = args.to_vec();
    if args.first() == Some(&"check") {
        args.splice(1..1, ["--min-severity", "info"]);
    }
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(&args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn write(dir: &Path, name: &str, contents: &str) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// `path:line CODE` for every finding, in output order.
fn found(output: &Output) -> Vec<String> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| {
            let mut parts = line.split(':');
            let path = parts.next().unwrap_or_default();
            let row = parts.next().unwrap_or_default();
            let code = line.split(' ').nth(1).unwrap_or_default();
            format!("{path}:{row} {code}")
        })
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// One PF101 (line 1) and one PF301 (line 2) finding.
const TWO: &str = "x = y == None\ndef f(a=[]):\n    return a\n";

#[test]
fn pyproject_select_and_nearest_config_wins() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.pitfall]\nselect = [\"PF3\"]\n",
    );
    write(root, "app.py", TWO);
    write(
        root,
        "sub/pitfall.toml",
        "ignore = [\"mutable-default-arg\"]\n",
    );
    write(root, "sub/mod.py", TWO);
    // A pyproject.toml without [tool.pitfall] is not a pitfall config: keep looking up.
    write(
        root,
        "other/pyproject.toml",
        "[project]\nname = \"other\"\n",
    );
    write(root, "other/mod.py", TWO);
    let out = pitfall(&["check", "--output-format", "concise", "."], root);
    assert_eq!(
        found(&out),
        [
            "./app.py:2 PF301",
            "./other/mod.py:2 PF301",
            "./sub/mod.py:1 PF101"
        ],
        "{}",
        stderr(&out)
    );
}

#[test]
fn per_file_ignores_by_path_and_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pitfall.toml",
        "[per-file-ignores]\n\"tests/*\" = [\"PF301\"]\n\"legacy_*.py\" = [\"PF1\", \"PF3\"]\n",
    );
    write(root, "tests/t.py", TWO);
    write(root, "pkg/legacy_io.py", TWO);
    write(root, "pkg/new.py", TWO);
    let out = pitfall(&["check", "--output-format", "concise", "."], root);
    assert_eq!(
        found(&out),
        [
            "./pkg/new.py:1 PF101",
            "./pkg/new.py:2 PF301",
            "./tests/t.py:1 PF101"
        ]
    );
}

#[test]
fn exclude_replaces_the_defaults_and_extend_exclude_adds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "a/pitfall.toml",
        "extend-exclude = [\"generated\", \"gen/skip_*.py\"]\n",
    );
    write(root, "a/generated/x.py", TWO);
    write(root, "a/gen/skip_me.py", TWO);
    write(root, "a/gen/keep.py", TWO);
    write(root, "a/venv/x.py", TWO);
    write(root, "b/pitfall.toml", "exclude = [\"vendored\"]\n");
    write(root, "b/vendored/x.py", TWO);
    write(root, "b/venv/x.py", TWO);
    let out = pitfall(
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "PF101",
            ".",
        ],
        root,
    );
    assert_eq!(
        found(&out),
        ["./a/gen/keep.py:1 PF101", "./b/venv/x.py:1 PF101"]
    );
    // A file named on the command line is checked even when excluded.
    let out = pitfall(
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "PF101",
            "a/generated/x.py",
        ],
        root,
    );
    assert_eq!(found(&out), ["a/generated/x.py:1 PF101"]);
    // Unless --force-exclude says otherwise, as pre-commit's hook does.
    let out = pitfall(
        &[
            "check",
            "--output-format",
            "concise",
            "--select",
            "PF101",
            "--force-exclude",
            "a/generated/x.py",
            "a/gen/keep.py",
        ],
        root,
    );
    assert_eq!(found(&out), ["a/gen/keep.py:1 PF101"]);
}

#[test]
fn command_line_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "pitfall.toml", "select = [\"PF301\"]\n");
    write(root, "m.py", TWO);
    let run = |args: &[&str]| {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        all.push("m.py");
        found(&pitfall(&all, root))
    };
    assert_eq!(run(&[]), ["m.py:2 PF301"]);
    assert_eq!(run(&["--select", "none-comparison"]), ["m.py:1 PF101"]);
    assert_eq!(
        run(&["--extend-select", "PF1"]),
        ["m.py:1 PF101", "m.py:2 PF301"]
    );
    assert_eq!(
        run(&["--select", "ALL", "--ignore", "PF3"]),
        ["m.py:1 PF101"]
    );
    assert_eq!(run(&["--isolated"]), ["m.py:1 PF101", "m.py:2 PF301"]);
    write(root, "elsewhere/strict.toml", "select = [\"PF101\"]\n");
    assert_eq!(
        run(&["--config", "elsewhere/strict.toml"]),
        ["m.py:1 PF101"]
    );
}

#[test]
fn bad_configs_name_the_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "m.py", TWO);

    write(
        root,
        "pitfall.toml",
        "select = [\"PF3\"]\nignroe = [\"PF101\"]\n",
    );
    let out = pitfall(&["check", "m.py"], root);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("invalid configuration in") && err.contains("pitfall.toml"),
        "{err}"
    );
    assert!(err.contains("unknown field `ignroe`"), "{err}");
    assert!(err.contains("pitfall.toml:2:1"), "{err}");

    write(
        root,
        "pitfall.toml",
        "select = [\"PF3\"]\nignore = [\"mutable-defualt-arg\"]\n",
    );
    let err = stderr(&pitfall(&["check", "m.py"], root));
    assert!(
        err.contains("`ignore` names no rule: `mutable-defualt-arg`"),
        "{err}"
    );
    assert!(err.contains("did you mean `mutable-default-arg`?"), "{err}");
    assert!(err.contains("pitfall.toml:2:1"), "{err}");

    write(root, "pitfall.toml", "target-version = \"py27\"\n");
    let err = stderr(&pitfall(&["check", "m.py"], root));
    assert!(err.contains("unknown `target-version` `py27`"), "{err}");

    write(root, "pitfall.toml", "select = \"PF3\"\n");
    let out = pitfall(&["check", "m.py"], root);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("invalid type"), "{}", stderr(&out));

    let out = pitfall(&["check", "--isolated", "--select", "PF3O1", "m.py"], root);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `PF301`?"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn target_version_reports_syntax_too_new_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "m.py",
        "match command:\n    case 'go':\n        pass\n",
    );
    assert_eq!(
        found(&pitfall(&["check", "--isolated", "m.py"], root)),
        Vec::<String>::new()
    );
    let out = pitfall(
        &[
            "check",
            "--isolated",
            "--target-version",
            "py39",
            "--output-format",
            "concise",
            "m.py",
        ],
        root,
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        text.starts_with("m.py:1:1: PF000") && text.contains("match"),
        "{text}"
    );
}

#[test]
fn docs_url_sets_the_links() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "pitfall.toml",
        "docs-url = \"https://docs.example.org/pitfall/\"\n",
    );
    write(root, "m.py", TWO);
    let out = pitfall(&["check", "--output-format", "json", "m.py"], root);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        json[0]["url"],
        "https://docs.example.org/pitfall/none-comparison.html"
    );
}

#[test]
fn assert_for_validation_extra_test_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let source = "def withdraw(amount):\n    assert amount > 0\n    return amount\n";
    write(root, "checks/money_spec.py", source);
    write(root, "app/money.py", source);
    let run = || {
        found(&pitfall(
            &[
                "check",
                "--output-format",
                "concise",
                "--select",
                "PF703",
                ".",
            ],
            root,
        ))
    };
    assert_eq!(
        run(),
        ["./app/money.py:2 PF703", "./checks/money_spec.py:2 PF703"]
    );
    write(
        root,
        "pitfall.toml",
        "[assert-for-validation]\nextra-test-files = [\"checks/*_spec.py\"]\n",
    );
    assert_eq!(run(), ["./app/money.py:2 PF703"]);
}
