//! The `check` command: discover, lint in parallel, render in a deterministic order.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use rayon::prelude::*;

use std::path::{Path, PathBuf};

use crate::cli::CheckArgs;
use crate::discover::{Target, discover_excluding};
use crate::engine::{self, FileReport, ModuleInput, Reach};
use crate::extract::InputKind;
use crate::extract::terraform::ModuleFile;
use crate::loader::FsLoader;
use crate::output::OutputFile;
use crate::paths::display_path;
use crate::project::{CliLayer, Project};
use crate::render::Note;
use crate::render::statistics::Statistics;
use crate::render::{Format, Renderer, Summary};
use crate::rule::Severity;
use crate::settings::Settings;
use crate::source::SourceFile;

/// Process exit statuses.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// Files linted in parallel per batch: bounds memory while keeping output in path order.
const BATCH: usize = 256;

/// An error that stops the run before any file is linted (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

/// Build settings from the command line alone (no configuration file).
pub fn settings_from(args: &CheckArgs) -> Result<Settings, UsageError> {
    let cli = CliLayer::from_args(args).map_err(UsageError)?;
    let mut settings = Settings::default();
    settings
        .select(
            args.rules.select.as_deref(),
            &args.rules.extend_select,
            &args.rules.ignore,
        )
        .map_err(|e| UsageError(e.to_string()))?;
    cli.apply(&mut settings);
    Ok(settings)
}

