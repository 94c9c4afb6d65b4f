//! The switchboard: the sim's own connection, on the same broker, through which tests and demos
//! pull a device's plug (`home-sim/<key>/unplug`), push it back in (`home-sim/<key>/plug`) or
//! change a reading (`home-sim/<key>/set`). It lists the devices, retained, on
//! `home-sim/devices`, and says `online` on `home-sim/status` (`offline` as its last will).

use std::collections::BTreeMap;
use std::sync::mpsc::Sender;

use serde_json::Value;

use crate::device::{Device, Info, Publication};
use crate::run::Control;

pub const ROOT: &str = "home-sim";

pub struct Switchboard {
    devices: String,
    lines: BTreeMap<String, Sender<Control>>,
}

impl Switchboard {
    /// `listed` go into `home-sim/devices`; `lines` reach every device that takes orders (the
    /// listed ones and the sim's own, such as the Zigbee2MQTT bridge), by key.
    pub fn new(listed: &[Info], lines: BTreeMap<String, Sender<Control>>) -> Switchboard {
        let devices = Value::Array(listed.iter().map(Info::to_json).collect()).to_string();
        Switchboard { devices, lines }
    }
}

impl Device for Switchboard {
    fn key(&self) -> &str {
        ROOT
    }

    fn will(&self) -> Publication {
        Publication::retained(format!("{ROOT}/status"), "offline")
    }

    fn subscriptions(&self) -> Vec<String> {
        ["unplug", "plug", "set"]
            .iter()
            .map(|action| format!("{ROOT}/+/{action}"))
            .collect()
    }

    fn online(&self) -> Vec<Publication> {
        vec![
            Publication::retained(format!("{ROOT}/devices"), self.devices.clone()),
            Publication::retained(format!("{ROOT}/status"), "online"),
        ]
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let (key, action) = topic
            .strip_prefix(&format!("{ROOT}/"))
            .and_then(|rest| rest.split_once('/'))
            .ok_or("not a control topic")?;
        let line = self.lines.get(key).ok_or_else(|| {
            let keys: Vec<&str> = self.lines.keys().map(String::as_str).collect();
            format!("no device \"{key}\" (there are {})", keys.join(", "))
        })?;
        let control = match action {
            "unplug" => Control::Unplug,
            "plug" => Control::Plug,
            "set" => Control::Set(payload.to_vec()),
            other => return Err(format!("no action \"{other}\"")),
        };
        line.send(control)
            .map_err(|_| format!("{key} has stopped"))?;
        Ok(Vec::new())
    }
}
