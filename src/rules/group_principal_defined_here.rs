//! KMS041: a key policy names as a principal an IAM group that the same template or module
//! declares; reported at the group, where access is given the way that works.

use std::path::Path;
use std::sync::Arc;

use crate::access::eval::{Delegation, delegation};
use crate::access::{Document, Key};
use crate::diagnostic::Diagnostic;
use crate::extract::PolicyDoc;
use crate::extract::cfn::Syntax;
use crate::extract::terraform::{Loader, ModuleFile, extract_resources};
use crate::model::{Policy, PolicyContext, PrincipalKind, Tri};
use crate::rule::{Check, Label, Rule, RuleGroup, RuleRef, Severity};
use crate::rules::ineffective_iam_permission::iam_closed;
use crate::tree::{Node, Referent, Span, Value, json, yaml};

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

/// An IAM group a template or module declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupDeclaration {
    /// How a reference to it names it: the logical id (`Analysts`), or the resource name
    /// (`analysts` in `aws_iam_group.analysts`).
    pub id: String,
    /// Its IAM name when the source writes it literally (`GroupName`, `name`).
    pub name: Option<String>,
    /// Where it is declared: the logical id, or the block's `resource "aws_iam_group" "x"`.
    pub span: Span,
}

/// Whether some key policy names an IAM group as a principal: only then is it worth reading
/// where the groups are declared.
pub fn names_a_group(policies: &[PolicyDoc], text: &str, context: &PolicyContext) -> bool {
    policies.iter().any(|doc| {
        let policy = Policy::new(&doc.root, doc.text(text), context);
        policy.statements.iter().any(|st| {
            st.principal_entries()
                .iter()
                .any(|p| matches!(p.kind, PrincipalKind::Group { .. }))
        })
    })
}

/// The `AWS::IAM::Group` resources of a CloudFormation template (nothing when the text is
/// not one).
pub fn template_groups(text: &str, syntax: Syntax) -> Vec<GroupDeclaration> {
    let parsed = match syntax {
        Syntax::Json => json::parse(text),
        Syntax::Yaml => yaml::parse(text),
    };
    let Ok(root) = parsed else {
        return Vec::new();
    };
    let Some(resources) = root.get("Resources") else {
        return Vec::new();
    };
    resources
        .value
        .members()
        .iter()
        .filter(|m| {
            m.value
                .get("Type")
                .and_then(|t| t.value.as_str())
                .is_some_and(|t| t == "AWS::IAM::Group")
        })
        .map(|m| GroupDeclaration {
            id: m.key.clone(),
            name: m
                .value
                .get("Properties")
                .and_then(|p| p.value.get("GroupName"))
                .and_then(|n| n.value.as_str())
                .map(str::to_string),
            span: m.key_span,
        })
        .collect()
}

/// The `aws_iam_group` resources of a Terraform module, in the module's coordinates.
pub fn module_groups(
    files: Vec<ModuleFile>,
    dir: &Path,
    loader: &dyn Loader,
) -> Vec<GroupDeclaration> {
    let (module, resources) = extract_resources(files, dir, loader, &["aws_iam_group"]);
    resources
        .iter()
        .map(|r| {
            // The block's header, `resource "aws_iam_group" "x"`, up to its `{`.
            let header = module.locate(r.span).and_then(|(i, local)| {
                let text = module.files.get(i)?.text.get(local.start as usize..)?;
                let end = text.find('{')?;
                Some(r.span.start + text[..end].trim_end().len() as u32)
            });
            GroupDeclaration {
                id: r.name.clone(),
                name: r
                    .body
                    .get("name")
                    .and_then(|n| n.value.as_str())
                    .map(str::to_string),
                span: Span::new(r.span.start, header.unwrap_or(r.span.start + 1)),
            }
        })
        .collect()
}

/// The findings of the rule on the key policies of one template or module (`policies`, read
/// from `text`) and the groups it declares, in the coordinates of `text`; severity is the
/// rule's own.
pub fn check(
    policies: &[PolicyDoc],
    text: &str,
    groups: &[GroupDeclaration],
    context: &PolicyContext,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if groups.is_empty() {
        return out;
    }
    let file_text: Arc<str> = Arc::from(text);
    for doc in policies {
        let mut policy = Policy::new(&doc.root, doc.text(text), context);
        policy.dialect = doc.dialect;
        // Per group: the entries naming it, and the first one's statement's `Sid`.
        let mut named: Vec<(&GroupDeclaration, Vec<Span>, Option<String>)> = Vec::new();
        for st in &policy.statements {
            for p in st.principal_entries() {
                let PrincipalKind::Group { account, name } = &p.kind else {
                    continue;
                };
                let Some(group) = groups
                    .iter()
                    .find(|g| declares(g, p.node, account, name, &policy))
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
        let key = Key {
            name: doc.name.clone().unwrap_or_default(),
            path: String::new(),
            arn: None,
            refs: Vec::new(),
            policy: Document::new(
                PolicyDoc {
                    name: doc.name.clone(),
                    root: doc.root.clone(),
                    embedded: doc.embedded.clone(),
                    origin: doc.origin,
                    dialect: doc.dialect,
                },
                Arc::clone(&file_text),
            ),
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
                    "the key policy of `{}` names IAM group `{shown}` as a principal: AWS rejects that policy, and the group's users get no access from it",
                    key.name
                ),
                labels: spans
                    .into_iter()
                    .map(|span| Label {
                        span,
                        message: "the group named as a principal".to_string(),
                    })
                    .collect(),
                help: Some(format!(
                    "remove the group from the key policy, and attach to `{shown}` an IAM policy that allows the KMS actions its users need with `{}` in `Resource`{root}",
                    key.name
                )),
                embedded: None,
                fix: None,
                sid,
            });
        }
    }
    out
}

/// Whether the principal entry `node` (a group `name` in `account`) is the declared group: a
/// reference to it, or its literal name in the key's own account.
fn declares(
    group: &GroupDeclaration,
    node: &Node,
    account: &str,
    name: &str,
    policy: &Policy<'_>,
) -> bool {
    if let Value::Unknown(u) = &node.value
        && let Some(Referent::IamGroup(id)) = &u.refers_to
    {
        return *id == group.id;
    }
    !name.contains("${")
        && group.name.as_deref() == Some(name)
        && policy.is_own_account(account) == Tri::Yes
}
