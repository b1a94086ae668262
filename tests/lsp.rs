#![allow(clippy::unwrap_used)]
//! `kmslint lsp` driven as an editor drives it: the built binary over stdio, with framed
//! JSON-RPC messages, asserting exact positions, contents and timing of what it sends.

use std::collections::VecDeque;
use std::io::{BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "support/frames.rs"]
mod frames;
use frames::read_message;

/// How long to wait for an answer before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The server's debounce (must match `kmslint::lsp::DEBOUNCE`).
const DEBOUNCE: Duration = kmslint::lsp::DEBOUNCE;

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<(Instant, Value)>,
    /// Messages received while waiting for something else.
    queue: VecDeque<(Instant, Value)>,
    next_id: i64,
}

impl Client {
    fn start(args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .arg("lsp")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                if tx.send((Instant::now(), msg)).is_err() {
                    break;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            rx,
            queue: VecDeque::new(),
            next_id: 1,
        }
    }

    /// Start a server and complete the handshake.
    fn initialized() -> Client {
        let mut c = Client::start(&[]);
        let result = c.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {}}),
        );
        assert_eq!(result["serverInfo"]["name"], "kmslint");
        let caps = &result["capabilities"];
        assert_eq!(caps["positionEncoding"], "utf-16");
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(caps["hoverProvider"], true);
        assert_eq!(
            caps["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.fixAll.kmslint"])
        );
        c.notify("initialized", json!({}));
        c
    }

    /// Start a server whose client declares `capabilities` (and `rootUri`).
    fn initialized_with(capabilities: Value, root_uri: Option<&str>) -> Client {
        let mut c = Client::start(&[]);
        c.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": capabilities}),
        );
        c.notify("initialized", json!({}));
        c
    }

    /// A client that applies versioned document changes and creates files, as VS Code does.
    fn initialized_editing() -> Client {
        Client::initialized_with(editing_capabilities(), None)
    }

    /// The code actions for `range` of a document (`only`: the kinds asked for).
    fn code_actions(&mut self, uri: &str, range: Value, only: Option<&[&str]>) -> Vec<Value> {
        let mut context = json!({"diagnostics": []});
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let actions = self.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
        );
        actions.as_array().unwrap().clone()
    }

    fn send(&mut self, msg: Value) {
        self.send_together(&[msg]);
    }

    /// Write messages in one write, so the server reads them together: no pause of this
    /// process between them can pass for an editor's pause.
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

    fn notification(method: &str, params: Value) -> Value {
        json!({"jsonrpc": "2.0", "method": method, "params": params})
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(Client::notification(method, params));
    }

    /// Send a request and return its response (`result` or `error`).
    fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let (at, msg) = match self.rx.recv_timeout(left) {
                Ok(m) => m,
                Err(e) => panic!("no response to `{method}`: {e:?}"),
            };
            if msg["id"] == json!(id) && msg.get("method").is_none() {
                return msg;
            }
            self.queue.push_back((at, msg));
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    /// The next notification of `method`, with when it arrived; `None` after `wait`.
    fn next_notification(&mut self, method: &str, wait: Duration) -> Option<(Instant, Value)> {
        if let Some(i) = self.queue.iter().position(|(_, m)| m["method"] == method) {
            let (at, m) = self.queue.remove(i).unwrap();
            return Some((at, m["params"].clone()));
        }
        let deadline = Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((at, m)) if m["method"] == method => return Some((at, m["params"].clone())),
                Ok(other) => self.queue.push_back(other),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited"),
            }
        }
    }

    /// The next `publishDiagnostics` (fails the test after the timeout).
    fn diagnostics(&mut self) -> Value {
        self.next_notification("textDocument/publishDiagnostics", TIMEOUT)
            .expect("no publishDiagnostics")
            .1
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
        let published = self.diagnostics();
        assert_eq!(published["uri"], uri);
        assert_eq!(published["version"], 1);
        published
    }

    fn change(&mut self, uri: &str, version: i32, range: [u32; 4], text: &str) {
        self.send(change(uri, version, range, text));
    }

    /// Shut down cleanly and check the exit status.
    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = wait_exit(&mut self.child);
        assert_eq!(status, Some(0));
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_exit(child: &mut Child) -> Option<i32> {
    let deadline = Instant::now() + TIMEOUT;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the server did not exit");
}

/// A `didChange` notification replacing `range` (`[line, character, line, character]`).
fn change(uri: &str, version: i32, range: [u32; 4], text: &str) -> Value {
    let [l1, c1, l2, c2] = range;
    Client::notification(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{
                "range": {"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}},
                "text": text
            }]
        }),
    )
}

/// A folder for documents, holding an empty `kmslint.toml`. The server takes each document's
/// nearest configuration, like `check` (and `kmslint lsp` has no `--isolated`): this one stops
/// the search, so a stray `kmslint.toml` above the temporary folder changes nothing.
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

    /// The `file:` URI of `rel` in the folder (the file need not exist: the editor sends the text).
    fn uri(&self, rel: &str) -> String {
        format!("file://{}/{rel}", self.path().display())
    }
}

fn range(l1: u32, c1: u32, l2: u32, c2: u32) -> Value {
    json!({"start": {"line": l1, "character": c1}, "end": {"line": l2, "character": c2}})
}

