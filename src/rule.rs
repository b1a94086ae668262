//! What a rule is, and how it reports.

use std::fmt;
use std::sync::Arc;

use crate::model::Policy;
pub use crate::model::edit::{Applicability, Edit, Fix};
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
    /// Runs on a whole CloudFormation template or Terraform module: its keys, IAM identities
    /// and their policies read together (the engine's cross-document pass).
    Inventory,
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

/// A rule defined at run time (a configuration's `[[custom-rule]]`): the metadata every output
/// format needs, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleMeta {
    pub code: String,
    pub name: String,
    pub severity: Severity,
    pub summary: String,
    pub doc: String,
}

/// A rule as findings, settings and reports refer to it: a built-in rule, or one a
/// configuration defines. Cheap to clone.
#[derive(Clone)]
pub enum RuleRef {
    Builtin(&'static Rule),
    Custom(Arc<RuleMeta>),
}

impl RuleRef {
    pub fn code(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.code,
            RuleRef::Custom(m) => &m.code,
        }
    }

    pub fn name(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.name,
            RuleRef::Custom(m) => &m.name,
        }
    }

    /// The rule's own severity (configuration may change it).
    pub fn severity(&self) -> Severity {
        match self {
            RuleRef::Builtin(r) => r.severity,
            RuleRef::Custom(m) => m.severity,
        }
    }

    pub fn default_enabled(&self) -> bool {
        match self {
            RuleRef::Builtin(r) => r.default_enabled,
            RuleRef::Custom(_) => true,
        }
    }

    pub fn group(&self) -> RuleGroup {
        match self {
            RuleRef::Builtin(r) => r.group,
            RuleRef::Custom(_) => RuleGroup::Custom,
        }
    }

    /// One line: what the rule finds.
    pub fn summary(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.summary,
            RuleRef::Custom(m) => &m.summary,
        }
    }

    /// The rule's documentation.
    pub fn doc(&self) -> &str {
        match self {
            RuleRef::Builtin(r) => r.doc,
            RuleRef::Custom(m) => &m.doc,
        }
    }

    /// The built-in rule, if it is one.
    pub fn builtin(&self) -> Option<&'static Rule> {
        match self {
            RuleRef::Builtin(r) => Some(r),
            RuleRef::Custom(_) => None,
        }
    }

    /// Whether two references name the same rule (codes are unique in a run).
    pub fn is(&self, other: &RuleRef) -> bool {
        self.code() == other.code()
    }
}

impl From<&'static Rule> for RuleRef {
    fn from(r: &'static Rule) -> RuleRef {
        RuleRef::Builtin(r)
    }
}

impl fmt::Debug for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code(), self.name())
    }
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &RuleRef) -> bool {
        self.is(other)
    }
}

impl Eq for RuleRef {}

/// What settings need to know of a rule, built-in ([`Rule`]) or any ([`RuleRef`]).
pub trait RuleLike {
    fn rule_code(&self) -> &str;
    /// The rule's own severity.
    fn rule_severity(&self) -> Severity;
}

impl RuleLike for Rule {
    fn rule_code(&self) -> &str {
        self.code
    }

    fn rule_severity(&self) -> Severity {
        self.severity
    }
}

impl RuleLike for RuleRef {
    fn rule_code(&self) -> &str {
        self.code()
    }

    fn rule_severity(&self) -> Severity {
        self.severity()
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
    pub span: Span,
    pub message: String,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// A severity other than the rule's for this finding (KMS012: a missing `Version` is a
    /// warning, an invalid one an error).
    pub severity: Option<Severity>,
    /// The edits that resolve it, when they can be made mechanically.
    pub fix: Option<Fix>,
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

    /// Attach the edits that resolve it (`None`: no fix could be made).
    pub fn fix(&mut self, fix: Option<Fix>) -> &mut Self {
        self.fix = fix;
        self
    }
}

/// Collects the findings of one rule on one policy.
pub struct Reporter<'r> {
    out: &'r mut Vec<Finding>,
}

impl<'r> Reporter<'r> {
    pub fn new(out: &'r mut Vec<Finding>) -> Self {
        Reporter { out }
    }

    /// Report a problem at `span`; the returned finding takes labels and help.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Finding {
        self.out.push(Finding {
            span,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            severity: None,
            fix: None,
        });
        let last = self.out.len() - 1;
        &mut self.out[last]
    }
}
