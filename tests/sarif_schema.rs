#![allow(clippy::unwrap_used)]
//! `--format sarif` is valid against the official SARIF 2.1.0 JSON schema.
//!
//! The schema comes from the sources of the serde-sarif crate, which
//! `cargo fetch --manifest-path tests/sarif-schema/Cargo.toml` puts in cargo's registry (CI's
//! `.ci/run` does it); nothing is downloaded while the tests run.

use std::path::{Path, PathBuf};

use serde_json::Value;

const SCHEMA_CRATE: &str = "serde-sarif-0.8.0";

fn cargo_home() -> PathBuf {
    std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .unwrap()
}

/// The schema file in cargo's registry, or a failure that says how to get it.
fn schema() -> Value {
    let registry = cargo_home().join("registry").join("src");
    let found = std::fs::read_dir(&registry).ok().and_then(|dirs| {
        dirs.filter_map(Result::ok)
            .map(|d| d.path().join(SCHEMA_CRATE).join("src").join("schema.json"))
            .find(|p| p.is_file())
    });
    let Some(path) = found else {
        panic!(
            "the SARIF 2.1.0 schema ({SCHEMA_CRATE}/src/schema.json) is not in {}: run \
             `cargo fetch --manifest-path tests/sarif-schema/Cargo.toml` once (CI's .ci/run does)",
            registry.display()
        );
    };
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
        &["examples", "tests/fixtures/inputs"],
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
        &["examples/console-default.json"],
    );
    sarif["runs"][0]["results"][0]["level"] = Value::String("fatal".into());
    sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    let found = errors(&v, &sarif);
    assert_eq!(found.len(), 2, "{found:?}");
}
