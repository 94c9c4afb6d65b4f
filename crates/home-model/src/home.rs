//! `Home`: every device the conventions announced, kept current from MQTT messages.

use crate::command::{Command, CommandError, Outgoing};
#[cfg(feature = "homeassistant")]
use crate::homeassistant;
#[cfg(feature = "homie")]
use crate::homie;
use crate::json::Value;
use crate::model::{
    Availability, Convention, Device, DeviceId, Entity, EntityId, EntityKind, Sensor, SensorValue,
};
use crate::sorted::{DeviceSet, SortedMap, insert_text, search};
#[cfg(feature = "tasmota")]
use crate::tasmota;
#[cfg(feature = "zigbee2mqtt")]
use crate::zigbee2mqtt;

/// Which conventions to read and where they live on the broker. `None` turns one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeConfig {
    /// Home Assistant discovery prefix, `homeassistant` by default.
    pub ha_prefix: Option<String>,
    /// Zigbee2MQTT base topic, `zigbee2mqtt` by default.
    pub z2m_base: Option<String>,
    /// Whether to read Tasmota's `cmnd` / `stat` / `tele` topics and `tasmota/discovery`.
    pub tasmota: bool,
    /// Homie root topic, `homie` by default; Homie 5 lives under `<root>/5/`.
    pub homie_root: Option<String>,
    /// How many numeric points each sensor keeps for its sparkline.
    pub history_len: usize,
}

impl Default for HomeConfig {
    fn default() -> Self {
        HomeConfig {
            ha_prefix: Some("homeassistant".into()),
            z2m_base: Some("zigbee2mqtt".into()),
            tasmota: true,
            homie_root: Some("homie".into()),
            history_len: 120,
        }
    }
}

/// A message that was read but not understood, and why. Kept so a diagnostics view can show
/// it; the model is left as it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub topic: String,
    pub reason: String,
}

/// What one message changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// Devices added or updated: redraw these.
    pub devices: DeviceSet,
    /// Devices that are gone.
    pub removed: DeviceSet,
    /// The set of topic filters to subscribe to changed: compare [`Home::subscriptions`] with
    /// what is subscribed and subscribe or unsubscribe the difference.
    pub subscriptions_changed: bool,
    /// Messages that were read but not understood.
    pub problems: Vec<Problem>,
    /// A device or route was added, so messages held back as nobody's may now be someone's.
    pub(crate) structure_changed: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        self.devices.is_empty()
            && self.removed.is_empty()
            && !self.subscriptions_changed
            && self.problems.is_empty()
    }

    /// Counts `id` as changed: a device added again after it was removed is not removed.
    pub(crate) fn changed(&mut self, id: &DeviceId) {
        self.removed.remove(id);
        self.devices.insert(id.clone());
    }
}

/// One incoming MQTT message, as every adapter sees it.
pub(crate) struct Message<'a> {
    pub topic: &'a str,
    pub payload: &'a [u8],
    pub now_ms: u64,
}

/// Whether an adapter recognised a message as one of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Claim {
    Mine,
    NotMine,
}

impl Claim {
    fn or(self, other: Claim) -> Claim {
        if self == Claim::Mine {
            Claim::Mine
        } else {
            other
        }
    }
}

/// What adapters read and write while handling a message.
pub(crate) struct Store<'a> {
    pub devices: &'a mut SortedMap<DeviceId, Device>,
    pub changes: &'a mut Changes,
    pub history_len: usize,
}

