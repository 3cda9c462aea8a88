//! `api/openapi.yaml` and the server agree: every call in the file is
//! served, and the oracle that checks every answer of the other tests
//! really rejects what the file does not allow.

mod common;

use common::contract::{spec, validate};
use common::Server;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn every_call_in_the_contract_is_served() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let http = reqwest::Client::new();
    let mut calls = 0;
    for (template, item) in spec()["paths"].as_object().unwrap() {
        let path = template.replace("{id}", "some-id");
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            calls += 1;
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = http
                .request(method.clone(), server.url(&format!("/api/v1{path}")))
                .header("content-type", "application/json")
                .body("{}")
                .send()
                .await
                .unwrap();
            let body: serde_json::Value = answer.json().await.unwrap_or_default();
            // Signed out, every call answers as the contract says (401, or a
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
    assert_eq!(calls, 12, "the contract's 11 calls, plus /verify");
}

#[test]
fn the_contract_oracle_rejects_what_the_file_does_not_allow() {
    let list = json!({ "$ref": "#/components/schemas/AppPasswordList" });
    let good = json!({ "items": [{ "id": "1", "name": "n", "created_at": "2026-01-01T00:00:00Z" }], "max_count": 40 });
    assert_eq!(validate(&list, &good, ""), Ok(()));
    let with_secret =
        json!({ "items": [{ "id": "1", "name": "n", "created_at": "x", "password": "p" }] });
    assert!(
        validate(&list, &with_secret, "").is_err(),
        "a password in the list must be caught"
    );
    assert!(validate(&list, &json!({ "items": [{ "id": "1" }] }), "").is_err());
    let created = json!({ "$ref": "#/components/schemas/CreatedAppPassword" });
    let answer =
        json!({ "id": "1", "name": "n", "created_at": "x", "password": "p", "login": "ada" });
    assert_eq!(validate(&created, &answer, ""), Ok(()));
    assert!(validate(
        &created,
        &json!({ "id": "1", "name": "n", "created_at": "x" }),
        ""
    )
    .is_err());
    let phone = json!({ "$ref": "#/components/schemas/Phone" });
    assert!(validate(&phone, &json!({ "country_code": "1", "number": "42" }), "").is_err());
    let _ = StatusCode::OK;
}
