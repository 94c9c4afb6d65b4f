//! The simulated home against a real Mosquitto, read by `home-model` as the app reads it: every
//! test starts its own broker and its own `home-sim` binary, and watches through a client
//! that feeds every message to a `home_model::Home`. Waits poll with a generous deadline.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command as Process, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use home_model::{
    Availability, BinarySensor, Command, Convention, CoverCommand, CoverState, DeviceId, EntityId,
    EntityKind, Home, HomeConfig, Light, Sensor, SensorValue,
};
use mqtt_session::{Client, ClientConfig, Event, PacketId, QoS};
use mqtt_tcp::{Connection, Mosquitto};
use serde_json::Value;

/// Long enough for a loaded machine; the waits return as soon as what they wait for is seen.
const DEADLINE: Duration = Duration::from_secs(30);
const DEVICES: usize = 14;

/// The `home-sim` binary, its output in a file.
struct Sim {
    child: Child,
    log: PathBuf,
}

impl Sim {
    fn start(address: SocketAddr, extra: &[&str]) -> Sim {
        let log = std::env::temp_dir().join(format!(
            "home-sim-test-{}-{}.log",
            std::process::id(),
            address.port()
        ));
        let out = File::create(&log).expect("a log file");
        let err = out.try_clone().expect("a second handle");
        let child = Process::new(env!("CARGO_BIN_EXE_home-sim"))
            .args(["--host", "127.0.0.1", "--port", &address.port().to_string()])
            .args(["--seed", "1", "--delay-ms", "0", "--drift-secs", "3600"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .expect("home-sim starts");
        Sim { child, log }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// SIGTERM, then the exit status within the deadline.
    fn terminate(&mut self) -> ExitStatus {
        let sent = Process::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let until = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            assert!(
                Instant::now() < until,
                "home-sim did not stop:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_file(&self.log);
    }
}

/// One device as `home-sim/devices` lists it.
#[derive(Debug, Clone)]
struct Listed {
    key: String,
    convention: String,
    room: String,
    id: DeviceId,
}

impl Listed {
    fn read(value: &Value) -> Listed {
        let text = |k: &str| value[k].as_str().unwrap_or_default().to_owned();
        let convention = text("convention");
        let prefix = match convention.as_str() {
            "homeassistant" => "ha",
            "zigbee2mqtt" => "z2m",
            "tasmota" => "tasmota",
            "homie4" => "homie",
            "homie5" => "homie5",
            other => panic!("unknown convention {other}"),
        };
        Listed {
            key: text("key"),
            room: text("room"),
            id: DeviceId::from(format!("{prefix}:{}", text("id")).as_str()),
            convention,
        }
    }
}

/// A broker, the sim, and a dashboard's view of the home.
struct World {
    // Dropped in this order: the sim before its broker.
    sim: Sim,
    connection: Connection,
    home: Home,
    subscribed: BTreeSet<String>,
    listed: Vec<Listed>,
    started: Instant,
    broker: Mosquitto,
}

impl World {
    /// A broker, a dashboard subscribed to it, and then the sim: what the devices say when they
    /// connect (Tasmota's first `tele/<topic>/STATE` is not retained) reaches the dashboard.
    fn start(extra: &[&str]) -> World {
        let broker = Mosquitto::start("").expect("a Mosquitto of the test's own");
        let home = Home::new(HomeConfig::default());
        let (connection, subscribed) = observe_home(broker.address(), &home);
        let sim = Sim::start(broker.address(), extra);
        let mut world = World {
            connection,
            sim,
            home,
            subscribed,
            listed: Vec::new(),
            started: Instant::now(),
            broker,
        };
        world.wait("home-sim/devices", |w| w.listed.len() == DEVICES);
        world
    }

    /// Watches the broker again, from scratch, as a dashboard opened now would.
    fn observe_again(&mut self) {
        self.home = Home::new(HomeConfig::default());
        let (connection, subscribed) = observe_home(self.broker.address(), &self.home);
        self.connection = connection;
        self.subscribed = subscribed;
        self.listed.clear();
    }

    /// Subscribes to what the home wants and is not subscribed yet.
    fn subscribe_new(&mut self) {
        let new: Vec<String> = wanted(&self.home)
            .into_iter()
            .filter(|f| !self.subscribed.contains(f))
            .collect();
        if new.is_empty() {
            return;
        }
        subscribe(&mut self.connection, &new);
        self.subscribed.extend(new);
    }

    /// Reads one event, if one comes within `wait`.
    fn pump(&mut self, wait: Duration) {
        match self.connection.next_event(wait).expect("socket") {
            Some(Event::Message(message)) => {
                let topic = message.topic.as_str();
                if topic == "home-sim/devices" {
                    let list: Value = serde_json::from_slice(&message.payload).expect("json");
                    self.listed = list
                        .as_array()
                        .expect("a list")
                        .iter()
                        .map(Listed::read)
                        .collect();
                }
                let now_ms = self.started.elapsed().as_millis() as u64;
                let changes =
                    self.home
                        .handle_message(topic, &message.payload, message.retain, now_ms);
                if changes.subscriptions_changed {
                    self.subscribe_new();
                }
            }
            Some(Event::Disconnected { reason }) => panic!("observer disconnected: {reason}"),
            _ => {}
        }
    }

    /// Reads messages until `done` says so, or fails after the deadline.
    fn wait(&mut self, what: &str, done: impl FnMut(&World) -> bool) {
        if !self.wait_for(done) {
            panic!(
                "no {what} within {DEADLINE:?}\nproblems: {:?}\nhome-sim:\n{}",
                self.home.problems().collect::<Vec<_>>(),
                self.sim.log()
            );
        }
    }

    /// Reads messages until `done` says so; `false` if the deadline passed first.
    fn wait_for(&mut self, mut done: impl FnMut(&World) -> bool) -> bool {
        let until = Instant::now() + DEADLINE;
        while !done(self) {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            self.pump(left.min(Duration::from_millis(200)));
        }
        true
    }

    fn wait_for_everyone_online(&mut self) {
        self.wait("every device online", |w| {
            w.listed.len() == DEVICES
                && w.listed.iter().all(|l| {
                    w.home
                        .device(&l.id)
                        .is_some_and(|d| d.availability == Availability::Online)
                })
        });
    }

    fn listed(&self, key: &str) -> Listed {
        self.listed
            .iter()
            .find(|l| l.key == key)
            .cloned()
            .unwrap_or_else(|| panic!("{key} is not in home-sim/devices"))
    }

    /// The first entity of `key`'s device that `pick` accepts.
    fn entity(&self, key: &str, pick: fn(&EntityKind) -> bool) -> EntityId {
        let id = self.listed(key).id;
        let device = self
            .home
            .device(&id)
            .unwrap_or_else(|| panic!("{key} ({id}) is not in the home"));
        device
            .entities
            .iter()
            .find(|e| pick(&e.kind))
            .map(|e| e.id.clone())
            .unwrap_or_else(|| panic!("{key} has no such entity: {:?}", device.entities))
    }

    fn kind(&self, entity: &EntityId) -> Option<&EntityKind> {
        self.home.entity(entity).map(|e| &e.kind)
    }

    fn publish(&mut self, topic: &str, payload: &str) {
        let now = self.connection.now();
        self.connection
            .client()
            .publish(now, topic, payload.to_owned(), QoS::AtLeastOnce, false)
            .expect("publish");
        self.connection.flush().expect("send");
    }

    /// Sends what `home-model` makes of `command`, as the app would.
    fn command(&mut self, entity: &EntityId, command: Command) {
        let messages = self
            .home
            .command(entity, command.clone())
            .unwrap_or_else(|e| panic!("{entity}: {command:?} refused: {e}"));
        assert!(
            !messages.is_empty(),
            "{entity}: {command:?} made no message"
        );
        for message in messages {
            self.publish(&message.topic, &message.payload);
        }
    }

    fn control(&mut self, key: &str, action: &str, payload: &str) {
        self.publish(&format!("home-sim/{key}/{action}"), payload);
    }

    /// What the broker logged: who connected, and how each connection ended.
    fn broker_log(&self) -> String {
        fs::read_to_string(self.broker.dir().join("mosquitto.log")).unwrap_or_default()
    }

    fn availability(&self, key: &str) -> Option<Availability> {
        self.home
            .device(&self.listed(key).id)
            .map(|d| d.availability)
    }

    fn number(&self, entity: &EntityId) -> Option<f64> {
        match self.kind(entity) {
            Some(EntityKind::Sensor(Sensor {
                value: Some(SensorValue::Number(n)),
                ..
            })) => Some(*n),
            _ => None,
        }
    }
}

/// The filters a dashboard of `home` subscribes to, and the sim's list of devices.
fn wanted(home: &Home) -> Vec<String> {
    let mut filters = home.subscriptions();
    filters.push("home-sim/devices".into());
    filters
}

fn subscribe(connection: &mut Connection, filters: &[String]) -> PacketId {
    let filters: Vec<(&str, QoS)> = filters
        .iter()
        .map(|f| (f.as_str(), QoS::AtLeastOnce))
        .collect();
    let now = connection.now();
    let id = connection
        .client()
        .subscribe(now, &filters)
        .expect("valid filters");
    connection.flush().expect("send");
    id
}

/// A dashboard's connection, subscribed (SUBACK received) to what `home` wants.
fn observe_home(address: SocketAddr, home: &Home) -> (Connection, BTreeSet<String>) {
    let client = Client::new(ClientConfig::new("dashboard")).expect("a valid client");
    let mut connection = Connection::open(address, client).expect("TCP");
    let filters = wanted(home);
    let mut subscription = None;
    let until = Instant::now() + DEADLINE;
    loop {
        assert!(Instant::now() < until, "no CONNACK and SUBACK");
        match connection
            .next_event(Duration::from_millis(200))
            .expect("socket")
        {
            Some(Event::Connected { .. }) => {
                subscription = Some(subscribe(&mut connection, &filters));
            }
            Some(Event::Subscribed { packet_id, .. }) if Some(packet_id) == subscription => {
                return (connection, filters.into_iter().collect());
            }
            Some(Event::Disconnected { reason }) => panic!("refused: {reason}"),
            _ => {}
        }
    }
}

fn is_light(kind: &EntityKind) -> bool {
    matches!(kind, EntityKind::Light(_))
}

fn light(world: &World, entity: &EntityId) -> Light {
    match world.kind(entity) {
        Some(EntityKind::Light(light)) => light.clone(),
        other => panic!("{entity} is not a light: {other:?}"),
    }
}

/// On, half brightness, a white of 250 mireds and a green, each confirmed by the device, as
/// far as the light can do them.
fn check_light(key: &str) {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let lamp = world.entity(key, is_light);
    world.wait("the light's first state", |w| light(w, &lamp).on.is_some());
    let features = light(&world, &lamp).features;

    world.command(&lamp, Command::light_on(true));
    world.wait("the light on", |w| light(w, &lamp).on == Some(true));

    world.command(&lamp, Command::light_brightness(0.5));
    world.wait("half brightness", |w| {
        light(w, &lamp)
            .brightness
            .is_some_and(|b| (b - 0.5).abs() < 0.01)
    });

    if features.color_temp.is_some() {
        let white = Command::Light {
            on: None,
            brightness: None,
            color_temp: Some(250),
            hue_sat: None,
            effect: None,
        };
        world.command(&lamp, white);
        world.wait("a white of 250 mireds", |w| {
            light(w, &lamp).color_temp == Some(250)
        });
    }
    if features.color {
        let green = Command::Light {
            on: None,
            brightness: None,
            color_temp: None,
            hue_sat: Some((120.0, 80.0)),
            effect: None,
        };
        world.command(&lamp, green);
        world.wait("a green", |w| {
            light(w, &lamp)
                .hue_sat
                .is_some_and(|(h, s)| (h - 120.0).abs() < 1.0 && (s - 80.0).abs() < 1.0)
        });
    }

    if let Some(effect) = features.effects.last().cloned() {
        let play = Command::Light {
            on: None,
            brightness: None,
            color_temp: None,
            hue_sat: None,
            effect: Some(effect.clone()),
        };
        world.command(&lamp, play);
        // Zigbee2MQTT effects play once and are not in the state: the answer is in the log.
        world.wait("the effect taken", |w| {
            light(w, &lamp).effect.as_deref() == Some(effect.as_str())
                || w.sim
                    .log()
                    .contains(&format!("{{\"effect\":\"{effect}\"}} ->"))
        });
    }

    world.command(&lamp, Command::light_on(false));
    world.wait("the light off", |w| light(w, &lamp).on == Some(false));
    assert!(
        world.home.problems().next().is_none(),
        "{:?}",
        world.home.problems().collect::<Vec<_>>()
    );
}

#[test]
fn every_device_appears_in_home_model_online_with_its_convention_and_room() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let mut rooms = BTreeSet::new();
    for listed in world.listed.clone() {
        let device = world.home.device(&listed.id).expect("in the home");
        let convention = match listed.convention.as_str() {
            "homeassistant" => Convention::HomeAssistant,
            "zigbee2mqtt" => Convention::Zigbee2Mqtt,
            "tasmota" => Convention::Tasmota,
            "homie4" => Convention::Homie4,
            _ => Convention::Homie5,
        };
        assert_eq!(device.convention, convention, "{}", listed.key);
        // Only Home Assistant (suggested_area) and Zigbee2MQTT (area) can say where a device is.
        let expected_room = matches!(
            convention,
            Convention::HomeAssistant | Convention::Zigbee2Mqtt
        )
        .then_some(listed.room.as_str());
        assert_eq!(device.room.as_deref(), expected_room, "{}", listed.key);
        assert!(
            !device.entities.is_empty(),
            "{} has no entities",
            listed.key
        );
        rooms.extend(device.room.clone());
    }
    assert!(world.home.devices().count() >= 12);
    assert!(rooms.len() >= 3, "{rooms:?}");
    assert_eq!(world.home.zigbee2mqtt_online(), Some(true));
    assert!(
        world.home.problems().next().is_none(),
        "home-model could not read: {:?}",
        world.home.problems().collect::<Vec<_>>()
    );
}

#[test]
fn a_home_assistant_json_light_confirms_on_brightness_white_and_colour() {
    check_light("living-room-ceiling");
}

#[test]
fn a_home_assistant_default_schema_light_confirms_on_and_brightness() {
    check_light("hallway-light");
}

#[test]
fn a_zigbee2mqtt_bulb_confirms_on_brightness_white_and_colour() {
    check_light("bedroom-lamp");
}

#[test]
fn a_tasmota_light_confirms_power_dimmer_and_ct() {
    check_light("kitchen-ceiling");
}

#[test]
fn a_homie_5_lamp_confirms_power_brightness_white_and_colour() {
    check_light("office-desk-lamp");
}

#[test]
fn switches_of_home_assistant_and_tasmota_confirm_on_and_off_after_the_usual_delay() {
    let mut world = World::start(&["--delay-ms", "275"]);
    world.wait_for_everyone_online();
    for key in ["coffee-machine", "office-plug"] {
        let switch = world.entity(key, |k| matches!(k, EntityKind::Switch(_)));
        let on = |w: &World| match w.kind(&switch) {
            Some(EntityKind::Switch(s)) => s.on,
            _ => None,
        };
        world.wait("the switch's first state", |w| on(w).is_some());
        let wanted = on(&world) != Some(true);
        world.command(&switch, Command::Switch(wanted));
        world.wait("the switch switched", |w| on(w) == Some(wanted));
        world.command(&switch, Command::Switch(!wanted));
        world.wait("the switch switched back", |w| on(w) == Some(!wanted));
    }
}

#[test]
fn the_thermostat_confirms_a_new_target_and_mode() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let thermostat = world.entity("living-room-thermostat", |k| {
        matches!(k, EntityKind::Climate(_))
    });
    let climate = |w: &World| match w.kind(&thermostat) {
        Some(EntityKind::Climate(c)) => c.clone(),
        other => panic!("not a climate: {other:?}"),
    };
    world.wait("the thermostat's state", |w| {
        climate(w).current_temperature.is_some()
    });
    assert_eq!(climate(&world).modes, ["off", "heat", "auto"]);
    world.command(
        &thermostat,
        Command::Climate {
            target_temperature: Some(23.5),
            mode: Some("auto".into()),
        },
    );
    world.wait("target 23.5 in auto", |w| {
        let c = climate(w);
        c.target_temperature == Some(23.5) && c.mode.as_deref() == Some("auto")
    });
}

#[test]
fn the_blinds_travel_to_the_position_asked_and_report_it() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let blinds = world.entity("bedroom-blinds", |k| matches!(k, EntityKind::Cover(_)));
    let cover = |w: &World| match w.kind(&blinds) {
        Some(EntityKind::Cover(c)) => (c.state, c.position),
        other => panic!("not a cover: {other:?}"),
    };
    world.wait("the blinds closed", |w| {
        cover(w) == (Some(CoverState::Closed), Some(0))
    });
    world.command(&blinds, Command::Cover(CoverCommand::Position(40)));
    world.wait("the blinds opening", |w| {
        cover(w).0 == Some(CoverState::Opening)
    });
    world.wait("the blinds at 40", |w| {
        cover(w) == (Some(CoverState::Open), Some(40))
    });
    world.command(&blinds, Command::Cover(CoverCommand::Close));
    world.wait("the blinds closing", |w| {
        cover(w).0 == Some(CoverState::Closing)
    });
    world.wait("the blinds closed again", |w| {
        cover(w) == (Some(CoverState::Closed), Some(0))
    });
}

#[test]
fn an_unplugged_device_goes_offline_and_comes_back_when_plugged_in() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let keys = [
        "coffee-machine",
        "front-door",
        "office-plug",
        "office-desk-lamp",
        "garden-sensor",
    ];
    for key in keys {
        world.control(key, "unplug", "");
    }
    world.wait("the unplugged devices offline", |w| {
        keys.iter()
            .all(|k| w.availability(k) == Some(Availability::Offline))
    });
    // Offline said by the broker, from the will: the connection ended without DISCONNECT.
    world.wait("the broker to see the connections dropped", |w| {
        let log = w.broker_log();
        keys.iter()
            .all(|k| log.contains(&format!("Client home-sim-{k} closed its connection")))
    });
    // Only those.
    let others_online = world
        .listed
        .iter()
        .filter(|l| !keys.contains(&l.key.as_str()))
        .all(|l| world.home.device(&l.id).map(|d| d.availability) == Some(Availability::Online));
    assert!(others_online);
    for key in keys {
        world.control(key, "plug", "");
    }
    world.wait_for_everyone_online();
}

