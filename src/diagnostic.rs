//! A finding as reported: rule, severity, policy and spans in the file.

use crate::rule::{Label, Rule, Severity};
use crate::tree::Span;

/// One reported problem, with spans in the coordinates of the file's text.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// The policy's name inside the file, `None` when the file is the policy.
    pub policy: Option<String>,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// The order reports use: position, then code.
    pub fn sort_key(&self) -> (u32, u32, &'static str) {
        (self.span.start, self.span.end, self.rule.code)
    }
}
