//! The one HTTP client the tests and the benchmark use outside the browser:
//! reqwest, as in the server's own tests, async like the tests around it.

use reqwest::header::HeaderMap;
use reqwest::RequestBuilder;
use serde_json::Value;

use super::PATIENCE;

/// A client that gives up after [`PATIENCE`] and follows no redirect: a
/// test sees each response as the server sent it.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PATIENCE)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// One HTTP response, read whole: what a client other than the browser sees.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub body: String,
}

impl Response {
    /// The value of header `name`, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// The body as JSON; `null` when it is not JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// Sends `request` and reads its response whole.
pub async fn send(request: RequestBuilder) -> Response {
    let response = request
        .send()
        .await
        .unwrap_or_else(|error| panic!("send an HTTP request: {error}"));
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.text().await.expect("read a response body");
    Response {
        status,
        headers,
        body,
    }
}

/// `GET /api/v1/verify` on the server at `base_url` with HTTP Basic, sent
/// as a mail client would send it: the status and the JSON body.
pub async fn verify(base_url: &str, login: &str, password: &str) -> (u16, Value) {
    verify_with(base_url, login, password, &[]).await
}

/// [`verify`] with `headers` too, as a service sends it (its credential,
/// the service's name).
pub async fn verify_with(
    base_url: &str,
    login: &str,
    password: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = client()
        .get(format!("{base_url}/api/v1/verify"))
        .basic_auth(login, Some(password));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = send(request).await;
    (response.status, response.json())
}

/// `GET url`, with no headers of the test's own.
pub async fn get(url: &str) -> Response {
    send(client().get(url)).await
}