/// The capabilities of a client that applies versioned document changes and creates files.
fn editing_capabilities() -> Value {
    json!({"workspace": {"workspaceEdit": {"documentChanges": true, "resourceOperations": ["create", "rename", "delete"]}}})
}

/// The byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character || c == '\n' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with LSP text edits applied (their ranges are in the original text).
fn apply(text: &str, edits: &Value) -> String {
    let mut edits: Vec<(usize, usize, &str)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(text, &e["range"]["start"]),
                offset(text, &e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

/// The titles of code actions.
fn titles(actions: &[Value]) -> Vec<&str> {
    actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect()
}

/// The actions that are not "suppress" actions: the fixes.
fn fixes(actions: &[Value]) -> Vec<Value> {
    actions
        .iter()
        .filter(|a| !a["title"].as_str().unwrap().starts_with("Suppress "))
        .cloned()
        .collect()
}

/// The fixes (not "suppress" actions) that resolve a finding of `code`.
fn fixing(actions: &[Value], code: &str) -> Vec<Value> {
    fixes(actions)
        .into_iter()
        .filter(|a| {
            a["diagnostics"]
                .as_array()
                .is_some_and(|ds| ds.iter().any(|d| d["code"] == code))
        })
        .collect()
}

/// The one action with `title`.
fn action<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    let found: Vec<&Value> = actions.iter().filter(|a| a["title"] == title).collect();
    assert_eq!(found.len(), 1, "{title}: {actions:?}");
    found[0]
}

/// The text edits of a versioned document change of `uri` in an action, checking the version.
fn versioned_edits<'a>(action: &'a Value, uri: &str, version: Value) -> &'a Value {
    let changes = action["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{action}");
    assert_eq!(
        changes[0]["textDocument"],
        json!({"uri": uri, "version": version})
    );
    &changes[0]["edits"]
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name),
    )
    .unwrap()
}

/// A group principal after non-ASCII text on its line: `É` is one UTF-16 unit (two bytes),
/// `😀` two units (four bytes), so byte, character and UTF-16 columns all differ.
const GROUP_POLICY: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Root\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}},\n    {\"Sid\": \"Équipe 😀\", \"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:group/Analysts\"}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}\n  ]\n}\n";

/// UTF-16 column of the group ARN's opening quote on line 4 of [`GROUP_POLICY`].
fn group_column() -> u32 {
    let line = GROUP_POLICY.lines().nth(4).unwrap();
    let byte = line.find("\"arn:aws:iam::111122223333:group").unwrap();
    line[..byte].encode_utf16().count() as u32
}

#[test]
fn diagnostics_on_open_with_utf16_positions() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let published = c.open(&ws.uri("keys/group.json"), "json", GROUP_POLICY);
    // 4 spaces, `{"Sid": "` (9), `Équipe ` (7), the emoji (2 units), `", "Effect": "Allow", "Principal": {"AWS": ` (43).
    assert_eq!(group_column(), 65);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    // KMS rejects the emoji (KMS029): it spans two UTF-16 units.
    assert_eq!(published["diagnostics"][0]["range"], range(4, 20, 4, 22));
    let d = &published["diagnostics"][1];
    assert_eq!(d["code"], "KMS002");
    assert_eq!(d["range"], range(4, 65, 4, 107));
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "kmslint");
    assert_eq!(
        d["message"],
        "IAM group `Analysts` cannot be a principal in a key policy: AWS rejects the policy\nhelp: use a role the group's users can assume, or grant the group access in an IAM policy (which needs the root statement)"
    );
    // No documentation link: the binary knows no address where the rule documents are served
    // (README.md, "Language server").
    assert!(d.get("codeDescription").is_none(), "{d}");
    c.shutdown();
}

#[test]
fn secondary_labels_are_related_information() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let uri = ws.uri("keys/console-default.json");
    let uri = uri.as_str();
    let published = c.open(uri, "json", &example("console-default.json"));
    assert_eq!(codes(&published), ["KMS004", "KMS003", "KMS005", "KMS003"]);
    let kms003 = &published["diagnostics"][1];
    assert_eq!(kms003["range"], range(19, 8, 19, 21));
    assert_eq!(kms003["severity"], 2);
    assert_eq!(
        kms003["relatedInformation"],
        json!([
            {"location": {"uri": uri, "range": range(15, 8, 15, 53)}, "message": "has no use of the key but can give it to itself"},
            {"location": {"uri": uri, "range": range(16, 8, 16, 53)}, "message": "has no use of the key but can give it to itself"}
        ])
    );
    // KMS004 points at the root principal, with the first role the policy names beside it.
    assert_eq!(published["diagnostics"][0]["code"], "KMS004");
    assert_eq!(
        published["diagnostics"][0]["relatedInformation"],
        json!([{"location": {"uri": uri, "range": range(15, 8, 15, 53)}, "message": "the policy names who may use the key here"}])
    );
    c.shutdown();
}

