//! `--output FILE`: the report goes to a temporary file beside FILE, renamed over it once
//! complete, so FILE is never left half-written (a CI step that uploads it sees the old report
//! or the new one, never a truncated one).

use std::io::Write;
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A report being written to a file.
pub struct OutputFile {
    path: PathBuf,
    temp: std::io::BufWriter<NamedTempFile>,
}

impl OutputFile {
    /// Start writing the report for `path` (created in the same folder, so the final rename
    /// stays on one file system).
    pub fn create(path: &Path) -> Result<OutputFile, String> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path
            .file_name()
            .map(|n| format!(".{}.", n.to_string_lossy()))
            .unwrap_or_default();
        let temp = tempfile::Builder::new()
            .prefix(&name)
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
        Ok(OutputFile {
            path: path.to_path_buf(),
            temp: std::io::BufWriter::new(temp),
        })
    }

    /// Put the complete report in place. On failure the temporary file is removed and the
    /// previous report (if any) is left as it was.
    pub fn persist(self) -> Result<(), String> {
        let display = self.path.display().to_string();
        let temp = self
            .temp
            .into_inner()
            .map_err(|e| format!("cannot write `{display}`: {}", e.error()))?;
        // A temporary file is private (0600); a report is as readable as a file the shell
        // would create, or keeps the permissions of the report it replaces.
        let permissions = std::fs::metadata(&self.path)
            .ok()
            .map(|m| m.permissions())
            .or_else(default_permissions);
        if let Some(p) = permissions {
            let _ = temp.as_file().set_permissions(p);
        }
        temp.as_file()
            .sync_all()
            .map_err(|e| format!("cannot write `{display}`: {e}"))?;
        temp.persist(&self.path)
            .map_err(|e| format!("cannot write `{display}`: {}", e.error))?;
        Ok(())
    }
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
        self.temp.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.temp.flush()
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
        let mut out = OutputFile::create(&path).unwrap();
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
        let mut out = OutputFile::create(&path).unwrap();
        out.write_all(b"partial").unwrap();
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_missing_folder_is_a_clear_error() {
        let e = OutputFile::create(Path::new("/nonexistent-kmslint-dir/r.json"))
            .err()
            .unwrap();
        assert!(
            e.starts_with("cannot write `/nonexistent-kmslint-dir/r.json`: "),
            "{e}"
        );
    }
}
