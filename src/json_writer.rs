//! Writing the app's own JSON (profile files, benchmark reports) field by field.
//!
//! Reading goes through `home_model::json`, the parser the device conventions use anyway.
//! Writing needs only objects, arrays, strings, whole numbers, booleans and null, so a
//! streaming writer of a few dozen lines does it: no derive, no trait objects, nothing
//! generic to be copied per type in the WebAssembly.

use std::fmt::Write as _;

/// Compact JSON into a `String`. Commas are placed by the writer: call [`key`](Self::key)
/// before each member's value, and the value methods in order.
#[derive(Default)]
pub struct JsonWriter {
    out: String,
    /// A value was just written: the next member or item needs a comma first.
    after_value: bool,
}

impl JsonWriter {
    pub fn finish(self) -> String {
        self.out
    }

    fn separate(&mut self) {
        if std::mem::take(&mut self.after_value) {
            self.out.push(',');
        }
    }

    pub fn begin_object(&mut self) {
        self.separate();
        self.out.push('{');
    }

    pub fn end_object(&mut self) {
        self.out.push('}');
        self.after_value = true;
    }

    pub fn begin_array(&mut self) {
        self.separate();
        self.out.push('[');
    }

    pub fn end_array(&mut self) {
        self.out.push(']');
        self.after_value = true;
    }

    /// The name of the next member of the object being written.
    pub fn key(&mut self, key: &str) {
        self.string(key);
        self.out.push(':');
        self.after_value = false;
    }

    pub fn string(&mut self, s: &str) {
        self.separate();
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                '\n' => self.out.push_str("\\n"),
                '\r' => self.out.push_str("\\r"),
                '\t' => self.out.push_str("\\t"),
                '\u{8}' => self.out.push_str("\\b"),
                '\u{c}' => self.out.push_str("\\f"),
                c if u32::from(c) < 0x20 => {
                    const HEX: &[u8; 16] = b"0123456789abcdef";
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[usize::from(c as u8 >> 4)]));
                    self.out.push(char::from(HEX[usize::from(c as u8 & 0xf)]));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
        self.after_value = true;
    }

    pub fn uint(&mut self, n: u32) {
        self.separate();
        let _ = write!(self.out, "{n}");
        self.after_value = true;
    }

    /// A number that keeps its fraction even when it is whole (`0.5`, `20.0`), in full
    /// decimal, never with an exponent. Written by home-model's number writer, as the device
    /// conventions' numbers are, rather than `{}`: that would bring core's float formatting
    /// into the wasm for this alone. JSON has no NaN or infinity, so those are `null`.
    pub fn float(&mut self, n: f64) {
        if !n.is_finite() {
            return self.null();
        }
        self.separate();
        let start = self.out.len();
        home_model::number::push_number(&mut self.out, n);
        if !self.out[start..].contains('.') {
            self.out.push_str(".0");
        }
        self.after_value = true;
    }

    pub fn bool(&mut self, b: bool) {
        self.separate();
        self.out.push_str(if b { "true" } else { "false" });
        self.after_value = true;
    }

    pub fn null(&mut self) {
        self.separate();
        self.out.push_str("null");
        self.after_value = true;
    }

    /// `key` with a string value.
    pub fn str_member(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    /// `key` with a whole number value, or `null`.
    pub fn uint_member(&mut self, key: &str, value: Option<u32>) {
        self.key(key);
        match value {
            Some(n) => self.uint(n),
            None => self.null(),
        }
    }

    pub fn float_member(&mut self, key: &str, value: f64) {
        self.key(key);
        self.float(value);
    }

    pub fn bool_member(&mut self, key: &str, value: bool) {
        self.key(key);
        self.bool(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_objects_and_arrays_with_commas_between_members() {
        let mut w = JsonWriter::default();
        w.begin_object();
        w.str_member("a", "x");
        w.key("list");
        w.begin_array();
        w.uint(1);
        w.begin_object();
        w.end_object();
        w.null();
        w.end_array();
        w.uint_member("n", None);
        w.bool_member("b", true);
        w.float_member("f", 0.5);
        w.end_object();
        assert_eq!(
            w.finish(),
            r#"{"a":"x","list":[1,{},null],"n":null,"b":true,"f":0.5}"#
        );
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters() {
        let mut w = JsonWriter::default();
        w.string("\"\\\n\r\t\u{8}\u{c}\u{1}é");
        assert_eq!(w.finish(), r#""\"\\\n\r\t\b\f\u0001é""#);
    }

    #[test]
    fn floats_keep_a_fraction_and_non_finite_ones_are_null() {
        let mut w = JsonWriter::default();
        w.begin_array();
        w.float(20.0);
        w.float(-0.25);
        w.float(1e21);
        w.float(f64::NAN);
        w.float(f64::INFINITY);
        w.end_array();
        assert_eq!(
            w.finish(),
            "[20.0,-0.25,1000000000000000000000.0,null,null]"
        );
    }
}
