//! PF801: import cycles that fail at import time.
//!
//! Most cycles in real code work: a package's `__init__` imports a submodule that
//! takes back names the package bound a few lines earlier, or a module imports its
//! partner at the bottom, after everything the partner needs is defined. A cycle
//! fails only when some module `u` runs `from v import name` while `v` is half run —
//! stopped at its own import of the next module on the way to `u` — and `name` is not
//! bound in `v` yet. Which module is half run depends on which one is imported first,
//! and importing a submodule runs its parent packages first.
//!
//! So the graph of import-time imports gives the strongly connected components
//! (linear time). Only modules of a component that another member takes names from
//! can be the half-run one; for each of them, in name order, the import of it on a
//! cold start is replayed over the summaries (parent packages first, imports in
//! source order, each module run once), until one replay fails inside the component.

use std::cell::RefCell;
use std::collections::VecDeque;

use rustc_hash::FxHashMap;

use super::summary::{Import, ImportedName};
use super::{Project, finding, graph, related, reports};
use crate::finding::Finding;
use crate::rules::circular_import;

/// Names every module has before its first line runs.
const ALWAYS_BOUND: [&str; 9] = [
    "__name__",
    "__doc__",
    "__file__",
    "__path__",
    "__spec__",
    "__loader__",
    "__package__",
    "__builtins__",
    "__cached__",
];

/// A failing step: `importer` runs `import` (`from half_run import name`) while
/// `half_run` is stopped at `stop`, before its binding of `name`.
struct Failure<'f> {
    /// The module imported first, in a fresh interpreter.
    entered: usize,
    half_run: usize,
    stop: &'f Import,
    importer: usize,
    import: &'f Import,
    name: &'f str,
}

/// One finding per strongly connected component that holds a failing cycle: on the
/// import where the half-run module stops, with the shortest cycle from there back.
pub(super) fn circular_imports(project: &Project) -> Vec<Finding> {
    let rule = &circular_import::META;
    let n = project.modules.len();
    // The import-time graph, from each module's links (resolved on the checking
    // threads): one read per module.
    let graph = graph::Graph::new(
        project
            .modules
            .iter()
            .map(|module| module.file.summary.links.successors.iter().copied()),
    );
    let components = graph.components();
    let mut component_of = vec![usize::MAX; n];
    for (number, component) in components.iter().enumerate() {
        for &module in component {
            component_of[module] = number;
        }
    }
    let mut replay = Replay::new(project, &component_of);
    let mut findings = Vec::new();
    for (number, component) in components.iter().enumerate() {
        let candidates = taken_from(project, component, &component_of);
        if candidates.is_empty() {
            continue;
        }
        replay.focus(&graph, component[0]);
        let Some(failure) = candidates
            .into_iter()
            .find_map(|entered| replay.run(entered, number))
        else {
            continue;
        };
        let Failure {
            entered,
            half_run,
            stop,
            importer,
            import,
            name,
        } = failure;
        let file = project.modules[half_run].file;
        if !reports(file, rule, stop.span.offset()) {
            continue;
        }
        let Some(cycle) = shortest_cycle(
            &graph,
            &component_of,
            half_run,
            &stop.resolved.targets,
            importer,
        ) else {
            continue;
        };
        let chain: Vec<&str> = cycle
            .iter()
            .chain([&half_run])
            .map(|&m| project.name(m))
            .collect();
        let others = (1..cycle.len())
            .filter_map(|i| {
                let (a, b) = (cycle[i], cycle[(i + 1) % cycle.len()]);
                let import = if b == half_run {
                    import
                } else {
                    first_import(project, a, b)?
                };
                let message = format!(
                    "`{}` imports `{}` here, at import time",
                    project.name(a),
                    project.name(b)
                );
                Some(related(project.modules[a].file.path, &import.span, message))
            })
            .collect();
        let half_run_name = project.name(half_run);
        let when = match entered == half_run {
            true => format!("when `{half_run_name}` is imported first"),
            false => format!("when `{}` is imported first", project.name(entered)),
        };
        let from = match entered == half_run {
            true => "it".to_owned(),
            false => format!("`{half_run_name}`"),
        };
        findings.push(finding(
            file,
            &stop.span,
            rule,
            format!(
                "circular import `{}`: {when}, `{}` imports `{name}` from {from} before `{half_run_name}` defines it",
                chain.join(" -> "),
                project.name(importer),
            ),
            "move what these modules share into a module of its own, or import inside the function that needs it".to_owned(),
            others,
        ));
    }
    findings
}

