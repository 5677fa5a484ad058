//! PF701: a bare `except:` or an `except BaseException` that swallows what it catches,
//! including `KeyboardInterrupt` and `SystemExit`.

use crate::ast::{
    AnyNodeRef, ExceptHandlerExceptHandler, Expr, NodeKind, Ranged, Stmt, StmtTry, TextRange,
    TextSize,
};
use crate::checker::Context;
use crate::checker::bindings::{block_holding, is_scope};
use crate::checker::intent;
use crate::checker::subtree::{any_in_scope, for_each_node};
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::swallowed_exception;
use crate::rules::thread_target::logs_and_ends_thread;

pub static META: RuleMeta = RuleMeta {
    code: "PF701",
    name: "bare-except",
    summary: "a bare `except:` or `except BaseException` also swallows Ctrl-C and `sys.exit()`",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/bare-except.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E722",
            name: "bare-except",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E722",
            name: "",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B001",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0702",
            name: "bare-except",
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

pub struct BareExcept;

impl Rule for BareExcept {
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
        let caught = handler.name.as_ref().map(|name| name.as_str());
        let keyword_range = TextRange::new(
            handler.start(),
            (handler.start() + TextSize::new(6)).min(handler.end()),
        );
        let (subject, range, fix) = match handler.type_.as_deref() {
            None => (
                "bare `except:` also catches".to_owned(),
                // Just the keyword: the snippet points at the word to change.
                keyword_range,
                "catch `Exception` instead (`except Exception:`), or better the specific \
                 exceptions the `try` body can raise"
                    .to_owned(),
            ),
            Some(type_) => {
                let Some(base) = base_exception_in(type_, ctx, 0) else {
                    return;
                };
                let keyword = if in_star_try(ctx) {
                    "except*"
                } else {
                    "except"
                };
                let header_end = handler.name.as_ref().map_or(type_.end(), |name| name.end());
                let header = ctx.slice(TextRange::new(handler.start(), header_end));
                let one_line = !header.contains('\n');
                let written = ctx.text_of(base);
                let subject = if one_line && header.len() <= 60 {
                    if matches!(written, "BaseException" | "builtins.BaseException") {
                        format!("`{header}:` also catches")
                    } else {
                        format!("`{header}:` catches `BaseException`, so also")
                    }
                } else {
                    format!("this `{keyword}` catches `BaseException`, so also")
                };
                let fix = if matches!(type_, Expr::Tuple(_)) {
                    format!(
                        "replace `{written}` with `Exception` in the tuple, or list only the \
                         exceptions the `try` body can raise"
                    )
                } else {
                    let alias = caught.map_or(String::new(), |name| format!(" as {name}"));
                    format!(
                        "catch `Exception` instead (`{keyword} Exception{alias}:`), or better \
                         the specific exceptions the `try` body can raise"
                    )
                };
                let range = if one_line {
                    TextRange::new(handler.start(), type_.end())
                } else {
                    keyword_range
                };
                (subject, range, fix)
            }
        };
        if earlier_handler_takes_interrupts(ctx, handler)
            || caught.is_some_and(|name| hands_over(handler, name))
            || keeps_exc_info(handler, ctx)
        {
            return;
        }
        let raises = scan_raises(handler, caught);
        // Evidence: a handler that does nothing swallows Ctrl-C and every bug (an
        // error), unless the `try` only cleans up or makes one attempt. Whatever the
        // handler does, an interrupt or `sys.exit()` arriving in the `try` is still
        // caught: a hazard (a warning) even when the handler reports, records, raises
        // something else or falls back. Only a comment that explains it lowers it.
        let explained = matches!(ctx.parent(), Some(AnyNodeRef::StmtTry(stmt))
            if swallowed_exception::has_intent_comment(handler, stmt, range.end(), ctx)
                || failure_explained_above(stmt, ctx));
        let severity = match raises {
            // `print_exception(); exit()`: Ctrl-C and `sys.exit()` still end the program.
            _ if ends_program(handler, ctx) || program_ends_after_try(ctx) => Severity::Info,
            // "eval can raise any exception": whatever the handler does, said on purpose.
            // In `__del__` Python ignores every exception anyway, an interrupt included.
            _ if explained || in_finalizer(ctx) => Severity::Info,
            // A shell or debugger running the user's code: Ctrl-C there is meant to stop
            // that code and come back to the prompt, with whatever it raised reported.
            Raises::Nothing if runs_given_code(ctx) && reports(handler, caught) => Severity::Info,
            // The `try` calls a helper of this class or module that reports whatever it
            // meets and re-raises it (pdb's `_getval`): this handler only ends the
            // attempt the helper already reported, the caller half of that contract.
            _ if calls_reporting_helper(ctx) && !keeps_looping(handler, ctx) => Severity::Info,
            // Ctrl-C never reaches a worker thread and `sys.exit()` there ends only it.
            _ if logs_and_ends_thread(handler, ctx) => Severity::Info,
            // A handler that deals with the error (reports it, records it, falls back
            // to another value) around one attempt is a deliberate catch-all (issue
            // #11's pattern 8): the interrupt it also takes costs that attempt. Not when
            // the code goes on looping, in the `try` or around it: Ctrl-C then lands
            // in the handler again and again, and the loop can no longer be stopped.
            Raises::Nothing
                if quiet_fate(&handler.body).is_none() && !keeps_looping(handler, ctx) =>
            {
                Severity::Info
            }
            Raises::Other => Severity::Warning,
            _ if quiet_fate(&handler.body).is_none() => Severity::Warning,
            _ => match ctx.parent() {
                Some(AnyNodeRef::StmtTry(stmt))
                    if swallowed_exception::is_cleanup_body(&stmt.body)
                        || swallowed_exception::is_single_attempt(&stmt.body) =>
                {
                    Severity::Warning
                }
                _ => Severity::Error,
            },
        };
        let fate = match raises {
            Raises::Caught => return,
            Raises::Other => "raises a new exception in their place".to_owned(),
            Raises::Nothing => match (quiet_fate(&handler.body), caught) {
                (Some(fate), _) => fate.to_owned(),
                (None, Some(name)) => format!("never re-raises `{name}`"),
                (None, None) => "never re-raises them".to_owned(),
            },
        };
        let cancelled = if ctx.enclosing_function().is_some_and(|def| def.is_async) {
            ", `SystemExit` and `asyncio.CancelledError`"
        } else {
            " and `SystemExit`"
        };
        let reraise = match caught {
            Some(name) => format!("a bare `raise` (or chain with `raise ... from {name}`)"),
            None => "a bare `raise`".to_owned(),
        };
        let consequence = if raises == Raises::Other {
            "Ctrl-C and `sys.exit()` become ordinary errors that any `except Exception` \
             further up can swallow"
        } else {
            "Ctrl-C and `sys.exit()` stop working here and real bugs are hidden"
        };
        let diagnostic = report.add(
            range,
            format!(
                "{subject} `KeyboardInterrupt`{cancelled}, and this handler {fate}: {consequence}"
            ),
            format!(
                "{fix}; to log or clean up and still propagate, end the handler with {reraise}"
            ),
        );
        diagnostic.severity = severity;
        // Only the bare form: `except:` becomes `except Exception:`. Unsafe, because the
        // handler stops catching `KeyboardInterrupt` and `SystemExit`.
        if handler.type_.is_none() && ctx.slice(keyword_range) == "except" {
            diagnostic.set_fix(Fix::unsafe_(
                "catch `Exception`",
                vec![Edit::replace(keyword_range, "except Exception")],
            ));
        }
    }
}

