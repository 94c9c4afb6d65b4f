use crate::test_support::{light, sensor};
use crate::{
    Availability, Command, CommandError, CoverCommand, CoverState, DeviceId, EntityId, EntityKind,
    Home, HomeConfig, SensorValue,
};

fn home() -> Home {
    Home::new(HomeConfig::default())
}

fn send(home: &mut Home, topic: &str, payload: &str) -> crate::Changes {
    home.handle_message(topic, payload.as_bytes(), false, 1_000)
}

pub(crate) const KITCHEN: &str = r#"{"~":"homeassistant/light/kitchen","name":"Kitchen","unique_id":"kitchen_light","cmd_t":"~/set","stat_t":"~/state","schema":"json","brightness":true,"supported_color_modes":["color_temp"]}"#;

/// A json-schema colour bulb as an ESP firmware announces it, with a device block.
pub(crate) const DESK_BULB: &str = r#"{
  "name": null,
  "uniq_id": "desk_bulb_01",
  "schema": "json",
  "~": "lights/desk",
  "cmd_t": "~/cmd",
  "stat_t": "~/state",
  "avty_t": "~/status",
  "bri": true,
  "brightness": true,
  "bri_scl": 100,
  "sup_clrm": ["color_temp", "hs"],
  "min_mirs": 153,
  "max_mirs": 454,
  "effect": true,
  "fx_list": ["rainbow", "candle"],
  "dev": {"ids": ["desk_bulb_01"], "name": "Desk bulb", "mf": "Lumen", "mdl": "LB-9", "sw": "1.4.2", "sa": "Office"}
}"#;

#[test]
fn json_light_config_creates_a_light_with_its_features() {
    let mut home = home();
    let changes = send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    let device_id = DeviceId::from("ha:kitchen_light");
    assert!(changes.devices.contains(&device_id));
    assert!(changes.subscriptions_changed);
    assert!(
        home.subscriptions()
            .contains(&"homeassistant/light/kitchen/state".to_string())
    );
    let device = home.device(&device_id).expect("device");
    assert_eq!(device.name, "Kitchen");
    assert_eq!(device.availability, Availability::Online);
    assert_eq!(device.room, None);
    let lamp = light(&home, "ha:kitchen_light/kitchen_light");
    assert!(lamp.features.brightness);
    assert_eq!(lamp.features.color_temp, Some((153, 500)));
    assert!(!lamp.features.color);
}

#[test]
fn abbreviated_device_keys_give_name_maker_model_and_room() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        DESK_BULB,
    );
    let device = home
        .device(&DeviceId::from("ha:desk_bulb_01"))
        .expect("device");
    assert_eq!(device.name, "Desk bulb");
    assert_eq!(device.manufacturer.as_deref(), Some("Lumen"));
    assert_eq!(device.model.as_deref(), Some("LB-9"));
    assert_eq!(device.sw_version.as_deref(), Some("1.4.2"));
    assert_eq!(device.room.as_deref(), Some("Office"));
    assert_eq!(home.rooms(), vec!["Office"]);
    let bulb = light(&home, "ha:desk_bulb_01/desk_bulb_01");
    assert_eq!(
        home.entity(&EntityId::from("ha:desk_bulb_01/desk_bulb_01"))
            .expect("entity")
            .name,
        "Desk bulb"
    );
    assert_eq!(bulb.features.color_temp, Some((153, 454)));
    assert!(bulb.features.color);
    assert_eq!(
        bulb.features.effects,
        vec!["rainbow".to_string(), "candle".to_string()]
    );
}

