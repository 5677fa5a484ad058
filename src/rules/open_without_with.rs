//! PF502: a file opened without `with` and never closed: used once inline
//! (`open(p).read()`, `json.load(open(p))`), dropped, or bound to a name that the
//! scope never closes, returns, stores or hands over.
//!
//! Each scope (function, class body or module) is walked once when the walker hands it
//! over: the walk notes how each `open()` call is used, from its parent, and which names
//! the scope closes or lets escape.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Operator, Ranged, TextRange, TextSize};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF502",
    name: "open-without-with",
    summary: "a file is opened without `with` and never closed, so the garbage collector closes it",
    severity: Severity::Warning,
    topic: Topic::IterationAndResources,
    doc: include_str!("../../rules/open-without-with.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "SIM115",
            name: "open-file-with-context-handler",
        },
        Equivalent {
            tool: "pylint",
            code: "R1732",
            name: "consider-using-with",
        },
    ],
};

/// Calls that open a file (or archive) the caller must close, by qualified name.
#[rustfmt::skip]
const OPENERS: &[&str] = &[
    "open", "io.open", "gzip.open", "bz2.open", "lzma.open", "codecs.open", "tarfile.open",
    "zipfile.ZipFile", "tempfile.NamedTemporaryFile", "tempfile.TemporaryFile",
    "tempfile.SpooledTemporaryFile", "os.fdopen",
];

/// Last name segments of the openers, checked before resolving a call's name.
const OPENER_NAMES: &[&str] = &[
    "open",
    "ZipFile",
    "NamedTemporaryFile",
    "TemporaryFile",
    "SpooledTemporaryFile",
    "fdopen",
];

/// Every name in `OPENER_NAMES` contains one of these.
const OPENER_NEEDLES: [&str; 3] = ["open", "ZipFile", "TemporaryFile"];

/// Whether the text of `body` may call an opener: only a call whose name is one of
/// `OPENER_NAMES` is reported, so a scope that never spells one has nothing to find
/// and need not be walked. Text with non-ASCII characters is always walked: Python
/// normalises identifiers (NFKC), so a full-width `ｏｐｅｎ` still names `open`.
fn spells_an_opener(source: &str, body: &[ast::Stmt]) -> bool {
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return false;
    };
    let text = &source[TextRange::new(first.start(), last.end())];
    !text.is_ascii() || OPENER_NEEDLES.iter().any(|needle| text.contains(needle))
}

/// Wrappers that take over the file they are given and close it when they are closed.
const OWNING_WRAPPERS: &[&str] = &[
    "io.TextIOWrapper",
    "io.BufferedReader",
    "io.BufferedWriter",
    "io.BufferedRandom",
];

/// Functions that read or write a file object they are given but never close it.
#[rustfmt::skip]
const NON_OWNING: &[&str] = &[
    "json.load", "json.dump", "pickle.load", "pickle.dump", "marshal.load", "marshal.dump",
    "tomllib.load", "plistlib.load", "plistlib.dump", "yaml.load", "yaml.safe_load",
    "yaml.full_load", "yaml.load_all", "yaml.safe_load_all", "yaml.dump", "yaml.safe_dump",
    "csv.reader", "csv.writer", "csv.DictReader", "csv.DictWriter", "shutil.copyfileobj",
    "xml.etree.ElementTree.parse", "email.message_from_file", "list", "tuple", "set", "sorted",
    "enumerate", "iter", "next", "print", "zip",
];

/// Classes whose objects are paths with an `.open()` method.
const PATH_CLASSES: &[&str] = &[
    "pathlib.Path",
    "pathlib.PurePath",
    "pathlib.PosixPath",
    "pathlib.WindowsPath",
];

pub struct OpenWithoutWith;

