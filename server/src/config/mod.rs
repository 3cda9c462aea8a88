//! Command-line flags and subcommands. Every serving flag can also come from
//! an environment variable, for service managers and containers.

mod commands;
mod network;
mod serve;
mod sign_in;

use clap::Parser;

pub use commands::{
    CheckpasswordArgs, Command, DatabaseArg, KeysCommand, ServiceCredentialCommand,
};
pub use network::{canonical, IpNetwork};
pub use serve::{CorsOrigin, SeedUser, SeedUserText, ServeArgs};
pub use sign_in::{is_loopback_http, SignInArgs};

/// The reference backend of app-passwords.
#[derive(Debug, Parser)]
#[command(
    name = "app-passwords-server",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// A helper to run instead of the server.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// How to serve (the default when no subcommand is given).
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn key_file_defaults_beside_the_database() {
        let cli = Cli::try_parse_from(["server", "--database", "/tmp/x/app.db"]).unwrap();
        assert_eq!(
            cli.serve.key_file().unwrap(),
            PathBuf::from("/tmp/x/app.db.key")
        );
        assert_eq!(
            cli.serve.digest_key_file().unwrap(),
            PathBuf::from("/tmp/x/app.db.key.digest")
        );
        assert_eq!(cli.serve.max_app_passwords, 40);
        let moved = Cli::try_parse_from(["server", "--key-file", "/etc/ap/server.key"]).unwrap();
        assert_eq!(
            moved.serve.digest_key_file().unwrap(),
            PathBuf::from("/etc/ap/server.key.digest"),
            "the digest key follows the key file"
        );
    }

    #[test]
    fn checkpassword_takes_the_reply_program_after_its_flags() {
        let cli = Cli::try_parse_from([
            "server",
            "checkpassword",
            "--verifier-url",
            "http://127.0.0.1:8080/api/v1/verify",
            "--credential-file",
            "/etc/dovecot/app-passwords.credential",
            "/usr/lib/dovecot/checkpassword-reply",
        ])
        .unwrap();
        let Some(Command::Checkpassword(args)) = cli.command else {
            panic!("not checkpassword: {:?}", cli.command);
        };
        assert_eq!(args.reply, ["/usr/lib/dovecot/checkpassword-reply"]);
        assert_eq!(args.timeout_seconds, 5);
    }
}
