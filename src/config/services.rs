//! The services an app password opens (mail in and out, calendars and
//! contacts), as "Set up a device" needs them: with each mail server's
//! usual port filled in.

use super::Config;

/// How a mail client protects its connection to a mail server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MailSecurity {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    #[default]
    Tls,
    /// Plain at first, then TLS by STARTTLS (IMAP 143, SMTP 587).
    StartTls,
    /// No encryption at all.
    None,
}

/// A mail server as a client types it in: host, port and security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailServer {
    /// The host name, such as `mail.example.com`.
    pub host: String,
    /// The port.
    pub port: u16,
    /// How the connection is protected.
    pub security: MailSecurity,
}

/// The services an app password opens, as the operator configured them:
/// what "Set up a device" builds its steps and profile from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Services {
    /// Incoming mail.
    pub imap: Option<MailServer>,
    /// Outgoing mail.
    pub smtp: Option<MailServer>,
    /// Calendars and contacts (CalDAV and CardDAV at one address).
    pub dav_url: Option<String>,
}

impl Config {
    /// The services to help set up a device for; `None` when none is
    /// configured or the host page turned "Set up a device" off.
    pub fn services(&self) -> Option<Services> {
        let server = |host: &Option<String>, port: Option<u16>, security, usual: [u16; 2]| {
            host.clone().map(|host| MailServer {
                host,
                port: port.unwrap_or(match security {
                    MailSecurity::Tls => usual[0],
                    _ => usual[1],
                }),
                security,
            })
        };
        let services = Services {
            imap: server(
                &self.imap_host,
                self.imap_port,
                self.imap_security,
                [993, 143],
            ),
            smtp: server(
                &self.smtp_host,
                self.smtp_port,
                self.smtp_security,
                [465, 587],
            ),
            dav_url: self.dav_url.clone(),
        };
        (self.device_setup && services.any()).then_some(services)
    }
}

impl Services {
    /// Whether there is anything to set up at all.
    pub fn any(&self) -> bool {
        self.imap.is_some() || self.smtp.is_some() || self.dav_url.is_some()
    }

    /// Only those an app password limited to `allowed` opens (`None`:
    /// every one), so that set-up never shows a value that would fail.
    pub fn narrowed(mut self, allowed: Option<&[String]>) -> Self {
        if let Some(allowed) = allowed {
            let has = |names: &[&str]| allowed.iter().any(|a| names.contains(&a.as_str()));
            self.imap = self.imap.filter(|_| has(&["imap", "pop3"]));
            self.smtp = self.smtp.filter(|_| has(&["smtp"]));
            self.dav_url = self.dav_url.filter(|_| has(&["caldav", "carddav"]));
        }
        self
    }

    /// The choices Create offers: every service, and each kind configured.
    pub fn scopes(&self) -> Vec<Scope> {
        let mail = self.imap.is_some() || self.smtp.is_some();
        [
            (Scope::Everything, true),
            (Scope::Mail, mail),
            (Scope::Dav, self.dav_url.is_some()),
        ]
        .into_iter()
        .filter_map(|(scope, offered)| offered.then_some(scope))
        .collect()
    }
}

/// What an app password opens, grouped as a person thinks of it rather
/// than by protocol.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Every service, as every password made before scopes did.
    #[default]
    Everything,
    /// Mail in (IMAP, POP3) and out (SMTP).
    Mail,
    /// Calendars and contacts.
    Dav,
}

impl Scope {
    const MAIL: [&str; 3] = ["imap", "pop3", "smtp"];
    const DAV: [&str; 2] = ["caldav", "carddav"];

    /// The `services` a create sends for it; `None` for every service.
    pub fn services(self) -> Option<Vec<String>> {
        let names: &[&str] = match self {
            Self::Everything => return None,
            Self::Mail => &Self::MAIL,
            Self::Dav => &Self::DAV,
        };
        Some(names.iter().map(|name| (*name).to_owned()).collect())
    }

    /// The kind `services` fall in; `None` for a list made elsewhere that
    /// mixes kinds or names others.
    pub fn of(services: Option<&[String]>) -> Option<Self> {
        let Some(services) = services else {
            return Some(Self::Everything);
        };
        let all_in = |names: &[&str]| services.iter().all(|s| names.contains(&s.as_str()));
        [(Self::Mail, &Self::MAIL[..]), (Self::Dav, &Self::DAV[..])]
            .into_iter()
            .find(|(_, names)| !services.is_empty() && all_in(names))
            .map(|(scope, _)| scope)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::from_file;
    use crate::config::{Config, Field, MailSecurity, Scope};

    #[test]
    fn services_take_the_usual_ports_and_can_be_turned_off() {
        assert_eq!(Config::default().services(), None);
        let config = from_file(
            r#"{"imap_host": "mail.example.com", "smtp_host": "mail.example.com",
                "smtp_security": "starttls"}"#,
        )
        .unwrap();
        let services = config.services().unwrap();
        let imap = services.imap.unwrap();
        let smtp = services.smtp.unwrap();
        assert_eq!((imap.port, imap.security), (993, MailSecurity::Tls));
        assert_eq!((smtp.port, smtp.security), (587, MailSecurity::StartTls));
        assert_eq!(services.dav_url, None);

        let attribute_off = Config::from_sources(
            Some((
                "app-config.json",
                r#"{"dav_url": "https://dav.example.com/"}"#,
            )),
            |field| (field == Field::DeviceSetup).then(|| "false".to_owned()),
        )
        .unwrap();
        assert_eq!(attribute_off.services(), None);
        let ports = Config::from_sources(None, |field| match field {
            Field::ImapHost => Some("10.0.0.5".into()),
            Field::ImapPort => Some("1143".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(ports.services().unwrap().imap.unwrap().port, 1143);
    }

    #[test]
    fn scopes_are_kinds_of_service_and_narrow_the_set_up() {
        let config = from_file(
            r#"{"imap_host": "mail.example.com", "smtp_host": "mail.example.com",
                "dav_url": "https://dav.example.com/"}"#,
        )
        .unwrap();
        let services = config.services().unwrap();
        assert_eq!(
            services.scopes(),
            [Scope::Everything, Scope::Mail, Scope::Dav]
        );
        for scope in [Scope::Everything, Scope::Mail, Scope::Dav] {
            assert_eq!(Scope::of(scope.services().as_deref()), Some(scope));
        }
        let mixed = ["imap".to_owned(), "caldav".to_owned()];
        assert_eq!(Scope::of(Some(&mixed)), None);
        assert_eq!(Scope::of(Some(&["smtp".to_owned()])), Some(Scope::Mail));
        assert_eq!(Scope::of(Some(&[])), None);

        let mail = services.clone().narrowed(Scope::Mail.services().as_deref());
        assert!(mail.imap.is_some() && mail.smtp.is_some() && mail.dav_url.is_none());
        let dav = services.clone().narrowed(Scope::Dav.services().as_deref());
        assert!(dav.imap.is_none() && dav.smtp.is_none() && dav.dav_url.is_some());
        assert_eq!(services.clone().narrowed(None), services);
        let other = services.narrowed(Some(&["xmpp".to_owned()]));
        assert!(!other.any());
    }
}
