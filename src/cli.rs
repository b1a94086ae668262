//! Command-line definitions (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

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
    /// Print a rule's documentation.
    Rule {
        /// The rule's code (KMS003) or name (admin-can-self-grant).
        code: String,
    },
    /// List every rule: code, name, severity, whether it is on by default.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Run the language server on standard input and output (for editors).
    Lsp(LspArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
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
    /// Write the report to this file instead of standard output
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Print how many findings each rule has instead of the findings
    #[arg(long)]
    pub statistics: bool,
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
