//! Starting the app in one element of a page: the app's own page
//! (`index.html`, through a hashed copy of `embed.js`) or a host's page
//! (through `embed.js`).
//! What the app needs to know comes from that element's `data-*`
//! attributes, the configuration file it may name (`data-config-url`), and
//! the options of the JavaScript `mount` call.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use crate::api::{fetch_config_file, ApiClient};
use crate::config::{
    normalize_base_path, AuthMode, Config, ConfigError, Field, CONFIG_URL_ATTRIBUTE,
};
use crate::host::HostPage;
use crate::i18n::{self, choose_lang, keys, I18n, LangChoice};
use crate::pages::ConfigErrorPage;
use crate::App;

/// What a host page passes in JavaScript: what attributes cannot carry.
#[derive(Default)]
pub struct MountOptions {
    /// `getToken({ renew })`: returns a bearer token, or a promise of one.
    /// The app calls it before its first request and again, with
    /// `renew: true`, whenever the backend refuses the token.
    pub get_token: Option<js_sys::Function>,
    /// `assets`: the URL of the folder of the app's files, where the
    /// catalogues are (`embed.js` passes its own); else the document's base
    /// URL, which is that folder on the app's own page.
    pub assets_url: Option<String>,
}

impl MountOptions {
    /// Reads the options object of `mount(element, options)`.
    pub fn from_js(options: &JsValue) -> Result<Self, String> {
        if options.is_undefined() || options.is_null() {
            return Ok(Self::default());
        }
        let field = |name: &str| {
            js_sys::Reflect::get(options, &name.into())
                .map(|value| (!value.is_undefined() && !value.is_null()).then_some(value))
                .map_err(|_| "the options must be an object".to_owned())
        };
        let get_token = field("getToken")?
            .map(|get_token| {
                get_token
                    .dyn_into::<js_sys::Function>()
                    .map_err(|_| "getToken must be a function".to_owned())
            })
            .transpose()?;
        let assets_url = field("assets")?
            .map(|url| url.as_string().ok_or("assets must be a URL".to_owned()))
            .transpose()?;
        Ok(Self {
            get_token,
            assets_url,
        })
    }
}

/// The app mounted in an element; [`MountedApp::unmount`] takes it out.
pub struct MountedApp {
    // Leptos's mount handle, held only to be dropped: dropping unmounts.
    _handle: Box<dyn std::any::Any>,
}

impl MountedApp {
    /// Removes the app from its element.
    pub fn unmount(self) {
        drop(self);
    }
}

/// Mounts the app into `root`: reads the configuration, then shows the
/// app, or, when the configuration is broken, a page that says what is
/// wrong with it.
pub async fn mount(root: web_sys::HtmlElement, options: MountOptions) -> MountedApp {
    // The styles apply under this class only, so a host page keeps its own.
    let _ = root.class_list().add_1("ap-root");
    let host = HostPage::new(root.clone(), is_whole_page(&root));
    let assets_url = options.assets_url.clone().unwrap_or_else(document_base_url);
    // Until the configuration says otherwise, the browser's languages.
    let browser_lang = choose_lang(None);
    i18n::load(browser_lang, &assets_url).await;
    let browser_i18n = I18n::new(browser_lang);
    match read_config(&root, &options, &browser_i18n).await {
        Ok(config) => {
            let _ = root.set_attribute("data-theme", config.theme.as_str());
            let lang = choose_lang(config.lang.as_deref());
            // Without its catalogue (offline, say), English.
            i18n::load(lang, &assets_url).await;
            let lang = LangChoice::new(I18n::new(lang).lang(), assets_url);
            let api = ApiClient::new(&config, options.get_token);
            MountedApp {
                _handle: Box::new(leptos::mount::mount_to(root, move || {
                    view! { <App config=config api=api host=host lang=lang /> }
                })),
            }
        }
        Err(error) => {
            host.show_language(browser_i18n.lang(), &browser_i18n.t(keys::APP_TITLE));
            MountedApp {
                _handle: Box::new(leptos::mount::mount_to(root, move || {
                    view! { <ConfigErrorPage error=error i18n=browser_i18n /> }
                })),
            }
        }
    }
}

/// The configuration of the app mounted in `root`, with its URLs made
/// absolute against the document's base URL.
async fn read_config(
    root: &web_sys::HtmlElement,
    options: &MountOptions,
    i18n: &I18n,
) -> Result<Config, ConfigError> {
    let base_url = document_base_url();
    let file = match root.get_attribute(CONFIG_URL_ATTRIBUTE) {
        Some(location) => {
            let url = absolute_url(&location, &base_url).ok_or_else(|| {
                ConfigError::new(
                    CONFIG_URL_ATTRIBUTE,
                    keys::CONFIG_NOT_HTTP,
                    vec![("value", quoted(&location))],
                )
            })?;
            let name = location.rsplit('/').next().unwrap_or_default().to_owned();
            fetch_config_file(&url)
                .await
                .map_err(|error| {
                    ConfigError::new(
                        name.clone(),
                        keys::CONFIG_UNREADABLE,
                        vec![("error", error.message(i18n))],
                    )
                })?
                .map(|text| (name, text))
        }
        None => None,
    };
    let mut config = Config::from_sources(
        file.as_ref()
            .map(|(name, text)| (name.as_str(), text.as_str())),
        |field| root.get_attribute(&field.attribute()),
    )?;
    config.api_base = web_url(&config.api_base, &base_url, Field::ApiBase)?;
    for (url, field) in [
        (&mut config.sign_in_url, Field::SignInUrl),
        (&mut config.dav_url, Field::DavUrl),
        (&mut config.help_url, Field::HelpUrl),
    ] {
        if let Some(location) = url.as_deref() {
            *url = Some(web_url(location, &base_url, field)?);
        }
    }
    if config.base_path.is_none() {
        let path = web_sys::Url::new(&base_url)
            .map(|url| url.pathname())
            .unwrap_or_default();
        config.base_path = Some(normalize_base_path(&path));
    }
    if config.auth == AuthMode::Bearer && options.get_token.is_none() {
        return Err(ConfigError::new(
            Field::Auth.name(),
            keys::CONFIG_NEEDS_GET_TOKEN,
            Vec::new(),
        ));
    }
    Ok(config)
}

/// The URL that relative addresses resolve against: `<base href>`, else
/// the page's own address.
fn document_base_url() -> String {
    document()
        .base_uri()
        .ok()
        .flatten()
        .or_else(|| window().location().href().ok())
        .unwrap_or_default()
}

fn absolute_url(location: &str, base_url: &str) -> Option<String> {
    web_sys::Url::new_with_base(location, base_url)
        .ok()
        .map(|url| url.href())
}

/// `location` as an absolute http(s) URL, or an error naming `field`.
fn web_url(location: &str, base_url: &str, field: Field) -> Result<String, ConfigError> {
    absolute_url(location, base_url)
        .filter(|url| url.starts_with("http://") || url.starts_with("https://"))
        .ok_or_else(|| {
            ConfigError::new(
                field.name(),
                keys::CONFIG_NOT_HTTP,
                vec![("value", quoted(location))],
            )
        })
}

/// `value` in quotes, as a message shows what was written. Not `{:?}`:
/// the release build formats no `Debug` (`-Zfmt-debug=none`).
fn quoted(value: &str) -> String {
    format!("\"{value}\"")
}

/// Whether the app owns the whole page (its own `index.html`), where it may
/// set the document's title; never in a host's page.
fn is_whole_page(root: &web_sys::HtmlElement) -> bool {
    document()
        .body()
        .is_some_and(|body| body.is_same_node(Some(root)))
}
