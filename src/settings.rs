//! Which rules run, the key's account, and the exit threshold.

use crate::model::PolicyContext;
use crate::registry::{self, RULES};
use crate::rule::{Rule, Severity};

/// Everything a lint run needs to know besides the files.
#[derive(Debug, Clone)]
pub struct Settings {
    enabled: Vec<bool>,
    pub context: PolicyContext,
    pub fail_on: Severity,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            enabled: RULES.iter().map(|r| r.default_enabled).collect(),
            context: PolicyContext::default(),
            fail_on: Severity::Warning,
        }
    }
}

/// A selector that names no rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector {
    pub selector: String,
    pub suggestion: Option<&'static str>,
}

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}` is not a rule code, name or prefix", self.selector)?;
        if let Some(s) = self.suggestion {
            write!(f, " (did you mean `{s}`?)")?;
        }
        Ok(())
    }
}

fn resolve(selector: &str) -> Result<Vec<&'static Rule>, UnknownSelector> {
    let rules = registry::matching(selector.trim());
    if rules.is_empty() {
        let names = RULES.iter().flat_map(|r| [r.code, r.name]);
        return Err(UnknownSelector {
            selector: selector.to_string(),
            suggestion: crate::model::nearest(selector, names),
        });
    }
    Ok(rules)
}

impl Settings {
    /// Apply `select` (replaces the default set), then `extend_select`, then `ignore`.
    pub fn select(
        &mut self,
        select: Option<&[String]>,
        extend_select: &[String],
        ignore: &[String],
    ) -> Result<(), UnknownSelector> {
        if let Some(select) = select {
            self.enabled = vec![false; RULES.len()];
            for s in select {
                for r in resolve(s)? {
                    self.enabled[registry::index_of(r)] = true;
                }
            }
        }
        for s in extend_select {
            for r in resolve(s)? {
                self.enabled[registry::index_of(r)] = true;
            }
        }
        for s in ignore {
            for r in resolve(s)? {
                self.enabled[registry::index_of(r)] = false;
            }
        }
        Ok(())
    }

    /// Only these rules (for tests and `rules/*.md` examples).
    pub fn only(codes: &[&str]) -> Settings {
        Settings {
            enabled: RULES.iter().map(|r| codes.contains(&r.code)).collect(),
            ..Settings::default()
        }
    }

    pub fn is_enabled(&self, rule: &Rule) -> bool {
        self.enabled[registry::index_of(rule)]
    }

    /// The enabled rules, in code order.
    pub fn enabled_rules(&self) -> impl Iterator<Item = &'static Rule> + '_ {
        RULES
            .iter()
            .copied()
            .zip(&self.enabled)
            .filter(|(_, on)| **on)
            .map(|(r, _)| r)
    }

    /// The severity a rule reports with.
    pub fn severity(&self, rule: &Rule) -> Severity {
        rule.severity
    }

    /// The severity of one finding: the finding's own (when the rule gives one) else the
    /// rule's. A configured per-rule override, once there is one, should take precedence.
    pub fn finding_severity(&self, rule: &Rule, finding: Option<Severity>) -> Severity {
        finding.unwrap_or_else(|| self.severity(rule))
    }
}
