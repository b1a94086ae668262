//! The JSON report: `{"version": 1, "diagnostics": [...], "summary": {...}}`.

use serde::Serialize;

use super::Summary;
use crate::diagnostic::Diagnostic;
use crate::source::SourceFile;

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: &'a str,
    policy: Option<&'a str>,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

pub fn begin() -> String {
    "{\"version\":1,\"diagnostics\":[\n".to_string()
}

pub fn render(source: &SourceFile, d: &Diagnostic) -> String {
    let (start, end) = (source.line_col(d.span.start), source.line_col(d.span.end));
    let value = JsonDiagnostic {
        path: &source.path,
        policy: d.policy.as_deref(),
        code: d.rule.code,
        name: d.rule.name,
        severity: d.severity.as_str(),
        message: &d.message,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        labels: d
            .labels
            .iter()
            .map(|l| {
                let (s, e) = (source.line_col(l.span.start), source.line_col(l.span.end));
                JsonLabel {
                    message: &l.message,
                    line: s.line,
                    column: s.column,
                    end_line: e.line,
                    end_column: e.column,
                }
            })
            .collect(),
        help: d.help.as_deref(),
    };
    serde_json::to_string(&value).unwrap_or_default()
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
struct JsonSummary<'a> {
    files: usize,
    policies: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
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
    format!(
        "{newline}],\"summary\":{}}}\n",
        serde_json::to_string(&value).unwrap_or_default()
    )
}
