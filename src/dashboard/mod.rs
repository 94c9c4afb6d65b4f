//! The home dashboard: devices found by their conventions, by room, with controls that show
//! what the device has confirmed.
//!
//! [`store::HomeStore`] feeds every message from the connection to `home-model` and exposes
//! the model through fine-grained signals; [`pending`] tracks commands a device has not
//! confirmed yet; [`model`] works out each card's controls as plain values; [`throttle`] keeps
//! a dragged slider to about four commands a second. The views are in [`cards`] (one card per
//! device, one view per kind of control) and [`light`] (a light's detail sheet).

pub mod cards;
pub mod light;
pub mod model;
pub mod pending;
pub mod rooms;
pub mod store;
pub mod throttle;
pub mod widgets;

pub use cards::OpenDetail;
pub use store::HomeStore;
