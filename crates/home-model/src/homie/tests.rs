use crate::test_support::{kind, light, sensor};
use crate::{
    Availability, Command, CommandError, Convention, DeviceId, EntityId, EntityKind, Home,
    HomeConfig, SensorValue,
};

fn send(home: &mut Home, topic: &str, payload: &str) -> crate::Changes {
    home.handle_message(topic, payload.as_bytes(), true, 7_000)
}

/// A Homie 4 device as homie-esp8266 announces it: a dimmable lamp node and a climate node.
pub(crate) const HOMIE4_LAMP: &[(&str, &str)] = &[
    ("homie/kitchen-lamp/$homie", "4.0.0"),
    ("homie/kitchen-lamp/$name", "Kitchen lamp"),
    ("homie/kitchen-lamp/$state", "ready"),
    (
        "homie/kitchen-lamp/$extensions",
        "org.homie.legacy-stats:0.1.1:[4.x]",
    ),
    ("homie/kitchen-lamp/$nodes", "light,climate"),
    ("homie/kitchen-lamp/light/$name", "Ceiling light"),
    ("homie/kitchen-lamp/light/$type", "dimmable-light"),
    (
        "homie/kitchen-lamp/light/$properties",
        "power,brightness,color",
    ),
    ("homie/kitchen-lamp/light/power/$name", "Power"),
    ("homie/kitchen-lamp/light/power/$datatype", "boolean"),
    ("homie/kitchen-lamp/light/power/$settable", "true"),
    ("homie/kitchen-lamp/light/brightness/$name", "Brightness"),
    ("homie/kitchen-lamp/light/brightness/$datatype", "integer"),
    ("homie/kitchen-lamp/light/brightness/$format", "0:255"),
    ("homie/kitchen-lamp/light/brightness/$settable", "true"),
    ("homie/kitchen-lamp/light/color/$name", "Colour"),
    ("homie/kitchen-lamp/light/color/$datatype", "color"),
    ("homie/kitchen-lamp/light/color/$format", "rgb"),
    ("homie/kitchen-lamp/light/color/$settable", "true"),
    ("homie/kitchen-lamp/climate/$name", "Climate"),
    ("homie/kitchen-lamp/climate/$type", "DHT22"),
    (
        "homie/kitchen-lamp/climate/$properties",
        "temperature,mode,alarm",
    ),
    (
        "homie/kitchen-lamp/climate/temperature/$name",
        "Temperature",
    ),
    ("homie/kitchen-lamp/climate/temperature/$datatype", "float"),
    ("homie/kitchen-lamp/climate/temperature/$unit", "°C"),
    ("homie/kitchen-lamp/climate/mode/$name", "Fan mode"),
    ("homie/kitchen-lamp/climate/mode/$datatype", "enum"),
    ("homie/kitchen-lamp/climate/mode/$format", "low,medium,high"),
    ("homie/kitchen-lamp/climate/mode/$settable", "true"),
    ("homie/kitchen-lamp/climate/alarm/$name", "Overheat"),
    ("homie/kitchen-lamp/climate/alarm/$datatype", "boolean"),
    ("homie/kitchen-lamp/light/power", "true"),
    ("homie/kitchen-lamp/light/brightness", "51"),
    ("homie/kitchen-lamp/light/color", "255,0,0"),
    ("homie/kitchen-lamp/climate/temperature", "21.5"),
    ("homie/kitchen-lamp/climate/mode", "medium"),
    ("homie/kitchen-lamp/climate/alarm", "false"),
];

fn homie4() -> Home {
    let mut home = Home::new(HomeConfig::default());
    for (topic, payload) in HOMIE4_LAMP {
        send(&mut home, topic, payload);
    }
    home
}

const LAMP4: &str = "homie:kitchen-lamp";

