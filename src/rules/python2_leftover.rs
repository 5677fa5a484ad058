//! PF106: Python 2 code in a Python 3 file: statements and literals that no longer
//! parse (`print "x"`, `0777`, backticks), and builtins, methods and idioms that still
//! parse but fail when they run (`xrange`, `d.has_key(k)`, `print >>f, x`).

use crate::ast::{
    AnyNodeRef, ExceptHandlerExceptHandler, Expr, ExprCall, ExprContext, ExprName, NodeKind,
    Operator, Ranged, StmtExpr, TextRange, TextSize,
};
use crate::checker::Context;
use crate::checker::bindings::{is_known_dict, target_binds};
use crate::rule::{
    Diagnostic, Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic,
};

pub static META: RuleMeta = RuleMeta {
    code: "PF106",
    name: "python2-leftover",
    summary: "Python 2 syntax, builtins or dict methods that Python 3 rejects or removed",
    severity: Severity::Error,
    topic: Topic::LanguageBasics,
    doc: include_str!("../../rules/python2-leftover.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "F633",
            name: "invalid-print-syntax",
        },
        Equivalent {
            tool: "pyflakes",
            code: "F633",
            name: "",
        },
        Equivalent {
            tool: "ruff",
            code: "F821",
            name: "undefined-name",
        },
        Equivalent {
            tool: "pylint",
            code: "E0602",
            name: "undefined-variable",
        },
        Equivalent {
            tool: "pylint",
            code: "E1601",
            name: "print-statement",
        },
        Equivalent {
            tool: "pylint",
            code: "W1613",
            name: "xrange-builtin",
        },
        Equivalent {
            tool: "pylint",
            code: "W1620",
            name: "dict-iter-method",
        },
    ],
};

/// Builtins Python 3 removed, with what to use instead.
const REMOVED_BUILTINS: &[(&str, &str)] = &[
    ("raw_input", "`input()`"),
    ("xrange", "`range()`, which is lazy in Python 3"),
    ("unicode", "`str`: every Python 3 string is Unicode"),
    ("basestring", "`str` (or `(str, bytes)` to accept both)"),
    ("long", "`int`, which has unlimited size in Python 3"),
    ("unichr", "`chr()`"),
    (
        "reduce",
        "`functools.reduce` (`from functools import reduce`)",
    ),
    ("file", "`open()`"),
    (
        "execfile",
        "`exec(open(path).read())` or `runpy.run_path(path)`",
    ),
    (
        "cmp",
        "`(a > b) - (a < b)`, or `functools.cmp_to_key` for a sort comparator",
    ),
    ("apply", "a direct call: `f(*args, **kwargs)`"),
    ("buffer", "`memoryview`"),
    ("intern", "`sys.intern`"),
    ("reload", "`importlib.reload`"),
    ("StandardError", "`Exception`"),
];

/// Module attributes Python 3 removed, by qualified name, with their replacement.
const REMOVED_ATTRIBUTES: &[(&str, &str)] = &[
    ("sys.maxint", "`sys.maxsize`"),
    ("os.getcwdu", "`os.getcwd()`, which returns `str`"),
    ("string.letters", "`string.ascii_letters`"),
    ("string.lowercase", "`string.ascii_lowercase`"),
    ("string.uppercase", "`string.ascii_uppercase`"),
    ("string.maketrans", "`str.maketrans` (or `bytes.maketrans`)"),
    ("itertools.izip", "the builtin `zip`, lazy in Python 3"),
    ("itertools.imap", "the builtin `map`, lazy in Python 3"),
    (
        "itertools.ifilter",
        "the builtin `filter`, lazy in Python 3",
    ),
    ("itertools.ifilterfalse", "`itertools.filterfalse`"),
    ("itertools.izip_longest", "`itertools.zip_longest`"),
];

/// Python 2 dict methods: name, number of arguments, Python 3 spelling.
const DICT_METHODS: &[(&str, usize, &str)] = &[
    ("has_key", 1, "the `in` operator"),
    ("iteritems", 0, "`.items()`"),
    ("itervalues", 0, "`.values()`"),
    ("iterkeys", 0, "`.keys()`"),
    ("viewitems", 0, "`.items()`"),
    ("viewvalues", 0, "`.values()`"),
    ("viewkeys", 0, "`.keys()`"),
];

