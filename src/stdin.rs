//! Linting text read from standard input (`kmslint check -`, `--stdin-filename NAME`), the
//! way editors and pre-commit tools that hold an unsaved buffer call kmslint.

use std::io::Read;
#[cfg(unix)]
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CheckArgs, UsageError};
use crate::engine::{self, FileReport, MAX_FILE_SIZE, Reach, ReadError};
use crate::extract::InputKind;
use crate::paths::display_path;
use crate::settings::Settings;
use crate::source::SourceFile;

/// The name reported for standard input when `--stdin-filename` is not given.
pub const STDIN_NAME: &str = "-";

/// Standard input to be linted, and the name it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StdinInput {
    /// The name given with `--stdin-filename`, if any: it decides the input kind.
    pub name: Option<PathBuf>,
}

impl StdinInput {
    /// The path shown in reports.
    pub fn display(&self) -> String {
        self.name
            .as_deref()
            .map_or_else(|| STDIN_NAME.to_string(), display_path)
    }

    /// What to read the text as: by the name's extension (`.yaml`, `.tf`), else JSON, which
    /// [`InputKind::refine`] turns into YAML when the text does not start like JSON.
    pub fn kind(&self) -> InputKind {
        self.name
            .as_deref()
            .and_then(InputKind::from_path)
            .unwrap_or(InputKind::Json)
    }
}

/// Whether the command line asks to lint standard input: the path `-`, or
/// `--stdin-filename` (with `-` or no path). Standard input cannot be mixed with other paths.
pub fn requested(args: &CheckArgs) -> Result<Option<StdinInput>, UsageError> {
    let dash = Path::new("-");
    let has_dash = args.paths.iter().any(|p| p == dash);
    if !has_dash && args.stdin_filename.is_none() {
        return Ok(None);
    }
    if let Some(other) = args.paths.iter().find(|p| *p != dash) {
        let what = if has_dash {
            "`-` (standard input)"
        } else {
            "`--stdin-filename`"
        };
        return Err(UsageError(format!(
            "{what} cannot be combined with other paths (`{}`): lint standard input and files in separate runs",
            other.display()
        )));
    }
    Ok(Some(StdinInput {
        name: args.stdin_filename.clone(),
    }))
}

/// Read all of `input`, refusing more than [`MAX_FILE_SIZE`] bytes.
pub fn read_limited(input: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    input
        .take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// What a closed standard input reads as.
const CLOSED: &str = "it is closed (pipe the text in, or name a file instead of `-`)";

/// Standard input, to read to its end. A closed one is an error: it is not an empty file.
/// `std::io::Stdin` reads a closed descriptor as empty, so this reads a duplicate of it.
#[cfg(unix)]
fn open_stdin() -> std::io::Result<std::fs::File> {
    use std::os::fd::AsFd;
    let fd = std::io::stdin()
        .as_fd()
        .try_clone_to_owned()
        .map_err(|e| match e.raw_os_error() {
            Some(libc::EBADF) => std::io::Error::other(CLOSED),
            _ => e,
        })?;
    let file = std::fs::File::from(fd);
    if reopened_when_closed(&file) {
        return Err(std::io::Error::other(CLOSED));
    }
    Ok(file)
}

/// Whether `stdin` is the `/dev/null` the Rust runtime puts in place of a closed standard
/// input at start-up (it opens it for reading and writing, where `< /dev/null` opens it for
/// reading only). A zero-byte write tells them apart: the system checks the mode first.
#[cfg(unix)]
fn reopened_when_closed(stdin: &std::fs::File) -> bool {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};
    let (Ok(m), Ok(null)) = (stdin.metadata(), std::fs::metadata("/dev/null")) else {
        return false;
    };
    m.file_type().is_char_device() && m.rdev() == null.rdev() && (&*stdin).write(&[]).is_ok()
}

#[cfg(not(unix))]
fn open_stdin() -> std::io::Result<std::io::StdinLock<'static>> {
    Ok(std::io::stdin().lock())
}

/// Read standard input to its end and drop it: the program writing it (an editor) is not cut
/// off by a closed pipe. What cannot be read is of no interest either.
pub fn discard() {
    let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
}

