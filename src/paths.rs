//! Paths as kmslint shows and compares them.

use std::path::{Component, Path, PathBuf};

/// The path as users should see it: relative, with `/` separators, no leading `./`.
pub fn display_path(path: &std::path::Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    match s.strip_prefix("./") {
        Some(rest) if !rest.is_empty() => rest.to_string(),
        _ => s,
    }
}

/// An absolute path with `.` and `..` resolved by their names (symbolic links are left as
/// they are, the way the user wrote the path).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match current_dir() {
            Some(d) => d.join(path),
            None => path.to_path_buf(),
        }
    };
    // Most paths have nothing to resolve: no `.`, `..` or empty part after the root.
    let bytes = joined.as_os_str().as_encoded_bytes();
    let resolved = bytes
        .split(|&b| b == b'/')
        .skip(1)
        .all(|part| !matches!(part, b"" | b"." | b".."));
    if resolved && std::path::MAIN_SEPARATOR == '/' {
        return joined;
    }
    resolve(&joined)
}

/// `path` with `.` and `..` resolved by their names, component by component.
fn resolve(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The working folder, asked once: kmslint never changes it, and every file of a walk is
/// placed against it.
fn current_dir() -> Option<&'static Path> {
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

/// The bytes of [`display_path`]: on Unix a file name that is not UTF-8 keeps its own bytes
/// (where `display_path` has U+FFFD), so a SARIF URI can name the file exactly.
#[cfg(unix)]
pub fn display_bytes(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let mut bytes: Vec<u8> = path
        .as_os_str()
        .as_bytes()
        .iter()
        .map(|&b| if b == b'\\' { b'/' } else { b })
        .collect();
    if bytes.len() > 2 && bytes.starts_with(b"./") {
        bytes.drain(..2);
    }
    bytes
}

/// The bytes of [`display_path`] (file names are Unicode here).
#[cfg(not(unix))]
pub fn display_bytes(path: &Path) -> Vec<u8> {
    display_path(path).into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_bytes_match_the_display_path() {
        for p in [
            "./a/b.json",
            "a\\b.json",
            "./",
            ".",
            "/abs/k.json",
            "k\u{e9}.json",
        ] {
            assert_eq!(
                display_bytes(Path::new(p)),
                display_path(Path::new(p)).into_bytes()
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn absolute_paths_resolve_dots_and_empty_parts_and_keep_the_rest() {
        for p in [
            "/a/b.json",
            "/a/./b.json",
            "/a/../b.json",
            "/a//b.json",
            "/a/b/",
            "/a/b/.",
            "/a/.b/..c/b.json",
            "/",
        ] {
            assert_eq!(absolute(Path::new(p)), resolve(Path::new(p)), "{p}");
        }
        assert!(absolute(Path::new("a/../b")).ends_with("b"));
        assert!(absolute(Path::new("a/../b")).is_absolute());
    }

    #[cfg(unix)]
    #[test]
    fn display_bytes_keep_what_is_not_utf8() {
        use std::os::unix::ffi::OsStrExt;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"./d/k\xffey.json"));
        assert_eq!(display_bytes(p), b"d/k\xffey.json");
        assert_eq!(display_path(p), "d/k\u{fffd}ey.json");
    }
}

/// The order of paths component by component (`a/b` before `a-b`), as `Path`'s own order,
/// computed on the bytes: a separator sorts before any other byte.
pub fn path_order(a: &Path, b: &Path) -> std::cmp::Ordering {
    let (a, b) = (
        a.as_os_str().as_encoded_bytes(),
        b.as_os_str().as_encoded_bytes(),
    );
    // Paths in one walk share long prefixes: skip the equal part eight bytes at a time.
    let mut i = 0;
    while i + 8 <= a.len().min(b.len()) && a[i..i + 8] == b[i..i + 8] {
        i += 8;
    }
    let key = |c: u8| if c == b'/' { 0 } else { c };
    match a[i..].iter().zip(&b[i..]).find(|(x, y)| x != y) {
        Some((&x, &y)) => key(x).cmp(&key(y)),
        None => a.len().cmp(&b.len()),
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn byte_order_with_separators_first_is_path_order() {
        let mut paths: Vec<PathBuf> = [
            "a-b/x", "a/b", "a/b/c", "ab", "a", "a.json", "b", "a/b-c", "a/bc",
        ]
        .iter()
        .map(PathBuf::from)
        .collect();
        let mut by_path = paths.clone();
        by_path.sort();
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, by_path);
    }

    /// Long shared prefixes (skipped eight bytes at a time) and every split of the mismatch.
    #[test]
    fn long_prefixes_sort_as_paths_do() {
        let parts = ["a", "a-b", "a.json", "ab", "b", "abcdefgh", "abcdefgh-"];
        let mut paths = Vec::new();
        for x in parts {
            for y in parts {
                for z in parts {
                    paths.push(PathBuf::from(format!("bench/.corpus/10000/{x}/{y}/{z}")));
                    paths.push(PathBuf::from(format!("bench/.corpus/10000/{x}/{y}{z}")));
                }
            }
        }
        let mut by_path = paths.clone();
        by_path.sort();
        paths.sort_by(|a, b| path_order(a, b));
        assert_eq!(paths, by_path);
    }
}
