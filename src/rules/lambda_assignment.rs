//! PF304: a `lambda` bound to a name with `=`, where a `def` would give the function
//! that name.
//!
//! Only a plain name target is reported (`f = lambda ...`, `f: T = lambda ...`); an
//! attribute or item target, tuple unpacking, a lambda passed as an argument or put in
//! a container, and a conditional expression stay silent, as does an annotated lambda
//! in a class body (a dataclass, attrs or Pydantic field, not a method) and the
//! `_ = lambda s: s` gettext placeholder. In a function only a lambda that leaves it
//! (returned, yielded, stored on an attribute, an item or in a container, declared
//! `global`) is reported:
//! a local helper's `<lambda>` name reaches no caller. At module and class level a
//! lambda the module keeps to itself is `info` (see `lambda_exposure`).

use crate::ast::{AnyNodeRef, Expr, ExprLambda, NodeKind, Ranged, Stmt, TextRange};
use crate::checker::Context;
use crate::checker::bindings::target_binds;
use crate::checker::subtree::any_in_scope;
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::lambda_exposure::internal_reason;
use crate::rules::late_binding_closure::STORING_METHODS;

pub static META: RuleMeta = RuleMeta {
    code: "PF304",
    name: "lambda-assignment",
    summary: "a lambda assigned to a name is a function called `<lambda>`; use `def`",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/lambda-assignment.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E731",
            name: "lambda-assignment",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E731",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "C3001",
            name: "unnecessary-lambda-assignment",
        },
    ],
};

/// The longest `def` rewrite quoted in the help.
const MAX_REWRITE: usize = 88;

pub struct LambdaAssignment;

impl Rule for LambdaAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtAssign, NodeKind::StmtAnnAssign]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let (target, value, annotated) = match node {
            AnyNodeRef::StmtAssign(assign) => match assign.targets.as_slice() {
                [target] => (target, &*assign.value, false),
                _ => return,
            },
            AnyNodeRef::StmtAnnAssign(assign) => match assign.value.as_deref() {
                Some(value) => (&*assign.target, value, true),
                None => return,
            },
            _ => return,
        };
        let (Expr::Lambda(lambda), Expr::Name(target)) = (value, target) else {
            return;
        };
        let name = target.id.as_str();
        if ctx.is_stub() || (name == "_" && is_identity(lambda)) {
            return;
        }
        let scope = ctx.ancestors().find(|node| {
            matches!(
                node,
                AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_)
            )
        });
        // A local helper that never leaves its function is named only where it is read:
        // no caller, pickle, `help()` or API listing ever meets its `<lambda>` name.
        if let Some(AnyNodeRef::StmtFunctionDef(function)) = scope
            && !escapes(name, &function.body)
        {
            return;
        }
        let in_class = matches!(scope, Some(AnyNodeRef::StmtClassDef(_)));
        // In a class body an annotation makes a field (dataclass, attrs, Pydantic,
        // NamedTuple) whose default is the lambda; a `def` would silently remove it.
        if in_class && annotated {
            return;
        }
        let internal = if scope.is_some_and(|s| matches!(s, AnyNodeRef::StmtFunctionDef(_))) {
            None
        } else {
            internal_reason(name, node, lambda, in_class, ctx)
        };
        let mut message = format!(
            "`{name}` is a lambda bound to a name: its `__name__` is `<lambda>`, so tracebacks, profilers and `repr` never show `{name}`"
        );
        if let Some(reason) = internal {
            message.push_str(&format!(" (internal: {reason})"));
        }
        let diagnostic = report.add(
            node.range(),
            message,
            help(name, lambda, in_class, annotated, ctx),
        );
        // Only a callable other code meets is worth a warning; one the module keeps to
        // itself costs nothing but its name in a traceback that also shows the line.
        if internal.is_some() {
            diagnostic.severity = Severity::Info;
        }
        let rewrite = rewrite(name, lambda, ctx);
        let takes_positional = lambda
            .parameters
            .as_deref()
            .is_some_and(|p| !p.posonlyargs.is_empty() || !p.args.is_empty() || p.vararg.is_some());
        // Only a statement alone on its line(s) becomes a `def` (not `a = 1; f = lambda: 0`
        // nor `if x: f = lambda: 0`), and only when the statement is on one line (a comment inside it would be lost). In a
        // class body, or with an annotation that the `def` drops, the fix is unsafe.
        let source = ctx.source();
        let line_start = source[..node.start().to_usize()]
            .rfind(['\n', '\r'])
            .map_or(0, |i| i + 1);
        let alone_before = source[line_start..node.start().to_usize()]
            .trim()
            .is_empty();
        let rest = &source[node.end().to_usize()..];
        let rest = &rest[..rest.find(['\n', '\r']).unwrap_or(rest.len())];
        let alone_after = rest.trim().is_empty() || rest.trim_start().starts_with('#');
        if alone_before
            && alone_after
            && !ctx.slice(node.range()).contains(['\n', '\r'])
            && (!in_class || takes_positional)
        {
            let edits = vec![Edit::replace(node.range(), rewrite)];
            let message = "define it with `def`";
            diagnostic.set_fix(if in_class || annotated {
                Fix::unsafe_(message, edits)
            } else {
                Fix::safe(message, edits)
            });
        }
    }
}

