//! Tasmota: topics `<prefix>/<topic>/<command>` with `cmnd` (in), `stat` (results) and `tele`
//! (telemetry). A device becomes known as soon as it speaks: its last will on `tele/<t>/LWT`,
//! telemetry on `tele/<t>/STATE` or `SENSOR`, results on `stat/<t>/RESULT` or `POWER<n>`.
//! Native discovery on `tasmota/discovery/<mac>/config` and `.../sensors` adds names, model,
//! which outputs are relays and which a light, and a custom full topic.

use crate::command::{Command, CommandError, LightRequest, Outgoing, number_text};
use crate::home::{Claim, Message, Store, topic_matches};
use crate::json::Value;
use crate::model::{
    Availability, Convention, Device, DeviceId, Entity, EntityId, EntityKind, Light, LightFeatures,
    Sensor, SensorValue, Switch, mireds,
};
use crate::number::parse_f32;
use crate::sorted::{SortedMap, insert_text};
use crate::text;

const DISCOVERY_PREFIX: &str = "tasmota/discovery/";
const DEFAULT_FULL_TOPIC: &str = "%prefix%/%topic%/";
/// Tasmota's `CT` range in mireds.
const CT_RANGE: (u16, u16) = (153, 500);

/// What one Tasmota device has told us about itself.
#[derive(Debug, Clone)]
struct TasmotaDevice {
    id: DeviceId,
    topic: String,
    /// `%prefix%/%topic%/` unless discovery says otherwise.
    full_topic: String,
    /// The `cmnd`, `stat` and `tele` prefix words (configurable in Tasmota).
    prefixes: [String; 3],
    online_payload: String,
    offline_payload: String,
    /// Relay names from discovery (`fn`), by relay number from 1; empty where it names none.
    relay_names: Vec<String>,
    /// The `POWER` key (`POWER` or `POWER<n>`) that switches the light, once there is one.
    light_power: Option<String>,
    /// What the light has shown it can do.
    light_features: LightFeatures,
    /// Discovery said which outputs are relays; then only those become switches.
    discovered: bool,
    /// From discovery; its topics are named by MAC rather than by Tasmota topic.
    mac: Option<String>,
}

impl TasmotaDevice {
    fn new(topic: &str) -> TasmotaDevice {
        TasmotaDevice {
            id: DeviceId::new("tasmota", topic),
            topic: topic.to_owned(),
            full_topic: DEFAULT_FULL_TOPIC.to_owned(),
            prefixes: ["cmnd".into(), "stat".into(), "tele".into()],
            online_payload: "Online".into(),
            offline_payload: "Offline".into(),
            relay_names: Vec::new(),
            light_power: None,
            light_features: LightFeatures::default(),
            discovered: false,
            mac: None,
        }
    }

    fn topic_for(&self, prefix: &str) -> String {
        let with_prefix = text::replace(&self.full_topic, "%prefix%", prefix);
        text::replace(&with_prefix, "%topic%", &self.topic)
    }

    /// The command word of an incoming topic when it is this device's `stat` or `tele`, and
    /// which of the two (`cmnd` echoes are recognised and ignored).
    fn match_topic<'t>(&self, topic: &'t str) -> Option<(usize, &'t str)> {
        (0..3).find_map(|i| {
            let command = topic.strip_prefix(&self.topic_for(&self.prefixes[i]))?;
            (!command.is_empty() && !command.contains('/')).then_some((i, command))
        })
    }

    fn command_topic(&self, command: &str) -> String {
        format!("{}{command}", self.topic_for(&self.prefixes[0]))
    }

    fn power_name(&self, key: &str) -> String {
        let index = key
            .strip_prefix("POWER")
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(1);
        self.relay_names
            .get(index.wrapping_sub(1))
            .filter(|name| !name.is_empty())
            .cloned()
            .unwrap_or_else(|| {
                if key == "POWER" {
                    "Power".to_owned()
                } else {
                    format!("Power {index}")
                }
            })
    }
}

/// The Tasmota adapter.
#[derive(Debug, Default)]
pub(crate) struct Tasmota {
    /// By Tasmota topic.
    devices: SortedMap<String, TasmotaDevice>,
}

