//! "Set up a device", beside the new password: the person picks their mail
//! client and gets its steps, with every value to type and a copy button
//! for each; Apple devices get a configuration profile instead, made here
//! and saved from a Blob that goes away with the step.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::api::{new_idempotency_key, CreatedAppPassword};
use crate::components::{break_after_each, segments, CopyButton, SelectField};
use crate::config::{Config, MailSecurity, MailServer, Services};
use crate::i18n::{keys, use_i18n};
use crate::pages::created_step::password_groups;
use crate::pages::device_profile::{
    has_profile, profile, profile_file_name, ProfileAccount, PROFILE_MEDIA_TYPE,
};
use crate::pages::this_device::ThisDevice;

/// The kinds of client the steps are written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Client {
    Apple,
    Outlook,
    Thunderbird,
    Android,
    Other,
}

impl Client {
    const ALL: [Self; 5] = [
        Self::Apple,
        Self::Outlook,
        Self::Thunderbird,
        Self::Android,
        Self::Other,
    ];

    /// The option's value and the key of its label.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Apple => ("apple", keys::SETUP_CLIENT_APPLE),
            Self::Outlook => ("outlook", keys::SETUP_CLIENT_OUTLOOK),
            Self::Thunderbird => ("thunderbird", keys::SETUP_CLIENT_THUNDERBIRD),
            Self::Android => ("android", keys::SETUP_CLIENT_ANDROID),
            Self::Other => ("other", keys::SETUP_CLIENT_OTHER),
        }
    }

    /// The client of `device`, the one the list starts on.
    fn of(device: ThisDevice) -> Self {
        match device {
            ThisDevice::IPhoneOrIPad | ThisDevice::Mac => Self::Apple,
            ThisDevice::Android => Self::Android,
            ThisDevice::Other => Self::Other,
        }
    }

    /// Whether there is anything to set up in this client: Apple's profile
    /// needs something to hold, the mail apps a mail server.
    fn fits(self, services: &Services) -> bool {
        match self {
            Self::Apple => has_profile(services),
            Self::Other => true,
            _ => services.imap.is_some(),
        }
    }

    /// The keys of its steps, after Apple's profile.
    fn steps(self, services: &Services) -> Vec<&'static str> {
        let add = match self {
            Self::Apple => return vec![keys::SETUP_APPLE_IOS, keys::SETUP_APPLE_MAC],
            Self::Outlook => keys::SETUP_OUTLOOK_ADD,
            Self::Thunderbird => keys::SETUP_THUNDERBIRD_ADD,
            Self::Android => keys::SETUP_ANDROID_ADD,
            Self::Other => keys::SETUP_OTHER,
        };
        let mut steps = match self {
            Self::Other => vec![add],
            _ => vec![add, keys::SETUP_STEP_SERVERS],
        };
        steps.push(keys::SETUP_STEP_PASSWORD);
        // Outlook has no calendars or contacts over CalDAV and CardDAV.
        if services.dav_url.is_some() && self != Self::Outlook {
            steps.push(keys::SETUP_STEP_DAV);
        }
        steps
    }
}

/// The id of the set-up table's Copy of the password.
pub const SETUP_PASSWORD_COPY_ID: &str = "copy-setup-password";

/// The steps to set up the app password `created` in the client the person
/// picks, starting on the device the page is open on. `on_saved` runs when
/// they save Apple's profile, which holds the password; its Copy in the
/// table is the step's [`crate::components::ClipboardHolder`]'s to know.
#[component]
pub fn DeviceSetup(
    created: CreatedAppPassword,
    services: Services,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let device = ThisDevice::guess();
    let first = Some(Client::of(device))
        .filter(|client| client.fits(&services))
        .unwrap_or(Client::Other);
    let chosen = RwSignal::new(first.names().0.to_owned());
    let options = Client::ALL
        .into_iter()
        .filter(|client| client.fits(&services))
        .map(|client| (client.names().0.to_owned(), i18n.t(client.names().1)))
        .collect();
    let rows = settings(&services, created.login.as_deref(), &created.password);
    let profile_services = services.clone();
    let client = move || {
        Client::ALL
            .into_iter()
            .find(|client| client.names().0 == *chosen.read())
            .unwrap_or(Client::Other)
    };
    view! {
        <section class="device-setup" aria-labelledby="setup-device">
            <SelectField
                id="setup-client"
                label=i18n.t(keys::SETUP_CLIENT)
                value=chosen
                options=options
                error=Signal::stored(None)
            />
            <ol class="setup-steps" id="setup-steps">
                {move || (client() == Client::Apple).then(|| {
                    view! { <ProfileDownload created=created.clone() services=profile_services.clone() device=device on_saved=on_saved /> }
                })}
                {move || client().steps(&services).into_iter().map(|step| view! { <li>{i18n.t(step)}</li> }).collect_view()}
            </ol>
            <SettingsTable rows=rows />
        </section>
    }
}

