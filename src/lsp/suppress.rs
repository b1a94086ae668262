//! "Suppress" code actions: accept a finding where kmslint reads suppressions.
//!
//! - YAML and HCL: a `# kmslint: ignore[CODE]` comment on a line of its own before the
//!   finding's line, with that line's indentation (the inline ignore drops the rule's findings
//!   on the line after it); a code is added to an ignore comment already there.
//! - JSON (no comments): a `[[suppress]]` entry in the configuration file that governs the
//!   document (a new `kmslint.toml` in the workspace folder when there is none and the client
//!   can create files), written as `check --add-suppressions` writes it: the rule, the
//!   document's path from the configuration's folder, and the `Sid` of the statement holding
//!   the finding (none, for the whole file, when it has none), appended after a blank line.
//!
//! Like fixes, each is proven before it is offered: the document is linted again with the
//! comment, or with the settings of the new configuration, and the finding must be gone with
//! nothing new.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use lsp_types::{CodeAction, CodeActionKind, DocumentChanges, Position, Range, TextEdit, Uri};

use super::fix::{EditSupport, Target, create_file, document_edit, text_document_edit};
use crate::config::{self, NewSuppression};
use crate::diagnostic::Diagnostic;
use crate::engine::FileReport;
use crate::fixer;
use crate::globs::{RelPath, absolute};
use crate::rule::Edit;
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::suppress::inline_ignore;

/// The name of a configuration file the server creates.
pub const NEW_CONFIG: &str = "kmslint.toml";

/// The reason a new `[[suppress]]` entry gives, until its author writes the real one.
pub const REASON: &str = "accepted in the editor";

/// The "suppress for this line" actions (YAML, HCL) for the diagnostics `wanted`.
pub fn comments(t: &Target<'_>, wanted: &[usize]) -> Vec<CodeAction> {
    let mut out: Vec<(Edit, Vec<usize>, String)> = Vec::new();
    for &i in wanted {
        let Some(d) = t.report.diagnostics.get(i) else {
            continue;
        };
        let code = d.rule.code();
        let Some(edit) = comment_edit(&t.doc.source, code, d.span.start) else {
            continue;
        };
        if let Some((_, indexes, _)) = out.iter_mut().find(|(e, _, _)| *e == edit) {
            indexes.push(i);
            continue;
        }
        out.push((edit, vec![i], format!("Suppress {code} for this line")));
    }
    out.into_iter()
        .filter(|(edit, indexes, _)| comment_suppresses(t, indexes, edit))
        .map(|(edit, indexes, title)| CodeAction {
            title,
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(t.diagnostics(&indexes)),
            edit: Some(t.edit(&[(edit.span, edit.content)])),
            is_preferred: Some(false),
            ..CodeAction::default()
        })
        .collect()
}

/// Whether the document with `edit` made still parses and holds its policies, and has the
/// findings `indexes` fewer times and nothing new. Findings are compared by rule and policy:
/// a message may name a line number, which the new line moves.
fn comment_suppresses(t: &Target<'_>, indexes: &[usize], edit: &Edit) -> bool {
    let Some(text) = fixer::apply(&t.doc.source.text, &[edit]) else {
        return false;
    };
    let s = &t.doc.source;
    let after = (t.relint)(&SourceFile::new(s.path.clone(), s.fs_path.clone(), text));
    fewer(t.report, &after, indexes)
}

