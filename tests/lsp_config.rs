#![allow(clippy::unwrap_used)]
//! `kmslint lsp` and configuration files, driven over stdio as an editor drives it: a
//! `kmslint.toml` created, edited, deleted or broken while the server runs takes effect without
//! a restart, with or without the client watching files, and a broken one is shown.

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/frames.rs"]
mod frames;
use frames::read_message;

/// How long to wait for a message before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Messages received while waiting for something else.
    queue: VecDeque<Value>,
    stderr: Option<JoinHandle<String>>,
    next_id: i64,
}

impl Client {
    /// Start a server in `cwd` and complete the handshake with the client's `capabilities`.
    fn initialized(cwd: &Path, capabilities: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .arg("lsp")
            .current_dir(cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        let mut c = Client {
            stdin: child.stdin.take(),
            child,
            rx,
            queue: VecDeque::new(),
            stderr: Some(stderr),
            next_id: 1,
        };
        let result = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        );
        assert_eq!(result["serverInfo"]["name"], "kmslint");
        c.notify("initialized", json!({}));
        c
    }

    fn send_together(&mut self, msgs: &[Value]) {
        let mut frames = String::new();
        for msg in msgs {
            let body = msg.to_string();
            frames.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        }
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(frames.as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, msg: Value) {
        self.send_together(&[msg]);
    }

    fn notification(method: &str, params: Value) -> Value {
        json!({"jsonrpc": "2.0", "method": method, "params": params})
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Client::notification(method, params));
    }

    /// Send a request and return its result.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = match self.rx.recv_timeout(left) {
                Ok(m) => m,
                Err(e) => panic!("no response to `{method}`: {e:?}"),
            };
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                assert!(msg.get("error").is_none(), "{msg}");
                return msg["result"].clone();
            }
            self.queue.push_back(msg);
        }
    }

    /// Every message the server sent before it answers a request sent now: messages are
    /// handled in order, so nothing the server does for earlier messages comes later.
    fn settle(&mut self) {
        self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///nowhere.json"}, "position": {"line": 0, "character": 0}}),
        );
    }

    /// The next message `matches` accepts (requests and notifications alike); `None` after
    /// `wait`.
    fn next_where(&mut self, wait: Duration, matches: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.queue.iter().position(&matches) {
            return self.queue.remove(i);
        }
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(m) if matches(&m) => return Some(m),
                Ok(other) => self.queue.push_back(other),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited"),
            }
        }
    }

    /// The next message of `method` (fails the test after the timeout).
    fn next(&mut self, method: &str) -> Value {
        self.next_where(TIMEOUT, |m| m["method"] == method)
            .unwrap_or_else(|| panic!("no `{method}`"))
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        self.next_where(TIMEOUT, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })
        .unwrap_or_else(|| panic!("no diagnostics for {uri}"))["params"]
            .clone()
    }

    /// Whether a message of `method` was received and not taken yet.
    fn queued(&self, method: &str) -> Vec<Value> {
        self.queue
            .iter()
            .filter(|m| m["method"] == method)
            .cloned()
            .collect()
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        let published = self.diagnostics(uri);
        assert_eq!(published["version"], 1);
        published
    }

    /// Shut down cleanly; the server's standard error.
    fn shutdown(mut self) -> String {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        };
        assert_eq!(status.code(), Some(0));
        self.stderr.take().unwrap().join().unwrap()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A `didChange` notification that appends a space at the end of the document's first line
/// (an edit that changes no finding).
fn touch(uri: &str, version: i32) -> Value {
    Client::notification(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {"start": {"line": 0, "character": 1}, "end": {"line": 0, "character": 1}},
                "text": " "
            }]
        }),
    )
}

/// A `didChange` notification replacing the whole text.
fn replace(uri: &str, version: i32, text: &str) -> Value {
    Client::notification(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    )
}

fn save(uri: &str) -> Value {
    Client::notification(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    )
}

