//! What a device's card shows, worked out from `home-model`'s device and the unconfirmed
//! commands: a list of controls, each a plain value. The views only draw these, so the logic
//! of every kind of entity is here, tested natively, and the WebAssembly carries one view per
//! kind of control rather than one per kind of entity.

use home_model::{
    Availability, BinarySensor, Climate, Command, Cover, CoverCommand, CoverState, Device, Entity,
    EntityId, EntityKind, Fan, Light, Sensor, SensorValue,
};

use super::pending::{Field, PendingSet, Want};

/// One device's card.
#[derive(Debug, Clone, PartialEq)]
pub struct CardModel {
    pub name: String,
    pub room: Option<String>,
    pub offline: bool,
    pub controls: Vec<Placed>,
}

/// A control and the entity it belongs to, with a key that stays the same while the device
/// keeps its entities, so the view can update it in place.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub key: String,
    pub entity: EntityId,
    pub control: Control,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// On and off. `opens_detail`: the name opens the light's detail view.
    Switch {
        label: String,
        state: String,
        on: bool,
        awaiting: bool,
        kind: SwitchKind,
        opens_detail: bool,
    },
    Range {
        label: &'static str,
        value: f64,
        min: f64,
        max: f64,
        step: f64,
        awaiting: bool,
        kind: RangeKind,
    },
    /// A value to read, with its recent history when it is a number.
    Reading {
        label: String,
        text: String,
        /// A binary sensor that is on (motion, open): drawn to stand out.
        active: bool,
        history: Vec<(u64, f64)>,
    },
    /// A target to nudge down or up (a thermostat).
    Stepper {
        label: String,
        note: String,
        text: String,
        awaiting: bool,
        down: Option<Command>,
        up: Option<Command>,
    },
    Buttons {
        label: String,
        state: String,
        awaiting: bool,
        buttons: Vec<(&'static str, Command)>,
    },
    Choice {
        label: String,
        options: Vec<String>,
        selected: String,
        awaiting: bool,
        kind: ChoiceKind,
    },
    /// Hue (degrees) and saturation (percent).
    Wheel { hue: f32, sat: f32, awaiting: bool },
}

impl Control {
    /// What the control is called; a colour wheel has no name of its own.
    pub fn label(&self) -> &str {
        match self {
            Control::Switch { label, .. }
            | Control::Reading { label, .. }
            | Control::Stepper { label, .. }
            | Control::Buttons { label, .. }
            | Control::Choice { label, .. } => label,
            Control::Range { label, .. } => label,
            Control::Wheel { .. } => "",
        }
    }

    /// What the control reads as: a switch's or a cover's state, a reading's value, a
    /// thermostat's target.
    pub fn state(&self) -> &str {
        match self {
            Control::Switch { state, .. } | Control::Buttons { state, .. } => state,
            Control::Reading { text, .. } | Control::Stepper { text, .. } => text,
            Control::Range { .. } | Control::Choice { .. } | Control::Wheel { .. } => "",
        }
    }

    /// Whether something asked of the control waits for the device to confirm it.
    pub fn awaiting(&self) -> bool {
        match self {
            Control::Switch { awaiting, .. }
            | Control::Range { awaiting, .. }
            | Control::Stepper { awaiting, .. }
            | Control::Buttons { awaiting, .. }
            | Control::Choice { awaiting, .. }
            | Control::Wheel { awaiting, .. } => *awaiting,
            Control::Reading { .. } => false,
        }
    }

    /// What is written under the control's name: a thermostat's mode and current
    /// temperature (its target is in the stepper), otherwise its state.
    pub fn note(&self) -> &str {
        match self {
            Control::Stepper { note, .. } => note,
            _ => self.state(),
        }
    }

    /// Whether the control is on: a switch that is on, a binary sensor that is (motion, open).
    pub fn is_on(&self) -> bool {
        matches!(
            self,
            Control::Switch { on: true, .. } | Control::Reading { active: true, .. }
        )
    }

    /// What pressing the control's button `button` asks of the device: a switch's toggle
    /// (0), a stepper's lower (0) and raise (1), one of a row of buttons; nothing for a button
    /// the control does not have.
    pub fn press(&self, button: usize) -> Option<Command> {
        match self {
            Control::Switch { on, kind, .. } if button == 0 => Some(kind.command(!on)),
            Control::Stepper { down, .. } if button == 0 => down.clone(),
            Control::Stepper { up, .. } if button == 1 => up.clone(),
            Control::Buttons { buttons, .. } => buttons.get(button).map(|(_, c)| c.clone()),
            _ => None,
        }
    }

