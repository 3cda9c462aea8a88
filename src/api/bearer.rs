//! Bearer tokens from the host page: the `getToken` function it hands to
//! `mount`, asked once however many requests wait, and asked to renew a
//! token the backend refused.

use std::sync::{Arc, Mutex};

use send_wrapper::SendWrapper;
use wasm_bindgen::JsValue;

use super::error::ApiError;
use super::transport::lock;

/// Bearer tokens handed over by the host page's `getToken` function.
/// Clones share the token in hand and the reply awaited.
#[derive(Clone)]
pub(super) struct BearerTokens {
    get_token: SendWrapper<js_sys::Function>,
    current: Arc<Mutex<Option<String>>>,
    /// The host's reply while it is awaited. Requests that need a token
    /// meanwhile wait for the same reply: the page asks its user once,
    /// however many requests are under way.
    asking: Arc<Mutex<Option<SendWrapper<js_sys::Promise>>>>,
}

impl BearerTokens {
    /// Tokens from the host page's `get_token`, none in hand yet.
    pub(super) fn new(get_token: js_sys::Function) -> Self {
        Self {
            get_token: SendWrapper::new(get_token),
            current: Arc::default(),
            asking: Arc::default(),
        }
    }

    /// The token to send: the one in hand unless it is `refused` (the
    /// backend turned it down), else the host page's reply
    /// (`getToken({ renew })` may return a string or a promise of one).
    pub(super) async fn get(&self, refused: Option<&str>) -> Result<String, ApiError> {
        {
            let mut current = lock(&self.current);
            match current.as_deref() {
                Some(token) if Some(token) != refused => return Ok(token.to_owned()),
                Some(_) => *current = None,
                None => {}
            }
        }
        let reply = {
            let mut asking = lock(&self.asking);
            match asking.as_ref() {
                Some(reply) => js_sys::Promise::clone(reply),
                None => {
                    let reply = self.ask(refused.is_some())?;
                    *asking = Some(SendWrapper::new(reply.clone()));
                    reply
                }
            }
        };
        let token = wasm_bindgen_futures::JsFuture::from(reply.clone()).await;
        {
            let mut asking = lock(&self.asking);
            if asking
                .as_ref()
                .is_some_and(|pending| js_sys::Object::is(pending, &reply))
            {
                *asking = None;
            }
        }
        let token = token
            .ok()
            .and_then(|token| token.as_string())
            .map(|token| token.trim().to_owned())
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::NoToken)?;
        *lock(&self.current) = Some(token.clone());
        Ok(token)
    }

    /// Asks the host page for a token; `renew` says the last was refused.
    fn ask(&self, renew: bool) -> Result<js_sys::Promise, ApiError> {
        let request = js_sys::Object::new();
        let _ = js_sys::Reflect::set(&request, &"renew".into(), &renew.into());
        let reply = self
            .get_token
            .call1(&JsValue::NULL, &request)
            .map_err(|_| ApiError::NoToken)?;
        // A string becomes a settled promise: one way to wait for both.
        Ok(js_sys::Promise::resolve(&reply))
    }
}
