//! A simulated home for Lamplighter: fourteen devices that are real MQTT clients, each on its
//! own connection (through `mqtt-session` and `mqtt-tcp`) with its own last will, speaking Home
//! Assistant discovery, Zigbee2MQTT, Tasmota and Homie 4 and 5 as those projects do. Commands
//! are answered after a realistic delay, readings drift, blinds take seconds to travel, and a
//! switchboard on `home-sim/<key>/{unplug,plug,set}` lets tests and demos pull a device's plug
//! or change its readings. The `home-sim` binary runs it; see the README.
//!
//! The sim speaks each convention itself, from the conventions' documentation, and does not
//! use `home-model`: the end-to-end tests feed what it says into `home-model` and so test the
//! adapters against an independent speaker.
#![cfg(not(target_arch = "wasm32"))]

pub mod color;
pub mod control;
pub mod device;
pub mod ha;
pub mod home;
pub mod homie;
pub mod run;
pub mod state;
pub mod tasmota;
pub mod z2m;
