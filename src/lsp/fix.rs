//! Quick fixes: mechanical edits that resolve a finding without changing anything else.
//!
//! Only key policies written as JSON in a JSON file (a policy file, or a CloudFormation JSON
//! template with the policy as an object) get fixes: there the edit is plain JSON text. YAML,
//! HCL and policies inside an escaped string get none, rather than an edit that could break
//! them. Every edit is checked before it is offered: the fixed text must parse and the
//! finding must be gone.

use crate::diagnostic::Diagnostic;
use crate::engine::{self, FileReport, Reach};
use crate::extract::InputKind;
use crate::model::{ActionSet, PatternKind, Policy, Statement, Tri};
use crate::rules::{grant_without_aws_resource_guard, invalid_json, missing_principal_type_guard};
use crate::settings::Settings;
use crate::source::SourceFile;
use crate::tree::{Node, Span};

use super::hover::policies;

/// One fix: a text edit and the diagnostics it resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    /// Indexes into the report's diagnostics.
    pub diagnostics: Vec<usize>,
    /// Replace this byte range of the document with `text`.
    pub span: Span,
    pub text: String,
}

/// A condition block to add: operator, key and value.
struct Guard {
    operator: &'static str,
    key: &'static str,
    value: &'static str,
    title: &'static str,
}

const GRANT_GUARD: Guard = Guard {
    operator: "Bool",
    key: "kms:GrantIsForAWSResource",
    value: "true",
    title: "Add a `kms:GrantIsForAWSResource` condition",
};

const PRINCIPAL_TYPE_GUARD: Guard = Guard {
    operator: "StringEquals",
    key: "aws:PrincipalType",
    value: "Account",
    title: "Add an `aws:PrincipalType` guard",
};

/// The actions a request carries `kms:GrantIsForAWSResource` for: a statement of only these
/// keeps working for AWS services when the condition is added.
fn grant_key_actions() -> ActionSet {
    ActionSet::named("CreateGrant")
        .union(ActionSet::named("ListGrants"))
        .union(ActionSet::named("RevokeGrant"))
}

/// The fixes for those of `report`'s diagnostics whose indexes are in `wanted`.
pub fn fixes(
    source: &SourceFile,
    kind: InputKind,
    settings: &Settings,
    report: &FileReport,
    wanted: &[usize],
) -> Vec<Fix> {
    if kind.refine(&source.text) != InputKind::Json {
        return Vec::new();
    }
    let mut out = Vec::new();
    for doc in policies(source, kind) {
        if doc.embedded.is_some() {
            continue;
        }
        let policy = Policy::new(&doc.root, &source.text, &settings.context);
        for st in &policy.statements {
            let within = |code: &str| -> Vec<usize> {
                wanted
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let d: &Diagnostic = &report.diagnostics[i];
                        d.rule.code() == code
                            && st.node.span.start <= d.span.start
                            && d.span.end <= st.node.span.end
                    })
                    .collect()
            };
            let grant = within(grant_without_aws_resource_guard::RULE.code);
            if !grant.is_empty() && grant_fix_applies(st) {
                out.extend(fix(source, st, &GRANT_GUARD, grant));
            }
            let root = within(missing_principal_type_guard::RULE.code);
            if !root.is_empty() && principal_type_fix_applies(&policy, st) {
                out.extend(fix(source, st, &PRINCIPAL_TYPE_GUARD, root));
            }
        }
    }
    out.retain(|f| resolves(source, kind, settings, report, f));
    out
}

/// An Allow whose actions are all ones `kms:GrantIsForAWSResource` applies to, with no
/// condition on that key yet.
fn grant_fix_applies(st: &Statement<'_>) -> bool {
    let Some(actions) = &st.actions else {
        return false;
    };
    let covered = st.covered_actions();
    st.is_allow()
        && !actions.not
        && actions
            .patterns
            .iter()
            .all(|p| matches!(p.kind, PatternKind::Kms { .. }))
        && covered.contains_all(ActionSet::named("CreateGrant"))
        && grant_key_actions().contains_all(covered)
        && st.conditions_on(GRANT_GUARD.key).next().is_none()
        && !st.has_unresolved_condition()
}

/// A statement for the account root alone, with no `aws:PrincipalType` condition at all. A
/// guard that admits too much needs a person to decide what to keep, and other principals in
/// the same statement (a role's type is `AssumedRole`) would lose their access.
fn principal_type_fix_applies(policy: &Policy<'_>, st: &Statement<'_>) -> bool {
    let entries = st.principal_entries();
    !entries.is_empty()
        && !st.has_not_principal()
        && entries.iter().all(|p| policy.is_root(p) == Tri::Yes)
        && st.conditions_on(PRINCIPAL_TYPE_GUARD.key).next().is_none()
        && !st.has_unresolved_condition()
}

fn fix(
    source: &SourceFile,
    st: &Statement<'_>,
    guard: &Guard,
    diagnostics: Vec<usize>,
) -> Option<Fix> {
    let (span, text) = add_condition(&source.text, st, guard)?;
    Some(Fix {
        title: guard.title.to_string(),
        diagnostics,
        span,
        text,
    })
}

