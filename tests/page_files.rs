//! The page's files as the proxy serves them: every page path gets the one
//! `index.html` (its loader picks the page's module by path), and every file
//! of the page, module or HTML, is `no-cache`: their names are stable
//! (`inspect.js`, `create_bg.wasm`), so a browser must revalidate them, and a
//! revalidation of an unchanged file is a 304.

use reqwest::Method;
use support::Proxy;

const HTML: &str = "<html><head><title>t</title></head><body></body></html>";

#[tokio::test]
async fn every_page_path_gets_the_page_and_every_file_is_revalidated() {
    let dist = tempfile::tempdir().expect("temp dir");
    std::fs::write(dist.path().join("index.html"), HTML).expect("write index.html");
    for (name, body) in [
        ("inspect.js", "export default 1;"),
        ("inspect_bg.wasm", "\0asm"),
        ("create.js", "export default 2;"),
        ("create_bg.wasm", "\0asm"),
        ("style.css", "body{}"),
    ] {
        std::fs::write(dist.path().join(name), body).expect("write a page file");
    }
    let dir = dist.path().to_path_buf();
    let proxy = Proxy::start_with(move |c| c.dist_dir = Some(dir)).await;
    let client = proxy.client();

    for path in ["/", "/?ref=alpine", "/create", "/create/", "/no-such-page"] {
        let answer = client.send(client.request(Method::GET, path)).await;
        assert_eq!(answer.status.as_u16(), 200, "{path}");
        assert_eq!(String::from_utf8_lossy(&answer.body), HTML, "{path}");
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
    }
    for (path, content_type) in [
        ("/inspect.js", "text/javascript"),
        ("/create.js", "text/javascript"),
        ("/create_bg.wasm", "application/wasm"),
        ("/style.css", "text/css"),
    ] {
        let answer = client.send(client.request(Method::GET, path)).await;
        assert_eq!(answer.status.as_u16(), 200, "{path}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with(content_type)),
            "{path}: {:?}",
            answer.header("content-type")
        );
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
        let modified = answer
            .header("last-modified")
            .expect("a validator")
            .to_string();
        let again = client
            .send(
                client
                    .request(Method::GET, path)
                    .header("if-modified-since", modified),
            )
            .await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
    }
}
