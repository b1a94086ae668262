//! Command-line definitions (clap).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::project::Overrides;
use crate::render::Format;
use crate::rule::Severity;

/// Process exit statuses.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

/// An error that stops the run before any file is linted (exit status 2).
#[derive(Debug)]
pub struct UsageError(pub String);

/// How similar a word must be to a command name (Jaro similarity) to be taken for a mistyped
/// command: the threshold clap uses to suggest options. Short names need more: one edit or
/// swap away (`lps`, `ls` for `lsp`) is a typo too.
const SIMILAR: f64 = 0.7;

/// A linter for AWS KMS key policies.
#[derive(Debug, Parser)]
#[command(
    name = "kmslint",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `kmslint PATH...` is `kmslint check PATH...`.
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint key policies in files and directories (the default command).
    Check(CheckArgs),
    /// Print a rule's documentation (built-in, or a custom rule of the configuration).
    Rule {
        /// The rule's code (KMS003) or name (admin-can-self-grant).
        code: String,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// List every rule, the configuration's custom rules included: code, name, severity,
    /// whether it is on by default.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        #[command(flatten)]
        config: ConfigArgs,
    },
    /// Run the language server on standard input and output (for editors).
    Lsp(LspArgs),
    /// Show who can do what with each key: key policies, identity policies and grants evaluated
    /// together, as AWS evaluates a request.
    Explain(ExplainArgs),
    /// Print shell completions.
    ///
    /// For example: `kmslint completions bash > ~/.local/share/bash-completion/completions/kmslint`.
    Completions {
        /// The shell to complete in
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff).
    ///
    /// For example: `kmslint man > ~/.local/share/man/man1/kmslint.1`.
    Man,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// When the human report is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorWhen {
    /// When standard output is a terminal and `NO_COLOR` is not set, or `FORCE_COLOR` is set
    #[default]
    Auto,
    /// Always, also in a file or a pipe
    Always,
    /// Never
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

#[derive(Debug, Clone, Args, Default)]
pub struct CheckArgs {
    /// Files and directories to lint, `-` for standard input [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format [default: human]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Which rules run, and the accounts they judge principals by.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Lowest severity that makes the exit status 1 [default: warning]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Read the file to lint from standard input and report it under this name
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,
    /// The configuration file [default: the nearest `.kmslint.toml` or `kmslint.toml` above each file]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files
    #[arg(long)]
    pub isolated: bool,
    /// Skip files and folders matching this glob, on top of `.gitignore`, the defaults and the
    /// configuration's `exclude`; repeat it for more globs
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Treat files named on the command line like files a walk finds: excludes apply, and
    /// files that do not parse are reported only when meant as key policies (for pre-commit)
    #[arg(long)]
    pub force_exclude: bool,
    /// Write the report to this file instead of standard output (`-`: standard output); missing
    /// folders are created
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print how many findings each rule has instead of the findings
    #[arg(long)]
    pub statistics: bool,
    /// Exit with status 0 even when there are findings (still 2 on errors)
    #[arg(long)]
    pub exit_zero: bool,
    /// Print the findings only: no summary in the `human` and `compact` formats (other formats
    /// are unchanged)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Colour the `human` report [default: auto]
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        default_value_t,
        hide_default_value = true
    )]
    pub color: ColorWhen,
    /// Print the settings that apply to this file (configuration file, rules, severities,
    /// accounts, excludes, custom rules, suppressions) and lint nothing
    #[arg(long, value_name = "PATH", conflicts_with_all = ["show_files", "statistics", "output"])]
    pub show_settings: Option<PathBuf>,
    /// Print the files that would be linted, one per line, and lint nothing
    #[arg(long, conflicts_with_all = ["statistics", "output"])]
    pub show_files: bool,
    /// Apply the fixes that keep each policy's meaning, then report what is left
    #[arg(long, conflicts_with_all = ["show_settings", "show_files"])]
    pub fix: bool,
    /// With `--fix`, `--fix-only` or `--diff`: also apply fixes that change who can do what
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what `--fix` would change and write nothing (exit status 1
    /// when there is a change)
    #[arg(long, conflicts_with_all = ["fix", "fix_only", "show_settings", "show_files", "statistics"])]
    pub diff: bool,
    /// Apply fixes like `--fix`, but report only how many were made: findings left do not
    /// fail the run
    #[arg(long, conflicts_with_all = ["show_settings", "show_files", "statistics"])]
    pub fix_only: bool,
    /// Accept every finding: add a `[[suppress]]` entry for each to the configuration file
    /// that governs its file (a new `kmslint.toml` when none does), so the next run is clean
    #[arg(
        long,
        conflicts_with_all = [
            "fix", "unsafe_fixes", "diff", "fix_only", "stdin_filename", "isolated",
            "show_settings", "show_files", "statistics",
        ]
    )]
    pub add_suppressions: bool,
    /// With `--add-suppressions`: the reason the entries give [default: "baseline: existing
    /// finding"]
    #[arg(long, value_name = "TEXT", requires = "add_suppressions")]
    pub reason: Option<String>,
}

