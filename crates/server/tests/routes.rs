//! Every route of the sync server, by `oneshot`, on SQLite and on a real PostgreSQL; and the
//! server bound for real on loopback.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backstretch_core::time::Stamp;
use backstretch_server::link::{add_person, another_code};
use backstretch_server::{Api, ServerStore, router};
use backstretch_store::SqliteStore;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

struct T {
    app: axum::Router,
    store: Arc<dyn ServerStore>,
    now: Arc<Mutex<Stamp>>,
}

fn over(store: Arc<dyn ServerStore>) -> T {
    let now = Arc::new(Mutex::new(
        Stamp::parse("2026-12-01T09:00:00+01:00").unwrap(),
    ));
    let clock = {
        let now = now.clone();
        Arc::new(move || *now.lock().unwrap())
    };
    T {
        app: router(Api::new(store.clone(), clock)),
        store,
        now,
    }
}

impl T {
    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        let mut r = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let r = match body {
            Some(b) => r
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => r.body(Body::empty()),
        }
        .unwrap();
        let res = self.app.clone().oneshot(r).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let v = serde_json::from_slice(&bytes)
            .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, v, headers)
    }

    async fn link(&self, code: &str, device: &str) -> (StatusCode, Value) {
        let (s, v, _) = self
            .send(
                "POST",
                "/api/v1/link",
                None,
                Some(json!({"code": code, "device": device, "name": "laptop"})),
            )
            .await;
        (s, v)
    }

    fn now(&self) -> Stamp {
        *self.now.lock().unwrap()
    }

    /// Adds a person (a blocking store call, off the async workers).
    fn add(&self, name: &str) -> backstretch_server::link::Code {
        tokio::task::block_in_place(|| add_person(&*self.store, name, self.now()).unwrap())
    }

    fn another(&self, name: &str) -> backstretch_server::link::Code {
        tokio::task::block_in_place(|| another_code(&*self.store, name, self.now()).unwrap())
    }
}

async fn a_device_links_once_speaks_with_its_token_and_unlinks(t: T) {
    let code = t.add("ann");
    let (s, v) = t.link(&code.code.to_lowercase(), "device-one").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);
    let (s, v) = t.link(&code.code, "device-two").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("code")),
        "spent: {v}"
    );
    let (s, me, _) = t.send("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["device"], "device-one");
    assert_eq!(me["devices"][0]["name"], "laptop");
    for bad in [None, Some("nonsense")] {
        let (s, _, _) = t.send("GET", "/api/v1/me", bad, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // A second device of the same person, with another code.
    let second = t.another("ann");
    let (s, v) = t.link(&second.code, "device-two").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (_, me, _) = t
        .send(
            "GET",
            "/api/v1/me",
            Some(v["token"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(me["devices"].as_array().unwrap().len(), 2);
    // Bob's code cannot take ann's device.
    let bob = t.add("bob");
    let (s, v) = t.link(&bob.code, "device-one").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::CONFLICT, Some("device")),
        "{v}"
    );
    let (s, v, _) = t.send("POST", "/api/v1/unlink", Some(&token), None).await;
    assert_eq!((s, &v), (StatusCode::OK, &json!({"unlinked": true})));
    let (s, _, _) = t.send("GET", "/api/v1/me", Some(&token), None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "unlinked: the token is dead");
}

async fn a_code_expires_after_a_day(t: T) {
    let code = t.add("ann");
    *t.now.lock().unwrap() = t.now().plus_seconds(24 * 60 * 60);
    let (s, v) = t.link(&code.code, "device-one").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    assert!(
        v["help"].as_str().unwrap().contains("server user code"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_device_links_once_speaks_with_its_token_and_unlinks() {
    let dir = tempfile::tempdir().unwrap();
    let store = backstretch_server::open(dir.path(), None).unwrap();
    a_device_links_once_speaks_with_its_token_and_unlinks(over(store)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_code_expires_after_a_day() {
    a_code_expires_after_a_day(over(Arc::new(SqliteStore::in_memory().unwrap()))).await;
}

/// Runs a story on a fresh database of the test cluster; the database is made and dropped
/// outside the runtime (the PostgreSQL client blocks).
fn on_postgres(story: impl FnOnce(T) -> std::pin::Pin<Box<dyn Future<Output = ()>>>) {
    use backstretch_store_postgres::testing::TestCluster;
    let db = TestCluster::shared().database();
    let store = backstretch_server::open(std::path::Path::new("/nonexistent"), Some(&db.address()))
        .unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    // The store is let go of here, outside the runtime, as the server does.
    let keep = store.clone();
    rt.block_on(story(over(store)));
    drop(keep);
}

#[test]
fn postgres_a_device_links_once_speaks_with_its_token_and_unlinks() {
    on_postgres(|t| Box::pin(a_device_links_once_speaks_with_its_token_and_unlinks(t)));
}

#[test]
fn postgres_a_code_expires_after_a_day() {
    on_postgres(|t| Box::pin(a_code_expires_after_a_day(t)));
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_requests_name_the_field_and_guessing_codes_is_locked_out() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()));
    t.add("ann");
    for (body, field) in [
        (
            json!({"code": "short", "device": "device-one", "name": "x"}),
            "code",
        ),
        (
            json!({"code": "AAAA-BBBB-CCCC", "device": "no", "name": "x"}),
            "device",
        ),
        (
            json!({"code": "AAAA-BBBB-CCCC", "device": "device-one", "name": " "}),
            "name",
        ),
        (json!({"code": "AAAA-BBBB-CCCC"}), "body"),
    ] {
        let (s, v, _) = t.send("POST", "/api/v1/link", None, Some(body)).await;
        assert_eq!(
            (s, v["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some(field)),
            "{v}"
        );
    }
    for _ in 0..5 {
        assert_eq!(
            t.link("AAAA-BBBB-CCCC", "device-one").await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (s, v, h) = t
        .send(
            "POST",
            "/api/v1/link",
            None,
            Some(json!({"code": "AAAA-BBBB-CCCD", "device": "device-one", "name": "x"})),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert!(h.get(header::RETRY_AFTER).is_some());
    let (s, page, _) = t.send("GET", "/link?code=7kq2-mz4p-xw9d", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.as_str().unwrap().contains("sync link https://"),
        "{page}"
    );
    assert!(page.as_str().unwrap().contains(" 7KQ2MZ4PXW9D"), "{page}");
    let (_, page, _) = t.send("GET", "/link?code=%3Cscript%3E", None, None).await;
    assert!(
        page.as_str().unwrap().contains(" CODE"),
        "nothing else is echoed: {page}"
    );
    let (s, front, _) = t.send("GET", "/", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(front.as_str().unwrap().contains("sync link"), "{front}");
}

#[test]
fn beyond_loopback_the_server_needs_tls_and_on_loopback_it_serves() {
    use backstretch_server::{Config, Server, ServerError};
    let dir = tempfile::tempdir().unwrap();
    let store = backstretch_server::open(dir.path(), None).unwrap();
    let c = Config {
        listen: Some("0.0.0.0:0".parse().unwrap()),
        tls: None,
    };
    assert!(matches!(
        Server::bind(&c, store.clone()),
        Err(ServerError::NeedsTls { .. })
    ));
    let c = Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        tls: None,
    };
    let server = Server::bind(&c, store).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert_ne!(server.addr().port(), 0);
    let mode = std::fs::metadata(dir.path().join("server/server.sqlite")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}
