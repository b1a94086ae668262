//! The `check` command: discover the files, lint them in parallel, collect the results in
//! path order, render, and decide the exit status.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use rayon::prelude::*;

use std::path::{Path, PathBuf};

use crate::baseline::Baseline;
use crate::cli::{
    CheckArgs, ColorWhen, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, FixRun, ListFormat, UsageError,
};
use crate::config::Config;
use crate::custom::{CustomRule, Test};
use crate::diagnostic::Diagnostic;
use crate::discover::{Target, WalkError, discover_in};
use crate::lint::{self, FileError, FixMode, Linted, Outcome};
use crate::loader::FsLoader;
use crate::output::OutputFile;
use crate::paths::display_path;
use crate::project::{Overrides, Project, Scope};
use crate::render::Note;
use crate::render::statistics::Statistics;
use crate::render::{Entries, Format, IoError, Renderer, Summary};
use crate::rule::{RuleRef, Severity};
use crate::source::SourceFile;
use crate::stdin::StdinInput;
use crate::suppress::SuppressionLog;

/// Files linted in parallel per batch: bounds memory while keeping output in path order.
const BATCH: usize = 256;

/// A linted file's outcome and its rendered entries (none with `--statistics`).
type Rendered = (Outcome, Entries);

/// Render each outcome's findings (in parallel): `None` renders nothing (`--statistics`).
fn render_all(
    renderer: Option<&Renderer>,
    outcomes: Vec<(String, Outcome)>,
) -> Vec<(String, Rendered)> {
    outcomes
        .into_par_iter()
        .map(|(display, outcome)| (display, rendered(renderer, outcome)))
        .collect()
}

/// A file's outcome with its entries rendered.
fn rendered(renderer: Option<&Renderer>, outcome: Outcome) -> Rendered {
    let entries = match (&outcome, renderer) {
        (Ok(l), Some(r)) => r.file(&l.source, &l.report.diagnostics),
        _ => Entries::default(),
    };
    (outcome, entries)
}

/// What a run gathers as results arrive in path order: the report written so far, the
/// summary, the suppression log and the exit status.
struct Collector<'a> {
    renderer: Renderer,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    summary: Summary,
    statistics: Option<Statistics>,
    /// `--quiet`: no summary in the human and compact formats.
    quiet: bool,
    log: SuppressionLog,
    entries: usize,
    failing: bool,
    write_failed: bool,
    status: u8,
    /// What the run reports: findings, only what was fixed, or differences.
    reporting: Reporting,
    /// Files a `--diff` run would change.
    changed_files: usize,
    /// What the run does with fixes (configuration files' too).
    fix: Option<FixMode>,
    /// `--add-suppressions`: the entries gathered so far.
    baseline: Option<Baseline<'a>>,
}

/// What a run reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reporting {
    /// The findings (left after `--fix`).
    Findings,
    /// `--fix-only`: the counts, no finding; findings left do not fail the run.
    FixedOnly,
    /// `--diff`: a unified diff per file the fixes would change; exit status 1 when any.
    Diff,
    /// `--add-suppressions`: the findings no `[[suppress]]` entry can accept.
    Baseline,
}

