//! PF301: a mutable object as a parameter default, shared by every call.

use crate::ast::{
    AnyNodeRef, Expr, NodeKind, Parameters, Ranged, Stmt, StmtFunctionDef, TextRange, TextSize,
};
use crate::checker::Context;
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::default_evidence::{self, Use};

pub static META: RuleMeta = RuleMeta {
    code: "PF301",
    name: "mutable-default-arg",
    summary: "a mutable default value is created once and shared by every call",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/mutable-default-arg.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B006",
            name: "mutable-argument-default",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B006",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0102",
            name: "dangerous-default-value",
        },
    ],
};

/// Calls that build a new mutable container, by qualified name.
const MUTABLE_FACTORIES: &[&str] = &[
    "list",
    "dict",
    "set",
    "bytearray",
    "collections.deque",
    "collections.defaultdict",
    "collections.OrderedDict",
    "collections.Counter",
    "collections.ChainMap",
    "collections.UserDict",
    "collections.UserList",
];

pub struct MutableDefaultArg;

impl Rule for MutableDefaultArg {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef, NodeKind::ExprLambda]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        // Stubs only declare signatures; their defaults are never evaluated.
        if ctx.is_stub() {
            return;
        }
        let parameters: &Parameters = match node {
            AnyNodeRef::StmtFunctionDef(def) => &def.parameters,
            AnyNodeRef::ExprLambda(lambda) => match &lambda.parameters {
                Some(parameters) => parameters,
                None => return,
            },
            _ => return,
        };
        let with_defaults = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs);
        for param in with_defaults {
            let Some(default) = param.default.as_deref() else {
                continue;
            };
            let Some(kind) = mutable_kind(default, ctx) else {
                continue;
            };
            let name = param.parameter.name.as_str();
            let fix = match node {
                AnyNodeRef::StmtFunctionDef(def) => none_default_fix(def, name, default, ctx),
                _ => None,
            };
            let (severity, evidence) = match node {
                AnyNodeRef::StmtFunctionDef(def) => weigh(def, name, default),
                _ => (Severity::Warning, String::new()),
            };
            let diagnostic = report.add(
                default.range(),
                format!(
                    "the default {kind} of `{name}` is created once, when the function is defined, and every call that omits `{name}` shares it{evidence}"
                ),
                format!(
                    "default `{name}` to `None` and build the {kind} inside the function: `if {name} is None: {name} = {}`",
                    fresh_value(default, ctx)
                ),
            );
            diagnostic.severity = severity;
            if let Some(fix) = fix {
                diagnostic.set_fix(fix);
            }
        }
    }
}

/// How live the sharing is, from what the function does with the parameter, and the
/// words that say so in the message.
fn weigh(def: &StmtFunctionDef, name: &str, default: &Expr) -> (Severity, String) {
    let kwargs = def.parameters.kwarg.as_ref().map(|p| p.name.as_str());
    let lower = name.to_ascii_lowercase();
    // `n=[0]`, `lnum=[lnum]`, `num_lines=[0, 0]`: a short list of numbers or names is
    // the old idiom for counters or cells that keep their value from call to call.
    let cell = matches!(default, Expr::List(list)
        if (1..=3).contains(&list.elts.len())
            && list.elts.iter().all(|e| matches!(e, Expr::NumberLiteral(_) | Expr::Name(_))));
    match default_evidence::classify(&def.body, name, kwargs) {
        Use::Mutated(_) if default_evidence::is_memo(&def.body, name) => (
            Severity::Info,
            "; it is a memo (`if key in ...`, then stored), kept across calls on purpose".to_owned(),
        ),
        Use::Mutated(_) if cell => (
            Severity::Info,
            "; a short list of counters changed in place is a cell that keeps state across calls on purpose".to_owned(),
        ),
        // A `_cache={}` or `memo={}` default that is filled in is a memo kept across
        // calls on purpose; so is a private `_state=[0]` no caller is meant to pass.
        Use::Mutated(_) | Use::Kept(_)
            if lower.contains("cache") || lower.contains("memo") || name.starts_with('_') =>
        {
            (
                Severity::Info,
                "; its name says it is state kept across calls on purpose".to_owned(),
            )
        }
        Use::Mutated(how) => (
            Severity::Error,
            format!(": it is changed here ({how}), so each call sees what earlier calls left in it"),
        ),
        Use::Kept(how) => (
            Severity::Error,
            format!(": it is {how} here, so every call keeps or hands out the same object, and a change made through one shows up in all"),
        ),
        // On real code the callee almost always only reads it (a base class's
        // `__init__(settings)`): without seeing it change, this is the read-only hazard,
        // a warning like a default that is only read (issue #11: hazard, not info).
        Use::PassedOn(callee) => (
            Severity::Warning,
            format!("; it is passed to `{callee}`, which may change or keep it"),
        ),
        Use::Read if default_evidence::replaced_before_use(&def.body, name) => (
            Severity::Info,
            "; the function replaces it with a new object before using it, so the shared one is only ever copied".to_owned(),
        ),
        Use::Read => (
            Severity::Warning,
            "; it is only read here, so nothing leaks yet, but the next change that writes to it will".to_owned(),
        ),
    }
}

