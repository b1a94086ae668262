#![cfg(unix)]
#![allow(clippy::unwrap_used)]
//! Hostile places to write to and read from: `--output` never replaces what is not a regular
//! file (a device, a FIFO, a symbolic link) nor a file the run lints, a closed standard input
//! is an error, and a file name that is not UTF-8 keeps its bytes in SARIF. CI runs these as
//! root, which may replace `/dev/null`; so do these tests.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BAD: &str = include_str!("../../examples/group-principal.json");

/// Run kmslint `args` in `dir` without configuration files, killed after a minute (a hang is
/// a failure, not a stuck test run).
fn kmslint(dir: &Path, args: &[&OsStr], stdin: Stdio) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .current_dir(dir)
        .args(["check", "--isolated"])
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait(child)
}

fn wait(mut child: std::process::Child) -> Output {
    // A piped standard input ends here: kmslint reads it to its end.
    drop(child.stdin.take());
    let pid = child.id();
    let (send, receive) = std::sync::mpsc::channel();
    // Read the output while waiting: a SARIF report fills a pipe's buffer.
    std::thread::spawn(move || send.send(child.wait_with_output().unwrap()));
    match receive.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out,
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("kmslint hung");
        }
    }
}

fn os(s: &str) -> &OsStr {
    OsStr::new(s)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder holding `key.json`, a policy with a finding.
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("key.json");
    std::fs::write(&key, BAD).unwrap();
    (dir, key)
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    names
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

#[test]
fn dev_null_stays_a_character_device() {
    let (dir, _) = project();
    let temporary = || {
        listing(Path::new("/dev"))
            .into_iter()
            .filter(|p| p.to_string_lossy().ends_with(".tmp"))
            .collect::<Vec<_>>()
    };
    let before = temporary();
    let out = kmslint(
        dir.path(),
        &[os("--format"), os("sarif"), os("--output"), os("/dev/null")],
        Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let meta = std::fs::symlink_metadata("/dev/null").unwrap();
    assert!(meta.file_type().is_char_device(), "/dev/null was replaced");
    assert_eq!(temporary(), before, "a temporary file was left");
}

#[test]
fn a_fifo_with_a_reader_receives_the_whole_report() {
    let (dir, _) = project();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let expected = kmslint(dir.path(), &[os("--format"), os("json")], Stdio::null());
    assert_eq!(expected.status.code(), Some(1));
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };
    // kmslint refuses to wait for a reader: until the thread has opened the FIFO, it says
    // none is there.
    let deadline = Instant::now() + Duration::from_secs(30);
    let out = loop {
        let out = kmslint(
            dir.path(),
            &[os("--format"), os("json"), os("--output"), fifo.as_os_str()],
            Stdio::null(),
        );
        if !stderr(&out).contains("no process is reading it") || Instant::now() > deadline {
            break out;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let received = reader.join().unwrap();
    assert_eq!(
        String::from_utf8(received).unwrap(),
        String::from_utf8(expected.stdout).unwrap()
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_fifo_without_a_reader_is_an_error_not_a_hang() {
    let (dir, _) = project();
    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let out = kmslint(
        dir.path(),
        &[os("key.json"), os("--output"), os("report.fifo")],
        Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "error: cannot write `report.fifo`: it is a FIFO and no process is reading it (start the reader first)\n"
    );
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn a_symlink_stays_a_link_to_the_new_report() {
    let (dir, _) = project();
    let report = dir.path().join("report.json");
    std::fs::write(&report, "old").unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink("report.json", &link).unwrap();
    let out = kmslint(
        dir.path(),
        &[
            os("key.json"),
            os("--format"),
            os("json"),
            os("--output"),
            os("link.json"),
        ],
        Stdio::null(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("report.json"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(written["diagnostics"][0]["path"], "key.json");
    let names = listing(dir.path());
    assert_eq!(names.len(), 3, "{names:?}");
}

/// Run in `cwd`, refused before anything is written: exit status 2, a message naming the
/// file as the run reached it (`named`), and `file` and its folder as they were.
fn assert_refused(cwd: &Path, args: &[&OsStr], file: &Path, named: &str) -> String {
    let folder = file.parent().unwrap();
    let before = listing(folder);
    let out = kmslint(cwd, args, Stdio::null());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let message = stderr(&out);
    assert!(
        message.contains(&format!(
            " would overwrite `{named}`, a file this run lints: write the report to another file\n"
        )),
        "{message}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read_to_string(file).unwrap(), BAD);
    assert_eq!(listing(folder), before);
    message
}

#[test]
fn the_file_being_linted_is_not_overwritten() {
    let (dir, key) = project();
    let d = dir.path();
    let message = assert_refused(
        d,
        &[os("--output"), os("key.json"), os("key.json")],
        &key,
        "key.json",
    );
    assert_eq!(
        message,
        "error: `--output key.json` would overwrite `key.json`, a file this run lints: write the report to another file\n"
    );
    // An absolute spelling of the output, then of the input, and a link to the file.
    let message = assert_refused(
        d,
        &[os("--output"), key.as_os_str(), os("key.json")],
        &key,
        "key.json",
    );
    assert!(
        message.starts_with(&format!("error: `--output {}` would", key.display())),
        "{message}"
    );
    assert_refused(
        d,
        &[os("--output"), os("key.json"), key.as_os_str()],
        &key,
        &key.display().to_string(),
    );
    std::os::unix::fs::symlink("key.json", d.join("alias.json")).unwrap();
    assert_refused(
        d,
        &[os("--output"), os("alias.json"), os("key.json")],
        &key,
        "key.json",
    );
}

#[test]
fn a_file_found_by_a_walk_is_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("p");
    std::fs::create_dir_all(p.join("d")).unwrap();
    let key = p.join("key.json");
    std::fs::write(&key, BAD).unwrap();
    assert_refused(
        &p,
        &[os("--output"), os("./d/../key.json"), os(".")],
        &key,
        "key.json",
    );
    // From the folder above, through the subfolder: the walk spells the path its way.
    assert_refused(
        dir.path(),
        &[os("--output"), key.as_os_str(), os("p/d/..")],
        &key,
        "p/d/../key.json",
    );
}

#[test]
fn a_closed_standard_input_is_an_error() {
    let (dir, _) = project();
    // `<&-` closes descriptor 0 before kmslint starts.
    let child = Command::new("sh")
        .current_dir(dir.path())
        .args([
            "-c",
            r#"exec "$0" check --isolated - <&-"#,
            env!("CARGO_BIN_EXE_kmslint"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait(child);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(
            "error: -: could not read standard input: it is closed (pipe the text in, or name a file instead of `-`)"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_empty_standard_input_is_not_a_closed_one() {
    let (dir, _) = project();
    for stdin in [Stdio::null(), Stdio::piped()] {
        // `Stdio::null()` is `/dev/null` open for reading; the pipe is empty.
        let out = kmslint(dir.path(), &[os("-")], stdin);
        assert_ne!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(!stderr(&out).contains("closed"), "{}", stderr(&out));
    }
}

#[test]
fn a_file_name_that_is_not_utf8_keeps_its_bytes_in_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("keys")).unwrap();
    let name = OsStr::from_bytes(b"k\xffey.json");
    std::fs::write(d.join("keys").join(name), BAD).unwrap();
    for path in [
        Path::new("keys").to_path_buf(),
        Path::new("keys").join(name),
    ] {
        let out = kmslint(
            d,
            &[os("--format"), os("sarif"), path.as_os_str()],
            Stdio::null(),
        );
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert!(!results.is_empty());
        for r in results {
            let uri = &r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            assert_eq!(uri, "keys/k%FFey.json");
        }
    }
    // JSON has no way to hold the byte: it shows the name as the other formats do.
    let out = kmslint(d, &[os("--format"), os("json"), os("keys")], Stdio::null());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["path"], "keys/k\u{fffd}ey.json");
}
