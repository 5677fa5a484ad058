//! PF305: a decorator returns an inner wrapper function without `@functools.wraps`, so
//! the decorated function loses its name, docstring and signature.
//!
//! The shape recognised: a function (the decorator) whose first parameter is the
//! function being decorated, defining an inner function that calls it, forwarding its
//! own parameters unchanged (`func(*args, **kwargs)`, `func(x)`), and returning that
//! inner function by name; the parameter must be named like a function or the inner
//! function like a wrapper. Decorator factories are the same shape one level down.
//! Silent when metadata is copied some other way (`update_wrapper`, `__name__`
//! assignments, a decorator on the wrapper that takes the wrapped function), when
//! something else is returned, for combinators (`compose(f, g)`, `exhaust(rule)`),
//! adapters (`callback(event.data)`) and reshaping wrappers (`func(*args)` from a plain
//! `args`), and when a comment right above the wrapper mentions `wraps`.

use std::collections::{HashMap, HashSet};

use crate::ast::{AnyNodeRef, Expr, NodeKind, Ranged, Stmt, StmtFunctionDef, TextRange, TextSize};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF305",
    name: "missing-functools-wraps",
    summary: "a decorator's wrapper without `functools.wraps` hides the decorated function's name, docstring and signature",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/missing-functools-wraps.md"),
    fix: FixAvailability::None,
    equivalents: &[],
};

/// Parameter names (lower case, without leading underscores) that hold a function,
/// besides those containing `func` or ending in `fn`.
const FUNCTION_PARAMETERS: &[&str] = &[
    "f",
    "fun",
    "meth",
    "method",
    "view",
    "wrapped",
    "callable",
    "cb",
    "callback",
    "handler",
    "coro",
    "coroutine",
    "test",
    "target",
    "cls",
    "klass",
    "orig",
    "original",
    "decorated",
    "task",
    "job",
    "hook",
];

/// Names of an inner function that is itself a decorator (a factory's middle level).
const DECORATOR_NAMES: &[&str] = &["decorator", "decorate", "deco", "dec", "_decorator"];

pub struct MissingFunctoolsWraps;

impl Rule for MissingFunctoolsWraps {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(inner) = node else {
            return;
        };
        let mut scopes = ctx.ancestors().filter(|node| is_scope(*node));
        let Some(AnyNodeRef::StmtFunctionDef(outer)) = scopes.next() else {
            return;
        };
        let in_class = matches!(scopes.next(), Some(AnyNodeRef::StmtClassDef(_)));
        if ctx.is_stub() {
            return;
        }
        let Some(wrapped) = wrapped_parameter(outer, in_class) else {
            return;
        };
        if inner
            .decorator_list
            .iter()
            .any(|d| copies_metadata(&d.expression, wrapped))
        {
            return;
        }
        let wrapper = inner.name.as_str();
        if !looks_like_wrapper(wrapper, wrapped) {
            return;
        }
        if !forwards_to(inner, wrapped)
            || !returns_unchanged(outer, wrapper, wrapped)
            || explains_omission(outer, inner, ctx)
        {
            return;
        }
        let decorator = decorator_name(outer, in_class, ctx);
        let wraps = if ctx.facts().import_of("wraps") == Some("functools.wraps") {
            format!("add `@wraps({wrapped})`")
        } else if ctx.facts().import_of("functools") == Some("functools") {
            format!("add `@functools.wraps({wrapped})`")
        } else {
            format!("`import functools` and add `@functools.wraps({wrapped})`")
        };
        let diagnostic = report.add(
            def_header(inner, ctx),
            format!(
                "`{wrapper}` replaces `{wrapped}` without `functools.wraps`, so every function decorated with {decorator} is renamed `{wrapper}` and loses its docstring, signature and attributes"
            ),
            format!(
                "{wraps} on the line above `def {wrapper}`; it copies `{wrapped}`'s name, docstring and attributes onto `{wrapper}` and sets `__wrapped__` so `inspect.signature` finds the real signature"
            ),
        );
        // Evidence: the module decorates a documented function with it, whose docstring
        // (and name) are then lost; or it is a public decorator made for other modules.
        // A private or debugging helper used here only on undocumented functions loses
        // what nobody reads: a hint.
        let name = outer.name.as_str();
        let (applied, documented) = applications(name, ctx);
        let exported =
            !applied && !name.starts_with('_') && !name.to_ascii_lowercase().contains("debug");
        if !documented && !exported {
            diagnostic.severity = Severity::Info;
        }
        report.attach_to_last(wraps_suggestion(inner, wrapped, ctx));
    }
}

