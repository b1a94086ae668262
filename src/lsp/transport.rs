//! The language server's stdio transport: LSP frames read and written by hand.
//!
//! `lsp_server::Connection::stdio` allocates whatever `Content-Length` announces before reading
//! the body (a huge one aborts or panics the process) and ends the connection on the first body
//! that is not a message. This reader bounds every read, answers a malformed message with a
//! JSON-RPC error and keeps serving; only framing it cannot follow (a header it cannot parse,
//! the input ending inside a message) ends the connection, with the reason in
//! [`IoThreads::join`]'s error. The server sees the same [`Connection`] of crossbeam channels.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crossbeam_channel::bounded;
use lsp_server::{Connection, ErrorCode, Message};
use lsp_types::notification::{Exit, Notification as _};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::engine;

/// The largest message body read. Documents are linted up to [`engine::MAX_FILE_SIZE`]
/// (16 MiB); JSON escaping grows a policy's text by its quotes, backslashes and line breaks,
/// far from fourfold, so a `didOpen` or `didChange` of any document the server would lint
/// fits. A larger body is skipped unread and answered with an error.
pub const MAX_MESSAGE_SIZE: u64 = 4 * engine::MAX_FILE_SIZE;

/// The longest header line read: real ones are under 100 bytes.
const MAX_HEADER_LINE: usize = 8 * 1024;

/// The bytes of a body read at once before more arrive (the body is never allocated at the
/// size its header announces).
const READ_CHUNK: usize = 64 * 1024;

/// The transport's threads and what ended them.
pub struct IoThreads {
    writer: JoinHandle<io::Result<()>>,
    /// Why the reader closed the connection, when its input broke the framing.
    fatal: Arc<Mutex<Option<String>>>,
}

impl IoThreads {
    /// Wait until everything the server sent is written, then report what broke the
    /// connection, if anything did. Call it after dropping the [`Connection`].
    ///
    /// The reader is not waited for: after `exit`, or when standard output is gone, it may be
    /// blocked on standard input, and the process ends without it.
    pub fn join(self) -> Result<(), String> {
        let written = match self.writer.join() {
            Ok(r) => r.map_err(|e| format!("cannot write to standard output: {e}")),
            Err(_) => Err("the writer thread failed".to_string()),
        };
        let fatal = self
            .fatal
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match fatal {
            Some(e) => Err(e),
            None => written,
        }
    }
}

/// A connection over standard input and output, as `Connection::stdio` makes it, with a
/// reader that survives malformed input.
pub fn stdio() -> io::Result<(Connection, IoThreads)> {
    let (to_writer, from_server) = bounded::<Message>(0);
    let (to_server, from_reader) = bounded::<Message>(0);
    let writer = thread::Builder::new()
        .name("kmslint-lsp-writer".to_string())
        .spawn(move || {
            for msg in from_server {
                msg.write(&mut io::stdout().lock())?;
            }
            Ok(())
        })?;
    let fatal = Arc::new(Mutex::new(None));
    let reader_fatal = Arc::clone(&fatal);
    thread::Builder::new()
        .name("kmslint-lsp-reader".to_string())
        .spawn(move || {
            let mut forward = |msg| to_server.send(msg).is_ok();
            let result = read_messages(&mut io::stdin().lock(), &mut forward, &mut reply_stdout);
            if let Err(e) = result {
                // Stored before `to_server` is dropped, so the server, which stops when it sees
                // the channel closed, finds the reason in `IoThreads::join`.
                *reader_fatal.lock().unwrap_or_else(PoisonError::into_inner) = Some(e);
            }
            drop(to_server);
        })?;
    let connection = Connection {
        sender: to_writer,
        receiver: from_reader,
    };
    Ok((connection, IoThreads { writer, fatal }))
}

/// Write an error reply of the reader's as one frame. Frames are written whole under the
/// stdout lock, so they never interleave with the writer thread's. A failed write is left to
/// the writer thread to report.
fn reply_stdout(reply: &Value) {
    let body = reply.to_string();
    let mut out = io::stdout().lock();
    let _ = write!(out, "Content-Length: {}\r\n\r\n{body}", body.len()).and_then(|()| out.flush());
}

