//! The `check` command: discover, lint in parallel, render in a deterministic order.

use std::io::{IsTerminal, Write};

use rayon::prelude::*;

use crate::cli::{CheckArgs, FailOn};
use crate::discover::{Target, discover};
use crate::engine::{self, FileReport};
use crate::model::principal::is_account_id;
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

/// Build settings from the command line.
pub fn settings_from(args: &CheckArgs) -> Result<Settings, UsageError> {
    let mut settings = Settings::default();
    settings
        .select(args.select.as_deref(), &args.extend_select, &args.ignore)
        .map_err(|e| UsageError(e.to_string()))?;
    if let Some(account) = &args.account {
        if !is_account_id(account) {
            return Err(UsageError(format!(
                "`--account {account}` is not a 12-digit AWS account id"
            )));
        }
        settings.context.account = Some(account.clone());
    }
    for account in &args.trusted_accounts {
        if !is_account_id(account) {
            return Err(UsageError(format!(
                "`--trusted-account {account}` is not a 12-digit AWS account id"
            )));
        }
        if !settings.context.trusted_accounts.contains(account) {
            settings.context.trusted_accounts.push(account.clone());
        }
    }
    if let Some(fail_on) = args.fail_on {
        settings.fail_on = match fail_on {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        };
    }
    Ok(settings)
}

/// Run `check`, writing the report to `out` and problems with files to `err`.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let settings = match settings_from(args) {
        Ok(s) => s,
        Err(UsageError(msg)) => {
            let _ = writeln!(err, "error: {msg}");
            return EXIT_ERROR;
        }
    };
    let paths = if args.paths.is_empty() {
        vec![std::path::PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let renderer = Renderer {
        format: args.format.unwrap_or(Format::Human),
        color,
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
        discover(&paths)
    };
    let mut status = EXIT_OK;
    for e in &walk_errors {
        let _ = writeln!(err, "error: {}: {}", e.path.display(), e.message);
        status = EXIT_ERROR;
    }
    let mut summary = Summary::default();
    let mut entries = 0usize;
    let mut worst: Option<Severity> = None;
    let mut write_failed = false;
    let _ = out.write_all(renderer.begin().as_bytes());
    let stdin_result = stdin.map(|input| vec![crate::stdin::lint(&input, &settings, &renderer)]);
    let batches = targets.chunks(BATCH).map(|batch| {
        batch
            .par_iter()
            .map(|t| lint_target(t, &settings, &renderer))
            .collect::<Vec<_>>()
    });
    for results in stdin_result.into_iter().chain(batches) {
        for result in results {
            match result {
                Err(message) => {
                    let _ = writeln!(err, "error: {message}");
                    status = EXIT_ERROR;
                }
                Ok((report, rendered)) => {
                    summary.add(&report.diagnostics, report.policies);
                    worst = worst.max(report.diagnostics.iter().map(|d| d.severity).max());
                    for text in rendered {
                        if entries > 0 {
                            write_failed |= out.write_all(renderer.separator().as_bytes()).is_err();
                        }
                        write_failed |= out.write_all(text.as_bytes()).is_err();
                        entries += 1;
                    }
                }
            }
        }
    }
    write_failed |= out
        .write_all(renderer.end(&summary, entries).as_bytes())
        .is_err();
    write_failed |= out.flush().is_err();
    if write_failed {
        let _ = writeln!(err, "error: could not write the report");
        return EXIT_ERROR;
    }
    if status == EXIT_OK && worst.is_some_and(|w| w >= settings.fail_on) {
        status = EXIT_FINDINGS;
    }
    status
}

/// Lint one file and render its diagnostics (on a worker thread).
fn lint_target(
    target: &Target,
    settings: &Settings,
    renderer: &Renderer,
) -> Result<(FileReport, Vec<String>), String> {
    let display = display_path(&target.path);
    let bytes = match engine::read_file(&target.path) {
        Ok(b) => b,
        Err(e) => return Err(format!("{display}: {e}")),
    };
    let (source, report) =
        engine::lint_bytes(&display, target.kind, bytes, target.explicit, settings);
    let rendered = renderer.file(&source, &report.diagnostics);
    Ok((report, rendered))
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
