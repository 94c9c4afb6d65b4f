//! The one model every convention is read into: devices, their entities, rooms, availability.

use std::collections::VecDeque;
use std::fmt;

/// Which convention a device speaks; commands go back out in the same one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Convention {
    HomeAssistant,
    Zigbee2Mqtt,
    Tasmota,
    Homie4,
    Homie5,
}

/// Whether a device can be reached right now, as its convention reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Availability {
    Online,
    Offline,
    /// Nothing said yet (or the convention's state means neither, such as Homie `init`).
    #[default]
    Unknown,
}

/// A device's id: the convention's prefix and the device's own id there, e.g.
/// `z2m:0x0017880104e45517`, `ha:kitchen_light`, `tasmota:tasmota_A1B2C3`, `homie:desk-lamp`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DeviceId(pub String);

/// An entity's id: its device's id, `/`, and the entity's key within the device,
/// e.g. `z2m:0x0017880104e45517/light`, `tasmota:tasmota_A1B2C3/POWER2`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub String);

impl DeviceId {
    /// `prefix:raw`, with any `/` in the raw id replaced so that entity ids stay splittable.
    pub(crate) fn new(prefix: &str, raw: &str) -> DeviceId {
        DeviceId(format!("{prefix}:{}", raw.replace('/', "_")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of this device's entity called `key`.
    pub fn entity(&self, key: &str) -> EntityId {
        EntityId(format!("{}/{}", self.0, key))
    }
}

impl EntityId {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The device this entity belongs to (everything before the first `/`; device ids never
    /// contain one).
    pub fn device(&self) -> DeviceId {
        DeviceId(self.0.split('/').next().unwrap_or_default().to_owned())
    }

    /// The entity's key within its device.
    pub fn key(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, key)| key)
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for EntityId {
    fn from(s: &str) -> Self {
        EntityId(s.to_owned())
    }
}

impl From<&str> for DeviceId {
    fn from(s: &str) -> Self {
        DeviceId(s.to_owned())
    }
}

/// A physical (or logical, like a Zigbee group) device and what it offers.
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    pub id: DeviceId,
    pub name: String,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub sw_version: Option<String>,
    pub convention: Convention,
    /// The room the device is in: the user's choice ([`crate::Home::set_room`]) if there is
    /// one, otherwise the convention's suggestion.
    pub room: Option<String>,
    /// The room the convention names (HA `suggested_area`, Zigbee2MQTT `area`); `None` when it
    /// names none.
    pub suggested_room: Option<String>,
    pub availability: Availability,
    pub entities: Vec<Entity>,
}

impl Device {
    pub(crate) fn new(id: DeviceId, name: impl Into<String>, convention: Convention) -> Device {
        Device {
            id,
            name: name.into(),
            manufacturer: None,
            model: None,
            sw_version: None,
            convention,
            room: None,
            suggested_room: None,
            availability: Availability::Unknown,
            entities: Vec::new(),
        }
    }

    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.entities.iter().find(|e| &e.id == id)
    }

    pub(crate) fn entity_mut(&mut self, id: &EntityId) -> Option<&mut Entity> {
        self.entities.iter_mut().find(|e| &e.id == id)
    }

    /// Keeps only the entities `keep` says to keep. Not generic, so that every caller shares
    /// one compiled `retain`.
    pub(crate) fn retain_entities(&mut self, keep: &dyn Fn(&Entity) -> bool) {
        self.entities.retain(|e| keep(e));
    }

    /// Replaces the entities with `entities`: those no longer listed go, the listed ones are
    /// added or updated as [`Device::upsert_entity`] does, keeping their readings.
    pub(crate) fn set_entities(&mut self, entities: Vec<Entity>) {
        self.retain_entities(&|old| entities.iter().any(|e| e.id == old.id));
        for entity in entities {
            self.upsert_entity(entity);
        }
    }

    /// Adds the entity, or replaces the one with the same id while keeping its readings when
    /// it is still of the same kind (a repeated discovery config must not blank the tile).
    pub(crate) fn upsert_entity(&mut self, mut entity: Entity) {
        match self.entities.iter_mut().find(|e| e.id == entity.id) {
            Some(existing) => {
                entity.kind.keep_readings_from(&mut existing.kind);
                entity.target = entity.target.or(existing.target.take());
                *existing = entity;
            }
            None => self.entities.push(entity),
        }
    }
}

/// One controllable or observable thing on a device.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    pub id: EntityId,
    pub name: String,
    pub kind: EntityKind,
    /// Where the device says this entity is heading while it gets there (Homie 5 `$target`),
    /// as the device wrote it; `None` once it has arrived or when the convention says nothing.
    pub target: Option<String>,
    /// The device never reports this entity's state (no state topic, or one it may not
    /// publish): a command's result is assumed instead, see [`crate::Home::assume`].
    pub optimistic: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EntityKind {
    Light(Light),
    Switch(Switch),
    Sensor(Sensor),
    BinarySensor(BinarySensor),
    Climate(Climate),
    Cover(Cover),
    Fan(Fan),
    /// A settable number that is none of the above (a Zigbee2MQTT setting, a Homie integer).
    Number(Number),
    /// A settable choice from a list (a Zigbee2MQTT enum, a Homie enum).
    Select(Select),
}

impl EntityKind {
    /// Carries the current readings of `old` over into this freshly configured entity. `old`
    /// is about to be replaced, so readings are moved out of it rather than cloned.
    fn keep_readings_from(&mut self, old: &mut EntityKind) {
        match (self, old) {
            (EntityKind::Light(new), EntityKind::Light(old)) => {
                new.on = new.on.or(old.on);
                new.brightness = new.brightness.or(old.brightness);
                new.color_temp = new.color_temp.or(old.color_temp);
                new.hue_sat = new.hue_sat.or(old.hue_sat);
                if new.effect.is_none() {
                    new.effect = old.effect.take();
                }
                new.color_mode = new.color_mode.or(old.color_mode);
            }
            (EntityKind::Switch(new), EntityKind::Switch(old)) => new.on = new.on.or(old.on),
            (EntityKind::Sensor(new), EntityKind::Sensor(old)) => {
                if new.value.is_none() {
                    new.value = old.value.take();
                }
                if new.history.points.is_empty() {
                    new.history = std::mem::take(&mut old.history);
                }
            }
            (EntityKind::BinarySensor(new), EntityKind::BinarySensor(old)) => {
                new.on = new.on.or(old.on)
            }
            (EntityKind::Climate(new), EntityKind::Climate(old)) => {
                new.current_temperature = new.current_temperature.or(old.current_temperature);
                new.target_temperature = new.target_temperature.or(old.target_temperature);
                if new.mode.is_none() {
                    new.mode = old.mode.take();
                }
            }
            (EntityKind::Cover(new), EntityKind::Cover(old)) => {
                new.position = new.position.or(old.position);
                new.state = new.state.or(old.state);
            }
            (EntityKind::Fan(new), EntityKind::Fan(old)) => {
                new.on = new.on.or(old.on);
                new.percentage = new.percentage.or(old.percentage);
            }
            (EntityKind::Number(new), EntityKind::Number(old)) => {
                new.value = new.value.or(old.value)
            }
            (EntityKind::Select(new), EntityKind::Select(old)) if new.value.is_none() => {
                new.value = old.value.take();
            }
            _ => {}
        }
    }
}

/// A light. Every reading is `None` until the device has said it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Light {
    pub on: Option<bool>,
    /// 0.0 (off or dimmest) to 1.0 (full), whatever the device's own scale is.
    pub brightness: Option<f32>,
    /// Colour temperature in mireds.
    pub color_temp: Option<u16>,
    /// Hue in degrees (0..360) and saturation in percent (0..=100).
    pub hue_sat: Option<(f32, f32)>,
    pub effect: Option<String>,
    /// Which of `color_temp` and `hue_sat` the light is showing, where the device says so; the
    /// other may be stale.
    pub color_mode: Option<ColorMode>,
    pub features: LightFeatures,
}

/// Whether a light shows a white of some colour temperature or a colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorMode {
    ColorTemp,
    Color,
}

