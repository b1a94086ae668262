#![allow(clippy::unwrap_used)]
//! Properties over arbitrary input: no input panics the parsers, the extractors or any rule,
//! and every reported span lies inside the file, on character boundaries.

use kmslint::engine::{Reach, lint_bytes};
use kmslint::extract::InputKind;
use kmslint::settings::Settings;
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
