//! `kmslint lsp`: a language server on standard input and output.
//!
//! Synchronous, on the channels of the `lsp-server` crate, fed by the reader of [`transport`],
//! which bounds every read and answers malformed frames with errors instead of ending.
//! Documents are linted when they are opened and saved, and after [`DEBOUNCE`] of quiet
//! following a change, so a burst of typing is linted once, for its last version. Diagnostics carry the rule's code, a link to its
//! documentation, the secondary labels as related information, and positions in UTF-16 code
//! units. Hover explains action and principal entries. Code actions ([`fix`]) offer the fixes
//! findings carry and every safe fix at once (`source.fixAll.kmslint`, as `check --fix`), and
//! [`suppress`] a way to accept each finding.
//!
//! Every document is linted with the settings [`Server::settings_for`] returns: the nearest
//! configuration file above the document, as `check` finds it, with the command-line options of
//! `kmslint lsp` on top. Configuration files are read again when they change: the client is
//! asked to watch them when it can, and before each lint the files a document's settings come
//! from are looked at again ([`Project::refresh`]). A broken configuration file is shown
//! ([`configuration`]) and its documents are linted with the command line's settings.

pub mod configuration;
pub mod convert;
pub mod document;
pub mod fix;
pub mod hover;
pub mod suppress;
pub mod transport;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeResult, MarkupContent, MarkupKind, MessageType, PositionEncodingKind,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::engine::{self, FileReport, Reach};
use crate::extract::InputKind;
use crate::globs::absolute;
use crate::project::{ConfigFile, Overrides, Project};
use crate::settings::Settings;
use crate::source::SourceFile;
use document::Document;

/// How long a document must go without changes before it is linted again.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// Run the server until the client says `exit`: the process exit status the protocol asks
/// for (0 after `shutdown`, 1 without), or why the server could not run or went on.
pub fn main(overrides: &Overrides) -> Result<u8, Vec<String>> {
    let base = overrides.settings().map_err(|e| vec![e])?;
    let project = Project::new(overrides)?;
    let (connection, io_threads) =
        transport::stdio().map_err(|e| vec![format!("kmslint lsp: {e}")])?;
    let served = serve(&connection, base, Some(project));
    // The writer thread ends once every sender is gone.
    drop(connection);
    match (served, io_threads.join()) {
        // A broken connection is why the server stopped, whatever the server made of it.
        (_, Err(e)) | (Err(e), Ok(())) => Err(vec![format!("kmslint lsp: {e}")]),
        (Ok(status), Ok(())) => Ok(status),
    }
}

/// What the server offers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(fix::FIX_ALL),
            ]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

/// Initialize, then serve requests until `exit`. With a `project`, each document gets the
/// configuration discovered from its folder (`kmslint.toml`), with the command line on top.
pub fn serve(
    connection: &Connection,
    base: Settings,
    project: Option<Project>,
) -> Result<u8, String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "kmslint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let server = Server {
        connection,
        base,
        project,
        documents: HashMap::new(),
        due: HashMap::new(),
        shutting_down: false,
        shown: HashMap::new(),
        support: fix::EditSupport::of(&params),
        roots: workspace_roots(&params),
    };
    if server.project.is_some() && configuration::client_watches(&params) {
        server.send(configuration::watch_request())?;
    }
    server.run()
}

/// The server's state between messages.
pub struct Server<'c> {
    connection: &'c Connection,
    /// The settings from the command line.
    base: Settings,
    /// Configuration discovery, as `check` does it.
    project: Option<Project>,
    documents: HashMap<Uri, Document>,
    /// Changed documents and when to lint them.
    due: HashMap<Uri, Instant>,
    shutting_down: bool,
    /// The broken configuration files the user was told about, as read then: a file read again
    /// (it changed) and still broken is told again.
    shown: HashMap<PathBuf, Arc<ConfigFile>>,
    /// What workspace edits the client can apply.
    support: fix::EditSupport,
    /// The workspace folders (file paths), where a new configuration file goes.
    roots: Vec<PathBuf>,
}

/// The connection to the client is gone.
struct Disconnected;

impl From<Disconnected> for String {
    fn from(_: Disconnected) -> String {
        "the client closed the connection".to_string()
    }
}

