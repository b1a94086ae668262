#![allow(clippy::unwrap_used)]
//! Releases are tag-ready: `Cargo.toml`'s version is the newest version of CHANGELOG.md, and
//! every install snippet of the README pins that version's tag (CONTRIBUTING.md, "Releasing").

use std::path::Path;

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name)).unwrap()
}

/// `X.Y.Z` as numbers, if it is one.
fn version(text: &str) -> Option<(u64, u64, u64)> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    let v = (parts.next()??, parts.next()??, parts.next()??);
    parts.next().is_none().then_some(v)
}

/// The versions of CHANGELOG.md's `## X.Y.Z - YYYY-MM-DD` headings, in order, and whether an
/// `## Unreleased` heading comes first.
fn changelog_versions(changelog: &str) -> (bool, Vec<String>) {
    let headings: Vec<&str> = changelog
        .lines()
        .filter_map(|l| l.strip_prefix("## "))
        .collect();
    let unreleased = headings.first() == Some(&"Unreleased");
    let mut versions = Vec::new();
    for h in headings.iter().skip(usize::from(unreleased)) {
        let Some((v, date)) = h.split_once(" - ") else {
            panic!("CHANGELOG.md heading `## {h}` is not `## X.Y.Z - YYYY-MM-DD`");
        };
        assert!(version(v).is_some(), "`{v}` in CHANGELOG.md is not X.Y.Z");
        let d: Vec<&str> = date.split('-').collect();
        assert!(
            d.len() == 3
                && d[0].len() == 4
                && d[1].len() == 2
                && d[2].len() == 2
                && d.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
            "`{date}` in CHANGELOG.md is not YYYY-MM-DD"
        );
        versions.push(v.to_string());
    }
    (unreleased, versions)
}

fn cargo_version() -> String {
    let manifest = read("Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.starts_with("version = "))
        .unwrap();
    line.trim_start_matches("version = ")
        .trim_matches('"')
        .to_string()
}

#[test]
fn cargo_version_is_the_newest_changelog_version() {
    let (_, versions) = changelog_versions(&read("CHANGELOG.md"));
    assert!(
        !versions.is_empty(),
        "CHANGELOG.md has no `## X.Y.Z - YYYY-MM-DD` section"
    );
    let newest: Vec<_> = versions.iter().map(|v| version(v).unwrap()).collect();
    assert!(
        newest.windows(2).all(|w| w[0] > w[1]),
        "CHANGELOG.md's versions are not newest first: {versions:?}"
    );
    assert_eq!(
        cargo_version(),
        versions[0],
        "Cargo.toml's version is not CHANGELOG.md's newest: bump one or the other"
    );
}

#[test]
fn readme_snippets_pin_the_release_tag() {
    let tag = format!("v{}", cargo_version());
    let readme = read("README.md");
    let installs: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("cargo install") && l.contains("--git"))
        .collect();
    assert!(
        !installs.is_empty(),
        "the README installs kmslint from Git nowhere"
    );
    for line in installs {
        assert!(
            line.contains(&format!("--tag {tag}")),
            "this README line does not pin `--tag {tag}`: {line}"
        );
    }
    let revs: Vec<&str> = readme
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("rev: "))
        .collect();
    assert!(
        !revs.is_empty(),
        "the README's pre-commit snippet has no `rev:`"
    );
    for rev in revs {
        assert!(
            rev.starts_with(&format!("rev: {tag}")),
            "this pre-commit `rev:` is not `{tag}`: {rev}"
        );
    }
}

/// The checks above reject what they should.
#[test]
fn malformed_changelogs_are_seen() {
    assert_eq!(
        changelog_versions(
            "# Changelog\n\n## Unreleased\n\n## 0.2.0 - 2026-12-01\n\n## 0.1.0 - 2026-11-30\n"
        ),
        (true, vec!["0.2.0".to_string(), "0.1.0".to_string()])
    );
    assert!(std::panic::catch_unwind(|| changelog_versions("## 0.1 - 2026-11-30\n")).is_err());
    assert!(std::panic::catch_unwind(|| changelog_versions("## 0.1.0\n")).is_err());
    assert!(std::panic::catch_unwind(|| changelog_versions("## 0.1.0 - 30.11.2026\n")).is_err());
    assert_eq!(version("1.2.3"), Some((1, 2, 3)));
    assert_eq!(version("1.2"), None);
    assert_eq!(version("1.2.3.4"), None);
}
