//! One file per rule; the registry lists them.

pub mod admin_can_self_grant;
pub mod condition_key_not_allowed;
pub mod condition_type_mismatch;
pub mod duplicate_key;
pub mod grant_without_aws_resource_guard;
pub mod group_principal;
pub mod invalid_character;
pub mod invalid_json;
pub mod invalid_principal_type_value;
pub mod missing_principal_type_guard;
pub mod missing_root_access;
pub mod policy_too_large;
pub mod unknown_condition_key;
pub mod unknown_condition_operator;