impl Rule for OpenWithoutWith {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[
            NodeKind::ModModule,
            NodeKind::StmtFunctionDef,
            NodeKind::StmtClassDef,
        ]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let may_open = OPENER_NEEDLES
            .iter()
            .any(|needle| ctx.source_mentions(needle));
        if ctx.is_stub() || !may_open {
            return;
        }
        let (body, def, where_) = match node {
            AnyNodeRef::ModModule(module) => (&module.body[..], None, "module"),
            AnyNodeRef::StmtFunctionDef(def) => (&def.body[..], Some(def), "function"),
            AnyNodeRef::StmtClassDef(class) => (&class.body[..], None, "class body"),
            _ => return,
        };
        if !spells_an_opener(ctx.source(), body) {
            return;
        }
        // `@patch("builtins.open", ...)`, or a function defined inside `with patch(...)`:
        // the test's `open` may be a mock.
        let mocked = def.is_some_and(|d| {
            d.decorator_list
                .iter()
                .any(|dec| ctx.text_of(dec).contains("patch"))
        }) || ctx.ancestors().any(|a| {
            matches!(a, AnyNodeRef::StmtWith(with) if with.items.iter().any(|i| is_expectation(&i.context_expr)))
        });
        if mocked {
            return;
        }
        let mut scope = Scope {
            ctx,
            def,
            opens: Vec::new(),
            uses: HashMap::default(),
            released: HashSet::default(),
            nested: Vec::new(),
            expected: Vec::new(),
            probes: Vec::new(),
            bound: HashSet::default(),
            loaded: HashSet::default(),
        };
        for stmt in body {
            for_each_node(stmt.into(), |node| scope.visit(node));
        }
        let before = report.diagnostics.len();
        scope.report(where_, report);
        // A script's `if __name__ == "__main__":` block ends with the process, which
        // closes every file: a hint there.
        if let AnyNodeRef::ModModule(module) = node {
            let script_blocks: Vec<TextRange> = module
                .body
                .iter()
                .filter_map(|stmt| match stmt {
                    ast::Stmt::If(guard)
                        if ctx.text_of(&*guard.test).contains("__name__")
                            && ctx.text_of(&*guard.test).contains("__main__") =>
                    {
                        Some(guard.range())
                    }
                    _ => None,
                })
                .collect();
            for diagnostic in &mut report.diagnostics[before..] {
                if script_blocks
                    .iter()
                    .any(|block| block.contains_range(diagnostic.range))
                {
                    diagnostic.severity = Severity::Info;
                }
            }
        }
    }
}

