//! KMS040: an identity policy allows KMS actions on a key whose key policy does not enable
//! IAM, so the permission never takes effect.

use crate::access::eval::{Delegation, Subject, Verdict, delegation, evaluate};
use crate::access::{Identity, IdentityKind, IdentityPolicy, Inventory, Key};
use crate::diagnostic::Diagnostic;
use crate::model::{ActionSet, OpBase, PatternKind, PolicyContext, SetOp, Statement, Tri, Who};
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
                    .intersect(ActionSet::key_policy_actions());
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

/// The key, when its policy certainly does not enable IAM: no statement that may give the
/// account root anything, or only statements whose conditions leave IAM users and roles out.
/// A policy kmslint cannot read whole (statements a template computes, unresolved principals
/// or conditions) enables IAM as far as this rule knows.
fn closed<'i>(key: &'i Key, context: &PolicyContext) -> Option<Closed<'i>> {
    if key.policy.doc.root.is_unknown() {
        return None;
    }
    let ctx = PolicyContext {
        account: key.account.clone().or_else(|| context.account.clone()),
        trusted_accounts: context.trusted_accounts.clone(),
    };
    let policy = key.policy.policy(&ctx);
    if policy.open || policy.statements.is_empty() {
        return None;
    }
    if !matches!(delegation(key, context), Delegation::NotEnabled(_)) {
        return None;
    }
    let to_file = |span: Span| key.policy.doc.to_file(span);
    let guard = policy.statements.iter().find_map(|st| {
        if !st.is_allow() || policy.names(st, Who::Root) != Tri::Yes {
            return None;
        }
        principal_type_guard(st)
    });
    let label = match guard {
        Some(span) => Label {
            span: to_file(span),
            message: "this condition limits the root statement to the account itself: IAM policies are not enabled".to_string(),
        },
        None => Label {
            span: to_file(policy.anchor()),
            message: "no statement of this key policy allows the account root: IAM policies are not enabled".to_string(),
        },
    };
    Some(Closed {
        key,
        label,
        root: policy.root_arn_example(),
    })
}

/// The `aws:PrincipalType` condition key of a statement, when it has one that limits the
/// type with a string operator.
fn principal_type_guard(st: &Statement<'_>) -> Option<Span> {
    st.conditions_on("aws:PrincipalType")
        .find(|c| {
            c.operator.is_some_and(|op| {
                op.set != SetOp::ForAllValues
                    && matches!(
                        op.base,
                        OpBase::StringEquals | OpBase::StringEqualsIgnoreCase | OpBase::StringLike
                    )
            })
        })
        .map(|c| c.key_span())
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
