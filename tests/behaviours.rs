#![allow(clippy::unwrap_used)]
//! Behaviours README.md promises that no other test pins: which files a walk reads (`.gitignore`
//! in a Git repository or not, `.ignore`, the folders always skipped, files named on the command
//! line), Terraform plans with only `resource_changes`, `aws_kms_replica_external_key`, `.tf`
//! heredocs, CloudFormation `Fn::Select`, output order whatever the number of threads, and the
//! SARIF `security-severity` of each severity. Inputs with positions worth reading are in
//! `tests/data/behaviours/`; folder layouts are built in temporary folders.

use std::path::Path;
use std::process::Command;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");
/// One finding: `15:28: error[KMS002]` (IAM group `Analysts`).
const GROUP_POLICY: &str = include_str!("../examples/group-principal.json");
const CONSOLE_DEFAULT: &str = include_str!("../examples/console-default.json");
const CONSOLE_GUARDED: &str = include_str!("../examples/console-default-guarded.json");
const CLEAN: &str = include_str!("../examples/least-privilege.json");
const PACKAGE_JSON: &str = include_str!("../examples/package.json");

/// Write `text` to `rel` under `dir`, creating folders.
fn write_file(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// kmslint run in `cwd`, with an empty home folder so that no global Git excludes file of the
/// machine running the tests takes part.
fn kmslint(cwd: &Path, home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kmslint"));
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env_remove("GIT_CONFIG_GLOBAL")
        .env_remove("RAYON_NUM_THREADS");
    cmd
}

fn output(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `check --isolated --format compact ARGS` in `cwd`: `path:line:col CODE` of each finding.
fn findings(cwd: &Path, home: &Path, args: &[&str]) -> Vec<String> {
    let (code, out, err) = output(
        kmslint(cwd, home)
            .args(["check", "--isolated", "--format", "compact"])
            .args(args),
    );
    assert!(code < 2, "exit {code}: {err}");
    assert_eq!(err, "");
    out.lines()
        .map(|l| {
            let (place, rest) = l.split_once(": ").unwrap();
            let code = rest.split('[').nth(1).unwrap().split(']').next().unwrap();
            format!("{place} {code}")
        })
        .collect()
}

/// `check --isolated --format json FILE` from the crate's folder: for each finding
/// `path:line:col-end_line:end_col CODE policy`.
fn json_findings(file: &str) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = output(kmslint(Path::new(MANIFEST_DIR), home.path()).args([
        "check",
        "--isolated",
        "--format",
        "json",
        file,
    ]));
    assert!(code < 2, "exit {code}: {err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{}-{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["line"],
                d["column"],
                d["end_line"],
                d["end_column"],
                d["code"].as_str().unwrap(),
                d["policy"].as_str().unwrap_or("-"),
            )
        })
        .collect()
}

fn git_init(dir: &Path, home: &Path) {
    let status = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env_remove("GIT_CONFIG_GLOBAL")
        .status()
        .expect("git is needed to test walks inside a repository");
    assert!(status.success());
    assert!(dir.join(".git").is_dir());
}

/// A tree with a `.gitignore` (a folder and a file pattern), a `.ignore`, Git's global excludes
/// file in `home` and, in a repository, `.git/info/exclude`.
fn ignored_tree(dir: &Path, home: &Path, in_git_repository: bool) {
    write_file(dir, ".gitignore", "generated/\n*.ignored.json\n");
    write_file(dir, ".ignore", "scratch/\n");
    write_file(home, "git/ignore", "*.local.json\n");
    write_file(dir, "keys/app.json", GROUP_POLICY);
    write_file(dir, "keys/old.ignored.json", GROUP_POLICY);
    write_file(dir, "keys/dev.local.json", GROUP_POLICY);
    write_file(dir, "generated/stack/key.json", GROUP_POLICY);
    write_file(dir, "scratch/key.json", GROUP_POLICY);
    if in_git_repository {
        write_file(dir, ".git/info/exclude", "mine/\n");
        write_file(dir, "mine/key.json", GROUP_POLICY);
    }
}

