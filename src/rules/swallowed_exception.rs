//! PF702: `except Exception` whose body does nothing — `pass`, `continue`, `...` or a
//! constant `return` — so every error in the `try`, bugs included, vanishes unseen.
//!
//! Division of labour with PF701 (`bare-except`): a bare `except:` or an `except
//! BaseException` that swallows is reported there, once, because that rule already says
//! it discards what it catches; this rule covers `except Exception` (alone or in a
//! tuple). A handler that logs, re-raises, uses the exception or assigns a fallback
//! value handles the error and is not reported; neither is best-effort cleanup.

use crate::ast::{
    AnyNodeRef, ExceptHandlerExceptHandler, Expr, ExprContext, NodeKind, Ranged, Stmt, StmtTry,
    TextRange, TextSize, UnaryOp,
};
use crate::checker::Context;
use crate::checker::bindings::block_holding;
use crate::checker::intent;
use crate::checker::subtree::{any_in_scope, for_each_node};
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::bare_except;

pub static META: RuleMeta = RuleMeta {
    code: "PF702",
    name: "swallowed-exception",
    summary: "`except Exception: pass` hides every error in the `try`, bugs included",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/swallowed-exception.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "S110",
            name: "try-except-pass",
        },
        Equivalent {
            tool: "ruff",
            code: "S112",
            name: "try-except-continue",
        },
        Equivalent {
            tool: "ruff",
            code: "SIM105",
            name: "suppressible-exception",
        },
        Equivalent {
            tool: "ruff",
            code: "BLE001",
            name: "blind-except",
        },
        Equivalent {
            tool: "pylint",
            code: "W0718",
            name: "broad-exception-caught",
        },
    ],
};

/// Tuples of exception types may nest (`except ((A, B), C):`); deeper is not searched.
const MAX_TUPLE_NESTING: usize = 8;

/// Functions whose job is teardown, by name or by the first word of their name
/// (`close`, `close_all`, `_finalize_manager`): an error there has nowhere useful to
/// go, and ignoring it is the standard idiom (exceptions in `__del__` are ignored
/// anyway).
const TEARDOWN_FUNCTIONS: &[&str] = &[
    "__del__",
    "__exit__",
    "__aexit__",
    "close",
    "aclose",
    "cleanup",
    "clean_up",
    "shutdown",
    "dispose",
    "teardown",
    "tearDown",
    "terminate",
    "release",
    "disconnect",
    "destroy",
    "finalize",
    "stop",
    "kill",
];

/// Calls that release or remove something; a `try` body made only of these is
/// best-effort cleanup (`try: sock.close() except Exception: pass`).
const CLEANUP_CALLS: &[&str] = &[
    "close",
    "aclose",
    "unlink",
    "remove",
    "rmtree",
    "rmdir",
    "kill",
    "terminate",
    "cancel",
    "shutdown",
    "release",
    "disconnect",
    "join",
    "flush",
    "stop",
    "cleanup",
    "wait",
    "__exit__",
];

pub struct SwallowedException;

impl Rule for SwallowedException {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExceptHandlerExceptHandler]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExceptHandlerExceptHandler(handler) = node else {
            return;
        };
        // Cheapest first: the body must do nothing at all.
        let Some(fate) = quiet_fate(&handler.body, ctx) else {
            return;
        };
        // A bare `except:` and `except BaseException` belong to PF701.
        let Some(type_) = handler.type_.as_deref() else {
            return;
        };
        if !names_builtin_in(type_, ctx, "Exception", 0)
            || names_builtin_in(type_, ctx, "BaseException", 0)
        {
            return;
        }
        let Some(AnyNodeRef::StmtTry(stmt)) = ctx.parent() else {
            return;
        };
        let header_end = handler.name.as_ref().map_or(type_.end(), |name| name.end());
        // Tests swallow on purpose (to check that something survives, or to ignore a
        // side effect); the hazard this rule is about is production code.
        if ctx.in_test_code()
            || bare_except::earlier_handler_takes_interrupts(ctx, handler)
            || in_teardown(ctx, stmt)
            || is_cleanup_body(&stmt.body)
        {
            return;
        }
        // A comment in or above the handler explains the silence: still reported, as
        // `info` (hidden by default); otherwise the swallowing is live, an `error`.
        // A one-operation `try` (`x = import_string(entry)`) swallowed is a best-effort
        // attempt or a fallback, usually on purpose: a hint. A longer body hides bugs.
        let explained = has_intent_comment(handler, stmt, header_end, ctx)
            || is_single_attempt(&stmt.body)
            || raises_on_purpose(&stmt.body)
            || predicate_answer(&handler.body, ctx)
            || falls_back_to_default(stmt, ctx);
        let header = ctx.slice(TextRange::new(handler.start(), header_end));
        let one_line = !header.contains('\n');
        let range = if one_line {
            TextRange::new(handler.start(), type_.end())
        } else {
            TextRange::new(
                handler.start(),
                (handler.start() + TextSize::new(6)).min(handler.end()),
            )
        };
        let subject = if one_line && header.len() <= 60 {
            format!("`{header}`")
        } else {
            "this `except` clause".to_owned()
        };
        let expected = match expected_exception(&stmt.body, ctx) {
            Some(name) => format!("the error you expect here (probably `{name}`)"),
            None => "the specific exceptions the `try` body can raise".to_owned(),
        };
        report
            .add(
                range,
                format!(
                    "{subject} {fate}: every error in the `try` disappears without a trace, \
                 bugs such as a misspelt name or a wrong argument included"
                ),
                format!(
                    "catch only {expected}, or log the error (`logger.exception(...)`) before \
                 carrying on"
                ),
            )
            .severity = if explained {
            Severity::Info
        } else {
            Severity::Error
        };
    }
}

