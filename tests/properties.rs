#![allow(clippy::unwrap_used)]
//! Properties over arbitrary input: no input panics the parsers, the extractors or any rule,
//! and every reported span lies inside the file, on character boundaries; applying every fix
//! to a policy with fixable mistakes, in every input kind, leaves a file that parses and has
//! no new finding.

use kmslint::engine::{Reach, lint_bytes, lint_source};
use kmslint::extract::InputKind;
use kmslint::fixer::{apply, fix_file};
use kmslint::rule::Edit;
use kmslint::settings::Settings;
use kmslint::source::SourceFile;
use kmslint::tree::Span;
use kmslint::tree::escape::Decoded;
use proptest::prelude::*;

fn all_rules() -> Settings {
    let mut s = Settings::default();
    s.select(Some(&["ALL".to_string()]), &[], &[]).unwrap();
    s
}

fn check_spans(kind: InputKind, bytes: Vec<u8>) {
    let (source, report) = lint_bytes("input", kind, bytes, Reach::Named, &all_rules());
    let text = &source.text;
    let ok = |s: Span| {
        s.start <= s.end
            && (s.end as usize) <= text.len()
            && text.is_char_boundary(s.start as usize)
            && text.is_char_boundary(s.end as usize)
    };
    for d in &report.diagnostics {
        assert!(
            ok(d.span),
            "{} span {:?} outside or inside a character of {} bytes",
            d.rule.code(),
            d.span,
            text.len()
        );
        for l in &d.labels {
            assert!(
                ok(l.span),
                "{} label {:?} outside the text",
                d.rule.code(),
                l.span
            );
        }
        // Positions render for every span.
        let _ = source.line_col(d.span.end);
        let _ = source.line_col_utf16(d.span.end);
    }
}

const KINDS: [InputKind; 3] = [InputKind::Json, InputKind::Yaml, InputKind::Hcl];

/// Element names, operators, keys and values that reach deep into the rules.
fn words() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Version"),
        Just("Statement"),
        Just("Sid"),
        Just("Effect"),
        Just("Allow"),
        Just("Deny"),
        Just("Principal"),
        Just("NotPrincipal"),
        Just("AWS"),
        Just("Service"),
        Just("*"),
        Just("Action"),
        Just("NotAction"),
        Just("Resource"),
        Just("NotResource"),
        Just("Condition"),
        Just("kms:*"),
        Just("kms:Create*"),
        Just("kms:PutKeyPolicy"),
        Just("kms:CreateGrant"),
        Just("kms:Decrypt"),
        Just("kms:*a*b"),
        Just("s3:GetObject"),
        Just("StringEquals"),
        Just("Bool"),
        Just("BoolIfExists"),
        Just("ForAllValues:StringLike"),
        Just("Null"),
        Just("aws:PrincipalType"),
        Just("kms:GrantIsForAWSResource"),
        Just("kms:CallerAccount"),
        Just("kms:ViaService"),
        Just("aws:PrincipalOrgID"),
        Just("Account"),
        Just("true"),
        Just("arn:aws:iam::111122223333:root"),
        Just("111122223333"),
        Just("arn:aws:iam::111122223333:group/G"),
        Just("arn:aws:iam::444455556666:role/R"),
        Just("arn:aws:sts::111122223333:assumed-role/R/s"),
        Just("AIDAJQABLZS4A3QDU576Q"),
        Just("logs.amazonaws.com"),
        Just("2012-10-17"),
        Just("Resources"),
        Just("Type"),
        Just("AWS::KMS::Key"),
        Just("Properties"),
        Just("KeyPolicy"),
        Just("Fn::Sub"),
        Just("Ref"),
        Just("${AWS::AccountId}"),
        Just("Policy"),
        Just("é\u{a0}😀"),
    ]
    .prop_map(str::to_string)
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        words().prop_map(serde_json::Value::String),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i32>().prop_map(|n| serde_json::json!(n)),
        Just(serde_json::Value::Null),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::Array),
            prop::collection::vec((words(), inner), 0..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for kind in KINDS {
            check_spans(kind, bytes.clone());
        }
    }

    #[test]
    fn arbitrary_policy_shaped_json_never_panics(v in json_value(), pretty in any::<bool>()) {
        let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [v.clone()]});
        for doc in [v, policy] {
            let text = if pretty { serde_json::to_string_pretty(&doc) } else { serde_json::to_string(&doc) }.unwrap();
            check_spans(InputKind::Json, text.clone().into_bytes());
            // The same document as an escaped string, as `get-key-policy` prints it.
            let wrapped = serde_json::json!({"Policy": text}).to_string();
            check_spans(InputKind::Json, wrapped.into_bytes());
        }
    }

    #[test]
    fn escape_decoding_round_trips_and_maps_inside_the_literal(s in "\\PC{0,40}") {
        let literal = serde_json::to_string(&s).unwrap();
        let raw = &literal[1..literal.len() - 1];
        let decoded = Decoded::new(raw, 1).unwrap();
        prop_assert_eq!(&decoded.text, &s);
        let mut last = 0;
        for (i, _) in s.char_indices() {
            let m = decoded.map(Span::new(i as u32, i as u32 + 1));
            prop_assert!(m.start >= last && (m.end as usize) < literal.len());
            prop_assert!(literal.is_char_boundary(m.start as usize));
            last = m.start;
        }
    }
}