/// Run `check`, writing the report to `out` (or `--output`) and problems with files to `err`.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let format = args.format.unwrap_or(Format::Human);
    if args.statistics && matches!(format, Format::Sarif | Format::Github | Format::Gitlab) {
        let _ = writeln!(
            err,
            "error: `--statistics` prints a table (or JSON with `--format json`), not `--format {}`",
            format_name(format)
        );
        return EXIT_ERROR;
    }
    let project = match Project::new(args) {
        Ok(p) => Arc::new(p),
        Err(messages) => {
            for m in messages {
                let _ = writeln!(err, "error: {m}");
            }
            return EXIT_ERROR;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let stdin = match crate::stdin::requested(args) {
        Ok(s) => s,
        Err(UsageError(msg)) => {
            let _ = writeln!(err, "error: {msg}");
            return EXIT_ERROR;
        }
    };
    let (targets, walk_errors) = if stdin.is_some() {
        (Vec::new(), Vec::new())
    } else {
        for p in paths.iter().filter(|p| p.is_dir()) {
            project.walked(p);
        }
        let exclude = {
            let project = Arc::clone(&project);
            Arc::new(move |p: &std::path::Path, explicit: bool| project.is_excluded(p, explicit))
        };
        discover_excluding(&paths, exclude)
    };
    let config_errors = project.errors();
    if !config_errors.is_empty() {
        for e in config_errors {
            let _ = writeln!(err, "error: {e}");
        }
        return EXIT_ERROR;
    }
    if let Err(e) = project.check_cli() {
        let _ = writeln!(err, "error: {e}");
        return EXIT_ERROR;
    }
    let mut file = match &args.output {
        Some(path) => match OutputFile::create(path, targets.iter().map(|t| t.path.as_path())) {
            Ok(f) => Some(f),
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return EXIT_ERROR;
            }
        },
        None => None,
    };
    let color = args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let renderer = Renderer { format, color };
    let out: &mut dyn Write = match &mut file {
        Some(f) => f,
        None => out,
    };
    let mut status = EXIT_OK;
    for e in &walk_errors {
        let _ = writeln!(err, "error: {}: {}", e.path.display(), e.message);
        status = EXIT_ERROR;
    }
    let mut summary = Summary::default();
    let mut statistics = args.statistics.then(Statistics::default);
    let mut entries = 0usize;
    let mut failing = false;
    let mut write_failed = false;
    if statistics.is_none() {
        write_failed |= out
            .write_all(renderer.begin(&project.rules()).as_bytes())
            .is_err();
    }
    let mut emit = |rendered: Vec<String>, out: &mut dyn Write| {
        for text in rendered {
            if entries > 0 {
                write_failed |= out.write_all(renderer.separator().as_bytes()).is_err();
            }
            write_failed |= out.write_all(text.as_bytes()).is_err();
            entries += 1;
        }
    };
    let render = statistics.is_none();
    let mut handle = |result: Result<Linted, String>, out: &mut dyn Write| match result {
        Err(message) => {
            let _ = writeln!(err, "error: {message}");
            status = EXIT_ERROR;
        }
        Ok(linted) => {
            summary.add(&linted.report.diagnostics, linted.report.policies);
            summary.notes.extend(linted.notes);
            if linted.explicit
                && linted.report.policies == 0
                && linted.report.not_analysed.is_empty()
                && linted.report.diagnostics.is_empty()
            {
                summary.no_key_policy.push(linted.display);
            }
            failing |= linted
                .report
                .diagnostics
                .iter()
                .any(|d| d.severity >= linted.fail_on);
            if let Some(s) = &mut statistics {
                s.add(&linted.report.diagnostics);
            }
            emit(linted.rendered, out);
        }
    };
    // Standard input (an editor's buffer) is linted with the settings of the folder its name
    // points into, like a file there.
    if let Some(input) = &stdin {
        let path = input
            .name
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let scope = project.scope_for(&path);
        let settings = scope.settings_for(&path);
        let settings_for = |p: &Path| project.scope_for(p).settings_for(p).into_owned();
        let result = crate::stdin::lint(input, &settings, &settings_for).map(|(source, report)| {
            Linted::new(&source, report, settings.fail_on, true, &renderer, render)
        });
        handle(result, out);
    }
    // Terraform modules first: the template files their keys read are reported with them,
    // not again on their own.
    let loader = FsLoader::new();
    let (modules, files) = units(&targets);
    let module_results: Vec<ModuleResults> = modules
        .par_iter()
        .map(|(dir, members)| lint_module_unit(dir, members, &project, &renderer, render, &loader))
        .collect();
    let mut consumed = std::collections::HashSet::new();
    let mut pending: std::collections::BTreeMap<String, Vec<Result<Linted, String>>> =
        std::collections::BTreeMap::new();
    for (results, templates) in module_results {
        consumed.extend(templates);
        for (display, result) in results {
            pending.entry(display).or_default().push(result);
        }
    }
    let files: Vec<&Target> = files
        .into_iter()
        .filter(|t| {
            consumed.is_empty() || !t.path.canonicalize().is_ok_and(|c| consumed.contains(&c))
        })
        .collect();
    // Batches are linted on the pool while this thread writes the one before: the report
    // keeps the order of the paths and never holds more than two batches.
    std::thread::scope(|scope| {
        let (sender, receiver) =
            std::sync::mpsc::sync_channel::<Vec<(String, Result<Linted, String>)>>(1);
        let (project, renderer, files) = (&project, &renderer, &files);
        scope.spawn(move || {
            for batch in files.chunks(BATCH) {
                let results = batch
                    .par_iter()
                    .map(|t| {
                        (
                            display_path(&t.path),
                            lint_target(t, project, renderer, render),
                        )
                    })
                    .collect();
                if sender.send(results).is_err() {
                    break;
                }
            }
        });
        for results in receiver {
            for (display, result) in results {
                // Module files sort among the others by path.
                while let Some(entry) = pending.first_entry() {
                    if entry.key().as_str() >= display.as_str() {
                        break;
                    }
                    for r in entry.remove() {
                        handle(r, out);
                    }
                }
                handle(result, out);
            }
        }
    });
    for (_, results) in pending {
        for r in results {
            handle(r, out);
        }
    }
    // Stale `[[suppress]]` entries are known only once every file is linted.
    for (scope, diagnostics) in project.unused_suppressions() {
        let Some(config) = &scope.config else {
            continue;
        };
        summary.add_config(&diagnostics);
        failing |= diagnostics
            .iter()
            .any(|d| d.severity >= scope.settings.fail_on);
        match &mut statistics {
            Some(s) => s.add(&diagnostics),
            None => emit(renderer.file(&config.source, &diagnostics), out),
        }
    }
    let closing = match &statistics {
        Some(s) if format == Format::Json => s.json(),
        Some(s) => s.text(),
        None => renderer.end(&summary, entries),
    };
    write_failed |= out.write_all(closing.as_bytes()).is_err();
    write_failed |= out.flush().is_err();
    if write_failed {
        let _ = writeln!(err, "error: could not write the report");
        return EXIT_ERROR;
    }
    if let Some(f) = file
        && let Err(e) = f.persist()
    {
        let _ = writeln!(err, "error: {e}");
        return EXIT_ERROR;
    }
    if status == EXIT_OK && failing {
        status = EXIT_FINDINGS;
    }
    status
}

