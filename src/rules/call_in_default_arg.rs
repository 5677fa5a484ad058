//! PF303: a call in a parameter default that freezes a value meant to be fresh on every
//! call — the current time, a random number or UUID — or builds one stateful object
//! (a lock, a queue, a session, an open file, an instance of the module's own class)
//! that every call then shares.
//!
//! Only defaults evaluated once per program are reported: of a `def` or `lambda` at
//! module level or in a class body. A nested function's defaults run each time the
//! outer function does, which is usually deliberate early binding. Calls are matched
//! against lists of known offenders; any other call (library markers such as
//! `Depends()`, `field()`, `Option()`, constructors of immutable values such as
//! `Decimal()`, `Path()`, `timedelta()`, the `object()` sentinel) stays silent, and the
//! mutable containers of `mutable-default-arg` are left to that rule.

use crate::ast::{
    AnyNodeRef, Expr, ExprCall, NodeKind, Parameters, Ranged, Stmt, StmtClassDef, StmtFunctionDef,
};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF303",
    name: "call-in-default-arg",
    summary: "a default that reads the clock, draws a random value or builds a stateful object is computed once and shared by every call",
    severity: Severity::Warning,
    topic: Topic::Functions,
    doc: include_str!("../../rules/call-in-default-arg.md"),
    fix: FixAvailability::None,
    equivalents: &[
        Equivalent {
            tool: "ruff",
            code: "B008",
            name: "function-call-in-default-argument",
        },
        Equivalent {
            tool: "flake8-bugbear",
            code: "B008",
            name: "",
        },
    ],
};

/// Calls that read the current time, by qualified name.
const CLOCK_CALLS: &[&str] = &[
    "time.time",
    "time.time_ns",
    "time.monotonic",
    "time.monotonic_ns",
    "time.perf_counter",
    "time.perf_counter_ns",
    "time.process_time",
    "datetime.datetime.now",
    "datetime.datetime.utcnow",
    "datetime.datetime.today",
    "datetime.date.today",
    "django.utils.timezone.now",
    "django.utils.timezone.localdate",
    "arrow.now",
    "arrow.utcnow",
    "pendulum.now",
    "pendulum.today",
    "pandas.Timestamp.now",
    "pandas.Timestamp.today",
];

/// Calls that read the current time only when their time argument is left out:
/// the name and how many positional arguments the call may have while doing so.
const CLOCK_WITHOUT_ARGUMENT: &[(&str, usize)] = &[
    ("time.localtime", 0),
    ("time.gmtime", 0),
    ("time.ctime", 0),
    ("time.asctime", 0),
    ("time.strftime", 1),
    ("django.utils.timezone.localtime", 0),
];

/// Calls that return a fresh random value or identifier, by qualified name.
const RANDOM_CALLS: &[&str] = &[
    "random.random",
    "random.randint",
    "random.randrange",
    "random.choice",
    "random.choices",
    "random.sample",
    "random.uniform",
    "random.gauss",
    "random.getrandbits",
    "random.randbytes",
    "uuid.uuid1",
    "uuid.uuid4",
    "secrets.token_bytes",
    "secrets.token_hex",
    "secrets.token_urlsafe",
    "secrets.randbelow",
    "secrets.randbits",
    "secrets.choice",
    "os.urandom",
    "numpy.random.rand",
    "numpy.random.randn",
    "numpy.random.randint",
    "numpy.random.random",
    "numpy.random.choice",
    "numpy.random.uniform",
    "numpy.random.normal",
];