/// Exceptions whose handler marks a `try` as a Python 2/3 compatibility shim.
const SHIM_EXCEPTIONS: &[&str] = &[
    "NameError",
    "ImportError",
    "ModuleNotFoundError",
    "AttributeError",
];

/// Modules whose `from ... import *` can provide the old builtin names.
const COMPAT_LAYERS: &[&str] = &["six", "past", "future", "compat", "builtins"];

pub struct Python2Leftover;

impl Rule for Python2Leftover {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::StmtExpr,
            NodeKind::ExprName,
            NodeKind::ExprCall,
            NodeKind::ExprAttribute,
            NodeKind::StmtImportFrom,
            NodeKind::ExceptHandlerExceptHandler,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        match node {
            AnyNodeRef::StmtExpr(stmt) => check_print(stmt, ctx, report),
            AnyNodeRef::ExprName(name) if name.ctx == ExprContext::Load => {
                check_builtin(name, ctx, report);
            }
            AnyNodeRef::ExprCall(call) => check_dict_method(call, ctx, report),
            AnyNodeRef::ExprAttribute(attr) if attr.ctx == ExprContext::Load => {
                let name = attr.attr.as_str();
                let (qualified, instead) = if ctx.is_builtin(&attr.value, "dict") {
                    let Some((_, _, instead)) = DICT_METHODS.iter().find(|(m, ..)| *m == name)
                    else {
                        return;
                    };
                    (format!("dict.{name}"), *instead)
                } else {
                    let Expr::Name(head) = &*attr.value else {
                        return;
                    };
                    // Before the look-up of the head: most attributes are not removed ones.
                    if !starts_like(name, REMOVED_ATTRIBUTE_STARTS) {
                        return;
                    }
                    let Some(module) = ctx.facts().import_of(head.id.as_str()) else {
                        return;
                    };
                    let Some((qualified, instead)) = removed_attribute(module, name) else {
                        return;
                    };
                    (qualified, instead)
                };
                if in_compat_code(ctx) || expects_exception(ctx, "AttributeError") {
                    return;
                }
                report.add(
                    attr.range(),
                    format!("`{qualified}` is Python 2 API that Python 3 removed: this raises `AttributeError` when it runs"),
                    format!("use {instead}"),
                );
            }
            AnyNodeRef::StmtImportFrom(import) if import.level == 0 => {
                let module = import.module.as_ref().map_or("", |m| m.as_str());
                for alias in &import.names {
                    let Some((qualified, instead)) = removed_attribute(module, &alias.name) else {
                        continue;
                    };
                    if in_compat_code(ctx) {
                        return;
                    }
                    report.add(
                        alias.range(),
                        format!("`{qualified}` is Python 2 API that Python 3 removed: this import raises `ImportError`"),
                        format!("use {instead}"),
                    );
                }
            }
            AnyNodeRef::ExceptHandlerExceptHandler(handler) => check_except(handler, ctx, report),
            _ => {}
        }
    }
}

/// `module.name` and its replacement, when Python 3 removed it.
fn removed_attribute(module: &str, name: &str) -> Option<(String, &'static str)> {
    // Compared in place: this runs for every attribute of an imported module.
    let (_, instead) = REMOVED_ATTRIBUTES.iter().find(|(qualified, _)| {
        qualified.len() == module.len() + 1 + name.len()
            && qualified.starts_with(module)
            && qualified.ends_with(name)
            && qualified.as_bytes()[module.len()] == b'.'
    })?;
    Some((format!("{module}.{name}"), instead))
}

/// The first bytes of the names in `REMOVED_BUILTINS`, as a set of ASCII codes: this
/// runs for every name the code reads, and the test spares most of them a scan of the
/// table.
const REMOVED_BUILTIN_STARTS: u128 = first_bytes(REMOVED_BUILTINS, false);

/// The first bytes of the attribute names in `REMOVED_ATTRIBUTES` (`maxint` in
/// `sys.maxint`), likewise for every attribute of a name.
const REMOVED_ATTRIBUTE_STARTS: u128 = first_bytes(REMOVED_ATTRIBUTES, true);

/// The set of the first bytes of the first column of `table`, or of what follows its
/// last dot with `after_dot`.
const fn first_bytes(table: &[(&str, &str)], after_dot: bool) -> u128 {
    let mut set = 0u128;
    let mut at = 0;
    while at < table.len() {
        let bytes = table[at].0.as_bytes();
        let mut start = 0;
        if after_dot {
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'.' {
                    start = i + 1;
                }
                i += 1;
            }
        }
        set |= 1 << (bytes[start] & 127);
        at += 1;
    }
    set
}

