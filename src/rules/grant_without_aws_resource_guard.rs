//! KMS005: CreateGrant without `kms:GrantIsForAWSResource`.

use crate::model::condition::scalar_text;
use crate::model::edit::{Fix, Lit, add_condition};
use crate::model::{
    ActionSet, GrantGuard, OpBase, PatternKind, Policy, PrincipalKind, Statement, Tri, Who,
};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Node;

pub const RULE: Rule = Rule {
    code: "KMS005",
    name: "grant-without-aws-resource-guard",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "`kms:CreateGrant` is allowed without a `kms:GrantIsForAWSResource` condition",
    doc: include_str!("../../rules/grant-without-aws-resource-guard.md"),
    check: Check::Policy(check),
};

/// A Deny of `kms:CreateGrant` under `Bool kms:GrantIsForAWSResource false`.
fn denies_non_aws_grants(st: &Statement<'_>) -> bool {
    st.is_deny()
        && !st.maybe
        && st.covers(const { ActionSet::named("CreateGrant") })
        && st.conditions.len() == 1
        && st.conditions_on("kms:GrantIsForAWSResource").any(|c| {
            c.operator.is_some_and(|op| op.base == OpBase::Bool)
                && c.values()
                    .iter()
                    .all(|v| scalar_text(v).is_some_and(|t| t.eq_ignore_ascii_case("false")))
        })
}

/// The actions whose requests carry `kms:GrantIsForAWSResource`: a statement of only these
/// keeps working for AWS services when the condition is added.
fn grant_key_actions() -> ActionSet {
    const { ActionSet::named("CreateGrant") }
        .union(const { ActionSet::named("ListGrants") })
        .union(const { ActionSet::named("RevokeGrant") })
}

/// Whether the statement's `Condition`, or an operator block in it, may be absent where the
/// statement is not (a branch of a CloudFormation `Fn::If`): a condition added there would hold
/// in that branch only.
fn condition_in_branch(st: &Statement<'_>) -> bool {
    let branch = |n: &Node| n.maybe && !st.node.maybe;
    st.condition_member
        .is_some_and(|m| branch(&m.value) || m.value.members().iter().any(|op| branch(&op.value)))
}

