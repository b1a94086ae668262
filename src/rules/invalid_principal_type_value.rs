//! KMS027: an `aws:PrincipalType` value that no principal type matches.

use crate::model::action::glob_match;
use crate::model::condition::{PRINCIPAL_TYPES, has_policy_variable, scalar_text};
use crate::model::{OpBase, Policy, Tri, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Value;

pub const RULE: Rule = Rule {
    code: "KMS027",
    name: "invalid-principal-type-value",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "an `aws:PrincipalType` value matches no principal type",
    doc: include_str!("../../rules/invalid-principal-type-value.md"),
    check: Check::Policy(check),
};

/// How an operator compares `aws:PrincipalType` with its values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    Exact,
    IgnoreCase,
    Pattern,
}

fn matches(how: Compare, value: &str, ptype: &str) -> bool {
    match how {
        Compare::Exact => value == ptype,
        Compare::IgnoreCase => value.eq_ignore_ascii_case(ptype),
        Compare::Pattern => glob_match(value, ptype),
    }
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let types = "`Account`, `User`, `FederatedUser`, `AssumedRole` or `Anonymous`";
    for st in &policy.statements {
        // A root statement that never matches leaves the account root without access.
        let root = st
            .principal_entries()
            .iter()
            .find(|p| st.is_allow() && !st.has_not_principal() && policy.is_root(p) == Tri::Yes);
        for c in st.conditions_on("aws:PrincipalType") {
            let Some(op) = c.operator else { continue };
            // Other operator families are KMS026's finding.
            let how = match op.base {
                OpBase::StringEquals | OpBase::StringNotEquals => Compare::Exact,
                OpBase::StringEqualsIgnoreCase | OpBase::StringNotEqualsIgnoreCase => {
                    Compare::IgnoreCase
                }
                OpBase::StringLike | OpBase::StringNotLike => Compare::Pattern,
                _ => continue,
            };
            let written = c.operator_member.key.as_str();
            for v in c.values() {
                if matches!(v.value, Value::Unknown(_)) {
                    continue;
                }
                let Some(text) = scalar_text(v) else { continue };
                if has_policy_variable(text)
                    || PRINCIPAL_TYPES.iter().any(|t| matches(how, text, t))
                {
                    continue;
                }
                let in_other_case = PRINCIPAL_TYPES.iter().find(|t| match how {
                    Compare::Pattern => {
                        glob_match(&text.to_ascii_lowercase(), &t.to_ascii_lowercase())
                    }
                    _ => text.eq_ignore_ascii_case(t),
                });
                let f = match (how, in_other_case) {
                    (Compare::Exact, Some(t)) => r
                        .report(
                            v.span,
                            format!("`{text}` never matches: `{written}` is case-sensitive and the principal type is `{t}`"),
                        )
                        .help(format!("write `{t}`")),
                    (Compare::Pattern, Some(t)) => r
                        .report(
                            v.span,
                            format!("`{text}` matches no principal type: `{written}` is case-sensitive and the principal type is `{t}`"),
                        )
                        .help(format!("write `{t}`")),
                    _ => {
                        let f = r.report(
                            v.span,
                            format!("`{text}` is not a principal type: `aws:PrincipalType` is one of {types}"),
                        );
                        match nearest(text, PRINCIPAL_TYPES.iter().copied()) {
                            Some(s) if !text.contains(['*', '?']) => {
                                f.help(format!("did you mean `{s}`?"))
                            }
                            _ => f.help(format!("use {types}")),
                        }
                    }
                };
                if let Some(root) = root
                    && !op.base.is_negated()
                {
                    f.label(
                        root.node.span,
                        "so this root statement never applies: the key can become unmanageable",
                    );
                }
            }
        }
    }
}
