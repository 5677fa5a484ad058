//! PF406: a class whose bases admit no method resolution order, or that lists a base
//! twice; either way the `class` statement raises `TypeError`.
//!
//! The MRO is C3: the class, then a merge of its bases' MROs and the base list that
//! keeps every one of those orders. The merge fails exactly when the orders contradict
//! each other (the "comes before" graph has a cycle), so the rule builds that graph
//! from the classes it can see: module-level classes and well-known builtins. A base
//! it cannot see (an import, a call) only adds orderings, so it can hide a conflict but
//! never resolve one; the rule just leaves it out and reports only cycles among the
//! classes it knows.

use std::collections::{HashMap, HashSet, VecDeque};
use std::rc::Rc;

use crate::ast::{self, AnyNodeRef, Expr, NodeKind, Ranged, Stmt, TextSize};
use crate::checker::Context;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF406",
    name: "inconsistent-mro",
    summary: "a class whose bases cannot be put in one method resolution order, or that lists a base twice, raises `TypeError` when defined",
    severity: Severity::Error,
    topic: Topic::Classes,
    doc: include_str!("../../rules/inconsistent-mro.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "pylint",
            code: "E0240",
            name: "inconsistent-mro",
        },
        Equivalent {
            tool: "pylint",
            code: "E0241",
            name: "duplicate-bases",
        },
        Equivalent {
            tool: "ruff",
            code: "PLE0241",
            name: "duplicate-bases",
        },
    ],
};

/// Builtin and standard-library classes with one base each (the same in Python
/// 3.8-3.14), as `(qualified name, base)`; `object` has none.
#[rustfmt::skip]
const KNOWN_CLASSES: &[(&str, &str)] = &[
    ("object", ""), ("int", "object"), ("float", "object"), ("complex", "object"),
    ("str", "object"), ("bytes", "object"), ("bytearray", "object"), ("list", "object"),
    ("tuple", "object"), ("dict", "object"), ("set", "object"), ("frozenset", "object"),
    ("type", "object"), ("property", "object"), ("abc.ABC", "object"),
    ("collections.OrderedDict", "dict"), ("collections.defaultdict", "dict"),
    ("collections.Counter", "dict"),
    ("BaseException", "object"), ("Exception", "BaseException"),
    ("SystemExit", "BaseException"), ("KeyboardInterrupt", "BaseException"),
    ("GeneratorExit", "BaseException"), ("ArithmeticError", "Exception"),
    ("FloatingPointError", "ArithmeticError"), ("OverflowError", "ArithmeticError"),
    ("ZeroDivisionError", "ArithmeticError"), ("AssertionError", "Exception"),
    ("AttributeError", "Exception"), ("BufferError", "Exception"), ("EOFError", "Exception"),
    ("ImportError", "Exception"), ("ModuleNotFoundError", "ImportError"),
    ("LookupError", "Exception"), ("IndexError", "LookupError"), ("KeyError", "LookupError"),
    ("MemoryError", "Exception"), ("NameError", "Exception"),
    ("UnboundLocalError", "NameError"), ("OSError", "Exception"),
    ("BlockingIOError", "OSError"), ("ChildProcessError", "OSError"),
    ("ConnectionError", "OSError"), ("BrokenPipeError", "ConnectionError"),
    ("ConnectionAbortedError", "ConnectionError"),
    ("ConnectionRefusedError", "ConnectionError"),
    ("ConnectionResetError", "ConnectionError"), ("FileExistsError", "OSError"),
    ("FileNotFoundError", "OSError"), ("InterruptedError", "OSError"),
    ("IsADirectoryError", "OSError"), ("NotADirectoryError", "OSError"),
    ("PermissionError", "OSError"), ("ProcessLookupError", "OSError"),
    ("TimeoutError", "OSError"), ("ReferenceError", "Exception"),
    ("RuntimeError", "Exception"), ("NotImplementedError", "RuntimeError"),
    ("RecursionError", "RuntimeError"), ("StopIteration", "Exception"),
    ("StopAsyncIteration", "Exception"), ("SyntaxError", "Exception"),
    ("IndentationError", "SyntaxError"), ("TabError", "IndentationError"),
    ("SystemError", "Exception"), ("TypeError", "Exception"), ("ValueError", "Exception"),
    ("UnicodeError", "ValueError"), ("UnicodeDecodeError", "UnicodeError"),
    ("UnicodeEncodeError", "UnicodeError"), ("UnicodeTranslateError", "UnicodeError"),
    ("Warning", "Exception"), ("UserWarning", "Warning"), ("DeprecationWarning", "Warning"),
    ("PendingDeprecationWarning", "Warning"), ("SyntaxWarning", "Warning"),
    ("RuntimeWarning", "Warning"), ("FutureWarning", "Warning"),
    ("ImportWarning", "Warning"), ("UnicodeWarning", "Warning"),
    ("BytesWarning", "Warning"), ("ResourceWarning", "Warning"),
];

