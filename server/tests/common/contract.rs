//! `api/openapi.yaml` as a test oracle: every answer the tests receive must
//! be declared there (path, method, status, content type) and match its
//! schema. Objects with declared properties may not carry undeclared ones,
//! so the server cannot drift from the file unnoticed.

use std::sync::OnceLock;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

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

/// Panics unless the answer is declared in the contract and matches it.
pub fn check_answer(
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &Value,
) {
    let what = format!("{method} {path} → {status}");
    let template = template_for(path).unwrap_or_else(|| panic!("{what}: path not in the contract"));
    let operation = &spec()["paths"][&template][method.as_str().to_lowercase()];
    assert!(operation.is_object(), "{what}: method not in the contract");
    let declared = resolve(&operation["responses"][status.as_str()]);
    assert!(
        declared.is_object(),
        "{what}: status not declared in the contract"
    );
    match declared.get("content").and_then(Value::as_object) {
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
                .iter()
                .find(|(media, _)| content_type.starts_with(media.as_str()))
                .map(|(_, media)| media)
                .unwrap_or_else(|| panic!("{what}: content type {content_type:?} not declared"));
            if let Err(error) = validate(&media["schema"], body, "") {
                panic!("{what}: {error}\nbody: {body:#}");
            }
        }
    }
}

/// Follows a `$ref` inside the file.
fn resolve(node: &Value) -> &Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let target = reference
                .trim_start_matches("#/")
                .split('/')
                .fold(spec(), |node, key| &node[key]);
            resolve(target)
        }
        None => node,
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => false,
    }
}

/// Checks `value` against the JSON Schema subset the contract uses.
pub fn validate(schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(schema);
    if let Some(all) = schema["allOf"].as_array() {
        // allOf: each part must hold; undeclared members are judged against
        // the union of the parts' properties.
        let mut merged = serde_json::Map::new();
        for part in all {
            let part = resolve(part);
            if let Some(props) = part["properties"].as_object() {
                merged.extend(props.clone());
            }
            validate(&strip_properties(part), value, at)?;
        }
        return validate(
            &serde_json::json!({ "type": "object", "properties": merged }),
            value,
            at,
        );
    }
    if let Some(options) = schema["oneOf"].as_array() {
        let matching = options
            .iter()
            .filter(|o| validate(o, value, at).is_ok())
            .count();
        return if matching == 1 {
            Ok(())
        } else {
            Err(format!("{at}: matches {matching} of the oneOf options"))
        };
    }
    match &schema["type"] {
        Value::String(name) if !type_matches(name, value) => {
            return Err(format!("{at}: expected {name}, got {value}"))
        }
        Value::Array(names)
            if !names
                .iter()
                .any(|n| type_matches(n.as_str().unwrap_or_default(), value)) =>
        {
            return Err(format!("{at}: expected one of {names:?}, got {value}"))
        }
        _ => {}
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    if let (Some(pattern), Some(text)) = (schema["pattern"].as_str(), value.as_str()) {
        if !regex::Regex::new(pattern).unwrap().is_match(text) {
            return Err(format!("{at}: {text:?} does not match {pattern}"));
        }
    }
    if let (Some(min), Some(n)) = (schema["minimum"].as_i64(), value.as_i64()) {
        if n < min {
            return Err(format!("{at}: {n} < {min}"));
        }
    }
    if let (Some(max), Some(text)) = (schema["maxLength"].as_u64(), value.as_str()) {
        if text.chars().count() as u64 > max {
            return Err(format!("{at}: longer than {max}"));
        }
    }
    if let Some(object) = value.as_object() {
        for required in schema["required"].as_array().into_iter().flatten() {
            let key = required.as_str().unwrap_or_default();
            if !object.contains_key(key) {
                return Err(format!("{at}: missing required member {key:?}"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (key, member) in object {
                let Some(member_schema) = properties.get(key) else {
                    return Err(format!("{at}: member {key:?} is not in the contract"));
                };
                validate(member_schema, member, &format!("{at}/{key}"))?;
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            validate(items, item, &format!("{at}/{index}"))?;
        }
    }
    Ok(())
}

/// A schema without its `properties`, so that an allOf part does not reject
/// the members another part declares.
fn strip_properties(schema: &Value) -> Value {
    let mut copy = schema.clone();
    if let Some(object) = copy.as_object_mut() {
        object.remove("properties");
    }
    copy
}