/// What happens to the file an `open()` call returns.
#[derive(Clone, Copy)]
enum Use<'a> {
    /// Closed by `with`, `closing()`, an `ExitStack`, or handed to the caller or an object.
    Managed,
    /// Used once in place and dropped: `open(p).read()`, `json.load(open(p))`.
    Inline(How<'a>),
    /// An expression statement: opened and dropped at once.
    Dropped,
    /// Bound to a local name.
    Bound(&'a str),
}

#[derive(Clone, Copy)]
enum How<'a> {
    Method(&'a str),
    For,
    Comprehension,
    Passed(&'a str),
}

struct Scope<'a, 'c> {
    ctx: &'c Context<'a>,
    def: Option<&'a ast::StmtFunctionDef>,
    opens: Vec<&'a ast::ExprCall>,
    /// How each `open()` call (by start) is used, and the expression that holds it
    /// (the call, or an owning wrapper around it).
    uses: HashMap<TextSize, (Use<'a>, &'a Expr)>,
    /// Names the scope closes, enters in `with`, returns, stores or passes on.
    released: HashSet<&'a str>,
    /// Nested functions, classes and lambdas, which may close a name they capture.
    nested: Vec<TextRange>,
    /// Bodies of `with self.assertRaises(...)`, `pytest.raises`, `mock.patch(...)`:
    /// the call is expected to fail, or `open` is a mock.
    expected: Vec<TextRange>,
    /// `try` bodies with handlers: an `open()` there whose file is never used only
    /// probes whether the file opens.
    probes: Vec<TextRange>,
    /// Names bound to an `open()` call so far, and those of them read afterwards.
    bound: HashSet<&'a str>,
    loaded: HashSet<&'a str>,
}

impl<'a> Scope<'a, '_> {
    fn qualified(&self, func: &Expr) -> Option<String> {
        self.ctx.qualified_name(func)
    }

    /// The `open()` call whose file `expr` is, through owning wrappers.
    fn opened(&self, expr: &'a Expr) -> Option<&'a ast::ExprCall> {
        let Expr::Call(call) = expr else {
            return None;
        };
        if self.is_opener(call) {
            return Some(call);
        }
        if !ends_with_one_of(&call.func, OWNING_WRAPPERS) {
            return None;
        }
        let name = self.qualified(&call.func)?;
        if OWNING_WRAPPERS.contains(&name.as_str()) {
            return self.opened(call.arguments.args.first()?);
        }
        None
    }

    fn is_opener(&self, call: &ast::ExprCall) -> bool {
        let last = match &*call.func {
            Expr::Name(name) => name.id.as_str(),
            Expr::Attribute(attr) => attr.attr.as_str(),
            _ => return false,
        };
        if !OPENER_NAMES.contains(&last) {
            return false;
        }
        if let Expr::Attribute(attr) = &*call.func
            && last == "open"
            && self.is_path(&attr.value, 0)
        {
            return true;
        }
        let Some(name) = self.qualified(&call.func) else {
            return false;
        };
        if !OPENERS.contains(&name.as_str()) {
            return false;
        }
        let args = &call.arguments;
        // `open(fd, closefd=False)` does not own the descriptor; an archive over an
        // in-memory buffer (`fileobj=...`, `ZipFile(io.BytesIO(...))`) holds no OS file.
        let borrowed = args
            .find_keyword("closefd")
            .is_some_and(|k| !matches!(&k.value, Expr::BooleanLiteral(b) if b.value))
            || args.find_keyword("fileobj").is_some()
            || matches!(args.args.first(), Some(Expr::Call(inner))
                if matches!(&*inner.func, Expr::Attribute(a) if matches!(a.attr.as_str(), "BytesIO" | "StringIO"))
                    || matches!(&*inner.func, Expr::Name(n) if matches!(n.id.as_str(), "BytesIO" | "StringIO")));
        !borrowed
    }

    /// Whether `expr` is certainly a `pathlib` path: `Path(...)`, `Path(...) / "x"`, or a
    /// parameter annotated as one.
    fn is_path(&self, expr: &Expr, depth: usize) -> bool {
        let is_path_class = |e: &Expr| {
            self.qualified(e)
                .is_some_and(|n| PATH_CLASSES.contains(&n.as_str()))
        };
        match expr {
            Expr::Call(call) => is_path_class(&call.func),
            Expr::BinOp(op) if op.op == Operator::Div && depth < 16 => {
                self.is_path(&op.left, depth + 1)
            }
            Expr::Name(name) => self.def.is_some_and(|def| {
                def.parameters.iter().any(|p| {
                    p.name().as_str() == name.id.as_str()
                        && p.annotation().is_some_and(is_path_class)
                })
            }),
            _ => false,
        }
    }

    fn set(&mut self, expr: &'a Expr, use_: Use<'a>) {
        if let Some(call) = self.opened(expr) {
            if let Use::Bound(name) = use_ {
                self.bound.insert(name);
            }
            self.uses.insert(call.start(), (use_, expr));
        }
    }

    /// Marks the names `expr` hands on as a value (`return f`, `x = f`, `[f, g]`).
    fn release_value(&mut self, expr: &'a Expr) {
        match expr {
            Expr::Name(name) => {
                self.released.insert(name.id.as_str());
            }
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.release_value(e)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.release_value(e)),
            Expr::Set(s) => s.elts.iter().for_each(|e| self.release_value(e)),
            Expr::Dict(d) => d.iter_values().for_each(|e| self.release_value(e)),
            Expr::Starred(s) => self.release_value(&s.value),
            _ => {}
        }
    }

    fn visit(&mut self, node: AnyNodeRef<'a>) -> bool {
        match node {
            AnyNodeRef::StmtFunctionDef(_)
            | AnyNodeRef::StmtClassDef(_)
            | AnyNodeRef::ExprLambda(_) => {
                self.nested.push(node.range());
                return false;
            }
            AnyNodeRef::ExprCall(call) => self.visit_call(call),
            AnyNodeRef::StmtWith(stmt) => {
                if stmt
                    .items
                    .iter()
                    .any(|item| is_expectation(&item.context_expr))
                    && let (Some(first), Some(last)) = (stmt.body.first(), stmt.body.last())
                {
                    self.expected
                        .push(TextRange::new(first.start(), last.end()));
                }
                for item in &stmt.items {
                    self.set(&item.context_expr, Use::Managed);
                    self.release_value(&item.context_expr);
                }
            }
            AnyNodeRef::StmtExpr(stmt) => self.set(&stmt.value, Use::Dropped),
            AnyNodeRef::StmtTry(stmt) if !stmt.handlers.is_empty() => {
                if let (Some(first), Some(last)) = (stmt.body.first(), stmt.body.last()) {
                    self.probes.push(TextRange::new(first.start(), last.end()));
                }
            }
            AnyNodeRef::ExprName(name)
                if name.ctx.is_load() && self.bound.contains(name.id.as_str()) =>
            {
                self.loaded.insert(name.id.as_str());
            }
            AnyNodeRef::StmtAssign(stmt) => {
                let use_ = match &stmt.targets[..] {
                    [Expr::Name(name)] => Some(Use::Bound(name.id.as_str())),
                    [Expr::Attribute(_) | Expr::Subscript(_)] => Some(Use::Managed),
                    _ => None,
                };
                if let Some(use_) = use_ {
                    self.set(&stmt.value, use_);
                }
                self.release_value(&stmt.value);
            }
            AnyNodeRef::StmtAnnAssign(stmt) => {
                if let Some(value) = &stmt.value {
                    let use_ = match &*stmt.target {
                        Expr::Name(name) => Use::Bound(name.id.as_str()),
                        _ => Use::Managed,
                    };
                    self.set(value, use_);
                    self.release_value(value);
                }
            }
            AnyNodeRef::StmtAugAssign(stmt) => self.release_value(&stmt.value),
            AnyNodeRef::ExprNamed(named) => {
                self.set(&named.value, Use::Managed);
                self.release_value(&named.value);
            }
            AnyNodeRef::StmtReturn(stmt) => {
                if let Some(value) = &stmt.value {
                    self.set(value, Use::Managed);
                    self.release_value(value);
                }
            }
            AnyNodeRef::ExprYield(expr) => {
                if let Some(value) = &expr.value {
                    self.set(value, Use::Managed);
                    self.release_value(value);
                }
            }
            AnyNodeRef::ExprYieldFrom(expr) => self.release_value(&expr.value),
            AnyNodeRef::ExprList(list) => list.elts.iter().for_each(|e| self.release_value(e)),
            AnyNodeRef::ExprTuple(tuple) => tuple.elts.iter().for_each(|e| self.release_value(e)),
            AnyNodeRef::ExprSet(set) => set.elts.iter().for_each(|e| self.release_value(e)),
            AnyNodeRef::ExprDict(dict) => dict.iter_values().for_each(|e| self.release_value(e)),
            AnyNodeRef::StmtGlobal(stmt) => {
                self.released.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtNonlocal(stmt) => {
                self.released.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtFor(stmt) => self.set(&stmt.iter, Use::Inline(How::For)),
            AnyNodeRef::Comprehension(generator) => {
                self.set(&generator.iter, Use::Inline(How::Comprehension));
            }
            AnyNodeRef::ExprAttribute(attr) => {
                let use_ = match attr.attr.as_str() {
                    "close" | "__enter__" | "__exit__" => Use::Managed,
                    other => Use::Inline(How::Method(other)),
                };
                self.set(&attr.value, use_);
                if let (Use::Managed, Expr::Name(name)) = (use_, &*attr.value) {
                    self.released.insert(name.id.as_str());
                }
            }
            _ => {}
        }
        true
    }

    fn visit_call(&mut self, call: &'a ast::ExprCall) {
        if self.is_opener(call) {
            self.opens.push(call);
        }
        let passed = call
            .arguments
            .args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value));
        let func = match &*call.func {
            Expr::Attribute(attr) if matches!(attr.attr.as_str(), "enter_context" | "push") => None,
            Expr::Attribute(attr) if attr.attr.as_str() == "join" => Some(".join".to_owned()),
            func if ends_with_one_of(func, NON_OWNING)
                || ends_with_one_of(func, OWNING_WRAPPERS) =>
            {
                self.qualified(func)
            }
            _ => None,
        };
        match func {
            Some(name) if NON_OWNING.contains(&name.as_str()) || name == ".join" => {
                let how = How::Passed(self.ctx.text_of(&*call.func));
                for arg in passed {
                    self.set(arg, Use::Inline(how));
                }
            }
            Some(name) if OWNING_WRAPPERS.contains(&name.as_str()) => {}
            _ => {
                // `closing(f)`, `stack.enter_context(f)`, or a call pitfall does not know,
                // which may keep the file and close it later.
                for arg in passed {
                    self.set(arg, Use::Managed);
                    self.release_value(arg);
                }
            }
        }
    }

    fn report(&self, where_: &str, report: &mut Report) {
        for call in &self.opens {
            let Some(&(use_, holder)) = self.uses.get(&call.start()) else {
                continue;
            };
            let at = call.start();
            let probe = self.probes.iter().any(|r| r.contains(at))
                && match use_ {
                    Use::Dropped => true,
                    Use::Bound(name) => !self.loaded.contains(name),
                    _ => false,
                };
            if probe || self.expected.iter().any(|r| r.contains(at)) {
                continue;
            }
            let text = short(holder, self.ctx);
            let (message, help) = match use_ {
                Use::Managed => continue,
                Use::Inline(how) => inline_wording(&text, how),
                Use::Dropped => (
                    format!(
                        "`{text}` opens a file and drops it without closing it; it stays open until the garbage collector finds it"
                    ),
                    format!("close it right away, `{text}.close()`, or write `with {text}: pass`"),
                ),
                Use::Bound(name) => {
                    if where_ == "class body" || self.released.contains(name) || self.captured(name)
                    {
                        continue;
                    }
                    (
                        format!(
                            "`{name}` is opened by `{text}` but never closed in this {where_}: no `with`, no `{name}.close()`, so the file stays open until the garbage collector finds it"
                        ),
                        format!(
                            "open it in a `with` block, `with {text} as {name}:`, and indent the code that uses `{name}`; if it must outlive this {where_}, return it or close it in a `finally`"
                        ),
                    )
                }
            };
            report.add(call.range(), message, help);
        }
    }

    /// Whether a nested function, class or lambda mentions `name` (it may close it).
    fn captured(&self, name: &str) -> bool {
        self.nested.iter().any(|&range| {
            let text = self.ctx.slice(range);
            text.match_indices(name).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + name.len()..].chars().next();
                !before.is_some_and(is_identifier_char) && !after.is_some_and(is_identifier_char)
            })
        })
    }
}

