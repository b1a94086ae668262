#![allow(clippy::unwrap_used)]
//! `--format sarif` is valid against the official SARIF 2.1.0 JSON schema.
//!
//! The schema is kept in the repository, unmodified, as `tests/data/sarif/sarif-schema-2.1.0.json`
//! (origin and licence in `tests/data/sarif/README.md`), so the tests need no download.

use std::path::Path;

use serde_json::Value;

/// The schema, with its one malformed pattern patched.
fn schema() -> Value {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json");
    let mut schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    patch_patterns(&mut schema);
    schema
}

/// The schema's language-tag pattern has a stray `]`, which ECMAScript reads as a literal
/// character and Rust's regex engines refuse: escape it, keeping its meaning.
fn patch_patterns(v: &mut Value) {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "pattern" && child.as_str() == Some(BROKEN) {
                    *child = Value::String(BROKEN.replace("}]?", "}\\]?"));
                } else {
                    patch_patterns(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(patch_patterns),
        _ => {}
    }
}

fn validator() -> jsonschema::Validator {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema())
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, sarif: &Value) -> Vec<String> {
    validator
        .iter_errors(sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sarif_of(dir: &Path, args: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .arg("check")
        .args(args)
        .args(["--format", "sarif"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.code().unwrap() < 2,
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_multi_file_run_is_valid_sarif() {
    let v = validator();
    let sarif = sarif_of(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["--isolated", "examples", "tests/fixtures/inputs"],
    );
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let files: std::collections::BTreeSet<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(files.len() >= 5, "{files:?}");
    assert!(results.iter().any(|r| r.get("relatedLocations").is_some()));
    assert!(
        results
            .iter()
            .any(|r| r["locations"][0].get("logicalLocations").is_some())
    );
    assert_eq!(errors(&v, &sarif), Vec::<String>::new());
}

#[test]
fn custom_rules_and_stale_suppressions_are_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/console-default.json"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("keys dir")).unwrap();
    std::fs::write(dir.path().join("keys dir/app é.json"), policy).unwrap();
    std::fs::write(
        dir.path().join("kmslint.toml"),
        r#"
[[suppress]]
rule = "KMS005"
path = "keys/gone.json"
reason = "the key was retired"

[[custom-rule]]
code = "ORG001"
name = "principal-outside-organisation"
severity = "error"
message = "`{value}` is not an account of the organisation"
help = "use a role of one of the organisation's accounts"
select = "$.Statement[*].Principal.AWS"
require = '^arn:aws:iam::444455556666:'
"#,
    )
    .unwrap();
    let sarif = sarif_of(dir.path(), &["."]);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let custom = rules.iter().find(|r| r["id"] == "ORG001").unwrap();
    assert_eq!(custom["name"], "principal-outside-organisation");
    assert_eq!(custom["defaultConfiguration"]["level"], "error");
    let ids: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"ORG001") && ids.contains(&"KMS100"),
        "{ids:?}"
    );
    let uris: Vec<&str> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(uris.contains(&"keys%20dir/app%20%C3%A9.json"), "{uris:?}");
    assert!(uris.contains(&"kmslint.toml"), "{uris:?}");
    assert_eq!(errors(&validator(), &sarif), Vec::<String>::new());
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let v = validator();
    let mut sarif = sarif_of(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["--isolated", "examples/console-default.json"],
    );
    sarif["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let found = errors(&v, &sarif);
    assert_eq!(found.len(), 2, "{found:?}");
}

#[test]
fn the_schema_is_the_unmodified_official_file() {
    use sha2::Digest;
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif/sarif-schema-2.1.0.json");
    let bytes = std::fs::read(path).unwrap();
    let digest: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    // The checksum tests/data/sarif/README.md records.
    assert_eq!(
        digest,
        "af47e7b67f24efe74076621fd3a5fbe7398add9e84fe820c971219a385895cea"
    );
    let schema = schema();
    assert_eq!(
        schema["$id"],
        "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    );
}

#[test]
fn keys_not_analysed_are_valid_sarif_notifications() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"aws_kms_key\" \"k\" {\n  policy = var.policy\n}\n",
    )
    .unwrap();
    let sarif = sarif_of(dir.path(), &["--isolated", "."]);
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes.as_array().unwrap().len(), 1, "{sarif}");
    assert_eq!(errors(&validator(), &sarif), Vec::<String>::new());
}

#[test]
fn files_that_could_not_be_read_are_valid_sarif_notifications() {
    use kmslint::render::{Format, IoError, Note, Renderer, Summary};
    let renderer = Renderer {
        format: Format::Sarif,
        color: false,
    };
    let summary = Summary {
        io_errors: vec![IoError {
            path: "keys dir/k\u{e9}y#1.json".to_string(),
            message: "Permission denied (os error 13)".to_string(),
        }],
        notes: vec![Note {
            path: "infra/main.tf".to_string(),
            policy: "aws_kms_key.logs".to_string(),
            reason: "policy comes from `var.logs_policy`, a variable".to_string(),
            line: 3,
            column: 12,
            end_line: 3,
            end_column: 28,
        }],
        ..Summary::default()
    };
    let text = renderer.begin(
        &kmslint::registry::Registry::default()
            .rules()
            .collect::<Vec<_>>(),
    ) + &renderer.end(&summary, 0);
    let sarif: Value = serde_json::from_str(&text).unwrap();
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 2, "{sarif}");
    assert_eq!(notes[0]["level"], "error");
    assert_eq!(
        notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "keys%20dir/k%C3%A9y%231.json"
    );
    assert_eq!(errors(&validator(), &sarif), Vec::<String>::new());
}

