//! KMS032: `Allow` with `NotPrincipal` allows everyone but the listed principals.

use crate::model::Policy;
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS032",
    name: "allow-with-not-principal",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "an Allow statement uses `NotPrincipal`, which allows every principal it does not list",
    doc: include_str!("../../rules/allow-with-not-principal.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in policy.statements.iter().filter(|st| st.is_allow()) {
        let Some(principals) = st.principals.as_ref().filter(|p| p.not) else {
            continue;
        };
        r.report(
            principals.member.key_span,
            "`Allow` with `NotPrincipal` allows every principal it does not list, in any AWS account, anonymous callers included",
        )
        .help("name the principals that need access in `Principal` instead");
    }
}
