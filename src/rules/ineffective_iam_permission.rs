//! KMS040: an identity policy allows KMS actions on a key whose key policy does not enable
//! IAM, so the permission never takes effect.

use crate::access::eval::{
    Delegation, Subject, Verdict, delegation, evaluate, principal_type_holds,
};
use crate::access::{Identity, IdentityKind, IdentityPolicy, Inventory, Key};
use crate::diagnostic::Diagnostic;
use crate::model::{
    ActionSet, OpBase, PatternKind, Policy, PolicyContext, SetOp, Statement, Tri, Who,
};
use crate::rule::{Check, Label, Rule, RuleGroup, RuleRef, Severity};
use crate::tree::{Node, Span, Value};

/// Reported by the engine's cross-document pass over a CloudFormation template or a
/// Terraform module.
pub const RULE: Rule = Rule {
    code: "KMS040",
    name: "ineffective-iam-permission",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "an IAM policy allows KMS actions on a key whose key policy does not enable IAM",
    doc: include_str!("../../rules/ineffective-iam-permission.md"),
    check: Check::Inventory,
};

/// The findings of the rule on what one template or module holds, in the coordinates of the
/// text its documents were read from (the file, or a module's files one after another);
/// severity is the rule's own.
pub fn check(inventory: &Inventory, context: &PolicyContext) -> Vec<Diagnostic> {
    let keys: Vec<Closed<'_>> = inventory
        .keys
        .iter()
        .filter_map(|k| closed(k, context))
        .collect();
    if keys.is_empty() {
        return Vec::new();
    }
    // A policy attached to several identities is one text: one finding per `Resource` entry
    // and key, naming every identity the statement is meant for.
    let mut found: Vec<Found<'_>> = Vec::new();
    for identity in &inventory.identities {
        for ip in &identity.policies {
            if ip.doc.doc.root.is_unknown() {
                continue;
            }
            let policy = ip.doc.policy(context);
            for st in policy.statements.iter().filter(|st| st.is_allow()) {
                let actions = st
                    .certainly_covered()
                    .intersect(const { ActionSet::key_policy_actions() });
                if actions.is_empty() || st.malformed {
                    continue;
                }
                let Some(resource) = st.element("Resource") else {
                    continue;
                };
                for entry in resource.value.one_or_many() {
                    for (k, key) in keys.iter().enumerate() {
                        if !names_key(entry, key.key) {
                            continue;
                        }
                        let span = ip.doc.doc.to_file(entry.span);
                        match found.iter_mut().find(|f| f.span == span && f.key == k) {
                            Some(f) => {
                                if !f.identities.iter().any(|i| std::ptr::eq(*i, identity)) {
                                    f.identities.push(identity);
                                }
                            }
                            None => found.push(Found {
                                span,
                                key: k,
                                identities: vec![identity],
                                policy: ip,
                                actions,
                                written: actions_written(st, actions),
                                sid: st.sid_text().map(str::to_string),
                            }),
                        }
                    }
                }
            }
        }
    }
    found
        .into_iter()
        .map(|f| diagnostic(inventory, &keys[f.key], f, context))
        .collect()
}

/// A `Resource` entry of an identity policy that names a key whose policy does not enable
/// IAM.
struct Found<'i> {
    /// The entry, in the file's coordinates.
    span: Span,
    /// Which of the keys it names.
    key: usize,
    /// The identities the policy is attached to.
    identities: Vec<&'i Identity>,
    policy: &'i IdentityPolicy,
    /// The KMS actions the statement allows, and its action entries as written.
    actions: ActionSet,
    written: String,
    sid: Option<String>,
}

/// A key whose policy certainly does not enable IAM, and why.
struct Closed<'i> {
    key: &'i Key,
    /// The label on the key policy: where it says so, and what it says.
    label: Label,
    /// The account root's ARN as the key policy writes it, for the help.
    root: String,
}

/// The key, when its policy certainly does not enable IAM (see [`iam_closed`]) and gives
/// nothing to another account.
fn closed<'i>(key: &'i Key, context: &PolicyContext) -> Option<Closed<'i>> {
    if key.policy.doc.root.is_unknown() {
        return None;
    }
    let ctx = PolicyContext {
        account: key.account.clone().or_else(|| context.account.clone()),
        trusted_accounts: context.trusted_accounts.clone(),
    };
    let mut policy = key.policy.policy(&ctx);
    policy.dialect = key.policy.doc.dialect;
    if !matches!(delegation(key, context), Delegation::NotEnabled(_)) {
        return None;
    }
    // A key shared with another account: an identity of the source may be in that account
    // (a Terraform module can create resources in several), where its identity policy is what
    // lets it use the key.
    let shared = policy.statements.iter().any(|st| {
        !st.is_deny()
            && st
                .principal_entries()
                .iter()
                .any(|p| policy.is_other_account(p) != Tri::No)
    });
    if shared {
        return None;
    }
    let label = match iam_closed(&policy)? {
        Closure::Guarded(span) => Label {
            span: key.policy.doc.to_file(span),
            message: "this condition limits the root statement to the account itself: IAM policies are not enabled".to_string(),
        },
        Closure::NoRoot => Label {
            span: key.policy.doc.to_file(policy.anchor()),
            message: "no statement of this key policy allows the account root: IAM policies are not enabled".to_string(),
        },
    };
    Some(Closed {
        key,
        label,
        root: policy.root_arn_example(),
    })
}