/// Other names for the same class object (`IOError is OSError`).
const ALIASES: &[(&str, &str)] = &[("IOError", "OSError"), ("EnvironmentError", "OSError")];

/// Metaclasses known to keep the standard `type.mro()`.
const PLAIN_METACLASSES: &[&str] = &["type", "abc.ABCMeta"];

/// Hierarchies deeper or wider than this are left alone.
const MAX_DEPTH: usize = 40;
const MAX_CLASSES: usize = 300;

pub struct InconsistentMro;

impl Rule for InconsistentMro {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtClassDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtClassDef(class) = node else {
            return;
        };
        // With fewer than two bases the merge cannot fail (unless a base failed first).
        if ctx.is_stub() || class.bases().len() < 2 || expects_type_error(ctx) {
            return;
        }
        let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
            return;
        };
        if let Some((second, first)) = duplicate_base(class, ctx) {
            let text = ctx.text_of(second);
            report.add(
                second.range(),
                format!(
                    "`{text}` is listed twice in the bases of `{}`; defining the class raises `TypeError: duplicate base class`",
                    class.name
                ),
                format!("remove the second `{text}`{}", alias_note(first, second, ctx)),
            );
            return;
        }
        let mut mro = Mro {
            ctx,
            module: &module.body,
            memo: HashMap::new(),
            bases: HashMap::new(),
            custom_metaclass: false,
        };
        let bases: Vec<Option<Node>> = class
            .bases()
            .iter()
            .map(|b| mro.resolve(b, class, true))
            .collect();
        let me = Node::Class(class.start(), class.name.as_str());
        mro.custom_metaclass |= has_custom_metaclass(class, ctx);
        let Some(edges) = mro.constraints(me, &bases, 0) else {
            return;
        };
        if mro.custom_metaclass || has_star_import(&module.body) {
            return;
        }
        if let Some(cycle) = find_cycle(&edges, class.name.as_str()) {
            // Direct bases are shown as written (`OrderedDict`, not `collections.OrderedDict`).
            let written: HashMap<Node, &str> = bases
                .iter()
                .zip(class.bases())
                .filter_map(|(node, expr)| Some((*node.as_ref()?, ctx.text_of(expr))))
                .collect();
            let name = |n: Node<'a>| written.get(&n).copied().unwrap_or(n.name());
            let (message, help) = describe(class.name.as_str(), &cycle, name);
            report.add(class.name.range(), message, help);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Node<'a> {
    /// A module-level class, by where it starts and its name.
    Class(TextSize, &'a str),
    Known(&'static str),
}

impl<'a> Node<'a> {
    fn name(self) -> &'a str {
        match self {
            Node::Class(_, name) => name,
            Node::Known(name) => name,
        }
    }
}

/// Why `from` must come before `to` in the MRO being built.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Why<'a> {
    /// `to` is a direct base of `from`.
    Inherits,
    /// The named class lists `from` before `to` among its bases.
    Lists(&'a str),
    /// The MRO of this class puts `from` right before `to`.
    Mro(Node<'a>),
    /// `from` has only bases the rule cannot see, yet every MRO ends with `object`.
    Object,
}

#[derive(Clone, Copy, Debug)]
struct Edge<'a> {
    from: Node<'a>,
    to: Node<'a>,
    why: Why<'a>,
}

/// What is known of a class's MRO.
enum Lin<'a> {
    /// The whole MRO: every class in the hierarchy is known.
    Exact(Vec<Node<'a>>),
    /// Orderings every MRO of the class must respect; some bases are unknown.
    Partial(Vec<Edge<'a>>),
    /// The class cannot be analysed, or its own definition raises.
    Broken,
}

struct Mro<'a, 'c> {
    ctx: &'c Context<'a>,
    module: &'a [Stmt],
    memo: HashMap<Node<'a>, Rc<Lin<'a>>>,
    /// The known direct bases of each class met, to label edges.
    bases: HashMap<Node<'a>, Vec<Node<'a>>>,
    custom_metaclass: bool,
}

impl<'a> Mro<'a, '_> {
    /// The class a base expression of `referrer` names, if the rule knows it. `direct`
    /// is for the bases of the class being checked; deeper bases belong to module-level
    /// classes.
    fn resolve(&self, base: &Expr, referrer: &ast::StmtClassDef, direct: bool) -> Option<Node<'a>> {
        let ctx = self.ctx;
        if let Expr::Name(name) = base {
            let id = name.id.as_str();
            if direct && bound_in_enclosing_class(ctx, id) {
                return None;
            }
            let class = if direct {
                ctx.resolve_class(base)
            } else {
                ctx.facts().class(id)
            };
            if let Some(class) = class {
                // A class defined later, or inside an `if`, may not be the one the name
                // refers to when this class statement runs; in a function, it runs later.
                let before =
                    direct && ctx.enclosing_function().is_some() || class.end() <= referrer.start();
                return (before && self.is_top_level(class))
                    .then_some(Node::Class(class.start(), class.name.as_str()));
            }
            if !direct && ctx.facts().binds(id) {
                return None;
            }
        }
        let name = ctx.qualified_name(base)?;
        let name = name.strip_prefix("builtins.").unwrap_or(&name);
        let name = ALIASES
            .iter()
            .find(|(a, _)| *a == name)
            .map_or(name, |(_, c)| c);
        KNOWN_CLASSES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(known, _)| Node::Known(known))
    }

    fn is_top_level(&self, class: &ast::StmtClassDef) -> bool {
        let at = self.module.partition_point(|s| s.start() < class.start());
        self.module
            .get(at)
            .is_some_and(|s| matches!(s, Stmt::ClassDef(c) if c.range == class.range))
    }

    fn linearize(&mut self, node: Node<'a>, depth: usize) -> Rc<Lin<'a>> {
        if let Some(lin) = self.memo.get(&node) {
            return Rc::clone(lin);
        }
        // Marks the class as in progress: a cycle of bases ends as `Broken`.
        self.memo.insert(node, Rc::new(Lin::Broken));
        let lin = if depth > MAX_DEPTH || self.memo.len() > MAX_CLASSES {
            Lin::Broken
        } else {
            match node {
                Node::Known(name) => {
                    let base = KNOWN_CLASSES.iter().find(|(k, _)| *k == name);
                    match base.map(|(_, b)| *b).filter(|b| !b.is_empty()) {
                        Some(base) => self.combine(node, &[Some(Node::Known(base))], depth),
                        None => Lin::Exact(vec![node]),
                    }
                }
                Node::Class(start, _) => match self.class_at(start) {
                    Some(class) => {
                        self.custom_metaclass |= has_custom_metaclass(class, self.ctx);
                        let bases: Vec<_> = class
                            .bases()
                            .iter()
                            .map(|b| self.resolve(b, class, false))
                            .collect();
                        if duplicate_base(class, self.ctx).is_some() {
                            Lin::Broken
                        } else {
                            self.combine(node, &bases, depth)
                        }
                    }
                    None => Lin::Broken,
                },
            }
        };
        let lin = Rc::new(lin);
        self.memo.insert(node, Rc::clone(&lin));
        lin
    }

    fn class_at(&self, start: TextSize) -> Option<&'a ast::StmtClassDef> {
        let at = self.module.partition_point(|s| s.start() < start);
        match self.module.get(at) {
            Some(Stmt::ClassDef(class)) => Some(class),
            _ => None,
        }
    }

    /// The MRO of `node` from its bases (`None` for a base the rule cannot see).
    fn combine(&mut self, node: Node<'a>, bases: &[Option<Node<'a>>], depth: usize) -> Lin<'a> {
        let Some(mut edges) = self.constraints(node, bases, depth) else {
            return Lin::Broken;
        };
        if has_cycle(&edges) {
            return Lin::Broken;
        }
        let known: Vec<Node<'a>> = self.bases.get(&node).cloned().unwrap_or_default();
        edges.extend(known.iter().map(|&to| Edge {
            from: node,
            to,
            why: Why::Inherits,
        }));
        if bases.iter().all(Option::is_some) {
            let mut lists: Vec<Vec<Node<'a>>> = Vec::new();
            for base in &known {
                match &*self.linearize(*base, depth + 1) {
                    Lin::Exact(list) => lists.push(list.clone()),
                    _ => return self.partial(node, edges, &known),
                }
            }
            lists.push(known);
            return match merge(lists) {
                Some(mut tail) => {
                    tail.insert(0, node);
                    Lin::Exact(tail)
                }
                None => Lin::Broken,
            };
        }
        self.partial(node, edges, &known)
    }

    fn partial(&self, node: Node<'a>, mut edges: Vec<Edge<'a>>, known: &[Node<'a>]) -> Lin<'a> {
        if known.is_empty() {
            let to = Node::Known("object");
            edges.push(Edge {
                from: node,
                to,
                why: Why::Object,
            });
        }
        Lin::Partial(edges)
    }

    /// The orderings the MRO of `node` must respect, from its bases' MROs and the
    /// order of its base list; `None` when a base is itself broken.
    fn constraints(
        &mut self,
        node: Node<'a>,
        bases: &[Option<Node<'a>>],
        depth: usize,
    ) -> Option<Vec<Edge<'a>>> {
        let mut known: Vec<Node<'a>> = bases.iter().flatten().copied().collect();
        if bases.is_empty() && node != Node::Known("object") {
            known.push(Node::Known("object"));
        }
        self.bases.insert(node, known.clone());
        let mut edges = Vec::new();
        for &base in &known {
            match &*self.linearize(base, depth + 1) {
                Lin::Broken => return None,
                Lin::Partial(more) => edges.extend_from_slice(more),
                Lin::Exact(list) => {
                    for pair in list.windows(2) {
                        let (from, to) = (pair[0], pair[1]);
                        let direct = self.bases.get(&from).is_some_and(|b| b.contains(&to));
                        let why = if direct {
                            Why::Inherits
                        } else {
                            Why::Mro(base)
                        };
                        edges.push(Edge { from, to, why });
                    }
                }
            }
        }
        edges.extend(known.windows(2).map(|pair| Edge {
            from: pair[0],
            to: pair[1],
            why: Why::Lists(node.name()),
        }));
        Some(edges)
    }
}

/// C3 merge: repeatedly take the first head that is in no list's tail.
fn merge<'a>(mut lists: Vec<Vec<Node<'a>>>) -> Option<Vec<Node<'a>>> {
    let mut out = Vec::new();
    for list in &mut lists {
        list.reverse(); // heads at the end, so removing them is cheap
    }
    loop {
        lists.retain(|l| !l.is_empty());
        if lists.is_empty() {
            return Some(out);
        }
        let in_tail = |n: &Node| {
            lists
                .iter()
                .any(|l| l.len() > 1 && l[..l.len() - 1].contains(n))
        };
        let head = *lists
            .iter()
            .filter_map(|l| l.last())
            .find(|h| !in_tail(h))?;
        for list in &mut lists {
            if list.last() == Some(&head) {
                list.pop();
            }
        }
        out.push(head);
    }
}

