//! The project phase through the binary: small package trees, exact findings.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn pitfall(args: &[&str], dir: &Path) -> Output {
    common::run_pitfall(args, dir)
}

/// A temporary tree from `# file: PATH` sections.
fn tree(files: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::materialise(dir.path(), files);
    dir
}

fn json(dir: &Path, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["check", "--output-format", "json"];
    args.extend(extra);
    if !extra.iter().any(|a| !a.starts_with('-')) {
        args.push(".");
    }
    let out = pitfall(&args, dir);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// `path:line:column CODE message` for each finding of a project-wide rule.
fn project_findings(dir: &Path, extra: &[&str]) -> Vec<String> {
    json(dir, extra)
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("PF8"))
        .map(|f| {
            format!(
                "{}:{}:{} {} {}",
                f["path"].as_str().unwrap().trim_start_matches("./"),
                f["line"],
                f["column"],
                f["code"].as_str().unwrap(),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

/// A PF801 finding at `at`: `importer` takes `name` from the chain's first module, which
/// is imported first and has not defined it yet.
fn cycle(at: &str, chain: &str, importer: &str, name: &str) -> String {
    let first = chain.split(' ').next().unwrap();
    format!(
        "{at} PF801 circular import `{chain}`: when `{first}` is imported first, `{importer}` imports `{name}` from it before `{first}` defines it"
    )
}

/// `python3 -c "import pkg.a"` on this tree raises `ImportError: cannot import name
/// 'VALUE' from partially initialized module 'pkg.a'` (and `import pkg.b` fails on
/// `helper`); the fixture trees under `fixtures/circular-import/` fail the same way.
const TWO: &str = "
# file: pkg/__init__.py
# file: pkg/a.py
import os
from pkg.b import helper

VALUE = 1
# file: pkg/b.py
from pkg.a import VALUE


def helper():
    return VALUE
";

#[test]
fn a_cycle_of_two_is_reported_once_with_the_other_import_related() {
    let dir = tree(TWO);
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "pkg/a.py:2:1",
            "pkg.a -> pkg.b -> pkg.a",
            "pkg.b",
            "VALUE"
        )]
    );
    let found = json(dir.path(), &[]);
    let related = &found[0]["related"];
    assert_eq!(related.as_array().unwrap().len(), 1, "{related}");
    assert_eq!(
        related[0]["path"]
            .as_str()
            .unwrap()
            .trim_start_matches("./"),
        "pkg/b.py"
    );
    assert_eq!(
        (related[0]["line"].as_u64(), related[0]["column"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        related[0]["message"],
        "`pkg.b` imports `pkg.a` here, at import time"
    );
}

/// The hidden `--no-project` switch (for measuring the phase's cost in `bench/`) keeps
/// every per-file rule and drops only the project phase.
#[test]
fn no_project_drops_only_the_project_phase() {
    let dir = tree(&format!("{TWO}# file: pkg/c.py\nif x == None:\n    pass\n"));
    let codes = |extra: &[&str]| -> Vec<String> {
        json(dir.path(), extra)
            .iter()
            .map(|f| f["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes(&[]), ["PF801", "PF101"]);
    assert_eq!(codes(&["--no-project"]), ["PF101"]);
}

#[test]
fn a_cycle_of_four_across_subpackages_shows_the_whole_chain() {
    let dir = tree(
        "
# file: app/__init__.py
# file: app/api/__init__.py
# file: app/api/views.py
from app.services.auth import login


def render():
    return login
# file: app/services/__init__.py
# file: app/services/auth.py
from app.models import user

login = user
# file: app/models/__init__.py
# file: app/models/user.py
import app.util.log
# file: app/util/__init__.py
# file: app/util/log.py
from app.api.views import render
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "app/api/views.py:1:1",
            "app.api.views -> app.services.auth -> app.models.user -> app.util.log -> app.api.views",
            "app.util.log",
            "render"
        )]
    );
    let found = json(dir.path(), &[]);
    let related: Vec<String> = found[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{}:{}",
                r["path"].as_str().unwrap().trim_start_matches("./"),
                r["line"]
            )
        })
        .collect();
    assert_eq!(
        related,
        [
            "app/services/auth.py:1",
            "app/models/user.py:1",
            "app/util/log.py:1"
        ]
    );
}

#[test]
fn the_shortest_cycle_from_the_failing_import_is_shown() {
    // Importing `a` runs `b`, which runs `d`, which runs `c`, which fails; `b` imports
    // `c` itself too, so the shortest loop skips `d`. `a` is the only module names are
    // taken from, so it is the one that fails.
    let dir = tree(
        "
# file: loop/__init__.py
# file: loop/a.py
from loop import b

A = 1
# file: loop/b.py
from loop import d
from loop import c
# file: loop/d.py
from loop import c
# file: loop/c.py
from loop.a import A
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "loop/a.py:1:1",
            "loop.a -> loop.b -> loop.c -> loop.a",
            "loop.c",
            "A"
        )]
    );
}

