#![allow(clippy::unwrap_used)]
//! The formats CI systems read (`sarif`, `github`, `gitlab`), `--statistics` and `--output`,
//! pinned with snapshots.
//!
//! `check` runs with `--isolated` (or an explicit `--config`): a stray `kmslint.toml` above
//! the checkout or the temporary folders must not change what is reported.

use std::path::Path;

use assert_cmd::Command;

fn kmslint_in(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

/// Run kmslint in `dir`; `check` gets `--isolated` unless it names a `--config`.
fn run_in(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let mut cmd = kmslint_in(dir);
    match args {
        ["check", rest @ ..] if !rest.contains(&"--config") => {
            cmd.args(["check", "--isolated"]).args(rest)
        }
        _ => cmd.args(args),
    };
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

#[test]
fn github_annotations() {
    let (code, out, err) = run(&[
        "check",
        "examples",
        "tests/fixtures/inputs/plan.json",
        "--format",
        "github",
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("github_examples", out);
}

#[test]
fn github_escapes_properties_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a,b:100%.json"),
        "{\"Version\": \"2012-10-17\",\n \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:group/G\"},\n  \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}",
    )
    .unwrap();
    let (code, out, _) = run_in(
        dir.path(),
        &[
            "check",
            "a,b:100%.json",
            "--format",
            "github",
            "--select",
            "KMS002,KMS014",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "::error file=a%2Cb%3A100%25.json,line=2,col=57,endLine=2,endColumn=92,title=KMS002 group-principal::IAM group `G` cannot be a principal in a key policy: AWS rejects the policy%0Ahelp: use a role the group's users can assume, or grant the group access in an IAM policy (which needs the root statement)\n"
    );
}

#[test]
fn github_leaves_out_columns_of_multi_line_spans() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kmslint.toml"),
        "[[custom-rule]]\ncode = \"ORG002\"\nname = \"no-conditions\"\nseverity = \"info\"\nmessage = \"conditions are reviewed by hand\"\nselect = \"$.Statement[*].Condition\"\nabsent = true\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\",\n  \"Action\": \"kms:Decrypt\", \"Resource\": \"*\", \"Condition\": {\n    \"StringEquals\": {\"aws:PrincipalOrgID\": \"o-a1b2c3d4e5\"}}}]}",
    )
    .unwrap();
    // Named with `--config`: the custom rule comes from this file, and no other is looked for.
    let (code, out, err) = run_in(
        dir.path(),
        &[
            "check",
            "p.json",
            "--config",
            "kmslint.toml",
            "--format",
            "github",
            "--select",
            "ORG002",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "::notice file=p.json,line=2,endLine=3,title=ORG002 no-conditions::conditions are reviewed by hand\n"
    );
}

#[test]
fn gitlab_code_quality_report() {
    let (code, out, err) = run(&[
        "check",
        "examples",
        "tests/fixtures/inputs/cfn-stack.yaml",
        "--format",
        "gitlab",
    ]);
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let issues = v.as_array().unwrap();
    for issue in issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(issue[key].is_string(), "{key} in {issue}");
        }
        assert!(issue["location"]["path"].is_string());
        assert!(issue["location"]["lines"]["begin"].is_u64());
    }
    let mut fingerprints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    fingerprints.sort();
    fingerprints.dedup();
    assert_eq!(fingerprints.len(), issues.len(), "fingerprints repeat");
    insta::assert_snapshot!("gitlab_examples", out);
}