#[test]
fn a_typing_burst_is_linted_once_for_its_last_version() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let uri = ws.uri("keys/group.json");
    let uri = uri.as_str();
    c.open(uri, "json", GROUP_POLICY);
    // Type "Readers" into the second Sid, one character per change, then 13 more changes
    // that type and delete characters at the end of the policy's last line.
    let col = 4 + 9 + 7 + 2; // after `    {"Sid": "Équipe 😀`
    let mut changes = Vec::new();
    for (i, ch) in "Readers".chars().enumerate() {
        let at = col + i as u32;
        changes.push(change(uri, 2 + i as i32, [4, at, 4, at], &ch.to_string()));
    }
    for v in 0..13 {
        let version = 9 + v;
        if v % 2 == 0 {
            changes.push(change(uri, version, [6, 1, 6, 1], " "));
        } else {
            changes.push(change(uri, version, [6, 1, 6, 2], ""));
        }
    }
    let last_version = 21;
    let final_change = changes.pop().unwrap();
    for m in changes {
        c.send(m);
    }
    // The clock is read before the last change is written: the server cannot read the change,
    // and start its quiet period, any earlier (read after the write, a pause of this process
    // would shorten the measured period on a correct server).
    let sent = Instant::now();
    c.send(final_change);
    // Every publication up to the last version's, however long a loaded machine takes.
    let mut published = Vec::new();
    loop {
        let p = c
            .next_notification("textDocument/publishDiagnostics", TIMEOUT)
            .expect("no diagnostics for the last version");
        let done = p.1["version"] == last_version;
        published.push(p);
        if done {
            break;
        }
    }
    let extra = c.next_notification("textDocument/publishDiagnostics", DEBOUNCE * 3);
    assert!(
        extra.is_none(),
        "published again after the last version: {extra:?}"
    );
    // One publication; two when this process paused longer than the quiet period between two
    // of its writes, which is the server's right.
    let versions: Vec<&Value> = published.iter().map(|(_, p)| &p["version"]).collect();
    assert!(
        (1..=2).contains(&published.len()),
        "expected one or two publications, got {} (versions {versions:?})",
        published.len()
    );
    let (at, last) = published.last().unwrap();
    assert!(
        at.duration_since(sent) >= DEBOUNCE,
        "diagnostics came {:?} after the last change, before the {DEBOUNCE:?} of quiet",
        at.duration_since(sent)
    );
    // The Sid grew by 7 characters, so the group principal moved right by 7 units.
    assert_eq!(codes(last), ["KMS029", "KMS002"]);
    let d = &last["diagnostics"][1];
    assert_eq!(d["code"], "KMS002");
    assert_eq!(d["range"], range(4, 65 + 7, 4, 107 + 7));
    c.shutdown();
}

#[test]
fn editing_updates_and_saving_lints_at_once_and_closing_clears() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let uri = ws.uri("keys/group.json");
    let uri = uri.as_str();
    assert_eq!(
        codes(&c.open(uri, "json", GROUP_POLICY)),
        ["KMS029", "KMS002"]
    );
    // `group/Analysts` becomes `role/Analysts`: KMS002 goes away after the quiet period.
    let start = group_column() + 27;
    c.change(uri, 2, [4, start, 4, start + 5], "role");
    let published = c.diagnostics();
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), ["KMS029"]);
    // Back to a group, then save at once: the save lints without waiting, and only once.
    // Written together: were this process to pause between the two for longer than the quiet
    // period, the change would rightly be linted before the save, and then again on it.
    c.send_together(&[
        change(uri, 3, [4, start, 4, start + 4], "group"),
        Client::notification(
            "textDocument/didSave",
            json!({"textDocument": {"uri": uri}}),
        ),
    ]);
    // Messages are handled in order: diagnostics published on save come before the answer
    // to a request sent right after it, where a debounced lint would come after.
    c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}),
    );
    assert!(
        c.queue
            .iter()
            .any(|(_, m)| m["method"] == "textDocument/publishDiagnostics"),
        "the save did not lint at once"
    );
    let published = c.diagnostics();
    assert_eq!(published["version"], 3);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    assert!(
        c.next_notification("textDocument/publishDiagnostics", DEBOUNCE * 3)
            .is_none(),
        "the change was linted again after the save"
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let published = c.diagnostics();
    assert_eq!(published["uri"], uri);
    assert_eq!(published["diagnostics"], json!([]));
    c.shutdown();
}

/// Convert a UTF-16 column on a line to a 1-based character column.
fn char_column(text: &str, line: usize, utf16: usize) -> usize {
    let mut units = 0;
    let mut chars = 0;
    for c in text.lines().nth(line).unwrap_or_default().chars() {
        if units >= utf16 {
            break;
        }
        units += c.len_utf16();
        chars += 1;
    }
    chars + 1
}

#[test]
fn every_input_kind_is_linted_as_check_lints_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs");
    let files = [
        "cfn-stack.yaml",
        "cfn-stack-crlf.yaml",
        "cfn-string-policy.json",
        "get-key-policy.json",
        "main.tf",
        "plan.json",
        "cdk.out/PaymentsStack.template.json",
    ];
    // Copies, in a folder whose configuration is known.
    let ws = Workspace::new();
    for name in files {
        let copy = ws.path().join(name);
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(root.join(name), copy).unwrap();
    }
    let mut c = Client::initialized();
    for name in files {
        let path = root.join(name);
        let text = std::fs::read_to_string(&path).unwrap();
        let uri = ws.uri(name);
        // The language id says nothing: the file name and content decide.
        let published = c.open(&uri, "plaintext", &text);
        let mut actual: Vec<String> = published["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
                let col = d["range"]["start"]["character"].as_u64().unwrap() as usize;
                format!(
                    "{}:{} {}",
                    line + 1,
                    char_column(&text, line, col),
                    d["code"].as_str().unwrap()
                )
            })
            .collect();
        actual.sort();
        let expected = std::fs::read_to_string(format!("{}.expect", path.display())).unwrap();
        assert_eq!(actual, expected.lines().collect::<Vec<_>>(), "{name}");
    }
    c.shutdown();
}

