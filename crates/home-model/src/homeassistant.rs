//! Home Assistant MQTT discovery: retained JSON configs on
//! `<prefix>/<component>/[<node_id>/]<object_id>/config` (one entity each) and
//! `<prefix>/device/<object_id>/config` (a device with a map `cmps` of components). Each config
//! names the state, command and availability topics of its entity.

use crate::color;
use crate::command::{
    Command, CommandError, CoverCommand, LightRequest, Outgoing, clamp_between, number_text,
    scale_brightness,
};
use crate::home::{Claim, Message, Store};
use crate::json::{ObjectWriter, Value};
use crate::model::{
    Availability, BinarySensor, Climate, ColorMode, Convention, Cover, CoverState, DeviceId,
    Entity, EntityId, EntityKind, Fan, Light, LightFeatures, Number, Select, Sensor, SensorValue,
    Switch, mireds,
};
use crate::number::parse_f32;
use crate::sorted::{DeviceSet, SortedMap};
use crate::template::{Rendered, ValueTemplate};
use crate::text;

/// Abbreviations allowed in discovery payloads, for the keys this crate reads (Home
/// Assistant's `abbreviations.py`), one `short full` pair a line. Keys not listed here are
/// kept as they are. One text rather than a slice of pairs: in WebAssembly each pair would
/// also cost 16 bytes of pointers and lengths.
const ABBREVIATIONS: &str = "\
avty availability
avty_mode availability_mode
avty_t availability_topic
avty_tpl availability_template
bri_cmd_t brightness_command_topic
bri_cmd_tpl brightness_command_template
bri_scl brightness_scale
bri_stat_t brightness_state_topic
bri_val_tpl brightness_value_template
clr_temp_cmd_t color_temp_command_topic
clr_temp_cmd_tpl color_temp_command_template
clr_temp_k color_temp_kelvin
clr_temp_stat_t color_temp_state_topic
clr_temp_val_tpl color_temp_value_template
clrm color_mode
cmd_off_tpl command_off_template
cmd_on_tpl command_on_template
cmd_t command_topic
cmd_tpl command_template
cmps components
curr_temp_t current_temperature_topic
curr_temp_tpl current_temperature_template
dev device
dev_cla device_class
ent_cat entity_category
fx_cmd_t effect_command_topic
fx_cmd_tpl effect_command_template
fx_list effect_list
fx_stat_t effect_state_topic
fx_val_tpl effect_value_template
hs_cmd_t hs_command_topic
hs_cmd_tpl hs_command_template
hs_stat_t hs_state_topic
hs_val_tpl hs_value_template
ic icon
max_k max_kelvin
max_mirs max_mireds
min_k min_kelvin
min_mirs min_mireds
mode_cmd_t mode_command_topic
mode_cmd_tpl mode_command_template
mode_stat_t mode_state_topic
mode_stat_tpl mode_state_template
o origin
obj_id object_id
on_cmd_type on_command_type
ops options
opt optimistic
p platform
pct_cmd_t percentage_command_topic
pct_cmd_tpl percentage_command_template
pct_stat_t percentage_state_topic
pct_val_tpl percentage_value_template
pl_avail payload_available
pl_cls payload_close
pl_not_avail payload_not_available
pl_off payload_off
pl_on payload_on
pl_open payload_open
pl_stop payload_stop
pos_clsd position_closed
pos_open position_open
pos_t position_topic
pos_tpl position_template
ret retain
rgb_cmd_t rgb_command_topic
rgb_cmd_tpl rgb_command_template
rgb_stat_t rgb_state_topic
rgb_val_tpl rgb_value_template
set_pos_t set_position_topic
set_pos_tpl set_position_template
spd_rng_max speed_range_max
spd_rng_min speed_range_min
stat_cla state_class
stat_clsd state_closed
stat_closing state_closing
stat_off state_off
stat_on state_on
stat_open state_open
stat_opening state_opening
stat_stopped state_stopped
stat_t state_topic
stat_tpl state_template
stat_val_tpl state_value_template
sup_clrm supported_color_modes
t topic
temp_cmd_t temperature_command_topic
temp_cmd_tpl temperature_command_template
temp_stat_t temperature_state_topic
temp_stat_tpl temperature_state_template
temp_unit temperature_unit
uniq_id unique_id
unit_of_meas unit_of_measurement
val_tpl value_template
xy_cmd_t xy_command_topic
xy_cmd_tpl xy_command_template
xy_stat_t xy_state_topic
xy_val_tpl xy_value_template
";

/// Abbreviations inside `device` (Home Assistant's `DEVICE_ABBREVIATIONS`).
const DEVICE_ABBREVIATIONS: &str = "\
cns connections
cu configuration_url
hw hw_version
ids identifiers
mdl model
mdl_id model_id
mf manufacturer
name name
sa suggested_area
sn serial_number
sw sw_version
";

/// Abbreviations inside `origin`.
const ORIGIN_ABBREVIATIONS: &str = "\
name name
sw sw_version
url support_url
";

fn expand_keys(value: &Value, table: &str) -> Vec<(String, Value)> {
    let mut expanded = Vec::new();
    for (key, v) in value.as_object().unwrap_or_default() {
        let full = text::lookup(table, key).unwrap_or(key);
        expanded.push((full.to_owned(), v.clone()));
    }
    expanded
}

/// Expands abbreviations at every level discovery allows them and substitutes the `~` base
/// topic: "at the start or end of any `*_topic` value", and in availability entries' `topic`.
fn normalise(raw: &Value) -> Value {
    let mut members = expand_keys(raw, ABBREVIATIONS);
    let base = members
        .iter()
        .find(|(k, _)| k == "~")
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned);
    for (key, value) in &mut members {
        match key.as_str() {
            "device" => *value = Value::Object(expand_keys(value, DEVICE_ABBREVIATIONS)),
            "origin" => *value = Value::Object(expand_keys(value, ORIGIN_ABBREVIATIONS)),
            "availability" => {
                if let Some(entries) = value.as_array() {
                    let mut expanded = Vec::new();
                    for entry in entries {
                        let mut entry = expand_keys(entry, ABBREVIATIONS);
                        if let Some(base) = &base {
                            for (k, v) in &mut entry {
                                if k == "topic" {
                                    substitute_base(v, base);
                                }
                            }
                        }
                        expanded.push(Value::Object(entry));
                    }
                    *value = Value::Array(expanded);
                }
            }
            "components" => {
                // Components are expanded on their own when they are merged with the shared
                // options; only their map is kept here.
            }
            k if k.ends_with("_topic") => {
                if let Some(base) = &base {
                    substitute_base(value, base);
                }
            }
            _ => {}
        }
    }
    Value::Object(members)
}