/// Whether an earlier handler of the same `try` catches `KeyboardInterrupt` or
/// `SystemExit`: then Ctrl-C and `sys.exit()` never reach this one, and the broad
/// catch is the deliberate "everything else" branch (asyncio's callbacks do this).
pub(crate) fn earlier_handler_takes_interrupts<'a>(
    ctx: &Context<'a>,
    handler: &ExceptHandlerExceptHandler,
) -> bool {
    let Some(AnyNodeRef::StmtTry(stmt)) = ctx.parent() else {
        return false;
    };
    stmt.handlers
        .iter()
        .filter_map(|h| h.as_except_handler())
        .take_while(|earlier| earlier.start() < handler.start())
        .filter_map(|earlier| earlier.type_.as_deref())
        .any(|type_| names_interrupt(type_, ctx, 0))
}

fn names_interrupt<'a>(type_: &'a Expr, ctx: &Context<'a>, depth: usize) -> bool {
    match type_ {
        Expr::Tuple(tuple) if depth < MAX_TUPLE_NESTING => tuple
            .elts
            .iter()
            .any(|elt| names_interrupt(elt, ctx, depth + 1)),
        _ => {
            matches!(
                ctx.qualified_name(type_).as_deref(),
                Some(
                    "KeyboardInterrupt"
                        | "SystemExit"
                        | "builtins.KeyboardInterrupt"
                        | "builtins.SystemExit"
                )
            ) || module_tuple(type_, ctx).is_some_and(|tuple| {
                depth < MAX_TUPLE_NESTING && names_interrupt(tuple, ctx, depth + 1)
            })
        }
    }
}

