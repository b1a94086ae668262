//! Which rules run, at which severity, the key's account, suppressions and the exit threshold.

use std::sync::Arc;

use crate::custom::CustomRule;
use crate::globs::{PathGlob, RelPath};
use crate::model::PolicyContext;
use crate::registry::{self, RULES};
use crate::rule::{Rule, Severity};
use crate::tree::Span;

/// Everything a lint run needs to know besides the files.
#[derive(Debug, Clone)]
pub struct Settings {
    /// One flag per built-in rule (registry order), then one per custom rule.
    enabled: Vec<bool>,
    /// Configured severities, indexed like `enabled`.
    severity: Vec<Option<Severity>>,
    /// Rules defined by the configuration (`[[custom-rule]]`).
    custom: Arc<[CustomRule]>,
    /// `[[suppress]]` entries that may apply (for one file: those whose `path` matches it).
    pub suppressions: Vec<Arc<Suppression>>,
    pub context: PolicyContext,
    pub fail_on: Severity,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: RULES.iter().map(|r| r.default_enabled).collect(),
            severity: vec![None; RULES.len()],
            custom: Arc::from(Vec::new()),
            suppressions: Vec::new(),
            context: PolicyContext::default(),
            fail_on: Severity::Warning,
        }
    }
}

/// A selector that names no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector {
    pub selector: String,
    pub suggestion: Option<String>,
}

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a rule code, name or prefix", self.selector)?;
        if let Some(s) = &self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

impl Settings {
    /// Only these rules (for tests and `rules/*.md` examples).
    pub fn only(codes: &[&str]) -> Settings {
        Settings {
            enabled: RULES.iter().map(|r| codes.contains(&r.code)).collect(),
            ..Settings::default()
        }
    }

    /// Add the rules of a configuration's `[[custom-rule]]` entries, enabled. Replaces custom
    /// rules added before.
    pub fn set_custom_rules(&mut self, custom: Arc<[CustomRule]>) {
        self.enabled.truncate(RULES.len());
        self.severity.truncate(RULES.len());
        self.enabled.extend(custom.iter().map(|_| true));
        self.severity.extend(custom.iter().map(|_| None));
        self.custom = custom;
    }

    /// The custom rules, enabled or not.
    pub fn custom_rules(&self) -> &[CustomRule] {
        &self.custom
    }

