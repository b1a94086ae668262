//! KMS022: two statements share a `Sid`.

use rustc_hash::FxHashMap as HashMap;

use crate::model::Policy;
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Node;

pub const RULE: Rule = Rule {
    code: "KMS022",
    name: "duplicate-sid",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Validity,
    summary: "two statements share a `Sid`",
    doc: include_str!("../../rules/duplicate-sid.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let mut first: HashMap<&str, (&Node, bool)> = HashMap::default();
    for st in &policy.statements {
        // Spaces and any other characters are fine in a Sid: only repeats are reported.
        let (Some(node), Some(sid)) = (st.sid, st.sid_text()) else {
            continue;
        };
        if sid.is_empty() {
            continue;
        }
        match first.get(sid) {
            // Two statements that may each be absent are often the branches of one
            // condition (`Fn::If` with a statement in each branch): never both there.
            Some((_, true)) if st.maybe => {}
            Some((earlier, _)) => {
                r.report(
                    node.span,
                    format!("another statement already has the Sid `{sid}`"),
                )
                .label(earlier.span, "first used here")
                .help("give each statement its own Sid");
            }
            None => {
                first.insert(sid, (node, st.maybe));
            }
        }
    }
}
