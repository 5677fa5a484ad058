//! PF104: `type(x) == T`, a type check by equality that ignores subclasses.

use crate::ast::{AnyNodeRef, CmpOp, Expr, ExprCompare, NodeKind, Number, Ranged};
use crate::checker::Context;
use crate::rule::{
    Edit, Equivalent, Fix, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};
use crate::rules::eq_overload::short;

pub static META: RuleMeta = RuleMeta {
    code: "PF104",
    name: "type-comparison",
    summary: "comparing `type(x)` with `==` ignores subclasses; `isinstance` is usually meant",
    severity: Severity::Warning,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/type-comparison.md"),
    fix: FixAvailability::Sometimes,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "E721",
            name: "type-comparison",
        },
        Equivalent {
            tool: "pycodestyle",
            code: "E721",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "C0123",
            name: "unidiomatic-typecheck",
        },
    ],
};

/// Builtin classes with a well-known subclass, for the message.
const SUBCLASS_EXAMPLES: &[(&str, &str)] = &[
    (
        "int",
        "`True` is an `int`, but `type(True) == int` is `False`",
    ),
    ("dict", "an `OrderedDict` or `defaultdict` is a `dict`"),
    ("tuple", "a named tuple is a `tuple`"),
    ("str", "a `StrEnum` member is a `str`"),
    ("float", "a NumPy `float64` is a `float`"),
    ("Exception", "every built-in error is an `Exception`"),
];

pub struct TypeComparison;

impl Rule for TypeComparison {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::ExprCompare]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::ExprCompare(compare) = node else {
            return;
        };
        let before = report.diagnostics.len();
        let mut left: &Expr = &compare.left;
        for (&op, right) in compare.ops.iter().zip(compare.comparators.iter()) {
            if check_link(compare, op, left, right, ctx, report) {
                break;
            }
            left = right;
        }
        // Evidence: a built-in type (`type(x) == int`) is one whose subclasses (`bool`,
        // `str` enums, `OrderedDict`) really do arrive. An exact test against a project's
        // own classes is usually deliberate dispatch: a hint.
        let operands = std::iter::once(&*compare.left).chain(&compare.comparators);
        let builtin = operands
            .into_iter()
            .any(|operand| names_builtin_type(operand, ctx));
        for diagnostic in &mut report.diagnostics[before..] {
            if diagnostic.severity == Severity::Warning && !builtin {
                diagnostic.severity = Severity::Info;
            }
        }
    }
}

/// Built-in types whose subclasses are common. Numbers are left out: the int subclass
/// that really arrives is `bool`, and keeping it out is why exact numeric checks are
/// written.
const BUILTIN_TYPES: &[&str] = &[
    "str",
    "bytes",
    "bytearray",
    "list",
    "dict",
    "tuple",
    "set",
    "frozenset",
];

/// Whether `expr` is a built-in type, `type(<literal>)`, or a tuple or list holding one.
fn names_builtin_type(expr: &Expr, ctx: &Context) -> bool {
    match expr {
        Expr::Tuple(t) => t.elts.iter().any(|e| names_builtin_type(e, ctx)),
        Expr::List(l) => l.elts.iter().any(|e| names_builtin_type(e, ctx)),
        Expr::Call(call) if ctx.is_builtin(&call.func, "type") => {
            call.arguments.args.first().is_some_and(|arg| {
                matches!(
                    arg,
                    Expr::StringLiteral(_)
                        | Expr::BytesLiteral(_)
                        | Expr::List(_)
                        | Expr::Tuple(_)
                        | Expr::Dict(_)
                )
            })
        }
        _ => BUILTIN_TYPES.iter().any(|name| ctx.is_builtin(expr, name)),
    }
}

