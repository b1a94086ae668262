#![allow(clippy::unwrap_used)]
//! Inline `# kmslint: ignore[…]` comments in YAML and HCL (`//` too in HCL), checked like
//! `[[suppress]]` entries: a comment that cannot work (an unknown code or name, a prefix, no
//! rule, no `]`) is a KMS100 error at the comment, and one whose rules have no finding on the
//! next line is a KMS100 warning at the comment, judged only for rules the run enables.

use std::process::Command;

/// A CloudFormation template whose line 20 is `COMMENT`; line 21 holds a principal of another
/// account (KMS031 cross-account-access, an info, at 21:20).
const STACK: &str = r#"Resources:
  LogsKey:
    Type: AWS::KMS::Key
    Properties:
      KeyPolicy:
        Version: "2012-10-17"
        Statement:
          - Sid: EnableRootAccessAndPreventPermissionDelegation
            Effect: Allow
            Principal:
              AWS: arn:aws:iam::111122223333:root
            Action: kms:*
            Resource: "*"
            Condition:
              StringEquals:
                aws:PrincipalType: Account
          - Sid: Auditors read the logs
            Effect: Allow
            Principal:
              COMMENT
              AWS: arn:aws:iam::444455556666:role/Auditor
            Action: kms:Decrypt
            Resource: "*"
"#;

/// A Terraform key whose line 16 is `COMMENT`; line 17 holds a principal of another account
/// (KMS031 at 17:29).
const MAIN_TF: &str = r#"resource "aws_kms_key" "logs" {
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "EnableRootAccessAndPreventPermissionDelegation"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "kms:*"
        Resource  = "*"
        Condition = { StringEquals = { "aws:PrincipalType" = "Account" } }
      },
      {
        Sid       = "Auditors read the logs"
        Effect    = "Allow"
        COMMENT
        Principal = { AWS = "arn:aws:iam::444455556666:role/Auditor" }
        Action    = "kms:Decrypt"
        Resource  = "*"
      }
    ]
  })
}
"#;

const KMS031_YAML: &str = "stack.yaml:21:20: info[KMS031] IAM role `Auditor` in 444455556666 belongs to neither the key's account (111122223333) nor a trusted account: another account gets access to this key (in `Resources.LogsKey`)\n";
const KMS031_TF: &str = "main.tf:17:29: info[KMS031] IAM role `Auditor` in 444455556666 belongs to neither the key's account (111122223333) nor a trusted account: another account gets access to this key (in `aws_kms_key.logs`)\n";

fn stack(comment: &str) -> String {
    STACK.replace("COMMENT", comment)
}

fn main_tf(comment: &str) -> String {
    MAIN_TF.replace("COMMENT", comment)
}

/// A scratch folder.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn write(&self, rel: &str, text: &str) -> &Dir {
        let p = self.0.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    /// Run `kmslint check ARGS` in the folder: exit status, stdout, stderr.
    fn run_with_stdin(&self, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .current_dir(self.0.path())
            .env("NO_COLOR", "1")
            .arg("check")
            .args(args)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
        drop(input);
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_with_stdin(args, None)
    }

    /// `--format compact` output and exit status; nothing on stderr.
    fn compact(&self, args: &[&str]) -> (i32, String) {
        let (code, out, err) = self.run(&[&["--format", "compact"], args].concat());
        assert_eq!(err, "", "stderr of {args:?}");
        (code, out)
    }
}