/// Default `None`, plus `if name is None: name = <default>` at the top of the body
/// (after the docstring), indented like the body. Only for a body on its own lines and
/// a default on one line. Unsafe: the default is now built at call time, in the
/// function's scope, and `None` now means "the default" too.
pub(crate) fn none_default_fix(
    def: &StmtFunctionDef,
    name: &str,
    default: &Expr,
    ctx: &Context,
) -> Option<Fix> {
    let value = ctx.text_of(default);
    if value.contains(['\n', '\r']) {
        return None;
    }
    let source = ctx.source();
    let first = def.body.first()?;
    let has_docstring = matches!(first, Stmt::Expr(expr) if expr.value.is_string_literal_expr());
    let line_start = source[..first.start().to_usize()]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1);
    let indent = &source[line_start..first.start().to_usize()];
    if indent.is_empty() || !indent.chars().all(|c| c == ' ' || c == '\t') {
        return None;
    }
    let inner = if indent.contains('\t') { "\t" } else { "    " };
    let guard = format!("{indent}if {name} is None:\n{indent}{inner}{name} = {value}\n");
    let (at, content) = match def.body.get(usize::from(has_docstring)) {
        Some(next) => {
            let next_line = source[..next.start().to_usize()]
                .rfind(['\n', '\r'])
                .map_or(0, |i| i + 1);
            if !source[next_line..next.start().to_usize()].trim().is_empty() {
                return None;
            }
            (next_line, guard)
        }
        // Only a docstring: the guard goes after its line.
        None => match source[first.end().to_usize()..].find('\n') {
            Some(newline) => (first.end().to_usize() + newline + 1, guard),
            None => (source.len(), format!("\n{guard}")),
        },
    };
    let at = TextSize::try_from(at).ok()?;
    Some(Fix::unsafe_(
        format!("default `{name}` to `None` and build the value in the body"),
        vec![
            Edit::replace(default.range(), "None"),
            Edit::replace(TextRange::empty(at), content),
        ],
    ))
}

/// What kind of mutable object `expr` creates, if it creates one (shared with
/// mutable-class-attr).
pub(crate) fn mutable_kind(expr: &Expr, ctx: &Context) -> Option<&'static str> {
    match expr {
        Expr::List(_) | Expr::ListComp(_) => Some("list"),
        Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
        Expr::Set(_) | Expr::SetComp(_) => Some("set"),
        Expr::Call(call) => {
            let name = ctx.qualified_name(&call.func)?;
            let found = MUTABLE_FACTORIES.iter().find(|&&f| f == name)?;
            Some(match *found {
                "list" | "collections.UserList" => "list",
                "dict" | "collections.UserDict" => "dict",
                "set" => "set",
                "bytearray" => "bytearray",
                "collections.deque" => "deque",
                "collections.defaultdict" => "defaultdict",
                "collections.OrderedDict" => "OrderedDict",
                "collections.Counter" => "Counter",
                _ => "ChainMap",
            })
        }
        _ => None,
    }
}

/// The default as written, when short enough to quote in the help; else a placeholder.
fn fresh_value<'a>(default: &Expr, ctx: &Context<'a>) -> &'a str {
    let text = ctx.text_of(default);
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}