#[test]
fn unsaved_buffers_are_read_by_language_id_and_content() {
    let mut c = Client::initialized();
    let yaml = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/cfn-stack.yaml"),
    )
    .unwrap();
    let published = c.open("untitled:Untitled-1", "yaml", &yaml);
    assert_eq!(
        codes(&published),
        ["KMS041", "KMS002", "KMS017", "KMS003", "KMS017"]
    );
    let tf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/inputs/main.tf"),
    )
    .unwrap();
    let published = c.open("untitled:Untitled-2", "terraform", &tf);
    // KMS041 at the group's block, then KMS002 at the principal.
    assert_eq!(
        published["diagnostics"][0]["range"]["start"],
        json!({"line": 2, "character": 0})
    );
    assert_eq!(
        published["diagnostics"][1]["range"]["start"],
        json!({"line": 22, "character": 29})
    );
    // Not a key policy: nothing, even while it does not parse.
    let ws = Workspace::new();
    let published = c.open(&ws.uri("package.json"), "json", "{\"name\": ");
    assert_eq!(published["diagnostics"], json!([]));
    c.shutdown();
}

#[test]
fn hover_explains_actions_and_principals() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let uri = ws.uri("keys/group.json");
    let uri = uri.as_str();
    c.open(uri, "json", GROUP_POLICY);
    let hover = |c: &mut Client, line: u32, character: u32| {
        c.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    };
    let h = hover(&mut c, 4, group_column() + 3);
    assert_eq!(h["range"], range(4, 65, 4, 107));
    assert_eq!(h["contents"]["kind"], "markdown");
    assert_eq!(
        h["contents"]["value"],
        "`arn:aws:iam::111122223333:group/Analysts`: IAM group `Analysts` in 111122223333"
    );
    // `"kms:Decrypt"` on the same line, after the non-ASCII text.
    let line = GROUP_POLICY.lines().nth(4).unwrap();
    let col = line[..line.find("\"kms:Decrypt\"").unwrap()]
        .encode_utf16()
        .count() as u32;
    let h = hover(&mut c, 4, col);
    assert_eq!(h["range"], range(4, col, 4, col + 13));
    assert_eq!(
        h["contents"]["value"],
        "`kms:Decrypt` is 1 KMS action\n\n- **use**: `kms:Decrypt`"
    );
    let h = hover(&mut c, 3, 4);
    assert_eq!(h, Value::Null);
    let h = hover(&mut c, 1, 5);
    assert_eq!(h, Value::Null);
    c.shutdown();
}

#[test]
fn code_actions_add_the_guards_as_json_edits() {
    let ws = Workspace::new();
    let mut c = Client::initialized();
    let uri = ws.uri("keys/console-default.json");
    let uri = uri.as_str();
    let text = example("console-default.json");
    c.open(uri, "json", &text);
    // On the root principal (KMS004).
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(7, 30, 7, 30), "context": {"diagnostics": []}}),
    );
    // The rule's fix, and a suppression.
    let fixes_here = fixes(actions.as_array().unwrap());
    assert_eq!(fixes_here.len(), 1, "{actions}");
    let a = &fixes_here[0];
    assert_eq!(a["title"], "Add an `aws:PrincipalType` guard");
    assert_eq!(a["kind"], "quickfix");
    assert_eq!(a["diagnostics"][0]["code"], "KMS004");
    assert_eq!(
        a["edit"]["changes"][uri],
        json!([{
            "range": range(9, 21, 9, 21),
            "newText": ",\n      \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}"
        }])
    );
    // `only` without quickfix: nothing.
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(7, 30, 7, 30), "context": {"diagnostics": [], "only": ["refactor"]}}),
    );
    assert_eq!(actions, json!([]));
    // KMS005 on `kms:Create*`: the statement has other actions, so no mechanical fix.
    let actions = c.code_actions(uri, range(19, 10, 19, 10), None);
    assert_eq!(fixing(&actions, "KMS005"), Vec::<Value>::new());
    action(
        &actions,
        "Suppress KMS005 in statement `Allow access for Key Administrators`",
    );

    // A grant statement without a condition gets `kms:GrantIsForAWSResource`.
    let uri = ws.uri("keys/grants.json");
    let uri = uri.as_str();
    let text = "{\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/Ré😀\"}, \"Action\": \"kms:CreateGrant\", \"Resource\": \"*\"}]}";
    let published = c.open(uri, "json", text);
    assert!(codes(&published).contains(&"KMS005".to_string()));
    let actions = c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(0, 0, 0, 200), "context": {"diagnostics": []}}),
    );
    // The KMS005 fix (the policy has no `Version` either: KMS012 has its own).
    let actions = json!(fixing(actions.as_array().unwrap(), "KMS005"));
    assert_eq!(
        titles(actions.as_array().unwrap()),
        ["Add a `kms:GrantIsForAWSResource` condition"]
    );
    // The edit goes after `"*"`, whose end is a UTF-16 column (the emoji counts twice).
    let end = text[..text.find("\"*\"").unwrap() + 3]
        .encode_utf16()
        .count() as u32;
    assert_eq!(
        actions[0]["edit"]["changes"][uri],
        json!([{
            "range": range(0, end, 0, end),
            "newText": ", \"Condition\": {\"Bool\": {\"kms:GrantIsForAWSResource\": \"true\"}}"
        }])
    );
    c.shutdown();
}

