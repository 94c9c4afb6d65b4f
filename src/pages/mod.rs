//! Whole screens of the app.

mod console;

pub use console::ConsolePage;
