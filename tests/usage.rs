#![allow(clippy::unwrap_used)]
//! README.md's usage block says what the binary's `--help` says: the same commands, and for
//! each command the same long options, both ways.
//!
//! The block (the first code block under `## Usage`) has one line per command, starting with
//! `kmslint` (`kmslint [check] ...` is both `kmslint` and `kmslint check`), and the options of
//! the command above as lines indented by two spaces (`  --format human|...   what it does`).
//! The options of a line are the `--name` words of its first column: the text before the first
//! gap of two spaces, so a description may mention other options. A line indented further than
//! that column's options continues a description or a command's synopsis.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// Where descriptions start in the usage block: lines indented this far continue one.
const DESCRIPTION_COLUMN: usize = 20;

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .args(args)
        .arg("--help")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(out.status.success(), "kmslint {args:?} --help failed");
    String::from_utf8(out.stdout).unwrap()
}

/// The commands `kmslint --help` lists, without clap's `help`.
fn help_commands(top: &str) -> BTreeSet<String> {
    let section = top
        .split("\nCommands:\n")
        .nth(1)
        .expect("`kmslint --help` has a Commands section");
    section
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The long options a help text defines (not those its descriptions mention), without
/// `--help` and `--version`.
fn help_options(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|l| {
            let indent = l.len() - l.trim_start().len();
            (2..=6).contains(&indent) && l.trim_start().starts_with('-')
        })
        .filter_map(|l| {
            l.split(|c: char| c.is_whitespace() || c == ',' || c == '=')
                .find(|w| w.starts_with("--"))
        })
        .map(|w| w.to_string())
        .filter(|w| w != "--help" && w != "--version")
        .collect()
}

/// The `--name` words of a text.
fn long_options(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("--") {
        let name: String = rest[i + 2..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        if !name.is_empty() {
            out.push(format!("--{name}"));
        }
        rest = &rest[i + 2 + name.len()..];
    }
    out
}

/// README.md's usage block: each command (`""` for `kmslint` alone) and its long options.
fn readme_usage() -> BTreeMap<String, BTreeSet<String>> {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let usage = &readme[readme
        .find("\n## Usage\n")
        .expect("README.md has `## Usage`")..];
    let start = usage.find("```\n").expect("`## Usage` has a code block") + 4;
    let block = &usage[start..start + usage[start..].find("```").unwrap()];
    let mut commands: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut current: Vec<String> = Vec::new();
    for line in block.lines() {
        let indent = line.len() - line.trim_start().len();
        if indent >= DESCRIPTION_COLUMN {
            continue;
        }
        let first_column = line.trim_start().split("  ").next().unwrap_or("");
        if let Some(rest) = line.strip_prefix("kmslint ") {
            let word = rest.split_whitespace().next().unwrap_or("");
            current = if word == "[check]" {
                vec![String::new(), "check".to_string()]
            } else {
                vec![word.to_string()]
            };
            for c in &current {
                commands.entry(c.clone()).or_default();
            }
        }
        assert!(
            !current.is_empty() || first_column.is_empty(),
            "README.md's usage block starts with `{line}`, not a `kmslint` command line"
        );
        for option in long_options(first_column) {
            for c in &current {
                commands.get_mut(c).unwrap().insert(option.clone());
            }
        }
    }
    commands
}

/// The command's line in the usage block.
fn section(command: &str) -> String {
    if command.is_empty() || command == "check" {
        "kmslint [check]".to_string()
    } else {
        format!("kmslint {command}")
    }
}

fn shown(command: &str) -> String {
    if command.is_empty() {
        "kmslint".to_string()
    } else {
        format!("kmslint {command}")
    }
}

#[test]
fn readme_usage_lists_every_command_and_option_of_the_help() {
    let readme = readme_usage();
    let top = help(&[]);
    let mut problems = Vec::new();
    let commands = help_commands(&top);
    for c in &commands {
        if !readme.contains_key(c) {
            problems.push(format!(
                "`kmslint --help` lists the command `{c}`, which README.md's usage block lacks: add a line `kmslint {c} ...   what it does` to the block under `## Usage`"
            ));
        }
    }
    for c in readme.keys().filter(|c| !c.is_empty()) {
        if !commands.contains(c) {
            problems.push(format!(
                "README.md's usage block has a line for `kmslint {c}`, which `kmslint --help` does not list: remove it from README.md, or add the command to src/cli.rs"
            ));
        }
    }
    for (command, documented) in &readme {
        if !command.is_empty() && !commands.contains(command) {
            continue;
        }
        let args: Vec<&str> = [command.as_str()]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect();
        let options = help_options(&help(&args));
        for o in options.difference(documented) {
            problems.push(format!(
                "`{} --help` lists `{o}`, which README.md's usage block lacks: add it to the line `{} ...` of the block under `## Usage`, or below that line as `  {o} ...   what it does`",
                shown(command),
                section(command)
            ));
        }
        for o in documented.difference(&options) {
            problems.push(format!(
                "README.md's usage block gives `{}` the option `{o}`, which `{} --help` does not list: remove it from README.md, or add the option to src/cli.rs",
                shown(command),
                shown(command)
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The parsers read what they are meant to: a check that compares empty sets would pass.
#[test]
fn the_usage_parsers_see_options_and_commands() {
    let readme = readme_usage();
    assert!(readme[""].contains("--format"), "{readme:?}");
    assert!(readme["check"].contains("--fail-on"), "{readme:?}");
    assert!(readme["rules"].contains("--format"), "{readme:?}");
    assert!(readme["rule"].contains("--isolated"), "{readme:?}");
    assert!(!readme["rule"].contains("--format"), "{readme:?}");
    let check = help_options(&help(&["check"]));
    assert!(
        check.contains("--output") && check.contains("--quiet"),
        "{check:?}"
    );
    assert!(!check.contains("--help"));
    let commands = help_commands(&help(&[]));
    assert!(
        commands.contains("check") && commands.contains("man"),
        "{commands:?}"
    );
    assert_eq!(
        long_options("  --output FILE, -o FILE   like --format"),
        ["--output", "--format"]
    );
}
