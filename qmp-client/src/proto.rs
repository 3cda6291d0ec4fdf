//! The protocol without I/O, shared by both clients: line framing with a length limit, telling
//! events, replies and greetings apart, and building requests.

use crate::error::{ProtocolError, QmpError};
use crate::{Error, Greeting};
use qmp_events::{EventSet, Message};
use serde_json::{Map, Value};

/// How much of an offending line an error report keeps.
const EXCERPT: usize = 256;

/// How many bytes one read asks for.
pub(crate) const CHUNK: usize = 64 * 1024;

/// Splits a byte stream into lines (`\n`-terminated, a trailing `\r` removed), holding at most
/// `limit` bytes of an unfinished line plus one read's worth. A line that outgrows the limit is
/// dropped as it arrives, keeping only its first and last bytes for the report.
///
/// Bytes stay in the buffer until a whole line is there, so a reader that gives up waiting (a
/// timeout, a cancelled future) loses nothing: the next read continues the same line.
#[derive(Debug)]
pub(crate) struct LineBuffer {
    buf: Vec<u8>,
    /// Where the unconsumed bytes start.
    start: usize,
    /// Bytes before this index (from `start`) are known to hold no newline.
    scanned: usize,
    limit: usize,
    /// How many bytes past `limit` an over-long line may run before the stream is given up.
    max_skip: usize,
    /// The line being dropped, when it outgrew the limit.
    discard: Option<Discard>,
}

/// What [`LineBuffer::next_frame`] gives.
#[derive(Debug)]
pub(crate) enum Frame<'a> {
    /// A whole line, without its terminator.
    Line(&'a [u8]),
    /// A line longer than the limit.
    TooLong(Discard),
    /// A line that ran on for `max_skip` bytes past the limit without a newline: the stream is
    /// not line-delimited, and nothing more can be read from it.
    NoNewline(Discard),
}

/// What is kept of an over-long line: its length, first and last bytes.
#[derive(Debug, Default)]
pub(crate) struct Discard {
    len: usize,
    limit: usize,
    head: Vec<u8>,
    tail: Vec<u8>,
}

impl Discard {
    fn new(limit: usize) -> Self {
        Discard {
            limit,
            ..Discard::default()
        }
    }

    fn add(&mut self, bytes: &[u8]) {
        self.len += bytes.len();
        if self.head.len() < EXCERPT {
            let take = (EXCERPT - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
        }
        if bytes.len() >= EXCERPT {
            self.tail.clear();
            self.tail.extend_from_slice(&bytes[bytes.len() - EXCERPT..]);
        } else {
            self.tail.extend_from_slice(bytes);
            if self.tail.len() > EXCERPT {
                let excess = self.tail.len() - EXCERPT;
                self.tail.drain(..excess);
            }
        }
    }

    /// The `id` of a reply, read from either end of the line: QEMU writes a reply's `id` last
    /// after a `return` (`{"return": ..., "id": 7}`) and first before an `error`
    /// (`{"id": 7, "error": ...}`), and this client's ids are integers. `None` when the line
    /// does not start or end that way (an event, say).
    pub(crate) fn reply_id(&self) -> Option<u64> {
        id_at_end(&self.tail).or_else(|| id_at_start(&self.head))
    }

    pub(crate) fn into_error(self) -> ProtocolError {
        ProtocolError::LineTooLong {
            len: self.len,
            limit: self.limit,
            head: excerpt(&self.head),
        }
    }

    /// The report of a line given up without a newline.
    pub(crate) fn into_no_newline(self) -> ProtocolError {
        ProtocolError::NoNewline {
            len: self.len,
            limit: self.limit,
            head: excerpt(&self.head),
        }
    }
}

/// `7` from `..., "id": 7}`.
fn id_at_end(tail: &[u8]) -> Option<u64> {
    let tail = trim_end(strip_cr(tail));
    let tail = trim_end(tail.strip_suffix(b"}")?);
    let digits = tail.len() - tail.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    let (rest, number) = tail.split_at(digits);
    let rest = trim_end(trim_end(rest).strip_suffix(b":")?);
    rest.strip_suffix(b"\"id\"")?;
    std::str::from_utf8(number).ok()?.parse().ok()
}

/// `7` from `{"id": 7, ...`.
fn id_at_start(head: &[u8]) -> Option<u64> {
    let head = trim_start(trim_start(head).strip_prefix(b"{")?);
    let head = trim_start(trim_start(head.strip_prefix(b"\"id\"")?).strip_prefix(b":")?);
    let digits = head.iter().take_while(|b| b.is_ascii_digit()).count();
    let (number, rest) = head.split_at(digits);
    if !matches!(trim_start(rest).first(), Some(b',' | b'}')) {
        return None;
    }
    std::str::from_utf8(number).ok()?.parse().ok()
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[start..]
}

fn strip_cr(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
    &bytes[..end]
}

impl LineBuffer {
    #[cfg(test)]
    pub(crate) fn new(limit: usize) -> Self {
        Self::with_max_skip(limit, crate::config::MAX_SKIP)
    }

