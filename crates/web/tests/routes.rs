//! Every route through the router (`oneshot`, no socket): what it answers, each bad input,
//! 401 without pairing on `--lan`, 403 for a foreign `Origin`, and the headers every page has.

// A test may walk a whole story in one function; production functions stay under 100 lines.
#![allow(clippy::too_many_lines)]

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use backstretch_core::time::Stamp;
use backstretch_store::SqliteStore;
use backstretch_web::{Pairing, Setup, Shared, router};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const ORIGIN: &str = "http://127.0.0.1:8421";

struct T {
    dir: tempfile::TempDir,
    app: Router,
    pairing: Option<Arc<Pairing>>,
}

fn clock() -> Stamp {
    Stamp::parse("2026-11-22T09:00:00+00:00").unwrap()
}

fn server_with(lan: bool) -> T {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("backstretch.sqlite")).unwrap();
    let pairing = lan.then(|| Arc::new(Pairing::load(&dir.path().join("serve/devices"))));
    let origins = if lan {
        vec!["https://127.0.0.2:8421".to_string()]
    } else {
        vec![ORIGIN.to_string(), "http://localhost:8421".to_string()]
    };
    let app = router(Shared::new(Setup {
        store: Arc::new(store),
        catalog: backstretch_core::catalog::builtin().catalog,
        clock: Arc::new(clock),
        pairing: pairing.clone(),
        origins,
        after_session: None,
    }));
    T { dir, app, pairing }
}

fn server() -> T {
    server_with(false)
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Res {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |l| l.to_str().unwrap())
    }
    fn header(&self, h: header::HeaderName) -> &str {
        self.headers.get(h).map_or("", |l| l.to_str().unwrap())
    }
}

impl T {
    /// Sends `req` with the `Host` a browser sends (unless it has one, or is marked to have none).
    async fn send(&self, mut req: Request<Body>) -> Res {
        if !req.headers().contains_key(header::HOST) {
            let host = if self.pairing.is_some() {
                "127.0.0.2:8421"
            } else {
                "127.0.0.1:8421"
            };
            req.headers_mut()
                .insert(header::HOST, header::HeaderValue::from_static(host));
        }
        self.send_as_is(req).await
    }
    async fn send_as_is(&self, req: Request<Body>) -> Res {
        let r = self.app.clone().oneshot(req).await.unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let bytes = r.into_body().collect().await.unwrap().to_bytes();
        Res {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }
    async fn get(&self, path: &str) -> Res {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }
    async fn post_form(&self, path: &str, form: &str) -> Res {
        self.send(
            Request::post(path)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_string()))
                .unwrap(),
        )
        .await
    }
    async fn json(&self, method: &str, path: &str, body: Value) -> Res {
        self.send(
            Request::builder()
                .method(method)
                .uri(path)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }
    async fn raw(&self, path: &str, body: &str) -> Res {
        self.send(
            Request::post(path)
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// Through the first run: disclaimer, profile, and a check with no warning sign.
    async fn ready(&self) {
        assert_eq!(
            self.post_form("/welcome", "").await.status,
            StatusCode::SEE_OTHER
        );
        let r = self
            .json(
                "PUT",
                "/api/profile",
                json!({"areas": ["lower-back", "neck"], "places": ["floor", "chair"], "minutes": 5}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let r = self.screen(&[]).await;
        assert_eq!(r.json()["verdict"], "clear", "{}", r.body);
    }

    /// Answers the check as it stands: yes to `yes`, no to every other question asked.
    async fn screen(&self, yes: &[&str]) -> Res {
        let qs = self.get("/api/safety/check").await.json();
        let answers: serde_json::Map<String, Value> = qs
            .as_array()
            .unwrap()
            .iter()
            .map(|q| {
                let id = q["id"].as_str().unwrap().to_string();
                let y = yes.contains(&id.as_str());
                (id, Value::Bool(y))
            })
            .collect();
        self.json("POST", "/api/safety", json!({ "answers": answers }))
            .await
    }

    async fn begin(&self) -> (i64, Value) {
        let r = self
            .json("POST", "/api/sessions", json!({"pain_before": 4}))
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        let v = r.json();
        (v["id"].as_i64().unwrap(), v)
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("backstretch.sqlite")
    }
}

fn step_body(report: u32, step: u32) -> Value {
    json!({"report": report, "step": step, "outcome": "done", "done_ms": 1000, "at": "2026-11-22T09:01:00+00:00"})
}

#[tokio::test]
async fn the_first_run_leads_through_every_gate_to_today() {
    let t = server();
    let r = t.get("/").await;
    assert_eq!((r.status, r.location()), (StatusCode::SEE_OTHER, "/today"));
    assert_eq!(t.get("/today").await.location(), "/welcome");
    let w = t.get("/welcome").await;
    assert_eq!(w.status, StatusCode::OK);
    assert!(w.body.contains("not medical advice"), "{}", w.body);
    assert!(w.body.contains("action=\"/welcome\""));
    // Short steps, and the length of the check said honestly.
    assert!(
        w.body.contains("Step 1 of 3") && w.body.contains("Step 3: 25 to "),
        "{}",
        w.body
    );
    assert!(!w.body.contains("a few yes-or-no"), "{}", w.body);
    assert_eq!(t.post_form("/welcome", "").await.location(), "/today");
    assert_eq!(t.get("/today").await.location(), "/profile");
    assert_eq!(t.get("/play").await.location(), "/profile");
    assert_eq!(
        t.get("/check").await.location(),
        "/profile",
        "areas come first"
    );
    let form = t.get("/profile").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(
        form.body.contains("Step 2 of 3") && form.body.contains("> Lower back</label>"),
        "{}",
        form.body
    );
    // Regression (issue 32): the page's order, not the ticking order, made neck the main
    // area. With more than one area, which hurts most is asked, not guessed.
    let r = t
        .post_form(
            "/profile",
            "areas=neck&areas=lower-back&primary=&places=floor&minutes=5&goal=3%2Fweek&style=source",
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"primary-error\""), "{}", r.body);
    assert!(
        t.get("/api/profile").await.json().is_null(),
        "nothing saved"
    );
    let r = t
        .post_form(
            "/profile",
            "areas=neck&areas=lower-back&primary=lower-back&places=floor&minutes=5&goal=3%2Fweek&style=source",
        )
        .await;
    assert_eq!(r.location(), "/check", "{}", r.body);
    let p = t.get("/api/profile").await.json();
    assert_eq!(
        p["areas"],
        json!(["lower-back", "neck"]),
        "the primary first"
    );
    assert_eq!(p["goal"], json!("3/week"));
    // The saved primary is shown as chosen; a new form offers none until one is chosen.
    assert!(
        t.get("/profile")
            .await
            .body
            .contains("<option value=\"lower-back\" selected>")
    );
    assert!(
        server()
            .get("/profile")
            .await
            .body
            .contains("<option value=\"\" selected>")
    );
    assert_eq!(t.get("/today").await.location(), "/check");
    // The questions come seven at a time, the answers so far carried along; every part says
    // where it is, and the first says how many there are.
    let radios = |body: &str| -> Vec<String> {
        let mut ids: Vec<String> = body
            .split("type=\"radio\" name=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_string())
            .collect();
        ids.dedup();
        ids
    };
    let mut part = t.get("/check").await;
    assert_eq!(part.status, StatusCode::OK);
    assert!(
        part.body
            .contains("yes-or-no questions about warning signs for your lower back and neck"),
        "{}",
        part.body
    );
    let mut ids = Vec::new();
    loop {
        let shown = radios(&part.body);
        assert!(!shown.is_empty() && shown.len() <= 7, "{}", part.body);
        assert!(
            part.body.contains(&format!(
                "Questions {} to {} of",
                ids.len() + 1,
                ids.len() + shown.len()
            )),
            "{}",
            part.body
        );
        ids.extend(shown);
        if part.body.contains(">Done</button>") {
            break;
        }
        let sent: Vec<String> = ids.iter().map(|i| format!("{i}=no")).collect();
        part = t
            .post_form("/check", &format!("step=1&{}", sent.join("&")))
            .await;
        assert_eq!(part.status, StatusCode::OK, "{}", part.body);
    }
    assert!(ids.len() > 20, "{ids:?}");
    // One question left unanswered (the whole form at once, as a script might send it):
    // 422, nothing recorded.
    let partial: Vec<String> = ids.iter().skip(1).map(|i| format!("{i}=no")).collect();
    let r = t.post_form("/check", &partial.join("&")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("no answer to"), "{}", r.body);
    let all: Vec<String> = ids.iter().map(|i| format!("{i}=no")).collect();
    assert_eq!(
        t.post_form("/check", &all.join("&")).await.location(),
        "/today"
    );
    let today = t.get("/today").await;
    assert_eq!(today.status, StatusCode::OK);
    assert!(today.body.contains("href=\"/play\""));
    assert!(today.body.contains("/figures/"), "figures in the routine");
    assert!(today.body.contains("From &quot;"), "sources cited");
    let play = t.get("/play").await;
    assert_eq!(play.status, StatusCode::OK);
    assert!(play.body.contains("/static/player.js"));
    assert!(play.body.contains("aria-label=\"10 out of 10\""));
    // The player's words agree with the light (issue 28, item 14).
    assert!(
        play.body
            .contains("Stop if it is sharper, or worse than when you started")
    );
    assert!(play.body.contains("It hurts") && play.body.contains("sharper or worse"));
    assert!(!play.body.contains("Stop if it hurts"));
}

#[tokio::test]
async fn a_warning_sign_stops_every_plan_until_checked_again() {
    let t = server();
    t.ready().await;
    let r = t.screen(&["saddle-numbness"]).await;
    assert_eq!(r.json()["verdict"], "emergency");
    assert_eq!(
        r.json()["stopped"],
        true,
        "the check ends at an emergency answer"
    );
    let today = t.get("/today").await;
    assert!(
        today.body.contains("answer the questions again"),
        "{}",
        today.body
    );
    assert!(!today.body.contains("href=\"/play\""));
    let r = t.get("/api/plan").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["gate"], "flagged");
    let r = t.json("POST", "/api/sessions", json!({})).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(
        t.get("/play")
            .await
            .body
            .contains("answer the questions again")
    );
    // After an emergency answer, the form must first say whether the person was assessed.
    let r = t.post_form("/check", "saddle-numbness=yes").await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "every question must be answered"
    );
}

/// Regression: `POST /api/safety` with `{}` or no answers recorded "no warning signs", even
/// after an emergency answer. Every question asked needs an answer; within a day of an
/// emergency, only "assessed since" lets a check go on.
#[tokio::test]
async fn the_check_needs_every_answer_and_holds_after_an_emergency() {
    let t = server();
    t.ready().await;
    for body in [json!({}), json!([]), json!({"answers": {}})] {
        let r = t.json("POST", "/api/safety", body.clone()).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {}",
            r.body
        );
    }
    let r = t.json("POST", "/api/safety", json!({"answers": {}})).await;
    assert_eq!(r.json()["field"], "answers", "{}", r.body);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("saddle-numbness"),
        "{}",
        r.body
    );
    assert_eq!(
        t.screen(&["saddle-numbness"]).await.json()["verdict"],
        "emergency"
    );
    // The page asks about the assessment alone first.
    let page = t.get("/check").await;
    assert!(
        page.body.contains("have you been assessed"),
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("<fieldset").count(), 1, "{}", page.body);
    // "No" to everything, not assessed: the block holds.
    let r = t.screen(&[]).await;
    assert_eq!(r.json()["verdict"], "emergency", "{}", r.body);
    assert_eq!(t.get("/api/plan").await.json()["gate"], "flagged");
    let r = t.post_form("/check", "assessed=no").await;
    assert!(r.body.contains("Seek emergency care now"), "{}", r.body);
    // Assessed: the next page asks the signs, the emergency one as new or worse since.
    let r = t.post_form("/check", "assessed=yes").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.contains("since you were assessed today"),
        "{}",
        r.body
    );
    assert!(
        r.body.contains("name=\"assessed\" value=\"yes\""),
        "{}",
        r.body
    );
    let r = t.screen(&["assessed"]).await;
    assert_eq!(r.json()["verdict"], "clear", "{}", r.body);
    assert_eq!(t.get("/api/plan").await.status, StatusCode::OK);
}