/// A temporary folder with an empty `kmslint.toml`, which stops the search for configuration
/// files: one above the temporary folder changes nothing.
struct Workspace(tempfile::TempDir);

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("kmslint.toml"), "").unwrap();
        Workspace(dir)
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    fn uri(&self, rel: &str) -> String {
        format!("file://{}/{rel}", self.path().display())
    }

    /// Write a file, creating its folder.
    fn write(&self, rel: &str, text: &str) {
        let path = self.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// A policy with an invalid character in a Sid (KMS029) and a group principal (KMS002).
const GROUP_POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Root\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}},\n    {\"Sid\": \"Équipe 😀\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:group/Analysts\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}\n  ]\n}\n";

const IGNORE_KMS029: &str = "ignore = [\"KMS029\"]\n";

/// Line 2 column 11 is an unknown rule.
const BROKEN: &str = "ignore = [\"KMS029\"]\nselect = [\"KMS999\"]\n";

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn watching() -> Value {
    json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}})
}

#[test]
fn a_watched_configuration_change_relints_open_documents() {
    let ws = Workspace::new();
    let mut c = Client::initialized(ws.path(), watching());
    // The client can watch files: the server asks it to watch configuration files.
    let register = c.next("client/registerCapability");
    let registration = &register["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&Value> = registration["registerOptions"]["watchers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| &w["globPattern"])
        .collect();
    assert_eq!(
        globs,
        [&json!("**/.kmslint.toml"), &json!("**/kmslint.toml")]
    );
    c.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    let uri = ws.uri("keys/group.json");
    let published = c.open(&uri, "json", GROUP_POLICY);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    // A configuration next to the document; the client reports it and nothing else happens.
    ws.write("keys/kmslint.toml", IGNORE_KMS029);
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": ws.uri("keys/kmslint.toml"), "type": 1}]}),
    );
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published), ["KMS002"]);
    // The reply to the registration was taken as a reply, not answered as a bad message.
    c.settle();
    assert!(
        c.queue.iter().all(|m| m.get("error").is_none()),
        "{:?}",
        c.queue
    );
    c.shutdown();
}

#[test]
fn without_file_watching_the_next_lint_reads_the_changed_configuration() {
    let ws = Workspace::new();
    let mut c = Client::initialized(ws.path(), json!({}));
    let uri = ws.uri("team/keys/group.json");
    let other = ws.uri("team/other.json");
    let published = c.open(&uri, "json", GROUP_POLICY);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    // A client that cannot watch files is not asked to.
    assert_eq!(c.queued("client/registerCapability"), Vec::<Value>::new());
    assert_eq!(
        codes(&c.open(&other, "json", GROUP_POLICY)),
        ["KMS029", "KMS002"]
    );

    // Created in a folder above the document (below the workspace's configuration).
    ws.write("team/kmslint.toml", IGNORE_KMS029);
    c.send(touch(&uri, 2));
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), ["KMS002"]);
    // The other open document under it is linted again too, unchanged.
    let published = c.diagnostics(&other);
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published), ["KMS002"]);

    // Edited, to a text of the same length.
    ws.write("team/kmslint.toml", "ignore = [\"KMS002\"]\n");
    c.send(touch(&uri, 3));
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 3);
    assert_eq!(codes(&published), ["KMS029"]);

    // A `.kmslint.toml` beside it takes precedence.
    ws.write("team/.kmslint.toml", "ignore = [\"KMS029\", \"KMS002\"]\n");
    c.send(touch(&uri, 4));
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 4);
    assert_eq!(codes(&published), Vec::<String>::new());

    // Deleted: the workspace's empty configuration governs again.
    std::fs::remove_file(ws.path().join("team/.kmslint.toml")).unwrap();
    std::fs::remove_file(ws.path().join("team/kmslint.toml")).unwrap();
    c.send(touch(&uri, 5));
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 5);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    c.shutdown();
}

