//! One module per screen.

pub mod app_passwords;
pub mod not_found;
pub mod sign_in;

pub use app_passwords::AppPasswordsPage;
pub use not_found::NotFoundPage;
pub use sign_in::SignInPage;