/// The edit that makes the inline ignore before the line of `at` name `code`: the code added
/// to the ignore comment on the line before, or a new comment line with the line's
/// indentation. `None` when the comment there cannot take it (no closing `]`, or it names
/// the code already).
pub fn comment_edit(source: &SourceFile, code: &str, at: u32) -> Option<Edit> {
    let text = source.text.as_str();
    let starts = source.line_starts();
    let line = source.line_col(at).line as usize;
    let start = *starts.get(line.checked_sub(1)?)? as usize;
    let rest = text.get(start..)?;
    let end = start + rest.find('\n').unwrap_or(rest.len());
    let this = &text[start..end];
    let indent = &this[..this.len() - this.trim_start_matches([' ', '\t']).len()];
    if line >= 2 {
        let before = *starts.get(line - 2)? as usize;
        let raw = &text[before..start];
        let prev = raw.strip_suffix('\n').unwrap_or(raw);
        let prev = prev.strip_suffix('\r').unwrap_or(prev);
        if let Some(c) = inline_ignore(prev, before as u32, line as u32 - 1) {
            if c.unclosed || c.codes.iter().any(|(_, c)| c.eq_ignore_ascii_case(code)) {
                return None;
            }
            let directive = text.get(c.directive.start as usize..c.directive.end as usize)?;
            return Some(if directive.ends_with(']') {
                let close = c.directive.end - 1;
                let sep = if c.codes.is_empty() { "" } else { ", " };
                Edit::insert(close, format!("{sep}{code}"))
            } else {
                // `# kmslint: ignore reason`: the list goes after `ignore`.
                Edit::insert(c.directive.end, format!("[{code}]"))
            });
        }
    }
    let newline = if this.ends_with('\r') { "\r\n" } else { "\n" };
    Some(Edit::insert(
        start as u32,
        format!("{indent}# kmslint: ignore[{code}]{newline}"),
    ))
}

/// The configuration file a `[[suppress]]` entry goes to.
#[derive(Debug)]
pub enum Place {
    /// The configuration that governs the document: its text as the editor or the disk has
    /// it, and the editor's version when it is open.
    Existing {
        path: PathBuf,
        uri: Uri,
        text: String,
        version: Option<i32>,
    },
    /// None governs it: a new file.
    New { path: PathBuf, uri: Uri },
}

impl Place {
    fn path(&self) -> &Path {
        match self {
            Place::Existing { path, .. } | Place::New { path, .. } => path,
        }
    }

    fn text(&self) -> &str {
        match self {
            Place::Existing { text, .. } => text,
            Place::New { .. } => "",
        }
    }
}

/// The "suppress" actions (JSON) for the diagnostics `wanted`: a `[[suppress]]` entry in the
/// configuration at `place`. `settings` are the document's; `lint_with` lints it with other
/// settings.
pub fn entries(
    t: &Target<'_>,
    wanted: &[usize],
    place: &Place,
    settings: &Settings,
    lint_with: &dyn Fn(&Settings) -> FileReport,
) -> Vec<CodeAction> {
    let Some(file) = t.doc.source.fs_path.as_deref().map(absolute) else {
        return Vec::new();
    };
    let Some(dir) = place.path().parent() else {
        return Vec::new();
    };
    let Some(rel) = RelPath::new(&file, dir) else {
        return Vec::new();
    };
    let path = config::path_glob(rel.as_str());
    let mut out: Vec<(NewSuppression, Vec<usize>)> = Vec::new();
    for &i in wanted {
        let Some(d) = t.report.diagnostics.get(i) else {
            continue;
        };
        let entry = NewSuppression {
            rule: d.rule.code().to_string(),
            path: path.clone(),
            sid: d.sid.clone(),
            reason: REASON.to_string(),
        };
        match out.iter_mut().find(|(e, _)| *e == entry) {
            Some((_, indexes)) => indexes.push(i),
            None => out.push((entry, vec![i])),
        }
    }
    out.into_iter()
        .filter_map(|(entry, indexes)| {
            let new_text = config::appended(place.text(), &entry.toml());
            // The text before the entry is kept: what is added follows it.
            let content = new_text.get(place.text().len()..)?.to_string();
            if !suppresses(t, &indexes, place, &new_text, &rel, settings, lint_with) {
                return None;
            }
            let range = Range {
                start: end_position(place.text()),
                end: end_position(place.text()),
            };
            let edit = TextEdit {
                range,
                new_text: content,
            };
            let edit = match place {
                Place::Existing { uri, version, .. } => {
                    document_edit(t.support, uri, *version, vec![edit])
                }
                Place::New { uri, .. } => lsp_types::WorkspaceEdit {
                    document_changes: Some(DocumentChanges::Operations(vec![
                        create_file(uri),
                        lsp_types::DocumentChangeOperation::Edit(text_document_edit(
                            uri,
                            None,
                            vec![edit],
                        )),
                    ])),
                    ..lsp_types::WorkspaceEdit::default()
                },
            };
            Some(CodeAction {
                title: title(&entry),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(t.diagnostics(&indexes)),
                edit: Some(edit),
                is_preferred: Some(false),
                ..CodeAction::default()
            })
        })
        .collect()
}