/// Safe fixes after non-ASCII text on their line (`😀` is two UTF-16 units, four bytes), an
/// unsafe one, and a finding without a fix.
const FIXABLE: &str = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"Équipe 😀\", \"Effect\": \"allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"}, \"Action\": \"kms:Decrpyt\", \"Resource\": \"*\"}\n  ]\n}\n";

/// The UTF-16 column of the first `needle` on line `line` of `text`.
fn utf16_column(text: &str, line: usize, needle: &str) -> u32 {
    let l = text.lines().nth(line).unwrap();
    l[..l.find(needle).unwrap()].encode_utf16().count() as u32
}

#[test]
fn rule_fixes_are_quick_fixes_preferred_when_safe() {
    let ws = Workspace::new();
    let mut c = Client::initialized_editing();
    let uri = ws.uri("keys/fixable.json");
    let uri = uri.as_str();
    c.open(uri, "json", FIXABLE);
    // Inside `allow`: the UTF-16 column is not the byte column (the emoji before it).
    let allow = utf16_column(FIXABLE, 3, "allow");
    assert_eq!(allow, 36);
    assert_eq!(FIXABLE.lines().nth(3).unwrap().find("allow"), Some(39));
    let actions = c.code_actions(uri, range(3, allow + 1, 3, allow + 1), Some(&["quickfix"]));
    assert_eq!(
        titles(&actions),
        [
            "Set `Effect` to `Allow`",
            "Suppress KMS016 in statement `Équipe 😀`"
        ]
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["isPreferred"], true);
    assert_eq!(fix["diagnostics"].as_array().unwrap().len(), 1);
    assert_eq!(fix["diagnostics"][0]["code"], "KMS016");
    assert_eq!(
        fix["diagnostics"][0]["range"],
        range(3, allow - 1, 3, allow + 6)
    );
    // The edit is for the version linted, in UTF-16 columns.
    let edits = versioned_edits(fix, uri, json!(1));
    assert_eq!(
        *edits,
        json!([{"range": range(3, allow, 3, allow + 5), "newText": "Allow"}])
    );
    assert_eq!(
        apply(FIXABLE, edits),
        FIXABLE.replace("\"allow\"", "\"Allow\"")
    );
    assert_eq!(actions[1]["isPreferred"], false);

    // An unsafe fix is offered, not preferred.
    let col = utf16_column(FIXABLE, 3, "\"kms:Decrpyt\"");
    let actions = c.code_actions(uri, range(3, col, 3, col), Some(&["quickfix"]));
    let fix = action(&actions, "Replace `kms:Decrpyt` with `kms:Decrypt`");
    assert_eq!(fix["isPreferred"], false);
    assert_eq!(fix["diagnostics"][0]["code"], "KMS018");
    assert_eq!(
        *versioned_edits(fix, uri, json!(1)),
        json!([{"range": range(3, col + 1, 3, col + 12), "newText": "kms:Decrypt"}])
    );

    // A finding without a fix (KMS029 on the emoji) gets only its suppression.
    let emoji = utf16_column(FIXABLE, 3, "😀");
    let actions = c.code_actions(uri, range(3, emoji, 3, emoji), Some(&["quickfix"]));
    assert_eq!(
        titles(&actions),
        ["Suppress KMS029 in statement `Équipe 😀`"]
    );

    // After a change, the actions are for the new version (linted at once, without waiting).
    c.change(uri, 2, [1, 0, 1, 0], " ");
    let actions = c.code_actions(uri, range(3, allow + 1, 3, allow + 1), Some(&["quickfix"]));
    versioned_edits(action(&actions, "Set `Effect` to `Allow`"), uri, json!(2));
    c.shutdown();
}

/// A policy with safe fixes (`Version`, `Effect`, a misspelled element) and an unsafe one.
const SAFE_AND_UNSAFE: &str = "{\n  \"Statement\": [\n    {\"Sid\": \"Équipe\", \"Effect\": \"allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:role/App\"}, \"Action\": \"kms:Decrpyt\", \"Resource\": \"*\"},\n    {\"Effect\": \"Deny\", \"Principal\": \"*\", \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condtion\": {\"Bool\": {\"aws:SecureTransport\": \"false\"}}}\n  ]\n}\n";

/// The same in a CloudFormation template.
const SAFE_AND_UNSAFE_YAML: &str = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Statement:\n          - Sid: Équipe\n            Effect: allow\n            Principal:\n              AWS: arn:aws:iam::111122223333:role/App\n            Action: [kms:Decrpyt]\n            Resource: '*'\n";

