//! The per-file pipeline (decode, parse, walk with every rule, place findings) on a few
//! representative files, and parsing alone beside it for the floor.
//!
//! The files come from the benchmark corpus (`bench/run.sh` builds it next to the repo;
//! `PITFALL_BENCH_CORPUS` points elsewhere). Without it, the rules' own fixtures stand
//! in, concatenated into one file.

use std::path::{Path, PathBuf};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pitfall::checker;
use pitfall::config::Settings;
use pitfall::registry;

/// A CPython module heavy on typing, a Django module heavy on classes and methods, and
/// a SymPy module heavy on arithmetic.
const CORPUS_FILES: &[&str] = &[
    "cpython-lib/typing.py",
    "django-6.1.3/django/db/models/query.py",
    "sympy-1.14.0/sympy/core/expr.py",
];

fn inputs() -> Vec<(String, PathBuf, String)> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::var_os("PITFALL_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest.join("../bench-corpus"));
    let found: Vec<_> = CORPUS_FILES
        .iter()
        .filter_map(|name| {
            let path = corpus.join(name);
            let text = checker::read_source(&path).ok()?;
            let label = Path::new(name).file_name()?.to_string_lossy().into_owned();
            Some((label, path, text))
        })
        .collect();
    if !found.is_empty() {
        return found;
    }
    let mut text = String::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(manifest.join("fixtures"))
        .expect("fixtures/ exists")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    dirs.sort();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .filter_map(|entry| Some(entry.ok()?.path()))
            .filter(|path| path.extension().is_some_and(|ext| ext == "py"))
            .collect();
        files.sort();
        for file in files {
            text.push_str(&std::fs::read_to_string(file).unwrap_or_default());
            text.push('\n');
        }
    }
    vec![("fixtures".to_owned(), PathBuf::from("fixtures.py"), text)]
}

fn pipeline(c: &mut Criterion) {
    let settings = Settings::for_rules(registry::RULES);
    let mut group = c.benchmark_group("pipeline");
    group.sample_size(20);
    for (label, path, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("check/{label}"), |b| {
            b.iter(|| checker::check_source(&path, text.clone(), &settings, false))
        });
        group.bench_function(format!("parse/{label}"), |b| {
            b.iter(|| pitfall::ast::parse_for(&text, false, None))
        });
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
