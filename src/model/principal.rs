//! Principals: what each `Principal`/`NotPrincipal` entry is.

use crate::tree::{Node, Referent, Value};

pub use crate::tree::{CURRENT_ACCOUNT, normalize_symbols};

/// The partitions AWS has.
pub const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The principal type key the entry was listed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalType {
    /// `"Principal": "*"`.
    Star,
    Aws,
    Service,
    Federated,
    CanonicalUser,
    /// A key other than the four AWS knows (`Aws`, `IAM`).
    Other,
}

impl PrincipalType {
    /// The type keys a `Principal` object may have (case-sensitive).
    pub const KEYS: &'static [&'static str] = &["AWS", "Service", "Federated", "CanonicalUser"];

    /// The type a `Principal` object key stands for (`Other` for an unknown key).
    pub fn from_key(key: &str) -> PrincipalType {
        match key {
            "AWS" => PrincipalType::Aws,
            "Service" => PrincipalType::Service,
            "Federated" => PrincipalType::Federated,
            "CanonicalUser" => PrincipalType::CanonicalUser,
            _ => PrincipalType::Other,
        }
    }
}

/// What an entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrincipalKind {
    /// `"*"`: everyone, anonymous callers included.
    Everyone,
    /// An account (`arn:…:iam::ACCOUNT:root` or a bare 12-digit id), which AWS treats as the
    /// account's root: every principal of the account that IAM policies allow.
    Account {
        account: String,
    },
    User {
        account: String,
        name: String,
    },
    Role {
        account: String,
        name: String,
    },
    Group {
        account: String,
        name: String,
    },
    AssumedRole {
        account: String,
        role: String,
    },
    FederatedUser {
        account: String,
    },
    /// An IAM unique id (`AIDA…`, `AROA…`): what AWS shows once the user or role is deleted.
    UniqueId,
    /// A service principal (`logs.amazonaws.com`).
    Service,
    Federated,
    CanonicalUser,
    /// An unresolved template value: it could be anything.
    Unknown,
    /// Not a valid principal; the reason says why.
    Invalid(String),
}

/// One principal entry.
#[derive(Debug, Clone)]
pub struct Principal<'a> {
    pub node: &'a Node,
    pub ptype: PrincipalType,
    pub kind: PrincipalKind,
}

impl Principal<'_> {
    /// The account the principal belongs to, when its text says.
    pub fn account(&self) -> Option<&str> {
        match &self.kind {
            PrincipalKind::Account { account }
            | PrincipalKind::User { account, .. }
            | PrincipalKind::Role { account, .. }
            | PrincipalKind::Group { account, .. }
            | PrincipalKind::AssumedRole { account, .. }
            | PrincipalKind::FederatedUser { account } => Some(account),
            _ => None,
        }
    }

    /// A normalised identity for comparing entries across statements: an account's root ARN
    /// in any partition equals its bare id; other ARNs compare as written.
    pub fn identity(&self) -> Option<String> {
        match &self.kind {
            PrincipalKind::Account { account } => Some(format!("account:{account}")),
            PrincipalKind::Unknown | PrincipalKind::Everyone => None,
            _ => self.node.as_str().map(|s| format!("{:?}:{s}", self.ptype)),
        }
    }

    /// The principal as written: the string, or how an unresolved reference was written.
    pub fn text(&self) -> &str {
        match &self.node.value {
            Value::String(s) => s,
            Value::Unknown(u) => &u.description,
            _ => "",
        }
    }

    /// A short description of what the principal is, for messages and hovers.
    pub fn describe(&self) -> String {
        match &self.kind {
            PrincipalKind::Everyone => "everyone (`*`), anonymous callers included".to_string(),
            PrincipalKind::Account { account } => format!("the account {account} (its root)"),
            PrincipalKind::User { name, account } => format!("IAM user `{name}` in {account}"),
            PrincipalKind::Role { name, account } => format!("IAM role `{name}` in {account}"),
            PrincipalKind::Group { name, account } => format!("IAM group `{name}` in {account}"),
            PrincipalKind::AssumedRole { role, account } => {
                format!("an assumed-role session of `{role}` in {account}")
            }
            PrincipalKind::FederatedUser { account } => format!("a federated user in {account}"),
            PrincipalKind::UniqueId => "an IAM unique id (a deleted user or role)".to_string(),
            PrincipalKind::Service => format!("service principal `{}`", self.text()),
            PrincipalKind::Federated => "a federated identity provider".to_string(),
            PrincipalKind::CanonicalUser => "a canonical user id".to_string(),
            PrincipalKind::Unknown => "an unresolved value".to_string(),
            PrincipalKind::Invalid(why) => format!("not a valid principal: {why}"),
        }
    }
}

