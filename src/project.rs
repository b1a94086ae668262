//! The settings layer: which configuration applies to each file, with the overrides of the
//! command line (or of the language server's arguments) on top. It knows configuration files
//! and plain values, never the argument parser.
//!
//! Like ruff, each file takes the nearest `.kmslint.toml` or `kmslint.toml` found upward from
//! its folder (the nearest wins; files are not merged), unless `--config` names one for all
//! files or `--isolated` turns configuration off. Overrides win over the file.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::{self, CONFIG_NAMES, Config, ConfigError};
use crate::diagnostic::Diagnostic;
use crate::globs::{GlobList, PathGlob, RelPath, absolute};
use crate::model::TrustedAccounts;
use crate::model::principal::is_account_id;
use crate::rule::Severity;
use crate::rules::unused_suppression;
use crate::settings::Settings;
use crate::suppress::SuppressionLog;

/// What the command line says on top of configuration files, as plain values.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--select`: replaces the configuration's selection.
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// `--account`, not checked yet.
    pub account: Option<String>,
    /// `--trusted-account`, not checked yet.
    pub trusted_accounts: Vec<String>,
    pub fail_on: Option<Severity>,
    /// `--config`: one configuration file for every file.
    pub config: Option<PathBuf>,
    /// `--isolated`: no configuration file.
    pub isolated: bool,
    /// `--exclude` globs, relative to the working folder.
    pub exclude: Vec<String>,
    pub force_exclude: bool,
}

impl Overrides {
    /// Settings from the overrides alone (no configuration file); a selector that names no
    /// built-in rule is an error.
    pub fn settings(&self) -> Result<Settings, String> {
        let cli = CliLayer::new(self)?;
        let mut settings = Settings::default();
        settings
            .select(self.select.as_deref(), &self.extend_select, &self.ignore)
            .map_err(|e| e.to_string())?;
        cli.apply(&mut settings);
        Ok(settings)
    }
}

/// The overrides, checked, as they apply to settings.
#[derive(Debug, Clone, Default)]
pub struct CliLayer {
    select: Option<Vec<String>>,
    extend_select: Vec<String>,
    ignore: Vec<String>,
    account: Option<String>,
    trusted_accounts: TrustedAccounts,
    fail_on: Option<Severity>,
}

impl CliLayer {
    /// Check the values that need no configuration.
    pub fn new(o: &Overrides) -> Result<CliLayer, String> {
        if let Some(account) = &o.account
            && !is_account_id(account)
        {
            return Err(format!(
                "`--account {account}` is not a 12-digit AWS account id"
            ));
        }
        if let Some(bad) = o.trusted_accounts.iter().find(|a| !is_account_id(a)) {
            return Err(format!(
                "`--trusted-account {bad}` is not a 12-digit AWS account id"
            ));
        }
        Ok(CliLayer {
            select: o.select.clone(),
            extend_select: o.extend_select.clone(),
            ignore: o.ignore.clone(),
            account: o.account.clone(),
            trusted_accounts: o.trusted_accounts.iter().cloned().collect(),
            fail_on: o.fail_on,
        })
    }

    /// Every rule selector of the command line.
    fn selectors(&self) -> impl Iterator<Item = &String> {
        self.select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .chain(&self.ignore)
    }

    /// Apply the options on top of a configuration's settings. A selector that names no
    /// rule here (a custom rule of another configuration) is left out; [`Project::check_cli`]
    /// reports selectors that name no rule anywhere.
    pub fn apply(&self, settings: &mut Settings) {
        let known = |list: &[String]| -> Vec<String> {
            list.iter()
                .filter(|s| settings.resolve(s).is_ok())
                .cloned()
                .collect()
        };
        let select = self.select.as_deref().map(known);
        let extend = known(&self.extend_select);
        let ignore = known(&self.ignore);
        // Every selector was just resolved, so this cannot fail.
        let _ = settings.select(select.as_deref(), &extend, &ignore);
        if let Some(a) = &self.account {
            settings.context.account = Some(a.clone());
        }
        if !self.trusted_accounts.is_empty() {
            settings.context.trusted_accounts = self.trusted_accounts.clone();
        }
        if let Some(f) = self.fail_on {
            settings.fail_on = f;
        }
    }
}

/// The files one configuration (or none) governs, and their settings.
#[derive(Debug)]
pub struct Scope {
    pub config: Option<Config>,
    /// The configuration's settings with the command line on top.
    pub settings: Settings,
}