#[test]
fn json_light_state_updates_on_brightness_colour_and_effect() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        DESK_BULB,
    );
    send(
        &mut home,
        "lights/desk/state",
        r#"{"state":"ON","brightness":50,"color_mode":"hs","color":{"h":30.5,"s":80},"effect":"candle"}"#,
    );
    let bulb = light(&home, "ha:desk_bulb_01/desk_bulb_01");
    assert_eq!(bulb.on, Some(true));
    assert_eq!(bulb.brightness, Some(0.5));
    assert_eq!(bulb.hue_sat, Some((30.5, 80.0)));
    assert_eq!(bulb.color_mode, Some(crate::ColorMode::Color));
    assert_eq!(bulb.effect.as_deref(), Some("candle"));
    send(&mut home, "lights/desk/state", r#"{"state":"OFF"}"#);
    let bulb = light(&home, "ha:desk_bulb_01/desk_bulb_01");
    assert_eq!(bulb.on, Some(false));
    assert_eq!(
        bulb.brightness,
        Some(0.5),
        "a partial state keeps what it does not mention"
    );
}

#[test]
fn json_light_state_in_rgb_becomes_hue_and_saturation() {
    let mut home = home();
    send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    send(
        &mut home,
        "homeassistant/light/kitchen/state",
        r#"{"state":"ON","color_mode":"rgb","color":{"r":0,"g":0,"b":255},"color_temp":155}"#,
    );
    let lamp = light(&home, "ha:kitchen_light/kitchen_light");
    assert_eq!(lamp.hue_sat, Some((240.0, 100.0)));
    assert_eq!(lamp.color_temp, Some(155));
}

#[test]
fn command_to_json_light_scales_brightness_to_brightness_scale() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        DESK_BULB,
    );
    let id = EntityId::from("ha:desk_bulb_01/desk_bulb_01");
    let out = home
        .command(
            &id,
            Command::Light {
                on: Some(true),
                brightness: Some(0.42),
                color_temp: Some(600),
                hue_sat: None,
                effect: None,
            },
        )
        .expect("command");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "lights/desk/cmd");
    // Brightness on the configured 0..100 scale; colour temperature clamped to max_mireds.
    assert_eq!(
        out[0].payload,
        r#"{"state":"ON","brightness":42,"color_temp":454}"#
    );
    let out = home
        .command(&id, Command::light_on(false))
        .expect("command");
    assert_eq!(out[0].payload, r#"{"state":"OFF"}"#);
}

#[test]
fn command_to_json_light_sends_colour_in_the_supported_mode() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        DESK_BULB,
    );
    let id = EntityId::from("ha:desk_bulb_01/desk_bulb_01");
    let hs = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((120.0, 50.0)),
        effect: Some("rainbow".into()),
    };
    let out = home.command(&id, hs).expect("command");
    assert_eq!(
        out[0].payload,
        r#"{"state":"ON","color":{"h":120,"s":50},"effect":"rainbow"}"#
    );

    let rgb_only = DESK_BULB.replace(r#"["color_temp", "hs"]"#, r#"["rgb"]"#);
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        &rgb_only,
    );
    let red = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((0.0, 100.0)),
        effect: None,
    };
    let out = home.command(&id, red).expect("command");
    assert_eq!(
        out[0].payload,
        r#"{"state":"ON","color":{"r":255,"g":0,"b":0}}"#
    );
}

#[test]
fn command_for_a_feature_the_light_lacks_is_refused() {
    let mut home = home();
    send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    let id = EntityId::from("ha:kitchen_light/kitchen_light");
    let colour = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((10.0, 10.0)),
        effect: None,
    };
    assert_eq!(
        home.command(&id, colour),
        Err(CommandError::Unsupported("colour"))
    );
    assert_eq!(
        home.command(&id, Command::Switch(true)),
        Err(CommandError::WrongKind)
    );
    assert_eq!(
        home.command(&EntityId::from("ha:nope/x"), Command::Switch(true)),
        Err(CommandError::UnknownEntity)
    );
}

/// A default-schema RGB light with separate topics, as a Tasmota-style bridge announces it.
pub(crate) const PORCH: &str = r#"{
  "name": "Porch",
  "unique_id": "porch_light",
  "command_topic": "porch/light/switch",
  "state_topic": "porch/light/status",
  "brightness_command_topic": "porch/brightness/set",
  "brightness_state_topic": "porch/brightness/status",
  "brightness_scale": 100,
  "rgb_command_topic": "porch/rgb/set",
  "rgb_state_topic": "porch/rgb/status",
  "color_temp_command_topic": "porch/ct/set",
  "color_temp_state_topic": "porch/ct/status",
  "effect_command_topic": "porch/effect/set",
  "effect_state_topic": "porch/effect/status",
  "effect_list": ["pulse"],
  "payload_on": "1",
  "payload_off": "0",
  "qos": 1,
  "retain": true
}"#;