#[test]
fn gitlab_and_sarif_with_no_findings_are_valid() {
    let f = "examples/least-privilege.json";
    let (code, out, _) = run(&["check", f, "--format", "gitlab"]);
    assert_eq!((code, out.as_str()), (0, "[\n]\n"));
    let (code, out, _) = run(&["check", f, "--format", "sarif"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
    let (code, out, _) = run(&["check", f, "--format", "github"]);
    assert_eq!((code, out.as_str()), (0, ""));
}

/// The SARIF log with the rules' long documentation cut short: results in full, one rule
/// descriptor in full, the other rules by id.
fn sarif_digest(out: &str) -> String {
    let mut v: serde_json::Value = serde_json::from_str(out).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].take();
    let rules = rules.as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut kms003 = rules.iter().find(|r| r["id"] == "KMS003").unwrap().clone();
    let markdown = kms003["help"]["markdown"].as_str().unwrap();
    assert_eq!(
        markdown,
        kmslint::registry::find("KMS003").unwrap().doc,
        "help.markdown is the rule's documentation"
    );
    kms003["help"]["markdown"] = serde_json::json!("(rules/admin-can-self-grant.md)");
    v["runs"][0]["tool"]["driver"]["rules"] = serde_json::json!({"ids": ids, "KMS003": kms003});
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn sarif_log() {
    let (code, out, err) = run(&[
        "check",
        "examples/console-default.json",
        "tests/fixtures/inputs/plan.json",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("sarif_examples", sarif_digest(&out));
}

#[test]
fn sarif_columns_are_utf16_code_units() {
    let dir = tempfile::tempdir().unwrap();
    // `𝒦` is one character, two UTF-16 code units, four bytes.
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "𝒦", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/G"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    )
    .unwrap();
    let (_, out, _) = run_in(
        dir.path(),
        &["check", "p.json", "--format", "sarif", "--select", "KMS002"],
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["runs"][0]["columnKind"], "utf16CodeUnits");
    let region = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        region,
        &serde_json::json!({"startLine": 1, "startColumn": 95, "endLine": 1, "endColumn": 130})
    );
    let (_, compact, _) = run_in(
        dir.path(),
        &[
            "check", "p.json", "--format", "compact", "--select", "KMS002",
        ],
    );
    assert!(compact.starts_with("p.json:1:94: "), "{compact}");
}

#[test]
fn fingerprints_survive_added_lines() {
    let dir = tempfile::tempdir().unwrap();
    let policy = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/console-default.json"),
    )
    .unwrap();
    let fingerprints = |text: &str| {
        std::fs::write(dir.path().join("p.json"), text).unwrap();
        let (_, out, _) = run_in(dir.path(), &["check", "p.json", "--format", "sarif"]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["kmslint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints(&policy);
    let after = fingerprints(&policy.replacen('{', "{\n\n\n", 1));
    assert_eq!(before.len(), 4);
    for ((f1, l1), (f2, l2)) in before.iter().zip(&after) {
        assert_eq!(f1, f2);
        assert_eq!(l1 + 3, *l2);
    }
}

#[test]
fn statistics_count_findings_per_rule() {
    let (code, out, _) = run(&["check", "examples", "tests/fixtures/inputs", "--statistics"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("statistics", out);
    let (_, json, _) = run(&[
        "check",
        "examples",
        "tests/fixtures/inputs",
        "--statistics",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let rows = v.as_array().unwrap();
    let text_rows: Vec<String> = out
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect();
    let json_rows: Vec<String> = rows
        .iter()
        .map(|r| {
            format!(
                "{} {} {}",
                r["count"],
                r["code"].as_str().unwrap(),
                r["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(text_rows, json_rows);
    let (code, _, err) = run(&["check", "examples", "--statistics", "--format", "sarif"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: `--statistics` prints a table (or JSON with `--format json`), not `--format sarif`\n"
    );
}

#[test]
fn output_writes_the_report_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("kmslint.sarif");
    std::fs::write(&report, "previous").unwrap();
    let (code, out, err) = run(&[
        "check",
        "examples",
        "--format",
        "sarif",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    let (_, stdout_report, _) = run(&["check", "examples", "--format", "sarif"]);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), stdout_report);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "a temporary file was left behind"
    );
}

#[test]
fn output_is_not_written_when_the_run_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let (code, _, err) = run(&[
        "check",
        "examples",
        "--select",
        "KMS9",
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(!report.exists());
    // A folder that cannot be created (a file stands in its way).
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "").unwrap();
    let report = file.join("r.json");
    let (code, _, err) = run(&["check", "examples", "--output", report.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "error: cannot create the folder `{}` for `--output {}`: ",
            file.display(),
            report.display()
        )),
        "{err}"
    );
}