/// The edit that adds `guard` to a statement: a new `Condition`, a new operator block in the
/// existing `Condition`, or a new key in the existing operator block.
fn add_condition(text: &str, st: &Statement<'_>, guard: &Guard) -> Option<(Span, String)> {
    let inner = format!("{{{}: {}}}", quote(guard.key), quote(guard.value));
    let Some(condition) = st.condition_member else {
        let value = format!("{{{}: {inner}}}", quote(guard.operator));
        return insert_member(text, st.node, "Condition", &value);
    };
    let conditions = st.node.members().iter().filter(|m| m.key == "Condition");
    if conditions.count() != 1 || !condition.value.is_object() {
        return None;
    }
    let mut operators = condition
        .value
        .members()
        .iter()
        .filter(|m| m.key == guard.operator);
    match (operators.next(), operators.next()) {
        (None, _) => insert_member(text, &condition.value, guard.operator, &inner),
        (Some(op), None) if op.value.is_object() => {
            insert_member(text, &op.value, guard.key, &quote(guard.value))
        }
        _ => None,
    }
}

fn quote(s: &str) -> String {
    format!("\"{s}\"")
}

/// The edit that adds `"key": value` as the last member of a JSON object, laid out like the
/// members before it: on a line of its own with their indentation, or inline.
fn insert_member(text: &str, object: &Node, key: &str, value: &str) -> Option<(Span, String)> {
    let (open, close) = (object.span.start as usize, object.span.end as usize);
    let bytes = text.as_bytes();
    if close <= open || bytes.get(open) != Some(&b'{') || bytes.get(close - 1) != Some(&b'}') {
        return None;
    }
    let member = format!("{}: {value}", quote(key));
    let Some(last) = object.members().last() else {
        return Some((Span::new(open as u32 + 1, close as u32 - 1), member));
    };
    let key_start = last.key_span.start as usize;
    let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &text[line_start..key_start];
    let insertion = if line_start > open && indent.chars().all(|c| c == ' ' || c == '\t') {
        let newline = if text[..key_start].ends_with(&format!("\r\n{indent}")) {
            "\r\n"
        } else {
            "\n"
        };
        format!(",{newline}{indent}{member}")
    } else {
        format!(", {member}")
    };
    Some((Span::at(last.value.span.end), insertion))
}

