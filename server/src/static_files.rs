//! Serving the built app: files from `dist/`, `index.html` for deep links,
//! each as its precompressed `.br` or `.gz` twin when the browser takes it,
//! and cached forever when its name carries a content hash.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get_service, MethodRouter};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

/// For files whose name changes with their content (`main-1a2b….css`).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// For everything else: the browser may keep it but asks each time.
const REVALIDATE: &str = "no-cache";
/// Longest file name the file systems the server runs on take, in bytes.
const LONGEST_NAME: usize = 255;
/// Longest path worth asking the file system for, in bytes: no file of the
/// app is deeper.
const LONGEST_PATH: usize = 1024;
/// Most answers [`HashedFiles`] keeps: every hashed file in each of its
/// three encodings, with room to spare. Past it, answers are read from
/// disk as before.
const MOST_KEPT: usize = 64;

/// A service for everything outside `/api`: a file of `dist` when one
/// matches (ServeDir refuses paths that try to leave `dist`), otherwise the
/// app's `index.html` so that deep links and reloads work, except for paths
/// that look like files (`/missing.js`), which get an honest 404.
///
/// `trunk build --release` writes a `.br` and a `.gz` beside each file
/// (`scripts/precompress.sh`); the one the browser accepts is sent, with
/// `Content-Encoding`, so nothing is compressed while responding.
pub fn service(dist: &Path) -> MethodRouter {
    service_keeping(dist, HashedFiles::default())
}

/// [`service`], keeping the answers of hashed files in `kept`.
fn service_keeping(dist: &Path, kept: HashedFiles) -> MethodRouter {
    let index = dist.join("index.html");
    let fallback = move |request: Request<Body>| {
        let index = index.clone();
        async move { spa_fallback(index, request).await }
    };
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(tower::service_fn(fallback));
    let index = dist.join("index.html");
    get_service(tower::service_fn(move |request: Request<Body>| {
        let files = files.clone();
        let index = index.clone();
        let kept = kept.clone();
        async move {
            let cache_control = cache_control(request.uri().path());
            // A HEAD's answer has no body to keep.
            let key = (cache_control == IMMUTABLE && request.method() == Method::GET)
                .then(|| HashedFiles::key(&request))
                .flatten();
            // A name the file system would refuse to look up is no file of
            // the app; asking would be a server error.
            let mut response = if let Some(response) = key.as_ref().and_then(|key| kept.get(key)) {
                response
            } else if can_be_a_file(request.uri().path()) {
                let response = match files.oneshot(request).await {
                    Ok(response) => response.into_response(),
                    Err(never) => match never {},
                };
                match key {
                    Some(key) => kept.keep(key, response).await,
                    None => response,
                }
            } else {
                spa_fallback(index, request).await?
            };
            // Only the file itself is for ever: a 404 for a name that looks
            // hashed may be a build not yet deployed everywhere.
            let cache_control = match response.status() {
                StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED => {
                    cache_control
                }
                _ => REVALIDATE,
            };
            let headers = response.headers_mut();
            // The same URL has several bodies, one per encoding: a cache
            // must not hand the brotli one to a browser that asked for gzip.
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
            if !headers.contains_key(header::CACHE_CONTROL) {
                headers.insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(cache_control),
                );
            }
            Ok::<_, std::convert::Infallible>(response)
        }
    }))
}

/// Answers for files whose name carries a content hash, kept in memory
/// once read: such a file never changes under its name (a new build gives
/// a new name), so reading it from disk again, with the look-ups for its
/// `.br` and `.gz` twins, would only slow every page load. Kept by the
/// encoding actually served, so a file has at most three, whatever
/// `Accept-Encoding` headers clients make up.
#[derive(Clone, Default)]
struct HashedFiles(Arc<RwLock<HashMap<(String, Served), KeptAnswer>>>);

/// A kept answer's headers and body.
type KeptAnswer = (HeaderMap, Bytes);

/// The encodings a file is kept in, from least to most preferred, as
/// ServeDir prefers them when a client rates them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Served {
    Identity,
    Gzip,
    Brotli,
}

impl Served {
    /// The encoding of an answer, by its `Content-Encoding`.
    fn of(response: &Response) -> Option<Self> {
        match response.headers().get(header::CONTENT_ENCODING) {
            None => Some(Self::Identity),
            Some(value) if value == "gzip" => Some(Self::Gzip),
            Some(value) if value == "br" => Some(Self::Brotli),
            Some(_) => None,
        }
    }