/// The first of Apple's steps: what the profile holds, the link that
/// saves it, and, away from an iPhone or iPad, how to get it there. The
/// profile's Blob address is revoked when the step goes.
#[component]
fn ProfileDownload(
    created: CreatedAppPassword,
    services: Services,
    device: ThisDevice,
    on_saved: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Read if provided: set-up mounted on its own (a component test) has
    // no configuration, and gets the defaults.
    let config = use_context::<Config>().unwrap_or_default();
    // The device shows who offers the profile: "Unverified" alone reads as
    // a stranger's file.
    let host = window().location().hostname().ok();
    let organization = config.organization_name.or(config.title).or(host);
    let description = config.profile_description.unwrap_or_else(|| {
        let name = [("name", created.item.name.as_str())];
        i18n.t_with(keys::SETUP_PROFILE_DESCRIPTION, &name)
    });
    let account = ProfileAccount {
        name: &created.item.name,
        login: created.login.as_deref(),
        password: &created.password,
        organization: organization.as_deref().filter(|host| !host.is_empty()),
        description: &description,
    };
    let url = blob_url(&profile(&account, &services, new_idempotency_key));
    let revoked = url.clone();
    // The Blob holds the password: its address must not outlive the step.
    on_cleanup(move || {
        if let Some(url) = revoked {
            let _ = web_sys::Url::revoke_object_url(&url);
        }
    });
    view! {
        <li>
            <p>{i18n.t(keys::SETUP_APPLE_HOLDS)}</p>
            <a
                class="button button-primary"
                id="download-profile"
                href=url
                download=profile_file_name(&created.item.name)
                on:click=move |_| on_saved.run(())
            >
                {i18n.t(keys::SETUP_PROFILE)}
            </a>
            {(device != ThisDevice::IPhoneOrIPad).then(|| view! {
                <p id="setup-apple-move">{i18n.t(keys::SETUP_APPLE_MOVE)}</p>
            })}
        </li>
    }
}

/// A `blob:` address of `text` as a configuration profile.
fn blob_url(text: &str) -> Option<String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(PROFILE_MEDIA_TYPE);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// One value to type into a client.
struct Setting {
    /// Id of the element that shows it.
    id: &'static str,
    /// Id of its copy button; `None` for a choice in a menu, not typed.
    copy_id: Option<&'static str>,
    /// Key of its label.
    label: &'static str,
    /// The value as the client wants it.
    value: String,
    /// Whether it is the app password: shown in its groups, and copying it
    /// counts as taking it.
    secret: bool,
}

/// Every value to type: the login, the password, each mail server's host,
/// port and security, and the calendar and contact address.
fn settings(services: &Services, login: Option<&str>, password: &str) -> Vec<Setting> {
    let setting = |id, copy_id, label, value| Setting {
        id,
        copy_id,
        label,
        value,
        secret: false,
    };
    let mut rows: Vec<Setting> = login
        .map(|login| {
            let copy = Some("copy-setup-login");
            setting("setup-login", copy, keys::SETUP_LOGIN, login.to_owned())
        })
        .into_iter()
        .collect();
    rows.push(Setting {
        secret: true,
        ..setting(
            "setup-password",
            Some(SETUP_PASSWORD_COPY_ID),
            keys::SETUP_PASSWORD,
            password.to_owned(),
        )
    });
    let server = |server: &MailServer, ids: [&'static str; 5], labels: [&'static str; 3]| {
        let security = match server.security {
            MailSecurity::Tls => keys::SETUP_SECURITY_TLS,
            MailSecurity::StartTls => keys::SETUP_SECURITY_STARTTLS,
            MailSecurity::None => keys::SETUP_SECURITY_NONE,
        };
        [
            setting(ids[0], Some(ids[1]), labels[0], server.host.clone()),
            setting(ids[2], Some(ids[3]), labels[1], server.port.to_string()),
            setting(ids[4], None, labels[2], security.to_owned()),
        ]
    };
    if let Some(imap) = &services.imap {
        rows.extend(server(
            imap,
            [
                "setup-imap-host",
                "copy-imap-host",
                "setup-imap-port",
                "copy-imap-port",
                "setup-imap-security",
            ],
            [
                keys::SETUP_IMAP_HOST,
                keys::SETUP_IMAP_PORT,
                keys::SETUP_IMAP_SECURITY,
            ],
        ));
    }
    if let Some(smtp) = &services.smtp {
        rows.extend(server(
            smtp,
            [
                "setup-smtp-host",
                "copy-smtp-host",
                "setup-smtp-port",
                "copy-smtp-port",
                "setup-smtp-security",
            ],
            [
                keys::SETUP_SMTP_HOST,
                keys::SETUP_SMTP_PORT,
                keys::SETUP_SMTP_SECURITY,
            ],
        ));
    }
    if let Some(url) = &services.dav_url {
        let copy = Some("copy-dav-url");
        rows.push(setting(
            "setup-dav-url",
            copy,
            keys::SETUP_DAV_URL,
            url.clone(),
        ));
    }
    rows
}

