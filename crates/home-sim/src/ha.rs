//! Devices announced by Home Assistant MQTT discovery, the way ESP firmware announces itself:
//! a retained config on `homeassistant/<component>/<object_id>/config` (or one device config
//! with components on `homeassistant/device/<object_id>/config`) with abbreviated keys, a
//! device block naming the room (`sa`, suggested area), `~` as the base of every topic, and
//! `~/availability` saying `online`, or `offline` as the last will.

use serde_json::{Value, json};

use crate::color::{rgb_to_hs, round_to, xy_to_hs};
use crate::device::{
    Convention, Device, Info, Publication, Reading, json_object, number, one_decimal, text, whole,
};
use crate::state::{Blind, ColorMode, Lamp, Thermostat};

const PREFIX: &str = "homeassistant";
/// `brightness_scale`, Home Assistant's default.
const BRIGHTNESS_SCALE: f64 = 255.0;

/// What the device is, with its state.
#[derive(Debug)]
enum Body {
    /// `schema: json`: one JSON command topic and one JSON state topic.
    JsonLight {
        lamp: Lamp,
        effects: &'static [&'static str],
    },
    /// The default schema: `ON`/`OFF` on one topic, brightness on another.
    DimmableLight {
        lamp: Lamp,
    },
    Switch {
        on: bool,
    },
    Climate(Thermostat),
    Cover(Blind),
    /// A fan announced with a device config (`cmps`), speed in percent.
    Fan {
        on: bool,
        percentage: u8,
    },
}

/// One Home Assistant discovery device.
#[derive(Debug)]
pub struct HaDevice {
    info: Info,
    /// `~`: every other topic of the device starts with it.
    base: String,
    config_topic: String,
    model: &'static str,
    body: Body,
}

impl HaDevice {
    fn new(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        (component, kind, main_reading): (&str, &'static str, &'static str),
        model: &'static str,
        body: Body,
    ) -> HaDevice {
        let object_id = key.replace('-', "_");
        HaDevice {
            info: Info {
                key,
                convention: Convention::HomeAssistant,
                name,
                room,
                kind,
                id: format!("home_sim_{object_id}"),
                main_reading,
            },
            base: format!("{PREFIX}/{component}/{object_id}"),
            config_topic: format!("{PREFIX}/{component}/{object_id}/config"),
            model,
            body,
        }
    }

