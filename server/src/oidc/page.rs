//! The page a sign-in through the provider ends on when it cannot finish:
//! the browser arrived by a redirect, so an HTML page, not a problem
//! document, says what happened and leads back to sign-in.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::OidcError;

/// A page saying why signing in with `provider` did not finish, with a way
/// back to the sign-in screen for `return_to`. Nothing was made.
pub fn failed(provider: &str, error: &OidcError, return_to: &str) -> Response {
    let (status, why) = match error {
        OidcError::Unreachable => (
            StatusCode::BAD_GATEWAY,
            "did not answer. Try again in a moment; if it keeps failing, tell your IT team.",
        ),
        OidcError::Refused(code) if code == "access_denied" => (
            StatusCode::FORBIDDEN,
            "did not let you sign in here, or the sign-in was cancelled.",
        ),
        OidcError::FlowLost => (
            StatusCode::BAD_REQUEST,
            "took too long, or the sign-in was started in another tab or browser. Start again.",
        ),
        OidcError::NotFresh => (
            StatusCode::FORBIDDEN,
            "did not ask for your password again, which creating an app password needs. Start again.",
        ),
        OidcError::LocalAccount => (
            StatusCode::FORBIDDEN,
            "named an account that signs in here with its own password. Use that password, or ask your IT team.",
        ),
        OidcError::NoLogin => (
            StatusCode::FORBIDDEN,
            "did not say which account you are (no verified login). Tell your IT team.",
        ),
        OidcError::Refused(_) | OidcError::BadToken(_) | OidcError::Misconfigured(_) => (
            StatusCode::BAD_GATEWAY,
            "answered in a way this server cannot accept. Tell your IT team.",
        ),
    };
    let back = format!("/sign-in?return={}", escape(&query_escape(return_to)));
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Sign-in did not finish</title></head><body><main>\
         <h1>Sign-in did not finish</h1>\
         <p id=\"oidc-failure\">{provider} {why} You are not signed in, and nothing was changed.</p>\
         <p><a id=\"back-to-sign-in\" href=\"{back}\">Back to sign-in</a></p>\
         </main></body></html>",
        provider = escape(provider),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

/// Text for HTML, attribute values included.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A path as one query parameter's value.
fn query_escape(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_provider_safely_and_leads_back() {
        let response = failed("<Acme>", &OidcError::Unreachable, "/app-passwords");
        assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
        let back = format!("/sign-in?return={}", query_escape("/app-passwords"));
        assert!(back.contains("%2Fapp%2Dpasswords"));
        assert_eq!(escape("<Acme>"), "&lt;Acme&gt;");
    }
}