impl Store<'_> {
    /// The device, marked as changed.
    pub fn device_mut(&mut self, id: &DeviceId) -> Option<&mut Device> {
        let device = self.devices.get_mut(id)?;
        self.changes.changed(id);
        Some(device)
    }

    /// The device, created with `name` if it is new (which counts as a change of structure).
    pub fn device_or_insert(
        &mut self,
        id: &DeviceId,
        name: &str,
        convention: Convention,
    ) -> &mut Device {
        self.changes.changed(id);
        if !self.devices.contains_key(id) {
            self.changes.structure_changed = true;
        }
        self.devices
            .get_or_insert_with(id.clone(), || Device::new(id.clone(), name, convention))
    }

    pub fn entity_mut(&mut self, id: &EntityId) -> Option<&mut Entity> {
        self.device_mut(&id.device())?.entity_mut(id)
    }

    pub fn remove_device(&mut self, id: &DeviceId) {
        if self.devices.remove(id).is_some() {
            self.changes.devices.remove(id);
            self.changes.removed.insert(id.clone());
        }
    }

    /// Removes one entity, and its device when that was the last one.
    pub fn remove_entity(&mut self, id: &EntityId) {
        let device_id = id.device();
        let now_empty = match self.devices.get_mut(&device_id) {
            Some(device) => {
                device.retain_entities(&|e| &e.id != id);
                device.entities.is_empty()
            }
            None => return,
        };
        if now_empty {
            self.remove_device(&device_id);
        } else {
            self.changes.changed(&device_id);
        }
    }

    pub fn problem(&mut self, topic: &str, reason: impl Into<String>) {
        self.changes.problems.push(Problem {
            topic: topic.to_owned(),
            reason: reason.into(),
        });
    }

    /// The payload of `topic` read as JSON of the expected shape: an object, or with `array`
    /// an array. Otherwise `None`, and the problem is reported: the parse error, or
    /// `wrong_shape` for JSON of another shape.
    pub fn json(
        &mut self,
        topic: &str,
        payload: &[u8],
        array: bool,
        wrong_shape: &'static str,
    ) -> Option<Value> {
        match Value::parse(payload) {
            Ok(value @ Value::Object(_)) if !array => Some(value),
            Ok(value @ Value::Array(_)) if array => Some(value),
            Ok(_) => {
                self.problem(topic, wrong_shape);
                None
            }
            Err(e) => {
                self.problem(topic, e.message());
                None
            }
        }
    }
}

/// Messages no adapter recognised yet, newest last. Conventions do not promise an order:
/// Zigbee2MQTT state can arrive before `bridge/devices`, availability before discovery. These
/// are offered again whenever a new device or route appears.
const HELD_MESSAGES: usize = 256;
/// A problem log for diagnostics, not a history: only the latest few are kept.
const KEPT_PROBLEMS: usize = 64;

/// Every device the configured conventions announced, and how to command them.
///
/// Call order: subscribe to [`Home::subscriptions`]; feed every received message to
/// [`Home::handle_message`]; after each, redraw the devices named in the returned [`Changes`]
/// and, when `subscriptions_changed` is set, subscribe to the new [`Home::subscriptions`].
/// Turn a user's action into messages with [`Home::command`] and publish them.
///
/// Nothing here does IO or reads a clock: time is the caller's `now_ms`.
#[derive(Debug)]
pub struct Home {
    config: HomeConfig,
    devices: SortedMap<DeviceId, Device>,
    #[cfg(feature = "homeassistant")]
    homeassistant: Option<homeassistant::Discovery>,
    #[cfg(feature = "zigbee2mqtt")]
    zigbee2mqtt: Option<zigbee2mqtt::Bridge>,
    #[cfg(feature = "tasmota")]
    tasmota: Option<tasmota::Tasmota>,
    #[cfg(feature = "homie")]
    homie: Option<homie::Homie>,
    // Both are short and bounded (`HELD_MESSAGES`, `KEPT_PROBLEMS`), so dropping the oldest
    // from the front of a `Vec` costs little, and a `VecDeque` would compile its ring buffer
    // for each of them.
    held: Vec<(String, Vec<u8>)>,
    problems: Vec<Problem>,
    /// Rooms the user chose, which win over what conventions suggest.
    user_rooms: SortedMap<DeviceId, Option<String>>,
}

impl Home {
    pub fn new(config: HomeConfig) -> Home {
        Home {
            #[cfg(feature = "homeassistant")]
            homeassistant: config.ha_prefix.clone().map(|prefix| {
                let z2m_native = cfg!(feature = "zigbee2mqtt") && config.z2m_base.is_some();
                homeassistant::Discovery::new(prefix, z2m_native)
            }),
            #[cfg(feature = "zigbee2mqtt")]
            zigbee2mqtt: config.z2m_base.clone().map(zigbee2mqtt::Bridge::new),
            #[cfg(feature = "tasmota")]
            tasmota: config.tasmota.then(tasmota::Tasmota::default),
            #[cfg(feature = "homie")]
            homie: config.homie_root.clone().map(homie::Homie::new),
            config,
            devices: SortedMap::new(),
            held: Vec::new(),
            problems: Vec::new(),
            user_rooms: SortedMap::new(),
        }
    }

