//! The real binary, run on real files: exit codes, formats, discovery, decoding,
//! suppression and bad input.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn pitfall(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn pitfall_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
        .as_array()
        .unwrap()
        .clone()
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

const BAD: &str = "def f(items=[]):\n    return items\n";
const GOOD: &str = "def f(items=None):\n    return items or []\n";

#[test]
fn exit_codes_and_concise_format() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.py", GOOD);
    write(dir.path(), "bad.py", BAD);

    let clean = pitfall(&["check", "good.py"], dir.path());
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "");

    let found = pitfall(&["check", "--output-format", "concise", "."], dir.path());
    assert_eq!(found.status.code(), Some(1));
    let out = stdout(&found);
    assert!(
        out.starts_with("./bad.py:1:13: PF301 [mutable-default-arg] the default list of `items`"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 1);

    let zero = pitfall(&["check", "--exit-zero", "bad.py"], dir.path());
    assert_eq!(zero.status.code(), Some(0));
    assert!(!stdout(&zero).is_empty());
}

#[test]
fn piped_output_defaults_to_concise() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(&["check", "bad.py"], dir.path());
    assert!(
        stdout(&out).starts_with("bad.py:1:13: PF301"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn unreadable_paths_are_reported_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.py", BAD);
    write(dir.path(), "binary.py", b"\x00\x01\x02garbage");
    write(dir.path(), "latin.py", b"s = '\xe9t\xe9'\n");
    fs::create_dir(dir.path().join("pkg.py")).unwrap();
    write(dir.path(), "pkg.py/inner.py", BAD);
    #[cfg(unix)]
    std::os::unix::fs::symlink("nowhere.py", dir.path().join("dangling.py")).unwrap();

    let out = pitfall(
        &["check", "--output-format", "concise", ".", "missing.py"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: missing.py: no such file or directory"),
        "{err}"
    );
    assert!(
        err.contains("binary.py: contains a NUL byte on line 1"),
        "{err}"
    );
    assert!(
        err.contains("latin.py: not valid UTF-8 (first bad byte on line 1)"),
        "{err}"
    );
    #[cfg(unix)]
    assert!(err.contains("dangling.py: dangling symbolic link"), "{err}");
    let found = stdout(&out);
    assert!(found.contains("./bad.py:1:13: PF301"), "{found}");
    assert!(found.contains("./pkg.py/inner.py:1:13: PF301"), "{found}");

    // --exit-zero never fails the run, though the errors are still reported.
    let out = pitfall(&["check", "--exit-zero", "."], dir.path());
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("binary.py: contains a NUL byte"));
}

#[cfg(unix)]
#[test]
fn fifos_are_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.py");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let out = pitfall(&["check", "pipe.py"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("pipe.py: not a regular file"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn pep263_bom_and_crlf_keep_positions_right() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin.py",
        b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\ndef f(a=[]):\n    pass\n",
    );
    write(
        dir.path(),
        "bom.py",
        b"\xEF\xBB\xBFdef f(a={}):\r\n    pass\r\n",
    );
    write(dir.path(), "wide.py", "s = 'ééé'; print(lambda x=[]: x)\n");
    // Defaults that are only read are `info`: shown here for their positions.
    let out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "json",
            ".",
        ],
        dir.path(),
    );
    let positions: Vec<(String, u64, u64)> = json(&out)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        positions,
        [
            ("./bom.py".to_owned(), 1, 9),
            ("./latin.py".to_owned(), 3, 9),
            // Columns count characters, not bytes.
            ("./wide.py".to_owned(), 1, 27),
        ]
    );
}

#[test]
fn json_has_every_documented_field() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(&["check", "--output-format", "json", "bad.py"], dir.path());
    let findings = json(&out);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(f["rule"], "mutable-default-arg");
    assert_eq!(f["code"], "PF301");
    assert_eq!(f["path"], "bad.py");
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(1), Some(13))
    );
    assert_eq!(
        (f["end_line"].as_u64(), f["end_column"].as_u64()),
        (Some(1), Some(15))
    );
    assert!(f["message"].as_str().unwrap().contains("`items`"));
    assert!(f["help"].as_str().unwrap().contains("if items is None"));
    // The default is returned, so every caller holds the one shared list: live.
    assert_eq!(f["severity"], "error");
    assert!(
        f["url"]
            .as_str()
            .unwrap()
            .ends_with("mutable-default-arg.html")
    );
    assert_eq!(f["fix"]["applicability"], "unsafe");
    assert_eq!(f["fix"]["edits"][0]["content"], "None");
}