#[test]
fn default_schema_light_reads_each_state_topic() {
    let mut home = home();
    send(&mut home, "homeassistant/light/porch/config", PORCH);
    send(&mut home, "porch/light/status", "1");
    send(&mut home, "porch/brightness/status", "25");
    send(&mut home, "porch/rgb/status", "255,0,0");
    send(&mut home, "porch/ct/status", "300");
    send(&mut home, "porch/effect/status", "pulse");
    let porch = light(&home, "ha:porch_light/porch_light");
    assert_eq!(porch.on, Some(true));
    assert_eq!(porch.brightness, Some(0.25));
    assert_eq!(porch.hue_sat, Some((0.0, 100.0)));
    assert_eq!(porch.color_temp, Some(300));
    // Colour temperature arrived after the colour, and no colour mode topic says otherwise.
    assert_eq!(porch.color_mode, Some(crate::ColorMode::ColorTemp));
    assert_eq!(porch.effect.as_deref(), Some("pulse"));
    assert_eq!(porch.features.effects, vec!["pulse".to_string()]);
}

#[test]
fn command_to_default_schema_light_sends_attributes_then_on() {
    let mut home = home();
    send(&mut home, "homeassistant/light/porch/config", PORCH);
    let id = EntityId::from("ha:porch_light/porch_light");
    let out = home
        .command(
            &id,
            Command::Light {
                on: Some(true),
                brightness: Some(1.0),
                color_temp: None,
                hue_sat: Some((240.0, 100.0)),
                effect: None,
            },
        )
        .expect("command");
    let sent: Vec<(&str, &str)> = out
        .iter()
        .map(|o| (o.topic.as_str(), o.payload.as_str()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("porch/brightness/set", "100"),
            ("porch/rgb/set", "0,0,255"),
            ("porch/light/switch", "1")
        ]
    );
    assert!(out.iter().all(|o| o.retain && o.qos == 1));
    let out = home
        .command(&id, Command::light_on(false))
        .expect("command");
    assert_eq!(out[0].payload, "0");
}

#[test]
fn empty_discovery_payload_removes_the_entity() {
    let mut home = home();
    send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    let changes = send(&mut home, "homeassistant/light/kitchen/config", "");
    assert!(
        changes
            .removed
            .contains(&DeviceId::from("ha:kitchen_light"))
    );
    assert!(home.devices().next().is_none());
    assert!(
        !home
            .subscriptions()
            .iter()
            .any(|s| s == "homeassistant/light/kitchen/state")
    );
}

