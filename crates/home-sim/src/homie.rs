//! Homie devices under the root `homie`: a desk lamp in Homie 5 (one retained JSON
//! `$description` under `homie/5/<id>/`) and a garden sensor in Homie 4 (one retained topic per
//! attribute under `homie/<id>/`). Both say `$state` `init` while announcing and `ready` after,
//! `disconnected` when they stop, and have `lost` as their last will. Property values are
//! retained topics of their own; settable ones take `.../set`. Homie has no room attribute.

use serde_json::json;

use crate::color::rgb_to_hs;
use crate::device::{Convention, Device, Info, Publication, Reading, number, one_decimal, text};
use crate::state::{Lamp, Wander};

pub const ROOT: &str = "homie";
/// The lamp's white range in kelvin, as its `color-temperature` property is described.
const KELVIN: (u32, u32) = (2200, 6500);

/// A Homie 5 lamp: `power`, `brightness` (0..100 %), `color` (`hsv` or `rgb`) and
/// `color-temperature` (kelvin) on its node `light`.
#[derive(Debug)]
pub struct Homie5Lamp {
    info: Info,
    lamp: Lamp,
    /// Kept as set: converting through mireds and back would not give the same number.
    kelvin: u32,
}

impl Homie5Lamp {
    pub fn new(key: &'static str, name: &'static str, room: &'static str, id: &str) -> Self {
        let mireds = |k: u32| (1e6 / f64::from(k)).round() as u16;
        let mut lamp = Lamp::new((mireds(KELVIN.1), mireds(KELVIN.0)));
        let kelvin = 3000;
        lamp.set_color_temp(1e6 / f64::from(kelvin));
        Homie5Lamp {
            info: Info {
                key,
                convention: Convention::Homie5,
                name,
                room,
                kind: "light",
                id: id.to_owned(),
                main_reading: "on",
            },
            lamp,
            kelvin,
        }
    }

    fn topic(&self, path: &str) -> String {
        format!("{ROOT}/5/{}/{path}", self.info.id)
    }

    fn description(&self) -> String {
        json!({
            "homie": "5.0",
            "version": 1,
            "name": self.info.name,
            "nodes": {
                "light": {
                    "name": "Lamp",
                    "type": "light",
                    "properties": {
                        "power": {"name": "Power", "datatype": "boolean", "settable": true},
                        "brightness": {"name": "Brightness", "datatype": "integer",
                                       "format": "0:100", "unit": "%", "settable": true},
                        "color": {"name": "Colour", "datatype": "color", "format": "hsv,rgb",
                                  "settable": true},
                        "color-temperature": {"name": "Colour temperature",
                                              "datatype": "integer",
                                              "format": format!("{}:{}", KELVIN.0, KELVIN.1),
                                              "unit": "K", "settable": true},
                    },
                },
            },
        })
        .to_string()
    }

    fn values(&self) -> Vec<Publication> {
        let lamp = &self.lamp;
        let brightness = lamp.brightness_on(100.0);
        vec![
            Publication::retained(self.topic("light/brightness"), brightness.to_string()),
            Publication::retained(
                self.topic("light/color"),
                format!("hsv,{},{},{brightness}", lamp.hue_sat.0, lamp.hue_sat.1),
            ),
            Publication::retained(
                self.topic("light/color-temperature"),
                self.kelvin.to_string(),
            ),
            Publication::retained(self.topic("light/power"), lamp.on.to_string()),
        ]
    }
}

/// A Homie 5 colour value: `hsv,h,s,v` or `rgb,r,g,b` (the formats the lamp describes).
fn homie5_color(value: &str) -> Result<(f64, f64), String> {
    let (format, rest) = value
        .split_once(',')
        .ok_or_else(|| format!("colour \"{value}\" has no format"))?;
    let numbers = rest
        .split(',')
        .map(number)
        .collect::<Result<Vec<f64>, String>>()?;
    match (format, numbers.as_slice()) {
        ("hsv", [h, s, v])
            if (0.0..=360.0).contains(h)
                && (0.0..=100.0).contains(s)
                && (0.0..=100.0).contains(v) =>
        {
            Ok((*h, *s))
        }
        ("rgb", [r, g, b]) if [r, g, b].iter().all(|c| (0.0..=255.0).contains(*c)) => {
            Ok(rgb_to_hs(*r, *g, *b))
        }
        _ => Err(format!(
            "colour \"{value}\" is neither hsv,h,s,v nor rgb,r,g,b"
        )),
    }
}

impl Device for Homie5Lamp {
    fn key(&self) -> &str {
        self.info.key
    }

