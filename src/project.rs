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
use std::time::{Duration, SystemTime};

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

/// A configuration file that discovery found, as it was read.
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it is (absolute).
    pub path: PathBuf,
    /// Its scope, or why it cannot be used: the files it governs then get the settings of the
    /// command line alone (and `check` stops before linting).
    pub scope: Result<Arc<Scope>, ConfigError>,
}

/// What a candidate configuration file was when it was looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stamp {
    /// No file of that name (or nothing that can be read as one).
    Absent,
    File {
        len: u64,
        modified: Option<SystemTime>,
    },
}

impl Stamp {
    fn of(path: &Path) -> Stamp {
        match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Stamp::File {
                len: m.len(),
                modified: m.modified().ok(),
            },
            _ => Stamp::Absent,
        }
    }
}

/// How far apart in time two writes of a file may be and still get the same modification
/// time (file systems that keep it to the second or to two seconds).
const TIME_GRAIN: Duration = Duration::from_secs(2);

/// The stamps of a folder's candidate configuration files, in [`CONFIG_NAMES`] order up to the
/// first that is a file (the one that counts).
fn stamps(dir: &Path) -> Vec<Stamp> {
    let mut out = Vec::with_capacity(CONFIG_NAMES.len());
    for name in CONFIG_NAMES {
        let stamp = Stamp::of(&dir.join(name));
        let found = stamp != Stamp::Absent;
        out.push(stamp);
        if found {
            break;
        }
    }
    out
}

/// One folder as discovery saw it.
#[derive(Debug)]
struct Folder {
    /// [`stamps`] when it was looked at, before its configuration file was read.
    stamps: Vec<Stamp>,
    /// Its configuration file, if it has one.
    file: Option<Arc<ConfigFile>>,
    /// The file's text as read (`None`: unreadable).
    text: Option<String>,
    /// When the file was last known to hold `text`.
    verified: SystemTime,
}

impl Folder {
    /// Whether the folder's configuration files are what they were, given their stamps now.
    /// A file whose modification time is too close to when it was read for a later write to
    /// show in it is read again and compared.
    fn is_current(&mut self, now: &[Stamp]) -> bool {
        if self.stamps != now {
            return false;
        }
        let (Some(file), Some(Stamp::File { modified, .. })) = (&self.file, now.last()) else {
            return true;
        };
        let checked_at = SystemTime::now();
        let racy = modified
            .and_then(|m| m.checked_add(TIME_GRAIN))
            .is_none_or(|m| m > self.verified);
        if !racy {
            return true;
        }
        let same = std::fs::read_to_string(&file.path).ok() == self.text;
        if same {
            self.verified = checked_at;
        }
        same
    }
}

/// What discovery has seen.
#[derive(Debug, Default)]
struct Cache {
    /// Each folder looked at.
    folders: HashMap<PathBuf, Folder>,
    /// Each folder's nearest configuration file (`None`: none above it), from `folders`.
    nearest: HashMap<PathBuf, Option<Arc<ConfigFile>>>,
    /// The configuration files read and not forgotten, in the order met.
    met: Vec<Arc<ConfigFile>>,
}

