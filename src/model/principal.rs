//! Principals: what each `Principal`/`NotPrincipal` entry is.

use crate::tree::{Node, Referent, Value};

pub use crate::tree::{CURRENT_ACCOUNT, normalize_symbols};
use crate::tree::{Piece, pieces};

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
    /// An IAM unique id of a user or role (`AIDA…`, `AROA…`): what AWS shows once the user
    /// or role is deleted. Unique ids of anything else are [`PrincipalKind::Invalid`].
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
    /// See [`Principal::identity`]: computed once, compared often.
    identity: Option<Box<str>>,
}

impl<'a> Principal<'a> {
    /// An entry of `ptype` at `node`, of `kind`.
    pub fn new(node: &'a Node, ptype: PrincipalType, kind: PrincipalKind) -> Self {
        let mut p = Principal {
            node,
            ptype,
            kind,
            identity: None,
        };
        p.identity = p.compute_identity().map(String::into_boxed_str);
        p
    }

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
    /// in any partition equals its bare id; other ARNs compare as written; a template
    /// reference is the resource it names.
    pub fn identity(&self) -> Option<&str> {
        self.identity.as_deref()
    }

    fn compute_identity(&self) -> Option<String> {
        // A tag for the principal type, then the text: cheap to build and compare.
        let tagged = |tag: char, text: &str| {
            let mut id = String::with_capacity(text.len() + 1);
            id.push(tag);
            id.push_str(text);
            id
        };
        let tag = match self.ptype {
            PrincipalType::Star => '*',
            PrincipalType::Aws => 'a',
            PrincipalType::Service => 's',
            PrincipalType::Federated => 'f',
            PrincipalType::CanonicalUser => 'c',
            PrincipalType::Other => 'o',
        };
        match &self.kind {
            PrincipalKind::Account { account } => Some(tagged('0', account)),
            PrincipalKind::Unknown | PrincipalKind::Everyone => None,
            // A reference to a resource of the template is that resource wherever it is used.
            _ => match &self.node.value {
                Value::Unknown(u) if u.partial.is_none() => u
                    .refers_to
                    .as_ref()
                    .map(|r| tagged('r', &format!("{tag}{r:?}"))),
                _ => Some(tagged(tag, &normalize_symbols(self.text()))),
            },
        }
    }