#[test]
fn a_later_config_replaces_the_earlier_one_and_keeps_the_reading() {
    let mut home = home();
    send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    send(
        &mut home,
        "homeassistant/light/kitchen/state",
        r#"{"state":"ON","brightness":255}"#,
    );
    let renamed = KITCHEN
        .replace(r#""name":"Kitchen""#, r#""name":"Kitchen ceiling""#)
        .replace(r#"["color_temp"]"#, r#"["hs"]"#);
    send(&mut home, "homeassistant/light/kitchen/config", &renamed);
    let entity = home
        .entity(&EntityId::from("ha:kitchen_light/kitchen_light"))
        .expect("entity");
    assert_eq!(entity.name, "Kitchen ceiling");
    let lamp = light(&home, "ha:kitchen_light/kitchen_light");
    assert!(lamp.features.color);
    assert_eq!(lamp.features.color_temp, None);
    assert_eq!(lamp.on, Some(true));
}

/// A device-based discovery config: one device, several components sharing availability.
pub(crate) const WEATHER_STATION: &str = r#"{
  "dev": {"ids": "ws-2000-ab12", "name": "Weather station", "mf": "Bresser", "mdl": "WS2000", "sa": "Garden"},
  "o": {"name": "rtl_433", "sw": "23.11", "url": "https://triq.org"},
  "avty_t": "weather/ws/status",
  "stat_t": "weather/ws/state",
  "qos": 0,
  "cmps": {
    "temp": {"p": "sensor", "name": "Temperature", "dev_cla": "temperature", "unit_of_meas": "°C", "val_tpl": "{{ value_json.temperature }}", "uniq_id": "ws_temp"},
    "hum": {"p": "sensor", "name": "Humidity", "dev_cla": "humidity", "unit_of_meas": "%", "val_tpl": "{{ value_json['humidity'] }}", "uniq_id": "ws_hum"},
    "rain": {"p": "binary_sensor", "name": "Raining", "dev_cla": "moisture", "val_tpl": "{{ value_json.raining }}", "pl_on": "yes", "pl_off": "no", "uniq_id": "ws_rain"},
    "heater": {"p": "switch", "name": "Sensor heater", "cmd_t": "weather/ws/heater/set", "stat_t": "weather/ws/heater", "uniq_id": "ws_heater"}
  }
}"#;

#[test]
fn device_discovery_creates_one_device_with_every_component() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/device/ws2000/config",
        WEATHER_STATION,
    );
    let device = home
        .device(&DeviceId::from("ha:ws-2000-ab12"))
        .expect("device");
    assert_eq!(device.name, "Weather station");
    assert_eq!(device.room.as_deref(), Some("Garden"));
    assert_eq!(device.entities.len(), 4);
    assert_eq!(device.availability, Availability::Unknown);
    let names: Vec<&str> = device.entities.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"Sensor heater"));

    send(&mut home, "weather/ws/status", "online");
    send(
        &mut home,
        "weather/ws/state",
        r#"{"temperature":12.5,"humidity":81,"raining":"yes"}"#,
    );
    let device = home
        .device(&DeviceId::from("ha:ws-2000-ab12"))
        .expect("device");
    assert_eq!(device.availability, Availability::Online);
    let temp = sensor(&home, "ha:ws-2000-ab12/temp");
    assert_eq!(temp.value, Some(SensorValue::Number(12.5)));
    assert_eq!(temp.unit.as_deref(), Some("°C"));
    assert_eq!(temp.device_class.as_deref(), Some("temperature"));
    assert_eq!(
        sensor(&home, "ha:ws-2000-ab12/hum").value,
        Some(SensorValue::Number(81.0))
    );
    match &home
        .entity(&EntityId::from("ha:ws-2000-ab12/rain"))
        .expect("rain")
        .kind
    {
        EntityKind::BinarySensor(rain) => assert_eq!(rain.on, Some(true)),
        other => panic!("{other:?}"),
    }
    let out = home
        .command(
            &EntityId::from("ha:ws-2000-ab12/heater"),
            Command::Switch(true),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("weather/ws/heater/set", "ON")
    );
}

#[test]
fn empty_device_discovery_payload_removes_every_component() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/device/ws2000/config",
        WEATHER_STATION,
    );
    let changes = send(&mut home, "homeassistant/device/ws2000/config", "");
    assert!(changes.removed.contains(&DeviceId::from("ha:ws-2000-ab12")));
    assert_eq!(home.devices().count(), 0);
}

#[test]
fn device_discovery_without_a_component_removes_just_that_one() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/device/ws2000/config",
        WEATHER_STATION,
    );
    let without_heater = WEATHER_STATION.replace(
        r#",
    "heater": {"p": "switch", "name": "Sensor heater", "cmd_t": "weather/ws/heater/set", "stat_t": "weather/ws/heater", "uniq_id": "ws_heater"}"#,
        "",
    );
    send(
        &mut home,
        "homeassistant/device/ws2000/config",
        &without_heater,
    );
    let device = home
        .device(&DeviceId::from("ha:ws-2000-ab12"))
        .expect("device");
    assert_eq!(device.entities.len(), 3);
    assert!(
        home.entity(&EntityId::from("ha:ws-2000-ab12/heater"))
            .is_none()
    );
}