#[test]
fn fix_all_gives_the_text_check_fix_gives() {
    let ws = Workspace::new();
    let mut c = Client::initialized_editing();
    for (name, language, text) in [
        ("keys/policy.json", "json", SAFE_AND_UNSAFE),
        ("stack.yaml", "yaml", SAFE_AND_UNSAFE_YAML),
    ] {
        let path = ws.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        let uri = ws.uri(name);
        let uri = uri.as_str();
        c.open(uri, language, text);
        // What "fix all on save" asks for: that action alone, whatever the range.
        let on_save = c.code_actions(uri, range(0, 0, 0, 0), Some(&["source.fixAll"]));
        assert_eq!(titles(&on_save), ["Apply all safe kmslint fixes"], "{name}");
        let fix_all = &on_save[0];
        assert_eq!(fix_all["kind"], "source.fixAll.kmslint");
        assert!(fix_all.get("isPreferred").is_none());
        let edits = versioned_edits(fix_all, uri, json!(1));
        assert_eq!(
            edits.as_array().unwrap().len(),
            1,
            "one replacement: {edits}"
        );
        let fixed = apply(text, edits);
        let own = c.code_actions(uri, range(2, 0, 2, 0), Some(&["source.fixAll.kmslint"]));
        assert_eq!(own, on_save, "{name}");
        // `check --fix` on the same file gives the same text.
        let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .args(["check", "--fix", name])
            .current_dir(ws.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed, "{name}");
        assert_ne!(fixed, text);
        // Only safe fixes: the misspelled action stays.
        assert!(fixed.contains("kms:Decrpyt"), "{fixed}");
        // Quick fixes only: no fix-all; no `only`: the quick fixes and the fix-all.
        let kinds = |actions: &[Value]| -> Vec<String> {
            actions
                .iter()
                .map(|a| a["kind"].as_str().unwrap().to_string())
                .collect()
        };
        let quick = c.code_actions(uri, range(0, 0, 12, 0), Some(&["quickfix"]));
        assert!(kinds(&quick).iter().all(|k| k == "quickfix"), "{quick:?}");
        assert!(!quick.is_empty());
        let all = c.code_actions(uri, range(0, 0, 12, 0), None);
        assert_eq!(all.len(), quick.len() + 1);
        assert_eq!(all.last(), Some(fix_all));
        // Asked automatically (a light bulb as the cursor moves): not the whole document.
        let automatic = c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range(0, 0, 12, 0), "context": {"diagnostics": [], "triggerKind": 2}}),
        );
        assert_eq!(automatic, json!(quick));
        // Applied, nothing is left for it to do.
        c.send(Client::notification(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
        ));
        let left = c.code_actions(uri, range(0, 0, 0, 0), Some(&["source.fixAll"]));
        assert_eq!(left, Vec::<Value>::new(), "{name}");
    }
    c.shutdown();
}

#[test]
fn suppressing_in_yaml_writes_inline_ignore_comments() {
    let ws = Workspace::new();
    let mut c = Client::initialized_editing();
    let uri = ws.uri("stack.yaml");
    let uri = uri.as_str();
    let yaml = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    Properties:\n      KeyPolicy:\n        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n            Principal:\n              AWS: arn:aws:iam::111122223333:root\n            Action: kms:*\n            Resource: '*'\n            Condition: {StringEquals: {aws:PrincipalType: Account}}\n          - Sid: Équipe\n            Effect: allow\n            Principal:\n              # kmslint: ignore[KMS029] reviewed\n              AWS: arn:aws:iam::111122223333:group/Ops\n            Action: kms:Decrypt\n            Resource: '*'\n";
    let published = c.open(uri, "yaml", yaml);
    assert_eq!(codes(&published), ["KMS016", "KMS100", "KMS002"]);
    // A new comment line before `Effect: allow`, indented like it.
    let actions = c.code_actions(uri, range(14, 22, 14, 22), Some(&["quickfix"]));
    assert_eq!(
        titles(&actions),
        ["Set `Effect` to `Allow`", "Suppress KMS016 for this line"]
    );
    let suppress = &actions[1];
    assert_eq!(suppress["kind"], "quickfix");
    assert_eq!(suppress["isPreferred"], false);
    assert_eq!(suppress["diagnostics"][0]["code"], "KMS016");
    let edits = versioned_edits(suppress, uri, json!(1));
    assert_eq!(
        *edits,
        json!([{"range": range(14, 0, 14, 0), "newText": "            # kmslint: ignore[KMS016]\n"}])
    );
    // The editor applies the edit as a change; the finding is gone, nothing new.
    c.change(
        uri,
        2,
        [14, 0, 14, 0],
        "            # kmslint: ignore[KMS016]\n",
    );
    let published = c.diagnostics();
    assert_eq!(published["version"], 2);
    assert_eq!(codes(&published), ["KMS100", "KMS002"]);
    // The group principal's line has an ignore comment already: the code joins it.
    let actions = c.code_actions(uri, range(18, 20, 18, 20), None);
    assert_eq!(titles(&actions), ["Suppress KMS002 for this line"]);
    let column = utf16_column(yaml, 16, "] reviewed");
    assert_eq!(
        *versioned_edits(&actions[0], uri, json!(2)),
        json!([{"range": range(17, column, 17, column), "newText": ", KMS002"}])
    );
    c.change(uri, 3, [17, column, 17, column], ", KMS002");
    let published = c.diagnostics();
    assert_eq!(codes(&published), ["KMS100"]);
    assert_eq!(
        published["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .lines()
            .next(),
        Some("the inline ignore of `KMS029` matches no finding on the line below it")
    );
    c.shutdown();
}

/// The `[[suppress]]` entry the server writes for KMS002 in `keys/group.json`'s statement.
const GROUP_ENTRY: &str = "[[suppress]]\nrule = \"KMS002\"\npath = \"keys/group.json\"\nsid = \"Équipe 😀\"\nreason = \"accepted in the editor\"\n";

/// Save a document (the server lints it, and every open document when it sees configuration
/// files that changed) and return its diagnostics.
fn save(c: &mut Client, uri: &str) -> Value {
    c.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri}}),
    );
    loop {
        let published = c.diagnostics();
        if published["uri"] == uri {
            return published;
        }
    }
}

