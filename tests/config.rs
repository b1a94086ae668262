#![allow(clippy::unwrap_used)]
//! `kmslint.toml`: discovery, precedence of the command line, excludes, per-file ignores,
//! suppressions and KMS100, custom rules, and configuration errors.

use std::path::PathBuf;

use assert_cmd::Command;

/// A scratch project.
struct Project {
    dir: tempfile::TempDir,
}

const CONSOLE_DEFAULT: &str = include_str!("../examples/console-default.json");
const CLEAN: &str = include_str!("../examples/least-privilege.json");

impl Project {
    fn new() -> Project {
        Project {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn write(&self, rel: &str, text: &str) -> &Project {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Run kmslint in the project's root (or a folder of it) with compact output.
    fn run_in(&self, sub: &str, args: &[&str]) -> (i32, String, String) {
        let out = Command::cargo_bin("kmslint")
            .unwrap()
            .current_dir(self.path(sub))
            .env("NO_COLOR", "1")
            .arg("check")
            .args(["--format", "compact"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        self.run_in("", args)
    }

    /// `path:line:col CODE` of each finding.
    fn findings(&self, args: &[&str]) -> Vec<String> {
        let (code, out, err) = self.run(args);
        assert!(code < 2, "exit {code}: {err}");
        codes(&out)
    }
}

fn codes(out: &str) -> Vec<String> {
    out.lines()
        .map(|l| {
            let (place, rest) = l.split_once(": ").unwrap();
            let code = rest.split('[').nth(1).unwrap().split(']').next().unwrap();
            format!("{place} {code}")
        })
        .collect()
}

#[test]
fn the_nearest_configuration_wins_and_is_not_merged() {
    let p = Project::new();
    p.write("kmslint.toml", "ignore = [\"KMS003\", \"KMS005\"]\n")
        .write("a.json", CONSOLE_DEFAULT)
        .write("team/.kmslint.toml", "select = [\"KMS005\"]\n")
        .write("team/b.json", CONSOLE_DEFAULT)
        .write("team/deep/c.json", CONSOLE_DEFAULT);
    assert_eq!(
        p.findings(&["."]),
        [
            "a.json:8:28 KMS004",
            "team/b.json:20:9 KMS005",
            "team/deep/c.json:20:9 KMS005"
        ]
    );
    // From inside the folder, and with a file named directly, the same configuration applies.
    let (_, out, _) = p.run_in("team/deep", &["c.json"]);
    assert_eq!(codes(&out), ["c.json:20:9 KMS005"]);
    // `.kmslint.toml` wins over `kmslint.toml` in the same folder.
    p.write("team/kmslint.toml", "select = [\"KMS004\"]\n");
    assert_eq!(p.findings(&["team/b.json"]), ["team/b.json:20:9 KMS005"]);
}

#[test]
fn config_and_isolated_name_or_skip_the_configuration() {
    let p = Project::new();
    p.write("kmslint.toml", "select = [\"KMS004\"]\n")
        .write(
            "ci/strict.toml",
            "select = [\"KMS005\"]\nfail-on = \"error\"\n",
        )
        .write("a.json", CONSOLE_DEFAULT);
    assert_eq!(p.findings(&["a.json"]), ["a.json:8:28 KMS004"]);
    let (code, out, _) = p.run(&["--config", "ci/strict.toml", "a.json"]);
    assert_eq!(
        (code, codes(&out)),
        (0, vec!["a.json:20:9 KMS005".to_string()])
    );
    assert_eq!(p.findings(&["--isolated", "a.json"]).len(), 4);
    let (code, _, err) = p.run(&["--config", "ci/strict.toml", "--isolated", "a.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: `--config` and `--isolated` contradict each other: use one\n"
    );
    let (code, _, err) = p.run(&["--config", "ci/missing.toml", "a.json"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: ci/missing.toml: cannot read the configuration: "),
        "{err}"
    );
}

#[test]
fn the_command_line_overrides_the_configuration() {
    let p = Project::new();
    p.write(
        "kmslint.toml",
        "select = [\"KMS004\"]\nfail-on = \"error\"\naccount = \"111122223333\"\n[severity]\nKMS004 = \"info\"\n",
    )
    .write("a.json", CONSOLE_DEFAULT);
    let (code, out, _) = p.run(&["a.json"]);
    assert_eq!(code, 0);
    assert_eq!(
        out.lines().next().unwrap().split(": ").nth(1).unwrap(),
        "info[KMS004] the root statement has no `aws:PrincipalType` guard"
            .split(": ")
            .next()
            .unwrap()
    );
    // `--select` replaces the configuration's selection; `--fail-on` its threshold.
    assert_eq!(
        p.findings(&["a.json", "--select", "KMS005"]),
        ["a.json:20:9 KMS005"]
    );
    assert_eq!(p.run(&["a.json", "--fail-on", "info"]).0, 1);
    assert_eq!(
        p.findings(&["a.json", "--extend-select", "KMS005", "--ignore", "KMS004"]),
        ["a.json:20:9 KMS005"]
    );
}

#[test]
fn configuration_errors_name_the_file_line_and_key() {
    let p = Project::new();
    p.write("a.json", CONSOLE_DEFAULT).write(
        "kmslint.toml",
        "select = [\"KMS004\"]\n\n[per-file-ignore]\n\"x\" = [\"KMS003\"]\n",
    );
    let (code, out, err) = p.run(&["."]);
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert_eq!(
        err,
        "error: kmslint.toml:3:2: unknown field `per-file-ignore`, expected one of `account`, `trusted-accounts`, `select`, `extend-select`, `ignore`, `fail-on`, `exclude`, `force-exclude`, `severity`, `per-file-ignores`, `suppress`, `custom-rule`\n"
    );
    p.write(
        "kmslint.toml",
        "[[custom-rule]]\ncode = \"ORG001\"\nname = \"org\"\nmessage = \"m\"\nselect = \"$..AWS\"\nrequire = '^arn:aws:iam::(1111'\n",
    );
    let (code, _, err) = p.run(&["a.json"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: kmslint.toml:6:11: `require` is not a valid regular expression: unclosed group\n"
    );
    // A broken configuration in a folder below is found while walking.
    p.write("kmslint.toml", "")
        .write("sub/kmslint.toml", "fail-on = 3\n")
        .write("sub/b.json", CLEAN);
    let (code, _, err) = p.run(&["."]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: sub/kmslint.toml:1:11: `fail-on`: invalid type: integer `3`, expected a string\n"
    );
}

#[test]
fn excludes_apply_to_walks_and_with_force_exclude_to_named_files() {
    let p = Project::new();
    p.write(
        "kmslint.toml",
        "exclude = [\"vendor\", \"stacks/*.generated.json\"]\nselect = [\"KMS004\"]\n",
    )
    .write("keys/a.json", CONSOLE_DEFAULT)
    .write("vendor/lib/b.json", CONSOLE_DEFAULT)
    .write("stacks/c.generated.json", CONSOLE_DEFAULT)
    .write("stacks/d.json", CONSOLE_DEFAULT);
    assert_eq!(
        p.findings(&["."]),
        ["keys/a.json:8:28 KMS004", "stacks/d.json:8:28 KMS004"]
    );
    // Named on the command line, excluded files are linted unless `--force-exclude`.
    assert_eq!(
        p.findings(&["vendor/lib/b.json", "keys/a.json"]),
        ["keys/a.json:8:28 KMS004", "vendor/lib/b.json:8:28 KMS004"]
    );
    assert_eq!(
        p.findings(&[
            "--force-exclude",
            "vendor/lib/b.json",
            "stacks/c.generated.json",
            "keys/a.json"
        ]),
        ["keys/a.json:8:28 KMS004"]
    );
    // `--exclude` adds to the configuration's globs, relative to the working directory.
    assert_eq!(
        p.findings(&[".", "--exclude", "keys/*"]),
        ["stacks/d.json:8:28 KMS004"]
    );
    // Braces hold alternatives (the option is repeated, not split on commas).
    assert_eq!(
        p.findings(&[".", "--exclude", "{keys,stacks}"]),
        Vec::<String>::new()
    );
    assert_eq!(
        p.findings(&[".", "--exclude", "keys", "--exclude", "d.json"]),
        Vec::<String>::new()
    );
    let (code, _, err) = p.run(&[".", "--exclude", "keys/[a"]);
    assert_eq!(code, 2);
    assert_eq!(
        err,
        "error: `--exclude`: `keys/[a` is not a valid glob: unclosed character class; missing ']'\n"
    );
    // With `--force-exclude`, named files are read as a walk reads them: a JSON file that is
    // not a key policy and does not parse (a `tsconfig.json` with comments) is not reported.
    p.write(
        "tsconfig.json",
        "{\n  // comment\n  \"compilerOptions\": {}\n}\n",
    );
    let parse = ["--select", "KMS010"];
    assert_eq!(
        p.findings(&[&parse[..], &["tsconfig.json"]].concat()),
        ["tsconfig.json:2:3 KMS010"]
    );
    assert_eq!(
        p.findings(&[&parse[..], &["--force-exclude", "tsconfig.json"]].concat()),
        Vec::<String>::new()
    );
    p.write("keys/broken.json", "{\"Statement\": [}], \"kms:Decrypt\"");
    assert_eq!(
        p.findings(&[&parse[..], &["--force-exclude", "keys/broken.json"]].concat()),
        ["keys/broken.json:1:16 KMS010"]
    );
    // `force-exclude` in the configuration does what the flag does.
    p.write(
        "kmslint.toml",
        "exclude = [\"vendor\"]\nforce-exclude = true\nselect = [\"KMS004\"]\n",
    );
    assert_eq!(p.findings(&["vendor/lib/b.json"]), Vec::<String>::new());
}

#[test]
fn per_file_ignores_switch_rules_off_for_matching_files() {
    let p = Project::new();
    p.write(
        "kmslint.toml",
        "[per-file-ignores]\n\"legacy/**\" = [\"KMS003\", \"grant-without-aws-resource-guard\"]\n\"*.cfn.json\" = [\"KMS00\"]\n",
    )
    .write("legacy/old/a.json", CONSOLE_DEFAULT)
    .write("keys/b.cfn.json", CONSOLE_DEFAULT);
    assert_eq!(p.findings(&["."]), ["legacy/old/a.json:8:28 KMS004"]);
}

const SUPPRESSIONS: &str = r#"
[[suppress]]
rule = "KMS003"
path = "keys/a.json"
sid = "Allow access for Key Administrators"
reason = "the key administrators are a break-glass role"

[[suppress]]
rule = "grant-without-aws-resource-guard"
reason = "grants are reviewed by the platform team"

[[suppress]]
rule = "KMS004"
path = "keys/gone.json"
reason = "a key that was retired"

[[suppress]]
rule = "KMS004"
path = "keys/*.json"
sid = "Renamed statement"
reason = "stale after a rename"
"#;

#[test]
fn suppressions_match_rule_path_and_sid_and_stale_ones_are_reported() {
    let p = Project::new();
    p.write("kmslint.toml", SUPPRESSIONS)
        .write("keys/a.json", CONSOLE_DEFAULT)
        .write("keys/b.json", CONSOLE_DEFAULT);
    let (code, out, err) = p.run(&["."]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        out,
        "keys/a.json:8:28: warning[KMS004] the root statement has no `aws:PrincipalType` guard: besides the principals this policy names, IAM policies can give this key to any principal in the account\n\
         keys/b.json:8:28: warning[KMS004] the root statement has no `aws:PrincipalType` guard: besides the principals this policy names, IAM policies can give this key to any principal in the account\n\
         keys/b.json:20:9: warning[KMS003] `kms:Create*` includes `kms:CreateGrant`, which lets 2 principals create a grant that gives themselves use of the key\n\
         keys/b.json:24:9: warning[KMS003] `kms:Put*` includes `kms:PutKeyPolicy`, which lets 2 principals rewrite the key policy to give themselves use of the key\n\
         kmslint.toml:12:1: warning[KMS100] [*] the suppression of `KMS004` in `keys/gone.json` matches no finding\n\
         kmslint.toml:17:1: warning[KMS100] [*] the suppression of `KMS004` in `keys/*.json`, statement `Renamed statement` matches no finding\n"
    );
    // The human report points at the entry in the configuration file.
    let out = Command::cargo_bin("kmslint")
        .unwrap()
        .current_dir(p.path(""))
        .env("NO_COLOR", "1")
        .args(["check", ".", "--select", "KMS100,KMS004"])
        .output()
        .unwrap();
    let human = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("unused_suppression_human", human);
}

#[test]
fn stale_suppressions_are_judged_only_when_every_file_they_cover_was_linted() {
    let p = Project::new();
    p.write("kmslint.toml", SUPPRESSIONS)
        .write("keys/a.json", CONSOLE_DEFAULT)
        .write("keys/b.json", CONSOLE_DEFAULT);
    let kms100 = |args: &[&str]| -> Vec<String> {
        p.findings(args)
            .into_iter()
            .filter(|f| f.ends_with("KMS100"))
            .collect()
    };
    // pre-commit passes a few files: entries for other files are not judged.
    assert_eq!(kms100(&["keys/b.json"]), Vec::<String>::new());
    // A walk of a folder below the configuration is not the whole project either.
    assert_eq!(kms100(&["keys"]), Vec::<String>::new());
    // `--exclude` leaves files out for one run: their entries are not stale.
    assert_eq!(kms100(&[".", "--exclude", "b.json"]), Vec::<String>::new());
    // Rules the run does not enable are not judged.
    assert_eq!(kms100(&[".", "--ignore", "KMS004"]), Vec::<String>::new());
    // An entry whose path names a file is judged whenever that file is linted.
    p.write(
        "kmslint.toml",
        "[[suppress]]\nrule = \"KMS001\"\npath = \"keys/b.json\"\nreason = \"r\"\n",
    );
    assert_eq!(kms100(&["keys/b.json"]), ["kmslint.toml:1:1 KMS100"]);
    assert_eq!(kms100(&["keys/a.json"]), Vec::<String>::new());
    // KMS100 is a rule like the others: it can be ignored or given another severity.
    assert_eq!(
        kms100(&["keys/b.json", "--ignore", "KMS100"]),
        Vec::<String>::new()
    );
}

const ORG_RULES: &str = r#"
[[custom-rule]]
code = "ORG001"
name = "principal-outside-organisation"
severity = "error"
message = "`{value}` is not an account of the organisation"
help = "name a role of one of the organisation's accounts"
select = "$.Statement[*].Principal.AWS"
require = '^arn:aws:iam::(111122223333|444455556666|\$\{AWS::AccountId\}):'

[[custom-rule]]
code = "ORG002"
name = "deny-without-tls"
message = "the policy does not deny requests made without TLS"
select = "$.Statement[?@.Effect == 'Deny' && @.Condition.Bool['aws:SecureTransport'] == 'false']"
exists = true
"#;

#[test]
fn custom_rules_point_into_every_input_kind() {
    let p = Project::new();
    p.write("kmslint.toml", ORG_RULES)
        .write(
            "a.json",
            &CONSOLE_DEFAULT.replace(
                "111122223333:role/KMSAdminRole",
                "999988887777:role/KMSAdminRole",
            ),
        )
        .write(
            "stack.yaml",
            "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: '2012-10-17'\n        Statement:\n          - Sid: Root\n            Effect: Allow\n            Principal: {AWS: !Sub 'arn:aws:iam::${AWS::AccountId}:root'}\n            Action: kms:*\n            Resource: '*'\n          - Sid: App\n            Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::777788889999:role/App\n            Action: kms:Decrypt\n            Resource: '*'\n",
        )
        .write(
            "get-key-policy.json",
            "{\n  \"Policy\": \"{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::777788889999:root\\\"},\\\"Action\\\":\\\"kms:*\\\",\\\"Resource\\\":\\\"*\\\"}]}\",\n  \"PolicyName\": \"default\"\n}\n",
        );
    assert_eq!(
        p.findings(&[".", "--select", "ORG"]),
        [
            "a.json:4:3 ORG002",
            "a.json:17:9 ORG001",
            "get-key-policy.json:2:42 ORG002",
            "get-key-policy.json:2:102 ORG001",
            "stack.yaml:7:9 ORG002",
            "stack.yaml:16:20 ORG001",
        ]
    );
    let (_, out, _) = p.run(&["a.json", "--select", "ORG001"]);
    assert_eq!(
        out,
        "a.json:17:9: error[ORG001] `arn:aws:iam::999988887777:role/KMSAdminRole` is not an account of the organisation\n"
    );
    // Custom rules answer to `--select`, `--ignore`, `[severity]` and suppressions.
    assert_eq!(
        p.findings(&["a.json", "--select", "deny-without-tls"]),
        ["a.json:4:3 ORG002"]
    );
    let (code, _, err) = p.run(&["a.json", "--select", "ORG003"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: `ORG003` is not a rule code, name or prefix"),
        "{err}"
    );
    p.write(
        "kmslint.toml",
        &format!("{ORG_RULES}\n[severity]\nORG001 = \"info\"\n\n[[suppress]]\nrule = \"ORG002\"\nreason = \"TLS is enforced by an SCP\"\n"),
    );
    let (code, out, _) = p.run(&["a.json", "--select", "ORG", "--fail-on", "warning"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "a.json:17:9: info[ORG001] `arn:aws:iam::999988887777:role/KMSAdminRole` is not an account of the organisation\n"
    );
}

/// The ```` ```toml ```` blocks of the README's configuration section.
fn readme_toml_blocks() -> Vec<String> {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let section = &readme[readme.find("## Configuration").unwrap()..];
    let section = &section[..section.find("## CI and pre-commit").unwrap()];
    section
        .split("```toml\n")
        .skip(1)
        .map(|b| b[..b.find("```").unwrap()].to_string())
        .collect()
}

#[test]
fn readme_configuration_examples_are_valid_and_do_what_they_say() {
    let blocks = readme_toml_blocks();
    assert_eq!(blocks.len(), 4);
    for block in &blocks {
        let source = kmslint::source::SourceFile::new("kmslint.toml", None, block.clone());
        if let Err(e) = kmslint::config::parse(source, PathBuf::from("/repo")) {
            panic!("a README example does not load: {e}\n{block}");
        }
    }
    let p = Project::new();
    p.write("kmslint.toml", &blocks[1..].concat())
        .write(
            "keys/partner.json",
            &CONSOLE_DEFAULT.replace(
                "arn:aws:iam::111122223333:role/KMSAdminRole",
                "arn:aws:iam::999988887777:role/Partner",
            ),
        )
        .write(
            "keys/tls.json",
            r#"{"Version": "2012-10-17", "Statement": [
  {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
  {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "kms:*", "Resource": "*",
   "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
]}"#,
        );
    // The output the README shows for the first example.
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let (_, out, _) = p.run(&["--select", "ORG001", "keys/"]);
    assert!(
        readme.contains(&format!(
            "$ kmslint check --select ORG001 --format compact keys/\n{out}```"
        )),
        "the README's ORG001 output is not {out}"
    );
    assert_eq!(
        p.findings(&["--select", "ORG", "keys/"]),
        [
            "keys/partner.json:4:3 ORG002",
            "keys/partner.json:17:9 ORG001",
            "keys/partner.json:32:9 ORG003",
        ]
    );
}