#[test]
fn homie4_device_with_nodes_and_properties_becomes_a_light_and_entities() {
    let home = homie4();
    let device = home.device(&DeviceId::from(LAMP4)).expect("device");
    assert_eq!(device.name, "Kitchen lamp");
    assert_eq!(device.convention, Convention::Homie4);
    assert_eq!(device.availability, Availability::Online);
    let keys: Vec<&str> = device.entities.iter().map(|e| e.id.key()).collect();
    assert_eq!(
        keys,
        vec![
            "light",
            "climate/temperature",
            "climate/mode",
            "climate/alarm"
        ]
    );
    let lamp = light(&home, "homie:kitchen-lamp/light");
    assert_eq!(
        home.entity(&EntityId::from("homie:kitchen-lamp/light"))
            .expect("light")
            .name,
        "Ceiling light"
    );
    assert_eq!(lamp.on, Some(true));
    assert_eq!(lamp.brightness, Some(0.2));
    assert_eq!(lamp.hue_sat, Some((0.0, 100.0)));
    assert!(lamp.features.brightness && lamp.features.color);
    let temperature = sensor(&home, "homie:kitchen-lamp/climate/temperature");
    assert_eq!(
        (temperature.value.clone(), temperature.unit.as_deref()),
        (Some(SensorValue::Number(21.5)), Some("°C"))
    );
    match kind(&home, "homie:kitchen-lamp/climate/mode") {
        EntityKind::Select(select) => {
            assert_eq!(select.options, vec!["low", "medium", "high"]);
            assert_eq!(select.value.as_deref(), Some("medium"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(kind(&home, "homie:kitchen-lamp/climate/alarm"), EntityKind::BinarySensor(b) if b.on == Some(false))
    );
}

#[test]
fn homie4_values_before_the_description_are_read_once_it_is_complete() {
    let mut home = Home::new(HomeConfig::default());
    for (topic, payload) in HOMIE4_LAMP.iter().rev() {
        send(&mut home, topic, payload);
    }
    let lamp = light(&home, "homie:kitchen-lamp/light");
    assert_eq!((lamp.on, lamp.brightness), (Some(true), Some(0.2)));
    assert_eq!(
        sensor(&home, "homie:kitchen-lamp/climate/temperature").value,
        Some(SensorValue::Number(21.5))
    );
}

#[test]
fn homie4_state_maps_to_availability() {
    let mut home = homie4();
    let id = DeviceId::from(LAMP4);
    for (state, availability) in [
        ("lost", Availability::Offline),
        ("init", Availability::Unknown),
        ("sleeping", Availability::Online),
        ("disconnected", Availability::Offline),
        ("alert", Availability::Online),
        ("ready", Availability::Online),
    ] {
        send(&mut home, "homie/kitchen-lamp/$state", state);
        assert_eq!(
            home.device(&id).expect("device").availability,
            availability,
            "{state}"
        );
    }
}

#[test]
fn command_to_homie4_light_sets_each_property() {
    let home = homie4();
    let out = home
        .command(
            &EntityId::from("homie:kitchen-lamp/light"),
            Command::Light {
                on: Some(true),
                brightness: Some(0.5),
                color_temp: None,
                hue_sat: Some((120.0, 100.0)),
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
            ("homie/kitchen-lamp/light/brightness/set", "128"),
            ("homie/kitchen-lamp/light/color/set", "0,128,0"),
            ("homie/kitchen-lamp/light/power/set", "true"),
        ]
    );
    assert!(out.iter().all(|o| !o.retain && o.qos == 1));
}

#[test]
fn command_to_homie4_enum_and_read_only_property() {
    let home = homie4();
    let out = home
        .command(
            &EntityId::from("homie:kitchen-lamp/climate/mode"),
            Command::Select("high".into()),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("homie/kitchen-lamp/climate/mode/set", "high")
    );
    assert_eq!(
        home.command(
            &EntityId::from("homie:kitchen-lamp/climate/mode"),
            Command::Select("turbo".into())
        ),
        Err(CommandError::Unsupported("this option"))
    );
    assert_eq!(
        home.command(
            &EntityId::from("homie:kitchen-lamp/climate/temperature"),
            Command::Number(3.0)
        ),
        Err(CommandError::ReadOnly)
    );
}

#[test]
fn homie4_node_removed_from_nodes_removes_its_entities() {
    let mut home = homie4();
    send(&mut home, "homie/kitchen-lamp/$nodes", "light");
    let device = home.device(&DeviceId::from(LAMP4)).expect("device");
    assert_eq!(device.entities.len(), 1);
    let changes = send(&mut home, "homie/kitchen-lamp/$homie", "");
    assert!(changes.removed.contains(&DeviceId::from(LAMP4)));
}

pub(crate) const DESK_LAMP: &str = r#"{"homie":"5.0","name":"Desk lamp","version":7,"nodes":{"light":{"name":"Lamp","properties":{"power":{"datatype":"boolean","settable":true},"brightness":{"datatype":"integer","format":"0:100","unit":"%","settable":true}}}}}"#;

/// A Homie 5 thermostat with a non-retained event, a float setpoint with a step and an
/// HSV/RGB colour ring.
pub(crate) const THERMOSTAT: &str = r#"{
  "homie": "5.0", "name": "Hall thermostat", "version": 3, "type": "thermostat",
  "nodes": {
    "thermostat": {"name": "Thermostat", "properties": {
      "temperature": {"name": "Temperature", "datatype": "float", "unit": "°C"},
      "setpoint": {"name": "Setpoint", "datatype": "float", "format": "5:30:0.5", "unit": "°C", "settable": true},
      "heating": {"name": "Heating", "datatype": "boolean"},
      "button": {"name": "Button", "datatype": "enum", "format": "pressed,held", "retained": false}
    }},
    "ring": {"name": "Ring", "properties": {
      "color": {"name": "Ring colour", "datatype": "color", "format": "hsv,rgb", "settable": true}
    }}
  }
}"#;

#[test]
fn homie5_description_becomes_a_light_from_its_power_and_brightness() {
    let mut home = Home::new(HomeConfig::default());
    send(&mut home, "homie/5/desk-lamp/$state", "ready");
    send(&mut home, "homie/5/desk-lamp/light/power", "true");
    send(&mut home, "homie/5/desk-lamp/$description", DESK_LAMP);
    send(&mut home, "homie/5/desk-lamp/light/brightness", "75");
    let device = home
        .device(&DeviceId::from("homie5:desk-lamp"))
        .expect("device");
    assert_eq!(device.name, "Desk lamp");
    assert_eq!(device.convention, Convention::Homie5);
    assert_eq!(device.availability, Availability::Online);
    let lamp = light(&home, "homie5:desk-lamp/light");
    assert_eq!((lamp.on, lamp.brightness), (Some(true), Some(0.75)));
    let out = home
        .command(
            &EntityId::from("homie5:desk-lamp/light"),
            Command::light_brightness(0.3),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("homie/5/desk-lamp/light/brightness/set", "30")
    );
}

#[test]
fn homie5_target_shows_where_a_property_is_heading_until_it_arrives() {
    let mut home = Home::new(HomeConfig::default());
    send(&mut home, "homie/5/desk-lamp/$description", DESK_LAMP);
    send(&mut home, "homie/5/desk-lamp/light/brightness", "10");
    send(
        &mut home,
        "homie/5/desk-lamp/light/brightness/$target",
        "80",
    );
    let lamp = home
        .entity(&EntityId::from("homie5:desk-lamp/light"))
        .expect("lamp");
    assert_eq!(lamp.target.as_deref(), Some("80"));
    send(&mut home, "homie/5/desk-lamp/light/brightness", "45");
    assert_eq!(
        home.entity(&EntityId::from("homie5:desk-lamp/light"))
            .expect("lamp")
            .target
            .as_deref(),
        Some("80")
    );
    send(&mut home, "homie/5/desk-lamp/light/brightness", "80");
    let lamp = home
        .entity(&EntityId::from("homie5:desk-lamp/light"))
        .expect("lamp");
    assert_eq!(lamp.target, None);
    assert_eq!(light(&home, "homie5:desk-lamp/light").brightness, Some(0.8));
}

#[test]
fn homie5_thermostat_properties_become_sensors_numbers_and_a_colour_light() {
    let mut home = Home::new(HomeConfig::default());
    send(
        &mut home,
        "homie/5/hall-thermostat/$description",
        THERMOSTAT,
    );
    send(&mut home, "homie/5/hall-thermostat/$state", "init");
    home.handle_message(
        "homie/5/hall-thermostat/thermostat/temperature",
        b"19.25",
        true,
        1_000,
    );
    home.handle_message(
        "homie/5/hall-thermostat/thermostat/temperature",
        b"19.25",
        true,
        61_000,
    );
    send(
        &mut home,
        "homie/5/hall-thermostat/thermostat/setpoint",
        "21.5",
    );
    send(
        &mut home,
        "homie/5/hall-thermostat/ring/color",
        "rgb,0,0,255",
    );
    let device = home
        .device(&DeviceId::from("homie5:hall-thermostat"))
        .expect("device");
    assert_eq!(device.availability, Availability::Unknown);
    let temperature = sensor(&home, "homie5:hall-thermostat/thermostat/temperature");
    assert_eq!(temperature.device_class.as_deref(), Some("temperature"));
    assert_eq!(
        temperature
            .history
            .points
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![(1_000, 19.25), (61_000, 19.25)]
    );
    match kind(&home, "homie5:hall-thermostat/thermostat/setpoint") {
        EntityKind::Number(n) => assert_eq!(
            (n.value, n.min, n.max, n.step),
            (Some(21.5), Some(5.0), Some(30.0), Some(0.5))
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        light(&home, "homie5:hall-thermostat/ring/color").hue_sat,
        Some((240.0, 100.0))
    );

    let out = home
        .command(
            &EntityId::from("homie5:hall-thermostat/thermostat/setpoint"),
            Command::Number(40.0),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("homie/5/hall-thermostat/thermostat/setpoint/set", "30")
    );
    let colour = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((30.0, 50.0)),
        effect: None,
    };
    let out = home
        .command(&EntityId::from("homie5:hall-thermostat/ring/color"), colour)
        .expect("command");
    assert_eq!(out[0].payload, "hsv,30,50,100");
}

#[test]
fn homie5_empty_description_removes_the_device() {
    let mut home = Home::new(HomeConfig::default());
    send(&mut home, "homie/5/desk-lamp/$description", DESK_LAMP);
    let changes = send(&mut home, "homie/5/desk-lamp/$description", "");
    assert!(
        changes
            .removed
            .contains(&DeviceId::from("homie5:desk-lamp"))
    );
    assert_eq!(home.devices().count(), 0);
}

#[test]
fn malformed_homie_payloads_are_problems_not_panics() {
    let mut home = homie4();
    for (topic, payload) in [
        ("homie/5/broken/$description", "{\"nodes\":"),
        ("homie/5/broken/$description", "[1,2]"),
    ] {
        let changes = send(&mut home, topic, payload);
        assert_eq!(changes.problems.len(), 1, "{topic} {payload}");
    }
    assert_eq!(
        home.handle_message("homie/kitchen-lamp/light/brightness", b"\xff\xfe", true, 0)
            .problems
            .len(),
        1
    );
    // Values that do not parse leave the reading as it was.
    send(&mut home, "homie/kitchen-lamp/light/brightness", "bright");
    send(&mut home, "homie/kitchen-lamp/light/color", "red");
    send(&mut home, "homie/kitchen-lamp/light/power", "yes");
    let lamp = light(&home, "homie:kitchen-lamp/light");
    assert_eq!(
        (lamp.on, lamp.brightness, lamp.hue_sat),
        (Some(true), Some(0.2), Some((0.0, 100.0)))
    );
    // Broadcasts and set echoes are recognised and ignored.
    assert!(send(&mut home, "homie/$broadcast/alert", "hello").is_empty());
    assert!(send(&mut home, "homie/kitchen-lamp/light/power/set", "false").is_empty());
}

#[test]
fn reversed_or_nonsense_ranges_from_a_device_do_not_break_commands() {
    let mut home = Home::new(HomeConfig::default());
    let odd = r#"{"homie":"5.0","name":"Odd","version":1,"nodes":{"n":{"properties":{
        "reversed":{"datatype":"integer","format":"30:5","settable":true},
        "nan":{"datatype":"float","format":"NaN:inf","settable":true}}}}}"#;
    send(&mut home, "homie/5/odd/$description", odd);
    send(&mut home, "homie/5/odd/n/nan", "NaN");
    let out = home
        .command(
            &EntityId::from("homie5:odd/n/reversed"),
            Command::Number(50.0),
        )
        .expect("command");
    assert_eq!(out[0].payload, "30");
    let out = home
        .command(&EntityId::from("homie5:odd/n/nan"), Command::Number(2.5))
        .expect("command");
    assert_eq!(out[0].payload, "2.5");
    match kind(&home, "homie5:odd/n/nan") {
        EntityKind::Number(n) => assert_eq!((n.value, n.min, n.max), (None, None, None)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn homie5_colour_temperature_in_kelvin_stays_within_the_lamps_own_range() {
    let mut home = Home::new(HomeConfig::default());
    send(&mut home, "homie/5/warm-lamp/$state", "ready");
    send(
        &mut home,
        "homie/5/warm-lamp/$description",
        r#"{"homie":"5.0","name":"Warm lamp","version":1,"nodes":{"light":{"name":"Lamp","properties":{"power":{"datatype":"boolean","settable":true},"color-temperature":{"datatype":"integer","format":"2200:6500","unit":"K","settable":true}}}}}"#,
    );
    let lamp = EntityId::from("homie5:warm-lamp/light");
    let (coolest, warmest) = light(&home, "homie5:warm-lamp/light")
        .features
        .color_temp
        .expect("colour temperature");
    let set = |home: &Home, mireds: u16| {
        let out = home
            .command(
                &lamp,
                Command::Light {
                    on: None,
                    brightness: None,
                    color_temp: Some(mireds),
                    hue_sat: None,
                    effect: None,
                },
            )
            .expect("command");
        out[0].payload.clone()
    };
    assert_eq!(
        set(&home, warmest),
        "2200",
        "455 mireds is 2198 K: below the lamp's range"
    );
    // 154 mireds is as cool as whole mireds go: 6494 K.
    let cool: f64 = set(&home, coolest).parse().expect("a number");
    assert!((6400.0..=6500.0).contains(&cool), "{cool}");
}

#[test]
fn a_property_is_at_exactly_its_path() {
    use super::{Datatype, PropertyDescription};
    let property = |node: &str, id: &str| PropertyDescription {
        node: node.to_owned(),
        id: id.to_owned(),
        name: None,
        datatype: Datatype::String,
        format: None,
        settable: false,
        retained: true,
        unit: None,
    };
    let paths = [
        "light/power",
        "light/power/x",
        "light",
        "light/",
        "/power",
        "a/b/c",
        "",
    ];
    for (node, id) in [
        ("light", "power"),
        ("a/b", "c"),
        ("a", "b/c"),
        ("", "power"),
        ("light", ""),
    ] {
        let p = property(node, id);
        for path in paths {
            assert_eq!(p.is_at(path), p.path() == path, "{node} {id} {path}");
        }
    }
}
