//! What every simulated device is to the runner that connects it: the messages it announces
//! itself with, its last will, the commands it listens to, and how it changes by itself.

use std::fmt;

use serde_json::{Map, Value};

/// The convention a device speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Convention {
    HomeAssistant,
    Zigbee2Mqtt,
    Tasmota,
    Homie4,
    Homie5,
}

impl Convention {
    /// The name used in `home-sim/devices`.
    pub fn as_str(self) -> &'static str {
        match self {
            Convention::HomeAssistant => "homeassistant",
            Convention::Zigbee2Mqtt => "zigbee2mqtt",
            Convention::Tasmota => "tasmota",
            Convention::Homie4 => "homie4",
            Convention::Homie5 => "homie5",
        }
    }
}

/// How a device is listed in `home-sim/devices`, for tests and demos to find it.
#[derive(Debug, Clone, PartialEq)]
pub struct Info {
    /// The device's name in control topics: `home-sim/<key>/unplug`.
    pub key: &'static str,
    pub convention: Convention,
    pub name: &'static str,
    /// The room the device is in. Tasmota and Homie have nowhere to say it, so only Home
    /// Assistant (`suggested_area`) and Zigbee2MQTT (`area`) devices tell the broker.
    pub room: &'static str,
    /// `light`, `switch`, `sensor`, `climate`, `cover`, `fan`...
    pub kind: &'static str,
    /// The device's identifier in its own convention: the Home Assistant device identifier,
    /// the Zigbee IEEE address, the Tasmota topic, the Homie device id.
    pub id: String,
    /// What a plain number (or `true`/`false`) sent to `home-sim/<key>/set` sets.
    pub main_reading: &'static str,
}

impl Info {
    pub fn to_json(&self) -> Value {
        serde_json::json!({
            "key": self.key,
            "convention": self.convention.as_str(),
            "name": self.name,
            "room": self.room,
            "kind": self.kind,
            "id": self.id,
            "main_reading": self.main_reading,
        })
    }
}

/// One message a device sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub topic: String,
    pub payload: String,
    pub retain: bool,
}

impl Publication {
    /// A retained message: configuration, availability, state a late subscriber must see.
    pub fn retained(topic: impl Into<String>, payload: impl Into<String>) -> Publication {
        Publication {
            topic: topic.into(),
            payload: payload.into(),
            retain: true,
        }
    }

    /// A message for whoever listens now: telemetry, command results.
    pub fn live(topic: impl Into<String>, payload: impl Into<String>) -> Publication {
        Publication {
            topic: topic.into(),
            payload: payload.into(),
            retain: false,
        }
    }
}

impl fmt::Display for Publication {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.topic, self.payload)
    }
}

/// A simulated device, or one of the sim's own endpoints (the Zigbee2MQTT bridge, the
/// control switchboard). The runner owns it on a thread of its own with one MQTT connection.
///
/// Call order: [`online`](Device::online) after every CONNACK; [`command`](Device::command)
/// for every message on [`subscriptions`](Device::subscriptions) (after the command delay);
/// [`drift`](Device::drift) every few seconds; [`step`](Device::step) every
/// [`STEP`](crate::run::STEP) while [`moving`](Device::moving); [`offline`](Device::offline)
/// before a clean DISCONNECT. Everything they return is published at once.
pub trait Device: Send {
    /// The key in control topics and log lines.
    fn key(&self) -> &str;

    /// How `home-sim/devices` lists it; `None` for the sim's own endpoints.
    fn info(&self) -> Option<&Info> {
        None
    }

    /// What the broker publishes when the connection dies without DISCONNECT; always retained.
    fn will(&self) -> Publication;

    /// The topic filters commands arrive on.
    fn subscriptions(&self) -> Vec<String>;

    /// Everything a freshly connected device says: configuration, "online", current state.
    fn online(&self) -> Vec<Publication>;

    /// What a device shutting down cleanly says before it disconnects.
    fn offline(&self) -> Vec<Publication> {
        vec![self.will()]
    }

    /// A command. `Err` says why it was ignored (a bad payload, an unknown command); the
    /// device is left as it was.
    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String>;

    /// Readings wander: called every `--drift-secs`.
    fn drift(&mut self, _rng: &mut fastrand::Rng) -> Vec<Publication> {
        Vec::new()
    }

    /// Whether something is on its way (a cover travelling).
    fn moving(&self) -> bool {
        false
    }

    /// One step of the movement.
    fn step(&mut self) -> Vec<Publication> {
        Vec::new()
    }