/// Lint standard input; the error says why it could not be read. A `.tf` buffer is read with the other `.tf` files of its folder (its
/// Terraform module), as the file it stands for would be.
pub fn lint(
    input: &StdinInput,
    settings: &Settings,
    settings_for: &dyn Fn(&std::path::Path) -> Settings,
) -> Result<(SourceFile, FileReport), String> {
    let display = input.display();
    let bytes = open_stdin()
        .map_err(ReadError::Io)
        .and_then(read_limited)
        .map_err(|e| match e {
            ReadError::TooLarge(_) => format!(
                "standard input is larger than the {} MiB limit (a key policy is at most 32 KiB)",
                MAX_FILE_SIZE / (1024 * 1024)
            ),
            ReadError::Io(e) => format!("could not read standard input: {e}"),
        })?;
    if input.kind() == InputKind::Hcl
        && let Some(name) = &input.name
        && let Ok(text) = String::from_utf8(bytes.clone())
    {
        return Ok(crate::loader::lint_buffer_in_module(
            name,
            text,
            Reach::Named,
            settings_for,
        ));
    }
    Ok(engine::lint_bytes(
        &display,
        input.kind(),
        bytes,
        Reach::Named,
        settings,
    ))
}

/// Lint a text that stands for standard input (its fixed version), as [`lint`] read it.
pub fn relint(
    input: &StdinInput,
    source: &SourceFile,
    settings: &Settings,
    settings_for: &dyn Fn(&std::path::Path) -> Settings,
) -> FileReport {
    if input.kind() == InputKind::Hcl
        && let Some(name) = &input.name
    {
        return crate::loader::lint_buffer_in_module(
            name,
            source.text.clone(),
            Reach::Named,
            settings_for,
        )
        .1;
    }
    engine::lint_source(source, input.kind(), Reach::Named, settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(paths: &[&str], name: Option<&str>) -> CheckArgs {
        CheckArgs {
            paths: paths.iter().map(PathBuf::from).collect(),
            stdin_filename: name.map(PathBuf::from),
            ..CheckArgs::default()
        }
    }

    #[test]
    fn dash_or_a_stdin_filename_reads_stdin() {
        assert_eq!(
            requested(&args(&["a.json"], None)).map_err(|e| e.0),
            Ok(None)
        );
        assert_eq!(
            requested(&args(&["-"], None)).map_err(|e| e.0),
            Ok(Some(StdinInput { name: None }))
        );
        for paths in [&[][..], &["-"][..]] {
            let got = requested(&args(paths, Some("stack.yaml"))).map_err(|e| e.0);
            let input = got.unwrap().unwrap();
            assert_eq!(input.display(), "stack.yaml");
            assert_eq!(input.kind(), InputKind::Yaml);
        }
    }

    #[test]
    fn stdin_cannot_be_mixed_with_files() {
        let Err(UsageError(msg)) = requested(&args(&["-", "b.json"], None)) else {
            panic!("accepted");
        };
        assert_eq!(
            msg,
            "`-` (standard input) cannot be combined with other paths (`b.json`): lint standard input and files in separate runs"
        );
        let Err(UsageError(msg)) = requested(&args(&["b.json"], Some("a.json"))) else {
            panic!("accepted");
        };
        assert!(
            msg.starts_with("`--stdin-filename` cannot be combined"),
            "{msg}"
        );
    }

    #[test]
    fn kind_comes_from_the_name_and_defaults_to_json() {
        let kind = |n: Option<&str>| {
            StdinInput {
                name: n.map(PathBuf::from),
            }
            .kind()
        };
        assert_eq!(kind(None), InputKind::Json);
        assert_eq!(kind(Some("main.tf")), InputKind::Hcl);
        assert_eq!(kind(Some("dir/key.JSON")), InputKind::Json);
        assert_eq!(kind(Some("notes.txt")), InputKind::Json);
        assert_eq!(StdinInput { name: None }.display(), "-");
        assert_eq!(
            StdinInput {
                name: Some(PathBuf::from("./infra/key.json"))
            }
            .display(),
            "infra/key.json"
        );
    }

    #[test]
    fn oversized_input_is_refused() {
        let big = std::io::repeat(b' ').take(MAX_FILE_SIZE + 10);
        assert!(matches!(read_limited(big), Err(ReadError::TooLarge(_))));
        assert_eq!(read_limited(&b"{}"[..]).unwrap(), b"{}");
    }
}