    /// What setting a slider to `value` asks of the device. The range's kind carries what the
    /// command keeps (a hue slider keeps the saturation shown now), so it is read when sending.
    pub fn set_to(&self, value: f64) -> Option<Command> {
        match self {
            Control::Range { kind, .. } => Some(kind.command(value)),
            _ => None,
        }
    }

    /// What choosing `choice` in a list asks of the device.
    pub fn choose(&self, choice: String) -> Option<Command> {
        match self {
            Control::Choice { kind, .. } => Some(kind.command(choice)),
            _ => None,
        }
    }
}

/// The command of a colour wheel set to `hue` (degrees) and `sat` (percent).
pub fn colour_command(hue: f32, sat: f32) -> Command {
    Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((hue, sat)),
        effect: None,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SwitchKind {
    Light,
    Switch,
    Fan,
}

impl SwitchKind {
    pub fn command(self, on: bool) -> Command {
        match self {
            SwitchKind::Light => Command::light_on(on),
            SwitchKind::Switch => Command::Switch(on),
            SwitchKind::Fan => Command::Fan {
                on: Some(on),
                percentage: None,
            },
        }
    }
}

/// What a slider sets, and how its value reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RangeKind {
    /// Percent.
    Brightness,
    /// Kelvin on the slider, mireds to the device, kept within its range.
    ColorTemp {
        coolest: u16,
        warmest: u16,
    },
    /// Degrees; the saturation stays.
    Hue {
        sat: f32,
    },
    /// Percent; the hue stays.
    Saturation {
        hue: f32,
    },
    Position,
    Speed,
    Number,
}

impl RangeKind {
    pub fn command(self, v: f64) -> Command {
        let light = |brightness, color_temp, hue_sat| Command::Light {
            on: None,
            brightness,
            color_temp,
            hue_sat,
            effect: None,
        };
        let percent = || v.round().clamp(0.0, 100.0) as u8;
        match self {
            RangeKind::Brightness => light(Some((v / 100.0) as f32), None, None),
            RangeKind::ColorTemp { coolest, warmest } => {
                let mireds = (1_000_000.0 / v.max(1.0)).round() as u16;
                light(None, Some(mireds.clamp(coolest, warmest)), None)
            }
            RangeKind::Hue { sat } => light(None, None, Some((v as f32, sat))),
            RangeKind::Saturation { hue } => light(None, None, Some((hue, v as f32))),
            RangeKind::Position => Command::Cover(CoverCommand::Position(percent())),
            RangeKind::Speed => Command::Fan {
                on: None,
                percentage: Some(percent()),
            },
            RangeKind::Number => Command::Number(v),
        }
    }