#[test]
fn unplugging_the_zigbee2mqtt_bridge_takes_every_zigbee_device_offline() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let zigbee: Vec<String> = world
        .listed
        .iter()
        .filter(|l| l.convention == "zigbee2mqtt")
        .map(|l| l.key.clone())
        .collect();
    assert_eq!(zigbee.len(), 4);
    world.control("zigbee2mqtt-bridge", "unplug", "");
    world.wait("every Zigbee device offline", |w| {
        w.home.zigbee2mqtt_online() == Some(false)
            && zigbee
                .iter()
                .all(|k| w.availability(k) == Some(Availability::Offline))
    });
    world.control("zigbee2mqtt-bridge", "plug", "");
    world.wait_for_everyone_online();
}

#[test]
fn commands_in_quick_succession_are_answered_in_order() {
    let mut world = World::start(&["--delay-ms", "275"]);
    world.wait_for_everyone_online();
    let lamp = world.entity("living-room-ceiling", is_light);
    // The bulb starts at 80 %: each of these is a change.
    for brightness in [0.6, 0.4, 0.2] {
        world.command(&lamp, Command::light_brightness(brightness));
    }
    world.wait("the last brightness", |w| {
        light(w, &lamp)
            .brightness
            .is_some_and(|b| (b - 0.2).abs() < 0.01)
    });
    let log = world.sim.log();
    let answered: Vec<usize> = ["153", "102", "51"]
        .iter()
        .map(|b| {
            log.find(&format!("{{\"state\":\"ON\",\"brightness\":{b}}} ->"))
                .unwrap_or_else(|| panic!("brightness {b} not answered:\n{log}"))
        })
        .collect();
    assert!(answered.is_sorted(), "answered out of order:\n{log}");
}