    /// The encoding ServeDir picks for `headers` when the file has every
    /// twin: the one rated highest, brotli before gzip before none when
    /// rated alike. An entry whose rating does not parse is ignored, as
    /// ServeDir ignores it, so that an answer is never sent in an encoding
    /// the client refused.
    fn wanted(headers: &HeaderMap) -> Self {
        headers
            .get_all(header::ACCEPT_ENCODING)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .filter_map(|entry| {
                let mut parts = entry.splitn(2, ';');
                let name = parts.next().unwrap_or_default().trim();
                let encoding = if name.eq_ignore_ascii_case("br") {
                    Self::Brotli
                } else if name.eq_ignore_ascii_case("gzip") || name.eq_ignore_ascii_case("x-gzip") {
                    Self::Gzip
                } else if name.eq_ignore_ascii_case("identity") {
                    Self::Identity
                } else {
                    return None;
                };
                let rating = match parts.next() {
                    Some(rating) => thousandths(rating.trim())?,
                    None => 1000,
                };
                Some((rating, encoding))
            })
            .filter(|(rating, _)| *rating > 0)
            .max()
            .map_or(Self::Identity, |(_, encoding)| encoding)
    }
}

/// A `q=` rating in thousandths, as RFC 9110 writes it (`q=0.5`, `Q=1`);
/// `None` for anything else.
fn thousandths(rating: &str) -> Option<u16> {
    let value = rating
        .strip_prefix("q=")
        .or_else(|| rating.strip_prefix("Q="))?;
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    let digits_only = |text: &str| text.bytes().all(|byte| byte.is_ascii_digit());
    if !matches!(whole, "0" | "1") || fraction.len() > 3 || !digits_only(fraction) {
        return None;
    }
    let fraction: u16 = format!("{fraction:0<3}").parse().ok()?;
    let rating = if whole == "1" {
        1000 + fraction
    } else {
        fraction
    };
    (rating <= 1000).then_some(rating)
}

impl HashedFiles {
    /// What picks the answer: the path and the encoding it would be sent
    /// in. None when more than that picks it, so that the answer must come
    /// from the file: a range or a condition (a 206, 304 or 412, not the
    /// whole file).
    fn key(request: &Request<Body>) -> Option<(String, Served)> {
        let headers = request.headers();
        let conditional = [
            header::RANGE,
            header::IF_RANGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::IF_UNMODIFIED_SINCE,
        ]
        .iter()
        .any(|name| headers.contains_key(name));
        (!conditional).then(|| (request.uri().path().to_owned(), Served::wanted(headers)))
    }

    /// The kept answer for `key`, if any.
    fn get(&self, key: &(String, Served)) -> Option<Response> {
        let kept = self
            .0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let (headers, body) = kept.get(key)?;
        let mut response = Response::new(Body::from(body.clone()));
        *response.headers_mut() = headers.clone();
        Some(response)
    }

    /// Keeps a whole file's answer (200, not a range) under the path of
    /// `key` and the encoding it is in (which is not the one wanted when
    /// the file lacks that twin), and gives it back.
    async fn keep(&self, key: (String, Served), response: Response) -> Response {
        let whole = response.status() == StatusCode::OK
            && !response.headers().contains_key(header::CONTENT_RANGE);
        let key = match Served::of(&response) {
            Some(served) if whole => (key.0, served),
            _ => return response,
        };
        if self.0.read().map_or(true, |kept| kept.len() >= MOST_KEPT) {
            return response;
        }
        let (parts, body) = response.into_parts();
        let Ok(body) = body.collect().await.map(|body| body.to_bytes()) else {
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be read.",
            )
                .into_response();
        };
        if let Ok(mut kept) = self.0.write() {
            // Asked again under the lock: answers read at the same time
            // all passed the first look.
            if kept.len() < MOST_KEPT || kept.contains_key(&key) {
                kept.insert(key, (parts.headers.clone(), body.clone()));
            }
        }
        Response::from_parts(parts, Body::from(body))
    }
}

/// Whether the path (as requested, percent-encoded) is short enough, name
/// by name and whole, to be a file's. Decoding only shortens it.
fn can_be_a_file(path: &str) -> bool {
    path.len() <= LONGEST_PATH && path.split('/').all(|name| name.len() <= LONGEST_NAME)
}