fn gitignore_is_honoured(in_git_repository: bool) {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    if in_git_repository {
        git_init(dir.path(), home.path());
    }
    ignored_tree(dir.path(), home.path(), in_git_repository);
    let (dir, home) = (dir.path(), home.path());
    // A walk leaves out what the ignore files match.
    assert_eq!(findings(dir, home, &["."]), ["keys/app.json:15:28 KMS002"]);
    assert_eq!(findings(dir, home, &[]), ["keys/app.json:15:28 KMS002"]);
    // Files named on the command line are read whatever the ignore files say, alone or next
    // to a walk.
    assert_eq!(
        findings(
            dir,
            home,
            &[
                "keys/old.ignored.json",
                "generated/stack/key.json",
                "scratch/key.json",
                "keys/dev.local.json",
            ]
        ),
        [
            "generated/stack/key.json:15:28 KMS002",
            "keys/dev.local.json:15:28 KMS002",
            "keys/old.ignored.json:15:28 KMS002",
            "scratch/key.json:15:28 KMS002",
        ]
    );
    assert_eq!(
        findings(dir, home, &[".", "generated/stack/key.json"]),
        [
            "generated/stack/key.json:15:28 KMS002",
            "keys/app.json:15:28 KMS002",
        ]
    );
}

#[test]
fn gitignore_and_ignore_files_are_honoured_in_a_git_repository() {
    gitignore_is_honoured(true);
}

#[test]
fn gitignore_and_ignore_files_are_honoured_without_a_git_repository() {
    gitignore_is_honoured(false);
}

#[test]
fn a_file_reached_by_a_walk_and_by_its_name_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (dir, home) = (dir.path(), home.path());
    write_file(dir, "keys/app.json", GROUP_POLICY);
    write_file(dir, "a.json", GROUP_POLICY);
    let both = ["a.json:15:28 KMS002", "keys/app.json:15:28 KMS002"];
    assert_eq!(findings(dir, home, &[".", "keys/app.json"]), both);
    assert_eq!(findings(dir, home, &["keys/app.json", "./"]), both);
    assert_eq!(
        findings(
            dir,
            home,
            &["keys", "./keys/app.json", "./a.json", "a.json"]
        ),
        both
    );
}

#[test]
fn a_gitignore_in_a_walked_subfolder_applies_below_it() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (dir, home) = (dir.path(), home.path());
    write_file(dir, "stacks/.gitignore", "/cdk.out/\n");
    write_file(dir, "stacks/cdk.out/key.json", GROUP_POLICY);
    write_file(dir, "cdk.out/key.json", GROUP_POLICY);
    assert_eq!(
        findings(dir, home, &["."]),
        ["cdk.out/key.json:15:28 KMS002"]
    );
}

#[test]
fn git_node_modules_terraform_and_target_folders_are_never_walked() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (dir, home) = (dir.path(), home.path());
    git_init(dir, home);
    for rel in [
        ".git/key.json",
        ".git/refs/key.json",
        "node_modules/pkg/key.json",
        "web/node_modules/key.json",
        ".terraform/key.json",
        "infra/.terraform/modules/kms/key.json",
        "target/key.json",
        "rust/target/debug/key.json",
        // Names that only look alike are walked.
        "targets/key.json",
        "infra/terraform/key.json",
        "keys/app.json",
    ] {
        write_file(dir, rel, GROUP_POLICY);
    }
    assert_eq!(
        findings(dir, home, &["."]),
        [
            "infra/terraform/key.json:15:28 KMS002",
            "keys/app.json:15:28 KMS002",
            "targets/key.json:15:28 KMS002",
        ]
    );
    // Named on the command line, a folder of those names is walked.
    assert_eq!(
        findings(dir, home, &["node_modules"]),
        ["node_modules/pkg/key.json:15:28 KMS002"]
    );
}

