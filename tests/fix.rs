//! `--fix`, `--unsafe-fixes` and `--diff`, through the real binary, on copies of the
//! fixtures of every rule that fixes.

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The rules with fixes; each one's fixtures are fixed in a temp dir.
const FIXING_RULES: &[&str] = &[
    "none-comparison",
    "list-comprehension-in-reducer",
    "bare-except",
    "bool-comparison",
    "type-comparison",
    "lambda-assignment",
    "mutable-default-arg",
];

fn pitfall(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .arg("check")
        .arg("--isolated")
        // Fixes for every finding, `info` ones included (hidden findings are not fixed).
        .args(["--min-severity", "info"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn pitfall_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .arg("check")
        .arg("--isolated")
        // Fixes for every finding, `info` ones included (hidden findings are not fixed).
        .args(["--min-severity", "info"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    common::python_files(dir)
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn copy_fixtures(rule: &str) -> tempfile::TempDir {
    let temp = tempfile::tempdir().unwrap();
    let source = common::root().join("fixtures").join(rule);
    for file in common::python_files(&source) {
        std::fs::copy(&file, temp.path().join(file.file_name().unwrap())).unwrap();
    }
    temp
}

fn json_findings(dir: &Path, select: &str) -> Vec<serde_json::Value> {
    let out = pitfall(&["--select", select, "--output-format", "json", "."], dir);
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn every_fixing_rule_declares_it() {
    for rule in FIXING_RULES {
        let out = Command::new(env!("CARGO_BIN_EXE_pitfall"))
            .args(["rules", "--output-format", "json"])
            .output()
            .unwrap();
        let rules: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let meta = rules.iter().find(|r| r["name"] == *rule).unwrap();
        assert_eq!(meta["fixable"], true, "{rule}");
    }
}

#[test]
fn fixtures_are_fixed_to_a_fixed_point() {
    for rule in FIXING_RULES {
        let temp = copy_fixtures(rule);
        let dir = temp.path();
        let before = snapshot(dir);
        let fixable_before = json_findings(dir, rule)
            .iter()
            .filter(|f| !f["fix"].is_null())
            .count();
        assert!(
            fixable_before > 0,
            "{rule}: no fixable findings in the fixtures"
        );

        // --diff: a diff, exit 1, nothing written.
        let diff = pitfall(&["--select", "ALL", "--diff", "--unsafe-fixes", "."], dir);
        assert_eq!(diff.status.code(), Some(1), "{rule}");
        let text = String::from_utf8_lossy(&diff.stdout);
        assert!(
            text.contains("\n+++ ") || text.starts_with("--- "),
            "{rule}"
        );
        assert!(text.contains("\n-") && text.contains("\n+"), "{rule}");
        assert_eq!(snapshot(dir), before, "{rule}: --diff wrote files");

        // --fix --unsafe-fixes: written, still parses, nothing fixable is left.
        let fix = pitfall(&["--select", "ALL", "--fix", "--unsafe-fixes", "."], dir);
        let stderr = String::from_utf8_lossy(&fix.stderr);
        assert!(stderr.contains("Fixed "), "{rule}: {stderr}");
        assert_ne!(snapshot(dir), before, "{rule}: nothing was written");
        let syntax = pitfall(&["--select", "syntax-error", "."], dir);
        assert_eq!(
            syntax.status.code(),
            Some(0),
            "{rule}: {}",
            String::from_utf8_lossy(&syntax.stdout)
        );
        let left: Vec<_> = json_findings(dir, rule)
            .into_iter()
            .filter(|f| !f["fix"].is_null())
            .collect();
        assert!(left.is_empty(), "{rule}: still fixable: {left:?}");

        // A second --fix changes nothing.
        let after = snapshot(dir);
        pitfall(&["--select", "ALL", "--fix", "--unsafe-fixes", "."], dir);
        assert_eq!(
            snapshot(dir),
            after,
            "{rule}: the second --fix changed files"
        );
        let diff = pitfall(&["--select", "ALL", "--diff", "--unsafe-fixes", "."], dir);
        assert_eq!(diff.status.code(), Some(0), "{rule}");
        assert!(diff.stdout.is_empty(), "{rule}");
    }
}

#[test]
fn safe_fixes_only_without_the_flag() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("a.py");
    let source = "try:\n    x = y == None\nexcept:\n    pass\n";
    std::fs::write(&file, source).unwrap();
    let select = ["--select", "none-comparison,bare-except"];
    let out = pitfall(&[&select[..], &["--fix", "a.py"]].concat(), temp.path());
    assert_eq!(out.status.code(), Some(1), "the bare except remains");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "try:\n    x = y is None\nexcept:\n    pass\n"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fixed 1 pitfall."));
    let out = pitfall(
        &[&select[..], &["--fix", "--unsafe-fixes", "a.py"]].concat(),
        temp.path(),
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "try:\n    x = y is None\nexcept Exception:\n    pass\n"
    );
}

#[cfg(unix)]
#[test]
fn crlf_bom_and_permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("a.py");
    std::fs::write(&file, b"\xEF\xBB\xBFif x == None:\r\n    pass\r\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o750)).unwrap();
    let out = pitfall(&["--fix", "a.py"], temp.path());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"\xEF\xBB\xBFif x is None:\r\n    pass\r\n"
    );
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o750);
    let leftovers: Vec<_> = std::fs::read_dir(temp.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
}

#[test]
fn non_utf8_files_are_not_rewritten() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("a.py");
    let bytes = b"# -*- coding: latin-1 -*-\ns = '\xe9'\nif s == None:\n    pass\n";
    std::fs::write(&file, bytes).unwrap();
    let out = pitfall(&["--fix", "a.py"], temp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
    assert_eq!(std::fs::read(&file).unwrap(), bytes);
}

#[test]
fn stdin_fix_prints_the_fixed_source() {
    let out = pitfall_stdin(&["--fix", "-"], b"if x == None:\n    pass\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, b"if x is None:\n    pass\n");
    let out = pitfall_stdin(&["--diff", "-"], b"if x == None:\n    pass\n");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("+if x is None:"));
}

#[test]
fn json_fix_field_lists_the_edits() {
    let out = pitfall_stdin(&["--output-format", "json", "-"], b"y = x==None\n");
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        findings[0]["fix"],
        serde_json::json!({
            "applicability": "safe",
            "message": "use `is`",
            "edits": [{
                "start": {"line": 1, "column": 6},
                "end": {"line": 1, "column": 8},
                "content": " is ",
            }],
        })
    );
}

#[test]
fn mutable_default_guard_goes_after_the_docstring_with_the_body_indent() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("m.py");
    let source = "def f(a, items=[]):\r\n    \"\"\"Doc.\"\"\"\r\n    return items\r\n\r\n\r\n\
                  def g(x={}):\r\n    \"\"\"Only a docstring.\"\"\"\r\n\r\n\r\n\
                  def h(x=[]): return x\r\n\r\n\r\n\
                  class C:\r\n\tdef m(self, x=[]):\r\n\t\tx.append(1)\r\n";
    std::fs::write(&file, source).unwrap();
    let args = [
        "--select",
        "mutable-default-arg",
        "--fix",
        "--unsafe-fixes",
        "m.py",
    ];
    let out = pitfall(&args, temp.path());
    assert_eq!(out.status.code(), Some(1), "the one-line body is not fixed");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "def f(a, items=None):\r\n    \"\"\"Doc.\"\"\"\r\n    if items is None:\r\n        items = []\r\n    return items\r\n\r\n\r\n\
         def g(x=None):\r\n    \"\"\"Only a docstring.\"\"\"\r\n    if x is None:\r\n        x = {}\r\n\r\n\r\n\
         def h(x=[]): return x\r\n\r\n\r\n\
         class C:\r\n\tdef m(self, x=None):\r\n\t\tif x is None:\r\n\t\t\tx = []\r\n\t\tx.append(1)\r\n"
    );
}
