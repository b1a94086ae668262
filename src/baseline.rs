//! Writing `[[suppress]]` entries into configuration files.
//!
//! - `check --add-suppressions` (a baseline): every finding of the run gets an entry in the
//!   configuration that governs its file (rule, path from the configuration's folder, the
//!   `Sid` of its statement when it has one), appended at the end of the file, or in a new
//!   `kmslint.toml` when no configuration governs the file. Entries are made once per rule,
//!   path and `Sid`, and not when the configuration has the same entry already.
//! - `check --fix` and `--diff` on a configuration: KMS100's fix removes a stale entry.
//!
//! Every new text is read back as a configuration before it is written; writes replace the
//! file at once (a new file is created only where none is).

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{self, CONFIG_NAMES, Config, NewSuppression};
use crate::diagnostic::Diagnostic;
use crate::fixer;
use crate::globs::{RelPath, absolute};
use crate::paths::display_path;
use crate::project::Project;
use crate::rule::Edit;
use crate::settings::Suppression;
use crate::source::SourceFile;
use crate::tree::Span;

/// The reason of baseline entries when `--reason` does not give one.
pub const DEFAULT_REASON: &str = "baseline: existing finding";

/// The name of a configuration file a baseline creates.
const NEW_CONFIG: &str = CONFIG_NAMES[1];

/// The entries a baseline adds to one configuration file.
#[derive(Debug)]
struct Target {
    /// The file (absolute when created here, as the configuration was read otherwise).
    path: PathBuf,
    /// How messages name it.
    display: String,
    /// The folder entry paths are relative to (absolute).
    dir: PathBuf,
    /// The entries the file has: `None` when there is no file yet.
    existing: Option<Vec<Arc<Suppression>>>,
    entries: Vec<NewSuppression>,
    /// Rule, path and `Sid` of each entry, to make each once.
    seen: HashSet<(String, String, Option<String>)>,
    /// How many findings the entries suppress.
    findings: usize,
}

/// What a baseline wrote to one configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub display: String,
    pub entries: usize,
    pub findings: usize,
    pub created: bool,
}

impl Written {
    /// `added 2 `[[suppress]]` entries (3 findings) to `kmslint.toml``.
    pub fn text(&self) -> String {
        let entries = count(
            self.entries,
            "`[[suppress]]` entry",
            "`[[suppress]]` entries",
        );
        let findings = count(self.findings, "finding", "findings");
        if self.created {
            format!("created `{}` with {entries} ({findings})", self.display)
        } else {
            format!("added {entries} ({findings}) to `{}`", self.display)
        }
    }
}

/// `1 finding`, `2 findings`.
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The entries of a `--add-suppressions` run, gathered file by file and written at its end.
#[derive(Debug)]
pub struct Baseline<'p> {
    project: &'p Project,
    reason: String,
    /// The configuration files entries go to, in the order met.
    targets: Vec<Target>,
}

impl<'p> Baseline<'p> {
    pub fn new(project: &'p Project, reason: &str) -> Self {
        Baseline {
            project,
            reason: reason.to_string(),
            targets: Vec::new(),
        }
    }

    /// Take the findings of one linted file; returns those no entry can express: all of them
    /// for a file outside the folder of the configuration that governs it (`--config` in
    /// another folder), or that is not a file (standard input).
    pub fn add(&mut self, source: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
        if diagnostics.is_empty() {
            return Vec::new();
        }
        let Some(fs_path) = source.fs_path.as_deref() else {
            return diagnostics.to_vec();
        };
        let file = absolute(fs_path);
        let Some(i) = self.target_for(fs_path, &file) else {
            return diagnostics.to_vec();
        };
        let target = &mut self.targets[i];
        let Some(rel) = RelPath::new(&file, &target.dir) else {
            return diagnostics.to_vec();
        };
        let path = config::path_glob(rel.as_str());
        for d in diagnostics {
            let entry = NewSuppression {
                rule: d.rule.code().to_string(),
                path: path.clone(),
                sid: d.sid.clone(),
                reason: self.reason.clone(),
            };
            target.findings += 1;
            let there = target.existing.iter().flatten().any(|s| entry.is(s));
            let key = (entry.rule.clone(), entry.path.clone(), entry.sid.clone());
            if !there && target.seen.insert(key) {
                target.entries.push(entry);
            }
        }
        Vec::new()
    }

