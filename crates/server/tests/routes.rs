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

    /// Links `device` with `code`; its token.
    async fn token(&self, code: &str, device: &str) -> String {
        let (s, v) = self.link(code, device).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v["token"].as_str().unwrap().to_string()
    }

    async fn push(
        &self,
        token: &str,
        events: Vec<backstretch_core::event::Event>,
    ) -> (StatusCode, Value, axum::http::HeaderMap) {
        self.send(
            "POST",
            "/api/v1/push",
            Some(token),
            Some(json!({ "events": events })),
        )
        .await
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
        ..Config::default()
    };
    assert!(matches!(
        Server::bind(&c, store.clone()),
        Err(ServerError::NeedsTls { .. })
    ));
    let c = Config {
        listen: Some("127.0.0.1:0".parse().unwrap()),
        ..Config::default()
    };
    let server = Server::bind(&c, store).unwrap();
    assert!(server.base_url().starts_with("http://127.0.0.1:"));
    assert_ne!(server.addr().port(), 0);
    let mode = std::fs::metadata(dir.path().join("server/server.sqlite")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(mode.permissions().mode() & 0o777, 0o600);
}

/// A device's log: its id, and the events of a few writes.
fn device_log(n: u32) -> (String, Vec<backstretch_core::event::Event>) {
    use backstretch_store::{Store, UserId};
    let log = SqliteStore::in_memory().unwrap();
    let u = UserId::local();
    for v in 1..=n {
        let at = Stamp::parse(&format!("2026-12-0{v}T09:00:00+00:00")).unwrap();
        log.accept_disclaimer(&u, v, at).unwrap();
    }
    let device = log.device().unwrap();
    let events = log.events(&u, &device, 0, 100).unwrap();
    (device, events)
}

#[tokio::test(flavor = "multi_thread")]
async fn events_are_pushed_in_order_once_and_pulled_by_the_persons_other_devices_only() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()));
    let (laptop, events) = device_log(3);
    let (phone, _) = device_log(1);
    let laptop_token = t.token(&t.add("ann").code, &laptop).await;
    let phone_token = t.token(&t.another("ann").code, &phone).await;
    let bob_token = t.token(&t.add("bob").code, "bobs-device-1").await;
    let (s, v, _) = t
        .send("GET", "/api/v1/status", Some(&laptop_token), None)
        .await;
    assert_eq!((s, &v["heads"]), (StatusCode::OK, &json!({})));
    // A gap is refused; the series in order is kept once.
    let (s, v, _) = t.push(&laptop_token, events[1..].to_vec()).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("gap")),
        "{v}"
    );
    let (s, v, _) = t.push(&laptop_token, events.clone()).await;
    assert_eq!(
        (s, &v),
        (StatusCode::OK, &json!({"applied": 3, "skipped": 0}))
    );
    let (_, v, _) = t.push(&laptop_token, events.clone()).await;
    assert_eq!(
        v,
        json!({"applied": 0, "skipped": 3}),
        "a retry changes nothing"
    );
    // Another event in the place of one held: diverged.
    let mut other = events[2].clone();
    other.uid = "0190aaaa-0000-7000-8000-000000000000".into();
    let (s, v, _) = t.push(&laptop_token, vec![other]).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("diverged")),
        "{v}"
    );
    // A device sends its own events only.
    let (s, v, _) = t.push(&phone_token, events.clone()).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("events")),
        "{v}"
    );
    let (_, v, _) = t
        .send("GET", "/api/v1/status", Some(&phone_token), None)
        .await;
    assert_eq!(v["heads"], json!({ laptop.clone(): 3 }));
    let pull = format!("/api/v1/pull?device={laptop}&after=1&limit=5");
    let (s, v, _) = t.send("GET", &pull, Some(&phone_token), None).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let pulled: Vec<backstretch_core::event::Event> =
        serde_json::from_value(v["events"].clone()).unwrap();
    assert_eq!(pulled, events[1..]);
    // Bob sees none of ann's log, whatever he asks for.
    let (_, v, _) = t.send("GET", &pull, Some(&bob_token), None).await;
    assert_eq!(v["events"], json!([]));
    let (_, v, _) = t
        .send("GET", "/api/v1/status", Some(&bob_token), None)
        .await;
    assert_eq!(v["heads"], json!({}));
    let (_, v, _) = t
        .send("GET", "/api/v1/digest", Some(&bob_token), None)
        .await;
    assert_eq!(v["sessions"], 0);
    let (_, ann, _) = t
        .send("GET", "/api/v1/digest", Some(&phone_token), None)
        .await;
    assert_ne!(ann["parts"]["disclaimer"], v["parts"]["disclaimer"]);
    let (_, v, _) = t.send("GET", "/api/v1/me", Some(&bob_token), None).await;
    assert_eq!(
        v["devices"].as_array().unwrap().len(),
        1,
        "bob's own device only: {v}"
    );
    let (s, v, _) = t.push(&bob_token, events.clone()).await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("events")),
        "{v}"
    );
    let (s, v, _) = t
        .send(
            "GET",
            &format!("/api/v1/pull?device={laptop}&after=0&limit=0"),
            Some(&phone_token),
            None,
        )
        .await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("limit"))
    );
    for path in ["/api/v1/status", "/api/v1/pull?device=x&after=0"] {
        let (s, _, _) = t.send("GET", path, None, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}");
    }
}

