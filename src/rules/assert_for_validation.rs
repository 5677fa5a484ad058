//! PF703: `assert` guarding access or checking a public function's arguments — a check
//! that `python -O` deletes — and `assert (cond, "msg")`, a tuple that is always true.

use crate::ast::{
    AnyNodeRef, CmpOp, Expr, ExprContext, ExprTuple, NodeKind, Ranged, StmtAssert, StmtFunctionDef,
    TextRange, UnaryOp,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF703",
    name: "assert-for-validation",
    summary: "`assert` used for access control or argument validation disappears under `python -O`",
    severity: Severity::Warning,
    topic: Topic::ErrorsAndTesting,
    doc: include_str!("../../rules/assert-for-validation.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "S101",
            name: "assert",
        },
        Equivalent {
            tool: "bandit",
            code: "B101",
            name: "assert_used",
        },
        Equivalent {
            tool: "ruff",
            code: "F631",
            name: "assert-tuple",
        },
        Equivalent {
            tool: "pyflakes",
            code: "F631",
            name: "",
        },
        Equivalent {
            tool: "pylint",
            code: "W0199",
            name: "assert-on-tuple",
        },
    ],
};

/// Identifier words that mark an authentication or permission check on their own.
/// Matched as whole words, so `author` and `tokenize` are not `auth` and `token`.
const ACCESS_WORDS: &[&str] = &[
    "acl",
    "admin",
    "administrator",
    "auth",
    "authenticate",
    "authenticated",
    "authentication",
    "authorisation",
    "authorise",
    "authorised",
    "authorization",
    "authorize",
    "authorized",
    "csrf",
    "mfa",
    "oauth",
    "otp",
    "permission",
    "permissions",
    "privilege",
    "privileged",
    "privileges",
    "rbac",
    "superuser",
    "totp",
    "unauthenticated",
    "unauthorised",
    "unauthorized",
    "xsrf",
];

/// Whole identifiers that are access checks although none of their words is.
const ACCESS_IDENTIFIERS: &[&str] = &["is_anonymous", "is_logged_in", "is_staff", "logged_in"];

/// Words that mean an access check only with a verb (`check_password`, `has_role`,
/// `is_owner`) or next to a user (`post.owner == request.user`); alone they may be a
/// reST role, a permutation or a descriptor's owner class.
const QUALIFIED_WORDS: &[&str] = &[
    "credential",
    "credentials",
    "jwt",
    "owner",
    "owners",
    "passphrase",
    "passwd",
    "password",
    "perm",
    "perms",
    "role",
    "roles",
];
const VERB_WORDS: &[&str] = &[
    "check", "correct", "has", "is", "match", "matches", "require", "required", "valid",
    "validate", "verify",
];
/// Words that make a token an auth token (`access_token`, `verify_token`) rather than a
/// lexer's (`token_match`, `next_token`).
const TOKEN_KINDS: &[&str] = &[
    "access", "api", "bearer", "expected", "id", "refresh", "reset", "secret", "session", "valid",
    "validate", "verify",
];

/// Whole identifiers that are access checks only next to a user (`user.is_active`, not
/// `thread.is_active`).
const USER_SCOPED_IDENTIFIERS: &[&str] = &["is_active"];
const USER_WORDS: &[&str] = &["account", "caller", "principal", "request", "user", "users"];

/// Dunder methods the interpreter calls with arguments it supplies itself, so their
/// parameters are not a caller's input.
const INTERPRETER_HOOKS: &[&str] = &[
    "__aexit__",
    "__exit__",
    "__get__",
    "__getattr__",
    "__getattribute__",
    "__init_subclass__",
    "__reduce_ex__",
    "__set_name__",
    "__setstate__",
];

/// Longest condition quoted in a message or help.
const MAX_QUOTE: usize = 60;

pub struct AssertForValidation;