/// Constructors of objects whose state changes as they are used, by qualified name,
/// and what the message calls the object.
const STATEFUL_OBJECTS: &[(&str, &str)] = &[
    ("threading.Lock", "`Lock`"),
    ("threading.RLock", "`RLock`"),
    ("threading.Event", "`Event`"),
    ("threading.Condition", "`Condition`"),
    ("threading.Semaphore", "`Semaphore`"),
    ("threading.BoundedSemaphore", "`BoundedSemaphore`"),
    ("threading.local", "thread-local namespace"),
    ("multiprocessing.Queue", "`Queue`"),
    ("multiprocessing.Lock", "`Lock`"),
    ("queue.Queue", "`Queue`"),
    ("queue.LifoQueue", "`LifoQueue`"),
    ("queue.PriorityQueue", "`PriorityQueue`"),
    ("queue.SimpleQueue", "`SimpleQueue`"),
    ("asyncio.Queue", "`Queue`"),
    ("asyncio.Lock", "`Lock`"),
    ("asyncio.Event", "`Event`"),
    ("asyncio.Condition", "`Condition`"),
    ("asyncio.Semaphore", "`Semaphore`"),
    ("io.StringIO", "`StringIO` buffer"),
    ("io.BytesIO", "`BytesIO` buffer"),
    ("array.array", "array"),
    ("weakref.WeakValueDictionary", "`WeakValueDictionary`"),
    ("weakref.WeakKeyDictionary", "`WeakKeyDictionary`"),
    ("weakref.WeakSet", "`WeakSet`"),
    ("contextlib.ExitStack", "`ExitStack`"),
    ("types.SimpleNamespace", "namespace"),
    ("argparse.Namespace", "namespace"),
    ("argparse.ArgumentParser", "`ArgumentParser`"),
    ("configparser.ConfigParser", "`ConfigParser`"),
    ("requests.Session", "`Session`"),
    ("requests.session", "`Session`"),
    ("requests.sessions.Session", "`Session`"),
    ("httpx.Client", "`Client`"),
    ("httpx.AsyncClient", "`AsyncClient`"),
    ("aiohttp.ClientSession", "`ClientSession`"),
    ("sqlite3.connect", "database connection"),
    ("numpy.zeros", "NumPy array"),
    ("numpy.ones", "NumPy array"),
    ("numpy.empty", "NumPy array"),
    ("numpy.full", "NumPy array"),
    ("pandas.DataFrame", "`DataFrame`"),
    ("pandas.Series", "`Series`"),
];

/// Calls that open a file or create a temporary file or directory.
const RESOURCES: &[&str] = &[
    "open",
    "io.open",
    "codecs.open",
    "tempfile.TemporaryFile",
    "tempfile.NamedTemporaryFile",
    "tempfile.SpooledTemporaryFile",
    "tempfile.TemporaryDirectory",
    "tempfile.mkdtemp",
    "tempfile.mkstemp",
];

/// Class decorators (last name segment) that generate an `__init__` with fields.
const FIELD_DECORATORS: &[&str] = &["dataclass", "define", "mutable", "s", "attrs"];

/// Base classes (last name segment) whose instances are immutable, or whose "call" is a
/// lookup rather than a new object (`Color(1)` on an `Enum`).
const VALUE_BASES: &[&str] = &[
    "NamedTuple",
    "Enum",
    "IntEnum",
    "StrEnum",
    "Flag",
    "IntFlag",
    "tuple",
    "str",
    "int",
    "float",
    "bytes",
    "frozenset",
];

pub struct CallInDefaultArg;

