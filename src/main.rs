use std::io::Write;

/// kmslint allocates many small values (the parsed tree, the model, messages) and frees them
/// file by file: mimalloc does that in a fraction of the system allocator's instructions.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

use clap::Parser;
use kmslint::app;
use kmslint::cli::{Cli, Command, UsageError};
use kmslint::cli::{EXIT_ERROR, EXIT_OK};

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
    let mut out = std::io::BufWriter::with_capacity(kmslint::output::REPORT_BUFFER, stdout.lock());
    let mut err = stderr.lock();
    let status = match cli.command {
        None => app::check(&cli.check, &mut out, &mut err),
        Some(Command::Check(args)) => app::check(&args, &mut out, &mut err),
        Some(Command::Rule { code, config }) => {
            app::rule(&code, &config.overrides(), &mut out, &mut err)
        }
        Some(Command::Rules { format, config }) => {
            app::rules(format, &config.overrides(), &mut out, &mut err)
        }
        Some(Command::Explain(args)) => kmslint::explain::explain(&args, &mut out, &mut err),
        Some(Command::Completions { shell }) => print(&mut out, &kmslint::cli::completions(shell)),
        Some(Command::Man) => print(&mut out, &kmslint::cli::man_page()),
        // Served above, before stdout was locked.
        Some(Command::Lsp(_)) => EXIT_OK,
    };
    if out.flush().is_err() {
        return ExitCode::from(EXIT_ERROR);
    }
    ExitCode::from(status)
}

/// Write a generated text; status 2 when it could not be written (a closed pipe).
fn print(out: &mut impl Write, text: &[u8]) -> u8 {
    match out.write_all(text) {
        Ok(()) => EXIT_OK,
        Err(_) => EXIT_ERROR,
    }
}