impl Rule for AssertForValidation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtAssert]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtAssert(stmt) = node else {
            return;
        };
        // Nothing in a stub runs.
        if ctx.is_stub() {
            return;
        }
        if let Expr::Tuple(tuple) = &*stmt.test {
            if always_true(tuple) {
                report_tuple(stmt, tuple, ctx, report);
            }
            return;
        }
        // Tests are meant to assert; code under `if __debug__:` is debug-only on purpose.
        if ctx.in_test_code() || ctx.is_extra_assert_test_file() || under_debug_guard(stmt, ctx) {
            return;
        }
        if let Some(term) = (!is_shape_check(&stmt.test, ctx))
            .then(|| access_term(&stmt.test, ctx))
            .flatten()
        {
            report.add(
                TextRange::new(stmt.start(), stmt.test.end()),
                format!(
                    "security check on `{term}` written as `assert`: `python -O` (or `PYTHONOPTIMIZE`) strips every assert, so optimised deployments silently skip it, and when it does fail it raises `AssertionError` instead of `PermissionError`"
                ),
                format!(
                    "check it with a statement that always runs: {}",
                    raise_instead(stmt, "PermissionError", ctx)
                ),
            );
            return;
        }
        let Some((function, inputs)) = checked_arguments(stmt, ctx) else {
            return;
        };
        let exception = if is_type_check(&stmt.test, ctx) {
            "TypeError"
        } else {
            "ValueError"
        };
        let diagnostic = report.add(
            TextRange::new(stmt.start(), stmt.test.end()),
            format!(
                "`assert` validates {} of public function `{}`: `python -O` (or `PYTHONOPTIMIZE`) strips every assert, so optimised runs silently accept bad input, and when it does fail it raises `AssertionError` instead of `{exception}`",
                describe_inputs(&inputs),
                function.name
            ),
            format!(
                "validate with a statement that always runs: {}",
                raise_instead(stmt, exception, ctx)
            ),
        );
        // A message addressed to the caller marks input validation; a bare assert is
        // more often the author's own invariant, which `-O` may drop: a hint.
        if !stmt.msg.as_deref().is_some_and(is_text) {
            diagnostic.severity = Severity::Info;
        }
    }
}

/// Whether the tuple has at least one element that is not starred, so it is never empty.
fn always_true(tuple: &ExprTuple) -> bool {
    tuple.elts.iter().any(|elt| !elt.is_starred_expr())
}

fn report_tuple(stmt: &StmtAssert, tuple: &ExprTuple, ctx: &Context, report: &mut Report) {
    // A starred item has no single text to quote back.
    let items: Option<Vec<&str>> = tuple
        .elts
        .iter()
        .map(|elt| (!elt.is_starred_expr()).then(|| quote(elt, ctx)).flatten())
        .collect();
    let help = match items.as_deref() {
        Some([cond, msg]) => format!(
            "drop the parentheses so the second item becomes the message: `assert {cond}, {msg}`"
        ),
        Some([cond]) => format!("drop the trailing comma: `assert {cond}`"),
        _ if tuple.elts.len() == 2 => {
            "drop the parentheses so the second item becomes the message: `assert cond, msg`"
                .to_owned()
        }
        _ => "assert each item separately, or join them with `and`".to_owned(),
    };
    let unchecked = match items.as_deref() {
        Some([cond, ..]) => format!(", so `{cond}` is never checked"),
        _ => String::new(),
    };
    let diagnostic = report.add(
        TextRange::new(stmt.start(), tuple.end()),
        format!(
            "`assert` is given a {}-item tuple, and a non-empty tuple is always true: this assert can never fail{unchecked}",
            tuple.elts.len()
        ),
        help,
    );
    diagnostic.severity = Severity::Error;
}

