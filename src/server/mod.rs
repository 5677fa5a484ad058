//! `pitfall server`: a language server over standard input and output.
//!
//! One thread runs the loop below; each check runs on a worker thread with a large
//! stack and a panic guard ([`isolate`]). Only open documents are checked, from the
//! editor's text: immediately on open and save, and once typing pauses after a change.

mod actions;
mod diagnostics;
mod documents;
mod hover;
mod isolate;
mod positions;
mod project;
mod suppress;
mod workspace;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notify, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidChangeWorkspaceFoldersParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    ExecuteCommandOptions, ExecuteCommandParams, FileSystemWatcher, GlobPattern, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, LogMessageParams, MessageType,
    PublishDiagnosticsParams, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, ShowDocumentParams, ShowMessageParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
    WorkspaceFoldersServerCapabilities, WorkspaceServerCapabilities,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::checker;
use crate::config::{ConfigError, Settings};
use crate::finding::Finding;
use crate::fix::{FixMode, fix_source};
use crate::source::MAX_FILE_BYTES;
use documents::Documents;
use isolate::{injected_fault, isolated};
use positions::{Encoding, LineMap};
use workspace::Workspace;

/// Runs the server until the client says `exit`. Exit status 0 after a `shutdown`
/// request, 1 otherwise (as the protocol asks).
pub fn run() -> ExitCode {
    let (connection, io_threads) = Connection::stdio();
    let status = match serve(&connection) {
        Ok(status) => status,
        Err(error) => {
            eprintln!("pitfall server: {error}");
            ExitCode::from(1)
        }
    };
    // The writer thread ends once every sender is gone.
    drop(connection);
    if let Err(error) = io_threads.join() {
        eprintln!("pitfall server: {error}");
    }
    status
}

fn serve(connection: &Connection) -> Result<ExitCode, String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|error| error.to_string())?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|error| format!("bad initialize: {error}"))?;
    let client = ClientSupport::of(&params);
    let result = InitializeResult {
        capabilities: capabilities(client.encoding),
        server_info: Some(ServerInfo {
            name: "pitfall".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|error| error.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|error| error.to_string())?;
    let workspace = Workspace::new(workspace_folders(&params)).map_err(|e| e.to_string())?;
    let mut server = Server {
        connection,
        client,
        documents: Documents::default(),
        workspace,
        project: None,
        next_id: 0,
    };
    server.watch_config_files();
    server.main_loop()
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::FIX_ALL]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::OPEN_DOCS.to_owned()],
            ..ExecuteCommandOptions::default()
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp_types::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}

/// The folders the client opened; older clients send only a root.
#[allow(deprecated)]
fn workspace_folders(params: &InitializeParams) -> Vec<PathBuf> {
    let uris: Vec<&Url> = match &params.workspace_folders {
        Some(folders) => folders.iter().map(|folder| &folder.uri).collect(),
        None => params.root_uri.iter().collect(),
    };
    uris.into_iter()
        .filter_map(|uri| uri.to_file_path().ok())
        .collect()
}

/// What the client said it can do, as far as the server cares.
struct ClientSupport {
    encoding: Encoding,
    show_document: bool,
    watch_files: bool,
}

impl ClientSupport {
    fn of(params: &InitializeParams) -> Self {
        let caps = &params.capabilities;
        ClientSupport {
            encoding: Encoding::negotiate(
                caps.general
                    .as_ref()
                    .and_then(|general| general.position_encodings.as_deref()),
            ),
            show_document: caps
                .window
                .as_ref()
                .and_then(|window| window.show_document.as_ref())
                .is_some_and(|show| show.support),
            watch_files: caps
                .workspace
                .as_ref()
                .and_then(|workspace| workspace.did_change_watched_files.as_ref())
                .and_then(|watch| watch.dynamic_registration)
                .unwrap_or(false),
        }
    }
}

