//! Which files to read: explicit paths, and directory walks that honour `.gitignore` (inside a
//! Git repository or not, like ripgrep's `--no-require-git`) and `.ignore`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::extract::InputKind;

/// Directories never walked into.
pub const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", ".terraform", "target"];

/// A file to lint.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Target {
    pub path: PathBuf,
    /// What to read it as (explicit files of other names are read as JSON).
    pub kind: InputKind,
    /// Named on the command line (always reported when it does not parse).
    pub explicit: bool,
}

/// A path that could not be walked.
#[derive(Debug)]
pub struct WalkError {
    pub path: PathBuf,
    pub message: String,
}

/// Decides whether a path is left out: `(path, named on the command line)`.
pub type Exclude = Arc<dyn Fn(&Path, bool) -> bool + Send + Sync>;

/// The files under `paths`, sorted by path. Explicit files are kept whatever their name.
pub fn discover(paths: &[PathBuf]) -> (Vec<Target>, Vec<WalkError>) {
    discover_excluding(paths, Arc::new(|_: &Path, _: bool| false))
}

/// [`discover`], leaving out what `exclude` says (asked for each path named on the command
/// line and each entry of a walk; an excluded folder is not entered).
pub fn discover_excluding(paths: &[PathBuf], exclude: Exclude) -> (Vec<Target>, Vec<WalkError>) {
    let mut targets = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => errors.push(WalkError {
                path: path.clone(),
                message: e.to_string(),
            }),
            Ok(_) if exclude(path, true) => {}
            Ok(meta) if meta.is_dir() => walk(path, &mut targets, &mut errors, &exclude),
            Ok(_) => targets.push(Target {
                path: tidy(path.clone()),
                kind: InputKind::from_path(path).unwrap_or(InputKind::Json),
                explicit: true,
            }),
        }
    }
    targets.sort_by(|a, b| {
        crate::paths::path_order(&a.path, &b.path)
            .then(a.kind.cmp(&b.kind))
            .then(a.explicit.cmp(&b.explicit))
    });
    targets.dedup_by(|b, a| {
        // The same file reached twice: keep one, explicit if either was.
        if a.path == b.path {
            a.explicit |= b.explicit;
            true
        } else {
            false
        }
    });
    (targets, errors)
}

/// The files under `paths` (`.` when none is given) that `project` does not exclude; each
/// directory is remembered as walked.
pub fn discover_in(
    project: &Arc<crate::project::Project>,
    paths: &[PathBuf],
) -> (Vec<Target>, Vec<WalkError>) {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    for p in paths.iter().filter(|p| p.is_dir()) {
        project.walked(p);
    }
    let exclude = {
        let project = Arc::clone(project);
        Arc::new(move |p: &Path, explicit: bool| project.is_excluded(p, explicit))
    };
    discover_excluding(paths, exclude)
}

/// `path` without a leading `./`, so that a file reached by a walk of `.` and by its name is one
/// target, and targets sort as their displayed paths do.
fn tidy(path: PathBuf) -> PathBuf {
    match path.strip_prefix(".") {
        Ok(rest) if !rest.as_os_str().is_empty() => rest.to_path_buf(),
        _ => path,
    }
}

fn walk(root: &Path, targets: &mut Vec<Target>, errors: &mut Vec<WalkError>, exclude: &Exclude) {
    let exclude = Arc::clone(exclude);
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .follow_links(false)
        // Exported trees (`git archive`, build contexts, CI jobs that skip the clone) have no
        // `.git`, but their `.gitignore` still says what is generated or vendored.
        .require_git(false)
        .filter_entry(move |e| {
            let skipped = e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIPPED_DIRS.contains(&n));
            // The root was named on the command line and asked about already.
            !skipped && (e.depth() == 0 || !exclude(e.path(), false))
        })
        .build_parallel();
    // Directories are read on every core; each thread gathers its own findings, and the
    // caller sorts them.
    let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
    walker.run(|| {
        let mut local = Gathered {
            found: &found,
            targets: Vec::new(),
            errors: Vec::new(),
        };
        Box::new(move |entry| {
            match entry {
                Ok(e) => {
                    let kind = InputKind::from_path(e.path());
                    if let (Some(kind), true) = (kind, e.file_type().is_some_and(|t| t.is_file())) {
                        local.targets.push(Target {
                            path: tidy(e.into_path()),
                            kind,
                            explicit: false,
                        });
                    }
                }
                Err(e) => local.errors.push(WalkError {
                    path: root.to_path_buf(),
                    message: e.to_string(),
                }),
            }
            ignore::WalkState::Continue
        })
    });
    let (found_targets, mut found_errors) = found.into_inner().unwrap_or_else(|e| e.into_inner());
    targets.extend(found_targets);
    // The threads met the errors in no fixed order.
    found_errors.sort_by(|a: &WalkError, b| a.message.cmp(&b.message));
    errors.extend(found_errors);
}

/// What one thread of a walk found, handed over when the thread is done.
struct Gathered<'a> {
    found: &'a std::sync::Mutex<(Vec<Target>, Vec<WalkError>)>,
    targets: Vec<Target>,
    errors: Vec<WalkError>,
}

impl Drop for Gathered<'_> {
    fn drop(&mut self) {
        let mut found = self.found.lock().unwrap_or_else(|e| e.into_inner());
        found.0.append(&mut self.targets);
        found.1.append(&mut self.errors);
    }
}
