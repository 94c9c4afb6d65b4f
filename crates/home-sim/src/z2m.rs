//! Zigbee devices behind a Zigbee2MQTT bridge (base topic `zigbee2mqtt`). The bridge publishes
//! `bridge/state`, `bridge/info` and the retained `bridge/devices` list (each device's
//! `definition.exposes` with access bits); each device has its JSON state on
//! `zigbee2mqtt/<friendly name>` (retained: the devices are configured with `retain: true`),
//! takes commands on `.../set` and reads on `.../get`, and says `{"state":"online"}` on
//! `.../availability`.
//!
//! In a real installation one bridge process speaks for every device. Here each device has its
//! own connection, with its availability as its last will, so that pulling one device's plug
//! shows exactly that device offline; the bridge has its own connection too.

use serde_json::{Map, Value, json};

use crate::color::{hex_to_hs, hs_to_xy, rgb_to_hs, xy_to_hs};
use crate::device::{Convention, Device, Info, Publication, Reading, json_object, whole};
use crate::state::{ColorMode, Lamp, Wander};

pub const BASE: &str = "zigbee2mqtt";
/// Zigbee brightness runs 0..=254.
const BRIGHTNESS_SCALE: f64 = 254.0;
const COORDINATOR: &str = "0x00124b0022ab1234";

#[derive(Debug)]
enum Body {
    Lamp {
        lamp: Lamp,
        effects: &'static [&'static str],
    },
    Motion {
        occupancy: bool,
        illuminance: Wander,
        battery: Wander,
    },
    /// A door or window contact. Zigbee2MQTT's `contact` is `true` when closed.
    Contact { open: bool, battery: Wander },
    Climate {
        temperature: Wander,
        humidity: Wander,
        pressure: Wander,
        battery: Wander,
    },
}

/// What `bridge/devices` says about a device besides its exposes.
struct Definition {
    model: &'static str,
    vendor: &'static str,
    description: &'static str,
    mains: bool,
}

/// One Zigbee device.
#[derive(Debug)]
pub struct Z2mDevice {
    info: Info,
    network_address: u16,
    body: Body,
    linkquality: Wander,
}

impl Z2mDevice {
    fn new(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        (kind, main_reading): (&'static str, &'static str),
        ieee: &str,
        body: Body,
    ) -> Z2mDevice {
        // Short addresses are random in Zigbee; the end of the IEEE address will do.
        let tail = ieee.get(ieee.len().saturating_sub(4)..).unwrap_or_default();
        let network_address = u16::from_str_radix(tail, 16).unwrap_or(1);
        Z2mDevice {
            info: Info {
                key,
                convention: Convention::Zigbee2Mqtt,
                name,
                room,
                kind,
                id: ieee.to_owned(),
                main_reading,
            },
            network_address,
            body,
            linkquality: Wander::new(120.0, 12.0, 40.0, 255.0, 0),
        }
    }

    /// A colour bulb with white temperatures, Hue-style.
    pub fn lamp(key: &'static str, name: &'static str, room: &'static str, ieee: &str) -> Self {
        let body = Body::Lamp {
            lamp: Lamp::new((153, 500)),
            effects: &[
                "blink",
                "breathe",
                "okay",
                "candle",
                "fireplace",
                "colorloop",
            ],
        };
        Z2mDevice::new(key, name, room, ("light", "on"), ieee, body)
    }

    pub fn motion(key: &'static str, name: &'static str, room: &'static str, ieee: &str) -> Self {
        let body = Body::Motion {
            occupancy: false,
            illuminance: Wander::new(180.0, 25.0, 0.0, 1000.0, 0),
            battery: Wander::new(87.0, 0.2, 10.0, 100.0, 0),
        };
        Z2mDevice::new(key, name, room, ("binary_sensor", "occupancy"), ieee, body)
    }

    pub fn contact(key: &'static str, name: &'static str, room: &'static str, ieee: &str) -> Self {
        let body = Body::Contact {
            open: false,
            battery: Wander::new(93.0, 0.2, 10.0, 100.0, 0),
        };
        Z2mDevice::new(key, name, room, ("binary_sensor", "open"), ieee, body)
    }

