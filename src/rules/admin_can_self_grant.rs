//! KMS003: a principal that can change the policy or create grants can give itself use.

use crate::model::edit::{Fix, replace_element};
use crate::model::{
    ActionPattern, ActionSet, Category, GrantGuard, PatternKind, Policy, PrincipalKind,
    PrincipalType, Statement, Tri, Who,
};
use crate::rule::{Check, Reporter, Rule, RuleGroup, Severity};

pub const RULE: Rule = Rule {
    code: "KMS003",
    name: "admin-can-self-grant",
    severity: Severity::Warning,
    default_enabled: true,
    group: RuleGroup::Access,
    summary: "a principal without use of the key can give itself use through a grant or the policy",
    doc: include_str!("../../rules/admin-can-self-grant.md"),
    check: Check::Policy(check),
};

fn check(policy: &Policy<'_>, r: &mut Reporter) {
    let put = const { ActionSet::named("PutKeyPolicy") };
    let grant = const { ActionSet::named("CreateGrant") };
    let use_actions = const { ActionSet::category(Category::Use) };
    // Use granted to anyone; the root statement delegates to IAM and grants no one directly.
    let granted_use = policy
        .statements
        .iter()
        .filter(|st| st.is_allow())
        .filter(|st| {
            st.principal_entries()
                .iter()
                .any(|p| policy.is_root(p) == Tri::No)
        })
        .fold(ActionSet::EMPTY, |acc, st| {
            acc.union(st.covered_actions().intersect(use_actions))
        });

    for st in policy
        .statements
        .iter()
        .filter(|st| st.is_allow() && !st.has_not_principal())
    {
        let mut escalating = put;
        if st.grant_guard() != GrantGuard::Strong {
            escalating = escalating.union(grant);
        }
        let escalating = st.covered_actions().intersect(escalating);
        if escalating.is_empty() {
            continue;
        }
        // `{"AWS": "*"}` pinned to the own account: every principal of the account can give
        // itself use, with no IAM policy needed. Unpinned `*` is KMS030's finding.
        let account_wide = policy.pinned_to_own_account(st);
        let candidates: Vec<_> = st
            .principal_entries()
            .iter()
            .filter(|p| p.ptype == PrincipalType::Aws || p.kind == PrincipalKind::Everyone)
            .filter(|p| policy.is_root(p) == Tri::No)
            .filter(|p| match p.kind {
                PrincipalKind::Everyone => account_wide.is_some(),
                PrincipalKind::Unknown | PrincipalKind::Invalid(_) => false,
                _ => true,
            })
            // What a principal with unresolved actions is given is not known: it may have use.
            .filter(|p| !policy.allowed_is_open(Who::Entry(p)))
            .collect();
        for pattern in st.patterns_covering(escalating) {
            let via = match pattern {
                Some(p) => p.matches().intersect(escalating),
                None => escalating,
            };
            let escalators: Vec<_> = candidates
                .iter()
                .filter(|p| {
                    let who = Who::Entry(p);
                    if via.minus(policy.unconditionally_denied(who)).is_empty() {
                        return false;
                    }
                    let own_use = policy.effective(who).intersect(use_actions);
                    granted_use.is_empty() || !own_use.contains_all(granted_use)
                })
                .collect();
            if escalators.is_empty() {
                continue;
            }
            let every = |p: &&&crate::model::Principal<'_>| p.kind == PrincipalKind::Everyone;
            let (span, source) = match pattern {
                Some(ActionPattern { node, .. }) => (node.span, node.as_str().unwrap_or_default()),
                None => (
                    st.actions
                        .as_ref()
                        .map_or(st.anchor(), |a| a.member.key_span),
                    "NotAction",
                ),
            };
            // Joined rather than formatted: this runs for every finding.
            let mut message = String::with_capacity(160);
            message.push('`');
            message.push_str(source);
            if pattern.is_some_and(|p| !p.is_wildcard()) {
                message.push_str("` lets ");
            } else {
                message.push_str("` includes ");
                message.push_str(&via.describe());
                message.push_str(", which lets ");
            }
            let itself = match (escalators.as_slice(), &account_wide) {
                ([one], Some(account)) if every(one) => {
                    message.push_str("every principal in ");
                    message.push_str(account);
                    "themselves"
                }
                ([one], _) => {
                    message.push('`');
                    message.push_str(one.text());
                    message.push('`');
                    "itself"
                }
                (many, _) => {
                    message.push_str(&many.len().to_string());
                    message.push_str(" principals");
                    "themselves"
                }
            };
            let how = if via == put {
                [
                    " rewrite the key policy to give ",
                    itself,
                    " use of the key",
                ]
            } else if via == grant {
                [" create a grant that gives ", itself, " use of the key"]
            } else {
                [
                    " give ",
                    itself,
                    " use of the key through a grant or the key policy",
                ]
            };
            message.extend(how);
            let f = r.report(span, message);
            for p in &escalators {
                let label = if p.kind == PrincipalKind::Everyone {
                    "every principal of the account can give itself use of the key"
                } else {
                    "has no use of the key but can give it to itself"
                };
                f.label(p.node.span, label);
            }
            let guard = || {
                [
                    "`",
                    &policy.condition_example("Bool", "kms:GrantIsForAWSResource", "true"),
                    "`",
                ]
                .concat()
            };
            f.help(help(st, pattern, via.intersects(put), source, guard))
                .fix(pattern.and_then(|p| list_instead(policy, st, p)));
        }
    }
}

