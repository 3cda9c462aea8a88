//! `api/openapi.yaml`, the server and the contract crate agree: every call
//! in the file is served, the oracle that checks every response of the
//! other tests really rejects what the file does not allow, and the contract
//! crate's types write exactly what the file declares.

mod common;

use app_passwords_server::problem::Problem;
use axum::response::IntoResponse;
use common::contract::{at, spec, validate};
use common::Server;
use contract::{
    AppPassword, AppPasswordList, AppPasswordName, AuthenticatorApp, CreatedAppPassword,
    Credentials, ExpiryPolicy, FieldError, NewAppPassword, Phone, Phones, Revoked, SecondFactor,
    SecurityInfo, SecurityInfoUpdate, Session, User,
};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn every_call_in_the_contract_is_served() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let http = reqwest::Client::new();
    let mut calls = 0;
    for (template, item) in spec()["paths"].as_object().unwrap() {
        let path = template.replace("{id}", "some-id");
        // A call outside the API's base says where in its own `servers`.
        let base = item["servers"][0]["url"].as_str().unwrap_or("/api/v1");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            calls += 1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let response = http
                .request(
                    method.clone(),
                    server.url(&format!("{}{path}", base.trim_end_matches('/'))),
                )
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let body: serde_json::Value = response.json().await.unwrap_or_default();
            // A provider's calls are served only with --oidc-issuer: this
            // server has none, and tests/oidc.rs serves them with one.
            if path.starts_with("/session/oidc/") {
                assert_eq!(
                    response_status(&body),
                    404,
                    "{method} {path} without a provider"
                );
                continue;
            }
            // Signed out, every call gets what the contract says (401, or a
            // body error for sign-in) and none is an unknown route.
            assert_ne!(
                body["type"], "/problems/not-found",
                "{method} {path} is not served"
            );
            assert_ne!(
                body["type"], "/problems/method-not-allowed",
                "{method} {path} is not served"
            );
        }
    }
    assert_eq!(
        calls, 15,
        "the contract's 13 calls, plus /verify and /healthz"
    );
}

#[test]
fn the_contract_oracle_rejects_what_the_file_does_not_allow() {
    let list = "#/components/schemas/AppPasswordList";
    let good = json!({ "items": [{ "id": "1", "name": "n", "created_at": "2026-01-01T00:00:00Z" }], "max_count": 40 });
    assert_eq!(validate(list, &good), Ok(()));
    let with_secret =
        json!({ "items": [{ "id": "1", "name": "n", "created_at": "x", "password": "p" }] });
    assert!(
        validate(list, &with_secret).is_err(),
        "a password in the list must be caught"
    );
    assert!(validate(list, &json!({ "items": [{ "id": "1" }] })).is_err());
    let created = "#/components/schemas/CreatedAppPassword";
    let response =
        json!({ "id": "1", "name": "n", "created_at": "x", "password": "p", "login": "ada" });
    assert_eq!(validate(created, &response), Ok(()));
    assert!(validate(
        created,
        &json!({ "id": "1", "name": "n", "created_at": "x" })
    )
    .is_err());
    let phone = "#/components/schemas/Phone";
    assert!(validate(phone, &json!({ "country_code": "1", "number": "42" })).is_err());
}

#[test]
fn the_files_input_rules_are_the_servers() {
    for schema in ["NameBody", "NewAppPassword"] {
        let name = at(&format!("#/components/schemas/{schema}/properties/name"));
        assert_eq!(name["minLength"], 1, "{schema}");
        assert_eq!(name["maxLength"], contract::MAX_NAME_CHARS, "{schema}");
    }
    for country_code in [
        "+1", "+44", "+999", "+0", "+01", "+1234", "1", "+", "+4a", "+-1",
    ] {
        let phone = json!({ "country_code": country_code, "number": "2071234567" });
        let by_the_file = validate("#/components/schemas/Phone", &phone).is_ok();
        let by_the_server = app_passwords_server::validate::phone(
            "/phone",
            country_code,
            "2071234567",
            None,
            false,
        )
        .is_empty();
        assert_eq!(by_the_file, by_the_server, "{country_code}");
    }
    for schema in ["AppPassword", "NewAppPassword"] {
        let services = at(&format!(
            "#/components/schemas/{schema}/properties/services"
        ));
        assert_eq!(services["maxItems"], contract::MAX_SERVICES, "{schema}");
    }
    let new = "#/components/schemas/NewAppPassword";
    for name in [
        "imap",
        "nginx-dav",
        "pop3",
        "IMAP",
        "3imap",
        "im ap",
        "imap,smtp",
        "",
    ] {
        let body = json!({ "name": "x", "services": [name] });
        let by_the_file = validate(new, &body).is_ok();
        let by_the_server =
            app_passwords_server::validate::services(Some(&[name.to_owned()])).is_ok();
        assert_eq!(by_the_file, by_the_server, "{name:?}");
    }
}

