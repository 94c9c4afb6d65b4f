//! Zigbee2MQTT: the retained `<base>/bridge/devices` list says what each device exposes;
//! state arrives as JSON on `<base>/<friendly_name>`, commands go to `.../set`, reads to
//! `.../get`, availability on `.../availability`. Groups from `<base>/bridge/groups` are
//! addressed like devices.

use crate::color;
use crate::command::{
    Command, CommandError, CoverCommand, LightRequest, Outgoing, number_text, scale_brightness,
};
use crate::home::{Claim, Message, Store};
use crate::json::{ObjectWriter, Value};
use crate::model::{
    Availability, BinarySensor, Climate, ColorMode, Convention, Cover, CoverState, Device,
    DeviceId, Entity, EntityId, EntityKind, Fan, Light, LightFeatures, Number, Select, Sensor,
    SensorValue, Switch, mireds,
};
use crate::sorted::SortedMap;
use crate::text;

/// Access bits of an expose: "published in the state", "settable via /set", "readable via /get".
const ACCESS_STATE: u32 = 1;
const ACCESS_SET: u32 = 2;
const ACCESS_GET: u32 = 4;

/// One property of the device's state JSON, as `bridge/devices` describes it.
#[derive(Debug, Clone, PartialEq)]
struct Property {
    name: String,
    access: u32,
    value_on: Value,
    value_off: Value,
    value_min: Option<f64>,
    value_max: Option<f64>,
    value_step: Option<f64>,
    unit: Option<String>,
    /// An enum's choices.
    values: Vec<String>,
}

impl Property {
    fn from_expose(expose: &Value) -> Option<Property> {
        Some(Property {
            name: expose.str_at("property")?.to_owned(),
            access: expose.f64_at("access").map_or(ACCESS_STATE, |a| a as u32),
            value_on: expose.get("value_on").cloned().unwrap_or(Value::from("ON")),
            value_off: expose
                .get("value_off")
                .cloned()
                .unwrap_or(Value::from("OFF")),
            value_min: expose.f64_at("value_min"),
            value_max: expose.f64_at("value_max"),
            value_step: expose.f64_at("value_step"),
            unit: expose.str_at("unit").map(str::to_owned),
            values: expose
                .get("values")
                .and_then(Value::strings)
                .unwrap_or_default(),
        })
    }

    fn settable(&self) -> bool {
        self.access & ACCESS_SET != 0
    }

    fn readable(&self) -> bool {
        self.access & ACCESS_GET != 0
    }

    /// Writes the property's on or off value into a command.
    fn write_on_off(&self, payload: &mut ObjectWriter, on: bool) {
        payload.value(
            &self.name,
            if on { &self.value_on } else { &self.value_off },
        );
    }

    fn on_off(&self, value: &Value) -> Option<bool> {
        if *value == self.value_on {
            Some(true)
        } else if *value == self.value_off {
            Some(false)
        } else {
            None
        }
    }
}

/// How one entity maps onto the device's state JSON.
// There are a handful of these per device; boxing the light's properties would only add
// indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
enum Binding {
    Light {
        state: Option<Property>,
        brightness: Option<Property>,
        color_temp: Option<Property>,
        /// The property holding the colour object (`color`), and whether it takes hue and
        /// saturation (`color_hs`) rather than only xy.
        color: Option<(Property, bool)>,
        effect: Option<Property>,
    },
    Switch(Property),
    BinarySensor(Property),
    Sensor(Property),
    Number(Property),
    Select(Property),
    Cover {
        state: Option<Property>,
        position: Option<Property>,
    },
    Climate {
        setpoint: Option<Property>,
        local_temperature: Option<Property>,
        system_mode: Option<Property>,
    },
    Fan(Property),
}

impl Binding {
    /// Whether the device publishes this entity's state, rather than only taking commands.
    fn reports_state(&self) -> bool {
        let reports =
            |p: &Option<Property>| p.as_ref().is_some_and(|p| p.access & ACCESS_STATE != 0);
        match self {
            Binding::Light {
                state, brightness, ..
            } => reports(state) || reports(brightness),
            Binding::Switch(p)
            | Binding::BinarySensor(p)
            | Binding::Sensor(p)
            | Binding::Number(p)
            | Binding::Select(p)
            | Binding::Fan(p) => p.access & ACCESS_STATE != 0,
            Binding::Cover { state, position } => reports(state) || reports(position),
            Binding::Climate { setpoint, .. } => reports(setpoint),
        }
    }
}