/// The tuple a module-level name is last bound to, if it is plainly one and not a local.
fn module_tuple<'a>(type_: &'a Expr, ctx: &Context<'a>) -> Option<&'a Expr> {
    let Expr::Name(name) = type_ else {
        return None;
    };
    if ctx.is_local_binding(&name.id, type_.start()) {
        return None;
    }
    let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
        return None;
    };
    let value = ctx.module_binding(module, &name.id)?.value?;
    value.is_tuple_expr().then_some(value)
}

/// Whether the handler passes the caught exception on to a call
/// (`future.set_exception(exc)`, `errors.append(exc)`, `callback(exc)`): the error is
/// delivered somewhere else rather than swallowed.
fn hands_over(handler: &ExceptHandlerExceptHandler, name: &str) -> bool {
    calls_any(&handler.body, |call| {
        !is_logging_call(&call.func)
            && (call.arguments.args.iter().any(|arg| is_name(arg, name))
                || call
                    .arguments
                    .keywords
                    .iter()
                    .any(|kw| is_name(&kw.value, name)))
    })
}

/// Whether `body` makes a call that passes `test`, in its own statements: a function,
/// class or lambda defined there runs later, if ever.
fn calls_any(body: &[Stmt], mut test: impl FnMut(&crate::ast::ExprCall) -> bool) -> bool {
    let mut found = false;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::StmtFunctionDef(_)
                | AnyNodeRef::StmtClassDef(_)
                | AnyNodeRef::ExprLambda(_) => return false,
                AnyNodeRef::ExprCall(call) => found |= test(call),
                _ => {}
            }
            !found
        });
        if found {
            return true;
        }
    }
    false
}

/// Whether the handler captures the exception with `info = sys.exc_info()` (or
/// `sys.exception()`) and keeps it for later: stores it in another variable or hands it,
/// or an item of it, to a call. contextlib's `ExitStack` does this to re-raise it after
/// running the remaining callbacks.
fn keeps_exc_info(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    is_exc_info_passed_on(handler, ctx) || is_exc_info_stored(handler, ctx)
}

/// Whether the handler hands `sys.exc_info()` (or `sys.exception()`) straight to a call,
/// typically the exception it raises for the caller (`raise ImportFailed(path,
/// sys.exc_info())`), or stores it on an object (`self.user_exc_info = sys.exc_info()`):
/// the original exception, interrupt included, is delivered intact.
fn is_exc_info_passed_on(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    // `sys.excepthook(*sys.exc_info())` hands it over unpacked.
    let is_exc_info = |expr: &Expr| {
        let expr = match expr {
            Expr::Starred(starred) => &*starred.value,
            other => other,
        };
        matches!(expr, Expr::Call(call) if matches!(
            ctx.qualified_name(&call.func).as_deref(),
            Some("sys.exc_info" | "sys.exception")
        ))
    };
    let stored = handler.body.iter().any(|stmt| {
        matches!(stmt, Stmt::Assign(assign)
            if is_exc_info(&assign.value)
                && assign.targets.iter().all(|t| matches!(t, Expr::Attribute(_) | Expr::Subscript(_))))
    });
    if stored {
        return true;
    }
    let mut found = false;
    for stmt in &handler.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if let AnyNodeRef::ExprCall(call) = node {
                found |=
                    !is_logging_call(&call.func) && call.arguments.args.iter().any(is_exc_info);
            }
            !found
                && !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_)
                )
        });
    }
    found
}