    pub fn format(self, v: f64) -> String {
        match self {
            RangeKind::ColorTemp { .. } => format!("{} K", v.round() as i64),
            RangeKind::Hue { .. } => format!("{}°", v.round() as i64),
            RangeKind::Number => reading_text(v),
            _ => format!("{}%", v.round() as i64),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChoiceKind {
    Effect,
    ClimateMode,
    Select,
}

impl ChoiceKind {
    pub fn command(self, choice: String) -> Command {
        match self {
            ChoiceKind::Effect => Command::Light {
                on: None,
                brightness: None,
                color_temp: None,
                hue_sat: None,
                effect: Some(choice),
            },
            ChoiceKind::ClimateMode => Command::Climate {
                target_temperature: None,
                mode: Some(choice),
            },
            ChoiceKind::Select => Command::Select(choice),
        }
    }
}

/// The card of `device`.
pub fn card(device: &Device, pending: &PendingSet) -> CardModel {
    let single = device.entities.len() == 1;
    // Controls first, then readings; otherwise as the device lists them. One pass per rank
    // rather than a sort: five ranks, a handful of entities, and no sorting code in the wasm.
    let in_rank_order =
        (0..=MAX_RANK).flat_map(|r| device.entities.iter().filter(move |e| rank(&e.kind) == r));
    let mut controls = Vec::new();
    for entity in in_rank_order {
        let label = if single {
            device.name.clone()
        } else {
            entity.name.clone()
        };
        entity_controls(entity, label, pending, false, &mut controls);
    }
    CardModel {
        name: device.name.clone(),
        room: device.room.clone(),
        offline: device.availability == Availability::Offline,
        controls,
    }
}

/// The detail view of the light `id` of `device`: every setting it offers.
pub fn light_detail(device: &Device, id: &EntityId, pending: &PendingSet) -> Option<CardModel> {
    let entity = device.entity(id)?;
    if !matches!(entity.kind, EntityKind::Light(_)) {
        return None;
    }
    let mut controls = Vec::new();
    entity_controls(entity, device.name.clone(), pending, true, &mut controls);
    Some(CardModel {
        name: device.name.clone(),
        room: device.room.clone(),
        offline: device.availability == Availability::Offline,
        controls,
    })
}

/// The highest [`rank`].
const MAX_RANK: u8 = 4;

fn rank(kind: &EntityKind) -> u8 {
    match kind {
        EntityKind::Light(_) => 0,
        EntityKind::Switch(_) | EntityKind::Fan(_) => 1,
        EntityKind::Climate(_) | EntityKind::Cover(_) => 2,
        EntityKind::Number(_) | EntityKind::Select(_) => 3,
        EntityKind::Sensor(_) | EntityKind::BinarySensor(_) => 4,
    }
}

/// Adds the controls of one entity. `detail`: a light's full set rather than its card's.
fn entity_controls(
    entity: &Entity,
    label: String,
    pending: &PendingSet,
    detail: bool,
    out: &mut Vec<Placed>,
) {
    let id = &entity.id;
    let wanted = |field| pending.wanted(id, field);
    let awaiting = |field| pending.wanted(id, field).is_some();
    let mut push = |suffix: &str, control: Control| {
        out.push(Placed {
            key: format!("{}#{suffix}", id.as_str()),
            entity: id.clone(),
            control,
        })
    };
    match &entity.kind {
        EntityKind::Light(light) => light_controls(light, label, &wanted, detail, &mut push),
        EntityKind::Switch(switch) => {
            let on = shown_on(wanted(Field::On), switch.on);
            push(
                "switch",
                Control::Switch {
                    label,
                    state: on_text(on).into(),
                    on,
                    awaiting: awaiting(Field::On),
                    kind: SwitchKind::Switch,
                    opens_detail: false,
                },
            );
        }
        EntityKind::Fan(fan) => fan_controls(fan, label, &wanted, &mut push),
        EntityKind::Sensor(sensor) => push(
            "reading",
            Control::Reading {
                label,
                text: sensor_text(sensor),
                active: false,
                history: sensor.history.points.iter().copied().collect(),
            },
        ),
        EntityKind::BinarySensor(sensor) => push(
            "reading",
            Control::Reading {
                label,
                text: binary_text(sensor).into(),
                active: sensor.on == Some(true),
                history: Vec::new(),
            },
        ),
        EntityKind::Climate(climate) => climate_controls(climate, label, &wanted, &mut push),
        EntityKind::Cover(cover) => {
            let position = match wanted(Field::Position) {
                Some(Want::Position(p)) => Some(*p),
                _ => cover.position,
            };
            let mut buttons = vec![("Open", Command::Cover(CoverCommand::Open))];
            if cover.can_stop {
                buttons.push(("Stop", Command::Cover(CoverCommand::Stop)));
            }
            buttons.push(("Close", Command::Cover(CoverCommand::Close)));
            push(
                "buttons",
                Control::Buttons {
                    label,
                    state: cover_text(cover),
                    awaiting: awaiting(Field::Position),
                    buttons,
                },
            );
            if cover.can_set_position {
                push(
                    "position",
                    Control::Range {
                        label: "Position",
                        value: f64::from(position.unwrap_or(0)),
                        min: 0.0,
                        max: 100.0,
                        step: 1.0,
                        awaiting: awaiting(Field::Position),
                        kind: RangeKind::Position,
                    },
                );
            }
        }
        EntityKind::Number(number) => {
            let value = match wanted(Field::Number) {
                Some(Want::Number(n)) => *n,
                _ => number.value.unwrap_or(0.0),
            };
            push(
                "number",
                Control::Reading {
                    label,
                    text: number
                        .value
                        .map(|v| with_unit(&reading_text(v), number.unit.as_deref()))
                        .unwrap_or_else(|| "—".into()),
                    active: false,
                    history: Vec::new(),
                },
            );
            push(
                "range",
                Control::Range {
                    label: "Value",
                    value,
                    min: number.min.unwrap_or(0.0),
                    max: number.max.unwrap_or(100.0),
                    step: number.step.unwrap_or(1.0),
                    awaiting: awaiting(Field::Number),
                    kind: RangeKind::Number,
                },
            );
        }
        EntityKind::Select(select) => {
            let selected = match wanted(Field::Select) {
                Some(Want::Select(s)) => s.clone(),
                _ => select.value.clone().unwrap_or_default(),
            };
            push(
                "choice",
                Control::Choice {
                    label,
                    options: with_current(&select.options, &selected),
                    selected,
                    awaiting: awaiting(Field::Select),
                    kind: ChoiceKind::Select,
                },
            );
        }
    }
}

fn light_controls<'a>(
    light: &Light,
    label: String,
    wanted: &dyn Fn(Field) -> Option<&'a Want>,
    detail: bool,
    push: &mut dyn FnMut(&str, Control),
) {
    let on = shown_on(wanted(Field::On), light.on);
    let brightness = match wanted(Field::Brightness) {
        Some(Want::Brightness(b)) => Some(*b),
        _ => light.brightness,
    };
    let state = match (on, brightness) {
        (false, _) => "Off".to_owned(),
        (true, Some(b)) if light.features.brightness => format!("On · {}", percent(b.into())),
        (true, _) => "On".to_owned(),
    };
    push(
        "switch",
        Control::Switch {
            label: if detail { "Power".into() } else { label },
            state,
            on,
            awaiting: wanted(Field::On).is_some(),
            kind: SwitchKind::Light,
            opens_detail: !detail,
        },
    );
    if light.features.brightness {
        push(
            "brightness",
            Control::Range {
                label: "Brightness",
                value: (f64::from(brightness.unwrap_or(0.0)) * 100.0)
                    .round()
                    .max(1.0),
                min: 1.0,
                max: 100.0,
                step: 1.0,
                awaiting: wanted(Field::Brightness).is_some(),
                kind: RangeKind::Brightness,
            },
        );
    }
    if !detail {
        return;
    }
    if let Some((coolest, warmest)) = light.features.color_temp {
        let mireds = match wanted(Field::ColorTemp) {
            Some(Want::ColorTemp(m)) => Some(*m),
            _ => light.color_temp,
        };
        let (low, high) = (kelvin_of(warmest).ceil(), kelvin_of(coolest).floor());
        push(
            "color-temp",
            Control::Range {
                label: "Colour temperature",
                value: within(mireds.map_or(low, kelvin_of), low, high),
                min: low,
                max: high,
                step: 10.0,
                awaiting: wanted(Field::ColorTemp).is_some(),
                kind: RangeKind::ColorTemp { coolest, warmest },
            },
        );
    }
    if light.features.color {
        let (hue, sat) = match wanted(Field::HueSat) {
            Some(Want::HueSat(h, s)) => (*h, *s),
            _ => light.hue_sat.unwrap_or((0.0, 0.0)),
        };
        let awaiting = wanted(Field::HueSat).is_some();
        push("wheel", Control::Wheel { hue, sat, awaiting });
        push(
            "hue",
            Control::Range {
                label: "Hue",
                value: f64::from(hue).round(),
                min: 0.0,
                max: 359.0,
                step: 1.0,
                awaiting,
                kind: RangeKind::Hue { sat },
            },
        );
        push(
            "saturation",
            Control::Range {
                label: "Saturation",
                value: f64::from(sat).round(),
                min: 0.0,
                max: 100.0,
                step: 1.0,
                awaiting,
                kind: RangeKind::Saturation { hue },
            },
        );
    }
    if !light.features.effects.is_empty() {
        let selected = match wanted(Field::Effect) {
            Some(Want::Effect(e)) => e.clone(),
            _ => light.effect.clone().unwrap_or_default(),
        };
        push(
            "effect",
            Control::Choice {
                label: "Effect".into(),
                options: with_current(&light.features.effects, &selected),
                selected,
                awaiting: wanted(Field::Effect).is_some(),
                kind: ChoiceKind::Effect,
            },
        );
    }
}

fn fan_controls<'a>(
    fan: &Fan,
    label: String,
    wanted: &dyn Fn(Field) -> Option<&'a Want>,
    push: &mut dyn FnMut(&str, Control),
) {
    let on = shown_on(wanted(Field::On), fan.on);
    push(
        "switch",
        Control::Switch {
            label,
            state: on_text(on).into(),
            on,
            awaiting: wanted(Field::On).is_some(),
            kind: SwitchKind::Fan,
            opens_detail: false,
        },
    );
    if fan.can_set_percentage {
        let speed = match wanted(Field::Percentage) {
            Some(Want::Percentage(p)) => Some(*p),
            _ => fan.percentage,
        };
        push(
            "speed",
            Control::Range {
                label: "Speed",
                value: f64::from(speed.unwrap_or(0)),
                min: 0.0,
                max: 100.0,
                step: 1.0,
                awaiting: wanted(Field::Percentage).is_some(),
                kind: RangeKind::Speed,
            },
        );
    }
}

fn climate_controls<'a>(
    climate: &Climate,
    label: String,
    wanted: &dyn Fn(Field) -> Option<&'a Want>,
    push: &mut dyn FnMut(&str, Control),
) {
    let unit = climate.unit.as_deref().unwrap_or("°");
    let target = match wanted(Field::TargetTemperature) {
        Some(Want::TargetTemperature(t)) => Some(*t),
        _ => climate.target_temperature,
    };
    let step = if climate.temp_step > 0.0 {
        climate.temp_step
    } else {
        0.5
    };
    let nudge = |direction: f64| {
        let from = target.unwrap_or(climate.min_temp);
        let to = within(
            ((from + direction * step) / step).round() * step,
            climate.min_temp,
            climate.max_temp,
        );
        (to != from || target.is_none()).then_some(Command::Climate {
            target_temperature: Some(to),
            mode: None,
        })
    };
    push(
        "target",
        Control::Stepper {
            label: label.clone(),
            note: climate
                .current_temperature
                .map(|t| format!("Now {}", with_unit(&reading_text(t), Some(unit))))
                .unwrap_or_default(),
            text: target.map_or_else(|| "—".into(), |t| with_unit(&reading_text(t), Some(unit))),
            awaiting: wanted(Field::TargetTemperature).is_some(),
            down: nudge(-1.0),
            up: nudge(1.0),
        },
    );
    if !climate.modes.is_empty() {
        let selected = match wanted(Field::Mode) {
            Some(Want::Mode(m)) => m.clone(),
            _ => climate.mode.clone().unwrap_or_default(),
        };
        push(
            "mode",
            Control::Choice {
                label: "Mode".into(),
                options: with_current(&climate.modes, &selected),
                selected,
                awaiting: wanted(Field::Mode).is_some(),
                kind: ChoiceKind::ClimateMode,
            },
        );
    }
}

