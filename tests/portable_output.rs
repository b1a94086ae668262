#![allow(clippy::unwrap_used)]
//! No output format carries a path of the machine kmslint was built on: such a link (a
//! `file://` URL into the source tree) is dead on every other machine.

use std::process::Command;

#[test]
fn no_format_names_the_build_directory() {
    let root = env!("CARGO_MANIFEST_DIR");
    for format in ["human", "compact", "json", "sarif", "github", "gitlab"] {
        let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .args(["check", "--isolated", "--format", format, "examples"])
            .current_dir(root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{format}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("KMS002"), "{format}: {text}");
        assert!(
            !text.contains("file://"),
            "{format} has a file:// URL:\n{text}"
        );
        assert!(!text.contains(root), "{format} names {root}:\n{text}");
    }
    for args in [&["rules", "--format", "json"][..], &["rule", "KMS002"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            !text.contains("file://") && !text.contains(root),
            "{args:?}"
        );
    }
}
