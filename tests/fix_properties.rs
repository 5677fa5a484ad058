//! `--fix` never corrupts a file: on every fixture and on generated programs, the fixed
//! file parses, a second `--fix` changes nothing, only the flagged ranges change, and
//! permissions, line endings and a byte-order mark are kept. A write that fails midway
//! leaves the original intact.

mod common;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

use proptest::prelude::*;
use serde_json::Value;

const MODE: u32 = 0o640;
const BOM: &str = "\u{feff}";

fn pitfall(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--isolated", "--select", "ALL"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn syntax_errors(text: &str, path: &Path) -> usize {
    let stub = path.extension().is_some_and(|e| e == "pyi");
    pitfall::ast::parse(text, stub).errors.len()
}

/// Byte offset of a 1-based line and character column, counting lines the way pitfall
/// does (`\n`, `\r\n` and `\r` each end one).
fn offset(text: &str, line: usize, column: usize) -> usize {
    let mut at = 0;
    for _ in 1..line {
        let rest = &text[at..];
        let end = rest.find(['\n', '\r']).expect("the line exists");
        at += end
            + if rest[end..].starts_with("\r\n") {
                2
            } else {
                1
            };
    }
    text[at..]
        .char_indices()
        .nth(column - 1)
        .map_or(text.len(), |(i, _)| at + i)
}

/// The byte ranges that fixes of `findings` (pitfall's JSON) may change, merged.
/// Whether `--fix --unsafe-fixes` applies the finding's fix: display-only suggestions
/// (teach mode's rewrites) are never applied.
fn applied_by_fix(finding: &Value) -> bool {
    !finding["fix"].is_null() && finding["fix"]["applicability"] != "display-only"
}