    /// A colour bulb with white temperatures and effects, `schema: json`.
    pub fn json_light(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        effects: &'static [&'static str],
    ) -> HaDevice {
        let body = Body::JsonLight {
            lamp: Lamp::new((153, 500)),
            effects,
        };
        let component = ("light", "light", "on");
        HaDevice::new(key, name, room, component, "RGBCCT bulb", body)
    }

    /// A dimmable light in the default schema.
    pub fn dimmable_light(key: &'static str, name: &'static str, room: &'static str) -> HaDevice {
        let body = Body::DimmableLight {
            lamp: Lamp::new((153, 500)),
        };
        let component = ("light", "light", "on");
        HaDevice::new(key, name, room, component, "Dimmer", body)
    }

    pub fn switch(key: &'static str, name: &'static str, room: &'static str) -> HaDevice {
        let component = ("switch", "switch", "on");
        HaDevice::new(
            key,
            name,
            room,
            component,
            "Smart plug",
            Body::Switch { on: false },
        )
    }

    pub fn thermostat(key: &'static str, name: &'static str, room: &'static str) -> HaDevice {
        let body = Body::Climate(Thermostat::new("heat", 21.0, 19.5));
        let component = ("climate", "climate", "temperature");
        HaDevice::new(key, name, room, component, "Radiator thermostat", body)
    }

    pub fn blinds(key: &'static str, name: &'static str, room: &'static str) -> HaDevice {
        let body = Body::Cover(Blind::new(0));
        let component = ("cover", "cover", "position");
        HaDevice::new(key, name, room, component, "Roller blind motor", body)
    }

    /// An extractor fan announced with one device config (`homeassistant/device/...`).
    pub fn fan(key: &'static str, name: &'static str, room: &'static str) -> HaDevice {
        let body = Body::Fan {
            on: false,
            percentage: 50,
        };
        let component = ("device", "fan", "on");
        HaDevice::new(key, name, room, component, "Extractor fan", body)
    }

    fn topic(&self, suffix: &str) -> String {
        format!("{}/{suffix}", self.base)
    }

    fn device_block(&self) -> Value {
        json!({
            "ids": [self.info.id],
            "name": self.info.name,
            "mf": "home-sim",
            "mdl": self.model,
            "sw": env!("CARGO_PKG_VERSION"),
            "sa": self.info.room,
        })
    }

    fn config(&self) -> Value {
        let origin = json!({"name": "home-sim", "sw": env!("CARGO_PKG_VERSION")});
        let unique_id = self.info.id.clone();
        let mut config = match &self.body {
            Body::JsonLight { lamp, effects } => json!({
                "schema": "json",
                "cmd_t": "~/set",
                "stat_t": "~/state",
                "brightness": true,
                "sup_clrm": ["color_temp", "hs"],
                "min_mirs": lamp.ct_range.0,
                "max_mirs": lamp.ct_range.1,
                "effect": true,
                "fx_list": effects,
            }),
            Body::DimmableLight { .. } => json!({
                "cmd_t": "~/set",
                "stat_t": "~/state",
                "bri_cmd_t": "~/brightness/set",
                "bri_stat_t": "~/brightness",
                "bri_scl": BRIGHTNESS_SCALE,
            }),
            Body::Switch { .. } => json!({
                "cmd_t": "~/set",
                "stat_t": "~/state",
                "dev_cla": "outlet",
            }),
            Body::Climate(_) => json!({
                "modes": Thermostat::MODES,
                "mode_cmd_t": "~/mode/set",
                "mode_stat_t": "~/mode",
                "temp_cmd_t": "~/target/set",
                "temp_stat_t": "~/target",
                "curr_temp_t": "~/current",
                "action_topic": "~/action",
                "min_temp": Thermostat::MIN,
                "max_temp": Thermostat::MAX,
                "temp_step": 0.5,
                "temp_unit": "C",
                "precision": 0.1,
            }),
            Body::Cover(_) => json!({
                "dev_cla": "blind",
                "cmd_t": "~/set",
                "stat_t": "~/state",
                "pos_t": "~/position",
                "set_pos_t": "~/position/set",
            }),
            Body::Fan { .. } => {
                // A device config: shared options outside, each component in `cmps`, and
                // topics written out in full (no `~`).
                return json!({
                    "dev": self.device_block(),
                    "o": origin,
                    "avty_t": self.topic("availability"),
                    "cmps": {
                        "fan": {
                            "p": "fan",
                            "name": null,
                            "uniq_id": format!("{unique_id}_fan"),
                            "cmd_t": self.topic("fan/set"),
                            "stat_t": self.topic("fan/state"),
                            "pct_cmd_t": self.topic("fan/percentage/set"),
                            "pct_stat_t": self.topic("fan/percentage"),
                        }
                    }
                });
            }
        };
        if let Some(members) = config.as_object_mut() {
            members.insert("~".into(), self.base.clone().into());
            // `null`: the entity is the device and takes its name.
            members.insert("name".into(), Value::Null);
            members.insert("uniq_id".into(), unique_id.into());
            members.insert("avty_t".into(), "~/availability".into());
            members.insert("dev".into(), self.device_block());
            members.insert("o".into(), origin);
        }
        config
    }

    /// Every state topic with its current value.
    fn state(&self) -> Vec<Publication> {
        match &self.body {
            Body::JsonLight { lamp, .. } => {
                let mut state = json!({
                    "state": on_off(lamp.on),
                    "brightness": whole(lamp.brightness_on(BRIGHTNESS_SCALE)),
                    "color_mode": match lamp.mode {
                        ColorMode::ColorTemp => "color_temp",
                        ColorMode::Color => "hs",
                    },
                    "color_temp": lamp.color_temp,
                    "color": {"h": lamp.hue_sat.0, "s": lamp.hue_sat.1},
                });
                if let (Some(effect), Some(members)) = (&lamp.effect, state.as_object_mut()) {
                    members.insert("effect".into(), effect.clone().into());
                }
                vec![Publication::retained(
                    self.topic("state"),
                    state.to_string(),
                )]
            }
            Body::DimmableLight { lamp } => vec![
                Publication::retained(
                    self.topic("brightness"),
                    lamp.brightness_on(BRIGHTNESS_SCALE).to_string(),
                ),
                Publication::retained(self.topic("state"), on_off(lamp.on)),
            ],
            Body::Switch { on } => vec![Publication::retained(self.topic("state"), on_off(*on))],
            Body::Climate(room) => vec![
                Publication::retained(self.topic("mode"), room.mode.clone()),
                Publication::retained(self.topic("target"), one_decimal(room.target)),
                Publication::retained(self.topic("current"), one_decimal(room.current)),
                Publication::retained(self.topic("action"), room.action()),
            ],
            Body::Cover(blind) => vec![
                Publication::retained(self.topic("state"), blind.travel().as_str()),
                Publication::retained(self.topic("position"), blind.position.to_string()),
            ],
            Body::Fan { on, percentage } => vec![
                Publication::retained(self.topic("fan/percentage"), percentage.to_string()),
                Publication::retained(self.topic("fan/state"), on_off(*on)),
            ],
        }
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "ON" } else { "OFF" }
}

