//! Certificates a test makes for itself with Debian's `openssl`: an
//! authority of its own and a server certificate it signs, for services
//! that speak TLS on loopback (PostgreSQL). Elliptic-curve keys, so that
//! making them takes milliseconds; valid for two days.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `openssl` with `args` in `folder`, or panics with what it said.
fn openssl(folder: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(folder)
        .output()
        .expect("run openssl (Debian's openssl package)");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Makes a self-signed authority `name` in `folder` (`name.crt`,
/// `name.key`) and returns its certificate's path: what a client is told
/// to trust (PEM).
pub fn authority(folder: &Path, name: &str) -> PathBuf {
    let (certificate, key) = (format!("{name}.crt"), format!("{name}.key"));
    openssl(
        folder,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={name}"),
            "-keyout",
            &key,
            "-out",
            &certificate,
        ],
    );
    folder.join(certificate)
}

/// Makes a certificate for a server at the IP address `address`, signed by
/// the authority `authority` that [`authority`] made in `folder`; returns
/// the paths of the certificate and of its key (`name.crt`, `name.key`).
/// The extensions are what a strict client (rustls) asks of a server's
/// certificate: not an authority, the address as a subject alternative
/// name, for server authentication.
pub fn server(folder: &Path, authority: &str, name: &str, address: &str) -> (PathBuf, PathBuf) {
    let (certificate, key, request) = (
        format!("{name}.crt"),
        format!("{name}.key"),
        format!("{name}.csr"),
    );
    let extensions = format!("{name}.ext");
    std::fs::write(
        folder.join(&extensions),
        format!(
            "basicConstraints=critical,CA:FALSE\nsubjectAltName=IP:{address}\n\
             keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .expect("write the certificate's extensions");
    openssl(
        folder,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            &format!("/CN={address}"),
            "-keyout",
            &key,
            "-out",
            &request,
        ],
    );
    openssl(
        folder,
        &[
            "x509",
            "-req",
            "-in",
            &request,
            "-CA",
            &format!("{authority}.crt"),
            "-CAkey",
            &format!("{authority}.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            &extensions,
            "-out",
            &certificate,
        ],
    );
    (folder.join(certificate), folder.join(key))
}