#[test]
fn full_format_shows_snippet_label_help_and_link() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(&["check", "--output-format", "full", "bad.py"], dir.path());
    let text = stdout(&out);
    assert!(text.contains("PF301 mutable-default-arg"), "{text}");
    assert!(text.contains("[bad.py:1:13]"), "{text}");
    assert!(text.contains("1 │ def f(items=[]):"), "{text}");
    assert!(text.contains("help: default `items` to `None`"), "{text}");
    assert!(text.contains("rules/mutable-default-arg"), "{text}");
    assert!(
        !text.contains('\x1b'),
        "NO_COLOR output has no escape codes: {text}"
    );
}

#[test]
fn noqa_suppresses_by_code_name_and_other_linters_codes() {
    let dir = tempfile::tempdir().unwrap();
    let source = "\
def a(x=[]):  # noqa
    pass
def b(x=[]):  # noqa: PF301
    pass
def c(x=[]):  # noqa: mutable-default-arg
    pass
def d(x=[]):  # NOQA:B006
    pass
def e(x=[]):  # noqa: PF101
    pass
def f(x=[]):  # a comment that mentions noqa in passing
    pass
";
    write(dir.path(), "n.py", source);
    let out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "concise",
            "n.py",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(lines, ["n.py:9:9:", "n.py:11:9:"]);
}

#[test]
fn discovery_respects_gitignore_and_skips_environments() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, ".gitignore", "generated/\nskip_me.py\n");
    for name in [
        "src/app.py",
        "src/types.pyi",
        "generated/out.py",
        "skip_me.py",
        ".venv/lib/x.py",
        "venv/x.py",
        "build/x.py",
        "node_modules/x.py",
        "pkg/__pycache__/x.py",
        ".hidden/x.py",
        "notes.txt",
    ] {
        // A syntax error is reported in every file, stubs included.
        write(root, name, "def broken(:\n");
    }
    let out = pitfall(&["check", "--output-format", "concise", "."], root);
    let files: BTreeSet<String> = stdout(&out)
        .lines()
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        files,
        BTreeSet::from(["./src/app.py".to_owned(), "./src/types.pyi".to_owned()])
    );

    // Named explicitly, an ignored file or an odd extension is still checked.
    let out = pitfall(
        &[
            "check",
            "--output-format",
            "concise",
            "skip_me.py",
            "notes.txt",
        ],
        root,
    );
    assert_eq!(stdout(&out).lines().count(), 2, "{}", stdout(&out));
}

#[test]
fn syntax_errors_are_findings_and_other_rules_still_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.py",
        "def f(x=[]):\n    return x\n\nx = 1 +* 2\n\ndef g(y={}):\n    pass\n",
    );
    let out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "concise",
            "broken.py",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = stdout(&out)
        .lines()
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        codes,
        [
            "broken.py:1:9: PF301",
            "broken.py:4:8: PF000",
            "broken.py:6:9: PF301"
        ]
    );
}

#[test]
fn deeply_nested_code_is_reported_not_crashed_on() {
    let dir = tempfile::tempdir().unwrap();
    let depth = 100_000;
    write(
        dir.path(),
        "brackets.py",
        format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth)),
    );
    write(
        dir.path(),
        "sum.py",
        format!("x = 1{}\n", " + 1".repeat(depth)),
    );
    write(
        dir.path(),
        "unary.py",
        format!("x = {}1\n", "- ".repeat(depth)),
    );
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(&["check", "--output-format", "concise", "."], dir.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("./bad.py:1:13: PF301"), "{text}");
    for name in ["brackets", "sum", "unary"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("./{name}.py")))
            .unwrap_or_else(|| panic!("{name}: {text}"));
        assert!(
            line.contains("PF000 [syntax-error]") && line.contains("nested more than"),
            "{line}"
        );
    }
}

#[test]
fn stdin_is_checked_under_its_given_name() {
    let out = pitfall_stdin(
        &[
            "check",
            "--output-format",
            "concise",
            "--stdin-filename",
            "pkg/mod.py",
            "-",
        ],
        BAD.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("pkg/mod.py:1:13: PF301"),
        "{}",
        stdout(&out)
    );
    let out = pitfall_stdin(&["check", "-"], GOOD.as_bytes());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let root = common::root();
    let one = pitfall(
        &[
            "check",
            "--threads",
            "1",
            "--output-format",
            "json",
            "fixtures",
        ],
        &root,
    );
    let two = pitfall(
        &[
            "check",
            "--threads",
            "2",
            "--output-format",
            "json",
            "fixtures",
        ],
        &root,
    );
    assert_eq!(stdout(&one), stdout(&two));
    assert!(json(&one).len() > 10);
}