/// Whether the orderings contradict each other (Kahn's algorithm leaves nodes over).
fn has_cycle(edges: &[Edge]) -> bool {
    let mut indegree: HashMap<Node, usize> = HashMap::new();
    let mut out: HashMap<Node, Vec<Node>> = HashMap::new();
    let mut seen = HashSet::new();
    for edge in edges.iter().filter(|e| seen.insert((e.from, e.to))) {
        *indegree.entry(edge.to).or_default() += 1;
        indegree.entry(edge.from).or_default();
        out.entry(edge.from).or_default().push(edge.to);
    }
    let mut ready: Vec<Node> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(n, _)| *n)
        .collect();
    let mut done = 0;
    while let Some(node) = ready.pop() {
        done += 1;
        for next in out.get(&node).into_iter().flatten() {
            if let Some(d) = indegree.get_mut(next) {
                *d -= 1;
                if *d == 0 {
                    ready.push(*next);
                }
            }
        }
    }
    done < indegree.len()
}

/// The shortest cycle of orderings, preferring one through the base list of `class`.
fn find_cycle<'e, 'a>(edges: &'e [Edge<'a>], class: &str) -> Option<Vec<&'e Edge<'a>>> {
    if !has_cycle(edges) {
        return None;
    }
    let mut seen = HashSet::new();
    let unique: Vec<&Edge> = edges
        .iter()
        .filter(|e| seen.insert((e.from, e.to)))
        .collect();
    let mut out: HashMap<Node<'a>, Vec<&'e Edge<'a>>> = HashMap::new();
    for edge in &unique {
        out.entry(edge.from).or_default().push(edge);
    }
    let own = |e: &Edge| e.why == Why::Lists(class);
    let mut starts = unique.clone();
    starts.sort_by_key(|e| !own(e));
    let mut best: Option<Vec<&Edge>> = None;
    for start in starts {
        if best.as_ref().is_some_and(|b| own(b[0]) && !own(start)) {
            break;
        }
        // Breadth-first from `start.to` back to `start.from`.
        let mut parent: HashMap<Node, &Edge> = HashMap::new();
        let mut queue = VecDeque::from([start.to]);
        while let Some(at) = queue.pop_front() {
            if at == start.from {
                let mut back = Vec::new();
                let mut node = at;
                while node != start.to {
                    let Some(edge) = parent.get(&node) else { break };
                    back.push(*edge);
                    node = edge.from;
                }
                let mut path = vec![start];
                path.extend(back.into_iter().rev());
                if best.as_ref().is_none_or(|b| path.len() < b.len()) {
                    best = Some(path);
                }
                break;
            }
            for edge in out.get(&at).into_iter().flatten() {
                if edge.to != start.to && !parent.contains_key(&edge.to) {
                    parent.insert(edge.to, edge);
                    queue.push_back(edge.to);
                }
            }
        }
    }
    best
}

