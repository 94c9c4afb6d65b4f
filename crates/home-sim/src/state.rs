//! The physical side of the devices, the same whichever convention reports it: a lamp's light,
//! a blind's travel, a room warming towards its thermostat, a plug's meter, readings that wander.

use crate::color::round_to;
use crate::device::Reading;

/// A reading that wanders by small random steps and stays within bounds.
#[derive(Debug, Clone, PartialEq)]
pub struct Wander {
    pub value: f64,
    step: f64,
    min: f64,
    max: f64,
    places: i32,
}

impl Wander {
    /// Starts at `value`, moves at most `step` per drift, within `min..=max`, rounded to
    /// `places` decimals.
    pub fn new(value: f64, step: f64, min: f64, max: f64, places: i32) -> Wander {
        Wander {
            value,
            step,
            min,
            max,
            places,
        }
    }

    pub fn drift(&mut self, rng: &mut fastrand::Rng) {
        let delta = (rng.f64() * 2.0 - 1.0) * self.step;
        // A step that would leave the range goes the other way; a value set outside the range
        // (by `home-sim/<key>/set`) walks back in rather than jumping.
        let next = if (self.value + delta > self.max && delta > 0.0)
            || (self.value + delta < self.min && delta < 0.0)
        {
            self.value - delta
        } else {
            self.value + delta
        };
        self.value = round_to(next, self.places);
    }

    /// A reading from outside (a test, a demo); kept as given, rounded like the others.
    pub fn set(&mut self, value: f64) {
        self.value = round_to(value, self.places);
    }
}

/// Whether a lamp shows a white of some temperature or a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    ColorTemp,
    Color,
}

/// A bulb: on or off, how bright, and what white or colour.
#[derive(Debug, Clone, PartialEq)]
pub struct Lamp {
    pub on: bool,
    /// 0.0..=1.0; each convention scales it to its own range.
    pub brightness: f64,
    /// Mireds, within `ct_range`.
    pub color_temp: u16,
    /// Hue in degrees, saturation in percent.
    pub hue_sat: (f64, f64),
    pub mode: ColorMode,
    pub effect: Option<String>,
    /// Coolest and warmest white in mireds.
    pub ct_range: (u16, u16),
}

impl Lamp {
    pub fn new(ct_range: (u16, u16)) -> Lamp {
        Lamp {
            on: false,
            brightness: 0.8,
            color_temp: 370.clamp(ct_range.0, ct_range.1),
            hue_sat: (30.0, 60.0),
            mode: ColorMode::ColorTemp,
            effect: None,
            ct_range,
        }
    }

    /// `value` on a scale of `0..=scale`.
    pub fn set_brightness(&mut self, value: f64, scale: f64) {
        self.brightness = (value / scale).clamp(0.0, 1.0);
    }

    /// The brightness on a scale of `0..=scale`, rounded.
    pub fn brightness_on(&self, scale: f64) -> f64 {
        (self.brightness * scale).round()
    }

    pub fn set_color_temp(&mut self, mireds: f64) {
        self.color_temp =
            (mireds.round() as i64).clamp(self.ct_range.0.into(), self.ct_range.1.into()) as u16;
        self.mode = ColorMode::ColorTemp;
    }

    pub fn set_hue_sat(&mut self, hue: f64, saturation: f64) {
        self.hue_sat = (
            round_to(hue.rem_euclid(360.0), 1),
            round_to(saturation.clamp(0.0, 100.0), 1),
        );
        self.mode = ColorMode::Color;
    }

    /// The lamp after `home-sim/<key>/set`: `on`, `brightness` (percent), `color_temp`
    /// (mireds) and, for a colour lamp, `hue` and `saturation`. A bad reading changes nothing.
    pub fn with_reading(&self, reading: &Reading, colour: bool) -> Result<Lamp, String> {
        let keys: &[&str] = if colour {
            &["on", "brightness", "color_temp", "hue", "saturation"]
        } else {
            &["on", "brightness", "color_temp"]
        };
        reading.only(keys)?;
        let mut lamp = self.clone();
        if let Some(on) = reading.boolean("on")? {
            lamp.on = on;
        }
        if let Some(percent) = reading.number("brightness")? {
            lamp.set_brightness(percent, 100.0);
        }
        if let Some(mireds) = reading.number("color_temp")? {
            lamp.set_color_temp(mireds);
        }
        let hue = reading.number("hue")?;
        let saturation = reading.number("saturation")?;
        if hue.is_some() || saturation.is_some() {
            lamp.set_hue_sat(
                hue.unwrap_or(self.hue_sat.0),
                saturation.unwrap_or(self.hue_sat.1),
            );
        }
        Ok(lamp)
    }
}

