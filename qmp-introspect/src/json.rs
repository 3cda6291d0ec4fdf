//! JSON values with their byte ranges in the text, so that diagnostics can point at them.
//!
//! `serde_json` checks the syntax first (and reports syntax errors with their line and column);
//! this scanner then walks the same, now known valid, text once more and records where each
//! value starts and ends. Strings and numbers are decoded by `serde_json` itself.

/// A JSON value and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    /// Byte offset of its first character.
    pub start: usize,
    /// Byte offset just past its last character.
    pub end: usize,
    /// The value.
    pub kind: Kind,
}

/// The kinds of JSON values; members of objects in text order (duplicates kept, the last wins).
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

impl Node {
    /// The member `key` of an object (the last one, as `serde_json` does for duplicates).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.kind {
            Kind::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.kind {
            Kind::Array(items) => Some(items),
            _ => None,
        }
    }

    /// What the value is, for messages (`a string`, `an object`).
    pub fn describe(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }
}

/// Scans `text`, which `serde_json` has accepted as one JSON value. `None` only if it is not
/// valid JSON after all (a bug; the caller reports it rather than panicking).
pub(crate) fn scan(text: &str) -> Option<Node> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    scanner.skip_ws();
    let node = scanner.value(0)?;
    scanner.skip_ws();
    (scanner.pos == text.len()).then_some(node)
}

/// `serde_json` refuses deeper nesting; so does the scanner.
const MAX_DEPTH: usize = 256;

struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek() == Some(byte)).then(|| self.pos += 1)
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let start = self.pos;
        let kind = match self.peek()? {
            b'{' => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                } else {
                    loop {
                        self.skip_ws();
                        let key = self.string()?;
                        self.eat(b':')?;
                        let value = self.value(depth + 1)?;
                        members.push((key, value));
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b'}' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Kind::Object(members)
            }
            b'[' => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                } else {
                    loop {
                        items.push(self.value(depth + 1)?);
                        self.skip_ws();
                        match self.peek()? {
                            b',' => self.pos += 1,
                            b']' => {
                                self.pos += 1;
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
                Kind::Array(items)
            }
            b'"' => Kind::String(self.string()?),
            b't' => self.word("true", Kind::Bool)?,
            b'f' => self.word("false", Kind::Bool)?,
            b'n' => self.word("null", Kind::Null)?,
            _ => {
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
                Kind::Number
            }
        };
        Some(Node {
            start,
            end: self.pos,
            kind,
        })
    }

    fn word(&mut self, word: &str, kind: Kind) -> Option<Kind> {
        let end = self.pos + word.len();
        (self.text.get(self.pos..end)? == word).then(|| {
            self.pos = end;
            kind
        })
    }

    /// A string starting at the current position, decoded.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        if self.peek()? != b'"' {
            return None;
        }
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    break;
                }
                _ => self.pos += 1,
            }
        }
        serde_json::from_str(self.text.get(start..self.pos)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_and_values() {
        let text = r#" [ {"a\"b": "x\u00e9", "n": -1.5e3}, [true, null] ] "#;
        let node = scan(text).expect("scans");
        let items = node.as_array().expect("array");
        assert_eq!(
            &text[items[0].start..items[0].end],
            r#"{"a\"b": "x\u00e9", "n": -1.5e3}"#
        );
        assert_eq!(items[0].get("a\"b").and_then(Node::as_str), Some("xé"));
        assert_eq!(&text[node.start..node.end], text.trim());
        assert!(scan("[1,]").is_none());
        assert!(scan("{\"a\" 1}").is_none());
        assert!(scan("\"unterminated").is_none());
    }
}
