//! PF601: a blocking call inside `async def` stalls the event loop and every task on it.
//!
//! An event loop runs its tasks on one thread and switches between them only at an
//! `await`. A call that blocks the thread — a sleep, a synchronous HTTP request, a
//! child process waited for, a file read — therefore stops every other task too. The
//! rule looks at each `async def` once, outside nested `def`s, lambdas and classes
//! (which run whenever and wherever they are called), and reports calls it can name.

use std::collections::HashMap;

use crate::ast::{self, AnyNodeRef, Expr, ExprContext, NodeKind, Operator, Ranged, TextRange};
use crate::checker::Context;
use crate::checker::subtree::for_each_node;
use crate::rule::{Equivalent, FixAvailability, Report, Rule, RuleMeta, Severity, Topic};

pub static META: RuleMeta = RuleMeta {
    code: "PF601",
    name: "blocking-call-in-async",
    summary: "a blocking call inside `async def` stalls the event loop, and with it every other task",
    severity: Severity::Warning,
    topic: Topic::Concurrency,
    doc: include_str!("../../rules/blocking-call-in-async.md"),
    fix: FixAvailability::None,
    equivalents: &[
        ruff("ASYNC210", "blocking-http-call-in-async-function"),
        ruff("ASYNC212", "blocking-http-call-httpx-in-async-function"),
        ruff("ASYNC220", "create-subprocess-in-async-function"),
        ruff("ASYNC221", "run-process-in-async-function"),
        ruff("ASYNC222", "wait-for-process-in-async-function"),
        ruff("ASYNC230", "blocking-open-call-in-async-function"),
        ruff("ASYNC250", "blocking-input-in-async-function"),
        ruff("ASYNC251", "blocking-sleep-in-async-function"),
        Equivalent {
            tool: "flake8-async",
            code: "ASYNC210",
            name: "",
        },
    ],
};

const fn ruff(code: &'static str, name: &'static str) -> Equivalent {
    Equivalent {
        tool: "ruff",
        code,
        name,
    }
}

/// What a blocking call waits for; decides the wording and the suggested replacement.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Sleep,
    Http,
    /// A request through a synchronous client object.
    HttpClient,
    Process,
    ProcessWait,
    Open,
    PathIo,
    Input,
    Dns,
    Connect,
    FileTree,
}

/// Blocking functions: module (empty for builtins), function names, kind.
const BLOCKING: &[(&str, &[&str], Kind)] = &[
    ("time", &["sleep"], Kind::Sleep),
    ("requests", HTTP_VERBS, Kind::Http),
    ("httpx", HTTP_VERBS, Kind::Http),
    ("httpx", &["stream"], Kind::Http),
    ("urllib.request", &["urlopen", "urlretrieve"], Kind::Http),
    ("urllib3", &["request"], Kind::Http),
    (
        "subprocess",
        &[
            "run",
            "call",
            "check_call",
            "check_output",
            "getoutput",
            "getstatusoutput",
        ],
        Kind::Process,
    ),
    ("os", &["system", "popen"], Kind::Process),
    (
        "os",
        &["wait", "waitpid", "wait3", "wait4", "waitid"],
        Kind::ProcessWait,
    ),
    ("", &["open"], Kind::Open),
    ("io", &["open", "open_code"], Kind::Open),
    ("codecs", &["open"], Kind::Open),
    ("", &["input"], Kind::Input),
    (
        "socket",
        &[
            "getaddrinfo",
            "gethostbyname",
            "gethostbyname_ex",
            "gethostbyaddr",
        ],
        Kind::Dns,
    ),
    ("socket", &["create_connection"], Kind::Connect),
    (
        "shutil",
        &[
            "copyfile",
            "copy",
            "copy2",
            "copytree",
            "rmtree",
            "move",
            "make_archive",
            "unpack_archive",
        ],
        Kind::FileTree,
    ),
];

const HTTP_VERBS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request",
];