/// The web records a clinician's clearance, and shows advice answers as worth knowing.
#[tokio::test]
async fn the_web_records_a_clearance_and_shows_what_is_worth_knowing() {
    let t = server();
    t.ready().await;
    t.screen(&["weight-loss"]).await;
    let today = t.get("/today").await;
    assert!(
        today.body.contains("action=\"/check/clear\""),
        "{}",
        today.body
    );
    assert!(
        today.body.contains("A clinician has cleared me"),
        "{}",
        today.body
    );
    let r = t.post_form("/check/clear", "sign=weight-loss").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(t.get("/api/plan").await.status, StatusCode::OK);
    // An emergency sign cannot be cleared.
    let r = t
        .json(
            "POST",
            "/api/safety/clear",
            json!({"sign": "saddle-numbness"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    // Advice answers are shown, in the API and on the page.
    let r = t.screen(&["cancer-past"]).await;
    assert_eq!(r.json()["verdict"], "clear");
    assert!(
        r.json()["worth_knowing"][0]
            .as_str()
            .unwrap()
            .starts_with("Worth knowing")
    );
    let qs = t.get("/api/safety/check").await.json();
    let form: Vec<String> = qs
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let id = q["id"].as_str().unwrap();
            format!("{id}={}", if id == "cancer-past" { "yes" } else { "no" })
        })
        .collect();
    let r = t.post_form("/check", &form.join("&")).await;
    assert!(
        r.body.contains("Worth knowing (a past cancer)"),
        "{}",
        r.body
    );
}

/// Plans are reused while the log stays the same; a change through the API, or by another
/// program on the same file (the terminal), is seen at once.
#[tokio::test]
async fn a_plan_is_never_served_stale() {
    let t = server();
    t.ready().await;
    let first = t.get("/api/plan").await.json();
    assert_eq!(first["profile"]["minutes"], 5);
    assert_eq!(t.get("/api/plan").await.json(), first);
    let r = t
        .json(
            "PUT",
            "/api/profile",
            json!({"areas": ["lower-back", "neck"], "places": ["floor", "chair"], "minutes": 7}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(t.get("/api/plan").await.json()["profile"]["minutes"], 7);
    // The terminal, on the same file.
    let other = SqliteStore::open(&t.db()).unwrap();
    let mut p = backstretch_store::Store::profile(&other, &backstretch_store::UserId::local())
        .unwrap()
        .unwrap();
    p.minutes = 9;
    backstretch_store::Store::set_profile(&other, &backstretch_store::UserId::local(), &p, clock())
        .unwrap();
    assert_eq!(t.get("/api/plan").await.json()["profile"]["minutes"], 9);
}

#[tokio::test]
async fn spreading_symptoms_in_a_session_stop_every_plan() {
    let t = server();
    t.ready().await;
    assert_eq!(t.get("/api/plan").await.status, StatusCode::OK);
    let r = t.json("POST", "/api/safety/spreading", json!({})).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.json()["message"]
            .as_str()
            .unwrap()
            .contains("see a doctor")
    );
    let r = t.get("/api/plan").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["gate"], "flagged");
}

#[tokio::test]
async fn the_profile_form_says_what_is_wrong_next_to_the_field() {
    let t = server();
    for (form, field, words) in [
        (
            "places=floor&minutes=5",
            "areas",
            "choose at least one area",
        ),
        (
            "areas=neck&minutes=5",
            "places",
            "choose at least one place",
        ),
        (
            "areas=neck&places=floor&minutes=0",
            "minutes",
            "0 minutes is not",
        ),
        (
            "areas=neck&places=floor&minutes=ten",
            "minutes",
            "<code>ten</code> is not a number",
        ),
        (
            "areas=neck&places=roof&minutes=5",
            "places",
            "unknown place <code>roof</code>",
        ),
        (
            "areas=neck&places=floor&minutes=5&goal=9%2Fweek",
            "goal",
            "9",
        ),
    ] {
        let r = t.post_form("/profile", form).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{form}: {}",
            r.location()
        );
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{form}: {}",
            r.body
        );
        assert!(r.body.contains(words), "{form}: {}", r.body);
        assert!(
            !r.body.contains('`'),
            "no terminal marks on a page: {}",
            r.body
        );
    }
    assert_eq!(t.get("/api/profile").await.body, "null", "nothing saved");
    let r = t
        .send(
            Request::post("/profile")
                .header(header::ORIGIN, ORIGIN)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "not a form");
}

