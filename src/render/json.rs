//! The JSON report:
//! `{"version": 1, "diagnostics": [...], "io_errors": [...], "summary": {...}}`.

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::rule::Fix;
use crate::source::SourceFile;

pub fn begin() -> String {
    "{\"version\":1,\"diagnostics\":[\n".to_string()
}

/// Append `s` as a JSON string literal.
pub fn push_str_literal(out: &mut String, s: &str) {
    crate::tree::escape::push_json_string(out, s);
}

/// `"name":"value"`.
fn push_field(out: &mut String, name: &str, value: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
    push_str_literal(out, value);
}

/// `key` (`,"name":`) and `n`.
fn push_number(out: &mut String, key: &str, n: u32) {
    out.push_str(key);
    crate::tree::escape::push_json_uint(out, n);
}

/// Append one diagnostic as a JSON object on one line (the documented schema, fields in
/// order).
pub fn render_into(out: &mut String, source: &SourceFile, d: &Diagnostic) {
    let (start, end) = (source.line_col(d.span.start), source.line_col(d.span.end));
    out.push('{');
    push_field(out, "path", &source.path);
    out.push_str(",\"policy\":");
    match &d.policy {
        Some(p) => push_str_literal(out, p),
        None => out.push_str("null"),
    }
    out.push(',');
    push_field(out, "code", d.rule.code());
    out.push(',');
    push_field(out, "name", d.rule.name());
    out.push(',');
    push_field(out, "severity", d.severity.as_str());
    out.push(',');
    push_field(out, "message", &d.message);
    push_number(out, ",\"line\":", start.line);
    push_number(out, ",\"column\":", start.column);
    push_number(out, ",\"end_line\":", end.line);
    push_number(out, ",\"end_column\":", end.column);
    out.push_str(",\"labels\":[");
    for (i, l) in d.labels.iter().enumerate() {
        let (s, e) = (source.line_col(l.span.start), source.line_col(l.span.end));
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        push_field(out, "message", &l.message);
        push_number(out, ",\"line\":", s.line);
        push_number(out, ",\"column\":", s.column);
        push_number(out, ",\"end_line\":", e.line);
        push_number(out, ",\"end_column\":", e.column);
        out.push('}');
    }
    out.push_str("],\"help\":");
    match &d.help {
        Some(h) => push_str_literal(out, h),
        None => out.push_str("null"),
    }
    out.push_str(",\"fix\":");
    match &d.fix {
        Some(fix) => push_fix(out, source, fix),
        None => out.push_str("null"),
    }
    out.push('}');
}

/// `{"applicability":…,"title":…,"edits":[{"line",…,"content"}]}`: each edit's span in the
/// file's lines and columns (as the diagnostic's), and the text that replaces it.
fn push_fix(out: &mut String, source: &SourceFile, fix: &Fix) {
    out.push('{');
    push_field(out, "applicability", fix.applicability.as_str());
    out.push(',');
    push_field(out, "title", &fix.title);
    out.push_str(",\"edits\":[");
    for (i, e) in fix.edits.iter().enumerate() {
        let (s, end) = (source.line_col(e.span.start), source.line_col(e.span.end));
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"line\":");
        crate::tree::escape::push_json_uint(out, s.line);
        push_number(out, ",\"column\":", s.column);
        push_number(out, ",\"end_line\":", end.line);
        push_number(out, ",\"end_column\":", end.column);
        out.push(',');
        push_field(out, "content", &e.content);
        out.push('}');
    }
    out.push_str("]}");
}

#[derive(Serialize)]
struct JsonNote<'a> {
    path: &'a str,
    policy: &'a str,
    reason: &'a str,
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonIoError<'a> {
    path: &'a str,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonSummary<'a> {
    files: usize,
    policies: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Findings fixed in the run (`--fix`).
    fixed: usize,
    /// Findings left with a safe fix.
    fixable: usize,
    /// Findings left with an unsafe fix only.
    fixable_unsafe: usize,
    /// How many files could not be read (listed in the top-level `io_errors`).
    io_errors: usize,
    not_analysed: Vec<JsonNote<'a>>,
    no_key_policy: &'a [String],
}

pub fn end(summary: &Summary, entries: usize) -> String {
    let newline = if entries > 0 { "\n" } else { "" };
    let value = JsonSummary {
        files: summary.files,
        policies: summary.policies,
        errors: summary.errors,
        warnings: summary.warnings,
        infos: summary.infos,
        fixed: summary.fixed,
        fixable: summary.fixable,
        fixable_unsafe: summary.fixable_unsafe,
        io_errors: summary.io_errors.len(),
        not_analysed: summary
            .notes
            .iter()
            .map(|n| JsonNote {
                path: &n.path,
                policy: &n.policy,
                reason: &n.reason,
                line: n.line,
                column: n.column,
            })
            .collect(),
        no_key_policy: &summary.no_key_policy,
    };
    let io_errors: Vec<JsonIoError> = summary
        .io_errors
        .iter()
        .map(|e| JsonIoError {
            path: &e.path,
            message: &e.message,
        })
        .collect();
    format!(
        "{newline}],\"io_errors\":{},\"summary\":{}}}\n",
        serde_json::to_string(&io_errors).unwrap_or_else(|_| "[]".to_string()),
        serde_json::to_string(&value).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_literals_match_serde_json() {
        for s in [
            "",
            "plain",
            "quote \" and backslash \\ and \n\r\t\u{8}\u{c}",
            "control \u{1}\u{1f} and non-ASCII caf\u{e9} \u{1F600}",
            "`kms:*` includes `kms:CreateGrant`",
        ] {
            let mut out = String::new();
            push_str_literal(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
        // Escapes in every position of the blocks and of the rest after them.
        for len in [15, 16, 17, 31, 32, 33, 47] {
            for at in 0..len {
                for c in ['"', '\\', '\n', '\u{1f}', '\u{0}'] {
                    let mut s: String = "x".repeat(len);
                    s.replace_range(at..at + 1, &c.to_string());
                    let mut out = String::new();
                    push_str_literal(&mut out, &s);
                    assert_eq!(out, serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
        }
    }
}