/// Objects whose methods block, by the constructor that made them.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Object {
    /// A synchronous HTTP client (`requests.Session`, `httpx.Client`, `urllib3.PoolManager`).
    Client,
    Popen,
    Path,
}

const CONSTRUCTORS: &[(&str, Object)] = &[
    ("requests.Session", Object::Client),
    ("requests.session", Object::Client),
    ("requests.sessions.Session", Object::Client),
    ("httpx.Client", Object::Client),
    ("urllib3.PoolManager", Object::Client),
    ("subprocess.Popen", Object::Popen),
    ("pathlib.Path", Object::Path),
    ("pathlib.PosixPath", Object::Path),
    ("pathlib.WindowsPath", Object::Path),
    ("pathlib.Path.home", Object::Path),
    ("pathlib.Path.cwd", Object::Path),
];

const CLIENT_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream",
    "urlopen",
];
const POPEN_METHODS: &[&str] = &["wait", "communicate"];
/// `Path` methods that read or write a file's contents.
const PATH_IO_METHODS: &[&str] = &[
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "open",
];
/// `Path` methods that return another path without touching the disk much.
const PATH_DERIVING: &[&str] = &[
    "joinpath",
    "with_name",
    "with_suffix",
    "with_stem",
    "resolve",
    "absolute",
    "expanduser",
];

/// Methods that run a function in a worker thread (`asyncio.to_thread`,
/// `loop.run_in_executor`, `anyio.to_thread.run_sync`).
const OFFLOADERS: &[&str] = &["to_thread", "run_in_executor", "run_sync"];

/// How deep a path expression (`Path(x).parent / "a" / "b"`) is followed.
const MAX_RECEIVER_DEPTH: usize = 8;
/// Longest call or argument list quoted in a message.
const MAX_QUOTED: usize = 60;

pub struct BlockingCallInAsync;

impl Rule for BlockingCallInAsync {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn kinds(&self) -> &'static [NodeKind] {
        &[NodeKind::StmtFunctionDef]
    }

    fn check<'a>(&self, node: AnyNodeRef<'a>, ctx: &Context<'a>, report: &mut Report) {
        let AnyNodeRef::StmtFunctionDef(def) = node else {
            return;
        };
        // A test that blocks its own loop only slows itself down (and often blocks on
        // purpose, to simulate a busy loop).
        if !def.is_async || ctx.is_stub() || ctx.in_test_code() || def.name.starts_with("test") {
            return;
        }
        let scan = Scan::of(def);
        let objects = scan.objects(def, ctx);
        for call in &scan.calls {
            if let Some(kind) = blocking_kind(call, def, &objects, ctx) {
                // `AI_NUMERICHOST`/`AI_NUMERICSERV` lookups parse the address and never
                // ask a DNS server.
                if kind == Kind::Dns && ctx.text_of(&call.arguments).contains("NUMERIC") {
                    continue;
                }
                let (message, mut help) = describe(call, kind, def, ctx);
                if scan.offloaded.contains(&call.range()) {
                    help = format!(
                        "the call runs here, on the event loop, and only its result is sent to the thread; pass the function and its arguments separately: `{}`",
                        to_thread(ctx.text_of(&*call.func), arguments_text(call, ctx), ctx)
                    );
                }
                let diagnostic = report.add(call.range(), message, help);
                if kind == Kind::Sleep {
                    diagnostic.severity = Severity::Error;
                }
            }
        }
    }
}

/// What one walk over an `async def` body (outside nested scopes) finds.
#[derive(Default)]
struct Scan<'a> {
    /// Calls that are not directly awaited.
    calls: Vec<&'a ast::ExprCall>,
    /// `name = value` and `with value as name`, in source order.
    bindings: Vec<(&'a str, &'a Expr)>,
    /// How many times each name is bound in the body.
    stores: HashMap<&'a str, usize>,
    /// Calls passed straight to `to_thread`, `run_in_executor` or `run_sync`: they
    /// run before the thread is asked to run their result.
    offloaded: Vec<TextRange>,
}

