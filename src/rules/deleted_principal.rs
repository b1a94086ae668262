//! KMS037: an IAM unique id (`AIDA…`, `AROA…`) stands where a deleted user or role used to
//! be. Unique ids of anything else are never principals: KMS017 reports them.

use crate::model::{Policy, PrincipalKind};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS037",
    name: "deleted-principal",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "a principal is an IAM unique id: the user or role it named was deleted",
    doc: include_str!("../../rules/deleted-principal.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for p in st
            .principal_entries()
            .iter()
            .filter(|p| p.kind == PrincipalKind::UniqueId)
        {
            r.report(
                p.node.span,
                format!(
                    "`{}` is an IAM unique id: the user or role named here was deleted, and one created again with the same name does not match it",
                    p.node.as_str().unwrap_or_default()
                ),
            )
            .help("remove the entry, or replace it with the ARN of the user or role that should be named here");
        }
    }
}