    pub fn config(&self) -> &HomeConfig {
        &self.config
    }

    /// The topic filters to subscribe to. Grows as Home Assistant discovery names state and
    /// availability topics (see [`Changes::subscriptions_changed`]).
    pub fn subscriptions(&self) -> Vec<String> {
        #[allow(unused_mut)]
        let mut fixed: Vec<String> = Vec::new();
        #[cfg(feature = "zigbee2mqtt")]
        if let Some(z2m) = &self.zigbee2mqtt {
            fixed.extend(z2m.subscriptions());
        }
        #[cfg(feature = "tasmota")]
        if let Some(tasmota) = &self.tasmota {
            fixed.extend(tasmota.subscriptions());
        }
        #[cfg(feature = "homie")]
        if let Some(homie) = &self.homie {
            fixed.extend(homie.subscriptions());
        }
        #[cfg(feature = "homeassistant")]
        if let Some(ha) = &self.homeassistant {
            fixed.extend(ha.fixed_subscriptions());
            // A state topic under a filter already subscribed needs no filter of its own.
            for topic in ha.state_topics() {
                if !fixed.iter().any(|f| topic_matches(f, topic)) {
                    fixed.push(topic.to_owned());
                }
            }
        }
        let mut sorted = Vec::new();
        for filter in fixed {
            insert_text(&mut sorted, filter);
        }
        sorted
    }

    /// Reads one received message into the model. Never panics on what the network sends: a
    /// payload that cannot be read is reported in [`Changes::problems`] and kept in
    /// [`Home::problems`].
    pub fn handle_message(
        &mut self,
        topic: &str,
        payload: &[u8],
        retained: bool,
        now_ms: u64,
    ) -> Changes {
        // Retained or live, a message means the same to every convention here: the latest value.
        let _ = retained;
        let mut changes = Changes::default();
        if self.dispatch(topic, payload, now_ms, &mut changes) == Claim::NotMine {
            self.hold(topic, payload);
        }
        // A new device or route can make held messages readable, and reading them can add
        // more (an availability after a state); a few rounds settle it.
        let mut rounds = 0;
        while changes.structure_changed && rounds < 4 {
            changes.structure_changed = false;
            rounds += 1;
            let held = std::mem::take(&mut self.held);
            for (topic, payload) in held {
                if self.dispatch(&topic, &payload, now_ms, &mut changes) == Claim::NotMine {
                    self.held.push((topic, payload));
                }
            }
        }
        changes.structure_changed = false;
        changes.devices.retain(|id| self.devices.contains_key(id));
        for id in &changes.devices {
            if let Some(device) = self.devices.get_mut(id) {
                device.room = match self.user_rooms.get(id) {
                    Some(room) => room.clone(),
                    None => device.suggested_room.clone(),
                };
            }
        }
        for problem in &changes.problems {
            if self.problems.len() == KEPT_PROBLEMS {
                self.problems.remove(0);
            }
            self.problems.push(problem.clone());
        }
        changes
    }

    fn dispatch(
        &mut self,
        topic: &str,
        payload: &[u8],
        now_ms: u64,
        changes: &mut Changes,
    ) -> Claim {
        let message = Message {
            topic,
            payload,
            now_ms,
        };
        let mut store = Store {
            devices: &mut self.devices,
            changes,
            history_len: self.config.history_len,
        };
        // Every adapter sees every message: a Zigbee2MQTT state topic can also be the state
        // topic of a Home Assistant discovery config.
        #[allow(unused_mut)]
        let mut claim = Claim::NotMine;
        #[cfg(feature = "homeassistant")]
        if let Some(ha) = &mut self.homeassistant {
            claim = claim.or(ha.handle(&message, &mut store));
        }
        #[cfg(feature = "zigbee2mqtt")]
        if let Some(z2m) = &mut self.zigbee2mqtt {
            claim = claim.or(z2m.handle(&message, &mut store));
        }
        #[cfg(feature = "tasmota")]
        if let Some(tasmota) = &mut self.tasmota {
            claim = claim.or(tasmota.handle(&message, &mut store));
        }
        #[cfg(feature = "homie")]
        if let Some(homie) = &mut self.homie {
            claim = claim.or(homie.handle(&message, &mut store));
        }
        claim
    }