/// Read a `Principal`/`NotPrincipal` value into its entries.
pub fn parse_principals(value: &Node) -> Vec<Principal<'_>> {
    let mut out = Vec::new();
    match &value.value {
        Value::String(s) if s == "*" => out.push(Principal {
            node: value,
            ptype: PrincipalType::Star,
            kind: PrincipalKind::Everyone,
        }),
        Value::Unknown(_) => out.push(Principal {
            node: value,
            ptype: PrincipalType::Star,
            kind: PrincipalKind::Unknown,
        }),
        Value::Object(members) => {
            for m in members {
                let ptype = PrincipalType::from_key(&m.key);
                for node in m.value.one_or_many() {
                    out.push(Principal {
                        node,
                        ptype,
                        kind: classify(ptype, node),
                    });
                }
            }
        }
        _ => out.push(Principal {
            node: value,
            ptype: PrincipalType::Other,
            kind: PrincipalKind::Invalid(format!(
                "`Principal` must be `\"*\"` or an object, found {}",
                value.type_name()
            )),
        }),
    }
    out
}

fn classify(ptype: PrincipalType, node: &Node) -> PrincipalKind {
    let s = match &node.value {
        Value::String(s) => s.as_str(),
        Value::Unknown(u) => {
            let account = CURRENT_ACCOUNT.to_string();
            return match &u.refers_to {
                Some(Referent::IamGroup(name)) => PrincipalKind::Group {
                    account,
                    name: name.clone(),
                },
                Some(Referent::IamRole(name)) => PrincipalKind::Role {
                    account,
                    name: name.clone(),
                },
                Some(Referent::IamUser(name)) => PrincipalKind::User {
                    account,
                    name: name.clone(),
                },
                None => PrincipalKind::Unknown,
            };
        }
        _ => {
            return PrincipalKind::Invalid(format!(
                "expected a string, found {}",
                node.type_name()
            ));
        }
    };
    if s.is_empty() {
        return PrincipalKind::Invalid("the principal is an empty string".to_string());
    }
    match ptype {
        PrincipalType::Aws => classify_aws(s),
        PrincipalType::Service => PrincipalKind::Service,
        PrincipalType::Federated => PrincipalKind::Federated,
        PrincipalType::CanonicalUser => PrincipalKind::CanonicalUser,
        PrincipalType::Star | PrincipalType::Other => {
            PrincipalKind::Invalid("unknown principal type".to_string())
        }
    }
}

/// Whether `s` is a 12-digit account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_unique_id(s: &str) -> bool {
    const PREFIXES: &[&str] = &["AIDA", "AROA", "AIPA", "ANPA", "ANVA", "ASIA", "AGPA"];
    s.len() >= 20
        && PREFIXES.iter().any(|p| s.starts_with(p))
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

