#![allow(clippy::unwrap_used)]
//! Help texts speak the input's language: a fix shown in JSON syntax is no help in a
//! CloudFormation YAML template or a Terraform `aws_iam_policy_document`.

use std::process::Command;

/// The help of each finding of `code` when `rel` (written into a temporary folder) is checked.
fn helps(rel: &str, text: &str, code: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .args(["check", "--isolated", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["help"].as_str().unwrap().to_string())
        .collect()
}

const APP_GRANTS: &str = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:CreateGrant", "Resource": "*"}
]}"#;

#[test]
fn json_policies_get_json() {
    assert_eq!(
        helps("key.json", APP_GRANTS, "KMS005"),
        [r#"add `"Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}` to the statement"#]
    );
    let no_root = r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/App"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
    assert_eq!(
        helps("key.json", no_root, "KMS001"),
        [
            "add a statement that allows `arn:aws:iam::111122223333:root` `kms:*` on `*`, so the key stays manageable and IAM policies can grant access to it"
        ]
    );
    // The own account unknown: one placeholder.
    let unknown = r#"{"Version": "2012-10-17", "Statement": [
      {"Effect": "Allow", "Principal": {"Service": "logs.amazonaws.com"}, "Action": "kms:Encrypt", "Resource": "*"}]}"#;
    assert_eq!(
        helps("key.json", unknown, "KMS034"),
        [
            r#"add `"Condition": {"StringEquals": {"aws:SourceAccount": "ACCOUNT_ID"}}`, or an `aws:SourceArn` condition naming the resources the service acts for"#
        ]
    );
}

#[test]
fn cloudformation_gets_intrinsics() {
    let yaml = r#"Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS: !GetAtt App.Arn
            Action: kms:CreateGrant
            Resource: "*"
          - Effect: Allow
            Principal:
              Service: logs.amazonaws.com
            Action: kms:Encrypt
            Resource: "*"
  App:
    Type: AWS::IAM::Role
"#;
    assert_eq!(
        helps("stack.yaml", yaml, "KMS005"),
        [r#"add `Condition: {Bool: {kms:GrantIsForAWSResource: "true"}}` to the statement"#]
    );
    assert_eq!(
        helps("stack.yaml", yaml, "KMS001"),
        [
            r#"add a statement that allows `!Sub "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"` `kms:*` on `*`, so the key stays manageable and IAM policies can grant access to it"#
        ]
    );
    assert_eq!(
        helps("stack.yaml", yaml, "KMS034"),
        [
            r#"add `Condition: {StringEquals: {aws:SourceAccount: !Sub "${AWS::AccountId}"}}`, or an `aws:SourceArn` condition naming the resources the service acts for"#
        ]
    );
    let json = r#"{"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {
      "Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": {"Fn::GetAtt": ["App", "Arn"]}}, "Action": "kms:Decrypt", "Resource": "*"}]}}},
      "App": {"Type": "AWS::IAM::Role"}}}"#;
    assert_eq!(
        helps("stack.json", json, "KMS001"),
        [
            r#"add a statement that allows `{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}` `kms:*` on `*`, so the key stays manageable and IAM policies can grant access to it"#
        ]
    );
}

#[test]
fn terraform_gets_hcl() {
    let document = r#"resource "aws_kms_key" "k" {
  policy = data.aws_iam_policy_document.k.json
}

data "aws_iam_policy_document" "k" {
  statement {
    actions   = ["kms:CreateGrant"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = [aws_iam_role.app.arn]
    }
  }
}
"#;
    assert_eq!(
        helps("main.tf", document, "KMS005"),
        [
            r#"add `condition { test = "Bool", variable = "kms:GrantIsForAWSResource", values = ["true"] }` to the statement"#
        ]
    );
    assert_eq!(
        helps("main.tf", document, "KMS001"),
        [
            "add a statement that allows `arn:aws:iam::${data.aws_caller_identity.current.account_id}:root` `kms:*` on `*`, so the key stays manageable and IAM policies can grant access to it"
        ]
    );
    let object = r#"resource "aws_kms_key" "k" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = aws_iam_role.app.arn }
      Action    = "kms:CreateGrant"
      Resource  = "*"
    }]
  })
}
"#;
    assert_eq!(
        helps("main.tf", object, "KMS005"),
        [
            r#"add `Condition = { Bool = { "kms:GrantIsForAWSResource" = "true" } }` to the statement"#
        ]
    );
}