/// A policy value, written out in each input kind by the writers below.
#[derive(Debug, Clone)]
enum V {
    S(String),
    B(bool),
    A(Vec<V>),
    O(Vec<(String, V)>),
}

fn s(text: &str) -> V {
    V::S(text.to_string())
}

fn o(members: &[(&str, V)]) -> V {
    V::O(
        members
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

/// `name`, or a mistake KMS013 fixes (case, a letter more or less).
fn element(name: &'static str) -> impl Strategy<Value = String> {
    let lower = name.to_ascii_lowercase();
    let plural = format!("{name}s");
    let short = name[..name.len() - 1].to_string();
    prop_oneof![
        12 => Just(name.to_string()),
        1 => Just(lower),
        1 => Just(plural),
        1 => Just(short),
    ]
}

/// `text`, sometimes with a character KMS rejects (KMS029) somewhere in it.
fn with_invisible(text: &'static str) -> impl Strategy<Value = String> {
    let chars = text.chars().count();
    prop_oneof![
        5 => Just(text.to_string()),
        1 => (0..=chars, prop::sample::select(vec!['\u{a0}', '\u{200b}', '\u{feff}', '\u{2009}']))
            .prop_map(move |(at, c)| {
                let mut t: Vec<char> = text.chars().collect();
                t.insert(at, c);
                t.into_iter().collect()
            }),
    ]
}

fn effect() -> impl Strategy<Value = V> {
    prop::sample::select(vec!["Allow", "Allow", "Deny", "allow", "DENY", "Alow"]).prop_map(s)
}

fn principal() -> impl Strategy<Value = V> {
    let root = "arn:aws:iam::111122223333:root";
    let role = "arn:aws:iam::111122223333:role/App";
    prop_oneof![
        Just(o(&[("AWS", s(root))])),
        Just(o(&[("AWS", s("111122223333"))])),
        Just(o(&[("AWS", s(role))])),
        Just(o(&[("AWS", V::A(vec![s(root), s(role)]))])),
        Just(o(&[("AWS", s("arn:aws:iam::444455556666:role/R"))])),
        Just(o(&[("Service", s("logs.amazonaws.com"))])),
        Just(s("*")),
    ]
}

/// Actions, among them administrative wildcards (KMS003), `CreateGrant` (KMS005) and
/// mistyped actions (KMS018).
fn actions() -> impl Strategy<Value = V> {
    let one = prop_oneof![
        with_invisible("kms:Decrypt"),
        Just("kms:*".to_string()),
        Just("kms:Create*".to_string()),
        Just("kms:Put*".to_string()),
        Just("kms:CreateGrant".to_string()),
        Just("kms:PutKeyPolicy".to_string()),
        Just("kms:Encypt".to_string()),
        Just("kms:decrypt".to_string()),
        Just("Decrypt".to_string()),
        Just("kms:GenerateDataKey*".to_string()),
        Just("kms:ScheduleKeyDeletion".to_string()),
        Just("kms:DescribeKey".to_string()),
        Just("s3:GetObject".to_string()),
    ];
    prop_oneof![
        one.clone().prop_map(V::S),
        prop::collection::vec(one, 1..4).prop_map(|a| V::A(a.into_iter().map(V::S).collect())),
    ]
}

/// Conditions: the guards of KMS004 and KMS005, some written with the type mistakes KMS026
/// fixes.
fn condition() -> impl Strategy<Value = V> {
    let grant = "kms:GrantIsForAWSResource";
    let kind = "aws:PrincipalType";
    prop_oneof![
        Just(o(&[("Bool", o(&[(grant, s("true"))]))])),
        Just(o(&[("Bool", o(&[(grant, V::B(true))]))])),
        Just(o(&[("Bool", o(&[(grant, s("True"))]))])),
        Just(o(&[("StringEquals", o(&[(grant, s("true"))]))])),
        Just(o(&[("StringEqualsIgnoreCase", o(&[(grant, s("True"))]))])),
        Just(o(&[("StringEquals", o(&[(kind, s("Account"))]))])),
        Just(o(&[(
            "ForAnyValue:StringEquals",
            o(&[(kind, s("Account"))])
        )])),
        Just(o(&[(
            "StringEquals",
            o(&[
                ("kms:CallerAccount", s("111122223333")),
                ("kms:ViaService", s("ec2.us-east-1.amazonaws.com"))
            ])
        )])),
        Just(o(&[
            (
                "StringEquals",
                o(&[("kms:CallerAccount", s("111122223333"))])
            ),
            ("Bool", o(&[("aws:SecureTransport", s("true"))])),
        ])),
    ]
}

fn statement() -> impl Strategy<Value = V> {
    (
        prop::option::of((element("Sid"), with_invisible("App use"))),
        prop::option::of((element("Effect"), effect())),
        (element("Principal"), principal()),
        (element("Action"), actions()),
        prop::option::of((element("Resource"), Just(s("*")))),
        prop::option::of((element("Condition"), condition())),
        prop::option::of((words(), words())),
    )
        .prop_map(
            |(sid, effect, principal, action, resource, condition, extra)| {
                let mut members = Vec::new();
                members.extend(sid.map(|(k, v)| (k, V::S(v))));
                members.extend(effect);
                members.push(principal);
                members.push(action);
                members.extend(resource);
                members.extend(condition);
                // HCL takes no key twice.
                if let Some((k, v)) = extra
                    && !members.iter().any(|(m, _)| *m == k)
                {
                    members.push((k, V::S(v)));
                }
                V::O(members)
            },
        )
}

/// A key policy with the mistakes kmslint has fixes for: a missing or wrong `Version`,
/// misspelled elements, wrong-case effects, mistyped actions, invisible characters, root
/// statements without their guard, grants without theirs, administrative wildcards.
fn fixable_policy() -> impl Strategy<Value = V> {
    let version = prop::sample::select(vec![
        None,
        Some("2012-10-17"),
        Some("2008-10-17"),
        Some("2012-10-07"),
    ]);
    (
        prop::option::of((element("Version"), version)),
        any::<bool>(),
        prop::option::of(words()),
        element("Statement"),
        prop::collection::vec(statement(), 1..4),
    )
        .prop_map(|(version, version_last, id, statement_key, statements)| {
            let mut members = Vec::new();
            members.extend(id.map(|id| ("Id".to_string(), V::S(id))));
            members.push((statement_key, V::A(statements)));
            if let Some((key, Some(v))) = version {
                let at = if version_last { members.len() } else { 0 };
                members.insert(at, (key, s(v)));
            }
            V::O(members)
        })
}

impl V {
    fn is_scalar(&self) -> bool {
        matches!(self, V::S(_) | V::B(_))
    }

    /// JSON, compact or one member a line.
    fn json(&self, pretty: bool, indent: usize) -> String {
        let pad = |n: usize| " ".repeat(n);
        let (nl, inner) = if pretty {
            ("\n".to_string(), pad(indent + 2))
        } else {
            (String::new(), String::new())
        };
        match self {
            V::S(t) => serde_json::to_string(t).unwrap(),
            V::B(b) => b.to_string(),
            V::A(items) if !pretty || items.iter().all(V::is_scalar) => {
                let items: Vec<String> = items.iter().map(|i| i.json(pretty, indent)).collect();
                format!("[{}]", items.join(", "))
            }
            V::A(items) => {
                let items: Vec<String> = items
                    .iter()
                    .map(|i| format!("{inner}{}", i.json(pretty, indent + 2)))
                    .collect();
                format!("[{nl}{}{nl}{}]", items.join(&format!(",{nl}")), pad(indent))
            }
            V::O(members) if members.is_empty() => "{}".to_string(),
            V::O(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "{inner}{}: {}",
                            serde_json::to_string(k).unwrap(),
                            v.json(pretty, indent + 2)
                        )
                    })
                    .collect();
                let sep = if pretty {
                    format!(",{nl}")
                } else {
                    ", ".to_string()
                };
                let close = if pretty { pad(indent) } else { String::new() };
                format!("{{{nl}{}{nl}{close}}}", members.join(&sep))
            }
        }
    }

    /// A YAML scalar: plain where YAML reads it as the same string, else quoted with `q`.
    fn yaml_scalar(&self, q: char) -> String {
        match self {
            V::S(t) => {
                let plain = t.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                    && t.chars()
                        .all(|c| c.is_alphanumeric() || ":_./-*".contains(c) || !c.is_ascii())
                    && !t.contains('\u{feff}')
                    && !t.ends_with(':')
                    && !["true", "false", "yes", "no", "on", "off", "y", "n", "null"]
                        .contains(&t.to_ascii_lowercase().as_str());
                if plain {
                    t.clone()
                } else if q == '\'' && !t.chars().any(|c| c.is_control() || c == '\u{feff}') {
                    format!("'{}'", t.replace('\'', "''"))
                } else {
                    // YAML takes no byte-order mark inside a document, even quoted.
                    serde_json::to_string(t)
                        .unwrap()
                        .replace('\u{feff}', "\\uFEFF")
                }
            }
            V::B(b) => b.to_string(),
            other => other.yaml_flow(q),
        }
    }

    /// YAML flow style (`{Effect: Allow, Action: [kms:Decrypt]}`).
    fn yaml_flow(&self, q: char) -> String {
        match self {
            V::A(items) => {
                let items: Vec<String> = items.iter().map(|i| i.yaml_flow(q)).collect();
                format!("[{}]", items.join(", "))
            }
            V::O(members) => {
                let members: Vec<String> = members
                    .iter()
                    .map(|(k, v)| format!("{}: {}", V::S(k.clone()).yaml_scalar(q), v.yaml_flow(q)))
                    .collect();
                format!("{{{}}}", members.join(", "))
            }
            scalar => scalar.yaml_scalar(q),
        }
    }

    /// A YAML block mapping at `indent`, one line a member.
    fn yaml_block(&self, indent: usize, q: char, out: &mut String) {
        let V::O(members) = self else {
            return;
        };
        for (k, v) in members {
            out.push_str(&format!(
                "{}{}:",
                " ".repeat(indent),
                V::S(k.clone()).yaml_scalar(q)
            ));
            match v {
                V::O(m) if !m.is_empty() => {
                    out.push('\n');
                    v.yaml_block(indent + 2, q, out);
                }
                V::A(items) if !items.is_empty() => {
                    out.push('\n');
                    for item in items {
                        if let V::O(m) = item
                            && !m.is_empty()
                        {
                            // `- Key: value`, the other members under the first.
                            let mut block = String::new();
                            item.yaml_block(indent + 4, q, &mut block);
                            out.push_str(&format!(
                                "{}- {}",
                                " ".repeat(indent + 2),
                                &block[indent + 4..]
                            ));
                        } else {
                            out.push_str(&format!(
                                "{}- {}\n",
                                " ".repeat(indent + 2),
                                item.yaml_flow(q)
                            ));
                        }
                    }
                }
                _ => out.push_str(&format!(" {}\n", v.yaml_flow(q))),
            }
        }
    }

    /// Terraform object syntax, as in `jsonencode({...})`.
    fn hcl(&self, indent: usize) -> String {
        let pad = " ".repeat(indent + 2);
        match self {
            V::S(t) => hcl_string(t),
            V::B(b) => b.to_string(),
            V::A(items) if items.iter().all(V::is_scalar) => {
                let items: Vec<String> = items.iter().map(|i| i.hcl(indent)).collect();
                format!("[{}]", items.join(", "))
            }
            V::A(items) => {
                let items: String = items
                    .iter()
                    .map(|i| format!("{pad}{},\n", i.hcl(indent + 2)))
                    .collect();
                format!("[\n{items}{}]", " ".repeat(indent))
            }
            V::O(members) if members.is_empty() => "{}".to_string(),
            V::O(members) => {
                let members: String = members
                    .iter()
                    .map(|(k, v)| {
                        let ident = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                            && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                        let key = if ident { k.clone() } else { hcl_string(k) };
                        format!("{pad}{key} = {}\n", v.hcl(indent + 2))
                    })
                    .collect();
                format!("{{\n{members}{}}}", " ".repeat(indent))
            }
        }
    }
}

