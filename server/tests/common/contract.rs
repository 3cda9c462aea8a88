//! `api/openapi.yaml` as a test oracle: every response the tests receive
//! must be declared there (path, method, status, content type) and match its
//! schema. OpenAPI 3.1 schemas are JSON Schema 2020-12, so the `jsonschema`
//! crate checks them. Objects may not carry members their schema does not
//! declare, so the server cannot drift from the file unnoticed.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// The contract, parsed once.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../api/openapi.yaml");
        let text = std::fs::read_to_string(path).expect("read api/openapi.yaml");
        serde_yaml::from_str(&text).expect("api/openapi.yaml is valid YAML")
    })
}

/// The path template of the contract that `path` (relative to the API base,
/// without query) matches, e.g. `/app-passwords/{id}`.
pub fn template_for(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    spec()["paths"]
        .as_object()?
        .keys()
        .find(|template| {
            let parts: Vec<&str> = template.split('/').collect();
            parts.len() == segments.len()
                && parts
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
        .cloned()
}

/// Panics unless the response is declared in the contract and matches it.
pub fn check_response(
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Value,
) {
    let what = format!("{method} {path}: {status}");
    let template = template_for(path).unwrap_or_else(|| panic!("{what}: path not in the contract"));
    let operation = format!(
        "#/paths/{}/{}",
        escape(&template),
        method.as_str().to_lowercase()
    );
    assert!(
        at(&operation).is_object(),
        "{what}: method not in the contract"
    );
    // A declared response is written out, or a $ref to a shared one.
    let mut declared = format!("{operation}/responses/{}", status.as_str());
    if let Some(shared) = at(&declared)["$ref"].as_str() {
        declared = shared.to_owned();
    }
    assert!(
        at(&declared).is_object(),
        "{what}: status not declared in the contract"
    );
    match at(&declared)["content"].as_object() {
        None => assert!(
            body.is_null(),
            "{what}: the contract declares no body, got {body}"
        ),
        Some(content) => {
            let content_type = headers
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let media = content
                .keys()
                .find(|media| content_type.starts_with(media.as_str()))
                .unwrap_or_else(|| panic!("{what}: content type {content_type:?} not declared"));
            let schema = format!("{declared}/content/{}/schema", escape(media));
            if let Err(error) = validate(&schema, body) {
                panic!("{what}: {error}\nbody: {body:#}");
            }
        }
    }
}

/// Checks `value` against the schema at `pointer` in the file, e.g.
/// `#/components/schemas/AppPassword`; the error lists every mismatch.
pub fn validate(pointer: &str, value: &Value) -> Result<(), String> {
    let errors: Vec<String> = validator(pointer)
        .iter_errors(value)
        .map(|error| match error.instance_path().as_str() {
            "" => format!("/: {error}"),
            at => format!("{at}: {error}"),
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The node at a `#/…` pointer of the file (`null` where there is none).
pub fn at(pointer: &str) -> &'static Value {
    spec()
        .pointer(pointer.trim_start_matches('#'))
        .unwrap_or(&Value::Null)
}

/// A name as one segment of a JSON Pointer (`/` and `~` escaped).
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A validator for the schema at `pointer`, built once: the closed file is
/// the root document, so that its `#/components/…` references resolve.
fn validator(pointer: &str) -> Arc<Validator> {
    static BUILT: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let mut built = BUILT
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    built
        .entry(pointer.to_owned())
        .or_insert_with(|| {
            assert!(
                at(pointer).is_object(),
                "{pointer} is not a schema of the contract"
            );
            let mut root = closed_spec().clone();
            // A URI fragment may not hold the braces of `/app-passwords/{id}`.
            root["$ref"] = json!(pointer.replace('{', "%7B").replace('}', "%7D"));
            let validator = jsonschema::options()
                .with_draft(Draft::Draft202012)
                // `format` stays an annotation, as 2020-12 makes it: the
                // oracle checks shapes, not the syntax of timestamps.
                .should_validate_formats(false)
                .build(&root)
                .unwrap_or_else(|error| panic!("{pointer}: not a valid schema: {error}"));
            Arc::new(validator)
        })
        .clone()
}

/// The file with every schema closed: see [`close`].
fn closed_spec() -> &'static Value {
    static CLOSED: OnceLock<Value> = OnceLock::new();
    CLOSED.get_or_init(|| {
        let mut closed = spec().clone();
        close(&mut closed, false);
        closed
    })
}

/// Makes every schema in `node` refuse members it does not declare
/// (`unevaluatedProperties: false` where it has `properties` or `allOf`).
/// A part of an `allOf` stays open, since the members of the other parts
/// are its unknowns; a part that is a `$ref` is written out in its place,
/// open, for the same reason.
fn close(node: &mut Value, is_part: bool) {
    match node {
        Value::Array(items) => items.iter_mut().for_each(|item| close(item, false)),
        Value::Object(members) => {
            let declares_members =
                members.contains_key("properties") || members.contains_key("allOf");
            for (key, member) in members.iter_mut() {
                let Some(parts) = member.as_array_mut().filter(|_| key == "allOf") else {
                    close(member, false);
                    continue;
                };
                for part in parts {
                    if let Some(reference) = part["$ref"].as_str() {
                        *part = at(reference).clone();
                    }
                    close(part, true);
                }
            }
            if declares_members && !is_part {
                members.insert("unevaluatedProperties".to_owned(), json!(false));
            }
        }
        _ => {}
    }
}
