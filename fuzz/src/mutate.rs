//! Grammar-aware mutations: programs built from the lines of real Python files, spliced,
//! re-indented, wrapped in blocks and salted with Python tokens, so the fuzzer spends
//! its time on almost-valid code, where rules do the most work, instead of on noise.

use std::path::Path;
use std::sync::OnceLock;

use arbitrary::Arbitrary;

/// The line pool: every line of fixtures/ and tests/regressions/, plus the files
/// under the directories in `PITFALL_FUZZ_LINES` (colon-separated), in a fixed order
/// so an input means the same program on every run with the same environment.
struct Pool {
    files: Vec<Vec<String>>,
    lines: Vec<String>,
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut dirs = vec![root.join("fixtures"), root.join("tests/regressions")];
        if let Some(extra) = std::env::var_os("PITFALL_FUZZ_LINES") {
            dirs.extend(std::env::split_paths(&extra));
        }
        let mut paths = Vec::new();
        for dir in dirs {
            collect(&dir, &mut paths);
        }
        paths.sort();
        let files: Vec<Vec<String>> = paths
            .iter()
            .filter_map(|p| std::fs::read(p).ok())
            .map(|bytes| {
                String::from_utf8_lossy(&bytes)
                    .split_inclusive('\n')
                    .map(|l| l.trim_end_matches(['\r', '\n']).to_owned())
                    .collect()
            })
            .collect();
        let lines = files.iter().flatten().cloned().collect();
        Pool { files, lines }
    })
}

fn collect(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "py" || e == "pyi") {
            out.push(path);
        }
    }
}

/// Fragments that make or break Python's structure, and the constructs rules look for.
const TOKENS: &[&str] = &[
    "(", ")", "[", "]", "{", "}", ":", ",", ";", "\\", "=", ":=", "*", "**", "->", "@",
    ".", "...", "'", "\"", "'''", "\"\"\"", "f'{", "}'", "f\"{x!r:>{w}}\"", "b'\\x00'",
    "lambda", "lambda: x", "async ", "await ", "yield", "yield from ", "return", "return 1",
    "global x", "nonlocal x", "del x", "pass", "break", "continue", "raise", "from e",
    "def f(x=[]):", "def f(self, *a, **k):", "class C(A, B):", "class E(BaseException):",
    "try:", "except:", "except* ValueError as e:", "finally:", "else:", "elif y:",
    "if x:", "for x in xs:", "async for x in xs:", "while True:", "with open(p) as f:",
    "match x:", "case [a, *rest] if a:", "case _:", "type X[T] = list[T]", "@decorator",
    "@staticmethod", "@functools.lru_cache", "__slots__ = ('a',)", "def __init__(self):",
    "def __eq__(self, o):", "== None", "!= True", "is 1", "type(x) == int", "x in [1, 2]",
    "xs.pop(0)", "s += 'a'", "sum([x for x in y])", "open(p)", "time.sleep(1)", "assert x",
    "# noqa", "# noqa: PF301", "# noqa: B006, E711", "# pitfall: noqa", "# type: ignore",
    "# pylint: disable=bare-except", "# -*- coding: latin-1 -*-", "# coding: utf-8",
    "print 'x'", "exec 'x'", "`x`", "0777", "ur''", "<>", "\t", "    ", "\x0c", "\u{feff}",
    "é", "𝔘", "\u{200b}", "\r", "\n",
];

#[derive(Arbitrary, Debug)]
enum Op {
    /// Inserts a line from the pool.
    Splice { line: u16, at: u16 },
    Delete { at: u16 },
    Duplicate { at: u16 },
    Swap { a: u16, b: u16 },
    /// Changes a line's indentation (spaces or a tab).
    Indent { at: u16, width: u8, tab: bool },
    Dedent { at: u16 },
    /// Puts `count` lines under a new block header, indented.
    Wrap { at: u16, count: u8, header: u8 },
    /// Inserts a token into a line at a character column.
    Token { at: u16, column: u8, token: u8 },
    /// Cuts a line at a character column.
    Truncate { at: u16, column: u8 },
}