impl Rule for CallInDefaultArg {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef, NodeKind::ExprLambda]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        // The name of the `def`; `None` for a `lambda`.
        let (parameters, def_name): (&Parameters, Option<&str>) = match node {
            AnyNodeRef::StmtFunctionDef(def) => (&def.parameters, Some(def.name.as_str())),
            AnyNodeRef::ExprLambda(lambda) => match &lambda.parameters {
                Some(parameters) => (parameters, None),
                None => return,
            },
            _ => return,
        };
        let defaults = parameters
            .posonlyargs
            .iter()
            .chain(&parameters.args)
            .chain(&parameters.kwonlyargs)
            .filter_map(|param| Some((param.parameter.name.as_str(), param.default.as_deref()?)))
            .filter(|(_, default)| contains_call(default));
        let mut checked_scope = false;
        for (name, default) in defaults {
            // Stubs never run; a nested function's defaults run on every outer call.
            if !checked_scope {
                if ctx.is_stub()
                    || ctx.ancestors().any(|node| {
                        matches!(
                            node,
                            AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::ExprLambda(_)
                        )
                    })
                {
                    return;
                }
                checked_scope = true;
            }
            let Some((call, frozen)) = frozen_call(default, ctx) else {
                continue;
            };
            // A file or directory wants a `with` block, not a guard.
            let per_call = !matches!(frozen, Frozen::Resource(_));
            let call_text = quoted_call(call, ctx);
            let default_text = short(ctx.text_of(default), "...");
            // Only now: most functions have no default to report.
            let function = match def_name {
                Some(name) => format!("`def {name}` runs"),
                None => "the `lambda` is created".to_owned(),
            };
            let (message, help) = match frozen {
                Frozen::Clock => (
                    format!(
                        "`{call_text}` in the default of `{name}` runs once, when {function} at import, so every call that omits `{name}` gets that import-time timestamp, not the current one"
                    ),
                    format!(
                        "default `{name}` to `None` and read the clock in the body: `if {name} is None: {name} = {default_text}`"
                    ),
                ),
                Frozen::Random => (
                    format!(
                        "`{call_text}` in the default of `{name}` runs once, when {function} at import, so every call that omits `{name}` gets that same value, not a fresh one"
                    ),
                    format!(
                        "default `{name}` to `None` and draw the value in the body: `if {name} is None: {name} = {default_text}`"
                    ),
                ),
                Frozen::Object(kind) => (
                    format!(
                        "`{call_text}` creates one {kind} when {function} at import, and every call that omits `{name}` shares it, along with whatever earlier calls left in it"
                    ),
                    format!(
                        "default `{name}` to `None` and create it in the body: `if {name} is None: {name} = {default_text}`; if one shared object is intended, create it at module level under a name and default to that name"
                    ),
                ),
                Frozen::Resource(what) => (
                    format!(
                        "`{call_text}` in the default of `{name}` {what} when {function} at import, and every call that omits `{name}` shares it: once one call closes or removes it, the others fail"
                    ),
                    format!(
                        "default `{name}` to `None` and create it in the body, in a `with` block that cleans it up"
                    ),
                ),
            };
            report.add(call.range(), message, help);
            if per_call {
                report.attach_to_last(per_call_default_suggestion(node, name, default, ctx));
            }
        }
    }
}

/// What a default call freezes.
enum Frozen {
    Clock,
    Random,
    /// A stateful object; the text names it for the message (`` `Lock` ``, `NumPy array`).
    Object(String),
    /// A file or directory; the text says what happens (`opens one file`).
    Resource(&'static str),
}

/// Whether a default contains any call at all: the cheap test before anything else.
fn contains_call(default: &Expr) -> bool {
    match default {
        Expr::Call(_) => true,
        Expr::Name(_) | Expr::NumberLiteral(_) | Expr::StringLiteral(_) => false,
        Expr::NoneLiteral(_) | Expr::BooleanLiteral(_) | Expr::EllipsisLiteral(_) => false,
        Expr::Attribute(attr) => contains_call(&attr.value),
        _ => {
            let mut found = false;
            for_each_node(AnyNodeRef::from(default), |node| {
                found |= matches!(node, AnyNodeRef::ExprCall(_));
                !found && !matches!(node, AnyNodeRef::ExprLambda(_))
            });
            found
        }
    }
}

/// The call in `default` that freezes something, and what it freezes. The clock and
/// random calls are found anywhere in the default (`str(uuid.uuid4())`,
/// `time.time() + 60`); a stateful object only as the default itself.
fn frozen_call<'a>(default: &'a Expr, ctx: &Context<'a>) -> Option<(&'a ExprCall, Frozen)> {
    if let Expr::Call(call) = default
        && let Some(kind) = stateful_object(call, ctx)
    {
        return Some((call, kind));
    }
    let mut found = None;
    for_each_node(AnyNodeRef::from(default), |node| {
        if let AnyNodeRef::ExprCall(call) = node
            && let Some(qualified) = ctx.qualified_name(&call.func)
        {
            let positional = call.arguments.args.len();
            let clock = CLOCK_CALLS.contains(&qualified.as_str())
                || CLOCK_WITHOUT_ARGUMENT
                    .iter()
                    .any(|&(name, most)| name == qualified && positional <= most);
            if clock {
                found = Some((call, Frozen::Clock));
            } else if RANDOM_CALLS.contains(&qualified.as_str()) {
                found = Some((call, Frozen::Random));
            }
        }
        found.is_none() && !matches!(node, AnyNodeRef::ExprLambda(_))
    });
    found
}