/// Whether the function hands the local `name` on: returns or yields it (alone or in a
/// tuple, list or dict), stores it on an attribute or item or in a container
/// (`callbacks.append(name)`), or declares it `global` or `nonlocal`. Uses inside a
/// `for` loop that reuses the name as its target (`for v, c in pairs:`) are the loop
/// item's, not the lambda's.
fn escapes(name: &str, body: &[Stmt]) -> bool {
    let loop_item = loop_bodies_rebinding(name, body);
    let is_it = |expr: &Expr| match expr {
        Expr::Name(found) => found.id.as_str() == name,
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == name)),
        Expr::List(list) => list
            .elts
            .iter()
            .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == name)),
        Expr::Dict(dict) => dict
            .iter_values()
            .any(|e| matches!(e, Expr::Name(n) if n.id.as_str() == name)),
        _ => false,
    };
    any_in_scope(body, |node| match node {
        _ if loop_item
            .iter()
            .any(|range| range.contains_range(node.range())) =>
        {
            false
        }
        AnyNodeRef::StmtReturn(ret) => ret.value.as_deref().is_some_and(is_it),
        AnyNodeRef::ExprYield(yield_) => yield_.value.as_deref().is_some_and(is_it),
        AnyNodeRef::StmtAssign(assign) => {
            is_it(&assign.value) && assign.targets.iter().any(|t| !t.is_name_expr())
        }
        AnyNodeRef::ExprCall(call) => {
            matches!(&*call.func, Expr::Attribute(method) if STORING_METHODS.contains(&method.attr.as_str()))
                && call.arguments.args.iter().any(is_it)
        }
        AnyNodeRef::StmtGlobal(global) => global.names.iter().any(|n| n.as_str() == name),
        AnyNodeRef::StmtNonlocal(nonlocal) => nonlocal.names.iter().any(|n| n.as_str() == name),
        _ => false,
    })
}

/// The bodies of the `for` loops in this scope whose target binds `name` (alone or in
/// a tuple): inside them the name is the loop's item, not the lambda.
fn loop_bodies_rebinding(name: &str, body: &[Stmt]) -> Vec<TextRange> {
    let found = std::cell::RefCell::new(Vec::new());
    any_in_scope(body, |node| {
        if let AnyNodeRef::StmtFor(stmt) = node
            && target_binds(&stmt.target, name)
            && let (Some(first), Some(last)) = (stmt.body.first(), stmt.body.last())
        {
            found
                .borrow_mut()
                .push(TextRange::new(first.start(), last.end()));
        }
        false
    });
    found.into_inner()
}

/// `lambda s: s`: assigned to `_`, the conventional stand-in for gettext's translation
/// function, which marks strings for extraction without translating them.
fn is_identity(lambda: &ExprLambda) -> bool {
    let Some(parameters) = lambda.parameters.as_deref() else {
        return false;
    };
    let [only] = parameters.args.as_slice() else {
        return false;
    };
    matches!(&*lambda.body, Expr::Name(body) if body.id == only.parameter.name.as_str())
}

/// `def name(params): return body`, on one line unless the lambda spans several.
fn rewrite(name: &str, lambda: &ExprLambda, ctx: &Context) -> String {
    let params = lambda.parameters.as_deref().map_or("", |p| ctx.text_of(p));
    let body = ctx.text_of(&*lambda.body);
    // `return yield` and `return x := 1` are syntax errors; the lambda had parentheses.
    if matches!(
        *lambda.body,
        Expr::Yield(_) | Expr::YieldFrom(_) | Expr::Named(_)
    ) {
        format!("def {name}({params}): return ({body})")
    } else {
        format!("def {name}({params}): return {body}")
    }
}

/// The `def` to write instead, quoted in full when it fits on one line.
fn help(name: &str, lambda: &ExprLambda, in_class: bool, annotated: bool, ctx: &Context) -> String {
    let takes_positional = lambda
        .parameters
        .as_deref()
        .is_some_and(|p| !p.posonlyargs.is_empty() || !p.args.is_empty() || p.vararg.is_some());
    let rewrite = rewrite(name, lambda, ctx);
    let mut help = if rewrite.len() <= MAX_REWRITE && !rewrite.contains('\n') {
        format!("define it with `def`: `{rewrite}`")
    } else {
        format!(
            "define it with `def {name}(...):` and `return` the lambda's expression from its body"
        )
    };
    if in_class && !takes_positional {
        help.push_str(
            ", marked `@staticmethod`: without parameters it can only be called through the class",
        );
    } else if annotated {
        help.push_str(", moving the types from the annotation onto its parameters and return");
    }
    help
}