#[test]
fn unknown_codes_and_names_are_errors_at_the_code_with_the_nearest_rule() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore[KMS31, cross-acount-access] the audit account reads the logs"),
    )
    .write(
        "main.tf",
        &main_tf("// kmslint: ignore[KMS03,admin-can-self-grnt] the audit account"),
    );
    // The comment drops nothing, so the finding it was meant for stays; the other files are
    // linted all the same, and the run fails whatever `--fail-on` says.
    let (code, out) = d.compact(&["--isolated", ".", "--fail-on", "error"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "main.tf:16:28: error[KMS100] `KMS03` in the inline ignore names 10 rules, not one\n\
             main.tf:16:34: error[KMS100] `admin-can-self-grnt` in the inline ignore is not a rule code or name (did you mean `admin-can-self-grant`?)\n\
             {KMS031_TF}\
             stack.yaml:20:33: error[KMS100] `KMS31` in the inline ignore is not a rule code or name (did you mean `KMS031`?)\n\
             stack.yaml:20:40: error[KMS100] `cross-acount-access` in the inline ignore is not a rule code or name (did you mean `cross-account-access`?)\n\
             {KMS031_YAML}"
        )
    );
    // JSON: the span is the code as written, the help says how to name rules.
    let (_, out, _) = d.run(&["--isolated", "stack.yaml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let first = &json["diagnostics"][0];
    assert_eq!(first["code"], "KMS100");
    assert_eq!(first["name"], "unused-suppression");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["policy"], serde_json::Value::Null);
    assert_eq!(
        [
            &first["line"],
            &first["column"],
            &first["end_line"],
            &first["end_column"]
        ],
        [20, 33, 20, 38]
    );
    assert_eq!(
        first["help"],
        "name each rule by its code or name (`kmslint rules` lists them)"
    );
    assert_eq!(json["summary"]["errors"], 2);
}

#[test]
fn a_comment_that_names_no_rule_is_an_error_at_the_comment() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore the audit account reads the logs"),
    )
    .write(
        "empty/main.tf",
        &main_tf("// kmslint: ignore[] the audit account"),
    )
    .write(
        "unclosed/main.tf",
        &main_tf("# kmslint: ignore[KMS031 the audit account"),
    );
    let (code, out) = d.compact(&["--isolated", "."]);
    assert_eq!(code, 1);
    let tf = |dir: &str| KMS031_TF.replace("main.tf", &format!("{dir}/main.tf"));
    assert_eq!(
        out,
        format!(
            "empty/main.tf:16:9: error[KMS100] the inline ignore names no rule\n{}\
             stack.yaml:20:15: error[KMS100] the inline ignore names no rule\n{KMS031_YAML}\
             unclosed/main.tf:16:9: error[KMS100] the inline ignore has no closing `]`\n{}",
            tf("empty"),
            tf("unclosed"),
        )
    );
    let (_, out, _) = d.run(&["--isolated", "stack.yaml", "empty", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let helps: Vec<(&str, u64, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "KMS100")
        .map(|d| {
            (
                d["help"].as_str().unwrap(),
                d["column"].as_u64().unwrap(),
                d["end_column"].as_u64().unwrap(),
            )
        })
        .collect();
    // The span is the directive, without the reason; the help shows the comment's marker.
    assert_eq!(
        helps,
        [
            (
                "name the rules it drops from the next line: `// kmslint: ignore[KMS003] reason`",
                9,
                29
            ),
            (
                "name the rules it drops from the next line: `# kmslint: ignore[KMS003] reason`",
                15,
                32
            ),
        ]
    );
}

#[test]
fn a_used_comment_drops_the_finding_and_is_not_reported() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore[cross-account-access] the audit account"),
    )
    .write(
        "main.tf",
        &main_tf("// kmslint: ignore [kms031] the audit account"),
    )
    .write(
        "hash/main.tf",
        &main_tf("# kmslint: ignore[KMS031, KMS031] the audit account"),
    );
    assert_eq!(d.compact(&["--isolated", "."]), (0, String::new()));
    // Without the comments the findings are there.
    d.write("stack.yaml", &stack("# the audit account"))
        .write("main.tf", &main_tf("// the audit account"));
    assert_eq!(
        d.compact(&["--isolated", "stack.yaml", "main.tf"]),
        (0, format!("{KMS031_TF}{KMS031_YAML}"))
    );
}

