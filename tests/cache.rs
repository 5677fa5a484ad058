//! The results cache, through the real binary: warm runs repeat cold runs exactly,
//! and an edit, a settings change, `--fix` or a damaged cache never yields stale or
//! wrong findings.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn pitfall(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

/// Output that must not change between a cold and a warm run.
fn observable(output: &Output) -> (Option<i32>, String, String) {
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const BAD: &str = "def f(x):\n    if x == None:\n        return []\n    try:\n        pass\n    except:\n        pass\n";
const GOOD: &str = "def g(x):\n    return x is None\n";

/// A small project: two files with pitfalls, one clean, one with a syntax error.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pitfall.toml"), "").unwrap();
    fs::write(dir.path().join("bad.py"), BAD).unwrap();
    fs::create_dir(dir.path().join("pkg")).unwrap();
    fs::write(dir.path().join("pkg/more.py"), BAD.replace('f', "h")).unwrap();
    fs::write(dir.path().join("pkg/good.py"), GOOD).unwrap();
    fs::write(dir.path().join("pkg/broken.py"), "def (:\n").unwrap();
    dir
}

fn shards(cache: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(cache)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "bin"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// `bytes` with every `from` replaced by `to` (of the same length, so the binary
/// encoding stays well-formed), and how many were replaced.
fn replace_all(bytes: &[u8], from: &[u8], to: &[u8]) -> (Vec<u8>, usize) {
    assert_eq!(from.len(), to.len());
    let mut out = bytes.to_vec();
    let mut count = 0;
    let mut at = 0;
    while let Some(found) = out[at..].windows(from.len()).position(|w| w == from) {
        out[at + found..at + found + from.len()].copy_from_slice(to);
        at += found + from.len();
        count += 1;
    }
    (out, count)
}

/// Rewrites the start of every message stored in the cache to `CACHED`, so a test can
/// tell a cached answer from a fresh one.
fn tamper_messages(cache: &Path, dir: &Path) {
    let fresh = pitfall(&["--no-cache", "--output-format", "json"], dir);
    let findings: Vec<serde_json::Value> = serde_json::from_slice(&fresh.stdout).unwrap();
    for shard in shards(cache) {
        let mut bytes = fs::read(&shard).unwrap();
        let mut tampered = 0;
        for finding in &findings {
            let message = finding["message"].as_str().unwrap().as_bytes();
            let marked = [b"CACHED", &message[6..]].concat();
            let count;
            (bytes, count) = replace_all(&bytes, message, &marked);
            tampered += count;
        }
        assert!(tampered > 0, "no message found in {}", shard.display());
        fs::write(&shard, bytes).unwrap();
    }
}

#[test]
fn a_warm_run_repeats_the_cold_run_in_every_format() {
    let dir = project();
    for format in ["concise", "full", "json", "sarif", "github"] {
        let args = ["--output-format", format];
        let fresh = pitfall(&[&args[..], &["--no-cache"]].concat(), dir.path());
        let cold = pitfall(&args, dir.path());
        let warm = pitfall(&args, dir.path());
        assert_eq!(observable(&fresh), observable(&cold), "{format}");
        assert_eq!(observable(&cold), observable(&warm), "{format}");
        assert_eq!(cold.status.code(), Some(1));
    }
    let cache = dir.path().join(".pitfall_cache");
    assert_eq!(shards(&cache).len(), 1);
    assert_eq!(
        fs::read_to_string(cache.join(".gitignore"))
            .unwrap()
            .lines()
            .last(),
        Some("*")
    );
}

#[test]
fn a_warm_run_uses_the_cache_until_the_file_changes() {
    let dir = project();
    pitfall(&[], dir.path());
    tamper_messages(&dir.path().join(".pitfall_cache"), dir.path());
    let warm = observable(&pitfall(&[], dir.path())).1;
    assert!(warm.contains("CACHED"), "the cache was not used:\n{warm}");

    // Same length, different content: only the hash can tell.
    fs::write(
        dir.path().join("bad.py"),
        BAD.replace("x ==", "y ==").replace("(x)", "(y)"),
    )
    .unwrap();
    let after_edit = observable(&pitfall(&[], dir.path())).1;
    let bad_lines: Vec<&str> = after_edit
        .lines()
        .filter(|l| l.contains("bad.py:"))
        .collect();
    assert!(!bad_lines.is_empty());
    assert!(
        bad_lines.iter().all(|l| !l.contains("CACHED")),
        "{after_edit}"
    );
    // The untouched file is still served from the cache.
    assert!(
        after_edit
            .lines()
            .any(|l| l.contains("pkg/more.py:") && l.contains("CACHED"))
    );
}

#[test]
fn changed_settings_do_not_reuse_answers() {
    let dir = project();
    let all = pitfall(&[], dir.path());
    assert!(observable(&all).1.contains("PF7"), "bare except expected");

    // A command-line override.
    let ignored = pitfall(&["--ignore", "bare-except"], dir.path());
    assert_eq!(
        observable(&ignored),
        observable(&pitfall(
            &["--ignore", "bare-except", "--no-cache"],
            dir.path()
        ))
    );
    assert_ne!(observable(&ignored).1, observable(&all).1);

    // The config file.
    fs::write(
        dir.path().join("pitfall.toml"),
        "ignore = [\"bare-except\"]\n",
    )
    .unwrap();
    let configured = pitfall(&[], dir.path());
    assert_eq!(observable(&configured).1, observable(&ignored).1);
    fs::write(
        dir.path().join("pitfall.toml"),
        "docs-url = \"https://example.org/r/\"\n",
    )
    .unwrap();
    let json = observable(&pitfall(&["--output-format", "json"], dir.path())).1;
    assert!(json.contains("https://example.org/r/"), "{json}");
}

#[test]
fn a_damaged_cache_is_ignored() {
    let dir = project();
    let cold = observable(&pitfall(&[], dir.path()));
    let cache = dir.path().join(".pitfall_cache");
    let shard = shards(&cache).pop().unwrap();
    let bytes = fs::read(&shard).unwrap();

    // Truncated (as after a crash), then garbage.
    fs::write(&shard, &bytes[..bytes.len() / 2]).unwrap();
    assert_eq!(observable(&pitfall(&[], dir.path())), cold);
    fs::write(&shard, b"\x00\xffnot json").unwrap();
    assert_eq!(observable(&pitfall(&[], dir.path())), cold);

    // Well-formed, but naming a rule this build does not have.
    pitfall(&[], dir.path());
    // A rule code is a 5-byte string: its length, then `PF...`.
    let (renamed, count) = replace_all(&fs::read(&shard).unwrap(), b"\x05PF", b"\x05XX");
    assert!(count > 0);
    fs::write(&shard, renamed).unwrap();
    assert_eq!(observable(&pitfall(&[], dir.path())), cold);
}

#[test]
fn an_unusable_cache_directory_does_not_fail_the_run() {
    let dir = project();
    let cold = observable(&pitfall(&["--no-cache"], dir.path()));
    // A regular file where the directory should be: nothing can be written there.
    fs::write(dir.path().join("blocker"), "").unwrap();
    let run = pitfall(&["--cache-dir", "blocker/cache"], dir.path());
    assert_eq!(observable(&run), cold);
}

#[test]
fn no_cache_and_stdin_leave_no_cache_behind() {
    let dir = project();
    pitfall(&["--no-cache"], dir.path());
    assert!(!dir.path().join(".pitfall_cache").exists());
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--stdin-filename", "bad.py", "-"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), BAD.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(!dir.path().join(".pitfall_cache").exists());
}

#[test]
fn cache_dir_moves_the_cache() {
    let dir = project();
    let cold = observable(&pitfall(&["--cache-dir", "elsewhere"], dir.path()));
    assert!(!dir.path().join(".pitfall_cache").exists());
    assert_eq!(shards(&dir.path().join("elsewhere")).len(), 1);
    assert_eq!(
        observable(&pitfall(&["--cache-dir", "elsewhere"], dir.path())),
        cold
    );
}

#[test]
fn fixing_never_leaves_stale_answers() {
    let dir = project();
    let before = observable(&pitfall(&[], dir.path())).1;
    assert!(before.contains("bad.py:2:"), "{before}");
    let fixed = pitfall(&["--fix"], dir.path());
    assert!(fixed.status.code().is_some());
    assert!(
        fs::read_to_string(dir.path().join("bad.py"))
            .unwrap()
            .contains("x is None")
    );
    let after = pitfall(&[], dir.path());
    assert_eq!(
        observable(&after),
        observable(&pitfall(&["--no-cache"], dir.path()))
    );
    assert!(!observable(&after).1.contains("bad.py:2:"));
}

#[test]
fn project_rules_see_cached_files_on_a_warm_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("pitfall.toml"), "").unwrap();
    fs::create_dir(dir.path().join("pkg")).unwrap();
    fs::write(dir.path().join("pkg/__init__.py"), "").unwrap();
    fs::write(
        dir.path().join("pkg/a.py"),
        "from pkg.b import B\n\nA = 1\n",
    )
    .unwrap();
    fs::write(
        dir.path().join("pkg/b.py"),
        "from pkg.a import A\n\nB = 2\n",
    )
    .unwrap();
    let args = ["--output-format", "json", "."];
    let cold = pitfall(&args, dir.path());
    let cold_out = String::from_utf8_lossy(&cold.stdout).into_owned();
    assert!(cold_out.contains("PF801"), "{cold_out}");
    assert!(!shards(&dir.path().join(".pitfall_cache")).is_empty());
    // Every file now comes from the cache; the cycle must still be found.
    let warm = pitfall(&args, dir.path());
    assert_eq!(observable(&cold), observable(&warm));
    // Breaking the cycle in one file is seen although the other file is cached.
    fs::write(dir.path().join("pkg/b.py"), "B = 2\n").unwrap();
    let fixed = pitfall(&args, dir.path());
    assert!(!String::from_utf8_lossy(&fixed.stdout).contains("PF801"));
    assert_eq!(fixed.status.code(), Some(0));
}
