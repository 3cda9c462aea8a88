//! app-passwords: a self-service page where a signed-in person creates,
//! names, copies and revokes app passwords. Built with Leptos for the
//! browser; [`App`] is the whole app, mounted by `main.rs`.

pub mod api;
pub mod app;
pub mod components;
pub mod config;
pub mod pages;
pub mod session;
pub mod shell;

pub use app::App;
