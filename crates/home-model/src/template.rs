//! The simple Home Assistant value templates, read without a template engine.
//!
//! Most discovery configs use a template only to pick a field out of a JSON state payload:
//! `{{ value_json.temperature }}`, `{{ value_json['x'] }}`, `{{ value }}`. Those are read here.
//! Anything else (filters, arithmetic, conditionals) is reported as unsupported: guessing would
//! show a wrong reading, which is worse than showing none.

use crate::json::Value;
use crate::number::parse_finite;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueTemplate {
    /// `{{ value }}` or no template: the payload as it is.
    Value,
    /// `{{ value_json.a.b }}` / `{{ value_json['a']["b"] }}` / `{{ value_json.list[0] }}`.
    JsonPath(Vec<PathStep>),
    /// A template this crate does not evaluate; holds its text.
    Unsupported(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStep {
    Key(String),
    Index(usize),
}

/// The outcome of applying a template to a payload.
#[derive(Debug, Clone, PartialEq)]
pub enum Rendered {
    Text(String),
    Json(Value),
}

impl Rendered {
    pub fn as_text(&self) -> String {
        match self {
            Rendered::Text(s) => s.clone(),
            Rendered::Json(v) => v.to_plain_string(),
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Rendered::Text(s) | Rendered::Json(Value::String(s)) => parse_finite(s),
            Rendered::Json(Value::Number(n)) => Some(*n),
            Rendered::Json(_) => None,
        }
    }
}

impl ValueTemplate {
    pub fn parse(template: &str) -> ValueTemplate {
        let unsupported = || ValueTemplate::Unsupported(template.to_owned());
        let Some(inner) = template
            .trim()
            .strip_prefix("{{")
            .and_then(|t| t.strip_suffix("}}"))
        else {
            return unsupported();
        };
        let inner = inner.trim();
        if inner == "value" {
            return ValueTemplate::Value;
        }
        let Some(mut rest) = inner.strip_prefix("value_json") else {
            return unsupported();
        };
        let mut steps = Vec::new();
        while !rest.is_empty() {
            if let Some(after_dot) = rest.strip_prefix('.') {
                let end = after_dot
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after_dot.len());
                if end == 0 {
                    return unsupported();
                }
                steps.push(PathStep::Key(after_dot[..end].to_owned()));
                rest = &after_dot[end..];
            } else if let Some(after_bracket) = rest.strip_prefix('[') {
                let Some(close) = after_bracket.find(']') else {
                    return unsupported();
                };
                let index = after_bracket[..close].trim();
                let quoted = index
                    .strip_prefix('\'')
                    .and_then(|i| i.strip_suffix('\''))
                    .or_else(|| index.strip_prefix('"').and_then(|i| i.strip_suffix('"')));
                match (quoted, index.parse::<usize>()) {
                    (Some(key), _) if !key.contains(['\'', '"']) => {
                        steps.push(PathStep::Key(key.to_owned()))
                    }
                    (None, Ok(n)) => steps.push(PathStep::Index(n)),
                    _ => return unsupported(),
                }
                rest = &after_bracket[close + 1..];
            } else {
                return unsupported();
            }
        }
        ValueTemplate::JsonPath(steps)
    }

    /// `Ok(None)` when the path is absent from this payload (many devices publish partial
    /// state); `Err` with a reason when the template cannot be applied at all.
    pub fn render(&self, payload: &[u8]) -> Result<Option<Rendered>, String> {
        match self {
            ValueTemplate::Value => core::str::from_utf8(payload)
                .map(|s| Some(Rendered::Text(s.to_owned())))
                .map_err(|_| "payload is not UTF-8".to_owned()),
            ValueTemplate::JsonPath(steps) => {
                let root = Value::parse(payload).map_err(|e| e.message())?;
                let mut at = &root;
                for step in steps {
                    let next = match step {
                        PathStep::Key(key) => at.get(key),
                        PathStep::Index(i) => at.as_array().and_then(|items| items.get(*i)),
                    };
                    match next {
                        Some(v) => at = v,
                        None => return Ok(None),
                    }
                }
                Ok(Some(Rendered::Json(at.clone())))
            }
            ValueTemplate::Unsupported(text) => {
                Err(format!("value template not supported: {text}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(k: &str) -> PathStep {
        PathStep::Key(k.to_owned())
    }

    #[test]
    fn reads_the_common_simple_forms() {
        assert_eq!(ValueTemplate::parse("{{ value }}"), ValueTemplate::Value);
        assert_eq!(
            ValueTemplate::parse("{{value_json.temperature}}"),
            ValueTemplate::JsonPath(vec![key("temperature")])
        );
        assert_eq!(
            ValueTemplate::parse("{{ value_json['x'] }}"),
            ValueTemplate::JsonPath(vec![key("x")])
        );
        assert_eq!(
            ValueTemplate::parse(r#"{{ value_json["AM2301"].Temperature }}"#),
            ValueTemplate::JsonPath(vec![key("AM2301"), key("Temperature")])
        );
        assert_eq!(
            ValueTemplate::parse("{{ value_json.list[1] }}"),
            ValueTemplate::JsonPath(vec![key("list"), PathStep::Index(1)])
        );
    }

    #[test]
    fn reports_templates_with_filters_or_logic_as_unsupported() {
        for t in [
            "{{ value_json.temperature | float }}",
            "{{ value | int * 10 }}",
            "{% if value == '1' %}ON{% endif %}",
            "{{ value_json.x + 1 }}",
            "value_json.x",
            "{{ states('sensor.x') }}",
        ] {
            assert!(
                matches!(ValueTemplate::parse(t), ValueTemplate::Unsupported(_)),
                "{t}"
            );
        }
    }

    #[test]
    fn renders_a_nested_field_and_misses_an_absent_one() {
        let t = ValueTemplate::parse("{{ value_json.AM2301.Temperature }}");
        let payload = br#"{"AM2301":{"Temperature":21.3,"Humidity":40.2}}"#;
        assert_eq!(
            t.render(payload).expect("renders").and_then(|r| r.as_f64()),
            Some(21.3)
        );
        assert_eq!(t.render(br#"{"Other":1}"#), Ok(None));
        assert!(t.render(b"not json").is_err());
    }
}