    pub fn climate(key: &'static str, name: &'static str, room: &'static str, ieee: &str) -> Self {
        let body = Body::Climate {
            temperature: Wander::new(22.4, 0.2, 17.0, 27.0, 1),
            humidity: Wander::new(58.0, 0.8, 35.0, 90.0, 1),
            pressure: Wander::new(1012.0, 0.3, 990.0, 1030.0, 1),
            battery: Wander::new(76.0, 0.2, 10.0, 100.0, 0),
        };
        Z2mDevice::new(key, name, room, ("sensor", "temperature"), ieee, body)
    }

    fn topic(&self) -> String {
        format!("{BASE}/{}", self.info.name)
    }

    fn definition(&self) -> Definition {
        let (model, vendor, description, mains) = match self.body {
            Body::Lamp { .. } => (
                "9290022166",
                "Philips",
                "Hue white and color ambiance E26/E27",
                true,
            ),
            Body::Motion { .. } => (
                "RTCGQ11LM",
                "Aqara",
                "Motion sensor with illuminance",
                false,
            ),
            Body::Contact { .. } => ("MCCGQ11LM", "Aqara", "Door and window sensor", false),
            Body::Climate { .. } => (
                "WSDCGQ11LM",
                "Aqara",
                "Temperature, humidity and pressure sensor",
                false,
            ),
        };
        Definition {
            model,
            vendor,
            description,
            mains,
        }
    }

    /// `definition.exposes`: each property, whether it is in the state (1), settable (2) and
    /// readable with `/get` (4).
    fn exposes(&self) -> Value {
        let numeric = |name: &str, unit: &str, min: f64, max: f64| {
            json!({"type": "numeric", "name": name, "label": label(name), "property": name,
                   "unit": unit, "value_min": min, "value_max": max, "access": 1})
        };
        let linkquality = numeric("linkquality", "lqi", 0.0, 255.0);
        let battery = numeric("battery", "%", 0.0, 100.0);
        match &self.body {
            Body::Lamp { lamp, effects } => json!([
                {"type": "light", "features": [
                    {"type": "binary", "name": "state", "label": "State", "property": "state",
                     "value_on": "ON", "value_off": "OFF", "value_toggle": "TOGGLE", "access": 7},
                    {"type": "numeric", "name": "brightness", "label": "Brightness",
                     "property": "brightness", "value_min": 0, "value_max": 254, "access": 7},
                    {"type": "numeric", "name": "color_temp", "label": "Color temp",
                     "property": "color_temp", "unit": "mired",
                     "value_min": lamp.ct_range.0, "value_max": lamp.ct_range.1, "access": 7},
                    {"type": "composite", "name": "color_xy", "label": "Color (X/Y)",
                     "property": "color", "access": 7, "features": [
                        {"type": "numeric", "name": "x", "property": "x", "access": 7},
                        {"type": "numeric", "name": "y", "property": "y", "access": 7}]},
                    {"type": "composite", "name": "color_hs", "label": "Color (HS)",
                     "property": "color", "access": 7, "features": [
                        {"type": "numeric", "name": "hue", "property": "hue", "access": 7},
                        {"type": "numeric", "name": "saturation", "property": "saturation",
                         "access": 7}]}
                ]},
                {"type": "enum", "name": "effect", "label": "Effect", "property": "effect",
                 "access": 2, "values": effects},
                linkquality,
            ]),
            Body::Motion { .. } => json!([
                {"type": "binary", "name": "occupancy", "label": "Occupancy",
                 "property": "occupancy", "value_on": true, "value_off": false, "access": 1},
                numeric("illuminance", "lx", 0.0, 10000.0),
                battery,
                linkquality,
            ]),
            Body::Contact { .. } => json!([
                {"type": "binary", "name": "contact", "label": "Contact", "property": "contact",
                 "value_on": false, "value_off": true, "access": 1},
                battery,
                linkquality,
            ]),
            Body::Climate { .. } => json!([
                numeric("temperature", "°C", -40.0, 80.0),
                numeric("humidity", "%", 0.0, 100.0),
                numeric("pressure", "hPa", 300.0, 1100.0),
                battery,
                linkquality,
            ]),
        }
    }

