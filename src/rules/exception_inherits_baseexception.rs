//! PF706: a user-defined exception that derives directly from `BaseException`, so
//! `except Exception` handlers let it through as if it were Ctrl-C.
//!
//! Classes that deliberately behave like `KeyboardInterrupt` or `SystemExit` are left
//! alone: their name says they stop or cancel something (`WorkerExit`, `JobCancelled`),
//! or their docstring or comments say why they bypass `except Exception`.

use crate::ast::{AnyNodeRef, Expr, NodeKind, Ranged, StmtClassDef, TextSize};
use crate::checker::Context;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF706",
    name: "exception-inherits-baseexception",
    summary: "an exception class derived from `BaseException` escapes every `except Exception` \
              handler",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/exception-inherits-baseexception.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// Word stems in a class name that announce a stop signal rather than an error
/// (`WorkerExit`, `TaskCancelled`, `AbortRequest`, `Terminated`).
const SIGNAL_WORDS: &[&str] = &[
    "exit",
    "interrupt",
    "cancel",
    "abort",
    "terminat",
    "quit",
    "kill",
    "shut",
    "stop",
];

/// Text in the class body (docstring or comments) showing the author chose
/// `BaseException` on purpose.
const INTENT_MARKERS: &[&str] = &[
    "BaseException",
    "except Exception",
    "KeyboardInterrupt",
    "SystemExit",
    "GeneratorExit",
    "CancelledError",
    "sentinel",
    "not be caught",
    "bypass",
];

/// How much of a class body is searched for an intent marker.
const INTENT_WINDOW: u32 = 2048;

pub struct ExceptionInheritsBaseexception;

impl Rule for ExceptionInheritsBaseexception {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtClassDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtClassDef(class) = node else {
            return;
        };
        let Some(base) = class
            .bases()
            .iter()
            .find(|base| names_builtin(base, ctx, "BaseException"))
        else {
            return;
        };
        // Stubs describe classes defined elsewhere; tests define such classes to check
        // that handlers let them through.
        if ctx.is_stub()
            || ctx.in_test_code()
            || class
                .bases()
                .iter()
                .any(|other| names_builtin(other, ctx, "Exception"))
            || names_a_signal(class.name.as_str())
            || states_intent(class, ctx)
        {
            return;
        }
        let name = class.name.as_str();
        report.add(
            base.range(),
            format!(
                "`{name}` derives from `BaseException`, not `Exception`, so `except Exception` \
                 handlers (request middleware, retry loops, `socketserver`) let it through \
                 as if it were Ctrl-C"
            ),
            format!(
                "derive `{name}` from `Exception` (or a more specific built-in such as \
                 `ValueError` or `RuntimeError`); keep `BaseException` for stop signals that \
                 must bypass error handlers, and say so in the docstring"
            ),
        );
        report.attach_to_last(exception_base_suggestion(base, name));
    }
}

/// Whether `expr` names the builtin `name`, bare or as `builtins.<name>`.
fn names_builtin(expr: &Expr, ctx: &Context, name: &str) -> bool {
    ctx.qualified_name(expr).is_some_and(|qualified| {
        qualified == name || qualified.strip_prefix("builtins.") == Some(name)
    })
}

/// Whether a word of the class name (split at underscores and capitals, keeping
/// acronyms together) is a stop signal: `WorkerExit`, `_TaskCancelled`, `HTTPAbort`,
/// `ABORT_REQUEST`.
fn names_a_signal(name: &str) -> bool {
    let chars: Vec<char> = name.chars().collect();
    let mut words: Vec<String> = vec![String::new()];
    for (i, &ch) in chars.iter().enumerate() {
        if ch == '_' {
            words.push(String::new());
            continue;
        }
        let previous = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let starts_word = ch.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if starts_word {
            words.push(String::new());
        }
        if let Some(word) = words.last_mut() {
            word.extend(ch.to_lowercase());
        }
    }
    words
        .iter()
        .any(|word| SIGNAL_WORDS.iter().any(|stem| word.starts_with(stem)))
}

/// Whether the start of the class body (its docstring, comments and first statements)
/// explains the choice of `BaseException`.
fn states_intent(class: &StmtClassDef, ctx: &Context) -> bool {
    let Some(first) = class.body.first() else {
        return false;
    };
    // From the end of the header, so comments between `:` and the first statement count.
    let header_end = class
        .arguments
        .as_ref()
        .map_or(class.name.end(), |a| a.end());
    let start = header_end.min(first.start());
    let end = class.end().min(start + TextSize::new(INTENT_WINDOW));
    let source = ctx.source();
    let mut window_end = usize::from(end);
    while !source.is_char_boundary(window_end) {
        window_end -= 1;
    }
    let Some(text) = source.get(usize::from(start)..window_end) else {
        return false;
    };
    INTENT_MARKERS.iter().any(|marker| text.contains(marker))
}

/// `BaseException` replaced by `Exception` in the class's bases, for teach mode.
/// Display-only: code that relied on the class escaping `except Exception` changes.
fn exception_base_suggestion(base: &Expr, class: &str) -> Option<crate::rule::Fix> {
    Some(crate::rule::Fix::display_only(
        format!("derive `{class}` from `Exception`"),
        vec![crate::rule::Edit::replace(base.range(), "Exception")],
    ))
}