/// What stateful object `call` creates, if it is a known constructor or a class of
/// this module whose instances carry state.
fn stateful_object(call: &ExprCall, ctx: &Context) -> Option<Frozen> {
    if let Some(qualified) = ctx.qualified_name(&call.func) {
        let qualified = qualified.as_str();
        if RESOURCES.contains(&qualified) {
            return Some(Frozen::Resource(
                if qualified.ends_with("Directory") || qualified.ends_with("mkdtemp") {
                    "creates one temporary directory"
                } else if qualified.starts_with("tempfile") {
                    "creates one temporary file"
                } else {
                    "opens one file"
                },
            ));
        }
        if let Some(&(_, noun)) = STATEFUL_OBJECTS.iter().find(|(name, _)| *name == qualified) {
            return Some(Frozen::Object(noun.to_owned()));
        }
    }
    let Expr::Name(name) = &*call.func else {
        return None;
    };
    let class = module_class(name.id.as_str(), ctx)?;
    has_instance_state(class).then(|| Frozen::Object(format!("`{}` instance", class.name)))
}

/// The class `name` defined at the top level of the module, if it is not imported.
fn module_class<'a>(name: &str, ctx: &Context<'a>) -> Option<&'a StmtClassDef> {
    if ctx.facts().import_of(name).is_some() {
        return None;
    }
    let Some(AnyNodeRef::ModModule(module)) = ctx.ancestors().last() else {
        return None;
    };
    let first = ctx.memo(|| FirstClasses::collect(&module.body));
    match module.body.get(*first.0.get(name)?)? {
        Stmt::ClassDef(class) => Some(class),
        _ => None,
    }
}

/// The position in the module body of the first top-level class of each name: indexed
/// once per file, not searched for each default.
struct FirstClasses(std::collections::HashMap<String, usize>);

impl FirstClasses {
    fn collect(body: &[Stmt]) -> Self {
        let mut first = std::collections::HashMap::new();
        for (at, stmt) in body.iter().enumerate() {
            if let Stmt::ClassDef(class) = stmt {
                first.entry(class.name.to_string()).or_insert(at);
            }
        }
        FirstClasses(first)
    }
}

/// Whether instances of `class` carry their own mutable state: its `__init__` sets
/// attributes on the instance, or it is a (non-frozen) dataclass-style class, and is not an exception, an enum, an
/// immutable value type, a class with its own `__new__` (often a cache or singleton)
/// or a class with a metaclass.
fn has_instance_state(class: &StmtClassDef) -> bool {
    let name = class.name.as_str();
    if ["Error", "Exception", "Warning"]
        .iter()
        .any(|suffix| name.ends_with(suffix))
    {
        return false;
    }
    if let Some(arguments) = &class.arguments {
        if arguments.keywords.iter().any(|k| {
            k.arg
                .as_ref()
                .is_some_and(|arg| arg.as_str() == "metaclass")
        }) {
            return false;
        }
        let value_base = arguments.args.iter().any(|base| {
            let base = last_segment(base);
            VALUE_BASES.contains(&base)
                || ["Error", "Exception", "Warning"]
                    .iter()
                    .any(|suffix| base.ends_with(suffix))
        });
        if value_base {
            return false;
        }
    }
    let method = |name: &str| {
        class.body.iter().find_map(|stmt| match stmt {
            Stmt::FunctionDef(def) if def.name.as_str() == name => Some(def),
            _ => None,
        })
    };
    if method("__new__").is_some() {
        return false;
    }
    method("__init__").is_some_and(sets_attributes)
        || class
            .decorator_list
            .iter()
            .any(|d| is_mutable_fields_decorator(&d.expression))
}

