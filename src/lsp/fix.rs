//! Code actions from the fixes findings carry: one `quickfix` per fix (preferred when safe),
//! and `source.fixAll.kmslint`, every safe fix of the document applied by the fixer `check
//! --fix` uses, so the editor and the command line give the same text.
//!
//! Nothing here knows a rule: a fix is what the rule attached to its finding, in the file's
//! coordinates. Every edit is proven before it is offered, as `check --fix` proves its own:
//! the fixed text is linted again, and it must still parse, hold its policies, lose the
//! finding and gain none.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, DocumentChangeOperation, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, TextDocumentEdit, TextEdit, Uri, WorkspaceEdit,
};

use super::convert;
use super::document::Document;
use crate::diagnostic::Diagnostic;
use crate::engine::FileReport;
use crate::fixer;
use crate::rule::{Applicability, Fix};
use crate::source::SourceFile;
use crate::tree::Span;

/// The kind of the action that applies every safe fix of a document.
pub const FIX_ALL: &str = "source.fixAll.kmslint";

/// The title of that action.
pub const FIX_ALL_TITLE: &str = "Apply all safe kmslint fixes";

/// What the client can apply, from its `initialize` capabilities.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EditSupport {
    /// `workspace.workspaceEdit.documentChanges`: edits name the document version they are for.
    pub document_changes: bool,
    /// `resourceOperations` has `create` (with `documentChanges`): an edit may create a file.
    pub create_files: bool,
}

impl EditSupport {
    pub fn of(initialize_params: &serde_json::Value) -> EditSupport {
        let edit = &initialize_params["capabilities"]["workspace"]["workspaceEdit"];
        let document_changes = edit["documentChanges"].as_bool() == Some(true);
        let create = edit["resourceOperations"]
            .as_array()
            .is_some_and(|ops| ops.iter().any(|o| o.as_str() == Some("create")));
        EditSupport {
            document_changes,
            create_files: document_changes && create,
        }
    }
}

/// Whether a request's `only` asks for actions of `kind`: kinds are hierarchical, so `source`
/// and `source.fixAll` ask for `source.fixAll.kmslint`; no `only` asks for every kind.
pub fn wants(only: Option<&[CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            k.is_empty()
                || kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

/// A linted document and how to lint a changed text of it the same way.
pub struct Target<'a> {
    pub uri: &'a Uri,
    pub doc: &'a Document,
    /// The document's report, for `doc.version`.
    pub report: &'a FileReport,
    /// Lints a text of the document with its settings, as the server lints the document.
    pub relint: &'a dyn Fn(&SourceFile) -> FileReport,
    pub support: EditSupport,
}

impl Target<'_> {
    /// The LSP form of some of the report's diagnostics.
    pub fn diagnostics(&self, indexes: &[usize]) -> Vec<lsp_types::Diagnostic> {
        indexes
            .iter()
            .filter_map(|&i| self.report.diagnostics.get(i))
            .map(|d| convert::diagnostic(&self.doc.source, self.uri, d))
            .collect()
    }

    /// Edits of the document (byte spans), as the client can take them: for the version
    /// linted when it supports versioned edits.
    pub fn edit(&self, edits: &[(Span, String)]) -> WorkspaceEdit {
        let edits: Vec<TextEdit> = edits
            .iter()
            .map(|(span, text)| TextEdit {
                range: self.doc.range(*span),
                new_text: text.clone(),
            })
            .collect();
        document_edit(self.support, self.uri, Some(self.doc.version), edits)
    }

    /// Whether `fix`, applied for the diagnostics `indexes`, is what `check --fix` would keep:
    /// the fixer applies it and lints the text again, and the text must parse, hold as many
    /// policies, lose those findings and gain none.
    pub fn proves(&self, indexes: &[usize], fix: &Fix) -> bool {
        if indexes.is_empty() {
            return false;
        }
        let diagnostics = self
            .report
            .diagnostics
            .iter()
            .enumerate()
            .map(|(i, d)| Diagnostic {
                fix: indexes.contains(&i).then(|| fix.clone()),
                ..d.clone()
            })
            .collect();
        let report = FileReport {
            diagnostics,
            policies: self.report.policies,
            ..FileReport::default()
        };
        // Only this fix: the other fixes of the text linted again are not applied.
        let relint = |s: &SourceFile| {
            let mut r = (self.relint)(s);
            for d in &mut r.diagnostics {
                d.fix = None;
            }
            r
        };
        let fixed = fixer::fix_file(self.source(), report, true, &relint);
        fixed.fixed == indexes.len() && fixed.changed(&self.doc.source.text)
    }

    /// A copy of the document's text to fix.
    fn source(&self) -> SourceFile {
        let s = &self.doc.source;
        SourceFile::new(s.path.clone(), s.fs_path.clone(), s.text.clone())
    }
}

