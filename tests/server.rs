//! `pitfall server` driven through the real binary by a scripted LSP client: JSON-RPC
//! frames (`Content-Length` headers) written to its stdin and read from its stdout.
//! Every wait has a timeout, so a hung server fails the test instead of blocking it.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lsp_types::Url;
use serde_json::{Value, json};

/// Long enough for a loaded 2-core CI machine; only a hang ever reaches it.
const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Messages read while waiting for something else, in arrival order.
    backlog: Vec<Value>,
    stderr: Arc<Mutex<String>>,
    next_id: i64,
    /// Whether positions count UTF-8 bytes (else UTF-16 code units).
    utf8: bool,
}

impl Client {
    /// Starts the server in `dir` and initializes it with `capabilities` and the
    /// workspace `folders`.
    fn start(dir: &Path, capabilities: Value, folders: &[&Path], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_pitfall"));
        command
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("the pitfall binary starts");
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut child_stderr = child.stderr.take().unwrap();
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = child_stderr.read_to_string(&mut text);
            sink.lock().unwrap().push_str(&text);
        });
        let mut client = Client {
            stdin: child.stdin.take(),
            child,
            incoming,
            backlog: Vec::new(),
            stderr,
            next_id: 0,
            utf8: false,
        };
        let folders: Vec<Value> = folders
            .iter()
            .map(|f| json!({"uri": file_uri(f), "name": "project"}))
            .collect();
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": capabilities,
                "workspaceFolders": folders,
            }),
        );
        client.utf8 = result["capabilities"]["positionEncoding"] == "utf-8";
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().expect("stdin is open");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its result; an error response fails the test.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let response = self.wait_for(&format!("the response to {method}"), |m| {
            m["id"] == id && m.get("method").is_none()
        });
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    /// The first message (from the backlog, then new ones) that `wanted` accepts.
    /// Requests from the server are answered with `null` as they arrive.
    fn wait_for(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.backlog.iter().position(&wanted) {
            return self.backlog.remove(at);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let message = match self.incoming.recv_timeout(left) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => panic!(
                    "timed out waiting for {what}; got {:#?}\nstderr: {}",
                    self.backlog,
                    self.stderr.lock().unwrap()
                ),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "the server closed its output while we waited for {what}\nstderr: {}",
                    self.stderr.lock().unwrap()
                ),
            };
            if message.get("method").is_some() && message.get("id").is_some() {
                let id = message["id"].clone();
                self.send(json!({"jsonrpc": "2.0", "id": id, "result": null}));
            }
            if wanted(&message) {
                return message;
            }
            self.backlog.push(message);
        }
    }

    /// The diagnostics published for `uri` at document `version`.
    fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self.wait_for(&format!("diagnostics of {uri} v{version:?}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        message["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .to_owned()
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}}),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
    }

    fn code_actions(&mut self, uri: &str, range: &Value, only: Option<&[&str]>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// Applies a code action's edit for `uri` to `text`, as an editor would.
    fn apply(&self, text: &str, action: &Value, uri: &str) -> String {
        let mut edits = action["edit"]["changes"][uri]
            .as_array()
            .unwrap_or_else(|| panic!("no edit for {uri} in {action}"))
            .clone();
        // From the end backwards, so earlier offsets stay valid.
        edits.sort_by_key(|e| {
            let start = &e["range"]["start"];
            std::cmp::Reverse((start["line"].as_u64(), start["character"].as_u64()))
        });
        let mut text = text.to_owned();
        for edit in edits {
            let start = self.offset(&text, &edit["range"]["start"]);
            let end = self.offset(&text, &edit["range"]["end"]);
            text.replace_range(start..end, edit["newText"].as_str().unwrap());
        }
        text
    }

    /// The byte offset of an LSP position, counted independently of the server.
    fn offset(&self, text: &str, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (at, c) in text[line_start..].char_indices() {
            if units >= character || c == '\n' {
                return line_start + at;
            }
            units += if self.utf8 {
                c.len_utf8()
            } else {
                c.len_utf16()
            };
        }
        text.len()
    }

    /// The LSP position of a byte offset, counted independently of the server.
    fn position(&self, text: &str, offset: usize) -> Value {
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let line_text = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        let character = if self.utf8 {
            line_text.len()
        } else {
            line_text.encode_utf16().count()
        };
        json!({"line": line, "character": character})
    }

    /// The range of the first occurrence of `needle` in `text`.
    fn range_of(&self, text: &str, needle: &str) -> Value {
        let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?}"));
        json!({"start": self.position(text, start), "end": self.position(text, start + needle.len())})
    }

    /// `shutdown`, then `exit`; returns the exit status.
    fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    fn wait_exit(&mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_frame(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some(value) = header.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn file_uri(path: &Path) -> String {
    Url::from_file_path(path).unwrap().to_string()
}

/// A project directory (canonical, so URIs match what the server sees).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// A server for a fresh project with `text` open as the file `name`: the client, the
/// document's URI, its first diagnostics, and the project directory (to keep alive).
fn session(
    name: &str,
    text: &str,
    env: &[(&str, &str)],
) -> (Client, String, Vec<Value>, tempfile::TempDir) {
    let (dir, root) = project();
    let mut client = Client::start(&root, json!({}), &[&root], env);
    let uri = file_uri(&root.join(name));
    client.open(&uri, text);
    let diagnostics = client.diagnostics(&uri, Some(1));
    (client, uri, diagnostics, dir)
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

fn find<'a>(diagnostics: &'a [Value], code: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics:#?}"))
}

fn titled<'a>(actions: &'a [Value], prefix: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
        .unwrap_or_else(|| panic!("no action `{prefix}…` in {actions:#?}"))
}

const SAMPLE: &str = "def add(item, items=[]):
    items.append(item)
    return items


def check(x):
    if x == None:
        return 1
";

#[test]
fn a_whole_session_checks_fixes_explains_and_shuts_down() {
    let (_dir, root) = project();
    let capabilities = json!({"window": {"showDocument": {"support": true}}});
    let mut client = Client::start(&root, capabilities, &[&root], &[]);
    let uri = file_uri(&root.join("sample.py"));
    client.open(&uri, SAMPLE);

    let diagnostics = client.diagnostics(&uri, Some(1));
    assert_eq!(codes(&diagnostics), ["PF301", "PF101"]);
    let mutable = find(&diagnostics, "PF301");
    assert_eq!(mutable["range"], client.range_of(SAMPLE, "[]"));
    assert_eq!(
        mutable["severity"], 1,
        "an error: the default is changed and returned"
    );
    assert_eq!(mutable["source"], "pitfall");
    assert_eq!(
        mutable["codeDescription"]["href"],
        "https://pitfall.dev/rules/mutable-default-arg.html"
    );
    assert!(
        mutable["message"]
            .as_str()
            .unwrap()
            .contains("the default list of `items` is created once"),
        "{mutable}"
    );
    let none = find(&diagnostics, "PF101");
    assert_eq!(none["range"], client.range_of(SAMPLE, "x == None"));
    assert_eq!(
        none["codeDescription"]["href"],
        "https://pitfall.dev/rules/none-comparison.html"
    );

    // The quick fixes at `x == None`: the safe fix is preferred; applying it fixes it.
    let actions = client.code_actions(&uri, &none["range"], None);
    let fix = titled(&actions, "Fix PF101");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"][0]["code"], "PF101");
    let fixed = client.apply(SAMPLE, fix, &uri);
    assert_eq!(fixed, SAMPLE.replace("x == None", "x is None"));
    assert!(actions.iter().all(|a| a["title"] != "Fix PF301"));
    titled(&actions, "Disable PF101 (none-comparison) for this line");
    let docs = titled(&actions, "Open the documentation of PF101");
    assert_eq!(docs["command"]["command"], "pitfall.openRuleDocs");

    // The unsafe fix of the mutable default is offered, but not preferred.
    let actions = client.code_actions(&uri, &mutable["range"], Some(&["quickfix"]));
    let unsafe_fix = titled(&actions, "Fix PF301");
    assert_eq!(unsafe_fix["isPreferred"], false);
    assert!(unsafe_fix["title"].as_str().unwrap().contains("unsafe"));
    let defaulted = client.apply(SAMPLE, unsafe_fix, &uri);
    assert!(
        defaulted.starts_with("def add(item, items=None):\n    if items is None:\n"),
        "{defaulted}"
    );

    // Running the docs command makes the server ask the editor to show the page.
    let result = client.request("workspace/executeCommand", docs["command"].clone());
    assert_eq!(result, Value::Null);
    let shown = client.wait_for("window/showDocument", |m| {
        m["method"] == "window/showDocument"
    });
    assert_eq!(
        shown["params"]["uri"],
        "https://pitfall.dev/rules/none-comparison.html"
    );
    assert_eq!(shown["params"]["external"], true);

    // The edited text is checked again once typing pauses.
    client.change(&uri, 2, &fixed);
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(codes(&diagnostics), ["PF301"]);

    // Hover over the finding explains the rule; elsewhere there is nothing.
    let inside = client.position(&fixed, fixed.find("[]").unwrap() + 1);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": inside}),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("**PF301** `mutable-default-arg`"),
        "{markdown}"
    );
    let doc = std::fs::read_to_string(common::root().join("rules/mutable-default-arg.md")).unwrap();
    let why = doc.split("## Why is this bad?\n").nth(1).unwrap();
    let first_line = why.lines().next().unwrap();
    assert!(markdown.contains(first_line), "{markdown}");
    assert!(
        !markdown.contains("## Example"),
        "only the short explanation"
    );
    assert!(markdown.contains("(https://pitfall.dev/rules/mutable-default-arg.html)"));
    assert_eq!(hover["range"], mutable["range"]);
    let outside = client.position(&fixed, 0);
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": outside}),
    );
    assert_eq!(nothing, Value::Null);

    // Closing the document clears its diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(client.diagnostics(&uri, None), Vec::<Value>::new());

    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn rapid_changes_end_with_the_diagnostics_of_the_last_text() {
    let (mut client, uri, diagnostics, _dir) = session("typing.py", "x = 1\n", &[]);
    assert!(diagnostics.is_empty());
    client.change(&uri, 2, "if x == None");
    client.change(&uri, 3, "if x == None:\n    pass\n");
    client.change(&uri, 4, "if x == None:\n    pass\nexcept_ = lambda: 0\n");
    let diagnostics = client.diagnostics(&uri, Some(4));
    assert_eq!(codes(&diagnostics), ["PF101", "PF304"]);
    // Saving checks at once.
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(
        codes(&client.diagnostics(&uri, Some(4))),
        ["PF101", "PF304"]
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn disable_for_this_line_adds_or_extends_a_noqa_comment() {
    let text = "a = x == None\nb = y == None  # noqa: E501\n";
    let (mut client, uri, diagnostics, _dir) = session("noqa.py", text, &[]);
    assert_eq!(diagnostics.len(), 2);

    let first = client.code_actions(&uri, &diagnostics[0]["range"], None);
    let disable = titled(&first, "Disable PF101");
    assert_eq!(disable["kind"], "quickfix");
    assert!(disable.get("isPreferred").is_none_or(|p| p == false));
    let text = client.apply(text, disable, &uri);
    assert_eq!(
        text,
        "a = x == None  # noqa: PF101\nb = y == None  # noqa: E501\n"
    );

    let second = client.code_actions(&uri, &diagnostics[1]["range"], None);
    let text = client.apply(&text, titled(&second, "Disable PF101"), &uri);
    assert_eq!(
        text,
        "a = x == None  # noqa: PF101\nb = y == None  # noqa: E501, PF101\n"
    );
    client.change(&uri, 2, &text);
    assert!(client.diagnostics(&uri, Some(2)).is_empty());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn fix_all_applies_the_safe_fixes_like_the_command_line() {
    let text = "def f(xs, y=[]):\n    if y == None:\n        return any([x for x in xs])\n    try:\n        pass\n    except:\n        pass\n";
    let (mut client, uri, diagnostics, _dir) = session("fixall.py", text, &[]);
    assert_eq!(codes(&diagnostics), ["PF301", "PF101", "PF206", "PF701"]);
    let everywhere =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}});

    let actions = client.code_actions(&uri, &everywhere, Some(&["source.fixAll"]));
    assert_eq!(actions.len(), 1, "{actions:#?}");
    let fix_all = &actions[0];
    assert_eq!(fix_all["kind"], "source.fixAll.pitfall");
    let fixed = client.apply(text, fix_all, &uri);

    // The same engine as `pitfall check --fix -`: the same result.
    let mut cli = Command::new(env!("CARGO_BIN_EXE_pitfall"))
        .args([
            "check",
            "--fix",
            "--isolated",
            "--stdin-filename",
            "fixall.py",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    cli.stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let expected = String::from_utf8(cli.wait_with_output().unwrap().stdout).unwrap();
    assert_eq!(fixed, expected);
    assert!(fixed.contains("if y is None:") && fixed.contains("any(x for x in xs)"));
    assert!(
        fixed.contains("    except:\n"),
        "unsafe fixes are left alone"
    );
    assert!(fixed.contains("y=[]"), "unsafe fixes are left alone");

    // Asked only for quick fixes, there is no fix-all. Asked for any kind, it comes
    // with the quick fixes of a finding that has a safe fix, but not elsewhere (editors
    // ask on every cursor move, and fixing a whole file is the costly action).
    let is_fix_all = |a: &Value| a["kind"] == "source.fixAll.pitfall";
    let at_none = client.range_of(text, "y == None");
    let quick = client.code_actions(&uri, &at_none, Some(&["quickfix"]));
    titled(&quick, "Fix PF101");
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"), "{quick:#?}");
    let any = client.code_actions(&uri, &at_none, None);
    assert_eq!(any.iter().filter(|a| is_fix_all(a)).count(), 1, "{any:#?}");
    let at_except = client.range_of(text, "except:");
    let any = client.code_actions(&uri, &at_except, None);
    titled(&any, "Fix PF701");
    assert!(!any.iter().any(is_fix_all), "{any:#?}");
    // With nothing safe left to fix, there is no fix-all at all.
    client.change(&uri, 2, &fixed);
    client.diagnostics(&uri, Some(2));
    let none = client.code_actions(&uri, &everywhere, Some(&["source.fixAll.pitfall"]));
    assert!(none.is_empty(), "{none:#?}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn config_comes_from_the_workspace_folder_and_reloads_on_change() {
    let (_dir, root) = project();
    let pyproject = root.join("pyproject.toml");
    std::fs::write(
        &pyproject,
        "[tool.pitfall]\nignore = [\"none-comparison\"]\nextend-exclude = [\"generated\"]\n",
    )
    .unwrap();
    std::fs::create_dir(root.join("pkg")).unwrap();
    // A second folder with a config of its own.
    let (_other_dir, other) = project();
    std::fs::write(other.join("pitfall.toml"), "select = [\"PF1\"]\n").unwrap();
    let capabilities =
        json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    // Started elsewhere, so only the workspace folder's config can apply.
    let elsewhere = tempfile::tempdir().unwrap();
    let mut client = Client::start(elsewhere.path(), capabilities, &[&root, &other], &[]);

    let registration = client.wait_for("client/registerCapability", |m| {
        m["method"] == "client/registerCapability"
    });
    let registered = &registration["params"]["registrations"][0];
    assert_eq!(registered["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = registered["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["globPattern"].as_str().unwrap())
        .collect();
    assert_eq!(
        globs,
        [
            "**/pyproject.toml",
            "**/pitfall.toml",
            "**/*.py",
            "**/*.pyi"
        ]
    );

    let uri = file_uri(&root.join("pkg/app.py"));
    client.open(&uri, SAMPLE);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["PF301"]);
    let in_other = file_uri(&other.join("app.py"));
    client.open(&in_other, SAMPLE);
    assert_eq!(codes(&client.diagnostics(&in_other, Some(1))), ["PF101"]);
    let excluded = file_uri(&root.join("generated/models.py"));
    client.open(&excluded, SAMPLE);
    assert!(client.diagnostics(&excluded, Some(1)).is_empty());

    std::fs::write(
        &pyproject,
        "[tool.pitfall]\nignore = [\"mutable-default-arg\"]\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&pyproject), "type": 2}]}),
    );
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), ["PF101"]);

    // A broken config is reported, and the defaults are used meanwhile.
    std::fs::write(&pyproject, "[tool.pitfall]\nignroe = []\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&pyproject), "type": 2}]}),
    );
    let shown = client.wait_for("window/showMessage", |m| {
        m["method"] == "window/showMessage"
    });
    assert_eq!(shown["params"]["type"], 1, "an error");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap()
            .contains("pyproject.toml"),
        "{shown}"
    );
    assert_eq!(
        codes(&client.diagnostics(&uri, Some(1))),
        ["PF301", "PF101"]
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn positions_count_utf16_code_units_unless_utf8_is_agreed() {
    // `😀` is two UTF-16 code units and four UTF-8 bytes; `é` is one and two.
    let text = "s = '😀é'; t = x == None\n";
    for offered in [json!(["utf-16"]), json!(["utf-8", "utf-16"]), json!(null)] {
        let (_dir, root) = project();
        let capabilities = json!({"general": {"positionEncodings": offered}});
        let mut client = Client::start(&root, capabilities, &[&root], &[]);
        let expected_utf8 = offered.as_array().is_some_and(|o| o[0] == "utf-8");
        assert_eq!(client.utf8, expected_utf8, "offered {offered}");
        let uri = file_uri(&root.join("emoji.py"));
        client.open(&uri, text);
        let diagnostics = client.diagnostics(&uri, Some(1));
        let range = &diagnostics[0]["range"];
        assert_eq!(
            *range,
            client.range_of(text, "x == None"),
            "offered {offered}"
        );
        let start = if expected_utf8 { 18 } else { 15 };
        assert_eq!(range["start"]["character"], start, "offered {offered}");

        let actions = client.code_actions(&uri, range, None);
        let fixed = client.apply(text, titled(&actions, "Fix PF101"), &uri);
        assert_eq!(fixed, "s = '😀é'; t = x is None\n");
        let inside = client.position(text, text.find("None").unwrap());
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": inside}),
        );
        assert_eq!(hover["range"], *range);
        assert_eq!(client.shutdown().code(), Some(0));
    }
}

#[test]
fn a_panic_in_checking_is_logged_and_the_server_lives_on() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: the fault-injection hook exists in debug builds only");
        return;
    }
    let env = [("PITFALL_SERVER_PANIC_ON", "BOOM")];
    let (mut client, uri, diagnostics, _dir) = session("boom.py", "x == None  # BOOM\n", &env);
    assert!(diagnostics.is_empty());
    let logged = client.wait_for("window/logMessage", |m| {
        m["method"] == "window/logMessage" && m["params"]["type"] == 1
    });
    let message = logged["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("boom.py") && message.contains("injected fault"),
        "{message}"
    );
    client.change(&uri, 2, "x == None\n");
    assert_eq!(codes(&client.diagnostics(&uri, Some(2))), ["PF101"]);
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn deeply_nested_code_is_checked_on_a_large_stack() {
    // Just under the walker's depth limit: checked, on the worker's large stack.
    let depth = 2_900;
    let text = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    let (mut client, uri, diagnostics, _dir) = session("deep.py", &text, &[]);
    assert!(diagnostics.is_empty());
    // Past the limit, the file gets one finding that says so.
    let depth = 100_000;
    let text = format!("x = {}1{}\n", "[".repeat(depth), "]".repeat(depth));
    client.change(&uri, 2, &text);
    let diagnostics = client.diagnostics(&uri, Some(2));
    assert_eq!(codes(&diagnostics), ["PF000"]);
    assert!(
        diagnostics[0]["message"]
            .as_str()
            .unwrap()
            .contains("nested more than")
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (_dir, root) = project();
    let mut client = Client::start(&root, json!({}), &[&root], &[]);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait_exit().code(), Some(1));
}

#[test]
fn project_rules_scan_the_workspace_on_open_and_on_file_changes() {
    let (_dir, root) = project();
    std::fs::create_dir(root.join("pkg")).unwrap();
    std::fs::write(root.join("pkg/__init__.py"), "").unwrap();
    let a_text = "from pkg.b import B\n\nA = 1\n";
    std::fs::write(root.join("pkg/a.py"), a_text).unwrap();
    std::fs::write(root.join("pkg/b.py"), "from pkg.a import A\n\nB = 2\n").unwrap();
    let mut client = Client::start(&root, json!({}), &[&root], &[]);
    let a = file_uri(&root.join("pkg/a.py"));
    let b = file_uri(&root.join("pkg/b.py"));

    // Only a.py is open: the cycle through b.py (read from disk) is still found.
    client.open(&a, a_text);
    let diagnostics = client.diagnostics(&a, Some(1));
    assert_eq!(codes(&diagnostics), ["PF801"]);
    let cycle = find(&diagnostics, "PF801");
    assert_eq!(
        cycle["range"],
        client.range_of(a_text, "from pkg.b import B")
    );
    assert!(
        cycle["message"]
            .as_str()
            .unwrap()
            .contains("pkg.a -> pkg.b -> pkg.a"),
        "{cycle}"
    );
    let related = cycle["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 1, "{cycle}");
    assert_eq!(related[0]["location"]["uri"], b.as_str());
    assert_eq!(related[0]["location"]["range"]["start"]["line"], 0);

    // b.py changes on disk and the cycle is gone: the editor says so, a.py is checked again.
    std::fs::write(root.join("pkg/b.py"), "B = 2\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": b, "type": 2}]}),
    );
    let diagnostics = client.diagnostics(&a, Some(1));
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    assert!(client.shutdown().success());
}