/// Two servers on one PostgreSQL database serve the same people: a device links through one,
/// pushes through it, and another device pulls the events through the other. (Two servers of
/// one process here; the CLI's `sync_postgres` tests run two server processes.)
#[test]
fn two_servers_on_one_postgres_serve_the_same_people() {
    use backstretch_store_postgres::testing::TestCluster;
    let db = TestCluster::shared().database();
    let open = || {
        backstretch_server::open(std::path::Path::new("/nonexistent"), Some(&db.address())).unwrap()
    };
    let (first, second) = (open(), open());
    let keep = (first.clone(), second.clone());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let (a, b) = (over(first), over(second));
        let (laptop, events) = device_log(2);
        let (s, v) = a.link(&a.add("ann").code, &laptop).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let laptop_token = v["token"].as_str().unwrap().to_string();
        let (s, v) = b.link(&b.another("ann").code, "phone-0001").await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let phone_token = v["token"].as_str().unwrap().to_string();
        let (s, v, _) = a
            .send(
                "POST",
                "/api/v1/push",
                Some(&laptop_token),
                Some(json!({ "events": events })),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        let (_, v, _) = b
            .send("GET", "/api/v1/status", Some(&phone_token), None)
            .await;
        assert_eq!(v["heads"], json!({ laptop.clone(): 2 }));
        let (_, v, _) = b
            .send(
                "GET",
                &format!("/api/v1/pull?device={laptop}&after=0"),
                Some(&phone_token),
                None,
            )
            .await;
        assert_eq!(v["events"].as_array().unwrap().len(), 2);
    });
    drop(rt);
    drop(keep);
}

/// A person's log and their devices, as a backup must keep them.
fn seeded(store: &dyn ServerStore) -> (backstretch_store::digest::Digest, String) {
    use backstretch_server::link;
    use backstretch_store::UserId;
    let now = Stamp::parse("2026-12-01T09:00:00+01:00").unwrap();
    let code = add_person(store, "ann", now).unwrap();
    let (device, events) = device_log(3);
    let linked = link::link(store, &code.code, &device, "laptop", now)
        .unwrap()
        .unwrap();
    store.apply(&linked.user, &events).unwrap();
    let user: UserId = store.person("ann").unwrap().unwrap();
    (
        backstretch_store::digest::digest(store, &user).unwrap(),
        linked.token,
    )
}

fn same_after_restore(
    store: &dyn ServerStore,
    before: &backstretch_store::digest::Digest,
    token: &str,
) {
    let user = store.person("ann").unwrap().expect("ann is back");
    assert_eq!(
        &backstretch_store::digest::digest(store, &user).unwrap(),
        before
    );
    let hash = backstretch_server::link::hash(token);
    assert_eq!(
        store.device_for(&hash).unwrap().map(|(u, _)| u),
        Some(user),
        "the device still speaks"
    );
}

