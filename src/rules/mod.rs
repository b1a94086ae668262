//! One file per rule; the registry lists them.

pub mod admin_can_self_grant;
pub mod allow_with_not_action;
pub mod allow_with_not_principal;
pub mod cross_account_access;
pub mod deleted_principal;
pub mod duplicate_key;
pub mod full_access_to_non_root;
pub mod grant_without_aws_resource_guard;
pub mod group_principal;
pub mod iam_user_principal;
pub mod invalid_json;
pub mod lockout_deny;
pub mod missing_principal_type_guard;
pub mod missing_root_access;
pub mod public_access;
pub mod service_principal_without_source_guard;
pub mod user_can_destroy;