/// Reports `left op right` if it is a type check by equality; whether it did.
fn check_link(
    compare: &ExprCompare,
    op: CmpOp,
    left: &Expr,
    right: &Expr,
    ctx: &Context,
    report: &mut Report,
) -> bool {
    let (not, is) = match op {
        CmpOp::Eq | CmpOp::In => ("", "is"),
        CmpOp::NotEq | CmpOp::NotIn => ("not ", "is not"),
        _ => return false,
    };
    // Cheapest test first: most comparisons have no `type(...)` or `__class__` at all.
    if !is_type_like(left) && !is_type_like(right) {
        return false;
    }
    let expr = match short(ctx.text_of(compare), 60) {
        Some(text) => format!("`{text}`"),
        None => "this type check".to_owned(),
    };
    if matches!(op, CmpOp::In | CmpOp::NotIn) {
        let Some(object) = type_of(left, ctx) else {
            return false;
        };
        let elts = match right {
            Expr::Tuple(tuple) => &tuple.elts,
            Expr::List(list) => &list.elts,
            Expr::Set(set) => &set.elts,
            _ => return false,
        };
        // Where the exact class is the point, membership in a tuple of classes is
        // already the plain way to say so.
        if elts.is_empty()
            || !elts.iter().all(is_class_expr)
            || exact_class_intended(object, ctx).is_some()
        {
            return false;
        }
        let classes: Vec<String> = elts.iter().map(|elt| class_text(elt, ctx)).collect();
        let example = subclass_example(&classes.iter().map(String::as_str).collect::<Vec<_>>());
        let classes = match classes.as_slice() {
            [one] => one.clone(),
            _ => format!("({})", classes.join(", ")),
        };
        let help = match (short(ctx.text_of(object), 40), short(&classes, 60)) {
            (Some(object), Some(classes)) => {
                format!("write `{not}isinstance({object}, {classes})` to accept subclasses too")
            }
            _ => "use `isinstance(x, (A, B))` to accept subclasses too".to_owned(),
        };
        report.add(
            compare.range(),
            format!(
                "{expr} matches only these exact classes, ignoring inheritance: instances of their subclasses match none of them{example}"
            ),
            help,
        );
        return true;
    }
    let (subject, object, class) = match (type_of(left, ctx), type_of(right, ctx)) {
        (Some(_), Some(_)) => {
            report_two_types(compare, &expr, (not, is), left, right, ctx, report);
            return true;
        }
        (Some(object), None) if is_class_expr(right) => (left, object, right),
        (None, Some(object)) if is_class_expr(left) => (right, object, left),
        _ => return false,
    };
    let object_expr = object;
    let class_expr = class;
    let class = class_text(class, ctx);
    let texts = (
        short(ctx.text_of(subject), 40),
        short(ctx.text_of(object), 40),
        short(&class, 40),
    );
    let (Some(subject), Some(object), Some(class)) = texts else {
        report.add(
            compare.range(),
            format!("{expr} compares classes by equality, which ignores inheritance"),
            "use `isinstance(x, T)` to accept subclasses, or `type(x) is T` if exactly `T` is meant",
        );
        return true;
    };
    if let Some(intent) = exact_class_intended(object_expr, ctx) {
        report
            .add(
                compare.range(),
                format!(
                    "{expr} checks the exact class with `{op}`; {intent}, and `{is}` states it without going through `{op}`, which a metaclass can redefine",
                    op = op.as_str()
                ),
                format!(
                    "write `{subject} {is} {class}` (or `{not}isinstance({object}, {class})` if instances of subclasses should pass)"
                ),
            )
            .severity = Severity::Info;
        return true;
    }
    let example = subclass_example(&[class]);
    let diagnostic = report.add(
        compare.range(),
        format!(
            "{expr} compares classes by equality, which ignores inheritance: instances of subclasses of `{class}` do not count{example}"
        ),
        format!(
            "write `{not}isinstance({object}, {class})` to accept subclasses, or `{subject} {is} {class}` if exactly `{class}` is meant"
        ),
    );
    // Only the simple two-operand form: `type(x) == T` -> `isinstance(x, T)`. Unsafe:
    // instances of subclasses now pass.
    if compare.ops.len() == 1 {
        let content = format!(
            "{not}isinstance({}, {})",
            ctx.text_of(object_expr),
            ctx.text_of(class_expr)
        );
        diagnostic.set_fix(Fix::unsafe_(
            format!("use `{not}isinstance`"),
            vec![Edit::replace(compare.range(), content)],
        ));
    }
    true
}

/// Why an exact-class check on `object` is evidently deliberate, if it is: a test
/// asserting the class of a result, or a method checking whether `self` is exactly its
/// own class rather than a subclass (where `isinstance` would always hold).
fn exact_class_intended(object: &Expr, ctx: &Context) -> Option<&'static str> {
    if matches!(object, Expr::Name(name) if name.id.as_str() == "self") {
        Some(
            "on `self` that is clearly the intent (`isinstance(self, ...)` would hold in every subclass)",
        )
    } else if ctx.in_test_code() {
        Some("in a test that is usually the intent")
    } else {
        None
    }
}