#[test]
fn a_sqlite_backup_restores_the_logs_and_the_devices() {
    use backstretch_server::backup::{backup, restore};
    let (dir, other) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (digest, token) = seeded(&*backstretch_server::open(dir.path(), None).unwrap());
    let file = other.path().join("server-backup.sqlite");
    backup(dir.path(), None, &file).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(
        backup(dir.path(), None, &file).is_err(),
        "never over an existing file"
    );
    let fresh = tempfile::tempdir().unwrap();
    restore(fresh.path(), None, &file).unwrap();
    same_after_restore(
        &*backstretch_server::open(fresh.path(), None).unwrap(),
        &digest,
        &token,
    );
    let junk = other.path().join("junk");
    std::fs::write(&junk, "not a database").unwrap();
    assert!(restore(fresh.path(), None, &junk).is_err());
    same_after_restore(
        &*backstretch_server::open(fresh.path(), None).unwrap(),
        &digest,
        &token,
    );
}

#[test]
fn a_postgres_backup_restores_the_logs_and_the_devices() {
    use backstretch_server::backup::{backup, restore};
    use backstretch_store_postgres::testing::TestCluster;
    let (from, to) = (
        TestCluster::shared().database(),
        TestCluster::shared().database(),
    );
    let nowhere = std::path::Path::new("/nonexistent");
    let (digest, token) =
        seeded(&*backstretch_server::open(nowhere, Some(&from.address())).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("server.dump");
    backup(nowhere, Some(&from.address()), &file).unwrap();
    restore(nowhere, Some(&to.address()), &file).unwrap();
    same_after_restore(
        &*backstretch_server::open(nowhere, Some(&to.address())).unwrap(),
        &digest,
        &token,
    );
}

/// Regression (found by bench/sync.sh): the server keeps only 16 unproven connections an
/// address, so behind a reverse proxy or NAT a 17th device closed the first one's. A linked
/// device's token proves its connection: 24 devices on one address are all kept.
#[test]
fn many_linked_devices_behind_one_address_keep_their_connections() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let store = backstretch_server::open(dir.path(), None).unwrap();
    let now = Stamp::parse("2026-12-01T09:00:00+01:00").unwrap();
    let mut tokens = Vec::new();
    let first = add_person(&*store, "ann", now).unwrap();
    for i in 0..24 {
        let code = if i == 0 {
            first.clone()
        } else {
            another_code(&*store, "ann", now).unwrap()
        };
        let linked = backstretch_server::link::link(
            &*store,
            &code.code,
            &format!("device-{i:04}"),
            "d",
            now,
        )
        .unwrap()
        .unwrap();
        tokens.push(linked.token);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let tcp = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = tcp.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = router(Api::new(store.clone(), Arc::new(move || now)));
    let serving = rt.spawn(backstretch_web::serve(
        backstretch_web::Listener { tcp, tls: None },
        app,
        async {
            let _ = stopped.await;
        },
    ));
    let ask = |conn: &mut std::net::TcpStream, token: &str| -> Option<u16> {
        write!(
            conn,
            "GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        )
        .ok()?;
        let mut reader = BufReader::new(conn.try_clone().ok()?);
        let mut status = String::new();
        reader.read_line(&mut status).ok()?;
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).ok()?;
            if line == "\r\n" || line.is_empty() {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().ok()?;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok()?;
        status.split_whitespace().nth(1)?.parse().ok()
    };
    let mut conns: Vec<std::net::TcpStream> = Vec::new();
    for token in &tokens {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        assert_eq!(ask(&mut c, token.as_str()), Some(200));
        conns.push(c);
    }
    let mut kept = 0;
    for (c, t) in conns.iter_mut().zip(&tokens) {
        if ask(c, t.as_str()) == Some(200) {
            kept += 1;
        }
    }
    let _ = stop.send(());
    let _ = rt.block_on(serving);
    drop(rt);
    assert_eq!(kept, 24, "every linked device's connection is kept");
}

/// A device whose log took a new id (it diverged) moves its link there: its token speaks for
/// the new id, its old id stays with its events, and an id the server knows is refused.
#[tokio::test(flavor = "multi_thread")]
async fn a_diverged_device_moves_its_link_to_its_new_id() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()));
    let (laptop, events) = device_log(3);
    let (s, v) = t.link(&t.add("ann").code, &laptop).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let token = v["token"].as_str().unwrap().to_string();
    let (s, v) = t.link(&t.another("ann").code, "the-phone-1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let (s, v, _) = t
        .send(
            "POST",
            "/api/v1/push",
            Some(&token),
            Some(json!({ "events": events })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let rename = |device: &str| {
        let (t, token) = (&t, token.clone());
        let body = json!({ "device": device });
        async move {
            t.send("POST", "/api/v1/rename", Some(&token), Some(body))
                .await
        }
    };
    let (s, v, _) = rename("no").await;
    assert_eq!(
        (s, v["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("device"))
    );
    let (s, v, _) = rename("the-phone-1").await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("taken")),
        "{v}"
    );
    *t.now.lock().unwrap() = Stamp::parse("2026-12-01T10:00:00+01:00").unwrap();
    let (s, v, _) = rename("laptop-anew-1").await;
    assert_eq!(
        (s, &v),
        (StatusCode::OK, &json!({"device": "laptop-anew-1"}))
    );
    let (s, v, _) = rename("laptop-anew-1").await;
    assert_eq!(s, StatusCode::OK, "asking again changes nothing: {v}");
    let (_, v, _) = t.send("GET", "/api/v1/status", Some(&token), None).await;
    assert_eq!(
        (&v["device"], &v["heads"]),
        (&json!("laptop-anew-1"), &json!({ laptop.clone(): 3 }))
    );
    let (_, me, _) = t.send("GET", "/api/v1/me", Some(&token), None).await;
    let devices: Vec<(&str, bool)> = me["devices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["unlinked_at"].is_null()))
        .collect();
    assert_eq!(
        devices,
        [
            (laptop.as_str(), false),
            ("the-phone-1", true),
            ("laptop-anew-1", true)
        ]
    );
    // The old id's events are no longer this token's to send; its old id is never taken again.
    let (s, _, _) = t
        .send(
            "POST",
            "/api/v1/push",
            Some(&token),
            Some(json!({ "events": events })),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v, _) = rename(&laptop).await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("taken"))
    );
}

/// Ann's laptop's log: a profile, a session played with a step that hurt, ended and
/// settled; its device id and events.
fn anns_laptop() -> (String, Vec<backstretch_core::event::Event>) {
    use backstretch_core::player::Outcome;
    use backstretch_core::profile::Profile;
    use backstretch_core::routine::Routine;
    use backstretch_core::session::{Ending, SessionSource, StepRecord};
    use backstretch_core::timeline::StepKind;
    use backstretch_store::{NewSession, Store, UserId};
    let log = SqliteStore::in_memory().unwrap();
    let u = UserId::local();
    let at = |t: &str| Stamp::parse(&format!("2026-12-01T{t}+01:00")).unwrap();
    log.set_profile(&u, &Profile::default(), at("07:00:00"))
        .unwrap();
    log.accept_disclaimer(&u, 3, at("07:00:01")).unwrap();
    let routine = Routine::default();
    let id = log
        .begin_session(
            &u,
            &NewSession {
                uid: "anns-session-0001",
                started_at: at("08:00:00"),
                source: SessionSource::Player,
                routine: &routine,
                planned_s: 60,
                pain_before: Some(6),
                pid: None,
            },
        )
        .unwrap();
    for (i, outcome) in [Outcome::Done, Outcome::Hurt].into_iter().enumerate() {
        let step = StepRecord {
            step: u32::try_from(i).unwrap(),
            kind: StepKind::Hold,
            exercise_id: Some("cat-camel".into()),
            side: None,
            rep: 1,
            planned_s: 10,
            done_ms: 10_000,
            outcome,
            at: at(&format!("08:00:1{i}")),
            rating: None,
        };
        log.log_step(&u, id, &step).unwrap();
    }
    log.finish_session(&u, id, at("08:01:00"), Some(7), Ending::Stopped)
        .unwrap();
    log.set_settled(&u, id, false, at("20:00:00")).unwrap();
    let device = log.device().unwrap();
    let events = log.events(&u, &device, 0, 100).unwrap();
    (device, events)
}

/// Several people on one server: bob's token on every route, with ann's device id, session
/// uid and event uids, reads none of ann's log and writes none of it.
async fn another_persons_ids_reach_nothing_of_theirs(t: T) {
    let (laptop, events) = anns_laptop();
    let ann = t.token(&t.add("ann").code, &laptop).await;
    let (s, v, _) = t.push(&ann, events.clone()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let read = async |token: &str| {
        let mut seen = Vec::new();
        for path in ["/api/v1/me", "/api/v1/status", "/api/v1/digest"] {
            seen.push(t.send("GET", path, Some(token), None).await.1);
        }
        seen.push(
            t.send(
                "GET",
                &format!("/api/v1/pull?device={laptop}&after=0"),
                Some(token),
                None,
            )
            .await
            .1,
        );
        seen
    };
    let before = read(&ann).await;
    let bob_code = t.add("bob");
    let bob = t.token(&bob_code.code, "bobs-phone-0001").await;
    // Everything ann's log holds that bob could name or hope to see.
    let session = "anns-session-0001";
    let mut anns: Vec<String> = events.iter().map(|e| e.uid.clone()).collect();
    anns.extend([laptop.clone(), session.into(), "cat-camel".into()]);
    let shown = |answers: &[Value], id: &str| answers.iter().any(|a| a.to_string().contains(id));
    assert!(
        anns.iter().all(|id| shown(&before, id)),
        "ann herself is shown every one of them"
    );
    let mut answers = read(&bob).await;
    for after in 0..=u64::try_from(events.len()).unwrap() {
        let path = format!("/api/v1/pull?device={laptop}&after={after}&limit=1000");
        answers.push(t.send("GET", &path, Some(&bob), None).await.1);
    }
    // Ann's events (her session's uid, her event uids) sent as bob's own device's: they
    // go into bob's log, as any device's new events would, and touch nothing of ann's.
    let mut forged = events.clone();
    for e in &mut forged {
        e.device = "bobs-phone-0001".into();
    }
    let (s, v, _) = t.push(&bob, forged).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    answers.push(v);
    // Ann's own events, under her device's id: refused, not a device of his.
    let (s, v, _) = t.push(&bob, events.clone()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    // Taking ann's device id: refused, and the link stays hers.
    let rename = json!({ "device": laptop });
    let (s, v, _) = t
        .send("POST", "/api/v1/rename", Some(&bob), Some(rename))
        .await;
    assert_eq!(
        (s, v["code"].as_str()),
        (StatusCode::CONFLICT, Some("taken"))
    );
    // Linking ann's device with bob's spent code, or a new one: refused.
    for code in [bob_code.code.clone(), t.another("bob").code] {
        let (s, v) = t.link(&code, &laptop).await;
        assert!(s.is_client_error(), "{s} {v}");
        answers.push(v);
    }
    let (s, v, _) = t.send("POST", "/api/v1/unlink", Some(&bob), None).await;
    assert_eq!((s, &v), (StatusCode::OK, &json!({ "unlinked": true })));
    for path in ["/", "/link"] {
        let (s, v, _) = t.send("GET", path, None, None).await;
        assert_eq!(s, StatusCode::OK);
        answers.push(v);
    }
    let leaked: Vec<&String> = anns.iter().filter(|id| shown(&answers, id)).collect();
    assert!(leaked.is_empty(), "bob was shown {leaked:?}: {answers:#?}");
    assert_eq!(read(&ann).await, before, "ann's log is as it was");
    // And bob's forged copy is his alone, in his own device's series.
    let bob_again = t.token(&t.another("bob").code, "bobs-laptop-0001").await;
    let (_, v, _) = t
        .send("GET", "/api/v1/status", Some(&bob_again), None)
        .await;
    assert_eq!(v["heads"], json!({ "bobs-phone-0001": events.len() }));
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_another_persons_ids_reach_nothing_of_theirs() {
    another_persons_ids_reach_nothing_of_theirs(over(Arc::new(SqliteStore::in_memory().unwrap())))
        .await;
}

#[test]
fn postgres_another_persons_ids_reach_nothing_of_theirs() {
    on_postgres(|t| Box::pin(another_persons_ids_reach_nothing_of_theirs(t)));
}