/// Cycles as real projects have them, each of which works (checked with `python3`):
/// a package's `__init__` importing a submodule that takes back names bound above the
/// import; a bottom-of-module import whose partner is only ever entered through its
/// package; `from pkg import submodule`; plain `import` cycles; a module `__getattr__`.
const WORKING: &str = "
# file: mail/__init__.py
from mail.errors import Broken

DEFAULT = 'smtp'
from mail.handler import Handler
# file: mail/errors.py
class Broken(Exception):
    pass
# file: mail/handler.py
from mail import DEFAULT, Broken, errors


class Handler:
    alias = DEFAULT
# file: facts/__init__.py
from facts.ask import Q
# file: facts/ask.py
class Q:
    pass


from facts.generated import KNOWN
# file: facts/generated.py
from facts.ask import Q

KNOWN = [Q]
# file: sub/__init__.py
# file: sub/x.py
from sub import y
# file: sub/y.py
from sub import x
# file: plain/__init__.py
# file: plain/a.py
import plain.b


def f():
    return plain.b.g()
# file: plain/b.py
import plain.a


def g():
    return plain.a.f
# file: lazy/__init__.py
def __getattr__(name):
    return name


from lazy.impl import thing
# file: lazy/impl.py
from lazy import anything

thing = anything
";

#[test]
fn cycles_that_work_because_of_their_order_are_not_reported() {
    let dir = tree(WORKING);
    assert_eq!(project_findings(dir.path(), &[]), Vec::<String>::new());
}

#[test]
fn the_same_cycles_fail_once_a_line_moves() {
    let dir = tree(WORKING);
    let path = dir.path();
    // The package no longer runs `ask` first: `import facts.generated` now enters the
    // cycle at `generated`, and `ask`'s bottom import finds it half run.
    std::fs::write(path.join("facts/__init__.py"), "").unwrap();
    // The handler's names are bound only after the import that runs it.
    let init =
        "from mail.handler import Handler\nfrom mail.errors import Broken\n\nDEFAULT = 'smtp'\n";
    std::fs::write(path.join("mail/__init__.py"), init).unwrap();
    assert_eq!(
        project_findings(path, &[]),
        [
            cycle(
                "facts/generated.py:1:1",
                "facts.generated -> facts.ask -> facts.generated",
                "facts.ask",
                "KNOWN"
            ),
            cycle(
                "mail/__init__.py:1:1",
                "mail -> mail.handler -> mail",
                "mail.handler",
                "DEFAULT"
            ),
        ]
    );
}

#[test]
fn relative_imports_are_resolved() {
    let dir = tree(
        "
# file: rel/__init__.py
# file: rel/inner/__init__.py
# file: rel/inner/one.py
from . import two
# file: rel/inner/two.py
from ..three import THREE
# file: rel/three.py
from .inner.one import two as _two

THREE = 3
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "rel/inner/one.py:1:1",
            "rel.inner.one -> rel.inner.two -> rel.three -> rel.inner.one",
            "rel.three",
            "two"
        )]
    );
}

#[test]
fn deferred_imports_break_cycles() {
    let dir = tree(
        "
# file: lazy/__init__.py
# file: lazy/models.py
from lazy.services import save
from lazy.hints import Hint
from lazy.fallback import fast
# file: lazy/services.py
def save(model):
    from lazy.models import save as again
    return again
# file: lazy/hints.py
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lazy.models import save

Hint = 'save'
# file: lazy/fallback.py
try:
    from ujson import dumps as fast
except ImportError:
    from lazy.models import save as fast

if __name__ == \"__main__\":
    import lazy.models
",
    );
    assert_eq!(project_findings(dir.path(), &[]), Vec::<String>::new());
}

