//! KMS004: the root statement lets IAM policies grant the key to anyone in the account.

use crate::model::action::glob_match;
use crate::model::condition::scalar_text;
use crate::model::edit::{Fix, Lit, add_condition};
use crate::model::{ActionSet, OpBase, Policy, Principal, PrincipalKind, SetOp, Statement, Tri};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};
use crate::tree::Node;

pub const RULE: Rule = Rule {
    code: "KMS004",
    name: "missing-principal-type-guard",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "the root statement does not limit `aws:PrincipalType` to `Account`",
    doc: include_str!("../../rules/missing-principal-type-guard.md"),
    check: Check::Policy(check),
};

const PRINCIPAL_TYPES: &[&str] = &[
    "Account",
    "User",
    "FederatedUser",
    "AssumedRole",
    "Anonymous",
];

/// What the statement's `aws:PrincipalType` guards admit: `None` when there is no guard or
/// a guard value is unresolved (then nothing can be said), else the admitted types.
enum Guard {
    Missing,
    Unresolved,
    Admits(Vec<&'static str>),
}

fn guard(st: &Statement<'_>) -> Guard {
    let mut admitted: Option<Vec<&'static str>> = None;
    for c in st.conditions_on("aws:PrincipalType") {
        let Some(op) = c.operator else { continue };
        // `ForAllValues:` passes when the key is absent; `ForAnyValue:` on this single-valued
        // key acts like the plain operator.
        if op.set == SetOp::ForAllValues {
            continue;
        }
        if !matches!(
            op.base,
            OpBase::StringEquals | OpBase::StringEqualsIgnoreCase | OpBase::StringLike
        ) {
            continue;
        }
        if c.has_unknown_value() {
            return Guard::Unresolved;
        }
        let values: Vec<&str> = c.values().iter().filter_map(scalar_text).collect();
        let this: Vec<&'static str> = PRINCIPAL_TYPES
            .iter()
            .copied()
            .filter(|t| {
                values.iter().any(|v| match op.base {
                    OpBase::StringEquals => v == t,
                    OpBase::StringEqualsIgnoreCase => v.eq_ignore_ascii_case(t),
                    _ => glob_match(v, t),
                })
            })
            .collect();
        // Several guards must all hold.
        admitted = Some(match admitted {
            None => this,
            Some(prev) => prev.into_iter().filter(|t| this.contains(t)).collect(),
        });
    }
    admitted.map_or(Guard::Missing, Guard::Admits)
}

/// The first IAM user or role (of any account) an Allow statement names: the policy then
/// manages access itself. `None` when access to IAM identities comes only from the root
/// statement (the CloudFormation and CDK default), which delegates to IAM by design.
fn named_identity<'p, 'a>(policy: &'p Policy<'a>) -> Option<&'p Principal<'a>> {
    policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
        .flat_map(|st| st.principal_entries())
        .find(|p| {
            matches!(
                p.kind,
                PrincipalKind::User { .. }
                    | PrincipalKind::Role { .. }
                    | PrincipalKind::AssumedRole { .. }
            )
        })
}

/// Whether the statement's `Condition`, or an operator block in it, may be absent where the
/// statement is not (a branch of a CloudFormation `Fn::If`): a condition added there would hold
/// in that branch only.
fn condition_in_branch(st: &Statement<'_>) -> bool {
    let branch = |n: &Node| n.maybe && !st.node.maybe;
    st.condition_member
        .is_some_and(|m| branch(&m.value) || m.value.members().iter().any(|op| branch(&op.value)))
}

/// The fix of a root statement without a guard: add
/// `"Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}` (or the operator block or
/// key to the conditions it has). Unsafe: IAM policies no longer grant the key. Only for a
/// statement whose principals are all certainly the account root: another principal in it (a
/// role's type is `AssumedRole`) would lose its access, and a principal that may or may not
/// be the root is not guessed at. `None` when a condition is unresolved, sits in a branch of
/// an `Fn::If` or already names the key, or the edit cannot be written in the policy's syntax.
fn add_guard(policy: &Policy<'_>, st: &Statement<'_>) -> Option<Fix> {
    let entries = st.principal_entries();
    let only_root = !entries.is_empty()
        && !st.has_not_principal()
        && entries.iter().all(|p| policy.is_root(p) == Tri::Yes);
    if condition_in_branch(st) || !only_root {
        return None;
    }
    let edit = add_condition(
        policy.text,
        st,
        policy.dialect,
        "StringEquals",
        "aws:PrincipalType",
        &Lit::str("Account"),
    )?;
    Some(Fix::unsafe_("Add an `aws:PrincipalType` guard", vec![edit]))
}

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let all = const { ActionSet::key_policy_actions() };
    let Some(named) = named_identity(policy) else {
        return;
    };
    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        if !st.covers(all) {
            continue;
        }
        let Some(root) = st
            .principal_entries()
            .iter()
            .find(|p| policy.is_root(p) == Tri::Yes)
        else {
            continue;
        };
        let fix = || {
            format!(
                "add `{}` to the root statement, or ignore KMS004 where IAM policies are meant to grant this key",
                policy.condition_example("StringEquals", "aws:PrincipalType", "Account")
            )
        };
        match guard(st) {
            Guard::Unresolved => {}
            Guard::Missing => {
                r.report(
                    root.node.span,
                    "the root statement has no `aws:PrincipalType` guard: besides the principals this policy names, IAM policies can give this key to any principal in the account",
                )
                .label(named.node.span, "the policy names who may use the key here")
                .help(fix())
                .fix(add_guard(policy, st));
            }
            Guard::Admits(types) => {
                let extra: Vec<String> = types
                    .iter()
                    .filter(|t| **t != "Account")
                    .map(|t| format!("`{t}`"))
                    .collect();
                // A guard admitting nothing is KMS027's finding (the root is locked out).
                if !extra.is_empty() {
                    r.report(
                        root.node.span,
                        format!(
                            "the `aws:PrincipalType` guard of the root statement also admits {}: IAM policies can still give this key to those principals",
                            extra.join(", ")
                        ),
                    )
                    .help("limit `aws:PrincipalType` to exactly `\"Account\"`");
                }
            }
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

    const TITLE: &str = "Add an `aws:PrincipalType` guard";

    /// A JSON policy whose root statement has `condition` (`""` for none) and whose role
    /// statement names `principal`.
    fn policy(root: &str, condition: &str) -> String {
        format!(
            r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": {root}}},
      "Action": "kms:*",
      "Resource": "*"{condition}
    }},
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
      "Action": "kms:Decrypt",
      "Resource": "*"
    }}
  ]
}}"#
        )
    }

    const ROOT: &str = r#""arn:aws:iam::111122223333:root""#;

    #[test]
    fn the_root_statement_gets_the_guard() {
        let (titles, text) = fixed("key.json", &policy(ROOT, ""));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert_eq!(
            text,
            policy(
                ROOT,
                ",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}"
            )
        );
        // Two ways of naming the root in one statement.
        let both = r#"["111122223333", "arn:aws:iam::111122223333:root"]"#;
        assert_eq!(fixed("key.json", &policy(both, "")).0.len(), 1);
        assert!(
            fixed("key.json", &policy(both, ""))
                .1
                .contains("aws:PrincipalType")
        );
    }

    #[test]
    fn the_guard_joins_the_conditions_there_are() {
        let other = r#",
      "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4"}}"#;
        let (titles, text) = fixed("key.json", &policy(ROOT, other));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert!(
            text.contains(r#""Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123def4", "aws:PrincipalType": "Account"}}"#),
            "{text}"
        );
        let bool_ = r#",
      "Condition": {"Bool": {"aws:SecureTransport": "true"}}"#;
        let (_, text) = fixed("key.json", &policy(ROOT, bool_));
        assert!(
            text.contains(r#"{"Bool": {"aws:SecureTransport": "true"}, "StringEquals": {"aws:PrincipalType": "Account"}}"#),
            "{text}"
        );
    }

    #[test]
    fn no_fix_where_other_principals_or_guards_are_in_the_way() {
        // A role in the root statement would lose its access (its type is `AssumedRole`).
        let shared =
            r#"["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/Admin"]"#;
        assert_eq!(fixed("key.json", &policy(shared, "")).0, [None]);
        // A guard that admits more: which types to keep is the author's choice.
        let wide = r#",
      "Condition": {"StringEquals": {"aws:PrincipalType": ["Account", "User"]}}"#;
        assert_eq!(fixed("key.json", &policy(ROOT, wide)).0, [None]);
        // `ForAllValues:` is no guard, but it names the key: what to write instead is the
        // author's choice.
        let forall = r#",
      "Condition": {"ForAllValues:StringEquals": {"aws:PrincipalType": "Account"}}"#;
        assert_eq!(fixed("key.json", &policy(ROOT, forall)).0, [None]);
    }

    #[test]
    fn no_fix_where_template_parts_are_in_the_way() {
        let yaml = |principal: &str, condition: &str| {
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
              AWS: {principal}
            Action: kms:*
            Resource: '*'{condition}
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:role/App
            Action: kms:Decrypt
            Resource: '*'
"
            )
        };
        let root = "arn:aws:iam::111122223333:root";
        // A principal that may or may not be the root.
        let unknown = "[arn:aws:iam::111122223333:root, !Ref Admin]";
        assert_eq!(fixed("template.yaml", &yaml(unknown, "")).0, [None]);
        // A condition that holds in one branch of an `Fn::If` only.
        let branch = "
            Condition: !If [Strict, {Bool: {aws:SecureTransport: 'true'}}, !Ref AWS::NoValue]";
        assert_eq!(fixed("template.yaml", &yaml(root, branch)).0, [None]);
        // A computed operator block.
        let computed = "
            Condition:
              StringEquals: !Ref Conditions";
        assert_eq!(fixed("template.yaml", &yaml(root, computed)).0, [None]);
        // Without them, the guard is written as YAML.
        let (titles, text) = fixed("template.yaml", &yaml(root, ""));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert_eq!(
            text,
            yaml(
                root,
                "
            Condition:
              StringEquals:
                aws:PrincipalType: Account"
            )
        );
    }

    #[test]
    fn terraform_gets_the_guard_in_its_own_syntax() {
        let tf = |condition: &str| {
            format!(
                r#"resource "aws_kms_key" "k" {{
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect    = "Allow"
        Principal = {{ AWS = "arn:aws:iam::111122223333:root" }}
        Action    = "kms:*"
        Resource  = "*"{condition}
      }},
      {{
        Effect    = "Allow"
        Principal = {{ AWS = "arn:aws:iam::111122223333:role/App" }}
        Action    = "kms:Decrypt"
        Resource  = "*"
      }},
    ]
  }})
}}
"#
            )
        };
        let (titles, text) = fixed("main.tf", &tf(""));
        assert_eq!(titles, [Some(TITLE.to_string())]);
        assert_eq!(
            text,
            tf("\n        Condition = { StringEquals = { \"aws:PrincipalType\" = \"Account\" } }")
        );
        assert_eq!(
            fixed("main.tf", &tf("\n        Condition = var.c")).0,
            [None]
        );
    }
}