fn describe<'a>(
    class: &str,
    cycle: &[&Edge<'a>],
    name: impl Fn(Node<'a>) -> &'a str,
) -> (String, String) {
    let clause = |e: &Edge<'a>| {
        let (from, to) = (name(e.from), name(e.to));
        match e.why {
            Why::Inherits => format!("`{from}` inherits from `{to}`"),
            Why::Lists(owner) if owner == class => format!("it lists `{from}` before `{to}`"),
            Why::Lists(owner) => format!("`{owner}` lists `{from}` before `{to}`"),
            Why::Mro(owner) => format!("the MRO of `{}` puts `{from}` before `{to}`", name(owner)),
            Why::Object => format!("`{from}`, like every class, comes before `{to}`"),
        }
    };
    let (first, rest) = match cycle.split_first() {
        Some(split) => split,
        None => return (String::new(), String::new()),
    };
    let rest: Vec<String> = rest.iter().map(|e| clause(e)).collect();
    let message = format!(
        "`{class}` has no consistent method resolution order: {}, but {}, so `{}` would have to come both before and after `{}`; defining the class raises `TypeError: Cannot create a consistent method resolution order (MRO)`",
        clause(first),
        rest.join(" and "),
        name(first.from),
        name(first.to)
    );
    let (a, b) = (name(first.from), name(first.to));
    let ancestry = cycle[1..]
        .iter()
        .all(|e| matches!(e.why, Why::Inherits | Why::Object));
    let help = if first.why == Why::Lists(class) && ancestry {
        format!(
            "`{b}` already inherits from `{a}`: drop `{a}` from the bases of `{class}`, or list it after `{b}`"
        )
    } else {
        format!(
            "reorder the bases so that every class comes before its own bases and all the base lists involved agree on the order of `{a}` and `{b}`"
        )
    };
    (message, help)
}