/// What a `[[suppress]]` entry action says it does.
fn title(entry: &NewSuppression) -> String {
    match &entry.sid {
        Some(sid) => format!("Suppress {} in statement `{sid}`", entry.rule),
        None => format!("Suppress {} in this file", entry.rule),
    }
}

/// The LSP position of the end of a text (UTF-16 columns; a byte-order mark is one unit).
fn end_position(text: &str) -> Position {
    let line = text.matches('\n').count() as u32;
    let last = text.rsplit('\n').next().unwrap_or_default();
    Position {
        line,
        character: last.encode_utf16().count() as u32,
    }
}

/// Whether the configuration `new_text` at `place` suppresses the diagnostics `indexes` of the
/// document: it is a valid configuration, and the document linted with its `[[suppress]]`
/// entries loses those findings and gains none.
fn suppresses(
    t: &Target<'_>,
    indexes: &[usize],
    place: &Place,
    new_text: &str,
    rel: &RelPath,
    settings: &Settings,
    lint_with: &dyn Fn(&Settings) -> FileReport,
) -> bool {
    let path = place.path();
    let Some(dir) = path.parent() else {
        return false;
    };
    let source = SourceFile::new(
        crate::paths::display_path(path),
        Some(path.to_path_buf()),
        new_text.to_string(),
    );
    let Ok(config) = config::parse(source, dir.to_path_buf()) else {
        return false;
    };
    let mut settings = settings.clone();
    settings.suppressions = config
        .suppressions
        .iter()
        .filter(|s| s.applies_to(Some(rel)))
        .cloned()
        .collect();
    let after = lint_with(&settings);
    fewer(t.report, &after, indexes)
}

/// A finding as compared before and after: rule and policy.
type Key<'a> = (&'a str, Option<&'a str>);

fn key(d: &Diagnostic) -> Key<'_> {
    (d.rule.code(), d.policy.as_deref())
}

/// Whether `after` has each of the findings `gone` of `before` fewer times, and nothing
/// `before` did not have.
fn fewer(before: &FileReport, after: &FileReport, gone: &[usize]) -> bool {
    let mut allowed: HashMap<Key<'_>, isize> = HashMap::new();
    for d in &before.diagnostics {
        *allowed.entry(key(d)).or_default() += 1;
    }
    for d in gone.iter().filter_map(|&i| before.diagnostics.get(i)) {
        *allowed.entry(key(d)).or_default() -= 1;
    }
    after.diagnostics.iter().all(|d| {
        let n = allowed.entry(key(d)).or_default();
        *n -= 1;
        *n >= 0
    }) && after.policies == before.policies
}

/// Where a new configuration file goes: in the deepest workspace folder that holds the
/// document, else in the document's folder.
pub fn new_config_dir(document: &Path, roots: &[PathBuf]) -> Option<PathBuf> {
    let folder = document.parent()?;
    roots
        .iter()
        .filter(|r| folder.starts_with(r))
        .max_by_key(|r| r.components().count())
        .cloned()
        .or_else(|| Some(folder.to_path_buf()))
}

