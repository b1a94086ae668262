//! Reading the files a Terraform module names (`templatefile`, `file`, `data "template_file"`)
//! and the `.tf` files of a module's directory.
//!
//! kmslint reads untrusted repositories in CI, and a template's text can end up in a report:
//! only regular files inside the working directory are read (a `templatefile("/etc/shadow",
//! {})` is a key that is not analysed, never a file shown in a CI log).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use crate::engine::{self, FileReport, ModuleInput, Reach, ReadError};
use crate::extract::InputKind;
use crate::extract::terraform::{Loader, ModuleFile};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Reads template files under a root folder (the working directory).
///
/// One loader serves a whole run (every module of it, on several threads): it also keeps the
/// text each template file was fixed to, so a template that several modules read is fixed
/// once (see [`FsLoader::fix_once`]).
#[derive(Debug, Clone)]
pub struct FsLoader {
    /// The canonical root: files outside it are not read.
    root: PathBuf,
    /// One file read from memory instead of from disk (its canonical path and text): a
    /// template's fixed text, linted with its module before it is written.
    buffer: Option<Arc<(PathBuf, String)>>,
    /// The text the run's fixes gave each template file (by canonical path): what later reads
    /// of it get, written or not (`--diff`).
    fixed: Arc<Mutex<HashMap<PathBuf, String>>>,
}

/// What [`FsLoader::fix_once`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum FixOnce {
    /// The fixed text is this call's: the file was written (as asked) and its text recorded.
    Made,
    /// An earlier module of the run fixed the file: to this text, which was kept.
    Before(String),
}

impl FsLoader {
    /// A loader for files under the working directory.
    pub fn new() -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        FsLoader {
            root: cwd.canonicalize().unwrap_or(cwd),
            buffer: None,
            fixed: Arc::default(),
        }
    }

    /// This loader, with the file at `path` read as `text` (a buffer not saved): the path is
    /// matched canonically, whichever way a module names it.
    pub fn with_buffer(&self, path: &Path, text: String) -> FsLoader {
        let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        FsLoader {
            buffer: Some(Arc::new((canonical, text))),
            ..self.clone()
        }
    }

    /// Record that the run's fixes give the template file `path` (canonical) the text `text`,
    /// calling `write` first (which writes it, or not for `--diff`), unless an earlier call
    /// recorded a text for it: then nothing is written and that text is returned.
    ///
    /// Modules are linted in parallel and a template may be read by several of them (and by
    /// several keys of one, with different variables): each read fixes it from the text it
    /// linted. Left alone, every read would write the file (each write replacing the one
    /// before, or failing the check that the file still holds the text linted), show it in
    /// `--diff` and count its fixes. Here the first read to get here fixes it, holding the lock
    /// while it writes so no other module writes it in between; the others keep its text, and
    /// every later read gets that text ([`Loader::load`]). The reads of a template fix it
    /// alike (its findings depend on its text and the settings of its path, not on the key or
    /// the variables), so which module comes first changes nothing in what the run writes or
    /// reports; were they to differ, the first fix is kept and the others are dropped. (A
    /// fixed order, the first module by path fixing the template, would need every module
    /// linted before any template is fixed.) `write` itself checks that the file still holds
    /// the text that was linted.
    pub fn fix_once<E>(
        &self,
        path: &Path,
        text: &str,
        write: impl FnOnce() -> Result<(), E>,
    ) -> Result<FixOnce, E> {
        let mut fixed = self.fixed.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(before) = fixed.get(path) {
            return Ok(FixOnce::Before(before.clone()));
        }
        write()?;
        fixed.insert(path.to_path_buf(), text.to_string());
        Ok(FixOnce::Made)
    }

    /// The path as reports show it: relative to the root when inside it.
    fn display(&self, canonical: &Path) -> String {
        match canonical.strip_prefix(&self.root) {
            Ok(rel) => crate::paths::display_path(rel),
            Err(_) => crate::paths::display_path(canonical),
        }
    }
}

impl Default for FsLoader {
    fn default() -> Self {
        FsLoader::new()
    }
}

impl Loader for FsLoader {
    fn load(&self, path: &Path) -> Result<ModuleFile, String> {
        let shown = crate::paths::display_path(path);
        let canonical = path
            .canonicalize()
            .map_err(|e| format!("the template `{shown}` cannot be read: {e}"))?;
        if !canonical.starts_with(&self.root) {
            return Err(format!(
                "the template `{shown}` is outside the working directory, which kmslint does not read"
            ));
        }
        let display = self.display(&canonical);
        let in_memory = match &self.buffer {
            Some(buffer) if buffer.0 == canonical => Some(buffer.1.clone()),
            _ => self
                .fixed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&canonical)
                .cloned(),
        };
        if let Some(text) = in_memory {
            return Ok(ModuleFile {
                display,
                fs_path: Some(canonical),
                text,
            });
        }
        let bytes = engine::read_file(&canonical)
            .map_err(|e| format!("the template `{shown}` cannot be read: {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the template `{shown}` is not UTF-8 text"))?;
        Ok(ModuleFile {
            display,
            fs_path: Some(canonical),
            text: text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
        })
    }
}

/// [`module_files`], and the files named on the command line that the directory listing
/// misses (each read too).
pub fn module_files_with(
    dir: &Path,
    named: &[&Path],
) -> Vec<(PathBuf, Result<Vec<u8>, ReadError>)> {
    let mut files = module_files(dir);
    for path in named {
        if !files.iter().any(|(p, _)| p == path) {
            files.push((path.to_path_buf(), engine::read_file(path)));
        }
    }
    files
}

