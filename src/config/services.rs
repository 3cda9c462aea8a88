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
        let any = services.imap.is_some() || services.smtp.is_some() || services.dav_url.is_some();
        (self.device_setup && any).then_some(services)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::tests::from_file;
    use crate::config::{Config, Field, MailSecurity};

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
}
