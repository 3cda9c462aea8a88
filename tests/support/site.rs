//! A web host for the end-to-end tests, in this process on a free loopback
//! port: the built app deployed as an operator would deploy it (a copy of
//! `dist/` with only `<base href>` changed), other folders (a portal's
//! pages), and extra routes (a second backend), all under a strict CSP.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue};
use axum::routing::MethodRouter;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use super::workspace_path;

/// A running site; stopped when dropped.
pub struct Site {
    /// `http://127.0.0.1:PORT`.
    pub origin: String,
    task: tokio::task::JoinHandle<()>,
    _folders: Vec<tempfile::TempDir>,
}

impl Site {
    /// Binds a free port (so the origin is known before anything is
    /// configured with it) and starts describing what to serve.
    pub async fn build() -> SiteBuilder {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let origin = format!("http://{}", listener.local_addr().expect("bound address"));
        SiteBuilder {
            listener,
            origin,
            router: Router::new(),
            connect_src: Vec::new(),
            folders: Vec::new(),
        }
    }

    /// Absolute URL of `path` on this site.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a [`Site`] will serve.
pub struct SiteBuilder {
    listener: tokio::net::TcpListener,
    origin: String,
    router: Router,
    connect_src: Vec<String>,
    folders: Vec<tempfile::TempDir>,
}

impl SiteBuilder {
    /// `http://127.0.0.1:PORT`, known before the site starts.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// Deploys the built app under `prefix` (`/` or `/portal/security/`):
    /// copies `dist/`, changes `<base href>` to `prefix` and nothing else,
    /// and, when `config` is given, writes it as `app-config.json`.
    pub fn app(mut self, prefix: &str, config: Option<&str>) -> Self {
        let folder = deploy_app(prefix, config);
        let service = app_passwords_server::static_files::service(folder.path());
        self.router = if prefix == "/" {
            self.router.fallback_service(service)
        } else {
            self.router
                .nest_service(prefix.trim_end_matches('/'), service)
        };
        self.folders.push(folder);
        self
    }

    /// Serves the files of `folder` under `prefix`.
    pub fn folder(mut self, prefix: &str, folder: &Path) -> Self {
        self.router = self
            .router
            .nest_service(prefix.trim_end_matches('/'), ServeDir::new(folder));
        self
    }

    /// Serves `file` at `path` and at every path below it: a page that
    /// hosts an app with screens of its own (deep links).
    pub fn page(mut self, path: &str, file: &Path) -> Self {
        let path = path.trim_end_matches('/');
        self.router = self
            .router
            .route_service(path, ServeFile::new(file))
            .route_service(&format!("{path}/"), ServeFile::new(file))
            .route_service(&format!("{path}/{{*rest}}"), ServeFile::new(file));
        self
    }

    /// Serves `route` at `path`.
    pub fn route(mut self, path: &str, route: MethodRouter) -> Self {
        self.router = self.router.route(path, route);
        self
    }

    /// Mounts `router` under `prefix`.
    pub fn nest(mut self, prefix: &str, router: Router) -> Self {
        self.router = self.router.nest(prefix, router);
        self
    }

    /// Lets the site's pages call `origin` (the CSP's `connect-src`).
    pub fn allow_connect(mut self, origin: &str) -> Self {
        self.connect_src.push(origin.to_owned());
        self
    }

    /// Starts serving.
    pub async fn start(self) -> Site {
        let connect_src = std::iter::once("'self'".to_owned())
            .chain(self.connect_src)
            .collect::<Vec<_>>()
            .join(" ");
        let policy = app_passwords_server::CONTENT_SECURITY_POLICY
            .replace("connect-src 'self'", &format!("connect-src {connect_src}"));
        assert!(policy.contains(&connect_src), "the CSP names connect-src");
        let router = self.router.layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&policy).expect("a header value"),
        ));
        let task = tokio::spawn(async move {
            axum::serve(self.listener, router)
                .await
                .expect("the test site serves");
        });
        Site {
            origin: self.origin,
            task,
            _folders: self.folders,
        }
    }
}

/// The built app (`dist/`, or `APP_PASSWORDS_DIST`).
pub fn dist() -> PathBuf {
    let dist = workspace_path("APP_PASSWORDS_DIST", "dist");
    assert!(
        dist.join("index.html").is_file(),
        "no built app in {}: run scripts/test.sh, which runs trunk build first",
        dist.display()
    );
    dist
}

/// One of the app's files as browsers download it.
pub struct AssetSize {
    /// The file's name in `dist/`.
    pub name: String,
    /// Bytes of the file itself.
    pub raw: u64,
    /// Bytes of its `.gz` twin.
    pub gzip: u64,
    /// Bytes of its `.br` twin.
    pub brotli: u64,
}

/// The app's wasm, JS and CSS in `dist`, each with the sizes of the `.gz`
/// and `.br` twins `trunk build --release` writes beside it
/// (scripts/precompress.sh); fails naming any twin that is missing.
/// `embed.js` is left out: it is `embed-<hash>.js` under its stable name,
/// and a visit downloads one of the two (a host's page the one, the app's
/// own page the other), so it counts once.
pub fn asset_sizes(dist: &Path) -> Vec<AssetSize> {
    let size = |path: &Path| {
        std::fs::metadata(path)
            .unwrap_or_else(|_| {
                panic!(
                    "{} is missing: trunk build --release writes it (scripts/precompress.sh)",
                    path.display()
                )
            })
            .len()
    };
    let mut assets = Vec::new();
    for entry in std::fs::read_dir(dist).expect("dist/") {
        let path = entry.expect("dist entry").path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if ![".wasm", ".js", ".css"]
            .iter()
            .any(|ext| name.ends_with(ext))
            || name == "embed.js"
        {
            continue;
        }
        assets.push(AssetSize {
            raw: size(&path),
            gzip: size(&dist.join(format!("{name}.gz"))),
            brotli: size(&dist.join(format!("{name}.br"))),
            name,
        });
    }
    assets
}

/// A copy of `dist/` for `prefix`, changed as the hosting guide (docs/hosting.md)
/// tells an operator to: `<base href>` only, plus an optional config file.
pub fn deploy_app(prefix: &str, config: Option<&str>) -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("temporary folder");
    copy_folder(&dist(), folder.path());
    let index = folder.path().join("index.html");
    let html = std::fs::read_to_string(&index).expect("read index.html");
    let original = r#"<base href="/" />"#;
    assert!(
        html.contains(original),
        "index.html must carry {original} for operators to change"
    );
    std::fs::write(
        &index,
        html.replace(original, &format!(r#"<base href="{prefix}" />"#)),
    )
    .expect("write index.html");
    if let Some(config) = config {
        std::fs::write(folder.path().join("app-config.json"), config).expect("write config");
    }
    folder
}

/// Copies the files of `from` (recursively) into `to`.
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("folder entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_folder(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}