    /// Every rule a selector names: `ALL`, a code, a name, or a code prefix (`KMS00`, `ORG`),
    /// among the built-in and the custom rules.
    pub fn resolve(&self, selector: &str) -> Result<Vec<&'static Rule>, UnknownSelector> {
        let selector = selector.trim();
        if let Some(c) = self
            .custom
            .iter()
            .find(|c| c.rule.code.eq_ignore_ascii_case(selector) || c.rule.name == selector)
        {
            return Ok(vec![c.rule]);
        }
        let mut rules = registry::matching(selector);
        let upper = selector.to_ascii_uppercase();
        if registry::find(selector).is_none() && !upper.is_empty() {
            // `ALL` or a code prefix: the custom rules it covers too.
            rules.extend(
                self.custom
                    .iter()
                    .filter(|c| upper == "ALL" || c.rule.code.starts_with(&upper))
                    .map(|c| c.rule),
            );
        }
        if rules.is_empty() {
            let names = RULES
                .iter()
                .flat_map(|r| [r.code, r.name])
                .chain(self.custom.iter().flat_map(|c| [c.rule.code, c.rule.name]));
            return Err(UnknownSelector {
                selector: selector.to_string(),
                suggestion: crate::model::nearest(selector, names).map(str::to_string),
            });
        }
        Ok(rules)
    }

    /// The one rule a code (any case) or name names, built-in or custom (`None` for a
    /// prefix, `ALL` or an unknown name): what a suppression or an inline ignore accepts.
    pub fn rule_named(&self, code_or_name: &str) -> Option<&'static Rule> {
        registry::find(code_or_name).or_else(|| {
            self.custom
                .iter()
                .find(|c| {
                    c.rule.code.eq_ignore_ascii_case(code_or_name) || c.rule.name == code_or_name
                })
                .map(|c| c.rule)
        })
    }

    /// Apply `select` (replaces the current set), then `extend_select`, then `ignore`.
    pub fn select(
        &mut self,
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<(), UnknownSelector> {
        if let Some(select) = select {
            let mut enabled = vec![false; self.enabled.len()];
            for s in select {
                for r in self.resolve(s)? {
                    if let Some(i) = self.index(r) {
                        enabled[i] = true;
                    }
                }
            }
            self.enabled = enabled;
        }
        for s in extend_select {
            for r in self.resolve(s)? {
                self.set_enabled(r, true);
            }
        }
        for s in ignore {
            for r in self.resolve(s)? {
                self.set_enabled(r, false);
            }
        }
        Ok(())
    }

    /// The position of a rule in `enabled` and `severity`.
    fn index(&self, rule: &Rule) -> Option<usize> {
        RULES.iter().position(|r| r.code == rule.code).or_else(|| {
            self.custom
                .iter()
                .position(|c| c.rule.code == rule.code)
                .map(|i| RULES.len() + i)
        })
    }

    /// Switch one rule on or off.
    pub fn set_enabled(&mut self, rule: &Rule, on: bool) {
        if let Some(i) = self.index(rule) {
            self.enabled[i] = on;
        }
    }

    /// Report a rule's findings with this severity (`[severity]` in the configuration).
    pub fn set_severity(&mut self, rule: &Rule, severity: Severity) {
        if let Some(i) = self.index(rule) {
            self.severity[i] = Some(severity);
        }
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.index(rule).is_some_and(|i| self.enabled[i])
    }

    /// The enabled built-in rules, in code order.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        RULES
            .iter()
            .copied()
            .zip(&self.enabled)
            .filter(|(_, on)| **on)
            .map(|(r, _)| r)
    }

    /// The enabled custom rules, in configuration order.
    pub fn enabled_custom_rules(&self) -> impl Iterator<Item = &CustomRule> + '_ {
        self.custom
            .iter()
            .zip(&self.enabled[RULES.len()..])
            .filter(|(_, on)| **on)
            .map(|(c, _)| c)
    }

    /// The severity a rule reports with: the configured one, else the rule's own.
    pub fn severity(&self, rule: &Rule) -> Severity {
        self.configured_severity(rule).unwrap_or(rule.severity)
    }

    fn configured_severity(&self, rule: &Rule) -> Option<Severity> {
        self.index(rule).and_then(|i| self.severity[i])
    }

    /// The severity of one finding: a configured severity for the rule wins; else the
    /// finding's own (when the rule gives one); else the rule's.
    pub fn finding_severity(&self, rule: &Rule, finding: Option<Severity>) -> Severity {
        self.configured_severity(rule)
            .or(finding)
            .unwrap_or(rule.severity)
    }

    /// The first suppression that covers a finding of `rule` in the statement with `sid`
    /// (`None` outside statements or in statements without a `Sid`).
    pub fn suppression(&self, rule: &Rule, sid: Option<&str>) -> Option<&Arc<Suppression>> {
        self.suppressions.iter().find(|s| s.covers(rule, sid))
    }
}

/// One `[[suppress]]` entry.
#[derive(Debug)]
pub struct Suppression {
    pub rule: &'static Rule,
    /// The files it covers (relative to the configuration's folder); `None`: every file.
    pub path: Option<PathGlob>,
    /// The `Sid` of the statement it covers; `None`: every finding in the file.
    pub sid: Option<String>,
    pub reason: String,
    /// The entry's place in the configuration file.
    pub span: Span,
}

impl Suppression {
    /// Whether it applies to the file at `rel` (relative to the configuration's folder; `None`
    /// for a file outside it, which only entries without `path` cover).
    pub fn applies_to(&self, rel: Option<&RelPath>) -> bool {
        match (&self.path, rel) {
            (None, _) => true,
            (Some(glob), Some(rel)) => glob.matches(rel),
            (Some(_), None) => false,
        }
    }

    /// Whether it covers a finding of `rule` in the statement with `sid`.
    pub fn covers(&self, rule: &Rule, sid: Option<&str>) -> bool {
        self.rule.code == rule.code && self.sid.as_deref().is_none_or(|s| Some(s) == sid)
    }

    /// What the entry covers, for messages: "`KMS003` in `keys/app.json`, statement `Admins`".
    pub fn describe(&self) -> String {
        let mut s = format!("`{}`", self.rule.code);
        match &self.path {
            Some(p) => s.push_str(&format!(" in `{}`", p.pattern)),
            None => s.push_str(" in every file"),
        }
        if let Some(sid) = &self.sid {
            s.push_str(&format!(", statement `{sid}`"));
        }
        s
    }
}