impl Tasmota {
    pub fn subscriptions(&self) -> Vec<String> {
        let mut filters = vec![
            "tele/+/+".to_owned(),
            "stat/+/+".to_owned(),
            format!("{DISCOVERY_PREFIX}#"),
        ];
        // A device with a custom full topic or prefixes publishes elsewhere.
        for device in self.devices.values() {
            for prefix in &device.prefixes[1..] {
                let filter = format!("{}+", device.topic_for(prefix));
                if !filters.iter().any(|f| topic_matches(f, &filter)) {
                    filters.push(filter);
                }
            }
        }
        let mut sorted = Vec::new();
        for filter in filters {
            insert_text(&mut sorted, filter);
        }
        sorted
    }

    pub fn handle(&mut self, message: &Message<'_>, store: &mut Store<'_>) -> Claim {
        if let Some(rest) = message.topic.strip_prefix(DISCOVERY_PREFIX) {
            match rest.rsplit_once('/') {
                Some((_mac, "config")) => self.read_discovery(message, store),
                Some((_mac, "sensors")) => self.read_discovery_sensors(message, store),
                _ => {}
            }
            return Claim::Mine;
        }
        let known = self.devices.values().find_map(|d| {
            d.match_topic(message.topic)
                .map(|(p, c)| (d.topic.clone(), p, c))
        });
        let (topic, prefix, command) = match known {
            Some(found) => found,
            None => {
                // `<prefix>/<topic>/<command>`, three levels exactly.
                let Some((prefix, (topic, command))) = message
                    .topic
                    .split_once('/')
                    .and_then(|(prefix, rest)| Some((prefix, rest.split_once('/')?)))
                    .filter(|(_, (_, command))| !command.contains('/'))
                else {
                    return Claim::NotMine;
                };
                let prefix = match prefix {
                    "cmnd" => 0,
                    "stat" => 1,
                    "tele" => 2,
                    _ => return Claim::NotMine,
                };
                let announces =
                    matches!(command, "LWT" | "STATE" | "SENSOR" | "RESULT") || is_power(command);
                if prefix == 0 || !announces || topic.is_empty() {
                    return Claim::NotMine;
                }
                (topic.to_owned(), prefix, command)
            }
        };
        if prefix == 0 {
            // Our own commands (or another client's) echoed by the broker.
            return Claim::Mine;
        }
        let device = self
            .devices
            .get_or_insert_with(topic.clone(), || TasmotaDevice::new(&topic));
        let id = device.id.clone();
        store.device_or_insert(&id, &topic, Convention::Tasmota);
        let text = core::str::from_utf8(message.payload)
            .unwrap_or_default()
            .trim();
        match command {
            "LWT" => {
                let availability = if text == device.online_payload {
                    Availability::Online
                } else if text == device.offline_payload {
                    Availability::Offline
                } else {
                    store.problem(
                        message.topic,
                        format!("last will \"{text}\" is neither online nor offline"),
                    );
                    return Claim::Mine;
                };
                if let Some(model) = store.device_mut(&id) {
                    model.availability = availability;
                }
            }
            "STATE" | "RESULT" | "SENSOR" | "STATUS10" | "STATUS11" => {
                match Value::parse(message.payload) {
                    Ok(value) if value.as_object().is_some() => {
                        let value = match command {
                            "STATUS10" => value.get("StatusSNS").cloned().unwrap_or(Value::Null),
                            "STATUS11" => value.get("StatusSTS").cloned().unwrap_or(Value::Null),
                            _ => value,
                        };
                        if command == "SENSOR" || command == "STATUS10" {
                            read_sensors(&id, &value, message.now_ms, store);
                        } else {
                            read_power_and_light(device, &value, store);
                        }
                    }
                    Ok(_) => store.problem(message.topic, "payload is not a JSON object"),
                    // A RESULT can be a plain word for commands that answer so; nothing to read.
                    Err(_) if command == "RESULT" => {}
                    Err(e) => store.problem(message.topic, e.message()),
                }
            }
            power if is_power(power) => match text {
                "ON" | "OFF" => {
                    let state = Value::Object(vec![(power.to_owned(), Value::from(text))]);
                    read_power_and_light(device, &state, store);
                }
                _ => store.problem(
                    message.topic,
                    format!("power state \"{text}\" is neither ON nor OFF"),
                ),
            },
            _ => {}
        }
        Claim::Mine
    }