impl Collector<'_> {
    fn write(&mut self, text: &str) {
        self.write_failed |= self.out.write_all(text.as_bytes()).is_err();
    }

    fn entries(&mut self, rendered: Entries) {
        if rendered.count == 0 {
            return;
        }
        if self.entries > 0 {
            self.write(self.renderer.separator());
        }
        self.write(&rendered.text);
        self.entries += rendered.count;
    }

    /// A file that could not be read: said on stderr at once, and in the report's summary.
    fn error(&mut self, e: FileError) {
        let _ = writeln!(self.err, "error: {}: {}", e.path, e.message);
        self.summary.io_errors.push(IoError {
            path: e.path,
            message: e.message,
        });
        self.status = EXIT_ERROR;
    }

    fn file(&mut self, (outcome, rendered): Rendered) {
        let linted = match outcome {
            Ok(l) => l,
            Err(e) => return self.error(e),
        };
        let Linted {
            source,
            report,
            fail_on,
            explicit,
            suppressions_matched,
            fixed,
            original,
            discarded,
        } = linted;
        self.summary.fixed += fixed;
        if !discarded.is_empty() {
            let _ = writeln!(
                self.err,
                "warning: {}: {} not applied: the file would not parse, or would lose a policy or gain a finding: {}",
                source.path,
                crate::render::plural(discarded.len(), "fix"),
                discarded.join("; ")
            );
        }
        self.log
            .record(&suppressions_matched, &report.suppressions_used);
        if self.reporting == Reporting::Diff {
            if let Some(before) = &original {
                let diff = unified_diff(&source.path, before, &source.text);
                self.write(&diff);
                self.changed_files += 1;
                self.failing = true;
            }
            self.summary.add(&report.diagnostics, report.policies);
            return;
        }
        let no_key_policy = explicit
            && report.policies == 0
            && report.not_analysed.is_empty()
            && report.diagnostics.is_empty();
        // A baseline reports only the findings it cannot accept.
        let (diagnostics, rendered) = match &mut self.baseline {
            Some(b) => {
                let left = b.add(&source, &report.diagnostics);
                let rendered = self.renderer.file(&source, &left);
                (left, rendered)
            }
            None => (report.diagnostics, rendered),
        };
        self.summary.add(&diagnostics, report.policies);
        self.summary.notes.extend(
            report
                .not_analysed
                .iter()
                .map(|n| Note::not_analysed(&source, n)),
        );
        if no_key_policy {
            self.summary.no_key_policy.push(source.path.clone());
        }
        if matches!(self.reporting, Reporting::Findings | Reporting::Baseline) {
            self.failing |= diagnostics.iter().any(|d| d.severity >= fail_on);
        }
        if let Some(s) = &mut self.statistics {
            s.add(&diagnostics);
        }
        self.entries(rendered);
    }

    /// Findings about a configuration file (stale `[[suppress]]` entries): fixed as the run
    /// asks (their entries removed), and reported as the run reports.
    fn config(&mut self, config: &Config, diagnostics: Vec<Diagnostic>, fail_on: Severity) {
        // An entry for a file that could not be read looks stale: a run with such files
        // removes none.
        let diagnostics = match self.fix {
            Some(mode) if self.summary.io_errors.is_empty() => {
                self.fix_config(config, diagnostics, mode)
            }
            _ => diagnostics,
        };
        self.summary.add_config(&diagnostics);
        match self.reporting {
            Reporting::Findings | Reporting::Baseline => {
                self.failing |= diagnostics.iter().any(|d| d.severity >= fail_on);
            }
            Reporting::FixedOnly | Reporting::Diff => return,
        }
        match &mut self.statistics {
            Some(s) => s.add(&diagnostics),
            None => {
                let rendered = self.renderer.file(&config.source, &diagnostics);
                self.entries(rendered);
            }
        }
    }

    /// Apply the fixes of a configuration's findings (`--fix`, `--fix-only`), or print their
    /// diff (`--diff`); the findings left.
    fn fix_config(
        &mut self,
        config: &Config,
        mut diagnostics: Vec<Diagnostic>,
        mode: FixMode,
    ) -> Vec<Diagnostic> {
        let Some(fixed) = crate::baseline::fix_config(config, &diagnostics, mode.unsafe_fixes)
        else {
            if diagnostics.iter().any(|d| {
                d.fix
                    .as_ref()
                    .is_some_and(|f| crate::fixer::wanted(f, mode.unsafe_fixes))
            }) {
                let _ = writeln!(
                    self.err,
                    "warning: {}: fixes not applied: the configuration would not read back as one",
                    config.source.path
                );
            }
            return diagnostics;
        };
        if self.reporting == Reporting::Diff {
            let diff = unified_diff(&config.source.path, &config.source.text, &fixed.text);
            self.write(&diff);
            self.changed_files += 1;
            self.failing = true;
        } else if mode.write
            && let Err(e) = crate::baseline::write_config(config, &fixed.text)
        {
            let _ = writeln!(self.err, "error: {}: {e}", config.source.path);
            self.status = EXIT_ERROR;
            return diagnostics;
        }
        self.summary.fixed += fixed.fixed.len();
        let mut index = 0;
        diagnostics.retain(|_| {
            index += 1;
            !fixed.fixed.contains(&(index - 1))
        });
        diagnostics
    }

    /// `--add-suppressions`: write the entries gathered, and say where on `err`.
    fn write_baseline(&mut self) {
        let Some(baseline) = self.baseline.take() else {
            return;
        };
        let findings = baseline.findings();
        let (written, errors) = baseline.write();
        for w in &written {
            let _ = writeln!(self.err, "{}", w.text());
        }
        if written.is_empty() && errors.is_empty() {
            let _ = writeln!(
                self.err,
                "{}",
                if findings == 0 {
                    "no finding to suppress"
                } else {
                    "no `[[suppress]]` entry added: the configuration has them already"
                }
            );
        }
        for e in errors {
            let _ = writeln!(self.err, "error: {e}");
            self.status = EXIT_ERROR;
        }
    }

    /// Write the closing text; the exit status, or `None` when the report could not be
    /// written.
    fn finish(mut self, format: Format) -> Option<u8> {
        if self.reporting == Reporting::Diff {
            let unsafe_fixes = self.fix.is_some_and(|m| m.unsafe_fixes);
            let line = if self.changed_files == 0 {
                let more = match self.summary.fixable_unsafe {
                    n if n > 0 && !unsafe_fixes => format!(
                        " ({} with `--unsafe-fixes`)",
                        crate::render::plural(n, "fix")
                    ),
                    _ => String::new(),
                };
                format!("nothing to fix{more}")
            } else {
                format!(
                    "`--fix{}` would fix {} in {}",
                    if unsafe_fixes { " --unsafe-fixes" } else { "" },
                    crate::render::plural(self.summary.fixed, "finding"),
                    crate::render::plural(self.changed_files, "file")
                )
            };
            let _ = writeln!(self.err, "{line}");
            self.write_failed |= self.out.flush().is_err();
            return if self.write_failed {
                None
            } else if self.status == EXIT_OK && self.failing {
                Some(EXIT_FINDINGS)
            } else {
                Some(self.status)
            };
        }
        let closing = match &self.statistics {
            Some(s) if format == Format::Json => s.json(),
            Some(s) => s.text(),
            None if self.quiet && matches!(format, Format::Human | Format::Compact) => {
                String::new()
            }
            None => self.renderer.end(&self.summary, self.entries),
        };
        self.write(&closing);
        self.write_failed |= self.out.flush().is_err();
        if self.write_failed {
            let _ = writeln!(self.err, "error: could not write the report");
            return None;
        }
        if self.status == EXIT_OK && self.failing {
            return Some(EXIT_FINDINGS);
        }
        Some(self.status)
    }
}