#[test]
fn the_binary_flags_exactly_the_fixture_markers() {
    let root = common::root();
    let out = pitfall(
        &[
            "check",
            "--show-unused-noqa",
            "--min-severity",
            "info",
            "--output-format",
            "json",
            "fixtures",
        ],
        &root,
    );
    let actual: BTreeSet<(String, u64, String)> = json(&out)
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut expected = BTreeSet::new();
    for dir in common::fixture_dirs().values() {
        // Recursive: project-wide rules keep their fixtures as trees of modules.
        for file in common::python_files_recursive(dir) {
            let text = fs::read_to_string(&file).unwrap();
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            for (line, rule) in common::expected_markers(&text) {
                expected.insert((rel.clone(), line as u64, rule));
            }
        }
    }
    let missing: Vec<_> = expected.difference(&actual).collect();
    let unexpected: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty() && unexpected.is_empty(),
        "missing: {missing:#?}\nunexpected: {unexpected:#?}"
    );
}

#[test]
fn explain_and_rules() {
    let root = common::root();
    let by_code = pitfall(&["explain", "PF301", "--format", "markdown"], &root);
    assert_eq!(by_code.status.code(), Some(0));
    assert!(stdout(&by_code).starts_with("# mutable-default-arg (PF301)"));
    let by_name = pitfall(
        &["explain", "mutable-default-arg", "--format", "markdown"],
        &root,
    );
    assert_eq!(stdout(&by_code), stdout(&by_name));

    let unknown = pitfall(&["explain", "mutable-defualt-arg"], &root);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("did you mean `mutable-default-arg`?"),
        "{}",
        stderr(&unknown)
    );

    let rules = stdout(&pitfall(&["rules"], &root));
    for meta in pitfall::registry::all_meta() {
        assert!(
            rules
                .lines()
                .any(|l| l.trim_start().starts_with(meta.code) && l.contains(meta.name)),
            "{rules}"
        );
    }
}

#[test]
fn bad_arguments_exit_2() {
    let root = common::root();
    assert_eq!(
        pitfall(&["check", "--output-format", "xml"], &root)
            .status
            .code(),
        Some(2)
    );
    assert_eq!(pitfall(&["frobnicate"], &root).status.code(), Some(2));
    assert_eq!(pitfall(&["--version"], &root).status.code(), Some(0));
}

#[test]
fn pylint_disables_and_file_level_noqa() {
    let dir = tempfile::tempdir().unwrap();
    let source = "\
def a(x=[]):  # pylint: disable=dangerous-default-value
    pass
# pylint: disable-next=W0102
def b(x=[]):
    pass
def c(x=[]):  # pylint: disable=unused-argument
    pass
";
    write(dir.path(), "p.py", source);
    let out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "concise",
            "p.py",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert_eq!(lines, ["p.py:6:9:"]);

    write(
        dir.path(),
        "f.py",
        format!("# pitfall: noqa: PF301\n{source}x = 1 == None\n"),
    );
    let out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "concise",
            "f.py",
        ],
        dir.path(),
    );
    let text = stdout(&out);
    assert!(text.lines().all(|l| l.contains("PF101")), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");

    write(dir.path(), "g.py", format!("{source}\n# pitfall: noqa\n"));
    let out = pitfall(&["check", "g.py"], dir.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn min_severity_filters_by_evidence_and_intent_comments_lower_to_info() {
    let dir = tempfile::tempdir().unwrap();
    let source = "\
def changed(x=[]):
    x.append(1)
def typed(v):
    return type(v) == str
def only_read(x={}):
    return x.get(1)
def explained(x=[]):  # deliberate: shared on purpose
    x.append(1)
";
    write(dir.path(), "s.py", source);
    let lines = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", "--output-format", "concise"];
        all.extend_from_slice(args);
        all.push("s.py");
        stdout(&pitfall(&all, dir.path()))
            .lines()
            .map(|l| l.split(' ').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(lines(&["--min-severity", "error"]), ["s.py:1:15:"]);
    assert_eq!(lines(&[]), ["s.py:1:15:", "s.py:4:12:", "s.py:5:17:"]);
    assert_eq!(
        lines(&["--min-severity", "info"]),
        ["s.py:1:15:", "s.py:4:12:", "s.py:5:17:", "s.py:7:17:"]
    );
    let json_out = pitfall(
        &[
            "check",
            "--min-severity",
            "info",
            "--output-format",
            "json",
            "s.py",
        ],
        dir.path(),
    );
    let severities: Vec<String> = json(&json_out)
        .iter()
        .map(|f| f["severity"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(severities, ["error", "warning", "warning", "info"]);

    // The config key, and the command line winning over it.
    write(dir.path(), "pitfall.toml", "min-severity = \"error\"\n");
    assert_eq!(lines(&[]), ["s.py:1:15:"]);
    assert_eq!(lines(&["--min-severity", "warning"]).len(), 3);
    write(dir.path(), "pitfall.toml", "min-severity = \"loud\"\n");
    let bad = pitfall(&["check", "s.py"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("min-severity"), "{}", stderr(&bad));
    let bad_flag = pitfall(
        &["check", "--isolated", "--min-severity", "loud", "s.py"],
        dir.path(),
    );
    assert_eq!(bad_flag.status.code(), Some(2));
}