/// Whether `@decorator` (or `@decorator(...)`) is applied in the file, and whether one
/// of the functions it decorates has a docstring.
fn applications(decorator: &str, ctx: &Context) -> (bool, bool) {
    let uses = ctx.memo(|| DecoratorUses::collect(ctx.source()));
    uses.0
        .get(decorator)
        .map_or((false, false), |&documented| (true, documented))
}

/// Every name applied as `@name` or `@name(...)` at the start of a line, and whether
/// one of the functions it decorates has a docstring: built in one pass over the
/// source, not one per wrapper found.
struct DecoratorUses(HashMap<String, bool>);

impl DecoratorUses {
    fn collect(source: &str) -> Self {
        let lines: Vec<&str> = source.lines().collect();
        let mut uses: HashMap<String, bool> = HashMap::new();
        for (at, line) in lines.iter().enumerate() {
            let Some(rest) = line.trim_start().strip_prefix('@') else {
                continue;
            };
            // A decorator name holds none of these, so `@name` followed by one of them
            // (or by nothing) applies exactly `name`.
            let name = rest.find(['(', ' ', '#']).map_or(rest, |end| &rest[..end]);
            let documented = uses.entry(name.to_owned()).or_insert(false);
            if *documented {
                continue;
            }
            // The `def` line (after more decorators), then the first line of its body.
            let Some(def_at) = (at + 1..lines.len().min(at + 12)).find(|&i| {
                let text = lines[i].trim_start();
                text.starts_with("def ") || text.starts_with("async def ")
            }) else {
                continue;
            };
            let body_at = (def_at..lines.len().min(def_at + 12))
                .find(|&i| lines[i].trim_end().ends_with(':'))
                .map_or(def_at + 1, |i| i + 1);
            *documented = lines.get(body_at).is_some_and(|body| {
                let body = body.trim_start().trim_start_matches(['r', 'u', 'R', 'U']);
                body.starts_with("\"\"\"") || body.starts_with("'''")
            });
        }
        DecoratorUses(uses)
    }
}

fn is_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

/// The decorator's parameter that receives the decorated function: its first positional
/// parameter (after `self`/`cls` in a method). Any further positional parameter must
/// have a default, or the function is a combinator such as `compose(f, g)`.
fn wrapped_parameter(outer: &StmtFunctionDef, in_class: bool) -> Option<&str> {
    let parameters = &outer.parameters;
    let is_static = outer
        .decorator_list
        .iter()
        .any(|d| matches!(&d.expression, Expr::Name(n) if n.id.as_str() == "staticmethod"));
    let skip = usize::from(in_class && !is_static);
    let mut positional = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .skip(skip);
    let first = positional.next()?;
    if positional.any(|p| p.default.is_none()) {
        return None;
    }
    let name = first.parameter.name.as_str();
    (name != "self").then_some(name)
}

/// Whether the names say decorator rather than combinator: the parameter names a
/// function (`func`, `view_func`, `f`, `cls`) or the inner function is a wrapper
/// (`wrapper`, `_wrapped_view`). An inner `decorator` is the middle of a factory, not
/// a wrapper. `exhaust(rule)` returning `exhaustive_rl`, or `make_safe(parse_float)`
/// returning `safe_parse_float`, build new functions that need their own names.
fn looks_like_wrapper(wrapper: &str, wrapped: &str) -> bool {
    if DECORATOR_NAMES.contains(&wrapper) {
        return false;
    }
    let wrapped = wrapped.trim_start_matches('_').to_ascii_lowercase();
    wrapper.to_ascii_lowercase().contains("wrap")
        || wrapped.contains("func")
        || wrapped.ends_with("fn")
        || FUNCTION_PARAMETERS.contains(&wrapped.as_str())
}

/// A decorator on the wrapper that copies metadata: `@functools.wraps(func)`,
/// `@six.wraps(func)`, or any call given the wrapped function (`@copy_signature(func)`).
fn copies_metadata(decorator: &Expr, wrapped: &str) -> bool {
    let (callee, arguments) = match decorator {
        Expr::Call(call) => (&*call.func, Some(&call.arguments)),
        other => (other, None),
    };
    let name = match callee {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => "",
    };
    name.to_ascii_lowercase().contains("wrap")
        || arguments.is_some_and(|arguments| {
            arguments
                .args
                .iter()
                .chain(arguments.keywords.iter().map(|k| &k.value))
                .any(|arg| mentions(arg, wrapped))
        })
}

