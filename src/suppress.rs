//! `[[suppress]]` entries of the configuration: a rule switched off for a path and a
//! statement, with the reason. Each entry remembers whether it suppressed anything, so a run
//! over the whole project can report the stale ones (KMS100 unused-suppression).

use std::sync::atomic::{AtomicBool, Ordering};

use crate::globs::{PathGlob, RelPath};
use crate::rule::Rule;
use crate::tree::Span;

/// One `[[suppress]]` entry.
#[derive(Debug)]
pub struct Suppression {
    pub rule: &'static Rule,
    /// The files it covers (relative to the configuration's folder); `None`: every file.
    pub path: Option<PathGlob>,
    /// The `Sid` of the statement it covers; `None`: every finding in the file.
    pub sid: Option<String>,
    pub reason: String,
    /// The entry's place in the configuration file.
    pub span: Span,
    used: AtomicBool,
    /// A linted file matched `path`.
    matched_file: AtomicBool,
}

impl Suppression {
    pub fn new(
        rule: &'static Rule,
        path: Option<PathGlob>,
        sid: Option<String>,
        reason: String,
        span: Span,
    ) -> Suppression {
        Suppression {
            rule,
            path,
            sid,
            reason,
            span,
            used: AtomicBool::new(false),
            matched_file: AtomicBool::new(false),
        }
    }

    /// Whether it applies to the file at `rel` (relative to the configuration's folder; `None`
    /// for a file outside it, which only entries without `path` cover). Remembers a match.
    pub fn applies_to(&self, rel: Option<&RelPath>) -> bool {
        let applies = match (&self.path, rel) {
            (None, _) => true,
            (Some(glob), Some(rel)) => glob.matches(rel),
            (Some(_), None) => false,
        };
        if applies {
            self.matched_file.store(true, Ordering::Relaxed);
        }
        applies
    }

    /// Whether it covers a finding of `rule` in the statement with `sid`.
    pub fn covers(&self, rule: &Rule, sid: Option<&str>) -> bool {
        self.rule.code == rule.code && self.sid.as_deref().is_none_or(|s| Some(s) == sid)
    }

    pub fn mark_used(&self) {
        self.used.store(true, Ordering::Relaxed);
    }

    pub fn was_used(&self) -> bool {
        self.used.load(Ordering::Relaxed)
    }

    /// Whether this run linted every file the entry can cover: `whole_project` when the run
    /// walked the configuration's folder (or one above it); otherwise only an entry whose
    /// `path` names one file literally, and that file was linted.
    pub fn was_judged(&self, whole_project: bool) -> bool {
        whole_project
            || self
                .path
                .as_ref()
                .is_some_and(|p| p.is_literal() && self.matched_file.load(Ordering::Relaxed))
    }

    /// What the entry covers, for messages: "`KMS003` in `keys/app.json`, statement `Admins`".
    pub fn describe(&self) -> String {
        let mut s = format!("`{}`", self.rule.code);
        match &self.path {
            Some(p) => s.push_str(&format!(" in `{}`", p.pattern)),
            None => s.push_str(" in every file"),
        }
        if let Some(sid) = &self.sid {
            s.push_str(&format!(", statement `{sid}`"));
        }
        s
    }
}