/// A string as HCL writes it: JSON escapes, and no template sequences.
fn hcl_string(t: &str) -> String {
    serde_json::to_string(t)
        .unwrap()
        .replace("${", "$${")
        .replace("%{", "%%{")
}

/// An HCL list of a value or the values of a list.
fn hcl_list(v: &V) -> String {
    match v {
        V::A(items) => V::A(items.clone()).hcl(0),
        scalar => V::A(vec![scalar.clone()]).hcl(0),
    }
}

/// `name { key = value ... }` at the indentation of a statement's members.
fn hcl_block(name: &str, attributes: &[(&str, String)]) -> String {
    let lines: String = attributes
        .iter()
        .map(|(k, v)| format!("      {k:<11} = {v}\n"))
        .collect();
    format!("    {name} {{\n{lines}    }}\n")
}

/// The element a name is meant as: a policy document has attributes and blocks where a policy
/// has elements, and cannot misspell them.
fn meant(name: &str) -> &str {
    let lower = name.to_ascii_lowercase();
    [
        "Version",
        "Id",
        "Statement",
        "Sid",
        "Effect",
        "Principal",
        "Action",
        "Resource",
        "Condition",
    ]
    .into_iter()
    .find(|e| {
        let e_lower = e.to_ascii_lowercase();
        lower.len() >= 2 && (e_lower.starts_with(&lower) || lower.starts_with(&e_lower))
    })
    .unwrap_or(name)
}

