//! Which rules run, at which severity, the key's account, suppressions and the exit threshold.

use std::sync::Arc;

use crate::custom::CustomRule;
use crate::globs::{PathGlob, RelPath};
use crate::model::PolicyContext;
use crate::registry::{RULES, Registry};
use crate::rule::{Rule, RuleLike, RuleRef, Severity};
use crate::tree::Span;

/// Everything a lint run needs to know besides the files.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The rules: the built-in ones and the configuration's custom rules.
    registry: Registry,
    /// One flag per rule of the registry, by position.
    enabled: Vec<bool>,
    /// Configured severities, by position.
    severity: Vec<Option<Severity>>,
    /// `[[suppress]]` entries that may apply (for one file: those whose `path` matches it).
    pub suppressions: Vec<Arc<Suppression>>,
    pub context: PolicyContext,
    pub fail_on: Severity,
}

impl Default for Settings {
    fn default() -> Self {
        Settings::with_registry(Registry::default())
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
    /// The default settings for the rules of `registry`: rules on as they are by default.
    pub fn with_registry(registry: Registry) -> Settings {
        let enabled = registry.rules().map(|r| r.default_enabled()).collect();
        let severity = vec![None; registry.len()];
        Settings {
            registry,
            enabled,
            severity,
            suppressions: Vec::new(),
            context: PolicyContext::default(),
            fail_on: Severity::Warning,
        }
    }

    /// Only these rules (for tests and `rules/*.md` examples).
    pub fn only(codes: &[&str]) -> Settings {
        Settings {
            enabled: RULES.iter().map(|r| codes.contains(&r.code)).collect(),
            ..Settings::default()
        }
    }

    /// Add the rules of a configuration's `[[custom-rule]]` entries, enabled. Replaces custom
    /// rules added before; the built-in rules keep their flags and severities.
    pub fn set_custom_rules(&mut self, custom: Vec<CustomRule>) {
        self.enabled.truncate(RULES.len());
        self.severity.truncate(RULES.len());
        self.enabled.extend(custom.iter().map(|_| true));
        self.severity.extend(custom.iter().map(|_| None));
        self.registry = Registry::new(custom);
    }

    /// The rules of these settings.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The custom rules, enabled or not.
    pub fn custom_rules(&self) -> &[CustomRule] {
        self.registry.custom()
    }

    /// Every rule a selector names: `ALL`, a code, a name, or a code prefix (`KMS00`, `ORG`),
    /// among the built-in and the custom rules.
    pub fn resolve(&self, selector: &str) -> Result<Vec<RuleRef>, UnknownSelector> {
        let selector = selector.trim();
        let rules = self.registry.matching(selector);
        if rules.is_empty() {
            return Err(UnknownSelector {
                selector: selector.to_string(),
                suggestion: crate::model::nearest(selector, self.registry.names())
                    .map(str::to_string),
            });
        }
        Ok(rules)
    }

    /// The one rule a code (any case) or name names, built-in or custom (`None` for a
    /// prefix, `ALL` or an unknown name): what a suppression or an inline ignore accepts.
    pub fn rule_named(&self, code_or_name: &str) -> Option<RuleRef> {
        self.registry.find(code_or_name)
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
                    if let Some(i) = self.registry.position(r.code()) {
                        enabled[i] = true;
                    }
                }
            }
            self.enabled = enabled;
        }
        for s in extend_select {
            for r in self.resolve(s)? {
                self.set_enabled(&r, true);
            }
        }
        for s in ignore {
            for r in self.resolve(s)? {
                self.set_enabled(&r, false);
            }
        }
        Ok(())
    }

    /// Switch a rule on or off.
    pub fn set_enabled(&mut self, rule: &(impl RuleLike + ?Sized), on: bool) {
        if let Some(i) = self.registry.position(rule.rule_code()) {
            self.enabled[i] = on;
        }
    }

    /// Report a rule's findings with this severity (`[severity]` in the configuration).
    pub fn set_severity(&mut self, rule: &(impl RuleLike + ?Sized), severity: Severity) {
        if let Some(i) = self.registry.position(rule.rule_code()) {
            self.severity[i] = Some(severity);
        }
    }

    pub fn is_enabled(&self, rule: &(impl RuleLike + ?Sized)) -> bool {
        self.registry
            .position(rule.rule_code())
            .is_some_and(|i| self.enabled[i])
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
        self.registry
            .custom()
            .iter()
            .zip(&self.enabled[RULES.len()..])
            .filter(|(_, on)| **on)
            .map(|(c, _)| c)
    }

    /// The severity a rule reports with: the configured one, else the rule's own.
    pub fn severity(&self, rule: &(impl RuleLike + ?Sized)) -> Severity {
        self.configured_severity(rule.rule_code())
            .unwrap_or(rule.rule_severity())
    }

    fn configured_severity(&self, code: &str) -> Option<Severity> {
        self.registry.position(code).and_then(|i| self.severity[i])
    }

    /// The severity of one finding: a configured severity for the rule wins; else the
    /// finding's own (when the rule gives one); else the rule's.
    pub fn finding_severity(
        &self,
        rule: &(impl RuleLike + ?Sized),
        finding: Option<Severity>,
    ) -> Severity {
        self.configured_severity(rule.rule_code())
            .or(finding)
            .unwrap_or(rule.rule_severity())
    }

    /// The first suppression that covers a finding of `rule` in the statement with `sid`
    /// (`None` outside statements or in statements without a `Sid`).
    pub fn suppression(
        &self,
        rule: &(impl RuleLike + ?Sized),
        sid: Option<&str>,
    ) -> Option<&Arc<Suppression>> {
        self.suppressions
            .iter()
            .find(|s| s.covers(rule.rule_code(), sid))
    }
}

/// One `[[suppress]]` entry.
#[derive(Debug)]
pub struct Suppression {
    pub rule: RuleRef,
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

    /// Whether it covers a finding of the rule with `code` in the statement with `sid`.
    pub fn covers(&self, code: &str, sid: Option<&str>) -> bool {
        self.rule.code() == code && self.sid.as_deref().is_none_or(|s| Some(s) == sid)
    }

    /// What the entry covers, for messages: "`KMS003` in `keys/app.json`, statement `Admins`".
    pub fn describe(&self) -> String {
        let mut s = format!("`{}`", self.rule.code());
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