    /// This device's entry in `bridge/devices`.
    pub fn bridge_entry(&self) -> Value {
        let definition = self.definition();
        json!({
            "ieee_address": self.info.id,
            "type": if definition.mains { "Router" } else { "EndDevice" },
            "network_address": self.network_address,
            "supported": true,
            "friendly_name": self.info.name,
            "disabled": false,
            "area": self.info.room,
            "description": null,
            "power_source": if definition.mains { "Mains (single phase)" } else { "Battery" },
            "manufacturer": definition.vendor,
            "model_id": definition.model,
            "interview_completed": true,
            "interviewing": false,
            "definition": {
                "model": definition.model,
                "vendor": definition.vendor,
                "description": definition.description,
                "exposes": self.exposes(),
                "options": [],
                "supports_ota": definition.mains,
            },
        })
    }

    fn state(&self) -> Publication {
        let linkquality = whole(self.linkquality.value);
        let state = match &self.body {
            Body::Lamp { lamp, .. } => {
                let (x, y) = hs_to_xy(lamp.hue_sat.0, lamp.hue_sat.1);
                json!({
                    "state": if lamp.on { "ON" } else { "OFF" },
                    "brightness": whole(lamp.brightness_on(BRIGHTNESS_SCALE)),
                    "color_temp": lamp.color_temp,
                    "color_mode": match lamp.mode {
                        ColorMode::ColorTemp => "color_temp",
                        ColorMode::Color => "hs",
                    },
                    "color": {"x": x, "y": y, "hue": lamp.hue_sat.0, "saturation": lamp.hue_sat.1},
                    "linkquality": linkquality,
                })
            }
            Body::Motion {
                occupancy,
                illuminance,
                battery,
            } => json!({
                "occupancy": occupancy,
                "illuminance": whole(illuminance.value),
                "battery": whole(battery.value),
                "linkquality": linkquality,
            }),
            Body::Contact { open, battery } => json!({
                "contact": !open,
                "battery": whole(battery.value),
                "linkquality": linkquality,
            }),
            Body::Climate {
                temperature,
                humidity,
                pressure,
                battery,
            } => json!({
                "temperature": temperature.value,
                "humidity": humidity.value,
                "pressure": pressure.value,
                "battery": whole(battery.value),
                "linkquality": linkquality,
            }),
        };
        Publication::retained(self.topic(), state.to_string())
    }

    fn availability(&self, online: bool) -> Publication {
        Publication::retained(
            format!("{}/availability", self.topic()),
            availability(online),
        )
    }
}

fn availability(online: bool) -> String {
    json!({"state": if online { "online" } else { "offline" }}).to_string()
}