/// The options of a choice, with the current value first if the list lacks it (a device
/// reporting an effect it did not announce), so the control never shows something else.
fn with_current(options: &[String], current: &str) -> Vec<String> {
    let mut all = options.to_vec();
    if !all.iter().any(|o| o == current) {
        all.insert(0, current.to_owned());
    }
    all
}

fn shown_on(wanted: Option<&Want>, reported: Option<bool>) -> bool {
    match wanted {
        Some(Want::On(on)) => *on,
        _ => reported.unwrap_or(false),
    }
}

fn on_text(on: bool) -> &'static str {
    if on { "On" } else { "Off" }
}

/// `value` kept within `low..=high`, without `f64::clamp`'s panic when a device announces
/// `low > high` (then `high` wins) and without the float formatting of that panic's message.
fn within(value: f64, low: f64, high: f64) -> f64 {
    value.max(low).min(high)
}

fn kelvin_of(mireds: u16) -> f64 {
    1_000_000.0 / f64::from(mireds.max(1))
}

pub fn percent(fraction: f64) -> String {
    format!("{}%", (fraction * 100.0).round() as i64)
}

/// A number as a person reads it: at most one decimal, none when whole.
pub fn reading_text(value: f64) -> String {
    if !value.is_finite() {
        return "—".into();
    }
    let tenths = (value * 10.0).round() as i64;
    let (whole, tenth) = (tenths / 10, (tenths % 10).abs());
    let sign = if tenths < 0 && whole == 0 { "-" } else { "" };
    if tenth == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{tenth}")
    }
}

