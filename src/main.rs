//! The app's JavaScript entry point. Loading the module only installs the
//! panic hook (in debug builds); `embed.js` (on a host's page, or hashed on the app's own)
//! then calls [`mount`] on the element the app should live in.

use wasm_bindgen::prelude::*;

fn main() {
    // Only where a panic unwinds into a hook: the release build stops at
    // once (-Cpanic=immediate-abort), and embed.js says so on the page.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
}

/// `mount(element, options)`: starts the app in `element`, configured by
/// its `data-*` attributes, and resolves to `{ unmount() }`. `options` may
/// hold `getToken({ renew })` for bearer tokens. Rejects with a `TypeError`
/// when the arguments are not usable.
#[wasm_bindgen]
pub async fn mount(element: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
    let root = element
        .dyn_into::<web_sys::HtmlElement>()
        .map_err(|_| js_sys::TypeError::new("app-passwords: mount needs an HTML element"))?;
    let options = app_passwords::MountOptions::from_js(&options)
        .map_err(|problem| js_sys::TypeError::new(&format!("app-passwords: {problem}")))?;
    let mounted = app_passwords::mount(root, options).await;
    let handle = js_sys::Object::new();
    let unmount = Closure::once_into_js(move || mounted.unmount());
    js_sys::Reflect::set(&handle, &"unmount".into(), &unmount)?;
    Ok(handle.into())
}