impl Binding {
    fn properties(&self) -> Vec<&Property> {
        // Pushed one by one: an array of options flattened compiles an iterator of its own.
        let mut out = Vec::new();
        match self {
            Binding::Light {
                state,
                brightness,
                color_temp,
                color,
                effect,
            } => {
                out.extend(state);
                out.extend(brightness);
                out.extend(color_temp);
                out.extend(color.as_ref().map(|(p, _)| p));
                out.extend(effect);
            }
            Binding::Switch(p)
            | Binding::BinarySensor(p)
            | Binding::Sensor(p)
            | Binding::Number(p)
            | Binding::Select(p)
            | Binding::Fan(p) => out.push(p),
            Binding::Cover { state, position } => {
                out.extend(state);
                out.extend(position);
            }
            Binding::Climate {
                setpoint,
                local_temperature,
                system_mode,
            } => {
                out.extend(setpoint);
                out.extend(local_temperature);
                out.extend(system_mode);
            }
        }
        out
    }
}

#[derive(Debug, Clone)]
struct Exposed {
    entity: EntityId,
    binding: Binding,
}

/// A device or group as Zigbee2MQTT names it.
#[derive(Debug, Clone)]
struct Addressable {
    id: DeviceId,
    exposed: Vec<Exposed>,
    /// What the device's own availability topic last said; shown unless the bridge is down.
    availability: Availability,
    is_group: bool,
}

/// The Zigbee2MQTT adapter.
#[derive(Debug)]
pub(crate) struct Bridge {
    base: String,
    online: Option<bool>,
    /// By friendly name, which is what topics carry.
    by_name: SortedMap<String, Addressable>,
    /// The last `bridge/groups`, rebuilt whenever the devices it refers to change.
    groups: Option<Value>,
}

impl Bridge {
    pub fn new(base: String) -> Bridge {
        Bridge {
            base,
            online: None,
            by_name: SortedMap::new(),
            groups: None,
        }
    }

    pub fn subscriptions(&self) -> Vec<String> {
        vec![format!("{}/#", self.base)]
    }

    pub fn online(&self) -> Option<bool> {
        self.online
    }

