#![allow(clippy::unwrap_used)]
//! Every pinned snapshot belongs to a test that still asserts it: `tests/snapshots/FILE__NAME.snap`
//! must be named in `tests/FILE.rs`, so a removed or renamed test cannot leave a stale one.

use std::path::Path;

#[test]
fn no_orphaned_snapshots() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(tests.join("snapshots")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".snap") else {
            orphans.push(format!("{name} (not a .snap file)"));
            continue;
        };
        let Some((file, snapshot)) = stem.split_once("__") else {
            orphans.push(name);
            continue;
        };
        let source = std::fs::read_to_string(tests.join(format!("{file}.rs"))).unwrap_or_default();
        if !source.contains(&format!("\"{snapshot}\"")) {
            orphans.push(name);
        }
    }
    assert!(orphans.is_empty(), "snapshots no test asserts: {orphans:?}");
}
