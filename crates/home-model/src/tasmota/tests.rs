use crate::test_support::{kind, light, sensor, switch};
use crate::{
    Availability, Command, CommandError, DeviceId, EntityId, EntityKind, Home, HomeConfig,
    SensorValue,
};

fn home() -> Home {
    Home::new(HomeConfig::default())
}

fn send(home: &mut Home, topic: &str, payload: &str) -> crate::Changes {
    home.handle_message(topic, payload.as_bytes(), false, 10_000)
}

/// A Sonoff TH with an AM2301, as it reports without discovery.
pub(crate) const SONOFF_STATE: &str = r#"{"Time":"2026-11-22T08:30:00","Uptime":"0T01:02:03","UptimeSec":3723,"Heap":26,"SleepMode":"Dynamic","Sleep":50,"LoadAvg":19,"MqttCount":1,"POWER":"ON","Wifi":{"AP":1,"SSId":"home","BSSId":"AA:BB:CC:DD:EE:FF","Channel":6,"Mode":"11n","RSSI":78,"Signal":-61,"LinkCount":1,"Downtime":"0T00:00:03"}}"#;
pub(crate) const SONOFF_SENSOR: &str = r#"{"Time":"2026-11-22T08:30:00","AM2301":{"Temperature":21.3,"Humidity":40.2,"DewPoint":7.4},"TempUnit":"C"}"#;

#[test]
fn device_becomes_known_from_its_last_will() {
    let mut home = home();
    let changes = send(&mut home, "tele/tasmota_A1B2C3/LWT", "Online");
    let id = DeviceId::from("tasmota:tasmota_A1B2C3");
    assert!(changes.devices.contains(&id));
    let device = home.device(&id).expect("device");
    assert_eq!(device.name, "tasmota_A1B2C3");
    assert_eq!(device.availability, Availability::Online);
    send(&mut home, "tele/tasmota_A1B2C3/LWT", "Offline");
    assert_eq!(
        home.device(&id).expect("device").availability,
        Availability::Offline
    );
}

#[test]
fn sonoff_state_and_sensor_telemetry_become_a_switch_and_sensors() {
    let mut home = home();
    send(&mut home, "tele/sonoff_th/STATE", SONOFF_STATE);
    home.handle_message(
        "tele/sonoff_th/SENSOR",
        SONOFF_SENSOR.as_bytes(),
        false,
        300_000,
    );
    assert_eq!(switch(&home, "tasmota:sonoff_th/POWER").on, Some(true));
    let temperature = sensor(&home, "tasmota:sonoff_th/AM2301.Temperature");
    assert_eq!(temperature.value, Some(SensorValue::Number(21.3)));
    assert_eq!(temperature.unit.as_deref(), Some("°C"));
    assert_eq!(temperature.device_class.as_deref(), Some("temperature"));
    assert_eq!(
        temperature
            .history
            .points
            .iter()
            .copied()
            .collect::<Vec<_>>(),
        vec![(300_000, 21.3)]
    );
    let humidity = sensor(&home, "tasmota:sonoff_th/AM2301.Humidity");
    assert_eq!(
        (humidity.value.clone(), humidity.unit.as_deref()),
        (Some(SensorValue::Number(40.2)), Some("%"))
    );
    assert_eq!(
        home.entity(&EntityId::from("tasmota:sonoff_th/AM2301.Humidity"))
            .expect("humidity")
            .name,
        "AM2301 Humidity"
    );
}