/// Whether `name` starts with a byte of `set` (see `first_bytes`).
fn starts_like(name: &str, set: u128) -> bool {
    name.as_bytes()
        .first()
        .is_some_and(|&b| b < 128 && set & (1 << b) != 0)
}

fn check_builtin(name: &ExprName, ctx: &Context, report: &mut Report) {
    let id = name.id.as_str();
    if !starts_like(id, REMOVED_BUILTIN_STARTS) {
        return;
    }
    let Some((_, instead)) = REMOVED_BUILTINS.iter().find(|(n, _)| *n == id) else {
        return;
    };
    if !names_builtin(id, name.start(), ctx)
        || in_compat_code(ctx)
        || expects_exception(ctx, "NameError")
    {
        return;
    }
    report.add(
        name.range(),
        format!("`{id}` is a Python 2 builtin that Python 3 removed: this raises `NameError` when it runs"),
        format!("use {instead}"),
    );
}

/// `d.has_key(k)`, `d.iteritems()` and the other dict methods Python 3 dropped.
fn check_dict_method(call: &ExprCall, ctx: &Context, report: &mut Report) {
    let Expr::Attribute(attr) = &*call.func else {
        return;
    };
    let method = attr.attr.as_str();
    let Some((_, arity, instead)) = DICT_METHODS.iter().find(|(m, ..)| *m == method) else {
        return;
    };
    let args = &call.arguments.args;
    // `six.iteritems(d)` and friends take the dict as an argument.
    if args.len() != *arity
        || !call.arguments.keywords.is_empty()
        || matches!(&*attr.value, Expr::Name(n) if ctx.facts().import_of(n.id.as_str()).is_some())
    {
        return;
    }
    let known_dict = is_known_dict(&attr.value, ctx);
    // Some Python 3 APIs kept the old names: Django's cache and session `has_key()`,
    // the `mailbox` module's `iterkeys()`/`iteritems()`, and classes in this file.
    let own_api = ctx
        .memo(|| DefinedDictMethods::collect(ctx.source()))
        .0
        .contains(&method)
        || (method == "has_key" && ctx.facts().imports_module("django"))
        || (method != "has_key" && ctx.facts().imports_module("mailbox"));
    if (!known_dict && own_api) || in_compat_code(ctx) || expects_exception(ctx, "AttributeError") {
        return;
    }
    let receiver = short(ctx.text_of(&*attr.value));
    let help = match args.first() {
        Some(key) => format!("write `{} in {receiver}`", short(ctx.text_of(key))),
        None => format!("call {instead}, which returns a view that iterates lazily"),
    };
    let (certainty, severity) = if known_dict {
        (format!("`{receiver}` is a dict, so"), Severity::Error)
    } else {
        (format!("if `{receiver}` is a dict,"), Severity::Warning)
    };
    report
        .add(
            call.range(),
            format!("`.{method}()` is a Python 2 dict method that Python 3 removed: {certainty} this raises `AttributeError`"),
            help,
        )
        .severity = severity;
}

/// Whether the bare name `id`, read at `at`, means the builtin: the module does not
/// bind or import it, and no enclosing function, comprehension or class body binds it.
fn names_builtin(id: &str, at: TextSize, ctx: &Context) -> bool {
    if ctx.facts().binds(id) || ctx.is_local_binding(id, at) {
        return false;
    }
    let mut in_function = false;
    for ancestor in ctx.ancestors() {
        let generators = match ancestor {
            AnyNodeRef::ExprListComp(comp) => &comp.generators,
            AnyNodeRef::ExprSetComp(comp) => &comp.generators,
            AnyNodeRef::ExprDictComp(comp) => &comp.generators,
            AnyNodeRef::ExprGenerator(comp) => &comp.generators,
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_) => {
                in_function = true;
                continue;
            }
            // Class-level names are visible in the class body, not in its methods.
            AnyNodeRef::StmtClassDef(class) if !in_function => {
                if crate::checker::scope::bindings(&class.body).contains(id) {
                    return false;
                }
                continue;
            }
            _ => continue,
        };
        if generators.iter().any(|g| target_binds(&g.target, id)) {
            return false;
        }
    }
    // `from six.moves import *` and similar compatibility layers provide the old names.
    !ctx.memo(|| CompatStarImport::collect(ctx.source())).0
}