/// Run `check`, writing the report to `out` (or `--output`) and problems with files to `err`.
pub fn check(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let status = match run(args, out, err) {
        Ok(status) => status,
        Err(messages) => fail(err, &messages),
    };
    if args.exit_zero && status == EXIT_FINDINGS {
        return EXIT_OK;
    }
    status
}

/// `check` up to its exit status; `Err` holds the messages of an error that ends the run with
/// status 2 (a usage or configuration error stops it before anything is linted).
fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, Vec<String>> {
    let format = args.format.unwrap_or(Format::Human);
    if args.statistics && matches!(format, Format::Sarif | Format::Github | Format::Gitlab) {
        return Err(vec![format!(
            "`--statistics` prints a table (or JSON with `--format json`), not `--format {}`",
            format_name(format)
        )]);
    }
    let project = Arc::new(Project::new(&args.overrides())?);
    if let Some(path) = &args.show_settings {
        let text = show_settings(&project, args, path)?;
        return Ok(write_text(out, err, &text, EXIT_OK));
    }
    let stdin = crate::stdin::requested(args).map_err(|UsageError(m)| vec![m])?;
    if args
        .add_suppressions()
        .map_err(|UsageError(m)| vec![m])?
        .is_some()
        && stdin.is_some()
    {
        return Err(vec![
            "`--add-suppressions` writes entries for files: it does not read standard input"
                .to_string(),
        ]);
    }
    let excluded = stdin.as_ref().is_some_and(|i| stdin_excluded(&project, i));
    let found = discover(&project, args, stdin.is_some());
    ready(&project)?;
    let stdin = if excluded {
        crate::stdin::discard();
        None
    } else {
        stdin
    };
    if args.show_files {
        return Ok(show_files(&found, stdin.as_ref(), out, err));
    }
    let mut file = match output_file(args) {
        Some(path) => Some(
            OutputFile::create(path, found.targets.iter().map(|t| t.path.as_path()))
                .map_err(|e| vec![e])?,
        ),
        None => None,
    };
    let renderer = Renderer {
        format,
        color: use_color(args.color, file.is_some()),
    };
    let sink: &mut dyn Write = match &mut file {
        Some(f) => f,
        None => out,
    };
    let Some(status) = report(&project, args, renderer, stdin.as_ref(), found, sink, err) else {
        return Ok(EXIT_ERROR);
    };
    if let Some(f) = file {
        f.persist().map_err(|e| vec![e])?;
    }
    Ok(status)
}