/// Whether the assert sits in the body of `if __debug__:`, which `-O` removes as a whole.
fn under_debug_guard(stmt: &StmtAssert, ctx: &Context) -> bool {
    ctx.ancestors().any(|node| match node {
        AnyNodeRef::StmtIf(guard) => {
            matches!(&*guard.test, Expr::Name(name) if name.id.as_str() == "__debug__")
                && guard
                    .body
                    .last()
                    .is_some_and(|last| last.end() >= stmt.start())
        }
        _ => false,
    })
}

/// The first identifier (or identifier-like string) in `test` that makes it an access
/// check.
fn access_term(test: &Expr, ctx: &Context) -> Option<String> {
    let mut identifiers: Vec<&str> = Vec::new();
    let mut term = None;
    for_each_node(AnyNodeRef::from(test), |node| {
        match node {
            AnyNodeRef::ExprName(name) => identifiers.push(name.id.as_str()),
            AnyNodeRef::ExprAttribute(attr) => identifiers.push(attr.attr.as_str()),
            // Keys and names spelled as strings: `request.POST["csrf_token"]`,
            // `"Authorization" in headers`, `role == "admin"`.
            AnyNodeRef::ExprStringLiteral(string) => {
                let value = string.value.to_str();
                if value.len() <= MAX_QUOTE
                    && value.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                {
                    identifiers.push(value);
                }
            }
            AnyNodeRef::ExprCall(call) if term.is_none() => {
                if let Some(name) = ctx.qualified_name(&call.func)
                    && matches!(
                        name.as_str(),
                        "hmac.compare_digest" | "secrets.compare_digest"
                    )
                {
                    term = Some(name);
                }
            }
            _ => {}
        }
        true
    });
    if term.is_some() {
        return term;
    }
    let near_user = identifiers.iter().any(|ident| {
        words(ident)
            .iter()
            .any(|w| USER_WORDS.contains(&w.as_str()))
    });
    identifiers
        .into_iter()
        .find(|ident| is_access_identifier(ident, near_user))
        .map(str::to_owned)
}

fn is_access_identifier(ident: &str, near_user: bool) -> bool {
    let words = words(ident);
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    let joined = words.join("_");
    has(ACCESS_WORDS)
        || ACCESS_IDENTIFIERS.contains(&joined.as_str())
        || (has(QUALIFIED_WORDS) && (near_user || has(VERB_WORDS)))
        || (has(&["token", "tokens"]) && has(TOKEN_KINDS))
        || (near_user && USER_SCOPED_IDENTIFIERS.contains(&joined.as_str()))
}

/// The lower-case words of an identifier: `isAuthenticated` and `is_authenticated` both
/// give `is`, `authenticated`; `HTTPAuthorization` gives `http`, `authorization`.
fn words(ident: &str) -> Vec<String> {
    let chars: Vec<char> = ident.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphabetic() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p));
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase() || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// The public function whose arguments `stmt` checks, and which arguments, when the
/// condition reads nothing computed inside the function.
fn checked_arguments<'a>(
    stmt: &'a StmtAssert,
    ctx: &Context<'a>,
) -> Option<(&'a StmtFunctionDef, Vec<&'a str>)> {
    let mut ancestors = ctx
        .ancestors()
        .skip_while(|node| !node.is_stmt_function_def())
        .peekable();
    let Some(AnyNodeRef::StmtFunctionDef(function)) = ancestors.next() else {
        return None;
    };
    let is_method = matches!(ancestors.peek(), Some(AnyNodeRef::StmtClassDef(_)));
    // Nested functions and classes are not reachable by callers; `_private` ones are
    // the module's own business.
    for outer in ancestors {
        match outer {
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) => return None,
            AnyNodeRef::StmtClassDef(class) if class.name.starts_with('_') => return None,
            _ => {}
        }
    }
    if !is_public(function.name.as_str()) {
        return None;
    }
    let takes_self = is_method
        && !function.decorator_list.iter().any(
            |d| matches!(&d.expression, Expr::Name(name) if name.id.as_str() == "staticmethod"),
        );
    let parameters: Vec<&'a str> = function
        .parameters
        .iter()
        .skip(usize::from(takes_self))
        .map(|p| p.name().as_str())
        .filter(|name| !matches!(*name, "self" | "cls"))
        .collect();
    // In a dataclass's `__post_init__` the fields on `self` are the caller's input.
    let fields_are_input = takes_self
        && matches!(
            function.name.as_str(),
            "__post_init__" | "__attrs_post_init__"
        );

    let mut checked: Vec<&'a str> = Vec::new();
    let mut reads_local = false;
    for_each_node(AnyNodeRef::from(&*stmt.test), |node| {
        match node {
            AnyNodeRef::ExprAttribute(attr) if fields_are_input => {
                if let Expr::Name(owner) = &*attr.value
                    && owner.id.as_str() == "self"
                {
                    note(&mut checked, ctx.text_of(attr));
                    return false;
                }
            }
            // A walrus computes a value inside the function.
            AnyNodeRef::ExprNamed(_) => reads_local = true,
            // Comprehension targets are bound by the condition itself.
            AnyNodeRef::ExprName(name) if name.ctx == ExprContext::Load => {
                let id = name.id.as_str();
                if ctx.function_binds(function, id) {
                    // Computed (or recomputed) inside the function: an invariant.
                    reads_local = true;
                } else if let Some(&param) = parameters.iter().find(|p| **p == id) {
                    note(&mut checked, param);
                }
            }
            _ => {}
        }
        true
    });
    (!checked.is_empty() && !reads_local).then_some((function, checked))
}

