//! A finding as reported: rule, severity, policy and spans in the file.

use std::sync::Arc;

use crate::rule::{Fix, Label, RuleRef, Severity};
use crate::tree::Span;
use crate::tree::escape::Decoded;

/// For a policy embedded as a string: its decoded text and the finding's spans in it, so a
/// report can show the policy as it reads rather than its escaped one-line form.
#[derive(Debug, Clone)]
pub struct EmbeddedView {
    pub policy: Arc<Decoded>,
    pub span: Span,
    pub labels: Vec<Label>,
}

/// One reported problem, with spans in the coordinates of the file's text.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    pub rule: RuleRef,
    pub severity: Severity,
    /// The policy's name inside the file, `None` when the file is the policy.
    pub policy: Option<String>,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub embedded: Option<EmbeddedView>,
    /// The edits that resolve it, in the file's coordinates.
    pub fix: Option<Fix>,
    /// The `Sid` of the statement the finding is in, when it has one: what the `sid` of a
    /// `[[suppress]]` entry matches.
    pub sid: Option<String>,
}

impl Diagnostic {
    /// The order reports use: position, then code.
    pub fn sort_key(&self) -> (u32, u32, &str) {
        (self.span.start, self.span.end, self.rule.code())
    }
}
