//! `--output FILE`: the report goes to a temporary file beside FILE, renamed over it once
//! complete, so FILE is never left half-written (a CI step that uploads it sees the old report
//! or the new one, never a truncated one).
//!
//! What is not a regular file is never replaced: a symbolic link stays a link (the file it
//! points to is the one replaced), a character device (`/dev/null`, a terminal) or a FIFO is
//! written straight through, and a file the run lints is refused.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{BufWriter, Write};

/// The buffer a report is written through: a report of thousands of findings goes out in
/// few writes.
pub const REPORT_BUFFER: usize = 1 << 16;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::paths::display_path;

/// How many symbolic links are followed from FILE to the file replaced (Linux's limit).
const MAX_LINKS: usize = 40;

/// A report being written to a file.
pub struct OutputFile {
    /// The path as given, for messages.
    path: PathBuf,
    sink: Sink,
}

enum Sink {
    /// A regular file, or no file yet: `target` is FILE with its symbolic links resolved, and
    /// the temporary file is in `target`'s folder, so the final rename stays on one file
    /// system.
    Replace {
        target: PathBuf,
        temp: BufWriter<NamedTempFile>,
    },
    /// A character device or a FIFO: it cannot be replaced, and half a report in it is what
    /// any writer would leave.
    Stream(BufWriter<File>),
}

impl OutputFile {
    /// Start writing the report for `path`. `inputs` are the files the run lints: a report
    /// must not replace one of them (however `path` spells it, or reaches it through links).
    pub fn create<'a>(
        path: &Path,
        inputs: impl IntoIterator<Item = &'a Path>,
    ) -> Result<OutputFile, String> {
        let cannot = |e: &dyn std::fmt::Display| format!("cannot write `{}`: {e}", path.display());
        // Followed by the system: `/dev/stdout` may lead to a pipe through `/proc`, which
        // only the kernel can follow.
        let meta = std::fs::metadata(path).ok();
        if let Some(meta) = &meta
            && let Some(input) = inputs.into_iter().find(|i| same_file(meta, path, i))
        {
            return Err(format!(
                "`--output {}` would overwrite `{}`, a file this run lints: write the report to another file",
                path.display(),
                display_path(input)
            ));
        }
        let sink = match &meta {
            Some(m) if is_stream(m) => Sink::Stream(BufWriter::with_capacity(
                REPORT_BUFFER,
                open_stream(path, m).map_err(|e| cannot(&e))?,
            )),
            Some(m) if m.is_dir() => return Err(cannot(&"it is a directory")),
            Some(m) if !m.is_file() => {
                return Err(cannot(
                    &"it is not a regular file, a character device or a FIFO",
                ));
            }
            _ => {
                let target = resolve_links(path).map_err(|e| cannot(&e))?;
                let dir = match target.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                create_folder(dir, path)?;
                let name = target
                    .file_name()
                    .map(|n| format!(".{}.", n.to_string_lossy()))
                    .unwrap_or_default();
                let temp = tempfile::Builder::new()
                    .prefix(&name)
                    .suffix(".tmp")
                    .tempfile_in(dir)
                    .map_err(|e| cannot(&e))?;
                Sink::Replace {
                    target,
                    temp: BufWriter::with_capacity(REPORT_BUFFER, temp),
                }
            }
        };
        Ok(OutputFile {
            path: path.to_path_buf(),
            sink,
        })
    }

    /// Put the complete report in place. On failure the temporary file is removed and the
    /// previous report (if any) is left as it was.
    pub fn persist(self) -> Result<(), String> {
        let display = self.path.display().to_string();
        let (target, temp) = match self.sink {
            Sink::Stream(stream) => {
                return stream
                    .into_inner()
                    .map(drop)
                    .map_err(|e| format!("cannot write `{display}`: {}", e.error()));
            }
            Sink::Replace { target, temp } => (target, temp),
        };
        let temp = temp
            .into_inner()
            .map_err(|e| format!("cannot write `{display}`: {}", e.error()))?;
        // A temporary file is private (0600); a report is as readable as a file the shell
        // would create, or keeps the permissions of the report it replaces.
        let permissions = std::fs::metadata(&target)
            .ok()
            .map(|m| m.permissions())
            .or_else(default_permissions);
        if let Some(p) = permissions {
            let _ = temp.as_file().set_permissions(p);
        }
        temp.as_file()
            .sync_all()
            .map_err(|e| format!("cannot write `{display}`: {e}"))?;
        temp.persist(&target)
            .map_err(|e| format!("cannot write `{display}`: {}", e.error))?;
        Ok(())
    }
}

/// Replace the content of an existing file with `bytes` at once (`--fix`): written to a
/// temporary file beside it (beside the file a symbolic link leads to), with the file's
/// permissions, then renamed over it. On failure the file is left as it was.
pub fn replace_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let cannot = |e: &dyn std::fmt::Display| format!("cannot write the fixed file: {e}");
    let target = resolve_links(path).map_err(|e| cannot(&e))?;
    let permissions = std::fs::metadata(&target)
        .map_err(|e| cannot(&e))?
        .permissions();
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| format!(".{}.", n.to_string_lossy()))
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&name)
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| cannot(&e))?;
    temp.write_all(bytes).map_err(|e| cannot(&e))?;
    let _ = temp.as_file().set_permissions(permissions);
    temp.as_file().sync_all().map_err(|e| cannot(&e))?;
    temp.persist(&target).map_err(|e| cannot(&e.error))?;
    Ok(())
}

/// Create the folder a report goes in (`--output reports/kmslint.sarif` in a fresh checkout),
/// with the folders above it; `output` is the path as given, for the message.
fn create_folder(dir: &Path, output: &Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "cannot create the folder `{}` for `--output {}`: {e}",
            display_path(dir),
            output.display()
        )
    })
}