/// A value of each type of the contract crate with every optional member
/// set, one with none set, and where the file describes it.
fn contract_examples() -> Vec<(&'static str, Value, Value)> {
    let item = AppPassword {
        id: "k7Qx2".into(),
        name: "Outlook on the laptop".into(),
        created_at: "2026-01-01T09:30:00Z".into(),
        last_used_at: Some("2026-01-02T08:00:00Z".into()),
        last_used_ip: Some("192.0.2.7".into()),
        last_used_service: Some("imap".into()),
        expires_at: Some("2027-01-01T09:30:00Z".into()),
        services: Some(vec!["imap".into(), "smtp".into()]),
    };
    let bare_item = AppPassword {
        last_used_at: None,
        last_used_ip: None,
        last_used_service: None,
        expires_at: None,
        services: None,
        ..item.clone()
    };
    // The type lets every phone carry an extension; the rule that only the
    // office phone may is the server's, not the type's.
    let phone = Phone {
        country_code: "+44".into(),
        number: "2071234567".into(),
        extension: Some("42".into()),
    };
    let phones = Phones {
        authentication: Some(phone.clone()),
        office: Some(phone.clone()),
        alternate: Some(phone),
    };
    let user = User {
        id: "1".into(),
        login: "ada".into(),
        display_name: "Ada Lovelace".into(),
    };
    vec![
        (
            "#/components/schemas/Session",
            to_json(&Session {
                user: user.clone(),
                csrf_token: Some("c5rf".into()),
                app_passwords_enabled: Some(false),
                signs_in_with: Some("Example SSO".into()),
            }),
            to_json(&Session {
                user,
                csrf_token: None,
                app_passwords_enabled: None,
                signs_in_with: None,
            }),
        ),
        (
            "#/components/schemas/AppPasswordList",
            to_json(&AppPasswordList {
                items: vec![item.clone()],
                max_count: Some(40),
                expiry: Some(ExpiryPolicy {
                    default_days: Some(30),
                    max_days: Some(365),
                }),
            }),
            to_json(&AppPasswordList {
                items: vec![bare_item.clone()],
                max_count: None,
                expiry: None,
            }),
        ),
        (
            "#/components/schemas/CreatedAppPassword",
            to_json(&CreatedAppPassword {
                item: item.clone(),
                password: "abcde-fghjk-mnpqr-stuvw-xyz23".into(),
                login: Some("ada".into()),
            }),
            to_json(&CreatedAppPassword {
                item: bare_item.clone(),
                password: "abcde-fghjk-mnpqr-stuvw-xyz23".into(),
                login: None,
            }),
        ),
        (
            "#/components/schemas/AppPassword",
            to_json(&item),
            to_json(&bare_item),
        ),
        (
            "#/paths/~1app-passwords/delete/responses/200/content/application~1json/schema",
            to_json(&Revoked { revoked: 3 }),
            to_json(&Revoked { revoked: 0 }),
        ),
        (
            "#/components/schemas/SecurityInfo",
            to_json(&SecurityInfo {
                default_method: "call_office".into(),
                available_methods: Some(vec!["app_code".into(), "call_office".into()]),
                phones: phones.clone(),
                authenticator_app: Some(AuthenticatorApp {
                    configured: true,
                    device_name: Some("Pixel".into()),
                }),
            }),
            to_json(&SecurityInfo {
                default_method: "app_notification".into(),
                available_methods: None,
                phones: Phones::default(),
                authenticator_app: None,
            }),
        ),
        (
            "#/components/schemas/SecurityInfoUpdate",
            to_json(&SecurityInfoUpdate {
                default_method: "sms".into(),
                phones,
            }),
            to_json(&SecurityInfoUpdate {
                default_method: "app_code".into(),
                phones: Phones::default(),
            }),
        ),
        (
            "#/components/schemas/Credentials",
            to_json(&Credentials {
                login: "ada".into(),
                password: "analytical-engine".into(),
            }),
            to_json(&Credentials {
                login: String::new(),
                password: String::new(),
            }),
        ),
        (
            "#/paths/~1session~1mfa/post/requestBody/content/application~1json/schema",
            to_json(&SecondFactor {
                code: "123456".into(),
            }),
            to_json(&SecondFactor {
                code: String::new(),
            }),
        ),
        (
            "#/components/schemas/NameBody",
            to_json(&AppPasswordName {
                name: "Thunderbird".into(),
            }),
            to_json(&AppPasswordName { name: "x".into() }),
        ),
        (
            "#/components/schemas/NewAppPassword",
            to_json(&NewAppPassword {
                name: "Thunderbird".into(),
                expires_at: Some("2027-01-31T23:59:59Z".into()),
                services: Some(vec!["caldav".into(), "carddav".into()]),
            }),
            to_json(&NewAppPassword {
                name: "x".into(),
                expires_at: None,
                services: None,
            }),
        ),
        (
            "#/components/schemas/ExpiryPolicy",
            to_json(&ExpiryPolicy {
                default_days: Some(90),
                max_days: None,
            }),
            to_json(&ExpiryPolicy {
                default_days: None,
                max_days: None,
            }),
        ),
        (
            "#/components/schemas/Problem/properties/errors/items",
            to_json(&FieldError {
                pointer: "/name".into(),
                detail: "Enter a name.".into(),
            }),
            to_json(&FieldError {
                pointer: String::new(),
                detail: String::new(),
            }),
        ),
    ]
}