/// `ON` / `OFF` (and `TOGGLE`, which some firmware accepts) against the current state.
fn switch_word(payload: &[u8], current: bool) -> Result<bool, String> {
    match text(payload)? {
        "ON" => Ok(true),
        "OFF" => Ok(false),
        "TOGGLE" => Ok(!current),
        other => Err(format!("\"{other}\" is neither ON nor OFF")),
    }
}

/// A `schema: json` light command, applied to a copy so that a bad field changes nothing.
fn json_light_command(lamp: &Lamp, effects: &[&str], payload: &[u8]) -> Result<Lamp, String> {
    let command = json_object(payload)?;
    let mut lamp = lamp.clone();
    let field_number = |key: &str| match command.get(key) {
        None => Ok(None),
        Some(value) => value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or_else(|| format!("{key} {value} is not a number")),
    };
    match command.get("state").map(|s| s.as_str()) {
        None => {}
        Some(Some("ON")) => lamp.on = true,
        Some(Some("OFF")) => lamp.on = false,
        Some(_) => return Err("state is neither ON nor OFF".into()),
    }
    if let Some(brightness) = field_number("brightness")? {
        lamp.set_brightness(brightness, BRIGHTNESS_SCALE);
        lamp.on = brightness > 0.0;
    }
    if let Some(mireds) = field_number("color_temp")? {
        lamp.set_color_temp(mireds);
    }
    if let Some(color) = command.get("color") {
        let part = |key: &str| color.get(key).and_then(Value::as_f64);
        let (hue, saturation) = if let (Some(h), Some(s)) = (part("h"), part("s")) {
            (h, s)
        } else if let (Some(r), Some(g), Some(b)) = (part("r"), part("g"), part("b")) {
            rgb_to_hs(r, g, b)
        } else if let (Some(x), Some(y)) = (part("x"), part("y")) {
            xy_to_hs(x, y).ok_or_else(|| format!("color {color} is no colour"))?
        } else {
            return Err(format!("color {color} has neither h,s nor r,g,b nor x,y"));
        };
        if !(hue.is_finite() && saturation.is_finite()) {
            return Err(format!("color {color} is not finite"));
        }
        lamp.set_hue_sat(hue, saturation);
    }
    match command.get("effect") {
        None => {}
        Some(Value::String(effect)) if effects.contains(&effect.as_str()) => {
            lamp.effect = Some(effect.clone());
        }
        Some(other) => return Err(format!("effect {other} is not one of {effects:?}")),
    }
    Ok(lamp)
}

impl Device for HaDevice {
    fn key(&self) -> &str {
        self.info.key
    }

    fn info(&self) -> Option<&Info> {
        Some(&self.info)
    }

    fn will(&self) -> Publication {
        Publication::retained(self.topic("availability"), "offline")
    }

    fn subscriptions(&self) -> Vec<String> {
        let commands: &[&str] = match self.body {
            Body::JsonLight { .. } | Body::Switch { .. } => &["set"],
            Body::DimmableLight { .. } => &["set", "brightness/set"],
            Body::Climate(_) => &["mode/set", "target/set"],
            Body::Cover(_) => &["set", "position/set"],
            Body::Fan { .. } => &["fan/set", "fan/percentage/set"],
        };
        commands.iter().map(|c| self.topic(c)).collect()
    }