#[tokio::test]
async fn the_api_serves_the_cli_shapes_and_refuses_bad_values() {
    let t = server();
    let r = t.get("/api/plan").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["gate"], "disclaimer");
    let d = t.get("/api/disclaimer").await.json();
    assert_eq!(d["accepted"], false);
    assert_eq!(
        t.json("POST", "/api/disclaimer", json!({})).await.json()["accepted"],
        true
    );
    assert_eq!(t.get("/api/plan").await.json()["gate"], "profile");
    assert_eq!(t.get("/api/profile").await.body, "null");
    for (body, field) in [
        (
            json!({"areas": ["elbow"], "places": ["floor"], "minutes": 5}),
            "areas",
        ),
        (
            json!({"areas": ["neck"], "places": [], "minutes": 5}),
            "places",
        ),
        (
            json!({"areas": ["neck"], "places": ["chair"], "minutes": 500}),
            "minutes",
        ),
        (
            json!({"areas": ["neck"], "places": ["chair"], "minutes": 5, "goal": "hourly"}),
            "goal",
        ),
        (
            json!({"areas": ["neck"], "places": ["chair"], "minutes": 5, "style": "wild"}),
            "style",
        ),
    ] {
        let r = t.json("PUT", "/api/profile", body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["field"], field, "{body}");
    }
    let r = t
        .json("PUT", "/api/profile", json!({"areas": "neck"}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.json()["error"].as_str().unwrap().contains("invalid type"));
    assert_eq!(
        t.raw("/api/safety", "{not json").await.status,
        StatusCode::BAD_REQUEST
    );
    let r = t
        .json(
            "PUT",
            "/api/profile",
            json!({"areas": ["neck"], "places": ["chair"], "minutes": 5}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["screening_due"], true);
    assert_eq!(t.get("/api/plan").await.json()["gate"], "screening");
    let r = t
        .json(
            "POST",
            "/api/safety",
            json!({"answers": {"no-such-sign": true}}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = t.screen(&[]).await;
    assert_eq!(r.json()["verdict"], "clear");

    let plan = t.get("/api/plan").await;
    assert_eq!(plan.status, StatusCode::OK);
    let p = plan.json();
    assert!(p["items"].as_array().unwrap().len() >= 2);
    assert!(p["exhaustive"].is_boolean() && p["alternatives"].is_number());
    let p = t
        .get("/api/plan?areas=neck&places=chair&minutes=3&style=standard")
        .await
        .json();
    assert_eq!(p["profile"]["places"], json!(["chair"]));
    for (q, field) in [
        ("minutes=0", "minutes"),
        ("areas=elbow", "areas"),
        ("places=roof", "places"),
        ("style=wild", "style"),
        // Regression: an empty list here panicked the handler.
        ("style=,", "style"),
        ("style=long,short", "style"),
        ("minutes=ten", "query"),
        ("colour=red", "query"),
    ] {
        let r = t.get(&format!("/api/plan?{q}")).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(r.json()["field"], field, "{q}");
    }
    let list = t.get("/api/catalog").await.json();
    assert!(list.as_array().unwrap().len() >= 15);
    assert!(
        list[0].get("steps").is_none(),
        "the list is brief, as `catalog list`"
    );
    let one = t.get("/api/catalog/childs-pose").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.json()["steps"].is_array());
    let r = t.get("/api/catalog/moonwalk").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json()["error"].as_str().unwrap().contains("moonwalk"));
    let q = t.get("/api/safety").await.json();
    assert!(
        q.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == "saddle-numbness")
    );
    assert_eq!(t.get("/api/history").await.json(), json!([]));
    assert_eq!(t.get("/api/stats").await.json()["sessions"], 0);
    let r = t.get("/api/nothing-here").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.json()["error"].is_string());
}

