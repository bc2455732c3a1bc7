//! Where the page's files come from, and answering them.
//!
//! One file is the whole application: `proxy/build.rs` builds Trunk's
//! `dist/` into the binary, with each file's content type, strong `ETag` and
//! gzip copy worked out at compile time, so answering is a table lookup and
//! a started binary needs nothing beside it. `--dist DIR` serves a directory
//! instead, for frontend work (`trunk build` while the server runs). A
//! binary built before the page has none inside: it serves `./dist` when
//! there is one (as before the page was built in), and otherwise a page
//! saying how to build it, rather than an empty 404 that looks like a
//! broken server.
//!
//! Caching: a file whose name carries Trunk's content hash never changes
//! under that name (`immutable`, a year); everything else, HTML included,
//! is revalidated every time (`no-cache`, answered `304` from the `ETag`).
//! Around all of this, `page::mark_navigations` adds what HTML needs.

use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    ACCEPT_ENCODING, ALLOW, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, ETAG,
    IF_NONE_MATCH, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::routes::cache_control::{IMMUTABLE_PUBLIC, REVALIDATE};

/// One file of the page built into the binary (see `proxy/build.rs`).
#[derive(Debug)]
pub struct EmbeddedFile {
    /// The URL path, e.g. `/index.html`.
    pub path: &'static str,
    pub content_type: &'static str,
    /// A strong validator of `body` (quoted).
    pub etag: &'static str,
    pub body: &'static [u8],
    /// `body` gzipped, when that is worth it.
    pub gzip: Option<&'static [u8]>,
}

// `pub static EMBEDDED: &[EmbeddedFile]`, empty when the page was not built.
include!(concat!(env!("OUT_DIR"), "/embedded_page.rs"));

/// Where `./dist` is looked for when nothing is built in.
pub const DEFAULT_DIST: &str = "dist";

/// What the server answers for paths that are not the API's.
#[derive(Debug, Clone)]
pub enum PageFiles {
    /// The page built into the binary.
    Embedded(&'static [EmbeddedFile]),
    /// A directory of Trunk's output.
    Dir(PathBuf),
    /// No page at all: a page saying how to build one.
    Missing,
}

impl PageFiles {
    /// `--dist DIR` when given; else the page built in; else `./dist` if it
    /// holds a page; else none.
    pub fn choose(dist_dir: Option<&Path>) -> PageFiles {
        match dist_dir {
            Some(dir) => PageFiles::Dir(dir.to_path_buf()),
            None if find(EMBEDDED, "/index.html").is_some() => PageFiles::Embedded(EMBEDDED),
            None if Path::new(DEFAULT_DIST).join("index.html").is_file() => {
                PageFiles::Dir(PathBuf::from(DEFAULT_DIST))
            }
            None => PageFiles::Missing,
        }
    }

    /// The page's `index.html` (for the CSP's inline-script hashes).
    pub fn index_html(&self) -> Option<String> {
        match self {
            PageFiles::Embedded(files) => {
                find(files, "/index.html").map(|f| String::from_utf8_lossy(f.body).into_owned())
            }
            PageFiles::Dir(dir) => std::fs::read_to_string(dir.join("index.html")).ok(),
            PageFiles::Missing => None,
        }
    }

    /// For the start-up log.
    pub fn describe(&self) -> String {
        match self {
            PageFiles::Embedded(files) => format!("built in ({} files)", files.len()),
            PageFiles::Dir(dir) => format!("from {}", dir.display()),
            PageFiles::Missing => "missing".to_string(),
        }
    }

