//! Lamplighter: see and control a home over MQTT from any browser, a phone first of all.
//!
//! The app is a Leptos single-page app. [`runtime`] is the only code that touches the browser's
//! WebSocket and timers: it feeds the `mqtt-session` engine and exposes derived state as
//! signals. [`components`] and [`pages`] render that state; [`broker_url`] and [`message_log`]
//! are plain logic, tested natively. [`dashboard`] is the home: devices by room, with
//! controls.

mod app;
pub mod bench;
pub mod broker_url;
pub mod components;
pub mod dashboard;
mod json_writer;
pub mod message_log;
pub mod pages;
pub mod profiles;
pub mod runtime;

pub use app::App;

/// Talc instead of Rust's default dlmalloc: a smaller and faster allocator in WebAssembly, for
/// a page that has one thread.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