    /// The target for a file: the configuration that governs it, or a new `kmslint.toml` in
    /// the working folder (in the file's folder when it is outside the working folder).
    fn target_for(&mut self, fs_path: &Path, file: &Path) -> Option<usize> {
        let scope = self.project.scope_for(fs_path);
        let (path, display, dir, existing) = match &scope.config {
            Some(c) => (
                c.source.fs_path.clone()?,
                c.source.path.clone(),
                c.dir.clone(),
                Some(c.suppressions.clone()),
            ),
            None => {
                let cwd = absolute(Path::new("."));
                let dir = if file.starts_with(&cwd) {
                    cwd.clone()
                } else {
                    file.parent()?.to_path_buf()
                };
                let path = dir.join(NEW_CONFIG);
                let shown = path.strip_prefix(&cwd).unwrap_or(&path);
                (path.clone(), display_path(shown), dir, None)
            }
        };
        if let Some(i) = self.targets.iter().position(|t| t.path == path) {
            return Some(i);
        }
        self.targets.push(Target {
            path,
            display,
            dir,
            existing,
            entries: Vec::new(),
            seen: HashSet::new(),
            findings: 0,
        });
        Some(self.targets.len() - 1)
    }

    /// How many findings the entries gathered so far accept.
    pub fn findings(&self) -> usize {
        self.targets.iter().map(|t| t.findings).sum()
    }

    /// Write the entries: appended to each configuration file, or in a new one. What was
    /// written to each file, and the errors of those that could not be written.
    pub fn write(self) -> (Vec<Written>, Vec<String>) {
        let mut written = Vec::new();
        let mut errors = Vec::new();
        for t in self.targets {
            if t.entries.is_empty() {
                continue;
            }
            match write_target(&t) {
                Ok(()) => written.push(Written {
                    display: t.display.clone(),
                    entries: t.entries.len(),
                    findings: t.findings,
                    created: t.existing.is_none(),
                }),
                Err(e) => errors.push(format!("{}: {e}", t.display)),
            }
        }
        (written, errors)
    }
}

/// The entries' TOML: one table each, a blank line between them.
fn entries_toml(entries: &[NewSuppression]) -> String {
    entries
        .iter()
        .map(NewSuppression::toml)
        .collect::<Vec<_>>()
        .join("\n")
}

fn write_target(t: &Target) -> Result<(), String> {
    let lines = entries_toml(&t.entries);
    match &t.existing {
        Some(existing) => {
            let (bom, text) = read_text(&t.path)?;
            let new_text = config::appended(&text, &lines);
            check(t, &new_text, existing.len() + t.entries.len())?;
            crate::output::replace_file(&t.path, &with_bom(bom, &new_text))
        }
        None => {
            check(t, &lines, t.entries.len())?;
            create_file(&t.path, lines.as_bytes())
        }
    }
}

/// Whether `text` is a configuration with `entries` `[[suppress]]` entries.
fn check(t: &Target, text: &str, entries: usize) -> Result<(), String> {
    let source = SourceFile::new(t.display.clone(), Some(t.path.clone()), text.to_string());
    match config::parse(source, t.dir.clone()) {
        Ok(c) if c.suppressions.len() == entries => Ok(()),
        Ok(_) => Err("the entries could not be added: the file would not hold them".to_string()),
        Err(e) => Err(format!("the entries could not be added: {e}")),
    }
}

