//! MQTT messages to and from one model of a home: devices, their entities, rooms and
//! availability, read from four conventions: Home Assistant MQTT discovery, Zigbee2MQTT,
//! Tasmota and Homie (4 and 5).
//!
//! A [`Home`] is fed every received message with [`Home::handle_message`] and answers with the
//! [`Changes`] it made; [`Home::command`] turns a user's [`Command`] into the [`Outgoing`]
//! messages of the entity's own convention. There is no IO and no clock: time, where it
//! matters (sensor history), is the caller's `now_ms`. Messages may arrive in any order: state
//! or availability that arrives before the device is announced is held and read once it is.
//! Nothing from the network can make it panic; what it cannot read is reported as a
//! [`Problem`].
//!
//! # JSON
//!
//! Every convention but Homie 4 speaks JSON, so the crate needs a parser that is small in
//! WebAssembly. serde_json with derive generates a deserialiser per type, and the app's wasm
//! size budget is already spent. miniserde is smaller but still brings its own traits and
//! derive macros, while all this crate needs is "parse this payload into a tree and look up a
//! few keys", plus writing a few small command objects. So [`json`] is a strict RFC 8259
//! parser into a [`json::Value`] tree of about two hundred lines, with its own tests (grammar
//! errors, escapes and surrogate pairs, nesting depth limit, round trips), and no
//! dependencies at all.
//!
//! # Size
//!
//! Each convention is a cargo feature (`homeassistant`, `zigbee2mqtt`, `tasmota`, `homie`, all
//! on by default): an app whose home speaks only Zigbee2MQTT builds with
//! `default-features = false, features = ["zigbee2mqtt"]` and carries none of the others.
//! Problem messages quote payloads with plain `"{}"` rather than `{:?}`, and names are
//! capitalised as ASCII, so that Unicode escape and case tables stay out of the binary.
//! Maps and sets are vectors sorted by key that share one search (see `sorted`), not
//! `BTreeMap`s, whose code is compiled again for every key and value type. Numbers are
//! written and read by the crate's own `number` and `decimal` modules instead of core's float
//! formatting and parsing; those modules say why their results are the same.
//!
//! ```
//! use home_model::{Command, EntityId, Home, HomeConfig};
//!
//! let mut home = Home::new(HomeConfig::default());
//! assert!(home.subscriptions().contains(&"zigbee2mqtt/#".to_string()));
//!
//! home.handle_message(
//!     "homeassistant/light/kitchen/config",
//!     br#"{"~":"homeassistant/light/kitchen","name":"Kitchen","unique_id":"kitchen_light",
//!          "cmd_t":"~/set","stat_t":"~/state","schema":"json","brightness":true,
//!          "supported_color_modes":["color_temp"]}"#,
//!     true,
//!     0,
//! );
//! let changes = home.handle_message(
//!     "homeassistant/light/kitchen/state",
//!     br#"{"state":"ON","brightness":128}"#,
//!     false,
//!     1_000,
//! );
//! let lamp = EntityId::from("ha:kitchen_light/kitchen_light");
//! assert!(changes.devices.contains(&lamp.device()));
//!
//! let out = home.command(&lamp, Command::light_brightness(1.0)).unwrap();
//! assert_eq!(out[0].topic, "homeassistant/light/kitchen/set");
//! assert_eq!(out[0].payload, r#"{"state":"ON","brightness":255}"#);
//! ```

// With a convention left out, helpers only it used go unused; that is expected, not dead code.
#![cfg_attr(
    not(all(
        feature = "homeassistant",
        feature = "zigbee2mqtt",
        feature = "tasmota",
        feature = "homie"
    )),
    allow(dead_code, unused_imports, unused_variables, unused_mut)
)]

#[cfg(all(doctest, feature = "zigbee2mqtt"))]
#[doc = include_str!("../README.md")]
struct ReadmeExample;

mod color;
mod command;
mod decimal;
mod home;
#[cfg(feature = "homeassistant")]
mod homeassistant;
#[cfg(feature = "homie")]
mod homie;
pub mod json;
mod model;
pub mod number;
pub mod sorted;
#[cfg(feature = "tasmota")]
mod tasmota;
#[cfg(feature = "homeassistant")]
mod template;
#[cfg(test)]
mod test_support;
mod text;
#[cfg(feature = "zigbee2mqtt")]
mod zigbee2mqtt;

pub use command::{Command, CommandError, CoverCommand, Outgoing};
pub use home::{Changes, Home, HomeConfig, Problem, topic_matches};
pub use model::{
    Availability, BinarySensor, Climate, ColorMode, Convention, Cover, CoverState, Device,
    DeviceId, Entity, EntityId, EntityKind, Fan, History, Light, LightFeatures, Number, Select,
    Sensor, SensorValue, Switch,
};
pub use sorted::DeviceSet;
