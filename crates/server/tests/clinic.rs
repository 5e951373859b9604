//! The clinic's pages, by `oneshot`: a clinician invited sets a password and logs in; the
//! cookie's flags; forms from elsewhere refused; failed logins lock; the audit log; on
//! SQLite and on a real PostgreSQL.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use backstretch_core::time::Stamp;
use backstretch_server::clinic::{LOCK_S, MAX_FAILURES, SESSION_IDLE_S, add_clinician};
use backstretch_server::{Api, ServerStore, router};
use backstretch_store::SqliteStore;
use http_body_util::BodyExt;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8422";
const ORIGIN: &str = "http://127.0.0.1:8422";
const PASSWORD: &str = "correct horse battery staple";

struct T {
    app: axum::Router,
    store: Arc<dyn ServerStore>,
    now: Arc<Mutex<Stamp>>,
}

fn over(store: Arc<dyn ServerStore>, tls: bool) -> T {
    let now = Arc::new(Mutex::new(
        Stamp::parse("2026-12-01T09:00:00+01:00").unwrap(),
    ));
    let clock = {
        let now = now.clone();
        Arc::new(move || *now.lock().unwrap())
    };
    T {
        app: router(Api::new(store.clone(), clock).with_tls(tls)),
        store,
        now,
    }
}

/// An answer: status, headers, body text.
type Answer = (StatusCode, HeaderMap, String);

impl T {
    async fn send(&self, r: Request<Body>) -> Answer {
        let res = self.app.clone().oneshot(r).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&bytes).into())
    }

    async fn get(&self, path: &str, cookie: Option<&str>) -> Answer {
        let mut r = Request::get(path).header(header::HOST, HOST);
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::empty()).unwrap()).await
    }

    /// A form posted from `origin` (this server's own, unless told).
    async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        cookie: Option<&str>,
        origin: Option<&str>,
    ) -> Answer {
        let body: String = form
            .iter()
            .map(|(k, v)| format!("{k}={}", encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut r = Request::post(path)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            r = r.header(header::ORIGIN, o);
        }
        if let Some(c) = cookie {
            r = r.header(header::COOKIE, c);
        }
        self.send(r.body(Body::from(body)).unwrap()).await
    }

    fn now(&self) -> Stamp {
        *self.now.lock().unwrap()
    }

    fn later(&self, s: i64) {
        let mut now = self.now.lock().unwrap();
        *now = now.plus_seconds(s);
    }

    /// Invites a clinician; the code in the link.
    fn invite(&self, email: &str) -> String {
        tokio::task::block_in_place(|| add_clinician(&*self.store, email, self.now()).unwrap()).code
    }

    fn audit(&self) -> Vec<String> {
        tokio::task::block_in_place(|| self.store.audit_log(0, 1000).unwrap())
            .into_iter()
            .map(|(_, e)| format!("{} {} {}", e.actor, e.action, e.from))
            .collect()
    }
}

fn encode(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The session cookie a response sets, as `name=value` to send back; and the whole header.
fn cookie(h: &HeaderMap) -> (String, String) {
    let set = h
        .get(header::SET_COOKIE)
        .expect("a cookie is set")
        .to_str()
        .unwrap()
        .to_string();
    (set.split(';').next().unwrap().to_string(), set)
}

async fn a_clinician_sets_a_password_logs_in_and_out(t: T) {
    let t = &t;
    let code = t.invite("Ann.Physio@example.org");
    let (s, _, body) = t.get(&format!("/invite?code={code}"), None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("Ann.Physio@example.org"), "{body}");
    // Too short, or two that differ: said, and nothing is spent.
    let invite = |p: &'static str, again: &'static str| {
        let code = code.clone();
        async move {
            let form = [
                ("code", code.as_str()),
                ("email", "x"),
                ("password", p),
                ("again", again),
            ];
            t.post("/invite", &form, None, Some(ORIGIN)).await
        }
    };
    let (s, _, body) = invite("short", "short").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("at least 12"), "{body}");
    let (s, _, body) = invite(PASSWORD, "correct horse").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("differ"), "{body}");
    let (s, h, _) = invite(PASSWORD, PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(h[header::LOCATION], "/clinic");
    let (session, set) = cookie(&h);
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"),
        "{set}"
    );
    let (s, _, body) = t.get("/clinic", Some(&session)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("Ann.Physio@example.org") && body.contains("Log out"),
        "{body}"
    );
    // The invitation is spent.
    let (s, _, body) = invite(PASSWORD, PASSWORD).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    assert!(body.contains("server clinician invite"), "{body}");
    // Log out, then in again (the address in any case).
    let (s, h, _) = t.post("/logout", &[], Some(&session), Some(ORIGIN)).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert!(cookie(&h).1.contains("Max-Age=0"));
    let (_, h, _) = t.get("/clinic", Some(&session)).await;
    assert_eq!(h[header::LOCATION], "/", "the session ended");
    let form = [("email", "ann.physio@EXAMPLE.org"), ("password", PASSWORD)];
    let (s, h, _) = t.post("/login", &form, None, Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (session, _) = cookie(&h);
    let (s, _, _) = t.get("/clinic", Some(&session)).await;
    assert_eq!(s, StatusCode::OK);
    // Automatic logoff: unused for the idle time, the session ends.
    t.later(SESSION_IDLE_S);
    let (_, h, _) = t.get("/clinic", Some(&session)).await;
    assert_eq!(h[header::LOCATION], "/");
    let audit = t.audit();
    for line in [
        "Ann.Physio@example.org password set; login",
        "Ann.Physio@example.org logout",
        "Ann.Physio@example.org login",
    ] {
        assert!(
            audit.iter().any(|l| l.starts_with(line)),
            "{line} in {audit:?}"
        );
    }
    assert!(!audit.iter().any(|l| l.contains(PASSWORD)));
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_clinician_sets_a_password_logs_in_and_out() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    a_clinician_sets_a_password_logs_in_and_out(over(store, false)).await;
}