impl ColorMode {
    /// From the colour mode names Home Assistant and Zigbee2MQTT use.
    pub(crate) fn from_name(name: &str) -> Option<ColorMode> {
        match name {
            "color_temp" => Some(ColorMode::ColorTemp),
            "hs" | "xy" | "rgb" | "rgbw" | "rgbww" => Some(ColorMode::Color),
            _ => None,
        }
    }
}

/// A colour temperature in mireds as lights hold it: rounded and limited to `1..=u16::MAX`.
pub(crate) fn mireds(value: f64) -> u16 {
    value.round().clamp(1.0, f64::from(u16::MAX)) as u16
}

/// What a light can be told to do beyond on and off.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LightFeatures {
    pub brightness: bool,
    /// The colour temperature range in mireds (warmest is the larger number), if settable.
    pub color_temp: Option<(u16, u16)>,
    /// Whether hue and saturation (or a colour the adapter converts them to) can be set.
    pub color: bool,
    pub effects: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Switch {
    pub on: Option<bool>,
}

/// A reading: a number (with history) or a text.
#[derive(Debug, Clone, PartialEq)]
pub enum SensorValue {
    Number(f64),
    Text(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sensor {
    pub value: Option<SensorValue>,
    pub unit: Option<String>,
    /// The kind of quantity, in Home Assistant's words (`temperature`, `humidity`, `battery`...).
    pub device_class: Option<String>,
    pub history: History,
}

/// Recent numeric readings of one sensor, oldest first, for a sparkline.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    /// `(time in milliseconds as the caller counts it, value)`.
    pub points: VecDeque<(u64, f64)>,
}

impl History {
    /// Adds a reading; whether that changed the history.
    pub(crate) fn push(&mut self, now_ms: u64, value: f64, capacity: usize) -> bool {
        if capacity == 0 {
            return false;
        }
        // A retained or repeated reading at the same instant replaces the last point rather
        // than drawing a vertical line.
        if let Some(last) = self.points.back_mut()
            && last.0 == now_ms
        {
            let changed = last.1 != value;
            last.1 = value;
            return changed;
        }
        while self.points.len() >= capacity {
            self.points.pop_front();
        }
        self.points.push_back((now_ms, value));
        true
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinarySensor {
    pub on: Option<bool>,
    pub device_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Climate {
    pub mode: Option<String>,
    pub modes: Vec<String>,
    pub current_temperature: Option<f64>,
    pub target_temperature: Option<f64>,
    pub min_temp: f64,
    pub max_temp: f64,
    pub temp_step: f64,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverState {
    Open,
    Opening,
    Closed,
    Closing,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cover {
    pub state: Option<CoverState>,
    /// 0 closed to 100 open.
    pub position: Option<u8>,
    pub can_set_position: bool,
    pub can_stop: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Fan {
    pub on: Option<bool>,
    /// 0..=100.
    pub percentage: Option<u8>,
    pub can_set_percentage: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Number {
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub step: Option<f64>,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    pub value: Option<String>,
    pub options: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_keeps_only_the_most_recent_points() {
        let mut history = History::default();
        for t in 0..5 {
            history.push(t * 1000, t as f64, 3);
        }
        assert_eq!(
            history.points,
            VecDeque::from([(2000, 2.0), (3000, 3.0), (4000, 4.0)])
        );
    }

    #[test]
    fn history_replaces_a_point_at_the_same_instant() {
        let mut history = History::default();
        history.push(5, 1.0, 10);
        history.push(5, 2.0, 10);
        assert_eq!(history.points, VecDeque::from([(5, 2.0)]));
    }

    #[test]
    fn history_says_whether_a_reading_changed_it() {
        let mut history = History::default();
        assert!(history.push(5, 1.0, 2));
        assert!(!history.push(5, 1.0, 2));
        assert!(history.push(5, 2.0, 2));
        assert!(history.push(6, 2.0, 2));
        assert!(history.push(7, 2.0, 2));
        assert!(!history.push(8, 2.0, 0));
    }

    #[test]
    fn entity_id_splits_into_device_and_key() {
        let id = EntityId::from("homie:desk-lamp/light/power");
        assert_eq!(id.key(), "light/power");
        let id = DeviceId::from("z2m:0x01").entity("state_l1");
        assert_eq!(id.device(), DeviceId::from("z2m:0x01"));
        assert_eq!(id.key(), "state_l1");
    }
}
