//! PF501: a one-shot iterator (a generator, a `map`/`zip`/`iter` result, a file, a
//! `groupby` group) bound to a name and consumed again after it was exhausted.
//!
//! Each scope (a function body, or the module) is walked once when the walker hands
//! over its `def` or the module: the walk lists, in source order, every binding and
//! consumption of a name, plus the loops, branches and exits that decide whether a
//! second consumption really follows an exhausting one.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::ast::{self, AnyNodeRef, CmpOp, Expr, ExprContext, NodeKind, Ranged, Stmt};
use crate::ast::{TextRange, TextSize};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::checker::word_set::WordSet;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF501",
    name: "reused-generator",
    summary: "a generator or iterator is consumed a second time, after it was exhausted",
    severity: Severity::Error,
    topic: Topic::IterationAndResources,
    doc: include_str!("../../rules/reused-generator.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B031",
            name: "reuse-of-groupby-generator",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B031",
            name: "",
        },
    ],
};

/// Calls returning a one-shot iterator, by qualified name (`itertools.count`, `cycle`
/// and `repeat` are left out: they never run dry).
#[rustfmt::skip]
const ITERATOR_FACTORIES: &[&str] = &[
    "iter", "map", "filter", "zip", "reversed", "enumerate", "itertools.chain",
    "itertools.chain.from_iterable", "itertools.islice", "itertools.groupby",
    "itertools.product", "itertools.permutations", "itertools.combinations",
    "itertools.combinations_with_replacement", "itertools.accumulate", "itertools.compress",
    "itertools.dropwhile", "itertools.takewhile", "itertools.filterfalse", "itertools.starmap",
    "itertools.zip_longest", "itertools.pairwise", "itertools.batched", "csv.reader",
    "csv.DictReader", "os.scandir", "os.walk", "glob.iglob", "re.finditer",
];

/// Calls that iterate an argument to its end: (qualified name, argument position).
#[rustfmt::skip]
const EXHAUSTING_CALLS: &[(&str, usize)] = &[
    ("list", 0), ("tuple", 0), ("set", 0), ("frozenset", 0), ("dict", 0), ("sorted", 0),
    ("sum", 0), ("max", 0), ("min", 0), ("collections.Counter", 0), ("collections.deque", 0),
    ("math.prod", 0), ("math.fsum", 0), ("functools.reduce", 1),
];

/// Lazy wrappers: iterating the wrapper iterates these arguments (`usize::MAX`: all).
#[rustfmt::skip]
const PASS_THROUGH: &[(&str, usize)] = &[
    ("enumerate", 0), ("iter", 0), ("filter", 1), ("map", 1), ("itertools.chain", usize::MAX),
    ("itertools.chain.from_iterable", 0), ("itertools.starmap", 1),
    ("itertools.filterfalse", 1), ("itertools.accumulate", 0), ("itertools.pairwise", 0),
    ("itertools.batched", 0), ("itertools.dropwhile", 1), ("itertools.groupby", 0),
];

/// Last name segments of every call above, checked before resolving a call's name.
#[rustfmt::skip]
static INTERESTING: WordSet = WordSet::new(&[
    "iter", "map", "filter", "zip", "reversed", "enumerate", "chain", "from_iterable", "islice",
    "groupby", "product", "permutations", "combinations", "combinations_with_replacement",
    "accumulate", "compress", "dropwhile", "takewhile", "filterfalse", "starmap", "zip_longest",
    "pairwise", "batched", "reader", "DictReader", "scandir", "walk", "iglob", "finditer",
    "list", "tuple", "set", "frozenset", "dict", "sorted", "sum", "max", "min", "Counter",
    "deque", "prod", "fsum", "reduce", "any", "all", "open", "next",
]);

/// How many earlier events of one name are searched for a first pass or a binding in
/// another branch; keeps a scope with thousands of uses of one name linear.
const MAX_LOOKBACK: usize = 64;

pub struct ReusedGenerator;

impl Rule for ReusedGenerator {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef, NodeKind::ModModule]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        if ctx.is_stub() {
            return;
        }
        let (body, def) = match node {
            AnyNodeRef::StmtFunctionDef(def) => (&def.body[..], Some(def)),
            AnyNodeRef::ModModule(module) => (&module.body[..], None),
            _ => return,
        };
        let mut scope = Scope::new(ctx, def);
        scope.block(body);
        for stmt in body {
            for_each_node(stmt.into(), |node| scope.visit(node));
        }
        let in_test = ctx.in_test_code() || def.is_some_and(|d| d.name.starts_with("test"));
        scope.finish().report(in_test, report);
    }
}