impl Scope {
    /// The settings for one file: `per-file-ignores` applied, and the `[[suppress]]` entries
    /// whose `path` matches it.
    pub fn settings_for(&self, path: &Path) -> Cow<'_, Settings> {
        let Some(config) = &self.config else {
            return Cow::Borrowed(&self.settings);
        };
        if config.per_file_ignores.is_empty() && config.suppressions.is_empty() {
            return Cow::Borrowed(&self.settings);
        }
        let abs = absolute(path);
        let rel = RelPath::new(&abs, &config.dir);
        let mut settings = self.settings.clone();
        if let Some(rel) = &rel {
            for (glob, rules) in &config.per_file_ignores {
                if glob.matches(rel) {
                    for r in rules {
                        settings.set_enabled(r, false);
                    }
                }
            }
        }
        settings.suppressions = config
            .suppressions
            .iter()
            .filter(|s| s.applies_to(rel.as_ref()))
            .cloned()
            .collect();
        Cow::Owned(settings)
    }
}

/// How configurations are found.
#[derive(Debug)]
enum Mode {
    /// The nearest configuration file of each file.
    Discover,
    /// One configuration for every file (`--config`).
    Explicit(Arc<Scope>),
    /// No configuration (`--isolated`).
    Isolated,
}

/// The configurations of a run, loaded as the walk meets them.
#[derive(Debug)]
pub struct Project {
    cli: CliLayer,
    cwd: PathBuf,
    /// `--exclude`, relative to the working directory.
    exclude: GlobList,
    force_exclude: bool,
    mode: Mode,
    /// The scope of files that no configuration governs.
    default: Arc<Scope>,
    /// Each folder's nearest configuration (`None`: none above it).
    by_dir: Mutex<HashMap<PathBuf, Option<Arc<Scope>>>>,
    /// Every configuration loaded, in the order met.
    loaded: Mutex<Vec<Arc<Scope>>>,
    errors: Mutex<Vec<ConfigError>>,
    /// Folders walked (absolute): a configuration inside one was judged as a whole.
    walked: Mutex<Vec<PathBuf>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// How messages name a path: relative to the working directory when it is inside it.
fn display(path: &Path, cwd: &Path) -> String {
    let abs = absolute(path);
    let shown = abs.strip_prefix(cwd).map_or(abs.as_path(), |r| r);
    crate::paths::display_path(shown)
}

impl Project {
    /// Check the overrides; `--config` is loaded now.
    pub fn new(args: &Overrides) -> Result<Project, Vec<String>> {
        let cli = CliLayer::new(args).map_err(|e| vec![e])?;
        let cwd = absolute(Path::new("."));
        let exclude = args
            .exclude
            .iter()
            .map(|p| PathGlob::new(p).map_err(|e| format!("`--exclude`: {e}")))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| vec![e])?;
        let mut default_settings = Settings::default();
        cli.apply(&mut default_settings);
        let mode = match (&args.config, args.isolated) {
            (Some(_), true) => {
                return Err(vec![
                    "`--config` and `--isolated` contradict each other: use one".to_string(),
                ]);
            }
            (Some(path), false) => {
                let config = config::load(path, &crate::paths::display_path(path))
                    .map_err(|e| vec![e.to_string()])?;
                Mode::Explicit(Arc::new(Self::scope(&cli, config)))
            }
            (None, true) => Mode::Isolated,
            (None, false) => Mode::Discover,
        };
        let project = Project {
            cli,
            cwd,
            exclude: GlobList::new(exclude),
            force_exclude: args.force_exclude,
            default: Arc::new(Scope {
                config: None,
                settings: default_settings,
            }),
            by_dir: Mutex::new(HashMap::new()),
            loaded: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            walked: Mutex::new(Vec::new()),
            mode,
        };
        if let Mode::Explicit(scope) = &project.mode {
            lock(&project.loaded).push(Arc::clone(scope));
        }
        Ok(project)
    }

    fn scope(cli: &CliLayer, config: Config) -> Scope {
        let mut settings = config.settings.clone();
        cli.apply(&mut settings);
        Scope {
            config: Some(config),
            settings,
        }
    }

    /// The scope of a file or folder: that of its parent folder's nearest configuration.
    pub fn scope_for(&self, path: &Path) -> Arc<Scope> {
        match &self.mode {
            Mode::Explicit(scope) => Arc::clone(scope),
            Mode::Isolated => Arc::clone(&self.default),
            Mode::Discover => {
                let abs = absolute(path);
                let dir = abs.parent().unwrap_or(&abs);
                self.nearest(dir)
                    .unwrap_or_else(|| Arc::clone(&self.default))
            }
        }
    }