#[test]
fn power_results_update_each_relay() {
    let mut home = home();
    send(&mut home, "stat/tasmota_4CH/RESULT", r#"{"POWER1":"ON"}"#);
    send(&mut home, "stat/tasmota_4CH/POWER2", "OFF");
    send(&mut home, "stat/tasmota_4CH/POWER1", "OFF");
    assert_eq!(switch(&home, "tasmota:tasmota_4CH/POWER1").on, Some(false));
    assert_eq!(switch(&home, "tasmota:tasmota_4CH/POWER2").on, Some(false));
    let out = home
        .command(
            &EntityId::from("tasmota:tasmota_4CH/POWER2"),
            Command::Switch(true),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("cmnd/tasmota_4CH/POWER2", "ON")
    );
}

#[test]
fn dimmer_in_state_turns_the_power_into_a_light() {
    let mut home = home();
    send(&mut home, "stat/bulb/POWER", "ON");
    assert!(matches!(
        kind(&home, "tasmota:bulb/POWER"),
        EntityKind::Switch(_)
    ));
    send(
        &mut home,
        "tele/bulb/STATE",
        r#"{"Time":"2026-11-22T08:30:00","POWER":"ON","Dimmer":40,"Color":"664D33","HSBColor":"30,50,40","CT":300,"Channel":[40,30,20]}"#,
    );
    assert!(home.entity(&EntityId::from("tasmota:bulb/POWER")).is_none());
    let bulb = light(&home, "tasmota:bulb/light");
    assert_eq!(bulb.on, Some(true));
    assert_eq!(bulb.brightness, Some(0.4));
    assert_eq!(bulb.color_temp, Some(300));
    assert_eq!(bulb.hue_sat, Some((30.0, 50.0)));
    assert!(bulb.features.brightness && bulb.features.color);
    assert_eq!(bulb.features.color_temp, Some((153, 500)));
    send(
        &mut home,
        "stat/bulb/RESULT",
        r#"{"POWER":"OFF","Dimmer":10}"#,
    );
    let bulb = light(&home, "tasmota:bulb/light");
    assert_eq!((bulb.on, bulb.brightness), (Some(false), Some(0.1)));
}

#[test]
fn command_to_tasmota_light_sets_dimmer_in_percent() {
    let mut home = home();
    send(
        &mut home,
        "tele/bulb/STATE",
        r#"{"POWER":"OFF","Dimmer":40,"CT":300}"#,
    );
    let bulb = EntityId::from("tasmota:bulb/light");
    let out = home
        .command(
            &bulb,
            Command::Light {
                on: Some(true),
                brightness: Some(0.255),
                color_temp: Some(600),
                hue_sat: None,
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
            ("cmnd/bulb/CT", "500"),
            ("cmnd/bulb/Dimmer", "26"),
            ("cmnd/bulb/POWER", "ON")
        ]
    );
    let out = home
        .command(&bulb, Command::light_on(false))
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("cmnd/bulb/POWER", "OFF")
    );
    let colour = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((120.0, 100.0)),
        effect: None,
    };
    assert_eq!(
        home.command(&bulb, colour),
        Err(CommandError::Unsupported("colour"))
    );
}

#[test]
fn command_to_tasmota_colour_light_sends_hsbcolor_with_the_current_brightness() {
    let mut home = home();
    send(
        &mut home,
        "tele/rgb/STATE",
        r#"{"POWER":"ON","Dimmer":60,"HSBColor":"0,100,60"}"#,
    );
    let colour = Command::Light {
        on: None,
        brightness: None,
        color_temp: None,
        hue_sat: Some((240.4, 75.0)),
        effect: None,
    };
    let out = home
        .command(&EntityId::from("tasmota:rgb/light"), colour)
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("cmnd/rgb/HSBColor", "240,75,60")
    );
}

/// Native discovery of a two-relay Sonoff Dual R2 with a custom full topic.
pub(crate) const DUAL_CONFIG: &str = r#"{"ip":"192.168.1.60","dn":"Garage","fn":["Door opener","Garage light",null,null,null,null,null,null],
  "hn":"garage-1234","mac":"A4CF12B3C4D5","md":"Sonoff Dual R2","ty":0,"if":0,"ofln":"Offline","onln":"Online",
  "state":["OFF","ON","TOGGLE","HOLD"],"sw":"14.3.0","t":"garage","ft":"home/%topic%/%prefix%/","tp":["cmnd","stat","tele"],
  "rl":[1,1,0,0,0,0,0,0],"swc":[-1,-1,-1,-1,-1,-1,-1,-1],"swn":[null,null,null,null,null,null,null,null],
  "btn":[0,0,0,0,0,0,0,0],"so":{"4":0,"11":0,"13":0,"17":0,"20":0,"30":0,"68":0,"73":0,"82":0,"114":0,"117":0},
  "lk":0,"lt_st":0,"bat":0,"dslp":0,"sho":[],"sht":[],"ver":1}"#;

#[test]
fn native_discovery_names_the_device_and_its_relays() {
    let mut home = home();
    let changes = send(
        &mut home,
        "tasmota/discovery/A4CF12B3C4D5/config",
        DUAL_CONFIG,
    );
    assert!(changes.subscriptions_changed);
    assert!(
        home.subscriptions()
            .contains(&"home/garage/tele/+".to_string())
    );
    let device = home
        .device(&DeviceId::from("tasmota:garage"))
        .expect("device");
    assert_eq!(device.name, "Garage");
    assert_eq!(device.model.as_deref(), Some("Sonoff Dual R2"));
    assert_eq!(device.sw_version.as_deref(), Some("14.3.0"));
    let names: Vec<&str> = device.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, vec!["Door opener", "Garage light"]);

    send(&mut home, "home/garage/tele/LWT", "Online");
    send(&mut home, "home/garage/stat/RESULT", r#"{"POWER2":"ON"}"#);
    assert_eq!(
        home.device(&DeviceId::from("tasmota:garage"))
            .expect("device")
            .availability,
        Availability::Online
    );
    assert_eq!(switch(&home, "tasmota:garage/POWER2").on, Some(true));
    let out = home
        .command(
            &EntityId::from("tasmota:garage/POWER1"),
            Command::Switch(true),
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("home/garage/cmnd/POWER1", "ON")
    );
}