/// Lint what was found and write the report; the exit status, or `None` when the report could
/// not be written.
fn report(
    project: &Project,
    args: &CheckArgs,
    renderer: Renderer,
    stdin: Option<&StdinInput>,
    found: Found,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Option<u8> {
    let statistics = args.statistics.then(Statistics::default);
    // Checked before linting.
    let reason = args.add_suppressions().ok().flatten();
    let reporting = if args.diff {
        Reporting::Diff
    } else if args.fix_only {
        Reporting::FixedOnly
    } else if reason.is_some() {
        Reporting::Baseline
    } else {
        Reporting::Findings
    };
    let fix = args.fix_run().map(|run| FixMode {
        unsafe_fixes: args.unsafe_fixes,
        write: run == FixRun::Write,
    });
    if let (Some(input), Some(mode)) = (stdin, fix)
        && mode.write
    {
        return Some(fix_stdin(project, input, mode, out, err));
    }
    // Findings are rendered only when reported.
    let render = (statistics.is_none() && reporting == Reporting::Findings).then_some(&renderer);
    let mut run = Collector {
        renderer,
        out,
        err,
        summary: Summary::default(),
        statistics,
        quiet: args.quiet,
        log: SuppressionLog::default(),
        entries: 0,
        failing: false,
        write_failed: false,
        status: EXIT_OK,
        reporting,
        changed_files: 0,
        fix,
        baseline: reason.map(|r| Baseline::new(project, &r)),
    };
    for e in found.errors {
        run.error(FileError {
            path: display_path(&e.path),
            message: e.message,
        });
    }
    if run.statistics.is_none() && reporting != Reporting::Diff {
        let begin = renderer.begin(&project.rules());
        run.write(&begin);
    }
    if let Some(input) = stdin {
        lint_stdin(&mut run, project, input, render, fix);
    }
    lint_files(&mut run, project, &found.targets, render, fix);
    // Stale `[[suppress]]` entries are known only once every file is linted.
    for (scope, diagnostics) in project.unused_suppressions(&run.log) {
        if let Some(config) = &scope.config {
            run.config(config, diagnostics, scope.settings.fail_on);
        }
    }
    run.write_baseline();
    run.finish(renderer.format)
}

/// Stop on configuration files that could not be used and on rule selectors of the command
/// line that name no rule.
fn ready(project: &Project) -> Result<(), Vec<String>> {
    let errors = project.errors();
    if !errors.is_empty() {
        return Err(errors.iter().map(ToString::to_string).collect());
    }
    project.check_cli().map_err(|e| vec![e])
}

/// Whether standard input stands for an excluded file under `--force-exclude` (or
/// `force-exclude = true`): editors pass every buffer through `--stdin-filename`, as pre-commit
/// passes every file name. Like ruff, the run then reports nothing about it, as a run that
/// linted no file.
fn stdin_excluded(project: &Project, input: &StdinInput) -> bool {
    input
        .name
        .as_deref()
        .is_some_and(|name| project.force_exclude(name) && project.is_excluded(name, true))
}

/// What discovery found: the files to lint, in the order they are reported, and the paths that
/// could not be read.
struct Found {
    targets: Vec<Target>,
    errors: Vec<WalkError>,
}

/// The files of the paths (none when standard input is linted).
fn discover(project: &Arc<Project>, args: &CheckArgs, stdin: bool) -> Found {
    if stdin {
        return Found {
            targets: Vec::new(),
            errors: Vec::new(),
        };
    }
    let (targets, errors) = discover_in(project, &args.paths);
    Found { targets, errors }
}

/// Whether the human report is coloured. `auto`: when the report goes to standard output and
/// that is a terminal, unless `NO_COLOR` is set; `FORCE_COLOR` colours it on any standard
/// output, as ruff does (a report written to a file is coloured only with `always`).
fn use_color(when: ColorWhen, to_file: bool) -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    color_decision(
        when,
        to_file,
        set("FORCE_COLOR"),
        set("NO_COLOR"),
        std::io::stdout().is_terminal(),
    )
}

