#![allow(clippy::unwrap_used)]
//! `kmslint explain` over infrastructure as code: what a CloudFormation template or a
//! Terraform module declares (keys, IAM users, roles and groups, their policies and groups,
//! grants) is one inventory, and a principal a key policy names by reference (`!GetAtt
//! Bob.Arn`, `aws_iam_user.bob.arn`) is the identity the source declares. The seed example's
//! verdicts themselves are checked in `tests/explain.rs`.

use std::path::Path;

use assert_cmd::Command;

/// `kmslint explain --isolated . --format json` with `args` in `dir`: the status, stderr and
/// the records, (principal, key, operation) -> (verdict, reasons).
fn explain(dir: &Path, args: &[&str]) -> (i32, String, Records) {
    let out = Command::cargo_bin("kmslint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["explain", "--isolated", ".", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let records = parse_records(&stdout);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stderr).unwrap(),
        records,
    )
}

fn seed(dir: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/explain")
        .join(dir)
}

/// The principals of a key's records.
fn principals<'r>(records: &'r Records, key: &str) -> Vec<&'r str> {
    let mut out: Vec<&str> = records
        .keys()
        .filter(|(_, k, _)| k == key)
        .map(|(p, _, _)| p.as_str())
        .collect();
    out.dedup();
    out
}

/// The verdict and reasons of one question.
fn answer<'r>(records: &'r Records, who: &str, key: &str, op: &str) -> &'r (String, Vec<String>) {
    records
        .iter()
        .find(|((p, k, o), _)| p.ends_with(who) && k == key && o == op)
        .map(|(_, a)| a)
        .unwrap_or_else(|| panic!("no answer for {who} {key} {op}"))
}

#[test]
fn a_user_a_key_policy_names_by_reference_is_the_declared_user() {
    for (dir, keys) in [
        (
            "seed-cfn",
            ["Resources.CmkA", "Resources.CmkB", "Resources.CmkC"],
        ),
        (
            "seed-tf",
            [
                "aws_kms_key.cmk_a",
                "aws_kms_key.cmk_b",
                "aws_kms_key.cmk_c",
            ],
        ),
    ] {
        let (status, err, records) = explain(&seed(dir), &[]);
        assert_eq!((status, err.as_str()), (0, ""), "{dir}");
        for key in keys {
            let users: Vec<&str> = principals(&records, key)
                .into_iter()
                .filter(|p| !p.ends_with(":root") && !p.contains(":group/"))
                .collect();
            // `!GetAtt Bob.Arn`, `${aws_iam_user.alice.arn}` and the `Fn::Sub` ARN of
            // Charlie are the users the source declares: one row each.
            assert_eq!(
                users,
                ["Alice", "Bob", "Charlie", "David"]
                    .map(|u| format!("arn:aws:iam::(current account):user/{u}")),
                "{dir} {key}"
            );
        }
        // David's permissions for CMK-B come from his group's policy.
        let (verdict, reasons) = answer(&records, ":user/David", keys[1], "kms:Decrypt");
        assert_eq!(verdict, "no");
        assert_eq!(
            reasons,
            &["IAM not enabled in the key policy (policy `cmk-b-use` would allow it)"]
        );
    }
}

#[test]
fn one_question_names_iac_keys_and_users_by_name() {
    for (dir, key) in [
        ("seed-cfn", "Resources.CmkA"),
        ("seed-tf", "aws_kms_key.cmk_a"),
    ] {
        let out = Command::cargo_bin("kmslint")
            .unwrap()
            .current_dir(seed(dir))
            .env("NO_COLOR", "1")
            .args(["explain", "--isolated", ".", "--principal", "Charlie"])
            .args(["--key", key, "--action", "kms:Decrypt"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{dir}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            format!(
                "can user/Charlie call kms:Decrypt on {key}? no: the key policy enables IAM (`Enable IAM User Permissions`), but policy `charlie-encrypt-cmk-a` allows only `kms:Encrypt`\n"
            ),
            "{dir}"
        );
    }
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

#[test]
fn identities_of_one_template_meet_the_keys_of_another() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            (
                "keys.yaml",
                r#"Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Statement:
          - Sid: Root
            Effect: Allow
            Principal: {AWS: !Sub "arn:aws:iam::${AWS::AccountId}:root"}
            Action: kms:*
            Resource: "*"
"#,
            ),
            (
                "iam.json",
                r#"{
  "Resources": {
    "Reader": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "RoleName": "reader",
        "AssumeRolePolicyDocument": {},
        "Policies": [{
          "PolicyName": "decrypt-imported-key",
          "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::ImportValue": "KeyArn"}}]}
        }],
        "ManagedPolicyArns": []
      }
    },
    "Auditor": {
      "Type": "AWS::IAM::Role",
      "Properties": {
        "RoleName": "auditor",
        "AssumeRolePolicyDocument": {},
        "ManagedPolicyArns": ["arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser"]
      }
    }
  }
}
"#,
            ),
        ],
    );
    let (status, err, records) = explain(dir.path(), &[]);
    assert_eq!((status, err.as_str()), (0, ""));
    // Which key the imported ARN is, kmslint cannot know: the answer is not a guess.
    let (verdict, reasons) = answer(&records, ":role/reader", "Resources.Key", "kms:Decrypt");
    assert_eq!(verdict, "conditional", "{reasons:?}");
    let (verdict, _) = answer(&records, ":role/reader", "Resources.Key", "kms:Encrypt");
    assert_eq!(verdict, "no");
    // An AWS managed policy's statements are not in the template.
    let (verdict, reasons) = answer(&records, ":role/auditor", "Resources.Key", "kms:Decrypt");
    assert_eq!(verdict, "conditional", "{reasons:?}");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("arn:aws:iam::aws:policy/AWSKeyManagementServicePowerUser")),
        "{reasons:?}"
    );
}

#[test]
fn terraform_grants_allow_what_they_list() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[(
            "main.tf",
            r#"
resource "aws_kms_key" "data" {
  policy = jsonencode({
    Statement = [{
      Sid       = "Admins"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:role/admin" }
      Action    = ["kms:Describe*", "kms:Put*", "kms:ScheduleKeyDeletion"]
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role" "app" {
  name = "app"
}

resource "aws_kms_grant" "app" {
  name              = "app-decrypt"
  key_id            = aws_kms_key.data.key_id
  grantee_principal = aws_iam_role.app.arn
  operations        = ["Decrypt"]
}

resource "aws_kms_grant" "app_encrypt" {
  name              = "app-encrypt"
  key_id            = aws_kms_key.data.arn
  grantee_principal = aws_iam_role.app.arn
  operations        = ["Encrypt"]
  constraints {
    encryption_context_subset = {
      Department = "IT"
    }
  }
}
"#,
        )],
    );
    let (status, err, records) = explain(dir.path(), &[]);
    assert_eq!((status, err.as_str()), (0, ""));
    let app = ":role/app";
    let key = "aws_kms_key.data";
    let (verdict, reasons) = answer(&records, app, key, "kms:Decrypt");
    assert_eq!(
        (verdict.as_str(), reasons.as_slice()),
        ("allow", &["grant `app-decrypt`".to_string()][..])
    );
    let (verdict, reasons) = answer(&records, app, key, "kms:Encrypt");
    assert_eq!(verdict, "conditional");
    assert!(
        reasons
            .iter()
            .any(|r| r.contains(r#"EncryptionContextSubset {"Department":"IT"}"#)),
        "{reasons:?}"
    );
    assert_eq!(answer(&records, app, key, "kms:ReEncryptFrom").0, "no");
}

#[path = "support/records.rs"]
mod records;
use records::{Records, parse_records};
