//! Small reusable pieces of UI. Components never call the API: they get
//! data and callbacks from the page that uses them.

pub mod error_notice;
pub mod field;

pub use error_notice::ErrorNotice;
pub use field::TextField;