/// Read frames until the input ends or `exit` is read: messages go to `forward` (which says
/// whether the server still listens), malformed ones are answered through `reply`. An error
/// is input whose framing cannot be followed.
pub fn read_messages(
    input: &mut impl BufRead,
    forward: &mut dyn FnMut(Message) -> bool,
    reply: &mut dyn FnMut(&Value),
) -> Result<(), String> {
    loop {
        let Some(length) = read_header(input)? else {
            return Ok(());
        };
        if length > MAX_MESSAGE_SIZE {
            let message = format!(
                "a message of {length} bytes is over the {} MiB limit; skipped",
                MAX_MESSAGE_SIZE / (1024 * 1024)
            );
            eprintln!("kmslint lsp: {message}");
            reply(&error_reply(
                Value::Null,
                ErrorCode::InvalidRequest,
                &message,
            ));
            let skipped =
                io::copy(&mut input.by_ref().take(length), &mut io::sink()).map_err(read_error)?;
            if skipped < length {
                return Err(ended_inside(skipped, length));
            }
            continue;
        }
        let body = read_body(input, length)?;
        match decode(&body) {
            Ok(msg) => {
                let is_exit = matches!(&msg, Message::Notification(n) if n.method == Exit::METHOD);
                if !forward(msg) || is_exit {
                    return Ok(());
                }
            }
            Err(error) => {
                eprintln!(
                    "kmslint lsp: {}",
                    error["error"]["message"].as_str().unwrap_or("")
                );
                reply(&error);
            }
        }
    }
}

/// Read a header block; its `Content-Length`, or `None` when the input ends before it starts.
/// Blank lines before a header are skipped (some clients end a body with a line break).
fn read_header(input: &mut impl BufRead) -> Result<Option<u64>, String> {
    let mut length = None;
    let mut started = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        input
            .by_ref()
            .take(MAX_HEADER_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .map_err(read_error)?;
        if line.is_empty() && !started {
            return Ok(None);
        }
        if line.last() != Some(&b'\n') {
            return Err(if line.len() > MAX_HEADER_LINE {
                format!(
                    "a header line is longer than {} KiB: {}",
                    MAX_HEADER_LINE / 1024,
                    shown(&line)
                )
            } else {
                format!("the input ended inside a message header: {}", shown(&line))
            });
        }
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if text.is_empty() {
            if !started {
                continue;
            }
            return match length {
                Some(n) => Ok(Some(n)),
                None => Err("a message header has no `Content-Length`".to_string()),
            };
        }
        started = true;
        let Some(colon) = text.iter().position(|&b| b == b':') else {
            return Err(format!(
                "a header line has no `:`: {}; expected `Content-Length: <bytes>`",
                shown(text)
            ));
        };
        let (name, value) = (&text[..colon], text[colon + 1..].trim_ascii());
        if !name.trim_ascii().eq_ignore_ascii_case(b"Content-Length") {
            continue;
        }
        let n = parse_length(value).ok_or_else(|| {
            format!(
                "`Content-Length: {}` is not a length in bytes",
                String::from_utf8_lossy(value)
            )
        })?;
        if length.is_some_and(|old| old != n) {
            return Err("a message header has two different `Content-Length`s".to_string());
        }
        length = Some(n);
    }
}

/// A decimal number of bytes: digits only (no sign, no spaces inside).
fn parse_length(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(value).ok()?.parse().ok()
}

/// Read a body of `length` bytes (at most [`MAX_MESSAGE_SIZE`]), growing the buffer as bytes
/// arrive.
fn read_body(input: &mut impl BufRead, length: u64) -> Result<Vec<u8>, String> {
    let mut body = Vec::with_capacity(READ_CHUNK.min(length as usize));
    input
        .by_ref()
        .take(length)
        .read_to_end(&mut body)
        .map_err(read_error)?;
    if (body.len() as u64) < length {
        return Err(ended_inside(body.len() as u64, length));
    }
    Ok(body)
}

/// A body as a message, or the error reply it gets.
fn decode(body: &[u8]) -> Result<Message, Value> {
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(error_reply(
            Value::Null,
            ErrorCode::ParseError,
            "the message is not valid UTF-8",
        ));
    };
    let invalid = |id: Value, what: &str| {
        error_reply(
            id,
            ErrorCode::InvalidRequest,
            &format!("{what}; expected a JSON-RPC request, response or notification"),
        )
    };
    match serde_json::from_str::<Message>(text) {
        Ok(Message::Notification(n)) => {
            // A request whose id lsp-server cannot hold (LSP's ids are 32-bit integers or
            // strings) reads as a notification; it would go unanswered.
            match serde_json::from_str::<IdProbe>(text) {
                Ok(IdProbe { id: Some(id) }) if !id.is_null() => Err(invalid(
                    id,
                    "a request id must be a 32-bit integer or a string",
                )),
                _ => Ok(Message::Notification(n)),
            }
        }
        Ok(msg) => Ok(msg),
        Err(_) => match serde_json::from_str::<Value>(text) {
            Err(e) => Err(error_reply(
                Value::Null,
                ErrorCode::ParseError,
                &format!("the message is not JSON: {e}"),
            )),
            Ok(Value::Array(_)) => Err(invalid(
                Value::Null,
                "batches (JSON arrays) are not part of LSP",
            )),
            Ok(value) => {
                let id = value
                    .get("id")
                    .filter(|id| id.is_i64() || id.is_u64() || id.is_string())
                    .cloned()
                    .unwrap_or(Value::Null);
                Err(invalid(id, "the message is not a JSON-RPC message"))
            }
        },
    }
}

