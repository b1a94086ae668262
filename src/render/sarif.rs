//! SARIF 2.1.0 as GitHub code scanning reads it: one run whose driver lists every rule with
//! its documentation, and one result per finding with a full region (columns in UTF-16 code
//! units, declared by `columnKind`), a URI relative to the working directory and a stable
//! partial fingerprint. A finding with a fix carries it as `fixes` (§3.55): one change to the
//! result's file whose replacements are the fix's edits, in the same regions, with the fix's
//! applicability in its property bag.

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::rule::{Applicability, Fix, RuleGroup, RuleRef, Severity};
use crate::source::SourceFile;
use crate::tree::Span;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The base that relative URIs are resolved against: the folder kmslint ran in.
const SRCROOT: &str = "%SRCROOT%";
/// Key of kmslint's fingerprint in `partialFingerprints` (versioned, as SARIF recommends).
pub const FINGERPRINT_KEY: &str = "kmslint/v1";

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'a str,
    version: &'a str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    column_kind: &'a str,
    /// Always empty here: results are streamed in its place.
    results: [(); 0],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    invocations: Vec<Invocation<'a>>,
}

/// The run's one invocation, present when something could not be checked: each file that
/// could not be read (an error: the run did not succeed) and each key whose policy was not
/// analysed is a notification.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification<'a> {
    level: &'static str,
    message: Text<'a>,
    locations: [NoteLocation<'a>; 1],
    descriptor: NoteDescriptor,
}

#[derive(Serialize)]
struct NoteDescriptor {
    id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NoteLocation<'a> {
    physical_location: NotePhysical<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct NotePhysical<'a> {
    artifact_location: ArtifactLocation<'a>,
    /// None for a file that could not be read: no line of it is known.
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<LineRegion>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LineRegion {
    start_line: u32,
    end_line: u32,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: Vec<ReportingDescriptor<'a>>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text<'a>,
    full_description: Text<'a>,
    help: Help<'a>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Text<'a>,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation<'a>>,
    partial_fingerprints: Fingerprints<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

/// A fix (§3.55): what it does, and its edits as replacements in the result's file.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Text<'a>,
    artifact_changes: [ArtifactChange<'a>; 1],
    properties: FixProperties,
}

/// `safe` (`--fix` applies it) or `unsafe` (it changes who can do what: `--unsafe-fixes`).
#[derive(Serialize)]
struct FixProperties {
    applicability: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: Vec<Replacement<'a>>,
}

/// One edit: the region it replaces (empty for an insertion) and the text put there (absent
/// for a deletion).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    #[serde(skip_serializing_if = "Option::is_none")]
    inserted_content: Option<Text<'a>>,
}

#[derive(Serialize)]
struct Fingerprints<'a> {
    #[serde(rename = "kmslint/v1")]
    v1: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation<'a> {
    id: usize,
    physical_location: PhysicalLocation<'a>,
    message: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation<'a> {
    fully_qualified_name: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub ranks security findings by this score (over 9 critical, 7 high, 4 medium, else low).
fn security_severity(rule: &RuleRef) -> Option<&'static str> {
    match rule.group() {
        RuleGroup::Access | RuleGroup::Exposure | RuleGroup::Custom => {
            Some(match rule.severity() {
                Severity::Error => "8.0",
                Severity::Warning => "5.0",
                Severity::Info => "2.0",
            })
        }
        RuleGroup::Validity | RuleGroup::Config => None,
    }
}

fn tags(group: RuleGroup) -> Vec<&'static str> {
    match group {
        RuleGroup::Access | RuleGroup::Exposure | RuleGroup::Custom => {
            vec!["security", group.as_str()]
        }
        RuleGroup::Validity => vec!["correctness", group.as_str()],
        RuleGroup::Config => vec!["maintainability", group.as_str()],
    }
}

/// The text of a `## ` section of a rule's documentation, on one line.
fn section(doc: &str, heading: &str) -> String {
    doc.split("\n## ")
        .find_map(|s| s.strip_prefix(heading)?.strip_prefix('\n'))
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

/// The plain-text help: what the rule does and how to fix it (the markdown has it all).
fn help_text(doc: &str) -> String {
    let fix = section(doc, "How to fix");
    let what = section(doc, "What it does");
    if fix.is_empty() {
        what
    } else {
        format!("{what}\n\nHow to fix: {fix}")
    }
}

fn descriptor<'a>(rule: &'a RuleRef, full: &'a str, help: &'a str) -> ReportingDescriptor<'a> {
    ReportingDescriptor {
        id: rule.code(),
        name: rule.name(),
        short_description: Text {
            text: rule.summary(),
        },
        full_description: Text { text: full },
        help: Help {
            text: help,
            markdown: rule.doc(),
        },
        default_configuration: Configuration {
            level: level(rule.severity()),
        },
        properties: RuleProperties {
            tags: tags(rule.group()),
            security_severity: security_severity(rule),
        },
    }
}

