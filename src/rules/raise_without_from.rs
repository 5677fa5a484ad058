//! PF704: `raise NewError(...)` inside an `except` block without `from`, so the
//! traceback presents the translation as a crash inside the handler.
//!
//! Only a *new* exception is reported: a call (`raise ConfigError(...)`) or a class named
//! by its capitalised name (`raise ConfigError`). Re-raising what was caught (`raise`,
//! `raise err`, `raise err.with_traceback(tb)`), raising a stored exception object
//! (`raise self.error`), and control-flow exceptions whose traceback is never shown
//! (`SystemExit`, `StopIteration`) or that Django shows only as a message (`Http404`,
//! `ValidationError`, `CommandError`) stay silent, as do a restatement of the caught class
//! (`except KeyError: raise KeyError(msg)`) and a new error given the caught one as an
//! argument (`raise wrap(err)`, `raise Failed(path, sys.exc_info())`, or `info` after
//! `info = sys.exc_info()`).

use crate::ast::{
    AnyNodeRef, ExceptHandlerExceptHandler, Expr, NodeKind, Ranged, Stmt, StmtTry, TextRange,
};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::bare_except::exc_info_alias;

pub static META: RuleMeta = RuleMeta {
    code: "PF704",
    name: "raise-without-from",
    summary: "a new exception raised in an `except` block without `from` reads like a crash \
              in the handler",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/raise-without-from.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B904",
            name: "raise-without-from-inside-except",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B904",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0707",
            name: "raise-missing-from",
        },
    ],
};

/// Exceptions that end the program, a generator or an iteration: whatever consumes them
/// prints no traceback, so how they chain does not matter.
const CONTROL_FLOW: &[&str] = &[
    "SystemExit",
    "GeneratorExit",
    "StopIteration",
    "StopAsyncIteration",
];

/// Exceptions a framework catches at its top level and reports by their message alone
/// (a command's `CommandError: ...` line, a form's error list, a 404 page, argparse's
/// usage error), with who does it. The chain shows only with `--traceback` or when the
/// error escapes that path, so an unchained one is a hidden `info`.
const MESSAGE_ONLY: &[(&str, &str)] = &[
    (
        "django.core.management.base.CommandError",
        "Django's command runner",
    ),
    (
        "django.core.management.CommandError",
        "Django's command runner",
    ),
    (
        "django.core.exceptions.ValidationError",
        "Django's form and model validation",
    ),
    (
        "django.forms.ValidationError",
        "Django's form and model validation",
    ),
    ("django.http.Http404", "Django's request handler"),
    ("django.http.response.Http404", "Django's request handler"),
    ("argparse.ArgumentTypeError", "argparse"),
    ("argparse.ArgumentError", "argparse"),
];

/// Tuples of exception types may nest (`except ((A, B), C):`); deeper is not searched.
const MAX_TUPLE_NESTING: usize = 8;

/// Longest raised expression or handler header quoted whole in a message.
const MAX_QUOTE: usize = 40;

pub struct RaiseWithoutFrom;