    fn read_discovery(&mut self, message: &Message<'_>, store: &mut Store<'_>) {
        let mac = text::trim_end(text::trim_start(message.topic, DISCOVERY_PREFIX), "/config");
        if message.payload.is_empty() {
            // Discovery withdrawn (the device was reset or its discovery turned off): forget it.
            if let Some(topic) = self
                .devices
                .values()
                .find(|d| d.mac.as_deref() == Some(mac))
                .map(|d| d.topic.clone())
                && let Some(device) = self.devices.remove(&topic)
            {
                store.remove_device(&device.id);
                store.changes.subscriptions_changed = true;
            }
            return;
        }
        let Some(config) = store.json(
            message.topic,
            message.payload,
            false,
            "discovery config is not a JSON object",
        ) else {
            return;
        };
        let Some(topic) = config.str_at("t") else {
            return store.problem(message.topic, "discovery config has no topic (t)");
        };
        let device = self
            .devices
            .get_or_insert_with(topic.to_owned(), || TasmotaDevice::new(topic));
        device.discovered = true;
        device.mac = Some(mac.to_owned());
        // Where the device publishes: a change asks for other subscriptions.
        let mut moved = false;
        if let Some(ft) = config.str_at("ft") {
            // `%hostname%` and `%id%` are fixed per device, so they are filled in once here.
            let with_hostname =
                text::replace(ft, "%hostname%", config.str_at("hn").unwrap_or_default());
            let full_topic = text::replace(
                &with_hostname,
                "%id%",
                config.str_at("mac").unwrap_or_default(),
            );
            moved |= full_topic != device.full_topic;
            device.full_topic = full_topic;
        }
        for (slot, word) in device.prefixes.iter_mut().zip(config.array_at("tp")) {
            if let Some(word) = word.as_str()
                && slot != word
            {
                *slot = word.to_owned();
                moved = true;
            }
        }
        if moved {
            store.changes.subscriptions_changed = true;
        }
        device.online_payload = config.str_at("onln").unwrap_or("Online").to_owned();
        device.offline_payload = config.str_at("ofln").unwrap_or("Offline").to_owned();
        device.relay_names.clear();
        for n in config.array_at("fn") {
            device
                .relay_names
                .push(n.as_str().unwrap_or_default().to_owned());
        }
        // `rl`: per output, 1 = relay, 2 = light; `lt_st`: the light's kind, 1 dimmer,
        // 2 cold/warm white, 3 RGB, 4 RGBW, 5 RGB with cold/warm white.
        // Relays and the (first) light output by number from 1, and how many outputs are used.
        let (mut relays, mut light_output, mut used) = (Vec::new(), None, 0);
        for (i, output) in config.array_at("rl").iter().enumerate() {
            match output.as_f64().unwrap_or(0.0) as u32 {
                0 => continue,
                1 => relays.push(i + 1),
                2 if light_output.is_none() => light_output = Some(i + 1),
                _ => {}
            }
            used += 1;
        }
        let light_type = config.f64_at("lt_st").unwrap_or(0.0) as u32;
        let single = used == 1;
        let key = |index: usize| {
            if single {
                "POWER".to_owned()
            } else {
                format!("POWER{index}")
            }
        };
        device.light_power = match (light_type, light_output) {
            (0, _) => None,
            (_, Some(index)) => Some(key(index)),
            // A light without a relay slot of its own follows the outputs' count.
            (_, None) => Some(key(relays.len() + 1)),
        };
        device.light_features = LightFeatures {
            brightness: light_type >= 1,
            color_temp: matches!(light_type, 2 | 5).then_some(CT_RANGE),
            color: light_type >= 3,
            effects: Vec::new(),
        };
        let device = &*device;
        let id = device.id.clone();
        let model = store.device_or_insert(&id, topic, Convention::Tasmota);
        model.name = config.str_at("dn").unwrap_or(topic).to_owned();
        model.model = config.str_at("md").map(str::to_owned);
        model.sw_version = config.str_at("sw").map(str::to_owned);
        model
            .manufacturer
            .get_or_insert_with(|| "Tasmota".to_owned());
        let mut wanted: Vec<Entity> = Vec::new();
        for relay in relays {
            let k = key(relay);
            if Some(&k) != device.light_power.as_ref() {
                wanted.push(Entity {
                    target: None,
                    optimistic: false,
                    id: id.entity(&k),
                    name: device.power_name(&k),
                    kind: EntityKind::Switch(Switch::default()),
                });
            }
        }
        if device.light_power.is_some() {
            wanted.push(light_entity(device, model.name.clone()));
        }
        // Sensors stay; power outputs are now exactly what discovery lists.
        model.retain_entities(&|e| !is_output(e) || wanted.iter().any(|w| w.id == e.id));
        for entity in wanted {
            model.upsert_entity(entity);
        }
        store.changes.structure_changed = true;
    }