fn color_decision(
    when: ColorWhen,
    to_file: bool,
    force_color: bool,
    no_color: bool,
    terminal: bool,
) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => !to_file && (force_color || (terminal && !no_color)),
    }
}

/// Standard input (an editor's buffer), linted with the settings of the folder its name points
/// into, like a file there.
fn lint_stdin(
    run: &mut Collector<'_>,
    project: &Project,
    input: &StdinInput,
    render: Option<&Renderer>,
    fix: Option<FixMode>,
) {
    let outcome = stdin_outcome(project, input, fix);
    for (_, rendered) in render_all(render, vec![(input.display(), outcome)]) {
        run.file(rendered);
    }
}

/// Standard input linted (and fixed in memory, as `fix` asks) with the settings of the
/// folder its name points into.
fn stdin_outcome(project: &Project, input: &StdinInput, fix: Option<FixMode>) -> Outcome {
    let path = input.name.clone().unwrap_or_else(|| PathBuf::from("."));
    let scope = project.scope_for(&path);
    let settings = scope.settings_for(&path);
    let settings_for = |p: &Path| project.scope_for(p).settings_for(p).into_owned();
    let (source, report) =
        crate::stdin::lint(input, &settings, &settings_for).map_err(|message| FileError {
            path: input.display(),
            message,
        })?;
    let linted = Linted::new(source, report, &settings, true);
    let Some(mode) = fix else {
        return Ok(linted);
    };
    let relint = |s: &SourceFile| crate::stdin::relint(input, s, &settings, &settings_for);
    linted.fix(
        FixMode {
            write: false,
            ..mode
        },
        false,
        &relint,
    )
}

/// `--fix` (or `--fix-only`) on standard input: the fixed text goes to standard output, as an
/// editor's formatter expects, and what was fixed to standard error.
fn fix_stdin(
    project: &Project,
    input: &StdinInput,
    mode: FixMode,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    match stdin_outcome(project, input, Some(mode)) {
        Err(e) => fail(err, &[format!("{}: {}", e.path, e.message)]),
        Ok(linted) => {
            let _ = writeln!(
                err,
                "{}: {} fixed, {} left",
                linted.source.path,
                crate::render::plural(linted.fixed, "finding"),
                linted.report.diagnostics.len()
            );
            write_text(out, err, &linted.source.text, EXIT_OK)
        }
    }
}

/// Lint the files and write their reports in path order.
fn lint_files(
    run: &mut Collector<'_>,
    project: &Project,
    targets: &[Target],
    render: Option<&Renderer>,
    fix: Option<FixMode>,
) {
    // Terraform modules first: the template files their keys read are reported with them,
    // not again on their own.
    let loader = FsLoader::new();
    let (modules, files) = lint::units(targets);
    let module_outcomes: Vec<lint::ModuleOutcome> = modules
        .par_iter()
        .map(|(dir, members)| lint::lint_module(dir, members, project, &loader, fix))
        .collect();
    let mut consumed = std::collections::HashSet::new();
    let mut module_files = Vec::new();
    for m in module_outcomes {
        consumed.extend(m.templates);
        run.log.record(&[], &m.suppressions_used);
        module_files.extend(m.files);
    }
    let mut pending: std::collections::BTreeMap<String, Vec<Rendered>> = Default::default();
    for (display, rendered) in render_all(render, module_files) {
        pending.entry(display).or_default().push(rendered);
    }
    let files: Vec<&Target> = files
        .into_iter()
        .filter(|t| {
            consumed.is_empty() || !t.path.canonicalize().is_ok_and(|c| consumed.contains(&c))
        })
        .collect();
    // Batches are linted, then rendered, on the pool while this thread writes the batch
    // before: the report keeps the order of the paths and never holds more than two batches.
    std::thread::scope(|scope| {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Vec<(String, Rendered)>>(1);
        let files = &files;
        scope.spawn(move || {
            for batch in files.chunks(BATCH) {
                // Linted and rendered in one pass over the pool.
                let results = batch
                    .par_iter()
                    .map(|t| {
                        let outcome = lint::lint_target(t, project, fix);
                        (display_path(&t.path), rendered(render, outcome))
                    })
                    .collect();
                if sender.send(results).is_err() {
                    break;
                }
            }
        });
        for results in receiver {
            for (display, rendered) in results {
                // Module files sort among the others by path.
                while let Some(entry) = pending.first_entry() {
                    if entry.key().as_str() >= display.as_str() {
                        break;
                    }
                    for r in entry.remove() {
                        run.file(r);
                    }
                }
                run.file(rendered);
            }
        }
    });
    for r in pending.into_values().flatten() {
        run.file(r);
    }
}