/// Which way a blind is going, or where it stands, in Home Assistant's cover words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Travel {
    Opening,
    Closing,
    Open,
    Closed,
    /// Halted part of the way by a stop command.
    Stopped,
}

impl Travel {
    pub fn as_str(self) -> &'static str {
        match self {
            Travel::Opening => "opening",
            Travel::Closing => "closing",
            Travel::Open => "open",
            Travel::Closed => "closed",
            Travel::Stopped => "stopped",
        }
    }
}

/// A motorised blind: 0 closed to 100 open, travelling [`Blind::PER_STEP`] per step.
#[derive(Debug, Clone, PartialEq)]
pub struct Blind {
    pub position: u8,
    target: Option<u8>,
    stopped: bool,
}

impl Blind {
    /// Percent per step: with 500 ms steps a full travel takes five seconds.
    pub const PER_STEP: u8 = 10;

    pub fn new(position: u8) -> Blind {
        Blind {
            position: position.min(100),
            target: None,
            stopped: false,
        }
    }

    pub fn go_to(&mut self, target: u8) {
        let target = target.min(100);
        self.stopped = false;
        self.target = (target != self.position).then_some(target);
    }

    pub fn stop(&mut self) {
        if self.target.take().is_some() {
            self.stopped = true;
        }
    }

    /// Teleports, for `home-sim/<key>/set`.
    pub fn place(&mut self, position: u8) {
        self.position = position.min(100);
        self.target = None;
        self.stopped = false;
    }

    pub fn moving(&self) -> bool {
        self.target.is_some()
    }

    /// One step towards the target.
    pub fn step(&mut self) {
        let Some(target) = self.target else {
            return;
        };
        self.position = if target > self.position {
            self.position.saturating_add(Self::PER_STEP).min(target)
        } else {
            self.position.saturating_sub(Self::PER_STEP).max(target)
        };
        if self.position == target {
            self.target = None;
        }
    }

    pub fn travel(&self) -> Travel {
        match self.target {
            Some(target) if target > self.position => Travel::Opening,
            Some(_) => Travel::Closing,
            None if self.stopped && self.position != 0 && self.position != 100 => Travel::Stopped,
            None if self.position == 0 => Travel::Closed,
            None => Travel::Open,
        }
    }
}

/// A heated room and the thermostat in it. The room's temperature moves towards the target
/// while the thermostat runs, and back towards the temperature outside the heating when it is
/// off.
#[derive(Debug, Clone, PartialEq)]
pub struct Thermostat {
    /// `off`, `heat` or `auto`.
    pub mode: String,
    pub target: f64,
    pub current: f64,
    /// Where the room goes without heating.
    unheated: f64,
}

impl Thermostat {
    pub const MODES: [&'static str; 3] = ["off", "heat", "auto"];
    pub const MIN: f64 = 7.0;
    pub const MAX: f64 = 30.0;

    pub fn new(mode: &str, target: f64, current: f64) -> Thermostat {
        Thermostat {
            mode: mode.to_owned(),
            target,
            current,
            unheated: 17.0,
        }
    }

    pub fn set_target(&mut self, target: f64) {
        // Half degrees, as the thermostat's dial has them.
        self.target = ((target.clamp(Self::MIN, Self::MAX)) * 2.0).round() / 2.0;
    }

    /// `heating` while it warms the room, `idle` while it waits, `off`.
    pub fn action(&self) -> &'static str {
        if self.mode == "off" {
            "off"
        } else if self.current < self.target - 0.2 {
            "heating"
        } else {
            "idle"
        }
    }

    pub fn drift(&mut self, rng: &mut fastrand::Rng) {
        let goal = match self.mode.as_str() {
            "off" => self.unheated,
            // Heating only warms; a room above its target cools back to it at most.
            "heat" => self.target.max(self.unheated.min(self.current)),
            _ => self.target,
        };
        let gap = goal - self.current;
        let noise = (rng.f64() * 2.0 - 1.0) * 0.05;
        self.current = round_to(self.current + (gap * 0.3).clamp(-0.4, 0.4) + noise, 1);
    }
}