    /// A buffer that gives up on a line `max_skip` bytes past `limit`.
    pub(crate) fn with_max_skip(limit: usize, max_skip: usize) -> Self {
        LineBuffer {
            buf: Vec::new(),
            start: 0,
            scanned: 0,
            limit,
            max_skip,
            discard: None,
        }
    }

    /// Appends bytes read from the stream.
    pub(crate) fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 {
            // Only the unfinished line is left: move it to the front once per read.
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next whole line, if there is one. After [`Frame::NoNewline`] the buffer is spent: the
    /// caller closes the stream.
    pub(crate) fn next_frame(&mut self) -> Option<Frame<'_>> {
        let found = self.buf[self.scanned..].iter().position(|&b| b == b'\n');
        let Some(offset) = found else {
            self.scanned = self.buf.len();
            if self.discard.is_some() || self.buf.len() - self.start > self.limit {
                let limit = self.limit;
                let discard = self.discard.get_or_insert_with(|| Discard::new(limit));
                discard.add(&self.buf[self.start..]);
                self.buf.clear();
                self.start = 0;
                self.scanned = 0;
                if discard.len - self.limit > self.max_skip {
                    return self.discard.take().map(Frame::NoNewline);
                }
            }
            return None;
        };
        let end = self.scanned + offset;
        let line = self.start..end;
        self.start = end + 1;
        self.scanned = self.start;
        if let Some(mut discard) = self.discard.take() {
            discard.add(strip_cr(&self.buf[line]));
            return Some(Frame::TooLong(discard));
        }
        let bytes = strip_cr(&self.buf[line]);
        if bytes.len() > self.limit {
            let mut discard = Discard::new(self.limit);
            discard.add(bytes);
            return Some(Frame::TooLong(discard));
        }
        Some(Frame::Line(bytes))
    }
}

/// A line cut to a few hundred bytes for an error report (lossy UTF-8).
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let bytes = strip_cr(bytes);
    if bytes.len() <= EXCERPT {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    let mut text = String::from_utf8_lossy(&bytes[..EXCERPT]).into_owned();
    text.push_str(&format!("... ({} bytes)", bytes.len()));
    text
}

/// One message from the server.
#[derive(Debug)]
pub(crate) enum Incoming<E> {
    /// An event (anything with an `event` member), decoded the lossless way.
    Event(Message<E>),
    /// A command's reply.
    Reply(Reply),
    /// A greeting (expected only first).
    Greeting(Value),
    /// A line that was skipped.
    Problem(ProtocolError),
    /// The stream cannot be read any further ([`ProtocolError::NoNewline`]): close it.
    Fatal(ProtocolError),
}

/// A reply: `{"return": ...}` or `{"error": ...}`, with its `id`.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) id: Option<Value>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Return(Value),
    Error { error: Value, line: String },
    TooLong(ProtocolError),
}

