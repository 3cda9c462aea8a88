//! `app-passwords-server`: runs the reference backend, or one of its helpers.

use std::io::Write;

use anyhow::Context;
use app_passwords_server::auth::{issue_token, revoke_tokens};
use app_passwords_server::config::{
    Cli, Command, KeysCommand, ServeArgs, ServiceCredentialCommand,
};
use app_passwords_server::users::set_app_passwords_enabled;
use app_passwords_server::{checkpassword, code_step, prepare, run, service_credentials, totp};
use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Dovecot starts one per login: no runtime, no log setup, and stdout
    // left alone.
    if let Some(Command::Checkpassword(args)) = &cli.command {
        std::process::exit(checkpassword::run(args));
    }
    give_back_large_blocks();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("start the async runtime")?
        .block_on(run_command(cli))
}

/// Every Argon2id hash takes a 19 MiB block (`crypto.rs`). glibc maps
/// blocks that large and unmaps them when freed, until the first is freed:
/// then it raises its threshold for good, and later blocks stay in its
/// per-thread arenas, so the server would keep the memory of its busiest
/// moment for good. With the threshold fixed, each hash's memory goes back
/// to the system at once.
fn give_back_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets one of the allocator's parameters; it runs
    // before the runtime starts any other thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

/// Runs the command line: the server, or one of its helpers.
async fn run_command(cli: Cli) -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .init();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::TotpCode) => print_code(),
        Some(Command::TotpQr { login }) => print_qr(&login),
        Some(Command::IssueToken {
            login,
            days,
            database,
        }) => {
            let db = database.open().await?;
            let token = db.call(move |conn| issue_token(conn, &login, days)).await?;
            println!("{token}");
            Ok(())
        }
        Some(Command::RevokeTokens { login, database }) => {
            let db = database.open().await?;
            let shown = login.clone();
            let count = db.call(move |conn| revoke_tokens(conn, &login)).await?;
            println!("revoked {count} bearer token(s) of {shown}");
            Ok(())
        }
        Some(Command::AppPasswords {
            login,
            switch,
            database,
        }) => {
            let db = database.open().await?;
            let enabled = switch == "on";
            db.call(move |conn| set_app_passwords_enabled(conn, &login, enabled))
                .await?;
            println!("app passwords turned {switch}");
            Ok(())
        }
        Some(Command::Unlock { login, database }) => {
            let db = database.open().await?;
            let shown = login.clone();
            let forgotten = db.call(move |conn| code_step::unlock(conn, &login)).await?;
            println!("forgot {forgotten} wrong code(s) of {shown}: the code step is open again");
            Ok(())
        }
        Some(Command::ServiceCredential(command)) => service_credential(command).await,
        Some(Command::Keys(KeysCommand::Generate { out })) => {
            app_passwords_server::crypto::generate_key_file(&out)?;
            println!("made a new key in {} (mode 0600)", out.display());
            Ok(())
        }
        Some(Command::Checkpassword(_)) => unreachable!("handled before the runtime starts"),
    }
}

/// `service-credential add|list|revoke`. Prints names and file paths,
/// never a credential.
async fn service_credential(command: ServiceCredentialCommand) -> anyhow::Result<()> {
    match command {
        ServiceCredentialCommand::Add {
            name,
            out,
            format,
            database,
        } => {
            let db = database.open().await?;
            service_credentials::add(&db, &name, &out, format).await?;
            println!(
                "made a credential for {name} in {} (mode 0600)",
                out.display()
            );
            Ok(())
        }
        ServiceCredentialCommand::List { database } => {
            let db = database.open().await?;
            for (name, created_at) in db.call(service_credentials::list).await? {
                let made = time::OffsetDateTime::from_unix_timestamp(created_at)
                    .ok()
                    .and_then(|at| {
                        at.format(&time::format_description::well_known::Rfc3339)
                            .ok()
                    })
                    .unwrap_or_default();
                println!("{name}\tmade {made}");
            }
            Ok(())
        }
        ServiceCredentialCommand::Revoke { name, database } => {
            let db = database.open().await?;
            let shown = name.clone();
            let revoked = db
                .call(move |conn| service_credentials::revoke(conn, &name))
                .await?;
            anyhow::ensure!(revoked, "{shown} has no credential");
            println!("revoked the credential of {shown}");
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let state = prepare(&args).await?;
    if !args.dist.join("index.html").is_file() {
        tracing::warn!(
            "{} has no index.html: the API works, the page does not (build it with `trunk build --release`)",
            args.dist.display()
        );
    }
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        database = %args.location()?.describe(),
        users_seeded = args.seed_users.len(),
        "listening on http://{address}/"
    );
    run(listener, state, &args.dist, shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

fn secret_from_env() -> anyhow::Result<Vec<u8>> {
    let text = std::env::var("APP_PASSWORDS_TOTP_SECRET")
        .context("set APP_PASSWORDS_TOTP_SECRET to the base32 TOTP secret")?;
    totp::decode_secret(&text)
        .context("APP_PASSWORDS_TOTP_SECRET is not a base32 secret of at least 80 bits")
}

fn print_code() -> anyhow::Result<()> {
    let (code, left) = totp::current_code(&secret_from_env()?);
    println!("{code}  (valid for {left} more seconds)");
    Ok(())
}

fn print_qr(login: &str) -> anyhow::Result<()> {
    let secret = secret_from_env()?;
    let uri = totp::otpauth_uri("App passwords (demo)", login, &secret);
    let code = qrcode::QrCode::new(uri.as_bytes()).context("making the QR code")?;
    let art = code
        .render::<qrcode::render::unicode::Dense1x2>()
        .dark_color(qrcode::render::unicode::Dense1x2::Light)
        .light_color(qrcode::render::unicode::Dense1x2::Dark)
        .quiet_zone(true)
        .build();
    let mut out = std::io::stdout().lock();
    writeln!(out, "{art}")?;
    writeln!(out, "{uri}")?;
    Ok(())
}
