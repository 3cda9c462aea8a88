//! The flags of sign-in: the organization's OpenID Connect provider, local
//! users, and how fresh a sign-in must be to create an app password.

use std::path::PathBuf;

use clap::Args;

/// How people sign in.
#[derive(Debug, Clone, Args)]
pub struct SignInArgs {
    /// The OpenID Connect provider's issuer (`https://id.example.com/realms/staff`):
    /// its discovery document is read from `ISSUER/.well-known/openid-configuration`.
    /// Plain `http://` only on loopback.
    #[arg(long, env = "APP_PASSWORDS_OIDC_ISSUER", requires_all = ["oidc_client_id", "oidc_client_secret_file", "public_url"])]
    pub oidc_issuer: Option<String>,
    /// This server's client id at the provider.
    #[arg(long, env = "APP_PASSWORDS_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// File holding the client secret, readable by its owner only (0600):
    /// never on the command line, which process lists show.
    #[arg(long, env = "APP_PASSWORDS_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// The provider's name on the sign-in button: "Sign in with NAME".
    #[arg(
        long,
        env = "APP_PASSWORDS_OIDC_NAME",
        default_value = "single sign-on"
    )]
    pub oidc_name: String,
    /// The claim that becomes the user's login, from the ID token or, when
    /// it lacks it, the userinfo endpoint; and from bearer access tokens.
    #[arg(long, env = "APP_PASSWORDS_OIDC_LOGIN_CLAIM", default_value = "email")]
    pub oidc_login_claim: String,
    /// The `aud` a provider's access token must carry to be taken as a
    /// bearer token; default: the client id.
    #[arg(long, env = "APP_PASSWORDS_OIDC_AUDIENCE")]
    pub oidc_audience: Option<String>,
    /// This server's external base URL (`https://apps.example.com`); the
    /// provider's redirect URI is `PUBLIC_URL/api/v1/session/oidc/callback`.
    #[arg(long, env = "APP_PASSWORDS_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Turn off sign-in with a local login, password and code: only the
    /// provider's button is offered.
    #[arg(
        long,
        env = "APP_PASSWORDS_NO_PASSWORD_SIGN_IN",
        requires = "oidc_issuer"
    )]
    pub no_password_sign_in: bool,
    /// Creating an app password needs a sign-in within this many minutes;
    /// otherwise the user is asked to confirm it is them. At least 1.
    #[arg(long, env = "APP_PASSWORDS_REAUTH_MINUTES", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=1440))]
    pub reauth_minutes: u64,
}

/// Whether `url` may be used over plain HTTP: only to this machine, where
/// nobody between can read or change it (a test's provider).
pub fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(host, _)| host),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::config::Cli;

    #[test]
    fn plain_http_only_on_loopback() {
        for ok in [
            "http://127.0.0.1:9000",
            "http://localhost:1/x",
            "http://[::1]:8/",
        ] {
            assert!(is_loopback_http(ok), "{ok}");
        }
        for refused in [
            "http://id.example.com",
            "https://127.0.0.1",
            "http://127.0.0.1.example.com/",
            "http://10.0.0.1:80",
        ] {
            assert!(!is_loopback_http(refused), "{refused}");
        }
    }

    #[test]
    fn an_issuer_needs_its_client_and_public_url_and_reauth_is_at_least_a_minute() {
        assert!(Cli::try_parse_from(["server", "--oidc-issuer", "https://id.example"]).is_err());
        assert!(Cli::try_parse_from(["server", "--reauth-minutes", "0"]).is_err());
        assert!(Cli::try_parse_from(["server", "--no-password-sign-in"]).is_err());
        let cli = Cli::try_parse_from([
            "server",
            "--oidc-issuer",
            "https://id.example",
            "--oidc-client-id",
            "ap",
            "--oidc-client-secret-file",
            "/etc/ap/oidc.secret",
            "--public-url",
            "https://apps.example",
        ])
        .unwrap();
        assert_eq!(cli.serve.sign_in.reauth_minutes, 60);
        assert_eq!(cli.serve.sign_in.oidc_login_claim, "email");
    }
}
