//! Every rule, sorted by code, and selection by code, name or prefix: the built-in rules
//! ([`RULES`]), and a [`Registry`] value that adds the custom rules of a configuration.

use std::sync::Arc;

use crate::custom::CustomRule;
use crate::rule::{Rule, RuleRef};
use crate::rules;

/// All rules, sorted by code.
pub static RULES: &[&Rule] = &[
    &rules::missing_root_access::RULE,
    &rules::group_principal::RULE,
    &rules::admin_can_self_grant::RULE,
    &rules::missing_principal_type_guard::RULE,
    &rules::grant_without_aws_resource_guard::RULE,
    &rules::invalid_json::RULE,
    &rules::duplicate_key::RULE,
    &rules::version::RULE,
    &rules::unknown_element::RULE,
    &rules::missing_element::RULE,
    &rules::conflicting_elements::RULE,
    &rules::invalid_effect::RULE,
    &rules::invalid_principal::RULE,
    &rules::unknown_action::RULE,
    &rules::non_kms_action::RULE,
    &rules::iam_only_action::RULE,
    &rules::resource_not_this_key::RULE,
    &rules::duplicate_sid::RULE,
    &rules::policy_too_large::RULE,
    &rules::unknown_condition_operator::RULE,
    &rules::unknown_condition_key::RULE,
    &rules::condition_type_mismatch::RULE,
    &rules::invalid_principal_type_value::RULE,
    &rules::condition_key_not_allowed::RULE,
    &rules::invalid_character::RULE,
    &rules::public_access::RULE,
    &rules::cross_account_access::RULE,
    &rules::allow_with_not_principal::RULE,
    &rules::allow_with_not_action::RULE,
    &rules::service_principal_without_source_guard::RULE,
    &rules::full_access_to_non_root::RULE,
    &rules::lockout_deny::RULE,
    &rules::deleted_principal::RULE,
    &rules::iam_user_principal::RULE,
    &rules::user_can_destroy::RULE,
    &rules::ineffective_iam_permission::RULE,
    &rules::group_principal_defined_here::RULE,
    &rules::unused_suppression::RULE,
];

/// The position in [`RULES`] of the built-in rule of each code number (`KMS003`: 3), or
/// [`NONE`]: finding a rule's settings is an index, not a search, for every finding.
static BY_NUMBER: [u8; 1000] = {
    let mut table = [NONE; 1000];
    let mut i = 0;
    while i < RULES.len() {
        match code_number(RULES[i].code) {
            Some(n) => table[n] = i as u8,
            None => panic!("a built-in rule's code is not `KMS` and three digits"),
        }
        i += 1;
    }
    table
};

const NONE: u8 = u8::MAX;

/// The number of a code written `KMS` and three digits, exactly.
const fn code_number(code: &str) -> Option<usize> {
    let b = code.as_bytes();
    if b.len() != 6 || b[0] != b'K' || b[1] != b'M' || b[2] != b'S' {
        return None;
    }
    let mut n = 0;
    let mut i = 3;
    while i < 6 {
        if !b[i].is_ascii_digit() {
            return None;
        }
        n = n * 10 + (b[i] - b'0') as usize;
        i += 1;
    }
    Some(n)
}

/// A rule by exact code (`KMS003`, any case) or name (`admin-can-self-grant`).
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name == code_or_name)
}

/// The rules a selector names: `ALL`, a code, a name, or a code prefix (`KMS00`).
pub fn matching(selector: &str) -> Vec<&'static Rule> {
    if selector.eq_ignore_ascii_case("ALL") {
        return RULES.to_vec();
    }
    if let Some(rule) = find(selector) {
        return vec![rule];
    }
    let upper = selector.to_ascii_uppercase();
    if upper.starts_with("KMS") {
        return RULES
            .iter()
            .copied()
            .filter(|r| r.code.starts_with(&upper))
            .collect();
    }
    Vec::new()
}

/// The rules of one configuration: every built-in rule, in code order, then the configuration's
/// custom rules, in the order defined. Positions are stable: settings keep one flag per
/// position.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    custom: Arc<[CustomRule]>,
}

impl Registry {
    /// The built-in rules and `custom`.
    pub fn new(custom: Vec<CustomRule>) -> Registry {
        Registry {
            custom: custom.into(),
        }
    }

    pub fn len(&self) -> usize {
        RULES.len() + self.custom.len()
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Every rule, in position order.
    pub fn rules(&self) -> impl Iterator<Item = RuleRef> + '_ {
        RULES
            .iter()
            .map(|r| RuleRef::Builtin(r))
            .chain(self.custom.iter().map(|c| c.rule.clone()))
    }

    /// The custom rules.
    pub fn custom(&self) -> &[CustomRule] {
        &self.custom
    }

    /// The position of the rule with this code.
    pub fn position(&self, code: &str) -> Option<usize> {
        let builtin = code_number(code)
            .map(|n| BY_NUMBER[n])
            .filter(|&i| i != NONE);
        builtin.map(usize::from).or_else(|| {
            self.custom
                .iter()
                .position(|c| c.rule.code() == code)
                .map(|i| RULES.len() + i)
        })
    }

    /// The one rule a code (any case) or name names.
    pub fn find(&self, code_or_name: &str) -> Option<RuleRef> {
        find(code_or_name).map(RuleRef::Builtin).or_else(|| {
            self.custom
                .iter()
                .find(|c| {
                    c.rule.code().eq_ignore_ascii_case(code_or_name)
                        || c.rule.name() == code_or_name
                })
                .map(|c| c.rule.clone())
        })
    }

    /// The rules a selector names: `ALL`, a code, a name, or a code prefix (`KMS00`, `ORG`),
    /// built-in and custom.
    pub fn matching(&self, selector: &str) -> Vec<RuleRef> {
        if let Some(rule) = self.find(selector) {
            return vec![rule];
        }
        let upper = selector.to_ascii_uppercase();
        if upper.is_empty() {
            return Vec::new();
        }
        let mut rules: Vec<RuleRef> = matching(selector)
            .into_iter()
            .map(RuleRef::Builtin)
            .collect();
        rules.extend(
            self.custom
                .iter()
                .filter(|c| upper == "ALL" || c.rule.code().starts_with(&upper))
                .map(|c| c.rule.clone()),
        );
        rules
    }

    /// Every code and name, for suggestions.
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        RULES.iter().flat_map(|r| [r.code, r.name]).chain(
            self.custom
                .iter()
                .flat_map(|c| [c.rule.code(), c.rule.name()]),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_rule_is_found_at_its_position_by_its_exact_code() {
        let registry = Registry::default();
        for (i, rule) in RULES.iter().enumerate() {
            assert_eq!(registry.position(rule.code), Some(i));
            assert_eq!(registry.position(&rule.code.to_lowercase()), None);
        }
        for code in [
            "KMS999", "KMS000", "KMS03", "KMS0030", "XMS003", "KMS00a", "",
        ] {
            assert_eq!(registry.position(code), None, "{code}");
        }
    }
}