#[test]
fn a_broken_configuration_is_shown_and_its_documents_get_the_command_line_settings() {
    let ws = Workspace::new();
    ws.write("broken/kmslint.toml", BROKEN);
    let mut c = Client::initialized(ws.path(), json!({}));
    let uri = ws.uri("broken/group.json");
    // Linted with the command line's settings: the file's `ignore` does not apply either.
    let published = c.open(&uri, "json", GROUP_POLICY);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    let shown = c.next("window/showMessage");
    assert_eq!(shown["params"]["type"], 1, "an error: {shown}");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains(
            "broken/kmslint.toml:2:11: `select`: `KMS999` is not a rule code, name or prefix"
        ),
        "{message}"
    );

    // Once: not again on the next lint.
    c.send(touch(&uri, 2));
    let published = c.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    c.settle();
    assert_eq!(c.queued("window/showMessage"), Vec::<Value>::new());

    // The configuration file open in the editor shows the problem where it is.
    let toml = ws.uri("broken/kmslint.toml");
    let published = c.open(&toml, "toml", BROKEN);
    let diagnostics = published["diagnostics"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{published}");
    let d = &diagnostics[0];
    assert_eq!(
        d["range"],
        json!({"start": {"line": 1, "character": 10}, "end": {"line": 1, "character": 18}})
    );
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "kmslint");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .starts_with("`select`: `KMS999` is not a rule code"),
        "{d}"
    );

    // Broken another way and saved: shown again, for its new place.
    let broken_again = "ignore = [\"KMS029\"]\nfail-on = \"loud\"\n";
    ws.write("broken/kmslint.toml", broken_again);
    c.send_together(&[replace(&toml, 2, broken_again), save(&toml)]);
    let published = c.diagnostics(&toml);
    assert_eq!(published["version"], 2);
    assert_eq!(
        published["diagnostics"][0]["range"]["start"],
        json!({"line": 1, "character": 10})
    );
    assert_eq!(codes(&c.diagnostics(&uri)), ["KMS029", "KMS002"]);
    let shown = c.next("window/showMessage");
    let message = shown["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("broken/kmslint.toml:2:11: `fail-on`"),
        "{message}"
    );

    // Fixed and saved: its diagnostic goes, and the document gets the configuration.
    ws.write("broken/kmslint.toml", IGNORE_KMS029);
    c.send_together(&[replace(&toml, 3, IGNORE_KMS029), save(&toml)]);
    let published = c.diagnostics(&toml);
    assert_eq!(published["version"], 3);
    assert_eq!(published["diagnostics"], json!([]));
    let published = c.diagnostics(&uri);
    assert_eq!(codes(&published), ["KMS002"]);
    c.settle();
    assert_eq!(c.queued("window/showMessage"), Vec::<Value>::new());
    let stderr = c.shutdown();
    assert!(
        stderr.contains("broken/kmslint.toml:2:11: `select`"),
        "{stderr}"
    );
}

#[test]
fn a_broken_configuration_leaves_other_folders_alone() {
    let ws = Workspace::new();
    ws.write("a/kmslint.toml", BROKEN);
    ws.write("b/kmslint.toml", IGNORE_KMS029);
    let mut c = Client::initialized(ws.path(), json!({}));
    let in_a = ws.uri("a/group.json");
    let in_b = ws.uri("b/group.json");
    assert_eq!(
        codes(&c.open(&in_a, "json", GROUP_POLICY)),
        ["KMS029", "KMS002"]
    );
    // B's configuration applies, before and after B is edited.
    assert_eq!(codes(&c.open(&in_b, "json", GROUP_POLICY)), ["KMS002"]);
    c.send(touch(&in_b, 2));
    let published = c.diagnostics(&in_b);
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), ["KMS002"]);
    // Only A's configuration was shown, once.
    c.settle();
    let shown = c.queued("window/showMessage");
    assert_eq!(shown.len(), 1, "{shown:?}");
    assert!(
        shown[0]["params"]["message"]
            .as_str()
            .unwrap()
            .contains("a/kmslint.toml:2:11:"),
        "{shown:?}"
    );
    c.shutdown();
}