#[test]
fn sensor_keeps_a_bounded_history_of_numeric_readings() {
    let mut home = Home::new(HomeConfig {
        history_len: 3,
        ..HomeConfig::default()
    });
    send(
        &mut home,
        "homeassistant/device/ws2000/config",
        WEATHER_STATION,
    );
    for (t, temp) in [(1, 10.0), (2, 11.0), (3, 12.0), (4, 13.0)] {
        home.handle_message(
            "weather/ws/state",
            format!(r#"{{"temperature":{temp}}}"#).as_bytes(),
            false,
            t * 60_000,
        );
    }
    let points: Vec<(u64, f64)> = sensor(&home, "ha:ws-2000-ab12/temp")
        .history
        .points
        .iter()
        .copied()
        .collect();
    assert_eq!(
        points,
        vec![(120_000, 11.0), (180_000, 12.0), (240_000, 13.0)]
    );
}

#[test]
fn unsupported_value_template_is_reported_not_guessed() {
    let mut home = home();
    let config = r#"{"name":"Power","stat_t":"meter/state","unit_of_meas":"W","val_tpl":"{{ value_json.power | float * 1000 }}","uniq_id":"meter_power"}"#;
    let changes = send(&mut home, "homeassistant/sensor/meter/power/config", config);
    assert!(
        changes
            .problems
            .iter()
            .any(|p| p.reason.contains("not supported"))
    );
    let changes = send(&mut home, "meter/state", r#"{"power":1.2}"#);
    assert!(!changes.problems.is_empty());
    assert_eq!(sensor(&home, "ha:meter_power/meter_power").value, None);
}

#[test]
fn plain_value_sensor_reads_the_payload_itself() {
    let mut home = home();
    let config = r#"{"name":"Uptime","stat_t":"box/uptime","unit_of_meas":"s","val_tpl":"{{ value }}","uniq_id":"box_uptime"}"#;
    send(&mut home, "homeassistant/sensor/box/uptime/config", config);
    send(&mut home, "box/uptime", "3600");
    assert_eq!(
        sensor(&home, "ha:box_uptime/box_uptime").value,
        Some(SensorValue::Number(3600.0))
    );
    // A sensor with a unit that sends text is a fault of the device, not a new reading.
    let changes = send(&mut home, "box/uptime", "unknown");
    assert_eq!(changes.problems.len(), 1);
    assert_eq!(
        sensor(&home, "ha:box_uptime/box_uptime").value,
        Some(SensorValue::Number(3600.0))
    );
}

#[test]
fn state_before_discovery_is_read_once_the_config_arrives() {
    let mut home = home();
    // The app subscribed with a broad filter; the state topic is not known yet.
    let changes = send(
        &mut home,
        "lights/desk/state",
        r#"{"state":"ON","brightness":100}"#,
    );
    assert!(changes.devices.is_empty());
    send(&mut home, "lights/desk/status", "online");
    send(
        &mut home,
        "homeassistant/light/desk_bulb_01/config",
        DESK_BULB,
    );
    let bulb = light(&home, "ha:desk_bulb_01/desk_bulb_01");
    assert_eq!(bulb.on, Some(true));
    assert_eq!(bulb.brightness, Some(1.0));
    assert_eq!(
        home.device(&DeviceId::from("ha:desk_bulb_01"))
            .expect("device")
            .availability,
        Availability::Online
    );
}

fn availability_config(mode: &str) -> String {
    format!(
        r#"{{"name":"Plug","uniq_id":"plug_1","cmd_t":"plug/set","stat_t":"plug/state",
            "avty":[{{"t":"bridge/state","pl_avail":"up","pl_not_avail":"down"}},{{"t":"plug/avail"}}],
            "avty_mode":"{mode}"}}"#
    )
}

fn plug_availability(home: &Home) -> Availability {
    home.device(&DeviceId::from("ha:plug_1"))
        .expect("plug")
        .availability
}