    pub fn handle(&mut self, message: &Message<'_>, store: &mut Store<'_>) -> Claim {
        let Some(rest) = message
            .topic
            .strip_prefix(&self.base)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Claim::NotMine;
        };
        match rest {
            "bridge/state" => {
                match parse_online(message.payload) {
                    Some(online) => self.set_bridge_online(online, store),
                    None => {
                        store.problem(message.topic, "bridge state is neither online nor offline")
                    }
                }
                return Claim::Mine;
            }
            "bridge/devices" => {
                let devices = store.json(
                    message.topic,
                    message.payload,
                    true,
                    "bridge/devices is not a JSON array",
                );
                if let Some(devices) = devices {
                    self.read_devices(devices.as_array().unwrap_or_default(), message.topic, store);
                }
                return Claim::Mine;
            }
            "bridge/groups" => {
                let groups = store.json(
                    message.topic,
                    message.payload,
                    true,
                    "bridge/groups is not a JSON array",
                );
                if groups.is_some() {
                    self.groups = groups;
                    self.read_groups(message.topic, store);
                }
                return Claim::Mine;
            }
            // Info, events, logs and request/response traffic say nothing about devices.
            _ if rest.starts_with("bridge/") => return Claim::Mine,
            _ => {}
        }
        // Friendly names may contain `/`, so the whole rest is tried as a name first.
        if self.by_name.contains_key(rest) {
            self.read_state(rest, message, store);
            return Claim::Mine;
        }
        if let Some(name) = rest.strip_suffix("/availability")
            && self.by_name.contains_key(name)
        {
            match parse_online(message.payload) {
                Some(online) => self.set_device_online(name, online, store),
                None => store.problem(message.topic, "availability is neither online nor offline"),
            }
            return Claim::Mine;
        }
        // Commands and reads (ours or another client's) echo back on the broker.
        for suffix in ["/set", "/get"] {
            if let Some((name, _)) = text::rsplit_once(rest, suffix)
                && self.by_name.contains_key(name)
            {
                return Claim::Mine;
            }
        }
        Claim::NotMine
    }

    fn set_bridge_online(&mut self, online: bool, store: &mut Store<'_>) {
        self.online = Some(online);
        for addressable in self.by_name.values() {
            let shown = self.shown_availability(addressable);
            if let Some(device) = store.devices.get(&addressable.id)
                && device.availability != shown
                && let Some(device) = store.device_mut(&addressable.id)
            {
                device.availability = shown;
            }
        }
    }

    /// While the bridge is offline no device can be reached, whatever it last said. A group
    /// has no availability of its own and follows the bridge.
    fn shown_availability(&self, addressable: &Addressable) -> Availability {
        match self.online {
            Some(false) => Availability::Offline,
            Some(true) if addressable.is_group => Availability::Online,
            _ => addressable.availability,
        }
    }

    fn set_device_online(&mut self, name: &str, online: bool, store: &mut Store<'_>) {
        let Some(addressable) = self.by_name.get_mut(name) else {
            return;
        };
        addressable.availability = if online {
            Availability::Online
        } else {
            Availability::Offline
        };
        let Some(addressable) = self.by_name.get(name) else {
            return;
        };
        let shown = self.shown_availability(addressable);
        if let Some(device) = store.device_mut(&addressable.id) {
            device.availability = shown;
        }
    }

    fn read_devices(&mut self, devices: &[Value], topic: &str, store: &mut Store<'_>) {
        let mut seen = Vec::new();
        for device in devices {
            // The coordinator is the bridge itself; a disabled device is hidden on purpose.
            if device.str_at("type") == Some("Coordinator")
                || device.bool_at("disabled") == Some(true)
            {
                continue;
            }
            let (Some(ieee), Some(name)) = (
                device.str_at("ieee_address"),
                device.str_at("friendly_name"),
            ) else {
                store.problem(topic, "device without ieee_address or friendly_name");
                continue;
            };
            let Some(definition) = device.get("definition").filter(|d| d.as_object().is_some())
            else {
                // Not interviewed yet, or not supported by Zigbee2MQTT: nothing to show.
                continue;
            };
            let id = DeviceId::new("z2m", ieee);
            let exposes = definition.array_at("exposes");
            let exposed = read_exposes(&id, exposes);
            let previous = self
                .by_name
                .values()
                .find(|a| a.id == id)
                .map(|a| a.availability);
            self.forget(&id);
            let text =
                |v: &Value, key: &str| v.str_at(key).filter(|s| !s.is_empty()).map(str::to_owned);
            store.changes.structure_changed = true;
            let model = store.device_or_insert(&id, name, Convention::Zigbee2Mqtt);
            model.name = name.to_owned();
            model.manufacturer = text(definition, "vendor").or(text(device, "manufacturer"));
            model.model = text(definition, "model").or(text(device, "model_id"));
            model.sw_version = text(device, "software_build_id");
            model.suggested_room = text(device, "area").or(model.suggested_room.take());
            let mut entities = Vec::new();
            for e in &exposed {
                entities.push(Entity {
                    target: None,
                    id: e.entity.clone(),
                    name: entity_name(&e.binding, e.entity.key()),
                    kind: kind_of(&e.binding),
                    optimistic: !e.binding.reports_state(),
                });
            }
            model.set_entities(entities);
            let addressable = Addressable {
                id: id.clone(),
                exposed,
                availability: previous.unwrap_or_default(),
                is_group: false,
            };
            let shown = self.shown_availability(&addressable);
            model.availability = shown;
            self.by_name.insert(name.to_owned(), addressable);
            seen.push(id);
        }
        self.forget_unseen(false, &seen, store);
        // Group entities take their features from their members.
        self.read_groups(topic, store);
    }

    fn read_groups(&mut self, topic: &str, store: &mut Store<'_>) {
        // Taken out while the groups are read, and put back after.
        let Some(groups) = self.groups.take() else {
            return;
        };
        let mut seen = Vec::new();
        for group in groups.as_array().unwrap_or_default() {
            let (Some(number), Some(name)) = (group.f64_at("id"), group.str_at("friendly_name"))
            else {
                store.problem(topic, "group without id or friendly_name");
                continue;
            };
            let id = DeviceId::new("z2m", &format!("group_{}", number_text(number)));
            let mut members: Vec<DeviceId> = Vec::new();
            for m in group.array_at("members") {
                if let Some(ieee) = m.str_at("ieee_address") {
                    members.push(DeviceId::new("z2m", ieee));
                }
            }
            let binding = self.group_binding(&members);
            let entity = Entity {
                target: None,
                id: id.entity(group_key(&binding)),
                name: name.to_owned(),
                kind: kind_of(&binding),
                optimistic: !binding.reports_state(),
            };
            let exposed = vec![Exposed {
                entity: entity.id.clone(),
                binding,
            }];
            self.forget(&id);
            store.changes.structure_changed = true;
            let model = store.device_or_insert(&id, name, Convention::Zigbee2Mqtt);
            model.name = name.to_owned();
            model.model = Some("Group".into());
            model.set_entities(vec![entity]);
            let addressable = Addressable {
                id: id.clone(),
                exposed,
                availability: Availability::Unknown,
                is_group: true,
            };
            model.availability = self.shown_availability(&addressable);
            self.by_name.insert(name.to_owned(), addressable);
            seen.push(id);
        }
        self.groups = Some(groups);
        self.forget_unseen(true, &seen, store);
    }

    /// Forgets the names that lead to the device `id`, before it is read again or removed.
    fn forget(&mut self, id: &DeviceId) {
        self.by_name.retain(|_, a| &a.id != id);
    }

    /// Removes the devices (or the groups) that the latest list no longer has.
    fn forget_unseen(&mut self, groups: bool, seen: &[DeviceId], store: &mut Store<'_>) {
        let mut gone = Vec::new();
        for a in self.by_name.values() {
            if a.is_group == groups && !seen.contains(&a.id) {
                gone.push(a.id.clone());
            }
        }
        for id in gone {
            self.forget(&id);
            store.remove_device(&id);
        }
    }

    /// A group of lights is a light with every feature some member has (Zigbee2MQTT passes a
    /// group command to each member, which applies what it can); otherwise an on/off switch.
    fn group_binding(&self, members: &[DeviceId]) -> Binding {
        let mut merged: Option<Binding> = None;
        for member in self.by_name.values().filter(|a| members.contains(&a.id)) {
            for exposed in &member.exposed {
                let Binding::Light {
                    state,
                    brightness,
                    color_temp,
                    color,
                    effect,
                } = &exposed.binding
                else {
                    continue;
                };
                // Endpoint-specific properties (`state_l1`) do not exist on the group.
                let plain = |p: &Option<Property>, name: &str| p.clone().filter(|p| p.name == name);
                let state = plain(state, "state");
                let brightness = plain(brightness, "brightness");
                let color_temp = plain(color_temp, "color_temp");
                let color = color.clone().filter(|(p, _)| p.name == "color");
                let effect = plain(effect, "effect");
                match &mut merged {
                    Some(Binding::Light {
                        state: s,
                        brightness: b,
                        color_temp: ct,
                        color: c,
                        effect: fx,
                    }) => {
                        fill(s, state);
                        fill(b, brightness);
                        match (ct.as_mut(), color_temp) {
                            (Some(a), Some(b)) => {
                                a.value_min = min_opt(a.value_min, b.value_min);
                                a.value_max = max_opt(a.value_max, b.value_max);
                            }
                            (None, b) => *ct = b,
                            (Some(_), None) => {}
                        }
                        match (c.as_mut(), color) {
                            (Some((_, hs)), Some((_, other_hs))) => *hs |= other_hs,
                            (None, b) => *c = b,
                            (Some(_), None) => {}
                        }
                        fill(fx, effect);
                    }
                    // Only lights are merged, so the first member's light starts the merge.
                    _ => {
                        merged = Some(Binding::Light {
                            state,
                            brightness,
                            color_temp,
                            color,
                            effect,
                        })
                    }
                }
            }
        }
        merged.unwrap_or_else(|| {
            Binding::Switch(Property {
                name: "state".into(),
                access: ACCESS_STATE | ACCESS_SET,
                value_on: "ON".into(),
                value_off: "OFF".into(),
                value_min: None,
                value_max: None,
                value_step: None,
                unit: None,
                values: Vec::new(),
            })
        })
    }

    fn read_state(&self, name: &str, message: &Message<'_>, store: &mut Store<'_>) {
        let Some(addressable) = self.by_name.get(name) else {
            return;
        };
        let Some(state) = store.json(
            message.topic,
            message.payload,
            false,
            "device state is not a JSON object",
        ) else {
            return;
        };
        let history_len = store.history_len;
        for exposed in &addressable.exposed {
            if let Some(entity) = store.entity_mut(&exposed.entity) {
                apply_state(
                    &exposed.binding,
                    &state,
                    &mut entity.kind,
                    message.now_ms,
                    history_len,
                );
            }
        }
    }

    pub fn command(
        &self,
        device: &Device,
        entity: &Entity,
        command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        let (name, addressable) = self
            .by_name
            .iter()
            .find(|(_, a)| a.id == device.id)
            .ok_or(CommandError::UnknownEntity)?;
        let exposed = addressable
            .exposed
            .iter()
            .find(|e| e.entity == entity.id)
            .ok_or(CommandError::UnknownEntity)?;
        let mut payload = ObjectWriter::new();
        match (&exposed.binding, &entity.kind, command) {
            (_, _, Command::Refresh) => {
                for p in exposed.binding.properties() {
                    if p.readable() {
                        payload.string(&p.name, "");
                    }
                }
                if payload.is_empty() {
                    return Ok(Vec::new());
                }
                let get_topic = format!("{}/{name}/get", self.base);
                return Outgoing::new(get_topic, payload.finish()).alone();
            }
            (
                Binding::Light {
                    state,
                    brightness,
                    color_temp,
                    color,
                    effect,
                },
                EntityKind::Light(light),
                Command::Light {
                    on,
                    brightness: b,
                    color_temp: ct,
                    hue_sat,
                    effect: fx,
                },
            ) => {
                let request = LightRequest {
                    on,
                    brightness: b,
                    color_temp: ct,
                    hue_sat,
                    effect: fx,
                };
                request.check(light)?;
                let request = request.off_alone();
                if let Some(on) = request.on {
                    let state = settable(state, "switching")?;
                    state.write_on_off(&mut payload, on);
                }
                if let Some(b) = request.brightness {
                    let p = settable(brightness, "brightness")?;
                    payload.number(&p.name, scale_brightness(b, p.value_max.unwrap_or(254.0)));
                }
                if let Some(ct) = request.clamped_color_temp(light) {
                    let p = settable(color_temp, "colour temperature")?;
                    payload.number(&p.name, f64::from(ct));
                }
                if let Some((h, s)) = request.hue_sat {
                    let (p, hs) = color
                        .as_ref()
                        .filter(|(p, _)| p.settable())
                        .ok_or(CommandError::Unsupported("colour"))?;
                    let mut value = ObjectWriter::new();
                    if *hs {
                        value.number("hue", f64::from(h.round()));
                        value.number("saturation", f64::from(s.round()));
                    } else {
                        let (x, y) = color::hs_to_xy(h, s);
                        value.number("x", f64::from(x));
                        value.number("y", f64::from(y));
                    }
                    payload.object(&p.name, value);
                }
                if let Some(fx) = request.effect {
                    let p = settable(effect, "effects")?;
                    payload.string(&p.name, &fx);
                }
            }
            (Binding::Switch(p), _, Command::Switch(on))
            | (Binding::Fan(p), _, Command::Fan { on: Some(on), .. }) => {
                if !p.settable() {
                    return Err(CommandError::Unsupported("switching"));
                }
                p.write_on_off(&mut payload, on);
            }
            (Binding::Number(p), _, Command::Number(n)) => payload.number(&p.name, n),
            (Binding::Select(p), EntityKind::Select(select), Command::Select(option)) => {
                if !select.options.contains(&option) {
                    return Err(CommandError::Unsupported("this option"));
                }
                payload.string(&p.name, &option);
            }
            (Binding::Cover { state, position }, _, Command::Cover(c)) => match c {
                CoverCommand::Position(pos) => payload.number(
                    &settable(position, "cover position")?.name,
                    f64::from(pos.min(100)),
                ),
                other => {
                    let word = match other {
                        CoverCommand::Open => "OPEN",
                        CoverCommand::Close => "CLOSE",
                        _ => "STOP",
                    };
                    payload.string(&settable(state, "this cover command")?.name, word);
                }
            },
            (
                Binding::Climate {
                    setpoint,
                    system_mode,
                    ..
                },
                _,
                Command::Climate {
                    target_temperature,
                    mode,
                },
            ) => {
                if let Some(t) = target_temperature {
                    payload.number(&settable(setpoint, "target temperature")?.name, t);
                }
                if let Some(mode) = mode {
                    payload.string(&settable(system_mode, "mode")?.name, &mode);
                }
            }
            (Binding::Sensor(_) | Binding::BinarySensor(_), _, _) => {
                return Err(CommandError::ReadOnly);
            }
            _ => return Err(CommandError::WrongKind),
        };
        if payload.is_empty() {
            return Ok(Vec::new());
        }
        let set_topic = format!("{}/{name}/set", self.base);
        Outgoing::new(set_topic, payload.finish()).alone()
    }
}