fn with_unit(value: &str, unit: Option<&str>) -> String {
    match unit {
        // Home Assistant's climate entities say "C" and "F" for degrees.
        Some(u @ ("C" | "F")) => format!("{value}°{u}"),
        Some(u) if u.starts_with('°') || u == "%" => format!("{value}{u}"),
        Some(u) if !u.is_empty() => format!("{value} {u}"),
        _ => value.to_owned(),
    }
}

fn sensor_text(sensor: &Sensor) -> String {
    match &sensor.value {
        Some(SensorValue::Number(n)) => with_unit(&reading_text(*n), sensor.unit.as_deref()),
        Some(SensorValue::Text(t)) => t.clone(),
        None => "—".into(),
    }
}

/// What a binary sensor's state means, in the words its device class suggests.
pub fn binary_text(sensor: &BinarySensor) -> &'static str {
    let class = sensor.device_class.as_deref().unwrap_or("");
    match (class, sensor.on) {
        (_, None) => "—",
        ("door" | "window" | "opening" | "garage_door", Some(true)) => "Open",
        ("door" | "window" | "opening" | "garage_door", Some(false)) => "Closed",
        ("motion" | "occupancy" | "presence", Some(true)) => "Motion",
        ("motion" | "occupancy" | "presence", Some(false)) => "Clear",
        ("moisture", Some(true)) => "Wet",
        ("moisture", Some(false)) => "Dry",
        ("battery", Some(true)) => "Low",
        ("battery", Some(false)) => "Normal",
        (_, Some(true)) => "On",
        (_, Some(false)) => "Off",
    }
}

