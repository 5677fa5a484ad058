//! No input crashes pitfall: odd bytes, odd line endings, pathological nesting, huge
//! files and paths that are not regular files. Each gets a finding or a clear per-file
//! error, and the files around it are still checked. All through the real binary.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BAD: &str = "def f(a=[]):\n    return a\n";

/// Runs pitfall in `dir` with `args` (`--isolated`, concise output) and fails the test
/// if it does not finish within a minute: a FIFO or device must never hang it.
fn pitfall(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_pitfall"));
    command
        .args(["check", "--isolated", "--output-format", "concise"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("pitfall starts");
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("pitfall {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("overflow"),
        "pitfall crashed: {err}"
    );
    out
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, contents).unwrap();
}

/// The findings of `file` in concise output, as `line:col: CODE` strings.
fn findings_of(out: &Output, file: &str) -> Vec<String> {
    let prefix = format!("{file}:");
    stdout(out)
        .lines()
        .filter_map(|line| line.strip_prefix(&prefix))
        .map(|rest| rest.split(" [").next().unwrap().to_owned())
        .collect()
}

#[test]
fn odd_bytes_and_line_endings() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "invalid_utf8.py", b"x = 1\ns = '\xff\xfe'\n");
    write(d, "nul.py", b"x = 1\ny = 2\x00\n");
    write(d, "lone_bom.py", b"\xEF\xBB\xBF");
    write(d, "bom.py", b"\xEF\xBB\xBFdef f(a=[]):\n    pass\n");
    // Python 3 calls this inconsistent (TabError); the parser accepts it.
    write(
        d,
        "tabs.py",
        "if x:\n\tif y:\n\t        z = 1\n        def f(a=[]):\n\t    pass\n",
    );
    write(d, "crlf.py", "x = 1\r\n\r\ndef f(a=[]):\r\n    pass\r\n");
    write(d, "cr.py", "x = 1\r\rdef f(a=[]):\r    pass\r");
    write(
        d,
        "mixed_endings.py",
        "x = 1\r\ny = 2\rdef f(a=[]):\n    pass",
    );
    write(d, "comment_only.py", "# nothing but a comment");
    write(d, "empty.py", "");
    write(d, "form_feed.py", "\x0cdef f(a=[]):\n\x0c    pass\n");
    write(d, "bad.py", BAD);

    let out = pitfall(d, &["."], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error: ./invalid_utf8.py: not valid UTF-8 (first bad byte on line 2)"),
        "{err}"
    );
    assert!(
        err.contains("error: ./nul.py: contains a NUL byte on line 2"),
        "{err}"
    );
    assert_eq!(err.matches("error: ").count(), 2, "{err}");

    let col = "1:9: PF301";
    assert_eq!(findings_of(&out, "./bad.py"), [col]);
    assert_eq!(findings_of(&out, "./bom.py"), [col]);
    // CPython says TabError; here the parser's complaints are PF000, and rules still run.
    let tabs = findings_of(&out, "./tabs.py");
    assert!(tabs.contains(&"4:17: PF301".to_owned()), "{tabs:?}");
    assert!(tabs.iter().any(|f| f.ends_with("PF000")), "{tabs:?}");
    assert_eq!(findings_of(&out, "./crlf.py"), ["3:9: PF301"]);
    assert_eq!(findings_of(&out, "./cr.py"), ["3:9: PF301"]);
    assert_eq!(findings_of(&out, "./mixed_endings.py"), ["3:9: PF301"]);
    assert_eq!(findings_of(&out, "./form_feed.py"), ["1:10: PF301"]);
    for quiet in ["lone_bom", "comment_only", "empty"] {
        assert!(findings_of(&out, &format!("./{quiet}.py")).is_empty());
    }
}

