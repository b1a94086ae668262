//! Hover: what an action entry expands to, and what a principal entry is.

use crate::extract::{self, Extracted, InputKind, PolicyDoc};
use crate::model::action::{ActionInfo, PolicyScope, suggest_action};
use crate::model::{ActionPattern, ActionSet, Category, PatternKind, Policy, Principal, Tri};
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::tree::Span;

/// Categories in the order hovers list them.
const CATEGORIES: &[Category] = &[
    Category::Use,
    Category::Read,
    Category::Grant,
    Category::Policy,
    Category::Manage,
    Category::Destroy,
    Category::KeyStore,
    Category::Account,
];

/// The key policies of a document (none when it does not parse or holds none).
pub fn policies(source: &SourceFile, kind: InputKind) -> Vec<PolicyDoc> {
    match extract::extract(kind.refine(&source.text), &source.text, true) {
        Ok(Extracted::Found(found)) => found.policies,
        _ => Vec::new(),
    }
}

/// The hover text (markdown) for the action or principal entry at byte `offset`, and the
/// entry's span in the file.
pub fn hover(
    source: &SourceFile,
    kind: InputKind,
    settings: &Settings,
    offset: u32,
) -> Option<(Span, String)> {
    let inside = |span: Span| span.start <= offset && offset < span.end;
    for doc in policies(source, kind) {
        let policy = Policy::new(&doc.root, doc.text(&source.text), &settings.context);
        for st in &policy.statements {
            if let Some(actions) = &st.actions {
                for p in &actions.patterns {
                    let span = doc.to_file(p.node.span);
                    if inside(span) {
                        return Some((span, action_hover(p, actions.not)));
                    }
                }
            }
            if let Some(principals) = &st.principals {
                for p in &principals.entries {
                    let span = doc.to_file(p.node.span);
                    if inside(span) {
                        return Some((span, principal_hover(&policy, p, principals.not)));
                    }
                }
            }
        }
    }
    None
}

fn action_hover(p: &ActionPattern<'_>, not: bool) -> String {
    let text = p.text().unwrap_or_default();
    let mut out = match &p.kind {
        PatternKind::NotAString => {
            return "an unresolved value: kmslint cannot tell which actions it names".to_string();
        }
        PatternKind::OtherService { service } => {
            return format!(
                "`{text}` is an action of `{service}`, not of KMS: it has no effect in a key policy"
            );
        }
        PatternKind::NoPrefix => {
            let hint = suggest_action(text)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return format!("`{text}` has no service prefix and matches no action{hint}");
        }
        PatternKind::Kms { matches, .. } if matches.is_empty() => {
            let hint = suggest_action(text)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return format!("`{text}` matches no KMS action{hint}");
        }
        PatternKind::Everything => format!(
            "`*` is every action of every service: all {} KMS actions",
            p.matches().len()
        ),
        PatternKind::Kms { matches, .. } => match matches.len() {
            1 => format!("`{text}` is 1 KMS action"),
            n => format!("`{text}` matches {n} KMS actions"),
        },
    };
    if not {
        out.push_str(" (under `NotAction`: the statement covers every action except these)");
    }
    out.push_str("\n\n");
    out.push_str(&by_category(p.matches()));
    out
}

/// The actions of a set as a list, one line per category.
fn by_category(set: ActionSet) -> String {
    let mut lines = Vec::new();
    for &c in CATEGORIES {
        let actions: Vec<&ActionInfo> = set.iter().filter(|a| a.category == c).collect();
        if actions.is_empty() {
            continue;
        }
        let names: Vec<String> = actions
            .iter()
            .map(|a| match a.scope {
                PolicyScope::Iam => format!("`{}` (IAM policies only)", a.qualified()),
                _ => format!("`{}`", a.qualified()),
            })
            .collect();
        lines.push(format!("- **{}**: {}", c.as_str(), names.join(", ")));
    }
    lines.join("\n")
}

