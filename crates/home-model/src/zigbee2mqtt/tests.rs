use crate::test_support::{light, sensor};
use crate::{
    Availability, ColorMode, Command, CommandError, Convention, DeviceId, EntityId, EntityKind,
    Home, HomeConfig, SensorValue,
};

/// `zigbee2mqtt/bridge/devices` with the coordinator, a Philips Hue colour bulb (friendly name
/// with a `/`), an Aqara temperature sensor and a two-channel relay with endpoints.
pub(crate) const DEVICES: &str = r#"[
  {"ieee_address":"0x00124b0022ab1234","type":"Coordinator","network_address":0,"friendly_name":"Coordinator","definition":null},
  {"ieee_address":"0x0017880104e45517","type":"Router","network_address":29159,"supported":true,
   "friendly_name":"Living room/Floor lamp","disabled":false,"description":"By the sofa",
   "definition":{"model":"9290022166","vendor":"Philips","description":"Hue white and color ambiance E26/E27",
     "exposes":[
       {"type":"light","features":[
         {"type":"binary","name":"state","label":"State","property":"state","value_on":"ON","value_off":"OFF","value_toggle":"TOGGLE","access":7},
         {"type":"numeric","name":"brightness","label":"Brightness","property":"brightness","value_min":0,"value_max":254,"access":7},
         {"type":"numeric","name":"color_temp","label":"Color temp","property":"color_temp","unit":"mired","value_min":153,"value_max":500,"access":7,
          "presets":[{"name":"coolest","value":153},{"name":"warmest","value":500}]},
         {"type":"composite","name":"color_xy","label":"Color (X/Y)","property":"color","access":7,"features":[
           {"type":"numeric","name":"x","property":"x","access":7},{"type":"numeric","name":"y","property":"y","access":7}]},
         {"type":"composite","name":"color_hs","label":"Color (HS)","property":"color","access":7,"features":[
           {"type":"numeric","name":"hue","property":"hue","access":7},{"type":"numeric","name":"saturation","property":"saturation","access":7}]}
       ]},
       {"type":"enum","name":"effect","label":"Effect","property":"effect","access":2,
        "values":["blink","breathe","okay","channel_change","candle","fireplace","colorloop","finish_effect","stop_effect"]},
       {"type":"enum","name":"power_on_behavior","label":"Power-on behavior","property":"power_on_behavior","access":7,"values":["off","on","toggle","previous"]},
       {"type":"numeric","name":"linkquality","label":"Linkquality","property":"linkquality","unit":"lqi","value_min":0,"value_max":255,"access":1}
     ]},
   "software_build_id":"1.104.2","model_id":"LCA001","manufacturer":"Signify Netherlands B.V."},
  {"ieee_address":"0x00158d0001a2b3c4","type":"EndDevice","network_address":4321,"supported":true,
   "friendly_name":"Bedroom climate","disabled":false,
   "definition":{"model":"WSDCGQ11LM","vendor":"Aqara","description":"Temperature and humidity sensor",
     "exposes":[
       {"type":"numeric","name":"battery","label":"Battery","property":"battery","unit":"%","value_min":0,"value_max":100,"access":1},
       {"type":"numeric","name":"temperature","label":"Temperature","property":"temperature","unit":"°C","access":1},
       {"type":"numeric","name":"humidity","label":"Humidity","property":"humidity","unit":"%","access":1},
       {"type":"numeric","name":"pressure","label":"Pressure","property":"pressure","unit":"hPa","access":1},
       {"type":"numeric","name":"linkquality","label":"Linkquality","property":"linkquality","unit":"lqi","value_min":0,"value_max":255,"access":1}
     ]}},
  {"ieee_address":"0xa4c1380000000001","type":"Router","friendly_name":"Hall relay","area":"Hall",
   "definition":{"model":"TS0002","vendor":"Tuya","description":"2 gang switch module",
     "exposes":[
       {"type":"switch","endpoint":"l1","features":[{"type":"binary","name":"state","property":"state_l1","value_on":"ON","value_off":"OFF","access":7,"endpoint":"l1"}]},
       {"type":"switch","endpoint":"l2","features":[{"type":"binary","name":"state","property":"state_l2","value_on":"ON","value_off":"OFF","access":7,"endpoint":"l2"}]},
       {"type":"binary","name":"child_lock","property":"child_lock","value_on":"LOCK","value_off":"UNLOCK","access":3},
       {"type":"binary","name":"tamper","property":"tamper","value_on":true,"value_off":false,"access":1}
     ]}}
]"#;