    fn read_discovery_sensors(&mut self, message: &Message<'_>, store: &mut Store<'_>) {
        if message.payload.is_empty() {
            return;
        }
        let value = match Value::parse(message.payload) {
            Ok(value) => value,
            Err(e) => return store.problem(message.topic, e.message()),
        };
        // The sensors message names no topic; it follows its config, which has the MAC.
        let Some(sensors) = value.get("sn") else {
            return store.problem(message.topic, "discovery sensors have no sn");
        };
        let mac = text::trim_end(
            text::trim_start(message.topic, DISCOVERY_PREFIX),
            "/sensors",
        );
        let Some(id) = self
            .devices
            .values()
            .find(|d| d.mac.as_deref() == Some(mac))
            .map(|d| d.id.clone())
        else {
            return store.problem(
                message.topic,
                "sensors before the device's discovery config",
            );
        };
        read_sensors(&id, sensors, message.now_ms, store);
    }

    pub fn command(
        &self,
        device: &Device,
        entity: &Entity,
        command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        let tasmota = self
            .devices
            .values()
            .find(|d| d.id == device.id)
            .ok_or(CommandError::UnknownEntity)?;
        let send =
            |command: &str, payload: String| Outgoing::new(tasmota.command_topic(command), payload);
        match (&entity.kind, command) {
            (EntityKind::Switch(_), Command::Switch(on)) => {
                send(entity.id.key(), if on { "ON" } else { "OFF" }.to_owned()).alone()
            }
            (
                EntityKind::Light(light),
                Command::Light {
                    on,
                    brightness,
                    color_temp,
                    hue_sat,
                    effect,
                },
            ) => {
                let request = LightRequest {
                    on,
                    brightness,
                    color_temp,
                    hue_sat,
                    effect,
                };
                request.check(light)?;
                let power = tasmota.light_power.as_deref().unwrap_or("POWER");
                if request.on == Some(false) {
                    return send(power, "OFF".to_owned()).alone();
                }
                let percent = |b: f32| {
                    let p = (b.clamp(0.0, 1.0) * 100.0).round();
                    // Dimmer 0 is off; a non-zero request keeps at least 1 %.
                    if b > 0.0 && p < 1.0 { 1.0 } else { p }
                };
                let mut out = Vec::new();
                if let Some(ct) = request.clamped_color_temp(light) {
                    out.push(send("CT", ct.to_string()));
                }
                match (request.hue_sat, request.brightness) {
                    (Some((h, s)), b) => {
                        // HSBColor sets all three; brightness is the requested one or the current.
                        let b = b
                            .map(percent)
                            .or(light.brightness.map(percent))
                            .unwrap_or(100.0);
                        let text = |n: f32| number_text(f64::from(n));
                        out.push(send(
                            "HSBColor",
                            format!(
                                "{},{},{}",
                                text(h.round().rem_euclid(360.0)),
                                text(s.round().clamp(0.0, 100.0)),
                                text(b)
                            ),
                        ));
                    }
                    (None, Some(b)) => out.push(send("Dimmer", number_text(f64::from(percent(b))))),
                    (None, None) => {}
                }
                if request.on == Some(true) {
                    out.push(send(power, "ON".to_owned()));
                }
                Ok(out)
            }
            (EntityKind::Switch(_) | EntityKind::Light(_), Command::Refresh) => {
                send("STATE", String::new()).alone()
            }
            // Sensor readings on demand come from `STATUS 10` (answered on stat/STATUS10).
            (EntityKind::Sensor(_), Command::Refresh) => send("STATUS", "10".to_owned()).alone(),
            (EntityKind::Sensor(_), _) => Err(CommandError::ReadOnly),
            _ => Err(CommandError::WrongKind),
        }
    }
}