    fn info(&self) -> Option<&Info> {
        Some(&self.info)
    }

    fn will(&self) -> Publication {
        Publication::retained(self.topic("$state"), "lost")
    }

    fn offline(&self) -> Vec<Publication> {
        vec![Publication::retained(self.topic("$state"), "disconnected")]
    }

    fn subscriptions(&self) -> Vec<String> {
        vec![self.topic("light/+/set")]
    }

    fn online(&self) -> Vec<Publication> {
        let mut out = vec![
            Publication::retained(self.topic("$state"), "init"),
            Publication::retained(self.topic("$description"), self.description()),
        ];
        out.extend(self.values());
        out.push(Publication::retained(self.topic("$state"), "ready"));
        out
    }

    fn command(&mut self, topic: &str, payload: &[u8]) -> Result<Vec<Publication>, String> {
        let property = topic
            .strip_prefix(&self.topic("light/"))
            .and_then(|rest| rest.strip_suffix("/set"))
            .ok_or("not this device's topic")?;
        let value = text(payload)?;
        let lamp = &mut self.lamp;
        match property {
            "power" => {
                lamp.on = match value {
                    "true" => true,
                    "false" => false,
                    "toggle" => !lamp.on,
                    other => return Err(format!("power \"{other}\" is not true or false")),
                }
            }
            "brightness" => {
                let percent = number(value)?;
                if !(0.0..=100.0).contains(&percent) {
                    return Err(format!("brightness {percent} is not within 0:100"));
                }
                lamp.set_brightness(percent.round(), 100.0);
            }
            "color" => {
                let (hue, saturation) = homie5_color(value)?;
                lamp.set_hue_sat(hue, saturation);
            }
            "color-temperature" => {
                let kelvin = number(value)?;
                if !(f64::from(KELVIN.0)..=f64::from(KELVIN.1)).contains(&kelvin) {
                    return Err(format!("colour temperature {kelvin} K is out of range"));
                }
                self.kelvin = kelvin.round() as u32;
                lamp.set_color_temp(1e6 / kelvin);
            }
            other => return Err(format!("no settable property {other}")),
        }
        Ok(self.values())
    }

    fn set(&mut self, reading: &Reading) -> Result<Vec<Publication>, String> {
        let lamp = self.lamp.with_reading(reading, true)?;
        if reading.number("color_temp")?.is_some() {
            self.kelvin = (1e6 / f64::from(lamp.color_temp)).round() as u32;
        }
        self.lamp = lamp;
        Ok(self.values())
    }
}

/// A Homie 4 outdoor sensor: node `climate` with `temperature` and `humidity`.
#[derive(Debug)]
pub struct Homie4Sensor {
    info: Info,
    temperature: Wander,
    humidity: Wander,
}

impl Homie4Sensor {
    pub fn new(key: &'static str, name: &'static str, room: &'static str, id: &str) -> Self {
        Homie4Sensor {
            info: Info {
                key,
                convention: Convention::Homie4,
                name,
                room,
                kind: "sensor",
                id: id.to_owned(),
                main_reading: "temperature",
            },
            temperature: Wander::new(11.5, 0.3, -15.0, 35.0, 1),
            humidity: Wander::new(74.0, 1.5, 20.0, 100.0, 1),
        }
    }

    fn topic(&self, path: &str) -> String {
        format!("{ROOT}/{}/{path}", self.info.id)
    }

    fn values(&self) -> Vec<Publication> {
        vec![
            Publication::retained(
                self.topic("climate/temperature"),
                one_decimal(self.temperature.value),
            ),
            Publication::retained(
                self.topic("climate/humidity"),
                one_decimal(self.humidity.value),
            ),
        ]
    }
}

impl Device for Homie4Sensor {
    fn key(&self) -> &str {
        self.info.key
    }

    fn info(&self) -> Option<&Info> {
        Some(&self.info)
    }

    fn will(&self) -> Publication {
        Publication::retained(self.topic("$state"), "lost")
    }

    fn offline(&self) -> Vec<Publication> {
        vec![Publication::retained(self.topic("$state"), "disconnected")]
    }

    fn subscriptions(&self) -> Vec<String> {
        Vec::new()
    }