    /// The nearest configuration at or above `dir`, loading what was not loaded yet.
    fn nearest(&self, dir: &Path) -> Option<Arc<Scope>> {
        let mut cache = lock(&self.by_dir);
        let mut pending = Vec::new();
        let mut found = None;
        let mut at = Some(dir);
        while let Some(d) = at {
            if let Some(known) = cache.get(d) {
                found = known.clone();
                break;
            }
            pending.push(d.to_path_buf());
            if let Some(path) = CONFIG_NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
                match config::load(&path, &display(&path, &self.cwd)) {
                    Ok(c) => {
                        let scope = Arc::new(Self::scope(&self.cli, c));
                        lock(&self.loaded).push(Arc::clone(&scope));
                        found = Some(scope);
                    }
                    Err(e) => lock(&self.errors).push(e),
                }
                break;
            }
            at = d.parent();
        }
        for d in pending {
            cache.insert(d, found.clone());
        }
        found
    }

    /// Whether `--force-exclude` (or `force-exclude = true`) holds for a path.
    pub fn force_exclude(&self, path: &Path) -> bool {
        self.force_exclude
            || self
                .scope_for(path)
                .config
                .as_ref()
                .is_some_and(|c| c.force_exclude)
    }

    /// Whether a path is excluded (`--exclude`, the configuration's `exclude`). Paths named
    /// on the command line are linted whatever the globs say, unless `--force-exclude` (or
    /// `force-exclude = true`) is set: pre-commit passes file names.
    pub fn is_excluded(&self, path: &Path, explicit: bool) -> bool {
        if explicit && !self.force_exclude(path) {
            return false;
        }
        let scope = self.scope_for(path);
        let abs = absolute(path);
        let matches = |globs: &GlobList, base: &Path| {
            if globs.is_empty() {
                return false;
            }
            let rel = RelPath::new(&abs, base).or_else(|| {
                abs.file_name()
                    .map(|n| RelPath::from_name(&n.to_string_lossy()))
            });
            rel.is_some_and(|rel| {
                if explicit {
                    globs.matches(&rel)
                } else {
                    globs.matches_self(&rel)
                }
            })
        };
        matches(&self.exclude, &self.cwd)
            || scope
                .config
                .as_ref()
                .is_some_and(|c| matches(&c.exclude, &c.dir))
    }

    /// Remember a folder the run walks as a whole.
    pub fn walked(&self, dir: &Path) {
        lock(&self.walked).push(absolute(dir));
    }

    /// Problems with configuration files met so far.
    pub fn errors(&self) -> Vec<ConfigError> {
        lock(&self.errors).clone()
    }

    /// Command-line selectors that name no rule, built-in or custom, anywhere.
    pub fn check_cli(&self) -> Result<(), String> {
        let loaded = lock(&self.loaded);
        for s in self.cli.selectors() {
            if loaded.iter().any(|scope| scope.settings.resolve(s).is_ok()) {
                continue;
            }
            if let Err(e) = self.default.settings.resolve(s) {
                return Err(e.to_string());
            }
        }
        Ok(())
    }

    /// The rules of the run for report headers (SARIF): the built-in rules and every custom
    /// rule of the configurations loaded (the first definition of a code wins).
    pub fn rules(&self) -> Vec<crate::rule::RuleRef> {
        let mut rules: Vec<crate::rule::RuleRef> = crate::registry::RULES
            .iter()
            .map(|r| crate::rule::RuleRef::Builtin(r))
            .collect();
        for scope in lock(&self.loaded).iter() {
            for c in scope.settings.custom_rules() {
                if !rules.iter().any(|r| r.is(&c.rule)) {
                    rules.push(c.rule.clone());
                }
            }
        }
        rules
    }

    /// KMS100: the `[[suppress]]` entries that suppressed nothing, per configuration, for the
    /// configurations this run judged (see [`SuppressionLog::was_judged`]): a run judges a
    /// whole configuration when it walks the configuration's folder (or one above it) without
    /// `--exclude`.
    pub fn unused_suppressions(&self, log: &SuppressionLog) -> Vec<(Arc<Scope>, Vec<Diagnostic>)> {
        let walked = lock(&self.walked).clone();
        let mut out = Vec::new();
        for scope in lock(&self.loaded).iter() {
            let Some(config) = &scope.config else {
                continue;
            };
            let rule = &unused_suppression::RULE;
            if !scope.settings.is_enabled(rule) {
                continue;
            }
            // `--exclude` leaves out files for this run only: entries for them are not stale.
            let whole = self.exclude.is_empty() && walked.iter().any(|w| config.dir.starts_with(w));
            let diagnostics: Vec<Diagnostic> = config
                .suppressions
                .iter()
                .filter(|s| {
                    !log.was_used(s)
                        && log.was_judged(s, whole)
                        && scope.settings.is_enabled(&s.rule)
                })
                .map(|s| {
                    unused_suppression::stale_entry(
                        s.span,
                        scope.settings.severity(rule),
                        &s.describe(),
                    )
                })
                .collect();
            if !diagnostics.is_empty() {
                out.push((Arc::clone(scope), diagnostics));
            }
        }
        out
    }
}
