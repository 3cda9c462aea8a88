//! An Apple configuration profile (`.mobileconfig`) that sets up an app
//! password on an iPhone, iPad or Mac: a mail account
//! (`com.apple.mail.managed`) and calendar and contact accounts
//! (`com.apple.caldav.account`, `com.apple.carddav.account`), as Apple's
//! Configuration Profile Reference describes them. Written here, in the
//! browser, as an XML property list: the password goes into the file and
//! nowhere else.

use crate::config::{MailSecurity, MailServer, Services};

/// The file's media type, which makes Apple devices offer to install it.
pub const PROFILE_MEDIA_TYPE: &str = "application/x-apple-aspen-config";

/// One value of a property list.
enum Plist {
    Text(String),
    Number(u16),
    Flag(bool),
    Dict(Vec<(String, Plist)>),
    List(Vec<Plist>),
}

impl Plist {
    fn write(&self, out: &mut String) {
        match self {
            Self::Text(text) => {
                out.push_str("<string>");
                escape_into(text, out);
                out.push_str("</string>");
            }
            Self::Number(number) => out.push_str(&format!("<integer>{number}</integer>")),
            Self::Flag(flag) => out.push_str(if *flag { "<true/>" } else { "<false/>" }),
            Self::Dict(entries) => {
                out.push_str("<dict>");
                for (key, value) in entries {
                    out.push_str("<key>");
                    escape_into(key, out);
                    out.push_str("</key>");
                    value.write(out);
                }
                out.push_str("</dict>");
            }
            Self::List(items) => {
                out.push_str("<array>");
                items.iter().for_each(|item| item.write(out));
                out.push_str("</array>");
            }
        }
    }
}

/// `text` as XML character data: markup characters escaped, and the
/// characters XML 1.0 cannot hold at all left out.
fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// What one profile holds: the account's name and its credentials.
pub struct ProfileAccount<'a> {
    /// The name the user gave the app password; names the accounts.
    pub name: &'a str,
    /// The login to sign in with; without it the device asks.
    pub login: Option<&'a str>,
    /// The app password.
    pub password: &'a str,
    /// The organisation that offers it, which the device shows beside
    /// "Unverified" (`PayloadOrganization`).
    pub organization: Option<&'a str>,
    /// What installing it does, which the device shows before it does
    /// (`PayloadDescription`).
    pub description: &'a str,
}

/// Whether `services` give a profile anything to set up: mail needs both
/// servers, calendars and contacts their address.
pub fn has_profile(services: &Services) -> bool {
    (services.imap.is_some() && services.smtp.is_some()) || services.dav_url.is_some()
}

/// The profile for `account` on `services`, as the text of the file;
/// `uuid` makes each payload's unique id.
pub fn profile(
    account: &ProfileAccount,
    services: &Services,
    mut uuid: impl FnMut() -> String,
) -> String {
    let text = |value: &str| Plist::Text(value.to_owned());
    let id = uuid();
    let identifier = format!("app-passwords.{id}");
    let mut payload = |kind: &str, suffix: &str, settings: Vec<(String, Plist)>| {
        let mut entries = vec![
            ("PayloadType".to_owned(), text(kind)),
            ("PayloadVersion".to_owned(), Plist::Number(1)),
            (
                "PayloadIdentifier".to_owned(),
                text(&format!("{identifier}.{suffix}")),
            ),
            ("PayloadUUID".to_owned(), Plist::Text(uuid())),
            ("PayloadDisplayName".to_owned(), text(account.name)),
        ];
        entries.extend(settings);
        Plist::Dict(entries)
    };
    let mut content = Vec::new();
    if let (Some(imap), Some(smtp)) = (&services.imap, &services.smtp) {
        content.push(payload(
            "com.apple.mail.managed",
            "mail",
            mail_settings(account, imap, smtp),
        ));
    }
    if let Some(url) = &services.dav_url {
        for (kind, prefix, suffix) in [
            ("com.apple.caldav.account", "CalDAV", "caldav"),
            ("com.apple.carddav.account", "CardDAV", "carddav"),
        ] {
            content.push(payload(kind, suffix, dav_settings(account, prefix, url)));
        }
    }
    let mut top = vec![
        ("PayloadType".to_owned(), text("Configuration")),
        ("PayloadVersion".to_owned(), Plist::Number(1)),
        ("PayloadIdentifier".to_owned(), text(&identifier)),
        ("PayloadUUID".to_owned(), Plist::Text(id)),
        ("PayloadDisplayName".to_owned(), text(account.name)),
        ("PayloadDescription".to_owned(), text(account.description)),
    ];
    if let Some(organization) = account.organization {
        top.push(("PayloadOrganization".to_owned(), text(organization)));
    }
    top.push(("PayloadContent".to_owned(), Plist::List(content)));
    let top = Plist::Dict(top);
    let mut out = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        "\n",
        r#"<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">"#,
        "\n",
        r#"<plist version="1.0">"#,
    ));
    top.write(&mut out);
    out.push_str("</plist>\n");
    out
}