impl Server<'_> {
    /// The settings for a document, by its file path (`None` for unsaved buffers).
    ///
    /// Every lint, hover and code action asks here: the configuration discovered from the
    /// document's folder with the command line on top, as `check` reads a file there. Under a
    /// broken configuration file the command line's settings apply (the user is told once
    /// per read of the file: [`Server::tell_broken`]); other configurations are unaffected.
    pub fn settings_for(&self, path: Option<&Path>) -> Settings {
        let (Some(project), Some(path)) = (&self.project, path) else {
            return self.base.clone();
        };
        match project.config_file(path) {
            Some(file) if file.scope.is_err() => self.base.clone(),
            _ => project.scope_for(path).settings_for(path).into_owned(),
        }
    }

    /// Tell the user, once per read of the file, that the configuration file governing `path`
    /// is broken: a message naming the file, line and column, on standard error too.
    fn tell_broken(&mut self, path: &Path) -> Result<(), Disconnected> {
        let Some(file) = self.project.as_ref().and_then(|p| p.config_file(path)) else {
            return Ok(());
        };
        let Err(e) = &file.scope else {
            self.shown.remove(&file.path);
            return Ok(());
        };
        if self
            .shown
            .get(&file.path)
            .is_some_and(|s| Arc::ptr_eq(s, &file))
        {
            return Ok(());
        }
        let message = configuration::broken_message(e);
        eprintln!("error: {e}");
        self.shown.insert(file.path.clone(), Arc::clone(&file));
        self.send(Notification::new(
            ShowMessage::METHOD.to_string(),
            ShowMessageParams {
                typ: MessageType::ERROR,
                message,
            },
        ))
    }

    /// Whether the configuration files a document's settings come from changed since they were
    /// read (they are then read again).
    fn refresh(&self, uri: &Uri) -> bool {
        let path = self
            .documents
            .get(uri)
            .and_then(|d| d.source.fs_path.as_deref());
        match (&self.project, path) {
            (Some(project), Some(path)) => project.refresh(path),
            _ => false,
        }
    }

    /// Before answering about a document: when its configuration changed, lint every open
    /// document again so that what the editor shows stays in step.
    fn catch_up(&mut self, uri: &Uri) -> Result<(), Disconnected> {
        if self.refresh(uri) {
            self.relint_all()?;
        }
        Ok(())
    }

    fn run(mut self) -> Result<u8, String> {
        loop {
            let next = self.due.values().min().copied();
            let received = match next {
                None => self.connection.receiver.recv().ok(),
                Some(deadline) => match self.connection.receiver.recv_deadline(deadline) {
                    Ok(msg) => Some(msg),
                    Err(e) if e.is_timeout() => {
                        self.lint_due()?;
                        continue;
                    }
                    Err(_) => None,
                },
            };
            // The client went away without `exit`: the status LSP gives an exit without shutdown.
            let Some(msg) = received else {
                return Ok(1);
            };
            match msg {
                Message::Request(req) => self.request(req)?,
                Message::Notification(n) if n.method == lsp_types::notification::Exit::METHOD => {
                    return Ok(if self.shutting_down { 0 } else { 1 });
                }
                Message::Notification(n) => self.notification(n)?,
                Message::Response(r) => {
                    if let Err(e) = r.response_result {
                        eprintln!(
                            "kmslint lsp: the client refused request `{}`: {}",
                            r.id, e.message
                        );
                    }
                }
            }
        }
    }

    fn send(&self, msg: impl Into<Message>) -> Result<(), Disconnected> {
        self.connection
            .sender
            .send(msg.into())
            .map_err(|_| Disconnected)
    }

    fn respond(&self, id: RequestId, result: impl Serialize) -> Result<(), Disconnected> {
        let value = serde_json::to_value(result).unwrap_or(serde_json::Value::Null);
        self.send(Response::new_ok(id, value))
    }

    fn respond_err(
        &self,
        id: RequestId,
        code: ErrorCode,
        message: String,
    ) -> Result<(), Disconnected> {
        self.send(Response::new_err(id, code as i32, message))
    }

    fn request(&mut self, req: Request) -> Result<(), Disconnected> {
        if self.shutting_down {
            return self.respond_err(
                req.id,
                ErrorCode::InvalidRequest,
                "the server is shutting down".to_string(),
            );
        }
        match req.method.as_str() {
            lsp_types::request::Shutdown::METHOD => {
                self.shutting_down = true;
                self.respond(req.id, ())
            }
            HoverRequest::METHOD => match params::<HoverParams>(&req) {
                Ok(p) => {
                    self.catch_up(&p.text_document_position_params.text_document.uri)?;
                    let result = self.hover(&p);
                    self.respond(req.id, result)
                }
                Err(e) => self.respond_err(req.id, ErrorCode::InvalidParams, e),
            },
            CodeActionRequest::METHOD => match params::<CodeActionParams>(&req) {
                Ok(p) => {
                    self.catch_up(&p.text_document.uri)?;
                    let result = self.code_actions(&p);
                    self.respond(req.id, result)
                }
                Err(e) => self.respond_err(req.id, ErrorCode::InvalidParams, e),
            },
            method => self.respond_err(
                req.id,
                ErrorCode::MethodNotFound,
                format!("kmslint does not handle `{method}`"),
            ),
        }
    }

    fn notification(&mut self, n: Notification) -> Result<(), Disconnected> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidOpenTextDocumentParams>(&n)
                else {
                    return Ok(());
                };
                let d = p.text_document;
                let doc = Document::new(&d.uri, &d.language_id, d.version, d.text);
                self.documents.insert(d.uri.clone(), doc);
                self.due.remove(&d.uri);
                self.publish(&d.uri)
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidChangeTextDocumentParams>(&n)
                else {
                    return Ok(());
                };
                let uri = p.text_document.uri;
                if let Some(doc) = self.documents.get_mut(&uri) {
                    doc.apply(&uri, p.text_document.version, p.content_changes);
                    self.due.insert(uri, Instant::now() + DEBOUNCE);
                }
                Ok(())
            }
            DidSaveTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidSaveTextDocumentParams>(&n)
                else {
                    return Ok(());
                };
                let uri = p.text_document.uri;
                self.due.remove(&uri);
                let saved_config = self
                    .documents
                    .get(&uri)
                    .and_then(|d| d.source.fs_path.as_deref())
                    .filter(|p| configuration::is_config(p))
                    .and_then(Path::parent)
                    .map(Path::to_path_buf);
                match (saved_config, &self.project) {
                    // The configuration on disk changed: every document may see it.
                    (Some(dir), Some(project)) => {
                        project.forget(&dir);
                        self.publish_one(&uri)?;
                        self.relint_all()
                    }
                    _ => self.publish(&uri),
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidChangeWatchedFilesParams>(&n)
                else {
                    return Ok(());
                };
                let Some(project) = &self.project else {
                    return Ok(());
                };
                let mut changed = false;
                for event in &p.changes {
                    let dir = document::file_path(&event.uri)
                        .filter(|p| configuration::is_config(p))
                        .and_then(|p| p.parent().map(Path::to_path_buf));
                    if let Some(dir) = dir {
                        project.forget(&dir);
                        changed = true;
                    }
                }
                if changed {
                    self.relint_all()?;
                }
                Ok(())
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = notification_params::<lsp_types::DidCloseTextDocumentParams>(&n)
                else {
                    return Ok(());
                };
                let uri = p.text_document.uri;
                self.due.remove(&uri);
                if self.documents.remove(&uri).is_some() {
                    self.send_diagnostics(uri, Vec::new(), None)?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Lint the documents whose quiet period is over.
    fn lint_due(&mut self) -> Result<(), Disconnected> {
        let now = Instant::now();
        let ready: Vec<Uri> = self
            .due
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(uri, _)| uri.clone())
            .collect();
        for uri in ready {
            // Linting one may have linted the others (its configuration changed).
            if self.due.remove(&uri).is_some() {
                self.publish(&uri)?;
            }
        }
        Ok(())
    }

    /// Lint a document and send its diagnostics; every open document when the configuration
    /// files its settings come from changed.
    fn publish(&mut self, uri: &Uri) -> Result<(), Disconnected> {
        if self.refresh(uri) {
            self.relint_all()?;
            if !self.documents.get(uri).is_some_and(is_config_document) {
                return Ok(());
            }
        }
        self.publish_one(uri)
    }

    /// Lint every open document again, after configuration files changed. An open
    /// configuration file's own diagnostics come from its text, which did not change.
    fn relint_all(&mut self) -> Result<(), Disconnected> {
        let mut uris: Vec<Uri> = self
            .documents
            .iter()
            .filter(|(_, d)| !is_config_document(d))
            .map(|(uri, _)| uri.clone())
            .collect();
        uris.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        // Every change is taken in first, so none of the lints below finds one.
        for uri in &uris {
            self.refresh(uri);
        }
        for uri in &uris {
            self.due.remove(uri);
            self.publish_one(uri)?;
        }
        Ok(())
    }

    /// Lint one document with the settings as they are and send its diagnostics. An open
    /// configuration file is checked instead, as the editor has it.
    fn publish_one(&mut self, uri: &Uri) -> Result<(), Disconnected> {
        let Some(doc) = self.documents.get(uri) else {
            return Ok(());
        };
        let path = doc.source.fs_path.clone();
        if is_config_document(doc) {
            let diagnostics = configuration::diagnostics(doc);
            return self.send_diagnostics(uri.clone(), diagnostics, Some(doc.version));
        }
        let Some(report) = self.lint(doc) else {
            return Ok(());
        };
        let diagnostics = report
            .diagnostics
            .iter()
            .map(|d| convert::diagnostic(&doc.source, uri, d))
            .collect();
        self.send_diagnostics(uri.clone(), diagnostics, Some(doc.version))?;
        match path {
            Some(path) => self.tell_broken(&path),
            None => Ok(()),
        }
    }

    fn send_diagnostics(
        &self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) -> Result<(), Disconnected> {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        ))
    }

    /// Lint a document as it is now. A document that makes the linter fail is reported on
    /// standard error (which editors keep in their log) and left without diagnostics, so one
    /// bad document cannot take the server down.
    fn lint(&self, doc: &Document) -> Option<FileReport> {
        if doc.source.text.len() as u64 > engine::MAX_FILE_SIZE {
            eprintln!(
                "kmslint lsp: not linting {}: larger than the {} MiB limit",
                doc.source.path,
                engine::MAX_FILE_SIZE / (1024 * 1024)
            );
            return Some(FileReport::default());
        }
        let run = std::panic::AssertUnwindSafe(|| self.lint_text(doc, &doc.source));
        match std::panic::catch_unwind(run) {
            Ok(report) => Some(report),
            Err(_) => {
                eprintln!(
                    "error: kmslint failed on {}; please report this with the file",
                    doc.source.path
                );
                None
            }
        }
    }

    /// Lint `source`, a text of `doc` (its own, or a fixed one), as the document is linted.
    fn lint_text(&self, doc: &Document, source: &SourceFile) -> FileReport {
        let settings = self.settings_for(doc.source.fs_path.as_deref());
        // A `.tf` file on disk is read with the other files of its Terraform module.
        if doc.kind == InputKind::Hcl
            && let Some(path) = &doc.source.fs_path
        {
            let settings_for = |p: &std::path::Path| self.settings_for(Some(p));
            let (linted, report) = crate::loader::lint_buffer_in_module(
                path,
                source.text.clone(),
                Reach::Opened,
                &settings_for,
            );
            // The report's spans index the same text.
            debug_assert_eq!(linted.text, source.text);
            return report;
        }
        engine::lint_source(source, doc.kind, Reach::Opened, &settings)
    }

    fn hover(&self, p: &HoverParams) -> Option<Hover> {
        let at = &p.text_document_position_params;
        let doc = self
            .documents
            .get(&at.text_document.uri)
            .filter(|d| !is_config_document(d))?;
        let settings = self.settings_for(doc.source.fs_path.as_deref());
        let offset = doc.offset(at.position);
        let run =
            std::panic::AssertUnwindSafe(|| hover::hover(&doc.source, doc.kind, &settings, offset));
        let (span, text) = std::panic::catch_unwind(run).ok()??;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(doc.range(span)),
        })
    }

    /// The code actions for a range of a document: the fixes of the findings there (preferred
    /// when safe), a "suppress" action per finding, and every safe fix at once
    /// (`source.fixAll.kmslint`), as the request's `only` asks.
    fn code_actions(&self, p: &CodeActionParams) -> Vec<CodeActionOrCommand> {
        let only = p.context.only.as_deref();
        let quickfix = fix::wants(only, CodeActionKind::QUICKFIX.as_str());
        // Asked for by kind, or by a person: not on every move of the cursor (an automatic
        // request without `only`), where it would fix the whole document to show a light bulb.
        let fix_all = fix::wants(only, fix::FIX_ALL)
            && (only.is_some()
                || p.context.trigger_kind != Some(lsp_types::CodeActionTriggerKind::AUTOMATIC));
        let uri = &p.text_document.uri;
        let Some(doc) = self
            .documents
            .get(uri)
            .filter(|d| (quickfix || fix_all) && !is_config_document(d))
        else {
            return Vec::new();
        };
        let Some(report) = self.lint(doc) else {
            return Vec::new();
        };
        let relint = |s: &SourceFile| self.lint_text(doc, s);
        let target = fix::Target {
            uri,
            doc,
            report: &report,
            relint: &relint,
            support: self.support,
        };
        let run = std::panic::AssertUnwindSafe(|| {
            let mut actions = Vec::new();
            if quickfix {
                let range = doc.span(p.range);
                let wanted: Vec<usize> = report
                    .diagnostics
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| d.span.start <= range.end && range.start <= d.span.end)
                    .map(|(i, _)| i)
                    .collect();
                actions.extend(fix::quick_fixes(&target, &wanted));
                actions.extend(self.suppress_actions(&target, &wanted));
            }
            if fix_all {
                actions.extend(fix::fix_all(&target));
            }
            actions
        });
        match std::panic::catch_unwind(run) {
            Ok(actions) => actions
                .into_iter()
                .map(CodeActionOrCommand::CodeAction)
                .collect(),
            Err(_) => {
                eprintln!(
                    "error: kmslint failed on code actions for {}; please report this with the file",
                    doc.source.path
                );
                Vec::new()
            }
        }
    }

    /// "Suppress" actions for the diagnostics `wanted`: inline ignore comments in YAML and
    /// HCL, `[[suppress]]` entries in the configuration for JSON.
    fn suppress_actions(&self, t: &fix::Target<'_>, wanted: &[usize]) -> Vec<CodeAction> {
        let doc = t.doc;
        match doc.kind.refine(&doc.source.text) {
            InputKind::Yaml | InputKind::Hcl => suppress::comments(t, wanted),
            InputKind::Json | InputKind::Template => {
                let Some(place) = self.suppress_place(doc) else {
                    return Vec::new();
                };
                let settings = self.settings_for(doc.source.fs_path.as_deref());
                let lint_with =
                    |s: &Settings| engine::lint_source(&doc.source, doc.kind, Reach::Opened, s);
                suppress::entries(t, wanted, &place, &settings, &lint_with)
            }
        }
    }

    /// The configuration file a `[[suppress]]` entry for a document goes to: the one that
    /// governs it (as the editor has it when it is open), or a new `kmslint.toml` when none
    /// does and the client can create files. `None` for an unsaved buffer, or under a broken
    /// configuration.
    fn suppress_place(&self, doc: &Document) -> Option<suppress::Place> {
        let project = self.project.as_ref()?;
        let path = doc.source.fs_path.as_deref()?;
        let Some(file) = project.config_file(path) else {
            // Not discovered, yet there is one: a configuration named for every file.
            if project.scope_for(path).config.is_some() {
                return None;
            }
            let dir = suppress::new_config_dir(&absolute(path), &self.roots)?;
            let path = dir.join(suppress::NEW_CONFIG);
            let place = suppress::Place::New {
                uri: document::file_uri(&path)?,
                path,
            };
            return suppress::can_write(self.support, &place).then_some(place);
        };
        file.scope.as_ref().ok()?;
        let open = self.documents.iter().find(|(_, d)| {
            d.source
                .fs_path
                .as_deref()
                .is_some_and(|p| absolute(p) == file.path)
        });
        Some(match open {
            Some((uri, d)) => suppress::Place::Existing {
                path: file.path.clone(),
                uri: uri.clone(),
                text: d.source.text.clone(),
                version: Some(d.version),
            },
            None => suppress::Place::Existing {
                path: file.path.clone(),
                uri: document::file_uri(&file.path)?,
                text: std::fs::read_to_string(&file.path).ok()?,
                version: None,
            },
        })
    }
}

