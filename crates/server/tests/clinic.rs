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
    serving(store, |api| api.with_tls(tls))
}

/// A server over `store`, set up by `with`, on a clock the test moves.
fn serving(store: Arc<dyn ServerStore>, with: impl FnOnce(Api) -> Api) -> T {
    let now = Arc::new(Mutex::new(
        Stamp::parse("2026-12-01T09:00:00+01:00").unwrap(),
    ));
    let clock = {
        let now = now.clone();
        Arc::new(move || *now.lock().unwrap())
    };
    T {
        app: router(with(Api::new(store.clone(), clock))),
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

    /// Links a device called `phone` with a code, as `sync link` does; the answer.
    async fn link(&self, code: &str, device: &str) -> (StatusCode, serde_json::Value) {
        let link = serde_json::json!({"code": code, "device": device, "name": "phone"});
        let r = Request::post("/api/v1/link")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(link.to_string()))
            .unwrap();
        let (s, _, body) = self.send(r).await;
        (s, serde_json::from_str(&body).unwrap_or_default())
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

/// Runs a story on a fresh database of the test cluster; the store is made and let go of
/// outside the runtime (the PostgreSQL client blocks).
fn on_postgres(story: impl FnOnce(T) -> std::pin::Pin<Box<dyn Future<Output = ()>>>) {
    use backstretch_store_postgres::testing::TestCluster;
    let db = TestCluster::shared().database();
    let store = backstretch_server::open(std::path::Path::new("/nonexistent"), Some(&db.address()))
        .unwrap();
    let keep = store.clone();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(story(over(store, false)));
    drop(rt);
    drop(keep);
}

#[test]
fn postgres_a_clinician_sets_a_password_logs_in_and_out() {
    on_postgres(|t| Box::pin(a_clinician_sets_a_password_logs_in_and_out(t)));
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
    // A password typed in the address field is not written down.
    let (s, _, _) = login("correct horse battery staple", "x").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let audit = t.audit();
    assert!(
        audit
            .iter()
            .any(|l| l.starts_with("(not an e-mail address) login refused"))
    );
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

/// A clinician invited and logged in; their session's cookie.
async fn logged_in(t: &T, email: &str) -> String {
    let code = t.invite(email);
    let form = [
        ("code", code.as_str()),
        ("email", email),
        ("password", PASSWORD),
        ("again", PASSWORD),
    ];
    let (s, h, body) = t.post("/invite", &form, None, Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    cookie(&h).0
}

/// The code a code page shows (12 letters in three groups).
fn code_on(page: &str) -> String {
    page.split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
        .find(|w| w.len() == 14 && w.matches('-').count() == 2)
        .unwrap_or_else(|| panic!("no code in {page}"))
        .to_string()
}

async fn clinicians_see_and_touch_only_their_own_patients(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    let bob = logged_in(t, "bob@example.org").await;
    let (s, _, body) = t
        .post(
            "/clinic/patients",
            &[("name", "mk-1985")],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(
        body.contains("backstretch sync link http://127.0.0.1:8422 "),
        "{body}"
    );
    assert!(body.contains("<svg"), "a QR code: {body}");
    let code = code_on(&body);
    for (name, why) in [
        ("mk 1985", "cannot be used"),
        ("mk-1985", "cannot be used here"),
    ] {
        let (s, _, body) = t
            .post(
                "/clinic/patients",
                &[("name", name)],
                Some(&ann),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(body.contains(why), "{name}: {body}");
    }
    // The patient's device links with the code: the patient page shows it.
    assert_eq!(t.link(&code, "mk-phone-0001").await.0, StatusCode::OK);
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    let href = list
        .split('"')
        .find(|w| w.starts_with("/clinic/patients/"))
        .expect("a link to the patient")
        .to_string();
    assert!(
        list.contains("mk-1985") && list.contains("no session yet"),
        "{list}"
    );
    let (s, _, page) = t.get(&href, Some(&ann)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("phone: linked"), "{page}");
    let (s, _, again) = t
        .post(&format!("{href}/code"), &[], Some(&ann), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_ne!(code_on(&again), code, "a new code for the next device");
    // Bob: not in his list, and the patient's page and codes are not found for him.
    let (_, _, list) = t.get("/clinic", Some(&bob)).await;
    assert!(!list.contains("mk-1985"), "{list}");
    let (s, _, page) = t.get(&href, Some(&bob)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        !page.contains("mk-1985") && !page.contains("phone"),
        "{page}"
    );
    let (s, _, _) = t
        .post(&format!("{href}/code"), &[], Some(&bob), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    for path in ["/clinic/patients/nobody", "/clinic/patients/..%2F..%2Fetc"] {
        let (s, _, _) = t.get(path, Some(&ann)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    // No session, or a form from elsewhere: nothing shown, nothing made.
    let (s, h, _) = t.get(&href, None).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/")
    );
    let (s, _, _) = t
        .post(
            &format!("{href}/code"),
            &[],
            Some(&ann),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, _) = t
        .post("/clinic/patients", &[("name", "x-1")], Some(&ann), None)
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    only_ann_read(t, href.trim_start_matches("/clinic/patients/"));
}

/// Every read and write of the patient's data is in the audit log as ann's; bob's attempts
/// are there as refusals.
fn only_ann_read(t: &T, patient: &str) {
    // Every read of the patient's data is in the audit log, ann's only.
    let about = audited(t, patient);
    for line in [
        "ann@example.org patient added",
        "ann@example.org read in the patient list",
        "ann@example.org read the patient's page",
        "ann@example.org link code made",
    ] {
        assert!(about.iter().any(|l| l == line), "{line} in {about:?}");
    }
    let bob: Vec<&String> = about.iter().filter(|l| l.starts_with("bob")).collect();
    assert!(
        !bob.is_empty()
            && bob
                .iter()
                .all(|l| l.ends_with("refused: not their patient")),
        "bob's attempts are refusals: {about:?}"
    );
}

/// The audit log's lines about a patient: who, what.
fn audited(t: &T, patient: &str) -> Vec<String> {
    tokio::task::block_in_place(|| t.store.audit_log(0, 1000).unwrap())
        .iter()
        .filter(|(_, e)| e.patient.as_deref() == Some(patient))
        .map(|(_, e)| format!("{} {}", e.actor, e.action))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_clinicians_see_and_touch_only_their_own_patients() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    clinicians_see_and_touch_only_their_own_patients(over(store, false)).await;
}

#[test]
fn postgres_clinicians_see_and_touch_only_their_own_patients() {
    on_postgres(|t| Box::pin(clinicians_see_and_touch_only_their_own_patients(t)));
}

/// A patient's phone: a session with pain 6 before and 8 after, in which the cat-camel hurt;
/// its device id and events.
fn patients_phone() -> (String, Vec<backstretch_core::event::Event>) {
    use backstretch_core::player::Outcome;
    use backstretch_core::routine::Routine;
    use backstretch_core::session::{Ending, SessionSource, StepRecord};
    use backstretch_core::timeline::StepKind;
    use backstretch_store::{NewSession, Store, UserId};
    let log = SqliteStore::in_memory().unwrap();
    let u = UserId::local();
    let at = |t: &str| Stamp::parse(&format!("2026-11-30T{t}+01:00")).unwrap();
    let routine = Routine::default();
    let new = NewSession {
        uid: "mk-session-1",
        started_at: at("08:00:00"),
        source: SessionSource::Player,
        routine: &routine,
        planned_s: 60,
        pain_before: Some(6),
        pid: None,
    };
    let id = log.begin_session(&u, &new).unwrap();
    let step = StepRecord {
        step: 0,
        kind: StepKind::Hold,
        exercise_id: Some("cat-camel".into()),
        side: None,
        rep: 1,
        planned_s: 10,
        done_ms: 4_000,
        outcome: Outcome::Hurt,
        at: at("08:00:10"),
        rating: None,
    };
    log.log_step(&u, id, &step).unwrap();
    log.finish_session(&u, id, at("08:01:00"), Some(8), Ending::Stopped)
        .unwrap();
    let device = log.device().unwrap();
    let events = log.events(&u, &device, 0, 100).unwrap();
    (device, events)
}

/// The patient's page shows their log as their devices judge it: the session, the flare
/// (pain up by two), the exercise that hurt, and no session counted (nothing was done).
#[tokio::test(flavor = "multi_thread")]
async fn a_patients_page_shows_how_they_are_doing_by_their_own_rules() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    add_with_phone(&t, &ann, "mk-1985").await;
    // Another patient, who has not started: marked as needing attention (after mk-1985,
    // whose session raised alerts).
    t.post(
        "/clinic/patients",
        &[("name", "zz-2001")],
        Some(&ann),
        Some(ORIGIN),
    )
    .await;
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    assert!(list.contains("yesterday (Mon 30 Nov 2026)"), "{list}");
    assert!(list.find("mk-1985") < list.find("zz-2001"), "{list}");
    assert!(list.contains("not started"), "{list}");
    let href = list
        .split("<a href=\"")
        .find(|w| w.contains(">mk-1985<"))
        .and_then(|w| w.split('"').next())
        .unwrap()
        .to_string();
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    for shown in [
        "<dt>Flares, last 14 days</dt><dd>1</dd>",
        "<dt>Sessions with an exercise done</dt><dd>0</dd>",
        "6 → 8",
        "stopped",
        "was logged as hurting in 1 session.",
        "No warning-sign check yet.",
        "phone: linked",
    ] {
        assert!(page.contains(shown), "{shown} in {page}");
    }
    // The charts, as the patient's own progress page draws them: hers alone to read.
    let bob = logged_in(&t, "bob@example.org").await;
    for chart in ["pain.svg", "adherence.svg"] {
        let path = format!("{href}/charts/{chart}");
        let (s, h, svg) = t.get(&path, Some(&ann)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(h[header::CONTENT_TYPE], "image/svg+xml");
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(page.contains(&path), "the page shows {path}");
        let (s, _, svg) = t.get(&path, Some(&bob)).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(!svg.contains("<svg"));
    }
    let (s, _, _) = t.get(&format!("{href}/charts/x.svg"), Some(&ann)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let about = audited(&t, href.trim_start_matches("/clinic/patients/"));
    assert_eq!(
        about
            .iter()
            .filter(|l| *l == "ann@example.org read the patient's chart")
            .count(),
        2,
        "{about:?}"
    );
}

/// Adds a patient for the clinician whose session `cookie` is, links their phone and sends
/// its session (see [`patients_phone`]); the phone's token.
async fn add_with_phone(t: &T, cookie: &str, name: &str) -> String {
    let (_, _, body) = t
        .post(
            "/clinic/patients",
            &[("name", name)],
            Some(cookie),
            Some(ORIGIN),
        )
        .await;
    let (device, events) = patients_phone();
    let (s, v) = t.link(&code_on(&body), &device).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let push = Request::post("/api/v1/push")
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", v["token"].as_str().unwrap()),
        )
        .body(Body::from(
            serde_json::json!({ "events": events }).to_string(),
        ))
        .unwrap();
    assert_eq!(t.send(push).await.0, StatusCode::OK);
    v["token"].as_str().unwrap().to_string()
}

/// The patient's whole log exports as JSON (which `import` reads), CSV and FHIR, to their
/// clinician only, each export audited.
#[tokio::test(flavor = "multi_thread")]
async fn a_patients_log_exports_to_their_clinician_only() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    let bob = logged_in(&t, "bob@example.org").await;
    add_with_phone(&t, &ann, "mk-1985").await;
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    let href = list
        .split('"')
        .find(|w| w.starts_with("/clinic/patients/"))
        .unwrap()
        .to_string();
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    for (file, kind, holds) in [
        ("log.json", "application/json", "\"uid\": \"mk-session-1\""),
        ("log.csv", "text/csv; charset=utf-8", "cat-camel"),
        ("fhir.json", "application/fhir+json", "72514-3"),
    ] {
        let path = format!("{href}/export/{file}");
        assert!(page.contains(&path), "the page links {path}");
        let (s, h, body) = t.get(&path, Some(&ann)).await;
        assert_eq!(s, StatusCode::OK, "{file}");
        assert_eq!(h[header::CONTENT_TYPE], kind);
        let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
        assert!(disposition.contains("mk-1985-backstretch"), "{disposition}");
        assert!(body.contains(holds), "{file}: {body}");
        let (s, _, body) = t.get(&path, Some(&bob)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{file}");
        assert!(!body.contains("mk-session-1"));
    }
    // What the JSON holds, a device's import restores.
    let (_, _, json) = t.get(&format!("{href}/export/log.json"), Some(&ann)).await;
    let restored = SqliteStore::in_memory().unwrap();
    let now = Stamp::parse("2026-12-01T09:00:00+01:00").unwrap();
    let app = backstretch_app::App::new(&restored, backstretch_store::UserId::local(), now);
    let n = app.import("export.json", &json).unwrap();
    assert_eq!(n.added, 1);
    let about = audited(&t, href.trim_start_matches("/clinic/patients/"));
    for kind in ["log.json", "log.csv", "fhir.json"] {
        let line = format!("ann@example.org exported the patient's log ({kind})");
        assert!(about.contains(&line), "{line} in {about:?}");
    }
}

/// A pushed session that flared to 8 raises two alerts at once; the patient comes first in
/// the list; each alert is acknowledged once, by their clinician only, with who and when.
#[tokio::test(flavor = "multi_thread")]
async fn alerts_from_a_pushed_session_come_first_and_are_acknowledged_once() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    let bob = logged_in(&t, "bob@example.org").await;
    t.post(
        "/clinic/patients",
        &[("name", "zz-2001")],
        Some(&ann),
        Some(ORIGIN),
    )
    .await;
    add_with_phone(&t, &ann, "mk-1985").await;
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    assert!(list.find("mk-1985") < list.find("zz-2001"), "{list}");
    assert!(list.contains("2 alerts"), "{list}");
    let href = list
        .split("<a href=\"")
        .find(|w| w.contains(">mk-1985<"))
        .and_then(|w| w.split('"').next())
        .unwrap()
        .to_string();
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(
        page.contains("A flare on Mon 30 Nov: pain 6 before, 8 after."),
        "{page}"
    );
    assert!(page.contains("Pain 8 of 10 on Mon 30 Nov."), "{page}");
    let acks: Vec<String> = page
        .split('"')
        .filter(|w| w.ends_with("/ack"))
        .map(str::to_string)
        .collect();
    assert_eq!(acks.len(), 2, "{page}");
    let (s, _, _) = t.post(&acks[0], &[], Some(&bob), Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not bob's patient");
    let (s, _, _) = t
        .post(&acks[0], &[], Some(&ann), Some("http://evil.example"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    for _ in 0..2 {
        let (s, h, _) = t.post(&acks[0], &[], Some(&ann), Some(ORIGIN)).await;
        assert_eq!(
            (s, h[header::LOCATION].to_str().unwrap()),
            (StatusCode::SEE_OTHER, href.as_str())
        );
    }
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert_eq!(page.matches("/ack\"").count(), 1, "{page}");
    assert!(page.contains("Acknowledged by ann@example.org"), "{page}");
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    assert!(list.contains("1 alert<"), "{list}");
    let about = audited(&t, href.trim_start_matches("/clinic/patients/"));
    let acked = about
        .iter()
        .filter(|l| l.contains("acknowledged alert "))
        .count();
    assert_eq!(acked, 1, "{about:?}");
}

/// On loopback behind an HTTPS reverse proxy, the proxy's `X-Forwarded-Proto: https` is
/// believed: the forms of its `https://` pages are taken and the cookie is `Secure`. From
/// anywhere else the header changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn behind_an_https_proxy_on_loopback_the_forms_are_taken_and_the_cookie_is_secure() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let code = t.invite("ann@example.org");
    let invite = |peer: [u8; 4]| {
        let body = format!(
            "code={code}&email=x&password=correct+horse+battery&again=correct+horse+battery"
        );
        Request::post("/invite")
            .header(header::HOST, HOST)
            .header(header::ORIGIN, "https://127.0.0.1:8422")
            .header("x-forwarded-proto", "https")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .extension(backstretch_web::Peer(std::net::IpAddr::from(peer)))
            .body(Body::from(body))
            .unwrap()
    };
    let (s, _, _) = t.send(invite([192, 0, 2, 7])).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "not from loopback: the header is not believed"
    );
    let (s, h, body) = t.send(invite([127, 0, 0, 1])).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    assert!(cookie(&h).1.contains("; Secure"), "{h:?}");
}

/// Adds a patient for the clinician whose session `cookie` is: the answer.
async fn add_patient(t: &T, cookie: &str, name: &str) -> Answer {
    t.post(
        "/clinic/patients",
        &[("name", name)],
        Some(cookie),
        Some(ORIGIN),
    )
    .await
}

/// A story run as two tests, `sqlite` and `postgres`, in a module named after it.
macro_rules! on_both {
    ($story:ident) => {
        mod $story {
            use super::*;

            #[tokio::test(flavor = "multi_thread")]
            async fn sqlite() {
                let store = Arc::new(SqliteStore::in_memory().unwrap());
                super::$story(over(store, false)).await;
            }

            #[test]
            fn postgres() {
                on_postgres(|t| Box::pin(super::$story(t)));
            }
        }
    };
}

/// The link to a patient's page in a clinician's list.
fn href_of(list: &str, name: &str) -> String {
    list.split("<a href=\"")
        .find(|w| w.contains(&format!(">{name}<")))
        .and_then(|w| w.split('"').next())
        .unwrap_or_else(|| panic!("no link to {name} in {list}"))
        .to_string()
}

/// The code of `secret` now, as the clinician's app shows it; and a code that is none of
/// the ones taken now (this step or one either side).
fn codes(t: &T, secret: &str) -> (String, String) {
    use backstretch_server::totp::code_at;
    let now = t.now().utc_s;
    let right = code_at(secret, now).unwrap();
    let taken: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|d| code_at(secret, now + d).unwrap())
        .collect();
    let wrong = (0..10u32)
        .map(|i| format!("{:06}", (right.parse::<u32>().unwrap() + i + 1) % 1_000_000))
        .find(|c| !taken.contains(c))
        .unwrap();
    (right, wrong)
}

/// Sets up a second factor for the clinician whose session `cookie` is: the secret the
/// setup page shows once (it is on no other page), confirmed with its code.
async fn turn_totp_on(t: &T, cookie: &str) -> String {
    let (s, _, account) = t.get("/account", Some(cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(account.contains("Set up a second factor"), "{account}");
    let (s, _, setup) = t
        .post("/account/totp", &[], Some(cookie), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::OK, "{setup}");
    assert!(setup.contains("<svg"), "a QR code: {setup}");
    let secret: String = setup
        .split("class=\"code\"><strong>")
        .nth(1)
        .and_then(|r| r.split("</strong>").next())
        .unwrap()
        .replace(' ', "");
    assert_eq!(secret.len(), 32, "{setup}");
    let (_, _, again) = t.get("/account", Some(cookie)).await;
    assert!(!again.contains(&secret[..8]), "shown once: {again}");
    let (right, wrong) = codes(t, &secret);
    for (code, why) in [
        ("12ab", "code: the code is the 6 digits"),
        (&*wrong, "code: that is not"),
    ] {
        let form = [("code", code)];
        let (s, _, body) = t
            .post("/account/totp/on", &form, Some(cookie), Some(ORIGIN))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert!(body.contains(why) && !body.contains(&secret[..8]), "{body}");
    }
    let form = [("code", right.as_str())];
    let (s, h, _) = t
        .post("/account/totp/on", &form, Some(cookie), Some(ORIGIN))
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/clinic")
    );
    secret
}

/// Logs in with a password, for an account that asks a code: the waiting login's cookie.
async fn password_then_code_page(t: &T, email: &str) -> String {
    let form = [("email", email), ("password", PASSWORD)];
    let (s, h, _) = t.post("/login", &form, None, Some(ORIGIN)).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/login/code")
    );
    let (waiting, set) = cookie(&h);
    assert!(waiting.starts_with("backstretch_clinic_code="), "{set}");
    assert!(set.contains("HttpOnly; SameSite=Strict"), "{set}");
    let (s, _, page) = t.get("/login/code", Some(&waiting)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("autocomplete=\"one-time-code\""), "{page}");
    let (_, h, _) = t.get("/clinic", Some(&waiting)).await;
    assert_eq!(h[header::LOCATION], "/", "a waiting login is not a session");
    waiting
}

/// Turns the second factor off with a current code (a wrong one is refused): the next
/// login asks no code.
async fn turned_off_with_a_current_code(t: &T, session: &str, secret: &str) {
    // Off, with a current code (a wrong one is refused).
    t.later(30);
    let (right, wrong) = codes(t, secret);
    let (s, _, body) = t
        .post(
            "/account/totp/off",
            &[("code", &wrong)],
            Some(session),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (s, h, _) = t
        .post(
            "/account/totp/off",
            &[("code", &right)],
            Some(session),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/account")
    );
    let form = [("email", "ann@example.org"), ("password", PASSWORD)];
    let (_, h, _) = t.post("/login", &form, None, Some(ORIGIN)).await;
    assert_eq!(
        h[header::LOCATION],
        "/clinic",
        "no code asked once it is off"
    );
}

async fn a_second_factor_is_set_up_asked_at_login_taken_once_and_turned_off(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    let secret = turn_totp_on(t, &ann).await;
    t.post("/logout", &[], Some(&ann), Some(ORIGIN)).await;
    let waiting = password_then_code_page(t, "ann@example.org").await;
    // The code that turned it on was taken: not again, in the same step.
    let (used, wrong) = codes(t, &secret);
    for code in [&used, &wrong] {
        let form = [("code", code.as_str())];
        let (s, _, body) = t
            .post("/login/code", &form, Some(&waiting), Some(ORIGIN))
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{code}");
        assert!(
            body.contains("does not match, or was used already"),
            "{body}"
        );
    }
    let (s, _, _) = t
        .post(
            "/login/code",
            &[("code", &used)],
            Some(&waiting),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    t.later(30);
    let (right, _) = codes(t, &secret);
    let form = [("code", right.as_str())];
    let (s, h, _) = t
        .post("/login/code", &form, Some(&waiting), Some(ORIGIN))
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/clinic")
    );
    let all: Vec<String> = h
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        all.iter()
            .any(|c| c.starts_with("backstretch_clinic_code=;")),
        "{all:?}"
    );
    let session = all
        .iter()
        .find(|c| c.starts_with("backstretch_clinic="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_string();
    assert_eq!(t.get("/clinic", Some(&session)).await.0, StatusCode::OK);
    let (s, _, _) = t
        .post("/login/code", &form, Some(&waiting), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the waiting login was spent");
    turned_off_with_a_current_code(t, &session, &secret).await;
    let audit = t.audit();
    for line in [
        "ann@example.org TOTP refused: wrong code to turn it on",
        "ann@example.org TOTP turned on",
        "ann@example.org password right; TOTP code asked",
        "ann@example.org login refused: TOTP code already used",
        "ann@example.org login refused: wrong TOTP code",
        "ann@example.org login (with a TOTP code)",
        "ann@example.org TOTP refused: wrong code to turn it off",
        "ann@example.org TOTP turned off",
    ] {
        assert!(
            audit.iter().any(|l| l.starts_with(line)),
            "{line} in {audit:?}"
        );
    }
    assert!(!audit.iter().any(|l| l.contains(&secret[..8])), "{audit:?}");
}

on_both!(a_second_factor_is_set_up_asked_at_login_taken_once_and_turned_off);

/// Wrong codes count toward the lockout with wrong passwords: at the limit the account
/// locks, the waiting login ends, and even the right code waits. Without a waiting login
/// the code's page sends the browser to log in.
#[tokio::test(flavor = "multi_thread")]
async fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let t = &over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(t, "ann@example.org").await;
    let secret = turn_totp_on(t, &ann).await;
    t.later(30);
    let form = [
        ("email", "ann@example.org"),
        ("password", "not the password"),
    ];
    t.post("/login", &form, None, Some(ORIGIN)).await;
    let waiting = password_then_code_page(t, "ann@example.org").await;
    let (right, wrong) = codes(t, &secret);
    for n in 2..=MAX_FAILURES {
        let form = [("code", wrong.as_str())];
        let (s, _, body) = t
            .post("/login/code", &form, Some(&waiting), Some(ORIGIN))
            .await;
        let expect = if n < MAX_FAILURES {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::TOO_MANY_REQUESTS
        };
        assert_eq!(s, expect, "failure {n}: {body}");
    }
    let form = [("code", right.as_str())];
    let (s, _, body) = t
        .post("/login/code", &form, Some(&waiting), Some(ORIGIN))
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "the waiting login ended: {body}"
    );
    assert!(body.contains("log in again"), "{body}");
    let login = [("email", "ann@example.org"), ("password", PASSWORD)];
    let (s, _, _) = t.post("/login", &login, None, Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "locked");
    let (_, h, _) = t.get("/login/code", None).await;
    assert_eq!(h[header::LOCATION], "/");
    // A lost phone: the operator turns the second factor off from the console.
    let off = tokio::task::block_in_place(|| {
        backstretch_server::clinic::totp_off_by_operator(&*t.store, "ANN@example.org", t.now())
            .unwrap()
    });
    assert!(off);
    let kept = tokio::task::block_in_place(|| t.store.clinician("ann@example.org").unwrap());
    assert!(!kept.unwrap().totp);
    let audit = t.audit();
    assert!(audit.contains(&"server TOTP turned off for ann@example.org console".to_string()));
}

/// With `--require-totp`, a clinician without a second factor reaches their account page
/// only, until it is set up; then their patients; and it cannot be turned off.
#[tokio::test(flavor = "multi_thread")]
async fn a_practice_that_requires_totp_opens_no_patient_page_before_it_is_set_up() {
    let store: Arc<dyn ServerStore> = Arc::new(SqliteStore::in_memory().unwrap());
    let t = &serving(store, |api| api.with_totp_required(true));
    let ann = logged_in(t, "ann@example.org").await;
    for path in [
        "/clinic",
        "/clinic/patients/00000000000000000000000000000000",
    ] {
        let (s, h, _) = t.get(path, Some(&ann)).await;
        assert_eq!(
            (s, h[header::LOCATION].to_str().unwrap()),
            (StatusCode::SEE_OTHER, "/account"),
            "{path}"
        );
    }
    let (s, _, _) = add_patient(t, &ann, "mk-1985").await;
    assert_eq!(s, StatusCode::SEE_OTHER, "no patient added");
    let (_, _, account) = t.get("/account", Some(&ann)).await;
    assert!(
        account.contains("The practice asks every clinician"),
        "{account}"
    );
    let secret = turn_totp_on(t, &ann).await;
    assert_eq!(t.get("/clinic", Some(&ann)).await.0, StatusCode::OK);
    t.later(30);
    let (code, _) = codes(t, &secret);
    let (s, _, _) = t
        .post(
            "/account/totp/off",
            &[("code", &code)],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let kept = tokio::task::block_in_place(|| t.store.clinician("ann@example.org").unwrap());
    assert!(kept.unwrap().totp, "still on");
    assert!(tokio::task::block_in_place(|| t.store.person("mk-1985").unwrap()).is_none());
}

async fn a_patient_is_shared_by_their_clinician_only(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    let bob = logged_in(t, "bob@example.org").await;
    let carl = logged_in(t, "carl@example.org").await;
    add_patient(t, &ann, "mk-1985").await;
    let href = href_of(&t.get("/clinic", Some(&ann)).await.2, "mk-1985");
    let share = format!("{href}/share");
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(page.contains(&format!("action=\"{share}\"")), "{page}");
    // Not carl's patient: he cannot share it, even with himself; nothing is written.
    let (s, _, body) = t
        .post(
            &share,
            &[("email", "carl@example.org")],
            Some(&carl),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!body.contains("mk-1985"), "{body}");
    let (s, _, _) = t
        .post(
            &share,
            &[("email", "bob@example.org")],
            Some(&ann),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, _) = t
        .post(&share, &[("email", "bob@example.org")], None, Some(ORIGIN))
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/")
    );
    assert!(!t.get("/clinic", Some(&bob)).await.2.contains("mk-1985"));
    for (email, said) in [
        ("bob", "email: `bob` is not an e-mail address"),
        (
            "nobody@example.org",
            "email: no clinician of this practice has the address",
        ),
        (
            "ANN@example.org",
            "email: mk-1985 is already ann@example.org's patient",
        ),
    ] {
        let (s, _, body) = t
            .post(&share, &[("email", email)], Some(&ann), Some(ORIGIN))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(body.contains(said), "{said} in {body}");
    }
    let (s, h, _) = t
        .post(
            &share,
            &[("email", "Bob@Example.org")],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, href.as_str())
    );
    // Bob sees the patient now, and may share too; carl still does not.
    assert!(t.get("/clinic", Some(&bob)).await.2.contains("mk-1985"));
    assert_eq!(t.get(&href, Some(&bob)).await.0, StatusCode::OK);
    assert_eq!(t.get(&href, Some(&carl)).await.0, StatusCode::NOT_FOUND);
    let about = audited(t, href.trim_start_matches("/clinic/patients/"));
    let shared: Vec<&String> = about.iter().filter(|l| l.contains("shared")).collect();
    assert_eq!(
        shared,
        ["ann@example.org shared the patient with bob@example.org"]
    );
    assert!(about.contains(&"carl@example.org refused: not their patient".to_string()));
}

on_both!(a_patient_is_shared_by_their_clinician_only);

/// Everything the server holds about a patient, as one JSON file, to their clinicians only.
async fn everything_held_exports(t: &T, ann: &str, bob: &str, href: &str) {
    let path = format!("{href}/export/gdpr.json");
    let (_, _, page) = t.get(href, Some(ann)).await;
    assert!(page.contains(&path), "{page}");
    let (s, _, body) = t.get(&path, Some(bob)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(!body.contains("mk-session-1"));
    let (s, h, body) = t.get(&path, Some(ann)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/json");
    let disposition = h[header::CONTENT_DISPOSITION].to_str().unwrap();
    assert!(
        disposition.contains("mk-1985-backstretch.gdpr.json"),
        "{disposition}"
    );
    let all: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(all["format"], "backstretch-gdpr-export");
    assert_eq!(all["patient"]["name"], "mk-1985");
    assert_eq!(all["log"]["format"], "backstretch-log");
    assert_eq!(all["log"]["sessions"][0]["uid"], "mk-session-1");
    assert_eq!(all["devices"][0]["name"], "phone");
    assert_eq!(all["alerts"].as_array().unwrap().len(), 2);
    assert_eq!(all["care_team"][0]["clinician"], "ann@example.org");
    let actions: Vec<&str> = all["audit"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"patient added"), "{actions:?}");
    assert_eq!(
        actions.last(),
        Some(&"exported everything held about the patient (GDPR)")
    );
}

async fn a_patient_is_erased_by_their_clinician_only_and_their_phone_is_told(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    let bob = logged_in(t, "bob@example.org").await;
    let token = add_with_phone(t, &ann, "mk-1985").await;
    add_patient(t, &ann, "zz-2001").await;
    let href = href_of(&t.get("/clinic", Some(&ann)).await.2, "mk-1985");
    let id = href.trim_start_matches("/clinic/patients/").to_string();
    everything_held_exports(t, &ann, &bob, &href).await;
    let erase = format!("{href}/erase");
    let confirm = [("confirm", "mk-1985")];
    // Refused: not bob's patient; a form from elsewhere; no session; the wrong label.
    let (s, _, _) = t.post(&erase, &confirm, Some(&bob), Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = t
        .post(&erase, &confirm, Some(&ann), Some("http://evil.example"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, h, _) = t.post(&erase, &confirm, None, Some(ORIGIN)).await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, "/")
    );
    let (s, _, body) = t
        .post(&erase, &[("confirm", "zz-2001")], Some(&ann), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains("confirm: type mk-1985 exactly"), "{body}");
    assert_eq!(
        t.get(&href, Some(&ann)).await.0,
        StatusCode::OK,
        "still there"
    );
    let (s, _, body) = t.post(&erase, &confirm, Some(&ann), Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(
        body.contains("mk-1985 is erased") && body.contains("1 sessions"),
        "{body}"
    );
    // Gone from the pages and the store; the other patient is untouched.
    assert_eq!(t.get(&href, Some(&ann)).await.0, StatusCode::NOT_FOUND);
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    assert!(
        !list.contains("mk-1985") && list.contains("zz-2001"),
        "{list}"
    );
    let user = backstretch_store::UserId::new(&id);
    tokio::task::block_in_place(|| {
        assert!(t.store.person("mk-1985").unwrap().is_none());
        assert!(t.store.event_heads(&user).unwrap().is_empty());
        assert!(t.store.person("zz-2001").unwrap().is_some());
    });
    // The phone is told, in words, when it next syncs.
    let status = Request::get("/api/v1/status")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (s, _, body) = t.send(status).await;
    assert_eq!(s, StatusCode::GONE, "{body}");
    assert!(body.contains("erased at the practice's request"), "{body}");
    // The audit log keeps who erased them, when and from where.
    let lines = tokio::task::block_in_place(|| t.store.audit_about(&user).unwrap());
    let erased = lines
        .iter()
        .map(|(_, e)| e)
        .find(|e| e.action == "erased everything held about the patient (GDPR)")
        .expect("the erasure's line");
    assert_eq!(
        (erased.actor.as_str(), erased.at, erased.from.as_str()),
        ("ann@example.org", t.now(), "unknown")
    );
    assert!(
        !audited(t, &id)
            .iter()
            .any(|l| l.starts_with("bob") && !l.contains("refused"))
    );
}

on_both!(a_patient_is_erased_by_their_clinician_only_and_their_phone_is_told);

/// The venv's python with `fhir.resources` (6.4.0: FHIR R4 4.0.1), or None (skipped, with a
/// note) when it is absent outside CI; scripts/test installs it in target/fhir-venv.
fn fhir_python() -> Option<std::path::PathBuf> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let python = root.join("target/fhir-venv/bin/python");
    if python.exists() {
        return Some(python);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "fhir.resources is required in CI (scripts/test installs it in target/fhir-venv)"
    );
    eprintln!("skipping: no FHIR validator at {}", python.display());
    None
}

/// The clinic's Bundle of a patient with a profile and a session is valid FHIR R4, as the
/// third-party `fhir.resources` parses every resource (scripts/fhir-validate.py), and holds
/// the Patient, the CarePlan, the programme's ServiceRequest, the session's Procedure and
/// its pain scores.
#[tokio::test(flavor = "multi_thread")]
async fn the_clinics_fhir_bundle_is_valid_r4() {
    let Some(python) = fhir_python() else { return };
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    add_with_phone(&t, &ann, "mk-1985").await;
    let href = href_of(&t.get("/clinic", Some(&ann)).await.2, "mk-1985");
    let user = backstretch_store::UserId::new(href.trim_start_matches("/clinic/patients/"));
    use backstretch_core::vocab::{Area, Place};
    let profile = backstretch_core::profile::Profile {
        areas: vec![Area::LowerBack],
        places: vec![Place::Floor],
        ..backstretch_core::profile::Profile::default()
    };
    tokio::task::block_in_place(|| t.store.set_profile(&user, &profile, t.now()).unwrap());
    let (s, _, bundle) = t.get(&format!("{href}/export/fhir.json"), Some(&ann)).await;
    assert_eq!(s, StatusCode::OK);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("clinic.fhir.json");
    std::fs::write(&file, &bundle).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/fhir-validate.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .arg(&file)
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("valid: Patient CarePlan ServiceRequest Procedure Observation Observation"),
        "{said}"
    );
}

/// The value of the hidden `draft` field of a preview.
fn draft_on(page: &str) -> String {
    let start = page.find("name=\"draft\" value=\"").expect("a draft") + 20;
    let raw = &page[start..start + page[start..].find('"').unwrap()];
    raw.replace("&quot;", "\"").replace("&amp;", "&")
}

fn prescribed(t: &T, patient: &str) -> Vec<backstretch_core::care::Prescription> {
    let u = backstretch_store::UserId::new(patient);
    tokio::task::block_in_place(|| t.store.prescriptions(&u).unwrap())
}

/// A clinician prescribes from the planner and by hand, sees what the patient's own rules
/// make of it, prints it and keeps it as a template; what they send is the clinic's next
/// event in the patient's log, which the patient's device pulls. Bad values are refused,
/// naming the field, and nothing is sent.
async fn a_clinician_prescribes_previews_prints_and_keeps_a_template(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    add_with_phone(t, &ann, "mk-1985").await;
    let href = patient_href(t, &ann, "mk-1985").await.0;
    let id = href.trim_start_matches("/clinic/patients/").to_string();
    let (s, _, form) = t.get(&format!("{href}/prescribe"), Some(&ann)).await;
    assert_eq!(s, StatusCode::OK);
    for shown in ["From the planner", "By hand", "No template yet"] {
        assert!(form.contains(shown), "{shown} in {form}");
    }
    let preview = format!("{href}/prescribe/preview");
    let planner = [
        ("how", "planner"),
        ("area", "lower-back"),
        ("place", "floor"),
        ("minutes", "8"),
        ("style", "source"),
        ("per_week", "5"),
        ("note", "Slowly\r\nat first"),
    ];
    let (s, _, page) = t.post(&preview, &planner, Some(&ann), Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(
        page.contains("What mk-1985's devices will play today"),
        "{page}"
    );
    assert!(page.contains("/clinic/figures/"), "figures: {page}");
    let draft = draft_on(&page);
    bad_values_are_refused(t, &href, &ann).await;
    assert!(prescribed(t, &id).is_empty());
    let (s, _, page) = t.get(&format!("{href}/export/sheet.pdf"), Some(&ann)).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "nothing prescribed yet: {page}"
    );
    // Prescribed: the clinic's second event (after its welcome), pulled by the phone.
    let (s, h, _) = t
        .post(
            &format!("{href}/prescribe"),
            &[("draft", &draft)],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, format!("{href}#programme").as_str())
    );
    let p = prescribed(t, &id);
    assert_eq!(
        (p.len(), p[0].per_week, p[0].note.as_str()),
        (1, 5, "Slowly\nat first")
    );
    assert_eq!(p[0].by, "ann@example.org");
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(page.contains("Prescribed by ann@example.org"), "{page}");
    assert!(page.contains("What their devices play today"), "{page}");
    // The sheet of the prescription in force, to print for them.
    let (s, h, pdf) = t.get(&format!("{href}/export/sheet.pdf"), Some(&ann)).await;
    assert_eq!(
        (s, &h[header::CONTENT_TYPE]),
        (
            StatusCode::OK,
            &"application/pdf"
                .parse::<axum::http::HeaderValue>()
                .unwrap()
        )
    );
    assert!(pdf.starts_with("%PDF"));
    // The list: the session of Mon 30 Nov against the five a week prescribed.
    let (_, _, list) = t.get("/clinic", Some(&ann)).await;
    assert!(list.contains("1 day of 5 prescribed"), "{list}");
    let draft = by_hand_printed_and_kept(t, &href, &ann).await;
    assert!(
        audited(t, &id).contains(&"ann@example.org prescribed".to_string()),
        "{:?}",
        audited(t, &id)
    );
    the_phone_pulls_the_prescription(t, &id);
    others_reach_none_of_it(t, &href, &draft).await;
    assert_eq!(prescribed(t, &id).len(), 1, "bob sent nothing");
}

/// Bad values in a prescription's forms: refused with the field named.
async fn bad_values_are_refused(t: &T, href: &str, ann: &str) {
    let preview = format!("{href}/prescribe/preview");
    // Bad values: refused with the field named, nothing sent.
    for (form, field) in [
        (
            vec![
                ("how", "planner"),
                ("place", "floor"),
                ("minutes", "8"),
                ("per_week", "5"),
            ],
            "areas",
        ),
        (
            vec![
                ("how", "planner"),
                ("area", "lower-back"),
                ("place", "floor"),
                ("minutes", "99"),
                ("per_week", "5"),
            ],
            "minutes",
        ),
        (
            vec![
                ("how", "hand"),
                ("pick", "bridge"),
                ("hold.bridge", "0"),
                ("reps.bridge", "5"),
                ("rest.bridge", "5"),
                ("per_week", "5"),
            ],
            "hold",
        ),
        (
            vec![("how", "hand"), ("pick", "nonesuch"), ("per_week", "5")],
            "exercises",
        ),
        (vec![("how", "hand"), ("per_week", "5")], "exercises"),
        (
            vec![
                ("how", "hand"),
                ("pick", "bridge"),
                ("hold.bridge", "10"),
                ("reps.bridge", "5"),
                ("rest.bridge", "5"),
                ("per_week", "15"),
            ],
            "per_week",
        ),
        (
            vec![("how", "template"), ("template", "none such")],
            "template",
        ),
        (vec![("draft", "{\"routine\":1}")], "draft"),
    ] {
        let (s, _, page) = t.post(&preview, &form, Some(ann), Some(ORIGIN)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {page}");
        assert!(page.contains(&format!("{field}: ")), "{field} in {page}");
    }
    let (s, _, page) = t
        .post(
            &format!("{href}/prescribe"),
            &[("draft", "{}")],
            Some(ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
}

/// A prescription chosen by hand, at the doses given: printed, kept as a template and offered
/// again; its draft.
async fn by_hand_printed_and_kept(t: &T, href: &str, ann: &str) -> String {
    let preview = format!("{href}/prescribe/preview");
    // By hand, the doses as given; a sheet to print; kept as a template, offered again.
    let hand = [
        ("how", "hand"),
        ("pick", "pelvic-tilt"),
        ("hold.pelvic-tilt", "7"),
        ("reps.pelvic-tilt", "6"),
        ("rest.pelvic-tilt", "3"),
        ("pick", "cat-camel"),
        ("hold.cat-camel", "5"),
        ("reps.cat-camel", "4"),
        ("rest.cat-camel", "2"),
        ("per_week", "3"),
    ];
    let (s, _, page) = t.post(&preview, &hand, Some(ann), Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("7 s x 6"), "{page}");
    let draft = draft_on(&page);
    let (s, h, pdf) = t
        .post(
            &format!("{href}/prescribe/sheet.pdf"),
            &[("draft", &draft)],
            Some(ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert!(pdf.starts_with("%PDF"));
    let (s, _, page) = t
        .post(
            &format!("{href}/templates"),
            &[("draft", &draft), ("name", "Lower back, week 1")],
            Some(ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let (_, _, form) = t.get(&format!("{href}/prescribe"), Some(ann)).await;
    assert!(
        form.contains("Lower back, week 1 (2 exercises, 3 a week)"),
        "{form}"
    );
    let from_template = [("how", "template"), ("template", "Lower back, week 1")];
    let (s, _, page) = t
        .post(&preview, &from_template, Some(ann), Some(ORIGIN))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(draft_on(&page), draft);
    draft
}

/// The clinic's series as the patient's server copy holds it: the welcome, then the
/// prescription.
fn the_phone_pulls_the_prescription(t: &T, patient: &str) {
    use backstretch_store::UserId;
    let u = UserId::new(patient);
    let events = tokio::task::block_in_place(|| t.store.events(&u, "clinic", 0, 10).unwrap());
    let kinds: Vec<&str> = events.iter().map(|e| e.change.kind()).collect();
    assert_eq!(kinds, ["message", "prescribed"]);
}

/// Another clinician, or none: every care route of ann's patient is refused, and nothing is
/// written.
async fn others_reach_none_of_it(t: &T, href: &str, draft: &str) {
    let bob = logged_in(t, "bob@example.org").await;
    let get = [format!("{href}/prescribe")];
    for path in &get {
        let (s, _, page) = t.get(path, Some(&bob)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
        assert!(!page.contains("mk-1985"), "{page}");
        let (s, _, _) = t.get(path, None).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{path} without a session");
    }
    let posts: [(&str, Vec<(&str, &str)>); 6] = [
        ("/prescribe/preview", vec![("draft", draft)]),
        ("/prescribe", vec![("draft", draft)]),
        ("/prescribe/sheet.pdf", vec![("draft", draft)]),
        ("/templates", vec![("draft", draft), ("name", "bob's")]),
        ("/clear", vec![("sign", "weight-loss")]),
        ("/messages", vec![("text", "hello from bob")]),
    ];
    for (tail, form) in &posts {
        let path = format!("{href}{tail}");
        let (s, _, page) = t.post(&path, form, Some(&bob), Some(ORIGIN)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: {page}");
        let (s, _, _) = t.post(&path, form, None, Some(ORIGIN)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{path} without a session");
        let ann_cookie_elsewhere = t
            .post(&path, form, Some(&bob), Some("http://evil.example"))
            .await;
        assert_eq!(
            ann_cookie_elsewhere.0,
            StatusCode::FORBIDDEN,
            "{path} from elsewhere"
        );
    }
    let names: Vec<String> = tokio::task::block_in_place(|| t.store.templates().unwrap())
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["Lower back, week 1"], "bob's template was not kept");
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_clinician_prescribes_previews_prints_and_keeps_a_template() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    a_clinician_prescribes_previews_prints_and_keeps_a_template(over(store, false)).await;
}

#[test]
fn postgres_a_clinician_prescribes_previews_prints_and_keeps_a_template() {
    on_postgres(|t| {
        Box::pin(a_clinician_prescribes_previews_prints_and_keeps_a_template(
            t,
        ))
    });
}

/// A clinician clears a sign the patient's check reported (never an emergency one) and
/// writes to them; each goes into the patient's log as the clinic's, with their name, and
/// is audited.
#[tokio::test(flavor = "multi_thread")]
async fn a_clinician_clears_a_sign_and_writes_to_the_patient() {
    use backstretch_store::UserId;
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    add_with_phone(&t, &ann, "mk-1985").await;
    let href = patient_href(&t, &ann, "mk-1985").await.0;
    let u = UserId::new(href.trim_start_matches("/clinic/patients/"));
    let check = backstretch_core::safety::Screening {
        at: t.now(),
        areas: vec![backstretch_core::vocab::Area::LowerBack],
        answers: [("weight-loss".to_string(), true)].into_iter().collect(),
        verdict: backstretch_core::safety::ScreeningVerdict::Soon,
        assessed: None,
        since: Default::default(),
    };
    tokio::task::block_in_place(|| t.store.add_screening(&u, &check).unwrap());
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(page.contains("clear them to exercise"), "{page}");
    for (sign, why) in [
        ("bladder-bowel", "cannot be cleared"),
        ("nonesuch", "is not a warning sign"),
    ] {
        let (s, _, page) = t
            .post(
                &format!("{href}/clear"),
                &[("sign", sign)],
                Some(&ann),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{sign}");
        assert!(page.contains(why), "{sign}: {page}");
    }
    t.later(60);
    let (s, _, _) = t
        .post(
            &format!("{href}/clear"),
            &[("sign", "weight-loss")],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let kept = tokio::task::block_in_place(|| t.store.clearances(&u).unwrap());
    assert_eq!(
        (kept.len(), kept[0].by.as_deref()),
        (1, Some("ann@example.org"))
    );
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(page.contains("by ann@example.org."), "{page}");
    for bad in ["", "   ", &"x".repeat(2001)] {
        let (s, _, page) = t
            .post(
                &format!("{href}/messages"),
                &[("text", bad)],
                Some(&ann),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("text: the message"), "{page}");
    }
    let (s, _, _) = t
        .post(
            &format!("{href}/messages"),
            &[("text", "Well done <b>this week</b>")],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, _, page) = t.get(&href, Some(&ann)).await;
    assert!(
        page.contains("Well done &lt;b&gt;this week&lt;/b&gt;"),
        "escaped: {page}"
    );
    let about = audited(&t, u.as_str());
    for line in [
        "ann@example.org cleared sign weight-loss",
        "ann@example.org sent a message",
    ] {
        assert!(about.iter().any(|l| l == line), "{line} in {about:?}");
    }
}

/// The practice's own exercise: checked by the catalogue's validation (a problem is named
/// and nothing kept), kept, offered, and carried by a prescription that uses it.
#[tokio::test(flavor = "multi_thread")]
async fn a_practice_exercise_is_checked_kept_and_carried_by_its_prescription() {
    let t = over(Arc::new(SqliteStore::in_memory().unwrap()), false);
    let ann = logged_in(&t, "ann@example.org").await;
    add_with_phone(&t, &ann, "mk-1985").await;
    let href = patient_href(&t, &ann, "mk-1985").await.0;
    let (s, _, page) = t.get("/clinic/exercises", Some(&ann)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("no exercise of its own yet"), "{page}");
    let bridge = include_str!("../../../catalog/bridge.toml");
    let clash = bridge.replace("id = \"bridge\"", "id = \"wall-bridge\"");
    let ours = clash
        .replace("name = \"Bridge\"", "name = \"Wall bridge\"")
        .replace(
            "aliases = [\"bridges\", \"glute bridge\", \"segmental bridge\"]",
            "aliases = []",
        );
    for (text, why) in [
        ("not toml at all", "is not TOML"),
        (clash.as_str(), "is already an exercise"),
        (
            &ours.replace("position = \"supine\"", "position = \"upside-down\""),
            "position",
        ),
    ] {
        let (s, _, page) = t
            .post(
                "/clinic/exercises",
                &[("toml", text)],
                Some(&ann),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{why}");
        assert!(page.contains(why), "{why} in {page}");
    }
    let (s, _, page) = t
        .post(
            "/clinic/exercises",
            &[("toml", &ours)],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert!(page.contains("wall-bridge"), "{page}");
    let (s, h, svg) = t.get("/clinic/figures/wall-bridge", Some(&ann)).await;
    assert_eq!(
        (s, &h[header::CONTENT_TYPE]),
        (StatusCode::OK, &"image/svg+xml".parse().unwrap())
    );
    assert!(svg.starts_with("<svg"));
    let (_, _, form) = t.get(&format!("{href}/prescribe"), Some(&ann)).await;
    assert!(form.contains("Wall bridge (practice)"), "{form}");
    let hand = [
        ("how", "hand"),
        ("pick", "wall-bridge"),
        ("hold.wall-bridge", "5"),
        ("reps.wall-bridge", "5"),
        ("rest.wall-bridge", "5"),
        ("per_week", "4"),
    ];
    let (_, _, page) = t
        .post(
            &format!("{href}/prescribe/preview"),
            &hand,
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    let (s, _, _) = t
        .post(
            &format!("{href}/prescribe"),
            &[("draft", &draft_on(&page))],
            Some(&ann),
            Some(ORIGIN),
        )
        .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let p = prescribed(&t, href.trim_start_matches("/clinic/patients/"));
    assert_eq!(p[0].practice, [ours]);
}

/// The href of the patient called `name` in the clinician's list; and the list.
async fn patient_href(t: &T, cookie: &str, name: &str) -> (String, String) {
    let (_, _, list) = t.get("/clinic", Some(cookie)).await;
    let href = list
        .split("<a href=\"")
        .find(|w| w.contains(&format!(">{name}<")))
        .and_then(|w| w.split('"').next())
        .unwrap_or_else(|| panic!("no {name} in {list}"))
        .to_string();
    (href, list)
}

/// A clinician with a password logs in again (days later, their session ended); the cookie.
async fn log_in_again(t: &T, email: &str) -> String {
    let form = [("email", email), ("password", PASSWORD)];
    let (s, h, body) = t.post("/login", &form, None, Some(ORIGIN)).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    cookie(&h).0
}

/// What the server's periodic look for quiet patients finds now: how many new alerts.
fn sweep(t: &T) -> usize {
    tokio::task::block_in_place(|| {
        backstretch_server::clinic::raise_quiet_alerts(&*t.store, t.now()).unwrap()
    })
}

/// A patient with no session for their days (3, as their clinician set them; 7 unless set)
/// is alerted once for the stretch, and shows first on the dashboard; a bad number of days is
/// refused, naming the field, and changes nothing; the change is audited.
async fn a_quiet_patient_is_alerted_once_per_stretch_after_their_days(t: T) {
    let t = &t;
    let ann = logged_in(t, "ann@example.org").await;
    // mk-1985's last session was on Mon 30 Nov at 08:00; zz-2001 was added now, Tue 1 Dec.
    add_with_phone(t, &ann, "mk-1985").await;
    let form = [("name", "zz-2001")];
    t.post("/clinic/patients", &form, Some(&ann), Some(ORIGIN))
        .await;
    let (mk, _) = patient_href(t, &ann, "mk-1985").await;
    let (_, _, page) = t.get(&mk, Some(&ann)).await;
    assert!(page.contains("name=\"days\" value=\"7\""), "{page}");
    for bad in ["0", "61", "seven", ""] {
        let (s, _, body) = t
            .post(
                &format!("{mk}/quiet"),
                &[("days", bad)],
                Some(&ann),
                Some(ORIGIN),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(
            body.contains("Days without a session:") && body.contains("from 1 to 60"),
            "{bad}: {body}"
        );
    }
    let path = format!("{mk}/quiet");
    let (s, _, _) = t
        .post(
            &path,
            &[("days", "3")],
            Some(&ann),
            Some("http://evil.example"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, _, page) = t.get(&mk, Some(&ann)).await;
    assert!(
        page.contains("name=\"days\" value=\"7\""),
        "unchanged: {page}"
    );
    let (s, h, _) = t
        .post(&path, &[("days", "3")], Some(&ann), Some(ORIGIN))
        .await;
    assert_eq!(
        (s, h[header::LOCATION].to_str().unwrap()),
        (StatusCode::SEE_OTHER, mk.as_str())
    );
    let about = audited(t, mk.trim_start_matches("/clinic/patients/"));
    let set: Vec<_> = about.iter().filter(|l| l.contains("quiet")).collect();
    assert_eq!(
        set,
        ["ann@example.org set the quiet alert to 3 days"],
        "{about:?}"
    );
    // mk-1985's log is older than their joining, so their days count from then (being added
    // is not a lapse): three days less an hour after, not yet.
    t.later(3 * 86_400 - 3_600);
    assert_eq!(sweep(t), 0);
    t.later(3_600);
    assert_eq!(sweep(t), 1);
    assert_eq!(sweep(t), 0, "once for the stretch");
    let ann = log_in_again(t, "ann@example.org").await;
    let (_, list) = patient_href(t, &ann, "mk-1985").await;
    assert!(
        list.contains("3 alerts") && list.contains("no session for 4 days"),
        "{list}"
    );
    assert!(list.find("mk-1985") < list.find("zz-2001"), "{list}");
    let (_, _, page) = t.get(&mk, Some(&ann)).await;
    assert!(
        page.contains("No session in the 3 days since they were added on Tue 1 Dec."),
        "{page}"
    );
    // zz-2001, never started, is alerted 7 days after being added (their days unchanged).
    t.later(4 * 86_400 - 60);
    assert_eq!(sweep(t), 0);
    t.later(60);
    assert_eq!(sweep(t), 1);
    let ann = log_in_again(t, "ann@example.org").await;
    let (zz, list) = patient_href(t, &ann, "zz-2001").await;
    assert!(
        list.contains("1 alert<") && list.contains("not started"),
        "{list}"
    );
    let (_, _, page) = t.get(&zz, Some(&ann)).await;
    assert!(
        page.contains("No session in the 7 days since they were added on Tue 1 Dec."),
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_a_quiet_patient_is_alerted_once_per_stretch_after_their_days() {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    a_quiet_patient_is_alerted_once_per_stretch_after_their_days(over(store, false)).await;
}

#[test]
fn postgres_a_quiet_patient_is_alerted_once_per_stretch_after_their_days() {
    on_postgres(|t| Box::pin(a_quiet_patient_is_alerted_once_per_stretch_after_their_days(t)));
}