/// The keys of `com.apple.mail.managed`: one IMAP account that sends
/// through `smtp`, signed in with the app password both ways.
fn mail_settings(
    account: &ProfileAccount,
    imap: &MailServer,
    smtp: &MailServer,
) -> Vec<(String, Plist)> {
    let mut settings = vec![
        (
            "EmailAccountDescription".to_owned(),
            Plist::Text(account.name.to_owned()),
        ),
        (
            "EmailAccountType".to_owned(),
            Plist::Text("EmailTypeIMAP".into()),
        ),
    ];
    // Only a login that is an address can be the account's address;
    // otherwise the device asks for it.
    if let Some(address) = account.login.filter(|login| login.contains('@')) {
        settings.push(("EmailAddress".to_owned(), Plist::Text(address.to_owned())));
    }
    for (direction, server, password_key) in [
        ("Incoming", imap, "IncomingPassword"),
        ("Outgoing", smtp, "OutgoingPassword"),
    ] {
        let key = |name: &str| format!("{direction}MailServer{name}");
        settings.extend([
            (
                key("Authentication"),
                Plist::Text("EmailAuthPassword".into()),
            ),
            (key("HostName"), Plist::Text(server.host.clone())),
            (key("PortNumber"), Plist::Number(server.port)),
            (
                key("UseSSL"),
                Plist::Flag(server.security != MailSecurity::None),
            ),
        ]);
        if let Some(login) = account.login {
            settings.push((key("Username"), Plist::Text(login.to_owned())));
        }
        settings.push((
            password_key.to_owned(),
            Plist::Text(account.password.to_owned()),
        ));
    }
    settings
}

/// The keys of a CalDAV or CardDAV account (`prefix`) at `url`.
fn dav_settings(account: &ProfileAccount, prefix: &str, url: &str) -> Vec<(String, Plist)> {
    let (secure, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (scheme.eq_ignore_ascii_case("https"), rest),
        None => (true, url),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => (host, port.parse().ok()),
        _ => (authority, None),
    };
    let key = |name: &str| format!("{prefix}{name}");
    let mut settings = vec![
        (
            key("AccountDescription"),
            Plist::Text(account.name.to_owned()),
        ),
        (key("HostName"), Plist::Text(host.to_owned())),
        (
            key("Port"),
            Plist::Number(port.unwrap_or(if secure { 443 } else { 80 })),
        ),
        (key("PrincipalURL"), Plist::Text(url.to_owned())),
        (key("UseSSL"), Plist::Flag(secure)),
        (key("Password"), Plist::Text(account.password.to_owned())),
    ];
    if let Some(login) = account.login {
        settings.push((key("Username"), Plist::Text(login.to_owned())));
    }
    settings
}

