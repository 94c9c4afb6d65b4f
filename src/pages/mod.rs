//! Whole screens of the app.

mod bench;
mod connections;
mod console;
mod home;

pub use bench::BenchPage;
pub use connections::ConnectionsPage;
pub use console::ConsolePage;
pub use home::HomePage;