struct Server<'c> {
    connection: &'c Connection,
    client: ClientSupport,
    documents: Documents,
    workspace: Workspace,
    /// The project-wide findings of the last workspace scan (`None`: not scanned yet).
    project: Option<project::ProjectFindings>,
    next_id: i32,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<ExitCode, String> {
        loop {
            let message = match self.documents.next_due() {
                Some(due) => {
                    let wait = due.saturating_duration_since(Instant::now());
                    match self.connection.receiver.recv_timeout(wait) {
                        Ok(message) => Some(message),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => return Ok(ExitCode::from(1)),
                    }
                }
                None => match self.connection.receiver.recv() {
                    Ok(message) => Some(message),
                    Err(_) => return Ok(ExitCode::from(1)),
                },
            };
            match message {
                Some(Message::Request(request)) => {
                    let is_shutdown = self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|error| error.to_string())?;
                    if is_shutdown {
                        return Ok(ExitCode::SUCCESS);
                    }
                    self.on_request(request);
                }
                Some(Message::Notification(notification)) => {
                    if notification.method == notify::Exit::METHOD {
                        // `exit` without `shutdown` first.
                        return Ok(ExitCode::from(1));
                    }
                    self.on_notification(notification);
                }
                Some(Message::Response(response)) => {
                    if let Err(error) = response.response_result {
                        self.log(MessageType::WARNING, &format!("client: {}", error.message));
                    }
                }
                None => {}
            }
            for uri in self.documents.due_at(Instant::now()) {
                self.check(&uri);
            }
        }
    }

    fn on_request(&mut self, request: Request) {
        let id = request.id.clone();
        let outcome = match request.method.as_str() {
            req::CodeActionRequest::METHOD => {
                parse(request).map(|params| self.code_actions(params).map(to_json))
            }
            req::HoverRequest::METHOD => parse(request).map(|params| Some(self.hover(params))),
            req::ExecuteCommand::METHOD => {
                parse(request).map(|params| Some(self.execute_command(params)))
            }
            _ => {
                let message = format!("pitfall does not handle `{}`", request.method);
                self.respond(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    message,
                ));
                return;
            }
        };
        let response = match outcome {
            Ok(result) => Response::new_ok(id, result.unwrap_or(serde_json::Value::Null)),
            Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        };
        self.respond(response);
    }

    fn on_notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let handled = match method.as_str() {
            notify::DidOpenTextDocument::METHOD => parse(notification).map(|params| {
                let DidOpenTextDocumentParams { text_document } = params;
                let path = self.workspace.path_for(&text_document.uri);
                let uri = text_document.uri;
                self.documents
                    .open(uri.clone(), text_document.text, text_document.version, path);
                if self.project.is_none() {
                    self.scan_project();
                } else {
                    self.check(&uri);
                }
            }),
            notify::DidChangeTextDocument::METHOD => {
                parse(notification).map(|params: DidChangeTextDocumentParams| {
                    // Full-text sync: the last change holds the whole document.
                    if let Some(change) = params.content_changes.into_iter().last() {
                        let document = params.text_document;
                        self.documents
                            .change(&document.uri, change.text, document.version);
                    }
                })
            }
            notify::DidSaveTextDocument::METHOD => {
                parse(notification).map(|params: DidSaveTextDocumentParams| {
                    self.check(&params.text_document.uri);
                    self.scan_project();
                })
            }
            notify::DidCloseTextDocument::METHOD => {
                parse(notification).map(|params: DidCloseTextDocumentParams| {
                    let uri = params.text_document.uri;
                    if self.documents.close(&uri).is_some() {
                        self.publish(uri, Vec::new(), None);
                    }
                })
            }
            notify::DidChangeWatchedFiles::METHOD => {
                parse(notification).map(|params: DidChangeWatchedFilesParams| {
                    let changed =
                        |wanted: fn(&Url) -> bool| params.changes.iter().any(|c| wanted(&c.uri));
                    if changed(workspace::is_config_file) {
                        self.reload_config();
                    } else if changed(project::is_python) {
                        self.scan_project();
                    }
                })
            }
            notify::DidChangeWorkspaceFolders::METHOD => {
                parse(notification).map(|params: DidChangeWorkspaceFoldersParams| {
                    let paths = |folders: Vec<lsp_types::WorkspaceFolder>| -> Vec<PathBuf> {
                        folders
                            .into_iter()
                            .filter_map(|f| f.uri.to_file_path().ok())
                            .collect()
                    };
                    let removed = paths(params.event.removed);
                    self.workspace
                        .set_folders(paths(params.event.added), &removed);
                    self.scan_project();
                })
            }
            // Everything else (`$/cancelRequest`, `$/setTrace`, ...) needs nothing.
            _ => Ok(()),
        };
        if let Err(error) = handled {
            self.log(MessageType::ERROR, &format!("`{method}`: {error}"));
        }
    }

    /// Checks the document and publishes its diagnostics; the findings are kept for
    /// code actions and hover.
    fn check(&mut self, uri: &Url) {
        let Some(document) = self.documents.get(uri) else {
            return;
        };
        let (path, version) = (document.path.clone(), document.version);
        let (settings, config_error) = self.workspace.settings_for(&path);
        let outcome = check_text(&path, &document.text, &settings);
        if let Some(error) = config_error {
            self.config_problem(&error);
        }
        let mut findings = outcome.unwrap_or_else(|error| {
            self.log(MessageType::ERROR, &format!("{}: {error}", path.display()));
            Vec::new()
        });
        // As of the last scan (open or save): their ranges may lag behind unsaved edits.
        if let Some(project) = self.project.as_ref().and_then(|p| p.get(&path)) {
            findings.extend(project.iter().cloned());
            findings.sort();
        }
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        document.due = None;
        let lines = LineMap::new(&document.text, self.client.encoding);
        let diagnostics = findings
            .iter()
            .map(|finding| diagnostics::to_diagnostic(finding, &lines))
            .collect();
        document.checked = Some((version, Arc::new(findings)));
        self.publish(uri.clone(), diagnostics, Some(version));
    }

    /// The findings for the document's current text, checking it first if it changed.
    fn findings(&mut self, uri: &Url) -> Option<Arc<Vec<Finding>>> {
        let document = self.documents.get(uri)?;
        if let Some(findings) = document.current_findings() {
            return Some(findings);
        }
        self.check(uri);
        self.documents.get(uri)?.current_findings()
    }

    fn code_actions(&mut self, params: CodeActionParams) -> Option<CodeActionResponse> {
        let uri = params.text_document.uri;
        let findings = self.findings(&uri)?;
        let only = params.context.only.as_deref();
        let document = self.documents.get(&uri)?;
        let lines = LineMap::new(&document.text, self.client.encoding);
        let doc = actions::Document {
            uri: &uri,
            text: &document.text,
            lines: &lines,
            is_stub: is_stub(&document.path),
        };
        let start = lines.offset(params.range.start);
        let end = lines.offset(params.range.end);
        let mut response = Vec::new();
        if actions::wants(only, &CodeActionKind::QUICKFIX) {
            match isolated(|| actions::quick_fixes(&doc, &findings, start, end)) {
                Ok(quick_fixes) => response.extend(quick_fixes),
                Err(panic) => self.log(MessageType::ERROR, &format!("code actions: {panic}")),
            }
        }
        // Fixing a whole file is the costly action. Editors ask for actions without a
        // kind whenever the cursor moves, so then it is offered only at a finding that
        // has a safe fix; asked for by kind (on save), it is always computed.
        let safe_fixes: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.fix.as_ref().is_some_and(|fix| SAFE_ONLY.allows(fix)))
            .collect();
        let at_safe_fix = safe_fixes
            .iter()
            .any(|f| f.offset <= end && start <= f.offset + f.length);
        let asked = only.is_some() || at_safe_fix;
        if asked && !safe_fixes.is_empty() && actions::wants(only, &actions::FIX_ALL) {
            let path = document.path.clone();
            let (settings, _) = self.workspace.settings_for(&path);
            match fix_all(&path, &document.text, &settings) {
                Ok((fixed, count)) => {
                    response.extend(
                        actions::fix_all(&doc, &fixed, count)
                            .map(lsp_types::CodeActionOrCommand::CodeAction),
                    );
                }
                Err(error) => self.log(MessageType::ERROR, &format!("fix all: {error}")),
            }
        }
        Some(response)
    }

    fn hover(&mut self, params: HoverParams) -> serde_json::Value {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        let Some(findings) = self.findings(&uri) else {
            return serde_json::Value::Null;
        };
        let Some(document) = self.documents.get(&uri) else {
            return serde_json::Value::Null;
        };
        let lines = LineMap::new(&document.text, self.client.encoding);
        let offset = lines.offset(position.position);
        to_json(hover::hover(&findings, offset, &lines))
    }

    fn execute_command(&mut self, params: ExecuteCommandParams) -> serde_json::Value {
        let url = params
            .arguments
            .first()
            .and_then(|argument| argument.as_str())
            .and_then(|text| Url::parse(text).ok());
        match (params.command.as_str(), url) {
            (actions::OPEN_DOCS, Some(url)) if self.client.show_document => {
                let params = ShowDocumentParams {
                    uri: url,
                    external: Some(true),
                    take_focus: Some(true),
                    selection: None,
                };
                self.send_request::<req::ShowDocument>(params);
            }
            (actions::OPEN_DOCS, Some(url)) => {
                self.notify::<notify::ShowMessage>(ShowMessageParams {
                    typ: MessageType::INFO,
                    message: format!("pitfall documentation: {url}"),
                })
            }
            (command, _) => self.log(
                MessageType::WARNING,
                &format!("unknown command or argument: `{command}`"),
            ),
        }
        serde_json::Value::Null
    }

    /// Asks the client to tell the server when a config file changes, where the
    /// client can be asked (dynamic registration).
    fn watch_config_files(&mut self) {
        if !self.client.watch_files {
            return;
        }
        // Python files too: project-wide findings depend on files not open in the editor.
        let watchers = workspace::CONFIG_FILE_NAMES
            .iter()
            .map(|name| format!("**/{name}"))
            .chain(["**/*.py".to_owned(), "**/*.pyi".to_owned()])
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String(glob),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "pitfall-config-files".to_owned(),
            method: notify::DidChangeWatchedFiles::METHOD.to_owned(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.send_request::<req::RegisterCapability>(RegistrationParams {
            registrations: vec![registration],
        });
    }

    /// Runs the project-wide rules over the workspace folders (see `project`), then
    /// publishes every open document again with the new project findings.
    fn scan_project(&mut self) {
        let open = self
            .documents
            .uris()
            .iter()
            .filter_map(|uri| self.documents.get(uri))
            .map(|document| (document.path.clone(), document.text.clone()))
            .collect();
        let folders = self.workspace.folders().to_vec();
        let resolver = self.workspace.resolver().clone();
        match isolated(|| project::scan(&folders, &resolver, &open)).and_then(|scan| scan) {
            Ok(findings) => self.project = Some(findings),
            Err(error) => {
                self.log(MessageType::ERROR, &format!("project-wide rules: {error}"));
                self.project = Some(Default::default());
            }
        }
        for uri in self.documents.uris() {
            self.check(&uri);
        }
    }

    fn reload_config(&mut self) {
        if let Err(error) = self.workspace.reload() {
            self.config_problem(&error);
        }
        self.log(MessageType::INFO, "configuration changed; checking again");
        self.scan_project();
    }

    fn config_problem(&mut self, error: &ConfigError) {
        let message = format!("pitfall: invalid configuration: {error}; using the defaults");
        self.log(MessageType::ERROR, &message);
        self.notify::<notify::ShowMessage>(ShowMessageParams {
            typ: MessageType::ERROR,
            message,
        });
    }

    fn publish(&self, uri: Url, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        self.notify::<notify::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        });
    }

    fn log(&self, typ: MessageType, message: &str) {
        self.notify::<notify::LogMessage>(LogMessageParams {
            typ,
            message: message.to_owned(),
        });
    }

    fn notify<N: notify::Notification>(&self, params: N::Params) {
        let notification = Notification::new(N::METHOD.to_owned(), params);
        let _ = self.connection.sender.send(notification.into());
    }

    fn send_request<R: req::Request>(&mut self, params: R::Params) {
        self.next_id += 1;
        let id = RequestId::from(format!("pitfall-{}", self.next_id));
        let request = Request::new(id, R::METHOD.to_owned(), params);
        let _ = self.connection.sender.send(request.into());
    }

    fn respond(&self, response: Response) {
        let _ = self.connection.sender.send(response.into());
    }
}

