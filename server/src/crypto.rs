//! Hashing, random secrets and sealing: every place a secret is made,
//! stored or compared goes through here.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use data_encoding::BASE64URL_NOPAD;
use hmac::{Hmac, Mac};
use rand::rngs::OsRng;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// Argon2id with OWASP's first recommended configuration
/// (m = 19 MiB, t = 2, p = 1): slow enough to make offline guessing
/// expensive and fast enough for sign-in (what a hash costs here: the
/// bench's `/verify` row of the old, Argon2id form, `bench/services.rs`).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP Argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (or app password) for storage, as a PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 hashing with valid parameters cannot fail")
        .to_string()
}

/// Checks `password` against a stored PHC hash. A malformed hash never matches.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Runs `work`, an Argon2id hash, on the blocking pool, one per core at a
/// time. Each hash takes 19 MiB and a core while it runs: more at once
/// would finish no sooner, and a burst of sign-ins could otherwise take
/// gigabytes (tokio allows 512 blocking threads). The rest wait their turn.
pub async fn run_hash<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, tokio::task::JoinError> {
    static SLOTS: OnceLock<Semaphore> = OnceLock::new();
    let slots = SLOTS.get_or_init(|| Semaphore::new(cores()));
    // Never closed, so acquiring only waits.
    let _slot = slots.acquire().await;
    tokio::task::spawn_blocking(work).await
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Letters and digits that cannot be mistaken for one another when read
/// aloud or off a screen: no 0/o, 1/l/i. 31 symbols, about 4.95 bits each.
const APP_PASSWORD_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 25 symbols: about 124 bits from the OS CSPRNG.
const APP_PASSWORD_LENGTH: usize = 25;
const APP_PASSWORD_GROUP: usize = 5;

/// A new app password: 25 symbols from an unambiguous alphabet in five
/// groups of five (`abcde-fghjk-mnpqr-stuvw-xyz23`), about 124 bits.
pub fn generate_app_password() -> String {
    let mut symbols = Vec::with_capacity(APP_PASSWORD_LENGTH);
    while symbols.len() < APP_PASSWORD_LENGTH {
        let mut byte = [0u8; 1];
        OsRng.fill_bytes(&mut byte);
        // Rejection sampling keeps every symbol equally likely.
        let limit = 256 - 256 % APP_PASSWORD_ALPHABET.len();
        if usize::from(byte[0]) < limit {
            symbols.push(APP_PASSWORD_ALPHABET[usize::from(byte[0]) % APP_PASSWORD_ALPHABET.len()]);
        }
    }
    symbols
        .chunks(APP_PASSWORD_GROUP)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// The canonical form of a typed app password: groups, spaces and case do
/// not matter, so `ABCDE FGHJK…` works like `abcde-fghjk-…`.
pub fn normalize_app_password(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A fresh random salt for [`hash_with_salt`].
pub fn new_salt() -> String {
    SaltString::generate(&mut OsRng).as_str().to_owned()
}

/// Argon2id of `secret` under a given salt: deterministic, so a secret can be
/// found by its hash. Only for high-entropy secrets (app passwords), where a
/// shared salt gives an attacker nothing. `None` for a malformed salt.
pub fn hash_with_salt(secret: &str, salt: &str) -> Option<String> {
    let salt = SaltString::from_b64(salt).ok()?;
    argon2()
        .hash_password(secret.as_bytes(), &salt)
        .ok()
        .map(|hash| hash.to_string())
}

/// SHA-256 of arbitrary bytes, base64url: for comparing request bodies.
pub fn digest_bytes(bytes: &[u8]) -> String {
    BASE64URL_NOPAD.encode(&Sha256::digest(bytes))
}

/// A hash to verify against when the login does not exist, so that a wrong
/// login takes as long as a wrong password and timing reveals nothing.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password"))
}

/// `bytes` random bytes from the OS CSPRNG, URL-safe base64 encoded.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    BASE64URL_NOPAD.encode(&buf)
}

/// SHA-256 of a high-entropy token, for lookups: session ids are stored only
/// in this form, so a copy of the database holds no usable session.
pub fn token_digest(token: &str) -> String {
    BASE64URL_NOPAD.encode(&Sha256::digest(token.as_bytes()))
}

/// The CSRF token that belongs to a session: derived from its id, so it needs
/// no storage and cannot be guessed without the (HttpOnly) session cookie.
pub fn csrf_token_for(session_id: &str) -> String {
    token_digest(&format!("csrf:{session_id}"))
}

/// Compares two strings in time that depends only on their lengths, so
/// that a guessed token or code learns nothing from how long a refusal took.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A sealed secret that does not open: truncated, tampered with, or sealed
/// under another key.
#[derive(Debug, thiserror::Error)]
#[error("the sealed secret does not open with this server's key")]
pub struct SealBroken;

/// Seals secrets the server must read back (TOTP secrets) with a key kept in
/// its own file, so the database alone reveals nothing.
#[derive(Clone)]
pub struct SecretBox {
    cipher: ChaCha20Poly1305,
}

impl SecretBox {
    /// Loads the 32-byte key from `path`, creating it (mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        let key = load_or_create_key(path)?;
        Ok(Self {
            cipher: ChaCha20Poly1305::new(Key::from_slice(&key)),
        })
    }

    /// A box whose key is derived from `material` alone (SHA-256 under a
    /// label of its own): for what only the holder of that material may
    /// open, such as a kept create response under its `Idempotency-Key`.
    pub fn derived_from(material: &[u8]) -> Self {
        let key = Sha256::new()
            .chain_update(b"app-passwords sealing key\0")
            .chain_update(material)
            .finalize();
        Self {
            cipher: ChaCha20Poly1305::new(&key),
        }
    }

    /// Encrypts `plain`; the result carries its own random nonce.
    pub fn seal(&self, plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 12];
        OsRng.fill_bytes(&mut nonce);
        let mut out = nonce.to_vec();
        out.extend(
            self.cipher
                .encrypt(Nonce::from_slice(&nonce), plain)
                .expect("ChaCha20-Poly1305 encryption cannot fail"),
        );
        out
    }

    /// Decrypts what [`SecretBox::seal`] made; fails on a wrong key or tampering.
    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, SealBroken> {
        if sealed.len() <= 12 {
            return Err(SealBroken);
        }
        let (nonce, body) = sealed.split_at(12);
        self.cipher
            .decrypt(Nonce::from_slice(nonce), body)
            .map_err(|_| SealBroken)
    }
}