fn principal_hover(policy: &Policy<'_>, p: &Principal<'_>, not: bool) -> String {
    let mut out = format!("`{}`: {}", p.text(), p.describe());
    if policy.is_root(p) == Tri::Yes {
        out.push_str(", the key's own account");
    } else if policy.is_other_account(p) == Tri::Yes {
        out.push_str(", an account other than the key's own");
    }
    if not {
        out.push_str(
            "\n\nUnder `NotPrincipal`: the statement applies to every principal except this one",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hover_at(text: &str, kind: InputKind, needle: &str) -> Option<(Span, String)> {
        let source = SourceFile::new("k", None, text.to_string());
        let at = text.find(needle).unwrap() as u32;
        hover(&source, kind, &Settings::default(), at)
    }

    const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
   "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:group/Admins", "arn:aws:iam::444455556666:role/Ops"]},
   "Action": ["kms:Create*", "s3:GetObject", "kms:Encypt"], "Resource": "*"},
  {"Effect": "Allow", "NotPrincipal": {"Service": "logs.amazonaws.com"},
   "NotAction": "kms:Decrypt", "Resource": "*"}
]}"#;

    #[test]
    fn action_hover_lists_the_expansion_by_category() {
        let (span, text) = hover_at(POLICY, InputKind::Json, "Create*").unwrap();
        assert_eq!(
            &POLICY[span.start as usize..span.end as usize],
            "\"kms:Create*\""
        );
        assert_eq!(
            text,
            "`kms:Create*` matches 4 KMS actions\n\n\
             - **grant**: `kms:CreateGrant`\n\
             - **manage**: `kms:CreateAlias`\n\
             - **keystore**: `kms:CreateCustomKeyStore` (IAM policies only)\n\
             - **account**: `kms:CreateKey` (IAM policies only)"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "kms:Decrypt").unwrap();
        assert_eq!(
            text,
            "`kms:Decrypt` is 1 KMS action (under `NotAction`: the statement covers every action except these)\n\n- **use**: `kms:Decrypt`"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "s3:").unwrap();
        assert_eq!(
            text,
            "`s3:GetObject` is an action of `s3`, not of KMS: it has no effect in a key policy"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "Encypt").unwrap();
        assert_eq!(
            text,
            "`kms:Encypt` matches no KMS action (did you mean `kms:Encrypt`?)"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "kms:*").unwrap();
        assert!(text.starts_with("`kms:*` matches "), "{text}");
        assert!(text.contains("- **destroy**: "), "{text}");
    }

    #[test]
    fn principal_hover_says_what_kind_it_is() {
        let (_, text) =
            hover_at(POLICY, InputKind::Json, "arn:aws:iam::111122223333:root").unwrap();
        assert_eq!(
            text,
            "`arn:aws:iam::111122223333:root`: the account 111122223333 (its root), the key's own account"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, ":group/").unwrap();
        assert_eq!(
            text,
            "`arn:aws:iam::111122223333:group/Admins`: IAM group `Admins` in 111122223333"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "role/Ops").unwrap();
        assert_eq!(
            text,
            "`arn:aws:iam::444455556666:role/Ops`: IAM role `Ops` in 444455556666, an account other than the key's own"
        );
        let (_, text) = hover_at(POLICY, InputKind::Json, "logs.").unwrap();
        assert_eq!(
            text,
            "`logs.amazonaws.com`: service principal `logs.amazonaws.com`\n\nUnder `NotPrincipal`: the statement applies to every principal except this one"
        );
    }

    #[test]
    fn no_hover_outside_entries() {
        assert!(hover_at(POLICY, InputKind::Json, "Version").is_none());
        assert!(hover_at(POLICY, InputKind::Json, "Effect").is_none());
        assert!(hover_at("{\"Statement\": [", InputKind::Json, "Statement").is_none());
    }

    #[test]
    fn hover_works_in_yaml_and_terraform() {
        let yaml = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: !Sub arn:aws:iam::${AWS::AccountId}:root\n            Action: kms:Get*\n            Resource: '*'\n";
        let (span, text) = hover_at(yaml, InputKind::Yaml, "Get*").unwrap();
        assert_eq!(&yaml[span.start as usize..span.end as usize], "kms:Get*");
        assert!(text.starts_with("`kms:Get*` matches "), "{text}");
        let tf = "resource \"aws_kms_key\" \"k\" {\n  policy = jsonencode({\n    Statement = [{\n      Effect = \"Allow\"\n      Principal = { AWS = \"arn:aws:iam::111122223333:user/ana\" }\n      Action = \"kms:Decrypt\"\n      Resource = \"*\"\n    }]\n  })\n}\n";
        let (_, text) = hover_at(tf, InputKind::Hcl, "user/ana").unwrap();
        assert_eq!(
            text,
            "`arn:aws:iam::111122223333:user/ana`: IAM user `ana` in 111122223333"
        );
    }

    #[test]
    fn hover_maps_through_escaped_policy_strings() {
        let text = r#"{"Policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:ListGrants\", \"Resource\": \"*\"}]}"}"#;
        let (span, hover) = hover_at(text, InputKind::Json, "ListGrants").unwrap();
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            r#"\"kms:ListGrants\""#
        );
        assert_eq!(
            hover,
            "`kms:ListGrants` is 1 KMS action\n\n- **read**: `kms:ListGrants`"
        );
    }
}