/// Write `text` whole; `status`, or 2 when it could not be written.
fn write_text(out: &mut dyn Write, err: &mut dyn Write, text: &str, status: u8) -> u8 {
    if out.write_all(text.as_bytes()).is_err() {
        let _ = writeln!(err, "error: could not write the report");
        return EXIT_ERROR;
    }
    status
}

/// `--show-files`: the files a run would lint, one a line, in the order it reports them
/// (standard input by its name); the paths that could not be read go to `err` (status 2).
fn show_files(
    found: &Found,
    stdin: Option<&StdinInput>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let mut status = EXIT_OK;
    for e in &found.errors {
        let _ = writeln!(err, "error: {}: {}", display_path(&e.path), e.message);
        status = EXIT_ERROR;
    }
    let mut text: String = stdin.map(|i| i.display() + "\n").unwrap_or_default();
    for t in &found.targets {
        text.push_str(&display_path(&t.path));
        text.push('\n');
    }
    write_text(out, err, &text, status)
}

/// `--show-settings PATH`: the settings that apply to a file, as plain `key: value` lines and
/// indented lists.
fn show_settings(project: &Project, args: &CheckArgs, path: &Path) -> Result<String, Vec<String>> {
    let scope = project.scope_for(path);
    let force_exclude = project.force_exclude(path);
    ready(project)?;
    let settings = scope.settings_for(path);
    let mut out = format!("settings for {}\n", display_path(path));
    match &scope.config {
        Some(c) => out.push_str(&format!("configuration file: {}\n", c.source.path)),
        None => out.push_str("no configuration file\n"),
    }
    out.push_str(&format!("fail-on: {}\n", settings.fail_on));
    let account = settings.context.account.as_deref();
    out.push_str(&format!(
        "account: {}\n",
        account.unwrap_or("none (inferred from each policy)")
    ));
    let mut trusted: Vec<String> = settings
        .context
        .trusted_accounts
        .sorted()
        .into_iter()
        .map(|a| a.to_string())
        .collect();
    trusted.sort();
    list(&mut out, "trusted-accounts", trusted);
    let config_excludes = scope.config.iter().flat_map(|c| {
        c.exclude
            .globs
            .iter()
            .map(|g| format!("{} ({})", g.pattern, c.source.path))
    });
    let cli_excludes = args.exclude.iter().map(|g| format!("{g} (--exclude)"));
    list(
        &mut out,
        "exclude",
        config_excludes.chain(cli_excludes).collect(),
    );
    out.push_str(&format!("force-exclude: {force_exclude}\n"));
    let enabled: Vec<String> = settings
        .enabled_rules()
        .map(RuleRef::Builtin)
        .chain(settings.enabled_custom_rules().map(|c| c.rule.clone()))
        .map(|r| format!("{} {}", r.code(), r.name()))
        .collect();
    out.push_str(&format!("enabled rules ({}):\n", enabled.len()));
    for r in &enabled {
        out.push_str(&format!("  {r}\n"));
    }
    let all = settings.registry().rules();
    let severities = all
        .filter(|r| settings.severity(r) != r.severity())
        .map(|r| {
            format!(
                "{} {}: {} (default {})",
                r.code(),
                r.name(),
                settings.severity(&r),
                r.severity()
            )
        })
        .collect();
    list(&mut out, "severities overridden", severities);
    let custom = settings
        .custom_rules()
        .iter()
        .map(|c| {
            let on = if settings.is_enabled(&c.rule) {
                "on"
            } else {
                "off"
            };
            let r = &c.rule;
            format!(
                "{} {} ({}, {on}): {}",
                r.code(),
                r.name(),
                r.severity(),
                r.summary()
            )
        })
        .collect();
    list(&mut out, "custom rules", custom);
    let suppressions = settings
        .suppressions
        .iter()
        .map(|s| format!("{}: {}", s.describe(), s.reason))
        .collect();
    list(&mut out, "suppressions", suppressions);
    Ok(out)
}