/// A statement as a `statement` block, when its parts have block syntax (other elements left
/// out).
fn document_statement(statement: &V) -> Option<String> {
    let V::O(members) = statement else {
        return None;
    };
    let mut out = String::from("\n  statement {\n");
    let mut seen = Vec::new();
    for (k, v) in members {
        // Each element once: a misspelling and the right name are the same attribute.
        let element = meant(k);
        if seen.contains(&element) {
            continue;
        }
        seen.push(element);
        match (element, v) {
            ("Sid", V::S(_)) => out.push_str(&format!("    sid = {}\n", v.hcl(4))),
            ("Effect", V::S(_)) => out.push_str(&format!("    effect = {}\n", v.hcl(4))),
            ("Action", _) => out.push_str(&format!("    actions = {}\n", hcl_list(v))),
            ("Resource", _) => out.push_str(&format!("    resources = {}\n", hcl_list(v))),
            ("Principal", V::S(star)) if star == "*" => {
                let star = hcl_string("*");
                let block = [("type", star.clone()), ("identifiers", format!("[{star}]"))];
                out.push_str(&hcl_block("principals", &block));
            }
            ("Principal", V::O(types)) => {
                for (ty, ids) in types {
                    let block = [("type", hcl_string(ty)), ("identifiers", hcl_list(ids))];
                    out.push_str(&hcl_block("principals", &block));
                }
            }
            ("Condition", V::O(operators)) => {
                for (op, keys) in operators {
                    let V::O(keys) = keys else {
                        return None;
                    };
                    for (key, values) in keys {
                        let block = [
                            ("test", hcl_string(op)),
                            ("variable", hcl_string(key)),
                            ("values", hcl_list(values)),
                        ];
                        out.push_str(&hcl_block("condition", &block));
                    }
                }
            }
            _ => {}
        }
    }
    out.push_str("  }\n");
    Some(out)
}