/// Why a key policy does not enable IAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closure {
    /// No Allow statement may apply to the account root.
    NoRoot,
    /// Every Allow statement that may apply to the account root has an `aws:PrincipalType`
    /// condition (this one, the first's) that admits no IAM user, role session or federated
    /// user.
    Guarded(Span),
}

/// Whether a key policy certainly does not enable IAM, and why: `None` when it does, or may.
/// A policy kmslint cannot read whole (statements a template computes, unresolved principals
/// or guard values) may enable it; so does a root statement whose only fault is its
/// `Resource` (KMS021 reports that), and a statement for everyone without the guard.
pub fn iam_closed(policy: &Policy<'_>) -> Option<Closure> {
    if policy.open || policy.statements.is_empty() {
        return None;
    }
    let mut guard = None;
    // Statements for everyone count too: they give IAM users and roles the key directly, so
    // whether an identity policy takes effect is beside the point.
    for st in policy.statements.iter().filter(|st| !st.is_deny()) {
        if policy.applies_to(st, Who::Root) == Tri::No {
            continue;
        }
        let span = excludes_iam(st)?;
        guard.get_or_insert(span);
    }
    Some(guard.map_or(Closure::NoRoot, Closure::Guarded))
}

/// The principal types a request from an IAM identity has.
const IAM_TYPES: &[&str] = &["User", "AssumedRole", "FederatedUser"];

/// The `aws:PrincipalType` condition key of a statement whose condition admits none of
/// [`IAM_TYPES`] (`StringEquals` `Account`), when it has one.
fn excludes_iam(st: &Statement<'_>) -> Option<Span> {
    st.conditions_on("aws:PrincipalType").find_map(|c| {
        let op = c.operator?;
        // `ForAllValues:` holds when the key is absent.
        if op.set == SetOp::ForAllValues {
            return None;
        }
        let string = matches!(
            op.base,
            OpBase::StringEquals | OpBase::StringEqualsIgnoreCase | OpBase::StringLike
        );
        let admits_none = IAM_TYPES
            .iter()
            .all(|t| principal_type_holds(c, t) == Tri::No);
        (string && admits_none).then(|| c.key_span())
    })
}

/// A reference as written, without `${…}` around it.
fn bare(text: &str) -> &str {
    text.strip_prefix("${")
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text)
        .trim()
}

/// Whether a `Resource` entry names this key itself: its ARN, key id, an alias of it, or a
/// reference to it. `*` and wildcards name every key, including those that enable IAM: the
/// permission then takes effect on those.
fn names_key(entry: &Node, key: &Key) -> bool {
    match &entry.value {
        Value::String(s) => !s.contains(['*', '?']) && key.is_named_by(s),
        Value::Unknown(u) => {
            let written = bare(u.partial.as_deref().unwrap_or(&u.description));
            key.refs.iter().any(|r| bare(r) == written)
        }
        _ => false,
    }
}