fn note<'a>(checked: &mut Vec<&'a str>, name: &'a str) {
    if !checked.contains(&name) {
        checked.push(name);
    }
}

/// Public: no leading underscore, or a dunder a caller reaches (`__init__`, `__call__`).
fn is_public(name: &str) -> bool {
    if !name.starts_with('_') {
        return true;
    }
    name.len() > 4
        && name.starts_with("__")
        && name.ends_with("__")
        && !INTERPRETER_HOOKS.contains(&name)
}

/// `the argument `a``, `the arguments `a` and `b``, or `the field `self.a``.
fn describe_inputs(inputs: &[&str]) -> String {
    let noun = if inputs.iter().all(|i| i.starts_with("self.")) {
        "field"
    } else {
        "argument"
    };
    match inputs {
        [one] => format!("the {noun} `{one}`"),
        [init @ .., last] => {
            let init: Vec<String> = init.iter().map(|a| format!("`{a}`")).collect();
            format!("the {noun}s {} and `{last}`", init.join(", "))
        }
        [] => "its arguments".to_owned(),
    }
}

/// Whether the condition only checks the shape of a value, its length or its type
/// (`len(token) == SECRET_LENGTH`, `isinstance(key, bytes)`): that decides no access
/// even when the value is a token, so it is judged as argument validation instead.
fn is_shape_check(test: &Expr, ctx: &Context) -> bool {
    match test {
        Expr::Compare(compare) => {
            std::iter::once(&*compare.left)
                .chain(&compare.comparators)
                .any(|side| matches!(side, Expr::Call(call) if ctx.is_builtin(&call.func, "len")))
                && std::iter::once(&*compare.left)
                    .chain(&compare.comparators)
                    .all(|side| match side {
                        Expr::Call(call) => ctx.is_builtin(&call.func, "len"),
                        Expr::NumberLiteral(_) | Expr::Name(_) | Expr::Attribute(_) => true,
                        _ => false,
                    })
        }
        Expr::BoolOp(bool_op) => bool_op.values.iter().all(|v| is_shape_check(v, ctx)),
        _ => is_type_check(test, ctx),
    }
}

/// Whether the condition only checks types (`isinstance`, `issubclass`, `callable`).
fn is_type_check(test: &Expr, ctx: &Context) -> bool {
    match test {
        Expr::Call(call) => ["isinstance", "issubclass", "callable"]
            .iter()
            .any(|builtin| ctx.is_builtin(&call.func, builtin)),
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => is_type_check(&unary.operand, ctx),
        Expr::BoolOp(bool_op) => bool_op.values.iter().all(|v| is_type_check(v, ctx)),
        _ => false,
    }
}