impl Reply {
    /// The id, if it is one of this client's (an unsigned integer).
    pub(crate) fn our_id(&self) -> Option<u64> {
        self.id.as_ref().and_then(Value::as_u64)
    }

    /// What the command returns, named `command` in errors.
    pub(crate) fn into_result(self, command: &str) -> Result<Value, Error> {
        match self.body {
            Body::Return(value) => Ok(value),
            Body::TooLong(error) => Err(Error::Protocol(error)),
            Body::Error { error, line } => {
                let text = |name| error.get(name).and_then(Value::as_str).map(str::to_owned);
                match (text("class"), text("desc")) {
                    (Some(class), Some(desc)) => Err(Error::Qmp(QmpError {
                        command: command.to_owned(),
                        class,
                        desc,
                        raw: error,
                    })),
                    _ => Err(Error::Protocol(ProtocolError::BadReply { line })),
                }
            }
        }
    }

    /// The report for a reply nobody waits for.
    pub(crate) fn unknown(self) -> ProtocolError {
        let line = match &self.body {
            Body::Error { line, .. } => line.clone(),
            Body::Return(value) => {
                let mut object = Map::new();
                object.insert("return".to_owned(), value.clone());
                if let Some(id) = &self.id {
                    object.insert("id".to_owned(), id.clone());
                }
                excerpt(Value::Object(object).to_string().as_bytes())
            }
            Body::TooLong(error) => error.to_string(),
        };
        ProtocolError::UnknownId { id: self.id, line }
    }
}

/// Tells what a frame is.
pub(crate) fn classify<E: EventSet>(frame: Frame<'_>) -> Incoming<E> {
    match frame {
        Frame::Line(line) => classify_line(line),
        Frame::TooLong(discard) => match discard.reply_id() {
            Some(id) => Incoming::Reply(Reply {
                id: Some(Value::from(id)),
                body: Body::TooLong(discard.into_error()),
            }),
            None => Incoming::Problem(discard.into_error()),
        },
        Frame::NoNewline(discard) => Incoming::Fatal(discard.into_no_newline()),
    }
}

/// Decodes a line once, as a lossless [`Message`]: an event has an `event` member, and
/// everything else (`return`, `error`, `id`, `QMP`) lands in the message's `extra`.
fn classify_line<E: EventSet>(line: &[u8]) -> Incoming<E> {
    let msg = match Message::<E>::from_slice(line) {
        Ok(msg) => msg,
        Err(e) => {
            return Incoming::Problem(ProtocolError::Malformed {
                line: excerpt(line),
                error: e.to_string(),
            });
        }
    };
    if msg.name().is_some() || msg.extra.contains_key("event") {
        return Incoming::Event(msg);
    }
    let mut extra = msg.extra;
    if let Some(value) = extra.remove("return") {
        return Incoming::Reply(Reply {
            id: extra.remove("id"),
            body: Body::Return(value),
        });
    }
    if let Some(error) = extra.remove("error") {
        return Incoming::Reply(Reply {
            id: extra.remove("id"),
            body: Body::Error {
                error,
                line: excerpt(line),
            },
        });
    }
    if extra.contains_key("QMP") {
        return Incoming::Greeting(Value::Object(extra));
    }
    Incoming::Problem(ProtocolError::Unexpected {
        line: excerpt(line),
    })
}

/// The greeting, from the first message.
pub(crate) fn greeting<E: EventSet>(first: Incoming<E>) -> Result<Greeting, Error> {
    let line = match first {
        Incoming::Greeting(raw) => {
            let line = excerpt(raw.to_string().as_bytes());
            return Greeting::from_value(raw)
                .ok_or(Error::Protocol(ProtocolError::BadGreeting { line }));
        }
        Incoming::Problem(ProtocolError::Malformed { line, .. })
        | Incoming::Problem(ProtocolError::Unexpected { line }) => line,
        Incoming::Problem(other) | Incoming::Fatal(other) => return Err(Error::Protocol(other)),
        Incoming::Event(msg) => excerpt(msg.to_value().to_string().as_bytes()),
        Incoming::Reply(reply) => reply.unknown().to_string(),
    };
    Err(Error::Protocol(ProtocolError::BadGreeting { line }))
}

