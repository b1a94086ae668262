use std::io::Write;

/// kmslint allocates many small values (the parsed tree, the model, messages) and frees them
/// file by file: mimalloc does that in a fraction of the system allocator's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use clap::Parser;
use kmslint::app;
use kmslint::cli::{Cli, Command, ListFormat, UsageError};
use kmslint::cli::{EXIT_ERROR, EXIT_OK};
use kmslint::registry::{self, RULES};

fn main() -> ExitCode {
    let raw: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = Cli::parse_from(&raw);
    if let Some(UsageError(message)) = kmslint::cli::mistyped_command(&cli, &raw) {
        eprintln!("error: {message}");
        return ExitCode::from(EXIT_ERROR);
    }
    // The server writes to stdout from its own thread: it must not be locked here.
    if let Some(Command::Lsp(args)) = &cli.command {
        return ExitCode::from(match kmslint::lsp::main(&args.rules.overrides()) {
            Ok(status) => status,
            Err(messages) => {
                for m in messages {
                    eprintln!("error: {m}");
                }
                EXIT_ERROR
            }
        });
    }
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err = stderr.lock();
    let status = match cli.command {
        None => app::check(&cli.check, &mut out, &mut err),
        Some(Command::Check(args)) => app::check(&args, &mut out, &mut err),
        Some(Command::Rule { code }) => match registry::find(&code) {
            Some(rule) => {
                let _ = out.write_all(rule.doc.as_bytes());
                EXIT_OK
            }
            None => {
                let names = RULES.iter().flat_map(|r| [r.code, r.name]);
                let hint = kmslint::model::nearest(&code, names)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                let _ = writeln!(
                    err,
                    "error: no rule `{code}`{hint}; `kmslint rules` lists them"
                );
                EXIT_ERROR
            }
        },
        Some(Command::Rules { format }) => {
            let text = match format {
                ListFormat::Text => app::rules_table(),
                ListFormat::Json => app::rules_json(),
            };
            let _ = out.write_all(text.as_bytes());
            EXIT_OK
        }
        // Served above, before stdout was locked.
        Some(Command::Lsp(_)) => EXIT_OK,
    };
    if out.flush().is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::from(status)
}
