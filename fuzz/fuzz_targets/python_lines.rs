//! Programs spliced from the lines of real Python files (see `mutate.rs`), through the
//! same pipeline as the `bytes` target. `PITFALL_FUZZ_PRINT=1` prints each program, to
//! turn a crash into a regression file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pitfall_fuzz::mutate::Program;

fuzz_target!(|program: Program| {
    let bytes = program.render();
    if std::env::var_os("PITFALL_FUZZ_PRINT").is_some() {
        eprintln!("{}", String::from_utf8_lossy(&bytes));
    }
    pitfall_fuzz::check_bytes(&bytes);
});