/// Whether `expr` reads the name `name` anywhere.
fn mentions(expr: &Expr, name: &str) -> bool {
    let mut found = false;
    for_each_node(AnyNodeRef::from(expr), |node| {
        found |= matches!(node, AnyNodeRef::ExprName(n) if n.id.as_str() == name);
        !found
    });
    found
}

/// Whether `inner` calls `wrapped`, or hands it to a call (`pool.submit(func, *args)`),
/// passing its own parameters straight through in the same shape: `x` as `x`,
/// `*args` as `*args`, `**kwargs` as `**kwargs`. An inner function that reshapes the
/// call (`func(*args)` from a plain `args`) has another signature, so `wraps` would
/// misdescribe it; one whose parameter shadows `wrapped` never sees it.
fn forwards_to(inner: &StmtFunctionDef, wrapped: &str) -> bool {
    let parameters = &*inner.parameters;
    let plain: HashSet<&str> = parameters
        .posonlyargs
        .iter()
        .chain(&parameters.args)
        .chain(&parameters.kwonlyargs)
        .map(|p| p.parameter.name.as_str())
        .collect();
    let vararg = parameters.vararg.as_deref().map(|p| p.name.as_str());
    let kwarg = parameters.kwarg.as_deref().map(|p| p.name.as_str());
    if plain.contains(wrapped) || vararg == Some(wrapped) || kwarg == Some(wrapped) {
        return false;
    }
    let takes_nothing = plain.is_empty() && vararg.is_none() && kwarg.is_none();
    let is_wrapped = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == wrapped);
    // Some(true): passes an own parameter in its shape; Some(false): reshapes one.
    let positional = |arg: &Expr| match arg {
        Expr::Starred(starred) => name_of(&starred.value).and_then(|name| {
            (vararg == Some(name))
                .then_some(true)
                .or(plain.contains(name).then_some(false))
        }),
        other => name_of(other).and_then(|name| {
            plain
                .contains(name)
                .then_some(true)
                .or((vararg == Some(name)).then_some(false))
        }),
    };
    let keyword = |k: &crate::ast::Keyword| {
        let name = name_of(&k.value)?;
        match k.arg {
            None => (kwarg == Some(name))
                .then_some(true)
                .or(plain.contains(name).then_some(false)),
            Some(_) => plain
                .contains(name)
                .then_some(true)
                .or((kwarg == Some(name)).then_some(false)),
        }
    };
    let mut found = false;
    for stmt in &inner.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if let AnyNodeRef::ExprCall(call) = node {
                let args = &call.arguments.args;
                // The arguments after the wrapped function are the ones it receives.
                let after = if is_wrapped(&call.func) {
                    Some(0)
                } else {
                    args.iter().position(is_wrapped).map(|at| at + 1)
                };
                if let Some(after) = after {
                    let shapes: Vec<bool> = args
                        .get(after..)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(positional)
                        .chain(call.arguments.keywords.iter().filter_map(keyword))
                        .collect();
                    found |=
                        shapes.iter().all(|&same| same) && (takes_nothing || !shapes.is_empty());
                }
            }
            !found
                && !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_)
                )
        });
        if found {
            return true;
        }
    }
    false
}

fn name_of(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Name(n) => Some(n.id.as_str()),
        _ => None,
    }
}

/// Whether `outer` returns the wrapper by name and nothing in it copies metadata onto
/// the wrapper: `update_wrapper(wrapper, func)`, `wrapper.__name__ = ...`,
/// `wrapper.__dict__.update(...)`, `wrapper = wraps(func)(wrapper)`, or any other call
/// handed both the wrapper and the wrapped function.
fn returns_unchanged(outer: &StmtFunctionDef, wrapper: &str, wrapped: &str) -> bool {
    let is_wrapper = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == wrapper);
    let mut returned = false;
    let mut copied = false;
    for stmt in &outer.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            match node {
                AnyNodeRef::StmtReturn(ret) => {
                    returned |= ret.value.as_deref().is_some_and(is_wrapper);
                }
                AnyNodeRef::StmtAssign(assign) => {
                    copied |= assign.targets.iter().any(is_wrapper);
                }
                AnyNodeRef::ExprAttribute(attr) => {
                    let dunder = attr.attr.starts_with("__") && attr.attr.ends_with("__");
                    copied |= dunder && is_wrapper(&attr.value);
                }
                AnyNodeRef::ExprCall(call) => {
                    let args = &call.arguments.args;
                    copied |= args.iter().any(is_wrapper)
                        && (mentions(&call.func, wrapped)
                            || args.iter().any(|arg| mentions(arg, wrapped)));
                }
                _ => {}
            }
            !copied && !is_scope(node)
        });
    }
    returned && !copied
}