#[derive(Arbitrary, Debug)]
pub struct Program {
    base: u16,
    ops: Vec<Op>,
    /// 0: `\n`, 1: `\r\n`, 2: `\r`, 3: a mix.
    endings: u8,
    final_newline: bool,
}

fn pick(len: usize, i: u16) -> Option<usize> {
    (len > 0).then(|| usize::from(i) % len)
}

fn char_index(line: &str, column: u8) -> usize {
    let chars = line.chars().count();
    let at = usize::from(column) % (chars + 1);
    line.char_indices().nth(at).map_or(line.len(), |(i, _)| i)
}

impl Program {
    /// The program's source bytes.
    pub fn render(&self) -> Vec<u8> {
        let pool = pool();
        let mut lines: Vec<String> = pick(pool.files.len(), self.base)
            .map(|i| pool.files[i].clone())
            .unwrap_or_default();
        for op in self.ops.iter().take(64) {
            apply(op, &mut lines, pool);
        }
        let mut out = String::new();
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push_str(match self.endings % 4 {
                    0 => "\n",
                    1 => "\r\n",
                    2 => "\r",
                    _ => ["\n", "\r\n", "\r"][i % 3],
                });
            }
            out.push_str(line);
        }
        if self.final_newline {
            out.push('\n');
        }
        out.into_bytes()
    }
}

fn apply(op: &Op, lines: &mut Vec<String>, pool: &Pool) {
    let len = lines.len();
    match *op {
        Op::Splice { line, at } => {
            if let Some(source) = pick(pool.lines.len(), line) {
                let at = usize::from(at) % (len + 1);
                lines.insert(at, pool.lines[source].clone());
            }
        }
        Op::Delete { at } => {
            if let Some(at) = pick(len, at) {
                lines.remove(at);
            }
        }
        Op::Duplicate { at } => {
            if let Some(at) = pick(len, at) {
                lines.insert(at, lines[at].clone());
            }
        }
        Op::Swap { a, b } => {
            if let (Some(a), Some(b)) = (pick(len, a), pick(len, b)) {
                lines.swap(a, b);
            }
        }
        Op::Indent { at, width, tab } => {
            if let Some(at) = pick(len, at) {
                let indent = if tab {
                    "\t".to_owned()
                } else {
                    " ".repeat(usize::from(width % 9))
                };
                lines[at].insert_str(0, &indent);
            }
        }
        Op::Dedent { at } => {
            if let Some(at) = pick(len, at) {
                lines[at] = lines[at].trim_start().to_owned();
            }
        }
        Op::Wrap { at, count, header } => {
            if let Some(at) = pick(len, at) {
                let end = (at + usize::from(count % 8) + 1).min(len);
                for line in &mut lines[at..end] {
                    line.insert_str(0, "    ");
                }
                let headers: Vec<&&str> = TOKENS.iter().filter(|t| t.ends_with(':')).collect();
                let header = headers[usize::from(header) % headers.len()];
                let indent: String = lines[at]
                    .chars()
                    .skip(4)
                    .take_while(|c| *c == ' ' || *c == '\t')
                    .collect();
                lines.insert(at, format!("{indent}{header}"));
            }
        }
        Op::Token { at, column, token } => {
            if let Some(at) = pick(len, at) {
                let i = char_index(&lines[at], column);
                lines[at].insert_str(i, TOKENS[usize::from(token) % TOKENS.len()]);
            } else {
                lines.push(TOKENS[usize::from(token) % TOKENS.len()].to_owned());
            }
        }
        Op::Truncate { at, column } => {
            if let Some(at) = pick(len, at) {
                let i = char_index(&lines[at], column);
                lines[at].truncate(i);
            }
        }
    }
}