/// The `.tf` files of a module's directory, sorted by name: each read, or why it could not be.
pub fn module_files(dir: &Path) -> Vec<(PathBuf, Result<Vec<u8>, ReadError>)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| InputKind::from_path(p) == Some(InputKind::Hcl))
        .filter(|p| std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .map(|p| match p.strip_prefix(".") {
            Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
            _ => p,
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let read = engine::read_file(&p);
            (p, read)
        })
        .collect()
}

/// Lint the text of one `.tf` file (an editor's buffer, standard input) with the other `.tf`
/// files of its folder as they are on disk: its Terraform module. Only the buffer's own
/// findings are returned.
pub fn lint_buffer_in_module(
    path: &Path,
    text: String,
    reach: Reach,
    settings_for: &dyn Fn(&Path) -> Settings,
) -> (SourceFile, FileReport) {
    let display = crate::paths::display_path(path);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let mut files = vec![ModuleFile {
        display: display.clone(),
        fs_path: Some(path.to_path_buf()),
        text,
    }];
    let same = |p: &Path| p == path || p.canonicalize().ok() == path.canonicalize().ok();
    for (p, read) in module_files(dir) {
        if same(&p) {
            continue;
        }
        if let Ok(text) = read
            .map_err(|_| ())
            .and_then(|b| String::from_utf8(b).map_err(|_| ()))
        {
            files.push(ModuleFile {
                display: crate::paths::display_path(&p),
                fs_path: Some(p),
                text: text
                    .strip_prefix('\u{feff}')
                    .map(str::to_string)
                    .unwrap_or(text),
            });
        }
    }
    let asked = files.iter().map(|f| f.display == display).collect();
    let input = ModuleInput {
        dir: dir.to_path_buf(),
        files,
        asked,
        reach,
    };
    let for_file = |f: &ModuleFile| {
        let p = f
            .fs_path
            .clone()
            .unwrap_or_else(|| PathBuf::from(&f.display));
        settings_for(&p)
    };
    let report = engine::lint_module(input, &FsLoader::new(), &for_file);
    report
        .files
        .into_iter()
        .find(|(s, _)| s.path == display)
        .unwrap_or_else(|| {
            (
                SourceFile::new(display, Some(path.to_path_buf()), String::new()),
                FileReport::default(),
            )
        })
}

/// Lint a Terraform module with `text` as the text of `template` (a file its keys read, by
/// canonical path), and return the template's own file and report: the findings of every key
/// reading it that the run reports, as `check` reports them there. `module` is the module as
/// it was linted (its `.tf` files and which of them the run asked about); the other files its
/// keys read come through `loader`. A module reads a template once for each key that names
/// it, and reports each read as a file of its own (with that key's findings): `read` says
/// which (0 for the first).
pub fn lint_template_in_module(
    module: &ModuleInput,
    loader: &FsLoader,
    template: &Path,
    read: usize,
    text: String,
    settings_for: &dyn Fn(&ModuleFile) -> Settings,
) -> (SourceFile, FileReport) {
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let loader = loader.with_buffer(template, text.clone());
    let input = ModuleInput {
        dir: module.dir.clone(),
        files: module.files.clone(),
        asked: module.asked.clone(),
        reach: module.reach,
    };
    let report = engine::lint_module(input, &loader, settings_for);
    let canonical = template
        .canonicalize()
        .unwrap_or_else(|_| template.to_path_buf());
    report
        .files
        .into_iter()
        .filter(|(s, _)| s.fs_path.as_deref() == Some(canonical.as_path()))
        .nth(read)
        .unwrap_or_else(|| {
            // No key the run reports reads it: nothing is found in it.
            (
                SourceFile::new(loader.display(&canonical), Some(canonical.clone()), text),
                FileReport::default(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loader_in(root: &Path) -> FsLoader {
        FsLoader {
            root: root.canonicalize().unwrap(),
            ..FsLoader::new()
        }
    }

    /// The first fix of a template is written and later reads get its text; a second one is
    /// neither written nor recorded.
    #[test]
    fn a_template_is_fixed_once_and_read_as_fixed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kms.json.tpl");
        std::fs::write(&path, "old").unwrap();
        let path = path.canonicalize().unwrap();
        let loader = loader_in(dir.path());
        let mut writes = 0;
        // A write that fails records nothing.
        assert_eq!(loader.fix_once(&path, "bad", || Err("no")), Err("no"));
        let mut write = || {
            writes += 1;
            Ok::<_, ()>(())
        };
        assert_eq!(loader.fix_once(&path, "new", &mut write), Ok(FixOnce::Made));
        let other_module = loader.clone();
        assert_eq!(
            other_module.fix_once(&path, "other", &mut write),
            Ok(FixOnce::Before("new".to_string()))
        );
        assert_eq!(writes, 1);
        assert_eq!(other_module.load(&path).unwrap().text, "new");
        // A run's own loader starts with nothing fixed.
        assert_eq!(loader_in(dir.path()).load(&path).unwrap().text, "old");
    }

    /// A buffer is read instead of its file, however the path to it is written.
    #[test]
    fn a_buffer_is_read_instead_of_its_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("m")).unwrap();
        let path = dir.path().join("kms.json.tpl");
        std::fs::write(&path, "on disk").unwrap();
        let loader = loader_in(dir.path()).with_buffer(&path, "in memory".to_string());
        let file = loader.load(&dir.path().join("m/../kms.json.tpl")).unwrap();
        assert_eq!(file.text, "in memory");
        assert_eq!(file.display, "kms.json.tpl");
        assert_eq!(file.fs_path, Some(path.canonicalize().unwrap()));
    }
}
