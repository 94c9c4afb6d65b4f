//! A small, strict JSON value: parse (RFC 8259) and write.
//!
//! Every payload the conventions send is small and read once into a value tree, so there is no
//! need for typed deserialisation; see the crate documentation for why this is not serde_json.
//! Objects keep their members in order in a `Vec`: payloads hold a handful of keys, and a
//! linear scan over them is smaller and as fast as a map.

use core::fmt;

/// Nesting deeper than this is refused: a recursive parser must not overflow the stack on a
/// hostile payload (in WebAssembly a stack overflow traps and kills the page).
const MAX_DEPTH: usize = 64;

/// A JSON value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Vec<(String, Value)>),
}

/// Why a payload is not JSON, with the byte offset where parsing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonError {
    pub offset: usize,
    pub reason: &'static str,
}

impl JsonError {
    /// `invalid JSON at byte <offset>: <reason>`, the text `to_string()` gives, written
    /// without `fmt::Formatter` for the problems the conventions report.
    pub fn message(&self) -> String {
        let mut out = String::from("invalid JSON at byte ");
        crate::number::push_u64(&mut out, self.offset as u64);
        out.push_str(": ");
        out.push_str(self.reason);
        out
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

impl Value {
    /// Parses one JSON value; surrounding whitespace is allowed, anything else after it is not.
    pub fn parse(input: &[u8]) -> Result<Value, JsonError> {
        let mut parser = Parser { input, pos: 0 };
        parser.skip_whitespace();
        let value = parser.value(0)?;
        parser.skip_whitespace();
        if parser.pos != input.len() {
            return Err(parser.error("trailing characters after the value"));
        }
        Ok(value)
    }

    /// The member `key` of an object (the last one if a key repeats, as JavaScript does).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(String, Value)]> {
        match self {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The strings of an array (its other items left out); `None` when this is not an array.
    pub(crate) fn strings(&self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for item in self.as_array()? {
            if let Some(s) = item.as_str() {
                out.push(s.to_owned());
            }
        }
        Some(out)
    }

    /// `get(key)` as the items of an array; none when it is missing or not an array.
    pub(crate) fn array_at(&self, key: &str) -> &[Value] {
        self.get(key).and_then(Value::as_array).unwrap_or_default()
    }

    /// `get(key)` as a string.
    pub fn str_at(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// `get(key)` as a number.
    pub fn f64_at(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(Value::as_f64)
    }

    /// `get(key)` as a boolean.
    pub fn bool_at(&self, key: &str) -> Option<bool> {
        self.get(key).and_then(Value::as_bool)
    }

    /// A value written as text the way a template's `{{ value }}` would show it: strings bare,
    /// numbers without a needless `.0`, other values as JSON.
    pub fn to_plain_string(&self) -> String {
        match self {
            Value::String(s) => s.clone(),
            other => other.to_json(),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<f64> for Value {
    fn from(n: f64) -> Value {
        Value::Number(n)
    }
}

impl From<u32> for Value {
    fn from(n: u32) -> Value {
        Value::Number(f64::from(n))
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

/// Builds an object from `(key, value)` pairs, in order.
pub fn object<const N: usize>(members: [(&str, Value); N]) -> Value {
    Value::Object(members.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

impl Value {
    /// Compact JSON, as devices expect it on a command topic; the same text as `to_string()`.
    pub fn to_json(&self) -> String {
        let mut out = String::new();
        self.push_json(&mut out);
        out
    }

    // Written straight into a `String` rather than through `fmt::Formatter`, whose dynamic
    // writes and padding support are not needed here.
    fn push_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            // Integers print without a fraction (`254`, not `254.0`): devices parse brightness
            // and colour temperature as integers. JSON has no NaN or infinity: `null`.
            Value::Number(n) => crate::number::push_number(out, *n),
            Value::String(s) => push_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.push_json(out);
                }
                out.push(']');
            }
            Value::Object(members) => {
                out.push('{');
                for (i, (key, value)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    push_string(key, out);
                    out.push(':');
                    value.push_json(out);
                }
                out.push('}');
            }
        }
    }
}

/// A JSON object written member by member straight into text, for command payloads: the same
/// text as building a [`Value::Object`] of those members and calling [`Value::to_json`], without
/// building the tree first.
pub(crate) struct ObjectWriter {
    out: String,
    empty: bool,
}

impl ObjectWriter {
    pub fn new() -> ObjectWriter {
        ObjectWriter {
            out: String::from("{"),
            empty: true,
        }
    }

    /// Starts the member `key`, returning the text its value is to be written into.
    fn key(&mut self, key: &str) -> &mut String {
        if !self.empty {
            self.out.push(',');
        }
        self.empty = false;
        push_string(key, &mut self.out);
        self.out.push(':');
        &mut self.out
    }

    pub fn value(&mut self, key: &str, value: &Value) {
        value.push_json(self.key(key));
    }

    pub fn number(&mut self, key: &str, n: f64) {
        crate::number::push_number(self.key(key), n);
    }

    pub fn string(&mut self, key: &str, s: &str) {
        push_string(s, self.key(key));
    }

    /// A member whose value is an object written by another writer.
    pub fn object(&mut self, key: &str, object: ObjectWriter) {
        let value = object.finish();
        self.key(key).push_str(&value);
    }

    /// Whether no member has been written.
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        self.out.push('}');
        self.out
    }
}

impl fmt::Display for Value {
    /// Compact JSON, as devices expect it on a command topic.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

fn push_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let hex = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(hex[c as usize >> 4]));
                out.push(char::from(hex[c as usize & 0xF]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Parser<'a> {
    input: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, reason: &'static str) -> JsonError {
        JsonError {
            offset: self.pos,
            reason,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect_word(&mut self, word: &'static [u8], value: Value) -> Result<Value, JsonError> {
        if self.input[self.pos..].starts_with(word) {
            self.pos += word.len();
            Ok(value)
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_word(b"null", Value::Null),
            Some(b't') => self.expect_word(b"true", Value::Bool(true)),
            Some(b'f') => self.expect_word(b"false", Value::Bool(false)),
            Some(b'"') => self.string().map(Value::String),
            Some(b'[') => self.array(depth),
            Some(b'{') => self.object(depth),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Value::Array(items));
        }
        loop {
            self.skip_whitespace();
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Value::Array(items));
                }
                _ => return Err(self.error("expected ',' or ']' in array")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, JsonError> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.peek() != Some(b'"') {
                return Err(self.error("expected a string key in object"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.error("expected ':' after object key"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Value::Object(members));
                }
                _ => return Err(self.error("expected ',' or '}' in object")),
            }
        }
    }

    fn number(&mut self) -> Result<Value, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        // RFC 8259 section 6: int = zero / ( digit1-9 *DIGIT ); no leading zeros.
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("expected a digit")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit after '.'"));
            }
            self.digits();
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(self.error("expected a digit in exponent"));
            }
            self.digits();
        }
        // The bytes are ASCII digits and signs, checked above, so both conversions succeed;
        // they are still handled rather than unwrapped.
        core::str::from_utf8(&self.input[start..self.pos])
            .ok()
            .and_then(crate::decimal::parse_f64)
            .filter(|n| n.is_finite())
            .map(Value::Number)
            .ok_or(JsonError {
                offset: start,
                reason: "number out of range",
            })
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
    }

    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return String::from_utf8(out).map_err(|_| self.error("string is not UTF-8"));
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = self.peek().ok_or(self.error("unterminated escape"))?;
                    self.pos += 1;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return Err(self.error("unknown escape")),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
                Some(c) if c < 0x20 => return Err(self.error("control character in string")),
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let hex = self
            .input
            .get(self.pos..self.pos + 4)
            .ok_or(self.error("short \\u escape"))?;
        let mut n = 0;
        for &b in hex {
            let digit = (b as char)
                .to_digit(16)
                .ok_or(self.error("bad hex digit"))?;
            n = n * 16 + digit;
        }
        self.pos += 4;
        Ok(n)
    }

    /// `\uXXXX`, joining a UTF-16 surrogate pair into one character.
    fn unicode_escape(&mut self) -> Result<char, JsonError> {
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) {
            if !self.input[self.pos..].starts_with(b"\\u") {
                return Err(self.error("lone high surrogate"));
            }
            self.pos += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err(self.error("bad low surrogate"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or(self.error("escape is not a character"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Value, JsonError> {
        Value::parse(s.as_bytes())
    }

    #[test]
    fn parses_a_zigbee2mqtt_state_payload() {
        let v = parse(
            r#"{"state":"ON","brightness":215,"color":{"x":0.31,"y":0.32},"ok":true,"n":null}"#,
        )
        .expect("valid");
        assert_eq!(v.str_at("state"), Some("ON"));
        assert_eq!(v.f64_at("brightness"), Some(215.0));
        assert_eq!(v.get("color").and_then(|c| c.f64_at("y")), Some(0.32));
        assert_eq!(v.bool_at("ok"), Some(true));
        assert_eq!(v.get("n"), Some(&Value::Null));
    }

    #[test]
    fn parses_numbers_in_every_form() {
        for (text, n) in [
            ("0", 0.0),
            ("-12", -12.0),
            ("3.25", 3.25),
            ("1e3", 1000.0),
            ("-2.5E-1", -0.25),
        ] {
            assert_eq!(parse(text), Ok(Value::Number(n)), "{text}");
        }
    }

    #[test]
    fn rejects_what_the_grammar_forbids() {
        for text in [
            "",
            "01",
            "1.",
            ".5",
            "+1",
            "[1,]",
            "{\"a\":1,}",
            "{a:1}",
            "'x'",
            "tru",
            "nul",
            "[1 2]",
            "\"a",
            "\"\\x\"",
            "\"\t\"",
            "1 2",
            "{\"a\" 1}",
            "NaN",
            "1e999",
            "-",
        ] {
            assert!(parse(text).is_err(), "{text:?} should be rejected");
        }
    }

    #[test]
    fn error_message_is_the_formatted_offset_and_reason() {
        for (offset, reason) in [
            (0, "unexpected end of input"),
            (1234567, "nested too deeply"),
        ] {
            let error = JsonError { offset, reason };
            assert_eq!(
                error.message(),
                format!("invalid JSON at byte {offset}: {reason}")
            );
            assert_eq!(error.to_string(), error.message());
        }
        let error = Value::parse(b"{\"a\":tru}").unwrap_err();
        assert_eq!(error.to_string(), "invalid JSON at byte 5: unknown literal");
    }

    #[test]
    fn object_writer_writes_what_a_value_tree_writes() {
        let mut inner = ObjectWriter::new();
        inner.number("x", 0.4573);
        inner.number("y", 12.0);
        let mut writer = ObjectWriter::new();
        assert!(writer.is_empty());
        writer.string("state", "ON \"quoted\"\n");
        writer.number("brightness", 254.0);
        writer.value("on", &Value::Bool(true));
        writer.object("color", inner);
        writer.number("nan", f64::NAN);
        assert!(!writer.is_empty());
        let tree = object([
            ("state", "ON \"quoted\"\n".into()),
            ("brightness", 254.0.into()),
            ("on", true.into()),
            ("color", object([("x", 0.4573.into()), ("y", 12.0.into())])),
            ("nan", f64::NAN.into()),
        ]);
        assert_eq!(writer.finish(), tree.to_json());
        assert_eq!(ObjectWriter::new().finish(), "{}");
    }

    #[test]
    fn decodes_escapes_and_surrogate_pairs() {
        assert_eq!(
            parse(r#""a\"\\\/\n\u00e9\ud83d\udca1""#),
            Ok(Value::String("a\"\\/\né💡".into()))
        );
        assert!(parse(r#""\ud83d""#).is_err());
        assert!(parse(r#""\udca1""#).is_err());
    }

    #[test]
    fn refuses_deep_nesting_instead_of_overflowing_the_stack() {
        let deep = "[".repeat(10_000);
        assert!(parse(&deep).is_err());
        let fine = "[".repeat(10) + &"]".repeat(10);
        assert!(parse(&fine).is_ok());
    }

    #[test]
    fn rejects_invalid_utf8_inside_strings() {
        assert!(Value::parse(b"\"\xff\"").is_err());
    }

    #[test]
    fn strings_of_an_array_leave_out_other_items() {
        let v = parse(r#"["a",1,"b",null]"#).expect("valid");
        assert_eq!(v.strings(), Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(Value::from("a").strings(), None);
    }

    #[test]
    fn a_repeated_key_reads_as_its_last_value() {
        assert_eq!(
            parse(r#"{"a":1,"a":2}"#).expect("valid").f64_at("a"),
            Some(2.0)
        );
    }

    #[test]
    fn writes_compact_json_with_integers_and_escapes() {
        let v = object([
            ("state", "ON".into()),
            ("brightness", 127.0.into()),
            ("x", 0.5.into()),
            ("name", "a\"b\n".into()),
            ("list", Value::Array(vec![Value::Bool(false), Value::Null])),
        ]);
        assert_eq!(
            v.to_string(),
            r#"{"state":"ON","brightness":127,"x":0.5,"name":"a\"b\n","list":[false,null]}"#
        );
        assert_eq!(v.to_json(), v.to_string());
        assert_eq!(
            Value::from("\u{1}\t\\\u{1f}").to_json(),
            r#""\u0001\t\\\u001f""#
        );
    }

    #[test]
    fn written_json_parses_back_to_the_same_value() {
        let text = r#"{"a":[1,2.5,"\u0001é"],"b":{"c":null,"d":true}}"#;
        let v = parse(text).expect("valid");
        assert_eq!(parse(&v.to_string()), Ok(v));
    }
}
