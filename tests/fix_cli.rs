#![allow(clippy::unwrap_used)]
//! `check --fix`, `--diff` and `--fix-only` as users run them, over what one fixture file
//! cannot show: Terraform modules of several files, the README's example, where the diff's
//! paths come from.

use std::path::Path;
use std::process::Command;

/// `kmslint check --isolated ARGS` in `dir`: exit status, standard output and error.
fn check(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["check", "--isolated"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const VARIABLES: &str = "variable \"admin_role\" {\n  type = string\n}\n";

const KMS_TF: &str = r#"resource "aws_kms_key" "logs" {
  description = "logs"
  policy      = data.aws_iam_policy_document.logs.json
}

data "aws_iam_policy_document" "logs" {
  statement {
    sid = "Root"
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    actions   = ["kms:*"]
    resources = ["*"]
  }
  statement {
    sid = "Use"
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:role/Reader"]
    }
    actions   = ["kms:Decrypt"]
    resources = ["*"]
  }
}
"#;

/// The module's files are read as one text: an edit in any file but the first must land in
/// that file, where its finding is.
#[test]
fn fixes_land_in_the_module_file_that_holds_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a_variables.tf"), VARIABLES).unwrap();
    std::fs::write(dir.path().join("kms.tf"), KMS_TF).unwrap();
    let (code, diff, err) = check(dir.path(), &["--diff", "--unsafe-fixes", "."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        diff,
        r#"--- a/kms.tf
+++ b/kms.tf
@@ -12,6 +12,11 @@
     }
     actions   = ["kms:*"]
     resources = ["*"]
+    condition {
+      test     = "StringEquals"
+      variable = "aws:PrincipalType"
+      values   = ["Account"]
+    }
   }
   statement {
     sid = "Use"
"#
    );
    assert_eq!(
        err,
        "`--fix --unsafe-fixes` would fix 1 finding in 1 file\n"
    );
    let (code, _, err) = check(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a_variables.tf")).unwrap(),
        VARIABLES
    );
    let fixed = std::fs::read_to_string(dir.path().join("kms.tf")).unwrap();
    assert!(
        fixed.contains("variable = \"aws:PrincipalType\""),
        "{fixed}"
    );
    let (code, out, _) = check(dir.path(), &["."]);
    assert_eq!(code, 0, "{out}");
}

/// A path given as absolute shows in the diff's header as git writes one (`a/tmp/…`).
#[test]
fn diff_headers_of_absolute_paths_have_one_slash() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("key.json");
    std::fs::write(
        &file,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\"}]\n}\n",
    )
    .unwrap();
    let (code, diff, _) = check(dir.path(), &["--diff", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    let shown = file.to_str().unwrap().trim_start_matches('/');
    assert!(
        diff.starts_with(&format!("--- a/{shown}\n+++ b/{shown}\n")),
        "{diff}"
    );
    assert!(
        diff.contains("+  \"Statement\": [{\"Effect\": \"Allow\""),
        "{diff}"
    );
}

/// The README's `--diff` examples are the output of the commands they show, on the examples
/// it ships.
#[test]
fn readme_diff_examples_are_what_the_commands_print() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let section = &readme[readme
        .find("### Fixes\n")
        .expect("README has a Fixes section")..];
    let section = &section[..section.find("\n## ").unwrap()];
    let mut shown = 0;
    for block in section.split("```console\n").skip(1) {
        let block = &block[..block.find("```").unwrap()];
        let (command, output) = block.split_once('\n').unwrap();
        let args: Vec<&str> = command
            .strip_prefix("$ kmslint check ")
            .expect("a `$ kmslint check` command")
            .split(' ')
            .collect();
        let (code, diff, err) = check(root, &args);
        assert_eq!(code, i32::from(!diff.is_empty()), "{command}: {err}");
        assert_eq!(
            output,
            format!("{diff}{err}"),
            "README.md: `{command}` is stale"
        );
        shown += 1;
    }
    assert_eq!(shown, 2, "README's Fixes section shows two commands");
}
