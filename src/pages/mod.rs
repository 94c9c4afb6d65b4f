//! Whole screens of the app.

mod connections;
mod console;

pub use connections::ConnectionsPage;
pub use console::ConsolePage;
