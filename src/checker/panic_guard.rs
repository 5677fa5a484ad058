//! The last line of defence: a panic while checking one file becomes an error for that
//! file, naming the rule that was running, and the other files are still checked.
//!
//! Stack overflows are not panics and cannot be caught; the walker's depth limit and
//! the workers' large stacks keep those away.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::rule::RuleMeta;

thread_local! {
    /// The rule whose `check` is running on this thread, if any.
    static CURRENT_RULE: Cell<Option<&'static RuleMeta>> = const { Cell::new(None) };
    /// Set while [`catch`] runs: the panic hook then records instead of printing.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static LOCATION: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f` as the `check` of `rule`, so that a panic inside it is blamed on the rule.
pub fn in_rule<T>(rule: &'static RuleMeta, f: impl FnOnce() -> T) -> T {
    let outer = CURRENT_RULE.replace(Some(rule));
    let value = f();
    CURRENT_RULE.set(outer);
    value
}

/// Runs `f`; a panic becomes `Err` with a message for the user that names the rule
/// that was running (when one was) and where pitfall panicked.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    install_hook();
    let was_guarded = GUARDED.replace(true);
    let outer_rule = CURRENT_RULE.replace(None);
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.set(was_guarded);
    let rule = CURRENT_RULE.replace(outer_rule);
    result.map_err(|payload| {
        let location = LOCATION.take().unwrap_or_default();
        let during = rule.map_or_else(
            || "while checking this file".to_owned(),
            |rule| format!("in rule {} {}", rule.code, rule.name),
        );
        format!(
            "internal error: pitfall panicked {during}: {}{location}; the file was not checked (please report this with the file)",
            message(payload.as_ref())
        )
    })
}

fn message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(no message)".to_owned()
    }
}

/// Panics inside [`catch`] are reported through its result, so the default hook's
/// "thread panicked" text would only repeat it; everywhere else the default hook runs.
fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if GUARDED.get() {
                let location = info
                    .location()
                    .map(|l| format!(" (at {}:{})", l.file(), l.line()));
                LOCATION.set(location);
            } else {
                default(info);
            }
        }));
    });
}

/// A panic that only debug builds can be told to raise, to test the guard through the
/// binary: with `PITFALL_DEBUG_PANIC=<rule-name>`, that rule panics on files containing
/// `pitfall-debug-panic`. Returns the rule name to panic in, for this file's `source`.
/// Release builds have no such switch.
#[cfg(debug_assertions)]
pub fn debug_trigger(source: &str) -> Option<&'static str> {
    static WANTED: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let wanted = WANTED.get_or_init(|| std::env::var("PITFALL_DEBUG_PANIC").ok());
    wanted
        .as_deref()
        .filter(|_| source.contains("pitfall-debug-panic"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_caught_and_blamed_on_the_running_rule() {
        let rule = &crate::rules::none_comparison::META;
        let error = catch(|| in_rule(rule, || panic!("boom"))).unwrap_err();
        assert!(
            error.contains("in rule PF101 none-comparison: boom"),
            "{error}"
        );
        assert!(error.contains("panic_guard.rs"), "{error}");
        // The rule is forgotten once the guard returns.
        let error = catch(|| panic!("{}", String::from("later"))).unwrap_err();
        assert!(error.contains("while checking this file: later"), "{error}");
        assert_eq!(catch(|| 7), Ok(7));
    }
}