/// Whether the file star-imports a compatibility layer (`from six.moves import *`):
/// looked for once per file, not once per name read.
struct CompatStarImport(bool);

impl CompatStarImport {
    fn collect(source: &str) -> Self {
        CompatStarImport(source.match_indices("import *").any(|(at, _)| {
            let line = &source[source[..at].rfind('\n').map_or(0, |i| i + 1)..at];
            COMPAT_LAYERS.iter().any(|layer| line.contains(layer))
        }))
    }
}

/// The dict methods of `DICT_METHODS` the file defines itself (`def has_key(`), found
/// once per file rather than once per call.
struct DefinedDictMethods(Vec<&'static str>);

impl DefinedDictMethods {
    fn collect(source: &str) -> Self {
        DefinedDictMethods(
            DICT_METHODS
                .iter()
                .map(|(method, ..)| *method)
                .filter(|method| source.contains(&format!("def {method}(")))
                .collect(),
        )
    }
}

/// Whether the node sits in code written to run on both Python 2 and 3: a `try` with
/// an `except NameError`/`ImportError`/`AttributeError` (`try: unicode except
/// NameError: unicode = str`), or a branch on the version (`if PY2:`,
/// `if sys.version_info[0] == 2:`, `x if six.PY3 else y`, `hasattr(...)` tests).
fn in_compat_code(ctx: &Context) -> bool {
    ctx.ancestors().any(|node| match node {
        AnyNodeRef::StmtTry(stmt) => stmt
            .handlers
            .iter()
            .filter_map(|handler| handler.as_except_handler())
            .any(|handler| handler.type_.as_deref().is_none_or(names_shim_exception)),
        AnyNodeRef::StmtIf(stmt) => {
            tests_version(&stmt.test, ctx)
                || stmt
                    .elif_else_clauses
                    .iter()
                    .filter_map(|clause| clause.test.as_ref())
                    .any(|test| tests_version(test, ctx))
        }
        AnyNodeRef::ExprIf(expr) => tests_version(&expr.test, ctx),
        AnyNodeRef::ExprBoolOp(expr) => expr.values.iter().any(|v| tests_version(v, ctx)),
        _ => false,
    })
}

fn names_shim_exception(type_: &Expr) -> bool {
    match type_ {
        Expr::Tuple(tuple) => tuple.elts.iter().any(names_shim_exception),
        Expr::Name(name) => SHIM_EXCEPTIONS.contains(&name.id.as_str()),
        _ => false,
    }
}

fn tests_version(test: &Expr, ctx: &Context) -> bool {
    let text = ctx.text_of(test);
    let lower = text.to_ascii_lowercase();
    text.contains("version")
        || text.contains("hasattr")
        || ["py2", "py3", "py_2", "py_3", "python2", "python3"]
            .iter()
            .any(|marker| lower.contains(marker))
}

/// Whether the node runs where an exception of type `error` is expected: in the body
/// of `with self.assertRaises(...)`/`with pytest.raises(...)`, or in the callable passed
/// to `self.assertRaises(error, ...)`, when the expected types name `error` (or
/// `Exception`). Such code is written to fail; the test checks that it does.
pub(crate) fn expects_exception(ctx: &Context, error: &str) -> bool {
    let names_error = |call: &ExprCall| {
        let func = match &*call.func {
            Expr::Attribute(attr) => attr.attr.as_str(),
            Expr::Name(name) => name.id.as_str(),
            _ => return false,
        };
        let expected = call.arguments.args.first().or_else(|| {
            let keyword = call.arguments.find_keyword("expected_exception");
            keyword.map(|kw| &kw.value)
        });
        (func.starts_with("assertRaises") || func == "raises")
            && expected.is_some_and(|e| {
                let text = ctx.text_of(e);
                text.contains(error) || text.contains("Exception")
            })
    };
    for node in ctx.ancestors() {
        match node {
            AnyNodeRef::StmtWith(stmt)
                if stmt.items.iter().any(
                    |item| matches!(&item.context_expr, Expr::Call(call) if names_error(call)),
                ) =>
            {
                return true;
            }
            AnyNodeRef::ExprCall(call) if names_error(call) => return true,
            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) => return false,
            _ => {}
        }
    }
    false
}