/// The property when it can be set; by reference, as only its name and a value are taken.
fn settable<'p>(p: &'p Option<Property>, what: &'static str) -> Result<&'p Property, CommandError> {
    p.as_ref()
        .filter(|p| p.settable())
        .ok_or(CommandError::Unsupported(what))
}

/// Sets an unset group property to a member's.
fn fill(slot: &mut Option<Property>, member: Option<Property>) {
    if slot.is_none() {
        *slot = member;
    }
}

fn min_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn max_opt(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// Availability (and bridge state) comes as `{"state":"online"}` since 2.0 and as plain
/// `online` before; both are read.
fn parse_online(payload: &[u8]) -> Option<bool> {
    let parsed = Value::parse(payload);
    let text = match &parsed {
        Ok(v) => v.str_at("state"),
        Err(_) => core::str::from_utf8(payload).ok().map(str::trim),
    };
    match text? {
        "online" => Some(true),
        "offline" => Some(false),
        _ => None,
    }
}

fn group_key(binding: &Binding) -> &'static str {
    if matches!(binding, Binding::Light { .. }) {
        "light"
    } else {
        "switch"
    }
}

fn with_endpoint(base: &str, expose: &Value) -> String {
    match expose.str_at("endpoint") {
        Some(endpoint) => format!("{base}_{endpoint}"),
        None => base.to_owned(),
    }
}

