//! The app's screens, their paths, and the base path they hang under. The
//! router prefixes the base path itself when it navigates; plain links and
//! the way back after sign-in need it done here.

use leptos::prelude::*;

/// A screen with its own URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Sign in.
    SignIn,
    /// The "Additional security verification" tab.
    SecurityInfo,
    /// The "App passwords" tab, the app's home.
    AppPasswords,
}

impl Screen {
    /// The screen's path inside the app.
    pub const fn path(self) -> &'static str {
        match self {
            Self::SignIn => "/sign-in",
            Self::SecurityInfo => "/security-info",
            Self::AppPasswords => "/app-passwords",
        }
    }
}

/// Where the app's screens live in the site: `""` at the root, or a path
/// such as `/portal/security` (leading slash, no trailing slash).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BasePath(String);

impl BasePath {
    /// The base path `normalized` (see [`crate::config::normalize_base_path`]).
    pub fn new(normalized: impl Into<String>) -> Self {
        Self(normalized.into())
    }

    /// The base path itself, as the router takes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The address of `screen` for a plain link.
    pub fn href(&self, screen: Screen) -> String {
        format!("{}{}", self.0, screen.path())
    }

    /// The path inside the app of `pathname`, a path of the whole site;
    /// `pathname` itself when it is outside the base path.
    pub fn route_of<'a>(&self, pathname: &'a str) -> &'a str {
        match pathname.strip_prefix(self.0.as_str()) {
            Some("") => "/",
            Some(rest) if rest.starts_with('/') => rest,
            _ => pathname,
        }
    }
}

/// The base path provided at the root.
pub fn use_base_path() -> BasePath {
    expect_context::<BasePath>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_routes_follow_the_base_path() {
        let root = BasePath::new("");
        assert_eq!(root.href(Screen::AppPasswords), "/app-passwords");
        assert_eq!(root.route_of("/security-info"), "/security-info");

        let portal = BasePath::new("/portal/security");
        assert_eq!(
            portal.href(Screen::SecurityInfo),
            "/portal/security/security-info"
        );
        assert_eq!(
            portal.route_of("/portal/security/app-passwords"),
            "/app-passwords"
        );
        assert_eq!(portal.route_of("/portal/security"), "/");
        // A look-alike prefix is not the base path.
        assert_eq!(
            portal.route_of("/portal/security-old/x"),
            "/portal/security-old/x"
        );
    }
}