impl Rule for RaiseWithoutFrom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtRaise]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtRaise(raise) = node else {
            return;
        };
        let (Some(exc), None) = (raise.exc.as_deref(), raise.cause.as_deref()) else {
            return;
        };
        let Some(class) = new_exception_class(exc) else {
            return;
        };
        if CONTROL_FLOW.contains(&class) {
            return;
        }
        // The innermost handler whose body holds the `raise`, and the names bound by it
        // and by the handlers around it.
        let mut handler: Option<&ExceptHandlerExceptHandler> = None;
        let mut caught_names: Vec<&str> = Vec::new();
        let mut child = raise.range();
        for ancestor in ctx.ancestors() {
            match ancestor {
                AnyNodeRef::StmtFunctionDef(_)
                | AnyNodeRef::StmtClassDef(_)
                | AnyNodeRef::ExprLambda(_) => break,
                AnyNodeRef::ExceptHandlerExceptHandler(h) => {
                    handler.get_or_insert(h);
                    caught_names.extend(h.name.as_ref().map(|n| n.as_str()));
                    // `info = sys.exc_info()` holds the caught exception too.
                    caught_names.extend(exc_info_alias(h, ctx));
                }
                // `raise KeyError` in the body of a `try` whose own handler catches it is a
                // jump to that handler, not an error for the reader of a traceback. Inside
                // our handler a catch-all counts too; around it only a handler naming the
                // class does.
                AnyNodeRef::StmtTry(stmt)
                    if in_block(&stmt.body, child)
                        && caught_here(stmt, class, handler.is_none(), ctx) =>
                {
                    return;
                }
                _ => {}
            }
            child = ancestor.range();
        }
        let Some(handler) = handler else {
            return;
        };
        if let Expr::Name(name) = exc
            && caught_names.contains(&name.id.as_str())
        {
            return;
        }
        // Restating the caught error with a better message (`except KeyError: raise
        // KeyError(...)`, that class alone) translates nothing, and a new error built from the caught one
        // (`raise wrap(err, ...)`) carries it explicitly: the chained traceback misleads
        // no one in either case.
        let restated = !class.is_empty()
            && handler.type_.as_deref().is_some_and(|type_| {
                !type_.is_tuple_expr() && names_class(type_, class, false, ctx, 0)
            });
        if restated || passes_caught(exc, &caught_names, ctx) {
            return;
        }
        let raised = describe_raised(exc, ctx);
        let place = describe_handler(handler, ctx);
        let help = match &handler.name {
            Some(name) => format!(
                "write `raise {raised} from {name}` to mark `{name}` as the cause, or \
                 `from None` if the original error is noise for the reader"
            ),
            None => {
                // A bare `except:` is best narrowed too (see PF701).
                let caught = match handler.type_.as_deref().map(|type_| ctx.text_of(type_)) {
                    None => "Exception",
                    Some(text) if text.len() <= MAX_QUOTE && !text.contains('\n') => text,
                    Some(_) => "...",
                };
                format!(
                    "name the caught exception (`except {caught} as err:`) and write \
                     `raise {raised} from err`, or add `from None` if the original error is \
                     noise for the reader"
                )
            }
        };
        let reporter = message_only(exc, ctx);
        let mut message = format!(
            "`raise {raised}` {place} has no `from`: the traceback will say \
             \"During handling of the above exception, another exception occurred\", \
             which reads like a bug in the handler rather than a deliberate translation"
        );
        if let Some(reporter) = reporter {
            message.push_str(&format!(
                " (rarely seen: {reporter} shows only the error's message)"
            ));
        }
        let diagnostic = report.add(raise.range(), message, help);
        if reporter.is_some() {
            diagnostic.severity = Severity::Info;
        }
        report.attach_to_last(chain_suggestion(exc, handler));
    }
}

/// The class of the exception `exc` creates, when it creates a new one: `Error(...)`,
/// `errors.Error(...)`, `factory(...)`, or a capitalised class name raised bare. `None`
/// for an existing exception object (`err`, `self.error`, `err.with_traceback(tb)`).
fn new_exception_class(exc: &Expr) -> Option<&str> {
    match exc {
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr) if attr.attr.as_str() == "with_traceback" => None,
            Expr::Attribute(attr) => Some(attr.attr.as_str()),
            Expr::Name(name) => Some(name.id.as_str()),
            _ => Some(""),
        },
        Expr::Name(name) => capitalised(name.id.as_str()),
        Expr::Attribute(attr) => capitalised(attr.attr.as_str()),
        _ => None,
    }
}

/// Whether the new exception is given the caught one as an argument, itself or as
/// `sys.exc_info()` (`raise wrap(err)`, `raise ImportFailed(path, sys.exc_info())`).
fn passes_caught(exc: &Expr, caught_names: &[&str], ctx: &Context) -> bool {
    let Expr::Call(call) = exc else {
        return false;
    };
    call.arguments
        .args
        .iter()
        .chain(call.arguments.keywords.iter().map(|keyword| &keyword.value))
        .any(|arg| match arg {
            Expr::Name(name) => caught_names.contains(&name.id.as_str()),
            Expr::Call(inner) => matches!(
                ctx.qualified_name(&inner.func).as_deref(),
                Some("sys.exc_info" | "sys.exception")
            ),
            _ => false,
        })
}