/// Reads `definition.exposes` into entities. Specific exposes (light, switch, cover, climate,
/// fan) nest their features; generic ones (numeric, binary, enum, text) stand alone.
fn read_exposes(device: &DeviceId, exposes: &[Value]) -> Vec<Exposed> {
    let mut out = Vec::new();
    let effect = exposes
        .iter()
        .find(|e| e.str_at("type") == Some("enum") && e.str_at("property") == Some("effect"))
        .and_then(Property::from_expose);
    for expose in exposes {
        let features = expose.array_at("features");
        let feature = |name: &str| {
            features
                .iter()
                .find(|f| f.str_at("name") == Some(name))
                .and_then(Property::from_expose)
        };
        let binding = match expose.str_at("type") {
            Some("light") => {
                Binding::Light {
                    state: feature("state"),
                    brightness: feature("brightness"),
                    color_temp: feature("color_temp"),
                    color: feature("color_hs")
                        .map(|p| (p, true))
                        .or_else(|| feature("color_xy").map(|p| (p, false))),
                    // The effect enum sits beside the light, not inside it.
                    effect: if expose.get("endpoint").is_none() {
                        effect.clone()
                    } else {
                        None
                    },
                }
            }
            Some("switch") => match feature("state") {
                Some(p) => Binding::Switch(p),
                None => continue,
            },
            Some("cover") => Binding::Cover {
                state: feature("state"),
                position: feature("position"),
            },
            Some("climate") => Binding::Climate {
                setpoint: feature("occupied_heating_setpoint")
                    .or_else(|| feature("current_heating_setpoint"))
                    .or_else(|| feature("occupied_cooling_setpoint")),
                local_temperature: feature("local_temperature"),
                system_mode: feature("system_mode"),
            },
            Some("fan") => match feature("fan_state").or_else(|| feature("state")) {
                Some(p) => Binding::Fan(p),
                None => continue,
            },
            Some("numeric") => match Property::from_expose(expose) {
                Some(p) if p.settable() => Binding::Number(p),
                Some(p) => Binding::Sensor(p),
                None => continue,
            },
            Some("binary") => match Property::from_expose(expose) {
                Some(p) if p.settable() => Binding::Switch(p),
                Some(p) => Binding::BinarySensor(p),
                None => continue,
            },
            Some("enum") => match Property::from_expose(expose) {
                // The light's effect list, read above.
                Some(p)
                    if p.name == "effect"
                        && exposes.iter().any(|e| e.str_at("type") == Some("light")) =>
                {
                    continue;
                }
                // Write-only enums (identify, effect without a light) have no state to show.
                Some(p) if p.settable() && p.access & ACCESS_STATE != 0 => Binding::Select(p),
                Some(p) if p.access & ACCESS_STATE != 0 => Binding::Sensor(p),
                _ => continue,
            },
            Some("text") => match Property::from_expose(expose) {
                Some(p) if p.access & ACCESS_STATE != 0 => Binding::Sensor(p),
                _ => continue,
            },
            // Locks, composites and lists are not modelled yet.
            _ => continue,
        };
        let key = match &binding {
            // A switch expose's plain `state` is the switch; other generic properties are
            // keyed by their own name.
            Binding::Switch(p)
            | Binding::BinarySensor(p)
            | Binding::Sensor(p)
            | Binding::Number(p)
            | Binding::Select(p) => {
                if p.name == "state" && expose.str_at("type") == Some("switch") {
                    "switch".to_owned()
                } else {
                    p.name.clone()
                }
            }
            // Specific exposes are keyed by their kind, and endpoint if they have one.
            other => {
                let kind = match other {
                    Binding::Light { .. } => "light",
                    Binding::Cover { .. } => "cover",
                    Binding::Climate { .. } => "climate",
                    _ => "fan",
                };
                with_endpoint(kind, expose)
            }
        };
        if out.iter().any(|e: &Exposed| e.entity.key() == key) {
            continue;
        }
        out.push(Exposed {
            entity: device.entity(&key),
            binding,
        });
    }
    out
}