/// A base listed twice (same name, or two names for one imported class), as
/// `(second, first)`.
fn duplicate_base<'a>(class: &'a ast::StmtClassDef, ctx: &Context) -> Option<(&'a Expr, &'a Expr)> {
    let mut seen: Vec<(String, &Expr)> = Vec::new();
    for base in class.bases() {
        if !matches!(base, Expr::Name(_) | Expr::Attribute(_)) {
            continue;
        }
        let key = match ctx.qualified_name(base) {
            Some(name) => {
                let name = name.strip_prefix("builtins.").unwrap_or(&name).to_owned();
                ALIASES
                    .iter()
                    .find(|(a, _)| *a == name)
                    .map_or(name, |(_, c)| (*c).to_owned())
            }
            None => format!(" {}", ctx.text_of(base)),
        };
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return Some((base, first));
        }
        seen.push((key, base));
    }
    None
}

fn alias_note(first: &Expr, second: &Expr, ctx: &Context) -> String {
    let (a, b) = (ctx.text_of(first), ctx.text_of(second));
    if a == b {
        String::new()
    } else {
        format!(" (`{a}` and `{b}` are the same class)")
    }
}

fn has_custom_metaclass(class: &ast::StmtClassDef, ctx: &Context) -> bool {
    class.keywords().iter().any(|k| {
        k.arg.as_ref().is_some_and(|a| a.as_str() == "metaclass")
            && !ctx
                .qualified_name(&k.value)
                .is_some_and(|q| PLAIN_METACLASSES.contains(&q.as_str()))
    })
}