/// The support the client needs for a `[[suppress]]` entry at `place`.
pub fn can_write(support: EditSupport, place: &Place) -> bool {
    match place {
        Place::Existing { .. } => true,
        Place::New { .. } => support.create_files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edited(text: &str, code: &str, line: usize) -> Option<String> {
        let source = SourceFile::new("s.yaml", None, text.to_string());
        let at = source.line_starts()[line] + 2;
        let edit = comment_edit(&source, code, at)?;
        let mut out = text.to_string();
        out.replace_range(
            edit.span.start as usize..edit.span.end as usize,
            &edit.content,
        );
        Some(out)
    }

    #[test]
    fn a_comment_line_with_the_line_indentation() {
        let text = "a:\n  - Effect: allow\n";
        assert_eq!(
            edited(text, "KMS016", 1).unwrap(),
            "a:\n  # kmslint: ignore[KMS016]\n  - Effect: allow\n"
        );
        let text = "a:\r\n\tb: 1\r\n";
        assert_eq!(
            edited(text, "KMS001", 1).unwrap(),
            "a:\r\n\t# kmslint: ignore[KMS001]\r\n\tb: 1\r\n"
        );
        // The first line.
        assert_eq!(
            edited("Effect: x\n", "KMS016", 0).unwrap(),
            "# kmslint: ignore[KMS016]\nEffect: x\n"
        );
    }

    #[test]
    fn a_code_is_added_to_an_ignore_comment_already_there() {
        let text = "a:\n  # kmslint: ignore[KMS003] admins\n  b: 1\n";
        assert_eq!(
            edited(text, "KMS016", 2).unwrap(),
            "a:\n  # kmslint: ignore[KMS003, KMS016] admins\n  b: 1\n"
        );
        let text = "a:\n  // kmslint: ignore[] why\n  b = 1\n";
        assert_eq!(
            edited(text, "KMS016", 2).unwrap(),
            "a:\n  // kmslint: ignore[KMS016] why\n  b = 1\n"
        );
        let text = "a:\n  # kmslint: ignore admins\n  b: 1\n";
        assert_eq!(
            edited(text, "KMS016", 2).unwrap(),
            "a:\n  # kmslint: ignore[KMS016] admins\n  b: 1\n"
        );
        // Unclosed, or naming the code already: nothing.
        assert_eq!(
            edited("# kmslint: ignore[KMS003\nb: 1\n", "KMS016", 1),
            None
        );
        assert_eq!(
            edited("# kmslint: ignore[kms016]\nb: 1\n", "KMS016", 1),
            None
        );
    }

    #[test]
    fn titles_say_what_the_entry_covers() {
        let mut entry = NewSuppression {
            rule: "KMS003".to_string(),
            path: "./k.json".to_string(),
            sid: Some("Admins".to_string()),
            reason: REASON.to_string(),
        };
        assert_eq!(title(&entry), "Suppress KMS003 in statement `Admins`");
        entry.sid = None;
        assert_eq!(title(&entry), "Suppress KMS003 in this file");
    }

    #[test]
    fn the_end_of_a_text_in_utf16_units() {
        assert_eq!(end_position(""), Position::new(0, 0));
        assert_eq!(end_position("a = 1\n"), Position::new(1, 0));
        assert_eq!(end_position("a\nbé😀"), Position::new(1, 4));
    }

    #[test]
    fn new_configurations_go_to_the_workspace_folder() {
        let roots = [PathBuf::from("/w"), PathBuf::from("/w/inner")];
        let d = |p: &str| new_config_dir(Path::new(p), &roots);
        assert_eq!(d("/w/inner/keys/k.json"), Some(PathBuf::from("/w/inner")));
        assert_eq!(d("/w/k.json"), Some(PathBuf::from("/w")));
        assert_eq!(d("/elsewhere/k.json"), Some(PathBuf::from("/elsewhere")));
    }
}