#[test]
fn availability_all_needs_every_topic_online() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/switch/plug/config",
        &availability_config("all"),
    );
    send(&mut home, "bridge/state", "up");
    assert_eq!(plug_availability(&home), Availability::Unknown);
    send(&mut home, "plug/avail", "online");
    assert_eq!(plug_availability(&home), Availability::Online);
    send(&mut home, "bridge/state", "down");
    assert_eq!(plug_availability(&home), Availability::Offline);
}

#[test]
fn availability_any_needs_one_topic_online() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/switch/plug/config",
        &availability_config("any"),
    );
    send(&mut home, "bridge/state", "down");
    assert_eq!(plug_availability(&home), Availability::Unknown);
    send(&mut home, "plug/avail", "online");
    assert_eq!(plug_availability(&home), Availability::Online);
    send(&mut home, "plug/avail", "offline");
    assert_eq!(plug_availability(&home), Availability::Offline);
}

#[test]
fn availability_latest_follows_the_last_message() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/switch/plug/config",
        &availability_config("latest"),
    );
    send(&mut home, "bridge/state", "down");
    assert_eq!(plug_availability(&home), Availability::Offline);
    send(&mut home, "plug/avail", "online");
    assert_eq!(plug_availability(&home), Availability::Online);
    let changes = send(&mut home, "plug/avail", "maybe");
    assert_eq!(changes.problems.len(), 1);
    assert_eq!(plug_availability(&home), Availability::Online);
}

#[test]
fn home_assistant_status_is_recorded() {
    let mut home = home();
    assert_eq!(home.home_assistant_online(), None);
    send(&mut home, "homeassistant/status", "online");
    assert_eq!(home.home_assistant_online(), Some(true));
    send(&mut home, "homeassistant/status", "offline");
    assert_eq!(home.home_assistant_online(), Some(false));
}

#[test]
fn climate_reads_mode_and_temperatures_and_sets_the_target() {
    let mut home = home();
    let config = r#"{"name":"Living room","uniq_id":"trv_living","mode_cmd_t":"trv/living/mode/set","mode_stat_t":"trv/living/mode",
        "modes":["off","heat","auto"],"curr_temp_t":"trv/living/state","curr_temp_tpl":"{{ value_json.local_temperature }}",
        "temp_cmd_t":"trv/living/target/set","temp_stat_t":"trv/living/target","min_temp":5,"max_temp":30,"temp_step":0.5,"temp_unit":"C"}"#;
    send(&mut home, "homeassistant/climate/trv_living/config", config);
    send(&mut home, "trv/living/mode", "heat");
    send(
        &mut home,
        "trv/living/state",
        r#"{"local_temperature":19.5}"#,
    );
    send(&mut home, "trv/living/target", "21");
    match &home
        .entity(&EntityId::from("ha:trv_living/trv_living"))
        .expect("climate")
        .kind
    {
        EntityKind::Climate(c) => {
            assert_eq!(c.mode.as_deref(), Some("heat"));
            assert_eq!(c.current_temperature, Some(19.5));
            assert_eq!(c.target_temperature, Some(21.0));
            assert_eq!((c.min_temp, c.max_temp, c.temp_step), (5.0, 30.0, 0.5));
            assert_eq!(c.modes.len(), 3);
        }
        other => panic!("{other:?}"),
    }
    let out = home
        .command(
            &EntityId::from("ha:trv_living/trv_living"),
            Command::Climate {
                target_temperature: Some(21.5),
                mode: Some("auto".into()),
            },
        )
        .expect("command");
    let sent: Vec<(&str, &str)> = out
        .iter()
        .map(|o| (o.topic.as_str(), o.payload.as_str()))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("trv/living/mode/set", "auto"),
            ("trv/living/target/set", "21.5")
        ]
    );
}

