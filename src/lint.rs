//! The lint phase of a run: each file (or Terraform module) read and linted with the settings
//! of its place, on worker threads. It knows nothing of output formats: what it returns is
//! data the run collects, then renders.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::discover::Target;
use crate::engine::{self, FileReport, ModuleInput, Reach};
use crate::extract::InputKind;
use crate::extract::terraform::ModuleFile;
use crate::loader::{FixOnce, FsLoader};
use crate::paths::display_path;
use crate::project::Project;
use crate::rule::Severity;
use crate::settings::{Settings, Suppression};
use crate::source::SourceFile;

/// One linted file: its text, its report, and what the run needs to collect it.
#[derive(Debug)]
pub struct Linted {
    pub source: SourceFile,
    pub report: FileReport,
    /// The file's `fail-on` threshold.
    pub fail_on: Severity,
    /// Named on the command line (or standard input): the summary says when it holds no key
    /// policy.
    pub explicit: bool,
    /// The `[[suppress]]` entries whose `path` matched the file.
    pub suppressions_matched: Vec<Arc<Suppression>>,
    /// Findings the run's fixes resolved (the report is of the fixed text).
    pub fixed: usize,
    /// The text before the fixes, when they changed it.
    pub original: Option<String>,
    /// Fixes left out because the file would not survive them: their titles.
    pub discarded: Vec<String>,
}

impl Linted {
    pub fn new(
        source: SourceFile,
        report: FileReport,
        settings: &Settings,
        explicit: bool,
    ) -> Self {
        Linted {
            source,
            report,
            fail_on: settings.fail_on,
            explicit,
            suppressions_matched: settings.suppressions.clone(),
            fixed: 0,
            original: None,
            discarded: Vec::new(),
        }
    }

    /// Apply the fixes `mode` asks for, proving each with `relint`; write the file when it
    /// changed and `mode.write` (`bom`: the file started with a byte-order mark, kept).
    pub fn fix(
        self,
        mode: FixMode,
        bom: bool,
        relint: &dyn Fn(&SourceFile) -> FileReport,
    ) -> Result<Linted, FileError> {
        let wanted = |d: &crate::diagnostic::Diagnostic| {
            d.fix
                .as_ref()
                .is_some_and(|f| crate::fixer::wanted(f, mode.unsafe_fixes))
        };
        if !self.report.diagnostics.iter().any(wanted) {
            return Ok(self);
        }
        let original = self.source.text.clone();
        let fixed = crate::fixer::fix_file(self.source, self.report, mode.unsafe_fixes, relint);
        let changed = fixed.changed(&original);
        let linted = Linted {
            source: fixed.source,
            report: fixed.report,
            fixed: fixed.fixed,
            original: changed.then_some(original),
            discarded: fixed.discarded,
            ..self
        };
        if mode.write {
            linted.write(bom)?;
        }
        Ok(linted)
    }

    /// Write the fixed text over the file when the fixes changed it (`bom`: with a byte-order
    /// mark, which is also kept when the file has one). The file must still hold the text that
    /// was linted: one changed since (saved in an editor, or by another fix) is not written,
    /// as the fixes were made for the text it had. The write is atomic
    /// ([`crate::output::replace_file`]).
    fn write(&self, bom: bool) -> Result<(), FileError> {
        let (Some(original), Some(path)) = (&self.original, &self.source.fs_path) else {
            return Ok(());
        };
        let error = |message: String| FileError {
            path: self.source.path.clone(),
            message,
        };
        const MARK: &[u8] = "\u{feff}".as_bytes();
        let on_disk = engine::read_file(path)
            .map_err(|e| error(format!("cannot write the fixed file: {e}")))?;
        let marked = on_disk.starts_with(MARK);
        let text = if marked {
            &on_disk[MARK.len()..]
        } else {
            &on_disk[..]
        };
        if text != original.as_bytes() {
            return Err(error(
                "the file changed while it was being fixed, so it was not written: run kmslint again"
                    .to_string(),
            ));
        }
        let mut bytes = Vec::with_capacity(self.source.text.len() + MARK.len());
        if bom || marked {
            bytes.extend_from_slice(MARK);
        }
        bytes.extend_from_slice(self.source.text.as_bytes());
        crate::output::replace_file(path, &bytes).map_err(error)
    }
}

/// What a run does with the fixes findings carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixMode {
    /// Apply unsafe fixes too.
    pub unsafe_fixes: bool,
    /// Write fixed files (not for `--diff`).
    pub write: bool,
}

