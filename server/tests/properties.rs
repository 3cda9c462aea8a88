//! Property tests: the input rules accept exactly what they promise, and no
//! body, however malformed, on any call, gets a 5xx or anything but problem
//! details; the server keeps working afterwards.

mod common;

use app_passwords_server::validate::{app_password_name, phone};
use common::Server;
use contract::MAX_NAME_CHARS;
use proptest::prelude::*;
use unicode_general_category::{get_general_category, GeneralCategory};

/// `cases` cases, and no regression files written into the source tree:
/// a failure prints its minimal input instead.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}
use serde_json::{json, Value};

/// Text that is sometimes a plausible name and often not: controls,
/// bidirectional overrides, surrounding spaces, long runs.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![
        // Unassigned code points may be assigned, and so classed, later than
        // the Unicode version either side knows: left out.
        any::<String>().prop_map(|text| text
            .chars()
            .filter(|&c| get_general_category(c) != GeneralCategory::Unassigned)
            .collect()),
        "[ a-z\u{2028}\u{200B}\u{FEFF}\u{E0041}\u{3164}\u{FE0F}]{0,6}",
        "[ a-zA-Z0-9é<>\"'&]{0,130}",
        "[\\t\\n\\u{202E}\\u{2066} a]{0,8}",
        " {0,3}[a-z]{118,122} {0,3}",
    ]
}

/// What a name may not hold, by Unicode's own classes (independent of the
/// contract's table): format characters (Cf: bidirectional controls,
/// zero-width characters, tags), line and paragraph separators, and the
/// Hangul and Mongolian fillers that are letters showing nothing.
fn shows_nothing(c: char) -> bool {
    matches!(
        get_general_category(c),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    ) || matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
}

/// Marks a name may hold beside something visible, never alone: variation
/// selectors, the combining grapheme joiner, Khmer's inherent vowels, the
/// braille blank.
fn blank_alone(c: char) -> bool {
    matches!(
        c,
        '\u{034F}' | '\u{17B4}'..='\u{17B5}' | '\u{180B}'..='\u{180D}' | '\u{180F}'
            | '\u{2800}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0100}'..='\u{E01EF}'
    )
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn a_name_is_accepted_exactly_when_it_follows_the_rules(raw in name_like()) {
        let trimmed = raw.trim();
        let follows = (1..=MAX_NAME_CHARS).contains(&trimmed.chars().count())
            && !trimmed.chars().any(|c| c.is_control() || shows_nothing(c))
            && trimmed.chars().any(|c| !c.is_whitespace() && !blank_alone(c));
        match app_password_name(&raw) {
            Ok(name) => {
                prop_assert!(follows, "accepted {raw:?}");
                prop_assert_eq!(name, trimmed);
            }
            Err(error) => {
                prop_assert!(!follows, "refused {raw:?}: {}", error.detail);
                prop_assert_eq!(error.pointer, "/name");
                prop_assert!(!error.detail.is_empty());
            }
        }
    }

    #[test]
    fn a_phone_is_accepted_exactly_when_it_is_e164(
        country_code in "[+0-9a ]{0,5}",
        number in "[0-9a +-]{0,17}",
        extension in proptest::option::of("[0-9a]{0,12}"),
        extension_allowed in any::<bool>(),
    ) {
        let errors = phone("/phones/office", &country_code, &number, extension.as_deref(), extension_allowed);
        let cc = country_code.strip_prefix('+').unwrap_or("x");
        let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        let e164 = digits(cc) && cc.len() <= 3 && digits(&number) && cc.len() + number.len() <= 15;
        for error in &errors {
            prop_assert!(error.pointer.starts_with("/phones/office/"), "{}", error.pointer);
        }
        if errors.is_empty() {
            prop_assert!(e164, "accepted {country_code:?} {number:?}");
        }
        if !e164 {
            prop_assert!(!errors.is_empty(), "refused nothing of {country_code:?} {number:?}");
        }
    }
}

/// A request body: any JSON value, JSON with the right keys and wrong
/// values, or bytes that are not JSON at all.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        any::<String>().prop_map(Value::from),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("login".to_owned()),
                    Just("password".to_owned()),
                    Just("code".to_owned()),
                    Just("default_method".to_owned()),
                    Just("phones".to_owned()),
                    any::<String>(),
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    });
    prop_oneof![
        value.prop_map(|value| value.to_string().into_bytes()),
        proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

#[test]
fn no_body_on_any_call_gets_a_5xx_or_anything_but_problem_details() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = runtime.block_on(Server::start(data.path()));
    let token = runtime
        .block_on(async {
            server
                .admin_db()
                .await
                .call(|conn| app_passwords_server::auth::issue_token(conn, "bob", 1))
                .await
        })
        .unwrap();
    let http = reqwest::Client::new();
    let calls = [
        ("POST", "/session"),
        ("POST", "/session/mfa"),
        ("POST", "/app-passwords"),
        ("PATCH", "/app-passwords/1"),
        ("PATCH", "/app-passwords/%00%E9"),
        ("PUT", "/security-info"),
        ("DELETE", "/app-passwords/not-a-number"),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(config(300));
    runner
        .run(
            &(0..calls.len(), body(), any::<u64>()),
            |(call, body, key)| {
                let (method, path) = calls[call];
                let response = runtime.block_on(
                    http.request(
                        method.parse().unwrap(),
                        server.url(&format!("/api/v1{path}")),
                    )
                    .bearer_auth(&token)
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", format!("key-{key}"))
                    .body(body.clone())
                    .send(),
                );
                let response = response.expect("an response, not a dropped connection");
                let status = response.status();
                prop_assert!(status.as_u16() < 500, "{method} {path} {body:?}: {status}");
                if !status.is_success() {
                    let content_type = response
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or_default()
                        .to_owned();
                    prop_assert_eq!(content_type, "application/problem+json");
                    let problem: Value = runtime.block_on(response.json()).expect("JSON problem");
                    prop_assert_eq!(problem["status"].as_u64(), Some(u64::from(status.as_u16())));
                    prop_assert!(problem["title"].is_string());
                }
                Ok(())
            },
        )
        .unwrap();

    // Still serving, with its data intact and within its rules.
    let list: Value = runtime
        .block_on(async {
            http.get(server.url("/api/v1/app-passwords"))
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await
        })
        .unwrap();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() <= 40);
    for item in items {
        assert!(
            app_password_name(item["name"].as_str().unwrap()).is_ok(),
            "{item}"
        );
    }
}
