//! Arbitrary bytes as a Python file: decode → parse → every rule → every output format,
//! and the fix engine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    pitfall_fuzz::check_bytes(data);
});