/// `print >>f, x`, a bare `print`, `print -1`, `print [x]`, and the half-converted
/// `print("%s") % x` and `print("a"), b`: statements that parse in Python 3 but do not
/// print what Python 2 printed.
fn check_print(stmt: &StmtExpr, ctx: &Context, report: &mut Report) {
    let (head, rest): (&Expr, &[Expr]) = match &*stmt.value {
        Expr::Tuple(tuple) if !tuple.parenthesized => match tuple.elts.split_first() {
            Some((head, rest)) => (head, rest),
            None => return,
        },
        value => (value, &[]),
    };
    let is_print = |expr: &Expr| matches!(expr, Expr::Name(n) if n.id.as_str() == "print");

    // The shape comes first; the costlier checks run only on a match.
    let name: &Expr = match head {
        Expr::Name(_) if rest.is_empty() && ends_statement(ctx, stmt.end()) => head,
        Expr::BinOp(binop) if is_print(&binop.left) => &binop.left,
        Expr::BinOp(binop) if binop.op == Operator::Mod && rest.is_empty() => {
            let Some(call) = print_call(&binop.left) else {
                return;
            };
            &call.func
        }
        Expr::Subscript(subscript) => &subscript.value,
        // Other calls in the tuple (`print("x"), sys.exit(1)`) suggest a deliberate one-liner.
        Expr::Call(call) if !rest.is_empty() && !rest.iter().any(Expr::is_call_expr) => &call.func,
        _ => return,
    };
    if !is_print(name) || !ctx.is_builtin(name, "print") || expects_exception(ctx, "TypeError") {
        return;
    }
    let (message, help) = match head {
        Expr::Name(_) => (
            "a bare `print` was Python 2's statement for an empty line; in Python 3 it only names the function and prints nothing".to_owned(),
            "call it: `print()`".to_owned(),
        ),
        Expr::BinOp(binop) if binop.op == Operator::RShift && is_print(&binop.left) => {
            let file = ctx.text_of(&*binop.right);
            let mut args: Vec<&str> = rest.iter().map(|e| ctx.text_of(e)).collect();
            if ctx.text_of(stmt).ends_with(',') {
                args.push("end=\" \"");
            }
            let file_arg = format!("file={file}");
            args.push(&file_arg);
            (
                format!("`print >>{file}` is Python 2's print-to-file statement; in Python 3 it shifts the `print` function by `{file}` and raises `TypeError`"),
                format!("pass the file as a keyword: `{}`", short_code(&format!("print({})", args.join(", ")))),
            )
        }
        Expr::BinOp(binop) if !is_print(&binop.left) => {
            let Some(call) = print_call(&binop.left) else {
                return;
            };
            let inner = ctx.text_of(&call.arguments);
            let inner = inner.get(1..inner.len().saturating_sub(1)).unwrap_or("...");
            let formatted = format!("print({inner} % {})", ctx.text_of(&*binop.right));
            (
                "the `%` applies to what `print()` returns, `None`, not to the string: a half-converted Python 2 `print \"...\" % x`, which prints the raw template and then raises `TypeError`".to_owned(),
                format!("move the formatting inside the call: `{}`", short_code(&formatted)),
            )
        }
        Expr::Call(_) => {
            report
                .add(
                    stmt.range(),
                    format!("only `{}` is printed: a half-converted Python 2 print statement, whose other items after the comma are built into a tuple and thrown away", short(ctx.text_of(head))),
                    "put every item inside the call's parentheses",
                )
                .severity = Severity::Warning;
            return;
        }
        _ => {
            // `print -1`, `print [x]`: arithmetic on, or subscription of, the function.
            let statement = ctx.text_of(stmt);
            let operands = statement.get("print".len()..).unwrap_or("...").trim();
            (
                "this is a Python 2 print statement; Python 3 reads it as an operation on the `print` function itself and raises `TypeError`".to_owned(),
                format!("call the function: `{}`", short_code(&format!("print({operands})"))),
            )
        }
    };
    report.add(stmt.range(), message, help);
}

fn print_call(expr: &Expr) -> Option<&ExprCall> {
    match expr {
        Expr::Call(call) if matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "print") => {
            Some(call)
        }
        _ => None,
    }
}