/// How long a browser may keep the file at `path`: for ever when its name
/// carries Trunk's content hash, since a new build gives it a new name;
/// otherwise it must ask again (`index.html`, `embed.js`,
/// `app-config.json` keep their names across builds).
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    // `main-1a2b….css`, `app-passwords-1a2b…_bg.wasm`.
    let hash = stem
        .rsplit_once('-')
        .map(|(_, tail)| tail.split('_').next().unwrap_or_default())
        .unwrap_or_default();
    let hashed = name.contains('.')
        && (12..=16).contains(&hash.len())
        && hash.bytes().all(|byte| byte.is_ascii_hexdigit());
    if hashed {
        IMMUTABLE
    } else {
        REVALIDATE
    }
}

async fn spa_fallback(
    index: PathBuf,
    request: Request<Body>,
) -> Result<Response, std::convert::Infallible> {
    let last_segment = request.uri().path().rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        return Ok((StatusCode::NOT_FOUND, "Not found").into_response());
    }
    let mut response = match ServeFile::new(&index).oneshot(request).await {
        Ok(response) => response.into_response(),
        Err(never) => match never {},
    };
    if response.status() == StatusCode::NOT_FOUND {
        return Ok((
            StatusCode::NOT_FOUND,
            "The app is not built: run `trunk build --release` (see README).",
        )
            .into_response());
    }
    // The shell must never be cached: it names the current hashed assets.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_names_are_immutable() {
        for hashed in [
            "/main-b1a9a195e66ff35b.css",
            "/portal/app-passwords-b2964d60bcfd5581_bg.wasm",
            "/app-passwords-b2964d60bcfd5581.js",
            "/embed-f294964965ff9eae.js",
            "/favicon-73bf2d4dad162ec.svg",
        ] {
            assert_eq!(cache_control(hashed), IMMUTABLE, "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/embed.js",
            "/app-config.json",
            "/app-passwords",
            "/security/app-passwords-b2964d60bcfd5581",
            "/main-notahexhashxyz.css",
        ] {
            assert_eq!(cache_control(plain), REVALIDATE, "{plain}");
        }
    }

    #[test]
    fn the_encoding_wanted_is_the_one_rated_highest() {
        let wanted = |value: &'static str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT_ENCODING, HeaderValue::from_static(value));
            Served::wanted(&headers)
        };
        assert_eq!(wanted("gzip, deflate, br, zstd"), Served::Brotli);
        assert_eq!(wanted("br;q=0.5, gzip"), Served::Gzip);
        assert_eq!(wanted("br;q=0, gzip;q=0.001"), Served::Gzip);
        assert_eq!(wanted("identity, br;q=0.9"), Served::Identity);
        assert_eq!(wanted("BR;Q=1.000"), Served::Brotli);
        // A rating that does not parse drops its entry, as in ServeDir.
        assert_eq!(wanted("br;q=1.5, gzip;q=0.1"), Served::Gzip);
        assert_eq!(wanted("br;q=0.5000"), Served::Identity);
        assert_eq!(wanted("*, compress, x-junk-17"), Served::Identity);
        assert_eq!(wanted(""), Served::Identity);
    }

    #[tokio::test]
    async fn made_up_encodings_keep_no_more_than_three_answers_a_file() {
        let dist = tempfile::tempdir().unwrap();
        let wasm = "app-passwords-0123456789abcdef_bg.wasm";
        std::fs::write(dist.path().join(wasm), b"identity body").unwrap();
        std::fs::write(dist.path().join(format!("{wasm}.br")), b"brotli body").unwrap();
        std::fs::write(dist.path().join(format!("{wasm}.gz")), b"gzip body").unwrap();
        let kept = HashedFiles::default();
        let files = service_keeping(dist.path(), kept.clone());
        for n in 0..100 {
            let accepted = match n % 4 {
                0 => format!("x-junk-{n}"),
                1 => format!("br;q=0.{n:02}, x-junk-{n}"),
                2 => format!("gzip, x-junk-{n};q=0.5"),
                _ => format!("identity, br;q=0.{n:02}"),
            };
            let request = Request::get(format!("/{wasm}"))
                .header(header::ACCEPT_ENCODING, &accepted)
                .body(Body::empty())
                .unwrap();
            let response = files.clone().oneshot(request).await.unwrap();
            let expected = match n % 4 {
                1 => "brotli body",
                2 => "gzip body",
                _ => "identity body",
            };
            let body = response.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, expected.as_bytes(), "{accepted}");
        }
        let kept = kept.0.read().unwrap();
        assert_eq!(kept.len(), 3, "{:?}", kept.keys().collect::<Vec<_>>());
    }
}