/// A plug's energy meter.
#[derive(Debug, Clone, PartialEq)]
pub struct Meter {
    /// What the load draws when the plug is on, in watts.
    pub load: Wander,
    pub voltage: Wander,
    /// kWh.
    pub today: f64,
    pub yesterday: f64,
    pub total: f64,
}

impl Meter {
    pub fn new(load: f64) -> Meter {
        Meter {
            load: Wander::new(load, load * 0.05, load * 0.5, load * 1.5, 1),
            voltage: Wander::new(230.0, 1.0, 220.0, 240.0, 0),
            today: 0.214,
            yesterday: 0.731,
            total: 48.325,
        }
    }

    pub fn power(&self, on: bool) -> f64 {
        if on { self.load.value } else { 0.0 }
    }

    pub fn current(&self, on: bool) -> f64 {
        round_to(self.power(on) / self.voltage.value.max(1.0), 3)
    }

    /// Readings wander and `seconds` of use are counted.
    pub fn drift(&mut self, rng: &mut fastrand::Rng, on: bool, seconds: f64) {
        self.voltage.drift(rng);
        self.load.drift(rng);
        let used = self.power(on) * seconds / 3_600_000.0;
        self.today = round_to(self.today + used, 3);
        self.total = round_to(self.total + used, 3);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blind_travels_step_by_step_and_reports_which_way() {
        let mut blind = Blind::new(0);
        assert_eq!(blind.travel(), Travel::Closed);
        blind.go_to(35);
        assert_eq!(blind.travel(), Travel::Opening);
        let mut positions = Vec::new();
        while blind.moving() {
            blind.step();
            positions.push(blind.position);
        }
        assert_eq!(positions, [10, 20, 30, 35]);
        assert_eq!(blind.travel(), Travel::Open);
        blind.go_to(0);
        blind.step();
        assert_eq!(blind.travel(), Travel::Closing);
        blind.stop();
        assert_eq!((blind.position, blind.travel()), (25, Travel::Stopped));
    }

    #[test]
    fn a_lamp_takes_the_readings_it_has_and_a_bad_reading_changes_nothing() {
        let lamp = Lamp::new((153, 500));
        let reading =
            Reading::parse(br#"{"on":true,"brightness":25,"hue":200}"#, "on").expect("json");
        let changed = lamp.with_reading(&reading, true).expect("a colour lamp");
        assert!(changed.on);
        assert_eq!(changed.brightness_on(100.0), 25.0);
        assert_eq!(changed.hue_sat, (200.0, lamp.hue_sat.1));
        assert_eq!(changed.mode, ColorMode::Color);
        assert!(
            lamp.with_reading(&reading, false).is_err(),
            "no hue on a white lamp"
        );
        let bad = Reading::parse(br#"{"on":true,"brightness":"dim"}"#, "on").expect("json");
        assert!(lamp.with_reading(&bad, true).is_err());
    }

    #[test]
    fn a_heated_room_warms_towards_the_target_and_cools_when_the_heating_is_off() {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut room = Thermostat::new("heat", 21.0, 18.0);
        for _ in 0..40 {
            room.drift(&mut rng);
        }
        assert!((room.current - 21.0).abs() < 0.3, "{}", room.current);
        room.mode = "off".into();
        for _ in 0..40 {
            room.drift(&mut rng);
        }
        assert!((room.current - 17.0).abs() < 0.3, "{}", room.current);
    }

    #[test]
    fn wandering_readings_stay_in_range_and_walk_back_from_outside_it() {
        let mut rng = fastrand::Rng::with_seed(2);
        let mut humidity = Wander::new(50.0, 1.0, 40.0, 60.0, 1);
        for _ in 0..1000 {
            humidity.drift(&mut rng);
            assert!(
                (39.0..=61.0).contains(&humidity.value),
                "{}",
                humidity.value
            );
        }
        humidity.set(90.0);
        humidity.drift(&mut rng);
        assert!(humidity.value < 90.0);
    }

    #[test]
    fn a_plug_counts_energy_only_while_on() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut meter = Meter::new(1000.0);
        let before = meter.total;
        meter.drift(&mut rng, false, 3600.0);
        assert_eq!(meter.total, before);
        meter.drift(&mut rng, true, 3600.0);
        assert!(meter.total > before + 0.5, "{}", meter.total);
        assert_eq!(meter.power(false), 0.0);
    }
}