#[test]
fn an_unused_comment_is_a_warning_at_the_comment() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore[cross-account-access] the audit account reads the logs"),
    )
    .write(
        "main.tf",
        &main_tf("// kmslint: ignore[KMS031, admin-can-self-grant] the audit account"),
    );
    // With the audit account trusted, KMS031 has nothing to report: the YAML comment drops
    // nothing; the HCL comment never dropped anything for KMS003.
    let (code, out) = d.compact(&["--isolated", "."]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "main.tf:16:9: warning[KMS100] the inline ignore of `admin-can-self-grant` matches no finding on the line below it\n"
    );
    let (code, out) = d.compact(&["--isolated", ".", "--trusted-account", "444455556666"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "main.tf:16:9: warning[KMS100] the inline ignore of `KMS031`, `admin-can-self-grant` matches no finding on the line below it\n\
         stack.yaml:20:15: warning[KMS100] the inline ignore of `cross-account-access` matches no finding on the line below it\n"
    );
    // A warning: `--fail-on error` lets the run pass.
    assert_eq!(d.compact(&["--isolated", ".", "--fail-on", "error"]).0, 0);
    // The help says whether the whole comment or some of its rules go.
    let (_, out, _) = d.run(&["--isolated", ".", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d0 = &json["diagnostics"][0];
    assert_eq!(d0["help"], "remove `admin-can-self-grant` from the comment");
    assert_eq!(
        [
            &d0["line"],
            &d0["column"],
            &d0["end_line"],
            &d0["end_column"]
        ],
        [16, 9, 16, 57]
    );
    let (_, out, _) = d.run(&[
        "--isolated",
        "stack.yaml",
        "--format",
        "json",
        "--trusted-account",
        "444455556666",
    ]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d0 = &json["diagnostics"][0];
    assert_eq!(
        d0["help"],
        "remove the comment, or put it on the line before the finding it accepts"
    );
    assert_eq!(d0["severity"], "warning");
    assert_eq!(
        [
            &d0["line"],
            &d0["column"],
            &d0["end_line"],
            &d0["end_column"]
        ],
        [20, 15, 20, 54]
    );
}

#[test]
fn the_comment_findings_show_in_every_format() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore[cross-account-access, KMS31] the audit account"),
    );
    let args = [
        "--isolated",
        "stack.yaml",
        "--trusted-account",
        "444455556666",
    ];
    let run = |format: &str| {
        let (code, out, err) = d.run(&[&args[..], &["--format", format]].concat());
        assert_eq!((code, err.as_str()), (1, ""), "{format}");
        out
    };
    let human = run("human");
    assert_eq!(
        human,
        "KMS100 unused-suppression

  ⚠ the inline ignore of `cross-account-access` matches no finding on the line below it
    ╭─[stack.yaml:20:15]
 19 │             Principal:
 20 │               # kmslint: ignore[cross-account-access, KMS31] the audit account
    ·               ──────────────────────────────────────────────
 21 │               AWS: arn:aws:iam::444455556666:role/Auditor
    ╰────
  help: remove the comment, or put it on the line before the finding it accepts

KMS100 unused-suppression

  × `KMS31` in the inline ignore is not a rule code or name (did you mean `KMS031`?)
    ╭─[stack.yaml:20:55]
 19 │             Principal:
 20 │               # kmslint: ignore[cross-account-access, KMS31] the audit account
    ·                                                       ─────
 21 │               AWS: arn:aws:iam::444455556666:role/Auditor
    ╰────
  help: name each rule by its code or name (`kmslint rules` lists them)

1 error, 1 warning in 1 file (1 file checked, 1 key policy)
"
    );
    assert_eq!(
        run("github"),
        "::warning file=stack.yaml,line=20,col=15,endLine=20,endColumn=61,title=KMS100 unused-suppression::the inline ignore of `cross-account-access` matches no finding on the line below it%0Ahelp: remove the comment, or put it on the line before the finding it accepts\n\
         ::error file=stack.yaml,line=20,col=55,endLine=20,endColumn=60,title=KMS100 unused-suppression::`KMS31` in the inline ignore is not a rule code or name (did you mean `KMS031`?)%0Ahelp: name each rule by its code or name (`kmslint rules` lists them)\n"
    );
    let gitlab: serde_json::Value = serde_json::from_str(&run("gitlab")).unwrap();
    let issues: Vec<(&str, &str, &str, u64)> = gitlab
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["location"]["path"].as_str().unwrap(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        issues,
        [
            ("KMS100", "minor", "stack.yaml", 20),
            ("KMS100", "major", "stack.yaml", 20)
        ]
    );
    let sarif: serde_json::Value = serde_json::from_str(&run("sarif")).unwrap();
    let results: Vec<(&str, &str, u64, u64, u64)> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let region = &r["locations"][0]["physicalLocation"]["region"];
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                region["startLine"].as_u64().unwrap(),
                region["startColumn"].as_u64().unwrap(),
                region["endColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            ("KMS100", "warning", 20, 15, 61),
            ("KMS100", "error", 20, 55, 60)
        ]
    );
    // Standard input, as editors pass a buffer, is judged like the file.
    let (code, out, err) = d.run_with_stdin(
        &[
            "--isolated",
            "-",
            "--stdin-filename",
            "stack.yaml",
            "--trusted-account",
            "444455556666",
            "--format",
            "compact",
        ],
        Some(&stack("# kmslint: ignore[KMS31]")),
    );
    assert_eq!((code, err.as_str()), (1, ""));
    assert_eq!(
        out,
        "stack.yaml:20:33: error[KMS100] `KMS31` in the inline ignore is not a rule code or name (did you mean `KMS031`?)\n"
    );
}

