//! Small reusable pieces of UI. Components never call the API: they get
//! data and callbacks from the page that uses them.

pub mod copy_button;
pub mod dialog;
pub mod disclosure;
pub mod error_notice;
pub mod field;
pub mod focus;
pub mod list_window;
pub mod menu;
pub mod scope_field;
pub mod support;
pub mod tabs;
pub mod wrap;

pub use copy_button::{ClipboardHolder, CopyButton, CopyOutcome, COPY_BUTTON_ID};
pub use dialog::Dialog;
pub use disclosure::DisclosureButton;
pub use error_notice::{ErrorLine, ErrorNotice};
pub use field::{
    name_problem_message, ExpiryField, ExpiryInput, NameField, SelectField, TextField,
};
pub use focus::{focus_first_of, focus_page_heading, FocusReturn, PAGE_HEADING_ID};
pub use list_window::{use_list_window, ListWindow};
pub use menu::{Choice, ChoiceGroup, MenuButton};
pub use scope_field::ScopeField;
pub use support::SupportContact;
pub use tabs::{Tab, Tabs};
pub use wrap::{break_after_each, segments};