/// A workspace edit of one document: a versioned document change when the client supports
/// them, else a plain change.
pub fn document_edit(
    support: EditSupport,
    uri: &Uri,
    version: Option<i32>,
    edits: Vec<TextEdit>,
) -> WorkspaceEdit {
    if support.document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![text_document_edit(
                uri, version, edits,
            )])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

pub fn text_document_edit(
    uri: &Uri,
    version: Option<i32>,
    edits: Vec<TextEdit>,
) -> TextDocumentEdit {
    TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier {
            uri: uri.clone(),
            version,
        },
        edits: edits.into_iter().map(OneOf::Left).collect(),
    }
}

/// An operation of a workspace edit that creates a file (never over an existing one).
pub fn create_file(uri: &Uri) -> DocumentChangeOperation {
    DocumentChangeOperation::Op(lsp_types::ResourceOp::Create(lsp_types::CreateFile {
        uri: uri.clone(),
        options: Some(lsp_types::CreateFileOptions {
            overwrite: Some(false),
            ignore_if_exists: Some(true),
        }),
        annotation_id: None,
    }))
}

/// One `quickfix` per fix attached to the diagnostics `wanted` (indexes into the report):
/// the fix's title, its edits, preferred when safe, with every diagnostic it resolves. A fix
/// the fixer would not keep is not offered.
pub fn quick_fixes(t: &Target<'_>, wanted: &[usize]) -> Vec<CodeAction> {
    // The same fix on several findings (one condition for two) is one action.
    let mut groups: Vec<(&Fix, Vec<usize>)> = Vec::new();
    for &i in wanted {
        let Some(fix) = t.report.diagnostics.get(i).and_then(|d| d.fix.as_ref()) else {
            continue;
        };
        if fix.edits.is_empty() || groups.iter().any(|(f, _)| *f == fix) {
            continue;
        }
        let all: Vec<usize> = t
            .report
            .diagnostics
            .iter()
            .enumerate()
            .filter(|(_, d)| d.fix.as_ref() == Some(fix))
            .map(|(j, _)| j)
            .collect();
        groups.push((fix, all));
    }
    groups
        .into_iter()
        .filter(|(fix, indexes)| t.proves(indexes, fix))
        .map(|(fix, indexes)| {
            let edits: Vec<(Span, String)> = fix
                .edits
                .iter()
                .map(|e| (e.span, e.content.clone()))
                .collect();
            CodeAction {
                title: fix.title.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(t.diagnostics(&indexes)),
                edit: Some(t.edit(&edits)),
                is_preferred: Some(fix.applicability == Applicability::Safe),
                ..CodeAction::default()
            }
        })
        .collect()
}

