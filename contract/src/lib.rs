//! The backend contract of app-passwords (`api/openapi.yaml`) as Rust
//! types, written once for the app (`src/`), the reference server
//! (`server/`) and the tests: the bodies ([`models`]), the rules a name must
//! meet ([`names`]), the problem types ([`problems`]) and the header names
//! ([`headers`]). Serde only, so that it costs the app's download nothing
//! beyond what it uses.

pub mod headers;
pub mod models;
pub mod names;
pub mod problems;

pub use models::{
    AppPassword, AppPasswordList, AppPasswordName, AuthenticatorApp, CreatedAppPassword,
    Credentials, ExpiryPolicy, NewAppPassword, Phone, Phones, Revoked, SecondFactor, SecurityInfo,
    SecurityInfoUpdate, Session, SignInProvider, SignInWays, User, MAX_SERVICES,
};
pub use names::{check_name, NameProblem, MAX_NAME_CHARS};
pub use problems::{FieldError, ProblemKind};