/// Whether `init` assigns to an attribute of its first parameter (`self.items = []`).
/// An `__init__` that only passes arguments up to a base class (`Q(...)` in Django)
/// says nothing about the instance.
fn sets_attributes(init: &StmtFunctionDef) -> bool {
    let parameters = &init.parameters;
    let Some(this) = parameters.posonlyargs.iter().chain(&parameters.args).next() else {
        return false;
    };
    let this = this.parameter.name.as_str();
    let is_own_attribute = |target: &Expr| {
        matches!(target, Expr::Attribute(attr)
            if matches!(&*attr.value, Expr::Name(n) if n.id.as_str() == this))
    };
    let mut found = false;
    for stmt in &init.body {
        for_each_node(AnyNodeRef::from(stmt), |node| {
            found |= match node {
                AnyNodeRef::StmtAssign(assign) => assign.targets.iter().any(is_own_attribute),
                AnyNodeRef::StmtAnnAssign(assign) => is_own_attribute(&assign.target),
                AnyNodeRef::StmtAugAssign(assign) => is_own_attribute(&assign.target),
                _ => false,
            };
            !found
                && !matches!(
                    node,
                    AnyNodeRef::StmtFunctionDef(_) | AnyNodeRef::StmtClassDef(_)
                )
        });
    }
    found
}

/// `@dataclass`, `@attr.s`, `@attrs.define` — but not with `frozen=True`.
fn is_mutable_fields_decorator(expr: &Expr) -> bool {
    let (callee, frozen) = match expr {
        Expr::Call(call) => (
            &*call.func,
            call.arguments.keywords.iter().any(|k| {
                k.arg.as_ref().is_some_and(|arg| arg.as_str() == "frozen")
                    && !matches!(k.value, Expr::BooleanLiteral(ref b) if !b.value)
            }),
        ),
        other => (other, false),
    };
    !frozen && FIELD_DECORATORS.contains(&last_segment(callee))
}

/// `Enum` for `Enum` and `enum.Enum`.
fn last_segment(expr: &Expr) -> &str {
    match expr {
        Expr::Name(name) => name.id.as_str(),
        Expr::Attribute(attr) => attr.attr.as_str(),
        _ => "",
    }
}

/// The call as written, or `callee(...)` when it is too long to quote.
fn quoted_call(call: &ExprCall, ctx: &Context) -> String {
    let text = ctx.text_of(call);
    if text.len() <= 40 && !text.contains('\n') {
        text.to_owned()
    } else {
        format!("{}(...)", short(ctx.text_of(&*call.func), "..."))
    }
}

/// `text`, or `fallback` when it is too long or spans lines to quote in a message.
fn short<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.len() <= 40 && !text.contains('\n') {
        text
    } else {
        fallback
    }
}

/// The same rewrite as mutable-default-arg's fix (`None` default, then
/// `if name is None: name = <call>` at the top of the body), for teach mode. Display-only:
/// whether the value should be fresh per call is the author's decision.
fn per_call_default_suggestion(
    node: AnyNodeRef,
    name: &str,
    default: &Expr,
    ctx: &Context,
) -> Option<crate::rule::Fix> {
    let AnyNodeRef::StmtFunctionDef(def) = node else {
        return None;
    };
    let fix = crate::rules::mutable_default_arg::none_default_fix(def, name, default, ctx)?;
    Some(crate::rule::Fix::display_only(fix.message, fix.edits))
}