fn fix_ranges(text: &str, findings: &[Value]) -> Vec<(usize, usize)> {
    let place = |p: &Value| {
        offset(
            text,
            p["line"].as_u64().unwrap() as usize,
            p["column"].as_u64().unwrap() as usize,
        )
    };
    let mut ranges: Vec<(usize, usize)> = findings
        .iter()
        .filter(|f| applied_by_fix(f))
        .filter_map(|f| f["fix"]["edits"].as_array())
        .flatten()
        .map(|edit| (place(&edit["start"]), place(&edit["end"])))
        .collect();
    ranges.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Fails unless `fixed` is `original` with only the text inside `ranges` replaced:
/// every piece between the ranges is still there, whole and in order.
fn assert_only_ranges_changed(name: &str, original: &str, fixed: &str, ranges: &[(usize, usize)]) {
    let mut kept = Vec::new();
    let mut at = 0;
    for &(start, end) in ranges {
        kept.push(&original[at..start]);
        at = end;
    }
    kept.push(&original[at..]);
    let mut cursor = 0;
    for (i, piece) in kept.iter().enumerate() {
        let found = if i == 0 {
            fixed.starts_with(piece).then_some(0)
        } else if i == kept.len() - 1 {
            (fixed.len() >= cursor + piece.len() && fixed.ends_with(piece))
                .then(|| fixed.len() - piece.len())
        } else {
            fixed[cursor..].find(piece).map(|p| cursor + p)
        };
        let Some(found) = found else {
            panic!(
                "{name}: text outside the fixes changed: {piece:?} is gone\n--- original\n{original}\n--- fixed\n{fixed}"
            );
        };
        cursor = found + piece.len();
    }
}

fn assert_line_endings_kept(name: &str, original: &str, fixed: &str) {
    let crlf_only = |t: &str| {
        t.contains("\r\n")
            && t.matches('\n').count() == t.matches("\r\n").count()
            && t.matches('\r').count() == t.matches("\r\n").count()
    };
    if crlf_only(original) {
        assert!(
            crlf_only(fixed),
            "{name}: CRLF endings were not kept:\n{fixed:?}"
        );
    }
    if !original.contains('\r') {
        assert!(!fixed.contains('\r'), "{name}: a CR appeared:\n{fixed:?}");
    }
}

/// Fixes every Python file under `dir` (all with mode [`MODE`]) and checks each one
/// against its text before.
fn fix_and_verify(dir: &Path, files: &[String]) {
    let before: Vec<String> = files
        .iter()
        .map(|f| fs::read_to_string(dir.join(f)).unwrap())
        .collect();
    let out = pitfall(dir, &["--output-format", "json", "--exit-zero", "."]);
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();

    let out = pitfall(dir, &["--fix", "--unsafe-fixes", "--exit-zero", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("would not parse"),
        "a fix was refused: {}",
        stderr(&out)
    );
    let mut changed = 0;
    for (file, original) in files.iter().zip(&before) {
        let path = dir.join(file);
        let fixed = fs::read_to_string(&path).unwrap();
        let stem = |t: &str| t.strip_prefix(BOM).unwrap_or(t).to_owned();
        assert_eq!(
            original.starts_with(BOM),
            fixed.starts_with(BOM),
            "{file}: BOM"
        );
        let (original, fixed) = (stem(original), stem(&fixed));
        changed += usize::from(original != fixed);
        assert!(
            syntax_errors(&fixed, &path) <= syntax_errors(&original, &path),
            "{file}: the fix broke the syntax:\n{fixed}"
        );
        let mine: Vec<Value> = findings
            .iter()
            .filter(|f| Path::new(f["path"].as_str().unwrap()) == Path::new(".").join(file))
            .cloned()
            .collect();
        assert_only_ranges_changed(file, &original, &fixed, &fix_ranges(&original, &mine));
        assert_line_endings_kept(file, &original, &fixed);
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, MODE, "{file}: permissions");
    }
    let fixable = findings.iter().any(applied_by_fix);
    assert_eq!(
        changed > 0,
        fixable,
        "fixable findings and changed files disagree"
    );

    // A second run finds nothing left to fix.
    let after: Vec<Vec<u8>> = files
        .iter()
        .map(|f| fs::read(dir.join(f)).unwrap())
        .collect();
    let out = pitfall(dir, &["--fix", "--unsafe-fixes", "--exit-zero", "."]);
    assert!(!stderr(&out).contains("Fixed"), "{}", stderr(&out));
    for (file, bytes) in files.iter().zip(after) {
        assert_eq!(
            fs::read(dir.join(file)).unwrap(),
            bytes,
            "{file}: second --fix"
        );
    }
}

fn set_mode(path: &Path) {
    fs::set_permissions(path, fs::Permissions::from_mode(MODE)).unwrap();
}

#[test]
fn fixing_every_fixture_is_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (name, source) in common::fixture_dirs() {
        for file in common::python_files(&source) {
            let relative = format!("{name}/{}", file.file_name().unwrap().to_string_lossy());
            let target = dir.path().join(&relative);
            fs::create_dir_all(target.parent().unwrap()).unwrap();
            fs::copy(&file, &target).unwrap();
            set_mode(&target);
            files.push(relative);
        }
    }
    assert!(files.len() > 50);
    fix_and_verify(dir.path(), &files);
}

/// Statements with fixable pitfalls, and look-alikes without. `U` is one indent.
const STATEMENTS: &[&[&str]] = &[
    &["x = y == None"],
    &["if a != None and b:", "U pass"],
    &["ok = flag == True"],
    &["same = type(v) == int"],
    &["total = sum([i * 2 for i in items])"],
    &["best = max([len(w) for w in words], default=0)"],
    &["square = lambda n: n * n"],
    &["try:", "U risky()", "except:", "U pass"],
    &[
        "def collect(item, into=[]):",
        "U \"\"\"Collect.\"\"\"",
        "U into.append(item)",
        "U return into",
    ],
    &["def lookup(k, cache={}):", "U return cache.get(k)"],
    &["if (q ==", "        None):", "U pass"],
    &["print(value)  # plain code"],
    &["data = {'a': 1} == None  # noqa"],
    &["s = 'x == None'"],
    &["# a comment with == None"],
    &[""],
];