/// The values to type, each with its copy button; a choice (security) is
/// said in the user's language.
#[component]
fn SettingsTable(rows: Vec<Setting>) -> impl IntoView {
    let i18n = use_i18n();
    let copy = i18n.t(keys::SETUP_COPY);
    let rows = rows
        .into_iter()
        .map(|row| {
            let label = i18n.t(row.label);
            let named = i18n.t_with(keys::SETUP_COPY_NAMED, &[("what", &label)]);
            let (value, ltr) = match row.copy_id {
                Some(_) => (row.value, Some("ltr")),
                None => (i18n.t(&row.value), None),
            };
            let button = row.copy_id.map(|id| {
                view! {
                    <CopyButton
                        text=Signal::stored(value.clone())
                        select_on_refusal=row.id
                        id=id
                        label=copy.clone()
                        aria_label=named
                    />
                }
            });
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td><span class="setup-value" id=row.id dir=ltr translate="no">{break_after_each(if row.secret { password_groups(&value) } else { segments(&value) })}</span></td>
                    <td>{button}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="setup-values">
            <caption class="visually-hidden">{i18n.t(keys::SETUP_VALUES)}</caption>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(imap: bool, dav: bool) -> Services {
        let server = |host: &str, port| MailServer {
            host: host.into(),
            port,
            security: MailSecurity::StartTls,
        };
        Services {
            imap: imap.then(|| server("imap.example.com", 143)),
            smtp: imap.then(|| server("smtp.example.com", 587)),
            dav_url: dav.then(|| "https://dav.example.com/".to_owned()),
        }
    }

    #[test]
    fn clients_are_offered_for_what_is_configured() {
        let offered = |services: &Services| -> Vec<Client> {
            Client::ALL
                .into_iter()
                .filter(|client| client.fits(services))
                .collect()
        };
        assert_eq!(offered(&services(true, false)), Client::ALL);
        assert_eq!(
            offered(&services(false, true)),
            [Client::Apple, Client::Other]
        );
        let steps = Client::Outlook.steps(&services(true, true));
        assert!(!steps.contains(&keys::SETUP_STEP_DAV), "{steps:?}");
        let steps = Client::Thunderbird.steps(&services(true, true));
        assert_eq!(steps.last(), Some(&keys::SETUP_STEP_DAV));
    }

    #[test]
    fn every_value_is_listed_and_only_typed_ones_are_copied() {
        let rows = settings(&services(true, true), Some("ada"), "abcd-efgh");
        let shown: Vec<(&str, &str, bool)> = rows
            .iter()
            .map(|row| (row.id, row.value.as_str(), row.copy_id.is_some()))
            .collect();
        assert_eq!(
            shown,
            [
                ("setup-login", "ada", true),
                ("setup-password", "abcd-efgh", true),
                ("setup-imap-host", "imap.example.com", true),
                ("setup-imap-port", "143", true),
                ("setup-imap-security", keys::SETUP_SECURITY_STARTTLS, false),
                ("setup-smtp-host", "smtp.example.com", true),
                ("setup-smtp-port", "587", true),
                ("setup-smtp-security", keys::SETUP_SECURITY_STARTTLS, false),
                ("setup-dav-url", "https://dav.example.com/", true),
            ]
        );
        let rows = settings(&services(false, false), None, "abcd-efgh");
        assert_eq!(rows.len(), 1);
        assert!(rows[0].secret);
    }
}
