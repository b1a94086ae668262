//! KMS023: the policy is larger than the 32 KiB key policy limit.

use crate::model::{KEY_POLICY_MAX_BYTES, Policy};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS023",
    name: "policy-too-large",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "the policy, minified, exceeds the 32,768-byte key policy limit",
    doc: include_str!("../../rules/policy-too-large.md"),
    check: Check::Policy(check),
};

/// `32768` as `32,768`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    // Minified JSON is at most three times as long as the text it was written as (a YAML
    // scalar gains quotes, a key quotes and a colon): a short text needs no count.
    let span = policy.root.span;
    if u64::from(span.end - span.start) * 3 <= KEY_POLICY_MAX_BYTES {
        return;
    }
    // Unresolved values count as nothing, so the size is never overstated.
    let (size, lower_bound) = policy.minified_size();
    if size <= KEY_POLICY_MAX_BYTES {
        return;
    }
    let at_least = if lower_bound { "at least " } else { "" };
    r.report(
        policy.anchor(),
        format!(
            "the policy is {at_least}{} bytes without whitespace, over the {}-byte key policy limit: KMS rejects it",
            thousands(size),
            thousands(KEY_POLICY_MAX_BYTES)
        ),
    )
    .help("merge statements that share principals and conditions, list principals once, or move access to grants or IAM policies");
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(32_768), "32,768");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}
