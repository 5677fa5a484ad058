//! PF105: a list, dict or set written where Python must hash it (a dict key, a set
//! member, `hash()`), which always raises `TypeError: unhashable type`.

use crate::ast::{AnyNodeRef, CmpOp, Expr, NodeKind, Ranged, Stmt};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};
use crate::rules::python2_leftover::expects_exception;

pub static META: RuleMeta = RuleMeta {
    code: "PF105",
    name: "unhashable-literal-key",
    summary: "a list, dict or set used as a dict key or set member always raises `TypeError: unhashable type`",
    severity: Severity::Error,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/unhashable-literal-key.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "pylint",
            code: "E1143",
            name: "unhashable-member",
        },
        Equivalent {
            tool: "pyright",
            code: "reportUnhashable",
            name: "",
        },
    ],
};

/// Tuples nest (`((1, [2]), 3)`); deeper ones are not searched.
const MAX_TUPLE_NESTING: usize = 8;

/// Calls that hash every item of their (first) argument.
const HASHING_CONSTRUCTORS: &[&str] = &["set", "frozenset", "collections.Counter"];

pub struct UnhashableLiteralKey;

impl Rule for UnhashableLiteralKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::ExprDict,
            NodeKind::ExprDictComp,
            NodeKind::ExprSet,
            NodeKind::ExprSetComp,
            NodeKind::ExprCompare,
            NodeKind::ExprCall,
            NodeKind::ExprSubscript,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        match node {
            AnyNodeRef::ExprDict(dict) => {
                for key in dict.items.iter().filter_map(|item| item.key.as_ref()) {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
            AnyNodeRef::ExprDictComp(comp) => {
                if let Some(key) = comp.key.as_deref() {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
            AnyNodeRef::ExprSet(set) => {
                for elt in &set.elts {
                    flag(elt, "a set member", "building this set", ctx, report);
                }
            }
            AnyNodeRef::ExprSetComp(comp) => {
                flag(&comp.elt, "a set member", "building this set", ctx, report);
            }
            AnyNodeRef::ExprCompare(compare) => {
                let mut left: &Expr = &compare.left;
                for (op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
                    if matches!(op, CmpOp::In | CmpOp::NotIn)
                        && unhashable(left, ctx, 0).is_some()
                        && let Some(kind) = container_kind(right, ctx)
                    {
                        let role = format!("looked up in a {}", kind.name());
                        flag(left, &role, "the membership test", ctx, report);
                    }
                    left = right;
                }
            }
            AnyNodeRef::ExprCall(call) => check_call(call, ctx, report),
            AnyNodeRef::ExprSubscript(subscript)
                if unhashable(&subscript.slice, ctx, 0).is_some()
                    && container_kind(&subscript.value, ctx) == Some(Container::Dict) =>
            {
                let dict = short(ctx.text_of(&*subscript.value));
                let role = format!("a key of the dict `{dict}`");
                flag(&subscript.slice, &role, "this subscript", ctx, report);
            }
            _ => {}
        }
    }
}

fn check_call(call: &crate::ast::ExprCall, ctx: &Context, report: &mut Report) {
    let [arg, ..] = &*call.arguments.args else {
        return;
    };
    if let Expr::Attribute(attr) = &*call.func {
        let method = attr.attr.as_str();
        let wanted = match method {
            "get" | "setdefault" | "pop" => Container::Dict,
            "add" | "discard" | "remove" => Container::Set,
            "fromkeys" if ctx.is_builtin(&attr.value, "dict") => {
                each_item(arg, "a key of `dict.fromkeys()`", ctx, report);
                return;
            }
            _ => return,
        };
        if unhashable(arg, ctx, 0).is_some() && container_kind(&attr.value, ctx) == Some(wanted) {
            let role = format!(
                "the argument of `{}.{method}()`",
                short(ctx.text_of(&*attr.value))
            );
            flag(arg, &role, "this call", ctx, report);
        }
        return;
    }
    // Cheap name test before resolving imports, which allocates.
    let last = match &*call.func {
        Expr::Name(name) => name.id.as_str(),
        _ => return,
    };
    if !matches!(last, "hash" | "set" | "frozenset" | "Counter" | "dict") {
        return;
    }
    let Some(name) = ctx.qualified_name(&call.func) else {
        return;
    };
    if name == "hash" {
        flag(arg, "the argument of `hash()`", "this call", ctx, report);
    } else if HASHING_CONSTRUCTORS.contains(&name.as_str()) {
        let role = format!(
            "an item of `{}()`",
            name.rsplit('.').next().unwrap_or(&name)
        );
        each_item(arg, &role, ctx, report);
    } else if name == "dict" {
        // `dict([(k, v), ...])`: the first item of each pair is a key.
        if let Expr::List(crate::ast::ExprList { elts, .. })
        | Expr::Tuple(crate::ast::ExprTuple { elts, .. }) = arg
        {
            for pair in elts {
                if let Expr::List(crate::ast::ExprList { elts: kv, .. })
                | Expr::Tuple(crate::ast::ExprTuple { elts: kv, .. }) = pair
                    && let [key, _] = kv.as_slice()
                {
                    flag(key, "a dict key", "building this dict", ctx, report);
                }
            }
        }
    }
}

/// Flags the unhashable items of a display or comprehension handed to a call that
/// hashes each item.
fn each_item(arg: &Expr, role: &str, ctx: &Context, report: &mut Report) {
    match arg {
        Expr::List(list) => list
            .elts
            .iter()
            .for_each(|e| flag(e, role, "this call", ctx, report)),
        Expr::Tuple(tuple) => tuple
            .elts
            .iter()
            .for_each(|e| flag(e, role, "this call", ctx, report)),
        Expr::ListComp(comp) => flag(&comp.elt, role, "this call", ctx, report),
        Expr::Generator(comp) => flag(&comp.elt, role, "this call", ctx, report),
        _ => {}
    }
}

/// Reports `expr` when it is unhashable; `role` says where Python hashes it and
/// `action` what raises.
fn flag(expr: &Expr, role: &str, action: &str, ctx: &Context, report: &mut Report) {
    let Some((kind, culprit)) = unhashable(expr, ctx, 0) else {
        return;
    };
    if expects_exception(ctx, "TypeError") {
        return;
    }
    let written = short(ctx.text_of(expr));
    let subject = if culprit.range() == expr.range() {
        format!("`{written}` is a {kind}, which cannot be hashed, so it cannot be {role}")
    } else {
        format!(
            "`{written}` holds a {kind} (`{}`), and a tuple is hashable only when everything in it is, so it cannot be {role}",
            short(ctx.text_of(culprit))
        )
    };
    report.add(
        expr.range(),
        format!("{subject}: {action} raises `TypeError: unhashable type: '{kind}'`"),
        replacement(kind, culprit, ctx),
    );
}

/// The first unhashable thing `expr` builds: itself, or an item of a tuple it is.
fn unhashable<'e>(expr: &'e Expr, ctx: &Context, depth: usize) -> Option<(&'static str, &'e Expr)> {
    let kind = match expr {
        Expr::List(_) | Expr::ListComp(_) => "list",
        Expr::Dict(_) | Expr::DictComp(_) => "dict",
        Expr::Set(_) | Expr::SetComp(_) => "set",
        Expr::Tuple(tuple) if depth < MAX_TUPLE_NESTING => {
            return tuple
                .elts
                .iter()
                .find_map(|elt| unhashable(elt, ctx, depth + 1));
        }
        Expr::Call(call)
            if call.arguments.keywords.is_empty()
                && matches!(&*call.func, Expr::Name(n)
                    if matches!(n.id.as_str(), "list" | "dict" | "set" | "bytearray")) =>
        {
            match ctx.qualified_name(&call.func).as_deref() {
                Some("list") => "list",
                Some("dict") => "dict",
                Some("set") => "set",
                Some("bytearray") => "bytearray",
                _ => return None,
            }
        }
        _ => return None,
    };
    Some((kind, expr))
}

/// What to write instead of the unhashable `culprit`.
fn replacement(kind: &str, culprit: &Expr, ctx: &Context) -> String {
    let text = ctx.text_of(culprit);
    match (kind, culprit) {
        ("list", Expr::List(list)) if !text.contains('\n') && text.len() <= 60 => {
            let inner = text.get(1..text.len() - 1).unwrap_or_default();
            let comma = if list.elts.len() == 1 { "," } else { "" };
            format!("use a tuple, which is hashable when its items are: `({inner}{comma})`")
        }
        ("list", Expr::Call(_)) if text.starts_with("list(") && short(text) != "..." => {
            format!(
                "use a tuple, which is hashable when its items are: `tuple{}`",
                &text[4..]
            )
        }
        ("list", _) => "use a tuple, which is hashable when its items are: `tuple(...)`".into(),
        ("set", Expr::Set(_)) if short(text) != "..." => {
            format!("use a `frozenset`, the hashable set: `frozenset({text})`")
        }
        ("set", _) => "use a `frozenset`, the hashable set: `frozenset(...)`".into(),
        ("bytearray", _) => "use `bytes`, the hashable byte string".into(),
        _ => "a dict cannot be hashed: key on `frozenset(d.items())` or a tuple of the values \
              that identify it"
            .into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Container {
    Dict,
    Set,
}

impl Container {
    fn name(self) -> &'static str {
        match self {
            Container::Dict => "dict",
            Container::Set => "set",
        }
    }
}

/// Whether `expr` is certainly a dict: a display or `dict()` call, a variable or
/// `self.` attribute only ever bound to one, `obj.__dict__`, `vars(...)`, `globals()`,
/// `locals()`, or the `**kwargs` of the enclosing function.
pub(crate) fn is_known_dict(expr: &Expr, ctx: &Context) -> bool {
    match expr {
        Expr::Attribute(attr) if attr.attr.as_str() == "__dict__" => true,
        Expr::Call(call)
            if matches!(
                ctx.qualified_name(&call.func).as_deref(),
                Some("vars" | "globals" | "locals")
            ) =>
        {
            true
        }
        Expr::Name(name)
            if ctx.enclosing_function().is_some_and(|def| {
                def.parameters
                    .kwarg
                    .as_ref()
                    .is_some_and(|kwarg| kwarg.name.as_str() == name.id.as_str())
            }) =>
        {
            true
        }
        _ => container_kind(expr, ctx) == Some(Container::Dict),
    }
}

/// Whether `expr` is certainly a dict or a set: a display, a constructor call, or a
/// name or `self.` attribute every binding of which in its scope is one.
fn container_kind(expr: &Expr, ctx: &Context) -> Option<Container> {
    match expr {
        Expr::Dict(_) | Expr::DictComp(_) => Some(Container::Dict),
        Expr::Set(_) | Expr::SetComp(_) => Some(Container::Set),
        Expr::Call(call) => constructor_kind(&call.func, ctx),
        Expr::Name(name) => name_kind(name.id.as_str(), expr, ctx),
        Expr::Attribute(attr) if is_self(&attr.value) => {
            let class = ctx.enclosing_class()?;
            bindings_kind(&class.body, Target::SelfAttr(attr.attr.as_str()), ctx)
        }
        _ => None,
    }
}

fn is_self(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(name) if name.id.as_str() == "self")
}

fn constructor_kind(func: &Expr, ctx: &Context) -> Option<Container> {
    match ctx.qualified_name(func)?.as_str() {
        "dict" | "collections.defaultdict" | "collections.OrderedDict" | "collections.Counter" => {
            Some(Container::Dict)
        }
        "set" | "frozenset" => Some(Container::Set),
        _ => None,
    }
}

/// What an annotation declares, for `dict[...]`, `Dict[...]`, `set[...]` and friends.
fn annotation_kind(annotation: &Expr, ctx: &Context) -> Option<Container> {
    let base = match annotation {
        Expr::Subscript(subscript) => &*subscript.value,
        other => other,
    };
    match ctx.qualified_name(base)?.as_str() {
        "dict"
        | "typing.Dict"
        | "typing.DefaultDict"
        | "typing.OrderedDict"
        | "typing.Counter"
        | "collections.defaultdict"
        | "collections.OrderedDict"
        | "collections.Counter" => Some(Container::Dict),
        "set" | "frozenset" | "typing.Set" | "typing.FrozenSet" => Some(Container::Set),
        _ => None,
    }
}

/// The kind of the local or module-level variable `name`, when every binding of it in
/// its own scope makes it the same kind of container.
fn name_kind(name: &str, expr: &Expr, ctx: &Context) -> Option<Container> {
    for ancestor in ctx.ancestors() {
        match ancestor {
            AnyNodeRef::ExprLambda(_)
            | AnyNodeRef::ExprListComp(_)
            | AnyNodeRef::ExprSetComp(_)
            | AnyNodeRef::ExprDictComp(_)
            | AnyNodeRef::ExprGenerator(_)
            | AnyNodeRef::StmtClassDef(_) => return None,
            AnyNodeRef::StmtFunctionDef(def) => {
                if def.body.first().is_none_or(|s| s.start() > expr.start()) {
                    return None;
                }
                let declared = match def.parameters.iter().find(|p| p.name().as_str() == name) {
                    Some(param) => Some(annotation_kind(param.annotation()?, ctx)?),
                    None => None,
                };
                if !ctx.function_binds(def, name) {
                    return declared;
                }
                let found = bindings_kind(&def.body, Target::Name(name), ctx)?;
                return (declared.is_none() || declared == Some(found)).then_some(found);
            }
            AnyNodeRef::ModModule(module) if ctx.facts().binds(name) => {
                return bindings_kind(&module.body, Target::Name(name), ctx);
            }
            _ => {}
        }
    }
    None
}

/// A variable whose bindings `bindings_kind` looks for.
#[derive(Debug, Clone, Copy)]
enum Target<'s> {
    /// A plain name, bound in one function or module body.
    Name(&'s str),
    /// `self.attr`, bound in any method of a class (or as a class attribute).
    SelfAttr(&'s str),
}

impl Target<'_> {
    fn is(self, expr: &Expr) -> bool {
        match (self, expr) {
            (Target::Name(want), Expr::Name(name)) => name.id.as_str() == want,
            (Target::SelfAttr(want), Expr::Attribute(attr)) => {
                attr.attr.as_str() == want && is_self(&attr.value)
            }
            _ => false,
        }
    }

    fn named(self, identifier: &str) -> bool {
        matches!(self, Target::Name(want) if want == identifier)
    }

    /// Whether an unpacking target (`a, (b, c)`, `*rest`) binds this variable.
    fn within(self, target: &Expr) -> bool {
        self.within_at(target, 0)
    }

    fn within_at(self, target: &Expr, depth: usize) -> bool {
        let elts = match target {
            Expr::Tuple(tuple) => &tuple.elts,
            Expr::List(list) => &list.elts,
            Expr::Starred(starred) => return self.within_at(&starred.value, depth),
            other => return self.is(other),
        };
        depth < MAX_TUPLE_NESTING && elts.iter().any(|elt| self.within_at(elt, depth + 1))
    }
}

/// Scans the statements of one scope (for `self.` attributes: the class body and its
/// methods) for bindings of `target`. Returns the container kind when every binding
/// makes it the same kind of container, `None` when any binding is something else or
/// there is none.
fn bindings_kind(body: &[Stmt], target: Target, ctx: &Context) -> Option<Container> {
    let into_methods = matches!(target, Target::SelfAttr(_));
    // In a class body, `attr = {}` / `attr: dict[...]` is what `self.attr` reads too.
    let class_attr = match target {
        Target::SelfAttr(attr) => Target::Name(attr),
        name => name,
    };
    let mut kind: Option<Container> = None;
    let mut unknown = false;
    for stmt in body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            if unknown {
                return false;
            }
            let top_level = node.range() == stmt.range();
            let binds = |expr: &Expr| target.is(expr) || (top_level && class_attr.is(expr));
            let mut note = |found: Option<Container>| match (found, kind) {
                (Some(f), None) => kind = Some(f),
                (Some(f), Some(k)) if f == k => {}
                _ => unknown = true,
            };
            match node {
                AnyNodeRef::StmtFunctionDef(def) => {
                    if class_attr.named(def.name.as_str()) && (top_level || !into_methods) {
                        note(None);
                    }
                    into_methods && top_level
                }
                AnyNodeRef::StmtClassDef(class) => {
                    if target.named(class.name.as_str()) {
                        note(None);
                    }
                    false
                }
                AnyNodeRef::StmtAssign(assign) => {
                    for expr in &assign.targets {
                        if binds(expr) {
                            note(value_kind(&assign.value, ctx));
                        } else if target.within(expr) {
                            note(None);
                        }
                    }
                    false
                }
                AnyNodeRef::StmtAnnAssign(assign) => {
                    if binds(&assign.target) {
                        let declared = annotation_kind(&assign.annotation, ctx);
                        let assigned = assign.value.as_deref().and_then(|v| value_kind(v, ctx));
                        note(declared.or(assigned));
                    }
                    false
                }
                AnyNodeRef::StmtFor(stmt) => {
                    if target.within(&stmt.target) {
                        note(None);
                    }
                    true
                }
                AnyNodeRef::StmtWith(stmt) => {
                    let vars = stmt.items.iter().filter_map(|i| i.optional_vars.as_deref());
                    if vars.into_iter().any(|v| target.within(v)) {
                        note(None);
                    }
                    true
                }
                AnyNodeRef::StmtImport(import) => {
                    if import.names.iter().any(|a| {
                        target.named(a.asname.as_ref().unwrap_or(&a.name).as_str())
                            || target.named(a.name.split('.').next().unwrap_or_default())
                    }) {
                        note(None);
                    }
                    false
                }
                AnyNodeRef::StmtImportFrom(import) => {
                    if import
                        .names
                        .iter()
                        .any(|a| target.named(a.asname.as_ref().unwrap_or(&a.name).as_str()))
                    {
                        note(None);
                    }
                    false
                }
                AnyNodeRef::StmtGlobal(stmt) => {
                    // The name is shared with the module, which may bind it to anything.
                    if stmt.names.iter().any(|id| target.named(id.as_str())) {
                        note(None);
                    }
                    false
                }
                AnyNodeRef::StmtNonlocal(stmt) => {
                    if stmt.names.iter().any(|id| target.named(id.as_str())) {
                        note(None);
                    }
                    false
                }
                AnyNodeRef::ExceptHandlerExceptHandler(handler) => {
                    if handler
                        .name
                        .as_ref()
                        .is_some_and(|n| target.named(n.as_str()))
                    {
                        note(None);
                    }
                    true
                }
                _ => !node.is_expression(),
            }
        });
        if unknown {
            return None;
        }
    }
    kind
}

/// The container kind an assigned value certainly has.
fn value_kind(value: &Expr, ctx: &Context) -> Option<Container> {
    match value {
        Expr::Dict(_) | Expr::DictComp(_) => Some(Container::Dict),
        Expr::Set(_) | Expr::SetComp(_) => Some(Container::Set),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr)
                if attr.attr.as_str() == "fromkeys" && ctx.is_builtin(&attr.value, "dict") =>
            {
                Some(Container::Dict)
            }
            func => constructor_kind(func, ctx),
        },
        _ => None,
    }
}

/// The text to quote in a message, or `...` when it is long or spans lines.
fn short(text: &str) -> &str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}