/// `title: none`, or `title:` and one indented line per item.
fn list(out: &mut String, title: &str, items: Vec<String>) {
    if items.is_empty() {
        out.push_str(&format!("{title}: none\n"));
        return;
    }
    out.push_str(&format!("{title}:\n"));
    for item in items {
        out.push_str(&format!("  {item}\n"));
    }
}

/// The file `--output` names: none for `-`, which is standard output.
fn output_file(args: &CheckArgs) -> Option<&Path> {
    args.output.as_deref().filter(|p| *p != Path::new("-"))
}

fn format_name(format: Format) -> String {
    use clap::ValueEnum;
    format
        .to_possible_value()
        .map(|v| v.get_name().to_string())
        .unwrap_or_default()
}

/// A rule as `rule` and `rules` show it: built-in, or a custom rule of the configuration.
struct Listed<'a> {
    rule: RuleRef,
    /// The definition, for a custom rule.
    custom: Option<&'a CustomRule>,
}

/// The configuration that governs the current folder, for `rule` and `rules`: its custom
/// rules. An error names the configuration file that could not be used.
fn current_scope(overrides: &Overrides) -> Result<Arc<Scope>, Vec<String>> {
    let project = Project::new(overrides)?;
    // Any file in the current folder: its scope is the folder's.
    let scope = project.scope_for(Path::new("kmslint.toml"));
    ready(&project)?;
    Ok(scope)
}

/// Every rule: the built-in ones in code order, then the custom ones in configuration order.
fn listed(scope: &Scope) -> Vec<Listed<'_>> {
    let builtin = crate::registry::RULES.iter().map(|&rule| Listed {
        rule: RuleRef::Builtin(rule),
        custom: None,
    });
    let custom = scope.settings.custom_rules().iter().map(|c| Listed {
        rule: c.rule.clone(),
        custom: Some(c),
    });
    builtin.chain(custom).collect()
}

/// Write error messages; the exit status of a usage or configuration error.
fn fail(err: &mut dyn Write, messages: &[String]) -> u8 {
    for m in messages {
        let _ = writeln!(err, "error: {m}");
    }
    EXIT_ERROR
}

/// `kmslint rules`: every rule, as a table or as JSON.
pub fn rules(
    format: ListFormat,
    overrides: &Overrides,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let scope = match current_scope(overrides) {
        Ok(s) => s,
        Err(messages) => return fail(err, &messages),
    };
    let rules = listed(&scope);
    let text = match format {
        ListFormat::Text => rules_table(&rules),
        ListFormat::Json => rules_json(&rules),
    };
    let _ = out.write_all(text.as_bytes());
    EXIT_OK
}

/// `kmslint rule CODE`: a rule's documentation.
pub fn rule(code: &str, overrides: &Overrides, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let scope = match current_scope(overrides) {
        Ok(s) => s,
        Err(messages) => return fail(err, &messages),
    };
    let rules = listed(&scope);
    let found = rules
        .iter()
        .find(|l| l.rule.code().eq_ignore_ascii_case(code) || l.rule.name() == code);
    let Some(found) = found else {
        let names = rules.iter().flat_map(|l| [l.rule.code(), l.rule.name()]);
        let hint = crate::model::nearest(code, names)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return fail(
            err,
            &[format!(
                "no rule `{code}`{hint}; `kmslint rules` lists them"
            )],
        );
    };
    let doc = match found.custom {
        Some(c) => custom_rule_doc(c, scope.config.as_ref()),
        None => found.rule.doc().to_string(),
    };
    let _ = out.write_all(doc.as_bytes());
    EXIT_OK
}

