#![allow(clippy::unwrap_used)]
//! What a run says about what it could not check: keys whose policy is not analysed (in
//! every format, exit status unchanged), files named that hold no key policy, walks that find
//! none; and Terraform buffers read with their module (standard input).

use std::path::Path;
use std::process::{Command, Stdio};

fn kmslint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kmslint"));
    cmd.current_dir(dir).env("NO_COLOR", "1");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = kmslint(dir)
        .arg("check")
        .arg("--isolated")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

const MODULE: &str = r#"resource "aws_kms_key" "logs" {
  description = "logs"
  policy      = var.logs_policy
}
"#;

#[test]
fn keys_not_analysed_are_in_every_format_and_do_not_change_the_exit_status() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", MODULE);
    let (code, human) = run(dir.path(), &["."]);
    assert_eq!(code, 0, "{human}");
    assert_eq!(
        human,
        "1 key policy not analysed:\n  `aws_kms_key.logs` in infra/main.tf:3:17: policy comes from `var.logs_policy`, a variable\nno problems found (1 file checked, 0 key policies)\n"
    );
    let (_, compact) = run(dir.path(), &["--format", "compact", "."]);
    assert_eq!(
        compact,
        "infra/main.tf:3:17: note[not-analysed] key policy of `aws_kms_key.logs` not analysed: policy comes from `var.logs_policy`, a variable\n"
    );
    let (_, json) = run(dir.path(), &["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v["summary"]["not_analysed"],
        serde_json::json!([{
            "path": "infra/main.tf",
            "policy": "aws_kms_key.logs",
            "reason": "policy comes from `var.logs_policy`, a variable",
            "line": 3,
            "column": 17
        }])
    );
    let (_, github) = run(dir.path(), &["--format", "github", "."]);
    assert_eq!(
        github,
        "::warning file=infra/main.tf,line=3,endLine=3,title=kmslint%3A key policy not analysed::the key policy of `aws_kms_key.logs` was not analysed: policy comes from `var.logs_policy`, a variable\n"
    );
    let (_, gitlab) = run(dir.path(), &["--format", "gitlab", "."]);
    let v: serde_json::Value = serde_json::from_str(&gitlab).unwrap();
    assert_eq!(v[0]["check_name"], "not-analysed");
    assert_eq!(v[0]["severity"], "info");
    assert_eq!(v[0]["location"]["path"], "infra/main.tf");
    assert_eq!(v[0]["location"]["lines"]["begin"], 3);
    let (_, sarif) = run(dir.path(), &["--format", "sarif", "."]);
    let v: serde_json::Value = serde_json::from_str(&sarif).unwrap();
    let invocation = &v["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let note = &invocation["toolExecutionNotifications"][0];
    assert_eq!(note["level"], "warning");
    assert_eq!(
        note["message"]["text"],
        "the key policy of `aws_kms_key.logs` was not analysed: policy comes from `var.logs_policy`, a variable"
    );
    assert_eq!(
        note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "infra/main.tf"
    );
    assert_eq!(v["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn a_named_file_without_a_key_policy_and_a_walk_without_any_are_said() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out) = run(root, &["tests/modules/resource-policies/iam/trust.json"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "no key policy in tests/modules/resource-policies/iam/trust.json\nno key policy found (1 file checked)\n"
    );
    let (code, out) = run(root, &["tests/modules/resource-policies"]);
    assert_eq!(code, 0);
    assert_eq!(out, "no key policy found (8 files checked)\n");
    // A policy whose actions are only `"*"` is a key policy when named, not in a walk.
    let (code, out) = run(
        root,
        &[
            "--format",
            "compact",
            "tests/modules/mixed-walk/keys/any-star.json",
        ],
    );
    assert_eq!(code, 1);
    assert!(out.contains("any-star.json:3:3: error[KMS001]"), "{out}");
    let (_, out) = run(root, &["--format", "compact", "tests/modules/mixed-walk"]);
    assert!(!out.contains("any-star.json"), "{out}");
}

#[test]
fn a_terraform_buffer_on_standard_input_is_read_with_its_module() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keys/policy.tf",
        r#"data "aws_iam_policy_document" "k" {
  statement {
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:group/ops"]
    }
  }
}
"#,
    );
    let buffer =
        "resource \"aws_kms_key\" \"k\" {\n  policy = data.aws_iam_policy_document.k.json\n}\n";
    write(dir.path(), "keys/main.tf", "# not saved yet\n");
    let mut child = kmslint(dir.path())
        .args([
            "check",
            "--isolated",
            "--format",
            "compact",
            "--stdin-filename",
            "keys/main.tf",
            "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(buffer.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    // The buffer's key takes its policy from the other file of the module; that file's
    // findings are not the buffer's.
    assert_eq!(stdout, "", "{stdout}");
    assert_eq!(out.status.code(), Some(0));
    // Checked as files, the finding is in the document's file.
    write(dir.path(), "keys/main.tf", buffer);
    let (code, out) = run(dir.path(), &["--format", "compact", "keys"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "keys/policy.tf:2:3: error[KMS001] no statement allows the account root `kms:PutKeyPolicy`: the key can become unmanageable (in `aws_kms_key.k (data.aws_iam_policy_document.k)`)\nkeys/policy.tf:7:22: error[KMS002] IAM group `ops` cannot be a principal in a key policy: AWS rejects the policy (in `aws_kms_key.k (data.aws_iam_policy_document.k)`)\n"
    );
}
