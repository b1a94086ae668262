//! KMS025: a `kms:` or `aws:` condition key that does not exist.

use crate::model::Policy;
use crate::model::condition::{
    ConditionKeyInfo, KeySuggestion, bare_prefix, is_judged_key, is_other_global_key, lookup_key,
    refused_in_key_policy, suggest_key,
};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS025",
    name: "unknown-condition-key",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "a `kms:` or `aws:` condition key does not exist",
    doc: include_str!("../../rules/unknown-condition-key.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    for st in &policy.statements {
        for c in &st.conditions {
            let key = c.key();
            // Keys KMS refuses in key policies are KMS028's finding.
            if !is_judged_key(key)
                || lookup_key(key).is_some()
                || is_other_global_key(key)
                || refused_in_key_policy(key)
            {
                continue;
            }
            if let Some(family) = bare_prefix(key) {
                let missing = if family.numbered_max().is_some() {
                    "the register number after it is missing"
                } else {
                    "the name after it is missing"
                };
                r.report(
                    c.key_span(),
                    format!("`{key}` is only the start of a condition key: {missing}"),
                )
                .help(family_help(family));
                continue;
            }
            let f = r.report(
                c.key_span(),
                format!("`{key}` is not a known condition key: no request carries it, so the condition cannot test what it names"),
            );
            match suggest_key(key) {
                Some(KeySuggestion::Key(s)) => f.help(format!("did you mean `{s}`?")),
                Some(KeySuggestion::Family(family)) => f.help(family_help(family)),
                None => f.help("check the name against the AWS KMS condition keys and the AWS global condition keys"),
            };
        }
    }
}

/// How the keys of a family are written, naming only valid keys (or a placeholder for the
/// name the user chooses).
fn family_help(family: &ConditionKeyInfo) -> String {
    let name = family.name;
    match family.numbered_max() {
        Some(max) => {
            format!("name one register by its number, 0 to {max}: `{name}0` to `{name}{max}`")
        }
        None => format!("name what to test after the prefix: `{name}<name>`"),
    }
}