#[test]
fn suppressing_in_json_appends_to_the_configuration() {
    let ws = Workspace::new();
    let config = ws.path().join("kmslint.toml");
    std::fs::write(&config, "fail-on = \"error\"\n").unwrap();
    let mut c = Client::initialized_editing();
    let uri = ws.uri("keys/group.json");
    let uri = uri.as_str();
    assert_eq!(
        codes(&c.open(uri, "json", GROUP_POLICY)),
        ["KMS029", "KMS002"]
    );
    let col = group_column() + 3;
    let actions = c.code_actions(uri, range(4, col, 4, col), None);
    assert_eq!(
        titles(&actions),
        ["Suppress KMS002 in statement `Équipe 😀`"]
    );
    let suppress = &actions[0];
    assert_eq!(suppress["isPreferred"], false);
    assert_eq!(suppress["diagnostics"][0]["code"], "KMS002");
    // Appended to the configuration on disk (not open: no version), after a blank line.
    let config_uri = ws.uri("kmslint.toml");
    let edits = versioned_edits(suppress, &config_uri, Value::Null);
    assert_eq!(
        *edits,
        json!([{"range": range(1, 0, 1, 0), "newText": format!("\n{GROUP_ENTRY}")}])
    );
    std::fs::write(&config, apply("fail-on = \"error\"\n", edits)).unwrap();
    assert_eq!(codes(&save(&mut c, uri)), ["KMS029"]);

    // A statement without a `Sid`: the entry covers the rule in the whole file.
    let nosid = GROUP_POLICY.replace("\"Sid\": \"Équipe 😀\", ", "");
    let uri = ws.uri("keys/nosid.json");
    let uri = uri.as_str();
    assert_eq!(codes(&c.open(uri, "json", &nosid)), ["KMS002"]);
    let col = utf16_column(&nosid, 4, "\"arn:aws:iam::111122223333:group");
    let actions = c.code_actions(uri, range(4, col, 4, col), None);
    assert_eq!(titles(&actions), ["Suppress KMS002 in this file"]);
    // The configuration is open in the editor, with changes not saved: its text and version.
    let text = std::fs::read_to_string(&config).unwrap() + "# edited\n";
    c.open(&config_uri, "toml", &text);
    let actions = c.code_actions(uri, range(4, col, 4, col), None);
    let edits = versioned_edits(&actions[0], &config_uri, json!(1));
    let lines = text.lines().count() as u32;
    assert_eq!(
        *edits,
        json!([{"range": range(lines, 0, lines, 0), "newText": "\n[[suppress]]\nrule = \"KMS002\"\npath = \"keys/nosid.json\"\nreason = \"accepted in the editor\"\n"}])
    );
    std::fs::write(&config, apply(&text, edits)).unwrap();
    assert_eq!(codes(&save(&mut c, uri)), Vec::<String>::new());
    c.shutdown();
}

#[test]
fn suppressing_in_json_creates_a_configuration() {
    // No configuration at or above the workspace: the entry goes to a new one at its root.
    let dir = tempfile::tempdir().unwrap();
    let root = format!("file://{}", dir.path().display());
    let uri = format!("{root}/keys/group.json");
    let uri = uri.as_str();
    let mut c = Client::initialized_with(editing_capabilities(), Some(&root));
    c.open(uri, "json", GROUP_POLICY);
    let col = group_column() + 3;
    let actions = c.code_actions(uri, range(4, col, 4, col), None);
    assert_eq!(
        titles(&actions),
        ["Suppress KMS002 in statement `Équipe 😀`"]
    );
    let config_uri = format!("{root}/kmslint.toml");
    assert_eq!(
        actions[0]["edit"]["documentChanges"],
        json!([
            {"kind": "create", "uri": config_uri, "options": {"overwrite": false, "ignoreIfExists": true}},
            {"textDocument": {"uri": config_uri, "version": null}, "edits": [{"range": range(0, 0, 0, 0), "newText": GROUP_ENTRY}]}
        ])
    );
    std::fs::write(dir.path().join("kmslint.toml"), GROUP_ENTRY).unwrap();
    assert_eq!(codes(&save(&mut c, uri)), ["KMS029"]);
    c.shutdown();

    // Without a workspace folder, next to the document.
    let dir = tempfile::tempdir().unwrap();
    let uri = format!("file://{}/keys/group.json", dir.path().display());
    let mut c = Client::initialized_editing();
    c.open(&uri, "json", GROUP_POLICY);
    let actions = c.code_actions(&uri, range(4, col, 4, col), None);
    let changes = &actions[0]["edit"]["documentChanges"];
    assert_eq!(
        changes[0]["uri"],
        format!("file://{}/keys/kmslint.toml", dir.path().display())
    );
    assert_eq!(
        changes[1]["edits"][0]["newText"],
        GROUP_ENTRY.replace("keys/group.json", "./group.json")
    );
    c.shutdown();

    // A client that cannot create files is offered no suppression where none exists.
    let mut c = Client::initialized();
    c.open(&uri, "json", GROUP_POLICY);
    let actions = c.code_actions(&uri, range(4, col, 4, col), None);
    assert_eq!(actions, Vec::<Value>::new());
    c.shutdown();
}

