//! KMS021: `Resource` other than `"*"`, or `NotResource`: in a key policy the resource is
//! always the key itself.

use crate::model::{Policy, Tri, resource_is_this_key};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS021",
    name: "resource-not-this-key",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "`Resource` is not `\"*\"`, or the statement uses `NotResource`",
    doc: include_str!("../../rules/resource-not-this-key.md"),
    check: Check::Policy(check),
};

const FIX: &str = "write `\"Resource\": \"*\"`: in a key policy it means this key";

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        if let Some(m) = st.element("Resource") {
            for node in m.value.one_or_many() {
                if resource_is_this_key(node) != Tri::No {
                    continue;
                }
                let found = match node.as_str().or(node.partial()) {
                    Some(s) => format!("`{s}`"),
                    None => node.type_name().to_string(),
                };
                r.report(
                    node.span,
                    format!(
                        "{found} is not `\"*\"`: KMS rejects any other `Resource` in a key policy"
                    ),
                )
                .help(FIX);
            }
        }
        // An unresolved `NotResource` that may be left out (`not_resources = var.x`, which
        // may be null) is not known to be there.
        if let Some(m) = st
            .element("NotResource")
            .filter(|m| !(m.value.maybe && m.value.is_unknown()))
        {
            r.report(
                m.key_span,
                "`NotResource` is not allowed in a key policy: KMS accepts only `\"Resource\": \"*\"`",
            )
            .help(FIX);
        }
    }
}