/// Whether `expr` is `self.assertRaises(...)`, `pytest.raises(...)`, `pytest.warns(...)`,
/// `mock.patch(...)` or `patch.object(...)`.
fn is_expectation(expr: &Expr) -> bool {
    let Expr::Call(call) = expr else {
        return false;
    };
    let Expr::Attribute(attr) = &*call.func else {
        return matches!(&*call.func, Expr::Name(n) if n.id.as_str() == "patch");
    };
    let name = attr.attr.as_str();
    name.starts_with("assertRaises")
        || name.starts_with("assertWarns")
        || matches!(name, "raises" | "warns" | "patch")
        || matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == "patch")
        || matches!(&*attr.value, Expr::Attribute(a) if a.attr.as_str() == "patch")
}

/// Whether the last segment of the called name matches the last segment of one of `names`.
fn ends_with_one_of(func: &Expr, names: &[&str]) -> bool {
    let last = match func {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => return false,
    };
    // `last` is one identifier (no dots): a name's last segment is `last` when the name
    // ends with it right after a dot, or is exactly `last`.
    names.iter().any(|n| {
        n.strip_suffix(last)
            .is_some_and(|head| head.is_empty() || head.ends_with('.'))
    })
}

fn is_identifier_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The call as written, or `func(...)` when it is long or spans lines.
fn short(expr: &Expr, ctx: &Context) -> String {
    let text = ctx.text_of(expr);
    match expr {
        Expr::Call(call) if text.len() > 48 || text.contains('\n') => {
            format!("{}(...)", ctx.text_of(&*call.func))
        }
        _ => text.to_owned(),
    }
}