/// Whether nothing but a comment or `;` follows `end` on its line: a `print` followed by
/// more code is a `print "x"` statement, which the parser already reported.
fn ends_statement(ctx: &Context, end: TextSize) -> bool {
    let rest = ctx.source().get(end.to_usize()..).unwrap_or_default();
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.is_empty() || rest.starts_with(['\n', '\r', '#', ';'])
}

/// `except ValueError, e:`, which Python 2 meant as `except ValueError as e:`. Python 3
/// before 3.14 rejects it; 3.14 (PEP 758) parses it as catching `ValueError` or `e`.
fn check_except(handler: &ExceptHandlerExceptHandler, ctx: &Context, report: &mut Report) {
    let Some(Expr::Tuple(tuple)) = handler.type_.as_deref() else {
        return;
    };
    let [caught, bound] = tuple.elts.as_slice() else {
        return;
    };
    if tuple.parenthesized || handler.name.is_some() {
        return;
    }
    let names: &[Expr] = match bound {
        Expr::Tuple(inner) => &inner.elts,
        name => std::slice::from_ref(name),
    };
    let lowercase_unbound = |expr: &Expr| {
        matches!(expr, Expr::Name(name) if {
            let id = name.id.as_str();
            id.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
                && !ctx.facts().binds(id)
                && !ctx.is_local_binding(id, name.start())
        })
    };
    if names.is_empty() || !names.iter().all(lowercase_unbound) {
        return;
    }
    let caught = short(ctx.text_of(caught));
    let bound = short(ctx.text_of(bound));
    let help = if bound.starts_with('(') {
        format!("write `except {caught} as exc:` and unpack in the handler: `{bound} = exc.args`")
    } else {
        format!("write `except {caught} as {bound}:`")
    };
    report.add(
        tuple.range(),
        format!("`except {caught}, {bound}:` is Python 2's way to name the caught exception; Python 3 before 3.14 rejects it, and 3.14 reads it as catching `{caught}` or `{bound}`, so `{bound}` is never bound and the handler raises `NameError`"),
        help,
    );
}