/// Who reports the raised class by its message alone, if it is one of [`MESSAGE_ONLY`]
/// (imported absolutely, or relatively from within the framework: `.base.CommandError`).
fn message_only(exc: &Expr, ctx: &Context) -> Option<&'static str> {
    let class = match exc {
        Expr::Call(call) => &*call.func,
        other => other,
    };
    // A class the module defines itself is named after the module (argparse raising
    // its own `ArgumentError`).
    if let Expr::Name(name) = class
        && ctx.facts().class(name.id.as_str()).is_some()
    {
        return MESSAGE_ONLY.iter().find_map(|&(qualified, reporter)| {
            let (module, class_name) = qualified.rsplit_once('.')?;
            (class_name == name.id.as_str() && ctx.is_module(module)).then_some(reporter)
        });
    }
    let qualified = ctx.qualified_name(class)?;
    let relative = qualified
        .strip_prefix('.')
        .map(|rest| format!(".{}", rest.trim_start_matches('.')));
    MESSAGE_ONLY.iter().find_map(|&(name, reporter)| {
        let hit = name == qualified || relative.as_deref().is_some_and(|tail| name.ends_with(tail));
        hit.then_some(reporter)
    })
}

fn capitalised(name: &str) -> Option<&str> {
    name.chars()
        .next()
        .is_some_and(char::is_uppercase)
        .then_some(name)
}

fn in_block(block: &[Stmt], child: TextRange) -> bool {
    match (block.first(), block.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(child)
        }
        _ => false,
    }
}

/// Whether a handler of `stmt` catches the raised `class`: it names the class, or,
/// when `broad_counts`, catches everything (`except:`, `Exception`, `BaseException`).
fn caught_here(stmt: &StmtTry, class: &str, broad_counts: bool, ctx: &Context) -> bool {
    stmt.handlers
        .iter()
        .filter_map(|h| h.as_except_handler())
        .any(|h| match h.type_.as_deref() {
            None => broad_counts,
            Some(type_) => names_class(type_, class, broad_counts, ctx, 0),
        })
}

fn names_class(type_: &Expr, class: &str, broad_counts: bool, ctx: &Context, depth: usize) -> bool {
    match type_ {
        Expr::Tuple(tuple) => {
            depth < MAX_TUPLE_NESTING
                && tuple
                    .elts
                    .iter()
                    .any(|elt| names_class(elt, class, broad_counts, ctx, depth + 1))
        }
        Expr::Name(name) => {
            let id = name.id.as_str();
            id == class
                || (broad_counts
                    && matches!(id, "Exception" | "BaseException")
                    && ctx.qualified_name(type_).as_deref() == Some(id))
        }
        Expr::Attribute(attr) => attr.attr.as_str() == class,
        _ => false,
    }
}

/// `ConfigError(...)` for a call, the name for a class raised bare.
fn describe_raised(exc: &Expr, ctx: &Context) -> String {
    let short = |text: &str| text.len() <= MAX_QUOTE && !text.contains('\n');
    match exc {
        Expr::Call(call) => {
            let func = ctx.text_of(&*call.func);
            if short(func) {
                format!("{func}(...)")
            } else {
                "...".to_owned()
            }
        }
        _ if short(ctx.text_of(exc)) => ctx.text_of(exc).to_owned(),
        _ => "...".to_owned(),
    }
}

/// Where the `raise` is: "inside `except KeyError as err`", or a plain description
/// when the header is long.
fn describe_handler(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> String {
    let end = match (&handler.name, handler.type_.as_deref()) {
        (Some(name), _) => name.end(),
        (None, Some(type_)) => type_.end(),
        (None, None) => return "inside a bare `except:`".to_owned(),
    };
    let header = ctx.slice(TextRange::new(handler.start(), end));
    if header.len() <= MAX_QUOTE + 10 && !header.contains('\n') {
        format!("inside `{header}`")
    } else {
        "inside this `except` block".to_owned()
    }
}

/// `from <the caught exception>` added to the `raise` (naming the exception `err` in the
/// handler when it has no name), for teach mode. Display-only: `from None` may be meant.
fn chain_suggestion(exc: &Expr, handler: &ExceptHandlerExceptHandler) -> Option<crate::rule::Fix> {
    use crate::rule::{Edit, Fix};
    let mut edits = Vec::new();
    let cause = match &handler.name {
        Some(name) => name.as_str(),
        None => {
            // A bare `except:` would need its colon found; leave it to the help.
            let type_ = handler.type_.as_deref()?;
            edits.push(Edit::replace(TextRange::empty(type_.end()), " as err"));
            "err"
        }
    };
    edits.push(Edit::replace(
        TextRange::empty(exc.end()),
        format!(" from {cause}"),
    ));
    Some(Fix::display_only(
        format!("chain the new exception to `{cause}`"),
        edits,
    ))
}