/// The action entries of a statement that give `actions`, as written, for the message.
fn actions_written(st: &Statement<'_>, actions: ActionSet) -> String {
    let written: Vec<String> = st
        .action_patterns()
        .iter()
        .filter(|p| {
            matches!(p.kind, PatternKind::Kms { matches, .. } if matches.intersects(actions))
                || p.text() == Some("*")
        })
        .filter_map(|p| p.text().map(|t| format!("`{t}`")))
        .collect();
    match written.len() {
        1..=3 => written.join(", "),
        _ => "KMS actions".to_string(),
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// How messages name an identity: `role/Reader`.
fn identity_name(identity: &Identity) -> String {
    let name = identity
        .arn
        .rsplit_once(&format!(":{}/", identity.kind.as_str()))
        .map_or(identity.arn.as_str(), |(_, n)| n);
    format!("{}/{}", identity.kind.as_str(), name)
}

fn diagnostic(
    inventory: &Inventory,
    key: &Closed<'_>,
    found: Found<'_>,
    context: &PolicyContext,
) -> Diagnostic {
    let key_name = &key.key.name;
    let message = format!(
        "{} on `{key_name}` never takes effect: the key policy does not enable IAM, so IAM policies cannot give access to the key",
        found.written
    );
    let named = |groups: bool| {
        let names: Vec<String> = found
            .identities
            .iter()
            .filter(|i| (i.kind == IdentityKind::Group) == groups)
            .map(|i| format!("`{}`", identity_name(i)))
            .collect();
        and_list(&names)
    };
    let (people, groups) = (named(false), named(true));
    // The key policy (or a grant) may give every user and role these actions itself: then the
    // statement is only redundant.
    let direct = groups.is_empty()
        && found.identities.iter().all(|identity| {
            evaluate(
                inventory,
                &Subject::new(&identity.arn),
                key.key,
                found.actions,
                context,
            )
            .iter()
            .all(|a| a.verdict == Verdict::Allowed)
        });
    let help = if direct {
        format!(
            "{people} has these actions on the key without this statement (from the key policy or a grant): remove the statement, or `{key_name}` from its `Resource`"
        )
    } else {
        // A key policy cannot name a group: its users get access through a role.
        let target = match (people.is_empty(), groups.is_empty()) {
            (_, true) => people,
            (true, false) => format!("a role the users of {groups} can assume"),
            (false, false) => format!("{people} and a role the users of {groups} can assume"),
        };
        format!(
            "give {target} these actions in the key policy of `{key_name}` itself and remove them here, or add the root statement (`{}` allowed `kms:*`, with no `aws:PrincipalType` condition) so IAM policies can give the key",
            key.root
        )
    };
    Diagnostic {
        rule: RuleRef::Builtin(&RULE),
        severity: RULE.severity,
        policy: Some(
            found
                .policy
                .doc
                .doc
                .name
                .clone()
                .unwrap_or_else(|| found.policy.name.clone()),
        ),
        span: found.span,
        message,
        labels: vec![key.label.clone()],
        help: Some(help),
        embedded: None,
        fix: None,
        sid: found.sid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::json;

    /// What `iam_closed` says of a policy whose statements are `statements`.
    fn closure(statements: &str) -> Option<Closure> {
        let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
        let root = json::parse(&text).unwrap();
        let policy = Policy::new(&root, &text, &PolicyContext::default());
        iam_closed(&policy)
    }

    const ROOT: &str = r#""Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*""#;
    const ADMIN: &str = r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": "kms:*", "Resource": "*"}"#;

    fn guarded(condition: &str) -> Option<Closure> {
        closure(&format!(r#"{{{ROOT}, "Condition": {condition}}}, {ADMIN}"#))
    }

    #[test]
    fn a_root_statement_enables_iam_unless_its_guard_leaves_iam_identities_out() {
        assert_eq!(closure(&format!("{{{ROOT}}}, {ADMIN}")), None);
        assert_eq!(closure(ADMIN), Some(Closure::NoRoot));
        for closed in [
            r#"{"StringEquals": {"aws:PrincipalType": "Account"}}"#,
            r#"{"StringEqualsIgnoreCase": {"aws:PrincipalType": "account"}}"#,
            r#"{"StringLike": {"aws:PrincipalType": "Acc*"}}"#,
            r#"{"ForAnyValue:StringEquals": {"aws:PrincipalType": "Account"}}"#,
        ] {
            assert!(
                matches!(guarded(closed), Some(Closure::Guarded(_))),
                "{closed}"
            );
        }
        for open in [
            r#"{"StringEquals": {"aws:PrincipalType": ["Account", "AssumedRole"]}}"#,
            r#"{"StringLike": {"aws:PrincipalType": "*"}}"#,
            r#"{"StringNotEquals": {"aws:PrincipalType": "Account"}}"#,
            r#"{"ForAllValues:StringEquals": {"aws:PrincipalType": "Account"}}"#,
            r#"{"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}"#,
        ] {
            assert_eq!(guarded(open), None, "{open}");
        }
    }

    #[test]
    fn what_may_apply_to_the_root_keeps_the_question_open() {
        // A statement for everyone, an unresolved principal, a root statement whose
        // `Resource` is not `*`, statements a template computes.
        for statements in [
            r#"{"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Principal": {"AWS": "${var.admin}"}, "Action": "kms:*", "Resource": "*"}"#,
            r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "arn:aws:kms:us-east-1:111122223333:key/*"}"#,
        ] {
            assert_eq!(
                closure(&format!("{statements}, {ADMIN}")),
                None,
                "{statements}"
            );
        }
        assert_eq!(closure(""), None);
        // A Deny for the root enables nothing.
        let deny = r#"{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"}"#;
        assert_eq!(closure(&format!("{deny}, {ADMIN}")), Some(Closure::NoRoot));
    }
}
