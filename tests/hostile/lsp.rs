#![allow(clippy::unwrap_used)]
//! `kmslint lsp` fed bad frames as raw bytes over stdio: malformed messages are answered with
//! JSON-RPC errors and the server keeps serving; framing it cannot follow ends it cleanly, with
//! a message and status 2, never a panic or an allocation of what a header announces.

use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "../support/frames.rs"]
mod frames;
use frames::{frame, read_message};

/// How long to wait for an answer or an exit before the test fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The server's limit on a message body (`kmslint::lsp::transport::MAX_MESSAGE_SIZE`).
const LIMIT: u64 = kmslint::lsp::transport::MAX_MESSAGE_SIZE;

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    stderr: Option<JoinHandle<String>>,
}

impl Server {
    /// Start a server and complete the handshake.
    fn initialized() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
            .arg("lsp")
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
        let mut s = Server {
            stdin: child.stdin.take(),
            child,
            rx,
            stderr: Some(stderr),
        };
        s.send(&json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": null, "rootUri": null, "capabilities": {}}}));
        let r = s.next();
        assert_eq!(r["id"], 1);
        assert_eq!(r["result"]["serverInfo"]["name"], "kmslint");
        s.send(&json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        s
    }

    fn write(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Write what the server may stop reading part way (it exits on a framing error): a
    /// closed pipe is then what is expected, not a failure.
    fn write_until_closed(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        match stdin.write_all(bytes).and_then(|()| stdin.flush()) {
            Ok(()) => {}
            Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}"),
        }
    }

    fn send(&mut self, msg: &Value) {
        self.write(&frame(msg.to_string().as_bytes()));
    }

    /// The next message from the server.
    fn next(&mut self) -> Value {
        match self.rx.recv_timeout(TIMEOUT) {
            Ok(msg) => msg,
            Err(e) => panic!("no message from the server: {e:?}"),
        }
    }

    /// The next message, which must be an error reply with `code` for `id`.
    fn expect_error(&mut self, id: Value, code: i64) -> String {
        let r = self.next();
        assert_eq!(r["jsonrpc"], "2.0", "{r}");
        assert_eq!(r["id"], id, "{r}");
        assert_eq!(r["error"]["code"], code, "{r}");
        assert!(r.get("result").is_none(), "{r}");
        r["error"]["message"].as_str().unwrap().to_string()
    }

    /// The server answers a real request, shuts down and exits with status 0.
    fn still_serves(mut self) {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"}]}"#;
        let column = text.find("\"kms:Decrypt\"").unwrap();
        self.send(&json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": "file:///p.json", "languageId": "json", "version": 1, "text": text}}}));
        let published = self.next();
        assert_eq!(published["method"], "textDocument/publishDiagnostics");
        self.send(&json!({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///p.json"}, "position": {"line": 0, "character": column}}}));
        let hover = self.next();
        assert_eq!(hover["id"], 2, "{hover}");
        assert_eq!(
            hover["result"]["contents"]["value"],
            "`kms:Decrypt` is 1 KMS action\n\n- **use**: `kms:Decrypt`",
            "{hover}"
        );
        self.send(&json!({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}));
        let r = self.next();
        assert_eq!(r["id"], 3);
        assert_eq!(r["result"], Value::Null);
        self.send(&json!({"jsonrpc": "2.0", "method": "exit"}));
        let (status, stderr) = self.finish();
        assert_eq!(status, Some(0), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }

    /// Close the server's input and wait for it to exit: its status and standard error.
    fn finish(&mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        };
        let stderr = self.stderr.take().unwrap().join().unwrap();
        (status.code(), stderr)
    }

    /// The server must exit with status 2 and an error naming `reason` on stderr.
    fn ends_with(mut self, reason: &str) {
        let (status, stderr) = self.finish();
        assert_eq!(status, Some(2), "{stderr}");
        assert!(stderr.contains("error: kmslint lsp: "), "{stderr}");
        assert!(stderr.contains(reason), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn invalid_json_is_a_parse_error() {
    let mut s = Server::initialized();
    s.write(&frame(b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": "));
    let message = s.expect_error(Value::Null, -32700);
    assert!(message.contains("not JSON"), "{message}");
    s.write(&frame(b""));
    s.expect_error(Value::Null, -32700);
    s.still_serves();
}

#[test]
fn invalid_utf8_is_a_parse_error() {
    let mut s = Server::initialized();
    s.write(&frame(b"{\"jsonrpc\": \"2.0\", \"method\": \"x\xff\xfe\"}"));
    let message = s.expect_error(Value::Null, -32700);
    assert!(message.contains("UTF-8"), "{message}");
    s.still_serves();
}

#[test]
fn batches_are_invalid_requests() {
    let mut s = Server::initialized();
    s.write(&frame(b"[]"));
    s.expect_error(Value::Null, -32600);
    s.send(&json!([{"jsonrpc": "2.0", "id": 9, "method": "shutdown"}]));
    s.expect_error(Value::Null, -32600);
    s.still_serves();
}

#[test]
fn values_that_are_not_messages_are_invalid_requests() {
    let mut s = Server::initialized();
    for body in [json!({"foo": 1}), json!(5), json!("shutdown"), json!(null)] {
        s.send(&body);
        s.expect_error(Value::Null, -32600);
    }
    // The id is echoed when it can be read.
    s.send(&json!({"jsonrpc": "2.0", "id": 8, "method": 5}));
    s.expect_error(json!(8), -32600);
    s.send(&json!({"jsonrpc": "2.0", "id": "eight", "params": {}}));
    s.expect_error(json!("eight"), -32600);
    // An id outside LSP's 32-bit integers would otherwise go unanswered.
    s.send(&json!({"jsonrpc": "2.0", "id": 5_000_000_000_u64, "method": "shutdown"}));
    s.expect_error(json!(5_000_000_000_u64), -32600);
    s.still_serves();
}

#[test]
fn a_message_over_the_limit_is_skipped_and_answered() {
    let mut s = Server::initialized();
    let length = LIMIT + 1;
    s.write(format!("Content-Length: {length}\r\n\r\n").as_bytes());
    // Answered before the body is read.
    let message = s.expect_error(Value::Null, -32600);
    assert!(message.contains("over the 64 MiB limit"), "{message}");
    let chunk = vec![b' '; 1024 * 1024];
    let mut left = length;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        s.write(&chunk[..n]);
        left -= n as u64;
    }
    s.still_serves();
}

#[test]
fn a_huge_content_length_is_not_allocated() {
    let mut s = Server::initialized();
    // 10 TB announced: answered at once; the input then ends inside the body.
    s.write(b"Content-Length: 10995116277760\r\n\r\n{\"jsonrpc\": \"2.0\"");
    s.expect_error(Value::Null, -32600);
    s.ends_with("the input ended 17 bytes into a message of 10995116277760 bytes");

    // A length beyond any integer cannot be skipped.
    let mut s = Server::initialized();
    s.write(b"Content-Length: 99999999999999999999999999\r\n\r\n{}");
    s.ends_with("`Content-Length: 99999999999999999999999999` is not a length in bytes");
}

#[test]
fn unparsable_headers_end_the_connection_cleanly() {
    for (input, reason) in [
        (
            &b"Content-Length 2\r\n\r\n{}"[..],
            "a header line has no `:`",
        ),
        (b"hello\r\n\r\n{}", "a header line has no `:`"),
        (
            b"{\"jsonrpc\": \"2.0\"}\r\n\r\n",
            "a message header has no `Content-Length`",
        ),
        (
            b"Content-Length: -2\r\n\r\n{}",
            "`Content-Length: -2` is not a length",
        ),
        (
            b"Content-Length: two\r\n\r\n{}",
            "`Content-Length: two` is not a length",
        ),
        (
            b"Content-Length: \r\n\r\n{}",
            "`Content-Length: ` is not a length",
        ),
        (
            b"Content-Type: x\r\n\r\n{}",
            "a message header has no `Content-Length`",
        ),
    ] {
        let mut s = Server::initialized();
        s.write(input);
        s.ends_with(reason);
    }
}

#[test]
fn the_input_ending_inside_a_message_ends_the_connection_cleanly() {
    let mut s = Server::initialized();
    s.write(b"Content-Length: 40\r\n\r\n{\"jsonrpc\"");
    s.ends_with("the input ended 10 bytes into a message of 40 bytes");

    let mut s = Server::initialized();
    s.write(b"Content-Len");
    s.ends_with("the input ended inside a message header");

    let mut s = Server::initialized();
    s.write_until_closed(&vec![b'x'; 64 * 1024]);
    s.ends_with("a header line is longer than 8 KiB");
}

#[test]
fn garbage_before_initialize_is_answered_too() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kmslint"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = frame(b"[]");
    input.extend(frame(b"not json"));
    input.extend(frame(
        br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
    ));
    input.extend(frame(
        br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
    ));
    input.extend(frame(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#));
    input.extend(frame(br#"{"jsonrpc":"2.0","method":"exit"}"#));
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        while let Some(msg) = read_message(&mut reader) {
            let _ = tx.send(msg);
        }
    });
    let next = || rx.recv_timeout(TIMEOUT).unwrap();
    assert_eq!(next()["error"]["code"], -32600);
    assert_eq!(next()["error"]["code"], -32700);
    assert_eq!(next()["result"]["serverInfo"]["name"], "kmslint");
    assert_eq!(next()["id"], 2);
    let deadline = Instant::now() + TIMEOUT;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the server did not exit");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(status.code(), Some(0));
}
