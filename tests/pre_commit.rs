//! The pre-commit hook of `.pre-commit-hooks.yaml`, end to end with the real pre-commit:
//! `.ci/pre-commit-test` makes a scratch repository that uses this checkout's hook, which must
//! fail on a key policy with a group principal and pass once it is fixed. Needs `pre-commit`
//! and git, so plain `cargo test` skips it; `.ci/run` installs pre-commit and runs it with
//! `cargo test --test pre_commit -- --ignored`.

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs pre-commit: python3 -m pip install 'pre-commit>=4,<5'"]
fn pre_commit_hook_fails_on_a_bad_policy_and_passes_when_fixed() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/pre-commit-test");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .expect("bash runs .ci/pre-commit-test");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{} failed ({}):\n{stdout}\n{stderr}",
        script.display(),
        out.status
    );
    assert!(
        stdout.contains("pre-commit end-to-end: 2 passed, 0 failed"),
        "{stdout}\n{stderr}"
    );
}