/// What a handler body that does nothing visible does, if that is all it does: only
/// `pass`, `...` or strings, optionally ending in `continue` or a `return` of a constant.
fn quiet_fate(body: &[Stmt], ctx: &Context) -> Option<String> {
    let (last, rest) = body.split_last()?;
    if !rest.iter().all(is_noop) {
        return None;
    }
    match last {
        Stmt::Continue(_) => Some("just skips to the next iteration".to_owned()),
        Stmt::Return(ret) => match ret.value.as_deref() {
            None => Some("just returns".to_owned()),
            Some(value) if is_constant(value) => {
                let text = ctx.text_of(value);
                Some(if text.len() <= 20 {
                    format!("just returns `{text}`")
                } else {
                    "just returns a constant".to_owned()
                })
            }
            Some(_) => None,
        },
        stmt if is_noop(stmt) => Some("does nothing with what it catches".to_owned()),
        _ => None,
    }
}

fn is_noop(stmt: &Stmt) -> bool {
    match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)
        ),
        _ => false,
    }
}

/// A literal constant: `None`, `False`, `0`, `-1`, `""`. An empty container is a
/// fallback value the caller works with, so it does not count.
fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::NoneLiteral(_)
        | Expr::BooleanLiteral(_)
        | Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::BytesLiteral(_)
        | Expr::EllipsisLiteral(_) => true,
        Expr::UnaryOp(op) => {
            matches!(op.op, UnaryOp::USub | UnaryOp::UAdd)
                && matches!(&*op.operand, Expr::NumberLiteral(_))
        }
        _ => false,
    }
}

/// Whether `type_` names the builtin `name` (bare or `builtins.<name>`), itself or
/// inside a (nested) tuple.
fn names_builtin_in(type_: &Expr, ctx: &Context, name: &str, depth: usize) -> bool {
    match type_ {
        Expr::Tuple(tuple) => {
            depth < MAX_TUPLE_NESTING
                && tuple
                    .elts
                    .iter()
                    .any(|elt| names_builtin_in(elt, ctx, name, depth + 1))
        }
        _ => ctx.qualified_name(type_).is_some_and(|qualified| {
            qualified == name || qualified.strip_prefix("builtins.") == Some(name)
        }),
    }
}

/// Whether the `try` is best-effort cleanup by its place: in a teardown function
/// (`__del__`, `close`, `__exit__`, `_finalize_manager`, ...), in a `finally` block, or
/// in another `except` handler, where a second failure has nowhere better to go.
fn in_teardown(ctx: &Context, stmt: &StmtTry) -> bool {
    // The handler's parent is its `try`; start above it.
    let mut child = stmt.range();
    for ancestor in ctx.ancestors().skip(1) {
        match ancestor {
            AnyNodeRef::StmtFunctionDef(def) => return is_teardown_name(def.name.as_str()),
            AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_) => return false,
            AnyNodeRef::ExceptHandlerExceptHandler(_) => return true,
            AnyNodeRef::StmtTry(outer) if in_block(&outer.finalbody, child) => return true,
            _ => {}
        }
        child = ancestor.range();
    }
    false
}

