//! Homie 4 (`homie/<device>/$homie`, one retained topic per attribute) and Homie 5
//! (`homie/5/<device>/$state` and one retained JSON `$description`). Both describe devices as
//! nodes of typed properties; a property's value is its own topic and is set on `.../set`.
//!
//! A property becomes an entity by its datatype and whether it is settable. A node that has a
//! settable power switch together with a brightness, colour or colour temperature becomes one
//! light instead, since that is what a lamp looks like in Homie.

use crate::color;
use crate::command::{Command, CommandError, LightRequest, Outgoing, clamp_between, number_text};
use crate::home::{Claim, Message, Store};
use crate::json::Value;
use crate::model::{
    Availability, BinarySensor, Convention, Device, DeviceId, Entity, EntityKind, Light,
    LightFeatures, Number, Select, Sensor, SensorValue, Switch, mireds,
};
use crate::number::{parse_f32, parse_finite as parse_number};
use crate::sorted::SortedMap;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Datatype {
    Integer,
    Float,
    Boolean,
    String,
    Enum,
    Color,
    /// Homie 5's `datetime`, `duration` and anything newer: shown as text.
    Other,
}

impl Datatype {
    fn parse(text: &str) -> Datatype {
        match text {
            "integer" => Datatype::Integer,
            "float" => Datatype::Float,
            "boolean" => Datatype::Boolean,
            "string" => Datatype::String,
            "enum" => Datatype::Enum,
            "color" => Datatype::Color,
            _ => Datatype::Other,
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Datatype::Integer | Datatype::Float)
    }
}

/// One property as the device describes it.
#[derive(Debug, Clone, PartialEq)]
struct PropertyDescription {
    node: String,
    id: String,
    name: Option<String>,
    datatype: Datatype,
    format: Option<String>,
    settable: bool,
    retained: bool,
    unit: Option<String>,
}

impl PropertyDescription {
    /// `/<node>/<property>`, the part after the device's topic.
    fn path(&self) -> String {
        format!("{}/{}", self.node, self.id)
    }

    /// Whether `path` is this property's `path()`, compared without writing the path out.
    fn is_at(&self, path: &str) -> bool {
        path.strip_prefix(self.node.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            == Some(self.id.as_str())
    }

    /// `min:max` (and Homie 5's `min:max:step`) of a numeric format; either end may be absent.
    fn range(&self) -> (Option<f64>, Option<f64>, Option<f64>) {
        let Some(format) = self.format.as_deref() else {
            return (None, None, None);
        };
        let mut parts = format.split(':');
        let mut next = || parts.next().and_then(parse_number);
        (next(), next(), next())
    }

    /// Values of an enum: a comma list (Homie 4 escapes a comma in a value as `,,`).
    fn options(&self) -> Vec<String> {
        let Some(format) = self.format.as_deref() else {
            return Vec::new();
        };
        let mut options = Vec::new();
        let mut current = String::new();
        let mut chars = format.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ',' {
                if chars.peek() == Some(&',') {
                    chars.next();
                    current.push(',');
                } else {
                    options.push(std::mem::take(&mut current));
                }
            } else {
                current.push(c);
            }
        }
        options.push(current);
        options.retain(|o| !o.is_empty());
        options
    }

    /// Which colour formats the property takes, in the order listed.
    fn color_formats(&self) -> Vec<&str> {
        let mut formats = Vec::new();
        for format in self.format.as_deref().unwrap_or("rgb").split(',') {
            formats.push(format.trim());
        }
        formats
    }
}

/// One node as the device describes it.
#[derive(Debug, Clone, PartialEq)]
struct NodeDescription {
    id: String,
    name: Option<String>,
    node_type: Option<String>,
    properties: Vec<PropertyDescription>,
}

/// How an entity maps onto its properties.
// A handful per device; boxing the light's properties would only add indirection.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
enum Binding {
    Property(PropertyDescription),
    Light {
        power: Option<PropertyDescription>,
        brightness: Option<PropertyDescription>,
        color: Option<PropertyDescription>,
        color_temp: Option<PropertyDescription>,
    },
}