/// `path` with its symbolic links followed to the file they end at, which need not exist
/// (a dangling link is written through, as the shell's `>` does).
fn resolve_links(path: &Path) -> std::io::Result<PathBuf> {
    let mut path = path.to_path_buf();
    for _ in 0..=MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                // A relative target is relative to the link's folder; an absolute one
                // replaces the path (`join`). `..` is left for the system to resolve, after
                // any linked folder.
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Whether the output (`meta`, of `output`) is the file `input`: the same device and inode
/// (a link, a hard link, another spelling of the path).
#[cfg(unix)]
fn same_file(meta: &Metadata, _output: &Path, input: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(input).is_ok_and(|m| m.dev() == meta.dev() && m.ino() == meta.ino())
}

#[cfg(not(unix))]
fn same_file(_meta: &Metadata, output: &Path, input: &Path) -> bool {
    match (std::fs::canonicalize(output), std::fs::canonicalize(input)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// A character device or a FIFO: written to, never replaced.
#[cfg(unix)]
fn is_stream(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_char_device() || meta.file_type().is_fifo()
}

#[cfg(not(unix))]
fn is_stream(_meta: &Metadata) -> bool {
    false
}

/// Open a character device or a FIFO for writing.
#[cfg(unix)]
fn open_stream(path: &Path, meta: &Metadata) -> std::io::Result<File> {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    if !meta.file_type().is_fifo() {
        return OpenOptions::new().write(true).open(path);
    }
    // Opening a FIFO for writing waits for a reader, forever if none comes; with O_NONBLOCK
    // it fails at once (ENXIO) instead.
    let probe = OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ENXIO) => std::io::Error::other(
                "it is a FIFO and no process is reading it (start the reader first)",
            ),
            _ => e,
        })?;
    // The writes must wait for a slow reader, and clearing O_NONBLOCK takes `fcntl` (unsafe
    // code): open again, which returns at once now that a reader is there (should the
    // reader leave in between, it waits for the next one, as any writer would).
    let file = OpenOptions::new().write(true).open(path)?;
    drop(probe);
    Ok(file)
}

#[cfg(not(unix))]
fn open_stream(path: &Path, _meta: &Metadata) -> std::io::Result<File> {
    OpenOptions::new().write(true).open(path)
}

/// What a new report's permissions are: those a shell would give a new file.
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.sink {
            Sink::Replace { temp, .. } => temp.write(buf),
            Sink::Stream(stream) => stream.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.sink {
            Sink::Replace { temp, .. } => temp.flush(),
            Sink::Stream(stream) => stream.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_appears_only_when_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.sarif");
        std::fs::write(&path, "old").unwrap();
        let mut out = OutputFile::create(&path, []).unwrap();
        out.write_all(b"new report").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        out.persist().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new report");
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file was left behind");
    }

    #[test]
    fn a_dropped_report_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        let mut out = OutputFile::create(&path, []).unwrap();
        out.write_all(b"partial").unwrap();
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn missing_folders_are_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/ci/report.json");
        let mut out = OutputFile::create(&path, []).unwrap();
        assert!(dir.path().join("reports/ci").is_dir());
        out.write_all(b"report").unwrap();
        out.persist().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "report");
    }

    #[test]
    fn a_folder_that_cannot_be_created_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("notes.txt");
        std::fs::write(&file, "").unwrap();
        let path = file.join("reports/r.json");
        let e = OutputFile::create(&path, []).err().unwrap();
        let folder = display_path(&file.join("reports"));
        assert!(
            e.starts_with(&format!(
                "cannot create the folder `{folder}` for `--output {}`: ",
                path.display()
            )),
            "{e}"
        );
        assert!(!file.join("reports").exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_stays_a_link_and_its_target_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("reports")).unwrap();
        let target = dir.path().join("reports/report.json");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("reports/report.json", &link).unwrap();
        let mut out = OutputFile::create(&link, []).unwrap();
        out.write_all(b"new").unwrap();
        out.persist().unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "new");
        // A dangling link: the file it names is created.
        std::fs::remove_file(&target).unwrap();
        let mut out = OutputFile::create(&link, []).unwrap();
        out.write_all(b"again").unwrap();
        out.persist().unwrap();
        assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "again");
        assert_eq!(
            std::fs::read_dir(dir.path().join("reports"))
                .unwrap()
                .count(),
            1
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::os::unix::fs::symlink("b.json", &a).unwrap();
        std::os::unix::fs::symlink("a.json", dir.path().join("b.json")).unwrap();
        let e = OutputFile::create(&a, []).err().unwrap();
        assert!(e.ends_with(": too many levels of symbolic links"), "{e}");
    }

    #[test]
    fn an_input_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("key.json");
        std::fs::write(&input, "{}").unwrap();
        let spelled = dir.path().join("sub/../key.json");
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let e = OutputFile::create(&spelled, [input.as_path()])
            .err()
            .unwrap();
        assert!(e.contains("would overwrite"), "{e}");
        assert!(e.contains("a file this run lints"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
        let other = dir.path().join("report.json");
        assert!(OutputFile::create(&other, [input.as_path()]).is_ok());
    }

    #[test]
    fn a_directory_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = OutputFile::create(dir.path(), []).err().unwrap();
        assert!(e.ends_with(": it is a directory"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_without_a_reader_is_an_error_not_a_hang() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("report.fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return;
        }
        let e = OutputFile::create(&fifo, []).err().unwrap();
        assert!(
            e.ends_with("no process is reading it (start the reader first)"),
            "{e}"
        );
    }
}