fn substitute_base(value: &mut Value, base: &str) {
    if let Value::String(topic) = value {
        if let Some(rest) = topic.strip_prefix('~') {
            *topic = format!("{base}{rest}");
        } else if let Some(rest) = topic.strip_suffix('~') {
            *topic = format!("{rest}{base}");
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Platform {
    Light,
    Switch,
    Sensor,
    BinarySensor,
    Climate,
    Cover,
    Fan,
    Number,
    Select,
}

impl Platform {
    fn parse(name: &str) -> Option<Platform> {
        Some(match name {
            "light" => Platform::Light,
            "switch" => Platform::Switch,
            "sensor" => Platform::Sensor,
            "binary_sensor" => Platform::BinarySensor,
            "climate" => Platform::Climate,
            "cover" => Platform::Cover,
            "fan" => Platform::Fan,
            "number" => Platform::Number,
            "select" => Platform::Select,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AvailabilityMode {
    All,
    Any,
    Latest,
}

#[derive(Debug, Clone)]
struct AvailabilityTopic {
    topic: String,
    available: String,
    not_available: String,
    template: ValueTemplate,
    state: Option<bool>,
}

/// One entity's availability: its topics, how they combine, and what each last said.
#[derive(Debug, Clone)]
struct EntityAvailability {
    mode: AvailabilityMode,
    topics: Vec<AvailabilityTopic>,
    latest: Option<bool>,
}

impl EntityAvailability {
    fn from_config(config: &Value) -> EntityAvailability {
        // The single topic's template is `availability_template`; a list entry's is its own
        // `value_template` (the entity's `value_template` is for its state, not availability).
        let entry = |topic: &str, v: &Value, template_key: &str| AvailabilityTopic {
            topic: topic.to_owned(),
            available: v.str_at("payload_available").unwrap_or("online").to_owned(),
            not_available: v
                .str_at("payload_not_available")
                .unwrap_or("offline")
                .to_owned(),
            template: v
                .str_at(template_key)
                .map_or(ValueTemplate::Value, ValueTemplate::parse),
            state: None,
        };
        let mut topics = Vec::new();
        if let Some(topic) = config.str_at("availability_topic") {
            topics.push(entry(topic, config, "availability_template"));
        }
        for item in config.array_at("availability") {
            if let Some(topic) = item.str_at("topic") {
                topics.push(entry(topic, item, "value_template"));
            }
        }
        let mode = match config.str_at("availability_mode") {
            Some("all") => AvailabilityMode::All,
            Some("any") => AvailabilityMode::Any,
            _ => AvailabilityMode::Latest,
        };
        EntityAvailability {
            mode,
            topics,
            latest: None,
        }
    }

    /// `None` when the entity has no availability topics (Home Assistant then treats it as
    /// always available) or none has spoken yet.
    fn current(&self) -> Option<bool> {
        if self.topics.is_empty() {
            return Some(true);
        }
        match self.mode {
            AvailabilityMode::Latest => self.latest,
            AvailabilityMode::All => {
                if self.topics.iter().any(|t| t.state == Some(false)) {
                    Some(false)
                } else if self.topics.iter().all(|t| t.state == Some(true)) {
                    Some(true)
                } else {
                    None
                }
            }
            AvailabilityMode::Any => {
                if self.topics.iter().any(|t| t.state == Some(true)) {
                    Some(true)
                } else if self.topics.iter().all(|t| t.state == Some(false)) {
                    Some(false)
                } else {
                    None
                }
            }
        }
    }
}

/// One discovered entity's configuration, with abbreviations expanded and `~` substituted.
#[derive(Debug, Clone)]
struct DiscoveryConfig {
    platform: Platform,
    config: Value,
    availability: EntityAvailability,
}

impl DiscoveryConfig {
    fn str(&self, key: &str) -> Option<&str> {
        self.config.str_at(key)
    }

    fn f64_or(&self, key: &str, default: f64) -> f64 {
        self.config.f64_at(key).unwrap_or(default)
    }

    fn json_schema(&self) -> bool {
        self.platform == Platform::Light && self.str("schema") == Some("json")
    }

    fn kelvin(&self) -> bool {
        self.config.bool_at("color_temp_kelvin") == Some(true)
    }

    /// The state topics this entity listens on, each with the key of its value template.
    fn state_topics(&self) -> &'static [(&'static str, &'static str)] {
        match self.platform {
            Platform::Light if self.json_schema() => &[("state_topic", "")],
            Platform::Light => &[
                ("state_topic", "state_value_template"),
                ("brightness_state_topic", "brightness_value_template"),
                ("color_temp_state_topic", "color_temp_value_template"),
                ("hs_state_topic", "hs_value_template"),
                ("rgb_state_topic", "rgb_value_template"),
                ("xy_state_topic", "xy_value_template"),
                ("effect_state_topic", "effect_value_template"),
            ],
            Platform::Switch
            | Platform::Sensor
            | Platform::BinarySensor
            | Platform::Number
            | Platform::Select => &[("state_topic", "value_template")],
            Platform::Climate => &[
                ("mode_state_topic", "mode_state_template"),
                ("current_temperature_topic", "current_temperature_template"),
                ("temperature_state_topic", "temperature_state_template"),
            ],
            Platform::Cover => &[
                ("state_topic", "value_template"),
                ("position_topic", "position_template"),
            ],
            Platform::Fan => &[
                ("state_topic", "state_value_template"),
                ("percentage_state_topic", "percentage_value_template"),
            ],
        }
    }

    /// Whether Home Assistant would run this entity optimistically: asked to, or given a
    /// command topic but no topic that reports state.
    fn is_optimistic(&self) -> bool {
        self.config.bool_at("optimistic") == Some(true)
            || (self
                .state_topics()
                .iter()
                .all(|(key, _)| self.str(key).is_none())
                && self.platform != Platform::Sensor
                && self.platform != Platform::BinarySensor)
    }

    fn template(&self, key: &str) -> ValueTemplate {
        self.str(key)
            .map_or(ValueTemplate::Value, ValueTemplate::parse)
    }

    fn publish(&self, topic: &str, payload: String) -> Outgoing {
        let mut out = Outgoing::new(topic.to_owned(), payload);
        out.retain = self.config.bool_at("retain").unwrap_or(false);
        out.qos = self
            .config
            .f64_at("qos")
            .map_or(0, |q| q.clamp(0.0, 2.0) as u8);
        out
    }

    /// The command topic for `key`, refusing configs that ask for a command template this
    /// crate cannot render.
    fn command_topic(&self, key: &str, template_key: &str) -> Result<&str, CommandError> {
        let topic = self.str(key).ok_or(CommandError::ReadOnly)?;
        match self.str(template_key).map(ValueTemplate::parse) {
            None | Some(ValueTemplate::Value) => Ok(topic),
            Some(_) => Err(CommandError::Unsupported("command templates")),
        }
    }

    /// Adds to `out` the message that sends `payload` to the command topic at `key`; refused
    /// as [`DiscoveryConfig::command_topic`] refuses.
    fn send(
        &self,
        out: &mut Vec<Outgoing>,
        key: &str,
        template_key: &str,
        payload: String,
    ) -> Result<(), CommandError> {
        let topic = self.command_topic(key, template_key)?;
        out.push(self.publish(topic, payload));
        Ok(())
    }

    fn build_kind(&self) -> EntityKind {
        match self.platform {
            Platform::Light => EntityKind::Light(Light {
                features: self.light_features(),
                ..Light::default()
            }),
            Platform::Switch => EntityKind::Switch(Switch::default()),
            Platform::Sensor => EntityKind::Sensor(Sensor {
                unit: self.str("unit_of_measurement").map(str::to_owned),
                device_class: self.str("device_class").map(str::to_owned),
                ..Sensor::default()
            }),
            Platform::BinarySensor => EntityKind::BinarySensor(BinarySensor {
                on: None,
                device_class: self.str("device_class").map(str::to_owned),
            }),
            Platform::Climate => EntityKind::Climate(Climate {
                modes: string_list(self.config.get("modes")).unwrap_or_else(|| {
                    // Home Assistant's default modes.
                    let mut modes = Vec::new();
                    for mode in "auto off cool heat dry fan_only".split(' ') {
                        modes.push(mode.to_owned());
                    }
                    modes
                }),
                min_temp: self.f64_or("min_temp", 7.0),
                max_temp: self.f64_or("max_temp", 35.0),
                temp_step: self.f64_or("temp_step", 1.0),
                unit: self.str("temperature_unit").map(str::to_owned),
                ..Climate::default()
            }),
            Platform::Cover => EntityKind::Cover(Cover {
                can_set_position: self.str("set_position_topic").is_some(),
                can_stop: self.str("command_topic").is_some()
                    && !matches!(self.config.get("payload_stop"), Some(Value::Null)),
                ..Cover::default()
            }),
            Platform::Fan => EntityKind::Fan(Fan {
                can_set_percentage: self.str("percentage_command_topic").is_some(),
                ..Fan::default()
            }),
            Platform::Number => EntityKind::Number(Number {
                min: Some(self.f64_or("min", 1.0)),
                max: Some(self.f64_or("max", 100.0)),
                step: Some(self.f64_or("step", 1.0)),
                unit: self.str("unit_of_measurement").map(str::to_owned),
                value: None,
            }),
            Platform::Select => EntityKind::Select(Select {
                value: None,
                options: string_list(self.config.get("options")).unwrap_or_default(),
            }),
        }
    }

    fn color_modes(&self) -> Vec<String> {
        string_list(self.config.get("supported_color_modes")).unwrap_or_default()
    }

    fn light_features(&self) -> LightFeatures {
        let range = if self.kelvin() {
            // Warmest (fewest kelvin) is the most mireds.
            let min_k = self.f64_or("min_kelvin", 2000.0).max(1.0);
            let max_k = self.f64_or("max_kelvin", 6535.0).max(1.0);
            (mireds(1e6 / max_k), mireds(1e6 / min_k))
        } else {
            (
                mireds(self.f64_or("min_mireds", 153.0)),
                mireds(self.f64_or("max_mireds", 500.0)),
            )
        };
        let effects = string_list(self.config.get("effect_list")).unwrap_or_default();
        if self.json_schema() {
            let modes = self.color_modes();
            let has = |m: &str| modes.iter().any(|x| x == m);
            let color = ["hs", "xy", "rgb", "rgbw", "rgbww"].iter().any(|m| has(m));
            LightFeatures {
                brightness: self.config.bool_at("brightness") == Some(true)
                    || modes.iter().any(|m| m != "onoff"),
                color_temp: (has("color_temp") || self.config.bool_at("color_temp") == Some(true))
                    .then_some(range),
                color,
                effects: if self.config.bool_at("effect") == Some(true) {
                    effects
                } else {
                    Vec::new()
                },
            }
        } else {
            LightFeatures {
                brightness: self.str("brightness_command_topic").is_some(),
                color_temp: self.str("color_temp_command_topic").map(|_| range),
                color: ["hs_command_topic", "rgb_command_topic", "xy_command_topic"]
                    .iter()
                    .any(|k| self.str(k).is_some()),
                effects: if self.str("effect_command_topic").is_some() {
                    effects
                } else {
                    Vec::new()
                },
            }
        }
    }
}

fn string_list(value: Option<&Value>) -> Option<Vec<String>> {
    value?.strings()
}

/// Where an incoming message on a state or availability topic goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Route {
    /// The entity's state topic under this config key.
    State(&'static str),
    /// The entity's n-th availability topic.
    Availability(usize),
}

/// The Home Assistant discovery adapter.
#[derive(Debug)]
pub(crate) struct Discovery {
    prefix: String,
    /// Which entities each config topic created, so an empty payload or a replacing config
    /// removes exactly those.
    by_config_topic: SortedMap<String, Vec<EntityId>>,
    entities: SortedMap<EntityId, DiscoveryConfig>,
    routes: SortedMap<String, Vec<(EntityId, Route)>>,
    home_assistant_online: Option<bool>,
    /// Set when the Zigbee2MQTT adapter reads the same devices natively.
    skip_zigbee2mqtt: bool,
}

impl Discovery {
    pub fn new(prefix: String, skip_zigbee2mqtt: bool) -> Discovery {
        Discovery {
            prefix,
            skip_zigbee2mqtt,
            by_config_topic: SortedMap::new(),
            entities: SortedMap::new(),
            routes: SortedMap::new(),
            home_assistant_online: None,
        }
    }

    pub fn fixed_subscriptions(&self) -> [String; 3] {
        let p = &self.prefix;
        [
            format!("{p}/+/+/config"),
            format!("{p}/+/+/+/config"),
            format!("{p}/status"),
        ]
    }

    pub fn state_topics(&self) -> impl Iterator<Item = &str> {
        self.routes.keys().map(String::as_str)
    }

    pub fn home_assistant_online(&self) -> Option<bool> {
        self.home_assistant_online
    }

    pub fn handle(&mut self, message: &Message<'_>, store: &mut Store<'_>) -> Claim {
        let mut claim = Claim::NotMine;
        if let Some(rest) = message
            .topic
            .strip_prefix(&self.prefix)
            .and_then(|r| r.strip_prefix('/'))
        {
            if rest == "status" {
                // Home Assistant's own birth and will; devices re-send discovery on `online`.
                match message.payload {
                    b"online" => self.home_assistant_online = Some(true),
                    b"offline" => self.home_assistant_online = Some(false),
                    _ => store.problem(message.topic, "status is neither online nor offline"),
                }
                return Claim::Mine;
            }
            if let Some(path) = rest.strip_suffix("/config") {
                self.handle_config(message.topic, path, message.payload, store);
                return Claim::Mine;
            }
        }
        // Taken out while the entities read the message, and put back after: reading state
        // and availability changes no routes.
        if let Some(routes) = self.routes.get_mut(message.topic).map(core::mem::take) {
            claim = Claim::Mine;
            let mut availability_changed = DeviceSet::new();
            for (entity_id, route) in &routes {
                match route {
                    Route::State(key) => self.handle_state(entity_id, key, message, store),
                    Route::Availability(index) => {
                        if self.handle_availability(entity_id, *index, message, store) {
                            availability_changed.insert(entity_id.device());
                        }
                    }
                }
            }
            if let Some(slot) = self.routes.get_mut(message.topic) {
                *slot = routes;
            }
            for device in availability_changed {
                self.update_device_availability(&device, store);
            }
        }
        claim
    }

    fn handle_config(&mut self, topic: &str, path: &str, payload: &[u8], store: &mut Store<'_>) {
        // `<component>/<object_id>` or `<component>/<node_id>/<object_id>`.
        let shape = path.split_once('/').and_then(|(component, rest)| {
            let object_id = match rest.split_once('/') {
                None => rest,
                Some((_node_id, object_id)) if !object_id.contains('/') => object_id,
                Some(_) => return None,
            };
            Some((component, object_id))
        });
        let Some((component, object_id)) = shape else {
            return store.problem(topic, "discovery topic has an unexpected shape");
        };
        let previous = self.by_config_topic.remove(topic).unwrap_or_default();
        let mut configured = Vec::new();
        if !payload.is_empty()
            && let Some(raw) = store.json(
                topic,
                payload,
                false,
                "discovery config is not a JSON object",
            )
        {
            if component == "device" {
                self.read_device_config(topic, object_id, &raw, store, &mut configured);
            } else {
                self.read_entity_config(
                    topic,
                    component,
                    object_id,
                    &raw,
                    None,
                    store,
                    &mut configured,
                );
            }
        }
        // An empty payload removes what this topic configured; a replacing config removes what
        // it no longer lists.
        for old in previous {
            if !configured.contains(&old) {
                self.entities.remove(&old);
                store.remove_entity(&old);
            }
        }
        if !configured.is_empty() {
            self.by_config_topic.insert(topic.to_owned(), configured);
        }
        self.rebuild_routes(store);
    }

    fn read_device_config(
        &mut self,
        topic: &str,
        object_id: &str,
        raw: &Value,
        store: &mut Store<'_>,
        configured: &mut Vec<EntityId>,
    ) {
        let Some(components) = raw
            .get("cmps")
            .or(raw.get("components"))
            .and_then(Value::as_object)
        else {
            return store.problem(topic, "device discovery config has no components (cmps)");
        };
        // Options outside `cmps` are shared by every component; a component's own win.
        let mut shared: Vec<(String, Value)> = Vec::new();
        for (k, v) in raw.as_object().unwrap_or_default() {
            if k != "cmps" && k != "components" {
                shared.push((k.clone(), v.clone()));
            }
        }
        for (component_id, component) in components {
            let Some(own) = component.as_object() else {
                store.problem(topic, format!("component {component_id} is not an object"));
                continue;
            };
            let mut merged = shared.clone();
            merged.extend(own.iter().cloned());
            let merged = Value::Object(merged);
            let platform = merged
                .str_at("p")
                .or(merged.str_at("platform"))
                .unwrap_or_default()
                .to_owned();
            let key = format!("{object_id}_{component_id}");
            self.read_entity_config(
                topic,
                &platform,
                &key,
                &merged,
                Some(component_id),
                store,
                configured,
            );
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn read_entity_config(
        &mut self,
        topic: &str,
        platform_name: &str,
        object_id: &str,
        raw: &Value,
        component_id: Option<&str>,
        store: &mut Store<'_>,
        configured: &mut Vec<EntityId>,
    ) {
        let config = normalise(raw);
        let Some(platform) = Platform::parse(platform_name) else {
            return store.problem(
                topic,
                format!("platform \"{platform_name}\" is not supported"),
            );
        };
        if platform == Platform::Light && config.str_at("schema") == Some("template") {
            // Template lights build every payload from templates this crate does not evaluate.
            return store.problem(topic, "light schema \"template\" is not supported");
        }
        if self.skip_zigbee2mqtt
            && config.get("origin").and_then(|o| o.str_at("name")) == Some("Zigbee2MQTT")
        {
            // Zigbee2MQTT announces its devices natively too; reading both would show each twice.
            return store.problem(
                topic,
                "skipped: the Zigbee2MQTT adapter reads this device natively",
            );
        }
        let mut discovery = DiscoveryConfig {
            platform,
            availability: EntityAvailability::from_config(&config),
            config,
        };
        let config = &discovery.config;
        let device_info = config.get("device");
        let device_raw_id = device_info
            .and_then(|d| d.get("identifiers"))
            .and_then(|ids| match ids {
                Value::String(s) => Some(s.clone()),
                Value::Array(items) => items.first().and_then(Value::as_str).map(str::to_owned),
                _ => None,
            })
            .or_else(|| {
                let pair = device_info?
                    .get("connections")?
                    .as_array()?
                    .first()?
                    .as_array()?;
                Some(format!(
                    "{}_{}",
                    pair.first()?.as_str()?,
                    pair.get(1)?.as_str()?
                ))
            })
            .or_else(|| config.str_at("unique_id").map(str::to_owned))
            .unwrap_or_else(|| object_id.to_owned());
        let device_id = DeviceId::new("ha", &device_raw_id);
        let entity_key = component_id
            .map(str::to_owned)
            .or_else(|| config.str_at("unique_id").map(str::to_owned))
            .unwrap_or_else(|| format!("{platform_name}_{object_id}"));
        let entity_id = device_id.entity(&entity_key);

        let device_name = device_info.and_then(|d| d.str_at("name"));
        let entity_name = config
            .str_at("name")
            .or(device_name)
            .unwrap_or(object_id)
            .to_owned();
        for (key, template_key) in discovery.state_topics() {
            if discovery.str(key).is_some()
                && !template_key.is_empty()
                && let ValueTemplate::Unsupported(text) = discovery.template(template_key)
            {
                store.problem(
                    topic,
                    format!("{template_key} not supported, state will not be read: {text}"),
                );
            }
        }
        let entity = Entity {
            target: None,
            id: entity_id.clone(),
            name: entity_name.clone(),
            kind: discovery.build_kind(),
            optimistic: discovery.is_optimistic(),
        };
        let device = store.device_or_insert(
            &device_id,
            device_name.unwrap_or(&entity_name),
            Convention::HomeAssistant,
        );
        if let Some(info) = device_info {
            let text = |key: &str| info.str_at(key).map(str::to_owned);
            if let Some(name) = text("name") {
                device.name = name;
            }
            device.manufacturer = text("manufacturer").or(device.manufacturer.take());
            device.model = text("model").or(device.model.take());
            device.sw_version = text("sw_version").or(device.sw_version.take());
            device.suggested_room = text("suggested_area").or(device.suggested_room.take());
        }
        device.upsert_entity(entity);
        // Availability readings survive a repeated config of the same topics.
        if let Some(old) = self.entities.get(&entity_id) {
            for t in &mut discovery.availability.topics {
                t.state = old
                    .availability
                    .topics
                    .iter()
                    .find(|o| o.topic == t.topic)
                    .and_then(|o| o.state);
            }
            discovery.availability.latest = old.availability.latest;
        }
        store.changes.structure_changed = true;
        self.entities.insert(entity_id.clone(), discovery);
        configured.push(entity_id);
        self.update_device_availability(&device_id, store);
    }

    fn rebuild_routes(&mut self, store: &mut Store<'_>) {
        let mut routes: SortedMap<String, Vec<(EntityId, Route)>> = SortedMap::new();
        for (id, discovery) in &self.entities {
            for (key, _) in discovery.state_topics() {
                if let Some(topic) = discovery.str(key) {
                    routes
                        .get_or_insert_with(topic.to_owned(), Vec::new)
                        .push((id.clone(), Route::State(key)));
                }
            }
            for (index, t) in discovery.availability.topics.iter().enumerate() {
                routes
                    .get_or_insert_with(t.topic.clone(), Vec::new)
                    .push((id.clone(), Route::Availability(index)));
            }
        }
        if !routes.keys().eq(self.routes.keys()) {
            store.changes.subscriptions_changed = true;
        }
        self.routes = routes;
    }

    fn handle_availability(
        &mut self,
        id: &EntityId,
        index: usize,
        message: &Message<'_>,
        store: &mut Store<'_>,
    ) -> bool {
        let Some(discovery) = self.entities.get_mut(id) else {
            return false;
        };
        let Some(t) = discovery.availability.topics.get_mut(index) else {
            return false;
        };
        let text = match t.template.render(message.payload) {
            Ok(Some(rendered)) => rendered.as_text(),
            Ok(None) => return false,
            Err(reason) => {
                store.problem(message.topic, reason);
                return false;
            }
        };
        let state = if text == t.available {
            true
        } else if text == t.not_available {
            false
        } else {
            store.problem(
                message.topic,
                format!("availability payload \"{text}\" is neither available nor not"),
            );
            return false;
        };
        t.state = Some(state);
        discovery.availability.latest = Some(state);
        true
    }

    /// A device is offline when any of its entities is, online when all that report are.
    fn update_device_availability(&self, device_id: &DeviceId, store: &mut Store<'_>) {
        let (mut any_offline, mut all_online) = (false, true);
        for (id, d) in &self.entities {
            if &id.device() == device_id {
                match d.availability.current() {
                    Some(true) => {}
                    Some(false) => any_offline = true,
                    None => all_online = false,
                }
            }
        }
        let availability = if any_offline {
            Availability::Offline
        } else if all_online {
            Availability::Online
        } else {
            Availability::Unknown
        };
        if store
            .devices
            .get(device_id)
            .is_some_and(|d| d.availability != availability)
            && let Some(device) = store.device_mut(device_id)
        {
            device.availability = availability;
        }
    }

    fn handle_state(
        &self,
        id: &EntityId,
        key: &'static str,
        message: &Message<'_>,
        store: &mut Store<'_>,
    ) {
        let Some(discovery) = self.entities.get(id) else {
            return;
        };
        let history_len = store.history_len;
        let topic = message.topic;
        let Some(entity) = store.entity_mut(id) else {
            return;
        };
        if discovery.json_schema() {
            if let EntityKind::Light(light) = &mut entity.kind
                && let Err(reason) = read_json_light_state(discovery, light, message.payload)
            {
                store.problem(topic, reason);
            }
            return;
        }
        let template_key = discovery
            .state_topics()
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("value_template", |(_, t)| t);
        let rendered = match discovery.template(template_key).render(message.payload) {
            Ok(Some(rendered)) => rendered,
            Ok(None) => return,
            Err(reason) => return store.problem(topic, reason),
        };
        if let Err(reason) = apply_state(
            discovery,
            key,
            &rendered,
            &mut entity.kind,
            message.now_ms,
            history_len,
        ) {
            store.problem(topic, reason);
        }
    }

    pub fn command(
        &self,
        entity: &Entity,
        command: Command,
    ) -> Result<Vec<Outgoing>, CommandError> {
        let discovery = self
            .entities
            .get(&entity.id)
            .ok_or(CommandError::UnknownEntity)?;
        command_messages(discovery, entity, command)
    }
}

fn on_off(
    discovery: &DiscoveryConfig,
    text: &str,
    on_keys: [&str; 2],
    off_keys: [&str; 2],
) -> Option<bool> {
    let first = |keys: [&str; 2], default: &'static str| {
        discovery
            .str(keys[0])
            .or(discovery.str(keys[1]))
            .unwrap_or(default)
    };
    if text == first(on_keys, "ON") {
        Some(true)
    } else if text == first(off_keys, "OFF") {
        Some(false)
    } else {
        None
    }
}

fn pair(text: &str) -> Option<(f32, f32)> {
    let (a, b) = text.split_once(',')?;
    let number = |t: &str| parse_f32(t.trim()).filter(|n| n.is_finite());
    Some((number(a)?, number(b)?))
}

fn triple(text: &str) -> Option<(f32, f32, f32)> {
    let mut numbers = [0.0; 3];
    let mut parts = text.split(',');
    for n in &mut numbers {
        *n = parse_f32(parts.next()?.trim()).filter(|n| n.is_finite())?;
    }
    let [r, g, b] = numbers;
    parts.next().is_none().then_some((r, g, b))
}

fn color_temp_from(discovery: &DiscoveryConfig, value: f64) -> Option<u16> {
    if value <= 0.0 {
        return None;
    }
    Some(if discovery.kelvin() {
        mireds(1e6 / value)
    } else {
        mireds(value)
    })
}

/// Applies one rendered state value (from a non-JSON-schema topic) to the entity.
fn apply_state(
    discovery: &DiscoveryConfig,
    key: &str,
    rendered: &Rendered,
    kind: &mut EntityKind,
    now_ms: u64,
    history_len: usize,
) -> Result<(), String> {
    let text = rendered.as_text();
    let number = || {
        rendered
            .as_f64()
            .ok_or_else(|| format!("\"{text}\" is not a number"))
    };
    match kind {
        EntityKind::Light(light) => match key {
            "state_topic" => {
                light.on = Some(
                    on_off(
                        discovery,
                        &text,
                        ["state_on", "payload_on"],
                        ["state_off", "payload_off"],
                    )
                    .ok_or_else(|| format!("light state \"{text}\" is neither on nor off"))?,
                );
            }
            "brightness_state_topic" => {
                let scale = discovery.f64_or("brightness_scale", 255.0).max(1.0);
                light.brightness = Some((number()? / scale).clamp(0.0, 1.0) as f32);
            }
            "color_temp_state_topic" => {
                light.color_temp = color_temp_from(discovery, number()?);
                // Without a colour mode topic, the last of temperature or colour wins.
                light.color_mode = Some(ColorMode::ColorTemp);
            }
            "hs_state_topic" => {
                light.hue_sat = Some(pair(&text).ok_or("hs state is not h,s")?);
                light.color_mode = Some(ColorMode::Color);
            }
            "rgb_state_topic" => {
                let (r, g, b) = triple(&text).ok_or("rgb state is not r,g,b")?;
                light.hue_sat = Some(color::rgb_to_hs(r, g, b));
                light.color_mode = Some(ColorMode::Color);
            }
            "xy_state_topic" => {
                let (x, y) = pair(&text).ok_or("xy state is not x,y")?;
                light.hue_sat = Some(color::xy_to_hs(x, y).ok_or("xy state is not a colour")?);
                light.color_mode = Some(ColorMode::Color);
            }
            "effect_state_topic" => light.effect = Some(text),
            _ => {}
        },
        EntityKind::Switch(switch) => {
            switch.on = Some(
                on_off(
                    discovery,
                    &text,
                    ["state_on", "payload_on"],
                    ["state_off", "payload_off"],
                )
                .ok_or_else(|| format!("switch state \"{text}\" is neither on nor off"))?,
            );
        }
        EntityKind::BinarySensor(sensor) => {
            sensor.on = Some(
                on_off(
                    discovery,
                    &text,
                    ["payload_on", "payload_on"],
                    ["payload_off", "payload_off"],
                )
                .ok_or_else(|| format!("binary sensor state \"{text}\" is neither on nor off"))?,
            );
        }
        EntityKind::Sensor(sensor) => {
            let numeric = rendered.as_f64();
            let textual = discovery.str("device_class") == Some("enum")
                || (numeric.is_none() && discovery.str("unit_of_measurement").is_none());
            match numeric {
                Some(n) if !textual => {
                    sensor.value = Some(SensorValue::Number(n));
                    sensor.history.push(now_ms, n, history_len);
                }
                _ if textual => sensor.value = Some(SensorValue::Text(text)),
                _ => return Err(format!("sensor with a unit sent \"{text}\", not a number")),
            }
        }
        EntityKind::Climate(climate) => match key {
            "mode_state_topic" => climate.mode = Some(text),
            "current_temperature_topic" => climate.current_temperature = Some(number()?),
            "temperature_state_topic" => climate.target_temperature = Some(number()?),
            _ => {}
        },
        EntityKind::Cover(cover) => match key {
            "position_topic" => {
                let open = discovery.f64_or("position_open", 100.0);
                let closed = discovery.f64_or("position_closed", 0.0);
                let span = if open == closed { 1.0 } else { open - closed };
                cover.position = Some(
                    ((number()? - closed) / span * 100.0)
                        .round()
                        .clamp(0.0, 100.0) as u8,
                );
            }
            _ => {
                // Each state's config key and default payload, in the order they are tried.
                const STATES: [(&str, &str, CoverState); 5] = [
                    ("state_open", "open", CoverState::Open),
                    ("state_opening", "opening", CoverState::Opening),
                    ("state_closed", "closed", CoverState::Closed),
                    ("state_closing", "closing", CoverState::Closing),
                    ("state_stopped", "stopped", CoverState::Stopped),
                ];
                let Some((_, _, state)) = STATES
                    .iter()
                    .find(|(key, default, _)| text == discovery.str(key).unwrap_or(default))
                else {
                    return Err(format!(
                        "cover state \"{text}\" is not one of the configured states"
                    ));
                };
                cover.state = Some(*state);
            }
        },
        EntityKind::Fan(fan) => match key {
            "percentage_state_topic" => {
                let low = discovery.f64_or("speed_range_min", 1.0);
                let high = discovery.f64_or("speed_range_max", 100.0).max(low);
                let value = number()?;
                fan.percentage = Some(
                    (((value - low + 1.0) / (high - low + 1.0)) * 100.0)
                        .round()
                        .clamp(0.0, 100.0) as u8,
                );
            }
            _ => {
                fan.on = Some(
                    on_off(
                        discovery,
                        &text,
                        ["payload_on", "payload_on"],
                        ["payload_off", "payload_off"],
                    )
                    .ok_or_else(|| format!("fan state \"{text}\" is neither on nor off"))?,
                );
            }
        },
        EntityKind::Number(n) => n.value = Some(number()?),
        EntityKind::Select(select) => select.value = Some(text),
    }
    Ok(())
}

/// A `schema: json` light's state payload, e.g.
/// `{"state":"ON","brightness":255,"color_mode":"rgb","color":{"r":255,"g":180,"b":200}}`.
fn read_json_light_state(
    discovery: &DiscoveryConfig,
    light: &mut Light,
    payload: &[u8],
) -> Result<(), String> {
    let state = Value::parse(payload).map_err(|e| e.message())?;
    if state.as_object().is_none() {
        return Err("light state is not a JSON object".into());
    }
    match state.str_at("state") {
        Some("ON") => light.on = Some(true),
        Some("OFF") => light.on = Some(false),
        Some(other) => return Err(format!("light state \"{other}\" is neither ON nor OFF")),
        None => {}
    }
    if let Some(b) = state.f64_at("brightness") {
        let scale = discovery.f64_or("brightness_scale", 255.0).max(1.0);
        light.brightness = Some((b / scale).clamp(0.0, 1.0) as f32);
    }
    if let Some(ct) = state.f64_at("color_temp") {
        light.color_temp = color_temp_from(discovery, ct);
    }
    if let Some(c) = state.get("color") {
        let h = c.f64_at("h");
        let s = c.f64_at("s");
        let rgb = (c.f64_at("r"), c.f64_at("g"), c.f64_at("b"));
        let xy = (c.f64_at("x"), c.f64_at("y"));
        if let (Some(h), Some(s)) = (h, s) {
            light.hue_sat = Some((h as f32, s as f32));
        } else if let (Some(r), Some(g), Some(b)) = rgb {
            light.hue_sat = Some(color::rgb_to_hs(r as f32, g as f32, b as f32));
        } else if let (Some(x), Some(y)) = xy {
            light.hue_sat = color::xy_to_hs(x as f32, y as f32);
        }
    }
    if let Some(effect) = state.str_at("effect") {
        light.effect = Some(effect.to_owned());
    }
    if let Some(mode) = state.str_at("color_mode").and_then(ColorMode::from_name) {
        light.color_mode = Some(mode);
    }
    Ok(())
}

fn command_messages(
    d: &DiscoveryConfig,
    entity: &Entity,
    command: Command,
) -> Result<Vec<Outgoing>, CommandError> {
    let payload_on = || d.str("payload_on").unwrap_or("ON").to_owned();
    let payload_off = || d.str("payload_off").unwrap_or("OFF").to_owned();
    match (&entity.kind, command) {
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
            if d.json_schema() {
                json_light_command(d, light, request)
            } else {
                default_light_command(d, light, request)
            }
        }
        (EntityKind::Switch(_), Command::Switch(on)) => {
            let topic = d.command_topic("command_topic", "command_template")?;
            d.publish(topic, if on { payload_on() } else { payload_off() })
                .alone()
        }
        (EntityKind::Fan(_), Command::Fan { on, percentage }) => {
            let mut out = Vec::new();
            if let Some(p) = percentage {
                let low = d.f64_or("speed_range_min", 1.0);
                let high = d.f64_or("speed_range_max", 100.0).max(low);
                let value = if p == 0 {
                    0.0
                } else {
                    (f64::from(p.min(100)) / 100.0 * (high - low + 1.0)).ceil() + low - 1.0
                };
                d.send(
                    &mut out,
                    "percentage_command_topic",
                    "percentage_command_template",
                    number_text(value),
                )
                .map_err(|_| CommandError::Unsupported("fan speed"))?;
            }
            if let Some(on) = on {
                let payload = if on { payload_on() } else { payload_off() };
                d.send(&mut out, "command_topic", "command_template", payload)?;
            }
            Ok(out)
        }
        (EntityKind::Cover(_), Command::Cover(c)) => {
            let (topic, payload) = match c {
                CoverCommand::Position(p) => {
                    let topic = d
                        .command_topic("set_position_topic", "set_position_template")
                        .map_err(|_| CommandError::Unsupported("cover position"))?;
                    let open = d.f64_or("position_open", 100.0);
                    let closed = d.f64_or("position_closed", 0.0);
                    (
                        topic,
                        number_text(
                            (closed + (open - closed) * f64::from(p.min(100)) / 100.0).round(),
                        ),
                    )
                }
                other => {
                    let (key, default) = match other {
                        CoverCommand::Open => ("payload_open", "OPEN"),
                        CoverCommand::Close => ("payload_close", "CLOSE"),
                        _ => ("payload_stop", "STOP"),
                    };
                    if matches!(d.config.get(key), Some(Value::Null)) {
                        return Err(CommandError::Unsupported("this cover command"));
                    }
                    (
                        d.command_topic("command_topic", "command_template")?,
                        d.str(key).unwrap_or(default).to_owned(),
                    )
                }
            };
            d.publish(topic, payload).alone()
        }
        (
            EntityKind::Climate(_),
            Command::Climate {
                target_temperature,
                mode,
            },
        ) => {
            let mut out = Vec::new();
            if let Some(mode) = mode {
                d.send(
                    &mut out,
                    "mode_command_topic",
                    "mode_command_template",
                    mode,
                )
                .map_err(|_| CommandError::Unsupported("mode"))?;
            }
            if let Some(t) = target_temperature {
                d.send(
                    &mut out,
                    "temperature_command_topic",
                    "temperature_command_template",
                    number_text(t),
                )
                .map_err(|_| CommandError::Unsupported("target temperature"))?;
            }
            Ok(out)
        }
        (EntityKind::Number(number), Command::Number(n)) => {
            // Home Assistant refuses a value outside min..max; the nearest allowed one is sent.
            let n = clamp_between(n, number.min, number.max);
            d.publish(
                d.command_topic("command_topic", "command_template")?,
                number_text(n),
            )
            .alone()
        }
        (EntityKind::Select(_), Command::Select(option)) => d
            .publish(
                d.command_topic("command_topic", "command_template")?,
                option,
            )
            .alone(),
        (_, Command::Refresh) => Ok(Vec::new()),
        (EntityKind::Sensor(_) | EntityKind::BinarySensor(_), _) => Err(CommandError::ReadOnly),
        _ => Err(CommandError::WrongKind),
    }
}

fn json_light_command(
    d: &DiscoveryConfig,
    light: &Light,
    r: LightRequest,
) -> Result<Vec<Outgoing>, CommandError> {
    r.check(light)?;
    let topic = d.command_topic("command_topic", "command_template")?;
    let mut payload = ObjectWriter::new();
    if r.on == Some(false) {
        payload.string("state", "OFF");
        return d.publish(topic, payload.finish()).alone();
    }
    // Home Assistant always sends `state`; a change of brightness or colour turns the light on.
    payload.string("state", "ON");
    if let Some(b) = r.brightness {
        payload.number(
            "brightness",
            scale_brightness(b, d.f64_or("brightness_scale", 255.0)),
        );
    }
    if let Some(ct) = r.clamped_color_temp(light) {
        let value = if d.kelvin() {
            (1e6 / f64::from(ct.max(1))).round()
        } else {
            f64::from(ct)
        };
        payload.number("color_temp", value);
    }
    if let Some((h, s)) = r.hue_sat {
        let modes = d.color_modes();
        let has = |m: &str| modes.iter().any(|x| x == m);
        let mut color = ObjectWriter::new();
        if has("hs") || modes.is_empty() {
            color.number("h", f64::from(h));
            color.number("s", f64::from(s));
        } else if has("xy") {
            let (x, y) = color::hs_to_xy(h, s);
            color.number("x", f64::from(x));
            color.number("y", f64::from(y));
        } else {
            let (red, green, blue) = color::hs_to_rgb(h, s);
            color.number("r", f64::from(red));
            color.number("g", f64::from(green));
            color.number("b", f64::from(blue));
        }
        payload.object("color", color);
    }
    if let Some(effect) = r.effect {
        payload.string("effect", &effect);
    }
    d.publish(topic, payload.finish()).alone()
}

fn default_light_command(
    d: &DiscoveryConfig,
    light: &Light,
    r: LightRequest,
) -> Result<Vec<Outgoing>, CommandError> {
    r.check(light)?;
    let command_topic = d.command_topic("command_topic", "command_template")?;
    let on_payload = d.str("payload_on").unwrap_or("ON");
    if r.on == Some(false) {
        return d
            .publish(
                command_topic,
                d.str("payload_off").unwrap_or("OFF").to_owned(),
            )
            .alone();
    }
    let mut attributes = Vec::new();
    if let Some(b) = r.brightness {
        let value = scale_brightness(b, d.f64_or("brightness_scale", 255.0));
        d.send(
            &mut attributes,
            "brightness_command_topic",
            "brightness_command_template",
            number_text(value),
        )?;
    }
    if let Some(ct) = r.clamped_color_temp(light) {
        let value = if d.kelvin() {
            (1e6 / f64::from(ct.max(1))).round()
        } else {
            f64::from(ct)
        };
        d.send(
            &mut attributes,
            "color_temp_command_topic",
            "color_temp_command_template",
            number_text(value),
        )?;
    }
    if let Some((h, s)) = r.hue_sat {
        // The first colour topic the light has, and the colour in its form.
        let colour = if let Some(topic) = d.str("hs_command_topic") {
            Some((
                topic,
                format!(
                    "{},{}",
                    number_text(f64::from(h)),
                    number_text(f64::from(s))
                ),
            ))
        } else if let Some(topic) = d.str("rgb_command_topic") {
            let (red, green, blue) = color::hs_to_rgb(h, s);
            Some((topic, format!("{red},{green},{blue}")))
        } else if let Some(topic) = d.str("xy_command_topic") {
            let (x, y) = color::hs_to_xy(h, s);
            Some((
                topic,
                format!(
                    "{},{}",
                    number_text(f64::from(x)),
                    number_text(f64::from(y))
                ),
            ))
        } else {
            None
        };
        if let Some((topic, payload)) = colour {
            attributes.push(d.publish(topic, payload));
        }
    }
    if let Some(effect) = r.effect {
        d.send(
            &mut attributes,
            "effect_command_topic",
            "effect_command_template",
            effect,
        )?;
    }
    // `on_command_type`: `last` (default) sends ON after the attributes, `first` before them,
    // `brightness` lets the brightness message alone turn the light on.
    let on = d.publish(command_topic, on_payload.to_owned());
    let sends_on = r.on == Some(true);
    match d.str("on_command_type") {
        Some("first") if sends_on => attributes.insert(0, on),
        Some("brightness") if r.brightness.is_some() => {}
        _ if sends_on => attributes.push(on),
        _ => {}
    }
    Ok(attributes)
}

#[cfg(test)]
pub(crate) mod tests;