/// The first import-time import in module `from` that loads module `to` (for an edge
/// of the import-time graph, there is one).
fn first_import<'f>(project: &Project<'f>, from: usize, to: usize) -> Option<&'f Import> {
    project
        .imports(from)
        .iter()
        .find(|import| import.when.is_import_time() && import.resolved.targets.contains(&to))
}

/// The members of `component` that another member imports names from at import time,
/// sorted: the only ones whose half-run state can make a `from` import fail.
fn taken_from(project: &Project, component: &[usize], component_of: &[usize]) -> Vec<usize> {
    let mut sources: Vec<usize> = component
        .iter()
        .flat_map(|&importer| {
            project
                .imports(importer)
                .iter()
                .filter(|import| import.when.is_import_time())
                .filter_map(move |import| {
                    let source = import.resolved.source?;
                    (source != importer && component_of[source] == component_of[importer])
                        .then_some(source)
                })
        })
        .collect();
    sources.sort_unstable();
    sources.dedup();
    sources
}

/// A module being run: which import-time import it is at, and which of that import's
/// modules comes next. `started` is false while its parent packages run first.
struct Frame {
    module: usize,
    import: usize,
    target: usize,
    started: bool,
}

/// Replays imports over the summaries, with marks reused across replays.
struct Replay<'p, 'f> {
    project: &'p Project<'f>,
    component_of: &'p [usize],
    /// `entered[m] == generation`: `m` started running in this replay.
    entered: Vec<u32>,
    /// `finished[m] == generation`: `m` ran to its end in this replay.
    finished: Vec<u32>,
    generation: u32,
    /// Answers of `first_binding`, by module and name.
    bindings: RefCell<FxHashMap<(usize, &'p str), Option<usize>>>,
    /// The strongly connected components of the graph of who runs whom (imports, and
    /// submodules running their parent packages), as the component of each module
    /// (`usize::MAX` alone); built on the first `focus`, since most projects have no
    /// cycle to replay.
    runs_with: Vec<usize>,
    /// The component of `runs_with` that holds the component being replayed. A module
    /// that a replay runs can lead back into that component only if it is in there too
    /// (the replay reached it from the component): any other cannot make an import of
    /// the component fail, or change what its modules have run, so a replay passes over
    /// it. In a project with large cycles, that is most of a replay.
    focus: usize,
}

impl<'p, 'f> Replay<'p, 'f> {
    fn new(project: &'p Project<'f>, component_of: &'p [usize]) -> Self {
        let n = project.modules.len();
        Replay {
            project,
            component_of,
            entered: vec![0; n],
            finished: vec![0; n],
            generation: 0,
            bindings: RefCell::default(),
            runs_with: Vec::new(),
            focus: usize::MAX,
        }
    }

    /// Prepares replays of the component that holds `member`, in the import-time
    /// `graph`.
    fn focus(&mut self, graph: &graph::Graph, member: usize) {
        if self.runs_with.is_empty() {
            let modules = &self.project.modules;
            let runs = graph::Graph::new((0..modules.len()).map(|module| {
                let parent = modules[module].file.summary.links.parent;
                graph.successors(module).iter().copied().chain(parent)
            }));
            self.runs_with = vec![usize::MAX; modules.len()];
            for (number, component) in runs.components().iter().enumerate() {
                for &module in component {
                    self.runs_with[module] = number;
                }
            }
        }
        self.focus = self.runs_with[member];
    }

    /// Where `module` first binds `name` at import time (`FileSummary::first_binding`),
    /// remembered: replays ask the same questions of a component over and over.
    fn first_binding(&self, module: usize, name: &'p str) -> Option<usize> {
        *self
            .bindings
            .borrow_mut()
            .entry((module, name))
            .or_insert_with(|| {
                self.project.modules[module]
                    .file
                    .summary
                    .first_binding(name)
            })
    }