fn is_teardown_name(name: &str) -> bool {
    if name.starts_with("__") && name.ends_with("__") {
        return TEARDOWN_FUNCTIONS.contains(&name);
    }
    let bare = name.trim_matches('_');
    TEARDOWN_FUNCTIONS.iter().any(|word| {
        bare.strip_prefix(word).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with('_') || rest.starts_with(char::is_uppercase)
        })
    })
}

fn in_block(block: &[Stmt], child: TextRange) -> bool {
    match (block.first(), block.last()) {
        (Some(first), Some(last)) => {
            TextRange::new(first.start(), last.end()).contains_range(child)
        }
        _ => false,
    }
}

/// Whether a comment explains the handler: one on the line above `except`, on the
/// `except` line, or among or after the handler's statements (`pass  # optional`).
/// Tool directives (`# pragma: no cover`) and to-do notes do not count.
pub(crate) fn has_intent_comment(
    handler: &ExceptHandlerExceptHandler,
    stmt: &StmtTry,
    header_end: TextSize,
    ctx: &Context,
) -> bool {
    let source = ctx.source();
    // Where the code before the handler ends: the `try` body or the previous handler.
    let before = stmt
        .handlers
        .iter()
        .map(Ranged::end)
        .chain(stmt.body.last().map(Ranged::end))
        .filter(|end| *end <= handler.start())
        .max()
        .unwrap_or(handler.start());
    let mut gaps = vec![TextRange::new(before, handler.start())];
    let mut previous = header_end;
    for body_stmt in &handler.body {
        gaps.push(TextRange::new(previous, body_stmt.start().max(previous)));
        previous = body_stmt.end();
    }
    let line_end = source
        .get(usize::from(previous)..)
        .and_then(|rest| rest.find('\n'))
        .map_or(source.len(), |at| usize::from(previous) + at);
    if let Ok(line_end) = u32::try_from(line_end) {
        gaps.push(TextRange::new(
            previous,
            TextSize::new(line_end).max(previous),
        ));
    }
    gaps.iter().enumerate().any(|(index, gap)| {
        let text = source
            .get(usize::from(gap.start())..usize::from(gap.end()))
            .unwrap_or("");
        // Gaps hold no code, so every `#` starts a comment (`# pragma: no cover  # why`
        // holds two). The first gap begins on the last line of the code before the
        // handler, whose trailing comment is about that code.
        text.lines().skip(usize::from(index == 0)).any(|line| {
            line.find('#')
                .is_some_and(|at| intent::explains(&line[at..]))
        })
    })
}

/// Whether the `try` body is one simple statement (one attempted operation), or only
/// imports (an optional dependency, `X = import_module("x").X` included).
pub(crate) fn is_single_attempt(body: &[Stmt]) -> bool {
    let imports_only = body.iter().all(|stmt| match stmt {
        Stmt::Import(_) | Stmt::ImportFrom(_) => true,
        Stmt::Assign(assign) => is_import_call(&assign.value),
        _ => false,
    });
    // `debug = self.shell.debugger` then `debug.clear(...)`: one operation, looked up first.
    let lookup_then_use = matches!(
        body,
        [
            Stmt::Assign(_),
            Stmt::Expr(_) | Stmt::Return(_) | Stmt::Assign(_) | Stmt::If(_)
        ]
    );
    // `if widget.compare(...): return`: one guarded attempt.
    let guarded_attempt = matches!(body, [Stmt::If(guard)]
        if guard.elif_else_clauses.is_empty()
            && guard.body.iter().all(|s| matches!(s, Stmt::Expr(_) | Stmt::Return(_) | Stmt::Assign(_))));
    imports_only
        || lookup_then_use
        || guarded_attempt
        || matches!(
            body,
            [Stmt::Expr(_)
                | Stmt::Assign(_)
                | Stmt::AugAssign(_)
                | Stmt::AnnAssign(_)
                | Stmt::Return(_)
                | Stmt::Delete(_)
                | Stmt::Import(_)
                | Stmt::ImportFrom(_)]
        )
}

/// Whether the `try` body itself raises (`raise Exception("skip this one")`): the
/// handler is the target of that jump, control flow on purpose.
fn raises_on_purpose(body: &[Stmt]) -> bool {
    any_in_scope(body, |node| matches!(node, AnyNodeRef::StmtRaise(_)))
}

/// Whether the handler is a predicate's "no": `return False` in a function named like a
/// question (`is_valid`, `has_key`, `valid_key`, `can_read`).
fn predicate_answer(body: &[Stmt], ctx: &Context) -> bool {
    let answers_no = matches!(body.last(), Some(Stmt::Return(ret))
        if ret.value.as_deref().is_some_and(|v| matches!(v, Expr::BooleanLiteral(b) if !b.value)));
    answers_no
        && ctx.enclosing_function().is_some_and(|def| {
            let name = def.name.as_str().trim_start_matches('_');
            ["is_", "has_", "can_", "valid", "check", "exists"]
                .iter()
                .any(|prefix| name.starts_with(prefix))
        })
}