/// Regression (issue 32): Progress and History disagreed about a stopped session. One rule
/// (`core::stats::counts`: half the planned holding done) says whether it counts; History
/// says so of each session, and Progress counts the same ones.
#[tokio::test]
async fn progress_counts_the_sessions_history_says_count() {
    let t = server();
    t.ready().await;
    let stop = json!({"pain_after": 3, "ending": "stopped", "at": "2026-11-22T09:05:00+00:00"});
    // Stopped before any exercise.
    let (first, _) = t.begin().await;
    let r = t
        .json(
            "POST",
            &format!("/api/sessions/{first}/finish"),
            stop.clone(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Stopped once every step was done but the last: most of the holding was done.
    let (second, begun) = t.begin().await;
    let steps = begun["timeline"]["steps"].as_array().unwrap();
    for (i, s) in steps.iter().enumerate().take(steps.len() - 2) {
        let n = u32::try_from(i).unwrap();
        let mut body = step_body(n, n);
        body["done_ms"] = json!(s["seconds"].as_u64().unwrap() * 1000);
        let url = format!("/api/sessions/{second}/steps");
        let r = t.json("POST", &url, body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    }
    let r = t
        .json("POST", &format!("/api/sessions/{second}/finish"), stop)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = t.get("/history").await.body;
    assert!(
        history.contains("Stopped early, under half the holding: not counted"),
        "{history}"
    );
    assert!(history.contains(": counts</td>"), "{history}");
    let progress = t.get("/progress").await.body;
    assert!(
        progress.contains("<dt>Sessions that count</dt><dd>1</dd>"),
        "{progress}"
    );
}

/// Issue 35: a reported step may carry what the person said of an exercise (a bad word is a
/// 422 naming the field); `/programme` shows the programme, and its review form takes only
/// "accept" or "easier".
#[tokio::test]
async fn a_rating_rides_on_a_step_and_the_programme_answers() {
    let t = server();
    t.ready().await;
    let (id, begun) = t.begin().await;
    let exercise = begun["timeline"]["steps"][0]["exercise_id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/api/sessions/{id}/steps");
    let mut body = step_body(0, 0);
    body["rating"] = json!({"exercise": exercise, "effort": "so-so"});
    let r = t.json("POST", &url, body.clone()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["field"], "rating.effort", "{}", r.body);
    body["rating"] = json!({"exercise": "walking-on-the-moon", "effort": "too-hard"});
    let r = t.json("POST", &url, body.clone()).await;
    assert_eq!(r.status.as_u16() / 100, 4, "{}", r.body);
    body["rating"] = json!({"exercise": exercise, "effort": "too-hard"});
    let r = t.json("POST", &url, body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    let page = t.get("/programme").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The last four weeks"), "{}", page.body);
    let bad = t.post_form("/programme/review", "answer=maybe").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("Carry on"), "{}", bad.body);
    let ok = t.post_form("/programme/review", "answer=easier").await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    assert_eq!(ok.location(), "/programme");
    assert!(
        t.get("/programme")
            .await
            .body
            .contains("An easier week, as you asked")
    );
}

#[tokio::test]
async fn a_session_is_logged_step_by_step_once_each() {
    let t = server();
    t.ready().await;
    let (id, begun) = t.begin().await;
    let steps = begun["timeline"]["steps"].as_array().unwrap();
    assert!(steps.len() > 3);
    assert!(begun["cues"].as_array().unwrap().len() >= steps.len() - 1);
    assert_eq!(begun["phases"]["hold"], "Hold");
    let steps_url = format!("/api/sessions/{id}/steps");
    let r = t.json("POST", &steps_url, step_body(0, 0)).await;
    assert_eq!(
        (r.status, r.json()["logged"].clone()),
        (StatusCode::CREATED, json!(true))
    );
    // The same report again (a retry): not logged twice.
    let r = t.json("POST", &steps_url, step_body(0, 0)).await;
    assert_eq!(
        (r.status, r.json()["logged"].clone()),
        (StatusCode::OK, json!(false))
    );
    // The same step played again after "back" is a new report (it ends later).
    let mut again = step_body(1, 0);
    again["at"] = json!("2026-11-22T09:01:20+00:00");
    assert_eq!(
        t.json("POST", &steps_url, again).await.status,
        StatusCode::CREATED
    );
    // Another report of the very same moment is that moment again: kept once, so the log's
    // export always imports.
    let r = t.json("POST", &steps_url, step_body(2, 0)).await;
    assert_eq!(
        (r.status, r.json()["logged"].clone()),
        (StatusCode::OK, json!(false))
    );
    for (body, field) in [
        (
            json!({"report": 9, "step": 9999, "outcome": "done", "done_ms": 0, "at": "2026-11-22T09:01:00+00:00"}),
            "step",
        ),
        (
            json!({"report": 9, "step": 1, "outcome": "meh", "done_ms": 0, "at": "2026-11-22T09:01:00+00:00"}),
            "outcome",
        ),
        (
            json!({"report": 9, "step": 1, "outcome": "done", "done_ms": 0, "at": "yesterday"}),
            "at",
        ),
        (
            json!({"report": 9, "step": 1, "outcome": "done", "done_ms": 99_999_999, "at": "2026-11-22T09:01:00+00:00"}),
            "done_ms",
        ),
        (
            json!({"report": 9, "step": 1, "outcome": "done", "done_ms": 0, "at": "2026-11-23T09:01:00+00:00"}),
            "at",
        ),
    ] {
        let r = t.json("POST", &steps_url, body.clone()).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(r.json()["field"], field, "{body}");
    }
    let r = t.json("POST", &steps_url, json!({"report": -1})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        t.json("POST", "/api/sessions/999/steps", step_body(0, 0))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        t.json("POST", "/api/sessions/abc/steps", step_body(0, 0))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    let finish_url = format!("/api/sessions/{id}/finish");
    let r = t
        .json(
            "POST",
            &finish_url,
            json!({"pain_after": 12, "ending": "completed", "at": "2026-11-22T09:05:00+00:00"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "pain_after");
    let r = t
        .json(
            "POST",
            &finish_url,
            json!({"pain_after": 3, "ending": "abandoned", "at": "2026-11-22T09:05:00+00:00"}),
        )
        .await;
    assert_eq!(r.json()["field"], "ending");
    let done = json!({"pain_after": 3, "ending": "completed", "at": "2026-11-22T09:05:00+00:00"});
    let r = t.json("POST", &finish_url, done.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let first = r.json();
    assert!(
        first["text"]
            .as_str()
            .unwrap()
            .contains("Pain went from 4 to 3 out of 10."),
        "{first}"
    );
    assert!(!first["text"].as_str().unwrap().contains("->"), "{first}");
    // Finishing again (a retry) changes nothing and says the same.
    let again = t
        .json(
            "POST",
            &finish_url,
            json!({"pain_after": 9, "ending": "stopped", "at": "2026-11-22T09:06:00+00:00"}),
        )
        .await;
    assert_eq!(again.json(), first);
    let h = t.get("/api/history").await.json();
    assert_eq!(h.as_array().unwrap().len(), 1);
    assert_eq!(h[0]["pain_after"], 3);
    assert_eq!(h[0]["outcome"], "completed");
    // Completed with its one hold skipped: under half the holding, so it does not count
    // (`core::stats::counts`).
    assert_eq!(t.get("/api/stats").await.json()["sessions"], 0);
    // The log, read directly: two rows, both for step 0.
    assert_eq!(rusqlite_count(&t.db(), id), 2);
    // History and progress pages show it, with both charts.
    assert!(t.get("/history").await.body.contains("4 → 3"));
    let p = t.get("/progress").await;
    assert!(p.body.contains("/charts/pain.svg") && p.body.contains("/charts/adherence.svg"));
    for c in ["/charts/pain.svg", "/charts/adherence.svg"] {
        let r = t.get(c).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.header(header::CONTENT_TYPE), "image/svg+xml");
        assert!(r.body.starts_with("<svg"));
    }
    assert_eq!(
        t.get("/charts/mood.svg").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Counts a session's step rows with the sqlite3 tool, as a person inspecting the file would.
fn rusqlite_count(db: &std::path::Path, id: i64) -> usize {
    let out = std::process::Command::new("sqlite3")
        .arg(db)
        .arg(format!(
            "SELECT count(*) FROM session_steps WHERE session_id = {id}"
        ))
        .output()
        .expect("sqlite3 is installed by scripts/test");
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

#[tokio::test]
async fn high_pain_offers_only_the_gentlest_moves() {
    let t = server();
    t.ready().await;
    let r = t
        .json("POST", "/api/sessions", json!({"pain_before": 11}))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["field"], "pain_before");
    let r = t
        .json("POST", "/api/sessions", json!({"pain_before": 9}))
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.json()["gate"], "high-pain");
    assert!(r.json()["error"].as_str().unwrap().contains("9 out of 10"));
    assert_eq!(
        t.get("/api/history").await.json(),
        json!([]),
        "nothing begun"
    );
    let r = t
        .json(
            "POST",
            "/api/sessions",
            json!({"pain_before": 9, "gentlest": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    // At high pain, "sharper or worse" ends the session (clinical review 2).
    assert_eq!(r.json()["hurt_ends"], true, "{}", r.body);
    assert!(
        r.json()["hurt_ends_text"]
            .as_str()
            .unwrap()
            .contains("Rest")
    );
    let r = t
        .json("POST", "/api/sessions", json!({"pain_before": 3}))
        .await;
    assert_eq!(r.json()["hurt_ends"], false, "{}", r.body);
    let r = t.json("POST", "/api/sessions", json!({"pain": 3})).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown field");
}

#[tokio::test]
async fn pages_for_exercises_figures_print_and_assets() {
    let t = server();
    let list = t.get("/exercises").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("href=\"/exercises/childs-pose\""));
    // Where each comes from: a page by its title, or evidence with its year.
    assert!(list.body.contains("From &quot;"), "a page's title");
    assert!(list.body.contains("Jull et al., Spine, 2002"), "evidence");
    let one = t.get("/exercises/childs-pose").await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains("<ol>") && one.body.contains("From &quot;"));
    assert_eq!(
        t.get("/exercises/moonwalk").await.status,
        StatusCode::NOT_FOUND
    );
    for f in ["/figures/childs-pose.svg", "/figures/childs-pose-still.svg"] {
        let r = t.get(f).await;
        assert_eq!(r.status, StatusCode::OK, "{f}");
        assert_eq!(r.header(header::CONTENT_TYPE), "image/svg+xml");
    }
    assert!(
        t.get("/figures/childs-pose.svg")
            .await
            .body
            .contains("<animate")
    );
    assert_eq!(
        t.get("/figures/moonwalk.svg").await.status,
        StatusCode::NOT_FOUND
    );
    // The exercise page shows each variant with its own figure and steps.
    let lev = t.get("/exercises/levator-scapulae-stretch").await;
    assert!(
        lev.body.contains("Seated: sitting on a chair")
            && lev
                .body
                .contains("/figures/levator-scapulae-stretch.svg?variant=seated")
            && lev.body.contains("Hold the side of the seat"),
        "{}",
        lev.body
    );
    // A variant's figure, and a clear 404 for a variant that does not exist.
    let seated = t
        .get("/figures/levator-scapulae-stretch-still.svg?variant=seated")
        .await;
    assert_eq!(seated.status, StatusCode::OK);
    assert_ne!(
        seated.body,
        t.get("/figures/levator-scapulae-stretch-still.svg")
            .await
            .body
    );
    let none = t
        .get("/figures/levator-scapulae-stretch.svg?variant=lying")
        .await;
    assert_eq!(none.status, StatusCode::NOT_FOUND);
    assert!(none.body.contains("it has seated"), "{}", none.body);
    assert_eq!(
        t.get("/figures/bridge.svg?colour=red").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // For someone with a bed and no floor, the bridge is drawn on a bed, not a mat.
    let (mat, bed) = (
        t.get("/figures/bridge-still.svg").await.body,
        t.get("/figures/bridge-still.svg?place=bed").await.body,
    );
    assert!(
        mat.contains("#99f6e4") && !mat.contains("rx=\"6\""),
        "a mat"
    );
    assert!(
        !bed.contains("#99f6e4") && bed.contains("rx=\"6\""),
        "a mattress"
    );
    let roof = t.get("/figures/bridge.svg?place=roof").await;
    assert_eq!(roof.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(roof.body.contains("place"), "{}", roof.body);
    assert_eq!(
        t.get("/figures/childs-pose.png").await.status,
        StatusCode::NOT_FOUND
    );
    for (path, kind) in [
        ("/static/app.css", "text/css"),
        ("/static/app.js", "text/javascript"),
        ("/static/player.js", "text/javascript"),
        ("/static/icon.svg", "image/svg+xml"),
        ("/sw.js", "text/javascript"),
        ("/manifest.webmanifest", "application/manifest+json"),
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        assert!(r.header(header::CONTENT_TYPE).starts_with(kind), "{path}");
    }
    assert_eq!(t.get("/static/evil.js").await.status, StatusCode::NOT_FOUND);
    let r = t.get("/no/such/page").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<h1>Not found</h1>"));
    // Print: behind the same gates, then a sheet with its own strict policy.
    assert_eq!(t.get("/print").await.location(), "/welcome");
    t.ready().await;
    let p = t.get("/print?weeks=1&paper=letter").await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("@page"), "the sheet's print styles");
    assert!(
        p.header(header::CONTENT_SECURITY_POLICY)
            .contains("default-src 'none'")
    );
    assert!(!p.body.contains("<script"));
    assert_eq!(
        t.get("/print?weeks=9").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        t.get("/print?paper=a3").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        t.get("/print?colour=red").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // The follow-up answer is checked.
    assert_eq!(
        t.post_form("/followup", "session=1&settled=maybe")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // No pairing on loopback.
    assert_eq!(t.get("/pair?code=ABC").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_page_has_a_strict_policy_and_no_inline_script() {
    let t = server();
    t.ready().await;
    for path in [
        "/welcome",
        "/today",
        "/play",
        "/profile",
        "/check",
        "/history",
        "/progress",
        "/exercises",
        "/exercises/childs-pose",
    ] {
        let r = t.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let csp = r.header(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}"
        );
        assert_eq!(r.header(header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        // Regression: with `no-referrer`, Chromium posted forms with `Origin: null`, which
        // the origin check refused.
        assert_eq!(r.header(header::REFERRER_POLICY), "same-origin");
        assert_eq!(r.header(header::CACHE_CONTROL), "no-store");
        assert!(
            !r.body.contains("<script>") && !r.body.contains(" onclick="),
            "{path}"
        );
        assert!(r.body.contains("<html lang=\"en\">"), "{path}");
    }
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_and_foreign_origins_403() {
    let t = server();
    let big = "x".repeat(backstretch_web::BODY_LIMIT + 1);
    let r = t.raw("/api/sessions", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .contains("over the limit")
    );
    let r = t.post_form("/profile", &format!("areas={big}")).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    for (method, path) in [
        ("POST", "/welcome"),
        ("POST", "/api/disclaimer"),
        ("PUT", "/api/profile"),
        ("POST", "/api/sessions"),
        ("POST", "/api/sessions/1/steps"),
    ] {
        let r = t
            .send(
                Request::builder()
                    .method(method)
                    .uri(path)
                    .header(header::ORIGIN, "http://evil.example")
                    .body(Body::from("{}"))
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{method} {path}");
    }
    assert_eq!(
        t.get("/api/disclaimer").await.json()["accepted"],
        false,
        "nothing was changed"
    );
    // Another name pointed at this address (DNS rebinding) cannot read the log.
    let r = t
        .send(
            Request::get("/api/history")
                .header(header::HOST, "evil.example:8421")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::MISDIRECTED_REQUEST);
    let r = t
        .send(
            Request::get("/api/history")
                .header(header::HOST, "localhost:8421")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn on_the_lan_only_paired_devices_get_in() {
    let t = server_with(true);
    let lan = |req: axum::http::request::Builder| {
        req.header(header::HOST, "127.0.0.2:8421")
            .header(header::ORIGIN, "https://127.0.0.2:8421")
    };
    for path in ["/", "/today", "/api/history", "/api/catalog"] {
        let r = t
            .send(lan(Request::get(path)).body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{path}");
        assert!(r.json()["error"].as_str().unwrap().contains("not paired"));
    }
    // A browser asking for a page gets the steps to pair, styled (the stylesheet is public).
    let r = t
        .send(
            lan(Request::get("/today"))
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Pair this device") && r.body.contains("serve --lan"));
    let r = t
        .send(
            lan(Request::get("/static/app.css"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = t
        .send(
            lan(Request::get("/pair?code=WRONG123"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let code = t
        .pairing
        .as_ref()
        .unwrap()
        .new_code(std::time::Instant::now());
    let r = t
        .send(
            lan(Request::get(format!("/pair?code={code}")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let cookie = r.header(header::SET_COOKIE).to_string();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    let pair = cookie.split(';').next().unwrap().to_string();
    // The code was spent.
    let r = t
        .send(
            lan(Request::get(format!("/pair?code={code}")))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = t
        .send(
            lan(Request::get("/api/history"))
                .header(header::COOKIE, &pair)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    // A paired device still needs its own origin to change anything, and must say it.
    let r = t
        .send(
            Request::post("/api/disclaimer")
                .header(header::HOST, "127.0.0.2:8421")
                .header(header::COOKIE, &pair)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "no Origin on --lan");
    let r = t
        .send(
            Request::post("/api/disclaimer")
                .header(header::HOST, "127.0.0.2:8421")
                .header(header::ORIGIN, "https://evil.example")
                .header(header::COOKIE, &pair)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = t
        .send(
            lan(Request::post("/api/disclaimer"))
                .header(header::COOKIE, &pair)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(t.dir.path().join("serve/devices").exists());
}

#[tokio::test]
async fn a_server_error_shows_no_internal_detail() {
    let t = server();
    t.ready().await;
    let out = std::process::Command::new("sqlite3")
        .arg(t.db())
        .arg("DROP TABLE session_steps")
        .output()
        .expect("sqlite3 is installed by scripts/test");
    assert!(out.status.success());
    let r = t.get("/api/history").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let body = r.body.to_lowercase();
    assert!(r.json()["error"].as_str().unwrap().contains("went wrong"));
    for secret in ["session_steps", "sqlite", "/tmp", ".rs"] {
        assert!(!body.contains(secret), "{secret} in {}", r.body);
    }
    let page = t.get("/history").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!page.body.contains("session_steps"));
}

/// Issue 28, items 8 and 16: the profile page records conditions and the direction that
/// eases lower-back pain, shows them as saved, clears conditions when none is ticked, and
/// refuses an unknown value with a 422 naming the field.
#[tokio::test]
async fn the_profile_form_keeps_conditions_and_the_direction() {
    let t = server();
    let page = t.get("/profile").await.body;
    assert!(
        page.contains("name=\"conditions\" value=\"osteoporosis\""),
        "{page}"
    );
    assert!(page.contains("name=\"eased_by\""), "{page}");
    let r = t
        .post_form(
            "/profile",
            "areas=lower-back&places=floor&minutes=15&conditions=&conditions=osteoporosis&conditions=pregnancy&eased_by=back",
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = t.get("/api/profile").await.json();
    assert_eq!(p["conditions"], json!(["osteoporosis", "pregnancy"]));
    assert_eq!(p["eased_by"], json!("back"));
    let page = t.get("/profile").await.body;
    assert!(page.contains("value=\"osteoporosis\" checked"), "{page}");
    assert!(page.contains("<option value=\"back\" selected>"), "{page}");
    for (form, field, words) in [
        (
            "areas=neck&places=chair&minutes=5&conditions=&conditions=gout",
            "conditions",
            "unknown condition <code>gout</code>",
        ),
        (
            "areas=neck&places=chair&minutes=5&conditions=&eased_by=sideways",
            "eased_by",
            "unknown direction <code>sideways</code>",
        ),
    ] {
        let r = t.post_form("/profile", form).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        assert!(
            r.body.contains(&format!("id=\"{field}-error\"")),
            "{form}: {}",
            r.body
        );
        assert!(r.body.contains(words), "{form}: {}", r.body);
    }
    assert_eq!(
        t.get("/api/profile").await.json()["conditions"],
        json!(["osteoporosis", "pregnancy"]),
        "nothing saved from a bad form"
    );
    // Unticking every box clears them; the direction stays as answered.
    t.post_form(
        "/profile",
        "areas=lower-back&places=floor&minutes=15&conditions=&eased_by=",
    )
    .await;
    let p = t.get("/api/profile").await.json();
    assert_eq!(p.get("conditions"), None, "{p}");
    assert_eq!(p["eased_by"], json!("back"));
    let r = t
        .json(
            "PUT",
            "/api/profile",
            json!({"areas": ["neck"], "places": ["chair"], "minutes": 5, "conditions": ["hip"]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("conditions"), "{}", r.body);
}

/// Regression: a request without a `Host` header passed the host check.
#[tokio::test]
async fn a_request_without_a_host_gets_400() {
    for lan in [false, true] {
        let t = server_with(lan);
        let r = t
            .send_as_is(Request::get("/api/history").body(Body::empty()).unwrap())
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "lan {lan}");
        assert_eq!(r.json()["field"], "Host");
        assert!(r.json()["error"].as_str().unwrap().contains("no Host"));
    }
}

/// Regression (issue 29, item 5): a paired device could not be unpaired, and had no name.
#[tokio::test]
async fn an_unpaired_device_is_refused_at_its_next_request() {
    let t = server_with(true);
    let lan = |req: axum::http::request::Builder| {
        req.header(header::HOST, "127.0.0.2:8421")
            .header(
                header::USER_AGENT,
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1",
            )
    };
    let mut cookies = Vec::new();
    for _ in 0..2 {
        let code = t
            .pairing
            .as_ref()
            .unwrap()
            .new_code(std::time::Instant::now());
        let r = t
            .send(
                lan(Request::get(format!("/pair?code={code}")))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let cookie = r.header(header::SET_COOKIE);
        cookies.push(cookie.split(';').next().unwrap().to_string());
    }
    let history = |cookie: &str| {
        lan(Request::get("/api/history"))
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap()
    };
    for c in &cookies {
        assert_eq!(t.send(history(c)).await.status, StatusCode::OK);
    }
    let file = backstretch_web::devices_file(t.dir.path());
    let listed = backstretch_web::devices::list(&file).unwrap();
    let names: Vec<&str> = listed.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Safari on iPhone", "Safari on iPhone 2"]);
    assert_eq!(listed[0].paired, Some(clock()));
    assert_eq!(listed[0].last_seen, Some(clock()));
    let token = cookies[0].split_once('=').unwrap().1;
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains(token), "the cookie is kept only as a hash");
    // An unknown name changes nothing and names the devices there are.
    let e = backstretch_web::devices::unpair(&file, "Pixel").unwrap_err();
    assert!(e.to_string().contains("Pixel"));
    assert_eq!(t.send(history(&cookies[0])).await.status, StatusCode::OK);
    backstretch_web::devices::unpair(&file, "Safari on iPhone").unwrap();
    let r = t.send(history(&cookies[0])).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.json()["error"].as_str().unwrap().contains("not paired"));
    assert_eq!(t.send(history(&cookies[1])).await.status, StatusCode::OK);
}

/// The code a sheet's page shows.
fn sheet_code(page: &str) -> backstretch_core::code::RoutineCode {
    let code = page
        .split("Routine code<b>")
        .nth(1)
        .and_then(|r| r.split("</b>").next())
        .unwrap_or_else(|| panic!("no code on the sheet: {page}"));
    backstretch_core::code::RoutineCode::parse(code).unwrap()
}

/// Regression (issue 29, item 6): `GET /print` kept the sheet in the log. Now a GET is a
/// preview that changes nothing, and the "Print this sheet" button's POST keeps it under the
/// code it shows, where `log --sheet CODE` finds it.
#[tokio::test]
async fn get_print_changes_nothing_and_printing_keeps_the_sheet() {
    use backstretch_store::{Store, UserId};
    let t = server();
    t.ready().await;
    let other = SqliteStore::open(&t.dir.path().join("backstretch.sqlite")).unwrap();
    let before = other.change_marker().unwrap();
    let a = t.get("/print?weeks=1&paper=letter").await;
    let b = t.get("/print?weeks=1&paper=letter").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.body, b.body);
    assert_eq!(
        other.change_marker().unwrap(),
        before,
        "a GET changed the log"
    );
    let code = sheet_code(&a.body);
    assert_eq!(other.sheet(&UserId::local(), code).unwrap(), None);
    // The preview posts to print, and its policy lets only that form through.
    assert!(
        a.body
            .contains("<form class=\"preview\" method=\"post\" action=\"/print\"")
    );
    assert!(a.body.contains("Print this sheet"));
    assert!(a.body.contains("name=\"paper\" value=\"letter\""));
    let csp = a.header(header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("form-action 'self'") && !csp.contains("script-src"),
        "{csp}"
    );
    assert!(!a.body.contains("<script"));
    // Printing keeps it, under the same code.
    let p = t.post_form("/print", "weeks=1&paper=letter").await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(sheet_code(&p.body), code);
    assert!(!p.body.contains("<form"));
    assert!(
        p.header(header::CONTENT_SECURITY_POLICY)
            .contains("form-action 'none'")
    );
    assert!(other.sheet(&UserId::local(), code).unwrap().is_some());
    // The form's values are checked as the query's are, and a foreign page cannot print.
    assert_eq!(
        t.post_form("/print", "weeks=9").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        t.post_form("/print", "weeks=two").await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let r = t
        .send(
            Request::post("/print")
                .header(header::ORIGIN, "http://evil.example")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("weeks=1"))
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_history_comes_a_page_at_a_time_with_a_link_to_the_older() {
    let t = server();
    t.ready().await;
    let mut ids = Vec::new();
    for pain_after in [3, 2, 1] {
        let (id, _) = t.begin().await;
        let done = json!({"pain_after": pain_after, "ending": "completed", "at": "2026-11-22T09:05:00+00:00"});
        let r = t
            .json("POST", &format!("/api/sessions/{id}/finish"), done)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        ids.push(id);
    }
    let r = t.get("/api/history?limit=2").await;
    let page = r.json();
    let shown: Vec<i64> = page
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(shown, [ids[2], ids[1]]);
    let next = format!("</api/history?before={}&limit=2>; rel=\"next\"", ids[1]);
    assert_eq!(r.header(header::LINK), next);
    let r = t
        .get(&format!("/api/history?before={}&limit=2", ids[1]))
        .await;
    assert_eq!(r.json().as_array().unwrap().len(), 1);
    assert_eq!(r.json()[0]["pain_after"], 3);
    assert_eq!(r.header(header::LINK), "", "nothing older");
    assert_eq!(
        t.get("/api/history").await.json().as_array().unwrap().len(),
        3
    );
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("before=999", "before"),
    ] {
        let r = t.get(&format!("/api/history?{query}")).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {}",
            r.body
        );
        assert_eq!(r.json()["field"], field, "{query}");
    }
    let r = t.get("/api/history?limit=many").await;
    assert!(r.status.is_client_error(), "{}", r.body);
    let page = t.get("/history?limit=2").await.body;
    assert!(
        page.contains(&format!("href=\"/history?before={}\"", ids[1])),
        "{page}"
    );
    let older = t.get(&format!("/history?before={}", ids[1])).await.body;
    assert!(
        older.contains("4 → 3") && !older.contains("Older sessions"),
        "{older}"
    );
}

/// A clinic writes into the log as its own series, as a sync brings it.
fn from_clinic(t: &T, changes: &[backstretch_core::event::Event]) {
    use backstretch_store::Store;
    let store = SqliteStore::open(&t.db()).unwrap();
    store
        .apply(&backstretch_store::UserId::local(), changes)
        .unwrap();
}

fn clinic_event(
    idx: u64,
    change: backstretch_core::event::Change,
) -> backstretch_core::event::Event {
    backstretch_core::event::Event {
        device: backstretch_core::care::CLINIC_DEVICE.into(),
        idx,
        uid: backstretch_store::event_uid(&change),
        change,
    }
}

/// The Messages page: without a clinic it says how to link; in a clinic's care it shows the
/// thread and sends what the person writes, refusing an empty message with the field named.
/// A warning sign then offers no self-clearance: the clinician clears it.
#[tokio::test]
async fn messages_reach_the_clinic_and_its_clinician_clears_signs() {
    let t = server();
    t.ready().await;
    let page = t.get("/messages").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("sync link"), "{}", page.body);
    let r = t.post_form("/messages", "text=hello").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("not linked to a practice"), "{}", r.body);
    let welcome = backstretch_core::event::Change::Message {
        message: backstretch_core::care::Message {
            uid: "welcome".into(),
            from: Some("ada@clinic.example".into()),
            at: clock(),
            text: "ada@clinic.example added you as a patient.".into(),
        },
    };
    from_clinic(&t, &[clinic_event(1, welcome)]);
    let today = t.get("/today").await;
    assert!(
        today.body.contains("Messages with your clinicians (1)"),
        "{}",
        today.body
    );
    let r = t.post_form("/messages", "text=+++").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("it is empty"), "{}", r.body);
    let r = t
        .post_form("/messages", "text=The+bridge%0D%0Afelt+fine+%3Cb%3E")
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = t.get("/messages").await;
    assert!(
        page.body.contains("ada@clinic.example added you"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("The bridge\nfelt fine &lt;b&gt;"),
        "{}",
        page.body
    );
    t.screen(&["weight-loss"]).await;
    let today = t.get("/today").await;
    assert!(
        !today.body.contains("action=\"/check/clear\""),
        "{}",
        today.body
    );
    assert!(
        today
            .body
            .contains("they can clear you to stretch in the clinic"),
        "{}",
        today.body
    );
    let r = t.post_form("/check/clear", "sign=weight-loss").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("ask your clinician"), "{}", r.body);
}

/// `/api/reminder` says what a reminder says now and when the next is due; a bad time is a
/// 422 naming `at`; Today offers reminders in the browser at the first moment's time.
#[tokio::test]
async fn the_reminder_api_says_what_and_when() {
    let t = server();
    t.ready().await;
    let r = t.get("/api/reminder?at=07:30").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let v = r.json();
    assert_eq!(v["nudge"], "remind", "{v}");
    assert!(
        v["title"].as_str().unwrap().starts_with("Time for your "),
        "{v}"
    );
    assert!(v["body"].as_str().unwrap().contains("exercises"), "{v}");
    assert!(v["next"].as_str().unwrap().contains("T07:30:00"), "{v}");
    let ms = v["in_ms"].as_i64().unwrap();
    assert!(ms > 0 && ms <= 24 * 3600 * 1000, "{v}");
    // No time and no moments: nothing to schedule, but still what it would say.
    let v = t.get("/api/reminder").await.json();
    assert_eq!(v["next"], Value::Null);
    assert_eq!(v["nudge"], "remind");
    for bad in [
        "/api/reminder?at=25:00",
        "/api/reminder?at=soon",
        "/api/reminder?when=07:30",
    ] {
        let r = t.get(bad).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.body
        );
    }
    let r = t.get("/api/reminder?at=soon").await;
    assert!(r.body.contains("\"at\""), "{}", r.body);
    let page = t.get("/today").await;
    assert!(page.body.contains("id=\"remind-here\""), "{}", page.body);
    assert!(page.body.contains("value=\"08:00\""));
    // During a block it says why there is no routine.
    t.screen(&["weight-loss"]).await;
    let v = t.get("/api/reminder?at=07:30").await.json();
    assert_eq!(v["nudge"], "blocked", "{v}");
    assert!(v["body"].as_str().unwrap().contains("warning sign"), "{v}");
}

/// Issue 32: "add to calendar" downloads the `.ics` the CLI makes, for the days and time
/// picked; a wrong time or day is a 422 naming the field.
#[tokio::test]
async fn the_calendar_reminder_is_the_ics_for_the_days_and_time_picked() {
    let t = server();
    let r = t.get("/calendar.ics?days=wed&days=mon&time=07%3A30").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.header(header::CONTENT_TYPE).starts_with("text/calendar"));
    assert!(
        r.header(header::CONTENT_DISPOSITION)
            .contains("backstretch-reminder.ics")
    );
    assert!(
        r.body.contains("RRULE:FREQ=WEEKLY;BYDAY=MO,WE"),
        "{}",
        r.body
    );
    assert!(r.body.contains("T073000"), "{}", r.body);
    assert!(r.body.contains("BEGIN:VALARM"), "{}", r.body);
    let every_day = t.get("/calendar.ics?time=18:05").await;
    assert!(
        every_day.body.contains("RRULE:FREQ=DAILY"),
        "{}",
        every_day.body
    );
    for (q, field) in [
        ("time=25:00", "time"),
        ("time=07:30&days=someday", "days"),
        ("days=mon", "time"),
    ] {
        let bad = t.get(&format!("/calendar.ics?{q}")).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{q}");
        assert_eq!(bad.json()["field"], field, "{q}: {}", bad.body);
    }
}

/// Issue 32: the player's figures, mirrored for the right side; a side that is not one is
/// refused by name.
#[tokio::test]
async fn a_figure_is_mirrored_for_the_right_side() {
    let t = server();
    let left = t.get("/figures/kneeling-hip-flexor-stretch.svg").await;
    let right = t
        .get("/figures/kneeling-hip-flexor-stretch.svg?side=right")
        .await;
    assert_eq!(
        (left.status, right.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert!(right.body.contains("<animate"));
    assert_ne!(left.body, right.body, "the mirror draws the other side");
    let bad = t
        .get("/figures/kneeling-hip-flexor-stretch.svg?side=up")
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}

/// The progress page shows the function measure (PSFS) beside the pain, before the first
/// session and after it, and the pain chart draws it.
#[tokio::test]
async fn progress_shows_the_function_measure_beside_pain() {
    use backstretch_core::function::FunctionRecord;
    use backstretch_store::{Store, UserId};
    let t = server();
    t.ready().await;
    let store = SqliteStore::open(&t.db()).unwrap();
    let record = |uid: &str, at: &str, scores: [i64; 2]| {
        let items = [
            ("carrying shopping".to_string(), scores[0]),
            ("sitting an hour".to_string(), scores[1]),
        ];
        FunctionRecord::new(uid.into(), Stamp::parse(at).unwrap(), &items).unwrap()
    };
    let first = record("f1", "2026-11-08T09:00:00+00:00", [3, 4]);
    store.add_function(&UserId::local(), &first).unwrap();
    let p = t.get("/progress").await;
    assert!(p.body.contains("No sessions yet"), "{}", p.body);
    assert!(p.body.contains("3.5 of 10"), "{}", p.body);
    let later = record("f2", "2026-11-22T08:30:00+00:00", [6, 6]);
    store.add_function(&UserId::local(), &later).unwrap();
    let (id, _) = t.begin().await;
    let done = json!({"pain_after": 3, "ending": "completed", "at": "2026-11-22T09:05:00+00:00"});
    let r = t
        .json("POST", &format!("/api/sessions/{id}/finish"), done)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let p = t.get("/progress").await;
    let pain = p.body.find("<dt>Pain</dt>").unwrap();
    let function = p.body.find("<dt>Function (PSFS)</dt>").unwrap();
    assert!(pain < function, "{}", p.body);
    assert!(
        p.body
            .contains("3.5 at the start, 6.0 lately — a meaningful improvement"),
        "{}",
        p.body
    );
    let chart = t.get("/charts/pain.svg").await;
    assert!(chart.body.contains("function (PSFS)"), "{}", chart.body);
}