/// `if <negated condition>: raise Exc(<message>)`, in the user's own terms when short.
fn raise_instead(stmt: &StmtAssert, exception: &str, ctx: &Context) -> String {
    let condition = negate(&stmt.test, ctx).unwrap_or_else(|| "not <condition>".to_owned());
    let message = stmt
        .msg
        .as_deref()
        .filter(|msg| msg.is_string_literal_expr() || msg.is_f_string_expr())
        .and_then(|msg| quote(msg, ctx))
        .unwrap_or("...");
    format!("`if {condition}: raise {exception}({message})`")
}

/// The condition inverted, written as close to the user's text as possible.
fn negate(test: &Expr, ctx: &Context) -> Option<String> {
    let text = quote(test, ctx)?;
    Some(match test {
        Expr::UnaryOp(unary) if unary.op == UnaryOp::Not => match &*unary.operand {
            Expr::Named(_) | Expr::Lambda(_) => format!("({})", quote(&*unary.operand, ctx)?),
            operand => quote(operand, ctx)?.to_owned(),
        },
        Expr::Compare(compare) => match (compare.ops.as_ref(), compare.comparators.as_ref()) {
            ([op], [right]) => {
                let between = ctx.slice(TextRange::new(compare.left.end(), right.start()));
                let middle = between.split_whitespace().collect::<Vec<_>>().join(" ");
                if middle == op.as_str() {
                    format!(
                        "{} {} {}",
                        ctx.text_of(&*compare.left),
                        inverse(*op).as_str(),
                        ctx.text_of(right)
                    )
                } else {
                    format!("not ({text})")
                }
            }
            _ => format!("not ({text})"),
        },
        Expr::BoolOp(_) | Expr::If(_) | Expr::Named(_) | Expr::Lambda(_) => {
            format!("not ({text})")
        }
        _ => format!("not {text}"),
    })
}

fn inverse(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::NotEq,
        CmpOp::NotEq => CmpOp::Eq,
        CmpOp::Lt => CmpOp::GtE,
        CmpOp::LtE => CmpOp::Gt,
        CmpOp::Gt => CmpOp::LtE,
        CmpOp::GtE => CmpOp::Lt,
        CmpOp::Is => CmpOp::IsNot,
        CmpOp::IsNot => CmpOp::Is,
        CmpOp::In => CmpOp::NotIn,
        CmpOp::NotIn => CmpOp::In,
    }
}

/// The source text of `node` when it is short and on one line.
fn quote<'a>(node: &impl Ranged, ctx: &Context<'a>) -> Option<&'a str> {
    let text = ctx.text_of(node);
    (text.len() <= MAX_QUOTE && !text.contains('\n')).then_some(text)
}

/// Whether an assert's message is text for a reader (a string, an f-string, `"..." %
/// x`, `"...".format(x)`), not just the offending value (`assert ok, value`).
fn is_text(msg: &Expr) -> bool {
    match msg {
        Expr::StringLiteral(_) | Expr::FString(_) => true,
        Expr::BinOp(op) => is_text(&op.left),
        Expr::Call(call) => match &*call.func {
            Expr::Attribute(attr) => is_text(&attr.value),
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::words;

    #[test]
    fn splits_identifiers_into_words() {
        assert_eq!(words("is_authenticated"), ["is", "authenticated"]);
        assert_eq!(words("isAuthenticated"), ["is", "authenticated"]);
        assert_eq!(words("HTTPAuthorization"), ["http", "authorization"]);
        assert_eq!(words("oauth2_token"), ["oauth", "token"]);
        assert_eq!(words("__author__"), ["author"]);
        assert_eq!(words("tokenize"), ["tokenize"]);
    }
}