    /// Answers every request it gets from these files (unknown paths get
    /// `index.html`, so that the page's own routes load).
    pub fn router(self) -> Router {
        match self {
            PageFiles::Embedded(files) => {
                Router::new().fallback(move |request: Request| async move {
                    answer(
                        files,
                        request.method(),
                        request.uri().path(),
                        request.headers(),
                    )
                })
            }
            PageFiles::Dir(dir) => {
                let index = dir.join("index.html");
                let files = ServeDir::new(&dir).fallback(ServeFile::new(index));
                let files =
                    ServiceExt::<Request>::map_response(files, |response| response.map(Body::new));
                // Stable names (one module per page): every file is asked
                // about again, and answered 304 while unchanged.
                Router::new()
                    .fallback_service(files)
                    .layer(SetResponseHeaderLayer::if_not_present(
                        CACHE_CONTROL,
                        crate::page::page_files_cache_control(),
                    ))
            }
            PageFiles::Missing => Router::new().fallback(|method: Method| async move {
                if method != Method::GET && method != Method::HEAD {
                    return method_not_allowed();
                }
                (
                    StatusCode::NOT_FOUND,
                    [(CONTENT_TYPE, "text/html; charset=utf-8")],
                    MISSING_PAGE,
                )
                    .into_response()
            }),
        }
    }
}

/// Served when the binary was built before the page and no `--dist` is given.
pub const MISSING_PAGE: &str = "<!DOCTYPE html><html><head><title>manifest-web: page not built</title></head>\
<body><h1>The page is not built into this binary</h1>\
<p>This manifest-web binary was compiled before its page was built, and no <code>--dist DIR</code> was given. \
The API (<code>/api/v1/...</code>) works. To get the page: run <code>trunk build --release</code> and then \
<code>cargo build --release</code> (or <code>scripts/release</code>, which does both in that order), or start \
this binary with <code>--dist DIR</code> pointing at a <code>trunk build</code> output.</p></body></html>";

fn find(files: &'static [EmbeddedFile], path: &str) -> Option<&'static EmbeddedFile> {
    files
        .binary_search_by(|f| f.path.cmp(path))
        .ok()
        .map(|i| &files[i])
}

/// The answer to `method path` from the built-in `files` (sorted by path).
pub fn answer(
    files: &'static [EmbeddedFile],
    method: &Method,
    path: &str,
    headers: &HeaderMap,
) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed();
    }
    let directory_index = format!("{}/index.html", path.trim_end_matches('/'));
    let found = find(files, path)
        .filter(|_| !path.ends_with('/'))
        .or_else(|| find(files, &directory_index));
    let (file, exact) = match found {
        Some(file) => (file, true),
        None => match find(files, "/index.html") {
            Some(index) => (index, false),
            None => return (StatusCode::NOT_FOUND, "not found").into_response(),
        },
    };
    let gzip = file.gzip.filter(|_| accepts_gzip(headers));
    let etag = match gzip {
        Some(_) => format!("{}-gzip\"", file.etag.trim_end_matches('"')),
        None => file.etag.to_string(),
    };
    let cache_control = if exact && is_content_hashed(file.path) {
        IMMUTABLE_PUBLIC
    } else {
        REVALIDATE
    };
    let mut response = if matches_etag(headers, &etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let body = gzip.unwrap_or(file.body);
        let mut response = if method == Method::HEAD {
            Response::new(Body::empty())
        } else {
            Response::new(Body::from(body))
        };
        let out = response.headers_mut();
        out.insert(CONTENT_TYPE, HeaderValue::from_static(file.content_type));
        out.insert(CONTENT_LENGTH, HeaderValue::from(body.len()));
        if gzip.is_some() {
            out.insert(CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        response
    };
    let out = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(ETAG, value);
    }
    out.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if file.gzip.is_some() {
        out.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    }
    response
}

fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(ALLOW, "GET, HEAD")],
        "the page is read with GET or HEAD",
    )
        .into_response()
}

/// Whether a path segment carries a content hash as Trunk writes it
/// (`frontend-bf18a68431a62594_bg.wasm`, `style-88578c468114ce20.css`,
/// `snippets/frontend-bf18a68431a62594/inline0.js`): a `-` and 16 or more
/// hex digits, ending the segment or followed by `.` or `_`.
pub fn is_content_hashed(path: &str) -> bool {
    path.split('/').any(|segment| {
        segment.match_indices('-').any(|(at, _)| {
            let rest = &segment[at + 1..];
            let hex = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
            hex >= 16 && matches!(rest.as_bytes().get(hex), None | Some(b'.' | b'_'))
        })
    })
}

/// Whether `Accept-Encoding` takes gzip (with a quality above zero).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let zero = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            name.eq_ignore_ascii_case("gzip") && !zero
        })
}

/// Whether `If-None-Match` names `etag` (weakly compared, as RFC 9110 says
/// for this header) or is `*`.
fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == etag)
}

#[cfg(test)]
mod tests {
    use super::*;

    static FILES: &[EmbeddedFile] = &[
        EmbeddedFile {
            path: "/frontend-bf18a68431a62594_bg.wasm",
            content_type: "application/wasm",
            etag: "\"w1\"",
            body: b"wasm bytes",
            gzip: Some(b"gz"),
        },
        EmbeddedFile {
            path: "/help/index.html",
            content_type: "text/html; charset=utf-8",
            etag: "\"h2\"",
            body: b"<html>help</html>",
            gzip: None,
        },
        EmbeddedFile {
            path: "/index.html",
            content_type: "text/html; charset=utf-8",
            etag: "\"h1\"",
            body: b"<html>app</html>",
            gzip: None,
        },
    ];

    fn get(path: &str, headers: &[(&'static str, &'static str)]) -> (Response, Vec<u8>) {
        get_with(Method::GET, path, headers)
    }