impl<'a> Scan<'a> {
    fn of(def: &'a ast::StmtFunctionDef) -> Self {
        let mut scan = Scan::default();
        // The value of the last `await` seen: the very next node visited.
        let mut awaited: Option<TextRange> = None;
        for stmt in &def.body {
            for_each_node(AnyNodeRef::from(stmt), |node| {
                let is_awaited = awaited.take() == Some(node.range());
                match node {
                    AnyNodeRef::StmtFunctionDef(_)
                    | AnyNodeRef::StmtClassDef(_)
                    | AnyNodeRef::ExprLambda(_) => return false,
                    AnyNodeRef::ExprAwait(expr) => awaited = Some(expr.value.range()),
                    // An awaited call returns an awaitable: it is the async API.
                    AnyNodeRef::ExprCall(call) => {
                        if let Expr::Attribute(attr) = &*call.func
                            && OFFLOADERS.contains(&attr.attr.as_str())
                        {
                            let args = call.arguments.args.iter();
                            scan.offloaded
                                .extend(args.filter(|a| a.is_call_expr()).map(Ranged::range));
                        }
                        if !is_awaited {
                            scan.calls.push(call);
                        }
                    }
                    AnyNodeRef::StmtAssign(assign) => {
                        if let [Expr::Name(name)] = assign.targets.as_slice() {
                            scan.bindings.push((name.id.as_str(), &assign.value));
                        }
                    }
                    AnyNodeRef::StmtAnnAssign(assign) => {
                        if let (Expr::Name(name), Some(value)) = (&*assign.target, &assign.value) {
                            scan.bindings.push((name.id.as_str(), value));
                        }
                    }
                    AnyNodeRef::StmtWith(with) if !with.is_async => {
                        for item in &with.items {
                            if let Some(Expr::Name(name)) = item.optional_vars.as_deref() {
                                scan.bindings.push((name.id.as_str(), &item.context_expr));
                            }
                        }
                    }
                    AnyNodeRef::ExprName(name) if name.ctx != ExprContext::Load => {
                        *scan.stores.entry(name.id.as_str()).or_default() += 1;
                    }
                    _ => {}
                }
                true
            });
        }
        scan
    }

    /// The names that hold a blocking object: every binding of the name (parameters
    /// included) makes one of the same kind.
    fn objects(
        &self,
        def: &'a ast::StmtFunctionDef,
        ctx: &Context<'a>,
    ) -> HashMap<&'a str, Object> {
        let params: Vec<(&'a str, Option<Object>)> = def
            .parameters
            .iter()
            .map(|param| {
                let is_path = param
                    .annotation()
                    .and_then(|a| ctx.qualified_name(a))
                    .is_some_and(|q| q == "pathlib.Path");
                (param.name().as_str(), is_path.then_some(Object::Path))
            })
            .collect();
        let mut tracker = Tracker {
            stores: self.stores.clone(),
            made: HashMap::new(),
            objects: HashMap::new(),
        };
        if self.bindings.is_empty() && params.iter().all(|(_, object)| object.is_none()) {
            return tracker.objects;
        }
        for &(name, _) in &params {
            *tracker.stores.entry(name).or_default() += 1;
        }
        for &(name, object) in &params {
            tracker.note(name, object);
        }
        for &(name, value) in &self.bindings {
            let object = object_of(value, &tracker.objects, ctx, 0);
            tracker.note(name, object);
        }
        tracker.objects
    }
}

/// Follows the bindings of each name, in source order.
struct Tracker<'a> {
    /// How many times each name is bound.
    stores: HashMap<&'a str, usize>,
    /// The kind of object the name's bindings so far made, and how many; `None` once
    /// they made two different kinds.
    made: HashMap<&'a str, Option<(Object, usize)>>,
    /// The names all of whose bindings made the same kind of object.
    objects: HashMap<&'a str, Object>,
}

