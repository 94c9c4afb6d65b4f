//! What the user asks for, and the messages that carry it to a device.

use std::fmt;

use crate::model::Light;

/// A user's request to one entity. Fields left `None` are left as they are.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Light {
        on: Option<bool>,
        /// 0.0..=1.0, scaled to the device's own range on the way out.
        brightness: Option<f32>,
        /// Mireds.
        color_temp: Option<u16>,
        /// Hue in degrees, saturation in percent.
        hue_sat: Option<(f32, f32)>,
        effect: Option<String>,
    },
    Switch(bool),
    Cover(CoverCommand),
    Climate {
        target_temperature: Option<f64>,
        mode: Option<String>,
    },
    Fan {
        on: Option<bool>,
        /// 0..=100.
        percentage: Option<u8>,
    },
    Number(f64),
    Select(String),
    /// Ask the device to publish its current state (Zigbee2MQTT `/get`, Tasmota `STATE`);
    /// conventions that publish retained state need nothing and answer with no messages.
    Refresh,
}

impl Command {
    /// Whether every number in the command is finite.
    pub(crate) fn is_finite(&self) -> bool {
        match self {
            Command::Light {
                brightness,
                hue_sat,
                ..
            } => {
                brightness.is_none_or(f32::is_finite)
                    && hue_sat.is_none_or(|(h, s)| h.is_finite() && s.is_finite())
            }
            Command::Climate {
                target_temperature, ..
            } => target_temperature.is_none_or(f64::is_finite),
            Command::Number(n) => n.is_finite(),
            _ => true,
        }
    }

    /// Writes what this command asks for into `kind`, as if the device had reported it.
    pub(crate) fn assume_into(&self, kind: &mut crate::model::EntityKind) {
        use crate::model::{CoverState, EntityKind};
        match (self, kind) {
            (
                Command::Light {
                    on,
                    brightness,
                    color_temp,
                    hue_sat,
                    effect,
                },
                EntityKind::Light(light),
            ) => {
                light.on = on.or(light.on);
                light.brightness = brightness.or(light.brightness);
                if brightness.is_some_and(|b| b > 0.0) && on.is_none() {
                    light.on = Some(true);
                }
                if color_temp.is_some() {
                    light.color_temp = *color_temp;
                    light.color_mode = Some(crate::model::ColorMode::ColorTemp);
                }
                if hue_sat.is_some() {
                    light.hue_sat = *hue_sat;
                    light.color_mode = Some(crate::model::ColorMode::Color);
                }
                if effect.is_some() {
                    light.effect.clone_from(effect);
                }
            }
            (Command::Switch(on), EntityKind::Switch(switch)) => switch.on = Some(*on),
            (Command::Cover(command), EntityKind::Cover(cover)) => {
                let (state, position) = match command {
                    CoverCommand::Open => (CoverState::Open, Some(100)),
                    CoverCommand::Close => (CoverState::Closed, Some(0)),
                    CoverCommand::Stop => (CoverState::Stopped, cover.position),
                    CoverCommand::Position(0) => (CoverState::Closed, Some(0)),
                    CoverCommand::Position(p) => (CoverState::Open, Some(*p)),
                };
                cover.state = Some(state);
                cover.position = position;
            }
            (
                Command::Climate {
                    target_temperature,
                    mode,
                },
                EntityKind::Climate(climate),
            ) => {
                climate.target_temperature = target_temperature.or(climate.target_temperature);
                if mode.is_some() {
                    climate.mode.clone_from(mode);
                }
            }
            (Command::Fan { on, percentage }, EntityKind::Fan(fan)) => {
                fan.on = on.or(fan.on);
                fan.percentage = percentage.or(fan.percentage);
            }
            (Command::Number(n), EntityKind::Number(number)) => number.value = Some(*n),
            (Command::Select(choice), EntityKind::Select(select)) => {
                select.value = Some(choice.clone())
            }
            _ => {}
        }
    }

    /// A light command that only switches the light.
    pub fn light_on(on: bool) -> Command {
        Command::Light {
            on: Some(on),
            brightness: None,
            color_temp: None,
            hue_sat: None,
            effect: None,
        }
    }

