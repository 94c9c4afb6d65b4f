//! A small blocking TCP driver for the mqtt-session engine.
#![cfg(not(target_arch = "wasm32"))]