/// The workspace folders of the `initialize` request (or its `rootUri`), as file paths.
fn workspace_roots(params: &serde_json::Value) -> Vec<PathBuf> {
    let uri = |v: &serde_json::Value| {
        v.as_str()
            .and_then(|s| s.parse::<Uri>().ok())
            .and_then(|u| document::file_path(&u))
            .map(|p| absolute(&p))
    };
    let folders: Vec<PathBuf> = params["workspaceFolders"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| uri(&f["uri"]))
        .collect();
    if folders.is_empty() {
        uri(&params["rootUri"]).into_iter().collect()
    } else {
        folders
    }
}

/// Whether a document is a configuration file (checked, never linted as a policy).
fn is_config_document(doc: &Document) -> bool {
    doc.source
        .fs_path
        .as_deref()
        .is_some_and(configuration::is_config)
}

fn params<P: DeserializeOwned>(req: &Request) -> Result<P, String> {
    serde_json::from_value(req.params.clone())
        .map_err(|e| format!("invalid parameters for `{}`: {e}", req.method))
}

/// A notification's parameters; malformed ones are logged and the notification dropped
/// (notifications have no reply to carry an error).
fn notification_params<P: DeserializeOwned>(n: &Notification) -> Option<P> {
    match serde_json::from_value(n.params.clone()) {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!(
                "kmslint lsp: ignoring `{}` with invalid parameters: {e}",
                n.method
            );
            None
        }
    }
}