/// The 32-byte key in `path`, made from the OS CSPRNG (mode 0600) if the
/// file is not there yet.
fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    match read_key(path)? {
        Some(key) => Ok(key),
        None => create_key(path),
    }
}

/// The 32-byte key in `path`, or `None` when there is no such file.
fn read_key(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(key) => checked_key(path, key).map(Some),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(err) => Err(err).with_context(|| format!("reading the key file {}", path.display())),
    }
}

/// A new 32-byte key from the OS CSPRNG, written to a new file at `path`
/// (mode 0600).
fn create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut key = vec![0u8; 32];
    OsRng.fill_bytes(&mut key);
    write_private(path, &key).with_context(|| {
        if path.exists() {
            format!(
                "{} exists already: a key file is never overwritten",
                path.display()
            )
        } else {
            format!("creating the key file {}", path.display())
        }
    })?;
    Ok(key)
}

/// `keys generate`: a new key in a new file at `path` (mode 0600), for
/// `--digest-key-file` or `--key-file`. An existing file is refused: it
/// may be the key every app password is found by.
pub fn generate_key_file(path: &Path) -> anyhow::Result<()> {
    create_key(path).map(drop)
}

/// The 32-byte key in `path`, which must exist: a key that was lost cannot
/// be made again.
fn load_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    read_key(path)?.ok_or_else(|| anyhow::anyhow!("the key file {} is missing", path.display()))
}

fn checked_key(path: &Path, key: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(
        key.len() == 32,
        "the key file {} must hold exactly 32 bytes",
        path.display()
    );
    Ok(key)
}

/// The key app passwords are digested under: HMAC-SHA-256, so that
/// `/verify` is one keyed hash and one indexed lookup, and a copy of the
/// database without this key cannot even confirm a guessed password.
#[derive(Clone)]
pub struct DigestKey {
    mac: Hmac<Sha256>,
    id: String,
}

impl DigestKey {
    /// Loads the key from `path`; `None` when the file is missing.
    pub fn load_if_present(path: &Path) -> anyhow::Result<Option<Self>> {
        Ok(read_key(path)?.map(|key| Self::from_bytes(&key)))
    }