/// Code whose tree is far deeper than CPython accepts: one `PF000` finding per file.
fn too_deep_files() -> Vec<(&'static str, String)> {
    let n = 100_000;
    vec![
        (
            "brackets",
            format!("x = {}1{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "braces",
            format!("x = {}1{}\n", "{".repeat(n), "}".repeat(n)),
        ),
        (
            "calls",
            format!("x = {}1{}\n", "f(".repeat(n), ")".repeat(n)),
        ),
        (
            "subscripts",
            format!("x = {}1{}\n", "a[".repeat(n), "]".repeat(n)),
        ),
        ("sum", format!("x = 1{}\n", " + 1".repeat(n))),
        ("unary_minus", format!("x = {}1\n", "- ".repeat(n))),
        ("nots", format!("x = {}a\n", "not ".repeat(n))),
        ("attributes", format!("x = a{}\n", ".b".repeat(n))),
        ("powers", format!("x = 2{}\n", " ** 2".repeat(n))),
        ("lambdas", format!("x = {}1\n", "lambda: ".repeat(n))),
        ("ternaries", format!("x = {}c\n", "a if b else ".repeat(n))),
        (
            "awaits",
            format!("async def f():\n    {}x\n", "await ".repeat(n)),
        ),
    ]
}

/// Statements nested 2,000 deep (CPython stops at 100 for blocks, 200 in its parser,
/// but the parser here accepts them): checked to the bottom.
fn deep_block_files() -> Vec<(&'static str, String)> {
    let block = |header: &str| {
        let mut text = String::new();
        for depth in 0..2000 {
            text.push_str(&"    ".repeat(depth));
            text.push_str(header);
            text.push('\n');
        }
        text.push_str(&"    ".repeat(2000));
        text.push_str("x = y == None\n");
        text
    };
    vec![
        ("ifs", block("if x:")),
        ("fors", block("for x in xs:")),
        ("whiles", block("while x:")),
        ("withs", block("with open(p) as f:")),
        ("defs", block("def f(a):")),
        ("async_defs", block("async def f(a):")),
        ("classes", block("class C(B):")),
    ]
}

#[test]
fn pathological_nesting_is_reported_and_the_rest_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let deep = too_deep_files();
    let blocks = deep_block_files();
    for (name, text) in deep.iter().chain(&blocks) {
        write(d, &format!("{name}.py"), text);
    }
    // Parentheses around an atom leave no trace in the tree: nothing to report.
    let n = 100_000;
    write(
        d,
        "parens.py",
        format!("x = {}1{}\n", "(".repeat(n), ")".repeat(n)),
    );
    write(d, "bad.py", BAD);

    let out = pitfall(d, &["."], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(findings_of(&out, "./bad.py"), ["1:9: PF301"]);
    assert!(findings_of(&out, "./parens.py").is_empty(), "{text}");
    for (name, _) in &deep {
        // One depth finding; the parser's own errors (if any) may come with it.
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with(&format!("./{name}.py:")))
            .collect();
        let depth = "PF000 [syntax-error] code nested more than 3000 levels deep";
        assert_eq!(
            lines.iter().filter(|l| l.contains(depth)).count(),
            1,
            "{name}: {lines:?}"
        );
        assert!(
            lines.iter().all(|l| l.contains("PF000")),
            "{name}: {lines:?}"
        );
    }
    for (name, _) in &blocks {
        // The comparison at the bottom is found: the whole tree was walked.
        assert_eq!(
            findings_of(&out, &format!("./{name}.py")),
            ["2001:8005: PF101"],
            "{name}"
        );
    }

    // Fixing walks and re-parses these trees too; deep files stay untouched.
    let some = ["brackets.py", "sum.py", "unary_minus.py", "ifs.py"];
    let out = pitfall(d, &[&["--fix", "--unsafe-fixes"][..], &some].concat(), &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    for (name, original) in &deep {
        if some.contains(&format!("{name}.py").as_str()) {
            assert_eq!(
                &fs::read_to_string(d.join(format!("{name}.py"))).unwrap(),
                original
            );
        }
    }
    let fixed = fs::read_to_string(d.join("ifs.py")).unwrap();
    assert!(
        fixed.ends_with("x = y is None\n"),
        "{}",
        &fixed[fixed.len() - 40..]
    );
}

#[test]
fn left_deep_chains_at_the_limit_are_still_checked() {
    // Just under the depth limit the tree is walked, and rules that look down a chain
    // (bindings, subtrees) are bounded too.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n = 2900;
    write(
        d,
        "chain.py",
        format!(
            "def f(a=[]):\n    return a{}\nx = y == None\n",
            " + a".repeat(n)
        ),
    );
    write(
        d,
        "calls.py",
        format!(
            "def g(a={}[]{}):\n    pass\n",
            "list(".repeat(n / 2),
            ")".repeat(n / 2)
        ),
    );
    let out = pitfall(d, &["."], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(
        findings_of(&out, "./chain.py"),
        ["1:9: PF301", "3:5: PF101"],
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("nested more than"),
        "{}",
        stdout(&out)
    );
}

/// A file of about 50 MB of real code from the fixtures. Slow, so it runs with
/// `--ignored` (and in `bench/ecosystem.sh`): every rule is linear in file size now,
/// but a debug build still takes about three minutes (a release build about 8 s).
#[test]
#[ignore]
fn a_50_mb_file_is_checked() {
    let mut chunk = String::new();
    for (name, dir) in common::fixture_dirs() {
        if name == "syntax-error" || name == "python2-leftover" {
            continue;
        }
        for file in common::python_files(&dir) {
            chunk.push_str(&fs::read_to_string(file).unwrap());
        }
    }
    let copies = 50 * 1024 * 1024 / chunk.len() + 1;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.py", chunk.repeat(copies));
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(dir.path(), &["--statistics", "."], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let total: usize = stdout(&out)
        .lines()
        .filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok())
        .sum();
    assert!(total > copies * 100, "{}", stdout(&out));
}

#[test]
fn files_over_the_size_limit_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    // A sparse file: 257 MiB long, no disk used, and never read.
    let huge = fs::File::create(dir.path().join("huge.py")).unwrap();
    huge.set_len(257 * 1024 * 1024).unwrap();
    write(dir.path(), "bad.py", BAD);
    let out = pitfall(dir.path(), &["."], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("./huge.py: file is too large (257 MiB; the limit is 256 MiB)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(findings_of(&out, "./bad.py"), ["1:9: PF301"]);
}

#[cfg(unix)]
#[test]
fn paths_that_are_not_regular_files() {
    use std::os::unix::fs::symlink;

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "bad.py", BAD);
    fs::create_dir(d.join("x.py")).unwrap();
    write(d, "x.py/inner.py", BAD);
    symlink("nowhere.py", d.join("dangling.py")).unwrap();
    symlink("loop_b.py", d.join("loop_a.py")).unwrap();
    symlink("loop_a.py", d.join("loop_b.py")).unwrap();
    fs::create_dir(d.join("sub")).unwrap();
    symlink("..", d.join("sub/up")).unwrap();
    symlink("/dev/zero", d.join("zero.py")).unwrap();
    let fifo = d.join("fifo.py");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );

    // In a walked directory: links are not followed into loops, the FIFO and the
    // device are never opened, and the directory named `x.py` is walked.
    let out = pitfall(d, &["."], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("./dangling.py: dangling symbolic link"),
        "{err}"
    );
    assert!(err.contains("./loop_a.py: symbolic link loop"), "{err}");
    assert!(err.contains("./loop_b.py: symbolic link loop"), "{err}");
    assert_eq!(findings_of(&out, "./bad.py"), ["1:9: PF301"]);
    assert_eq!(findings_of(&out, "./x.py/inner.py"), ["1:9: PF301"]);
    assert!(!stdout(&out).contains("sub/up"), "{}", stdout(&out));

    // Named on the command line, each gets its own error; the good file is checked.
    let out = pitfall(
        d,
        &[
            "bad.py",
            "x.py",
            "dangling.py",
            "loop_a.py",
            "fifo.py",
            "zero.py",
            "/dev/null",
            "missing.py",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    for expected in [
        "error: dangling.py: dangling symbolic link",
        "error: loop_a.py: symbolic link loop",
        "error: fifo.py: not a regular file",
        "error: zero.py: not a regular file",
        "error: /dev/null: not a regular file",
        "error: missing.py: no such file or directory",
    ] {
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert_eq!(findings_of(&out, "bad.py"), ["1:9: PF301"]);
    assert_eq!(findings_of(&out, "x.py/inner.py"), ["1:9: PF301"]);

    // --fix never opens them either.
    let out = pitfall(d, &["--fix", "fifo.py", "zero.py", "bad.py"], &[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("fifo.py: not a regular file"));
}

/// The guard against real panics, through the binary: debug builds can be told to
/// panic in one rule (see `checker::panic_guard`), release builds cannot.
#[cfg(debug_assertions)]
#[test]
fn a_panic_in_a_rule_is_an_error_for_that_file_only() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "boom.py", "x = y == None  # pitfall-debug-panic\n");
    write(d, "other.py", "x = y == None\n");
    write(d, "bad.py", BAD);
    let env = [("PITFALL_DEBUG_PANIC", "none-comparison")];

    for fix in [&[][..], &["--fix"][..]] {
        let mut args = fix.to_vec();
        args.push(".");
        let mut command = Command::new(env!("CARGO_BIN_EXE_pitfall"));
        let out = command
            .args(["check", "--isolated", "--output-format", "concise"])
            .args(&args)
            .current_dir(d)
            .envs(env)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(
                "error: ./boom.py: internal error: pitfall panicked in rule PF101 none-comparison: debug panic requested by PITFALL_DEBUG_PANIC"
            ),
            "{err}"
        );
        // Reported once, as the file's error, not as the default "thread panicked" text.
        assert_eq!(err.matches("panicked").count(), 1, "{err}");
        assert_eq!(findings_of(&out, "./bad.py"), ["1:9: PF301"]);
        assert!(findings_of(&out, "./boom.py").is_empty());
    }
    assert_eq!(
        fs::read_to_string(d.join("boom.py")).unwrap(),
        "x = y == None  # pitfall-debug-panic\n"
    );
    assert_eq!(
        fs::read_to_string(d.join("other.py")).unwrap(),
        "x = y is None\n"
    );

    // Standard input too.
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--isolated", "-"])
        .envs(env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"x == None  # pitfall-debug-panic\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: -: internal error: pitfall panicked in rule PF101"),
        "{}",
        stderr(&out)
    );
}

/// Every file under `dir` with its bytes and permissions, to show a run changed nothing
/// it should not have.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>, u32)> {
    use std::os::unix::fs::PermissionsExt;
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let mode = meta.permissions().mode();
                files.push((path.clone(), fs::read(&path).unwrap(), mode));
            } else {
                let target = fs::read_link(&path).unwrap_or_default();
                files.push((path, target.into_os_string().into_encoded_bytes(), 0));
            }
        }
    }
    files.sort();
    files
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_a_walked_directory_are_not_followed() {
    use std::os::unix::fs::symlink;

    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "secret.py", BAD);
    fs::create_dir(outside.path().join("pkg")).unwrap();
    write(outside.path(), "pkg/mod.py", BAD);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "src/inside.py", "x = y == None\n");
    symlink(outside.path().join("secret.py"), d.join("src/out.py")).unwrap();
    symlink(outside.path().join("pkg"), d.join("src/pkg")).unwrap();
    symlink("inside.py", d.join("src/alias.py")).unwrap();

    let out = pitfall(d, &["src"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(findings_of(&out, "src/inside.py"), ["1:5: PF101"]);
    // A link to a file inside the walked directory is checked under its own name.
    assert_eq!(findings_of(&out, "src/alias.py"), ["1:5: PF101"]);
    assert!(!stdout(&out).contains("out.py"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("pkg"), "{}", stdout(&out));
    assert!(stderr(&out).lines().all(|l| !l.starts_with("error")));

    // Named on the command line, a link is followed: the user asked for it.
    let out = pitfall(d, &["src/out.py", "src/pkg"], &[]);
    assert_eq!(findings_of(&out, "src/out.py"), ["1:9: PF301"]);
    assert_eq!(findings_of(&out, "src/pkg/mod.py"), ["1:9: PF301"]);

    // Fixing through a link rewrites the file it points to; the link stays a link, and
    // nothing outside the walked directory is written.
    let before = snapshot(outside.path());
    let out = pitfall(d, &["--fix", "src"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(snapshot(outside.path()), before);
    assert!(
        fs::symlink_metadata(d.join("src/alias.py"))
            .unwrap()
            .is_symlink()
    );
    assert_eq!(
        fs::read_to_string(d.join("src/inside.py")).unwrap(),
        "x = y is None\n"
    );
    let out = pitfall(d, &["--fix", "src/out.py"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(d.join("src/out.py"))
            .unwrap()
            .is_symlink()
    );
}

#[cfg(unix)]
#[test]
fn checked_code_is_never_run_and_only_fixed_files_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let marker = d.join("executed");
    let payload = format!(
        "import os\nopen({marker:?}, 'w').write('ran')\nos.system('touch {}')\nx = y == None\n",
        marker.display()
    );
    for name in [
        "setup.py",
        "conftest.py",
        "pkg/__init__.py",
        "pkg/__main__.py",
        "app.py",
    ] {
        write(d, name, &payload);
    }
    write(d, "clean.py", "x = 1\n");
    // Config files are data: values are never expanded or run.
    write(
        d,
        "pyproject.toml",
        format!(
            "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"os.system('touch {}')\"\n\n[tool.pitfall]\nsrc = [\"$(touch {})\"]\n",
            marker.display(),
            marker.display()
        ),
    );

    // Checking writes nothing but its cache directory: no temporary files, and with
    // `--no-cache` nothing at all.
    let before = snapshot(d);
    let cache = d.join(".pitfall_cache");
    for args in [&["--no-cache"][..], &[]] {
        let out = Command::new(env!("CARGO_BIN_EXE_pitfall"))
            .args(["check", "--output-format", "concise"])
            .args(args)
            .arg(".")
            .current_dir(d)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(stdout(&out).matches("PF101").count(), 5, "{}", stdout(&out));
        assert_eq!(cache.exists(), args.is_empty(), "{args:?}");
        let outside: Vec<_> = snapshot(d)
            .into_iter()
            .filter(|(path, _, _)| !path.starts_with(&cache))
            .collect();
        assert_eq!(outside, before, "{args:?}");
    }
    fs::remove_dir_all(&cache).unwrap();

    // Fixing writes the fixed files and nothing else.
    let out = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--fix", "."])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("Fixed 5 pitfalls."),
        "{}",
        stderr(&out)
    );
    let after = snapshot(d);
    assert_eq!(after.len(), before.len(), "files appeared or vanished");
    for ((path, old, old_mode), (_, new, new_mode)) in before.iter().zip(&after) {
        let fixed = path.extension().is_some_and(|e| e == "py") && !path.ends_with("clean.py");
        assert_eq!(old != new, fixed, "{}", path.display());
        assert_eq!(old_mode, new_mode, "{}", path.display());
    }
    assert!(!marker.exists(), "checked code was run");
}

/// Inputs kept from fuzzing and robustness work (crashing inputs found by `fuzz/` go
/// here too): each is checked and fixed, with every rule, without a crash or an
/// internal error. They also seed the fuzzers.
#[test]
fn fuzz_regressions_do_not_crash() {
    let source = common::root().join("tests/regressions");
    let dir = tempfile::tempdir().unwrap();
    let mut count = 0;
    for entry in fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        count += 1;
    }
    assert!(count > 0);
    for args in [
        &["--select", "ALL", "."][..],
        &["--select", "ALL", "--fix", "--unsafe-fixes", "."],
    ] {
        let out = pitfall(dir.path(), args, &[]);
        assert!(matches!(out.status.code(), Some(0..=2)), "{}", stderr(&out));
        assert!(!stderr(&out).contains("internal error"), "{}", stderr(&out));
    }
}