fn label(property: &str) -> String {
    let mut chars = property.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// A `/set` payload for a bulb, applied to a copy so that a bad field changes nothing.
fn lamp_command(lamp: &Lamp, command: &Map<String, Value>) -> Result<Lamp, String> {
    let mut lamp = lamp.clone();
    let number = |key: &str, value: &Value| {
        value
            .as_f64()
            .filter(|n| n.is_finite())
            .ok_or_else(|| format!("{key} {value} is not a number"))
    };
    for (key, value) in command {
        match key.as_str() {
            "state" => {
                lamp.on = match value.as_str().map(str::to_ascii_uppercase).as_deref() {
                    Some("ON") => true,
                    Some("OFF") => false,
                    Some("TOGGLE") => !lamp.on,
                    _ => return Err(format!("state {value} is not ON, OFF or TOGGLE")),
                }
            }
            "brightness" => {
                let brightness = number(key, value)?;
                lamp.set_brightness(brightness, BRIGHTNESS_SCALE);
                lamp.on = brightness > 0.0;
            }
            "color_temp" => {
                let mireds = match value.as_str() {
                    Some("coolest") => f64::from(lamp.ct_range.0),
                    Some("cool") => 250.0,
                    Some("neutral") => 370.0,
                    Some("warm") => 454.0,
                    Some("warmest") => f64::from(lamp.ct_range.1),
                    _ => number(key, value)?,
                };
                lamp.set_color_temp(mireds);
            }
            "color" => {
                let (hue, saturation) = color_of(value)?;
                lamp.set_hue_sat(hue, saturation);
            }
            // Effects play once on the bulb and are not part of its state (the caller checked
            // the name); transitions are instant here.
            "effect" | "transition" => {}
            other => return Err(format!("no converter available for '{other}'")),
        }
    }
    Ok(lamp)
}

/// Every colour form Zigbee2MQTT takes: `{x,y}`, `{hue,saturation}`, `{h,s}`, `{r,g,b}`,
/// `{rgb:"r,g,b"}`, `{hex:"#rrggbb"}`, or a bare `"#rrggbb"`.
fn color_of(value: &Value) -> Result<(f64, f64), String> {
    let part = |key: &str| value.get(key).and_then(Value::as_f64);
    let found = if let (Some(x), Some(y)) = (part("x"), part("y")) {
        xy_to_hs(x, y)
    } else if let (Some(h), Some(s)) = (part("hue").or(part("h")), part("saturation").or(part("s")))
    {
        Some((h, s))
    } else if let (Some(r), Some(g), Some(b)) = (part("r"), part("g"), part("b")) {
        Some(rgb_to_hs(r, g, b))
    } else if let Some(rgb) = value.get("rgb").and_then(Value::as_str) {
        let channels: Vec<f64> = rgb
            .split(',')
            .filter_map(|c| c.trim().parse::<f64>().ok())
            .collect();
        match channels.as_slice() {
            [r, g, b] => Some(rgb_to_hs(*r, *g, *b)),
            _ => None,
        }
    } else if let Some(hex) = value.get("hex").and_then(Value::as_str).or(value.as_str()) {
        hex_to_hs(hex)
    } else {
        None
    };
    found
        .filter(|(h, s)| h.is_finite() && s.is_finite())
        .ok_or_else(|| format!("color {value} is not a colour"))
}

impl Device for Z2mDevice {
    fn key(&self) -> &str {
        self.info.key
    }

    fn info(&self) -> Option<&Info> {
        Some(&self.info)
    }

    fn will(&self) -> Publication {
        self.availability(false)
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![
            format!("{}/set", self.topic()),
            format!("{}/get", self.topic()),
        ]
    }

    fn online(&self) -> Vec<Publication> {
        vec![self.availability(true), self.state()]
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let command = json_object(payload)?;
        if topic.ends_with("/get") {
            return Ok(vec![self.state()]);
        }
        match &mut self.body {
            Body::Lamp { lamp, effects } => {
                if let Some(effect) = command.get("effect")
                    && !effect.as_str().is_some_and(|e| effects.contains(&e))
                {
                    return Err(format!("effect {effect} is not one of {effects:?}"));
                }
                *lamp = lamp_command(lamp, &command)?;
            }
            // Sensors have nothing to set.
            _ => {
                let key = command.keys().next().map_or("", String::as_str);
                return Err(format!("no converter available for '{key}'"));
            }
        }
        Ok(vec![self.state()])
    }

    fn drift(&mut self, rng: &mut fastrand::Rng) -> Vec<Publication> {
        self.linkquality.drift(rng);
        match &mut self.body {
            Body::Lamp { .. } => return Vec::new(),
            Body::Motion {
                occupancy,
                illuminance,
                battery,
            } => {
                // Someone walks by now and then; the sensor clears a while after.
                *occupancy = if *occupancy {
                    rng.f64() < 0.4
                } else {
                    rng.f64() < 0.15
                };
                illuminance.drift(rng);
                battery.drift(rng);
            }
            Body::Contact { open, battery } => {
                if rng.f64() < 0.08 {
                    *open = !*open;
                }
                battery.drift(rng);
            }
            Body::Climate {
                temperature,
                humidity,
                pressure,
                battery,
            } => {
                temperature.drift(rng);
                humidity.drift(rng);
                pressure.drift(rng);
                battery.drift(rng);
            }
        }
        vec![self.state()]
    }

    fn set(&mut self, reading: &Reading) -> Result<Vec<Publication>, String> {
        match &mut self.body {
            Body::Lamp { lamp, .. } => *lamp = lamp.with_reading(reading, true)?,
            Body::Motion {
                occupancy,
                illuminance,
                battery,
            } => {
                reading.only(&["occupancy", "illuminance", "battery"])?;
                let new_occupancy = reading.boolean("occupancy")?;
                let new_illuminance = reading.number("illuminance")?;
                let new_battery = reading.number("battery")?;
                *occupancy = new_occupancy.unwrap_or(*occupancy);
                if let Some(v) = new_illuminance {
                    illuminance.set(v);
                }
                if let Some(v) = new_battery {
                    battery.set(v);
                }
            }
            Body::Contact { open, battery } => {
                reading.only(&["open", "contact", "battery"])?;
                let contact = reading.boolean("contact")?;
                let new_open = reading.boolean("open")?.or(contact.map(|closed| !closed));
                let new_battery = reading.number("battery")?;
                *open = new_open.unwrap_or(*open);
                if let Some(v) = new_battery {
                    battery.set(v);
                }
            }
            Body::Climate {
                temperature,
                humidity,
                pressure,
                battery,
            } => {
                reading.only(&["temperature", "humidity", "pressure", "battery"])?;
                let values = [
                    reading.number("temperature")?,
                    reading.number("humidity")?,
                    reading.number("pressure")?,
                    reading.number("battery")?,
                ];
                for (wander, value) in [temperature, humidity, pressure, battery]
                    .into_iter()
                    .zip(values)
                {
                    if let Some(value) = value {
                        wander.set(value);
                    }
                }
            }
        }
        Ok(vec![self.state()])
    }
}

/// The Zigbee2MQTT bridge: `bridge/state` with its last will, `bridge/info`, and the retained
/// `bridge/devices` and `bridge/groups`. Answers `bridge/request/health_check`.
#[derive(Debug)]
pub struct Bridge {
    devices: Vec<Value>,
}

impl Bridge {
    pub const KEY: &'static str = "zigbee2mqtt-bridge";

    pub fn new(devices: &[&Z2mDevice]) -> Bridge {
        let coordinator = json!({
            "ieee_address": COORDINATOR, "type": "Coordinator", "network_address": 0,
            "supported": true, "friendly_name": "Coordinator", "disabled": false,
            "definition": null, "interview_completed": true, "interviewing": false,
        });
        let devices = std::iter::once(coordinator)
            .chain(devices.iter().map(|d| d.bridge_entry()))
            .collect();
        Bridge { devices }
    }
}

impl Device for Bridge {
    fn key(&self) -> &str {
        Bridge::KEY
    }

    fn will(&self) -> Publication {
        Publication::retained(format!("{BASE}/bridge/state"), availability(false))
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![format!("{BASE}/bridge/request/#")]
    }

    fn online(&self) -> Vec<Publication> {
        let info = json!({
            "version": "2.1.3",
            "commit": "home-sim",
            "coordinator": {"ieee_address": COORDINATOR, "type": "zStack3x0", "meta": {}},
            "network": {"channel": 15, "pan_id": 6754, "extended_pan_id": "0xdddddddddddddddd"},
            "log_level": "info",
            "permit_join": false,
            "restart_required": false,
        });
        vec![
            Publication::retained(format!("{BASE}/bridge/state"), availability(true)),
            Publication::retained(format!("{BASE}/bridge/info"), info.to_string()),
            Publication::retained(
                format!("{BASE}/bridge/devices"),
                Value::Array(self.devices.clone()).to_string(),
            ),
            Publication::retained(format!("{BASE}/bridge/groups"), "[]"),
        ]
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let request = topic
            .strip_prefix(&format!("{BASE}/bridge/request/"))
            .ok_or("not a bridge request")?;
        let transaction = serde_json::from_slice::<Value>(payload)
            .ok()
            .and_then(|v| v.get("transaction").cloned());
        let mut response = match request {
            "health_check" => json!({"data": {"healthy": true}, "status": "ok"}),
            other => json!({"data": {}, "status": "error",
                            "error": format!("Request '{other}' is not supported by home-sim")}),
        };
        if let (Some(transaction), Some(members)) = (transaction, response.as_object_mut()) {
            members.insert("transaction".into(), transaction);
        }
        Ok(vec![Publication::live(
            format!("{BASE}/bridge/response/{request}"),
            response.to_string(),
        )])
    }
}