/// Whether the handler's own statements always end with the program ending: a last
/// statement that calls `exit()`, `sys.exit()` or `os._exit()`, or raises `SystemExit`
/// (also as the last statement of a nested `try`/`else`). Then an interrupt caught here
/// still stops the program, after whatever the handler reports.
fn ends_program(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    ends(&handler.body, ctx, 0)
}

/// Whether `body` ends the program (see [`ends_program`]). `depth` 1 follows one call
/// into a function of the module (`exit()` defined there to clean up, then
/// `sys.exit(0)`).
fn ends(body: &[Stmt], ctx: &Context, depth: u8) -> bool {
    match body.last() {
        Some(Stmt::Expr(expr)) => {
            let Expr::Call(call) = &*expr.value else {
                return false;
            };
            if let Some(def) = ctx.resolve_function(&call.func) {
                return depth == 0 && ends(&def.body, ctx, depth + 1);
            }
            // `_exit` too: `os` itself imports it from `posix` or `nt`.
            ctx.qualified_name(&call.func).is_some_and(|name| {
                matches!(
                    name.as_str(),
                    "exit" | "quit" | "sys.exit" | "builtins.exit"
                ) || name == "_exit"
                    || name.ends_with("._exit")
            })
        }
        Some(Stmt::Raise(raise)) => raise.exc.as_deref().is_some_and(|exc| {
            let class = match exc {
                Expr::Call(call) => &*call.func,
                other => other,
            };
            matches!(
                ctx.qualified_name(class).as_deref(),
                Some("SystemExit" | "builtins.SystemExit")
            )
        }),
        // `except: print_exc(); return 1` in the `main` that ends in `sys.exit(main())`.
        Some(Stmt::Return(_)) => depth == 0 && returns_exit_status(ctx),
        // `try: report() except: fallback_report(); exit() else: exit()`.
        Some(Stmt::Try(inner)) => {
            let handlers_end = inner.handlers.iter().all(|h| {
                h.as_except_handler()
                    .is_some_and(|h| ends(&h.body, ctx, depth))
            });
            let normal_end = if inner.orelse.is_empty() {
                ends(&inner.body, ctx, depth)
            } else {
                ends(&inner.orelse, ctx, depth)
            };
            handlers_end && normal_end
        }
        _ => false,
    }
}

/// Whether the handler is in a module-level function whose result the module hands to
/// the program's exit (`sys.exit(main())`, `raise SystemExit(main())`): a `return` there
/// ends the program with that status, as a call to `sys.exit()` in place would.
fn returns_exit_status(ctx: &Context) -> bool {
    let (Some(def), Some(AnyNodeRef::ModModule(module))) =
        (ctx.enclosing_function(), ctx.ancestors().last())
    else {
        return false;
    };
    let top_level = module
        .body
        .iter()
        .any(|stmt| AnyNodeRef::from(stmt).ptr_eq(AnyNodeRef::from(def)));
    top_level
        && ctx
            .memo(|| ExitStatusFunctions::collect(module, ctx))
            .0
            .iter()
            .any(|name| name == def.name.as_str())
}

/// The module-level functions whose result the module's own top-level code (an
/// `if __name__ == "__main__":` block included) passes to `sys.exit()`, `exit()` or
/// `SystemExit`.
struct ExitStatusFunctions(Vec<String>);

impl ExitStatusFunctions {
    fn collect(module: &crate::ast::ModModule, ctx: &Context) -> Self {
        let is_exit = |func: &Expr| {
            ctx.qualified_name(func).is_some_and(|name| {
                matches!(
                    name.as_str(),
                    "exit" | "quit" | "sys.exit" | "builtins.exit" | "SystemExit"
                ) || name == "builtins.SystemExit"
            })
        };
        let mut names = Vec::new();
        for stmt in &module.body {
            for_each_node(AnyNodeRef::from(stmt), |node| match node {
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => false,
                AnyNodeRef::ExprCall(call) if is_exit(&call.func) => {
                    if let [Expr::Call(inner)] = call.arguments.args.as_ref()
                        && let Expr::Name(name) = &*inner.func
                    {
                        names.push(name.id.to_string());
                    }
                    true
                }
                _ => true,
            });
        }
        Self(names)
    }
}