#[test]
fn every_command_home_model_makes_for_this_home_is_answered() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let entities: Vec<(EntityId, EntityKind)> = world
        .home
        .devices()
        .flat_map(|d| d.entities.iter().map(|e| (e.id.clone(), e.kind.clone())))
        .collect();
    let mut sent = Vec::new();
    for (entity, kind) in entities {
        let mut commands = vec![Command::Refresh];
        match kind {
            EntityKind::Light(light) => {
                commands.push(Command::light_on(true));
                commands.push(Command::light_brightness(0.3));
                // Within the range rather than at its ends: home-model converts a kelvin range
                // to mireds and back, and its warmest white comes out at 2198 K on a lamp that
                // takes 2200 to 6500 K (see the README).
                if let Some((coolest, warmest)) = light.features.color_temp {
                    commands.push(Command::Light {
                        on: Some(true),
                        brightness: Some(0.7),
                        color_temp: Some(coolest / 2 + warmest / 2),
                        hue_sat: None,
                        effect: None,
                    });
                }
                if light.features.color {
                    commands.push(Command::Light {
                        on: None,
                        brightness: None,
                        color_temp: None,
                        hue_sat: Some((300.0, 40.0)),
                        effect: None,
                    });
                }
            }
            EntityKind::Switch(_) => commands.push(Command::Switch(true)),
            EntityKind::Cover(_) => {
                commands.push(Command::Cover(CoverCommand::Open));
                commands.push(Command::Cover(CoverCommand::Stop));
                commands.push(Command::Cover(CoverCommand::Position(30)));
            }
            EntityKind::Climate(climate) => {
                for mode in climate.modes {
                    commands.push(Command::Climate {
                        target_temperature: None,
                        mode: Some(mode),
                    });
                }
                commands.push(Command::Climate {
                    target_temperature: Some(19.5),
                    mode: None,
                });
            }
            EntityKind::Fan(_) => {
                commands.push(Command::Fan {
                    on: Some(true),
                    percentage: Some(70),
                });
                commands.push(Command::Fan {
                    on: Some(false),
                    percentage: None,
                });
            }
            _ => {}
        }
        for command in commands {
            let Ok(messages) = world.home.command(&entity, command) else {
                continue;
            };
            for message in messages {
                world.publish(&message.topic, &message.payload);
                let payload = if message.payload.is_empty() {
                    "(empty)".to_owned()
                } else {
                    message.payload
                };
                sent.push(format!("{} {payload} ->", message.topic));
            }
        }
    }
    assert!(sent.len() >= 30, "{sent:?}");
    let answered = world.wait_for(|w| {
        let log = w.sim.log();
        sent.iter().all(|line| log.contains(line.as_str()))
    });
    let log = world.sim.log();
    let unanswered: Vec<&String> = sent.iter().filter(|l| !log.contains(l.as_str())).collect();
    assert!(answered, "not answered: {unanswered:#?}\nhome-sim:\n{log}");
    assert!(!log.contains("ignored"), "{log}");
}

