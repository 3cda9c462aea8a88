//! Property tests of the app's decoding and checks, run natively: error
//! responses of any shape become a clear message and never a panic, a
//! configuration file of any text is read or refused with its name, and the
//! app's courtesy check of names agrees with the reference server's rule on
//! every input.
#![cfg(not(target_arch = "wasm32"))]

use app_passwords::api::{ApiError, Problem, ProblemKind};
use app_passwords::config::Config;
use contract::check_name;
use proptest::prelude::*;

/// `cases` cases, and no regression files written into the source tree:
/// a failure prints its minimal input instead.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn content_type() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(prop_oneof![
        Just("application/problem+json".to_owned()),
        Just("application/json; charset=utf-8".to_owned()),
        Just("text/html".to_owned()),
        Just("text/plain".to_owned()),
        any::<String>(),
    ])
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "<html><body>[a-z<>/ ]{0,40}</body></html>",
        // Problem details with members of every type, some wrong.
        (
            proptest::option::of("[a-z:/.-]{0,30}(mfa-required|limit-reached|csrf-failed|rate-limited|[a-z-]{0,12})"),
            proptest::option::of(any::<String>()),
            proptest::option::of(any::<String>()),
            proptest::option::of("[a-z/]{0,8}")
        )
            .prop_map(|(kind, title, detail, pointer)| {
                serde_json::json!({
                    "type": kind, "title": title, "detail": detail,
                    "errors": pointer.map(|p| vec![serde_json::json!({ "pointer": p, "detail": "x" })]),
                })
                .to_string()
            }),
        r#"\{"type": [0-9]{1,3}, "errors": "[a-z]{0,5}"\}"#,
    ]
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn any_error_response_becomes_a_clear_message(
        status in 400u16..600,
        content_type in content_type(),
        body in body(),
        retry_after in proptest::option::of(prop_oneof![Just("7".to_owned()), any::<String>()]),
    ) {
        let problem = Problem::from_response(status, content_type.as_deref(), &body, retry_after.as_deref());
        prop_assert_eq!(problem.status, status);
        let error = ApiError::Problem(problem.clone());
        let message = error.to_string();
        prop_assert!(message.len() > 10, "{message:?}");
        let is_json = content_type.as_deref().is_some_and(|ct| ct.contains("json"));
        if !is_json {
            // A proxy's HTML page or any other text is never shown.
            prop_assert_eq!(problem.kind, ProblemKind::Other);
            prop_assert!(problem.title.is_none() && problem.detail.is_none());
            prop_assert!(!message.contains('<'), "{message:?}");
        }
        if status >= 500 {
            prop_assert!(message.contains("Try again"), "{message:?}");
        }
        if status == 429 && retry_after.as_deref() == Some("7") {
            prop_assert!(message.contains("Wait 7 seconds"), "{message:?}");
        }
    }

    #[test]
    fn any_configuration_file_is_read_or_refused_by_name(text in prop_oneof![
        any::<String>(),
        r#"\{"(api_base|auth|title|theme|header|request_timeout_seconds|x)": (null|true|1|"[a-z/]{0,8}"|\[\])\}"#,
    ]) {
        if let Err(error) = Config::from_sources(Some(("app-config.json", &text)), |_| None) {
            prop_assert_eq!(error.source, "app-config.json");
            prop_assert!(!error.problem.is_empty());
        }
    }

    #[test]
    fn the_apps_name_check_agrees_with_the_servers_rule(raw in prop_oneof![
        any::<String>(),
        "[ a-zA-Z0-9é<>]{0,125}",
        "[\\t\\n\\u{202A}\\u{2069}\\u{85} a]{0,6}",
        " {0,2}[a-z]{119,121} {0,2}",
    ]) {
        let app = check_name(&raw);
        let server = app_passwords_server::validate::app_password_name(&raw);
        match (app, server) {
            (Ok(app), Ok(server)) => prop_assert_eq!(app, server),
            (Err(_), Err(_)) => {}
            (app, server) => prop_assert!(false, "{raw:?}: the app says {app:?}, the server {server:?}"),
        }
    }
}
