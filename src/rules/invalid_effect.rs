//! KMS016: `Effect` is not exactly `Allow` or `Deny`.

use crate::model::edit::{Fix, replace_string};
use crate::model::{EFFECTS, Policy, nearest};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Value;

pub const RULE: Rule = Rule {
    code: "KMS016",
    name: "invalid-effect",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "`Effect` is not exactly `Allow` or `Deny`",
    doc: include_str!("../../rules/invalid-effect.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in policy.statements.iter().filter(|st| st.effect.is_none()) {
        // A missing `Effect` is KMS014's finding; a repeated one counts with its last value.
        let Some(m) = st.node.members().iter().rev().find(|m| m.key == "Effect") else {
            continue;
        };
        let node = &m.value;
        let (found, text) = match &node.value {
            Value::Unknown(_) => continue,
            Value::String(s) => (format!("`{s}`"), Some(s.as_str())),
            _ => (node.type_name().to_string(), None),
        };
        let f = r.report(
            node.span,
            format!("{found} is not a valid `Effect`: AWS accepts only `Allow` and `Deny`"),
        );
        match text.and_then(|t| nearest(t, EFFECTS.iter().copied())) {
            Some(e) if text.is_some_and(|t| t.eq_ignore_ascii_case(e)) => {
                // Only the case differs: what was meant is certain, and AWS rejects the
                // policy as written.
                let fix = replace_string(node, policy.text, e)
                    .map(|edit| Fix::safe(format!("Set `Effect` to `{e}`"), vec![edit]));
                f.help(format!("`Effect` is case-sensitive: write `\"{e}\"`"))
                    .fix(fix)
            }
            Some(e) => f.help(format!("did you mean `\"{e}\"`?")),
            None => f.help("write `\"Allow\"` or `\"Deny\"`"),
        };
    }
}