#[test]
fn native_discovery_of_a_light_and_its_sensors() {
    let mut home = home();
    let bulb = DUAL_CONFIG
        .replace(r#""rl":[1,1,0,0,0,0,0,0]"#, r#""rl":[2,0,0,0,0,0,0,0]"#)
        .replace(r#""lt_st":0"#, r#""lt_st":5"#)
        .replace(r#""t":"garage""#, r#""t":"desk""#)
        .replace("home/%topic%/%prefix%/", "%prefix%/%topic%/");
    send(&mut home, "tasmota/discovery/A4CF12B3C4D5/config", &bulb);
    send(
        &mut home,
        "tasmota/discovery/A4CF12B3C4D5/sensors",
        r#"{"sn":{"Time":"2026-11-22T08:30:00","BH1750":{"Illuminance":230}},"ver":1}"#,
    );
    let features = &light(&home, "tasmota:desk/light").features;
    assert!(features.brightness && features.color);
    assert_eq!(features.color_temp, Some((153, 500)));
    assert_eq!(
        sensor(&home, "tasmota:desk/BH1750.Illuminance")
            .unit
            .as_deref(),
        Some("lx")
    );
    send(
        &mut home,
        "stat/desk/RESULT",
        r#"{"POWER":"ON","Dimmer":100}"#,
    );
    assert_eq!(light(&home, "tasmota:desk/light").brightness, Some(1.0));
    let changes = send(&mut home, "tasmota/discovery/A4CF12B3C4D5/config", "");
    assert!(changes.removed.contains(&DeviceId::from("tasmota:desk")));
}

#[test]
fn refresh_asks_tasmota_for_its_state() {
    let mut home = home();
    send(&mut home, "tele/sonoff_th/STATE", SONOFF_STATE);
    send(&mut home, "tele/sonoff_th/SENSOR", SONOFF_SENSOR);
    let out = home
        .command(&EntityId::from("tasmota:sonoff_th/POWER"), Command::Refresh)
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("cmnd/sonoff_th/STATE", "")
    );
    let out = home
        .command(
            &EntityId::from("tasmota:sonoff_th/AM2301.Temperature"),
            Command::Refresh,
        )
        .expect("command");
    assert_eq!(
        (out[0].topic.as_str(), out[0].payload.as_str()),
        ("cmnd/sonoff_th/STATUS", "10")
    );
    send(
        &mut home,
        "stat/sonoff_th/STATUS10",
        r#"{"StatusSNS":{"Time":"2026-11-22T08:35:00","AM2301":{"Temperature":22.0,"Humidity":41.0},"TempUnit":"C"}}"#,
    );
    assert_eq!(
        sensor(&home, "tasmota:sonoff_th/AM2301.Temperature").value,
        Some(SensorValue::Number(22.0))
    );
}

#[test]
fn energy_monitoring_plug_reports_power_in_watts() {
    let mut home = home();
    send(
        &mut home,
        "tele/plug/SENSOR",
        r#"{"Time":"2026-11-22T08:30:00","ENERGY":{"TotalStartTime":"2026-01-01T00:00:00","Total":12.345,"Yesterday":0.8,"Today":0.3,"Period":2,"Power":41,"ApparentPower":50,"ReactivePower":28,"Factor":0.82,"Voltage":231,"Current":0.216}}"#,
    );
    let power = sensor(&home, "tasmota:plug/ENERGY.Power");
    assert_eq!(
        (
            power.value.clone(),
            power.unit.as_deref(),
            power.device_class.as_deref()
        ),
        (Some(SensorValue::Number(41.0)), Some("W"), Some("power"))
    );
    assert_eq!(
        sensor(&home, "tasmota:plug/ENERGY.Total").unit.as_deref(),
        Some("kWh")
    );
}

#[test]
fn malformed_tasmota_payloads_are_problems_not_panics() {
    let mut home = home();
    for (topic, payload) in [
        ("tele/x/STATE", "{"),
        ("tele/x/SENSOR", "[]"),
        ("stat/x/POWER", "MAYBE"),
        ("tele/x/LWT", "Sleeping"),
        ("tasmota/discovery/AABB/config", r#"{"dn":"no topic"}"#),
        ("tasmota/discovery/AABB/sensors", r#"{"sn":{}}"#),
    ] {
        let changes = send(&mut home, topic, payload);
        assert_eq!(changes.problems.len(), 1, "{topic} {payload}");
    }
    // An unknown command word is simply not Tasmota's to read.
    assert!(send(&mut home, "tele/x/SOMETHING", "1").problems.is_empty());
    send(
        &mut home,
        "tele/x/STATE",
        r#"{"POWER":1,"Dimmer":"bright","HSBColor":"1,2"}"#,
    );
}