impl Cache {
    fn forget(&mut self, dir: &Path) -> bool {
        let Some(folder) = self.folders.remove(dir) else {
            return false;
        };
        if let Some(file) = folder.file {
            self.met.retain(|f| !Arc::ptr_eq(f, &file));
        }
        self.nearest.clear();
        true
    }
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
    /// The configuration files found so far.
    cache: Mutex<Cache>,
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
        Ok(Project {
            cli,
            cwd,
            exclude: GlobList::new(exclude),
            force_exclude: args.force_exclude,
            default: Arc::new(Scope {
                config: None,
                settings: default_settings,
            }),
            cache: Mutex::new(Cache::default()),
            walked: Mutex::new(Vec::new()),
            mode,
        })
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
            Mode::Discover => self
                .config_file(path)
                .and_then(|f| f.scope.as_ref().ok().cloned())
                .unwrap_or_else(|| Arc::clone(&self.default)),
        }
    }

    /// The configuration file discovery finds for a file or folder (the nearest above its
    /// parent folder), broken or not; `None` when there is none, or with `--config` or
    /// `--isolated`.
    pub fn config_file(&self, path: &Path) -> Option<Arc<ConfigFile>> {
        match self.mode {
            Mode::Discover => {
                let abs = absolute(path);
                self.nearest(abs.parent().unwrap_or(&abs))
            }
            Mode::Explicit(_) | Mode::Isolated => None,
        }
    }

    /// The nearest configuration file at or above `dir`, reading what was not read yet.
    fn nearest(&self, dir: &Path) -> Option<Arc<ConfigFile>> {
        let mut cache = lock(&self.cache);
        if let Some(known) = cache.nearest.get(dir) {
            return known.clone();
        }
        let mut pending = Vec::new();
        let mut found = None;
        let mut at = Some(dir);
        while let Some(d) = at {
            if let Some(known) = cache.nearest.get(d) {
                found = known.clone();
                break;
            }
            pending.push(d.to_path_buf());
            if !cache.folders.contains_key(d) {
                let folder = self.look(d);
                if let Some(file) = &folder.file {
                    cache.met.push(Arc::clone(file));
                }
                cache.folders.insert(d.to_path_buf(), folder);
            }
            if let Some(file) = cache.folders.get(d).and_then(|f| f.file.as_ref()) {
                found = Some(Arc::clone(file));
                break;
            }
            at = d.parent();
        }
        for d in pending {
            cache.nearest.insert(d, found.clone());
        }
        found
    }

    /// Look at a folder: stamp its candidate files, then read the one that counts.
    fn look(&self, dir: &Path) -> Folder {
        let verified = SystemTime::now();
        let stamps = stamps(dir);
        let (file, text) = match stamps.last() {
            Some(Stamp::File { .. }) => {
                let path = dir.join(CONFIG_NAMES[stamps.len() - 1]);
                let (text, config) = config::read(&path, &display(&path, &self.cwd));
                let scope = config.map(|c| Arc::new(Self::scope(&self.cli, c)));
                (Some(Arc::new(ConfigFile { path, scope })), text)
            }
            _ => (None, None),
        };
        Folder {
            stamps,
            file,
            text,
            verified,
        }
    }

    /// Look again at the configuration files the settings of `path` come from: every folder
    /// from its own up to the one whose configuration file governs it. What was created,
    /// changed or deleted since it was read is forgotten, to be read again; returns whether
    /// anything was. A few file-system queries, cheap enough before every lint.
    pub fn refresh(&self, path: &Path) -> bool {
        if !matches!(self.mode, Mode::Discover) {
            return false;
        }
        let abs = absolute(path);
        let mut cache = lock(&self.cache);
        let mut changed = false;
        let mut at = abs.parent();
        while let Some(dir) = at {
            let now = stamps(dir);
            let stale = cache
                .folders
                .get_mut(dir)
                .is_some_and(|f| !f.is_current(&now));
            if stale {
                changed |= cache.forget(dir);
            }
            if matches!(now.last(), Some(Stamp::File { .. })) {
                break;
            }
            at = dir.parent();
        }
        changed
    }

    /// Forget what discovery saw in a folder (a configuration file there was created, changed
    /// or deleted): the next file that needs it reads it again. Returns whether anything was
    /// known about the folder.
    pub fn forget(&self, dir: &Path) -> bool {
        lock(&self.cache).forget(&absolute(dir))
    }

    /// The configurations loaded: `--config`'s, or those discovered, in the order met.
    fn loaded(&self) -> Vec<Arc<Scope>> {
        match &self.mode {
            Mode::Explicit(scope) => vec![Arc::clone(scope)],
            Mode::Discover | Mode::Isolated => lock(&self.cache)
                .met
                .iter()
                .filter_map(|f| f.scope.as_ref().ok().cloned())
                .collect(),
        }
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
        lock(&self.cache)
            .met
            .iter()
            .filter_map(|f| f.scope.as_ref().err().cloned())
            .collect()
    }

    /// Command-line selectors that name no rule, built-in or custom, anywhere.
    pub fn check_cli(&self) -> Result<(), String> {
        let loaded = self.loaded();
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
        for scope in &self.loaded() {
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
        for scope in &self.loaded() {
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
                        &config.source.text,
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether KMS002 is on for a file.
    fn kms002(project: &Project, file: &Path) -> bool {
        let rule = crate::registry::find("KMS002").unwrap();
        project.scope_for(file).settings.is_enabled(rule)
    }

    fn governing(project: &Project, file: &Path) -> Option<PathBuf> {
        project.config_file(file).map(|f| f.path.clone())
    }

    #[test]
    fn refresh_sees_configurations_created_changed_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("kmslint.toml"), "").unwrap();
        let file = root.join("a/b/key.json");
        let project = Project::new(&Overrides::default()).unwrap();
        assert_eq!(governing(&project, &file), Some(root.join("kmslint.toml")));
        assert!(!project.refresh(&file));

        // Created in a folder between the file and the configuration that governed it.
        std::fs::create_dir_all(root.join("a/b")).unwrap();
        let config = root.join("a/kmslint.toml");
        std::fs::write(&config, "ignore = [\"KMS002\"]\n").unwrap();
        assert!(kms002(&project, &file), "cached until refreshed");
        assert!(project.refresh(&file));
        assert!(!kms002(&project, &file));
        assert_eq!(governing(&project, &file), Some(config.clone()));
        assert!(!project.refresh(&file));

        // Broken: its files get the command line's settings, and `errors` names it.
        std::fs::write(&config, "ignore = [\"KMS002\"]\nselect = [\"KMS999\"]\n").unwrap();
        assert!(project.refresh(&file));
        assert!(kms002(&project, &file));
        let file_state = project.config_file(&file).unwrap();
        let error = file_state.scope.as_ref().unwrap_err();
        assert_eq!(error.at, Some((2, 11)));
        assert_eq!(error.span, Some(30..38));
        assert_eq!(project.errors(), vec![error.clone()]);

        // Deleted: the configuration above governs again, and the error is gone.
        std::fs::remove_file(&config).unwrap();
        assert!(project.refresh(&file));
        assert_eq!(governing(&project, &file), Some(root.join("kmslint.toml")));
        assert!(kms002(&project, &file));
        assert_eq!(project.errors(), Vec::new());
    }

    #[test]
    fn a_rewrite_that_keeps_length_and_time_is_seen() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("kmslint.toml");
        std::fs::write(&config, "ignore = [\"KMS029\"]\n").unwrap();
        let file = dir.path().join("key.json");
        let project = Project::new(&Overrides::default()).unwrap();
        assert!(kms002(&project, &file));
        // The same length and modification time: on a file system that keeps times to the
        // second, two writes in one second look like this.
        let modified = std::fs::metadata(&config).unwrap().modified().unwrap();
        std::fs::write(&config, "ignore = [\"KMS002\"]\n").unwrap();
        std::fs::File::options()
            .write(true)
            .open(&config)
            .unwrap()
            .set_modified(modified)
            .unwrap();
        assert!(project.refresh(&file));
        assert!(!kms002(&project, &file));
    }

    #[test]
    fn forget_reads_a_folder_again() {
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join(".kmslint.toml");
        std::fs::write(&config, "").unwrap();
        let file = dir.path().join("key.json");
        let project = Project::new(&Overrides::default()).unwrap();
        assert!(kms002(&project, &file));
        std::fs::write(&config, "ignore = [\"KMS002\"]\n").unwrap();
        assert!(project.forget(dir.path()));
        assert!(!kms002(&project, &file));
        assert!(!project.forget(&dir.path().join("never-seen")));
    }
}
