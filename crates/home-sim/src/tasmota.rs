//! Tasmota devices with the default full topic `%prefix%/%topic%/`: commands in on
//! `cmnd/<topic>/<Command>`, results out on `stat/<topic>/RESULT` (and `stat/<topic>/POWER`),
//! telemetry on `tele/<topic>/STATE` and `tele/<topic>/SENSOR`, the last will `Offline` on
//! `tele/<topic>/LWT`, and native discovery on `tasmota/discovery/<MAC>/config` and
//! `.../sensors`. Tasmota has no room setting, so the broker never hears where these are.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

use crate::color::round_to;
use crate::device::{Convention, Device, Info, Publication, Reading, text, whole};
use crate::state::{Lamp, Meter, Wander};

/// Tasmota's `CT` range in mireds.
const CT_RANGE: (u16, u16) = (153, 500);
/// Telemetry `STATE` goes out every this many drifts (a short `TelePeriod`).
const STATE_EVERY: u32 = 6;

#[derive(Debug)]
enum Body {
    /// A cold/warm white light (`lt_st` 2): `POWER`, `Dimmer`, `CT`.
    WhiteLight { lamp: Lamp },
    /// A relay with an energy monitor.
    Plug {
        on: bool,
        meter: Meter,
        last_metered: std::time::Instant,
    },
}

#[derive(Debug)]
pub struct TasmotaDevice {
    info: Info,
    topic: String,
    mac: &'static str,
    body: Body,
    booted: std::time::Instant,
    rssi: Wander,
    drifts: u32,
}