/// The actions that let a principal give itself use of the key.
const ESCALATING: ActionSet =
    ActionSet::named("CreateGrant").union(ActionSet::named("PutKeyPolicy"));

/// What a key administrator needs, as the AWS console's key administrators statement gives it
/// (`kms:Create*`, `kms:Describe*`, `kms:Enable*`, `kms:List*`, `kms:Put*`, `kms:Update*`,
/// `kms:Revoke*`, `kms:Disable*`, `kms:Get*`, `kms:Delete*`, tagging, scheduling and cancelling
/// deletion) by category: reading, managing and destroying the key and revoking its grants,
/// of the actions a key policy controls, without `kms:CreateGrant` and `kms:PutKeyPolicy`.
const ADMINISTRATION: ActionSet = ActionSet::category(Category::Read)
    .union(ActionSet::category(Category::Manage))
    .union(ActionSet::category(Category::Destroy))
    .union(ActionSet::named("RevokeGrant"))
    .intersect(ActionSet::key_policy_actions())
    .minus(ESCALATING);

/// The fix of a finding on a wildcard: the wildcard replaced by the actions it stands for other
/// than `kms:CreateGrant` and `kms:PutKeyPolicy`, listed in its place (`kms:Create*` becomes
/// `kms:CreateAlias`; `kms:Put*`, which stands for nothing else, is removed unless it is the
/// statement's only action). Unsafe: the statement's principals lose those two actions.
///
/// A wildcard for every action (`kms:*`, `*`) becomes the administrative actions
/// ([`ADMINISTRATION`]): the statement gives its principals no use of the key that the
/// finding counts on (a principal with all the use the policy grants cannot escalate), so it
/// is read as an administrators statement; any use it still gave goes too. Of a narrower wildcard's actions, those a key policy cannot control
/// (`kms:CreateKey`, `kms:CreateCustomKeyStore`) are left out: they have no effect here, and
/// named they are [iam-only-action](iam-only-action.md)'s finding. So are the actions another
/// entry of the statement already allows, when that entry is one no fix of this rule changes
/// (it does not match `kms:CreateGrant` or `kms:PutKeyPolicy`, or it names one action).
/// `None` for `NotAction` (the author chooses the list), an entry that may be absent where its
/// statement is not (a branch of an `Fn::If`, a `%{ if }` body), or one the policy's syntax
/// cannot replace as written.
fn list_instead(policy: &Policy<'_>, st: &Statement<'_>, p: &ActionPattern<'_>) -> Option<Fix> {
    let actions = st.actions.as_ref()?;
    if actions.not || !p.is_wildcard() || (p.node.maybe && !st.node.maybe) {
        return None;
    }
    let text = p.text()?;
    let key_policy = const { ActionSet::key_policy_actions() };
    let matched = p.matches().intersect(key_policy);
    let everything = matched.contains_all(key_policy);
    let stays = |o: &ActionPattern<'_>| {
        (!o.node.maybe || st.node.maybe)
            && o.node.span != p.node.span
            && matches!(o.kind, PatternKind::Kms { .. })
            && (!o.is_wildcard() || !o.matches().intersects(ESCALATING))
    };
    let kept = actions
        .patterns
        .iter()
        .filter(|o| stays(o))
        .fold(ActionSet::EMPTY, |acc, o| acc.union(o.matches()));
    let wanted = if everything {
        ADMINISTRATION
    } else {
        matched.minus(ESCALATING)
    };
    let names: Vec<String> = wanted.minus(kept).iter().map(|a| a.qualified()).collect();
    let edits = replace_element(
        policy.text,
        st.node,
        actions.member,
        p.node,
        policy.dialect,
        &names,
    )?;
    let title = match names.as_slice() {
        [] => format!("Remove `{text}`"),
        _ if everything => format!(
            "Replace `{text}` with the administrative actions, without `kms:CreateGrant` and `kms:PutKeyPolicy`"
        ),
        few if few.len() <= 3 => {
            let listed: Vec<String> = few.iter().map(|n| format!("`{n}`")).collect();
            format!("Replace `{text}` with {}", listed.join(", "))
        }
        many => format!(
            "Replace `{text}` with the {} actions it matches, without `kms:CreateGrant` and `kms:PutKeyPolicy`",
            many.len()
        ),
    };
    Some(Fix::unsafe_(title, edits))
}

