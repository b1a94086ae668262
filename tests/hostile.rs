#![allow(clippy::unwrap_used)]
//! Hostile inputs: each gives a diagnostic or a clear error naming the file, never a panic,
//! hang or unbounded memory, and the other files are still linted.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

const GOOD: &str = "examples/group-principal.json";

/// Run kmslint on `paths` plus a known-bad example. The generous time limit catches hangs and
/// quadratic blow-ups, not speed (benchmarks measure that).
fn run_with_example(paths: &[&Path]) -> Output {
    let mut cmd = Command::cargo_bin("kmslint").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", "compact"])
        .args(paths)
        .arg(GOOD)
        .timeout(Duration::from_secs(180));
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("group-principal.json:15:28: error[KMS002]"),
        "the other file was not linted:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.code().is_some(), "killed by a signal");
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn ten_thousand_levels_of_nesting() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("deep.json");
    std::fs::write(&p, format!("{}{}", "[".repeat(10_000), "]".repeat(10_000))).unwrap();
    let o = run_with_example(&[&p]);
    assert!(
        stdout(&o).contains("deep.json:1:257: error[KMS010] nesting deeper than 256 levels"),
        "{}",
        stdout(&o)
    );
    let y = dir.path().join("deep.yaml");
    std::fs::write(
        &y,
        format!("Resources: {}{}", "[".repeat(10_000), "]".repeat(10_000)),
    )
    .unwrap();
    let o = run_with_example(&[&y]);
    assert!(stdout(&o).contains("deep.yaml:1:"), "{}", stdout(&o));
}

#[test]
fn a_100_mb_file_is_refused_with_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("huge.json");
    let f = std::fs::File::create(&p).unwrap();
    f.set_len(100 * 1024 * 1024).unwrap();
    let o = run_with_example(&[&p]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("huge.json: the file is 100.0 MiB, larger than the 16 MiB limit"),
        "{err}"
    );
}

#[test]
fn invalid_utf8_nul_bytes_and_binary_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("latin1.json");
    std::fs::write(&bad, b"{\"Statement\": [{\"Sid\": \"caf\xe9\"}]}").unwrap();
    let nul = dir.path().join("nul.json");
    std::fs::write(&nul, b"{\"Statement\": [\0]}").unwrap();
    let bin = dir.path().join("image.json");
    std::fs::write(&bin, (0..=255u8).cycle().take(4096).collect::<Vec<u8>>()).unwrap();
    let o = run_with_example(&[&bad, &nul, &bin]);
    let out = stdout(&o);
    assert!(
        out.contains("latin1.json:1:28: error[KMS010] the file is not valid UTF-8"),
        "{out}"
    );
    assert!(
        out.contains("nul.json:1:16: error[KMS010] expected a JSON value, found a NUL byte"),
        "{out}"
    );
    assert!(
        out.contains("image.json:2:118: error[KMS010] the file is not valid UTF-8"),
        "{out}"
    );
}

#[test]
fn binary_files_in_a_walk_are_skipped_silently() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("blob.json"),
        (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
    )
    .unwrap();
    std::fs::write(dir.path().join("blob.yaml"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    std::fs::write(dir.path().join("blob.tf"), [0xffu8, 0xfe, 0, 0]).unwrap();
    let o = run_with_example(&[dir.path()]);
    assert_eq!(stdout(&o).lines().count(), 1, "{}", stdout(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
}

#[test]
fn huge_strings_and_arrays() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("big.json");
    let sid = "x".repeat(8 * 1024 * 1024);
    let actions = vec!["\"kms:Decrypt\""; 200_000].join(",");
    std::fs::write(
        &p,
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R"}}, "Action": [{actions}], "Resource": "*"}}]}}"#
        ),
    )
    .unwrap();
    let o = run_with_example(&[&p]);
    let out = stdout(&o);
    assert!(
        out.contains("big.json:1:1: error[KMS023]") || out.contains("big.json:1:27: error[KMS023]"),
        "{out}"
    );
}

#[test]
fn many_statements_do_not_take_quadratic_time() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("many.json");
    let statements: Vec<String> = (0..20_000)
        .map(|i| {
            format!(
                r#"{{"Sid": "S{i}", "Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:role/R{i}"}}, "Action": ["kms:Create*", "kms:Put*"], "Resource": "*"}}"#
            )
        })
        .collect();
    std::fs::write(
        &p,
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            statements.join(",")
        ),
    )
    .unwrap();
    let o = run_with_example(&[&p]);
    assert!(stdout(&o).contains("many.json:1:"), "{}", stdout(&o));
}

#[test]
fn pathological_wildcards() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("wild.json");
    let pattern = format!("kms:{}b", "*a".repeat(20_000));
    std::fs::write(
        &p,
        format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", "Principal": {{"AWS": "arn:aws:iam::111122223333:root"}}, "Action": ["kms:*", "kms:*a*a*a*a*a*a*b", "{pattern}"], "Resource": "*"}}]}}"#),
    )
    .unwrap();
    let o = run_with_example(&[&p]);
    assert!(
        stdout(&o).contains("error[KMS018] `kms:*a*a*a*a*a*a*b`"),
        "{}",
        stdout(&o)
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_dangling_links_fifos_and_directories_named_like_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::os::unix::fs::symlink(d.join("loop-b.json"), d.join("loop-a.json")).unwrap();
    std::os::unix::fs::symlink(d.join("loop-a.json"), d.join("loop-b.json")).unwrap();
    std::os::unix::fs::symlink(d, d.join("sub")).unwrap();
    std::os::unix::fs::symlink(d.join("missing.json"), d.join("dangling.json")).unwrap();
    std::fs::create_dir(d.join("dir.json")).unwrap();
    let fifo = d.join("pipe.json");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    // Walking the directory: links are not followed, the FIFO is not opened.
    let o = run_with_example(&[d]);
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    // Named explicitly: each is a clear error, and the run still finishes.
    let o = run_with_example(&[
        &d.join("loop-a.json"),
        &d.join("dangling.json"),
        &d.join("pipe.json"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("loop-a.json: "), "{err}");
    assert!(err.contains("dangling.json: "), "{err}");
    assert!(err.contains("pipe.json: not a regular file"), "{err}");
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_an_error_not_a_crash() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("secret.json");
    std::fs::write(&p, "{}").unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads anything: then the file is simply linted (and holds no policy).
    let readable = std::fs::read(&p).is_ok();
    let o = run_with_example(&[&p]);
    if readable {
        assert!(stderr(&o).is_empty(), "{}", stderr(&o));
    } else {
        assert_eq!(o.status.code(), Some(2));
        assert!(
            stderr(&o).contains("secret.json: Permission denied"),
            "{}",
            stderr(&o)
        );
    }
}