pub(crate) const GROUPS: &str = r#"[
  {"id":1,"friendly_name":"Living room lights","description":null,"scenes":[],
   "members":[{"ieee_address":"0x0017880104e45517","endpoint":11}]},
  {"id":2,"friendly_name":"Empty group","scenes":[],"members":[]}
]"#;

const HUE: &str = "z2m:0x0017880104e45517";
const AQARA: &str = "z2m:0x00158d0001a2b3c4";
const RELAY: &str = "z2m:0xa4c1380000000001";

fn home() -> Home {
    let mut home = Home::new(HomeConfig::default());
    send(&mut home, "zigbee2mqtt/bridge/devices", DEVICES);
    home
}

fn send(home: &mut Home, topic: &str, payload: &str) -> crate::Changes {
    home.handle_message(topic, payload.as_bytes(), false, 5_000)
}

fn lamp() -> EntityId {
    EntityId::from("z2m:0x0017880104e45517/light")
}

#[test]
fn bridge_devices_creates_devices_from_exposes() {
    let home = home();
    assert_eq!(
        home.devices().count(),
        3,
        "the coordinator is not a device to show"
    );
    let hue = home.device(&DeviceId::from(HUE)).expect("hue");
    assert_eq!(hue.name, "Living room/Floor lamp");
    assert_eq!(hue.manufacturer.as_deref(), Some("Philips"));
    assert_eq!(hue.model.as_deref(), Some("9290022166"));
    assert_eq!(hue.sw_version.as_deref(), Some("1.104.2"));
    assert_eq!(hue.convention, Convention::Zigbee2Mqtt);
    assert_eq!(hue.room, None);
    let features = &light(&home, "z2m:0x0017880104e45517/light").features;
    assert!(features.brightness && features.color);
    assert_eq!(features.color_temp, Some((153, 500)));
    assert!(features.effects.contains(&"candle".to_string()));
    // The write-only effect enum is part of the light, not a separate entity.
    assert!(
        home.entity(&EntityId::from("z2m:0x0017880104e45517/effect"))
            .is_none()
    );
    match &home
        .entity(&EntityId::from("z2m:0x0017880104e45517/power_on_behavior"))
        .expect("select")
        .kind
    {
        EntityKind::Select(select) => assert_eq!(select.options.len(), 4),
        other => panic!("{other:?}"),
    }
    let aqara = home.device(&DeviceId::from(AQARA)).expect("aqara");
    let keys: Vec<&str> = aqara.entities.iter().map(|e| e.id.key()).collect();
    assert_eq!(
        keys,
        vec![
            "battery",
            "temperature",
            "humidity",
            "pressure",
            "linkquality"
        ]
    );
    assert_eq!(
        sensor(&home, "z2m:0x00158d0001a2b3c4/temperature")
            .unit
            .as_deref(),
        Some("°C")
    );
    assert_eq!(
        sensor(&home, "z2m:0x00158d0001a2b3c4/humidity")
            .device_class
            .as_deref(),
        Some("humidity")
    );
}

#[test]
fn area_of_a_device_becomes_its_room() {
    let home = home();
    assert_eq!(
        home.device(&DeviceId::from(RELAY))
            .expect("relay")
            .room
            .as_deref(),
        Some("Hall")
    );
    assert_eq!(home.rooms(), vec!["Hall"]);
    assert_eq!(home.devices_in(None).count(), 2);
}

#[test]
fn light_state_from_zigbee2mqtt_updates_brightness() {
    let mut home = home();
    let changes = send(
        &mut home,
        "zigbee2mqtt/Living room/Floor lamp",
        r#"{"state":"ON","brightness":127,"color_temp":366,"color_mode":"color_temp","color":{"x":0.4573,"y":0.41,"hue":38,"saturation":69},"linkquality":87}"#,
    );
    assert_eq!(
        changes.devices.iter().collect::<Vec<_>>(),
        vec![&DeviceId::from(HUE)]
    );
    let lamp = light(&home, "z2m:0x0017880104e45517/light");
    assert_eq!(lamp.on, Some(true));
    assert_eq!(lamp.brightness, Some(0.5));
    assert_eq!(lamp.color_temp, Some(366));
    assert_eq!(lamp.hue_sat, Some((38.0, 69.0)));
    assert_eq!(lamp.color_mode, Some(ColorMode::ColorTemp));
    assert_eq!(
        sensor(&home, "z2m:0x0017880104e45517/linkquality").value,
        Some(SensorValue::Number(87.0))
    );
}