#[test]
fn an_import_in_the_try_body_still_runs_at_import_time() {
    let dir = tree(
        "
# file: guard/__init__.py
# file: guard/a.py
try:
    from guard.b import B
except ImportError:
    B = None
A = 1
# file: guard/b.py
from guard.a import A
B = 2
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "guard/a.py:2:5",
            "guard.a -> guard.b -> guard.a",
            "guard.b",
            "A"
        )]
    );
}

#[test]
fn src_layouts_and_namespace_packages_get_their_import_names() {
    let dir = tree(
        "
# file: src/proj/__init__.py
# file: src/proj/a.py
from proj.b import B
A = 1
# file: src/proj/b.py
from proj.a import A
B = 2
# file: src/nsp/plugin/one.py
from nsp.plugin.two import TWO
ONE = 1
# file: src/nsp/plugin/two.py
from nsp.plugin.one import ONE
TWO = 2
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [
            cycle(
                "src/nsp/plugin/one.py:1:1",
                "nsp.plugin.one -> nsp.plugin.two -> nsp.plugin.one",
                "nsp.plugin.two",
                "ONE"
            ),
            cycle(
                "src/proj/a.py:1:1",
                "proj.a -> proj.b -> proj.a",
                "proj.b",
                "A"
            ),
        ]
    );
    // Checking the `src` directory itself names the modules the same way.
    let out = project_findings(dir.path(), &["src"]);
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(out[1].contains("`proj.a -> proj.b -> proj.a`"), "{out:?}");
}

#[test]
fn configured_source_roots_are_used() {
    let dir = tree(
        "
# file: pitfall.toml
# file: code/lib/x.py
from lib.y import Y
X = 1
# file: code/lib/y.py
from lib.x import X
Y = 1
",
    );
    // Without `src`, `code/lib` is not a package the imports can name.
    std::fs::write(dir.path().join("pitfall.toml"), "").unwrap();
    assert_eq!(project_findings(dir.path(), &[]), Vec::<String>::new());
    std::fs::write(dir.path().join("pitfall.toml"), "src = [\"code\"]\n").unwrap();
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "code/lib/x.py:1:1",
            "lib.x -> lib.y -> lib.x",
            "lib.y",
            "X"
        )]
    );
}

#[test]
fn noqa_ignore_and_selection_apply_to_project_findings() {
    let dir = tree(TWO);
    let a = dir.path().join("pkg/a.py");
    let text = std::fs::read_to_string(&a).unwrap();
    assert_eq!(
        project_findings(dir.path(), &["--ignore", "PF801"]),
        Vec::<String>::new()
    );
    assert_eq!(
        project_findings(dir.path(), &["--select", "PF1"]),
        Vec::<String>::new()
    );
    std::fs::write(
        &a,
        text.replace("import helper", "import helper  # noqa: circular-import"),
    )
    .unwrap();
    assert_eq!(project_findings(dir.path(), &[]), Vec::<String>::new());
    // A noqa for a project rule is not judged as unused by the per-file phase.
    let unused: Vec<Value> = json(dir.path(), &["--show-unused-noqa"]);
    assert!(unused.is_empty(), "{unused:?}");
}

#[test]
fn standard_input_skips_the_project_rules() {
    let dir = tree(TWO);
    let mut child = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args([
            "check",
            "--output-format",
            "json",
            "-",
            "--stdin-filename",
            "pkg/a.py",
        ])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read(dir.path().join("pkg/a.py")).unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &text).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

const PATCHED: &str = "
# file: shop/__init__.py
# file: shop/clock.py
import time


def now():
    return time.time()
# file: shop/greeting.py
from shop.clock import now


def greeting():
    return now()
# file: shop/stamp.py
import shop.clock
from shop.clock import now


def stamp():
    return shop.clock.now(), now()
# file: tests/test_greeting.py
from unittest import mock

from shop.greeting import greeting


def test_greeting():
    with mock.patch('shop.clock.now', return_value=0):
        greeting()
# file: tests/test_stamp.py
from shop.stamp import stamp


def test_stamp(mocker):
    mocker.patch('shop.stamp.now')
    mocker.patch('shop.clock.now')
    stamp()
# file: tests/test_both.py
from unittest import mock

from shop.greeting import greeting
from shop.stamp import stamp


def test_both():
    with mock.patch('shop.clock.now', return_value=0):
        greeting(), stamp()
";

