#![allow(clippy::unwrap_used)]
//! The command line as users run it: formats, selection, exit statuses, walking.
//!
//! `check` runs with `--isolated`: a stray `kmslint.toml` above the checkout or the temporary
//! folders must not change what is reported (configuration discovery is `tests/config.rs`'s).

use std::path::Path;

use assert_cmd::Command;

fn kmslint() -> Command {
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1");
    cmd
}

/// `kmslint check --isolated`.
fn check() -> Command {
    let mut cmd = kmslint();
    cmd.args(["check", "--isolated"]);
    cmd
}

/// Write `text` to `rel` under `dir`, creating folders.
fn write_file(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Run kmslint; `check` gets `--isolated`.
fn run(args: &[&str]) -> (i32, String, String) {
    let mut cmd = match args {
        ["check", rest @ ..] => {
            let mut cmd = check();
            cmd.args(rest);
            cmd
        }
        _ => {
            let mut cmd = kmslint();
            cmd.args(args);
            cmd
        }
    };
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn human_output_on_the_examples() {
    let (code, out, err) = run(&["check", "examples/"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("human_examples", out);
}

#[test]
fn check_is_the_default_command() {
    let (code, out, _) = run(&[
        "examples/console-default.json",
        "--format",
        "compact",
        "--isolated",
    ]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().count(), 4);
}

#[test]
fn compact_output() {
    let (code, out, _) = run(&["check", "examples/", "--format", "compact"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("compact_examples", out);
}

#[test]
fn json_output_follows_the_documented_schema() {
    let (code, out, _) = run(&["check", "examples/", "--format", "json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    assert_eq!(v["summary"]["files"], 5);
    assert_eq!(v["summary"]["policies"], 4);
    assert_eq!(v["summary"]["errors"], 1);
    assert_eq!(v["summary"]["warnings"], 7);
    assert_eq!(v["summary"]["infos"], 0);
    let first = &v["diagnostics"][0];
    for key in [
        "path",
        "policy",
        "code",
        "name",
        "severity",
        "message",
        "line",
        "column",
        "end_line",
        "end_column",
        "labels",
        "help",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    insta::assert_snapshot!("json_examples", out);
}

#[test]
fn json_output_with_no_findings_is_valid() {
    let (code, out, _) = run(&["check", "examples/least-privilege.json", "--format", "json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(v["summary"]["policies"], 1);
}

#[test]
fn clean_policy_exits_zero_with_a_summary() {
    let (code, out, _) = run(&["check", "examples/least-privilege.json"]);
    assert_eq!(code, 0);
    assert_eq!(out, "no problems found (1 file checked, 1 key policy)\n");
}

#[test]
fn fail_on_sets_the_threshold() {
    let f = "examples/console-default.json";
    assert_eq!(run(&["check", f, "--fail-on", "error"]).0, 0);
    assert_eq!(run(&["check", f, "--fail-on", "warning"]).0, 1);
    assert_eq!(
        run(&[
            "check",
            "examples/group-principal.json",
            "--fail-on",
            "error"
        ])
        .0,
        1
    );
}

#[test]
fn select_and_ignore_by_code_name_and_prefix() {
    let f = "examples/console-default.json";
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", f, "--format", "compact"];
        all.extend_from_slice(args);
        let (_, out, _) = run(&all);
        out.lines()
            .map(|l| {
                l.split('[')
                    .nth(1)
                    .unwrap()
                    .split(']')
                    .next()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    assert_eq!(codes(&["--select", "KMS004"]), ["KMS004"]);
    assert_eq!(
        codes(&["--select", "admin-can-self-grant"]),
        ["KMS003", "KMS003"]
    );
    assert_eq!(
        codes(&["--ignore", "KMS003,grant-without-aws-resource-guard"]),
        ["KMS004"]
    );
    assert_eq!(
        codes(&["--select", "KMS00", "--ignore", "KMS003"]),
        ["KMS004", "KMS005"]
    );
    assert_eq!(
        codes(&["--select", "KMS002", "--extend-select", "KMS004"]),
        ["KMS004"]
    );
}

#[test]
fn unknown_selector_is_a_usage_error_with_a_suggestion() {
    let (code, out, err) = run(&["check", "examples/", "--select", "admin-can-self-grnt"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "error: `admin-can-self-grnt` is not a rule code, name or prefix (did you mean `admin-can-self-grant`?)\n"
    );
}

#[test]
fn bad_account_is_a_usage_error() {
    let (code, _, err) = run(&["check", "examples/", "--account", "1234"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`--account 1234` is not a 12-digit AWS account id"),
        "{err}"
    );
}

#[test]
fn missing_path_is_reported_and_other_files_still_linted() {
    let (code, out, err) = run(&[
        "check",
        "no/such/file.json",
        "examples/group-principal.json",
        "--format",
        "compact",
    ]);
    assert_eq!(code, 2);
    assert!(err.starts_with("error: no/such/file.json: "), "{err}");
    assert!(
        out.contains("examples/group-principal.json:15:28: error[KMS002]"),
        "{out}"
    );
}

#[test]
fn walking_skips_non_policies_and_vendored_directories() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| write_file(dir.path(), rel, text);
    let bad = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/group-principal.json"),
    )
    .unwrap();
    write("keys/app.json", &bad);
    write("node_modules/x/policy.json", &bad);
    write(".terraform/policy.json", &bad);
    write("target/policy.json", &bad);
    write("tsconfig.json", r#"{"compilerOptions": {"strict": true}}"#);
    write(
        "iam/identity.json",
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}"#,
    );
    write("broken/unrelated.json", "{ not json");
    write("broken/policy.json", r#"{"Statement": [}], "kms:Decrypt""#);
    // Broken, but an IAM policy: not meant as a key policy.
    write("broken/iam.json", r#"{"Statement": [}], "s3:GetObject""#);
    let out = check()
        .args(["--format", "compact"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let files: Vec<&str> = stdout
        .lines()
        .map(|l| {
            l.split(':')
                .next()
                .unwrap()
                .rsplit('/')
                .take(2)
                .collect::<Vec<_>>()[1]
        })
        .collect();
    assert_eq!(files, ["broken", "keys"], "{stdout}");
    assert!(
        stdout.contains("policy.json:1:16: error[KMS010]"),
        "{stdout}"
    );
    assert!(stdout.contains("app.json:15:28: error[KMS002]"), "{stdout}");
}

#[test]
fn rule_prints_the_documentation() {
    let (code, out, _) = run(&["rule", "KMS003"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("# admin-can-self-grant (KMS003)\n"));
    let (_, by_name, _) = run(&["rule", "admin-can-self-grant"]);
    assert_eq!(out, by_name);
    let (code, _, err) = run(&["rule", "KMS0003"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `KMS003`?"), "{err}");
}

#[test]
fn rules_lists_every_rule() {
    let (code, out, _) = run(&["rules"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("rules_table", out);
    let (_, json, _) = run(&["rules", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v.as_array().unwrap().len(), kmslint::registry::RULES.len());
    assert_eq!(v[0]["code"], "KMS001");
    assert_eq!(v[0]["default"], true);
}

#[test]
fn deep_nesting_is_a_diagnostic_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.json");
    let text = format!(
        "{{\"Statement\": {}{}}}",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    std::fs::write(&path, text).unwrap();
    let out = check()
        .args(["--format", "compact"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("error[KMS010] nesting deeper than 256 levels"),
        "{stdout}"
    );
}

#[test]
fn human_header_counts_columns_in_characters() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.json");
    std::fs::write(
        &path,
        r#"{"Version": "2012-10-17", "Statement": [{"Sid": "Zoë and Chloé", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:group/G"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#,
    )
    .unwrap();
    let out = check()
        .args(["--select", "KMS002"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("p.json:1:106]"), "{stdout}");
}

#[test]
fn readme_lists_every_rule() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    for r in kmslint::registry::RULES {
        let row = format!("| {} | {} | {} |", r.code, r.name, r.severity.as_str());
        assert!(readme.contains(&row), "README.md has no row `{row}`");
    }
}

#[test]
fn every_input_kind_in_one_walk() {
    let (code, out, err) = run(&["check", "tests/fixtures/inputs", "--format", "compact"]);
    assert_eq!(code, 1, "{err}");
    insta::assert_snapshot!("compact_inputs", out);
}

#[test]
fn human_output_names_the_policy_and_decodes_one_line_policies() {
    let (_, out, _) = run(&[
        "check",
        "tests/fixtures/inputs/plan.json",
        "tests/fixtures/inputs/cfn-stack.yaml",
        "--select",
        "KMS002",
    ]);
    insta::assert_snapshot!("human_inputs", out);
}

#[test]
fn json_output_names_the_policy() {
    let (_, out, _) = run(&[
        "check",
        "tests/fixtures/inputs/plan.json",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let policies: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["policy"].as_str().unwrap())
        .collect();
    assert_eq!(
        policies,
        [
            "aws_kms_key.root",
            "module.kms.aws_kms_key_policy.this",
            "module.kms.aws_kms_key_policy.this"
        ]
    );
}

#[test]
fn walking_reads_by_content_and_skips_unrelated_yaml_and_hcl() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| write_file(dir.path(), rel, text);
    write(
        "k8s/deploy.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n",
    );
    write("compose.yml", "services:\n  web: {image: nginx}\n");
    write("broken/values.yaml", "a: [1, 2\n");
    write(
        "network/main.tf",
        "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
    );
    write("broken/vars.tf", "variable \"x\" {\n");
    write(
        "stacks/keys.template",
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy: {Statement: [}\n",
    );
    write(
        "stacks/key.yml",
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal: {AWS: 'arn:aws:iam::111122223333:group/G'}\n            Action: kms:Decrypt\n            Resource: '*'\n",
    );
    let out = check()
        .args(["--format", "compact"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<String> = stdout
        .lines()
        .map(|l| {
            l.strip_prefix(&format!("{}/", dir.path().display()))
                .unwrap_or(l)
                .to_string()
        })
        .map(|l| l.split(' ').take(2).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        lines,
        [
            "stacks/key.yml:7:9: error[KMS001]",
            "stacks/key.yml:9:30: error[KMS002]",
            "stacks/keys.template:5:31: error[KMS010]",
        ],
        "{stdout}"
    );
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let policy = std::fs::read_to_string("examples/group-principal.json").unwrap();
    for args in [
        &[
            "--stdin-filename",
            "infra/key.json",
            "-",
            "--format",
            "compact",
        ][..],
        &["--stdin-filename", "infra/key.json", "--format", "compact"][..],
    ] {
        let out = check()
            .args(args)
            .write_stdin(policy.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "infra/key.json:15:28: error[KMS002] IAM group `Analysts` cannot be a principal in a key policy: AWS rejects the policy\n"
        );
    }
    // Without a name the input is `-`, read as JSON.
    let out = check()
        .args(["-", "--format", "compact"])
        .write_stdin(policy)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "-:15:28: error[KMS002] IAM group `Analysts` cannot be a principal in a key policy: AWS rejects the policy\n"
    );
}

#[test]
fn stdin_kind_comes_from_the_name_and_the_content() {
    let tf = std::fs::read_to_string("tests/fixtures/inputs/main.tf").unwrap();
    let out = check()
        .args(["--stdin-filename", "main.tf", "--format", "compact"])
        .write_stdin(tf)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("main.tf:3:1: error[KMS041] ")
            && text.contains("\nmain.tf:23:30: error[KMS002] "),
        "{text}"
    );
    // A name kmslint does not know: JSON, or YAML when the text does not start like JSON.
    let yaml = std::fs::read_to_string("tests/fixtures/inputs/cfn-stack.yaml").unwrap();
    let out = check()
        .args(["--stdin-filename", "stack.template", "--format", "compact"])
        .write_stdin(yaml)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("stack.template:7:3: error[KMS041] ")
            && text.contains("\nstack.template:32:19: error[KMS002] "),
        "{text}"
    );
    // Text that is not a key policy is still reported when it does not parse.
    let out = check()
        .args(["--stdin-filename", "key.json", "--format", "compact"])
        .write_stdin("{\"Statement\": [")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("key.json:1:16: error[KMS010] "), "{text}");
}

#[test]
fn stdin_cannot_be_mixed_with_paths() {
    let (code, out, err) = run(&["check", "-", "examples/"]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: `-` (standard input) cannot be combined with other paths (`examples/`): lint standard input and files in separate runs\n"
    );
}

#[test]
fn readme_shows_what_the_first_command_prints() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let (_, out, _) = run(&["check", "examples/"]);
    let start = readme
        .find("$ cargo run --release -- check examples/\n")
        .unwrap();
    let shown = &readme[start..];
    let shown = &shown[shown.find('\n').unwrap() + 1..shown.find("…\n").unwrap()];
    assert!(
        out.starts_with(shown),
        "README.md's example differs from the output:\n{out}"
    );
    let last = out.lines().last().unwrap();
    assert!(
        readme.contains(&format!("{last}\n```")),
        "README.md lacks the summary `{last}`"
    );
}
