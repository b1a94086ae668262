//! One file per rule; the registry lists them.

pub mod admin_can_self_grant;
pub mod condition_key_not_allowed;
pub mod condition_type_mismatch;
pub mod conflicting_elements;
pub mod duplicate_key;
pub mod duplicate_sid;
pub mod grant_without_aws_resource_guard;
pub mod group_principal;
pub mod iam_only_action;
pub mod invalid_character;
pub mod invalid_effect;
pub mod invalid_json;
pub mod invalid_principal;
pub mod invalid_principal_type_value;
pub mod missing_element;
pub mod missing_principal_type_guard;
pub mod missing_root_access;
pub mod non_kms_action;
pub mod policy_too_large;
pub mod resource_not_this_key;
pub mod unknown_action;
pub mod unknown_condition_key;
pub mod unknown_condition_operator;
pub mod unknown_element;
pub mod version;