/// Whether a fix, applied, leaves text that parses and resolves the finding.
fn resolves(
    source: &SourceFile,
    kind: InputKind,
    settings: &Settings,
    report: &FileReport,
    fix: &Fix,
) -> bool {
    let Some(first) = fix.diagnostics.first() else {
        return false;
    };
    let code = report.diagnostics[*first].rule.code();
    let mut text = source.text.clone();
    text.replace_range(fix.span.start as usize..fix.span.end as usize, &fix.text);
    let fixed = SourceFile::new(source.path.clone(), None, text);
    let after = engine::lint_source(&fixed, kind, Reach::Opened, settings);
    let count = |r: &FileReport, code: &str| {
        r.diagnostics
            .iter()
            .filter(|d| d.rule.code() == code)
            .count()
    };
    count(&after, invalid_json::RULE.code) == 0
        && count(&after, code) + fix.diagnostics.len() <= count(report, code)
        && after.policies == report.policies
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lint `text`, fix everything fixable, and return the fixed text and titles.
    fn fix_all(text: &str, kind: InputKind) -> (String, Vec<String>) {
        let settings = Settings::default();
        let source = SourceFile::new("k.json", None, text.to_string());
        let report = engine::lint_source(&source, kind, Reach::Opened, &settings);
        let all: Vec<usize> = (0..report.diagnostics.len()).collect();
        let mut fixes = fixes(&source, kind, &settings, &report, &all);
        fixes.sort_by_key(|f| std::cmp::Reverse(f.span.start));
        let mut out = text.to_string();
        for f in &fixes {
            out.replace_range(f.span.start as usize..f.span.end as usize, &f.text);
        }
        (out, fixes.into_iter().map(|f| f.title).collect())
    }

    fn codes(text: &str) -> Vec<String> {
        let source = SourceFile::new("k.json", None, text.to_string());
        engine::lint_source(
            &source,
            InputKind::Json,
            Reach::Opened,
            &Settings::default(),
        )
        .diagnostics
        .iter()
        .map(|d| d.rule.code().to_string())
        .collect()
    }

    const CONSOLE: &str = include_str!("../../examples/console-default.json");

    #[test]
    fn console_default_gets_the_principal_type_guard() {
        let (fixed, titles) = fix_all(CONSOLE, InputKind::Json);
        assert_eq!(titles, ["Add an `aws:PrincipalType` guard"]);
        assert!(
            fixed.contains(
                "      \"Resource\": \"*\",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}\n    },\n    {\n      \"Sid\": \"Allow access for Key Administrators\""
            ),
            "{fixed}"
        );
        assert!(!codes(&fixed).iter().any(|c| c == "KMS004"));
    }

    #[test]
    fn grant_statement_without_condition_gets_one() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"},\n      \"Action\": [\"kms:CreateGrant\", \"kms:ListGrants\", \"kms:RevokeGrant\"],\n      \"Resource\": \"*\"\n    }\n  ]\n}\n";
        let (fixed, titles) = fix_all(text, InputKind::Json);
        assert_eq!(titles, ["Add a `kms:GrantIsForAWSResource` condition"]);
        assert_eq!(
            fixed,
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"},\n      \"Action\": [\"kms:CreateGrant\", \"kms:ListGrants\", \"kms:RevokeGrant\"],\n      \"Resource\": \"*\",\n      \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}\n    }\n  ]\n}\n"
        );
        assert!(!codes(&fixed).iter().any(|c| c == "KMS005"));
    }

    #[test]
    fn grant_guard_merges_into_existing_conditions() {
        // Another operator in the Condition: a new `Bool` block beside it (inline layout).
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}}}]}"#;
        let (fixed, _) = fix_all(text, InputKind::Json);
        assert!(
            fixed.contains(r#""Condition": {"StringEquals": {"kms:CallerAccount": "111122223333"}, "Bool": {"kms:GrantIsForAWSResource": "true"}}}"#),
            "{fixed}"
        );
        // An existing `Bool` block, laid out one member per line, with CRLF line ends.
        let text = "{\r\n\"Statement\": [{\r\n  \"Effect\": \"Allow\",\r\n  \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"},\r\n  \"Action\": \"kms:CreateGrant\",\r\n  \"Resource\": \"*\",\r\n  \"Condition\": {\r\n    \"Bool\": {\r\n      \"aws:SecureTransport\": \"true\"\r\n    }\r\n  }\r\n}]}";
        let (fixed, _) = fix_all(text, InputKind::Json);
        assert!(
            fixed.contains("      \"aws:SecureTransport\": \"true\",\r\n      \"kms:GrantIsForAWSResource\": \"true\"\r\n    }"),
            "{fixed}"
        );
        // An empty Condition object.
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:CreateGrant", "Resource": "*", "Condition": {}}]}"#;
        let (fixed, _) = fix_all(text, InputKind::Json);
        assert!(
            fixed.contains(r#""Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}}"#),
            "{fixed}"
        );
    }

    #[test]
    fn no_fix_where_it_would_change_other_actions_or_guess() {
        // The condition would also apply to kms:Decrypt, which never carries the key.
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": ["kms:CreateGrant", "kms:Decrypt"], "Resource": "*"}]}"#;
        assert_eq!(fix_all(text, InputKind::Json).1, Vec::<String>::new());
        // BoolIfExists: the fix is a different operator, a judgement left to the author.
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:CreateGrant", "Resource": "*", "Condition": {"BoolIfExists": {"kms:GrantIsForAWSResource": "true"}}}]}"#;
        assert!(codes(text).iter().any(|c| c == "KMS005"));
        assert_eq!(fix_all(text, InputKind::Json).1, Vec::<String>::new());
        // A guard that admits too much: which types to keep is not mechanical.
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalType": ["Account", "User"]}}}, {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        assert!(codes(text).iter().any(|c| c == "KMS004"));
        assert_eq!(fix_all(text, InputKind::Json).1, Vec::<String>::new());
        // The root shares its statement with a role, which the guard would lock out.
        let text = r#"{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:role/Admin"]}, "Action": "kms:*", "Resource": "*"}]}"#;
        assert!(codes(text).iter().any(|c| c == "KMS004"));
        assert_eq!(fix_all(text, InputKind::Json).1, Vec::<String>::new());
    }

    #[test]
    fn no_fix_in_yaml_or_escaped_policies() {
        let get_key_policy = r#"{"Policy": "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}, {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}"}"#;
        assert!(codes(get_key_policy).iter().any(|c| c == "KMS004"));
        assert_eq!(
            fix_all(get_key_policy, InputKind::Json).1,
            Vec::<String>::new()
        );
        let yaml = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::111122223333:root\n            Action: kms:*\n            Resource: '*'\n";
        assert_eq!(fix_all(yaml, InputKind::Yaml).1, Vec::<String>::new());
    }

    #[test]
    fn cloudformation_json_templates_get_fixes() {
        let text = "{\n  \"Resources\": {\n    \"Key\": {\n      \"Type\": \"AWS::KMS::Key\",\n      \"Properties\": {\n        \"KeyPolicy\": {\n          \"Statement\": [\n            {\n              \"Effect\": \"Allow\",\n              \"Principal\": {\"AWS\": {\"Fn::Sub\": \"arn:aws:iam::${AWS::AccountId}:root\"}},\n              \"Action\": \"kms:*\",\n              \"Resource\": \"*\"\n            },\n            {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": {\"Fn::GetAtt\": [\"App\", \"Arn\"]}}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}\n          ]\n        }\n      }\n    },\n    \"App\": {\"Type\": \"AWS::IAM::Role\"}\n  }\n}\n";
        let (fixed, titles) = fix_all(text, InputKind::Json);
        assert_eq!(titles, ["Add an `aws:PrincipalType` guard"]);
        assert!(
            fixed.contains("              \"Resource\": \"*\",\n              \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}\n            },"),
            "{fixed}"
        );
    }
}
