//! Reading the files a Terraform module names (`templatefile`, `file`, `data "template_file"`)
//! and the `.tf` files of a module's directory.
//!
//! kmslint reads untrusted repositories in CI, and a template's text can end up in a report:
//! only regular files inside the working directory are read (a `templatefile("/etc/shadow",
//! {})` is a key that is not analysed, never a file shown in a CI log).

use std::path::{Path, PathBuf};

use crate::engine::{self, FileReport, ModuleInput, Reach, ReadError};
use crate::extract::InputKind;
use crate::extract::terraform::{Loader, ModuleFile};
use crate::settings::Settings;
use crate::source::SourceFile;

/// Reads template files under a root folder (the working directory).
#[derive(Debug, Clone)]
pub struct FsLoader {
    /// The canonical root: files outside it are not read.
    root: PathBuf,
}

impl FsLoader {
    /// A loader for files under the working directory.
    pub fn new() -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        FsLoader {
            root: cwd.canonicalize().unwrap_or(cwd),
        }
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
        let bytes = engine::read_file(&canonical)
            .map_err(|e| format!("the template `{shown}` cannot be read: {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| format!("the template `{shown}` is not UTF-8 text"))?;
        Ok(ModuleFile {
            display: self.display(&canonical),
            fs_path: Some(canonical),
            text: text
                .strip_prefix('\u{feff}')
                .map(str::to_string)
                .unwrap_or(text),
        })
    }
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
