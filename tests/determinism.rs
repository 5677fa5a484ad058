//! The same input gives the same output, byte for byte: whatever the number of worker
//! threads, and run after run.

mod common;

use std::process::{Command, Output};

const FORMATS: &[&str] = &["full", "concise", "json", "sarif"];
const RUNS: usize = 20;

fn check_fixtures(format: &str, threads: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(["check", "--isolated", "--select", "ALL"])
        .args(["--output-format", format, "--threads", threads, "fixtures"])
        .current_dir(common::root())
        .env_remove("NO_COLOR")
        .env_remove("FORCE_HYPERLINK")
        .env("COLUMNS", "100")
        .output()
        .unwrap()
}

#[test]
fn output_is_byte_identical_across_thread_counts_and_runs() {
    for &format in FORMATS {
        let reference = check_fixtures(format, "1");
        assert_eq!(reference.status.code(), Some(1), "{format}");
        assert!(
            reference.stdout.len() > 10_000,
            "{format}: {} bytes",
            reference.stdout.len()
        );
        // The runs go in parallel batches, alternating one and two threads.
        for batch in (0..RUNS).collect::<Vec<_>>().chunks(5) {
            let outputs: Vec<Output> = std::thread::scope(|scope| {
                let runs: Vec<_> = batch
                    .iter()
                    .map(|run| {
                        let threads = if run % 2 == 0 { "2" } else { "1" };
                        scope.spawn(move || check_fixtures(format, threads))
                    })
                    .collect();
                runs.into_iter().map(|r| r.join().unwrap()).collect()
            });
            for (run, output) in batch.iter().zip(outputs) {
                assert!(
                    output.stdout == reference.stdout,
                    "{format}: run {run} differs from the first"
                );
                assert_eq!(output.stderr, reference.stderr, "{format}: run {run}");
                assert_eq!(output.status.code(), Some(1));
            }
        }
    }
}
