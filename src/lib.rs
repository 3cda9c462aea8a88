//! app-passwords: a self-service page where a signed-in person creates,
//! names, copies and revokes app passwords. Built with Leptos for the
//! browser; [`mount`] starts [`App`] in an element of a page (its own
//! `index.html`, or a host portal's).

pub mod api;
pub mod app;
pub mod calls;
pub mod components;
pub mod config;
pub mod drafts;
pub mod expiry;
pub mod fetch;
pub mod host;
pub mod i18n;
pub mod json;
pub mod mount;
pub mod pages;
pub mod routes;
pub mod session;
pub mod shell;
pub mod url_encoding;
pub mod write;

pub use app::App;
pub use mount::{mount, MountOptions, MountedApp};
