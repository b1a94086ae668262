//! KMS002: IAM groups are not valid principals in a key policy.

use crate::model::{Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS002",
    name: "group-principal",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "an IAM group is used as a principal, which AWS rejects",
    doc: include_str!("../../rules/group-principal.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for p in st.principal_entries() {
            if let PrincipalKind::Group { name, .. } = &p.kind {
                r.report(
                    p.node.span,
                    format!("IAM group `{name}` cannot be a principal in a key policy: AWS rejects the policy"),
                )
                .help(
                    "use a role the group's users can assume, or grant the group access in an IAM policy (which needs the root statement)",
                );
            }
        }
    }
}