fn entity_name(binding: &Binding, key: &str) -> String {
    // The key's word for the entity, and how the name says it.
    let (word, name) = match binding {
        Binding::Light { .. } => ("light", "Light"),
        Binding::Cover { .. } => ("cover", "Cover"),
        Binding::Climate { .. } => ("thermostat", "Thermostat"),
        Binding::Fan(_) => ("fan", "Fan"),
        _ => ("", ""),
    };
    let words = if word.is_empty() {
        key.replace('_', " ")
    } else {
        text::replace_first(key, word, name).replace('_', " ")
    };
    let mut chars = words.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}

/// Home Assistant's device classes for the generic numeric and binary properties Zigbee2MQTT
/// names, one `property class` a line.
const DEVICE_CLASSES: &str = "\
temperature temperature
local_temperature temperature
device_temperature temperature
humidity humidity
pressure pressure
battery battery
illuminance illuminance
illuminance_lux illuminance
power power
energy energy
voltage voltage
current current
co2 carbon_dioxide
occupancy occupancy
presence occupancy
contact door
water_leak moisture
smoke smoke
";

fn device_class(property: &str) -> Option<String> {
    text::lookup(DEVICE_CLASSES, property).map(str::to_owned)
}

fn kind_of(binding: &Binding) -> EntityKind {
    match binding {
        Binding::Light {
            brightness,
            color_temp,
            color,
            effect,
            ..
        } => EntityKind::Light(Light {
            features: LightFeatures {
                brightness: brightness.as_ref().is_some_and(Property::settable),
                color_temp: color_temp.as_ref().filter(|p| p.settable()).map(|p| {
                    (
                        mireds(p.value_min.unwrap_or(153.0)),
                        mireds(p.value_max.unwrap_or(500.0)),
                    )
                }),
                color: color.as_ref().is_some_and(|(p, _)| p.settable()),
                effects: effect
                    .as_ref()
                    .map(|p| p.values.clone())
                    .unwrap_or_default(),
            },
            ..Light::default()
        }),
        Binding::Switch(_) => EntityKind::Switch(Switch::default()),
        Binding::BinarySensor(p) => EntityKind::BinarySensor(BinarySensor {
            on: None,
            device_class: device_class(&p.name),
        }),
        Binding::Sensor(p) => EntityKind::Sensor(Sensor {
            unit: p.unit.clone(),
            device_class: device_class(&p.name),
            ..Sensor::default()
        }),
        Binding::Number(p) => EntityKind::Number(Number {
            value: None,
            min: p.value_min,
            max: p.value_max,
            step: p.value_step,
            unit: p.unit.clone(),
        }),
        Binding::Select(p) => EntityKind::Select(Select {
            value: None,
            options: p.values.clone(),
        }),
        Binding::Cover { position, .. } => EntityKind::Cover(Cover {
            can_set_position: position.as_ref().is_some_and(Property::settable),
            can_stop: true,
            ..Cover::default()
        }),
        Binding::Climate {
            setpoint,
            system_mode,
            ..
        } => EntityKind::Climate(Climate {
            modes: system_mode
                .as_ref()
                .map(|p| p.values.clone())
                .unwrap_or_default(),
            min_temp: setpoint.as_ref().and_then(|p| p.value_min).unwrap_or(5.0),
            max_temp: setpoint.as_ref().and_then(|p| p.value_max).unwrap_or(30.0),
            temp_step: 0.5,
            unit: Some("°C".into()),
            ..Climate::default()
        }),
        Binding::Fan(_) => EntityKind::Fan(Fan::default()),
    }
}