#[test]
fn a_reading_set_through_the_switchboard_appears_in_the_home() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let is_temperature = |k: &EntityKind| matches!(k, EntityKind::Sensor(s) if s.device_class.as_deref() == Some("temperature"));
    let garden = world.entity("garden-sensor", is_temperature);
    world.control("garden-sensor", "set", "23.4");
    world.wait("23.4 in the garden", |w| w.number(&garden) == Some(23.4));

    let bathroom_humidity = world.entity(
        "bathroom-climate",
        |k| matches!(k, EntityKind::Sensor(s) if s.device_class.as_deref() == Some("humidity")),
    );
    world.control("bathroom-climate", "set", r#"{"humidity":61.5}"#);
    world.wait("61.5 % in the bathroom", |w| {
        w.number(&bathroom_humidity) == Some(61.5)
    });

    let office_power = world.entity(
        "office-plug",
        |k| matches!(k, EntityKind::Sensor(s) if s.device_class.as_deref() == Some("power")),
    );
    world.control("office-plug", "set", "120");
    world.wait("120 W in the office", |w| {
        w.number(&office_power) == Some(120.0)
    });

    let motion = world.entity("hallway-motion", |k| {
        matches!(k, EntityKind::BinarySensor(_))
    });
    let door = world.entity("front-door", |k| matches!(k, EntityKind::BinarySensor(_)));
    let on = |w: &World, e: &EntityId| match w.kind(e) {
        Some(EntityKind::BinarySensor(BinarySensor { on, .. })) => *on,
        _ => None,
    };
    world.control("hallway-motion", "set", "true");
    world.control("front-door", "set", r#"{"open":true}"#);
    world.wait("motion in the hallway and the door open", |w| {
        on(w, &motion) == Some(true) && on(w, &door) == Some(true)
    });

    let thermostat = world.entity("living-room-thermostat", |k| {
        matches!(k, EntityKind::Climate(_))
    });
    world.control("living-room-thermostat", "set", r#"{"temperature":18.5}"#);
    world.wait("18.5 in the living room", |w| {
        matches!(w.kind(&thermostat),
            Some(EntityKind::Climate(c)) if c.current_temperature == Some(18.5))
    });
}

#[test]
fn sensor_readings_drift_on_their_own() {
    let mut world = World::start(&["--drift-secs", "0.2"]);
    world.wait_for_everyone_online();
    let is_temperature = |k: &EntityKind| matches!(k, EntityKind::Sensor(s) if s.device_class.as_deref() == Some("temperature"));
    let garden = world.entity("garden-sensor", is_temperature);
    let bathroom = world.entity("bathroom-climate", is_temperature);
    let mut seen = (BTreeSet::new(), BTreeSet::new());
    world.wait(
        "three different readings in the garden and the bathroom",
        |w| {
            let history = |e: &EntityId| match w.kind(e) {
                Some(EntityKind::Sensor(s)) => s
                    .history
                    .points
                    .iter()
                    .map(|(_, v)| (v * 10.0).round() as i64)
                    .collect::<BTreeSet<_>>(),
                _ => BTreeSet::new(),
            };
            seen = (history(&garden), history(&bathroom));
            seen.0.len() >= 3 && seen.1.len() >= 3
        },
    );
}

#[test]
fn bad_commands_are_ignored_and_the_devices_keep_answering() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    for (topic, payload) in [
        ("homeassistant/light/living_room_ceiling/set", "{"),
        (
            "homeassistant/light/living_room_ceiling/set",
            r#"{"effect":"disco"}"#,
        ),
        (
            "homeassistant/climate/living_room_thermostat/target/set",
            "warm",
        ),
        ("homeassistant/cover/bedroom_blinds/position/set", "250"),
        ("zigbee2mqtt/Bedroom/Bedside lamp/set", "not json"),
        (
            "zigbee2mqtt/Bedroom/Bedside lamp/set",
            r#"{"brightness":"max"}"#,
        ),
        ("zigbee2mqtt/Front door/set", r#"{"contact":false}"#),
        ("cmnd/kitchen_ceiling/Dimmer", "bright"),
        ("cmnd/kitchen_ceiling/CT", "9000"),
        ("homie/5/office-desk-lamp/light/brightness/set", "lots"),
        ("homie/5/office-desk-lamp/light/color/set", "rgb,1,2"),
        ("home-sim/no-such-device/unplug", ""),
        ("home-sim/front-door/set", "[1,2]"),
        ("home-sim/garden-sensor/set", r#"{"colour":"green"}"#),
    ] {
        world.publish(topic, payload);
    }
    let lamp = world.entity("bedroom-lamp", is_light);
    world.command(&lamp, Command::light_on(true));
    world.wait("the lamp on after the garbage", |w| {
        light(w, &lamp).on == Some(true)
    });
    // Each bad message logged once, with its reason, by the thread that read it.
    world.wait("every bad command logged as ignored", |w| {
        w.sim.log().matches("ignored").count() == 14
    });
    assert!(world.sim.running());
    let log = world.sim.log();
    assert!(log.contains("no device \"no-such-device\""), "{log}");
    assert!(
        log.contains("ignored set {\"colour\":\"green\"}: no reading \"colour\""),
        "{log}"
    );
}

#[test]
fn a_clean_shutdown_shows_every_device_offline() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    let status = world.sim.terminate();
    assert!(status.success(), "{status}");
    world.wait("every device offline", |w| {
        w.listed.iter().all(|l| {
            w.home
                .device(&l.id)
                .is_some_and(|d| d.availability == Availability::Offline)
        })
    });
    assert!(world.sim.log().contains("home-sim: stopped"));
    // Each said goodbye with DISCONNECT, so the broker dropped their wills.
    world.wait("a DISCONNECT from every device", |w| {
        let log = w.broker_log();
        w.listed
            .iter()
            .all(|l| log.contains(&format!("Client home-sim-{} disconnected.", l.key)))
    });
    // (The readiness probe of `Mosquitto::start` is an `<unknown>` client that does close.)
    let log = world.broker_log();
    let dropped: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("home-sim-") && l.contains("closed its connection"))
        .collect();
    assert!(dropped.is_empty(), "{dropped:?}");
}

/// CPU time the process has used, from `/proc/<pid>/stat` (user and system, in clock ticks).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc is readable");
    let after_name = &stat[stat.rfind(')').expect("a process name") + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the line; the name was field 2, so 11 and 12 after it.
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

#[test]
fn devices_wait_quietly_for_a_broker_that_is_down_and_connect_when_it_comes_up() {
    let mut broker = Mosquitto::start("").expect("a Mosquitto of the test's own");
    let address = broker.address();
    broker.kill();
    let mut sim = Sim::start(address, &[]);
    let until = Instant::now() + DEADLINE;
    while !sim.log().contains("cannot reach the broker") {
        assert!(Instant::now() < until, "no complaint:\n{}", sim.log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let before = cpu_ticks(sim.child.id());
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(sim.child.id()) - before;
    // Sixteen threads retrying with backoff use next to nothing; spinning would use two
    // seconds' worth (200 ticks at Linux's usual 100 per second).
    assert!(used < 50, "{used} ticks of CPU in two seconds of waiting");
    assert!(sim.running());

    broker.restart().expect("the broker comes up");
    let home = Home::new(HomeConfig::default());
    let (connection, subscribed) = observe_home(address, &home);
    let mut world = World {
        connection,
        sim,
        home,
        subscribed,
        listed: Vec::new(),
        started: Instant::now(),
        broker,
    };
    world.wait_for_everyone_online();
}

#[test]
fn devices_reconnect_and_announce_themselves_after_the_broker_restarts() {
    let mut world = World::start(&[]);
    world.wait_for_everyone_online();
    world.broker.restart().expect("the broker starts again");
    // A dashboard of its own on the new broker: it hears only what the devices say again.
    world.observe_again();
    // Every device, the bridge and the switchboard.
    world.wait("all 16 connections made again", |w| {
        w.sim.log().matches("connected again").count() == DEVICES + 2
    });
    world.wait("home-sim/devices again", |w| w.listed.len() == DEVICES);
    world.wait_for_everyone_online();
    assert!(world.sim.running());
}