    /// `home-sim/<key>/set`: a change at the device itself (a reading, a wall switch).
    fn set(&mut self, _reading: &Reading) -> Result<Vec<Publication>, String> {
        Err("this device has no readings to set".into())
    }
}

/// The payload of `home-sim/<key>/set`: a JSON object such as `{"temperature":23.4}`, or a
/// plain value (`23.4`, `true`, `ON`) for the device's main reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    values: Map<String, Value>,
}

impl Reading {
    pub fn parse(payload: &[u8], main_reading: &str) -> Result<Reading, String> {
        let text = std::str::from_utf8(payload)
            .map_err(|_| "payload is not UTF-8".to_owned())?
            .trim();
        if text.is_empty() {
            return Err("empty payload".into());
        }
        let value = serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::from(text));
        let values = match value {
            Value::Object(values) => values,
            Value::Array(_) | Value::Null => {
                return Err(format!("\"{text}\" is neither a JSON object nor a value"));
            }
            plain => Map::from_iter([(main_reading.to_owned(), plain)]),
        };
        Ok(Reading { values })
    }

    /// Refuses keys the device does not have, naming the ones it has.
    pub fn only(&self, known: &[&str]) -> Result<(), String> {
        match self.values.keys().find(|k| !known.contains(&k.as_str())) {
            Some(key) => Err(format!(
                "no reading \"{key}\" here (try {})",
                known.join(", ")
            )),
            None => Ok(()),
        }
    }

    pub fn number(&self, key: &str) -> Result<Option<f64>, String> {
        match self.values.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{key} is not a finite number")),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|n| n.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{key} \"{s}\" is not a number")),
            Some(other) => Err(format!("{key} {other} is not a number")),
        }
    }

    pub fn boolean(&self, key: &str) -> Result<Option<bool>, String> {
        match self.values.get(key) {
            None => Ok(None),
            Some(value) => as_bool(value)
                .map(Some)
                .ok_or_else(|| format!("{key} {value} is neither true nor false")),
        }
    }
}

/// `true`/`false`, `1`/`0`, `"ON"`/`"OFF"`, `"true"`/`"false"`, `"open"`/`"closed"`.
pub fn as_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "on" | "true" | "1" | "open" | "yes" => Some(true),
            "off" | "false" | "0" | "closed" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A command payload as text, or why it is not.
pub fn text(payload: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(payload)
        .map(str::trim)
        .map_err(|_| "payload is not UTF-8".to_owned())
}

/// A command payload as a JSON object, or why it is not.
pub fn json_object(payload: &[u8]) -> Result<Map<String, Value>, String> {
    match serde_json::from_slice::<Value>(payload) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err("payload is not a JSON object".into()),
        Err(error) => Err(format!("payload is not JSON: {error}")),
    }
}

/// A number in a command, which must be finite.
pub fn number(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("\"{text}\" is not a number"))
}

/// A reading devices report as a whole number (brightness, battery, watts), for JSON.
pub fn whole(value: f64) -> i64 {
    value.round() as i64
}

/// A number with one decimal, as thermometers report it.
pub fn one_decimal(value: f64) -> String {
    format!("{value:.1}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_value_sets_the_main_reading_and_an_object_sets_its_keys() {
        let reading = Reading::parse(b"23.4", "temperature").expect("a reading");
        assert_eq!(reading.number("temperature"), Ok(Some(23.4)));
        let reading =
            Reading::parse(br#"{"humidity":51,"battery":"90"}"#, "temperature").expect("a reading");
        assert_eq!(reading.number("humidity"), Ok(Some(51.0)));
        assert_eq!(reading.number("battery"), Ok(Some(90.0)));
        assert_eq!(reading.number("temperature"), Ok(None));
        let reading = Reading::parse(b"ON", "on").expect("a reading");
        assert_eq!(reading.boolean("on"), Ok(Some(true)));
    }

    #[test]
    fn readings_that_make_no_sense_are_refused_with_a_reason() {
        assert!(Reading::parse(b"", "temperature").is_err());
        assert!(Reading::parse(b"[1,2]", "temperature").is_err());
        assert!(Reading::parse(&[0xff, 0xfe], "temperature").is_err());
        let reading = Reading::parse(br#"{"temperature":"warm"}"#, "temperature").expect("json");
        assert!(reading.number("temperature").is_err());
        let reading = Reading::parse(br#"{"colour":1}"#, "temperature").expect("json");
        assert!(reading.only(&["temperature"]).is_err());
    }
}