/// A custom rule's documentation, in the shape of the built-in rules' documents.
fn custom_rule_doc(c: &CustomRule, config: Option<&Config>) -> String {
    let r = &c.rule;
    let file = config.map_or_else(|| "configuration".to_string(), |c| c.source.path.clone());
    let test = match &c.test {
        Test::Forbid(re) => format!(
            "- `forbid`: `{}`: a selected value that matches it is reported\n",
            re.as_str()
        ),
        Test::Require(re) => format!(
            "- `require`: `{}`: a selected value that does not match it is reported\n",
            re.as_str()
        ),
        Test::Exists => {
            "- `exists = true`: the policy is reported when nothing is selected\n".to_string()
        }
        Test::Absent => "- `absent = true`: each selected value is reported\n".to_string(),
    };
    let mut doc = format!(
        "# {} ({})\nSeverity: {} · Default: on · Group: custom\n\n## What it does\nA custom rule of `{file}` (`[[custom-rule]]`): reports when {}.\n\n## What it checks\n- `select`: `{}`\n{test}- `message`: {}\n",
        r.name(),
        r.code(),
        r.severity(),
        r.summary(),
        c.select,
        c.message
    );
    if let Some(help) = &c.help {
        doc.push_str(&format!("\n## How to fix\n{help}\n"));
    }
    doc
}

/// `kmslint rules`: one line per rule.
fn rules_table(rules: &[Listed<'_>]) -> String {
    let code = rules
        .iter()
        .map(|l| l.rule.code().len())
        .max()
        .unwrap_or(0)
        .max(7);
    let name = rules
        .iter()
        .map(|l| l.rule.name().len())
        .max()
        .unwrap_or(0)
        .max(38);
    let mut out = format!(
        "{:<code$} {:<name$} {:<8} {:<8} {}\n",
        "code", "name", "severity", "default", "summary"
    );
    for Listed { rule: r, .. } in rules {
        out.push_str(&format!(
            "{:<code$} {:<name$} {:<8} {:<8} {}\n",
            r.code(),
            r.name(),
            r.severity().as_str(),
            if r.default_enabled() { "on" } else { "off" },
            r.summary()
        ));
    }
    out
}

/// `kmslint rules --format json`.
fn rules_json(rules: &[Listed<'_>]) -> String {
    let rules: Vec<serde_json::Value> = rules
        .iter()
        .map(|Listed { rule: r, .. }| {
            serde_json::json!({
                "code": r.code(),
                "name": r.name(),
                "severity": r.severity().as_str(),
                "default": r.default_enabled(),
                "group": r.group().as_str(),
                "summary": r.summary(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
}

/// A unified diff of one file, as `git diff` shows it (paths prefixed `a/` and `b/`).
fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(
            &format!("a/{}", path.trim_start_matches('/')),
            &format!("b/{}", path.trim_start_matches('/')),
        )
        .to_string()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::Cli;
    use crate::settings::Settings;

    fn settings(args: &[&str]) -> Result<Settings, UsageError> {
        let cli = Cli::try_parse_from(std::iter::once("kmslint").chain(args.iter().copied()))
            .map_err(|e| UsageError(e.to_string()))?;
        cli.check.overrides().settings().map_err(UsageError)
    }

    #[test]
    fn colour_follows_the_option_then_the_environment() {
        use ColorWhen::{Always, Auto, Never};
        // (when, to a file, FORCE_COLOR, NO_COLOR, terminal) -> coloured
        let cases = [
            ((Auto, false, false, false, true), true),
            ((Auto, false, false, false, false), false),
            ((Auto, false, false, true, true), false),
            ((Auto, false, true, false, false), true),
            ((Auto, false, true, true, false), true),
            ((Auto, true, true, false, true), false),
            ((Always, true, false, true, false), true),
            ((Never, false, true, false, true), false),
        ];
        for ((when, to_file, force, no_color, terminal), coloured) in cases {
            assert_eq!(
                color_decision(when, to_file, force, no_color, terminal),
                coloured,
                "{when:?} file={to_file} FORCE_COLOR={force} NO_COLOR={no_color} terminal={terminal}"
            );
        }
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
