//! The real nginx (Debian's nginx-light) as a test's child process: the
//! main context a distribution's `nginx.conf` gives, around the `http`
//! block a test writes (its server blocks, the example it includes).

use std::path::Path;
use std::process::Command;

use crate::{open_to_services, ProcessGroup};

/// nginx running from a test's folder. Dropping it stops nginx and its
/// workers; a failing test shows nginx's error log first.
pub struct Nginx {
    _process: ProcessGroup,
}

impl Nginx {
    /// Starts nginx with `http` as the inside of its `http` block, its own
    /// files (configuration, pid, log, temporary files) in `folder`, and
    /// waits until it listens on 127.0.0.1:`port`. `folder` is opened to
    /// nginx's workers (www-data), which serve what `http` puts there; it
    /// must outlive the returned value.
    pub fn start(folder: &Path, http: &str, port: u16) -> Self {
        open_to_services(folder);
        let error_log = folder.join("error.log");
        let config = folder.join("nginx.conf");
        let folder_name = folder.display();
        std::fs::write(
            &config,
            format!(
                "daemon off;
pid {folder_name}/nginx.pid;
error_log {log} warn;
events {{}}
http {{
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path {folder_name}/body;
  proxy_temp_path {folder_name}/proxy;
  fastcgi_temp_path {folder_name}/fastcgi;
  uwsgi_temp_path {folder_name}/uwsgi;
  scgi_temp_path {folder_name}/scgi;
{http}
}}
",
                log = error_log.display(),
            ),
        )
        .expect("write nginx.conf");
        let mut command = Command::new("nginx");
        command
            .arg("-p")
            .arg(folder)
            .arg("-c")
            .arg(&config)
            // Before it reads the configuration, too: never the system's log.
            .arg("-e")
            .arg(&error_log);
        let mut process = ProcessGroup::spawn_with_output(
            command,
            "nginx (scripts/setup.sh installs it)",
            &folder.join("nginx.out"),
        )
        .with_log(&error_log);
        process.wait_for_port(port);
        Self { _process: process }
    }
}