/// The fix of a statement with no guard: add `"Condition": {"Bool":
/// {"kms:GrantIsForAWSResource": "true"}}` (or the operator block or key to the conditions it
/// has). Unsafe: grants for principals other than AWS services stop working.
///
/// A condition holds for the whole statement, and requests for actions other than
/// `kms:CreateGrant`, `kms:ListGrants` and `kms:RevokeGrant` never carry the key, so the
/// condition would take those actions away (`kms:Create*` would lose `kms:CreateAlias`, a
/// user statement its `kms:Decrypt`). Such a statement needs `kms:CreateGrant` moved to a
/// statement of its own, which is the author's edit: the fix is offered only for an Allow
/// whose actions are all KMS actions (named or matched by a pattern, no `NotAction`) among
/// those three. A `BoolIfExists` guard or a `"false"` value is not replaced, and an unresolved
/// condition is not added to: `None`.
fn add_guard(policy: &Policy<'_>, st: &Statement<'_>) -> Option<Fix> {
    let actions = st.actions.as_ref()?;
    let covered = st.covered_actions();
    let fits = !actions.not
        && actions
            .patterns
            .iter()
            .all(|p| matches!(p.kind, PatternKind::Kms { .. }))
        && covered.contains_all(const { ActionSet::named("CreateGrant") })
        && grant_key_actions().contains_all(covered);
    if condition_in_branch(st) || !fits {
        return None;
    }
    let edit = add_condition(
        policy.text,
        st,
        policy.dialect,
        "Bool",
        "kms:GrantIsForAWSResource",
        &Lit::str("true"),
    )?;
    Some(Fix::unsafe_(
        "Add a `kms:GrantIsForAWSResource` condition",
        vec![edit],
    ))
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let grant = const { ActionSet::named("CreateGrant") };
    let guard_denies: Vec<&Statement<'_>> = policy
        .statements
        .iter()
        .filter(|d| denies_non_aws_grants(d))
        .collect();
    for st in policy.statements.iter().filter(|st| st.is_allow()) {
        let guard = st.grant_guard();
        if guard == GrantGuard::Strong || !st.covers(grant) {
            continue;
        }
        let non_root: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| !matches!(p.kind, PrincipalKind::Unknown | PrincipalKind::Invalid(_)))
            .filter(|p| st.has_not_principal() || policy.is_root(p) == Tri::No)
            .collect();
        if non_root.is_empty() {
            continue;
        }
        // Every principal it names is certainly denied `kms:CreateGrant`, outright or for
        // grants that are not for AWS resources.
        let silenced = !st.has_not_principal()
            && non_root.iter().all(|p| {
                let who = Who::Entry(p);
                policy.unconditionally_denied(who).contains_all(grant)
                    || guard_denies
                        .iter()
                        .any(|d| policy.applies_to(d, who) == Tri::Yes)
            });
        if silenced {
            continue;
        }
        let single = st
            .actions
            .as_ref()
            .is_some_and(|a| !a.not && a.patterns.len() == 1 && !a.patterns[0].is_wildcard());
        for pattern in st.patterns_covering(grant) {
            let (span, text) = match pattern {
                Some(p) => (p.node.span, p.node.as_str().unwrap_or_default()),
                None => (
                    st.actions
                        .as_ref()
                        .map_or(st.anchor(), |a| a.member.key_span),
                    "NotAction",
                ),
            };
            // Joined rather than formatted: this runs for every finding.
            let subject = if pattern.is_some_and(|p| !p.is_wildcard()) {
                "`"
            } else {
                "` includes `kms:CreateGrant` and"
            };
            let rest = match guard {
                GrantGuard::IfExists => {
                    " is guarded only by `BoolIfExists`, which passes when `kms:GrantIsForAWSResource` is absent"
                }
                _ => {
                    " is allowed without a `kms:GrantIsForAWSResource` condition: grants can go to any principal, not only AWS services"
                }
            };
            let message = ["`", text, subject, rest].concat();
            let guard_text =
                || policy.condition_example("Bool", "kms:GrantIsForAWSResource", "true");
            let help = if guard == GrantGuard::IfExists {
                "use `Bool` instead of `BoolIfExists` for `kms:GrantIsForAWSResource`".to_string()
            } else if single {
                ["add `", &guard_text(), "` to the statement"].concat()
            } else {
                [
                    "move `kms:CreateGrant` to its own statement with `",
                    &guard_text(),
                    "`",
                ]
                .concat()
            };
            r.report(span, message)
                .help(help)
                .fix(add_guard(policy, st));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;

    /// Lint `text` as a file named `file`: the fix title of each finding of the rule, and the text after
    /// every fix (unsafe ones too), each proven by the fixer; no finding with a fix is left.
    fn fixed(file: &str, text: &str) -> (Vec<Option<String>>, String) {
        let (titles, fixed) = crate::fixer::fix_all(RULE.code, file, text);
        let mut left = fixed.report.diagnostics.iter();
        assert!(!left.any(|d| d.rule.code() == RULE.code && d.fix.is_some()));
        (titles, fixed.source.text)
    }

    const TITLE: &str = "Add a `kms:GrantIsForAWSResource` condition";

    /// A JSON policy with a grant statement of `actions` and `condition` (`""` for none).
    fn policy(actions: &str, condition: &str) -> String {
        format!(
            r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
      "Action": ["kms:Encrypt", "kms:Decrypt"],
      "Resource": "*"
    }},
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
      "Action": {actions},
      "Resource": "*"{condition}
    }}
  ]
}}"#
        )
    }

    const GUARD: &str =
        ",\n      \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}";

    #[test]
    fn a_grant_statement_gets_the_condition() {
        for actions in [
            r#""kms:CreateGrant""#,
            r#"["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"]"#,
            r#"["kms:CreateGrant", "kms:RevokeGr*"]"#,
        ] {
            let (titles, text) = fixed("key.json", &policy(actions, ""));
            assert_eq!(titles, [Some(TITLE.to_string())], "{actions}");
            assert_eq!(text, policy(actions, GUARD));
        }
        // Into the conditions the statement has.
        let other = r#",
      "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#;
        let (_, text) = fixed("key.json", &policy(r#""kms:CreateGrant""#, other));
        assert!(
            text.contains(
                r#"{"Bool": {"aws:SecureTransport": "true", "kms:GrantIsForAWSResource": "true"}}"#
            ),
            "{text}"
        );
    }

    /// A condition holds for every action of the statement: where it would take other actions
    /// away, `kms:CreateGrant` needs a statement of its own, which is the author's edit.
    #[test]
    fn no_fix_where_the_statement_allows_more_than_grants() {
        for actions in [
            r#"["kms:CreateGrant", "kms:Decrypt"]"#,
            r#"["kms:Create*", "kms:Describe*"]"#,
            r#""kms:*Grant""#,
            r#"["kms:CreateGrant", "s3:GetObject"]"#,
            r#""*""#,
        ] {
            let (titles, text) = fixed("key.json", &policy(actions, ""));
            assert!(!titles.is_empty(), "{actions}");
            assert!(titles.iter().all(Option::is_none), "{actions}");
            assert_eq!(text, policy(actions, ""));
        }
        let not_action = policy(r#""kms:Decrypt""#, "").replace(
            r#""Action": "kms:Decrypt""#,
            r#""NotAction": "kms:Decrypt""#,
        );
        assert!(fixed("key.json", &not_action).0.contains(&None));
    }

    #[test]
    fn no_fix_where_a_guard_or_unknown_parts_are_in_the_way() {
        // `BoolIfExists`: the fix is another operator, the author's choice.
        let if_exists = r#",
      "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}"#;
        assert_eq!(
            fixed("key.json", &policy(r#""kms:CreateGrant""#, if_exists)).0,
            [None]
        );
        let yaml = |actions: &str, condition: &str| {
            format!(
                "Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: !GetAtt App.Arn
            Action: [kms:Encrypt, kms:Decrypt]
            Resource: '*'
          - Effect: Allow
            Principal:
              AWS: !GetAtt App.Arn
            Action: {actions}
            Resource: '*'{condition}
  App:
    Type: AWS::IAM::Role
"
            )
        };
        // An action a parameter gives may be any action.
        let open = "[kms:CreateGrant, !Ref MoreActions]";
        assert_eq!(fixed("template.yaml", &yaml(open, "")).0, [None]);
        // A condition in one branch of an `Fn::If`.
        let branch = "
            Condition: !If [Strict, {Bool: {aws:SecureTransport: 'true'}}, !Ref AWS::NoValue]";
        assert_eq!(
            fixed("template.yaml", &yaml("kms:CreateGrant", branch)).0,
            [None]
        );
        // Without them, the condition is written as YAML, quoted as the file quotes.
        let (titles, text) = fixed("template.yaml", &yaml("kms:CreateGrant", ""));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert_eq!(
            text,
            yaml(
                "kms:CreateGrant",
                "
            Condition:
              Bool:
                kms:GrantIsForAWSResource: 'true'"
            )
        );
    }

    #[test]
    fn a_policy_document_gets_a_condition_block() {
        let tf = |condition: &str| {
            format!(
                r#"data "aws_iam_policy_document" "key" {{
  statement {{
    actions   = ["kms:Encrypt", "kms:Decrypt"]
    resources = ["*"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/App"]
    }}
  }}

  statement {{
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/App"]
    }}
{condition}  }}
}}

resource "aws_kms_key" "k" {{
  policy = data.aws_iam_policy_document.key.json
}}
"#
            )
        };
        let (titles, text) = fixed("main.tf", &tf(""));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert_eq!(
            text,
            tf(r#"    condition {
      test     = "Bool"
      variable = "kms:GrantIsForAWSResource"
      values   = ["true"]
    }
"#)
        );
    }
}
