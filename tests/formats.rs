//! The machine and CI output formats, through the real binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn pitfall(args: &[&str], dir: &Path) -> Output {
    // These tests are about rendering, not severity: every finding is shown.
    let mut args = args.to_vec();
    if args.first() == Some(&"check") {
        args.splice(1..1, ["--min-severity", "info"]);
    }
    Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args(&args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The official SARIF 2.1.0 JSON schema, from the sources of the `serde-sarif` crate
/// (a dev-dependency, so cargo has it on disk).
fn sarif_schema() -> Value {
    let host = Command::new("rustc").arg("-vV").output().unwrap();
    let host = String::from_utf8_lossy(&host.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let metadata = Command::new(cargo)
        .args([
            "metadata",
            "--offline",
            "--format-version",
            "1",
            "--filter-platform",
            &host,
        ])
        .current_dir(common::root())
        .output()
        .unwrap();
    let metadata: Value = serde_json::from_slice(&metadata.stdout).expect("cargo metadata");
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .and_then(|p| p["manifest_path"].as_str())
        .expect("serde-sarif is a dev-dependency");
    let schema = PathBuf::from(manifest)
        .parent()
        .unwrap()
        .join("src/schema.json");
    serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap()
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let root = common::root();
    let out = pitfall(&["check", "--output-format", "sarif", "fixtures"], &root);
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    // One erratum in the published schema: the `language` patterns (of `run` and
    // `toolComponent`) have a stray `]` that the meta-schema's `regex` format rejects.
    // Everything else is used as shipped.
    let mut schema = sarif_schema();
    for owner in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][owner]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .take(10)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator does reject what the schema forbids.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), pitfall::registry::RULES.len());
    assert!(
        rules
            .iter()
            .all(|r| r["helpUri"].as_str().unwrap().starts_with("https://")
                && r["help"]["markdown"].as_str().unwrap().starts_with('#'))
    );
    let results = run["results"].as_array().unwrap();
    assert!(results.len() > 100, "{}", results.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            uri.starts_with("fixtures/") && uri.ends_with(".py"),
            "{uri}"
        );
    }
}

#[test]
fn github_annotations_escape_their_properties() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a,b.py"), "def f(x=[]):\n    x.append(1)\n").unwrap();
    let out = pitfall(
        &["check", "--output-format", "github", "a,b.py"],
        dir.path(),
    );
    assert_eq!(
        stdout(&out)
            .lines()
            .next()
            .unwrap()
            .split("::")
            .take(2)
            .collect::<Vec<_>>()
            .join("::"),
        "::error title=pitfall PF301 mutable-default-arg,file=a%2Cb.py,line=1,col=9,endLine=1,endColumn=11"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn junit_escapes_xml_and_counts_failures() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("m.py"),
        "ok = tag is \"<b>&\"\ndef f(x=[]):\n    pass\n",
    )
    .unwrap();
    let out = pitfall(&["check", "--output-format", "junit", "m.py"], dir.path());
    let xml = stdout(&out);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"pitfall\" tests=\"2\" failures=\"2\""), "{xml}");
    assert!(xml.contains("&quot;&lt;b&gt;&amp;&quot;"), "{xml}");
    assert!(!xml.contains("\"<b>"), "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 2);
    assert_eq!(xml.matches("<testsuite ").count(), 1);
}

#[test]
fn json_lines_grouped_and_statistics() {
    let root = common::root();
    let json: Vec<Value> = serde_json::from_slice(
        &pitfall(&["check", "--output-format", "json", "fixtures"], &root).stdout,
    )
    .unwrap();
    let lines = stdout(&pitfall(
        &["check", "--output-format", "json-lines", "fixtures"],
        &root,
    ));
    let parsed: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(parsed, json);

    let grouped = stdout(&pitfall(
        &[
            "check",
            "--output-format",
            "grouped",
            "fixtures/mutable-default-arg",
        ],
        &root,
    ));
    let mut lines = grouped.lines();
    assert_eq!(
        lines.next(),
        Some("fixtures/mutable-default-arg/defaults.py:")
    );
    let first = lines.next().unwrap();
    assert!(
        first.starts_with("  6:28 ") && first.contains(" PF301 [mutable-default-arg] "),
        "{grouped}"
    );

    let stats = stdout(&pitfall(&["check", "--statistics", "fixtures"], &root));
    let counts: Vec<usize> = stats
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<usize>(), json.len(), "{stats}");
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "sorted by count: {stats}"
    );
}

#[test]
fn quiet_and_colour_switches() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("m.py"), "def f(x=[]):\n    pass\n").unwrap();
    let loud = pitfall(&["check", "m.py"], dir.path());
    assert!(String::from_utf8_lossy(&loud.stderr).contains("Found 1 pitfall in 1 file."));
    let quiet = pitfall(&["check", "--quiet", "m.py"], dir.path());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");

    let always = pitfall(
        &[
            "check",
            "--output-format",
            "full",
            "--color",
            "always",
            "m.py",
        ],
        dir.path(),
    );
    assert!(stdout(&always).contains('\x1b'));
    for flags in [
        &["--color", "always", "--no-color"][..],
        &["--color", "never"][..],
    ] {
        let mut args = vec!["check", "--output-format", "full"];
        args.extend_from_slice(flags);
        args.push("m.py");
        assert!(!stdout(&pitfall(&args, dir.path())).contains('\x1b'));
    }
}
