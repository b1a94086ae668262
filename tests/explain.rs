#![allow(clippy::unwrap_used)]
//! `kmslint explain` on the access example of the seed articles (three keys, four users) as
//! plain JSON: the key policies as paths, the identity policies with `--iam`, the keys' ARNs
//! with `--key-arn`. Every verdict the example states, and the human and markdown output.

use std::path::Path;

use assert_cmd::Command;

const ACCOUNT: &str = "111122223333";

fn key_arn(id: &str) -> String {
    format!("arn:aws:kms:us-east-1:{ACCOUNT}:key/{id}-1111-2222-3333-444444444444")
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

/// `kmslint explain --isolated .` with `args` in `tests/explain/DIR`.
fn run(dir: &str, args: &[String]) -> (i32, String, String) {
    let out = Command::cargo_bin("kmslint")
        .unwrap()
        .current_dir(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/explain")
                .join(dir),
        )
        .env("NO_COLOR", "1")
        .args(["explain", "--isolated", "."])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `kmslint explain --isolated . --iam … --key-arn …` in the plain JSON seed's folder, with
/// `extra`.
fn explain(extra: &[&str]) -> (i32, String, String) {
    let mut args: Vec<String> = Vec::new();
    for name in ["Alice", "Bob", "Charlie", "David"] {
        args.push("--iam".into());
        args.push(format!(
            "{}=iam/{}.json",
            user(name),
            name.to_ascii_lowercase()
        ));
    }
    for (file, id) in [
        ("cmk-a.json", "aaaaaaaa"),
        ("cmk-b.json", "bbbbbbbb"),
        ("cmk-c.json", "cccccccc"),
    ] {
        args.push("--key-arn".into());
        args.push(format!("{file}={}", key_arn(id)));
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    run("seed-json", &args)
}

/// The JSON records of `explain` in `tests/explain/DIR` (no other option).
fn records(dir: &str) -> Records {
    let (status, out, err) = run(dir, &["--format".to_string(), "json".to_string()]);
    assert_eq!((status, err.as_str()), (0, ""));
    parse_records(&out)
}

/// Every operation of the user `who` (its ARN in any account) on `key` has `verdict` and a
/// reason containing `reason`, except the operations of `allowed`, which IAM allows.
fn expect(records: &Records, who: &str, key: &str, verdict: &str, reason: &str, allowed: &[&str]) {
    let suffix = format!(":user/{who}");
    let mut seen = 0;
    for ((p, k, op), (v, reasons)) in records {
        if !p.ends_with(&suffix) || k != key {
            continue;
        }
        seen += 1;
        let (want, why) = if allowed.contains(&op.as_str()) {
            ("allow", "IAM via root")
        } else {
            (verdict, reason)
        };
        assert_eq!(v, want, "{p} {key} {op}: {reasons:?}");
        assert!(
            reasons.iter().any(|r| r.contains(why)),
            "{p} {key} {op}: {reasons:?} does not say `{why}`"
        );
    }
    assert!(seen > 20, "{who} {key}: {seen} records");
}

/// The verdicts of the seed example: `keys` are CMK-A, CMK-B and CMK-C as the input names
/// them, `charlie` the identity policy that allows Charlie `kms:Encrypt` on CMK-A.
fn seed_verdicts(r: &Records, keys: [&str; 3], charlie: &str) {
    let [a, b, c] = keys;
    // Alice: A yes (IAM), B no (IAM not enabled), C yes (key policy).
    expect(r, "Alice", a, "allow", "IAM via root: policy", &[]);
    expect(
        r,
        "Alice",
        b,
        "no",
        "IAM not enabled in the key policy",
        &[],
    );
    expect(r, "Alice", c, "allow", "key policy `AllowAlice`", &[]);
    // Bob: A no, B yes (key policy), C no (explicit deny).
    expect(
        r,
        "Bob",
        a,
        "no",
        "no identity policy of `user/Bob` allows it on this key",
        &[],
    );
    expect(r, "Bob", b, "allow", "key policy `AllowBobAndCharlie`", &[]);
    expect(r, "Bob", c, "deny", "denied by `DenyBobCharlieDavid`", &[]);
    // Charlie: A Encrypt only (IAM), B yes (key policy; his IAM permissions are irrelevant),
    // C no (deny).
    expect(
        r,
        "Charlie",
        a,
        "no",
        &format!("policy `{charlie}` allows only `kms:Encrypt`"),
        &["kms:Encrypt"],
    );
    expect(
        r,
        "Charlie",
        b,
        "allow",
        "key policy `AllowBobAndCharlie`",
        &[],
    );
    expect(
        r,
        "Charlie",
        c,
        "deny",
        "denied by `DenyBobCharlieDavid`",
        &[],
    );
    // David: A no, B no (IAM not enabled), C no (deny).
    expect(
        r,
        "David",
        a,
        "no",
        "no identity policy of `user/David` allows it on this key",
        &[],
    );
    expect(
        r,
        "David",
        b,
        "no",
        "IAM not enabled in the key policy",
        &[],
    );
    expect(
        r,
        "David",
        c,
        "deny",
        "denied by `DenyBobCharlieDavid`",
        &[],
    );
    // Charlie's IAM permissions for CMK-B are not what allows him there.
    let (_, reasons) = r
        .iter()
        .find(|((p, k, op), _)| p.ends_with(":user/Charlie") && k == b && op == "kms:Decrypt")
        .map(|(_, v)| v)
        .unwrap();
    assert_eq!(reasons, &["key policy `AllowBobAndCharlie`"]);
}

#[test]
fn every_verdict_of_the_seed_example_in_plain_json() {
    let (status, out, err) = explain(&["--format", "json"]);
    assert_eq!((status, err.as_str()), (0, ""));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["keys"][0]["iam"], "enabled");
    assert_eq!(v["keys"][1]["iam"], "not enabled");
    seed_verdicts(
        &parse_records(&out),
        ["cmk-a.json", "cmk-b.json", "cmk-c.json"],
        "charlie",
    );
}

#[test]
fn every_verdict_of_the_seed_example_in_cloudformation() {
    let r = records("seed-cfn");
    seed_verdicts(
        &r,
        ["Resources.CmkA", "Resources.CmkB", "Resources.CmkC"],
        "charlie-encrypt-cmk-a",
    );
}

#[test]
fn every_verdict_of_the_seed_example_in_terraform() {
    let r = records("seed-tf");
    seed_verdicts(
        &r,
        [
            "aws_kms_key.cmk_a",
            "aws_kms_key.cmk_b",
            "aws_kms_key.cmk_c",
        ],
        "charlie-encrypt-cmk-a",
    );
}

#[test]
fn human_output() {
    let (status, out, err) = explain(&[]);
    assert_eq!((status, err.as_str()), (0, ""));
    insta::assert_snapshot!("seed_json_human", out);
    // The README shows this output as its example.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!(
            "--key-arn cmk-c.json={}\n{out}```",
            key_arn("cccccccc")
        )),
        "the README's `explain` example is not what `explain` prints"
    );
}

