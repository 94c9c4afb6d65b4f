//! The simulated home: fourteen devices in seven rooms, in all four conventions, and the
//! Zigbee2MQTT bridge the Zigbee devices sit behind.

use crate::device::Device;
use crate::ha::HaDevice;
use crate::homie::{Homie4Sensor, Homie5Lamp};
use crate::tasmota::TasmotaDevice;
use crate::z2m::{Bridge, Z2mDevice};

/// Every device, the bridge last. Keys are what control topics and `home-sim/devices` use.
pub fn devices() -> Vec<Box<dyn Device>> {
    let zigbee = [
        Z2mDevice::lamp(
            "bedroom-lamp",
            "Bedroom/Bedside lamp",
            "Bedroom",
            "0x0017880104e45521",
        ),
        Z2mDevice::motion(
            "hallway-motion",
            "Hallway motion",
            "Hallway",
            "0x00158d00045a7b13",
        ),
        Z2mDevice::contact("front-door", "Front door", "Hallway", "0x00158d0004c2e8f6"),
        Z2mDevice::climate(
            "bathroom-climate",
            "Bathroom climate",
            "Bathroom",
            "0x00158d000567a1c9",
        ),
    ];
    let bridge = Bridge::new(&zigbee.iter().collect::<Vec<_>>());
    let mut devices: Vec<Box<dyn Device>> = vec![
        Box::new(HaDevice::json_light(
            "living-room-ceiling",
            "Living room ceiling",
            "Living room",
            &["colorloop", "candle", "fireplace"],
        )),
        Box::new(HaDevice::thermostat(
            "living-room-thermostat",
            "Living room thermostat",
            "Living room",
        )),
        Box::new(HaDevice::switch(
            "coffee-machine",
            "Coffee machine",
            "Kitchen",
        )),
        Box::new(HaDevice::blinds(
            "bedroom-blinds",
            "Bedroom blinds",
            "Bedroom",
        )),
        Box::new(HaDevice::dimmable_light(
            "hallway-light",
            "Hallway light",
            "Hallway",
        )),
        Box::new(HaDevice::fan("bathroom-fan", "Bathroom fan", "Bathroom")),
    ];
    devices.extend(zigbee.into_iter().map(|d| Box::new(d) as Box<dyn Device>));
    devices.push(Box::new(TasmotaDevice::white_light(
        "kitchen-ceiling",
        "Kitchen ceiling",
        "Kitchen",
        "kitchen_ceiling",
        "A4CF12F0A1B2",
    )));
    devices.push(Box::new(TasmotaDevice::plug(
        "office-plug",
        "Office plug",
        "Office",
        "office_plug",
        "A4CF12F0C3D4",
        65.0,
    )));
    devices.push(Box::new(Homie5Lamp::new(
        "office-desk-lamp",
        "Office desk lamp",
        "Office",
        "office-desk-lamp",
    )));
    devices.push(Box::new(Homie4Sensor::new(
        "garden-sensor",
        "Garden sensor",
        "Garden",
        "garden-sensor",
    )));
    devices.push(Box::new(bridge));
    devices
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::device::Convention;

    #[test]
    fn the_home_has_fourteen_devices_in_every_convention_and_unique_keys() {
        let devices = devices();
        let listed: Vec<_> = devices.iter().filter_map(|d| d.info()).collect();
        assert_eq!(listed.len(), 14);
        let keys: BTreeSet<&str> = devices.iter().map(|d| d.key()).collect();
        assert_eq!(keys.len(), devices.len());
        for convention in [
            Convention::HomeAssistant,
            Convention::Zigbee2Mqtt,
            Convention::Tasmota,
            Convention::Homie4,
            Convention::Homie5,
        ] {
            assert!(listed.iter().any(|i| i.convention == convention));
        }
        let rooms: BTreeSet<&str> = listed.iter().map(|i| i.room).collect();
        assert_eq!(rooms.len(), 7, "{rooms:?}");
    }

    #[test]
    fn every_device_has_a_retained_will_and_announces_what_it_wills() {
        for device in devices() {
            let will = device.will();
            assert!(will.retain, "{}", device.key());
            let online = device.online();
            assert!(
                online.iter().any(|p| p.topic == will.topic),
                "{} never says it is online on {}",
                device.key(),
                will.topic
            );
            assert!(device.offline().iter().all(|p| p.retain));
        }
    }
}
