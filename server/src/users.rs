//! User accounts: looking them up and seeding them at start.

use crate::db::{Conn, Row};
use crate::params;

use crate::config::SeedUser;
use crate::crypto::{hash_password, SecretBox};
use crate::error::Error;

/// A user as the rest of the server needs it.
#[derive(Debug, Clone)]
pub struct User {
    /// Database row id.
    pub id: i64,
    /// The sign-in name.
    pub login: String,
    /// The name shown in the page header.
    pub display_name: String,
    /// Whether an administrator allows this user to create app passwords.
    pub app_passwords_enabled: bool,
    /// Whether the user has a password here; a provider's user has none
    /// ([`NO_PASSWORD`]) and confirms through the provider.
    pub has_password: bool,
}

/// The `user` object of the contract's `Session`.
impl From<&User> for contract::User {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.to_string(),
            login: user.login.clone(),
            display_name: user.display_name.clone(),
        }
    }
}

/// Columns read by [`user_from_row`], for `SELECT {USER_COLUMNS} FROM users`.
pub const USER_COLUMNS: &str = "users.id, users.login, users.display_name, \
     users.app_passwords_enabled, users.password_hash <> '!'";

/// Builds a [`User`] from a row selected with [`USER_COLUMNS`] first.
pub fn user_from_row(row: &Row<'_>) -> Result<User, Error> {
    Ok(User {
        id: row.get(0)?,
        login: row.get(1)?,
        display_name: row.get(2)?,
        app_passwords_enabled: row.get(3)?,
        has_password: row.get(4)?,
    })
}

/// What sign-in needs of a user: the password hash and whether (and with
/// which secret) a second factor is due.
pub struct Credentials {
    /// The user.
    pub user: User,
    /// PHC string of the password's Argon2id hash.
    pub password_hash: String,
    /// Whether the user has a TOTP second factor.
    pub has_totp: bool,
}

/// Finds a user's credentials by login.
pub fn credentials_by_login(
    conn: &mut Conn<'_>,
    login: &str,
) -> Result<Option<Credentials>, Error> {
    conn.query_opt(
        &format!("SELECT {USER_COLUMNS}, password_hash, totp_secret_sealed IS NOT NULL FROM users WHERE login = ?1"),
        params![login],
        |row| {
            Ok(Credentials {
                user: user_from_row(row)?,
                password_hash: row.get(5)?,
                has_totp: row.get(6)?,
            })
        },
    )
}

/// The id of the user `login`, if there is one.
pub fn id_by_login(conn: &mut Conn<'_>, login: &str) -> Result<Option<i64>, Error> {
    conn.query_opt(
        "SELECT id FROM users WHERE login = ?1",
        params![login],
        |row| row.get(0),
    )
}

/// The id of the user `login`, for an administrator's command, which must
/// name an existing user.
pub fn existing_id(conn: &mut Conn<'_>, login: &str) -> Result<i64, Error> {
    id_by_login(conn, login)?.ok_or_else(|| Error::NoSuchUser {
        login: login.to_owned(),
    })
}

/// Creates the user, or updates the password and second factor of an
/// existing one with that login.
pub fn upsert_seed_user(
    conn: &mut Conn<'_>,
    seed: &SeedUser,
    secrets: &SecretBox,
) -> Result<(), Error> {
    // totp_last_step is kept: steps only grow with time, so a code used just
    // before a restart stays used.
    let sealed = seed
        .totp_secret
        .as_deref()
        .map(|secret| secrets.seal(secret));
    conn.execute(
        "INSERT INTO users (login, display_name, password_hash, totp_secret_sealed)
         VALUES (?1, ?1, ?2, ?3)
         ON CONFLICT(login) DO UPDATE SET
             password_hash = excluded.password_hash,
             totp_secret_sealed = excluded.totp_secret_sealed ",
        params![seed.login, hash_password(&seed.password), sealed],
    )?;
    Ok(())
}

/// The `password_hash` of a user who signs in through the provider only:
/// not a PHC string, so no password ever matches it.
pub const NO_PASSWORD: &str = "!";

/// The user `login` of the OpenID provider, created on first sign-in (just
/// in time) with no password of its own; `None` when `login` is a local
/// user's, who has a password here: the provider's word does not take over
/// an account that its password and code guard.
pub fn provider_user(
    conn: &mut Conn<'_>,
    login: &str,
    display_name: &str,
) -> Result<Option<User>, Error> {
    conn.execute(
        "INSERT INTO users (login, display_name, password_hash) VALUES (?1, ?2, ?3)
         ON CONFLICT(login) DO NOTHING",
        params![login, display_name, NO_PASSWORD],
    )?;
    conn.query_opt(
        &format!("SELECT {USER_COLUMNS} FROM users WHERE login = ?1"),
        params![login],
        user_from_row,
    )?
    .ok_or(Error::NoRow)
    .map(|user| (!user.has_password).then_some(user))
}

/// Turns the creation of app passwords on or off for `login`.
pub fn set_app_passwords_enabled(
    conn: &mut Conn<'_>,
    login: &str,
    enabled: bool,
) -> Result<(), Error> {
    let changed = conn.execute(
        "UPDATE users SET app_passwords_enabled = ?1 WHERE login = ?2",
        params![i64::from(enabled), login],
    )?;
    if changed == 0 {
        return Err(Error::NoSuchUser {
            login: login.to_owned(),
        });
    }
    Ok(())
}