/// Words of a comment that says a `try`'s failures are expected and handled.
const FAILURE_WORDS: &[&str] = &[
    "catch",
    "ignore",
    "suppress",
    "best effort",
    "best-effort",
    "may fail",
    "might fail",
    "can fail",
    "could fail",
];

/// Whether the own-line comments right above the `try` talk about its failures ("Catch
/// errors that may happen when close is called from `__del__`"): the broad handler
/// below is explained, like a comment in the handler itself.
fn failure_explained_above(stmt: &StmtTry, ctx: &Context) -> bool {
    let before = ctx.slice(TextRange::up_to(stmt.start()));
    // Up to the end of the line above the `try`.
    let before = before
        .get(..before.rfind('\n').unwrap_or(0))
        .unwrap_or_default();
    before
        .lines()
        .rev()
        .map(str::trim_start)
        .take_while(|line| line.starts_with('#'))
        .any(|comment| {
            let lower = comment.to_ascii_lowercase();
            intent::explains(comment) && FAILURE_WORDS.iter().any(|word| lower.contains(word))
        })
}

/// Whether the handler's `try` runs code given as text or a code object, through the
/// builtin `exec()` or `eval()` called in its own body (not in a function defined there).
fn runs_given_code(ctx: &Context) -> bool {
    let Some(AnyNodeRef::StmtTry(stmt)) = ctx.parent() else {
        return false;
    };
    calls_any(&stmt.body, |call| {
        ctx.is_builtin(&call.func, "exec") || ctx.is_builtin(&call.func, "eval")
    })
}

/// Whether the handler's `try` is one call of a method of the enclosing class
/// (`self.name(...)`) or a module-level function whose whole body is a `try` with a
/// catch-all handler that calls something (a reporter) and ends with a bare `raise`.
fn calls_reporting_helper(ctx: &Context) -> bool {
    let Some(AnyNodeRef::StmtTry(stmt)) = ctx.parent() else {
        return false;
    };
    let [only] = stmt.body.as_slice() else {
        return false;
    };
    let call = match only {
        Stmt::Expr(expr) => &*expr.value,
        Stmt::Assign(assign) => &*assign.value,
        Stmt::Return(ret) => match ret.value.as_deref() {
            Some(value) => value,
            None => return false,
        },
        _ => return false,
    };
    let Expr::Call(call) = call else {
        return false;
    };
    let helper = match &*call.func {
        Expr::Attribute(attr) if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "self") => {
            ctx.enclosing_class().and_then(|class| {
                class.body.iter().rev().find_map(|stmt| match stmt {
                    Stmt::FunctionDef(def) if def.name.as_str() == attr.attr.as_str() => Some(def),
                    _ => None,
                })
            })
        }
        Expr::Name(name) => ctx.facts().function(name.id.as_str()),
        _ => None,
    };
    let Some(helper) = helper else {
        return false;
    };
    let body: Vec<&Stmt> = helper
        .body
        .iter()
        .filter(|stmt| !matches!(stmt, Stmt::Expr(e) if e.value.is_string_literal_expr()))
        .collect();
    let [Stmt::Try(inner)] = body.as_slice() else {
        return false;
    };
    inner
        .handlers
        .iter()
        .filter_map(|h| h.as_except_handler())
        .any(|handler| {
            handler.type_.is_none()
                && matches!(handler.body.last(), Some(Stmt::Raise(raise)) if raise.exc.is_none())
                && calls_any(&handler.body, |_| true)
        })
}

/// Whether the handler shows or hands on what it caught: it calls something (a
/// traceback printer, an error reporter, `sys.exc_info()`) or reads the caught name. A
/// bare fallback (`return None`, `value = text`) reports nothing.
fn reports(handler: &ExceptHandlerExceptHandler, caught: Option<&str>) -> bool {
    let mut found = false;
    for stmt in &handler.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            found |= match node {
                AnyNodeRef::ExprCall(_) => true,
                AnyNodeRef::ExprName(name) => caught == Some(name.id.as_str()),
                _ => false,
            };
            !found
        });
    }
    found
}

