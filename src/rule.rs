//! What a rule is, and how it reports.

use std::fmt;

use crate::model::Policy;
use crate::tree::Span;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The family a rule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleGroup {
    /// The core access-control rules.
    Access,
    /// What AWS rejects or silently ignores.
    Validity,
    /// What exposes a key or lets a principal gain more than it was given.
    Exposure,
    /// Problems in kmslint's own configuration (stale suppressions).
    Config,
    /// Rules defined in a configuration file (`[[custom-rule]]`).
    Custom,
}

impl RuleGroup {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleGroup::Access => "access",
            RuleGroup::Validity => "validity",
            RuleGroup::Exposure => "exposure",
            RuleGroup::Config => "config",
            RuleGroup::Custom => "custom",
        }
    }
}

/// How a rule finds problems.
#[derive(Clone, Copy)]
pub enum Check {
    /// Runs on every parsed key policy.
    Policy(fn(&Policy<'_>, &mut Reporter)),
    /// Reported while reading and parsing a file (the rule has no policy to look at).
    Parse,
    /// Reported about a configuration file once every file is linted.
    Config,
    /// A `[[custom-rule]]` of a configuration file: a JSONPath selection and a test.
    Custom,
}

/// A rule: metadata, documentation and its check.
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub default_enabled: bool,
    pub group: RuleGroup,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// The rule's documentation (`rules/<name>.md`).
    pub doc: &'static str,
    pub check: Check,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, self.name)
    }
}

/// A secondary span with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// One problem a rule found, in the coordinates of the policy's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// A severity other than the rule's for this finding (KMS012: a missing `Version` is a
    /// warning, an invalid one an error).
    pub severity: Option<Severity>,
}

impl Finding {
    /// Add a secondary label.
    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Report this finding with another severity than the rule's default.
    pub fn severity(&mut self, severity: Severity) -> &mut Self {
        self.severity = Some(severity);
        self
    }

    /// Set the help text: how to fix it.
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
}

/// Collects the findings of one rule on one policy.
pub struct Reporter<'r> {
    code: &'static str,
    out: &'r mut Vec<Finding>,
}

impl<'r> Reporter<'r> {
    pub fn new(code: &'static str, out: &'r mut Vec<Finding>) -> Self {
        Reporter { code, out }
    }

    /// Report a problem at `span`; the returned finding takes labels and help.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.out.push(Finding {
            code: self.code,
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            severity: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}