fn is_power(command: &str) -> bool {
    command
        .strip_prefix("POWER")
        .is_some_and(|n| n.is_empty() || n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_output(entity: &Entity) -> bool {
    matches!(entity.kind, EntityKind::Switch(_) | EntityKind::Light(_))
}

fn light_entity(device: &TasmotaDevice, name: String) -> Entity {
    Entity {
        target: None,
        optimistic: false,
        id: device.id.entity("light"),
        name,
        kind: EntityKind::Light(Light {
            features: device.light_features.clone(),
            ..Light::default()
        }),
    }
}

/// `POWER<n>`, `Dimmer`, `CT` and `HSBColor` from a STATE or RESULT payload (or a plain
/// `stat/<t>/POWER<n>`, passed in as `{"POWER<n>": ...}`).
fn read_power_and_light(device: &mut TasmotaDevice, state: &Value, store: &mut Store<'_>) {
    let has_light_values = ["Dimmer", "CT", "HSBColor"]
        .iter()
        .any(|k| state.get(k).is_some());
    let mut powers: Vec<(&str, &str)> = Vec::new();
    for (k, v) in state.as_object().unwrap_or_default() {
        if is_power(k)
            && let Some(v) = v.as_str()
        {
            powers.push((k, v));
        }
    }
    if has_light_values && device.light_power.is_none() && !device.discovered {
        // Without discovery, a light shows itself by its Dimmer. Tasmota puts the light on
        // the last power output: the highest number, the last of equals.
        let mut last = ("POWER", None);
        for (k, _) in &powers {
            let number = text::trim_start(k, "POWER").parse::<u32>().unwrap_or(0);
            if last.1.is_none_or(|highest| number >= highest) {
                last = (k, Some(number));
            }
        }
        device.light_power = Some(last.0.to_owned());
        device.light_features.brightness = true;
        store.changes.structure_changed = true;
    }
    if !device.discovered {
        device.light_features.color_temp = device
            .light_features
            .color_temp
            .or(state.get("CT").map(|_| CT_RANGE));
        device.light_features.color |= state.get("HSBColor").is_some();
    }
    let device = &*device;
    let Some(model) = store.device_mut(&device.id) else {
        return;
    };
    let light_id = device.id.entity("light");
    if let Some(light_power) = &device.light_power {
        if model.entity(&light_id).is_none() {
            let name = model.name.clone();
            model.upsert_entity(light_entity(device, name));
            // The light's power output was a switch until the light showed itself.
            model.retain_entities(&|e| e.id != device.id.entity(light_power));
        } else if !device.discovered
            && let Some(Entity {
                kind: EntityKind::Light(light),
                ..
            }) = model.entity_mut(&light_id)
        {
            light.features = device.light_features.clone();
        }
    }
    for (key, word) in powers {
        let on = match word {
            "ON" => true,
            "OFF" => false,
            _ => continue,
        };
        if device.light_power.as_deref() == Some(key) {
            if let Some(Entity {
                kind: EntityKind::Light(light),
                ..
            }) = model.entity_mut(&light_id)
            {
                light.on = Some(on);
            }
            continue;
        }
        let id = device.id.entity(key);
        if model.entity(&id).is_none() {
            if device.discovered {
                // Discovery listed the relays; an unlisted POWER is not one of them.
                continue;
            }
            model.upsert_entity(Entity {
                target: None,
                optimistic: false,
                id: id.clone(),
                name: device.power_name(key),
                kind: EntityKind::Switch(Switch::default()),
            });
        }
        if let Some(Entity {
            kind: EntityKind::Switch(switch),
            ..
        }) = model.entity_mut(&id)
        {
            switch.on = Some(on);
        }
    }
    if let Some(Entity {
        kind: EntityKind::Light(light),
        ..
    }) = model.entity_mut(&light_id)
    {
        if let Some(d) = state.f64_at("Dimmer") {
            light.brightness = Some((d / 100.0).clamp(0.0, 1.0) as f32);
        }
        if let Some(ct) = state.f64_at("CT").filter(|ct| *ct > 0.0) {
            light.color_temp = Some(mireds(ct));
        }
        if let Some(hsb) = state.str_at("HSBColor") {
            let mut parts: Vec<f32> = Vec::new();
            for p in hsb.split(',') {
                if let Some(n) = parse_f32(p.trim()).filter(|n| n.is_finite()) {
                    parts.push(n);
                }
            }
            if let [h, s, _b] = parts.as_slice() {
                light.hue_sat = Some((*h, *s));
            }
        }
    }
}

/// The units of Tasmota's readings, one `field unit` a line; temperatures and pressures take
/// theirs from the payload instead (see `unit_for`).
const UNITS: &str = "\
Humidity %
Illuminance lx
Power W
ApparentPower VA
ReactivePower var
Voltage V
Current A
Total kWh
Today kWh
Yesterday kWh
CarbonDioxide ppm
eCO2 ppm
Distance cm
";

/// Home Assistant's device classes for Tasmota's readings, one `field class` a line. Not
/// DewPoint: it is in degrees but is not the room's temperature, and would skew a room's
/// average.
const DEVICE_CLASSES: &str = "\
Temperature temperature
Humidity humidity
Pressure pressure
SeaPressure pressure
Illuminance illuminance
Power power
ApparentPower apparent_power
ReactivePower reactive_power
Voltage voltage
Current current
Total energy
Today energy
Yesterday energy
Factor power_factor
CarbonDioxide carbon_dioxide
eCO2 carbon_dioxide
";

/// The unit Tasmota uses for a reading, given the payload's `TempUnit` / `PressureUnit`.
fn unit_for(field: &str, sensors: &Value) -> Option<String> {
    match field {
        "Temperature" | "DewPoint" => sensors.str_at("TempUnit").map(|u| format!("°{u}")),
        "Pressure" | "SeaPressure" => sensors.str_at("PressureUnit").map(str::to_owned),
        _ => text::lookup(UNITS, field).map(str::to_owned),
    }
}

fn device_class_for(field: &str) -> Option<&'static str> {
    text::lookup(DEVICE_CLASSES, field)
}

/// `tele/<t>/SENSOR`: `{"Time":"...","AM2301":{"Temperature":21.3,"Humidity":40.2},"TempUnit":"C"}`.
/// Each number inside a named sensor object becomes a sensor entity `<Sensor>.<Field>`.
fn read_sensors(id: &DeviceId, sensors: &Value, now_ms: u64, store: &mut Store<'_>) {
    let history_len = store.history_len;
    let Some(model) = store.device_mut(id) else {
        return;
    };
    let mut added = false;
    for (sensor, fields) in sensors.as_object().unwrap_or_default() {
        for (field, value) in fields.as_object().unwrap_or_default() {
            let Some(n) = value.as_f64() else {
                continue;
            };
            let entity_id: EntityId = id.entity(&format!("{sensor}.{field}"));
            if model.entity(&entity_id).is_none() {
                added = true;
                model.upsert_entity(Entity {
                    target: None,
                    optimistic: false,
                    id: entity_id.clone(),
                    name: format!("{sensor} {field}"),
                    kind: EntityKind::Sensor(Sensor {
                        unit: unit_for(field, sensors),
                        device_class: device_class_for(field).map(str::to_owned),
                        ..Sensor::default()
                    }),
                });
            }
            if let Some(Entity {
                kind: EntityKind::Sensor(sensor),
                ..
            }) = model.entity_mut(&entity_id)
            {
                sensor.value = Some(SensorValue::Number(n));
                sensor.history.push(now_ms, n, history_len);
            }
        }
    }
    if added {
        store.changes.structure_changed = true;
    }
}

#[cfg(test)]
pub(crate) mod tests;
