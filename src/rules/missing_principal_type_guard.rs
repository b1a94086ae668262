//! KMS004: the root statement lets IAM policies grant the key to anyone in the account.

use crate::model::action::glob_match;
use crate::model::condition::scalar_text;
use crate::model::{ActionSet, OpBase, Policy, Principal, PrincipalKind, SetOp, Statement, Tri};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS004",
    name: "missing-principal-type-guard",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "the root statement does not limit `aws:PrincipalType` to `Account`",
    doc: include_str!("../../rules/missing-principal-type-guard.md"),
    check: Check::Policy(check),
};

const PRINCIPAL_TYPES: &[&str] = &[
    "Account",
    "User",
    "FederatedUser",
    "AssumedRole",
    "Anonymous",
];

/// What the statement's `aws:PrincipalType` guards admit: `None` when there is no guard or
/// a guard value is unresolved (then nothing can be said), else the admitted types.
enum Guard {
    Missing,
    Unresolved,
    Admits(Vec<&'static str>),
}

fn guard(st: &Statement<'_>) -> Guard {
    let mut admitted: Option<Vec<&'static str>> = None;
    for c in st.conditions_on("aws:PrincipalType") {
        let Some(op) = c.operator else { continue };
        // `ForAllValues:` passes when the key is absent; `ForAnyValue:` on this single-valued
        // key acts like the plain operator.
        if op.set == SetOp::ForAllValues {
            continue;
        }
        if !matches!(
            op.base,
            OpBase::StringEquals | OpBase::StringEqualsIgnoreCase | OpBase::StringLike
        ) {
            continue;
        }
        if c.has_unknown_value() {
            return Guard::Unresolved;
        }
        let values: Vec<&str> = c.values().iter().filter_map(scalar_text).collect();
        let this: Vec<&'static str> = PRINCIPAL_TYPES
            .iter()
            .copied()
            .filter(|t| {
                values.iter().any(|v| match op.base {
                    OpBase::StringEquals => v == t,
                    OpBase::StringEqualsIgnoreCase => v.eq_ignore_ascii_case(t),
                    _ => glob_match(v, t),
                })
            })
            .collect();
        // Several guards must all hold.
        admitted = Some(match admitted {
            None => this,
            Some(prev) => prev.into_iter().filter(|t| this.contains(t)).collect(),
        });
    }
    admitted.map_or(Guard::Missing, Guard::Admits)
}

/// The first IAM user or role (of any account) an Allow statement names: the policy then
/// manages access itself. `None` when access to IAM identities comes only from the root
/// statement (the CloudFormation and CDK default), which delegates to IAM by design.
fn named_identity<'p, 'a>(policy: &'p Policy<'a>) -> Option<&'p Principal<'a>> {
    policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
        .flat_map(|st| st.principal_entries())
        .find(|p| {
            matches!(
                p.kind,
                PrincipalKind::User { .. }
                    | PrincipalKind::Role { .. }
                    | PrincipalKind::AssumedRole { .. }
            )
        })
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let all = ActionSet::key_policy_actions();
    let Some(named) = named_identity(policy) else {
        return;
    };
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        if !st.covers(all) {
            continue;
        }
        let Some(root) = st
            .principal_entries()
            .iter()
            .find(|p| policy.is_root(p) == Tri::Yes)
        else {
            continue;
        };
        let fix = || {
            format!(
                "add `{}` to the root statement, or ignore KMS004 where IAM policies are meant to grant this key",
                policy.condition_example("StringEquals", "aws:PrincipalType", "Account")
            )
        };
        match guard(st) {
            Guard::Unresolved => {}
            Guard::Missing => {
                r.report(
                    root.node.span,
                    "the root statement has no `aws:PrincipalType` guard: besides the principals this policy names, IAM policies can give this key to any principal in the account",
                )
                .label(named.node.span, "the policy names who may use the key here")
                .help(fix());
            }
            Guard::Admits(types) => {
                let extra: Vec<String> = types
                    .iter()
                    .filter(|t| **t != "Account")
                    .map(|t| format!("`{t}`"))
                    .collect();
                // A guard admitting nothing is KMS027's finding (the root is locked out).
                if !extra.is_empty() {
                    r.report(
                        root.node.span,
                        format!(
                            "the `aws:PrincipalType` guard of the root statement also admits {}: IAM policies can still give this key to those principals",
                            extra.join(", ")
                        ),
                    )
                    .help("limit `aws:PrincipalType` to exactly `\"Account\"`");
                }
            }
        }
    }
}