    fn online(&self) -> Vec<Publication> {
        let mut out = vec![
            Publication::retained(self.config_topic.clone(), self.config().to_string()),
            Publication::retained(self.topic("availability"), "online"),
        ];
        out.extend(self.state());
        out
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let suffix = topic
            .strip_prefix(&self.base)
            .and_then(|s| s.strip_prefix('/'))
            .ok_or("not this device's topic")?;
        match (&mut self.body, suffix) {
            (Body::JsonLight { lamp, effects }, "set") => {
                *lamp = json_light_command(lamp, effects, payload)?;
            }
            (Body::DimmableLight { lamp }, "set") => lamp.on = switch_word(payload, lamp.on)?,
            (Body::DimmableLight { lamp }, "brightness/set") => {
                let value = number(text(payload)?)?;
                lamp.set_brightness(value, BRIGHTNESS_SCALE);
                lamp.on = value > 0.0;
            }
            (Body::Switch { on }, "set") => *on = switch_word(payload, *on)?,
            (Body::Climate(room), "mode/set") => {
                let mode = text(payload)?;
                if !Thermostat::MODES.contains(&mode) {
                    return Err(format!(
                        "mode \"{mode}\" is not one of {:?}",
                        Thermostat::MODES
                    ));
                }
                room.mode = mode.to_owned();
            }
            (Body::Climate(room), "target/set") => room.set_target(number(text(payload)?)?),
            (Body::Cover(blind), "set") => match text(payload)? {
                "OPEN" => blind.go_to(100),
                "CLOSE" => blind.go_to(0),
                "STOP" => blind.stop(),
                other => return Err(format!("\"{other}\" is not OPEN, CLOSE or STOP")),
            },
            (Body::Cover(blind), "position/set") => {
                let position = number(text(payload)?)?;
                if !(0.0..=100.0).contains(&position) {
                    return Err(format!("position {position} is not within 0..100"));
                }
                blind.go_to(position.round() as u8);
            }
            (Body::Fan { on, .. }, "fan/set") => *on = switch_word(payload, *on)?,
            (Body::Fan { on, percentage }, "fan/percentage/set") => {
                let value = number(text(payload)?)?;
                if !(0.0..=100.0).contains(&value) {
                    return Err(format!("percentage {value} is not within 0..100"));
                }
                *on = value > 0.0;
                if *on {
                    *percentage = value.round() as u8;
                }
            }
            _ => return Err(format!("no command {suffix} on this device")),
        }
        Ok(self.state())
    }

    fn drift(&mut self, rng: &mut fastrand::Rng) -> Vec<Publication> {
        let Body::Climate(room) = &mut self.body else {
            return Vec::new();
        };
        room.drift(rng);
        let (current, action) = (one_decimal(room.current), room.action());
        vec![
            Publication::retained(self.topic("current"), current),
            Publication::retained(self.topic("action"), action),
        ]
    }

    fn moving(&self) -> bool {
        matches!(&self.body, Body::Cover(blind) if blind.moving())
    }

    fn step(&mut self) -> Vec<Publication> {
        let Body::Cover(blind) = &mut self.body else {
            return Vec::new();
        };
        blind.step();
        let (position, arrived, travel) = (blind.position, !blind.moving(), blind.travel());
        let mut out = vec![Publication::retained(
            self.topic("position"),
            position.to_string(),
        )];
        if arrived {
            out.push(Publication::retained(self.topic("state"), travel.as_str()));
        }
        out
    }