/// Whether the comment block right above the wrapper mentions `wraps` ("intentionally
/// not using @wraps here for performance"): a decision, not an oversight.
fn explains_omission(outer: &StmtFunctionDef, inner: &StmtFunctionDef, ctx: &Context) -> bool {
    let start = outer.parameters.end();
    let end = inner.range.start();
    if start >= end {
        return false;
    }
    let before = ctx.slice(TextRange::new(start, end));
    before
        .lines()
        .rev()
        .skip(1) // the wrapper's own line, up to its `def` or first decorator
        .map(str::trim)
        .take_while(|line| line.starts_with('#'))
        .any(|comment| comment.contains("wraps"))
}

/// How the message names the decorator: `` `timer` ``, or `` `@retry(...)` `` for the
/// inner level of a factory that returns it, or the class for a `__call__` method.
fn decorator_name(outer: &StmtFunctionDef, in_class: bool, ctx: &Context) -> String {
    let mut scopes = ctx.ancestors().filter(|node| is_scope(*node)).skip(1);
    match scopes.next() {
        Some(AnyNodeRef::StmtClassDef(class)) if in_class && outer.name.as_str() == "__call__" => {
            format!("a `{}` instance", class.name)
        }
        Some(AnyNodeRef::StmtFunctionDef(factory)) if returns_name(factory, &outer.name) => {
            format!("`@{}(...)`", factory.name)
        }
        _ => format!("`@{}`", outer.name),
    }
}

/// Whether `def` has a `return name` statement of its own (not in a nested scope).
fn returns_name(def: &StmtFunctionDef, name: &str) -> bool {
    let mut found = false;
    for stmt in &def.body {
        if let Stmt::FunctionDef(_) | Stmt::ClassDef(_) = stmt {
            continue;
        }
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if let AnyNodeRef::StmtReturn(ret) = node {
                found |=
                    matches!(ret.value.as_deref(), Some(Expr::Name(n)) if n.id.as_str() == name);
            }
            !found && !is_scope(node)
        });
    }
    found
}

/// `def name(...) -> T` (with `async`), without decorators or body.
fn def_header(def: &StmtFunctionDef, ctx: &Context) -> TextRange {
    let prefix = ctx.slice(TextRange::new(def.range.start(), def.name.start()));
    let keyword = prefix
        .rfind("def")
        .map(|at| {
            if def.is_async {
                prefix[..at].rfind("async").unwrap_or(at)
            } else {
                at
            }
        })
        .and_then(|at| u32::try_from(at).ok())
        .map_or(def.range.start(), |at| {
            def.range.start() + TextSize::new(at)
        });
    let end = def
        .returns
        .as_deref()
        .map_or(def.parameters.end(), Ranged::end);
    TextRange::new(keyword, end.max(keyword))
}

/// `@functools.wraps(wrapped)` (or `@wraps(...)` when imported so) on the line above the
/// wrapper and its decorators, for teach mode. Display-only: `functools` may still need
/// importing.
fn wraps_suggestion(
    inner: &crate::ast::StmtFunctionDef,
    wrapped: &str,
    ctx: &Context,
) -> Option<crate::rule::Fix> {
    let decorator = if ctx.facts().import_of("wraps") == Some("functools.wraps") {
        "wraps"
    } else {
        "functools.wraps"
    };
    let source = ctx.source();
    let start = inner.range.start().to_usize();
    let line_start = source[..start].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let indent = &source[line_start..start];
    if !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let at = crate::ast::TextSize::try_from(line_start).ok()?;
    let import = if decorator == "wraps" || ctx.facts().import_of("functools").is_some() {
        ""
    } else {
        " (and `import functools` at the top of the module)"
    };
    Some(crate::rule::Fix::display_only(
        format!("copy `{wrapped}`'s metadata with `@{decorator}`{import}"),
        vec![crate::rule::Edit::replace(
            crate::ast::TextRange::empty(at),
            format!("{indent}@{decorator}({wrapped})\n"),
        )],
    ))
}