#[test]
fn cover_reads_state_and_position_and_sends_open_close_stop_and_position() {
    let mut home = home();
    let config = r#"{"name":"Blind","uniq_id":"blind_1","cmd_t":"blind/set","stat_t":"blind/state","pos_t":"blind/position",
        "set_pos_t":"blind/position/set","pl_stop":"HALT","pos_open":255,"pos_clsd":0}"#;
    send(&mut home, "homeassistant/cover/blind/config", config);
    send(&mut home, "blind/state", "closing");
    send(&mut home, "blind/position", "51");
    match &home
        .entity(&EntityId::from("ha:blind_1/blind_1"))
        .expect("cover")
        .kind
    {
        EntityKind::Cover(c) => {
            assert_eq!(c.state, Some(CoverState::Closing));
            assert_eq!(c.position, Some(20));
            assert!(c.can_set_position && c.can_stop);
        }
        other => panic!("{other:?}"),
    }
    let id = EntityId::from("ha:blind_1/blind_1");
    let payload = |c| {
        home.command(&id, Command::Cover(c)).expect("command")[0]
            .payload
            .clone()
    };
    assert_eq!(payload(CoverCommand::Open), "OPEN");
    assert_eq!(payload(CoverCommand::Stop), "HALT");
    assert_eq!(payload(CoverCommand::Position(50)), "128");
}

#[test]
fn fan_reads_and_sets_percentage_within_its_speed_range() {
    let mut home = home();
    let config = r#"{"name":"Fan","uniq_id":"fan_1","cmd_t":"fan/on/set","stat_t":"fan/on","pct_cmd_t":"fan/speed/set","pct_stat_t":"fan/speed","spd_rng_min":1,"spd_rng_max":4}"#;
    send(&mut home, "homeassistant/fan/fan_1/config", config);
    send(&mut home, "fan/on", "ON");
    send(&mut home, "fan/speed", "2");
    match &home
        .entity(&EntityId::from("ha:fan_1/fan_1"))
        .expect("fan")
        .kind
    {
        EntityKind::Fan(f) => assert_eq!((f.on, f.percentage), (Some(true), Some(50))),
        other => panic!("{other:?}"),
    }
    let out = home
        .command(
            &EntityId::from("ha:fan_1/fan_1"),
            Command::Fan {
                on: None,
                percentage: Some(75),
            },
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("fan/speed/set", "3")
    );
}

#[test]
fn malformed_config_is_a_problem_not_a_panic() {
    let mut home = home();
    for payload in ["{", "[]", "\"x\"", r#"{"p":"light""#, "\u{0}"] {
        let changes = send(&mut home, "homeassistant/light/bad/config", payload);
        assert_eq!(changes.problems.len(), 1, "{payload:?}");
    }
    let changes = send(
        &mut home,
        "homeassistant/vacuum/robo/config",
        r#"{"name":"Robo"}"#,
    );
    assert!(changes.problems[0].reason.contains("not supported"));
    assert_eq!(home.devices().count(), 0);
    assert!(home.problems().count() >= 5);
}

#[cfg(feature = "zigbee2mqtt")]
#[test]
fn zigbee2mqtt_discovery_is_skipped_in_favour_of_the_native_device() {
    let mut home = home();
    let config = r#"{"name":null,"uniq_id":"0x0017880104e45517_light_zigbee2mqtt","o":{"name":"Zigbee2MQTT","sw":"2.1.0"},"cmd_t":"zigbee2mqtt/Hue/set","stat_t":"zigbee2mqtt/Hue","schema":"json","dev":{"ids":["zigbee2mqtt_0x0017880104e45517"],"name":"Hue"}}"#;
    let changes = send(
        &mut home,
        "homeassistant/light/0x0017880104e45517/light/config",
        config,
    );
    assert_eq!(home.devices().count(), 0);
    assert_eq!(changes.problems.len(), 1);
}

#[test]
fn template_schema_light_is_reported_as_unsupported() {
    let mut home = home();
    let config = r#"{"name":"Strip","uniq_id":"strip","schema":"template","cmd_t":"strip/set","command_on_template":"on,{{ brightness }}","command_off_template":"off","stat_t":"strip/state","state_template":"{{ value.split(',')[0] }}"}"#;
    let changes = send(&mut home, "homeassistant/light/strip/config", config);
    assert!(changes.problems[0].reason.contains("template"));
    assert_eq!(home.devices().count(), 0);
}