#[test]
fn patch_target_mismatch_suggests_the_module_under_test() {
    let dir = tree(PATCHED);
    let found = json(dir.path(), &[]);
    let found: Vec<&Value> = found.iter().filter(|f| f["code"] == "PF802").collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0]["path"].as_str().unwrap().trim_start_matches("./"),
        "tests/test_greeting.py"
    );
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(7), Some(21))
    );
    assert_eq!(
        found[0]["message"],
        "this patches `now` in `shop.clock`, where it is defined, but `shop.greeting` imported it by name, so the code there keeps using the original"
    );
    assert_eq!(
        found[0]["help"],
        "patch `\"shop.greeting.now\"`, the name the code under test looks up"
    );
}

#[test]
fn full_and_sarif_outputs_show_the_related_imports() {
    let dir = tree(TWO);
    let out = pitfall(&["check", "--output-format", "full", "."], dir.path());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("from pkg.b import helper"), "{text}");
    assert!(
        text.contains("`pkg.b` imports `pkg.a` here, at import time"),
        "{text}"
    );
    assert!(text.contains("from pkg.a import VALUE"), "{text}");

    let out = pitfall(&["check", "--output-format", "sarif", "."], dir.path());
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let cycle = results.iter().find(|r| r["ruleId"] == "PF801").unwrap();
    let related = &cycle["relatedLocations"][0];
    assert_eq!(
        related["physicalLocation"]["artifactLocation"]["uri"],
        "pkg/b.py"
    );
    assert_eq!(related["physicalLocation"]["region"]["startLine"], 1);
}

#[test]
fn the_result_does_not_depend_on_the_thread_count() {
    let dir = tree(TWO);
    let one = pitfall(
        &["check", "--threads", "1", "--output-format", "json", "."],
        dir.path(),
    );
    let two = pitfall(
        &["check", "--threads", "2", "--output-format", "json", "."],
        dir.path(),
    );
    assert_eq!(one.stdout, two.stdout);
}

/// `path:line:column message` for each PF602 finding.
fn coroutine_findings(dir: &Path, extra: &[&str]) -> Vec<String> {
    json(dir, extra)
        .iter()
        .filter(|f| f["code"] == "PF602")
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["path"].as_str().unwrap().trim_start_matches("./"),
                f["line"],
                f["column"],
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn an_imported_coroutine_function_whose_coroutine_is_lost_is_reported() {
    let dir = tree(
        "# file: pkg/__init__.py\n\
         # file: pkg/net.py\nasync def fetch(url):\n    return url\n\
         # file: pkg/twin.py\ndef fetch(url):\n    return url\n\
         # file: pkg/use.py\nimport asyncio\nfrom pkg.net import fetch\nimport pkg.net as net\nfrom pkg.twin import fetch as now\n\ndef main(u):\n    fetch(u)\n    asyncio.run(fetch(u))\n    now(u)\n    return net.fetch(u)\n\nasync def go(u):\n    await fetch(u)\n    t = asyncio.create_task(fetch(u))\n    r = fetch(u)\n    await r\n    net.fetch(u)  # noqa: PF602\n    return t\n",
    );
    assert_eq!(
        coroutine_findings(dir.path(), &[]),
        [
            "pkg/use.py:7:5 `fetch(u)` creates a coroutine and drops it: `pkg.net.fetch` is `async def`, so its body never runs (Python only warns \"coroutine was never awaited\" when the object is collected)"
        ]
    );
    // The noqa on the imported call is used: not reported as unused.
    let unused: Vec<Value> = json(dir.path(), &["--show-unused-noqa"]);
    assert!(unused.iter().all(|f| f["code"] != "PF900"), "{unused:?}");
    // Off for the file: nothing.
    assert!(coroutine_findings(dir.path(), &["--ignore", "PF602"]).is_empty());
}

#[test]
fn the_cross_module_fixture_tree_flags_exactly_the_marked_lines() {
    let root =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/unawaited-coroutine/across_modules");
    let mut expected = Vec::new();
    for file in ["app/jobs.py", "app/net.py", "app/sync_twin.py"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for (line, _) in common::expected_markers(&text) {
            expected.push(format!("{file}:{line}"));
        }
    }
    let found: Vec<String> = coroutine_findings(&root, &["--select", "PF602"])
        .iter()
        .map(|f| f.split(':').take(2).collect::<Vec<_>>().join(":"))
        .collect();
    assert_eq!(found, expected);
    assert_eq!(expected.len(), 5);
}
