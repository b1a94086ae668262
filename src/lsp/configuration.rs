//! Configuration files in the editor: watching them, checking an open one, and telling the
//! user about a broken one.

use std::path::Path;

use lsp_server::{Request, RequestId};
use lsp_types::notification::{DidChangeWatchedFiles, Notification as _};
use lsp_types::request::{RegisterCapability, Request as _};
use lsp_types::{
    ClientCapabilities, DiagnosticSeverity, DidChangeWatchedFilesRegistrationOptions,
    FileSystemWatcher, GlobPattern, Registration, RegistrationParams,
};

use super::convert::SOURCE;
use super::document::Document;
use crate::config::{self, CONFIG_NAMES, ConfigError};
use crate::source::SourceFile;
use crate::tree::Span;

/// The id of the registration of the watchers, and of the request that makes it.
pub const WATCH_ID: &str = "kmslint/watch-configuration";

/// Whether a path names a configuration file (`kmslint.toml`, `.kmslint.toml`).
pub fn is_config(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| CONFIG_NAMES.contains(&n))
}

/// Whether the client can be asked to watch files: it registers `didChangeWatchedFiles`
/// dynamically (`InitializeParams.capabilities.workspace.didChangeWatchedFiles`).
pub fn client_watches(initialize_params: &serde_json::Value) -> bool {
    initialize_params
        .get("capabilities")
        .cloned()
        .and_then(|c| serde_json::from_value::<ClientCapabilities>(c).ok())
        .and_then(|c| c.workspace?.did_change_watched_files?.dynamic_registration)
        .unwrap_or(false)
}

/// The request asking the client to report every configuration file created, changed or
/// deleted in the workspace.
pub fn watch_request() -> Request {
    let options = DidChangeWatchedFilesRegistrationOptions {
        watchers: CONFIG_NAMES
            .iter()
            .map(|name| FileSystemWatcher {
                glob_pattern: GlobPattern::String(format!("**/{name}")),
                kind: None,
            })
            .collect(),
    };
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: WATCH_ID.to_string(),
            method: DidChangeWatchedFiles::METHOD.to_string(),
            register_options: serde_json::to_value(options).ok(),
        }],
    };
    Request::new(
        RequestId::from(WATCH_ID.to_string()),
        RegisterCapability::METHOD.to_string(),
        params,
    )
}

/// What the user is told when a configuration file cannot be used.
pub fn broken_message(e: &ConfigError) -> String {
    format!("kmslint: {e} (the documents it governs are linted without it until it is fixed)")
}

/// The problem with an open configuration file as the editor has it, at its place: none when
/// the text is a valid configuration.
pub fn diagnostics(doc: &Document) -> Vec<lsp_types::Diagnostic> {
    let Some(path) = &doc.source.fs_path else {
        return Vec::new();
    };
    if doc.source.text.len() as u64 > crate::engine::MAX_FILE_SIZE {
        return Vec::new();
    }
    let dir = crate::globs::absolute(path)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let source = SourceFile::new(
        doc.source.path.clone(),
        Some(path.clone()),
        doc.source.text.clone(),
    );
    let check = std::panic::AssertUnwindSafe(|| config::parse(source, dir).err());
    let error = match std::panic::catch_unwind(check) {
        Ok(error) => error,
        Err(_) => {
            eprintln!(
                "error: kmslint failed on {}; please report this with the file",
                doc.source.path
            );
            None
        }
    };
    error
        .into_iter()
        .map(|e| {
            let len = doc.source.text.len();
            let range = e.span.map_or_else(lsp_types::Range::default, |s| {
                let (start, end) = (s.start.min(len) as u32, s.end.min(len) as u32);
                doc.range(Span::new(start, end.max(start)))
            });
            lsp_types::Diagnostic {
                range,
                severity: Some(DiagnosticSeverity::ERROR),
                source: Some(SOURCE.to_string()),
                message: e.message,
                ..lsp_types::Diagnostic::default()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Uri};
    use serde_json::json;

    use super::*;

    #[test]
    fn configuration_files_by_name() {
        assert!(is_config(Path::new("/a/kmslint.toml")));
        assert!(is_config(Path::new("/a/.kmslint.toml")));
        assert!(!is_config(Path::new("/a/kmslint.toml.bak")));
        assert!(!is_config(Path::new("/a/pyproject.toml")));
    }

    #[test]
    fn watching_needs_dynamic_registration() {
        let caps = |v| json!({"processId": null, "capabilities": v});
        assert!(client_watches(&caps(
            json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
        )));
        assert!(!client_watches(&caps(
            json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}}})
        )));
        assert!(!client_watches(&caps(json!({}))));
        assert!(!client_watches(&json!({"capabilities": 5})));
        assert!(!client_watches(&json!(null)));
    }

    #[test]
    fn an_open_configuration_shows_its_problem_where_it_is() {
        let uri = Uri::from_str("file:///repo/kmslint.toml").unwrap();
        // `é` is two bytes and one UTF-16 unit.
        let text = "# é\nselect = [\"KMS999\"]\n".to_string();
        let doc = Document::new(&uri, "toml", 1, text);
        let d = diagnostics(&doc);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].range.start, Position::new(1, 10));
        assert_eq!(d[0].range.end, Position::new(1, 18));
        assert_eq!(d[0].source.as_deref(), Some("kmslint"));
        assert!(
            d[0].message.starts_with("`select`: `KMS999`"),
            "{}",
            d[0].message
        );
        let doc = Document::new(&uri, "toml", 1, "select = [\"KMS002\"]\n".to_string());
        assert!(diagnostics(&doc).is_empty());
    }
}
