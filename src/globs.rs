//! Path globs of the configuration and the command line (`exclude`, `per-file-ignores`,
//! `[[suppress]]` paths), matched the way ruff matches its `exclude`: a pattern without `/`
//! matches a file or folder name at any depth (`vendor`, `*.generated.json`); a pattern with
//! `/` matches the path relative to the folder of the configuration file (`legacy/*.json`,
//! `stacks/**/dev-*.yaml`). `*` does not cross `/`; `**` does. A folder that matches takes
//! everything below it along.

pub use crate::paths::absolute;
use std::path::Path;

use globset::{Glob, GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};

/// One glob, as written and compiled.
#[derive(Debug, Clone)]
pub struct PathGlob {
    pub pattern: String,
    /// Matched against single names when the pattern has no `/`.
    name_only: bool,
    glob: Glob,
    matcher: GlobMatcher,
}

impl PathGlob {
    /// Compile a pattern; the error says what is wrong with it.
    pub fn new(pattern: &str) -> Result<PathGlob, String> {
        let trimmed = pattern.trim();
        let normal = trimmed
            .strip_prefix("./")
            .unwrap_or(trimmed)
            .trim_start_matches('/')
            .trim_end_matches('/');
        if normal.is_empty() {
            return Err(format!("the glob `{pattern}` is empty: it matches nothing"));
        }
        let glob = GlobBuilder::new(normal)
            .literal_separator(true)
            .backslash_escape(true)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid glob: {}", e.kind()))?;
        Ok(PathGlob {
            pattern: pattern.to_string(),
            // `/vendor` and `./vendor` are anchored at the base; `vendor/` is any folder.
            name_only: !trimmed.starts_with('/')
                && !trimmed.starts_with("./")
                && !trimmed.trim_end_matches('/').contains('/'),
            matcher: glob.compile_matcher(),
            glob,
        })
    }

    /// Whether the pattern names one path literally (no wildcards).
    pub fn is_literal(&self) -> bool {
        !self.name_only && !self.glob.glob().contains(['*', '?', '[', '{', '\\'])
    }

    /// Whether the file at `rel` (or a folder above it, up to the base) matches.
    pub fn matches(&self, rel: &RelPath) -> bool {
        if self.name_only {
            rel.names().any(|n| self.matcher.is_match(n))
        } else {
            rel.prefixes().any(|p| self.matcher.is_match(p))
        }
    }
}

/// Many globs, compiled into two sets for speed: name patterns and path patterns.
#[derive(Debug, Clone, Default)]
pub struct GlobList {
    pub globs: Vec<PathGlob>,
    names: GlobSet,
    paths: GlobSet,
}

impl GlobList {
    pub fn new(globs: Vec<PathGlob>) -> GlobList {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for g in &globs {
            if g.name_only {
                names.add(g.glob.clone());
            } else {
                paths.add(g.glob.clone());
            }
        }
        GlobList {
            names: names.build().unwrap_or_default(),
            paths: paths.build().unwrap_or_default(),
            globs,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.globs.is_empty()
    }

    /// Whether the path itself matches (its folders are not looked at: a walk has already
    /// pruned excluded folders).
    pub fn matches_self(&self, rel: &RelPath) -> bool {
        rel.name().is_some_and(|n| self.names.is_match(n)) || self.paths.is_match(rel.as_str())
    }

    /// Whether the path or a folder above it (up to the base) matches.
    pub fn matches(&self, rel: &RelPath) -> bool {
        rel.names().any(|n| self.names.is_match(n))
            || rel.prefixes().any(|p| self.paths.is_match(p))
    }
}

/// A path relative to a base folder, with `/` separators and no `.` or `..` parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelPath(String);

impl RelPath {
    /// `path` relative to `base` (both absolute and normalized); `None` outside the base.
    pub fn new(path: &Path, base: &Path) -> Option<RelPath> {
        let rest = path.strip_prefix(base).ok()?;
        let parts: Vec<String> = rest
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(RelPath(parts.join("/")))
    }

    /// A path of one name (for a path outside the base: name patterns still apply).
    pub fn from_name(name: &str) -> RelPath {
        RelPath(name.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The last name.
    pub fn name(&self) -> Option<&str> {
        self.0.rsplit('/').next().filter(|n| !n.is_empty())
    }

    /// Every name of the path: `a`, `b`, `c.json` for `a/b/c.json`.
    fn names(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|n| !n.is_empty())
    }

    /// Every leading part of the path: `a`, `a/b`, `a/b/c.json`.
    fn prefixes(&self) -> impl Iterator<Item = &str> {
        let s = self.0.as_str();
        s.match_indices('/')
            .map(move |(i, _)| &s[..i])
            .chain(std::iter::once(s))
            .filter(|p| !p.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(s: &str) -> RelPath {
        RelPath(s.to_string())
    }

    fn list(patterns: &[&str]) -> GlobList {
        GlobList::new(patterns.iter().map(|p| PathGlob::new(p).unwrap()).collect())
    }

    #[test]
    fn names_match_at_any_depth_and_paths_from_the_base() {
        let l = list(&[
            "vendor",
            "*.generated.json",
            "legacy/*.json",
            "/stacks/**/dev-*.yaml",
        ]);
        assert!(l.matches(&rel("vendor/a/policy.json")));
        assert!(l.matches(&rel("x/vendor/policy.json")));
        assert!(l.matches(&rel("keys/a.generated.json")));
        assert!(l.matches(&rel("legacy/old.json")));
        assert!(!l.matches(&rel("x/legacy/old.json")));
        assert!(!l.matches(&rel("legacy/sub/old.json")));
        assert!(l.matches(&rel("stacks/eu/west/dev-key.yaml")));
        assert!(l.matches(&rel("stacks/dev-key.yaml")));
        assert!(!l.matches(&rel("stacks/prod-key.yaml")));
        assert!(!l.matches(&rel("keys/vendored.json")));
    }

    #[test]
    fn matching_a_folder_takes_its_contents_but_matches_self_does_not() {
        let l = list(&["legacy/*"]);
        assert!(l.matches(&rel("legacy/sub/deep.json")));
        assert!(!l.matches_self(&rel("legacy/sub/deep.json")));
        assert!(l.matches_self(&rel("legacy/sub")));
    }

    #[test]
    fn bad_globs_are_errors_and_literals_are_known() {
        assert_eq!(
            PathGlob::new("keys/[a.json").unwrap_err(),
            "`keys/[a.json` is not a valid glob: unclosed character class; missing ']'"
        );
        assert!(PathGlob::new(" / ").is_err());
        assert!(PathGlob::new("keys/app.json").unwrap().is_literal());
        assert!(PathGlob::new("./app.json").unwrap().is_literal());
        assert!(!PathGlob::new("app.json").unwrap().is_literal());
        assert!(!PathGlob::new("keys/*.json").unwrap().is_literal());
    }

    #[test]
    fn relative_paths_and_normalization() {
        let base = Path::new("/repo");
        assert_eq!(
            RelPath::new(&absolute(Path::new("/repo/a/../b/./c.json")), base),
            Some(rel("b/c.json"))
        );
        assert_eq!(RelPath::new(Path::new("/other/c.json"), base), None);
    }
}
