//! KMS100: a `[[suppress]]` entry of the configuration suppressed no finding.

use crate::rule::{Check, Rule, RuleGroup, Severity};

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