    /// Makes a new key in a new file at `path` (mode 0600).
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        Ok(Self::from_bytes(&create_key(path)?))
    }

    /// Loads the key from `path`, which must exist (the key a rotation
    /// replaced).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        Ok(Self::from_bytes(&load_key(path)?))
    }

    fn from_bytes(key: &[u8]) -> Self {
        let mac =
            <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
        let mut id =
            BASE64URL_NOPAD.encode(&mac.clone().chain_update(b"key id").finalize().into_bytes());
        id.truncate(8);
        Self { mac, id }
    }

    /// What an app password is stored and found by: the key's id, then the
    /// HMAC of the password's canonical form ([`normalize_app_password`]),
    /// so that however it is typed it finds the same row, and the rows
    /// still under a previous key can be counted.
    pub fn digest(&self, typed: &str) -> String {
        let mac = self
            .mac
            .clone()
            .chain_update(normalize_app_password(typed).as_bytes())
            .finalize()
            .into_bytes();
        format!("{}:{}", self.id, BASE64URL_NOPAD.encode(&mac))
    }

    /// Begins every digest made under this key, before a colon.
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// The digest key, and while it is being rotated, the key it replaced:
/// app passwords still under the previous key are found with it and moved
/// to the current one.
#[derive(Clone)]
pub struct DigestKeys {
    /// New digests are made under this key.
    pub current: DigestKey,
    /// The replaced key, still accepted for lookups.
    pub previous: Option<DigestKey>,
}

/// Writes `bytes` to a new file at `path` (with its folder) that only its
/// owner may read: keys and credentials. An existing file is never
/// overwritten.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashes_run_one_per_core_at_a_time() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let hashes: Vec<_> = (0..cores() * 4)
            .map(|_| {
                let (running, most) = (running.clone(), most.clone());
                tokio::spawn(run_hash(move || {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    let hash = hash_password("correct horse");
                    running.fetch_sub(1, Ordering::SeqCst);
                    hash
                }))
            })
            .collect();
        for hash in hashes {
            assert!(hash.await.unwrap().unwrap().starts_with("$argon2id$"));
        }
        let most = most.load(Ordering::SeqCst);
        assert!(
            (1..=cores()).contains(&most),
            "{most} hashes at once on {} cores",
            cores()
        );
    }

    #[test]
    fn password_hash_verifies_only_the_right_password() {
        let hash = hash_password("correct horse");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "correct horse "));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn secret_box_round_trips_and_rejects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.key");
        let sealed = SecretBox::load_or_create(&path)
            .unwrap()
            .seal(b"totp secret");
        assert!(!sealed.windows(11).any(|w| w == b"totp secret"));
        // The key persists: a new instance reads the same file.
        let again = SecretBox::load_or_create(&path).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), b"totp secret");
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(again.open(&tampered).is_err());
    }

    #[test]
    fn app_passwords_are_grouped_unambiguous_and_normalise() {
        let password = generate_app_password();
        assert_eq!(password.len(), 29, "{password}");
        let groups: Vec<&str> = password.split('-').collect();
        assert_eq!(groups.len(), 5);
        assert!(groups.iter().all(|g| g.len() == 5));
        assert!(password
            .bytes()
            .all(|b| b == b'-' || APP_PASSWORD_ALPHABET.contains(&b)));
        assert_ne!(password, generate_app_password());
        let shouted = password.to_uppercase().replace('-', " ");
        assert_eq!(normalize_app_password(&shouted), password.replace('-', ""));
        // At least 120 bits.
        let bits = APP_PASSWORD_LENGTH as f64 * (APP_PASSWORD_ALPHABET.len() as f64).log2();
        assert!(bits >= 120.0, "{bits}");
    }

    #[test]
    fn salted_hashes_are_deterministic_per_salt() {
        let salt = new_salt();
        let a = hash_with_salt("secret", &salt).unwrap();
        assert_eq!(Some(a.clone()), hash_with_salt("secret", &salt));
        assert_ne!(Some(a.clone()), hash_with_salt("secret", &new_salt()));
        assert!(verify_password(&a, "secret"));
        assert_eq!(hash_with_salt("secret", "not a salt!"), None);
    }

    #[test]
    fn tokens_are_random_and_digests_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(token_digest("a"), token_digest("a"));
        assert_ne!(csrf_token_for("a"), csrf_token_for("b"));
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