    fn online(&self) -> Vec<Publication> {
        let attributes = [
            ("$state", "init"),
            ("$homie", "4.0.0"),
            ("$name", self.info.name),
            ("$extensions", ""),
            ("$nodes", "climate"),
            ("climate/$name", "Climate"),
            ("climate/$type", "BME280"),
            ("climate/$properties", "temperature,humidity"),
            ("climate/temperature/$name", "Temperature"),
            ("climate/temperature/$datatype", "float"),
            ("climate/temperature/$unit", "°C"),
            ("climate/humidity/$name", "Humidity"),
            ("climate/humidity/$datatype", "float"),
            ("climate/humidity/$unit", "%"),
        ];
        let mut out: Vec<Publication> = attributes
            .iter()
            .map(|(path, value)| Publication::retained(self.topic(path), *value))
            .collect();
        out.extend(self.values());
        out.push(Publication::retained(self.topic("$state"), "ready"));
        out
    }

    fn command(&mut self, topic: &str, _payload: &[u8]) -> Result<Vec<Publication>, String> {
        Err(format!("{topic}: nothing on this sensor is settable"))
    }

    fn drift(&mut self, rng: &mut fastrand::Rng) -> Vec<Publication> {
        self.temperature.drift(rng);
        self.humidity.drift(rng);
        self.values()
    }

    fn set(&mut self, reading: &Reading) -> Result<Vec<Publication>, String> {
        reading.only(&["temperature", "humidity"])?;
        let temperature = reading.number("temperature")?;
        let humidity = reading.number("humidity")?;
        if let Some(t) = temperature {
            self.temperature.set(t);
        }
        if let Some(h) = humidity {
            self.humidity.set(h);
        }
        Ok(self.values())
    }
}

/// The RGB a Homie 5 controller would read back for the lamp's colour, for tests.
#[cfg(test)]
fn rgb_of(lamp: &Homie5Lamp) -> (u8, u8, u8) {
    crate::color::hs_to_rgb(lamp.lamp.hue_sat.0, lamp.lamp.hue_sat.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value<'a>(out: &'a [Publication], topic: &str) -> &'a str {
        &out.iter()
            .rfind(|p| p.topic == topic)
            .unwrap_or_else(|| panic!("nothing on {topic}: {out:?}"))
            .payload
    }

    #[test]
    fn the_lamp_announces_init_then_description_and_values_then_ready() {
        let lamp = Homie5Lamp::new("desk", "Desk lamp", "Office", "desk-lamp");
        let out = lamp.online();
        assert_eq!(
            (out[0].topic.as_str(), out[0].payload.as_str()),
            ("homie/5/desk-lamp/$state", "init")
        );
        assert_eq!(out.last().map(|p| p.payload.as_str()), Some("ready"));
        assert!(out.iter().all(|p| p.retain));
        assert_eq!(lamp.will().payload, "lost");
        assert_eq!(lamp.offline()[0].payload, "disconnected");
    }

    #[test]
    fn the_lamp_takes_colours_as_hsv_or_rgb_and_kelvin_as_set() {
        let mut lamp = Homie5Lamp::new("desk", "Desk lamp", "Office", "desk-lamp");
        let out = lamp
            .command("homie/5/desk-lamp/light/color/set", b"rgb,0,0,255")
            .expect("answered");
        assert_eq!(rgb_of(&lamp), (0, 0, 255));
        assert!(value(&out, "homie/5/desk-lamp/light/color").starts_with("hsv,240,100,"));
        let out = lamp
            .command("homie/5/desk-lamp/light/color-temperature/set", b"2700")
            .expect("answered");
        assert_eq!(
            value(&out, "homie/5/desk-lamp/light/color-temperature"),
            "2700"
        );
        for bad in [&b"xyz,0.3,0.3,0.4"[..], b"hsv,400,0,0", b"red", b"rgb,1,2"] {
            assert!(
                lamp.command("homie/5/desk-lamp/light/color/set", bad)
                    .is_err()
            );
        }
        assert!(
            lamp.command("homie/5/desk-lamp/light/color-temperature/set", b"1000")
                .is_err()
        );
    }

    #[test]
    fn the_garden_sensor_announces_homie_4_attributes_and_takes_no_commands() {
        let mut sensor = Homie4Sensor::new("garden", "Garden sensor", "Garden", "garden-sensor");
        let out = sensor.online();
        assert_eq!(value(&out, "homie/garden-sensor/$homie"), "4.0.0");
        assert_eq!(
            value(&out, "homie/garden-sensor/climate/$properties"),
            "temperature,humidity"
        );
        assert!(sensor.subscriptions().is_empty());
        let reading = Reading::parse(b"-3.2", "temperature").expect("reading");
        let out = sensor.set(&reading).expect("set");
        assert_eq!(
            value(&out, "homie/garden-sensor/climate/temperature"),
            "-3.2"
        );
    }
}