#[test]
fn plan_with_only_resource_changes_is_linted_at_exact_positions() {
    assert_eq!(
        json_findings("tests/data/behaviours/plan-resource-changes.json"),
        [
            "tests/data/behaviours/plan-resource-changes.json:20:361-20:403 KMS002 aws_kms_key.app",
            "tests/data/behaviours/plan-resource-changes.json:32:358-32:397 KMS002 \
             module.dr.aws_kms_replica_external_key.this",
        ]
    );
}

#[test]
fn plan_with_planned_values_is_read_from_planned_values_only() {
    // The key in both parts is reported once, at its place in `planned_values`; a key only in
    // `resource_changes` is not read (in a real plan every key that will exist is in both).
    assert_eq!(
        json_findings("tests/data/behaviours/plan-planned-values-first.json"),
        [
            "tests/data/behaviours/plan-planned-values-first.json:10:363-10:405 KMS002 aws_kms_key.app"
        ]
    );
}

#[test]
fn tf_heredocs_and_replica_keys_are_linted_at_exact_positions() {
    assert_eq!(
        json_findings("tests/data/behaviours/heredoc.tf"),
        [
            // `<<EOF` in an `aws_kms_replica_external_key`.
            "tests/data/behaviours/heredoc.tf:22:28-22:65 KMS002 aws_kms_replica_external_key.dr",
            // `<<POLICY`, indented, in an `aws_kms_replica_key`.
            "tests/data/behaviours/heredoc.tf:36:111-36:128 KMS003 aws_kms_replica_key.eu",
            "tests/data/behaviours/heredoc.tf:36:111-36:128 KMS005 aws_kms_replica_key.eu",
        ]
    );
}

#[test]
fn cloudformation_select_of_known_parts_is_resolved_in_yaml() {
    // Root by `!Select` of a `!Sub` (no KMS001); a `!Select` of a `!Ref` to a group is the
    // group's name, not a principal (KMS017); a group by `!Select` of literals; an unknown
    // index, an index out of range and a `!Split` list stay unknown.
    assert_eq!(
        json_findings("tests/data/behaviours/select.yaml"),
        [
            "tests/data/behaviours/select.yaml:30:54-30:65 KMS017 Resources.Key",
            "tests/data/behaviours/select.yaml:36:73-36:114 KMS002 Resources.Key",
        ]
    );
}

#[test]
fn cloudformation_select_of_known_parts_is_resolved_in_json() {
    assert_eq!(
        json_findings("tests/data/behaviours/select.json"),
        [
            // The group the `Fn::Select` picks is declared in the template (KMS041).
            "tests/data/behaviours/select.json:5:5-5:13 KMS041 Resources.Key",
            "tests/data/behaviours/select.json:23:94-23:127 KMS002 Resources.Key",
        ]
    );
}