/// Whether a class body around the current node binds `name` (a class nested in a
/// class sees its enclosing class body while the class statement runs).
fn bound_in_enclosing_class(ctx: &Context, name: &str) -> bool {
    ctx.ancestors()
        .take_while(|n| !matches!(n, AnyNodeRef::StmtFunctionDef(_)))
        .any(|n| match n {
            AnyNodeRef::StmtClassDef(class) => {
                crate::checker::scope::bindings(&class.body).contains(name)
            }
            _ => false,
        })
}

fn has_star_import(module: &[Stmt]) -> bool {
    module
        .iter()
        .any(|s| matches!(s, Stmt::ImportFrom(i) if i.names.iter().any(|a| a.name.as_str() == "*")))
}

/// Inside `with self.assertRaises(...)` or `with pytest.raises(...)`: a test that
/// expects the class statement to fail.
fn expects_type_error(ctx: &Context) -> bool {
    ctx.ancestors().any(|node| match node {
        AnyNodeRef::StmtWith(with) => with.items.iter().any(|item| {
            matches!(&item.context_expr, Expr::Call(call) if matches!(&*call.func,
                Expr::Attribute(a) if a.attr.as_str().starts_with("assertRaises") || a.attr.as_str() == "raises"))
        }),
        _ => false,
    })
}
