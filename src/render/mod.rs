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
use crate::rule::{Applicability, RuleRef, Severity};
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

/// Counts over a whole run, and what the run could not check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub policies: usize,
    pub files_with_findings: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Keys whose policy could not be read.
    pub notes: Vec<Note>,
    /// Files named on the command line that hold no key policy.
    pub no_key_policy: Vec<String>,
    /// Findings fixed in this run (`--fix`).
    pub fixed: usize,
    /// Findings left with a safe fix (`--fix` would fix them).
    pub fixable: usize,
    /// Findings left with an unsafe fix only (`--unsafe-fixes` would fix them).
    pub fixable_unsafe: usize,
    /// Files and folders that could not be read (nothing in them was checked).
    pub io_errors: Vec<IoError>,
}

/// A file or folder that could not be read: a missing file, a permission denied, a read or
/// walk error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IoError {
    /// The path as shown: relative, with `/` separators.
    pub path: String,
    /// What went wrong, without the path (`No such file or directory (os error 2)`).
    pub message: String,
}

impl IoError {
    /// The error with its path, for formats that show it away from the file: could not read
    /// `keys/app.json`: Permission denied (os error 13).
    pub fn text(&self) -> String {
        format!("could not read `{}`: {}", self.path, self.message)
    }
}

/// A key whose policy kmslint could not read, where the key is and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub path: String,
    pub policy: String,
    pub reason: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Note {
    pub fn not_analysed(source: &SourceFile, n: &crate::extract::NotAnalysed) -> Note {
        let (start, end) = (source.line_col(n.span.start), source.line_col(n.span.end));
        Note {
            path: source.path.clone(),
            policy: n.policy.clone(),
            reason: n.reason.clone(),
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }

    /// `aws_kms_key.logs in main.tf:12:12: policy comes from var.policy`.
    pub fn text(&self) -> String {
        format!(
            "`{}` in {}:{}:{}: {}",
            self.policy, self.path, self.line, self.column, self.reason
        )
    }
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
            match d.fix.as_ref().map(|f| f.applicability) {
                Some(Applicability::Safe) => self.fixable += 1,
                Some(Applicability::Unsafe) => self.fixable_unsafe += 1,
                None => {}
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

/// `1 error`, `2 errors`, `2 fixes`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else if word.ends_with(['s', 'x']) || word.ends_with("sh") || word.ends_with("ch") {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

/// One file's diagnostics, rendered: the entries written one after the other, with the
/// format's separator between them.
#[derive(Debug, Default)]
pub struct Entries {
    pub text: String,
    /// How many entries `text` holds.
    pub count: usize,
}

impl Entries {
    /// Append one entry, rendered by `render`, after `separator` unless it is the first.
    fn push(&mut self, separator: &str, render: impl FnOnce(&mut String)) {
        if self.count > 0 {
            self.text.push_str(separator);
        }
        render(&mut self.text);
        self.count += 1;
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
    pub fn begin(&self, rules: &[RuleRef]) -> String {
        match self.format {
            Format::Json => json::begin(),
            Format::Sarif => sarif::begin(rules),
            Format::Gitlab => "[\n".to_string(),
            Format::Human | Format::Compact | Format::Github => String::new(),
        }
    }

    /// One file's diagnostics, rendered (each entry one diagnostic) into one text. Runs on
    /// worker threads.
    pub fn file(&self, source: &SourceFile, diagnostics: &[Diagnostic]) -> Entries {
        let mut entries = Entries::default();
        let separator = self.separator();
        match self.format {
            Format::Human => {
                let mut decodings = human::Decodings::default();
                for d in diagnostics {
                    let text = human::render_with(source, d, self.color, &mut decodings);
                    entries.push(separator, |out| out.push_str(&text));
                }
            }
            Format::Compact => {
                for d in diagnostics {
                    entries.push(separator, |out| out.push_str(&compact::render(source, d)));
                }
            }
            Format::Json => {
                entries.text.reserve(diagnostics.len() * 768);
                for d in diagnostics {
                    entries.push(separator, |out| json::render_into(out, source, d));
                }
            }
            Format::Github => {
                for d in diagnostics {
                    entries.push(separator, |out| out.push_str(&github::render(source, d)));
                }
            }
            Format::Sarif => {
                let fingerprints = fingerprint::fingerprints(source, diagnostics);
                for (d, f) in diagnostics.iter().zip(&fingerprints) {
                    entries.push(separator, |out| out.push_str(&sarif::render(source, d, f)));
                }
            }
            Format::Gitlab => {
                let fingerprints = fingerprint::fingerprints(source, diagnostics);
                for (d, f) in diagnostics.iter().zip(&fingerprints) {
                    entries.push(separator, |out| out.push_str(&gitlab::render(source, d, f)));
                }
            }
        }
        entries
    }

    /// What goes between two entries.
    pub fn separator(&self) -> &'static str {
        match self.format {
            Format::Json | Format::Gitlab | Format::Sarif => ",\n",
            Format::Human | Format::Compact | Format::Github => "",
        }
    }

    /// Text written after the last file: the summary, with the files that could not be read
    /// and the keys not analysed.
    pub fn end(&self, summary: &Summary, entries: usize) -> String {
        match self.format {
            Format::Human => human::summary(summary, self.color),
            Format::Compact => {
                let io = summary
                    .io_errors
                    .iter()
                    .map(|e| format!("{}: error[io] {}\n", e.path, e.message));
                let notes = summary.notes.iter().map(|n| {
                    format!(
                        "{}:{}:{}: note[not-analysed] key policy of `{}` not analysed: {}\n",
                        n.path, n.line, n.column, n.policy, n.reason
                    )
                });
                io.chain(notes).collect()
            }
            Format::Github => summary
                .io_errors
                .iter()
                .map(github::io_error)
                .chain(summary.notes.iter().map(github::note))
                .collect(),
            Format::Json => json::end(summary, entries),
            Format::Sarif => sarif::end(summary, entries),
            Format::Gitlab => gitlab::end(summary, entries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::plural;

    #[test]
    fn plurals_of_the_words_the_summaries_count() {
        assert_eq!(plural(1, "fix"), "1 fix");
        assert_eq!(plural(4, "fix"), "4 fixes");
        assert_eq!(plural(2, "file"), "2 files");
        assert_eq!(plural(0, "finding"), "0 findings");
    }
}