fn classify_aws(s: &str) -> PrincipalKind {
    let normalized = normalize_symbols(s);
    let s = normalized.as_ref();
    if s == "*" {
        return PrincipalKind::Everyone;
    }
    if is_account_id(s) || s == CURRENT_ACCOUNT {
        return PrincipalKind::Account {
            account: s.to_string(),
        };
    }
    if is_unique_id(s) {
        return PrincipalKind::UniqueId;
    }
    if s.contains("${") {
        // A policy variable or template interpolation: not knowable here.
        return PrincipalKind::Unknown;
    }
    let Some(rest) = s.strip_prefix("arn:") else {
        return PrincipalKind::Invalid("expected an ARN, a 12-digit account id or `*`".to_string());
    };
    let parts: Vec<&str> = rest.splitn(5, ':').collect();
    let [partition, service, region, account, resource] = parts[..] else {
        return PrincipalKind::Invalid("an ARN has six `:`-separated parts".to_string());
    };
    if !PARTITIONS.contains(&partition) {
        return PrincipalKind::Invalid(format!("unknown partition `{partition}`"));
    }
    if s.contains(['*', '?']) {
        return PrincipalKind::Invalid(
            "wildcards are not allowed inside a principal ARN (only a whole `\"*\"`)".to_string(),
        );
    }
    if !matches!(service, "iam" | "sts") {
        return PrincipalKind::Invalid(format!(
            "`{service}` ARNs are not principals (expected `iam` or `sts`)"
        ));
    }
    if !region.is_empty() {
        return PrincipalKind::Invalid(format!("`{service}` ARNs have no region"));
    }
    if account.is_empty() {
        return PrincipalKind::Invalid("the ARN has no account id".to_string());
    }
    if !is_account_id(account) && account != CURRENT_ACCOUNT {
        return PrincipalKind::Invalid(format!("`{account}` is not a 12-digit account id"));
    }
    let account = account.to_string();
    let named = |prefix: &str| -> Option<String> {
        let rest = resource.strip_prefix(prefix)?;
        let name = rest.rsplit('/').next().unwrap_or(rest);
        (!name.is_empty()).then(|| name.to_string())
    };
    match service {
        "iam" => {
            if resource == "root" {
                PrincipalKind::Account { account }
            } else if let Some(name) = named("user/") {
                PrincipalKind::User { account, name }
            } else if let Some(name) = named("role/") {
                PrincipalKind::Role { account, name }
            } else if let Some(name) = named("group/") {
                PrincipalKind::Group { account, name }
            } else {
                PrincipalKind::Invalid(format!(
                    "`{resource}` is not `root`, `user/…`, `role/…` or `group/…`"
                ))
            }
        }
        "sts" => {
            if let Some(rest) = resource.strip_prefix("assumed-role/") {
                match rest.split_once('/') {
                    Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                        PrincipalKind::AssumedRole {
                            account,
                            role: role.to_string(),
                        }
                    }
                    _ => PrincipalKind::Invalid(
                        "an assumed-role ARN is `assumed-role/ROLE/SESSION`".to_string(),
                    ),
                }
            } else if named("federated-user/").is_some() {
                PrincipalKind::FederatedUser { account }
            } else {
                PrincipalKind::Invalid(format!(
                    "`{resource}` is not `assumed-role/…` or `federated-user/…`"
                ))
            }
        }
        other => PrincipalKind::Invalid(format!(
            "`{other}` ARNs are not principals (expected `iam` or `sts`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(s: &str) -> PrincipalKind {
        classify_aws(s)
    }

    #[test]
    fn aws_principal_forms() {
        let acct = |a: &str| PrincipalKind::Account { account: a.into() };
        assert_eq!(kind("111122223333"), acct("111122223333"));
        assert_eq!(
            kind("arn:aws-us-gov:iam::111122223333:root"),
            acct("111122223333")
        );
        assert!(matches!(
            kind("arn:aws-cn:iam::111122223333:group/division/app/Admins"),
            PrincipalKind::Group { ref name, .. } if name == "Admins"
        ));
        assert!(matches!(
            kind("arn:aws:iam::111122223333:role/groupadmins"),
            PrincipalKind::Role { .. }
        ));
        assert!(matches!(
            kind("arn:aws:sts::111122223333:assumed-role/Admin/alice"),
            PrincipalKind::AssumedRole { .. }
        ));
        assert_eq!(kind("AIDAJQABLZS4A3QDU576Q"), PrincipalKind::UniqueId);
        assert!(matches!(
            kind("arn:aws:iam::*:root"),
            PrincipalKind::Invalid(_)
        ));
        assert!(matches!(
            kind("arn:aws:iam::111122223333:role/*"),
            PrincipalKind::Invalid(_)
        ));
        assert!(matches!(
            kind("arn:aws-xx:iam::111122223333:root"),
            PrincipalKind::Invalid(_)
        ));
        assert!(matches!(kind("11112222333"), PrincipalKind::Invalid(_)));
        assert_eq!(
            kind("arn:${AWS::Partition}:iam::${AWS::AccountId}:root"),
            acct(CURRENT_ACCOUNT)
        );
        assert_eq!(
            kind("arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"),
            acct(CURRENT_ACCOUNT)
        );
        assert_eq!(
            kind("arn:aws:iam::${var.account}:root"),
            PrincipalKind::Unknown
        );
        assert_eq!(
            kind("arn:aws:iam::111122223333:user/${aws:username}"),
            PrincipalKind::Unknown
        );
    }
}