/// Whether the `try` computes a value whose default is set earlier in the same block and
/// tested after it: `commit = None`, `try: commit = read_commit() ...`, `if commit:`.
/// Leaving the default in place on failure is the handling — a fallback, not a lost error.
fn falls_back_to_default(stmt: &StmtTry, ctx: &Context) -> bool {
    let Some(outer) = ctx.ancestors().nth(1) else {
        return false;
    };
    let Some(block) = block_holding(outer, AnyNodeRef::from(stmt)) else {
        return false;
    };
    let Some(at) = block
        .iter()
        .position(|s| AnyNodeRef::from(s).ptr_eq(AnyNodeRef::from(stmt)))
    else {
        return false;
    };
    let (before, after) = (&block[..at], block.get(at + 1..).unwrap_or_default());
    let defaulted = |name: &str| {
        before.iter().rev().find_map(|s| match s {
            Stmt::Assign(assign) => match assign.targets.as_slice() {
                [Expr::Name(target)] if target.id.as_str() == name => {
                    Some(assign.value.is_literal_expr() || assign.value.is_none_literal_expr())
                }
                _ => None,
            },
            _ => None,
        }) == Some(true)
    };
    let read_after = |name: &str| {
        let mut read = false;
        for later in after {
            for_each_node(AnyNodeRef::from(later), |node| {
                read |= matches!(node, AnyNodeRef::ExprName(n)
                    if n.id.as_str() == name && n.ctx == ExprContext::Load);
                !read
            });
        }
        read
    };
    stmt.body.iter().any(|s| {
        matches!(s, Stmt::Assign(assign) if matches!(assign.targets.as_slice(),
            [Expr::Name(target)] if defaulted(target.id.as_str()) && read_after(target.id.as_str())))
    })
}

/// `import_module("x")`, `__import__("x")`, or an attribute of either.
fn is_import_call(expr: &Expr) -> bool {
    match expr {
        Expr::Attribute(attr) => is_import_call(&attr.value),
        Expr::Call(call) => match &*call.func {
            Expr::Name(name) => matches!(name.id.as_str(), "import_module" | "__import__"),
            Expr::Attribute(attr) => attr.attr.as_str() == "import_module",
            _ => false,
        },
        _ => false,
    }
}

/// Whether every statement of the `try` body releases or removes something:
/// `handle.close()`, `os.unlink(tmp)`, `thread.join()`, `del self.cache`.
pub(crate) fn is_cleanup_body(body: &[Stmt]) -> bool {
    !body.is_empty()
        && body.iter().all(|stmt| match stmt {
            Stmt::Delete(_) => true,
            Stmt::Expr(expr) => {
                let call = match &*expr.value {
                    Expr::Await(awaited) => &*awaited.value,
                    other => other,
                };
                matches!(call, Expr::Call(call)
                    if matches!(&*call.func, Expr::Attribute(attr)
                        if CLEANUP_CALLS.contains(&attr.attr.as_str())))
            }
            _ => false,
        })
}

/// A guess at the exception the `try` body is written for, for the help text: an
/// import expects `ImportError`, `int(...)` a `ValueError`, file access an `OSError`.
fn expected_exception(body: &[Stmt], ctx: &Context) -> Option<&'static str> {
    let mut found = None;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            found = found.or(match node {
                AnyNodeRef::StmtImport(_) | AnyNodeRef::StmtImportFrom(_) => Some("ImportError"),
                AnyNodeRef::ExprCall(call) => match ctx.qualified_name(&call.func).as_deref() {
                    Some("int" | "float" | "complex" | "json.loads" | "json.load") => {
                        Some("ValueError")
                    }
                    Some("open" | "io.open") => Some("OSError"),
                    Some(name)
                        if name.starts_with("shutil.")
                            || (name.starts_with("os.")
                                && !name.starts_with("os.path.")
                                && !name.starts_with("os.environ")
                                && name != "os.getenv") =>
                    {
                        Some("OSError")
                    }
                    _ => None,
                },
                _ => None,
            });
            found.is_none()
                && !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_)
                        | AnyNodeRef::StmtClassDef(_)
                        | AnyNodeRef::ExprLambda(_)
                )
        });
        if found.is_some() {
            break;
        }
    }
    found
}