impl Binding {
    fn properties(&self) -> Vec<&PropertyDescription> {
        match self {
            Binding::Property(p) => vec![p],
            Binding::Light {
                power,
                brightness,
                color,
                color_temp,
            } => {
                let mut out = Vec::new();
                out.extend(power);
                out.extend(brightness);
                out.extend(color);
                out.extend(color_temp);
                out
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Version {
    V4,
    V5,
}

/// One Homie device: what it has said so far, in any order.
#[derive(Debug, Clone)]
struct HomieDevice {
    version: Version,
    /// Homie 4: attribute topics relative to the device (`$name`, `light/$properties`,
    /// `light/power/$datatype`), kept until the description is complete enough to read.
    attributes: SortedMap<String, String>,
    /// Homie 5: the parsed `$description`.
    description: Option<Value>,
    state: Option<String>,
    /// Last value per property path (`light/power`), also for properties not yet described.
    values: SortedMap<String, String>,
    targets: SortedMap<String, String>,
    bindings: Vec<(String, Binding)>,
}

impl HomieDevice {
    fn new(version: Version) -> HomieDevice {
        HomieDevice {
            version,
            attributes: SortedMap::new(),
            description: None,
            state: None,
            values: SortedMap::new(),
            targets: SortedMap::new(),
            bindings: Vec::new(),
        }
    }

    /// Whether the device has announced itself (`$homie` 3.x/4.x, or a Homie 5 description).
    fn announced(&self) -> bool {
        match self.version {
            Version::V4 => self
                .attributes
                .get("$homie")
                .is_some_and(|v| v.starts_with('4') || v.starts_with('3')),
            Version::V5 => self.description.is_some(),
        }
    }

    fn name(&self) -> Option<String> {
        match self.version {
            Version::V4 => self.attributes.get("$name").cloned(),
            Version::V5 => self
                .description
                .as_ref()
                .and_then(|d| d.str_at("name"))
                .map(str::to_owned),
        }
    }

    /// The nodes, from whichever form the version uses.
    fn nodes(&self) -> Vec<NodeDescription> {
        let mut nodes = Vec::new();
        match self.version {
            Version::V4 => {
                let attr = |path: String| self.attributes.get(&path).map(String::as_str);
                let list = self.attributes.get("$nodes").map_or("", String::as_str);
                for node in list.split(',') {
                    let node = node.trim();
                    if node.is_empty() || node.ends_with("[]") {
                        continue;
                    }
                    let mut properties = Vec::new();
                    let ids = attr(format!("{node}/$properties")).unwrap_or_default();
                    let owned = |text: Option<&str>| text.map(str::to_owned);
                    for id in ids.split(',') {
                        let id = id.trim();
                        if id.is_empty() {
                            continue;
                        }
                        let p = |a: &str| attr(format!("{node}/{id}/${a}"));
                        properties.push(PropertyDescription {
                            node: node.to_owned(),
                            id: id.to_owned(),
                            name: owned(p("name")),
                            datatype: Datatype::parse(p("datatype").unwrap_or("string")),
                            format: owned(p("format")),
                            settable: p("settable") == Some("true"),
                            retained: p("retained") != Some("false"),
                            unit: owned(p("unit")),
                        });
                    }
                    nodes.push(NodeDescription {
                        id: node.to_owned(),
                        name: owned(attr(format!("{node}/$name"))),
                        node_type: owned(attr(format!("{node}/$type"))),
                        properties,
                    });
                }
            }
            Version::V5 => {
                let described = self
                    .description
                    .as_ref()
                    .and_then(|d| d.get("nodes"))
                    .and_then(Value::as_object);
                for (node, n) in described.unwrap_or_default() {
                    let text = |v: &Value, key: &str| v.str_at(key).map(str::to_owned);
                    let mut properties = Vec::new();
                    let described = n.get("properties").and_then(Value::as_object);
                    for (id, p) in described.unwrap_or_default() {
                        properties.push(PropertyDescription {
                            node: node.clone(),
                            id: id.clone(),
                            name: text(p, "name"),
                            datatype: Datatype::parse(p.str_at("datatype").unwrap_or("string")),
                            format: text(p, "format"),
                            settable: p.bool_at("settable").unwrap_or(false),
                            retained: p.bool_at("retained").unwrap_or(true),
                            unit: text(p, "unit"),
                        });
                    }
                    nodes.push(NodeDescription {
                        id: node.clone(),
                        name: text(n, "name"),
                        node_type: text(n, "type"),
                        properties,
                    });
                }
            }
        }
        nodes
    }
}

/// The Homie adapter, both versions.
#[derive(Debug)]
pub(crate) struct Homie {
    root: String,
    /// By device id, separately per version (a Homie 4 device may be called `5` only in theory).
    v4: SortedMap<String, HomieDevice>,
    v5: SortedMap<String, HomieDevice>,
}

impl Homie {
    pub fn new(root: String) -> Homie {
        Homie {
            root,
            v4: SortedMap::new(),
            v5: SortedMap::new(),
        }
    }

    pub fn subscriptions(&self) -> Vec<String> {
        // One filter covers Homie 4 (`homie/<device>/...`) and Homie 5 (`homie/5/<device>/...`).
        vec![format!("{}/#", self.root)]
    }

    pub fn handle(&mut self, message: &Message<'_>, store: &mut Store<'_>) -> Claim {
        let Some(rest) = message
            .topic
            .strip_prefix(&self.root)
            .and_then(|r| r.strip_prefix('/'))
        else {
            return Claim::NotMine;
        };
        let (version, rest) = match rest.strip_prefix("5/") {
            Some(rest) => (Version::V5, rest),
            None => (Version::V4, rest),
        };
        let Some((device, path)) = rest.split_once('/') else {
            return Claim::Mine;
        };
        // Broadcasts address every device; nothing to read into the model.
        if device.starts_with('$') || device.is_empty() {
            return Claim::Mine;
        }
        let text = match core::str::from_utf8(message.payload) {
            Ok(text) => text,
            Err(_) => {
                store.problem(message.topic, "payload is not UTF-8");
                return Claim::Mine;
            }
        };
        let devices = match version {
            Version::V4 => &mut self.v4,
            Version::V5 => &mut self.v5,
        };
        let homie = devices.get_or_insert_with(device.to_owned(), || HomieDevice::new(version));
        // The path's levels. Every message with more than three is one to leave alone (alerts,
        // logs, and what nothing here reads).
        let mut levels = [""; 3];
        let mut count = 0;
        for level in path.split('/') {
            let Some(slot) = levels.get_mut(count) else {
                return Claim::Mine;
            };
            *slot = level;
            count += 1;
        }
        let segments = &levels[..count];
        let mut restructure = false;
        // The property whose value or target arrived, and whether it is a new reading.
        let mut touched: Option<(String, bool)> = None;
        match (version, segments) {
            (_, ["$state"]) => homie.state = (!text.is_empty()).then(|| text.to_owned()),
            (Version::V5, ["$description"]) => {
                if text.is_empty() {
                    homie.description = None;
                } else {
                    match Value::parse(message.payload) {
                        Ok(d)
                            if d.get("nodes").is_some_and(|n| n.as_object().is_some())
                                || d.get("homie").is_some() =>
                        {
                            homie.description = Some(d);
                        }
                        Ok(_) => {
                            store.problem(message.topic, "description is not a Homie 5 description")
                        }
                        Err(e) => store.problem(message.topic, e.message()),
                    }
                }
                restructure = true;
            }
            (Version::V5, [_, _, "$target"]) => {
                // `<node>/<property>`: the path without its last level.
                let property = path.strip_suffix("/$target").unwrap_or(path).to_owned();
                if text.is_empty() {
                    homie.targets.remove(&property);
                } else {
                    homie.targets.insert(property.clone(), text.to_owned());
                }
                touched = Some((property, false));
            }
            // Commands echoed back, alerts and logs (Homie 5), statistics and firmware (Homie 4).
            (_, [_, _, "set"]) | (Version::V5, ["$alert" | "$log", ..]) => return Claim::Mine,
            (Version::V4, [attribute]) if attribute.starts_with('$') => {
                if matches!(*attribute, "$homie" | "$name" | "$nodes") {
                    set_attribute(&mut homie.attributes, path, text);
                    restructure = true;
                }
            }
            // A node's (`<node>/$name`) or a property's (`<node>/<property>/$datatype`)
            // attribute, kept by its path.
            (Version::V4, [levels @ .., attribute])
                if levels.len() <= 2
                    && attribute.starts_with('$')
                    && levels.iter().all(|level| !level.starts_with('$')) =>
            {
                set_attribute(&mut homie.attributes, path, text);
                restructure = true;
            }
            (_, [node, property]) if !node.starts_with('$') && !property.starts_with('$') => {
                let property = path.to_owned();
                homie.values.insert(property.clone(), text.to_owned());
                // A value that reaches its target ends the move.
                if homie.targets.get(&property).is_some_and(|t| t == text) {
                    homie.targets.remove(&property);
                }
                touched = Some((property, true));
            }
            _ => return Claim::Mine,
        }
        let id = device_id(version, device);
        let rebuilt = restructure || !store.devices.contains_key(&id);
        if rebuilt {
            rebuild(homie, version, device, &id, store);
        }
        let homie = &*homie;
        if let Some(model) = store.devices.get(&id) {
            let availability = availability_of(homie.state.as_deref());
            if model.availability != availability
                && let Some(model) = store.device_mut(&id)
            {
                model.availability = availability;
            }
        }
        if rebuilt {
            apply_values(homie, &homie.bindings, &id, None, message.now_ms, store);
        } else if let Some((property, reading)) = touched {
            apply_values(
                homie,
                &homie.bindings,
                &id,
                Some((&property, reading)),
                message.now_ms,
                store,
            );
        }
        Claim::Mine
    }
}

/// Reads the device's description into entities (or removes the device when it withdrew its
/// announcement), and remembers which entity reads which property.
fn rebuild(
    homie: &mut HomieDevice,
    version: Version,
    device: &str,
    id: &DeviceId,
    store: &mut Store<'_>,
) {
    if !homie.announced() {
        store.remove_device(id);
        homie.bindings.clear();
        return;
    }
    let convention = if version == Version::V4 {
        Convention::Homie4
    } else {
        Convention::Homie5
    };
    let device_name = homie.name().unwrap_or_else(|| device.to_owned());
    let mut entities = Vec::new();
    let mut bindings = Vec::new();
    for NodeDescription {
        id: node,
        name: node_name,
        node_type,
        properties,
    } in homie.nodes()
    {
        let (light, rest) = light_of(node_type.as_deref(), properties);
        if let Some(binding) = light {
            let key = node.clone();
            let name = node_name.clone().unwrap_or_else(|| device_name.clone());
            entities.push(Entity {
                id: id.entity(&key),
                name,
                kind: kind_of(&binding),
                target: None,
                optimistic: false,
            });
            bindings.push((key, binding));
        }
        for p in rest {
            let key = p.path();
            let name = p.name.clone().unwrap_or_else(|| p.id.clone());
            let binding = Binding::Property(p);
            entities.push(Entity {
                id: id.entity(&key),
                name,
                kind: kind_of(&binding),
                target: None,
                optimistic: false,
            });
            bindings.push((key, binding));
        }
    }
    store.changes.structure_changed = true;
    let model = store.device_or_insert(id, &device_name, convention);
    model.name = device_name;
    model.set_entities(entities);
    homie.bindings = bindings;
}

impl Homie {
    pub fn command(
        &self,
        device: &Device,
        entity: &Entity,
        command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        let (devices, prefix) = match device.convention {
            Convention::Homie5 => (&self.v5, format!("{}/5", self.root)),
            _ => (&self.v4, self.root.clone()),
        };
        let (name, homie) = devices
            .iter()
            .find(|(name, homie)| device_id(homie.version, name) == device.id)
            .ok_or(CommandError::UnknownEntity)?;
        let binding = homie
            .bindings
            .iter()
            .find(|(key, _)| device.id.entity(key) == entity.id)
            .map(|(_, b)| b)
            .ok_or(CommandError::UnknownEntity)?;
        let set = |p: &PropertyDescription, payload: String| {
            let mut out = Outgoing::new(format!("{prefix}/{name}/{}/set", p.path()), payload);
            // "Controllers setting values for Non-retained device properties should publish to
            // the Property /set topic with a QoS of At most once (QoS 0)"; otherwise QoS 1, the
            // convention's recommendation. /set is never retained.
            out.qos = if p.retained { 1 } else { 0 };
            out
        };
        match (binding, &entity.kind, command) {
            (_, _, Command::Refresh) => Ok(Vec::new()),
            (Binding::Property(p), _, _) if !p.settable => Err(CommandError::ReadOnly),
            (Binding::Property(p), EntityKind::Switch(_), Command::Switch(on)) => {
                set(p, bool_text(on)).alone()
            }
            (Binding::Property(p), EntityKind::Number(n), Command::Number(value)) => {
                let value = clamp_between(value, n.min, n.max);
                let value = if p.datatype == Datatype::Integer {
                    value.round()
                } else {
                    value
                };
                set(p, number_text(value)).alone()
            }
            (Binding::Property(p), EntityKind::Select(s), Command::Select(option)) => {
                if !s.options.contains(&option) {
                    return Err(CommandError::Unsupported("this option"));
                }
                set(p, option).alone()
            }
            (
                Binding::Property(p),
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
                match request.hue_sat {
                    Some((h, s)) => set(p, color_payload(p, homie.version, h, s, 1.0)).alone(),
                    None => Err(CommandError::Unsupported("switching")),
                }
            }
            (
                Binding::Light {
                    power,
                    brightness,
                    color,
                    color_temp,
                },
                EntityKind::Light(light),
                Command::Light {
                    on,
                    brightness: b,
                    color_temp: ct,
                    hue_sat,
                    effect,
                },
            ) => {
                let request = LightRequest {
                    on,
                    brightness: b,
                    color_temp: ct,
                    hue_sat,
                    effect,
                };
                request.check(light)?;
                let request = request.off_alone();
                let mut out = Vec::new();
                if let Some(b) = request.brightness {
                    let p = settable(brightness, "brightness")?;
                    out.push(set(p, number_text(scale_to_range(p, f64::from(b)))));
                }
                if let Some(ct) = request.clamped_color_temp(light) {
                    let p = settable(color_temp, "colour temperature")?;
                    let value = if p.unit.as_deref() == Some("K") {
                        (1e6 / f64::from(ct.max(1))).round()
                    } else {
                        f64::from(ct)
                    };
                    // Mireds rounded from the device's kelvin range can land just outside it
                    // when turned back into kelvin (455 mireds is 2198 K for a 2200 K lamp).
                    let (low, high, _) = p.range();
                    let value = value
                        .max(low.unwrap_or(f64::MIN))
                        .min(high.unwrap_or(f64::MAX));
                    out.push(set(p, number_text(value)));
                }
                if let Some((h, s)) = request.hue_sat {
                    let p = settable(color, "colour")?;
                    let v = request.brightness.or(light.brightness).unwrap_or(1.0);
                    out.push(set(p, color_payload(p, homie.version, h, s, v)));
                }
                if let Some(on) = request.on {
                    let p = settable(power, "switching")?;
                    out.push(set(p, bool_text(on)));
                }
                Ok(out)
            }
            (Binding::Property(_), EntityKind::Sensor(_) | EntityKind::BinarySensor(_), _) => {
                Err(CommandError::ReadOnly)
            }
            _ => Err(CommandError::WrongKind),
        }
    }
}

fn set_attribute(attributes: &mut SortedMap<String, String>, key: &str, value: &str) {
    // An empty retained payload deletes the topic, and with it the attribute.
    if value.is_empty() {
        attributes.remove(key);
    } else {
        attributes.insert(key.to_owned(), value.to_owned());
    }
}

fn device_id(version: Version, id: &str) -> DeviceId {
    match version {
        Version::V4 => DeviceId::new("homie", id),
        Version::V5 => DeviceId::new("homie5", id),
    }
}

/// `ready` and `alert` (Homie 4) run; `sleeping` devices keep their retained state and take
/// commands when they wake, so they count as online too; `disconnected` and `lost` do not.
fn availability_of(state: Option<&str>) -> Availability {
    match state {
        Some("ready" | "alert" | "sleeping") => Availability::Online,
        Some("disconnected" | "lost") => Availability::Offline,
        _ => Availability::Unknown,
    }
}

const POWER_IDS: &[&str] = &["power", "on", "state", "switch"];
const BRIGHTNESS_IDS: &[&str] = &["brightness", "dimmer", "level", "intensity"];
const COLOR_TEMP_IDS: &[&str] = &[
    "color-temperature",
    "colour-temperature",
    "color-temp",
    "colortemp",
    "ct",
];

/// Splits a node's properties into a light (when the node looks like one) and the rest.
fn light_of(
    node_type: Option<&str>,
    properties: Vec<PropertyDescription>,
) -> (Option<Binding>, Vec<PropertyDescription>) {
    let find = |ids: &[&str], ok: fn(&PropertyDescription) -> bool| {
        properties
            .iter()
            .find(|p| p.settable && ids.contains(&p.id.as_str()) && ok(p))
            .cloned()
    };
    let power = find(POWER_IDS, |p| p.datatype == Datatype::Boolean);
    let brightness = find(BRIGHTNESS_IDS, |p| p.datatype.numeric());
    let color_temp = find(COLOR_TEMP_IDS, |p| p.datatype.numeric());
    let color = properties
        .iter()
        .find(|p| p.settable && p.datatype == Datatype::Color)
        .cloned();
    let typed_light = node_type.is_some_and(|t| {
        let t = t.to_ascii_lowercase();
        text::contains(&t, "light") || text::contains(&t, "lamp")
    });
    let is_light = power.is_some()
        && (brightness.is_some() || color.is_some() || color_temp.is_some() || typed_light);
    if !is_light {
        return (None, properties);
    }
    let used = [&power, &brightness, &color, &color_temp];
    let mut rest = Vec::new();
    for p in properties {
        if !used
            .iter()
            .any(|u| u.as_ref().is_some_and(|u| u.id == p.id))
        {
            rest.push(p);
        }
    }
    (
        Some(Binding::Light {
            power,
            brightness,
            color,
            color_temp,
        }),
        rest,
    )
}

/// Home Assistant's device classes for property ids that name them, one `id class` a line.
const DEVICE_CLASSES: &str = "\
temperature temperature
humidity humidity
pressure pressure
battery battery
illuminance illuminance
power power
energy energy
voltage voltage
current current
co2 carbon_dioxide
motion occupancy
occupancy occupancy
contact door
door door
window door
";

fn device_class(id: &str) -> Option<String> {
    text::lookup(DEVICE_CLASSES, id).map(str::to_owned)
}

fn kind_of(binding: &Binding) -> EntityKind {
    match binding {
        Binding::Light {
            brightness,
            color,
            color_temp,
            ..
        } => EntityKind::Light(Light {
            features: LightFeatures {
                brightness: brightness.is_some(),
                color_temp: color_temp.as_ref().map(|p| {
                    let (low, high, _) = p.range();
                    let to_mireds = |v: f64| {
                        let m = if p.unit.as_deref() == Some("K") {
                            1e6 / v.max(1.0)
                        } else {
                            v
                        };
                        mireds(m)
                    };
                    let (a, b) = (
                        to_mireds(low.unwrap_or(153.0)),
                        to_mireds(high.unwrap_or(500.0)),
                    );
                    (a.min(b), a.max(b))
                }),
                color: color.is_some(),
                effects: Vec::new(),
            },
            ..Light::default()
        }),
        Binding::Property(p) => match (p.datatype, p.settable) {
            (Datatype::Boolean, true) => EntityKind::Switch(Switch::default()),
            (Datatype::Boolean, false) => EntityKind::BinarySensor(BinarySensor {
                on: None,
                device_class: device_class(&p.id),
            }),
            (Datatype::Integer | Datatype::Float, true) => {
                let (min, max, step) = p.range();
                EntityKind::Number(Number {
                    value: None,
                    min,
                    max,
                    step: step.or((p.datatype == Datatype::Integer).then_some(1.0)),
                    unit: p.unit.clone(),
                })
            }
            (Datatype::Enum, true) => EntityKind::Select(Select {
                value: None,
                options: p.options(),
            }),
            (Datatype::Color, true) => EntityKind::Light(Light {
                features: LightFeatures {
                    color: true,
                    ..LightFeatures::default()
                },
                ..Light::default()
            }),
            _ => EntityKind::Sensor(Sensor {
                unit: p.unit.clone(),
                device_class: if p.datatype.numeric() {
                    device_class(&p.id)
                } else {
                    None
                },
                ..Sensor::default()
            }),
        },
    }
}

/// 0.0..=1.0 onto the property's `min:max` (0:100 when it names none).
fn scale_to_range(p: &PropertyDescription, fraction: f64) -> f64 {
    let (low, high, _) = p.range();
    let (low, high) = (low.unwrap_or(0.0), high.unwrap_or(100.0));
    let value = low + (high - low) * fraction.clamp(0.0, 1.0);
    if p.datatype == Datatype::Integer {
        value.round()
    } else {
        value
    }
}

fn fraction_of_range(p: &PropertyDescription, value: f64) -> f32 {
    let (low, high, _) = p.range();
    let (low, high) = (low.unwrap_or(0.0), high.unwrap_or(100.0));
    if high <= low {
        return 0.0;
    }
    ((value - low) / (high - low)).clamp(0.0, 1.0) as f32
}

/// A colour for a Homie `color` property. Homie 4 sends bare `r,g,b` or `h,s,v` as the format
/// says; Homie 5 prefixes the format (`rgb,255,0,0`, `hsv,0,100,100`, `xyz,0.64,0.33,0.03`).
fn color_payload(p: &PropertyDescription, version: Version, h: f32, s: f32, v: f32) -> String {
    let formats = p.color_formats();
    let format = ["hsv", "rgb", "xyz"]
        .into_iter()
        .find(|f| formats.contains(f))
        .unwrap_or("rgb");
    let values = match format {
        "hsv" => format!(
            "{},{},{}",
            number_text(f64::from(h.round())),
            number_text(f64::from(s.round())),
            number_text(f64::from((v * 100.0).round()))
        ),
        "xyz" => {
            let (x, y) = color::hs_to_xy(h, s);
            format!(
                "{},{},{}",
                number_text(f64::from(x)),
                number_text(f64::from(y)),
                number_text(f64::from(1.0 - x - y))
            )
        }
        _ => {
            let (r, g, b) = color::hs_to_rgb(h, s);
            let scale = |c: u8| number_text(f64::from((f32::from(c) * v.clamp(0.0, 1.0)).round()));
            format!("{},{},{}", scale(r), scale(g), scale(b))
        }
    };
    match version {
        Version::V4 => values,
        Version::V5 => format!("{format},{values}"),
    }
}

/// Hue and saturation of a colour value in either version's form.
fn read_color(p: &PropertyDescription, version: Version, text: &str) -> Option<(f32, f32)> {
    let (format, values) = match version {
        Version::V5 => text.split_once(',')?,
        Version::V4 => (p.color_formats().first().copied().unwrap_or("rgb"), text),
    };
    let mut numbers: Vec<f32> = Vec::new();
    for v in values.split(',') {
        numbers.push(parse_f32(v.trim())?);
    }
    match (format, numbers.as_slice()) {
        ("rgb", [r, g, b]) => Some(color::rgb_to_hs(*r, *g, *b)),
        ("hsv", [h, s, _]) => Some((*h, *s)),
        ("xyz", [x, y, _]) => color::xy_to_hs(*x, *y),
        _ => None,
    }
}

/// The property when it can be set, by reference.
fn settable<'p>(
    p: &'p Option<PropertyDescription>,
    what: &'static str,
) -> Result<&'p PropertyDescription, CommandError> {
    p.as_ref()
        .filter(|p| p.settable)
        .ok_or(CommandError::Unsupported(what))
}

/// Sets `slot` to `value` when there is one; whether that changed it.
fn update<T: PartialEq>(slot: &mut Option<T>, value: Option<T>) -> bool {
    value.is_some_and(|v| replace(slot, Some(v)))
}

/// Sets `slot` to `value`; whether that changed it.
fn replace<T: PartialEq>(slot: &mut T, value: T) -> bool {
    let changed = *slot != value;
    *slot = value;
    changed
}

fn bool_text(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Applies the device's stored values to its entities: all of them after a rebuild, or the
/// entities reading `only` (a property path) when one value or target arrived. History gets a
/// point only for a value that just arrived (or a sensor's first), never for a re-application.
fn apply_values(
    homie: &HomieDevice,
    bindings: &[(String, Binding)],
    id: &DeviceId,
    only: Option<(&str, bool)>,
    now_ms: u64,
    store: &mut Store<'_>,
) {
    let history_len = store.history_len;
    let Some(model) = store.devices.get_mut(id) else {
        return;
    };
    let mut changed = false;
    for (key, binding) in bindings {
        let properties = binding.properties();
        if let Some((path, _)) = only
            && !properties.iter().any(|p| p.is_at(path))
        {
            continue;
        }
        let new_reading = only.is_some_and(|(_, reading)| reading);
        let Some(entity) = model.entity_mut(&id.entity(key)) else {
            continue;
        };
        let value = |p: &PropertyDescription| homie.values.get(&p.path()).map(String::as_str);
        // Each reading is compared as it is set: cloning and comparing whole entities would
        // compile both for every kind of entity.
        let target_changed = replace(
            &mut entity.target,
            properties
                .iter()
                .find_map(|p| homie.targets.get(&p.path()))
                .cloned(),
        );
        let mut entity_changed = target_changed;
        match (binding, &mut entity.kind) {
            (
                Binding::Light {
                    power,
                    brightness,
                    color,
                    color_temp,
                },
                EntityKind::Light(light),
            ) => {
                if let Some(on) = power.as_ref().and_then(value).and_then(parse_bool) {
                    entity_changed |= replace(&mut light.on, Some(on));
                }
                if let Some(p) = brightness
                    && let Some(v) = value(p).and_then(parse_number)
                {
                    entity_changed |= replace(&mut light.brightness, Some(fraction_of_range(p, v)));
                }
                if let Some(p) = color_temp
                    && let Some(v) = value(p).and_then(parse_number).filter(|v| *v > 0.0)
                {
                    let ct = if p.unit.as_deref() == Some("K") {
                        1e6 / v
                    } else {
                        v
                    };
                    entity_changed |= replace(&mut light.color_temp, Some(mireds(ct)));
                }
                if let Some(p) = color
                    && let Some(hs) = value(p).and_then(|t| read_color(p, homie.version, t))
                {
                    entity_changed |= replace(&mut light.hue_sat, Some(hs));
                }
            }
            (Binding::Property(p), kind) => {
                let Some(text) = value(p) else {
                    // As before a value arrives, a new target alone is not counted as a change.
                    continue;
                };
                entity_changed |= match kind {
                    EntityKind::Switch(s) => update(&mut s.on, parse_bool(text)),
                    EntityKind::BinarySensor(s) => update(&mut s.on, parse_bool(text)),
                    EntityKind::Number(n) => update(&mut n.value, parse_number(text)),
                    EntityKind::Select(s) => replace(&mut s.value, Some(text.to_owned())),
                    EntityKind::Light(light) => {
                        update(&mut light.hue_sat, read_color(p, homie.version, text))
                    }
                    EntityKind::Sensor(sensor) => {
                        let number = if p.datatype.numeric() {
                            parse_number(text)
                        } else {
                            None
                        };
                        let reading = match number {
                            Some(n) => SensorValue::Number(n),
                            None => SensorValue::Text(text.to_owned()),
                        };
                        let mut sensor_changed = false;
                        if let SensorValue::Number(n) = reading
                            && (new_reading || sensor.history.points.is_empty())
                        {
                            sensor_changed = sensor.history.push(now_ms, n, history_len);
                        }
                        replace(&mut sensor.value, Some(reading)) | sensor_changed
                    }
                    _ => false,
                };
            }
            _ => {}
        }
        changed |= entity_changed;
    }
    if changed {
        store.changes.changed(id);
    }
}

#[cfg(test)]
pub(crate) mod tests;