/// The findings in `text`, checked as the file `path`; an error says why there are none.
fn check_text(path: &Path, text: &str, settings: &Settings) -> Result<Vec<Finding>, String> {
    if workspace::is_excluded(settings, path) {
        return Ok(Vec::new());
    }
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "too large to check (over {} MiB)",
            MAX_FILE_BYTES >> 20
        ));
    }
    isolated(|| {
        injected_fault(text);
        checker::check_source(path, text.to_owned(), settings, false).findings
    })
    .map_err(|panic| format!("checking failed (this is a bug in pitfall): {panic}"))
}

/// Fix-on-save applies only the fixes that keep the program's meaning.
const SAFE_ONLY: FixMode = FixMode {
    unsafe_fixes: false,
};

/// The safe fixes of the whole document, applied to a fixed point by the fix engine.
fn fix_all(path: &Path, text: &str, settings: &Settings) -> Result<(String, usize), String> {
    let fixed = isolated(|| {
        injected_fault(text);
        fix_source(path, text.to_owned(), settings, SAFE_ONLY, false)
    })?;
    match fixed.refused {
        Some(refused) => Err(refused),
        None => Ok((fixed.text, fixed.count)),
    }
}

fn is_stub(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "pyi")
}

/// A message's params, or why they are not what the method takes.
fn parse<P: DeserializeOwned>(message: impl Into<Params>) -> Result<P, String> {
    serde_json::from_value(message.into().0).map_err(|error| format!("bad params: {error}"))
}

struct Params(serde_json::Value);

impl From<Request> for Params {
    fn from(request: Request) -> Self {
        Params(request.params)
    }
}

impl From<Notification> for Params {
    fn from(notification: Notification) -> Self {
        Params(notification.params)
    }
}

fn to_json(value: impl Serialize) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}