/// Called by the checker for each parser error (the first on each line): when the
/// broken line is Python 2 syntax, the finding is reported as this rule, with the
/// Python 3 spelling, instead of as a generic syntax error. The line's source text
/// around the error is matched, not the parser's wording.
pub fn diagnose_syntax_error(source: &str, range: TextRange, _message: &str) -> Option<Diagnostic> {
    let at = range.start().to_usize().min(source.len());
    if !source.is_char_boundary(at) {
        return None;
    }
    let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[at..].find('\n').map_or(source.len(), |i| at + i);
    let line = source[line_start..line_end].trim_end_matches('\r');
    let col = (at - line_start).min(line.len());
    let (before, after) = line.split_at(col);
    let span = |from: usize, to: usize| {
        let offset = |i: usize| TextSize::try_from(line_start + i).unwrap_or_default();
        TextRange::new(offset(from), offset(to.max(from)))
    };
    let (range, message, help) = if let Some((keyword, kw_at)) = statement_keyword(before) {
        let rest = &line[kw_at + keyword.len()..];
        let (end, parts) = scan(rest);
        let body = rest[..end].trim();
        let range = span(kw_at, kw_at + keyword.len() + rest[..end].trim_end().len());
        let fixed = match (keyword, parts.as_deref()) {
            ("print", Some(parts)) => print_replacement(parts, body.ends_with(',')),
            ("print", None) => "print(...)".to_owned(),
            ("exec", _) => match body.split_once(" in ") {
                Some((code, namespaces)) => format!("exec({}, {})", code.trim(), namespaces.trim()),
                None => format!("exec({body})"),
            },
            (_, Some([kind, msg])) => format!("raise {kind}({msg})"),
            (_, Some([kind, msg, tb])) => format!("raise {kind}({msg}).with_traceback({tb})"),
            _ => return None,
        };
        let written = short_code(&format!("{keyword} {body}"));
        let message = if keyword == "raise" {
            format!(
                "`{written}` is Python 2 syntax: Python 3 raises an exception object, which you build by calling the class"
            )
        } else {
            format!(
                "`{keyword}` is a function in Python 3: the Python 2 statement `{written}` is a syntax error"
            )
        };
        (range, message, format!("write `{}`", short_code(&fixed)))
    } else if after.starts_with('(') && tuple_parameter(before) {
        let mut depth = 0usize;
        let close = after.char_indices().find(|&(_, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        });
        let help = if before.trim_end().ends_with("lambda") {
            "take one parameter and index it: `lambda pair: pair[0] + pair[1]`"
        } else {
            "take one parameter and unpack it in the body: `def f(a, pair):` then `b, c = pair`"
        };
        (
            span(col, close.map_or(line.len(), |(i, _)| col + i + 1)),
            "tuple parameters were removed in Python 3 (PEP 3113): a parameter cannot unpack its argument in the signature".to_owned(),
            help.to_owned(),
        )
    } else if let Some(inner) = after.strip_prefix('`') {
        let inner = inner.split('`').next().unwrap_or_default();
        (
            span(col, (col + inner.len() + 2).min(line.len())),
            "backticks were Python 2 shorthand for `repr()` and are a syntax error in Python 3"
                .to_owned(),
            format!("call it: `{}`", short_code(&format!("repr({inner})"))),
        )
    } else if before.ends_with('<') && after.starts_with('>') || after.starts_with("<>") {
        let from = if after.starts_with("<>") {
            col
        } else {
            col - 1
        };
        (
            span(from, from + 2),
            "`<>` was Python 2's spelling of not-equal; Python 3 only has `!=`".to_owned(),
            "write `!=`".to_owned(),
        )
    } else if let Some(token) = old_octal(before, after) {
        let digits = token.trim_end_matches(['L', 'l']).trim_start_matches('0');
        (
            span(col, col + token.len()),
            format!(
                "`{token}` is a Python 2 octal literal; Python 3 requires the `0o` prefix, so that a leading zero cannot silently change the base"
            ),
            format!("write `0o{digits}` (or drop the leading zeros if decimal was meant)"),
        )
    } else if let Some(number) = long_literal(before, after) {
        (
            span(col - number.len(), col + 1),
            format!(
                "the `L` suffix of Python 2 long integers is gone: Python 3's `int` has unlimited size, so `{number}` is enough"
            ),
            format!("write `{number}`"),
        )
    } else if let Some(at) = ur_prefix(before, after) {
        (
            span(at, at + 2),
            "the `ur` string prefix is Python 2 only: every Python 3 string is Unicode, and `ur` is a syntax error".to_owned(),
            "drop the `u` and keep the raw prefix: `r\"...\"`".to_owned(),
        )
    } else {
        return None;
    };
    Some(Diagnostic {
        rule: &META,
        range,
        message,
        help: Some(help),
        severity: META.severity,
        fix: None,
    })
}

/// The statement keyword (`print`, `exec`, `raise`) that ends `before`, if it starts a
/// statement (at the start of the line, or after `;` or a `:` header), and where.
fn statement_keyword(before: &str) -> Option<(&'static str, usize)> {
    let trimmed = before.trim_end();
    let keyword = ["print", "exec", "raise"]
        .into_iter()
        .find(|k| trimmed.ends_with(k))?;
    let kw_at = trimmed.len() - keyword.len();
    let head = &trimmed[..kw_at];
    let word_start = !head.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
    let head = head.trim_end();
    let starts_statement = head.is_empty() || head.ends_with(';') || head.ends_with(':');
    (starts_statement && word_start).then_some((keyword, kw_at))
}

/// Whether the `(` after `before` opens a Python 2 tuple parameter: in a `def` header
/// after `(` or `,`, or right after `lambda`.
fn tuple_parameter(before: &str) -> bool {
    let trimmed = before.trim_end();
    let code = before.trim_start();
    let in_def = code.starts_with("def ") || code.starts_with("async def ");
    let after_lambda = trimmed
        .strip_suffix("lambda")
        .is_some_and(|head| !head.ends_with(|c: char| c.is_alphanumeric() || c == '_'));
    (in_def && !code.contains(':') && (trimmed.ends_with('(') || trimmed.ends_with(',')))
        || after_lambda
}

/// Scans the rest of a statement: where its code ends (at a comment or `;`), and its
/// parts split at commas outside brackets and strings (`None` when the brackets or
/// strings do not close on this line).
fn scan(text: &str) -> (usize, Option<Vec<&str>>) {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut start = 0;
    let mut end = text.len();
    let mut balanced = true;
    for (i, c) in text.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => match depth.checked_sub(1) {
                    Some(d) => depth = d,
                    None => balanced = false,
                },
                ',' if depth == 0 => {
                    parts.push(text[start..i].trim());
                    start = i + 1;
                }
                '#' | ';' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            },
        }
    }
    let last = text[start..end].trim();
    if !last.is_empty() {
        parts.push(last);
    }
    let parts = (balanced && depth == 0 && quote.is_none()).then_some(parts);
    (end, parts)
}

