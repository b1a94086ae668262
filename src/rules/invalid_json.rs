//! KMS010: the file cannot be parsed where a key policy was expected.

use crate::rule::{Check, Rule, RuleGroup, Severity};

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