#[test]
fn protocol_errors_and_exit_status() {
    let mut c = Client::initialized();
    let r = c.request_raw("textDocument/definition", json!({}));
    assert_eq!(r["error"]["code"], -32601);
    let r = c.request_raw("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602);
    // A change to a document that was never opened, and malformed notifications, are ignored.
    c.change("file:///nowhere.json", 2, [0, 0, 0, 0], "x");
    c.notify("textDocument/didOpen", json!({"textDocument": 5}));
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    let r = c.request_raw("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32600);
    c.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut c.child), Some(0));

    // `exit` without `shutdown` exits with status 1, as LSP asks.
    let mut c = Client::initialized();
    c.notify("exit", Value::Null);
    assert_eq!(wait_exit(&mut c.child), Some(1));
}

#[test]
fn bad_options_fail_before_serving() {
    let out = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .args(["lsp", "--select", "KMS999"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "error: `KMS999` is not a rule code, name or prefix (did you mean `KMS019`?)\n"
    );
}

#[test]
fn rule_options_apply_to_every_document() {
    let mut c = Client::start(&["--ignore", "KMS002", "--extend-select", "KMS038"]);
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    let text = "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}, \"Action\": \"kms:*\", \"Resource\": \"*\", \"Condition\": {\"StringEquals\": {\"aws:PrincipalType\": \"Account\"}}}, {\"Effect\": \"Allow\", \"Principal\": {\"AWS\": [\"arn:aws:iam::111122223333:group/G\", \"arn:aws:iam::111122223333:user/U\"]}, \"Action\": \"kms:Decrypt\", \"Resource\": \"*\"}]}";
    let ws = Workspace::new();
    let published = c.open(&ws.uri("k.json"), "json", text);
    assert_eq!(codes(&published), ["KMS038"]);
    c.shutdown();
}

#[test]
fn documents_get_the_configuration_of_their_folder() {
    // The workspace's empty configuration is the nearest one outside `configured`.
    let ws = Workspace::new();
    let configured = ws.path().join("configured");
    std::fs::create_dir_all(&configured).unwrap();
    std::fs::write(configured.join("kmslint.toml"), "ignore = [\"KMS029\"]\n").unwrap();
    let mut c = Client::initialized();
    let inside = ws.uri("configured/group.json");
    let outside = ws.uri("group.json");
    let published = c.open(&inside, "json", GROUP_POLICY);
    assert_eq!(codes(&published), ["KMS002"]);
    let published = c.open(&outside, "json", GROUP_POLICY);
    assert_eq!(codes(&published), ["KMS029", "KMS002"]);
    c.shutdown();
}

#[test]
fn a_terraform_document_is_linted_with_its_module() {
    let ws = Workspace::new();
    // The key is in another file of the module, on disk; the editor has the document's file.
    std::fs::write(
        ws.path().join("main.tf"),
        "resource \"aws_kms_key\" \"k\" {\n  policy = data.aws_iam_policy_document.k.json\n}\n",
    )
    .unwrap();
    let document = r#"data "aws_iam_policy_document" "k" {
  statement {
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:group/ops"]
    }
  }
}
"#;
    let mut c = Client::initialized();
    let published = c.open(&ws.uri("policy.tf"), "terraform", document);
    // Without the key in main.tf the document would be an IAM policy and not linted at all.
    assert_eq!(codes(&published), ["KMS005", "KMS002", "KMS035"]);
    // `"arn:aws:iam::111122223333:group/ops"` on line 7 (0-based 6).
    let col = document
        .lines()
        .nth(6)
        .unwrap()
        .find("\"arn:aws:iam::111122223333:group")
        .unwrap() as u32;
    assert_eq!(
        published["diagnostics"][1]["range"],
        range(6, col, 6, col + 37)
    );
    c.shutdown();
}

#[test]
fn suppressing_in_terraform_writes_inline_ignore_comments() {
    let ws = Workspace::new();
    let mut c = Client::initialized_editing();
    let uri = ws.uri("main.tf");
    let uri = uri.as_str();
    let tf = "resource \"aws_kms_key\" \"k\" {\n  policy = jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n      {\n        Effect    = \"Allow\"\n        Principal = { AWS = \"arn:aws:iam::111122223333:group/Ops\" }\n        Action    = \"kms:Decrypt\"\n        Resource  = \"*\"\n      },\n    ]\n  })\n}\n";
    std::fs::write(ws.path().join("main.tf"), tf).unwrap();
    let published = c.open(uri, "terraform", tf);
    assert_eq!(codes(&published), ["KMS001", "KMS002"]);
    let actions = c.code_actions(uri, range(6, 30, 6, 30), None);
    assert_eq!(titles(&actions), ["Suppress KMS002 for this line"]);
    let new_line = "        # kmslint: ignore[KMS002]\n";
    assert_eq!(
        *versioned_edits(&actions[0], uri, json!(1)),
        json!([{"range": range(6, 0, 6, 0), "newText": new_line}])
    );
    c.change(uri, 2, [6, 0, 6, 0], new_line);
    assert_eq!(codes(&c.diagnostics()), ["KMS001"]);
    c.shutdown();
}
