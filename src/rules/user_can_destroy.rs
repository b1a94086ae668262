//! KMS039: a principal that uses the key can also destroy it (off by default).

use crate::model::{ActionSet, Category, Policy, PrincipalKind, Tri, Who};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS039",
    name: "user-can-destroy",
    severity: Severity::Warning,
    default_enabled: false,
    group: RuleGroup::Exposure,
    summary: "a principal that uses the key can also disable it or schedule its deletion",
    doc: include_str!("../../rules/user-can-destroy.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let use_actions = const { ActionSet::category(Category::Use) };
    let destroy = const { ActionSet::category(Category::Destroy) };
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        let here = st.covered_actions().intersect(destroy);
        if here.is_empty() {
            continue;
        }
        for p in st.principal_entries() {
            // Grants to `*` are public-access's business, and name no one in particular.
            if matches!(
                p.kind,
                PrincipalKind::Everyone | PrincipalKind::Unknown | PrincipalKind::Invalid(_)
            ) || policy.is_root(p) != Tri::No
            {
                continue;
            }
            let effective = policy.effective_named(Who::Entry(p));
            let destroys = here.intersect(effective);
            let uses = effective.intersect(use_actions);
            if destroys.is_empty() || uses.is_empty() {
                continue;
            }
            let who = p.describe();
            let f = r.report(
                p.node.span,
                format!(
                    "{who} uses the key and is also allowed {}: no separation of duties between using the key and destroying it",
                    destroys.describe()
                ),
            );
            for pattern in st.patterns_covering(destroys) {
                let (span, what) = match pattern {
                    Some(a) if a.is_wildcard() => (
                        a.node.span,
                        format!("includes {}", a.matches().intersect(destroys).describe()),
                    ),
                    Some(a) => (a.node.span, "a destroy action".to_string()),
                    None => (
                        st.actions
                            .as_ref()
                            .map_or(st.anchor(), |a| a.member.key_span),
                        format!("leaves {} allowed", destroys.describe()),
                    ),
                };
                f.label(span, what);
            }
            // Where the use comes from, when it is another statement.
            if !st.covered_actions().intersects(uses)
                && let Some(source) = policy.statements.iter().find(|o| {
                    o.is_allow()
                        && o.covered_actions().intersects(uses)
                        && policy.names(o, Who::Entry(p)) == Tri::Yes
                })
            {
                f.label(source.anchor(), "gives it use of the key");
            }
            f.help("give the actions that disable or delete the key to a separate administrator role, not to principals that use the key");
        }
    }
}