/// Whether the handler is in a `__del__` method, whose exceptions Python reports as
/// "Exception ignored" and never propagates: catching everything there loses nothing.
fn in_finalizer(ctx: &Context) -> bool {
    ctx.enclosing_function()
        .is_some_and(|def| def.name.as_str() == "__del__")
}

/// Whether the statement right after the handler's `try` ends the program (`try:
/// sys.stdin.close() except: pass` then `raise SystemExit(code)`): whatever the handler
/// swallowed, the program stops next.
fn program_ends_after_try(ctx: &Context) -> bool {
    let (Some(AnyNodeRef::StmtTry(stmt)), Some(outer)) = (ctx.parent(), ctx.ancestors().nth(1))
    else {
        return false;
    };
    let Some(block) = block_holding(outer, AnyNodeRef::from(stmt)) else {
        return false;
    };
    block
        .iter()
        .position(|s| AnyNodeRef::from(s).ptr_eq(AnyNodeRef::from(stmt)))
        .and_then(|at| block.get(at + 1..at + 2))
        .is_some_and(|next| ends(next, ctx, 0))
}

/// Whether the handler captures `info = sys.exc_info()` and keeps it (see [`keeps_exc_info`]).
fn is_exc_info_stored(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    let Some(captured) = exc_info_alias(handler, ctx) else {
        return false;
    };
    let kept = |expr: &Expr| match expr {
        Expr::Subscript(item) => is_name(&item.value, captured),
        _ => is_name(expr, captured),
    };
    handler.body.iter().any(|stmt| match stmt {
        Stmt::Assign(assign) => is_name(&assign.value, captured),
        Stmt::Expr(expr) => matches!(&*expr.value, Expr::Call(call)
            if !is_logging_call(&call.func) && call.arguments.args.iter().any(kept)),
        _ => false,
    })
}

/// The name a handler's own statement binds to `sys.exc_info()` (or `sys.exception()`):
/// `info = sys.exc_info()`, alone or among several targets (`(exc, value, tb) = info =
/// sys.exc_info()`, in pydoc). Passing that name on passes the caught exception on.
pub(crate) fn exc_info_alias<'a>(
    handler: &'a ExceptHandlerExceptHandler,
    ctx: &Context,
) -> Option<&'a str> {
    handler.body.iter().find_map(|stmt| {
        let Stmt::Assign(assign) = stmt else {
            return None;
        };
        let Expr::Call(call) = &*assign.value else {
            return None;
        };
        if !matches!(
            ctx.qualified_name(&call.func).as_deref(),
            Some("sys.exc_info" | "sys.exception")
        ) {
            return None;
        }
        assign.targets.iter().find_map(|target| match target {
            Expr::Name(name) => Some(name.id.as_str()),
            _ => None,
        })
    })
}

/// `print(...)`, `log.error(...)`, `logging.warning(...)`: logging Ctrl-C and carrying
/// on is still swallowing it, so a logged exception is not a handed-over one.
pub(crate) fn is_logging_call(func: &Expr) -> bool {
    match func {
        Expr::Name(name) => name.id.as_str() == "print",
        Expr::Attribute(attr) => {
            matches!(
                attr.attr.as_str(),
                "debug" | "info" | "warning" | "warn" | "error" | "exception" | "critical" | "log"
            ) || matches!(&*attr.value, Expr::Name(n) if n.id.contains("log"))
        }
        _ => false,
    }
}

/// Whether the handler's `try` is a `try`/`except*` (exception groups).
fn in_star_try(ctx: &Context) -> bool {
    matches!(ctx.parent(), Some(AnyNodeRef::StmtTry(stmt)) if stmt.is_star)
}

/// The `BaseException` the caught type names, itself or inside a tuple.
fn base_exception_in<'e>(type_: &'e Expr, ctx: &Context, depth: usize) -> Option<&'e Expr> {
    match type_ {
        Expr::Tuple(tuple) if depth < MAX_TUPLE_NESTING => tuple
            .elts
            .iter()
            .find_map(|elt| base_exception_in(elt, ctx, depth + 1)),
        Expr::Tuple(_) => None,
        _ => matches!(
            ctx.qualified_name(type_).as_deref(),
            Some("BaseException" | "builtins.BaseException")
        )
        .then_some(type_),
    }
}

