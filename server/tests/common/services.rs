//! What the tests of real services share here: nginx with
//! `examples/nginx-auth-request/caldav.conf` (started by the `testkit`
//! crate, as the browser tests start it), adapted to the test's ports.

use std::path::Path;

use testkit::{adapted, free_port, Nginx};

use super::Server;

/// The example, as shipped.
pub const EXAMPLE: &str = include_str!("../../../examples/nginx-auth-request/caldav.conf");

/// nginx with the example in `folder`, passing what it lets through to
/// 127.0.0.1:`behind`, with `beside` in its http block too; returns it and
/// its port.
pub fn start_nginx(
    folder: &Path,
    server: &Server,
    credential_file: &Path,
    behind: u16,
    beside: &str,
) -> (Nginx, u16) {
    let port = free_port();
    let example = [
        (
            "    listen 443 ssl;\n",
            format!("    listen 127.0.0.1:{port};\n"),
        ),
        (
            "    ssl_certificate /etc/ssl/certs/dav.example.com.pem;\n",
            String::new(),
        ),
        (
            "    ssl_certificate_key /etc/ssl/private/dav.example.com.key;\n",
            String::new(),
        ),
        (
            "http://127.0.0.1:5232;",
            format!("http://127.0.0.1:{behind};"),
        ),
        (
            "http://127.0.0.1:8080/api/v1/verify;",
            format!("{};", server.url("/api/v1/verify")),
        ),
        (
            "/etc/nginx/app-passwords-credential.conf",
            credential_file.display().to_string(),
        ),
    ];
    let example = adapted(EXAMPLE, &example);
    std::fs::write(folder.join("caldav.conf"), example).unwrap();
    // Beside the example, as conf.d/ would hold it.
    let http = format!(
        "{beside}\n  include {folder}/caldav.conf;",
        folder = folder.display(),
    );
    (Nginx::start(folder, &http, port), port)
}