/// Indent every line after the first (serde_json's pretty output nests at level 0).
fn indent(text: &str, by: usize) -> String {
    text.replace('\n', &format!("\n{}", " ".repeat(by)))
}

/// A notification about `path`: on its lines `start..=end` when they are known.
fn notification<'a>(
    level: &'static str,
    id: &'static str,
    text: &'a str,
    path: &str,
    lines: Option<(u32, u32)>,
) -> Notification<'a> {
    let (uri, uri_base_id) = artifact_uri(path);
    Notification {
        level,
        message: Text { text },
        locations: [NoteLocation {
            physical_location: NotePhysical {
                artifact_location: ArtifactLocation { uri, uri_base_id },
                region: lines.map(|(start_line, end_line)| LineRegion {
                    start_line,
                    end_line,
                }),
            },
        }],
        descriptor: NoteDescriptor { id },
    }
}

/// The log up to its results, and what follows them.
fn frame(rules: &[RuleRef], summary: Option<&Summary>) -> (String, String) {
    let io_texts: Vec<String> = summary.map_or_else(Vec::new, |s| {
        s.io_errors.iter().map(super::IoError::text).collect()
    });
    let texts: Vec<String> = summary.map_or_else(Vec::new, |s| {
        s.notes
            .iter()
            .map(|n| {
                format!(
                    "the key policy of `{}` was not analysed: {}",
                    n.policy, n.reason
                )
            })
            .collect()
    });
    let invocations = match summary {
        Some(s) if !s.notes.is_empty() || !s.io_errors.is_empty() => vec![Invocation {
            execution_successful: s.io_errors.is_empty(),
            tool_execution_notifications: s
                .io_errors
                .iter()
                .zip(&io_texts)
                .map(|(e, text)| notification("error", "io-error", text, &e.path, None))
                .chain(s.notes.iter().zip(&texts).map(|(n, text)| {
                    notification(
                        "warning",
                        "not-analysed",
                        text,
                        &n.path,
                        Some((n.line, n.end_line)),
                    )
                }))
                .collect(),
        }],
        _ => Vec::new(),
    };
    let full: Vec<String> = rules
        .iter()
        .map(|r| section(r.doc(), "What it does"))
        .collect();
    let help: Vec<String> = rules.iter().map(|r| help_text(r.doc())).collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kmslint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules
                        .iter()
                        .zip(full.iter().zip(&help))
                        .map(|(r, (f, h))| descriptor(r, f, h))
                        .collect(),
                },
            },
            column_kind: "utf16CodeUnits",
            results: [],
            invocations,
        }],
    };
    let text = serde_json::to_string_pretty(&log).unwrap_or_default();
    match text.split_once("\"results\": []") {
        Some((head, tail)) => (format!("{head}\"results\": [\n"), format!("{tail}\n")),
        None => (text, String::new()),
    }
}

pub fn begin(rules: &[RuleRef]) -> String {
    frame(rules, None).0
}

pub fn end(summary: &Summary, entries: usize) -> String {
    let tail = frame(&[], Some(summary)).1;
    let newline = if entries > 0 { "\n" } else { "" };
    // The closing bracket of `results` sits at the indentation of its key.
    format!("{newline}      ]{}", tail)
}

/// A URI for the file: relative to the working directory (resolved against `%SRCROOT%`),
/// percent-encoded; a `file:` URI for a file outside it.
pub fn artifact_uri(path: &str) -> (String, Option<&'static str>) {
    uri_of(std::path::Path::new(path))
}

/// The URI of a linted file. When its file system path is the path shown, the URI is made
/// from that path's own bytes: a file name that is not UTF-8 (shown with U+FFFD) keeps them,
/// percent-encoded, so the result maps back to the file.
fn source_uri(source: &SourceFile) -> (String, Option<&'static str>) {
    match source
        .fs_path
        .as_deref()
        .filter(|p| crate::paths::display_path(p) == source.path)
    {
        Some(fs_path) => uri_of(fs_path),
        None => artifact_uri(&source.path),
    }
}

fn uri_of(path: &std::path::Path) -> (String, Option<&'static str>) {
    use crate::paths::display_bytes;
    if path.is_absolute() {
        let cwd = crate::globs::absolute(std::path::Path::new("."));
        match path.strip_prefix(&cwd) {
            Ok(rel) => (encode(&display_bytes(rel)), Some(SRCROOT)),
            Err(_) => (format!("file://{}", encode(&display_bytes(path))), None),
        }
    } else {
        (encode(&display_bytes(path)), Some(SRCROOT))
    }
}

