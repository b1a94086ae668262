//! Every rule, sorted by code, and selection by code, name or prefix.

use crate::rule::Rule;
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
    &rules::unused_suppression::RULE,
];

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
