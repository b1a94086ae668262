//! KMS041: a key policy names as a principal an IAM group that the same template or module
//! declares; reported at the group, where access is given the way that works.

use crate::access::eval::{Delegation, delegation};
use std::sync::Arc;

use crate::access::{Declared, Document, IdentityKind, Inventory, Key};
use crate::diagnostic::Diagnostic;
use crate::model::{Policy, PolicyContext, PrincipalKind, Tri};
use crate::rule::{Check, Label, Rule, RuleGroup, RuleRef, Severity};
use crate::rules::ineffective_iam_permission::iam_closed;
use crate::tree::{Node, Referent, Span, Value};

/// Reported by the engine's cross-document pass over a CloudFormation template or a
/// Terraform module.
pub const RULE: Rule = Rule {
    code: "KMS041",
    name: "group-principal-defined-here",
    severity: Severity::Error,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "a key policy names as a principal an IAM group declared in the same template or module",
    doc: include_str!("../../rules/group-principal-defined-here.md"),
    check: Check::Inventory,
};

/// The findings of the rule on what one template or module holds (`access::collect` reads
/// it: its keys with their policies, its IAM groups with where they are declared), in the
/// coordinates of the text its documents were read from; severity is the rule's own.
pub fn check(inventory: &Inventory, context: &PolicyContext) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let groups: Vec<&Declared> = inventory
        .identities
        .iter()
        .filter(|i| i.kind == IdentityKind::Group)
        .filter_map(|i| i.declared.as_ref())
        .collect();
    if groups.is_empty() {
        return out;
    }
    for document in &inventory.policies {
        let doc = &document.doc;
        let mut policy = Policy::new(&doc.root, document.text(), context);
        policy.dialect = doc.dialect;
        // Per group: the entries naming it, and the first one's statement's `Sid`.
        let mut named: Vec<(&Declared, Vec<Span>, Option<String>)> = Vec::new();
        for st in &policy.statements {
            for p in st.principal_entries() {
                let Some(group) = groups
                    .iter()
                    .copied()
                    .find(|g| declares(g, p.node, &p.kind, &policy))
                else {
                    continue;
                };
                let span = doc.to_file(p.node.span);
                match named.iter_mut().find(|(g, _, _)| *g == group) {
                    Some((_, spans, _)) => spans.push(span),
                    None => named.push((group, vec![span], st.sid_text().map(str::to_string))),
                }
            }
        }
        if named.is_empty() {
            continue;
        }
        let key_name = doc.name.clone().unwrap_or_default();
        let key = Key {
            name: key_name.clone(),
            path: String::new(),
            arn: None,
            refs: Vec::new(),
            policy: Document::new(doc.clone(), Arc::clone(&document.file_text)),
            account: None,
        };
        let root = if matches!(delegation(&key, context), Delegation::Enabled(_)) {
            "; the key policy's root statement lets IAM policies give the key".to_string()
        } else if iam_closed(&policy).is_some() {
            format!(
                "; an IAM policy gives the key only when its key policy enables IAM, so also add the root statement (`{}` allowed `kms:*`, with no `aws:PrincipalType` condition)",
                policy.root_arn_example()
            )
        } else {
            format!(
                "; an IAM policy gives the key only when its key policy enables IAM with the root statement (`{}` allowed `kms:*`)",
                policy.root_arn_example()
            )
        };
        for (group, spans, sid) in named {
            let shown = group.name.as_deref().unwrap_or(&group.id);
            out.push(Diagnostic {
                rule: RuleRef::Builtin(&RULE),
                severity: RULE.severity,
                policy: doc.name.clone(),
                span: group.span,
                message: format!(
                    "the key policy of `{key_name}` names IAM group `{shown}` as a principal: AWS rejects that policy, and the group's users get no access from it"
                ),
                labels: spans
                    .into_iter()
                    .map(|span| Label {
                        span,
                        message: "the group named as a principal".to_string(),
                    })
                    .collect(),
                help: Some(format!(
                    "remove the group from the key policy, and attach to `{shown}` an IAM policy that allows the KMS actions its users need with `{key_name}` in `Resource`{root}"
                )),
                embedded: None,
                fix: None,
                sid,
            });
        }
    }
    out
}

/// Whether the principal entry `node` (of kind `kind`) is the group declared as `group`: a
/// reference to it, or its literal name in the key's own account.
fn declares(group: &Declared, node: &Node, kind: &PrincipalKind, policy: &Policy<'_>) -> bool {
    if let Value::Unknown(u) = &node.value
        && let Some(Referent::IamGroup(id)) = &u.refers_to
    {
        return *id == group.id;
    }
    let PrincipalKind::Group { account, name } = kind else {
        return false;
    };
    !name.contains("${")
        && group.name.as_deref() == Some(name.as_str())
        && policy.is_own_account(account) == Tri::Yes
}