/// The `fixes` of results are valid SARIF: safe and unsafe fixes, insertions and replacements,
/// in a plain policy and in `get-key-policy` output (edits inside the escaped string), with
/// columns counted in UTF-16 code units like the results' regions.
#[test]
fn fixes_are_valid_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let policy = r#"{
  "Statement": [
    {
      "Sid": "Rööt 🔑", "Effect": "allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": "kms:*",
      "Resource": "*"
    }
  ]
}
"#;
    std::fs::write(dir.path().join("k.json"), policy).unwrap();
    let embedded = serde_json::json!({"Policy": policy, "PolicyName": "default"});
    std::fs::write(
        dir.path().join("get-key-policy.json"),
        serde_json::to_string_pretty(&embedded).unwrap(),
    )
    .unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/console-default.json"),
        dir.path().join("console.json"),
    )
    .unwrap();
    let sarif = sarif_of(dir.path(), &["--isolated", "."]);
    assert_eq!(errors(&validator(), &sarif), Vec::<String>::new());
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let with_fixes: Vec<&Value> = results
        .iter()
        .filter(|r| r.get("fixes").is_some())
        .collect();
    let applicability = |r: &Value| {
        r["fixes"][0]["properties"]["applicability"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(with_fixes.iter().any(|r| applicability(r) == "safe"));
    assert!(with_fixes.iter().any(|r| applicability(r) == "unsafe"));
    for r in &with_fixes {
        let fixes = r["fixes"].as_array().unwrap();
        assert_eq!(fixes.len(), 1);
        let change = &fixes[0]["artifactChanges"][0];
        assert_eq!(
            change["artifactLocation"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]
        );
        assert!(!change["replacements"].as_array().unwrap().is_empty());
        let description = fixes[0]["description"]["text"].as_str().unwrap();
        assert_eq!(
            description.contains("(unsafe:"),
            applicability(r) == "unsafe",
            "{description}"
        );
    }
    // Results without a fix have no `fixes`.
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "KMS001" && r.get("fixes").is_none())
    );
    // `Effect` is replaced where it is, counted in UTF-16 code units ("🔑" is two).
    let effect = with_fixes
        .iter()
        .find(|r| {
            r["ruleId"] == "KMS016"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k.json"
        })
        .unwrap();
    let replacement = &effect["fixes"][0]["artifactChanges"][0]["replacements"][0];
    let line = policy.lines().nth(3).unwrap();
    let column = line[..line.find("allow").unwrap()].encode_utf16().count() + 1;
    assert_eq!(
        replacement["deletedRegion"],
        serde_json::json!({
            "startLine": 4, "startColumn": column, "endLine": 4, "endColumn": column + 5
        })
    );
    assert_eq!(replacement["insertedContent"]["text"], "Allow");
    // In `get-key-policy` output, the inserted text is written as the escaped string holds it.
    let version = with_fixes
        .iter()
        .find(|r| {
            r["ruleId"] == "KMS012"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "get-key-policy.json"
        })
        .unwrap();
    let inserted = version["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]
        ["text"]
        .as_str()
        .unwrap();
    assert!(
        inserted.contains(r#"\"Version\": \"2012-10-17\""#),
        "{inserted}"
    );
}