/// The policy as an `aws_iam_policy_document` that a key uses, when its parts have block
/// syntax there.
fn policy_document(policy: &V) -> Option<String> {
    let V::O(members) = policy else {
        return None;
    };
    let mut out = String::from("data \"aws_iam_policy_document\" \"key\" {\n");
    let mut seen = Vec::new();
    for (k, v) in members {
        let element = meant(k);
        if seen.contains(&element) {
            continue;
        }
        seen.push(element);
        match (element, v) {
            ("Version", V::S(_)) => out.push_str(&format!("  version = {}\n", v.hcl(2))),
            ("Id", V::S(_)) => out.push_str(&format!("  policy_id = {}\n", v.hcl(2))),
            ("Statement", V::A(statements)) => {
                for st in statements {
                    out.push_str(&document_statement(st)?);
                }
            }
            _ => return None,
        }
    }
    out.push_str("}\n\nresource \"aws_kms_key\" \"key\" {\n");
    out.push_str("  policy = data.aws_iam_policy_document.key.json\n}\n");
    Some(out)
}

/// The policy in every input kind that can hold it: (kind, file text).
fn every_kind(policy: &V) -> Vec<(InputKind, String)> {
    let pretty = policy.json(true, 0);
    let cfn = |key_policy: String| {
        let head = "AWSTemplateFormatVersion: \"2010-09-09\"\nResources:\n  Key:\n";
        format!("{head}    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:{key_policy}")
    };
    let block = |q: char| {
        let mut block = String::from("\n");
        policy.yaml_block(8, q, &mut block);
        block
    };
    let heredoc: String = pretty
        .replace("${", "$${")
        .replace("%{", "%%{")
        .lines()
        .map(|l| format!("    {l}\n"))
        .collect();
    let template = o(&[(
        "Resources",
        o(&[(
            "Key",
            o(&[
                ("Type", s("AWS::KMS::Key")),
                ("Properties", o(&[("KeyPolicy", policy.clone())])),
            ]),
        )]),
    )]);
    let mut kinds = vec![
        (InputKind::Json, pretty.clone()),
        (InputKind::Json, policy.json(false, 0)),
        (
            InputKind::Json,
            serde_json::json!({ "Policy": pretty }).to_string(),
        ),
        (InputKind::Json, template.json(true, 0)),
        (InputKind::Yaml, cfn(block('"'))),
        (InputKind::Yaml, cfn(block('\''))),
        (
            InputKind::Yaml,
            cfn(format!(" {}\n", policy.yaml_flow('"'))),
        ),
        (
            InputKind::Yaml,
            cfn(format!(" {}\n", policy.yaml_flow('\''))),
        ),
        (
            InputKind::Hcl,
            format!(
                "resource \"aws_kms_key\" \"key\" {{\n  policy = jsonencode({})\n}}\n",
                policy.hcl(2)
            ),
        ),
        (
            InputKind::Hcl,
            format!("resource \"aws_kms_key\" \"key\" {{\n  policy = <<-EOT\n{heredoc}  EOT\n}}\n"),
        ),
    ];
    kinds.extend(policy_document(policy).map(|text| (InputKind::Hcl, text)));
    kinds
}