impl TasmotaDevice {
    fn new(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        (kind, main_reading): (&'static str, &'static str),
        (topic, mac): (&str, &'static str),
        body: Body,
    ) -> TasmotaDevice {
        TasmotaDevice {
            info: Info {
                key,
                convention: Convention::Tasmota,
                name,
                room,
                kind,
                id: topic.to_owned(),
                main_reading,
            },
            topic: topic.to_owned(),
            mac,
            body,
            booted: std::time::Instant::now(),
            rssi: Wander::new(72.0, 3.0, 40.0, 100.0, 0),
            drifts: 0,
        }
    }

    /// A ceiling light with white temperatures.
    pub fn white_light(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        topic: &str,
        mac: &'static str,
    ) -> TasmotaDevice {
        let mut lamp = Lamp::new(CT_RANGE);
        lamp.brightness = 0.6;
        let body = Body::WhiteLight { lamp };
        TasmotaDevice::new(key, name, room, ("light", "on"), (topic, mac), body)
    }

    /// A plug with an energy monitor and a load of `load` watts behind it.
    pub fn plug(
        key: &'static str,
        name: &'static str,
        room: &'static str,
        topic: &str,
        mac: &'static str,
        load: f64,
    ) -> TasmotaDevice {
        let body = Body::Plug {
            on: true,
            meter: Meter::new(load),
            last_metered: std::time::Instant::now(),
        };
        TasmotaDevice::new(key, name, room, ("switch", "power"), (topic, mac), body)
    }

    fn stat(&self, command: &str) -> String {
        format!("stat/{}/{command}", self.topic)
    }

    fn tele(&self, command: &str) -> String {
        format!("tele/{}/{command}", self.topic)
    }

    fn power(&self) -> bool {
        match &self.body {
            Body::WhiteLight { lamp } => lamp.on,
            Body::Plug { on, .. } => *on,
        }
    }

    fn set_power(&mut self, value: bool) {
        match &mut self.body {
            Body::WhiteLight { lamp } => lamp.on = value,
            Body::Plug { on, .. } => *on = value,
        }
    }

    /// `tasmota/discovery/<MAC>/config`, as Tasmota 14 sends it.
    fn discovery(&self) -> Value {
        let (relays, light_type) = match self.body {
            Body::WhiteLight { .. } => ([2, 0, 0, 0, 0, 0, 0, 0], 2),
            Body::Plug { .. } => ([1, 0, 0, 0, 0, 0, 0, 0], 0),
        };
        let mac_tail = self.mac.get(8..).unwrap_or(self.mac);
        let hostname = format!("{}-{mac_tail}", self.topic.replace('_', "-"));
        json!({
            "ip": "127.0.0.1",
            "dn": self.info.name,
            "fn": [self.info.name, null, null, null, null, null, null, null],
            "hn": hostname,
            "mac": self.mac,
            "md": match self.body {
                Body::WhiteLight { .. } => "Generic CCT",
                Body::Plug { .. } => "Gosund SP111",
            },
            "ty": 0,
            "if": 0,
            "ofln": "Offline",
            "onln": "Online",
            "state": ["OFF", "ON", "TOGGLE", "HOLD"],
            "sw": "14.3.0",
            "t": self.topic,
            "ft": "%prefix%/%topic%/",
            "tp": ["cmnd", "stat", "tele"],
            "rl": relays,
            "swc": [-1, -1, -1, -1, -1, -1, -1, -1],
            "swn": [null, null, null, null, null, null, null, null],
            "btn": [0, 0, 0, 0, 0, 0, 0, 0],
            "so": {"4": 0, "11": 0, "13": 0, "17": 0, "20": 0, "30": 0, "68": 0, "73": 0,
                   "82": 0, "114": 0, "117": 0},
            "lk": 0,
            "lt_st": light_type,
            "bat": 0,
            "dslp": 0,
            "sho": [],
            "sht": [],
            "ver": 1,
        })
    }

    /// `POWER` and, for the light, its channels: what `Dimmer` and `CT` answer with.
    fn light_result(&self) -> Map<String, Value> {
        let mut result = Map::new();
        result.insert("POWER".into(), on_off(self.power()).into());
        if let Body::WhiteLight { lamp } = &self.body {
            let dimmer = whole(lamp.brightness_on(100.0));
            // Cold and warm white channels, from how warm the CT is.
            let span = f64::from(CT_RANGE.1 - CT_RANGE.0);
            let warm = f64::from(lamp.color_temp - CT_RANGE.0) / span;
            let level = |share: f64| (share * lamp.brightness * 255.0).round() as u8;
            let percent = |share: f64| whole(share * dimmer as f64);
            result.insert("Dimmer".into(), dimmer.into());
            result.insert(
                "Color".into(),
                format!("{:02X}{:02X}", level(1.0 - warm), level(warm)).into(),
            );
            result.insert("White".into(), dimmer.into());
            result.insert("CT".into(), lamp.color_temp.into());
            result.insert(
                "Channel".into(),
                json!([percent(1.0 - warm), percent(warm)]),
            );
        }
        result
    }

    fn telemetry_state(&self) -> Value {
        let uptime = self.booted.elapsed().as_secs();
        let mut state = Map::new();
        state.insert("Time".into(), now_text().into());
        state.insert("Uptime".into(), uptime_text(uptime).into());
        state.insert("UptimeSec".into(), uptime.into());
        state.insert("Heap".into(), 26.into());
        state.insert("SleepMode".into(), "Dynamic".into());
        state.insert("Sleep".into(), 50.into());
        state.insert("LoadAvg".into(), 19.into());
        state.extend(self.light_result());
        if matches!(self.body, Body::WhiteLight { .. }) {
            state.insert("Fade".into(), "OFF".into());
            state.insert("Speed".into(), 1.into());
            state.insert("LedTable".into(), "ON".into());
        }
        let rssi = self.rssi.value;
        state.insert(
            "Wifi".into(),
            json!({"AP": 1, "SSId": "home-sim", "BSSId": "02:00:00:00:00:01", "Channel": 6,
                   "Mode": "11n", "RSSI": whole(rssi), "Signal": whole(rssi / 2.0 - 100.0),
                   "LinkCount": 1, "Downtime": "0T00:00:03"}),
        );
        Value::Object(state)
    }

    /// The readings of `tele/<topic>/SENSOR`, without the time.
    fn sensors(&self) -> Map<String, Value> {
        let mut sensors = Map::new();
        if let Body::Plug { on, meter, .. } = &self.body {
            let power = meter.power(*on).round();
            let factor = if *on { 0.94 } else { 0.0 };
            let apparent = if *on { (power / 0.94).round() } else { 0.0 };
            let reactive = (apparent * apparent - power * power).max(0.0).sqrt();
            sensors.insert(
                "ENERGY".into(),
                json!({
                    "TotalStartTime": "2025-01-01T00:00:00",
                    "Total": meter.total,
                    "Yesterday": meter.yesterday,
                    "Today": meter.today,
                    "Power": whole(power),
                    "ApparentPower": whole(apparent),
                    "ReactivePower": whole(reactive),
                    "Factor": factor,
                    "Voltage": whole(meter.voltage.value),
                    "Current": meter.current(*on),
                }),
            );
        }
        sensors
    }

    fn sensor_payload(&self) -> Value {
        let mut payload = Map::new();
        payload.insert("Time".into(), now_text().into());
        payload.extend(self.sensors());
        Value::Object(payload)
    }

    fn result(&self, result: Map<String, Value>) -> Publication {
        Publication::live(self.stat("RESULT"), Value::Object(result).to_string())
    }

    /// One command, by its (case-insensitive) name, answered as Tasmota answers it.
    fn run(&mut self, command: &str, argument: &str) -> Result<Vec<Publication>, String> {
        let upper = command.to_ascii_uppercase();
        match upper.as_str() {
            "POWER" | "POWER1" => {
                if !argument.is_empty() {
                    let on = match argument.to_ascii_uppercase().as_str() {
                        "ON" | "1" | "TRUE" => true,
                        "OFF" | "0" | "FALSE" => false,
                        "TOGGLE" | "2" => !self.power(),
                        other => return Err(format!("POWER \"{other}\" is not ON, OFF or TOGGLE")),
                    };
                    self.set_power(on);
                }
                let word = on_off(self.power());
                let mut result = Map::new();
                result.insert("POWER".into(), word.into());
                Ok(vec![
                    self.result(result),
                    Publication::live(self.stat("POWER"), word),
                ])
            }
            "DIMMER" | "CT" => {
                let Body::WhiteLight { lamp } = &mut self.body else {
                    return Ok(vec![self.unknown()]);
                };
                if !argument.is_empty() {
                    if upper == "DIMMER" {
                        let current = lamp.brightness_on(100.0);
                        let value = match argument {
                            "+" => (current + 10.0).min(100.0),
                            "-" => (current - 10.0).max(1.0),
                            _ => tasmota_number(argument)?,
                        };
                        if !(0.0..=100.0).contains(&value) {
                            return Err(format!("Dimmer {value} is not within 0..100"));
                        }
                        lamp.set_brightness(value, 100.0);
                        lamp.on = value > 0.0;
                    } else {
                        let value = tasmota_number(argument)?;
                        if !(f64::from(CT_RANGE.0)..=f64::from(CT_RANGE.1)).contains(&value) {
                            return Err(format!("CT {value} is not within 153..500"));
                        }
                        lamp.set_color_temp(value);
                    }
                }
                Ok(vec![self.result(self.light_result())])
            }
            "STATE" => Ok(vec![
                Publication::live(self.stat("RESULT"), self.telemetry_state().to_string()),
                Publication::live(self.tele("STATE"), self.telemetry_state().to_string()),
            ]),
            "STATUS" => match argument {
                "10" => Ok(vec![Publication::live(
                    self.stat("STATUS10"),
                    json!({"StatusSNS": self.sensor_payload()}).to_string(),
                )]),
                "11" => Ok(vec![Publication::live(
                    self.stat("STATUS11"),
                    json!({"StatusSTS": self.telemetry_state()}).to_string(),
                )]),
                other => Err(format!("STATUS {other} is not simulated (10 and 11 are)")),
            },
            // Several commands in one: `{"Dimmer":40,"CT":300}`.
            "JSON" => {
                let commands = match serde_json::from_str::<Value>(argument) {
                    Ok(Value::Object(commands)) => commands,
                    _ => return Err(format!("json \"{argument}\" is not a JSON object")),
                };
                self.several(commands.iter().map(|(command, value)| {
                    let argument = match value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (command.clone(), argument)
                }))
            }
            // `Dimmer 40; CT 300`.
            "BACKLOG" => self.several(argument.split(';').map(|part| {
                let part = part.trim();
                let (command, argument) = part.split_once(' ').unwrap_or((part, ""));
                (command.to_owned(), argument.trim().to_owned())
            })),
            _ => Ok(vec![self.unknown()]),
        }
    }

    /// Runs commands in order; the first bad one stops the rest, as a failed line would.
    fn several(
        &mut self,
        commands: impl Iterator<Item = (String, String)>,
    ) -> Result<Vec<Publication>, String> {
        let mut out = Vec::new();
        for (command, argument) in commands {
            out.extend(self.run(&command, &argument)?);
        }
        Ok(out)
    }

    fn unknown(&self) -> Publication {
        let mut result = Map::new();
        result.insert("Command".into(), "Unknown".into());
        self.result(result)
    }
}

fn on_off(on: bool) -> &'static str {
    if on { "ON" } else { "OFF" }
}