    fn hold(&mut self, topic: &str, payload: &[u8]) {
        self.held.retain(|(t, _)| t != topic);
        if self.held.len() == HELD_MESSAGES {
            self.held.remove(0);
        }
        self.held.push((topic.to_owned(), payload.to_vec()));
    }

    /// All devices, ordered by id.
    pub fn devices(&self) -> impl Iterator<Item = &Device> {
        self.devices.values()
    }

    pub fn device(&self, id: &DeviceId) -> Option<&Device> {
        self.devices.get(id)
    }

    pub fn entity(&self, id: &EntityId) -> Option<&Entity> {
        self.devices.get(&id.device())?.entity(id)
    }

    /// Puts a device in a room of the user's choosing (`None`: in no room), over whatever its
    /// convention suggests. The choice is the app's to store; give it back after a restart.
    pub fn set_room(&mut self, device: &DeviceId, room: Option<String>) {
        if let Some(d) = self.devices.get_mut(device) {
            d.room.clone_from(&room);
        }
        self.user_rooms.insert(device.clone(), room);
    }

    /// Forgets the user's room for a device: its convention's suggestion applies again.
    pub fn clear_room(&mut self, device: &DeviceId) {
        self.user_rooms.remove(device);
        if let Some(d) = self.devices.get_mut(device) {
            d.room = d.suggested_room.clone();
        }
    }

    /// The average of the current numeric readings of sensors of one `device_class`
    /// (`temperature`, `humidity`...) in a room, leaving out offline devices; `None` when
    /// there are none.
    pub fn room_average(&self, room: Option<&str>, device_class: &str) -> Option<f64> {
        // Summed in order from -0.0, as `Iterator::sum` does.
        let (mut sum, mut count) = (-0.0, 0);
        for device in self.devices_in(room) {
            if device.availability == Availability::Offline {
                continue;
            }
            for entity in &device.entities {
                if let EntityKind::Sensor(Sensor {
                    value: Some(SensorValue::Number(n)),
                    device_class: Some(c),
                    ..
                }) = &entity.kind
                    && c == device_class
                {
                    sum += *n;
                    count += 1;
                }
            }
        }
        (count > 0).then(|| sum / f64::from(count))
    }

    /// The rooms devices are in, sorted, each once. Devices without a room are in none.
    pub fn rooms(&self) -> Vec<&str> {
        let mut rooms: Vec<&str> = Vec::new();
        for room in self.devices.values().filter_map(|d| d.room.as_deref()) {
            if let Err(at) = search(rooms.len(), room, &|i| rooms[i]) {
                rooms.insert(at, room);
            }
        }
        rooms
    }

    /// The devices in `room` (`None`: the devices no convention placed in a room).
    pub fn devices_in<'a>(
        &'a self,
        room: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Device> + 'a {
        self.devices
            .values()
            .filter(move |d| d.room.as_deref() == room)
    }

    /// Recent messages that could not be read, oldest first.
    pub fn problems(&self) -> impl Iterator<Item = &Problem> {
        self.problems.iter()
    }

    /// Whether Home Assistant said it is online on `<prefix>/status` (`None`: not heard).
    pub fn home_assistant_online(&self) -> Option<bool> {
        #[cfg(feature = "homeassistant")]
        return self
            .homeassistant
            .as_ref()
            .and_then(|ha| ha.home_assistant_online());
        #[cfg(not(feature = "homeassistant"))]
        None
    }

    /// Whether the Zigbee2MQTT bridge said it is online (`None`: not heard).
    pub fn zigbee2mqtt_online(&self) -> Option<bool> {
        #[cfg(feature = "zigbee2mqtt")]
        return self.zigbee2mqtt.as_ref().and_then(|z2m| z2m.online());
        #[cfg(not(feature = "zigbee2mqtt"))]
        None
    }

    /// The messages that carry `command` to the entity, in its convention's form.
    pub fn command(
        &self,
        entity: &EntityId,
        command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        let device = self
            .devices
            .get(&entity.device())
            .ok_or(CommandError::UnknownEntity)?;
        let target = device.entity(entity).ok_or(CommandError::UnknownEntity)?;
        if !command.is_finite() {
            return Err(CommandError::NotANumber);
        }
        match device.convention {
            #[cfg(feature = "homeassistant")]
            Convention::HomeAssistant => self
                .homeassistant
                .as_ref()
                .ok_or(CommandError::UnknownEntity)?
                .command(target, command),
            #[cfg(feature = "zigbee2mqtt")]
            Convention::Zigbee2Mqtt => self
                .zigbee2mqtt
                .as_ref()
                .ok_or(CommandError::UnknownEntity)?
                .command(device, target, command),
            #[cfg(feature = "tasmota")]
            Convention::Tasmota => self
                .tasmota
                .as_ref()
                .ok_or(CommandError::UnknownEntity)?
                .command(device, target, command),
            #[cfg(feature = "homie")]
            Convention::Homie4 | Convention::Homie5 => self
                .homie
                .as_ref()
                .ok_or(CommandError::UnknownEntity)?
                .command(device, target, command),
            // A device of a convention compiled out cannot exist.
            #[allow(unreachable_patterns)]
            _ => {
                let _ = command;
                Err(CommandError::UnknownEntity)
            }
        }
    }
}