#[test]
fn markdown_output() {
    let (status, out, err) = explain(&["--format", "markdown"]);
    assert_eq!((status, err.as_str()), (0, ""));
    insta::assert_snapshot!("seed_json_markdown", out);
}

#[test]
fn json_output() {
    let (status, out, err) = explain(&["--format", "json", "--key", "cmk-a"]);
    assert_eq!((status, err.as_str()), (0, ""));
    insta::assert_snapshot!("seed_json_json", out);
}

#[test]
fn one_question_in_a_sentence() {
    let (status, out, _) = explain(&[
        "--principal",
        "Charlie",
        "--key",
        "cmk-a",
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(status, 0);
    assert_eq!(
        out,
        "can user/Charlie call kms:Decrypt on cmk-a.json? no: the key policy enables IAM (`Enable IAM User Permissions`), but policy `charlie` allows only `kms:Encrypt`\n"
    );
    let (_, out, _) = explain(&["--principal", "Charlie", "--action", "encrypt"]);
    assert_eq!(
        out,
        "can user/Charlie call kms:Encrypt on cmk-a.json? yes: IAM via root: policy `charlie` (`EncryptWithCmkA`)\n\
         can user/Charlie call kms:Encrypt on cmk-b.json? yes: key policy `AllowBobAndCharlie`\n\
         can user/Charlie call kms:Encrypt on cmk-c.json? no: denied by `DenyBobCharlieDavid`\n"
    );
    // A principal no input names is asked about as given.
    let (_, out, _) = explain(&[
        "--principal",
        "arn:aws:iam::111122223333:role/Batch",
        "--key",
        "cmk-b.json",
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(
        out,
        "can role/Batch call kms:Decrypt on cmk-b.json? no: IAM not enabled in the key policy\n"
    );
}

#[test]
fn usage_errors_stop_with_status_2() {
    for (args, message) in [
        (
            &["--action", "kms:Decrpyt"][..],
            "error: `--action kms:Decrpyt` names no KMS action (did you mean `kms:Decrypt`?)",
        ),
        (
            &["--key", "cmk-z"][..],
            "error: `--key cmk-z`: no such key (keys: `cmk-a.json`, `cmk-b.json`, `cmk-c.json`)",
        ),
        (
            &["--principal", "Zed"][..],
            "error: `--principal Zed`: no such principal in the inputs, and not an ARN",
        ),
        (
            &[
                "--key-arn",
                "cmk-z.json=arn:aws:kms:us-east-1:111122223333:key/zz",
            ][..],
            "error: `--key-arn cmk-z.json=…`: no key named `cmk-z.json`",
        ),
        (
            &["--iam", "arn:aws:iam::111122223333:user/Zed=iam/zed.json"][..],
            "error: iam/zed.json: ",
        ),
        (
            &["--iam", "arn:aws:iam::111122223333:user/Zed=cmk-a.json"][..],
            "error: cmk-a.json: its statements have `Principal`",
        ),
    ] {
        let (status, out, err) = explain(args);
        assert_eq!(status, 2, "{args:?}: {err}");
        assert_eq!(out, "", "{args:?}");
        assert!(err.starts_with(message), "{args:?}: {err}");
    }
}

#[test]
fn grants_from_list_grants_output() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| std::fs::write(dir.path().join(rel), text).unwrap();
    write(
        "key.json",
        r#"{"Version": "2012-10-17", "Statement": [
          {"Sid": "Root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*",
           "Condition": {"StringEquals": {"aws:PrincipalType": "Account"}}}]}"#,
    );
    write(
        "grants.json",
        r#"{"Grants": [
          {"KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234", "GrantId": "abc123",
           "Name": "batch", "GranteePrincipal": "arn:aws:iam::111122223333:role/Batch",
           "Operations": ["Decrypt", "GenerateDataKey"],
           "Constraints": {"EncryptionContextSubset": {"Department": "IT"}}},
          {"KeyId": "arn:aws:kms:us-east-1:111122223333:key/1234", "GrantId": "def456",
           "GranteePrincipal": "arn:aws:iam::111122223333:role/Batch", "Operations": ["Encrypt"]}
        ], "Truncated": false}"#,
    );
    let out = Command::cargo_bin("kmslint")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "explain",
            "--isolated",
            ".",
            "--key-arn",
            "key.json=arn:aws:kms:us-east-1:111122223333:key/1234",
            "--principal",
            "role/Batch",
            "--action",
            "kms:*crypt",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "can role/Batch call kms:Decrypt on key.json? it depends: grant `batch` if `EncryptionContextSubset {\"Department\":\"IT\"}`\n\
         can role/Batch call kms:Encrypt on key.json? yes: grant `def456`\n"
    );
}

#[path = "support/records.rs"]
mod records;
use records::{Records, parse_records};
