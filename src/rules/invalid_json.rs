//! KMS010: the file cannot be parsed where a key policy was expected.

use crate::diagnostic::Diagnostic;
use crate::rule::{Check, Rule, RuleGroup, RuleRef, Severity};
use crate::tree::Span;

/// Reported by the parser; the engine decides when a file was meant to hold a policy.
pub const RULE: Rule = Rule {
    code: "KMS010",
    name: "invalid-json",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "the file is not valid JSON (or YAML, or HCL) where a key policy was expected",
    doc: include_str!("../../rules/invalid-json.md"),
    check: Check::Parse,
};

/// The finding for text that does not parse, at `span`, in the policy named `policy` (`None`
/// when the file is the policy).
pub fn diagnostic(
    severity: Severity,
    policy: Option<String>,
    span: Span,
    message: &str,
) -> Diagnostic {
    Diagnostic {
        rule: RuleRef::Builtin(&RULE),
        severity,
        policy,
        span,
        message: message.to_string(),
        labels: Vec::new(),
        help: Some(
            "fix the syntax error; kmslint cannot check a policy it cannot parse".to_string(),
        ),
        embedded: None,
        fix: None,
        sid: None,
    }
}