/// What a `check` run does with the fixes findings carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixRun {
    /// Apply them and write the files (`--fix`, `--fix-only`).
    Write,
    /// Apply them in memory and print the difference (`--diff`).
    Diff,
}

impl CheckArgs {
    /// `--add-suppressions`: the reason its entries give; a blank `--reason` is a usage error.
    pub fn add_suppressions(&self) -> Result<Option<String>, UsageError> {
        if !self.add_suppressions {
            return Ok(None);
        }
        match &self.reason {
            Some(r) if r.trim().is_empty() => Err(UsageError(
                "`--reason` is empty: say why the findings are accepted".to_string(),
            )),
            Some(r) => Ok(Some(r.clone())),
            None => Ok(Some(crate::baseline::DEFAULT_REASON.to_string())),
        }
    }

    /// Whether this run fixes, and how.
    pub fn fix_run(&self) -> Option<FixRun> {
        if self.diff {
            Some(FixRun::Diff)
        } else if self.fix || self.fix_only {
            Some(FixRun::Write)
        } else {
            None
        }
    }
}

/// The rule options `check` and `lsp` share.
#[derive(Debug, Clone, Args, Default)]
pub struct RuleArgs {
    /// Only these rules: codes, names or code prefixes, comma-separated (`KMS00,public-access`)
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub select: Option<Vec<String>>,
    /// Rules to add to the selection
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub extend_select: Vec<String>,
    /// Rules to switch off
    #[arg(long, value_delimiter = ',', value_name = "CODE")]
    pub ignore: Vec<String>,
    /// The key's own account (12 digits); otherwise inferred from the policy
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// Another account meant to have access to the key (12 digits); repeat it or separate with commas
    #[arg(long = "trusted-account", value_delimiter = ',', value_name = "ID")]
    pub trusted_accounts: Vec<String>,
}

/// Which configuration `rule` and `rules` read the custom rules of.
#[derive(Debug, Clone, Args, Default)]
pub struct ConfigArgs {
    /// The configuration file [default: the nearest `.kmslint.toml` or `kmslint.toml` at or above
    /// the current folder]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files: built-in rules only
    #[arg(long)]
    pub isolated: bool,
}

impl ConfigArgs {
    /// The configuration options as overrides.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            config: self.config.clone(),
            isolated: self.isolated,
            ..Overrides::default()
        }
    }
}

/// How `explain` prints its answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ExplainFormat {
    /// A matrix per key, then the reasons
    #[default]
    Human,
    /// One record per principal, key and operation
    Json,
    /// Tables for a pull request comment or a review document
    Markdown,
}