/// A message's `id`, whatever it is, without reading the rest into memory.
#[derive(Deserialize)]
struct IdProbe {
    #[serde(default)]
    id: Option<Value>,
}

fn error_reply(id: Value, code: ErrorCode, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code as i32, "message": message}})
}

fn read_error(e: io::Error) -> String {
    format!("cannot read standard input: {e}")
}

fn ended_inside(read: u64, length: u64) -> String {
    format!("the input ended {read} bytes into a message of {length} bytes")
}

/// A header line for an error message: lossy, escaped and cut short.
fn shown(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]);
    let cut = if bytes.len() > 80 { "…" } else { "" };
    format!("`{}{cut}`", text.escape_debug())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Run the reader over `input`: the methods forwarded, the replies, the outcome.
    fn run(input: &[u8]) -> (Vec<String>, Vec<Value>, Result<(), String>) {
        let mut forwarded = Vec::new();
        let mut replies = Vec::new();
        let result = read_messages(
            &mut io::Cursor::new(input),
            &mut |msg| {
                forwarded.push(match msg {
                    Message::Request(r) => r.method,
                    Message::Notification(n) => n.method,
                    Message::Response(r) => format!("response {}", r.id),
                });
                true
            },
            &mut |v| replies.push(v.clone()),
        );
        (forwarded, replies, result)
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn headers_are_read_leniently_but_lengths_strictly() {
        let ok = r#"{"method":"a"}"#;
        let input = format!(
            "content-length:14\nContent-Type: x\r\n\r\n{ok}\r\n{}",
            frame(r#"{"method":"b"}"#)
        );
        let (forwarded, replies, result) = run(input.as_bytes());
        assert_eq!(forwarded, ["a", "b"]);
        assert!(replies.is_empty());
        assert_eq!(result, Ok(()));
        for bad in ["+14", "-1", "1e3", "14 14", "", "99999999999999999999999"] {
            let (_, _, result) = run(format!("Content-Length: {bad}\r\n\r\n{ok}").as_bytes());
            assert!(
                result.unwrap_err().contains("is not a length in bytes"),
                "{bad}"
            );
        }
        let (_, _, result) = run(b"Content-Length: 1\r\nContent-Length: 2\r\n\r\n{}");
        assert!(result.unwrap_err().contains("two different"));
        let (_, _, result) = run(b"Content-Type: x\r\n\r\n{}");
        assert!(result.unwrap_err().contains("no `Content-Length`"));
    }

    #[test]
    fn long_header_lines_are_not_buffered() {
        let input = vec![b'x'; 10 * MAX_HEADER_LINE];
        let (_, _, result) = run(&input);
        assert!(result.unwrap_err().contains("longer than 8 KiB"));
    }

    #[test]
    fn an_oversized_message_is_answered_and_skipped() {
        let length = MAX_MESSAGE_SIZE + 1;
        let mut input = format!("Content-Length: {length}\r\n\r\n").into_bytes();
        input.resize(input.len() + length as usize, b' ');
        input.extend(frame(r#"{"method":"after"}"#).bytes());
        let (forwarded, replies, result) = run(&input);
        assert_eq!(forwarded, ["after"]);
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["error"]["code"], -32600);
        assert_eq!(result, Ok(()));
    }

    #[test]
    fn ids_that_lsp_server_cannot_hold_are_answered() {
        let (forwarded, replies, _) = run(frame(r#"{"id":5000000000,"method":"x"}"#).as_bytes());
        assert!(forwarded.is_empty());
        assert_eq!(replies[0]["id"], 5_000_000_000_u64);
        assert_eq!(replies[0]["error"]["code"], -32600);
        let (forwarded, replies, _) = run(frame(r#"{"id":null,"method":"x"}"#).as_bytes());
        assert_eq!(forwarded, ["x"]);
        assert!(replies.is_empty());
    }

    #[test]
    fn reading_stops_after_exit() {
        let input = format!("{}{}", frame(r#"{"method":"exit"}"#), frame("]"));
        let (forwarded, replies, result) = run(input.as_bytes());
        assert_eq!(forwarded, ["exit"]);
        assert!(replies.is_empty());
        assert_eq!(result, Ok(()));
    }
}
