//! One module per screen: sign-in, the security page and its two tabs, the
//! dialogs of the App passwords tab (with what step two of Create needs: the
//! guard against leaving, "Set up a device", Apple's profile and the
//! device the page is open on), "not found", and the page for a broken
//! configuration.

pub mod app_passwords;
pub mod config_error;
pub mod create_dialog;
pub mod created_step;
pub mod device_profile;
pub mod device_setup;
pub mod list;
pub mod manage_dialogs;
pub mod not_found;
pub mod password_guard;
pub mod resumed;
pub mod same_name;
pub mod security;
pub mod security_info;
pub mod sign_in;
mod sign_in_notice;
mod sign_in_providers;
pub mod this_device;
pub mod used_code;

pub use app_passwords::AppPasswordsPanel;
pub use config_error::ConfigErrorPage;
pub use not_found::NotFoundPage;
pub use security::SecurityPage;
pub use security_info::SecurityInfoPanel;
pub use sign_in::SignInPage;