pub fn cover_text(cover: &Cover) -> String {
    let state = match cover.state {
        Some(CoverState::Open) => "Open",
        Some(CoverState::Opening) => "Opening",
        Some(CoverState::Closed) => "Closed",
        Some(CoverState::Closing) => "Closing",
        Some(CoverState::Stopped) => "Stopped",
        None => "",
    };
    match (state, cover.position) {
        ("", Some(p)) => format!("{p}% open"),
        ("Closed", _) | (_, None) => state.to_owned(),
        (state, Some(p)) => format!("{state} · {p}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use home_model::{Convention, DeviceId, LightFeatures, Switch};

    fn device(entities: Vec<Entity>) -> Device {
        let mut d = Device {
            id: DeviceId::from("z2m:0x01"),
            name: "Desk lamp".into(),
            manufacturer: None,
            model: None,
            sw_version: None,
            convention: Convention::Zigbee2Mqtt,
            room: Some("Office".into()),
            suggested_room: None,
            availability: Availability::Online,
            entities: Vec::new(),
        };
        d.entities = entities;
        d
    }

    fn entity(key: &str, name: &str, kind: EntityKind) -> Entity {
        Entity {
            id: DeviceId::from("z2m:0x01").entity(key),
            name: name.into(),
            kind,
            target: None,
            optimistic: false,
        }
    }

    fn colour_light() -> Light {
        Light {
            on: Some(true),
            brightness: Some(0.5),
            color_temp: Some(370),
            hue_sat: Some((30.0, 80.0)),
            effect: None,
            color_mode: None,
            features: LightFeatures {
                brightness: true,
                color_temp: Some((153, 500)),
                color: true,
                effects: vec!["blink".into(), "breathe".into()],
            },
        }
    }

    #[test]
    fn a_light_card_has_a_switch_that_opens_the_detail_and_a_brightness_slider() {
        let d = device(vec![entity(
            "light",
            "Light",
            EntityKind::Light(colour_light()),
        )]);
        let card = card(&d, &PendingSet::default());
        assert_eq!(card.controls.len(), 2);
        match &card.controls[0].control {
            Control::Switch {
                label,
                state,
                on,
                opens_detail,
                ..
            } => {
                assert_eq!(
                    label, "Desk lamp",
                    "a device's only entity goes by the device's name"
                );
                assert_eq!(state, "On · 50%");
                assert!(*on && *opens_detail);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            card.controls[1].control,
            Control::Range {
                value: 50.0,
                kind: RangeKind::Brightness,
                ..
            }
        ));
    }

    #[test]
    fn every_control_reads_its_name_its_state_and_whether_it_awaits_the_device() {
        let d = device(vec![entity(
            "light",
            "Light",
            EntityKind::Light(colour_light()),
        )]);
        let card = card(&d, &PendingSet::default());
        let switch = &card.controls[0].control;
        assert_eq!(
            (switch.label(), switch.state(), switch.awaiting()),
            ("Desk lamp", "On · 50%", false)
        );
        let slider = &card.controls[1].control;
        assert_eq!((slider.label(), slider.state()), ("Brightness", ""));
        let wheel = Control::Wheel {
            hue: 0.0,
            sat: 0.0,
            awaiting: true,
        };
        assert_eq!((wheel.label(), wheel.awaiting()), ("", true));
    }

    #[test]
    fn the_light_detail_has_colour_temperature_colour_and_effect() {
        let d = device(vec![entity(
            "light",
            "Light",
            EntityKind::Light(colour_light()),
        )]);
        let id = d.entities[0].id.clone();
        let detail = light_detail(&d, &id, &PendingSet::default()).expect("a light");
        let keys: Vec<&str> = detail
            .controls
            .iter()
            .map(|p| p.key.rsplit('#').next().unwrap_or(""))
            .collect();
        assert_eq!(
            keys,
            [
                "switch",
                "brightness",
                "color-temp",
                "wheel",
                "hue",
                "saturation",
                "effect"
            ]
        );
        match &detail.controls[2].control {
            Control::Range {
                value, min, max, ..
            } => {
                assert_eq!((*min, *max), (2000.0, 6535.0));
                assert!((value - 2702.7).abs() < 0.1);
            }
            other => panic!("{other:?}"),
        }
        match &detail.controls[6].control {
            Control::Choice {
                options, selected, ..
            } => {
                assert_eq!(selected, "");
                assert_eq!(
                    options,
                    &["", "blink", "breathe"],
                    "no effect is a choice too"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_pending_command_shows_the_value_asked_for_marked_awaiting() {
        let d = device(vec![entity(
            "light",
            "Light",
            EntityKind::Light(colour_light()),
        )]);
        let id = d.entities[0].id.clone();
        let mut pending = PendingSet::default();
        pending.expect(&id, &Command::light_on(false), 0);
        let card = card(&d, &pending);
        match &card.controls[0].control {
            Control::Switch {
                on,
                awaiting,
                state,
                ..
            } => {
                assert!(!on && *awaiting);
                assert_eq!(state, "Off");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn controls_come_before_readings_and_each_entity_keeps_its_own_name() {
        let d = device(vec![
            entity(
                "temperature",
                "Temperature",
                EntityKind::Sensor(Sensor {
                    value: Some(SensorValue::Number(21.46)),
                    unit: Some("°C".into()),
                    ..Sensor::default()
                }),
            ),
            entity(
                "state",
                "Plug",
                EntityKind::Switch(Switch { on: Some(true) }),
            ),
            entity(
                "humidity",
                "Humidity",
                EntityKind::Sensor(Sensor {
                    value: Some(SensorValue::Number(40.0)),
                    unit: Some("%".into()),
                    ..Sensor::default()
                }),
            ),
        ]);
        let card = card(&d, &PendingSet::default());
        assert!(
            matches!(&card.controls[0].control, Control::Switch { label, .. } if label == "Plug")
        );
        assert!(
            matches!(&card.controls[1].control, Control::Reading { label, text, .. } if label == "Temperature" && text == "21.5°C")
        );
        // Readings stay in the order the device lists them.
        assert!(
            matches!(&card.controls[2].control, Control::Reading { label, .. } if label == "Humidity")
        );
    }

    #[test]
    fn a_thermostat_steps_its_target_within_its_limits() {
        let climate = Climate {
            mode: Some("heat".into()),
            modes: vec!["off".into(), "heat".into()],
            current_temperature: Some(19.5),
            target_temperature: Some(29.5),
            min_temp: 7.0,
            max_temp: 30.0,
            temp_step: 0.5,
            unit: Some("°C".into()),
        };
        let d = device(vec![entity(
            "climate",
            "Thermostat",
            EntityKind::Climate(climate),
        )]);
        let card = card(&d, &PendingSet::default());
        match &card.controls[0].control {
            Control::Stepper {
                note,
                text,
                down,
                up,
                ..
            } => {
                assert_eq!(note, "Now 19.5°C");
                assert_eq!(text, "29.5°C");
                assert_eq!(
                    down,
                    &Some(Command::Climate {
                        target_temperature: Some(29.0),
                        mode: None
                    })
                );
                assert_eq!(
                    up,
                    &Some(Command::Climate {
                        target_temperature: Some(30.0),
                        mode: None
                    })
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pressing_a_control_asks_for_its_toggle_its_step_or_its_button() {
        let switch = Control::Switch {
            label: "Lamp".into(),
            state: "On".into(),
            on: true,
            awaiting: false,
            kind: SwitchKind::Switch,
            opens_detail: false,
        };
        assert_eq!(switch.press(0), Some(Command::Switch(false)));
        assert_eq!(switch.press(1), None);
        let stepper = Control::Stepper {
            label: "Thermostat".into(),
            note: "Now 19.5°C".into(),
            text: "20.0°C".into(),
            awaiting: false,
            down: Some(Command::Select("down".into())),
            up: None,
        };
        assert_eq!(stepper.press(0), Some(Command::Select("down".into())));
        assert_eq!(
            stepper.press(1),
            None,
            "at its maximum a stepper only goes down"
        );
        assert_eq!(stepper.note(), "Now 19.5°C");
        let buttons = Control::Buttons {
            label: "Blind".into(),
            state: "Open".into(),
            awaiting: false,
            buttons: vec![("Stop", Command::Cover(CoverCommand::Stop))],
        };
        assert_eq!(buttons.press(0), Some(Command::Cover(CoverCommand::Stop)));
        assert_eq!(buttons.press(1), None);
        assert_eq!(buttons.note(), "Open");
    }

    #[test]
    fn a_thermostat_announcing_its_minimum_above_its_maximum_still_makes_a_card() {
        let climate = Climate {
            mode: None,
            modes: vec![],
            current_temperature: None,
            target_temperature: Some(20.0),
            min_temp: 30.0,
            max_temp: 7.0,
            temp_step: 0.5,
            unit: None,
        };
        let d = device(vec![entity(
            "climate",
            "Thermostat",
            EntityKind::Climate(climate),
        )]);
        let card = card(&d, &PendingSet::default());
        match &card.controls[0].control {
            Control::Stepper { up, .. } => assert_eq!(
                up,
                &Some(Command::Climate {
                    target_temperature: Some(7.0),
                    mode: None
                })
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_offline_device_makes_an_offline_card() {
        let mut d = device(vec![]);
        d.availability = Availability::Offline;
        assert!(card(&d, &PendingSet::default()).offline);
    }

    #[test]
    fn sliders_turn_their_values_into_commands_in_the_devices_terms() {
        assert_eq!(
            RangeKind::ColorTemp {
                coolest: 153,
                warmest: 500
            }
            .command(2700.0),
            Command::Light {
                on: None,
                brightness: None,
                color_temp: Some(370),
                hue_sat: None,
                effect: None
            }
        );
        assert_eq!(
            RangeKind::Position.command(40.4),
            Command::Cover(CoverCommand::Position(40))
        );
        assert_eq!(RangeKind::Brightness.format(42.0), "42%");
        assert_eq!(
            RangeKind::ColorTemp {
                coolest: 1,
                warmest: 2
            }
            .format(2702.7),
            "2703 K"
        );
    }

    #[test]
    fn readings_show_at_most_one_decimal() {
        assert_eq!(reading_text(21.0), "21");
        assert_eq!(reading_text(21.46), "21.5");
        assert_eq!(reading_text(-0.04), "0");
        assert_eq!(reading_text(-0.5), "-0.5");
        assert_eq!(reading_text(-12.25), "-12.3");
        assert_eq!(with_unit("21", Some("C")), "21°C");
        assert_eq!(with_unit("58", Some("%")), "58%");
        assert_eq!(with_unit("65", Some("W")), "65 W");
    }

    #[test]
    fn a_door_sensor_reads_open_and_closed() {
        let mut door = BinarySensor {
            on: Some(true),
            device_class: Some("door".into()),
        };
        assert_eq!(binary_text(&door), "Open");
        door.on = Some(false);
        assert_eq!(binary_text(&door), "Closed");
        door.on = None;
        assert_eq!(binary_text(&door), "—");
    }

    #[test]
    fn a_cover_reads_its_state_and_position() {
        let cover = Cover {
            state: Some(CoverState::Opening),
            position: Some(40),
            ..Cover::default()
        };
        assert_eq!(cover_text(&cover), "Opening · 40%");
        let closed = Cover {
            state: Some(CoverState::Closed),
            position: Some(0),
            ..Cover::default()
        };
        assert_eq!(cover_text(&closed), "Closed");
    }
}
