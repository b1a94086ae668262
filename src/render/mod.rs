//! One small renderer per output format over the same diagnostics.

mod compact;
pub mod fingerprint;
mod github;
mod gitlab;
mod human;
mod json;
pub mod sarif;
pub mod statistics;

use crate::diagnostic::Diagnostic;
use crate::rule::{Rule, Severity};
use crate::source::SourceFile;

pub use human::render_one as render_human_one;

/// The output formats of `kmslint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Reports with the source snippet, labels and help.
    Human,
    /// `path:line:col: severity[CODE] message`, one a line.
    Compact,
    /// One JSON document (schema in the README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
    /// A GitLab Code Quality report.
    Gitlab,
}

/// Counts over a whole run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub policies: usize,
    pub files_with_findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Summary {
    pub fn add(&mut self, diagnostics: &[Diagnostic], policies: usize) {
        self.files += 1;
        self.policies += policies;
        if !diagnostics.is_empty() {
            self.files_with_findings += 1;
        }
        for d in diagnostics {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Info => self.infos += 1,
            }
        }
    }
}

impl Summary {
    /// Findings about a configuration file (it is not a checked file).
    pub fn add_config(&mut self, diagnostics: &[Diagnostic]) {
        let files = self.files;
        let policies = self.policies;
        self.add(diagnostics, 0);
        self.files = files;
        self.policies = policies;
    }
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A format bound to its options.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    pub format: Format,
    pub color: bool,
}

impl Renderer {
    /// Text written before the first file; `rules` are the rules of the run (SARIF lists
    /// their metadata).
    pub fn begin(&self, rules: &[&'static Rule]) -> String {
        match self.format {
            Format::Json => json::begin(),
            Format::Sarif => sarif::begin(rules),
            Format::Gitlab => "[\n".to_string(),
            Format::Human | Format::Compact | Format::Github => String::new(),
        }
    }

    /// One file's diagnostics, rendered (each entry one diagnostic). Runs on worker threads.
    pub fn file(&self, source: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<String> {
        match self.format {
            Format::Human => diagnostics
                .iter()
                .map(|d| human::render_one(source, d, self.color))
                .collect(),
            Format::Compact => diagnostics
                .iter()
                .map(|d| compact::render(source, d))
                .collect(),
            Format::Json => diagnostics
                .iter()
                .map(|d| json::render(source, d))
                .collect(),
            Format::Github => diagnostics
                .iter()
                .map(|d| github::render(source, d))
                .collect(),
            Format::Sarif => {
                let fingerprints = fingerprint::fingerprints(source, diagnostics);
                diagnostics
                    .iter()
                    .zip(&fingerprints)
                    .map(|(d, f)| sarif::render(source, d, f))
                    .collect()
            }
            Format::Gitlab => {
                let fingerprints = fingerprint::fingerprints(source, diagnostics);
                diagnostics
                    .iter()
                    .zip(&fingerprints)
                    .map(|(d, f)| gitlab::render(source, d, f))
                    .collect()
            }
        }
    }

    /// What goes between two entries.
    pub fn separator(&self) -> &'static str {
        match self.format {
            Format::Json | Format::Gitlab | Format::Sarif => ",\n",
            Format::Human | Format::Compact | Format::Github => "",
        }
    }

    /// Text written after the last file.
    pub fn end(&self, summary: &Summary, entries: usize) -> String {
        match self.format {
            Format::Human => human::summary(summary, self.color),
            Format::Compact | Format::Github => String::new(),
            Format::Json => json::end(summary, entries),
            Format::Sarif => sarif::end(entries),
            Format::Gitlab => if entries > 0 { "\n]\n" } else { "]\n" }.to_string(),
        }
    }
}