/// One request line, `\n`-terminated.
pub(crate) fn request(command: &str, arguments: Option<Value>, id: u64, oob: bool) -> Vec<u8> {
    let mut object = Map::new();
    let verb = if oob { "exec-oob" } else { "execute" };
    object.insert(verb.to_owned(), Value::from(command));
    if let Some(arguments) = arguments {
        object.insert("arguments".to_owned(), arguments);
    }
    object.insert("id".to_owned(), Value::from(id));
    let mut line = Value::Object(object).to_string().into_bytes();
    line.push(b'\n');
    line
}

/// The arguments of `qmp_capabilities`: `{"enable": ["oob"]}` when enabling it.
pub(crate) fn capabilities_arguments(oob: bool) -> Option<Value> {
    oob.then(|| serde_json::json!({ "enable": ["oob"] }))
}

/// A bounded set of ids whose replies are no longer awaited (timed out, cancelled), so that a
/// late reply is dropped quietly instead of being reported as unknown.
#[derive(Debug, Default)]
pub(crate) struct Abandoned(std::collections::VecDeque<u64>);

impl Abandoned {
    const KEEP: usize = 1024;

    pub(crate) fn insert(&mut self, id: u64) {
        if self.0.len() == Self::KEEP {
            self.0.pop_front();
        }
        self.0.push_back(id);
    }