/// Options of `kmslint explain`.
#[derive(Debug, Clone, Args, Default)]
pub struct ExplainArgs {
    /// Files and directories to read key policies and grants (`aws kms list-grants` output)
    /// from [default: .]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub format: ExplainFormat,
    /// An identity policy of a principal: `ARN=FILE`, FILE a JSON policy without `Principal`;
    /// repeat it for more policies and principals
    #[arg(long, value_name = "PRINCIPAL=FILE")]
    pub iam: Vec<String>,
    /// A key's ARN: `NAME=ARN`, NAME the key as diagnostics name its policy, or a policy file's
    /// path as given; repeat it for more keys
    #[arg(long, value_name = "NAME=ARN")]
    pub key_arn: Vec<String>,
    /// Only this principal: an ARN, or a user's or role's name
    #[arg(long, value_name = "ARN_OR_NAME")]
    pub principal: Option<String>,
    /// Only this key: its name or the name's last part (`CmkA` for `Resources.CmkA`), a policy
    /// file's path or file name (with or without extension), or its ARN
    #[arg(long, value_name = "NAME")]
    pub key: Option<String>,
    /// Only this operation (`kms:Decrypt`, or a pattern such as `kms:GenerateDataKey*`): each
    /// answer in a sentence
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// The keys' own account (12 digits); otherwise inferred from each key policy
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The configuration file (its `account` and `exclude`) [default: the nearest
    /// `.kmslint.toml` or `kmslint.toml` above each file]
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore configuration files
    #[arg(long)]
    pub isolated: bool,
    /// Skip files and folders matching this glob, on top of `.gitignore` and the defaults;
    /// repeat it for more globs
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
}

impl ExplainArgs {
    /// What the command line says on top of configuration files.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            account: self.account.clone(),
            config: self.config.clone(),
            isolated: self.isolated,
            exclude: self.exclude.clone(),
            ..Overrides::default()
        }
    }
}

/// Options of `kmslint lsp`: the rule options of `check`, applied to every document.
#[derive(Debug, Clone, Args, Default)]
pub struct LspArgs {
    #[command(flatten)]
    pub rules: RuleArgs,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

impl RuleArgs {
    /// The rule options as overrides of configuration files.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            select: self.select.clone(),
            extend_select: self.extend_select.clone(),
            ignore: self.ignore.clone(),
            account: self.account.clone(),
            trusted_accounts: self.trusted_accounts.clone(),
            ..Overrides::default()
        }
    }
}

impl CheckArgs {
    /// What the command line says on top of configuration files.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            fail_on: self.fail_on.map(Severity::from),
            config: self.config.clone(),
            isolated: self.isolated,
            exclude: self.exclude.clone(),
            force_exclude: self.force_exclude,
            ..self.rules.overrides()
        }
    }
}

/// `kmslint WORD ...` without a command, where WORD names no file or folder but looks like a
/// mistyped command (`kmslint chek .`): the usage error to stop with instead of linting WORD as
/// a path. A word that exists as a path is always a path, and so is every word after `--`
/// (`raw` is the command line as given). A word close to no command is left to be linted, and
/// reported as a path that does not exist.
pub fn mistyped_command(cli: &Cli, raw: &[OsString]) -> Option<UsageError> {
    if cli.command.is_some() || raw.iter().any(|a| a == "--") {
        return None;
    }
    let word = cli.check.paths.first()?.to_str()?;
    let bare = word.starts_with(|c: char| c.is_ascii_alphabetic())
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !bare || Path::new(word).symlink_metadata().is_ok() {
        return None;
    }
    let names = command_names();
    if names.iter().any(|n| n == word) {
        // `kmslint --isolated check .`: clap reads a command after options as a path.
        return Some(UsageError(format!(
            "`{word}` is a command, not a path: put it before the options (`kmslint {word} [OPTIONS] ...`)"
        )));
    }
    let lower = word.to_ascii_lowercase();
    let (_, nearest) = names
        .iter()
        .map(|n| (strsim::jaro(&lower, n), n))
        .filter(|(similarity, n)| *similarity > SIMILAR || strsim::osa_distance(&lower, n) <= 1)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    Some(UsageError(format!(
        "unknown command `{word}` (did you mean `{nearest}`?)"
    )))
}

/// Every command name and alias, `help` included.
fn command_names() -> Vec<String> {
    let mut command = Cli::command();
    command.build();
    command
        .get_subcommands()
        .flat_map(|c| std::iter::once(c.get_name()).chain(c.get_all_aliases()))
        .map(str::to_string)
        .collect()
}

/// Shell completions for kmslint, generated from these definitions. Made in memory: the
/// generator panics on a write error (a closed pipe), which a `Vec` never has.
pub fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "kmslint", &mut text);
    text
}

/// The manual page (roff), generated from these definitions.
pub fn man_page() -> Vec<u8> {
    let mut text = Vec::new();
    // Writing to a `Vec` cannot fail.
    let _ = clap_mangen::Man::new(Cli::command()).render(&mut text);
    text
}