#[test]
fn output_is_the_same_whatever_the_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (dir, home) = (dir.path(), home.path());
    // More files than one batch (256), created in an order unlike the sorted one.
    let contents = [
        GROUP_POLICY,
        CONSOLE_DEFAULT,
        CONSOLE_GUARDED,
        CLEAN,
        PACKAGE_JSON,
        r#"{"Version": "2012-10-17", "Statement": [{"Action": "kms:Decrypt",}]}"#,
    ];
    let files = 300;
    for i in (0..files).rev() {
        let folder = ["a", "a-b", "a/b", "z", "m/n/o", "b", "0"][i % 7];
        let name = format!("{folder}/f{:03}.json", (i * 37) % files);
        write_file(dir, &name, contents[i % contents.len()]);
    }
    let run = |threads: &str, format: &str| {
        let (code, out, err) = output(kmslint(dir, home).env("RAYON_NUM_THREADS", threads).args([
            "check",
            "--isolated",
            "--format",
            format,
            ".",
        ]));
        assert_eq!(code, 1, "{err}");
        assert_eq!(err, "");
        out
    };
    for format in ["json", "human", "compact"] {
        let one = run("1", format);
        assert_eq!(
            one,
            run("2", format),
            "{format} differs between 1 and 2 threads"
        );
        assert_eq!(one, run("2", format), "{format} differs between two runs");
    }
    let v: serde_json::Value = serde_json::from_str(&run("2", "json")).unwrap();
    let diagnostics = v["diagnostics"].as_array().unwrap();
    // Per 6 files: 1 (group) + 4 (console default) + 3 (guarded) + 1 (KMS010).
    assert_eq!(diagnostics.len(), files / 6 * 9);
    assert_eq!(v["summary"]["files"], files);
    let keys: Vec<(String, u64, u64, String)> = diagnostics
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    // Paths compare folder by folder (`a/b/…` before `a-b/…`).
    sorted.sort_by(|x, y| {
        Path::new(&x.0)
            .cmp(Path::new(&y.0))
            .then(x.1.cmp(&y.1))
            .then(x.2.cmp(&y.2))
            .then(x.3.cmp(&y.3))
    });
    assert_eq!(keys, sorted);
    assert!(keys.first().unwrap().0.starts_with("0/"));
    assert!(keys.last().unwrap().0.starts_with("z/"));
}

#[test]
fn sarif_security_severity_follows_the_default_severity_of_security_rules() {
    let dir = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let (dir, home) = (dir.path(), home.path());
    write_file(dir, "key.json", GROUP_POLICY);
    // Custom rules come from a configuration file: `--config` names it, so no other one is
    // looked for.
    write_file(
        dir,
        "rules.toml",
        r#"
[[custom-rule]]
code = "ORG001"
name = "no-decrypt"
message = "decrypt"
select = "$.Statement[*].Action"
forbid = "^kms:Decrypt$"

[[custom-rule]]
code = "ORG002"
name = "no-describe"
severity = "error"
message = "describe"
select = "$.Statement[*].Action"
forbid = "^kms:DescribeKey$"

[[custom-rule]]
code = "ORG003"
name = "no-encrypt"
severity = "info"
message = "encrypt"
select = "$.Statement[*].Action"
forbid = "^kms:Encrypt$"
"#,
    );
    let (code, out, err) = output(kmslint(dir, home).args([
        "check",
        "--config",
        "rules.toml",
        "--format",
        "sarif",
        "key.json",
    ]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} is not listed"))
    };
    for (id, level, severity) in [
        // Access.
        ("KMS001", "error", Some("8.0")),
        ("KMS002", "error", Some("8.0")),
        ("KMS003", "warning", Some("5.0")),
        // Exposure, including a rule that is off by default.
        ("KMS030", "error", Some("8.0")),
        ("KMS033", "warning", Some("5.0")),
        ("KMS031", "note", Some("2.0")),
        ("KMS038", "note", Some("2.0")),
        // Custom.
        ("ORG001", "warning", Some("5.0")),
        ("ORG002", "error", Some("8.0")),
        ("ORG003", "note", Some("2.0")),
        // Validity and configuration rules are not security findings.
        ("KMS010", "error", None),
        ("KMS012", "warning", None),
        ("KMS100", "warning", None),
    ] {
        let r = rule(id);
        assert_eq!(r["defaultConfiguration"]["level"], level, "{id}");
        assert_eq!(
            r["properties"]["security-severity"].as_str(),
            severity,
            "{id}"
        );
        let security_tag = r["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "security");
        assert_eq!(security_tag, severity.is_some(), "{id}");
    }
    // README states the same mapping.
    let readme = std::fs::read_to_string(Path::new(MANIFEST_DIR).join("README.md")).unwrap();
    let readme = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        readme.contains(
            "rules about access and exposure (and custom rules) carry a `security-severity` \
             (8.0 for errors, 5.0 for warnings, 2.0 for infos) and the `security` tag"
        ),
        "README no longer states the security-severity mapping"
    );
}