impl<'a> Tracker<'a> {
    fn note(&mut self, name: &'a str, object: Option<Object>) {
        let Some(object) = object else {
            return;
        };
        let entry = self.made.entry(name).or_insert(Some((object, 0)));
        *entry = match *entry {
            Some((kind, count)) if kind == object => Some((kind, count + 1)),
            _ => None,
        };
        if let Some((kind, count)) = *entry
            && self.stores.get(name) == Some(&count)
        {
            self.objects.insert(name, kind);
        }
    }
}

/// The blocking object `expr` evaluates to, when its origin is visible.
fn object_of(
    expr: &Expr,
    names: &HashMap<&str, Object>,
    ctx: &Context,
    depth: usize,
) -> Option<Object> {
    if depth > MAX_RECEIVER_DEPTH {
        return None;
    }
    match expr {
        Expr::Name(name) => names.get(name.id.as_str()).copied(),
        Expr::Call(call) => {
            if let Some(qualified) = ctx.qualified_name(&call.func)
                && let Some(&(_, object)) = CONSTRUCTORS.iter().find(|(c, _)| *c == qualified)
            {
                return Some(object);
            }
            let Expr::Attribute(attr) = &*call.func else {
                return None;
            };
            (PATH_DERIVING.contains(&attr.attr.as_str())
                && object_of(&attr.value, names, ctx, depth + 1) == Some(Object::Path))
            .then_some(Object::Path)
        }
        Expr::Attribute(attr) if attr.attr.as_str() == "parent" => {
            (object_of(&attr.value, names, ctx, depth + 1) == Some(Object::Path))
                .then_some(Object::Path)
        }
        Expr::BinOp(binop) if binop.op == Operator::Div => {
            (object_of(&binop.left, names, ctx, depth + 1) == Some(Object::Path))
                .then_some(Object::Path)
        }
        _ => None,
    }
}

/// Whether `call` blocks, and how.
fn blocking_kind<'a>(
    call: &ast::ExprCall,
    def: &'a ast::StmtFunctionDef,
    objects: &HashMap<&str, Object>,
    ctx: &Context<'a>,
) -> Option<Kind> {
    match &*call.func {
        Expr::Name(name) => {
            let id = name.id.as_str();
            // A parameter or local called `open` or `input` is not the builtin.
            if ctx.facts().import_of(id).is_none()
                && (def.parameters.iter().any(|p| p.name().as_str() == id)
                    || ctx.function_binds(def, id))
            {
                return None;
            }
            let qualified = ctx.qualified_name(&call.func)?;
            lookup(&qualified)
        }
        Expr::Attribute(attr) => {
            if let Some(kind) = ctx.qualified_name(&call.func).and_then(|q| lookup(&q)) {
                return Some(kind);
            }
            let method = attr.attr.as_str();
            match object_of(&attr.value, objects, ctx, 0)? {
                Object::Client if CLIENT_METHODS.contains(&method) => Some(Kind::HttpClient),
                Object::Popen if POPEN_METHODS.contains(&method) => Some(Kind::ProcessWait),
                Object::Path if PATH_IO_METHODS.contains(&method) => Some(Kind::PathIo),
                _ => None,
            }
        }
        _ => None,
    }
}

fn lookup(qualified: &str) -> Option<Kind> {
    let (module, function) = qualified.rsplit_once('.').unwrap_or(("", qualified));
    BLOCKING
        .iter()
        .find(|(m, names, _)| *m == module && names.contains(&function))
        .map(|&(_, _, kind)| kind)
}