/// A finding as the fixer compares them: rule, policy and message.
type Finding = (String, Option<String>, String);

fn finding(d: &kmslint::diagnostic::Diagnostic) -> Finding {
    (
        d.rule.code().to_string(),
        d.policy.clone(),
        d.message.clone(),
    )
}

/// Apply every fix (unsafe ones too) and lint the result again from scratch: it parses as
/// well as before, holds as many key policies, and has no finding the original did not have.
fn check_fixes(kind: InputKind, text: &str) -> Result<(), TestCaseError> {
    let settings = all_rules();
    let (source, report) = lint_bytes(
        "input",
        kind,
        text.as_bytes().to_vec(),
        Reach::Named,
        &settings,
    );
    let relint = |s: &SourceFile| lint_source(s, kind, Reach::Named, &settings);
    let before: Vec<_> = report.diagnostics.iter().map(finding).collect();
    let (policies, not_analysed) = (report.policies, report.not_analysed.len());
    // The writers write text that parses: else nothing is proven. (A plain JSON document
    // whose actions are not about KMS is not a key policy.)
    prop_assert!(
        !before.iter().any(|d| d.0 == "KMS010"),
        "the text does not parse: {:?}\n{}",
        before,
        text
    );
    if policies == 0 {
        return Ok(());
    }
    // Each fix alone: the text still parses, and its finding is gone.
    for d in &report.diagnostics {
        let Some(fix) = &d.fix else { continue };
        let edits: Vec<&Edit> = fix.edits.iter().collect();
        let Some(alone) = apply(&source.text, &edits) else {
            return Err(TestCaseError::fail(format!(
                "{:?} does not fit the text:\n{text}",
                fix
            )));
        };
        let report = relint(&SourceFile::new("input", None, alone.clone()));
        let after: Vec<_> = report.diagnostics.iter().map(finding).collect();
        let this = finding(d);
        let count = |r: &[Finding]| r.iter().filter(|f| **f == this).count();
        prop_assert!(
            !after.iter().any(|f| f.0 == "KMS010") && count(&after) < count(&before),
            "`{}` ({}) alone:\n{}\n---\n{}\n{:?}",
            fix.title,
            this.0,
            text,
            alone,
            after
        );
    }
    let fixed = fix_file(source, report, true, &relint);
    let after = relint(&fixed.source);
    let fixed_text = &fixed.source.text;
    let after_findings: Vec<_> = after.diagnostics.iter().map(finding).collect();
    prop_assert!(
        !after_findings.iter().any(|d| d.0 == "KMS010"),
        "the fixed text does not parse:\n{text}\n---\n{fixed_text}"
    );
    prop_assert_eq!(
        after.policies,
        policies,
        "policies lost:\n{}\n---\n{}",
        text,
        fixed_text
    );
    prop_assert!(after.not_analysed.len() <= not_analysed);
    let mut left = before.clone();
    for f in &after_findings {
        let Some(i) = left.iter().position(|b| b == f) else {
            return Err(TestCaseError::fail(format!(
                "new finding {f:?}:\n{text}\n---\n{fixed_text}"
            )));
        };
        left.swap_remove(i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn fixes_keep_every_input_kind_parsing_and_add_no_finding(policy in fixable_policy()) {
        for (kind, text) in every_kind(&policy) {
            check_fixes(kind, &text)?;
        }
    }
}