#[test]
fn sensor_state_from_zigbee2mqtt_records_history() {
    let mut home = home();
    home.handle_message(
        "zigbee2mqtt/Bedroom climate",
        br#"{"temperature":21.4,"humidity":44.7,"battery":97}"#,
        false,
        1_000,
    );
    home.handle_message(
        "zigbee2mqtt/Bedroom climate",
        br#"{"temperature":21.6,"humidity":44.1,"battery":97}"#,
        false,
        2_000,
    );
    let temperature = sensor(&home, "z2m:0x00158d0001a2b3c4/temperature");
    assert_eq!(temperature.value, Some(SensorValue::Number(21.6)));
    assert_eq!(
        temperature
            .history
            .points
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![(1_000, 21.4), (2_000, 21.6)]
    );
}

#[test]
fn availability_is_read_in_both_payload_formats() {
    let mut home = home();
    let aqara = DeviceId::from(AQARA);
    assert_eq!(
        home.device(&aqara).expect("aqara").availability,
        Availability::Unknown
    );
    send(
        &mut home,
        "zigbee2mqtt/Bedroom climate/availability",
        r#"{"state":"online"}"#,
    );
    assert_eq!(
        home.device(&aqara).expect("aqara").availability,
        Availability::Online
    );
    send(
        &mut home,
        "zigbee2mqtt/Bedroom climate/availability",
        "offline",
    );
    assert_eq!(
        home.device(&aqara).expect("aqara").availability,
        Availability::Offline
    );
    send(
        &mut home,
        "zigbee2mqtt/Living room/Floor lamp/availability",
        "online",
    );
    assert_eq!(
        home.device(&DeviceId::from(HUE)).expect("hue").availability,
        Availability::Online
    );
}

#[test]
fn bridge_offline_makes_every_device_offline_until_it_returns() {
    let mut home = home();
    send(
        &mut home,
        "zigbee2mqtt/Bedroom climate/availability",
        r#"{"state":"online"}"#,
    );
    send(
        &mut home,
        "zigbee2mqtt/bridge/state",
        r#"{"state":"offline"}"#,
    );
    assert_eq!(home.zigbee2mqtt_online(), Some(false));
    assert!(
        home.devices()
            .all(|d| d.availability == Availability::Offline)
    );
    send(&mut home, "zigbee2mqtt/bridge/state", "online");
    assert_eq!(
        home.device(&DeviceId::from(AQARA))
            .expect("aqara")
            .availability,
        Availability::Online
    );
    assert_eq!(
        home.device(&DeviceId::from(RELAY))
            .expect("relay")
            .availability,
        Availability::Unknown
    );
}

#[test]
fn state_and_availability_before_bridge_devices_are_read_when_it_arrives() {
    let mut home = Home::new(HomeConfig::default());
    send(
        &mut home,
        "zigbee2mqtt/Living room/Floor lamp",
        r#"{"state":"OFF","brightness":254}"#,
    );
    send(
        &mut home,
        "zigbee2mqtt/Living room/Floor lamp/availability",
        r#"{"state":"online"}"#,
    );
    assert_eq!(home.devices().count(), 0);
    send(&mut home, "zigbee2mqtt/bridge/devices", DEVICES);
    let lamp = light(&home, "z2m:0x0017880104e45517/light");
    assert_eq!((lamp.on, lamp.brightness), (Some(false), Some(1.0)));
    assert_eq!(
        home.device(&DeviceId::from(HUE)).expect("hue").availability,
        Availability::Online
    );
}

#[test]
fn command_to_zigbee2mqtt_light_scales_brightness_to_254() {
    let home = home();
    let out = home
        .command(
            &lamp(),
            Command::Light {
                on: Some(true),
                brightness: Some(0.5),
                color_temp: Some(100),
                hue_sat: None,
                effect: None,
            },
        )
        .expect("command");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "zigbee2mqtt/Living room/Floor lamp/set");
    assert_eq!(
        out[0].payload,
        r#"{"state":"ON","brightness":127,"color_temp":153}"#
    );
    assert!(!out[0].retain);
}