/// A file's text, and whether it starts with a byte-order mark (not in the text).
fn read_text(path: &Path) -> Result<(bool, String), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read it: {e}"))?;
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Ok((true, rest.to_string())),
        None => Ok((false, text)),
    }
}

fn with_bom(bom: bool, text: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(text.len() + 3);
    if bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    bytes.extend_from_slice(text.as_bytes());
    bytes
}

/// Create a file that does not exist, whole or not at all.
fn create_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot create it: {e}");
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".kmslint.toml.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| cannot(&e))?;
    temp.write_all(bytes).map_err(|e| cannot(&e))?;
    temp.as_file().sync_all().map_err(|e| cannot(&e))?;
    temp.persist_noclobber(path).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// A configuration file with the fixes of its findings (stale entries removed) applied.
#[derive(Debug)]
pub struct FixedConfig {
    pub text: String,
    /// The findings the fixes resolved, by index.
    pub fixed: Vec<usize>,
}

/// Apply the fixes of a configuration's findings that a run asks for (`unsafe_fixes`: unsafe
/// ones too): their edits made together (deletions that touch are merged; another edit that
/// touches one made is left out), and the result kept only when it is a configuration with
/// one entry fewer per fix. `None` when there is nothing to fix or the result is not kept.
pub fn fix_config(
    config: &Config,
    diagnostics: &[Diagnostic],
    unsafe_fixes: bool,
) -> Option<FixedConfig> {
    let mut chosen: Vec<(usize, &Edit)> = diagnostics
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Some((i, d.fix.as_ref()?)))
        .filter(|(_, f)| fixer::wanted(f, unsafe_fixes) && f.edits.len() == 1)
        .filter_map(|(i, f)| Some((i, f.edits.first()?)))
        .collect();
    chosen.sort_by_key(|(_, e)| (e.span.start, e.span.end));
    let mut edits: Vec<Edit> = Vec::new();
    let mut fixed = Vec::new();
    for (i, e) in chosen {
        match edits.last_mut() {
            Some(last) if e.span.start <= last.span.end => {
                if !(last.content.is_empty() && e.content.is_empty()) {
                    continue;
                }
                last.span = Span::new(last.span.start, last.span.end.max(e.span.end));
            }
            _ => edits.push(e.clone()),
        }
        fixed.push(i);
    }
    if fixed.is_empty() {
        return None;
    }
    // Entries removed together up to the end of the file: the blank lines before the first
    // of them go too, as they do for one entry.
    let text = &config.source.text;
    if let Some(last) = edits.last_mut()
        && last.content.is_empty()
        && last.span.end as usize == text.len()
    {
        let mut start = last.span.start as usize;
        while start > 0 {
            let prev = text[..start - 1].rfind('\n').map_or(0, |i| i + 1);
            if !text[prev..start].trim().is_empty() {
                break;
            }
            start = prev;
        }
        last.span = Span::new(start as u32, last.span.end);
    }
    let text = fixer::apply(&config.source.text, &edits.iter().collect::<Vec<_>>())?;
    let source = SourceFile::new(
        config.source.path.clone(),
        config.source.fs_path.clone(),
        text,
    );
    let after = config::parse(source, config.dir.clone()).ok()?;
    if after.suppressions.len() + fixed.len() != config.suppressions.len() {
        return None;
    }
    Some(FixedConfig {
        text: after.source.text,
        fixed,
    })
}

/// Write a fixed configuration over its file, unless the file changed since it was read.
pub fn write_config(config: &Config, text: &str) -> Result<(), String> {
    let path = config
        .source
        .fs_path
        .as_deref()
        .ok_or_else(|| "the configuration is not a file".to_string())?;
    let (bom, now) = read_text(path)?;
    if now != config.source.text {
        return Err("not fixed: the file changed while kmslint ran".to_string());
    }
    crate::output::replace_file(path, &with_bom(bom, text))
}