    /// The principal as written: the string, or how an unresolved reference was written.
    pub fn text(&self) -> &str {
        match &self.node.value {
            Value::String(s) => s,
            Value::Unknown(u) => u.partial.as_deref().unwrap_or(&u.description),
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
        Value::String(s) if s == "*" => out.push(Principal::new(
            value,
            PrincipalType::Star,
            PrincipalKind::Everyone,
        )),
        // `Principal: !Ref AppRole` is the role's name: a bare string other than `"*"`.
        Value::Unknown(u) if matches!(u.refers_to, Some(Referent::IamNameOf { .. })) => {
            out.push(Principal::new(
                value,
                PrincipalType::Other,
                classify(PrincipalType::Other, value),
            ));
        }
        Value::Unknown(_) => out.push(Principal::new(
            value,
            PrincipalType::Star,
            PrincipalKind::Unknown,
        )),
        Value::Object(members) => {
            for m in members {
                let ptype = PrincipalType::from_key(&m.key);
                for node in m.value.one_or_many() {
                    out.push(Principal::new(node, ptype, classify(ptype, node)));
                }
            }
        }
        _ => out.push(Principal::new(
            value,
            PrincipalType::Other,
            PrincipalKind::Invalid(format!(
                "`Principal` must be `\"*\"` or an object, found {}",
                value.type_name()
            )),
        )),
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
                // A `Ref` to a user, role or group is its name, which AWS rejects as a principal.
                Some(Referent::IamNameOf { kind, logical_id }) => {
                    let what = match *kind {
                        "AWS::IAM::Group" => "IAM group",
                        "AWS::IAM::User" => "IAM user",
                        _ => "IAM role",
                    };
                    PrincipalKind::Invalid(format!(
                        "`Ref` gives the name of the {what} `{logical_id}`, not its ARN"
                    ))
                }
                None => match (&u.partial, ptype) {
                    (Some(text), PrincipalType::Aws) => classify_partial(text),
                    _ => PrincipalKind::Unknown,
                },
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

/// The prefixes of IAM unique ids and what each identifies. Only users (`AIDA`) and roles
/// (`AROA`) are principals; AWS writes their ids in a policy once they are deleted.
pub const UNIQUE_ID_PREFIXES: &[(&str, &str)] = &[
    ("AIDA", "an IAM user id"),
    ("AROA", "an IAM role id"),
    ("ABIA", "an AWS STS service bearer token id"),
    ("ACCA", "a context-specific credential id"),
    ("AGPA", "an IAM group id"),
    ("AIPA", "an EC2 instance profile id"),
    ("AKIA", "an access key id"),
    ("ANPA", "a managed policy id"),
    ("ANVA", "a managed policy version id"),
    ("APKA", "a public key id"),
    ("ASCA", "a server certificate id"),
    ("ASIA", "a temporary (AWS STS) access key id"),
];

/// The prefix of an IAM unique id and what it identifies, when `s` is one: a known prefix
/// followed by 16 or more upper-case letters and digits.
pub fn unique_id_kind(s: &str) -> Option<(&'static str, &'static str)> {
    let shaped = s.len() >= 20
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !shaped {
        return None;
    }
    UNIQUE_ID_PREFIXES
        .iter()
        .find(|(prefix, _)| s.starts_with(prefix))
        .copied()
}

/// Whether `s` is the unique id of an IAM user or role (`AIDA…`, `AROA…`).
fn is_unique_id(s: &str) -> bool {
    matches!(unique_id_kind(s), Some(("AIDA" | "AROA", _)))
}

/// An AWS principal written with template parts (`arn:aws:iam::${var.account}:role/Admin`):
/// what the known parts say. An account field that is one template value is a symbolic
/// account (the same symbol is the same account everywhere in the policy); anything the
/// unknown parts could change is unknown.
fn classify_partial(text: &str) -> PrincipalKind {
    let normalized = normalize_symbols(text);
    // Each hole becomes one placeholder character that no ARN syntax uses.
    const HOLE: char = '\u{1}';
    let mut masked = String::new();
    let mut holes = Vec::new();
    for piece in pieces(&normalized) {
        match piece {
            Piece::Literal(l) => masked.push_str(l),
            Piece::Hole(h) => {
                masked.push(HOLE);
                holes.push(format!("${{{h}}}"));
            }
        }
    }
    let Some(rest) = masked.strip_prefix("arn:") else {
        return PrincipalKind::Unknown;
    };
    let Some([partition, service, region, account, resource]) = arn_fields(rest) else {
        return PrincipalKind::Unknown;
    };
    let known = |field: &str| !field.contains(HOLE);
    if !(partition == HOLE.to_string() || PARTITIONS.contains(&partition))
        || !known(service)
        || !known(region)
        || !region.is_empty()
    {
        return PrincipalKind::Unknown;
    }
    let account = if account == HOLE.to_string() {
        // Which hole: count the holes before the account field.
        let before = masked[..masked.len() - resource.len() - 1]
            .matches(HOLE)
            .count();
        match holes.get(before.saturating_sub(1)) {
            Some(h) => h.clone(),
            None => return PrincipalKind::Unknown,
        }
    } else if is_account_id(account) || account == CURRENT_ACCOUNT {
        account.to_string()
    } else {
        return PrincipalKind::Unknown;
    };
    // The kind is known when the resource's type prefix is literal; the name may be a hole.
    let name = |prefix: &str| -> Option<String> {
        let rest = resource.strip_prefix(prefix)?;
        let last = rest.rsplit('/').next().unwrap_or(rest);
        Some(if known(last) {
            last.to_string()
        } else {
            last.replace(HOLE, "${…}")
        })
    };
    match service {
        "iam" if resource == "root" => PrincipalKind::Account { account },
        "iam" => {
            if let Some(name) = name("user/") {
                PrincipalKind::User { account, name }
            } else if let Some(name) = name("role/") {
                PrincipalKind::Role { account, name }
            } else if let Some(name) = name("group/") {
                PrincipalKind::Group { account, name }
            } else {
                PrincipalKind::Unknown
            }
        }
        "sts" => match resource
            .strip_prefix("assumed-role/")
            .and_then(|r| r.split_once('/'))
        {
            Some((role, _)) if known(role) => PrincipalKind::AssumedRole {
                account,
                role: role.to_string(),
            },
            _ => PrincipalKind::Unknown,
        },
        _ => PrincipalKind::Unknown,
    }
}

/// Whether an account is a template value (`${var.account_id}`) rather than a literal id.
pub fn is_symbolic_account(account: &str) -> bool {
    account.starts_with("${")
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
    if let Some((prefix, what)) = unique_id_kind(s) {
        return PrincipalKind::Invalid(format!("`{prefix}…` is {what}, not a user or role"));
    }
    if crate::tree::has_hole(s) {
        // A policy variable or template interpolation: not knowable here.
        return PrincipalKind::Unknown;
    }
    let Some(rest) = s.strip_prefix("arn:") else {
        return PrincipalKind::Invalid("expected an ARN, a 12-digit account id or `*`".to_string());
    };
    let Some([partition, service, region, account, resource]) = arn_fields(rest) else {
        return PrincipalKind::Invalid("an ARN has six `:`-separated parts".to_string());
    };
    if !PARTITIONS.contains(&partition) {
        return PrincipalKind::Invalid(format!("unknown partition `{partition}`"));
    }
    if s.bytes().any(|b| b == b'*' || b == b'?') {
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

/// The five `:`-separated fields of an ARN after `arn:` (the last keeps its own colons), as
/// `splitn(5, ':')` gives them; `None` with fewer than five.
fn arn_fields(rest: &str) -> Option<[&str; 5]> {
    let mut fields = [""; 5];
    let mut start = 0;
    for field in fields.iter_mut().take(4) {
        let end = start + memchr::memchr(b':', &rest.as_bytes()[start..])?;
        *field = &rest[start..end];
        start = end + 1;
    }
    fields[4] = &rest[start..];
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_fields_split_as_splitn_does() {
        for rest in [
            "aws:iam::111122223333:role/a:b",
            "aws:iam::1:",
            "a:b:c:d",
            "::::",
            "a:b:c",
            "",
        ] {
            let split: Vec<&str> = rest.splitn(5, ':').collect();
            assert_eq!(
                arn_fields(rest).map(|f| f.to_vec()),
                (split.len() == 5).then_some(split)
            );
        }
    }

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
        assert_eq!(kind("AROA1234567890ABCDEF"), PrincipalKind::UniqueId);
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

    #[test]
    fn only_user_and_role_ids_are_unique_id_principals() {
        assert_eq!(
            kind("AKIAIOSFODNN7EXAMPLE"),
            PrincipalKind::Invalid("`AKIA…` is an access key id, not a user or role".into())
        );
        for id in [
            "ASIAJQABLZS4A3QDU576Q",
            "ANPAJQABLZS4A3QDU576Q",
            "ANVAJQABLZS4A3QDU576Q",
            "AGPAJQABLZS4A3QDU576Q",
            "AIPAJQABLZS4A3QDU576Q",
            "ABIAJQABLZS4A3QDU576Q",
            "ACCAJQABLZS4A3QDU576Q",
            "APKAJQABLZS4A3QDU576Q",
            "ASCAJQABLZS4A3QDU576Q",
        ] {
            assert!(
                matches!(kind(id), PrincipalKind::Invalid(ref why) if why.starts_with(&format!("`{}…` is ", &id[..4]))),
                "{id}"
            );
        }
        // Too short, or not upper-case letters and digits: not an id at all.
        for s in [
            "AIDA1234",
            "AIDAJQABLZS4A3QDU57",
            "AIDAjqablzs4a3qdu576q",
            "AXYZJQABLZS4A3QDU576Q",
        ] {
            assert!(
                matches!(kind(s), PrincipalKind::Invalid(ref why) if why.starts_with("expected an ARN")),
                "{s}"
            );
        }
        assert_eq!(
            unique_id_kind("AIDAJQABLZS4A3QDU576Q"),
            Some(("AIDA", "an IAM user id"))
        );
        assert_eq!(unique_id_kind("arn:aws:iam::111122223333:root"), None);
    }

    #[test]
    fn a_ref_to_an_iam_resource_is_its_name() {
        let node = |refers_to| {
            let mut u = crate::tree::Unknown::new("!Ref AppRole");
            u.refers_to = Some(refers_to);
            Node::unknown(crate::tree::Span::default(), u)
        };
        let name_of = |kind| Referent::IamNameOf {
            kind,
            logical_id: "AppRole".into(),
        };
        assert_eq!(
            classify(PrincipalType::Aws, &node(name_of("AWS::IAM::Role"))),
            PrincipalKind::Invalid(
                "`Ref` gives the name of the IAM role `AppRole`, not its ARN".into()
            )
        );
        assert!(matches!(
            classify(PrincipalType::Aws, &node(name_of("AWS::IAM::Group"))),
            PrincipalKind::Invalid(ref why) if why.contains("IAM group")
        ));
        assert!(matches!(
            classify(PrincipalType::Aws, &node(Referent::IamRole("AppRole".into()))),
            PrincipalKind::Role { ref name, .. } if name == "AppRole"
        ));
        // `Principal: !Ref AppRole` (not under `AWS`) is no valid principal either.
        let bare = node(name_of("AWS::IAM::User"));
        let entries = parse_principals(&bare);
        assert_eq!(entries.len(), 1);
        assert!(matches!(entries[0].kind, PrincipalKind::Invalid(_)));
    }

    #[test]
    fn partly_known_principals_keep_what_is_known() {
        let k = classify_partial;
        assert_eq!(
            k("arn:aws:iam::${var.account_id}:root"),
            PrincipalKind::Account {
                account: "${var.account_id}".into()
            }
        );
        assert_eq!(
            k("arn:${data.aws_partition.p.partition}:iam::${var.account_id}:role/Admin"),
            PrincipalKind::Role {
                account: "${var.account_id}".into(),
                name: "Admin".into()
            }
        );
        assert_eq!(
            k("arn:${var.partition}:iam::${var.acct}:user/${var.name}"),
            PrincipalKind::User {
                account: "${var.acct}".into(),
                name: "${…}".into()
            }
        );
        assert!(matches!(
            k("arn:aws:iam::${var.a}:group/G"),
            PrincipalKind::Group { .. }
        ));
        assert_eq!(k("${var.principal}"), PrincipalKind::Unknown);
        assert_eq!(k("arn:aws:iam::${var.a}:${var.r}"), PrincipalKind::Unknown);
        assert_eq!(k("arn:aws:iam::1111${var.a}:root"), PrincipalKind::Unknown);
    }
}