#[test]
fn availability_template_reads_a_json_availability_payload() {
    let mut home = home();
    let config = r#"{"name":"Heater","uniq_id":"heater","cmd_t":"heater/set","stat_t":"heater/state",
        "avty_t":"heater/status","avty_tpl":"{{ value_json.status }}","pl_avail":"up","pl_not_avail":"down"}"#;
    send(&mut home, "homeassistant/switch/heater/config", config);
    send(&mut home, "heater/status", r#"{"status":"up","uptime":12}"#);
    assert_eq!(
        home.device(&DeviceId::from("ha:heater"))
            .expect("heater")
            .availability,
        Availability::Online
    );
    send(&mut home, "heater/status", r#"{"status":"down"}"#);
    assert_eq!(
        home.device(&DeviceId::from("ha:heater"))
            .expect("heater")
            .availability,
        Availability::Offline
    );
}

#[test]
fn number_and_select_read_their_state_and_send_their_value() {
    let mut home = home();
    let number = r#"{"name":"Target humidity","uniq_id":"dehum_target","cmd_t":"dehum/target/set","stat_t":"dehum/target","min":30,"max":70,"step":5,"unit_of_meas":"%"}"#;
    let select = r#"{"name":"Mode","uniq_id":"dehum_mode","cmd_t":"dehum/mode/set","stat_t":"dehum/mode","ops":["auto","continuous","laundry"]}"#;
    send(
        &mut home,
        "homeassistant/number/dehum/target/config",
        number,
    );
    send(&mut home, "homeassistant/select/dehum/mode/config", select);
    send(&mut home, "dehum/target", "55");
    send(&mut home, "dehum/mode", "laundry");
    match &home
        .entity(&EntityId::from("ha:dehum_target/dehum_target"))
        .expect("number")
        .kind
    {
        EntityKind::Number(n) => assert_eq!(
            (n.value, n.min, n.max, n.step),
            (Some(55.0), Some(30.0), Some(70.0), Some(5.0))
        ),
        other => panic!("{other:?}"),
    }
    match &home
        .entity(&EntityId::from("ha:dehum_mode/dehum_mode"))
        .expect("select")
        .kind
    {
        EntityKind::Select(s) => {
            assert_eq!((s.value.as_deref(), s.options.len()), (Some("laundry"), 3))
        }
        other => panic!("{other:?}"),
    }
    let out = home
        .command(
            &EntityId::from("ha:dehum_target/dehum_target"),
            Command::Number(45.0),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("dehum/target/set", "45")
    );
    let out = home
        .command(
            &EntityId::from("ha:dehum_mode/dehum_mode"),
            Command::Select("auto".into()),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("dehum/mode/set", "auto")
    );
}

#[test]
fn a_light_without_a_state_topic_is_optimistic_and_takes_commands_as_its_state() {
    let mut home = home();
    send(
        &mut home,
        "homeassistant/light/porch/config",
        r#"{"name":"Porch","unique_id":"porch","cmd_t":"porch/set","schema":"json","brightness":true}"#,
    );
    let id = EntityId::from("ha:porch/porch");
    assert!(home.entity(&id).expect("entity exists").optimistic);
    let command = Command::light_brightness(0.4);
    home.command(&id, command.clone()).expect("command");
    assert!(home.assume(&id, &command));
    assert_eq!(light(&home, "ha:porch/porch").brightness, Some(0.4));
    assert_eq!(light(&home, "ha:porch/porch").on, Some(true));
}

#[test]
fn a_light_with_a_state_topic_waits_for_the_device_to_report() {
    let mut home = home();
    send(&mut home, "homeassistant/light/kitchen/config", KITCHEN);
    let id = EntityId::from("ha:kitchen_light/kitchen_light");
    assert!(!home.entity(&id).expect("entity exists").optimistic);
    assert!(!home.assume(&id, &Command::light_on(true)));
    assert_eq!(light(&home, "ha:kitchen_light/kitchen_light").on, None);
}