/// `type(a) == type(b)`: usually an exact-type match on purpose, which `is` spells.
fn report_two_types(
    compare: &ExprCompare,
    expr: &str,
    (not, is): (&str, &str),
    left: &Expr,
    right: &Expr,
    ctx: &Context,
    report: &mut Report,
) {
    let object = type_of(left, ctx).map(|object| ctx.text_of(object));
    let texts = (
        short(ctx.text_of(left), 40),
        short(ctx.text_of(right), 40),
        object.and_then(|object| short(object, 30)),
    );
    let help = match texts {
        (Some(left), Some(right), Some(object)) => format!(
            "write `{left} {is} {right}` for an exact match, or `{not}isinstance({object}, {right})` if a subclass instance should match too"
        ),
        _ => format!("write `{is}` for an exact match of the two classes"),
    };
    // Not a subclass bug: comparing two objects' classes almost always means an exact
    // match (as in `__eq__`), which `==` gets right unless a metaclass redefines it.
    report
        .add(
            compare.range(),
            format!(
                "{expr} compares two classes by equality, which a metaclass can redefine; an exact-type match is spelled with `is`, which says so and cannot be fooled"
            ),
            help,
        )
        .severity = Severity::Info;
}

/// Whether `expr` looks like `type(...)` or `....__class__`, before any name resolution.
fn is_type_like(expr: &Expr) -> bool {
    match expr {
        Expr::Call(call) => matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "type"),
        Expr::Attribute(attr) => attr.attr.as_str() == "__class__",
        _ => false,
    }
}

/// The object whose class `expr` asks for: `x` in `type(x)` (the builtin, with one
/// argument) or in `x.__class__`. A literal's class (`type(None)`, `type("")`) is a
/// fixed class, not a type check.
fn type_of<'e>(expr: &'e Expr, ctx: &Context) -> Option<&'e Expr> {
    let object = match expr {
        Expr::Call(call)
            if call.arguments.keywords.is_empty()
                && matches!(&*call.func, Expr::Name(name) if name.id.as_str() == "type") =>
        {
            let [object] = &*call.arguments.args else {
                return None;
            };
            if object.is_starred_expr() || !ctx.is_builtin(&call.func, "type") {
                return None;
            }
            object
        }
        Expr::Attribute(attr) if attr.attr.as_str() == "__class__" => &attr.value,
        _ => return None,
    };
    (!object.is_literal_expr() && !is_display(object)).then_some(object)
}

/// Whether `expr` can name a class: a name, a dotted name or a call (`type(None)`,
/// `get_class()`). Not a literal or a container, and not a subscript: `dict[str, int]`
/// is a generic alias, which no `type(x)` equals and `isinstance` rejects.
fn is_class_expr(expr: &Expr) -> bool {
    matches!(expr, Expr::Name(_) | Expr::Attribute(_) | Expr::Call(_))
}

/// A well-known subclass of the first of `classes` that has one, for the message.
fn subclass_example(classes: &[&str]) -> String {
    classes
        .iter()
        .find_map(|class| SUBCLASS_EXAMPLES.iter().find(|(name, _)| name == class))
        .map_or_else(String::new, |(_, example)| format!(" ({example})"))
}

/// `[...]`, `{...}`, `(...)` and their comprehensions.
fn is_display(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::List(_)
            | Expr::Tuple(_)
            | Expr::Dict(_)
            | Expr::Set(_)
            | Expr::ListComp(_)
            | Expr::SetComp(_)
            | Expr::DictComp(_)
    )
}

/// How to write a class in the help: `type(42)` reads better as `int`.
fn class_text(expr: &Expr, ctx: &Context) -> String {
    if let Expr::Call(call) = expr
        && let [arg] = &*call.arguments.args
        && call.arguments.keywords.is_empty()
        && ctx.is_builtin(&call.func, "type")
    {
        let builtin = match arg {
            Expr::NumberLiteral(number) => match number.value {
                Number::Int(_) => Some("int"),
                Number::Float(_) => Some("float"),
                Number::Complex { .. } => Some("complex"),
            },
            Expr::StringLiteral(_) | Expr::FString(_) => Some("str"),
            Expr::BytesLiteral(_) => Some("bytes"),
            Expr::BooleanLiteral(_) => Some("bool"),
            Expr::List(_) | Expr::ListComp(_) => Some("list"),
            Expr::Dict(_) | Expr::DictComp(_) => Some("dict"),
            Expr::Tuple(_) => Some("tuple"),
            Expr::Set(_) | Expr::SetComp(_) => Some("set"),
            _ => None,
        };
        if let Some(builtin) = builtin {
            return builtin.to_owned();
        }
    }
    ctx.text_of(expr).to_owned()
}