/// Percent-encode what a URI path may not hold as it is.
fn encode(path: &[u8]) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
            b'-' | b'.' | b'_' | b'~' | b'/' | b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*'
            | b'+' | b',' | b';' | b'=' | b':' | b'@' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn region(source: &SourceFile, span: Span) -> Region {
    let (sl, sc) = source.line_col_utf16(span.start);
    let (el, ec) = source.line_col_utf16(span.end);
    Region {
        start_line: sl + 1,
        start_column: sc + 1,
        end_line: el + 1,
        end_column: ec + 1,
    }
}

/// The description of a fix: its title, and for an unsafe one what applying it means.
fn fix_description(fix: &Fix) -> String {
    match fix.applicability {
        Applicability::Safe => fix.title.clone(),
        Applicability::Unsafe => format!(
            "{} (unsafe: it changes who can do what; `--unsafe-fixes` applies it)",
            fix.title
        ),
    }
}

/// A fix as SARIF writes it: its edits in file order, in the regions results use.
fn sarif_fix<'a>(
    source: &SourceFile,
    fix: &'a Fix,
    description: &'a str,
    artifact: ArtifactLocation<'a>,
) -> SarifFix<'a> {
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    SarifFix {
        description: Text { text: description },
        artifact_changes: [ArtifactChange {
            artifact_location: artifact,
            replacements: edits
                .into_iter()
                .map(|e| Replacement {
                    deleted_region: region(source, e.span),
                    inserted_content: (!e.content.is_empty()).then_some(Text { text: &e.content }),
                })
                .collect(),
        }],
        properties: FixProperties {
            applicability: fix.applicability.as_str(),
        },
    }
}

/// One result.
pub fn render(source: &SourceFile, d: &Diagnostic, fingerprint: &str) -> String {
    let (uri, base) = source_uri(source);
    let artifact = ArtifactLocation {
        uri,
        uri_base_id: base,
    };
    let message = match &d.policy {
        Some(p) => format!("{} (in `{p}`)", d.message),
        None => d.message.clone(),
    };
    let fix_text = d.fix.as_ref().map(fix_description);
    let fixes = match (&d.fix, &fix_text) {
        (Some(fix), Some(text)) if !fix.edits.is_empty() => {
            vec![sarif_fix(source, fix, text, artifact.clone())]
        }
        _ => Vec::new(),
    };
    let result = SarifResult {
        rule_id: d.rule.code(),
        level: level(d.severity),
        message: Text { text: &message },
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: artifact.clone(),
                region: region(source, d.span),
            },
            logical_locations: d
                .policy
                .iter()
                .map(|p| LogicalLocation {
                    fully_qualified_name: p,
                })
                .collect(),
        }],
        related_locations: d
            .labels
            .iter()
            .enumerate()
            .map(|(i, l)| RelatedLocation {
                id: i + 1,
                physical_location: PhysicalLocation {
                    artifact_location: artifact.clone(),
                    region: region(source, l.span),
                },
                message: Text { text: &l.message },
            })
            .collect(),
        partial_fingerprints: Fingerprints { v1: fingerprint },
        fixes,
    };
    let text = serde_json::to_string_pretty(&result).unwrap_or_default();
    format!("        {}", indent(&text, 8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(
            artifact_uri("stacks/my key#1.json"),
            ("stacks/my%20key%231.json".to_string(), Some(SRCROOT))
        );
        assert_eq!(artifact_uri("k\u{e9}.json").0, "k%C3%A9.json");
        assert_eq!(
            artifact_uri("/nowhere-kmslint/p.json"),
            ("file:///nowhere-kmslint/p.json".to_string(), None)
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_keeps_its_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let path = std::path::Path::new(std::ffi::OsStr::from_bytes(b"./d/k\xffey.json"));
        let display = crate::paths::display_path(path);
        let source = SourceFile::new(display.clone(), Some(path.to_path_buf()), String::new());
        assert_eq!(source_uri(&source).0, "d/k%FFey.json");
        // Without the file system path, only the shown (lossy) name is known.
        let shown = SourceFile::new(display, None, String::new());
        assert_eq!(source_uri(&shown).0, "d/k%EF%BF%BDey.json");
        // A file system path that is not the one shown (a canonical path) is not used.
        let other = SourceFile::new("x.json", Some(path.to_path_buf()), String::new());
        assert_eq!(source_uri(&other).0, "x.json");
    }

    #[test]
    fn sections_are_one_line() {
        let doc = "# x (KMS1)\nSeverity\n\n## What it does\nReports a\nthing.\n\n## Why is this bad?\nx\n\n## How to fix\nFix\nit.\n";
        assert_eq!(section(doc, "What it does"), "Reports a thing.");
        assert_eq!(help_text(doc), "Reports a thing.\n\nHow to fix: Fix it.");
        assert_eq!(help_text("# x\n## What it does\nA.\n"), "A.");
    }
}