fn to_json(example: &impl serde::Serialize) -> Value {
    serde_json::to_value(example).expect("contract types serialise")
}

#[test]
fn the_contract_crate_writes_what_the_file_declares() {
    for (schema, full, bare) in contract_examples() {
        assert_eq!(validate(schema, &full), Ok(()), "{schema}: {full}");
        assert_eq!(validate(schema, &bare), Ok(()), "{schema}: {bare}");
        // The other way round: every member the file declares is one the
        // contract crate writes, so a member added to the file alone is
        // caught too.
        let mut unwritten = Vec::new();
        find_unwritten(at(schema), &full, "", &mut unwritten);
        assert!(
            unwritten.is_empty(),
            "{schema}: the file declares {unwritten:?}, the contract crate does not write them"
        );
    }
}

#[tokio::test]
async fn field_errors_travel_in_a_validation_problem_as_the_file_says() {
    let errors = vec![FieldError {
        pointer: "/phones/office/number".into(),
        detail: "Use digits only, without spaces or dashes.".into(),
    }];
    let response = Problem::validation_failed(errors).into_response();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(validate("#/components/schemas/Problem", &body), Ok(()));
    assert_eq!(body["errors"][0]["pointer"], "/phones/office/number");
}

/// Records, in `unwritten`, each member that `schema` declares and `value`
/// (an example with every optional member set) lacks, at any depth.
fn find_unwritten(schema: &'static Value, value: &Value, path: &str, unwritten: &mut Vec<String>) {
    let schema = follow(schema);
    if let Some(options) = schema["oneOf"].as_array() {
        for option in options {
            find_unwritten(option, value, path, unwritten);
        }
        return;
    }
    match value {
        Value::Object(members) => {
            for (name, member_schema) in declared_members(schema) {
                match members.get(&name) {
                    Some(member) => {
                        find_unwritten(member_schema, member, &format!("{path}/{name}"), unwritten)
                    }
                    None => unwritten.push(format!("{path}/{name}")),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                find_unwritten(&schema["items"], item, path, unwritten);
            }
        }
        _ => {}
    }
}

/// The members an object schema declares, its `allOf` parts' included.
fn declared_members(schema: &'static Value) -> Vec<(String, &'static Value)> {
    let schema = follow(schema);
    let own = schema["properties"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, member)| (name.clone(), member));
    let parts = schema["allOf"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(declared_members);
    own.chain(parts).collect()
}

/// The schema a `$ref` points to, or the schema itself.
fn follow(schema: &'static Value) -> &'static Value {
    match schema["$ref"].as_str() {
        Some(reference) => follow(at(reference)),
        None => schema,
    }
}

fn response_status(problem: &serde_json::Value) -> u64 {
    problem["status"].as_u64().unwrap_or_default()
}