/// `source.fixAll.kmslint`: the document as `check --fix` leaves it (the safe fixes, applied
/// and proven by the same fixer), as one edit replacing what changed. `None` when no safe fix
/// changes it.
pub fn fix_all(t: &Target<'_>) -> Option<CodeAction> {
    let safe = |d: &Diagnostic| d.fix.as_ref().is_some_and(|f| fixer::wanted(f, false));
    if !t.report.diagnostics.iter().any(safe) {
        return None;
    }
    let report = FileReport {
        diagnostics: t.report.diagnostics.clone(),
        policies: t.report.policies,
        ..FileReport::default()
    };
    let fixed = fixer::fix_file(t.source(), report, false, t.relint);
    let (span, content) = difference(&t.doc.source.text, &fixed.source.text)?;
    Some(CodeAction {
        title: FIX_ALL_TITLE.to_string(),
        kind: Some(CodeActionKind::from(FIX_ALL)),
        edit: Some(t.edit(&[(span, content)])),
        ..CodeAction::default()
    })
}

/// The one replacement that turns `old` into `new`: the span of `old` between what they
/// share at the start and at the end, and what `new` has there. `None` when they are equal.
pub fn difference(old: &str, new: &str) -> Option<(Span, String)> {
    if old == new {
        return None;
    }
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let mut prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let room = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(room)
        .take_while(|(x, y)| x == y)
        .count();
    while !old.is_char_boundary(a.len() - suffix) || !new.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    let span = Span::new(prefix as u32, (a.len() - suffix) as u32);
    Some((span, new[prefix..b.len() - suffix].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &str, new: &str) -> String {
        let (span, content) = difference(old, new).unwrap();
        let mut out = old.to_string();
        out.replace_range(span.start as usize..span.end as usize, &content);
        out
    }

    #[test]
    fn the_difference_is_one_replacement_on_character_boundaries() {
        assert_eq!(difference("abc", "abc"), None);
        assert_eq!(
            difference("{\"Effect\": \"allow\"}", "{\"Effect\": \"Allow\"}"),
            Some((Span::new(12, 13), "A".to_string()))
        );
        // Inserted text that repeats what follows it: the span stays inside the text.
        assert_eq!(
            difference("aa", "aaa"),
            Some((Span::new(2, 2), "a".to_string()))
        );
        // `é` (c3 a9) and `è` (c3 a8) share their first byte: the whole character is replaced.
        assert_eq!(
            difference("xéy", "xèy"),
            Some((Span::new(1, 3), "è".to_string()))
        );
        for (old, new) in [
            ("", "x"),
            ("x", ""),
            ("😀😀", "😀"),
            ("a😀b", "a😁b"),
            ("ab\r\n", "a\r\nb\r\n"),
        ] {
            assert_eq!(apply(old, new), new, "{old:?} -> {new:?}");
        }
    }

    #[test]
    fn only_filters_by_kind_hierarchy() {
        let k = |s: &str| CodeActionKind::from(s.to_string());
        assert!(wants(None, FIX_ALL));
        assert!(wants(Some(&[k("source.fixAll")]), FIX_ALL));
        assert!(wants(Some(&[k("source")]), FIX_ALL));
        assert!(wants(Some(&[k("source.fixAll.kmslint")]), FIX_ALL));
        assert!(!wants(Some(&[k("source.fixAll")]), "quickfix"));
        assert!(!wants(Some(&[k("source.fix")]), FIX_ALL));
        assert!(!wants(Some(&[k("quick")]), "quickfix"));
        assert!(wants(Some(&[k("refactor"), k("quickfix")]), "quickfix"));
    }

    #[test]
    fn edit_support_from_client_capabilities() {
        let caps = |v: serde_json::Value| EditSupport::of(&serde_json::json!({"capabilities": v}));
        assert_eq!(caps(serde_json::json!({})), EditSupport::default());
        let both = serde_json::json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename"]}}});
        assert_eq!(
            caps(both),
            EditSupport {
                document_changes: true,
                create_files: true
            }
        );
        // Creating a file needs document changes.
        let create_only =
            serde_json::json!({"workspace": {"workspaceEdit": {"resourceOperations": ["create"]}}});
        assert_eq!(caps(create_only), EditSupport::default());
    }
}