/// What a name was bound to, when that is a one-shot iterator.
#[derive(Clone, Copy, PartialEq)]
enum Source<'a> {
    GeneratorExpression,
    GeneratorFunction(&'a str),
    Factory(&'a str),
    File,
    Group,
}

/// How far a consumption goes.
#[derive(Clone, Copy, PartialEq)]
enum Strength {
    /// Runs the iterator dry (`list(g)`, a `for` loop without `break`).
    Exhausts,
    /// Stops at the first match (`x in g`, `any(g)`).
    Searches,
    /// The `for` loop with this index: it exhausts the iterator unless it can `break`.
    Loop(usize),
}

#[derive(Clone, Copy)]
enum How<'a> {
    For,
    Call(&'a str),
    Method(&'a str),
    In,
    Unpack,
    YieldFrom,
    Comprehension,
}

enum What<'a> {
    Bind(Option<Source<'a>>),
    Consume(Strength, How<'a>),
    /// Passed to a call pitfall does not know (which might rewind a file).
    Escape,
}

struct Event<'a> {
    name: &'a str,
    at: TextSize,
    range: TextRange,
    what: What<'a>,
}

/// What the analysis asks about one name, precomputed.
struct NameFacts {
    /// Where the name is bound, in order.
    binds: Vec<TextSize>,
    /// The `for` loops (by index) that iterate the name itself.
    walked_by: Vec<usize>,
}

impl NameFacts {
    fn binds_within(&self, range: TextRange) -> bool {
        let first = self.binds.partition_point(|&at| at < range.start());
        self.binds.get(first).is_some_and(|&at| at < range.end())
    }
}

struct Loop {
    whole: TextRange,
    /// The part that runs again on each iteration, less `except` (a first iterable).
    repeat: TextRange,
    except: Option<TextRange>,
    /// A `for`/`while` body; `None` for comprehensions.
    body: Option<TextRange>,
    has_break: bool,
}

#[derive(Clone, Copy, PartialEq)]
enum ExitKind {
    Leave,
    Break,
    Continue,
}

/// A `return`/`raise` (leave) or `break`/`continue` statement and its block.
struct Exit {
    kind: ExitKind,
    range: TextRange,
    block: TextRange,
    /// For `break`/`continue`: the loop it belongs to.
    target: Option<usize>,
}

struct Scope<'a, 'c> {
    ctx: &'c Context<'a>,
    def: Option<&'a ast::StmtFunctionDef>,
    events: Vec<Event<'a>>,
    loops: Vec<Loop>,
    /// Regions of which at most one runs: the branches of an `if`, `match`, `try`.
    alternatives: Vec<Vec<TextRange>>,
    exits: Vec<Exit>,
    /// Comprehension variables: (name, comprehension, its first iterable).
    shadows: Vec<(&'a str, TextRange, TextRange)>,
    declared: HashSet<&'a str>,
    /// Where `.seek()` is called: a file (or a reader over one) is rewound there.
    seeks: Vec<TextSize>,
    asserts: Vec<TextRange>,
    generator_functions: HashMap<TextSize, bool>,
}

fn block_range(body: &[Stmt]) -> Option<TextRange> {
    Some(TextRange::new(body.first()?.start(), body.last()?.end()))
}

impl<'a, 'c> Scope<'a, 'c> {
    fn new(ctx: &'c Context<'a>, def: Option<&'a ast::StmtFunctionDef>) -> Self {
        Scope {
            ctx,
            def,
            events: Vec::new(),
            loops: Vec::new(),
            alternatives: Vec::new(),
            exits: Vec::new(),
            shadows: Vec::new(),
            declared: HashSet::default(),
            seeks: Vec::new(),
            asserts: Vec::new(),
            generator_functions: HashMap::default(),
        }
    }

    /// Records the exits of one statement list.
    fn block(&mut self, body: &[Stmt]) {
        let Some(block) = block_range(body) else {
            return;
        };
        for stmt in body {
            let kind = match stmt {
                Stmt::Return(_) | Stmt::Raise(_) => ExitKind::Leave,
                Stmt::Break(_) => ExitKind::Break,
                Stmt::Continue(_) => ExitKind::Continue,
                _ => continue,
            };
            self.exits.push(Exit {
                kind,
                range: stmt.range(),
                block,
                target: None,
            });
        }
    }

    /// The qualified name of a call's function, unless the scope rebinds its head.
    fn qualified(&self, func: &Expr) -> Option<String> {
        let (mut head, last) = match func {
            Expr::Name(name) => (func, name.id.as_str()),
            Expr::Attribute(attr) => (&*attr.value, attr.attr.as_str()),
            _ => return None,
        };
        if !INTERESTING.contains(last) {
            return None;
        }
        while let Expr::Attribute(attr) = head {
            head = &attr.value;
        }
        let Expr::Name(head) = head else { return None };
        if self.def.is_some_and(|def| {
            def.parameters
                .iter()
                .any(|p| p.name().as_str() == head.id.as_str())
                || self.ctx.function_binds(def, head.id.as_str())
        }) {
            return None;
        }
        self.ctx.qualified_name(func)
    }

    fn is_generator_function(&mut self, def: &'a ast::StmtFunctionDef) -> bool {
        if def.is_async || !def.decorator_list.is_empty() {
            return false;
        }
        *self
            .generator_functions
            .entry(def.start())
            .or_insert_with(|| {
                let mut found = false;
                for stmt in &def.body {
                    for_each_node(stmt.into(), |node| {
                        found |= matches!(
                            node,
                            AnyNodeRef::ExprYield(_) | AnyNodeRef::ExprYieldFrom(_)
                        );
                        !found && !is_nested_scope(node)
                    });
                }
                found
            })
    }

    /// What `value` makes a name bound to it, if a one-shot iterator.
    fn source_of(&mut self, value: &'a Expr) -> Option<Source<'a>> {
        let call = match value {
            Expr::Generator(_) => return Some(Source::GeneratorExpression),
            Expr::Call(call) => call,
            _ => return None,
        };
        if let Some(def) = self.ctx.resolve_function(&call.func) {
            let shadowed = self
                .def
                .is_some_and(|d| self.ctx.function_binds(d, &def.name));
            return (!shadowed && self.is_generator_function(def))
                .then_some(Source::GeneratorFunction(def.name.as_str()));
        }
        if let Expr::Attribute(attr) = &*call.func
            && matches!(attr.attr.as_str(), "iterdir" | "rglob")
        {
            return Some(Source::Factory(self.ctx.text_of(&*call.func)));
        }
        let name = self.qualified(&call.func)?;
        if name == "open" || name == "io.open" {
            let mode = call.arguments.find_argument_value("mode", 1);
            return match mode {
                None => Some(Source::File),
                Some(Expr::StringLiteral(s))
                    if !s.value.to_str().contains(['w', 'a', 'x', '+']) =>
                {
                    Some(Source::File)
                }
                _ => None,
            };
        }
        let factory = ITERATOR_FACTORIES.iter().find(|&&f| f == name)?;
        Some(Source::Factory(factory))
    }

    /// Records that `target` is bound when the code ending at `end` has run.
    fn bind(&mut self, target: &'a Expr, end: TextSize, source: Option<Source<'a>>) {
        let at = TextSize::new(end.to_u32().saturating_sub(1));
        match target {
            Expr::Name(name) => self.events.push(Event {
                name: name.id.as_str(),
                at,
                range: name.range,
                what: What::Bind(source),
            }),
            Expr::Tuple(t) => t.elts.iter().for_each(|e| self.bind(e, end, None)),
            Expr::List(l) => l.elts.iter().for_each(|e| self.bind(e, end, None)),
            Expr::Starred(s) => self.bind(&s.value, end, None),
            _ => {}
        }
    }

    fn bind_name(&mut self, name: &'a str, range: TextRange) {
        self.events.push(Event {
            name,
            at: range.start(),
            range,
            what: What::Bind(None),
        });
    }

    /// Records that iterating `expr` consumes the names it iterates, through lazy
    /// wrappers such as `enumerate(g)` or `(f(x) for x in g)`.
    fn consume(&mut self, expr: &'a Expr, range: TextRange, strength: Strength, how: How<'a>) {
        let mut work = vec![(expr, 0)];
        while let Some((expr, depth)) = work.pop() {
            match expr {
                Expr::Name(name) if name.ctx == ExprContext::Load => self.events.push(Event {
                    name: name.id.as_str(),
                    at: range.start(),
                    range,
                    what: What::Consume(strength, how),
                }),
                Expr::Generator(generator) if depth < 8 => {
                    if let Some(first) = generator.generators.first() {
                        work.push((&first.iter, depth + 1));
                    }
                }
                Expr::Call(call) if depth < 8 && call.arguments.keywords.is_empty() => {
                    let Some(name) = self.qualified(&call.func) else {
                        continue;
                    };
                    let Some(&(_, position)) = PASS_THROUGH.iter().find(|(f, _)| *f == name) else {
                        continue;
                    };
                    let args = &call.arguments.args;
                    if name == "map" && args.len() != 2 || name == "iter" && args.len() != 1 {
                        continue;
                    }
                    let from = position.min(args.len());
                    let to = if position == usize::MAX {
                        args.len()
                    } else {
                        (position + 1).min(args.len())
                    };
                    let from = if position == usize::MAX { 0 } else { from };
                    work.extend(args[from..to].iter().map(|a| (a, depth + 1)));
                }
                _ => {}
            }
        }
    }

    fn visit(&mut self, node: AnyNodeRef<'a>) -> bool {
        match node {
            AnyNodeRef::StmtFunctionDef(def) => {
                self.bind_name(def.name.as_str(), def.name.range);
                return false;
            }
            AnyNodeRef::StmtClassDef(class) => {
                self.bind_name(class.name.as_str(), class.name.range);
                return false;
            }
            AnyNodeRef::ExprLambda(_) => return false,
            AnyNodeRef::StmtGlobal(stmt) => {
                self.declared.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtNonlocal(stmt) => {
                self.declared.extend(stmt.names.iter().map(|n| n.as_str()))
            }
            AnyNodeRef::StmtAssign(stmt) => {
                let single = stmt.targets.len() == 1;
                for target in &stmt.targets {
                    let source = if single && target.is_name_expr() {
                        self.source_of(&stmt.value)
                    } else {
                        None
                    };
                    self.bind(target, stmt.end(), source);
                    if matches!(target, Expr::Tuple(_) | Expr::List(_)) {
                        self.consume(
                            &stmt.value,
                            stmt.value.range(),
                            Strength::Exhausts,
                            How::Unpack,
                        );
                    }
                }
            }
            AnyNodeRef::StmtAnnAssign(stmt) => {
                if let Some(value) = &stmt.value {
                    let source = self.source_of(value);
                    self.bind(&stmt.target, stmt.end(), source);
                }
            }
            AnyNodeRef::StmtAugAssign(stmt) => self.bind(&stmt.target, stmt.end(), None),
            AnyNodeRef::StmtDelete(stmt) => {
                for target in &stmt.targets {
                    self.bind(target, stmt.end(), None);
                }
            }
            AnyNodeRef::ExprNamed(named) => {
                let source = self.source_of(&named.value);
                self.bind(&named.target, named.end(), source);
            }
            AnyNodeRef::StmtImport(stmt) => {
                for alias in &stmt.names {
                    let name = alias.asname.as_ref().map_or_else(
                        || alias.name.split('.').next().unwrap_or_default(),
                        |a| a.as_str(),
                    );
                    self.bind_name(name, alias.range);
                }
            }
            AnyNodeRef::StmtImportFrom(stmt) => {
                for alias in &stmt.names {
                    let name = alias.asname.as_ref().unwrap_or(&alias.name);
                    self.bind_name(name.as_str(), alias.range);
                }
            }
            AnyNodeRef::ExceptHandlerExceptHandler(handler) => {
                if let Some(name) = &handler.name {
                    self.bind_name(name.as_str(), name.range);
                }
                self.block(&handler.body);
            }
            AnyNodeRef::PatternMatchAs(p) => {
                if let Some(name) = &p.name {
                    self.bind_name(name.as_str(), name.range);
                }
            }
            AnyNodeRef::PatternMatchStar(p) => {
                if let Some(name) = &p.name {
                    self.bind_name(name.as_str(), name.range);
                }
            }
            AnyNodeRef::PatternMatchMapping(p) => {
                if let Some(name) = &p.rest {
                    self.bind_name(name.as_str(), name.range);
                }
            }
            AnyNodeRef::StmtFor(stmt) => self.visit_for(stmt),
            AnyNodeRef::StmtWhile(stmt) => {
                self.block(&stmt.body);
                self.block(&stmt.orelse);
                if let Some(body) = block_range(&stmt.body) {
                    self.loops.push(Loop {
                        whole: stmt.range,
                        repeat: TextRange::new(stmt.test.start(), body.end()),
                        except: None,
                        body: Some(body),
                        has_break: false,
                    });
                }
            }
            AnyNodeRef::StmtIf(stmt) => {
                self.block(&stmt.body);
                let mut branches: Vec<TextRange> = block_range(&stmt.body).into_iter().collect();
                for clause in &stmt.elif_else_clauses {
                    self.block(&clause.body);
                    branches.push(clause.range);
                }
                self.alternatives.push(branches);
            }
            AnyNodeRef::StmtTry(stmt) => {
                self.block(&stmt.body);
                self.block(&stmt.orelse);
                self.block(&stmt.finalbody);
                let mut branches: Vec<TextRange> = block_range(&stmt.body).into_iter().collect();
                branches.extend(stmt.handlers.iter().map(Ranged::range));
                self.alternatives.push(branches);
            }
            AnyNodeRef::StmtWith(stmt) => {
                self.block(&stmt.body);
                for item in &stmt.items {
                    if let Some(vars) = item.optional_vars.as_deref() {
                        let source = if vars.is_name_expr() {
                            self.source_of(&item.context_expr)
                        } else {
                            None
                        };
                        self.bind(vars, item.end(), source);
                    }
                }
            }
            AnyNodeRef::StmtMatch(stmt) => {
                for case in &stmt.cases {
                    self.block(&case.body);
                }
                self.alternatives
                    .push(stmt.cases.iter().map(Ranged::range).collect());
            }
            AnyNodeRef::StmtAssert(stmt) => self.asserts.push(stmt.range),
            AnyNodeRef::ExprIf(expr) => self
                .alternatives
                .push(vec![expr.body.range(), expr.orelse.range()]),
            AnyNodeRef::ExprListComp(c) => self.comprehension(node, &c.generators, true),
            AnyNodeRef::ExprSetComp(c) => self.comprehension(node, &c.generators, true),
            AnyNodeRef::ExprDictComp(c) => self.comprehension(node, &c.generators, true),
            AnyNodeRef::ExprGenerator(c) => self.comprehension(node, &c.generators, false),
            AnyNodeRef::ExprCall(call) => self.visit_call(call),
            AnyNodeRef::ExprStarred(starred) if starred.ctx == ExprContext::Load => {
                self.consume(
                    &starred.value,
                    starred.range,
                    Strength::Exhausts,
                    How::Unpack,
                );
            }
            AnyNodeRef::ExprYieldFrom(expr) => {
                self.consume(&expr.value, expr.range, Strength::Exhausts, How::YieldFrom);
            }
            AnyNodeRef::ExprCompare(compare) => {
                for (op, right) in compare.ops.iter().zip(&compare.comparators) {
                    if matches!(op, CmpOp::In | CmpOp::NotIn) {
                        self.consume(right, compare.range, Strength::Searches, How::In);
                    }
                }
            }
            _ => {}
        }
        !is_nested_scope(node)
    }

    fn visit_for(&mut self, stmt: &'a ast::StmtFor) {
        self.block(&stmt.body);
        self.block(&stmt.orelse);
        let group = match (&*stmt.target, &*stmt.iter) {
            (Expr::Tuple(t), Expr::Call(call)) if t.elts.len() == 2 => {
                (self.qualified(&call.func).as_deref() == Some("itertools.groupby"))
                    .then(|| &t.elts[1])
            }
            _ => None,
        };
        let Some(body) = block_range(&stmt.body) else {
            return;
        };
        if !stmt.is_async {
            let strength = Strength::Loop(self.loops.len());
            self.consume(&stmt.iter, stmt.iter.range(), strength, How::For);
        }
        self.bind(&stmt.target, stmt.iter.end(), None);
        if let Some(Expr::Name(name)) = group {
            self.events.push(Event {
                name: name.id.as_str(),
                at: TextSize::new(stmt.iter.end().to_u32().saturating_sub(1)),
                range: name.range,
                what: What::Bind(Some(Source::Group)),
            });
        }
        self.loops.push(Loop {
            whole: stmt.range,
            repeat: body,
            except: None,
            body: Some(body),
            has_break: false,
        });
    }

    fn comprehension(
        &mut self,
        node: AnyNodeRef<'a>,
        generators: &'a [ast::Comprehension],
        eager: bool,
    ) {
        let Some(first) = generators.first() else {
            return;
        };
        let first_iter = first.iter.range();
        for (i, generator) in generators.iter().enumerate() {
            for_each_node((&generator.target).into(), |n| {
                if let AnyNodeRef::ExprName(name) = n {
                    self.shadows
                        .push((name.id.as_str(), node.range(), first_iter));
                }
                true
            });
            if (i > 0 || eager) && !generator.is_async {
                self.consume(
                    &generator.iter,
                    generator.iter.range(),
                    Strength::Exhausts,
                    How::Comprehension,
                );
            }
        }
        self.loops.push(Loop {
            whole: node.range(),
            repeat: node.range(),
            except: Some(first_iter),
            body: None,
            has_break: false,
        });
    }

    fn visit_call(&mut self, call: &'a ast::ExprCall) {
        let args = &call.arguments.args;
        if let Expr::Attribute(attr) = &*call.func {
            match attr.attr.as_str() {
                "seek" => self.seeks.push(call.start()),
                "join" if args.len() == 1 && call.arguments.keywords.is_empty() => {
                    self.consume(
                        &args[0],
                        call.range(),
                        Strength::Exhausts,
                        How::Method("join"),
                    );
                    return;
                }
                "read" | "readlines" if args.is_empty() && attr.value.is_name_expr() => {
                    let how = How::Method(attr.attr.as_str());
                    self.consume(&attr.value, call.range(), Strength::Exhausts, how);
                    return;
                }
                _ => {}
            }
        }
        if let Some(name) = self.qualified(&call.func) {
            let strength = match name.as_str() {
                "any" | "all" => Some((Strength::Searches, 0)),
                "max" | "min" if args.len() != 1 => None,
                name => EXHAUSTING_CALLS
                    .iter()
                    .find(|(f, _)| *f == name)
                    .map(|&(_, position)| (Strength::Exhausts, position)),
            };
            if let Some((strength, position)) = strength {
                if let Some(arg) = args
                    .get(position)
                    .filter(|_| !args.iter().any(Expr::is_starred_expr))
                {
                    self.consume(
                        arg,
                        call.range(),
                        strength,
                        How::Call(self.ctx.text_of(&*call.func)),
                    );
                }
                return;
            }
            if name == "next" || PASS_THROUGH.iter().any(|(f, _)| *f == name) {
                return;
            }
        }
        let passed = args
            .iter()
            .chain(call.arguments.keywords.iter().map(|k| &k.value));
        for arg in passed {
            if let Expr::Name(name) = arg {
                self.events.push(Event {
                    name: name.id.as_str(),
                    at: name.start(),
                    range: name.range,
                    what: What::Escape,
                });
            }
        }
    }

    /// Resolves what needs the whole walk: which loops `break`, and event order.
    fn finish(mut self) -> Self {
        for exit in &mut self.exits {
            if exit.kind == ExitKind::Leave {
                continue;
            }
            exit.target = self
                .loops
                .iter()
                .enumerate()
                .filter(|(_, l)| l.body.is_some_and(|b| b.contains(exit.range.start())))
                .min_by_key(|(_, l)| l.whole.len())
                .map(|(i, _)| i);
            if let (Some(target), ExitKind::Break) = (exit.target, exit.kind) {
                self.loops[target].has_break = true;
            }
        }
        self.events.sort_by_key(|e| e.at);
        self
    }
}

impl<'a> Scope<'a, '_> {
    fn report(&self, in_test: bool, report: &mut Report) {
        // Only names bound to a one-shot iterator somewhere can be reused; most scopes
        // have none, and then nothing needs grouping.
        let bound: HashSet<&str> = self
            .events
            .iter()
            .filter(|e| matches!(e.what, What::Bind(Some(_))))
            .map(|e| e.name)
            .filter(|name| !self.declared.contains(name))
            .collect();
        if bound.is_empty() {
            return;
        }
        let mut by_name: HashMap<&str, Vec<&Event<'a>>> = HashMap::default();
        for event in self.events.iter().filter(|e| bound.contains(e.name)) {
            by_name.entry(event.name).or_default().push(event);
        }
        for (name, events) in &by_name {
            let facts = NameFacts {
                binds: events
                    .iter()
                    .filter(|e| matches!(e.what, What::Bind(_)))
                    .map(|e| e.at)
                    .collect(),
                walked_by: events
                    .iter()
                    .filter_map(|e| match e.what {
                        What::Consume(Strength::Loop(i), _) => Some(i),
                        _ => None,
                    })
                    .collect(),
            };
            let mut last_bind = None;
            for (k, use_) in events.iter().enumerate() {
                let What::Consume(strength, how) = use_.what else {
                    if matches!(use_.what, What::Bind(_)) {
                        last_bind = Some(k);
                    }
                    continue;
                };
                let strength = self.resolve(strength);
                let Some(b) = last_bind else {
                    continue;
                };
                let What::Bind(Some(source)) = events[b].what else {
                    continue;
                };
                // Another branch may bind the name to something else (a list).
                let other_branch = events[..b].iter().rev().take(MAX_LOOKBACK).any(|e| {
                    matches!(e.what, What::Bind(None)) && self.exclusive(e.at, events[b].at)
                });
                if !applies(how, source) || other_branch || self.shadowed(name, use_.at) {
                    continue;
                }
                if self.repeats(&facts, use_, strength, source) {
                    let (effect, help) = loop_wording(name, how, strength, source);
                    report.add(
                        use_.range,
                        format!(
                            "`{name}` holds {}, created before this loop; {effect}",
                            describe(source)
                        ),
                        help,
                    );
                    continue;
                }
                if in_test || self.asserts.iter().any(|a| a.contains(use_.at)) {
                    continue;
                }
                let between = &events[(b + 1).max(k.saturating_sub(MAX_LOOKBACK))..k];
                if let Some(first) = between
                    .iter()
                    .find(|p| self.exhausts_before(p, use_, source, between))
                {
                    let What::Consume(_, first_how) = first.what else {
                        continue;
                    };
                    let effect = match how {
                        How::In => "so this `in` test finds nothing".to_owned(),
                        _ => format!("so this {} sees nothing", describe_how(how)),
                    };
                    report.add(
                        use_.range,
                        format!(
                            "`{name}` holds {}, which the {} on line {} already exhausted, {effect}",
                            describe(source),
                            describe_how(first_how),
                            self.line_of(first.at),
                        ),
                        sequential_help(name, source),
                    );
                }
            }
        }
    }

    /// The line number of `at`.
    fn line_of(&self, at: TextSize) -> usize {
        self.ctx.line_number(at)
    }

    /// A `for` loop exhausts its iterator unless it can `break` out early.
    fn resolve(&self, strength: Strength) -> Strength {
        match strength {
            Strength::Loop(i) if self.loops.get(i).is_some_and(|l| !l.has_break) => {
                Strength::Exhausts
            }
            other => other,
        }
    }

    fn shadowed(&self, name: &str, at: TextSize) -> bool {
        self.shadows.iter().any(|&(n, region, first_iter)| {
            n == name && region.contains(at) && !first_iter.contains(at)
        })
    }

    /// Whether `a` and `b` lie in different branches of one `if`/`match`/`try`/`x if c else y`.
    fn exclusive(&self, a: TextSize, b: TextSize) -> bool {
        self.alternatives.iter().any(|branches| {
            let ia = branches.iter().position(|r| r.contains(a));
            let ib = branches.iter().position(|r| r.contains(b));
            matches!((ia, ib), (Some(x), Some(y)) if x != y)
        })
    }

    /// Whether `exit` always runs right after `event` (or holds it): it sits later in a
    /// statement list that contains `event`.
    fn exit_after(&self, event: &Event, exit: &Exit) -> bool {
        exit.block.contains(event.at)
            && (exit.range.contains(event.at) || exit.range.start() >= event.range.end())
    }

    /// Whether `use_` runs again on a later iteration of a loop that does not rebind
    /// `name`, with the iterator still the one from before the loop.
    fn repeats(&self, name: &NameFacts, use_: &Event, strength: Strength, source: Source) -> bool {
        let counts = match strength {
            Strength::Exhausts => true,
            // `it = iter(xs); all(c in it for c in sub)` is the subsequence idiom.
            Strength::Searches => source != Source::Factory("iter"),
            Strength::Loop(_) => false,
        };
        counts
            && self.loops.iter().enumerate().any(|(i, l)| {
                l.repeat.contains(use_.at)
                    && !l.except.is_some_and(|e| e.contains(use_.at))
                    // An inner loop over the iterator the outer loop walks takes the
                    // rest of it, and the outer loop then ends: a deliberate idiom.
                    && !name.walked_by.contains(&i)
                    && !name.binds_within(l.whole)
                    && !self.seeks.iter().any(|&s| l.whole.contains(s))
                    && !self.exits.iter().any(|t| {
                        l.whole.contains(t.range.start())
                            && self.exit_after(use_, t)
                            && match t.kind {
                                ExitKind::Leave => true,
                                ExitKind::Break => t.target == Some(i),
                                ExitKind::Continue => false,
                            }
                    })
            })
    }

    /// Whether `first` exhausted the iterator on every path that reaches `use_`.
    fn exhausts_before(
        &self,
        first: &Event,
        use_: &Event,
        source: Source,
        between: &[&Event],
    ) -> bool {
        let What::Consume(strength, how) = first.what else {
            return false;
        };
        if self.resolve(strength) != Strength::Exhausts {
            return false;
        }
        // A use inside the loop that walks the iterator runs before it is exhausted.
        if let Strength::Loop(i) = strength
            && self.loops.get(i).is_some_and(|l| l.whole.contains(use_.at))
        {
            return false;
        }
        let rewound = self.seeks.iter().any(|&s| first.at < s && s < use_.at)
            || source == Source::File
                && between
                    .iter()
                    .any(|e| matches!(e.what, What::Escape) && first.at < e.at && e.at < use_.at);
        let jumps = self.exits.iter().any(|t| {
            self.exit_after(first, t)
                && use_.at >= t.range.end()
                && match t.kind {
                    ExitKind::Leave => true,
                    ExitKind::Break | ExitKind::Continue => t
                        .target
                        .and_then(|i| self.loops.get(i))
                        .and_then(|l| l.body)
                        .is_some_and(|body| body.contains(use_.at)),
                }
        });
        applies(how, source)
            && !self.shadowed(first.name, first.at)
            && !self.exclusive(first.at, use_.at)
            && !rewound
            && !jumps
    }
}

fn is_nested_scope(node: AnyNodeRef) -> bool {
    matches!(
        node,
        AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_) | AnyNodeRef::ExprLambda(_)
    )
}

/// `.read()` and `.readlines()` consume only files.
fn applies(how: How, source: Source) -> bool {
    !matches!(how, How::Method("read" | "readlines")) || source == Source::File
}

fn describe(source: Source) -> String {
    match source {
        Source::GeneratorExpression => "a generator expression".to_owned(),
        Source::GeneratorFunction(f) => format!("the generator returned by `{f}()`"),
        Source::Factory(f) => format!("the one-shot iterator returned by `{f}()`"),
        Source::File => "a file object".to_owned(),
        Source::Group => "a `groupby()` group".to_owned(),
    }
}

fn describe_how(how: How) -> String {
    match how {
        How::For => "`for` loop".to_owned(),
        How::Call(f) => format!("`{f}()` call"),
        How::Method(m) => format!("`.{m}()` call"),
        How::In => "`in` test".to_owned(),
        How::Unpack => "unpacking".to_owned(),
        How::YieldFrom => "`yield from`".to_owned(),
        How::Comprehension => "comprehension".to_owned(),
    }
}

fn loop_wording(name: &str, how: How, strength: Strength, source: Source) -> (String, String) {
    let how = describe_how(how);
    let effect = if strength == Strength::Searches {
        format!(
            "each {how} consumes it up to the first match, so later iterations search only what is left"
        )
    } else {
        format!("the {how} exhausts it on the first iteration and sees nothing on every later one")
    };
    let help = match source {
        Source::File => format!(
            "read the lines into a list before the loop (`lines = {name}.readlines()`) and loop over that"
        ),
        Source::Group => format!(
            "copy the group before the loop (`items = list({name})`) and use `items` inside it"
        ),
        _ if strength == Strength::Searches => format!(
            "build a set once before the loop (`{name} = set({name})`) and test membership in that"
        ),
        _ => format!(
            "turn it into a list once before the loop (`{name} = list({name})`), or create a fresh iterator inside the loop"
        ),
    };
    (effect, help)
}

fn sequential_help(name: &str, source: Source) -> String {
    match source {
        Source::File => format!(
            "read the file once into a list (`lines = {name}.readlines()`) and reuse it, or call `{name}.seek(0)` before reading again"
        ),
        Source::Group => {
            format!("copy the group once (`items = list({name})`) and use `items` for every pass")
        }
        _ => format!(
            "store the items once (`{name} = list({name})` right after it is created) and iterate the list as often as needed, or create a fresh iterator for each pass"
        ),
    }
}