/// A file name for the profile of the app password named `name`: its
/// letters, digits, spaces and dashes.
pub fn profile_file_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == ' ' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let kept = kept.trim();
    format!(
        "{}.mobileconfig",
        if kept.is_empty() {
            "app-password"
        } else {
            kept
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(dav_url: Option<&str>) -> Services {
        Services {
            imap: Some(MailServer {
                host: "imap.example.com".into(),
                port: 993,
                security: MailSecurity::Tls,
            }),
            smtp: Some(MailServer {
                host: "smtp.example.com".into(),
                port: 587,
                security: MailSecurity::StartTls,
            }),
            dav_url: dav_url.map(str::to_owned),
        }
    }

    fn numbered() -> impl FnMut() -> String {
        let mut next = 0;
        move || {
            next += 1;
            format!("uuid-{next}")
        }
    }

    #[test]
    fn the_mail_account_holds_the_servers_the_login_and_the_password() {
        let account = ProfileAccount {
            name: "Mail <& \"phone\">",
            login: Some("ada@example.com"),
            password: "abcde-fghjk",
            organization: Some("Example & Co"),
            description: "Mail for staff",
        };
        let file = profile(&account, &services(None), numbered());
        assert!(file.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist"));
        assert!(file.ends_with("</dict></plist>\n"));
        for part in [
            "<key>PayloadType</key><string>Configuration</string>",
            "<key>PayloadUUID</key><string>uuid-1</string>",
            "<key>PayloadDescription</key><string>Mail for staff</string>",
            "<key>PayloadOrganization</key><string>Example &amp; Co</string>",
            "<key>PayloadType</key><string>com.apple.mail.managed</string>",
            "<key>PayloadIdentifier</key><string>app-passwords.uuid-1.mail</string>",
            "<key>EmailAccountDescription</key><string>Mail &lt;&amp; &quot;phone&quot;&gt;</string>",
            "<key>EmailAddress</key><string>ada@example.com</string>",
            "<key>IncomingMailServerHostName</key><string>imap.example.com</string>",
            "<key>IncomingMailServerPortNumber</key><integer>993</integer>",
            "<key>IncomingMailServerUseSSL</key><true/>",
            "<key>IncomingMailServerUsername</key><string>ada@example.com</string>",
            "<key>IncomingPassword</key><string>abcde-fghjk</string>",
            "<key>OutgoingMailServerHostName</key><string>smtp.example.com</string>",
            "<key>OutgoingMailServerPortNumber</key><integer>587</integer>",
            "<key>OutgoingPassword</key><string>abcde-fghjk</string>",
        ] {
            assert!(file.contains(part), "{part} in {file}");
        }
        assert!(!file.contains("caldav"), "{file}");
    }

    #[test]
    fn calendars_and_contacts_come_from_the_dav_address() {
        let account = ProfileAccount {
            name: "Calendar",
            login: Some("ada"),
            password: "secret",
            organization: None,
            description: "Calendars",
        };
        let file = profile(
            &account,
            &services(Some("https://dav.example.com:8443/remote.php/dav/")),
            numbered(),
        );
        for part in [
            "<string>com.apple.caldav.account</string>",
            "<string>com.apple.carddav.account</string>",
            "<key>CalDAVHostName</key><string>dav.example.com</string>",
            "<key>CalDAVPort</key><integer>8443</integer>",
            "<key>CardDAVPrincipalURL</key><string>https://dav.example.com:8443/remote.php/dav/</string>",
            "<key>CardDAVUseSSL</key><true/>",
            "<key>CalDAVUsername</key><string>ada</string>",
        ] {
            assert!(file.contains(part), "{part} in {file}");
        }
        // No organisation is no empty one.
        assert!(!file.contains("PayloadOrganization"), "{file}");
        // A login that is no address is not the account's address.
        assert!(!file.contains("EmailAddress"), "{file}");
        // Every payload has its own id.
        for uuid in ["uuid-1", "uuid-2", "uuid-3", "uuid-4"] {
            assert_eq!(file.matches(&format!(">{uuid}<")).count(), 1, "{uuid}");
        }
    }

    #[test]
    fn text_xml_cannot_hold_is_left_out_and_names_make_safe_file_names() {
        let mut out = String::new();
        escape_into("a\u{1}b'\u{FFFF}", &mut out);
        assert_eq!(out, "ab&apos;");
        assert_eq!(
            profile_file_name("Mail: phone/2"),
            "Mail_ phone_2.mobileconfig"
        );
        assert_eq!(profile_file_name("  "), "app-password.mobileconfig");
        assert!(!has_profile(&Services {
            smtp: None,
            ..services(None)
        }));
    }
}
