//! KMS033: `Allow` with `NotAction` allows every action it does not list, future ones too.

use crate::model::{ActionSet, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS033",
    name: "allow-with-not-action",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Exposure,
    summary: "an Allow statement uses `NotAction`, which allows every action it does not list",
    doc: include_str!("../../rules/allow-with-not-action.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in policy.statements.iter().filter(|st| st.is_allow()) {
        let Some(actions) = st.actions.as_ref().filter(|a| a.not) else {
            continue;
        };
        let allowed = actions
            .covered()
            .intersect(const { ActionSet::key_policy_actions() });
        r.report(
            actions.member.key_span,
            format!(
                "`Allow` with `NotAction` allows every action it does not list: {} KMS actions today, and any action AWS adds later",
                allowed.len()
            ),
        )
        .help("list the actions the principals need in `Action` instead");
    }
}