    /// Of the names imported from `source`, one that `source` binds only at or after
    /// `stop`, if any (a `from x import *` or a module `__getattr__` binds every name
    /// from where it stands). Submodules are left out (`from pkg import mod` imports
    /// `pkg.mod` when `pkg` lacks the name, which always works), and so are names
    /// `source` never binds visibly (set through `globals()`, say), which cannot be
    /// judged.
    fn unbound_at(&self, source: usize, names: &'p [ImportedName], stop: usize) -> Option<&'p str> {
        let project = self.project;
        let binds_all_from = project.modules[source]
            .file
            .summary
            .star_import
            .into_iter()
            .chain(self.first_binding(source, "__getattr__"))
            .min();
        if binds_all_from.is_some_and(|all| all < stop) {
            return None;
        }
        let source_name = project.name(source);
        names
            .iter()
            .map(|imported| imported.name.as_str())
            .find(|name| {
                !ALWAYS_BOUND.contains(name)
                    && self
                        .first_binding(source, name)
                        .is_some_and(|at| at >= stop)
                    && project.get(&format!("{source_name}.{name}")).is_none()
            })
    }

    /// `import entered` in a fresh interpreter: the first `from` import that fails
    /// because a module of component `component` is half run, if any. Failures in other
    /// components are passed over (they are reported with their own component).
    fn run(&mut self, entered: usize, component: usize) -> Option<Failure<'p>> {
        self.generation += 1;
        let generation = self.generation;
        let project = self.project;
        let mut stack = vec![Frame {
            module: entered,
            import: 0,
            target: 0,
            started: false,
        }];
        while let Some(frame) = stack.last_mut() {
            let module = frame.module;
            if !frame.started {
                if self.entered[module] == generation {
                    stack.pop(); // already run, or half run: Python hands it back as is
                    continue;
                }
                if self.runs_with[module] != self.focus {
                    // It cannot lead back into the component: its run would end without
                    // touching anything the replay looks at, so it counts as run.
                    self.entered[module] = generation;
                    self.finished[module] = generation;
                    stack.pop();
                    continue;
                }
                if let Some(parent) = project.modules[module].file.summary.links.parent
                    && self.entered[parent] != generation
                {
                    stack.push(Frame {
                        module: parent,
                        import: 0,
                        target: 0,
                        started: false,
                    });
                    continue;
                }
                frame.started = true;
                self.entered[module] = generation;
            }
            let Some(import) = project.imports(module).get(frame.import) else {
                self.finished[module] = generation;
                stack.pop();
                continue;
            };
            if !import.when.is_import_time() {
                frame.import += 1;
                continue;
            }
            if let Some(&target) = import.resolved.targets.get(frame.target) {
                frame.target += 1;
                stack.push(Frame {
                    module: target,
                    import: 0,
                    target: 0,
                    started: false,
                });
                continue;
            }
            // Every module of the import is loaded (or half run): now the names.
            frame.import += 1;
            frame.target = 0;
            if let Some(failure) = self.takes_unbound(module, import, &stack, component) {
                return Some(failure);
            }
        }
        None
    }

    /// Whether `import` in `module` takes a name from a half-run module of `component`
    /// that the module has not bound yet, given where each frame on `stack` stands.
    fn takes_unbound(
        &self,
        module: usize,
        import: &'p Import,
        stack: &[Frame],
        component: usize,
    ) -> Option<Failure<'p>> {
        let names = import.names.as_deref()?;
        let source = import.resolved.source?;
        if source == module
            || self.component_of[source] != component
            || self.entered[source] != self.generation
            || self.finished[source] == self.generation
        {
            return None;
        }
        // The half-run module's frame, still at the import that led here.
        let frame = stack.iter().find(|f| f.module == source && f.started)?;
        let stop = &self.project.imports(source)[frame.import];
        let name = self.unbound_at(source, names, stop.span.offset())?;
        Some(Failure {
            entered: stack[0].module,
            half_run: source,
            stop,
            importer: module,
            import,
            name,
        })
    }
}

/// The shortest cycle from `half_run` through one of `first_steps` (the modules of the
/// import it stops at) to `importer` (which takes a name back), inside their
/// component, as modules from `half_run` on.
fn shortest_cycle(
    graph: &graph::Graph,
    component_of: &[usize],
    half_run: usize,
    first_steps: &[usize],
    importer: usize,
) -> Option<Vec<usize>> {
    let component = component_of[half_run];
    let mut previous: FxHashMap<usize, usize> = FxHashMap::from_iter([(half_run, half_run)]);
    let mut queue = VecDeque::new();
    for &step in first_steps {
        if component_of[step] == component && !previous.contains_key(&step) {
            previous.insert(step, half_run);
            queue.push_back(step);
        }
    }
    while let Some(module) = queue.pop_front() {
        if module == importer {
            let mut cycle = vec![module];
            let mut step = module;
            while step != half_run {
                step = previous[&step];
                cycle.push(step);
            }
            cycle.reverse();
            return Some(cycle);
        }
        for &next in graph.successors(module) {
            if component_of[next] == component && !previous.contains_key(&next) {
                previous.insert(next, module);
                queue.push_back(next);
            }
        }
    }
    None
}
