//! A GitLab Code Quality report: a JSON array of issues in the Code Climate format.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::rule::{RuleGroup, Severity};
use crate::source::SourceFile;

#[derive(Serialize)]
struct Issue<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    check_name: &'a str,
    description: String,
    categories: [&'a str; 1],
    fingerprint: &'a str,
    severity: &'a str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

/// The file's path relative to the working directory (GitLab resolves it against the project).
fn relative(path: &str) -> String {
    let p = std::path::Path::new(path);
    if !p.is_absolute() {
        return path.to_string();
    }
    let cwd = crate::globs::absolute(std::path::Path::new("."));
    match p.strip_prefix(&cwd) {
        Ok(rel) => crate::paths::display_path(rel),
        Err(_) => path.to_string(),
    }
}

/// The end of the report: files that could not be read are `blocker` issues and keys whose
/// policy was not analysed are `info` issues (GitLab's report has no other place for them),
/// then the closing bracket.
pub fn end(summary: &super::Summary, entries: usize) -> String {
    let mut out = String::new();
    let mut count = entries;
    for e in &summary.io_errors {
        let fingerprint = super::fingerprint::hash(&["io-error", &e.path, &e.message]);
        let path = relative(&e.path);
        let issue = Issue {
            kind: "issue",
            check_name: "io-error",
            description: e.text(),
            categories: ["Bug Risk"],
            fingerprint: &fingerprint,
            // The Code Climate severities (`info`, `minor`, `major`, `critical`, `blocker`)
            // rank the potential impact of an issue. Nothing in an unreadable file was checked,
            // so it may hide any finding, and the run fails (exit status 2): above a finding's
            // error (`major`), the highest.
            severity: "blocker",
            location: Location {
                path: &path,
                lines: Lines { begin: 1, end: 1 },
            },
        };
        out.push_str(if count > 0 { ",\n" } else { "" });
        out.push_str(&serde_json::to_string(&issue).unwrap_or_default());
        count += 1;
    }
    for n in &summary.notes {
        let description = format!(
            "the key policy of `{}` was not analysed: {}",
            n.policy, n.reason
        );
        let fingerprint = super::fingerprint::hash(&["not-analysed", &n.path, &n.policy]);
        let path = relative(&n.path);
        let issue = Issue {
            kind: "issue",
            check_name: "not-analysed",
            description,
            categories: ["Bug Risk"],
            fingerprint: &fingerprint,
            severity: "info",
            location: Location {
                path: &path,
                lines: Lines {
                    begin: n.line,
                    end: n.end_line,
                },
            },
        };
        out.push_str(if count > 0 { ",\n" } else { "" });
        out.push_str(&serde_json::to_string(&issue).unwrap_or_default());
        count += 1;
    }
    out.push_str(if count > 0 { "\n]\n" } else { "]\n" });
    out
}

/// One issue.
pub fn render(source: &SourceFile, d: &Diagnostic, fingerprint: &str) -> String {
    let (start, end) = (source.line_col(d.span.start), source.line_col(d.span.end));
    let mut description = format!("{} {}: {}", d.rule.code(), d.rule.name(), d.message);
    if let Some(p) = &d.policy {
        description.push_str(&format!(" (in `{p}`)"));
    }
    let path = relative(&source.path);
    let issue = Issue {
        kind: "issue",
        check_name: d.rule.code(),
        description,
        categories: [match d.rule.group() {
            RuleGroup::Access | RuleGroup::Exposure | RuleGroup::Custom => "Security",
            RuleGroup::Validity => "Bug Risk",
            RuleGroup::Config => "Clarity",
        }],
        fingerprint,
        severity: match d.severity {
            Severity::Error => "major",
            Severity::Warning => "minor",
            Severity::Info => "info",
        },
        location: Location {
            path: &path,
            lines: Lines {
                begin: start.line,
                end: end.line,
            },
        },
    };
    serde_json::to_string(&issue).unwrap_or_default()
}
