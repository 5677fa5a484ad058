//! Shared by the test files: fixture discovery and `# error:` marker parsing.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<rule-name>/` directories, by rule name.
pub fn fixture_dirs() -> BTreeMap<String, PathBuf> {
    let mut dirs = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("fixtures")).expect("fixtures/ exists") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            dirs.insert(
                path.file_name().unwrap().to_string_lossy().into_owned(),
                path,
            );
        }
    }
    dirs
}

pub fn python_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "py" || e == "pyi"))
        .collect();
    files.sort();
    files
}

/// Expected findings from `# error: name, name` markers: (line, rule name) pairs, one
/// per name, so a name listed twice expects two findings on that line.
pub fn expected_markers(source: &str) -> Vec<(usize, String)> {
    let mut expected: Vec<(usize, String)> = expected_severities(source)
        .into_iter()
        .map(|(line, name, _)| (line, name))
        .collect();
    expected.sort();
    expected
}

/// The markers with the severity each one asserts, if any: `# error: NAME [info]`
/// expects NAME's finding on that line to be reported as `info` (`[error]`,
/// `[warning]` likewise); a marker without brackets accepts any severity.
pub fn expected_severities(source: &str) -> Vec<(usize, String, Option<String>)> {
    let mut expected = Vec::new();
    for (index, line) in source.lines().enumerate() {
        if let Some(at) = line.find("# error:") {
            for marker in line[at + "# error:".len()..].split(',') {
                let (name, severity) = match marker.split_once('[') {
                    Some((name, rest)) => (name, Some(rest.trim().trim_end_matches(']').trim())),
                    None => (marker, None),
                };
                let name = name.trim();
                if !name.is_empty() {
                    expected.push((index + 1, name.to_owned(), severity.map(str::to_owned)));
                }
            }
        }
    }
    expected
}

/// Every `.py`/`.pyi` file under `dir`, in subdirectories too, sorted.
pub fn python_files_recursive(dir: &Path) -> Vec<PathBuf> {
    let mut files = python_files(dir);
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(python_files_recursive(&path));
        }
    }
    files.sort();
    files
}

/// Writes the files of a multi-file example into `dir`: each `# file: PATH` line starts
/// a new file (the marker line itself is left out). Returns the written paths, sorted.
pub fn materialise(dir: &Path, example: &str) -> Vec<PathBuf> {
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    for line in example.lines() {
        if let Some(name) = line.strip_prefix("# file: ") {
            files.push((dir.join(name.trim()), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
            text.push('\n');
        }
    }
    assert!(!files.is_empty(), "no `# file:` markers in:\n{example}");
    let mut paths = Vec::new();
    for (path, text) in files {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        // Blank lines between files are separators, not content.
        std::fs::write(&path, text.trim_end().to_owned() + "\n").unwrap();
        paths.push(path);
    }
    paths.sort();
    paths
}

/// Runs the built binary in `dir`, without colours.
pub fn run_pitfall(args: &[&str], dir: &Path) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}