    fn set(&mut self, reading: &Reading) -> Result<Vec<Publication>, String> {
        match &mut self.body {
            Body::JsonLight { lamp, .. } => *lamp = lamp.with_reading(reading, true)?,
            Body::DimmableLight { lamp } => *lamp = lamp.with_reading(reading, false)?,
            Body::Switch { on } => {
                reading.only(&["on"])?;
                *on = reading.boolean("on")?.unwrap_or(*on);
            }
            Body::Climate(room) => {
                reading.only(&["temperature", "target"])?;
                if let Some(t) = reading.number("temperature")? {
                    room.current = round_to(t, 1);
                }
                if let Some(t) = reading.number("target")? {
                    room.set_target(t);
                }
            }
            Body::Cover(blind) => {
                reading.only(&["position"])?;
                if let Some(p) = reading.number("position")? {
                    blind.place(p.clamp(0.0, 100.0).round() as u8);
                }
            }
            Body::Fan { on, percentage } => {
                reading.only(&["on", "percentage"])?;
                *on = reading.boolean("on")?.unwrap_or(*on);
                if let Some(p) = reading.number("percentage")? {
                    *percentage = p.clamp(0.0, 100.0).round() as u8;
                }
            }
        }
        Ok(self.state())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(out: &'a [Publication], topic: &str) -> &'a str {
        &out.iter()
            .rfind(|p| p.topic == topic)
            .unwrap_or_else(|| panic!("nothing on {topic}: {out:?}"))
            .payload
    }

    #[test]
    fn announces_a_retained_json_light_config_with_room_and_availability() {
        let lamp =
            HaDevice::json_light("living-room-ceiling", "Ceiling", "Living room", &["candle"]);
        let out = lamp.online();
        let config = &out[0];
        assert_eq!(
            config.topic,
            "homeassistant/light/living_room_ceiling/config"
        );
        assert!(config.retain);
        let config: Value = serde_json::from_str(&config.payload).expect("json");
        assert_eq!(config["~"], "homeassistant/light/living_room_ceiling");
        assert_eq!(config["dev"]["sa"], "Living room");
        assert_eq!(config["schema"], "json");
        assert_eq!(
            find(&out, "homeassistant/light/living_room_ceiling/availability"),
            "online"
        );
        assert_eq!(lamp.will().payload, "offline");
    }

    #[test]
    fn a_json_light_command_is_answered_with_the_whole_new_state() {
        let mut lamp = HaDevice::json_light("ceiling", "Ceiling", "Living room", &["candle"]);
        let out = lamp
            .command(
                "homeassistant/light/ceiling/set",
                br#"{"state":"ON","brightness":128,"color":{"h":120,"s":80},"effect":"candle"}"#,
            )
            .expect("answered");
        let state: Value =
            serde_json::from_str(find(&out, "homeassistant/light/ceiling/state")).expect("json");
        assert_eq!(state["state"], "ON");
        assert_eq!(state["brightness"], 128);
        assert_eq!(state["color_mode"], "hs");
        assert_eq!(state["color"]["h"], 120.0);
        assert_eq!(state["effect"], "candle");
    }

    #[test]
    fn a_bad_json_light_command_changes_nothing() {
        let mut lamp = HaDevice::json_light("ceiling", "Ceiling", "Living room", &["candle"]);
        let before = lamp.state();
        for bad in [
            &b"{"[..],
            br#"{"state":"ON","brightness":"lots"}"#,
            br#"{"state":"ON","effect":"disco"}"#,
            br#"{"color":{"q":1}}"#,
            br#"[1]"#,
        ] {
            assert!(
                lamp.command("homeassistant/light/ceiling/set", bad)
                    .is_err()
            );
        }
        assert_eq!(lamp.state(), before);
    }

    #[test]
    fn a_blind_reports_opening_then_positions_then_open() {
        let mut blind = HaDevice::blinds("blinds", "Blinds", "Bedroom");
        let out = blind
            .command("homeassistant/cover/blinds/position/set", b"30")
            .expect("answered");
        assert_eq!(find(&out, "homeassistant/cover/blinds/state"), "opening");
        let mut positions = Vec::new();
        let mut last = Vec::new();
        while blind.moving() {
            last = blind.step();
            positions.push(find(&last, "homeassistant/cover/blinds/position").to_owned());
        }
        assert_eq!(positions, ["10", "20", "30"]);
        assert_eq!(find(&last, "homeassistant/cover/blinds/state"), "open");
    }

    #[test]
    fn the_thermostat_takes_modes_it_offers_and_targets_in_half_degrees() {
        let mut room = HaDevice::thermostat("thermostat", "Thermostat", "Living room");
        let out = room
            .command("homeassistant/climate/thermostat/target/set", b"22.3")
            .expect("answered");
        assert_eq!(
            find(&out, "homeassistant/climate/thermostat/target"),
            "22.5"
        );
        assert!(
            room.command("homeassistant/climate/thermostat/mode/set", b"cool")
                .is_err()
        );
        let out = room
            .command("homeassistant/climate/thermostat/mode/set", b"off")
            .expect("answered");
        assert_eq!(find(&out, "homeassistant/climate/thermostat/action"), "off");
    }
}