/// A file that could not be read: its displayed path and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// What linting one file gave.
pub type Outcome = Result<Linted, FileError>;

/// Lint one file (on a worker thread), and fix it as `fix` asks.
pub fn lint_target(target: &Target, project: &Project, fix: Option<FixMode>) -> Outcome {
    let display = display_path(&target.path);
    let scope = project.scope_for(&target.path);
    let settings = scope.settings_for(&target.path);
    let bytes = engine::read_file(&target.path).map_err(|e| FileError {
        path: display.clone(),
        message: e.to_string(),
    })?;
    // With `--force-exclude` the files named on the command line are a list someone else
    // made (pre-commit's): like files a walk finds, one that does not parse is reported only
    // when it was meant to hold a key policy (a `tsconfig.json` with comments is not).
    let explicit = target.explicit && !project.force_exclude(&target.path);
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
    let (mut source, report) = engine::lint_bytes(
        &display,
        target.kind,
        bytes,
        Reach::named(explicit),
        &settings,
    );
    // The display path is lossy; SARIF names the file by its own bytes.
    source.fs_path = Some(target.path.clone());
    let linted = Linted::new(source, report, &settings, explicit);
    match fix {
        // A UTF-16 file is read as text but written back as it was: no fixes.
        Some(mode) if !utf16 => {
            let relint = |s: &SourceFile| {
                engine::lint_source(s, target.kind, Reach::named(explicit), &settings)
            };
            linted.fix(mode, bom, &relint)
        }
        _ => Ok(linted),
    }
}

/// A Terraform module, linted: each file's outcome by display path, the template files its
/// keys read, and the `[[suppress]]` entries that suppressed findings of its keys.
#[derive(Debug, Default)]
pub struct ModuleOutcome {
    pub files: Vec<(String, Outcome)>,
    pub templates: Vec<PathBuf>,
    pub suppressions_used: Vec<Arc<Suppression>>,
}

/// The `.tf` targets grouped by directory (Terraform modules), and the other targets.
pub fn units(targets: &[Target]) -> (Vec<(PathBuf, Vec<&Target>)>, Vec<&Target>) {
    let mut modules: std::collections::BTreeMap<PathBuf, Vec<&Target>> = Default::default();
    let mut files = Vec::new();
    for t in targets {
        if t.kind == InputKind::Hcl {
            let dir = t
                .path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            modules.entry(dir).or_default().push(t);
        } else {
            files.push(t);
        }
    }
    (modules.into_iter().collect(), files)
}