/// How to fix one finding. A wildcard or `NotAction` is fixed by listing the administrative
/// actions; an escalating action named on its own has to be guarded or removed.
fn help(
    st: &Statement<'_>,
    pattern: Option<&ActionPattern<'_>>,
    put: bool,
    source: &str,
    guard: impl Fn() -> String,
) -> String {
    // Joined rather than formatted: this runs for every finding.
    match pattern {
        None if put => "list the administrative actions in `Action` instead of using `NotAction`, and keep `kms:PutKeyPolicy` with the root statement".to_string(),
        None => "list the administrative actions in `Action` instead of using `NotAction`".to_string(),
        Some(p) if p.is_wildcard() && put => {
            "list the administrative actions explicitly instead of `kms:Create*`, `kms:Put*` or `kms:*`, and keep `kms:PutKeyPolicy` with the root statement".to_string()
        }
        Some(p) if p.is_wildcard() => [
            "list the administrative actions explicitly instead of a wildcard, or add ",
            &guard(),
            " to the grant",
        ]
        .concat(),
        Some(_) if put => [
            "remove `",
            source,
            "` from this statement and leave changing the key policy to the root statement",
        ]
        .concat(),
        Some(_) if st.grant_guard() == GrantGuard::IfExists => [
            "use `Bool` instead of `BoolIfExists` for `kms:GrantIsForAWSResource`, or remove `",
            source,
            "`",
        ]
        .concat(),
        Some(_) if st.action_patterns().len() == 1 => {
            ["add ", &guard(), " to the statement, or remove the statement"].concat()
        }
        Some(_) => [
            "move `",
            source,
            "` to a statement of its own with ",
            &guard(),
            ", or remove it",
        ]
        .concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PolicyContext;
    use crate::rule::Finding;
    use crate::tree::json;

    /// The help of each finding on a policy whose root statement is followed by `statements`
    /// and by a statement that gives `role/App` use of the key.
    fn helps(statements: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}},
                  "Action": "kms:*", "Resource": "*"}},
                {statements},
                {{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
                  "Action": "kms:Decrypt", "Resource": "*"}}]}}"#
        );
        let root = json::parse(&text).unwrap();
        let policy = Policy::new(&root, &text, &PolicyContext::default());
        let mut out: Vec<Finding> = Vec::new();
        check(&policy, &mut Reporter::new(&mut out));
        out.into_iter().map(|f| f.help.unwrap()).collect()
    }

    fn admin(actions: &str, extra: &str) -> String {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/Admin"}},
                "{actions}, "Resource": "*"{extra}}}"#
        )
    }

    #[test]
    fn a_named_action_is_guarded_or_removed() {
        let h = helps(&admin(
            r#"Action": ["kms:CreateGrant", "kms:PutKeyPolicy"]"#,
            "",
        ));
        assert_eq!(h.len(), 2);
        assert!(h[0].starts_with("move `kms:CreateGrant` to a statement of its own with"));
        assert!(!h[0].contains("wildcard"), "{}", h[0]);
        assert!(h[1].starts_with("remove `kms:PutKeyPolicy` from this statement"));
        let h = helps(&admin(r#"Action": "kms:CreateGrant""#, ""));
        assert!(h[0].starts_with("add `\"Condition\""), "{}", h[0]);
        let guard = r#", "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}"#;
        let h = helps(&admin(r#"Action": "kms:CreateGrant""#, guard));
        assert!(h[0].starts_with("use `Bool` instead of `BoolIfExists`"));
    }

    #[test]
    fn a_wildcard_is_replaced_by_a_list() {
        let h = helps(&admin(r#"Action": ["kms:Create*", "kms:Put*"]"#, ""));
        assert_eq!(h.len(), 2);
        assert!(
            h[0].starts_with("list the administrative actions explicitly instead of a wildcard")
        );
        assert!(
            h[1].starts_with("list the administrative actions explicitly instead of `kms:Create*`")
        );
        let h = helps(&admin(r#"NotAction": "kms:Decrypt""#, ""));
        assert!(h[0].starts_with(
            "list the administrative actions in `Action` instead of using `NotAction`"
        ));
    }

    /// Lint `text` as a file named `file`: the fix title of each finding of the rule, and the text after
    /// every fix (unsafe ones too), each proven by the fixer.
    fn fixed(file: &str, text: &str) -> (Vec<Option<String>>, String) {
        let (titles, fixed) = crate::fixer::fix_all(RULE.code, file, text);
        (titles, fixed.source.text)
    }

    /// A JSON policy: a guarded root statement, an administrators statement of `actions`, and
    /// a role with use of the key.
    fn policy(actions: &str) -> String {
        format!(
            r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}},
      "Action": "kms:*",
      "Resource": "*",
      "Condition": {{"StringEquals": {{"aws:PrincipalType": "Account"}}}}
    }},
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:role/Admin"}},
      "Action": {actions},
      "Resource": "*"
    }},
    {{
      "Effect": "Allow",
      "Principal": {{"AWS": "arn:aws:iam::111122223333:role/App"}},
      "Action": ["kms:Encrypt", "kms:Decrypt"],
      "Resource": "*"
    }}
  ]
}}"#
        )
    }

    fn titles(titles: &[&str]) -> Vec<Option<String>> {
        titles.iter().map(|t| Some(t.to_string())).collect()
    }

    #[test]
    fn wildcards_become_what_they_match_without_the_escalating_actions() {
        let (t, text) = fixed(
            "key.json",
            &policy(r#"["kms:Create*", "kms:Describe*", "kms:Put*"]"#),
        );
        assert_eq!(
            t,
            titles(&[
                "Replace `kms:Create*` with `kms:CreateAlias`",
                "Remove `kms:Put*`"
            ])
        );
        assert_eq!(text, policy(r#"["kms:CreateAlias", "kms:Describe*"]"#));
        // One a line, and a lone value.
        let lines = "[\n        \"kms:Put*\",\n        \"kms:Create*\"\n      ]";
        let (_, text) = fixed("key.json", &policy(lines));
        assert_eq!(text, policy("[\n        \"kms:CreateAlias\"\n      ]"));
        let (_, text) = fixed("key.json", &policy(r#""kms:Create*""#));
        assert_eq!(text, policy(r#""kms:CreateAlias""#));
        // Actions another entry allows already are not listed twice.
        let (t, text) = fixed("key.json", &policy(r#"["kms:Create*", "kms:CreateAlias"]"#));
        assert_eq!(t, titles(&["Remove `kms:Create*`"]));
        assert_eq!(text, policy(r#"["kms:CreateAlias"]"#));
    }

    #[test]
    fn every_action_becomes_the_administrative_actions() {
        // The administrator is denied use, so `kms:*` gives it no use the finding counts on.
        let deny = r#"{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:role/Admin"}, "Action": ["kms:Encrypt", "kms:Decrypt"], "Resource": "*"}"#;
        let text = policy(r#""kms:*""#).replace("\n  ]\n}", &format!(",\n    {deny}\n  ]\n}}"));
        let (t, fixed_text) = fixed("key.json", &text);
        assert_eq!(
            t,
            titles(&[
                "Replace `kms:*` with the administrative actions, without `kms:CreateGrant` and `kms:PutKeyPolicy`"
            ])
        );
        let root = json::parse(&fixed_text).unwrap();
        let policy = Policy::new(&root, &fixed_text, &PolicyContext::default());
        let admin = policy.statements[1].covered_actions();
        assert_eq!(admin, ADMINISTRATION);
        assert!(!admin.intersects(ESCALATING));
        assert!(!admin.intersects(ActionSet::category(Category::Use)));
        // What the AWS console gives key administrators is all there.
        for name in [
            "CreateAlias",
            "DescribeKey",
            "EnableKey",
            "ListGrants",
            "UpdateAlias",
        ] {
            assert!(admin.contains_all(ActionSet::named(name)), "{name}");
        }
        for name in [
            "RevokeGrant",
            "DisableKey",
            "GetKeyPolicy",
            "DeleteAlias",
            "TagResource",
        ] {
            assert!(admin.contains_all(ActionSet::named(name)), "{name}");
        }
        for name in ["UntagResource", "ScheduleKeyDeletion", "CancelKeyDeletion"] {
            assert!(admin.contains_all(ActionSet::named(name)), "{name}");
        }
        // Actions no key policy controls are left out.
        assert!(!admin.intersects(ActionSet::named("CreateKey")));
        assert!(fixed_text.contains("\n      \"Action\": [\n        \"kms:CancelKeyDeletion\",\n"));
    }

    #[test]
    fn no_fix_for_named_actions_not_action_or_a_lone_entry_to_remove() {
        for actions in [r#"["kms:PutKeyPolicy", "kms:Describe*"]"#, r#""kms:Put*""#] {
            let (t, text) = fixed("key.json", &policy(actions));
            assert_eq!(t, [None], "{actions}");
            assert_eq!(text, policy(actions));
        }
        let not_action = policy(r#""kms:Decrypt""#).replace(
            r#""Action": "kms:Decrypt""#,
            r#""NotAction": "kms:Decrypt""#,
        );
        let (t, _) = fixed("key.json", &not_action);
        assert!(t.iter().all(Option::is_none), "{t:?}");
    }

    #[test]
    fn yaml_keeps_its_style_and_template_branches_keep_theirs() {
        let yaml = |actions: &str| {
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
              AWS: !Sub 'arn:aws:iam::${{AWS::AccountId}}:root'
            Action: kms:*
            Resource: '*'
            Condition: {{StringEquals: {{aws:PrincipalType: Account}}}}
          - Effect: Allow
            Principal:
              AWS: !GetAtt Admin.Arn
            Action:{actions}
            Resource: '*'
          - Effect: Allow
            Principal:
              AWS: !GetAtt App.Arn
            Action: [kms:Encrypt, kms:Decrypt]
            Resource: '*'
  Admin:
    Type: AWS::IAM::Role
  App:
    Type: AWS::IAM::Role
"
            )
        };
        let block = "
              - kms:Create*
              - kms:Describe*
              - kms:Put*  # changes the policy";
        let (_, text) = fixed("template.yaml", &yaml(block));
        assert_eq!(
            text,
            yaml(
                "
              - kms:CreateAlias
              - kms:Describe*"
            )
        );
        let flow = " [kms:Put*, 'kms:Create*']";
        let (_, text) = fixed("template.yaml", &yaml(flow));
        assert_eq!(text, yaml(" ['kms:CreateAlias']"));
        // An entry in one branch of an `Fn::If`: replacing it would change that branch only.
        let branch = "
              - !If [Strict, kms:Put*, !Ref AWS::NoValue]
              - kms:Describe*";
        let (t, text) = fixed("template.yaml", &yaml(branch));
        assert_eq!(t, [None]);
        assert_eq!(text, yaml(branch));
    }

    #[test]
    fn terraform_lists_keep_their_layout() {
        let tf = |actions: &str| {
            format!(
                r#"data "aws_iam_policy_document" "key" {{
  statement {{
    actions   = ["kms:*"]
    resources = ["*"]
    principals {{
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "aws:PrincipalType"
      values   = ["Account"]
    }}
  }}

  statement {{
    actions = [{actions}]
    resources = ["*"]
    principals {{
      type        = "AWS"
      identifiers = [aws_iam_role.admin.arn]
    }}
  }}

  statement {{
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {{
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }}
  }}
}}

resource "aws_kms_key" "k" {{
  policy = data.aws_iam_policy_document.key.json
}}
"#
            )
        };
        let (t, text) = fixed(
            "main.tf",
            &tf("\n      \"kms:Create*\",\n      \"kms:Describe*\",\n      \"kms:Put*\",\n    "),
        );
        assert_eq!(t.len(), 2);
        assert_eq!(
            text,
            tf("\n      \"kms:CreateAlias\",\n      \"kms:Describe*\",\n    ")
        );
    }
}