/// What the `raise` statements of a handler do with the exception it caught.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Raises {
    /// Nothing is raised: the exception ends here.
    Nothing,
    /// Some other exception is raised, not chained to the caught one.
    Other,
    /// The caught exception propagates: a bare `raise`, or `raise name`,
    /// `raise name from ...`, `raise X(...) from name`, `raise name.with_traceback(...)`
    /// of the caught `name`.
    Caught,
}

/// Scans the handler's own statements for `raise`. Nested functions and classes run
/// later (or never), so their `raise` does not count; a `raise` inside a nested
/// handler belongs to that handler's exception, so only one naming ours counts there.
fn scan_raises(handler: &ExceptHandlerExceptHandler, caught: Option<&str>) -> Raises {
    let mut found = Raises::Nothing;
    let mut nested_handlers: Vec<TextRange> = Vec::new();
    for stmt in &handler.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if found == Raises::Caught {
                return false;
            }
            match node {
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => false,
                AnyNodeRef::ExceptHandlerExceptHandler(inner) => {
                    nested_handlers.push(inner.range());
                    true
                }
                AnyNodeRef::StmtRaise(raise) => {
                    let in_nested_handler = nested_handlers
                        .iter()
                        .any(|outer| outer.contains_range(raise.range()));
                    let propagates = match raise.exc.as_deref() {
                        None => !in_nested_handler,
                        Some(exc) => caught.is_some_and(|name| {
                            names_caught(exc, name)
                                || raise.cause.as_deref().is_some_and(|c| is_name(c, name))
                        }),
                    };
                    if propagates {
                        found = Raises::Caught;
                    } else if raise.exc.is_some() && !in_nested_handler {
                        found = Raises::Other;
                    }
                    false
                }
                // Statements hold no statements inside their expressions.
                _ => !node.is_expression(),
            }
        });
        if found == Raises::Caught {
            break;
        }
    }
    found
}

/// `name` itself, or `name.with_traceback(...)`.
fn names_caught(exc: &Expr, name: &str) -> bool {
    match exc {
        Expr::Call(call) => matches!(
            &*call.func,
            Expr::Attribute(attr)
                if attr.attr.as_str() == "with_traceback" && is_name(&attr.value, name)
        ),
        _ => is_name(exc, name),
    }
}

fn is_name(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Name(n) if n.id.as_str() == name)
}

/// What a handler body that does nothing visible does with the exception, if that
/// is all it does.
/// Whether the `try` runs a loop, or a loop around it (in the same function) goes on
/// after the handler, which neither returns, breaks nor raises at its end.
fn keeps_looping(handler: &ExceptHandlerExceptHandler, ctx: &Context) -> bool {
    let Some(AnyNodeRef::StmtTry(stmt)) = ctx.parent() else {
        return false;
    };
    let is_loop =
        |node: AnyNodeRef| matches!(node, AnyNodeRef::StmtFor(_) | AnyNodeRef::StmtWhile(_));
    let leaves = matches!(
        handler.body.last(),
        Some(Stmt::Return(_) | Stmt::Break(_) | Stmt::Raise(_))
    );
    any_in_scope(&stmt.body, is_loop)
        || (!leaves
            && ctx
                .ancestors()
                .take_while(|node| !is_scope(*node))
                .any(is_loop))
}

fn quiet_fate(body: &[Stmt]) -> Option<&'static str> {
    let is_noop = |stmt: &Stmt| match stmt {
        Stmt::Pass(_) => true,
        Stmt::Expr(expr) => matches!(
            &*expr.value,
            Expr::EllipsisLiteral(_) | Expr::StringLiteral(_)
        ),
        _ => false,
    };
    let (last, rest) = body.split_last()?;
    if !rest.iter().all(is_noop) {
        return None;
    }
    match last {
        Stmt::Continue(_) => Some("silently carries on with the loop"),
        Stmt::Return(ret) if ret.value.is_none() => Some("silently returns"),
        stmt if is_noop(stmt) => Some("silently discards them"),
        _ => None,
    }
}