fn tasmota_number(argument: &str) -> Result<f64, String> {
    argument
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite())
        .ok_or_else(|| format!("\"{argument}\" is not a number"))
}

/// Tasmota's `Uptime`: days, `T`, then `HH:MM:SS`.
fn uptime_text(seconds: u64) -> String {
    format!(
        "{}T{:02}:{:02}:{:02}",
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// The time as Tasmota writes it, `2026-03-14T09:26:53` (UTC here, for want of a time zone).
fn now_text() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = seconds % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

impl Device for TasmotaDevice {
    fn key(&self) -> &str {
        self.info.key
    }

    fn info(&self) -> Option<&Info> {
        Some(&self.info)
    }

    fn will(&self) -> Publication {
        Publication::retained(self.tele("LWT"), "Offline")
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![format!("cmnd/{}/+", self.topic)]
    }

    fn online(&self) -> Vec<Publication> {
        let mut sensors = Map::new();
        sensors.insert("Time".into(), now_text().into());
        sensors.extend(self.sensors());
        let mut out = vec![
            Publication::retained(self.tele("LWT"), "Online"),
            Publication::retained(
                format!("tasmota/discovery/{}/config", self.mac),
                self.discovery().to_string(),
            ),
            Publication::retained(
                format!("tasmota/discovery/{}/sensors", self.mac),
                json!({"sn": sensors, "ver": 1}).to_string(),
            ),
            Publication::live(self.tele("STATE"), self.telemetry_state().to_string()),
        ];
        if matches!(self.body, Body::Plug { .. }) {
            out.push(Publication::live(
                self.tele("SENSOR"),
                self.sensor_payload().to_string(),
            ));
        }
        out
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let command = topic
            .strip_prefix(&format!("cmnd/{}/", self.topic))
            .ok_or("not this device's topic")?;
        let argument = text(payload)?.to_owned();
        self.run(command, &argument)
    }

    fn drift(&mut self, rng: &mut fastrand::Rng) -> Vec<Publication> {
        self.rssi.drift(rng);
        self.drifts = self.drifts.wrapping_add(1);
        let mut out = Vec::new();
        if let Body::Plug {
            on,
            meter,
            last_metered,
        } = &mut self.body
        {
            let seconds = last_metered.elapsed().as_secs_f64();
            *last_metered = std::time::Instant::now();
            meter.drift(rng, *on, seconds);
            out.push(Publication::live(
                self.tele("SENSOR"),
                self.sensor_payload().to_string(),
            ));
        }
        if self.drifts.is_multiple_of(STATE_EVERY) {
            out.push(Publication::live(
                self.tele("STATE"),
                self.telemetry_state().to_string(),
            ));
        }
        out
    }

    fn set(&mut self, reading: &Reading) -> Result<Vec<Publication>, String> {
        match &mut self.body {
            Body::WhiteLight { lamp } => {
                *lamp = lamp.with_reading(reading, false)?;
                Ok(vec![
                    self.result(self.light_result()),
                    Publication::live(self.tele("STATE"), self.telemetry_state().to_string()),
                ])
            }
            Body::Plug { on, meter, .. } => {
                reading.only(&["on", "power", "voltage"])?;
                let new_on = reading.boolean("on")?;
                let power = reading.number("power")?;
                let voltage = reading.number("voltage")?;
                if let Some(watts) = power {
                    // A load drawing this much; reading it needs the plug on.
                    meter.load.set(round_to(watts, 0));
                    *on = true;
                }
                *on = new_on.unwrap_or(*on);
                if let Some(volts) = voltage {
                    meter.voltage.set(volts);
                }
                let word = on_off(*on);
                let mut result = Map::new();
                result.insert("POWER".into(), word.into());
                Ok(vec![
                    self.result(result),
                    Publication::live(self.stat("POWER"), word),
                    Publication::live(self.tele("SENSOR"), self.sensor_payload().to_string()),
                ])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light() -> TasmotaDevice {
        TasmotaDevice::white_light("kitchen", "Kitchen", "Kitchen", "kitchen", "A4CF12F0A1B2")
    }

    fn json_on(out: &[Publication], topic: &str) -> Value {
        let found = out
            .iter()
            .rfind(|p| p.topic == topic)
            .unwrap_or_else(|| panic!("nothing on {topic}: {out:?}"));
        serde_json::from_str(&found.payload).expect("json")
    }

    #[test]
    fn power_is_answered_on_result_and_power() {
        let mut light = light();
        let out = light
            .command("cmnd/kitchen/POWER", b"ON")
            .expect("answered");
        assert_eq!(json_on(&out, "stat/kitchen/RESULT")["POWER"], "ON");
        assert_eq!(out[1].topic, "stat/kitchen/POWER");
        assert_eq!(out[1].payload, "ON");
        let out = light
            .command("cmnd/kitchen/power", b"toggle")
            .expect("answered");
        assert_eq!(out[1].payload, "OFF");
    }

    #[test]
    fn dimmer_and_ct_are_answered_with_the_light_channels() {
        let mut light = light();
        let out = light
            .command("cmnd/kitchen/Dimmer", b"40")
            .expect("answered");
        let result = json_on(&out, "stat/kitchen/RESULT");
        assert_eq!(
            (result["POWER"].as_str(), result["Dimmer"].as_i64()),
            (Some("ON"), Some(40))
        );
        let out = light.command("cmnd/kitchen/CT", b"300").expect("answered");
        assert_eq!(json_on(&out, "stat/kitchen/RESULT")["CT"], 300);
        assert!(light.command("cmnd/kitchen/CT", b"90").is_err());
        assert!(light.command("cmnd/kitchen/Dimmer", b"bright").is_err());
    }

    #[test]
    fn several_commands_at_once_run_in_order() {
        let mut light = light();
        let out = light
            .command("cmnd/kitchen/Backlog", b"Dimmer 30; CT 400")
            .expect("answered");
        let result = json_on(&out, "stat/kitchen/RESULT");
        assert_eq!(
            (result["Dimmer"].as_f64(), result["CT"].as_f64()),
            (Some(30.0), Some(400.0))
        );
        let out = light
            .command("cmnd/kitchen/json", br#"{"Dimmer":70,"Power":"OFF"}"#)
            .expect("answered");
        assert_eq!(json_on(&out, "stat/kitchen/RESULT")["POWER"], "OFF");
    }

    #[test]
    fn an_unknown_command_is_answered_as_unknown() {
        let mut light = light();
        let out = light.command("cmnd/kitchen/Fnord", b"1").expect("answered");
        assert_eq!(json_on(&out, "stat/kitchen/RESULT")["Command"], "Unknown");
    }

    #[test]
    fn the_plug_reports_energy_and_draws_nothing_when_off() {
        let mut plug = TasmotaDevice::plug(
            "plug",
            "Plug",
            "Office",
            "office_plug",
            "A4CF12F0C3D4",
            60.0,
        );
        let out = plug.online();
        assert_eq!(out[0].topic, "tele/office_plug/LWT");
        assert_eq!(out[0].payload, "Online");
        let sensor = json_on(&out, "tele/office_plug/SENSOR");
        assert_eq!(sensor["ENERGY"]["Power"], 60);
        plug.command("cmnd/office_plug/POWER", b"OFF")
            .expect("answered");
        let mut rng = fastrand::Rng::with_seed(1);
        let out = plug.drift(&mut rng);
        assert_eq!(
            json_on(&out, "tele/office_plug/SENSOR")["ENERGY"]["Power"],
            0
        );
    }

    #[test]
    fn uptime_and_time_are_written_as_tasmota_writes_them() {
        assert_eq!(uptime_text(90_061), "1T01:01:01");
        let now = now_text();
        assert_eq!(now.len(), 19, "{now}");
        assert_eq!(&now[10..11], "T");
    }
}
