//! The `check` command: discover, lint in parallel, render in a deterministic order.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use rayon::prelude::*;

use crate::cli::CheckArgs;
use crate::discover::{Target, discover_excluding};
use crate::engine::{self, FileReport};
use crate::output::OutputFile;
use crate::project::{CliLayer, Project};
use crate::render::statistics::Statistics;
use crate::render::{Format, Renderer, Summary};
use crate::rule::Severity;
use crate::settings::Settings;

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
        Some(path) => match OutputFile::create(path) {
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
    // Standard input (an editor's buffer) is linted with the settings of the folder its name
    // points into, like a file there.
    let stdin_results = stdin.as_ref().map(|input| {
        let path = input
            .name
            .clone()
            .unwrap_or_else(|| std::path::PathBuf::from("."));
        let scope = project.scope_for(&path);
        let settings = scope.settings_for(&path);
        vec![
            crate::stdin::lint(input, &settings, &renderer).map(|(report, rendered)| {
                (
                    report,
                    settings.fail_on,
                    if render { rendered } else { Vec::new() },
                )
            }),
        ]
    });
    let batches = targets.chunks(BATCH).map(|batch| {
        batch
            .par_iter()
            .map(|t| lint_target(t, &project, &renderer, render))
            .collect::<Vec<_>>()
    });
    for results in stdin_results.into_iter().chain(batches) {
        for result in results {
            match result {
                Err(message) => {
                    let _ = writeln!(err, "error: {message}");
                    status = EXIT_ERROR;
                }
                Ok((report, fail_on, rendered)) => {
                    summary.add(&report.diagnostics, report.policies);
                    failing |= report.diagnostics.iter().any(|d| d.severity >= fail_on);
                    if let Some(s) = &mut statistics {
                        s.add(&report.diagnostics);
                    }
                    emit(rendered, out);
                }
            }
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

/// Lint one file and render its diagnostics (on a worker thread): the report, the file's
/// `fail-on` threshold, and the rendered entries.
fn lint_target(
    target: &Target,
    project: &Project,
    renderer: &Renderer,
    render: bool,
) -> Result<(FileReport, Severity, Vec<String>), String> {
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
    let (source, report) = engine::lint_bytes(&display, target.kind, bytes, explicit, &settings);
    let rendered = if render {
        renderer.file(&source, &report.diagnostics)
    } else {
        Vec::new()
    };
    Ok((report, settings.fail_on, rendered))
}

/// The path as users should see it: relative, with `/` separators, no leading `./`.
pub fn display_path(path: &std::path::Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => s,
    }
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
        assert_eq!(
            s.context.trusted_accounts,
            ["444455556666", "777788889999", "123456789012"]
        );
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