fn describe(
    call: &ast::ExprCall,
    kind: Kind,
    def: &ast::StmtFunctionDef,
    ctx: &Context,
) -> (String, String) {
    let shown = match quoted(ctx.text_of(call)) {
        Some(text) => text.to_owned(),
        None if call.arguments.is_empty() => format!("{}()", ctx.text_of(&*call.func)),
        None => format!("{}(...)", ctx.text_of(&*call.func)),
    };
    let func = ctx.text_of(&*call.func);
    let args = arguments_text(call, ctx);
    let name = def.name.as_str();
    let message = match kind {
        Kind::Sleep => format!(
            "`{shown}` in `async def {name}` puts the whole event loop to sleep: every other task stalls until it returns"
        ),
        _ => {
            let until = match kind {
                Kind::Http | Kind::HttpClient => "the HTTP response arrives",
                Kind::Process => "the command finishes",
                Kind::ProcessWait => "the process exits",
                Kind::Open | Kind::PathIo => "the file operation finishes",
                Kind::Input => "the user types a line",
                Kind::Dns => "the name lookup answers",
                Kind::Connect => "the connection is made",
                _ => "the files are copied or removed",
            };
            format!(
                "`{shown}` in `async def {name}` blocks the whole event loop: every other task stalls until {until}"
            )
        }
    };
    let offload = to_thread(func, args, ctx);
    let help = match kind {
        Kind::Sleep => {
            let library = if ctx.facts().imports_module("trio") {
                "trio"
            } else if ctx.facts().imports_module("anyio") {
                "anyio"
            } else {
                "asyncio"
            };
            format!(
                "use `await {library}.sleep({})`, which suspends only this task",
                args.unwrap_or("...")
            )
        }
        Kind::HttpClient => format!(
            "`{}` is a synchronous client; use `httpx.AsyncClient` or an `aiohttp.ClientSession` and `await` its requests",
            receiver_text(call, ctx)
        ),
        Kind::Http => format!(
            "use an async client (`async with httpx.AsyncClient() as client: await client.get(...)`, or aiohttp), or run the request in a thread: `{offload}`"
        ),
        Kind::Process => "start the command with `await asyncio.create_subprocess_exec(...)` (or `create_subprocess_shell`) and `await proc.communicate()`".to_owned(),
        Kind::ProcessWait => format!(
            "start the process with `asyncio.create_subprocess_exec` so that `await proc.wait()` works, or wait in a thread: `{offload}`"
        ),
        Kind::Open => "open the file with `aiofiles.open` or `anyio.open_file`, or do the file work in a plain function and `await asyncio.to_thread(...)` it".to_owned(),
        Kind::Dns => format!(
            "use `await asyncio.get_running_loop().getaddrinfo(...)`, or `{offload}`"
        ),
        Kind::Connect => "connect with `await asyncio.open_connection(host, port)`".to_owned(),
        Kind::PathIo | Kind::Input | Kind::FileTree => format!("run it in a thread: `{offload}`"),
    };
    (message, help)
}

fn receiver_text<'a>(call: &ast::ExprCall, ctx: &Context<'a>) -> &'a str {
    match &*call.func {
        Expr::Attribute(attr) => quoted(ctx.text_of(&*attr.value)).unwrap_or("this object"),
        _ => "this object",
    }
}

/// `await asyncio.to_thread(func, args)`, in the library the module uses.
fn to_thread(func: &str, args: Option<&str>, ctx: &Context) -> String {
    let func = quoted(func).unwrap_or("...");
    let runner = if ctx.facts().imports_module("trio") {
        "trio.to_thread.run_sync"
    } else if ctx.facts().imports_module("anyio") {
        "anyio.to_thread.run_sync"
    } else {
        "asyncio.to_thread"
    };
    match args {
        Some("") => format!("await {runner}({func})"),
        Some(args) => format!("await {runner}({func}, {args})"),
        None => format!("await {runner}({func}, ...)"),
    }
}

/// The text between a call's parentheses, when short enough to quote.
fn arguments_text<'a>(call: &ast::ExprCall, ctx: &Context<'a>) -> Option<&'a str> {
    let text = ctx.text_of(&call.arguments);
    let inner = text.strip_prefix('(')?.strip_suffix(')')?.trim();
    quoted(inner)
}

fn quoted(text: &str) -> Option<&str> {
    (text.len() <= MAX_QUOTED && !text.contains('\n')).then_some(text)
}
