//! Running checks so that no input can take the server down: on a thread with the
//! CLI's large stack (the walker recurses once per nesting level), with panics caught
//! and turned into an error message for the one file that caused them.

use std::panic::{self, AssertUnwindSafe};

use crate::cli::WORKER_STACK_BYTES;

/// Runs `work` on a fresh thread with a large stack and waits for it. A panic becomes
/// `Err` with the panic's message.
pub fn isolated<T: Send>(work: impl FnOnce() -> T + Send) -> Result<T, String> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("pitfall-check".to_owned())
            .stack_size(WORKER_STACK_BYTES)
            .spawn_scoped(scope, || panic::catch_unwind(AssertUnwindSafe(work)))
            .map_err(|error| format!("cannot start a checking thread: {error}"))?;
        match worker.join() {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(payload)) | Err(payload) => Err(panic_message(payload.as_ref())),
        }
    })
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic without a message".to_owned()
    }
}

/// Fault injection for the tests, in debug builds only: with
/// `PITFALL_SERVER_PANIC_ON=TEXT` in the environment, checking a document that contains
/// `TEXT` panics, so that the tests can watch a panic become a logged error. Release
/// builds compile this to nothing.
pub fn injected_fault(text: &str) {
    if cfg!(debug_assertions)
        && let Some(marker) = std::env::var_os("PITFALL_SERVER_PANIC_ON")
        && text.contains(&*marker.to_string_lossy())
    {
        panic!("injected fault (PITFALL_SERVER_PANIC_ON)");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_its_message() {
        let caught = isolated(|| -> u8 { panic!("rule {} broke", 7) });
        assert_eq!(caught, Err("rule 7 broke".to_owned()));
        assert_eq!(isolated(|| 41 + 1), Ok(42));
    }

    #[test]
    fn the_worker_has_a_deep_stack() {
        // Far more than the 2 MiB of an ordinary spawned thread.
        fn depth(n: u64) -> u64 {
            let pad = [n; 64];
            if n == 0 {
                0
            } else {
                std::hint::black_box(pad)[0].min(1) + depth(n - 1)
            }
        }
        assert_eq!(isolated(|| depth(20_000)), Ok(20_000));
    }
}
