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

fn cycle(at: &str, chain: &str, first: &str) -> String {
    format!(
        "{at} PF801 circular import `{chain}`: `{first}` is only half initialised when the cycle comes back to it"
    )
}

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
        [cycle("pkg/a.py:2:1", "pkg.a -> pkg.b -> pkg.a", "pkg.a")]
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

#[test]
fn a_cycle_of_four_across_subpackages_shows_the_whole_chain() {
    let dir = tree(
        "
# file: app/__init__.py
# file: app/api/__init__.py
# file: app/api/views.py
from app.services.auth import login
# file: app/services/__init__.py
# file: app/services/auth.py
from app.models import user

login = user
# file: app/models/__init__.py
# file: app/models/user.py
import app.util.log
# file: app/util/__init__.py
# file: app/util/log.py
from app.api import views
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "app/api/views.py:1:1",
            "app.api.views -> app.services.auth -> app.models.user -> app.util.log -> app.api.views",
            "app.api.views"
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
fn the_shortest_cycle_through_the_first_module_is_chosen() {
    // a -> b -> c -> a and a -> c -> a: one component, reported once, by its short loop.
    let dir = tree(
        "
# file: loop/__init__.py
# file: loop/a.py
from loop import b
from loop import c
# file: loop/b.py
from loop import c
# file: loop/c.py
from loop import a
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [cycle(
            "loop/a.py:2:1",
            "loop.a -> loop.c -> loop.a",
            "loop.a"
        )]
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
            "rel.inner.one"
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
            "guard.a"
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
from nsp.plugin import one
TWO = 2
",
    );
    assert_eq!(
        project_findings(dir.path(), &[]),
        [
            cycle(
                "src/nsp/plugin/one.py:1:1",
                "nsp.plugin.one -> nsp.plugin.two -> nsp.plugin.one",
                "nsp.plugin.one"
            ),
            cycle("src/proj/a.py:1:1", "proj.a -> proj.b -> proj.a", "proj.a"),
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
            "lib.x"
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