    fn get_with(
        method: Method,
        path: &str,
        headers: &[(&'static str, &'static str)],
    ) -> (Response, Vec<u8>) {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.append(*name, HeaderValue::from_static(value));
        }
        let response = answer(FILES, &method, path, &map);
        let (parts, body) = response.into_parts();
        let bytes = futures::executor::block_on(axum::body::to_bytes(body, 1 << 20)).unwrap();
        (Response::from_parts(parts, Body::empty()), bytes.to_vec())
    }

    #[test]
    fn hashed_assets_are_immutable_and_gzipped_when_asked() {
        let (response, body) = get("/frontend-bf18a68431a62594_bg.wasm", &[]);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(body, b"wasm bytes");
        assert_eq!(response.headers()[CACHE_CONTROL], IMMUTABLE_PUBLIC);
        assert_eq!(response.headers()[CONTENT_TYPE], "application/wasm");
        assert_eq!(response.headers()[VARY], "Accept-Encoding");
        assert_eq!(response.headers()[ETAG], "\"w1\"");
        assert!(response.headers().get(CONTENT_ENCODING).is_none());

        let (response, body) = get(
            "/frontend-bf18a68431a62594_bg.wasm",
            &[("accept-encoding", "br, gzip;q=0.8")],
        );
        assert_eq!(body, b"gz");
        assert_eq!(response.headers()[CONTENT_ENCODING], "gzip");
        assert_eq!(response.headers()[CONTENT_LENGTH], "2");
        assert_eq!(response.headers()[ETAG], "\"w1-gzip\"");

        let (response, body) = get(
            "/frontend-bf18a68431a62594_bg.wasm",
            &[("accept-encoding", "gzip;q=0, identity")],
        );
        assert_eq!(body, b"wasm bytes");
        assert!(response.headers().get(CONTENT_ENCODING).is_none());
    }

    #[test]
    fn html_and_client_routes_are_revalidated() {
        for path in ["/", "/index.html", "/create", "/missing.js"] {
            let (response, body) = get(path, &[("accept-encoding", "gzip")]);
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(body, b"<html>app</html>", "{path}");
            assert_eq!(response.headers()[CACHE_CONTROL], REVALIDATE, "{path}");
            assert_eq!(
                response.headers()[CONTENT_TYPE],
                "text/html; charset=utf-8",
                "{path}"
            );
            assert!(response.headers().get(CONTENT_ENCODING).is_none());
        }
        for path in ["/help/", "/help", "/help/index.html"] {
            let (_, body) = get(path, &[]);
            assert_eq!(body, b"<html>help</html>", "{path}");
        }
    }

    #[test]
    fn validators_answer_not_modified() {
        let (response, body) = get("/", &[("if-none-match", "\"x\", W/\"h1\"")]);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert!(body.is_empty());
        assert_eq!(response.headers()[ETAG], "\"h1\"");
        // The gzip copy has its own validator.
        let (response, _) = get(
            "/frontend-bf18a68431a62594_bg.wasm",
            &[("if-none-match", "\"w1\""), ("accept-encoding", "gzip")],
        );
        assert_eq!(response.status(), StatusCode::OK);
        let (response, _) = get(
            "/frontend-bf18a68431a62594_bg.wasm",
            &[
                ("if-none-match", "\"w1-gzip\""),
                ("accept-encoding", "gzip"),
            ],
        );
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[CACHE_CONTROL], IMMUTABLE_PUBLIC);
    }

    #[test]
    fn head_has_no_body_and_other_methods_are_refused() {
        let (response, body) = get_with(Method::HEAD, "/", &[]);
        assert_eq!(response.status(), StatusCode::OK);
        assert!(body.is_empty());
        assert_eq!(response.headers()[CONTENT_LENGTH], "16");
        let (response, _) = get_with(Method::POST, "/", &[]);
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[ALLOW], "GET, HEAD");
    }

    #[test]
    fn content_hashes_in_names() {
        for hashed in [
            "/frontend-bf18a68431a62594_bg.wasm",
            "/frontend-bf18a68431a62594.js",
            "/style-88578c468114ce20.css",
            "/snippets/frontend-bf18a68431a62594/inline0.js",
        ] {
            assert!(is_content_hashed(hashed), "{hashed}");
        }
        for plain in [
            "/index.html",
            "/favicon.ico",
            "/my-app.js",
            "/x-bf18a68431a6259.js",
            "/x-bf18a68431a62594z.js",
        ] {
            assert!(!is_content_hashed(plain), "{plain}");
        }
    }

    #[tokio::test]
    async fn without_a_page_every_path_says_how_to_build_it() {
        for path in ["/", "/create", "/app.js"] {
            let request = Request::builder().uri(path).body(Body::empty()).unwrap();
            let response = PageFiles::Missing.router().oneshot(request).await.unwrap();
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(response.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
            let body = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&body);
            assert!(body.contains("trunk build --release"), "{body}");
            assert!(body.contains("--dist DIR"), "{body}");
        }
        let request = Request::builder()
            .method(Method::DELETE)
            .uri("/")
            .body(Body::empty())
            .unwrap();
        let response = PageFiles::Missing.router().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    }

    #[test]
    fn an_explicit_directory_wins() {
        let files = PageFiles::choose(Some(Path::new("/nonexistent/dist")));
        assert!(matches!(&files, PageFiles::Dir(dir) if dir == Path::new("/nonexistent/dist")));
        assert_eq!(files.index_html(), None);
        assert_eq!(PageFiles::Missing.index_html(), None);
    }

    #[test]
    fn the_built_in_table_is_sorted_and_typed() {
        assert!(EMBEDDED.windows(2).all(|w| w[0].path < w[1].path));
        for file in EMBEDDED {
            assert!(file.path.starts_with('/'), "{}", file.path);
            assert!(!file.content_type.is_empty(), "{}", file.path);
            if file.path.ends_with(".html") {
                assert!(
                    file.gzip.is_none(),
                    "HTML is marked by page.rs, never gzipped"
                );
            }
        }
    }
}