#[test]
fn rules_the_run_does_not_enable_are_not_judged_and_kms100_is_a_rule_like_others() {
    let d = Dir::new();
    d.write(
        "stack.yaml",
        &stack("# kmslint: ignore[cross-account-access] the audit account reads the logs"),
    );
    let stale = "stack.yaml:20:15: warning[KMS100] the inline ignore of `cross-account-access` matches no finding on the line below it\n";
    let trusted = ["--isolated", ".", "--trusted-account", "444455556666"];
    assert_eq!(d.compact(&trusted), (1, stale.to_string()));
    // KMS031 switched off: the comment is not judged (ruff's RUF100 would call it
    // "non-enabled"; kmslint treats it as it treats `[[suppress]]` entries).
    for off in [
        &["--ignore", "KMS031"][..],
        &["--select", "KMS100"],
        &[
            "--select",
            "KMS0,KMS100",
            "--ignore",
            "cross-account-access",
        ],
    ] {
        assert_eq!(
            d.compact(&[&trusted[..], off].concat()),
            (0, String::new()),
            "{off:?}"
        );
    }
    // KMS100 switched off: nothing about the comments, even a wrong code.
    d.write("bad.yaml", &stack("# kmslint: ignore[KMS31]"));
    assert_eq!(
        d.compact(&[&trusted[..], &["--ignore", "KMS100"]].concat()),
        (0, String::new())
    );
    // A comment naming KMS100 is never reported as unused, and drops the KMS100 findings of
    // the next line, a comment's included.
    d.write(
        "bad.yaml",
        &STACK.replace(
            "              COMMENT\n",
            "              # kmslint: ignore[KMS100, KMS003] kept for the next audit\n              # kmslint: ignore[KMS31]\n",
        ),
    );
    assert_eq!(d.compact(&trusted), (1, stale.to_string()));
    d.write(
        "bad.yaml",
        &STACK.replace(
            "              COMMENT\n",
            "              # kmslint: ignore[KMS100] kept for the next audit\n              # kmslint: ignore[cross-account-access] the audit account\n",
        ),
    );
    assert_eq!(d.compact(&trusted), (1, stale.to_string()));
    std::fs::remove_file(d.0.path().join("bad.yaml")).unwrap();
    // The configuration: per-file ignores, severity, and `[[suppress]]` entries (an entry
    // that covers the rule in the file takes its findings first: the comment is not judged).
    d.write(
        "kmslint.toml",
        "trusted-accounts = [\"444455556666\"]\n\n[per-file-ignores]\n\"*.yaml\" = [\"KMS031\"]\n",
    );
    assert_eq!(d.compact(&["."]), (0, String::new()));
    d.write(
        "kmslint.toml",
        "trusted-accounts = [\"444455556666\"]\n\n[severity]\nKMS100 = \"info\"\n",
    );
    assert_eq!(
        d.compact(&["."]),
        (0, stale.replace("warning[KMS100]", "info[KMS100]"))
    );
    d.write(
        "kmslint.toml",
        "[[suppress]]\nrule = \"KMS031\"\npath = \"stack.yaml\"\nreason = \"the audit account\"\n",
    );
    assert_eq!(d.compact(&["."]), (0, String::new()));
    d.write(
        "kmslint.toml",
        "trusted-accounts = [\"444455556666\"]\n\n[[suppress]]\nrule = \"KMS100\"\nreason = \"comments are reviewed by hand\"\n",
    );
    assert_eq!(d.compact(&["."]), (0, String::new()));
}

const ORG_RULES: &str = r#"[[custom-rule]]
code = "ORG001"
name = "principal-outside-organisation"
severity = "error"
message = "`{value}` is not an account of the organisation"
select = "$.Statement[*].Principal.AWS"
require = '^arn:aws:iam::111122223333:'
"#;