/// Lint a Terraform module (on a worker thread): every `.tf` file of its directory is read,
/// findings are reported in the files the run was asked about (and in the template files
/// their keys read).
pub fn lint_module(
    dir: &Path,
    members: &[&Target],
    project: &Project,
    loader: &FsLoader,
    fix: Option<FixMode>,
) -> ModuleOutcome {
    let mut results = Vec::new();
    let mut files = Vec::new();
    let mut asked = Vec::new();
    // A file named on the command line is read even if the directory listing misses it.
    let named: Vec<&Path> = members.iter().map(|t| t.path.as_path()).collect();
    let on_disk = crate::loader::module_files_with(dir, &named);
    let explicit = members
        .iter()
        .any(|t| t.explicit && !project.force_exclude(&t.path));
    for (path, read) in on_disk {
        let display = display_path(&path);
        let member = members.iter().any(|t| t.path == path);
        let bytes = match read {
            Ok(b) => b,
            Err(e) => {
                if member {
                    let error = FileError {
                        path: display.clone(),
                        message: e.to_string(),
                    };
                    results.push((display, Err(error)));
                }
                continue;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                files.push(ModuleFile::new(display, path, text));
                asked.push(member);
            }
            // Not UTF-8: reported (as a file of its own) when the run asked about it.
            Err(e) if member => {
                let scope = project.scope_for(&path);
                let settings = scope.settings_for(&path);
                let (mut source, report) = engine::lint_bytes(
                    &display,
                    InputKind::Hcl,
                    e.into_bytes(),
                    Reach::named(explicit),
                    &settings,
                );
                source.fs_path = Some(path);
                results.push((
                    display,
                    Ok(Linted::new(source, report, &settings, explicit)),
                ));
            }
            Err(_) => {}
        }
    }
    let mut module = ModuleInput {
        dir: dir.to_path_buf(),
        files,
        asked,
        reach: Reach::named(explicit),
    };
    let settings_for = |f: &ModuleFile| {
        let path = f
            .fs_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(&f.display));
        project.scope_for(&path).settings_for(&path).into_owned()
    };
    let input = ModuleInput {
        dir: module.dir.clone(),
        files: if fix.is_some() {
            module.files.clone()
        } else {
            std::mem::take(&mut module.files)
        },
        asked: module.asked.clone(),
        reach: module.reach,
    };
    let report = engine::lint_module(input, loader, &settings_for);
    // How many times each template was reported so far: a module reads a template once for
    // each key that names it.
    let mut reads: std::collections::HashMap<PathBuf, usize> = Default::default();
    for (source, file_report) in report.files {
        let path = source
            .fs_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(&source.path));
        let scope = project.scope_for(&path);
        let settings = scope.settings_for(&path);
        let member_explicit = members.iter().any(|t| t.path == path && t.explicit);
        let display = source.path.clone();
        let linted = Linted::new(source, file_report, &settings, member_explicit);
        let template =
            InputKind::from_path(&path) != Some(InputKind::Hcl) && report.templates.contains(&path);
        // A `.tf` file of the module is fixed and proven with its module around it; so is a
        // template file its keys read, linted through the keys with its fixed text.
        let outcome = match fix {
            Some(mode) if template => {
                let read = reads.entry(path.clone()).or_default();
                let relint = |s: &SourceFile| {
                    crate::loader::lint_template_in_module(
                        &module,
                        loader,
                        &path,
                        *read,
                        s.text.clone(),
                        &settings_for,
                    )
                    .1
                };
                let outcome = fix_template(linted, mode, loader, &relint);
                *read += 1;
                outcome
            }
            Some(mode) if InputKind::from_path(&path) == Some(InputKind::Hcl) => {
                let settings_for = |p: &Path| project.scope_for(p).settings_for(p).into_owned();
                let relint = |s: &SourceFile| {
                    crate::loader::lint_buffer_in_module(
                        &path,
                        s.text.clone(),
                        Reach::named(explicit),
                        &settings_for,
                    )
                    .1
                };
                linted.fix(mode, false, &relint)
            }
            _ => Ok(linted),
        };
        results.push((display, outcome));
    }
    ModuleOutcome {
        files: results,
        templates: report.templates,
        suppressions_used: report.suppressions_used,
    }
}

/// Fix a template file a module's keys read (`relint` lints the module with a text of it):
/// the fixes are proven by the module, and the file is written once in a run, by the first
/// module to fix it ([`FsLoader::fix_once`], which says why). The other reads of it (other
/// modules, other keys) report the file as that fix leaves it, with no second diff.
fn fix_template(
    linted: Linted,
    mode: FixMode,
    loader: &FsLoader,
    relint: &dyn Fn(&SourceFile) -> FileReport,
) -> Outcome {
    let fixed = linted.fix(
        FixMode {
            write: false,
            ..mode
        },
        false,
        relint,
    )?;
    let (Some(_), Some(path)) = (&fixed.original, fixed.source.fs_path.clone()) else {
        return Ok(fixed);
    };
    let write = || {
        if mode.write {
            fixed.write(false)
        } else {
            Ok(())
        }
    };
    match loader.fix_once(&path, &fixed.source.text, write)? {
        FixOnce::Made => Ok(fixed),
        // The same text: this read's report is of the file as fixed, and the fixes are
        // counted where they were made (as they are when the read comes after them).
        FixOnce::Before(text) if text == fixed.source.text => Ok(Linted {
            fixed: 0,
            original: None,
            ..fixed
        }),
        FixOnce::Before(text) => {
            let source = SourceFile::new(fixed.source.path.clone(), Some(path), text);
            let report = relint(&source);
            Ok(Linted {
                source,
                report,
                fixed: 0,
                original: None,
                discarded: Vec::new(),
                ..fixed
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(path: &Path, original: &str, text: &str) -> Linted {
        let source = SourceFile::new("k.json", Some(path.to_path_buf()), text.to_string());
        Linted {
            original: Some(original.to_string()),
            ..Linted::new(source, FileReport::default(), &Settings::default(), true)
        }
    }

    /// A fixed file is written when it still holds the text linted, keeping its byte-order
    /// mark; one changed since is not written.
    #[test]
    fn a_file_changed_since_it_was_linted_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.json");
        std::fs::write(&path, "\u{feff}old").unwrap();
        fixed(&path, "old", "new").write(false).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\u{feff}new");
        std::fs::write(&path, "saved meanwhile").unwrap();
        let error = fixed(&path, "old", "new").write(false).unwrap_err();
        assert_eq!(error.path, "k.json");
        assert!(error.message.contains("changed"), "{}", error.message);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "saved meanwhile");
    }
}