    /// A light command that only sets the brightness (0.0..=1.0).
    pub fn light_brightness(brightness: f32) -> Command {
        Command::Light {
            on: None,
            brightness: Some(brightness),
            color_temp: None,
            hue_sat: None,
            effect: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverCommand {
    Open,
    Close,
    Stop,
    /// 0 closed to 100 open.
    Position(u8),
}

/// One message to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub topic: String,
    pub payload: String,
    pub retain: bool,
    /// 0, 1 or 2.
    pub qos: u8,
}

impl Outgoing {
    pub(crate) fn new(topic: String, payload: String) -> Outgoing {
        Outgoing {
            topic,
            payload,
            retain: false,
            qos: 0,
        }
    }

    /// The result of a command that sends only this message. One function rather than a
    /// `vec![...]` at every such command, which would compile the allocation at each.
    pub(crate) fn alone(self) -> Result<Vec<Outgoing>, CommandError> {
        Ok(vec![self])
    }
}

/// Why a command could not be turned into messages. All of these are the caller's to fix or
/// show: nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandError {
    UnknownEntity,
    /// The command is for another kind of entity (a cover command to a light).
    WrongKind,
    /// The entity only reports; it offers no way to set anything.
    ReadOnly,
    /// The entity cannot do this part of the command (colour on a white-only bulb, a position
    /// on a cover without one); names what.
    Unsupported(&'static str),
    /// A number in the command is not finite (NaN or infinite): nothing a device could take.
    NotANumber,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CommandError::UnknownEntity => f.write_str("no such entity"),
            CommandError::WrongKind => f.write_str("command does not fit this kind of entity"),
            CommandError::ReadOnly => f.write_str("entity cannot be set"),
            CommandError::Unsupported(what) => write!(f, "entity does not support {what}"),
            CommandError::NotANumber => f.write_str("a number in the command is not finite"),
        }
    }
}

impl std::error::Error for CommandError {}

/// `Command::Light`'s fields, to pass around as one.
pub(crate) struct LightRequest {
    pub on: Option<bool>,
    pub brightness: Option<f32>,
    pub color_temp: Option<u16>,
    pub hue_sat: Option<(f32, f32)>,
    pub effect: Option<String>,
}

impl LightRequest {
    /// Refuses a request for what the light cannot do, before anything is sent.
    pub fn check(&self, light: &Light) -> Result<(), CommandError> {
        if self.brightness.is_some() && !light.features.brightness {
            return Err(CommandError::Unsupported("brightness"));
        }
        if self.color_temp.is_some() && light.features.color_temp.is_none() {
            return Err(CommandError::Unsupported("colour temperature"));
        }
        if self.hue_sat.is_some() && !light.features.color {
            return Err(CommandError::Unsupported("colour"));
        }
        if let Some(effect) = &self.effect
            && !light.features.effects.contains(effect)
        {
            return Err(CommandError::Unsupported("this effect"));
        }
        Ok(())
    }

    /// Turning off wins over everything else in the request: a light told "off, at 40 %"
    /// is told only "off", in every convention alike.
    pub fn off_alone(self) -> LightRequest {
        if self.on == Some(false) {
            LightRequest {
                on: Some(false),
                brightness: None,
                color_temp: None,
                hue_sat: None,
                effect: None,
            }
        } else {
            self
        }
    }

    /// The colour temperature clamped to the light's range.
    pub fn clamped_color_temp(&self, light: &Light) -> Option<u16> {
        let (min, max) = light.features.color_temp?;
        self.color_temp.map(|ct| ct.clamp(min, max.max(min)))
    }
}

/// Brightness 0.0..=1.0 on a device scale of `0..=scale`, rounded; any non-zero request stays
/// at least 1 so that "a little light" does not become "off".
pub(crate) fn scale_brightness(brightness: f32, scale: f64) -> f64 {
    let b = f64::from(brightness.clamp(0.0, 1.0));
    let v = (b * scale).round();
    if b > 0.0 && v < 1.0 { 1.0 } else { v }
}

/// A number as a plain-text payload, written as JSON writes it.
pub(crate) fn number_text(n: f64) -> String {
    let mut s = String::new();
    crate::number::push_number(&mut s, n);
    s
}

/// `value` limited to `min..=max` where the device names them. Unlike `f64::clamp` this cannot
/// panic on bounds from the network that are reversed or not numbers: a bound that is not a
/// number is ignored, and with reversed bounds the stated minimum wins.
pub(crate) fn clamp_between(value: f64, min: Option<f64>, max: Option<f64>) -> f64 {
    let mut value = value;
    if let Some(max) = max.filter(|m| !m.is_nan())
        && value > max
    {
        value = max;
    }
    if let Some(min) = min.filter(|m| !m.is_nan())
        && value < min
    {
        value = min;
    }
    value
}