#[test]
fn custom_rules_are_named_by_code_or_name() {
    let d = Dir::new();
    d.write("kmslint.toml", ORG_RULES)
        .write(
            "stack.yaml",
            &stack("# kmslint: ignore[org001, KMS031] the audit account"),
        )
        .write(
            "main.tf",
            &main_tf("// kmslint: ignore[principal-outside-organisation, cross-account-access]"),
        );
    assert_eq!(d.compact(&["."]), (0, String::new()));
    // Without the comments ORG001 fires on both.
    d.write("plain/kmslint.toml", ORG_RULES)
        .write("plain/stack.yaml", &stack("# the audit account"));
    let (code, out) = d.compact(&["plain/stack.yaml", "--select", "ORG001"]);
    assert_eq!(
        (code, out.as_str()),
        (
            1,
            "plain/stack.yaml:21:20: error[ORG001] `arn:aws:iam::444455556666:role/Auditor` is not an account of the organisation (in `Resources.LogsKey`)\n"
        )
    );
    // A custom rule the run does not enable is not judged; one it does is.
    assert_eq!(
        d.compact(&["stack.yaml", "--select", "KMS100"]),
        (0, String::new())
    );
    d.write(
        "stack.yaml",
        &STACK
            .replace("COMMENT", "# kmslint: ignore[ORG001]")
            .replace("444455556666", "111122223333"),
    );
    assert_eq!(
        d.compact(&["stack.yaml"]),
        (
            1,
            "stack.yaml:20:15: warning[KMS100] the inline ignore of `ORG001` matches no finding on the line below it\n".to_string()
        )
    );
    // Without the configuration, `ORG001` names no rule (the nearest code is a guess, as in
    // configuration errors).
    let (code, out) = d.compact(&["--isolated", "stack.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "stack.yaml:20:33: error[KMS100] `ORG001` in the inline ignore is not a rule code or name (did you mean `KMS001`?)\n"
    );
}

#[test]
fn comments_of_module_files_the_run_was_not_asked_about_are_not_judged() {
    let d = Dir::new();
    d.write(
        "main.tf",
        "resource \"aws_kms_key\" \"logs\" {\n  policy = data.aws_iam_policy_document.logs.json\n}\n",
    )
    .write(
        "policy.tf",
        r#"data "aws_iam_policy_document" "logs" {
  statement {
    sid       = "Root"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalType"
      values   = ["Account"]
    }
  }
  statement {
    sid = "Auditors read the logs"
    # kmslint: ignore[KMS003] nothing to drop here
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "AWS"
      # kmslint: ignore[KMS031] the audit account
      identifiers = ["arn:aws:iam::444455556666:role/Auditor"]
    }
  }
}
"#,
    );
    let stale = "policy.tf:18:5: warning[KMS100] the inline ignore of `KMS003` matches no finding on the line below it\n";
    assert_eq!(d.compact(&["--isolated", "."]), (1, stale.to_string()));
    assert_eq!(
        d.compact(&["--isolated", "policy.tf"]),
        (1, stale.to_string())
    );
    // pre-commit passes `main.tf` alone: the document in `policy.tf` is linted for its key,
    // and its comments drop findings, but only the files asked about are judged.
    assert_eq!(d.compact(&["--isolated", "main.tf"]), (0, String::new()));
}

#[test]
fn crlf_files_and_a_byte_order_mark_keep_the_places() {
    let d = Dir::new();
    let text = format!(
        "\u{feff}{}",
        stack("# kmslint: ignore[cross-account-access, KMS31").replace('\n', "\r\n")
    );
    d.write("stack.yaml", &text);
    let (code, out) = d.compact(&["--isolated", "stack.yaml"]);
    assert_eq!(code, 1);
    assert_eq!(
        out,
        format!(
            "stack.yaml:20:15: error[KMS100] the inline ignore has no closing `]`\n{KMS031_YAML}"
        )
    );
    let (_, out, _) = d.run(&["--isolated", "stack.yaml", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    // The span ends with the line's text, before the `\r`.
    assert_eq!(json["diagnostics"][0]["end_column"], 60);
    d.write("stack.yaml", &text.replace("KMS31", "KMS031]"));
    assert_eq!(d.compact(&["--isolated", "stack.yaml"]), (0, String::new()));
}
