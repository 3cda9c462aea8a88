//! The security-verification settings over real HTTP, checked against the
//! contract: defaults, saving, field errors with pointers, durability.

mod common;

use common::Server;
use reqwest::StatusCode;
use serde_json::{json, Value};

fn update(method: &str, authentication: Value, office: Value) -> Value {
    json!({
        "default_method": method,
        "phones": { "authentication": authentication, "office": office, "alternate": null }
    })
}

#[tokio::test]
async fn shows_defaults_saves_and_keeps_the_settings() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let mut ada = server.ada().await;

    let initial = ada.get("/security-info").await.body;
    assert_eq!(
        initial["default_method"], "app_code",
        "ada signed in with an authenticator"
    );
    assert_eq!(initial["authenticator_app"]["configured"], true);
    assert_eq!(initial["phones"]["authentication"], Value::Null);
    assert_eq!(initial["available_methods"].as_array().unwrap().len(), 5);

    let wanted = update(
        "call_office",
        json!({"country_code": "+1", "number": "4255550100"}),
        json!({"country_code": "+44", "number": "2071234567", "extension": "42"}),
    );
    let saved = ada.put("/security-info", &wanted).await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["default_method"], "call_office");
    assert_eq!(saved.body["phones"], wanted["phones"]);

    drop(server);
    let server = Server::start(data.path()).await;
    ada.point_to(&server);
    assert_eq!(
        ada.get("/security-info").await.body["phones"],
        wanted["phones"]
    );

    let bob = server.bob().await;
    let bobs = bob.get("/security-info").await.body;
    assert_eq!(bobs["authenticator_app"]["configured"], false);
    assert_eq!(bobs["default_method"], "sms", "no app to notify");
    assert_eq!(
        bobs["available_methods"],
        json!(["sms", "call_mobile", "call_office"])
    );
    assert_eq!(
        bobs["phones"]["office"],
        Value::Null,
        "settings are per user"
    );

    // No authenticator app, so it cannot be the option; a phone can.
    let phone = json!({"country_code": "+1", "number": "4255550100"});
    for method in ["app_notification", "app_code"] {
        let refused = bob
            .put(
                "/security-info",
                &update(method, phone.clone(), Value::Null),
            )
            .await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{method}");
        assert_eq!(refused.body["errors"][0]["pointer"], "/default_method");
        assert!(
            refused.body["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("authenticator app is not set up"),
            "{}",
            refused.body
        );
    }
    let saved = bob
        .put("/security-info", &update("sms", phone, Value::Null))
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
}

#[tokio::test]
async fn invalid_settings_get_field_errors_and_change_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let before = ada.get("/security-info").await.body;

    let cases = [
        (
            update("sms", Value::Null, Value::Null),
            vec!["/default_method"],
        ),
        (
            update("call_office", Value::Null, Value::Null),
            vec!["/default_method"],
        ),
        (
            update("carrier_pigeon", Value::Null, Value::Null),
            vec!["/default_method"],
        ),
        (
            update(
                "app_code",
                json!({"country_code": "1", "number": "425-555"}),
                Value::Null,
            ),
            vec![
                "/phones/authentication/country_code",
                "/phones/authentication/number",
            ],
        ),
        (
            update(
                "app_code",
                json!({"country_code": "+1", "number": "4255550100", "extension": "1"}),
                Value::Null,
            ),
            vec!["/phones/authentication/extension"],
        ),
        (
            update(
                "app_code",
                Value::Null,
                json!({"country_code": "+999", "number": "1234567890123"}),
            ),
            vec!["/phones/office/number"],
        ),
    ];
    for (body, pointers) in cases {
        let response = ada.put("/security-info", &body).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(response.problem_kind(), "validation-failed");
        let got: Vec<&str> = response.body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["pointer"].as_str().unwrap())
            .collect();
        assert_eq!(got, pointers, "{body}");
    }
    assert_eq!(ada.get("/security-info").await.body, before);
}

#[tokio::test]
async fn a_missing_field_or_a_country_code_0_is_named_and_erases_nothing() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let saved = update(
        "sms",
        json!({"country_code": "+1", "number": "4255550100"}),
        json!({"country_code": "+44", "number": "2071234567", "extension": "42"}),
    );
    assert_eq!(
        ada.put("/security-info", &saved).await.status,
        StatusCode::OK
    );
    let before = ada.get("/security-info").await.body;

    let phone = json!({"country_code": "+1", "number": "4255550100"});
    let required = "required";
    let cases = [
        (json!({"default_method": "app_code"}), "/phones", required),
        (
            json!({"default_method": "app_code", "phones": {"authentication": phone, "alternate": null}}),
            "/phones/office",
            required,
        ),
        (
            json!({"default_method": "app_code", "phones": {}}),
            "/phones/authentication",
            required,
        ),
        (
            json!({"phones": saved["phones"]}),
            "/default_method",
            required,
        ),
        (
            update(
                "app_code",
                json!({"country_code": "+0", "number": "4255550100"}),
                Value::Null,
            ),
            "/phones/authentication/country_code",
            "begins with 0",
        ),
    ];
    for (body, pointer, says) in cases {
        let response = ada.put("/security-info", &body).await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(response.problem_kind(), "validation-failed");
        let error = &response.body["errors"][0];
        assert_eq!(error["pointer"], pointer, "{body}: {}", response.body);
        let detail = error["detail"].as_str().unwrap();
        assert!(detail.contains(says), "{body}: {detail}");
    }
    assert_eq!(ada.get("/security-info").await.body, before);
}