#[test]
fn postgres_a_clinician_sets_a_password_logs_in_and_out() {
    use backstretch_store_postgres::testing::TestCluster;
    let db = TestCluster::shared().database();
    let store = backstretch_server::open(std::path::Path::new("/nonexistent"), Some(&db.address()))
        .unwrap();
    let keep = store.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(a_clinician_sets_a_password_logs_in_and_out(over(
        store, false,
    )));
    drop(rt);
    drop(keep);
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_logins_lock_the_account_and_say_nothing_of_which_addresses_exist() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), true);
    let code = t.invite("ann@example.org");
    let form = [
        ("code", code.as_str()),
        ("email", "ann@example.org"),
        ("password", PASSWORD),
        ("again", PASSWORD),
    ];
    let origin = "https://127.0.0.1:8422";
    let (_, h, _) = t.post("/invite", &form, None, Some(origin)).await;
    assert!(
        cookie(&h).1.contains("; Secure"),
        "over TLS the cookie is Secure"
    );
    let t = &t;
    let login = |email: &'static str, password: &'static str| async move {
        let form = [("email", email), ("password", password)];
        t.post("/login", &form, None, Some(origin)).await
    };
    let (s, _, unknown) = login("nobody@example.org", PASSWORD).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, wrong) = login("ann@example.org", "not the password").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(
        unknown.replace("nobody@example.org", "ann@example.org"),
        wrong,
        "the same answer for an unknown address"
    );
    for _ in 2..MAX_FAILURES {
        let (s, _, _) = login("ann@example.org", "not the password").await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _, body) = login("ann@example.org", "not the password").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("locked until"), "{body}");
    let (s, _, _) = login("ann@example.org", PASSWORD).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the right password waits too"
    );
    t.later(LOCK_S);
    let (s, _, _) = login("ann@example.org", PASSWORD).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "unlocked after the wait");
    let audit = t.audit();
    assert!(
        audit
            .iter()
            .any(|l| l.contains("nobody@example.org login refused: unknown address"))
    );
    assert!(audit.iter().any(|l| l.contains("login refused: locked")));
    assert!(
        !audit
            .iter()
            .any(|l| l.contains(PASSWORD) || l.contains("not the password"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forms_from_elsewhere_are_refused_and_pages_need_a_session() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let code = t.invite("ann@example.org");
    let form = [
        ("code", code.as_str()),
        ("email", "x"),
        ("password", PASSWORD),
        ("again", PASSWORD),
    ];
    for origin in [
        None,
        Some("http://evil.example"),
        Some("https://127.0.0.1:8422"),
    ] {
        let (s, _, _) = t.post("/invite", &form, None, origin).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{origin:?}");
        let login = [("email", "ann@example.org"), ("password", PASSWORD)];
        let (s, _, _) = t.post("/login", &login, None, origin).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{origin:?}");
    }
    let (s, _, _) = t.get(&format!("/invite?code={code}"), None).await;
    assert_eq!(s, StatusCode::OK, "the refused forms spent nothing");
    for cookie in [
        None,
        Some("backstretch_clinic=nonsense"),
        Some(&*format!("backstretch_clinic={}", "a".repeat(64))),
    ] {
        let (s, h, _) = t.get("/clinic", cookie).await;
        let to = h[header::LOCATION].to_str().unwrap();
        assert_eq!((s, to), (StatusCode::SEE_OTHER, "/"), "{cookie:?}");
    }
    let (s, h, body) = t.get("/", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        body.contains("Clinician login") && body.contains("sync link"),
        "{body}"
    );
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(h[header::REFERRER_POLICY], "same-origin");
    let (s, _, css) = t.get("/static/app.css", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(css.contains("body"));
}