/// The Python 3 call for the operands of a `print` statement: `>>f, a, b,` becomes
/// `print(a, b, end=" ", file=f)`.
fn print_replacement(parts: &[&str], trailing_comma: bool) -> String {
    let (file, args) = match parts.split_first() {
        Some((first, rest)) if first.starts_with(">>") => (Some(first[2..].trim()), rest),
        _ => (None, parts),
    };
    let mut all: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    if trailing_comma {
        all.push("end=\" \"".to_owned());
    }
    all.extend(file.map(|file| format!("file={file}")));
    format!("print({})", all.join(", "))
}

/// A Python 2 octal literal (`0777`, `0644L`) at the start of `after`.
fn old_octal<'s>(before: &str, after: &'s str) -> Option<&'s str> {
    if before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.') {
        return None;
    }
    let token = after
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let digits = token.strip_suffix(['L', 'l']).unwrap_or(token);
    let digits = digits.strip_prefix('0')?;
    let octal = !digits.is_empty() && digits.bytes().all(|b| (b'0'..=b'7').contains(&b));
    (octal && digits.bytes().any(|b| b != b'0')).then_some(token)
}

/// The integer literal before a Python 2 `L` suffix at the start of `after`.
fn long_literal<'s>(before: &'s str, after: &str) -> Option<&'s str> {
    let mut chars = after.chars();
    let suffix = matches!(chars.next(), Some('L' | 'l'))
        && !chars
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
    let start = before
        .trim_end_matches(|c: char| c.is_ascii_alphanumeric())
        .len();
    let number = &before[start..];
    let (digits, radix) = match number.get(..2).map(str::to_ascii_lowercase).as_deref() {
        Some("0x") => (&number[2..], 16),
        Some("0o") => (&number[2..], 8),
        Some("0b") => (&number[2..], 2),
        _ => (number, 10),
    };
    let is_int = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    (suffix && is_int && !before[..start].ends_with(['.', '_'])).then_some(number)
}

/// Where (in the line) a `ur"..."` prefix starts: the parser reports either the `ur`
/// (read as a name) or the string right after it.
fn ur_prefix(before: &str, after: &str) -> Option<usize> {
    let is_ur = |text: &str| text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("ur"));
    let ends_name = |text: &str| text.ends_with(|c: char| c.is_alphanumeric() || c == '_');
    let col = before.len();
    if after.starts_with(['"', '\'']) {
        let split = before.len().checked_sub(2)?;
        let (head, prefix) = before.split_at_checked(split)?;
        return (is_ur(prefix) && !ends_name(head)).then_some(col - 2);
    }
    let quoted = after.get(2..).is_some_and(|s| s.starts_with(['"', '\'']));
    (is_ur(after) && quoted && !ends_name(before)).then_some(col)
}

/// Text to quote inline in a message, or `...` when it is long or spans lines.
fn short(text: &str) -> &str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        "..."
    }
}

/// A suggested line of code, or its generic form when too long to read inline.
fn short_code(code: &str) -> String {
    if code.len() <= 80 && !code.contains('\n') {
        code.to_owned()
    } else {
        let head = code.split(['(', ' ']).next().unwrap_or_default();
        format!("{head}(...)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_byte_filters_let_every_removed_name_through() {
        for (name, _) in REMOVED_BUILTINS {
            assert!(starts_like(name, REMOVED_BUILTIN_STARTS), "{name}");
        }
        for (qualified, _) in REMOVED_ATTRIBUTES {
            let attribute = qualified.rsplit('.').next().unwrap();
            assert!(
                starts_like(attribute, REMOVED_ATTRIBUTE_STARTS),
                "{qualified}"
            );
        }
        // A name no removed builtin starts like is turned away before the scan.
        assert!(
            REMOVED_BUILTINS
                .iter()
                .all(|(name, _)| !name.starts_with('s'))
        );
        assert_eq!(REMOVED_BUILTIN_STARTS & (1 << b's'), 0);
    }
}
