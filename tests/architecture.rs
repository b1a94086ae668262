#![allow(clippy::unwrap_used)]
//! Imports go one way: each top-level module of `src/` may use only modules of a lower layer
//! (CONTRIBUTING.md, "Architecture"). A new module must be given a layer here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A module may import the modules of the layers below its own.
const LAYERS: &[&[&str]] = &[
    &["paths", "tree"],
    &["source", "globs", "extract", "output"],
    &["model"],
    &["access"],
    &["rule"],
    &["diagnostic"],
    &["rules", "custom"],
    &["registry"],
    &["settings"],
    &["suppress", "config"],
    &["engine", "project"],
    &["loader", "discover", "fixer"],
    &["lint", "render", "lsp", "baseline"],
    &["cli"],
    &["stdin", "explain"],
    &["app"],
];

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The code of a file without its unit tests (`#[cfg(test)] mod …` to the end: tests may
/// use anything).
fn without_tests(text: &str) -> &str {
    let mut cut = text.len();
    for marker in ["#[cfg(test)]\nmod ", "#[cfg(test)]\npub mod "] {
        if let Some(i) = text.find(marker) {
            cut = cut.min(i);
        }
    }
    &text[..cut]
}

/// Every `crate::name` a file's code mentions (imports, paths, doc links).
fn mentions(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("crate::") {
        let after = &rest[i + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
        rest = after;
    }
    out
}

/// Each top-level module and the modules it mentions, read from `src/`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    fn walk(dir: &Path, files: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, files);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "main" || module == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let used = mentions(without_tests(&text));
        let entry = graph.entry(module.clone()).or_default();
        entry.extend(used.into_iter().filter(|m| *m != module));
    }
    graph
}

#[test]
fn every_module_has_a_layer() {
    let missing: Vec<String> = imports()
        .into_keys()
        .filter(|m| layer(m).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "give these modules a layer in tests/architecture.rs and CONTRIBUTING.md: {missing:?}"
    );
}

#[test]
fn imports_go_one_way() {
    let mut wrong = Vec::new();
    for (module, used) in imports() {
        let Some(own) = layer(&module) else {
            continue;
        };
        for other in used {
            match layer(&other) {
                Some(l) if l < own => {}
                Some(l) => wrong.push(format!(
                    "`{module}` (layer {own}) uses `{other}` (layer {l}), which is not below it"
                )),
                None => wrong.push(format!("`{module}` uses `{other}`, which has no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The check itself sees an upward import.
#[test]
fn an_upward_import_is_seen() {
    let used = mentions(without_tests(
        "use crate::app::check;\nfn f() { crate::render::x(); }\n#[cfg(test)]\nmod tests { use crate::cli; }",
    ));
    assert_eq!(
        used.into_iter().collect::<Vec<_>>(),
        ["app".to_string(), "render".to_string()]
    );
}