/// Blocks a statement can be put in.
const WRAPPERS: &[&str] = &[
    "if cond:",
    "for i in range(3):",
    "def outer():",
    "class K:",
    "with ctx:",
    "while running:",
];

#[derive(Debug, Clone)]
struct Program {
    /// (statement, wrappers around it from the outside in, trailing comment)
    statements: Vec<(usize, Vec<usize>, bool)>,
    tabs: bool,
    crlf: bool,
    bom: bool,
    final_newline: bool,
}

impl Program {
    fn text(&self) -> String {
        let unit = if self.tabs { "\t" } else { "    " };
        let mut lines: Vec<String> = Vec::new();
        for (statement, wrappers, comment) in &self.statements {
            for (depth, &w) in wrappers.iter().enumerate() {
                lines.push(format!("{}{}", unit.repeat(depth), WRAPPERS[w]));
            }
            let base = unit.repeat(wrappers.len());
            let body = STATEMENTS[*statement];
            for (i, line) in body.iter().enumerate() {
                let line = line.replace('U', unit);
                let mut line = if line.is_empty() {
                    line
                } else {
                    format!("{base}{line}")
                };
                if *comment && i == 0 && !line.is_empty() && !line.contains('#') {
                    line.push_str("  # why not");
                }
                lines.push(line);
            }
            let has_code = body.iter().any(|l| !l.is_empty() && !l.starts_with('#'));
            if !has_code && !wrappers.is_empty() {
                lines.push(format!("{base}pass"));
            }
        }
        let ending = if self.crlf { "\r\n" } else { "\n" };
        let mut text = lines.join(ending);
        if self.final_newline {
            text.push_str(ending);
        }
        if self.bom {
            text.insert_str(0, BOM);
        }
        text
    }
}

fn program() -> impl Strategy<Value = Program> {
    let statement = (
        0..STATEMENTS.len(),
        prop::collection::vec(0..WRAPPERS.len(), 0..3),
        any::<bool>(),
    );
    (
        prop::collection::vec(statement, 1..8),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.8),
    )
        .prop_map(|(statements, tabs, crlf, bom, final_newline)| Program {
            statements,
            tabs,
            crlf,
            bom,
            final_newline,
        })
}

proptest! {
    // Modest, so CI stays fast; failures print the program instead of saving a file.
    // A fixed seed keeps CI deterministic; `PROPTEST_RNG_SEED=N` explores other programs.
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_seed: match std::env::var_os("PROPTEST_RNG_SEED") {
            Some(_) => ProptestConfig::default().rng_seed,
            None => proptest::test_runner::RngSeed::Fixed(0x5EED_F1E5),
        },
        ..ProptestConfig::default()
    })]

    #[test]
    fn fixing_generated_programs_is_safe(program in program()) {
        let text = program.text();
        let path = Path::new("program.py");
        prop_assert_eq!(syntax_errors(text.trim_start_matches(BOM), path), 0, "the generator made bad code:\n{}", text);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(path), &text).unwrap();
        set_mode(&dir.path().join(path));
        fix_and_verify(dir.path(), &["program.py".to_owned()]);
    }
}

/// Debug builds can be told to fail the write of a fix (see `fix::write_atomic`): at
/// the rename, or halfway through writing the temporary file.
#[cfg(debug_assertions)]
#[test]
fn an_interrupted_write_leaves_the_original_intact() {
    let original = "x = y == None\r\ndef f(a=[]):\r\n    return a\r\n";
    for stage in ["midway", "rename"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.py");
        fs::write(&path, original).unwrap();
        set_mode(&path);
        let out = Command::new(env!("CARGO_BIN_EXE_pitfall"))
            .args(["check", "--isolated", "--fix", "--unsafe-fixes", "app.py"])
            .current_dir(dir.path())
            .env("PITFALL_DEBUG_FAIL_WRITE", stage)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{stage}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "error: app.py: cannot write the fixes: injected failure ({stage})"
            )),
            "{stage}: {}",
            stderr(&out)
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), original, "{stage}");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, MODE, "{stage}");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            ["app.py"],
            "{stage}: a temporary file was left behind"
        );
    }
}
