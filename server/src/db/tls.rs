//! TLS to PostgreSQL: rustls, through its connector for rust-postgres
//! (`tokio-postgres-rustls`), with ring's cryptography.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use crate::error::Error;

/// How connections to PostgreSQL are protected: libpq's `sslmode` and
/// `sslrootcert`, as query parameters of the `postgres://` URL.
/// rust-postgres reads `sslmode` up to `require` and has no TLS of its
/// own; rustls, through its connector for rust-postgres, does the rest.
///
/// - none, or `disable`: no TLS, as before TLS was offered;
/// - `prefer`: TLS when the server offers it, else plain; and `require`:
///   TLS or no connection. Both without checking the certificate, as
///   libpq does: they keep out someone who only listens;
/// - `verify-full`: TLS, with a certificate from an authority in
///   `sslrootcert` (a PEM file) for the host the URL names: they also
///   keep out someone in the middle.
#[derive(Clone)]
pub struct PgTls(pub(super) Option<tokio_postgres_rustls::MakeRustlsConnect>);

/// ring's cryptography for rustls: no C toolchain beyond a compiler.
// rustls 0.23.48 deprecates ring's provider for its lack of post-quantum
// key exchange, which aws-lc-rs has at the price of a large C build
// (cmake on some systems). Between the server and its own database, ring's
// X25519 and P-256 are what libpq's OpenSSL offers too.
#[allow(deprecated)]
fn crypto() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// TLS that trusts the authorities in the PEM file `root` alone, and
/// checks the server's name.
pub(super) fn tls_verified(root: &Path) -> anyhow::Result<rustls::ClientConfig> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(root)
        .with_context(|| format!("--database: reading sslrootcert {}", root.display()))?
    {
        roots
            .add(
                certificate
                    .with_context(|| format!("--database: sslrootcert {}", root.display()))?,
            )
            .with_context(|| format!("--database: sslrootcert {}", root.display()))?;
    }
    anyhow::ensure!(
        !roots.is_empty(),
        "--database: sslrootcert {} holds no certificate",
        root.display()
    );
    Ok(rustls::ClientConfig::builder_with_provider(crypto())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// TLS that takes any certificate (`prefer`, `require`), while still
/// checking that the server holds its key.
pub(super) fn tls_unverified() -> anyhow::Result<rustls::ClientConfig> {
    let provider = crypto();
    Ok(
        rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth(),
    )
}

/// A certificate check that takes any certificate, and checks the
/// handshake's signatures as usual.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &rustls::pki_types::CertificateDer<'_>,
        _intermediates: &[rustls::pki_types::CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &rustls::pki_types::CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl PgTls {
    /// A new connection with `config`; an error names its causes
    /// (`From<postgres::Error>`): "error performing TLS handshake" alone
    /// does not tell a wrong authority from a server without TLS.
    pub(super) fn connect(&self, config: &postgres::Config) -> Result<postgres::Client, Error> {
        Ok(match &self.0 {
            None => config.connect(postgres::NoTls)?,
            Some(tls) => config.connect(tls.clone())?,
        })
    }
}