impl Home {
    /// After `command` was sent to an optimistic entity (one whose device never reports its
    /// state), takes its result as the entity's state, as Home Assistant does. Returns whether
    /// anything was assumed; entities that report their state are left to report it.
    pub fn assume(&mut self, entity: &EntityId, command: &Command) -> bool {
        match self.devices.get_mut(&entity.device()) {
            Some(device) => match device.entity_mut(entity) {
                Some(target) if target.optimistic => {
                    command.assume_into(&mut target.kind);
                    true
                }
                _ => false,
            },
            None => false,
        }
    }
}

/// Whether an MQTT topic filter (with `+` and `#`) matches a topic name.
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    let mut levels = topic.split('/');
    for part in filter.split('/') {
        match (part, levels.next()) {
            ("#", _) => return true,
            ("+", Some(_)) => {}
            (part, Some(level)) if part == level => {}
            _ => return false,
        }
    }
    levels.next().is_none()
}

// These read every convention's test payloads into one Home.
#[cfg(all(
    test,
    feature = "homeassistant",
    feature = "zigbee2mqtt",
    feature = "tasmota",
    feature = "homie"
))]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    #[test]
    fn topic_filters_match_as_mqtt_defines() {
        assert!(topic_matches("zigbee2mqtt/#", "zigbee2mqtt/Kitchen/lamp"));
        assert!(topic_matches("tele/+/LWT", "tele/tasmota_1/LWT"));
        assert!(!topic_matches("tele/+/LWT", "tele/a/b/LWT"));
        assert!(topic_matches("a/b", "a/b"));
        assert!(!topic_matches("a/b", "a/b/c"));
        assert!(!topic_matches("a/b/c", "a/b"));
    }

    use crate::homeassistant::tests as ha;
    use crate::homie::tests as homie;
    use crate::tasmota::tests as tasmota;
    use crate::zigbee2mqtt::tests as z2m;
    use crate::{Command, EntityId, SensorValue};

    /// Every realistic message the adapter tests use, as (topic, payload).
    fn corpus() -> Vec<(String, String)> {
        let mut messages: Vec<(String, String)> = vec![
            ("homeassistant/light/kitchen/config".into(), ha::KITCHEN.into()),
            ("homeassistant/light/desk_bulb_01/config".into(), ha::DESK_BULB.into()),
            ("homeassistant/light/porch/config".into(), ha::PORCH.into()),
            ("homeassistant/device/ws2000/config".into(), ha::WEATHER_STATION.into()),
            ("lights/desk/state".into(), r#"{"state":"ON","brightness":50,"color":{"h":30.5,"s":80}}"#.into()),
            ("weather/ws/state".into(), r#"{"temperature":12.5,"humidity":81,"raining":"yes"}"#.into()),
            ("zigbee2mqtt/bridge/devices".into(), z2m::DEVICES.into()),
            ("zigbee2mqtt/bridge/groups".into(), z2m::GROUPS.into()),
            (
                "zigbee2mqtt/Living room/Floor lamp".into(),
                r#"{"state":"ON","brightness":127,"color":{"x":0.45,"y":0.41,"hue":38,"saturation":69}}"#.into(),
            ),
            ("zigbee2mqtt/Bedroom climate/availability".into(), r#"{"state":"online"}"#.into()),
            ("tele/sonoff_th/STATE".into(), tasmota::SONOFF_STATE.into()),
            ("tele/sonoff_th/SENSOR".into(), tasmota::SONOFF_SENSOR.into()),
            ("tasmota/discovery/A4CF12B3C4D5/config".into(), tasmota::DUAL_CONFIG.into()),
            ("stat/bulb/RESULT".into(), r#"{"POWER":"ON","Dimmer":40,"CT":300,"HSBColor":"30,50,40"}"#.into()),
            ("homie/5/desk-lamp/$description".into(), homie::DESK_LAMP.into()),
            ("homie/5/hall-thermostat/$description".into(), homie::THERMOSTAT.into()),
            ("homie/5/hall-thermostat/ring/color".into(), "rgb,0,0,255".into()),
        ];
        messages.extend(
            homie::HOMIE4_LAMP
                .iter()
                .map(|(t, p)| ((*t).to_owned(), (*p).to_owned())),
        );
        messages
    }

    #[test]
    fn truncated_and_corrupted_payloads_never_panic() {
        let corpus = corpus();
        let mut home = Home::new(HomeConfig::default());
        // A small deterministic generator: the test must not depend on a clock or a crate.
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for (topic, payload) in &corpus {
            let bytes = payload.as_bytes();
            for cut in 0..bytes.len() {
                home.handle_message(topic, &bytes[..cut], true, cut as u64);
            }
            for round in 0..200 {
                let mut corrupted = bytes.to_vec();
                for _ in 0..1 + round % 4 {
                    let at = (next() % bytes.len().max(1) as u64) as usize;
                    if let Some(b) = corrupted.get_mut(at) {
                        *b = (next() & 0xFF) as u8;
                    }
                }
                home.handle_message(topic, &corrupted, false, round);
            }
            home.handle_message(topic, bytes, true, 0);
        }
        // Whatever survived, every entity still accepts every command without panicking.
        let ids: Vec<EntityId> = home
            .devices()
            .flat_map(|d| d.entities.iter().map(|e| e.id.clone()))
            .collect();
        assert!(ids.len() > 20, "{}", ids.len());
        for id in ids {
            for command in [
                Command::light_on(true),
                Command::Light {
                    on: None,
                    brightness: Some(f32::NAN),
                    color_temp: Some(0),
                    hue_sat: Some((f32::INFINITY, -5.0)),
                    effect: Some(String::new()),
                },
                Command::Switch(false),
                Command::Cover(crate::CoverCommand::Position(250)),
                Command::Climate {
                    target_temperature: Some(f64::NAN),
                    mode: Some("heat".into()),
                },
                Command::Fan {
                    on: Some(true),
                    percentage: Some(255),
                },
                Command::Number(f64::INFINITY),
                Command::Select("x".into()),
                Command::Refresh,
            ] {
                let _ = home.command(&id, command);
            }
        }
    }

    #[test]
    fn every_adapter_reads_into_one_home() {
        let mut home = Home::new(HomeConfig::default());
        for (topic, payload) in corpus() {
            home.handle_message(&topic, payload.as_bytes(), true, 0);
        }
        let conventions: BTreeSet<Convention> = home.devices().map(|d| d.convention).collect();
        assert_eq!(conventions.len(), 5);
        assert!(
            home.problems().next().is_none(),
            "{:?}",
            home.problems().collect::<Vec<_>>()
        );
    }

    #[test]
    fn user_room_wins_over_the_suggested_one_and_survives_updates() {
        let mut home = Home::new(HomeConfig::default());
        let weather = DeviceId::from("ha:ws-2000-ab12");
        home.set_room(&weather, Some("Balcony".into()));
        home.handle_message(
            "homeassistant/device/ws2000/config",
            ha::WEATHER_STATION.as_bytes(),
            true,
            0,
        );
        let device = home.device(&weather).expect("weather station");
        assert_eq!(
            (device.room.as_deref(), device.suggested_room.as_deref()),
            (Some("Balcony"), Some("Garden"))
        );
        home.handle_message("weather/ws/state", br#"{"temperature":3.0}"#, false, 1);
        assert_eq!(
            home.device(&weather)
                .expect("weather station")
                .room
                .as_deref(),
            Some("Balcony")
        );
        home.clear_room(&weather);
        assert_eq!(home.rooms(), vec!["Garden"]);
    }

    #[test]
    fn room_average_leaves_out_offline_devices() {
        let mut home = Home::new(HomeConfig::default());
        home.handle_message(
            "zigbee2mqtt/bridge/devices",
            z2m::DEVICES.as_bytes(),
            true,
            0,
        );
        home.handle_message(
            "tele/sonoff_th/SENSOR",
            tasmota::SONOFF_SENSOR.as_bytes(),
            false,
            0,
        );
        home.handle_message(
            "zigbee2mqtt/Bedroom climate",
            br#"{"temperature":20.0,"humidity":50}"#,
            false,
            0,
        );
        let aqara = DeviceId::from("z2m:0x00158d0001a2b3c4");
        let sonoff = DeviceId::from("tasmota:sonoff_th");
        home.set_room(&aqara, Some("Bedroom".into()));
        home.set_room(&sonoff, Some("Bedroom".into()));
        // 20.0 and 21.3.
        let average = home
            .room_average(Some("Bedroom"), "temperature")
            .expect("two readings");
        assert!((average - 20.65).abs() < 1e-9, "{average}");
        home.handle_message(
            "zigbee2mqtt/Bedroom climate/availability",
            b"offline",
            true,
            0,
        );
        assert_eq!(
            home.room_average(Some("Bedroom"), "temperature"),
            Some(21.3)
        );
        assert_eq!(home.room_average(Some("Bedroom"), "pressure"), None);
    }

    #[test]
    fn topics_of_other_shapes_are_refused_or_left_alone() {
        let mut home = Home::new(HomeConfig::default());
        let light = br#"{"name":"x","cmd_t":"x/set","uniq_id":"x"}"#;
        for topic in [
            "homeassistant/light/config",
            "homeassistant/light/a/b/c/config",
        ] {
            let changes = home.handle_message(topic, light, true, 0);
            assert_eq!(changes.problems.len(), 1, "{topic}");
            assert_eq!(
                changes.problems[0].reason,
                "discovery topic has an unexpected shape"
            );
        }
        let changes = home.handle_message("homeassistant/light/node/lamp/config", light, true, 0);
        assert!(changes.problems.is_empty());
        assert_eq!(home.devices().count(), 1);
        // Tasmota topics have exactly three levels; Homie paths of more than three are not read.
        for topic in [
            "stat/a/b/RESULT",
            "stat//RESULT/x",
            "homie/5/lamp/$alert/a/b",
            "homie/lamp/node/property/x",
        ] {
            let changes = home.handle_message(topic, br#"{"POWER":"ON"}"#, false, 0);
            assert!(changes.is_empty(), "{topic}");
        }
        assert_eq!(home.devices().count(), 1);
        assert!(
            home.handle_message("stat/plug/RESULT", br#"{"POWER":"ON"}"#, false, 0)
                .devices
                .contains(&DeviceId::from("tasmota:plug"))
        );
    }

    #[test]
    fn held_messages_are_bounded() {
        let mut home = Home::new(HomeConfig::default());
        for i in 0..(HELD_MESSAGES + 50) {
            home.handle_message(
                &format!("zigbee2mqtt/device {i}"),
                br#"{"state":"ON"}"#,
                false,
                0,
            );
        }
        assert_eq!(home.held.len(), HELD_MESSAGES);
        assert_eq!(
            home.held.first().map(|(t, _)| t.as_str()),
            Some("zigbee2mqtt/device 50")
        );
    }

    #[test]
    fn sensor_reading_from_a_held_message_keeps_its_value() {
        let mut home = Home::new(HomeConfig::default());
        home.handle_message(
            "zigbee2mqtt/Bedroom climate",
            br#"{"temperature":18.5}"#,
            false,
            0,
        );
        home.handle_message(
            "zigbee2mqtt/bridge/devices",
            z2m::DEVICES.as_bytes(),
            true,
            10,
        );
        let reading = home
            .entity(&EntityId::from("z2m:0x00158d0001a2b3c4/temperature"))
            .map(|e| &e.kind);
        assert!(matches!(
            reading,
            Some(EntityKind::Sensor(Sensor {
                value: Some(SensorValue::Number(18.5)),
                ..
            }))
        ));
    }
}