fn inline_wording(text: &str, how: How) -> (String, String) {
    let (what, help) = match how {
        How::Method(method @ ("read" | "readlines" | "read_text" | "readline")) => (
            format!("read with `.{method}()` and never closed"),
            format!(
                "read it in a `with` block (`with {text} as f: data = f.{method}()`), or use `pathlib.Path(...).read_text()`"
            ),
        ),
        How::Method(method @ ("write" | "writelines")) => (
            format!("written with `.{method}()` and never closed"),
            format!(
                "write it in a `with` block (`with {text} as f: f.{method}(...)`), or use `pathlib.Path(...).write_text(...)`; unclosed, the data may stay in the buffer"
            ),
        ),
        How::Method(method) => (
            format!("used once through `.{method}` and never closed"),
            format!("open it in a `with` block, `with {text} as f:`, and use `f` inside it"),
        ),
        How::For => (
            "iterated by a `for` loop and never closed".to_owned(),
            format!("loop inside a `with` block: `with {text} as f: for line in f: ...`"),
        ),
        How::Comprehension => (
            "iterated by a comprehension and never closed".to_owned(),
            format!(
                "build the result inside a `with` block: `with {text} as f: lines = [... for line in f]`"
            ),
        ),
        How::Passed(func) => (
            format!("passed to `{func}()` and never closed (`{func}()` does not close it)"),
            format!(
                "open it in a `with` block and pass the handle: `with {text} as f: {func}(..., f, ...)`"
            ),
        ),
    };
    (
        format!(
            "the file from `{text}` is {what}; it stays open until the garbage collector finds it"
        ),
        help,
    )
}
