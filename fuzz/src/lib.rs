//! What both fuzz targets run: decode → parse → every rule → every output format, plus
//! the fix engine, on a worker thread with the same large stack the binary gives its
//! workers. A panic anywhere aborts the process (libFuzzer's panic hook), which the
//! fuzzer reports as a crash.

pub mod mutate;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use clap::ValueEnum;
use pitfall::checker;
use pitfall::config::Settings;
use pitfall::fix::{self, FixMode};
use pitfall::registry;
use pitfall::render::{self, OutputFormat, Style};

/// As `WORKER_STACK_BYTES` in the binary's `cli.rs`.
const STACK_BYTES: usize = 64 * 1024 * 1024;

fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(|| Settings::for_rules(registry::RULES))
}

/// Runs the whole pipeline on `bytes` as the contents of a file.
pub fn check_bytes(bytes: &[u8]) {
    let Ok(text) = pitfall::source::decode(bytes.to_vec()) else {
        return;
    };
    // Stub grammar differs a little (`...` bodies); give it a share of the inputs.
    let path = if bytes.len() % 5 == 0 { "fuzz.pyi" } else { "fuzz.py" };
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, || check_text(Path::new(path), text))
            .expect("a worker thread starts");
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

fn check_text(path: &Path, text: String) {
    let settings = settings();
    let result = checker::check_source(path, text.clone(), settings, true);
    assert!(result.error.is_none(), "decoded text always gets checked");
    render_everything(path, &text, &result.findings);

    let fixed = fix::fix_source(
        path,
        text.clone(),
        settings,
        FixMode { unsafe_fixes: true },
        false,
    );
    if fixed.count > 0 {
        let is_stub = path.extension().is_some_and(|e| e == "pyi");
        let errors = |t: &str| pitfall::ast::parse(t, is_stub).errors.len();
        assert!(
            errors(&fixed.text) <= errors(&text),
            "a fix added a syntax error:\n--- before\n{text}\n--- after\n{}",
            fixed.text
        );
    }
    if fixed.refused.is_some() {
        assert_eq!(fixed.text, text, "a refused fix leaves the text as it was");
    }
}

fn render_everything(path: &Path, text: &str, findings: &[pitfall::finding::Finding]) {
    let sources: HashMap<PathBuf, Arc<str>> = [(path.to_owned(), Arc::from(text))].into();
    for &format in OutputFormat::value_variants() {
        for color in [false, true] {
            let style = Style {
                color,
                links: color,
                width: 80,
            };
            let mut out = Vec::new();
            render::write(&mut out, format, findings, &sources, style).expect("writes to a Vec");
            let out = String::from_utf8(out).expect("output is UTF-8");
            match format {
                OutputFormat::Json | OutputFormat::Sarif => {
                    serde_json::from_str::<serde_json::Value>(&out).expect("valid JSON");
                }
                OutputFormat::JsonLines => {
                    for line in out.lines() {
                        serde_json::from_str::<serde_json::Value>(line).expect("valid JSON line");
                    }
                }
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    render::write_statistics(&mut out, findings).expect("writes to a Vec");
}
