//! One file per rule; the registry lists them.

pub mod admin_can_self_grant;
pub mod duplicate_key;
pub mod grant_without_aws_resource_guard;
pub mod group_principal;
pub mod invalid_json;
pub mod missing_principal_type_guard;
pub mod missing_root_access;