#[test]
fn command_to_zigbee2mqtt_light_sends_hue_saturation_and_effect() {
    let home = home();
    let command = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((210.4, 80.0)),
        effect: Some("candle".into()),
    };
    let out = home.command(&lamp(), command).expect("command");
    assert_eq!(
        out[0].payload,
        r#"{"color":{"hue":210,"saturation":80},"effect":"candle"}"#
    );
    let unknown_effect = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: None,
        effect: Some("disco".into()),
    };
    assert_eq!(
        home.command(&lamp(), unknown_effect),
        Err(CommandError::Unsupported("this effect"))
    );
}

#[test]
fn refresh_reads_the_readable_properties_via_get() {
    let home = home();
    let out = home.command(&lamp(), Command::Refresh).expect("command");
    assert_eq!(out[0].topic, "zigbee2mqtt/Living room/Floor lamp/get");
    assert_eq!(
        out[0].payload,
        r#"{"state":"","brightness":"","color_temp":"","color":""}"#
    );
    // Nothing on the Aqara sensor is readable on demand.
    assert_eq!(
        home.command(
            &EntityId::from("z2m:0x00158d0001a2b3c4/temperature"),
            Command::Refresh
        ),
        Ok(vec![])
    );
}

#[test]
fn endpoint_switches_are_separate_entities_with_their_own_property() {
    let mut home = home();
    send(
        &mut home,
        "zigbee2mqtt/Hall relay",
        r#"{"state_l1":"ON","state_l2":"OFF","child_lock":"UNLOCK","tamper":false}"#,
    );
    let on = |key: &str| match &home
        .entity(&EntityId::from(format!("{RELAY}/{key}").as_str()))
        .expect(key)
        .kind
    {
        EntityKind::Switch(s) => s.on,
        EntityKind::BinarySensor(s) => s.on,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (
            on("state_l1"),
            on("state_l2"),
            on("child_lock"),
            on("tamper")
        ),
        (Some(true), Some(false), Some(false), Some(false))
    );
    let out = home
        .command(
            &EntityId::from(format!("{RELAY}/state_l2").as_str()),
            Command::Switch(true),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("zigbee2mqtt/Hall relay/set", r#"{"state_l2":"ON"}"#)
    );
    let out = home
        .command(
            &EntityId::from(format!("{RELAY}/child_lock").as_str()),
            Command::Switch(true),
        )
        .expect("command");
    assert_eq!(out[0].payload, r#"{"child_lock":"LOCK"}"#);
    assert_eq!(
        home.command(
            &EntityId::from(format!("{RELAY}/tamper").as_str()),
            Command::Switch(true)
        ),
        Err(CommandError::ReadOnly)
    );
}

#[test]
fn groups_become_devices_addressed_by_their_name() {
    let mut home = home();
    send(&mut home, "zigbee2mqtt/bridge/groups", GROUPS);
    let group = home.device(&DeviceId::from("z2m:group_1")).expect("group");
    assert_eq!(group.name, "Living room lights");
    let features = &light(&home, "z2m:group_1/light").features;
    assert!(features.brightness && features.color);
    send(
        &mut home,
        "zigbee2mqtt/Living room lights",
        r#"{"state":"ON","brightness":254}"#,
    );
    assert_eq!(light(&home, "z2m:group_1/light").brightness, Some(1.0));
    let out = home
        .command(
            &EntityId::from("z2m:group_1/light"),
            Command::light_on(false),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("zigbee2mqtt/Living room lights/set", r#"{"state":"OFF"}"#)
    );
    // A group with no light members is an on/off switch.
    assert!(matches!(
        home.entity(&EntityId::from("z2m:group_2/switch"))
            .expect("switch")
            .kind,
        EntityKind::Switch(_)
    ));
}

#[test]
fn a_device_missing_from_a_new_bridge_devices_is_removed() {
    let mut home = home();
    let changes = send(&mut home, "zigbee2mqtt/bridge/devices", "[]");
    assert_eq!(changes.removed.len(), 3);
    assert_eq!(home.devices().count(), 0);
}

#[test]
fn renamed_device_keeps_its_id_and_answers_on_the_new_name() {
    let mut home = home();
    send(
        &mut home,
        "zigbee2mqtt/bridge/devices",
        &DEVICES.replace("Bedroom climate", "Guest room climate"),
    );
    send(
        &mut home,
        "zigbee2mqtt/Guest room climate",
        r#"{"temperature":19.0}"#,
    );
    assert_eq!(
        home.device(&DeviceId::from(AQARA)).expect("aqara").name,
        "Guest room climate"
    );
    assert_eq!(
        sensor(&home, "z2m:0x00158d0001a2b3c4/temperature").value,
        Some(SensorValue::Number(19.0))
    );
}

#[test]
fn configurable_base_topic_is_used_both_ways() {
    let mut home = Home::new(HomeConfig {
        z2m_base: Some("z2m-house".into()),
        ..HomeConfig::default()
    });
    assert!(home.subscriptions().contains(&"z2m-house/#".to_string()));
    send(&mut home, "z2m-house/bridge/devices", DEVICES);
    let out = home
        .command(&lamp(), Command::light_on(true))
        .expect("command");
    assert_eq!(out[0].topic, "z2m-house/Living room/Floor lamp/set");
}

#[test]
fn malformed_zigbee2mqtt_payloads_are_problems_not_panics() {
    let mut home = home();
    for (topic, payload) in [
        ("zigbee2mqtt/bridge/devices", "{"),
        ("zigbee2mqtt/bridge/devices", r#"{"not":"a list"}"#),
        ("zigbee2mqtt/Bedroom climate", "21.4"),
        ("zigbee2mqtt/Bedroom climate", "[1,2"),
        ("zigbee2mqtt/Bedroom climate/availability", "maybe"),
        ("zigbee2mqtt/bridge/groups", "null"),
    ] {
        let changes = send(&mut home, topic, payload);
        assert_eq!(changes.problems.len(), 1, "{topic} {payload}");
    }
    // Unexpected types inside an otherwise valid state are ignored field by field.
    send(
        &mut home,
        "zigbee2mqtt/Living room/Floor lamp",
        r#"{"state":7,"brightness":"x","color":[1]}"#,
    );
    assert_eq!(light(&home, "z2m:0x0017880104e45517/light").on, None);
    assert_eq!(home.devices().count(), 3);
}

#[test]
fn disabled_devices_are_not_shown() {
    let mut home = Home::new(HomeConfig::default());
    send(
        &mut home,
        "zigbee2mqtt/bridge/devices",
        &DEVICES.replace(
            r#""friendly_name":"Bedroom climate","disabled":false"#,
            r#""friendly_name":"Bedroom climate","disabled":true"#,
        ),
    );
    assert!(home.device(&DeviceId::from(AQARA)).is_none());
    assert_eq!(home.devices().count(), 2);
}

#[test]
fn turning_a_light_off_sends_only_the_off() {
    let home = home();
    let off_at_40 = Command::Light {
        on: Some(false),
        brightness: Some(0.4),
        color_temp: None,
        hue_sat: None,
        effect: None,
    };
    let out = home.command(&lamp(), off_at_40).expect("command");
    assert_eq!(out[0].payload, r#"{"state":"OFF"}"#);
}

#[test]
fn a_command_with_a_number_that_is_not_finite_is_refused() {
    let home = home();
    let nan = Command::Light {
        on: None,
        brightness: Some(f32::NAN),
        color_temp: None,
        hue_sat: None,
        effect: None,
    };
    assert_eq!(home.command(&lamp(), nan), Err(CommandError::NotANumber));
}

#[test]
fn a_property_the_device_does_not_publish_is_optimistic() {
    let mut siren = Home::new(HomeConfig::default());
    send(
        &mut siren,
        "zigbee2mqtt/bridge/devices",
        r#"[{"ieee_address":"0x01","friendly_name":"Siren","definition":{"vendor":"V","model":"M","exposes":[
          {"type":"switch","features":[{"type":"binary","name":"state","property":"state","value_on":"ON","value_off":"OFF","access":2}]}]}}]"#,
    );
    let device = siren.device(&DeviceId::from("z2m:0x01")).expect("device");
    assert!(device.entities.iter().all(|e| e.optimistic));
    let published = home();
    assert!(!published.entity(&lamp()).expect("lamp").optimistic);
}
