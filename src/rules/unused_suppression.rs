//! KMS100: a `[[suppress]]` entry of the configuration suppressed no finding.

use crate::diagnostic::Diagnostic;
use crate::rule::{Check, Rule, RuleGroup, RuleRef, Severity};
use crate::tree::Span;

/// Reported about the configuration file once every file of the run is linted.
pub const RULE: Rule = Rule {
    code: "KMS100",
    name: "unused-suppression",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Config,
    summary: "a `[[suppress]]` entry of the configuration matches no finding",
    doc: include_str!("../../rules/unused-suppression.md"),
    check: Check::Config,
};

/// A finding about a suppression (a `[[suppress]]` entry or an inline ignore comment).
pub fn diagnostic(span: Span, severity: Severity, message: String, help: String) -> Diagnostic {
    Diagnostic {
        rule: RuleRef::Builtin(&RULE),
        severity,
        policy: None,
        span,
        message,
        labels: Vec::new(),
        help: Some(help),
        embedded: None,
        fix: None,
    }
}

/// A `[[suppress]]` entry that matched no finding; `what` says what it covers.
pub fn stale_entry(span: Span, severity: Severity, what: &str) -> Diagnostic {
    diagnostic(
        span,
        severity,
        format!("the suppression of {what} matches no finding"),
        "remove the `[[suppress]]` entry, or correct its `rule`, `path` or `sid`".to_string(),
    )
}