    /// Whether `id` was abandoned; forgets it (a reply comes once).
    pub(crate) fn take(&mut self, id: u64) -> bool {
        match self.0.iter().position(|&x| x == id) {
            Some(i) => {
                self.0.remove(i);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(buffer: &mut LineBuffer) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(frame) = buffer.next_frame() {
            out.push(match frame {
                Frame::Line(l) => String::from_utf8_lossy(l).into_owned(),
                Frame::TooLong(d) => format!("too long: {} id {:?}", d.len, d.reply_id()),
                Frame::NoNewline(d) => format!("no newline: {}", d.len),
            });
        }
        out
    }

    #[test]
    fn frames_across_reads() {
        let mut b = LineBuffer::new(100);
        b.extend(b"{\"a\": 1}\r\n{\"b\"");
        assert_eq!(lines(&mut b), ["{\"a\": 1}"]);
        b.extend(b": 2}");
        assert!(lines(&mut b).is_empty());
        b.extend(b"\r\n\n");
        assert_eq!(lines(&mut b), ["{\"b\": 2}", ""]);
    }

    #[test]
    fn drops_long_lines_and_keeps_framing() {
        let mut b = LineBuffer::new(10);
        b.extend(b"{\"return\": \"");
        assert!(lines(&mut b).is_empty());
        for _ in 0..100 {
            b.extend(&[b'x'; 1000]);
            assert!(lines(&mut b).is_empty());
            assert!(b.buf.len() <= 10 + 1000);
        }
        b.extend(b"\", \"id\": 42}\r\n{\"ok\": 1}\n");
        assert_eq!(
            lines(&mut b),
            ["too long: 100024 id Some(42)", "{\"ok\": 1}"]
        );
        // In one read, and an event's id-like tail is not a reply's.
        b.extend(b"{\"event\": \"X\", \"data\": {\"id\": 5}}\n");
        assert_eq!(lines(&mut b), ["too long: 33 id None"]);
        b.extend(b"{\"id\": 8, \"error\": {\"class\": \"GenericError\"}}\r\n");
        assert_eq!(lines(&mut b), ["too long: 45 id Some(8)"]);
    }

    #[test]
    fn gives_up_on_a_line_without_end() {
        // 64 MiB without a newline through a 1 KiB limit: skipped to the next line, in bounded
        // memory, when the skip allowance covers it...
        let mut b = LineBuffer::with_max_skip(1024, 100 << 20);
        let chunk = vec![0u8; CHUNK];
        for _ in 0..(64 << 20) / CHUNK {
            b.extend(&chunk);
            assert!(lines(&mut b).is_empty());
            assert!(b.buf.capacity() <= 4 * (1024 + CHUNK));
        }
        b.extend(b"\n{\"event\": \"STOP\"}\n");
        let too_long = format!("too long: {} id None", 64 << 20);
        assert_eq!(lines(&mut b), [too_long.as_str(), "{\"event\": \"STOP\"}"]);
        // ...and given up once past it.
        let mut b = LineBuffer::with_max_skip(1024, 1 << 20);
        let mut out = Vec::new();
        while out.is_empty() {
            b.extend(&chunk);
            out = lines(&mut b);
        }
        let len: usize = out[0]
            .strip_prefix("no newline: ")
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            len > 1024 + (1 << 20) && len <= 1024 + (1 << 20) + CHUNK,
            "{out:?}"
        );
        let mut b = LineBuffer::with_max_skip(4, 4);
        b.extend(b"0123456789");
        let Some(Frame::NoNewline(d)) = b.next_frame() else {
            panic!("gives up")
        };
        assert_eq!(
            d.into_no_newline().to_string(),
            "no newline after 10 bytes (the line limit is 4): not a line-delimited QMP stream: \
             0123456789"
        );
    }

    #[test]
    fn classifies() {
        type E = qmp_events::Event;
        let c = |l: &str| classify::<E>(Frame::Line(l.as_bytes()));
        assert!(
            matches!(c(r#"{"event": "STOP", "timestamp": {"seconds": 1, "microseconds": 2}}"#), Incoming::Event(m) if m.name() == Some("STOP"))
        );
        assert!(
            matches!(c(r#"{"return": {}, "id": 3}"#), Incoming::Reply(r) if r.our_id() == Some(3))
        );
        assert!(
            matches!(c(r#"{"id": "x", "error": {"class": "C", "desc": "D"}}"#), Incoming::Reply(r) if r.our_id().is_none())
        );
        assert!(matches!(c(r#"{"QMP": {}}"#), Incoming::Greeting(_)));
        assert!(matches!(
            c("nope"),
            Incoming::Problem(ProtocolError::Malformed { .. })
        ));
        assert!(matches!(
            c("[1]"),
            Incoming::Problem(ProtocolError::Malformed { .. })
        ));
        assert!(matches!(
            c("{}"),
            Incoming::Problem(ProtocolError::Unexpected { .. })
        ));
        let Incoming::Reply(r) = c(r#"{"error": {"class": "C", "desc": "D", "x": 1}, "id": 1}"#)
        else {
            panic!()
        };
        let err = r.into_result("cmd").unwrap_err();
        assert_eq!(err.to_string(), "`cmd` failed: C: D");
        let Incoming::Reply(r) = c(r#"{"error": {"class": 1}, "id": 1}"#) else {
            panic!()
        };
        assert!(matches!(
            r.into_result("cmd"),
            Err(Error::Protocol(ProtocolError::BadReply { .. }))
        ));
    }

    #[test]
    fn builds_requests() {
        let line = request("stop", None, 7, false);
        assert_eq!(line, b"{\"execute\":\"stop\",\"id\":7}\n");
        let line = request("x", Some(serde_json::json!({"a": 1})), 1, true);
        let value: Value = serde_json::from_slice(&line).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"exec-oob": "x", "arguments": {"a": 1}, "id": 1})
        );
    }

    #[test]
    fn abandoned_is_bounded() {
        let mut a = Abandoned::default();
        for id in 0..2000 {
            a.insert(id);
        }
        assert!(!a.take(0));
        assert!(a.take(1999));
        assert!(!a.take(1999));
    }
}