fn format_name(format: Format) -> String {
    use clap::ValueEnum;
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// One linted file, rendered on a worker thread: its report, its `fail-on` threshold, the
/// notes for the summary and the rendered entries.
pub struct Linted {
    pub display: String,
    pub report: FileReport,
    pub fail_on: Severity,
    /// Named on the command line (or standard input): the summary says when it holds no key
    /// policy.
    pub explicit: bool,
    pub notes: Vec<Note>,
    pub rendered: Vec<String>,
}

impl Linted {
    pub fn new(
        source: &SourceFile,
        report: FileReport,
        fail_on: Severity,
        explicit: bool,
        renderer: &Renderer,
        render: bool,
    ) -> Self {
        let notes = report
            .not_analysed
            .iter()
            .map(|n| Note::not_analysed(source, n))
            .collect();
        let rendered = if render {
            renderer.file(source, &report.diagnostics)
        } else {
            Vec::new()
        };
        Linted {
            display: source.path.clone(),
            report,
            fail_on,
            explicit,
            notes,
            rendered,
        }
    }
}

/// Lint one file and render its diagnostics (on a worker thread).
fn lint_target(
    target: &Target,
    project: &Project,
    renderer: &Renderer,
    render: bool,
) -> Result<Linted, String> {
    let display = display_path(&target.path);
    let scope = project.scope_for(&target.path);
    let settings = scope.settings_for(&target.path);
    let bytes = match engine::read_file(&target.path) {
        Ok(b) => b,
        Err(e) => return Err(format!("{display}: {e}")),
    };
    // With `--force-exclude` the files named on the command line are a list someone else
    // made (pre-commit's): like files a walk finds, one that does not parse is reported only
    // when it was meant to hold a key policy (a `tsconfig.json` with comments is not).
    let explicit = target.explicit && !project.force_exclude(&target.path);
    let (mut source, report) = engine::lint_bytes(
        &display,
        target.kind,
        bytes,
        Reach::named(explicit),
        &settings,
    );
    // The display path is lossy; SARIF names the file by its own bytes.
    source.fs_path = Some(target.path.clone());
    Ok(Linted::new(
        &source,
        report,
        settings.fail_on,
        explicit,
        renderer,
        render,
    ))
}

/// A module's files by display path, each linted or the error reading it, and the template
/// files its keys read.
type ModuleResults = (Vec<(String, Result<Linted, String>)>, Vec<PathBuf>);

/// The `.tf` targets grouped by directory (Terraform modules), and the other targets.
fn units(targets: &[Target]) -> (Vec<(PathBuf, Vec<&Target>)>, Vec<&Target>) {
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
/// their keys read). Returns each file's result by display path, and the template files
/// read.
fn lint_module_unit(
    dir: &Path,
    members: &[&Target],
    project: &Project,
    renderer: &Renderer,
    render: bool,
    loader: &FsLoader,
) -> ModuleResults {
    let mut results = Vec::new();
    let mut files = Vec::new();
    let mut asked = Vec::new();
    let mut on_disk = crate::loader::module_files(dir);
    // A file named on the command line is read even if the directory listing misses it.
    for t in members {
        if !on_disk.iter().any(|(p, _)| *p == t.path) {
            on_disk.push((t.path.clone(), engine::read_file(&t.path)));
        }
    }
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
                    results.push((display.clone(), Err(format!("{display}: {e}"))));
                }
                continue;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                files.push(ModuleFile {
                    display,
                    fs_path: Some(path),
                    text: text
                        .strip_prefix('\u{feff}')
                        .map(str::to_string)
                        .unwrap_or(text),
                });
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
                    Ok(Linted::new(
                        &source,
                        report,
                        settings.fail_on,
                        explicit,
                        renderer,
                        render,
                    )),
                ));
            }
            Err(_) => {}
        }
    }
    let input = ModuleInput {
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
    let report = engine::lint_module(input, loader, &settings_for);
    let templates = report.templates.clone();
    for (source, file_report) in report.files {
        let path = source
            .fs_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(&source.path));
        let fail_on = project.scope_for(&path).settings_for(&path).fail_on;
        let member_explicit = members.iter().any(|t| t.path == path && t.explicit);
        let linted = Linted::new(
            &source,
            file_report,
            fail_on,
            member_explicit,
            renderer,
            render,
        );
        results.push((source.path.clone(), Ok(linted)));
    }
    (results, templates)
}

/// `kmslint rules`: one line per rule.
pub fn rules_table() -> String {
    let mut out = format!(
        "{:<7} {:<38} {:<8} {:<8} {}\n",
        "code", "name", "severity", "default", "summary"
    );
    for r in crate::registry::RULES {
        out.push_str(&format!(
            "{:<7} {:<38} {:<8} {:<8} {}\n",
            r.code,
            r.name,
            r.severity.as_str(),
            if r.default_enabled { "on" } else { "off" },
            r.summary
        ));
    }
    out
}

/// `kmslint rules --format json`.
pub fn rules_json() -> String {
    let rules: Vec<serde_json::Value> = crate::registry::RULES
        .iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "name": r.name,
                "severity": r.severity.as_str(),
                "default": r.default_enabled,
                "group": r.group.as_str(),
                "summary": r.summary,
            })
        })
        .collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;

    fn settings(args: &[&str]) -> Result<Settings, UsageError> {
        let cli = Cli::try_parse_from(std::iter::once("kmslint").chain(args.iter().copied()))
            .map_err(|e| UsageError(e.to_string()))?;
        settings_from(&cli.check)
    }

    #[test]
    fn trusted_accounts_repeat_and_split_on_commas() {
        let s = settings(&[
            "--trusted-account",
            "444455556666,777788889999",
            "--trusted-account=444455556666",
            "--trusted-account",
            "123456789012",
        ])
        .map_err(|e| e.0)
        .unwrap_or_else(|e| panic!("{e}"));
        let mut trusted = s.context.trusted_accounts.sorted();
        trusted.sort();
        assert_eq!(trusted, ["123456789012", "444455556666", "777788889999"]);
    }

    #[test]
    fn trusted_account_must_be_twelve_digits() {
        let Err(UsageError(msg)) = settings(&["--trusted-account", "44445555666"]) else {
            panic!("an 11-digit id was accepted");
        };
        assert_eq!(
            msg,
            "`--trusted-account 44445555666` is not a 12-digit AWS account id"
        );
    }
}