fn apply_state(
    binding: &Binding,
    state: &Value,
    kind: &mut EntityKind,
    now_ms: u64,
    history_len: usize,
) {
    let get = |p: &Option<Property>| p.as_ref().and_then(|p| state.get(&p.name));
    match (binding, kind) {
        (
            Binding::Light {
                state: on,
                brightness,
                color_temp,
                color,
                effect,
            },
            EntityKind::Light(light),
        ) => {
            if let (Some(p), Some(v)) = (on, get(on)) {
                light.on = p.on_off(v).or(light.on);
            }
            if let (Some(p), Some(v)) = (brightness, get(brightness).and_then(Value::as_f64)) {
                light.brightness =
                    Some((v / p.value_max.unwrap_or(254.0).max(1.0)).clamp(0.0, 1.0) as f32);
            }
            if let Some(v) = get(color_temp).and_then(Value::as_f64).filter(|v| *v > 0.0) {
                light.color_temp = Some(mireds(v));
            }
            if let Some(c) = color.as_ref().and_then(|(p, _)| state.get(&p.name)) {
                // Zigbee2MQTT reports both forms when it can; hue and saturation are exact.
                let hs = match (c.f64_at("hue"), c.f64_at("saturation")) {
                    (Some(h), Some(s)) => Some((h as f32, s as f32)),
                    _ => match (c.f64_at("x"), c.f64_at("y")) {
                        (Some(x), Some(y)) => color::xy_to_hs(x as f32, y as f32),
                        _ => None,
                    },
                };
                light.hue_sat = hs.or(light.hue_sat);
            }
            if let Some(fx) = get(effect).and_then(Value::as_str) {
                light.effect = Some(fx.to_owned());
            }
            if let Some(mode) = state.str_at("color_mode").and_then(ColorMode::from_name) {
                light.color_mode = Some(mode);
            }
        }
        (Binding::Switch(p), EntityKind::Switch(switch)) => {
            if let Some(v) = state.get(&p.name) {
                switch.on = p.on_off(v).or(switch.on);
            }
        }
        (Binding::Fan(p), EntityKind::Fan(fan)) => {
            if let Some(v) = state.get(&p.name) {
                fan.on = p.on_off(v).or(fan.on);
            }
        }
        (Binding::BinarySensor(p), EntityKind::BinarySensor(sensor)) => {
            if let Some(v) = state.get(&p.name) {
                // Generic binary exposes default to booleans, not ON/OFF.
                sensor.on = p.on_off(v).or(v.as_bool()).or(sensor.on);
            }
        }
        (Binding::Sensor(p), EntityKind::Sensor(sensor)) => match state.get(&p.name) {
            Some(Value::Number(n)) => {
                sensor.value = Some(SensorValue::Number(*n));
                sensor.history.push(now_ms, *n, history_len);
            }
            Some(Value::String(s)) => sensor.value = Some(SensorValue::Text(s.clone())),
            _ => {}
        },
        (Binding::Number(p), EntityKind::Number(number)) => {
            if let Some(n) = state.f64_at(&p.name) {
                number.value = Some(n);
            }
        }
        (Binding::Select(p), EntityKind::Select(select)) => {
            if let Some(s) = state.str_at(&p.name) {
                select.value = Some(s.to_owned());
            }
        }
        (Binding::Cover { state: s, position }, EntityKind::Cover(cover)) => {
            if let Some(word) = get(s).and_then(Value::as_str) {
                cover.state = match word {
                    "OPEN" => Some(CoverState::Open),
                    "CLOSE" | "CLOSED" => Some(CoverState::Closed),
                    "STOP" => Some(CoverState::Stopped),
                    _ => cover.state,
                };
            }
            if let Some(p) = get(position).and_then(Value::as_f64) {
                cover.position = Some(p.round().clamp(0.0, 100.0) as u8);
            }
        }
        (
            Binding::Climate {
                setpoint,
                local_temperature,
                system_mode,
            },
            EntityKind::Climate(climate),
        ) => {
            if let Some(t) = get(setpoint).and_then(Value::as_f64) {
                climate.target_temperature = Some(t);
            }
            if let Some(t) = get(local_temperature).and_then(Value::as_f64) {
                climate.current_temperature = Some(t);
            }
            if let Some(mode) = get(system_mode).and_then(Value::as_str) {
                climate.mode = Some(mode.to_owned());
            }
        }
        _ => {}
    }
}

#[cfg(test)]
pub(crate) mod tests;
