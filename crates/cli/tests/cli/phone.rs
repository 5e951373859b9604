//! The phone player v2 (issue 32) in Debian's headless Chromium: one screen while playing at
//! 360x640, 390x844 and sideways at 844x390, for every step kind, with and without a side;
//! messages where the eyes are; Stop, "it spreads" and stray keys that ask first; the figure
//! following the step; and speech that never cuts itself off.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

use crate::serve::{
    LONG, SPEECH_STUB, Serve, Served, first_run, first_run_as, open_player, queue_len, served,
    shots_dir, sqlite,
};
use crate::util::Env;
use crate::webdriver::{Browser, chromium, free_port, wait_for};

/// The phone sizes the player must fit, upright and sideways.
const SIZES: [(u32, u32); 3] = [(360, 640), (390, 844), (844, 390)];

/// The controls that must be on screen, and on top, while a session plays.
const ON_SCREEN: [&str; 7] = [
    "#count",
    "#figure svg",
    "#pause",
    "#hurt",
    "#spreading",
    "#stop",
    "#phase",
];

/// Each of `ids` that is not wholly inside the viewport or not on top at its centre, with
/// why: `getBoundingClientRect` and `elementFromPoint`, as a finger would find it.
fn off_screen(b: &Browser, ids: &[&str]) -> Vec<String> {
    b.js(
        "const out = [];
         for (const sel of arguments[0]) {
           const e = document.querySelector(sel);
           if (!e) { out.push(`${sel}: missing`); continue; }
           const r = e.getBoundingClientRect();
           const inside = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
             && r.right <= innerWidth + 0.5 && r.bottom <= innerHeight + 0.5;
           const hit = inside ? document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) : null;
           const onTop = !!hit && (hit === e || e.contains(hit));
           if (!inside || !onTop) out.push(`${sel}: ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)} in ${innerWidth}x${innerHeight}, on top: ${hit ? (hit.id || hit.tagName) : 'nothing'}`);
         }
         if (document.scrollingElement.scrollTop !== 0) out.push('the page scrolled');
         return out;",
        &json!([ids]),
    )
    .as_array()
    .expect("a list")
    .iter()
    .map(|v| v.as_str().unwrap_or("").to_string())
    .collect()
}

/// The session as the page keeps it.
fn session(b: &Browser) -> Value {
    b.js(
        "return JSON.parse(localStorage.getItem('backstretch.session'));",
        &json!([]),
    )
}

/// The step the player shows now: (index, kind, side).
fn current(b: &Browser) -> (usize, String, Option<String>) {
    let v = b.js(
        "const s = JSON.parse(localStorage.getItem('backstretch.session'));
         const el = (s.pausedAt - s.origin) * (Number(new URLSearchParams(location.search).get('speed')) || 1);
         let i = 0;
         while (i + 1 < s.timeline.steps.length && s.timeline.steps[i + 1].start_s * 1000 <= el) i++;
         return [i, s.timeline.steps[i].kind, s.timeline.steps[i].side];",
        &json!([]),
    );
    (
        usize::try_from(v[0].as_u64().expect("index")).expect("small"),
        v[1].as_str().expect("kind").to_string(),
        v[2].as_str().map(ToString::to_string),
    )
}

/// The figure's pose (its animation clock, seconds), once drawn for `side`.
fn pose(b: &Browser, side: Option<&str>) -> (f64, String) {
    let v = wait_for("the figure posed", LONG, || {
        let v = b.js(
            "const s = document.querySelector('#figure svg');
             return s && s.dataset.pose && s.dataset.side === arguments[0] ? [Number(s.dataset.pose), s.dataset.side] : null;",
            &json!([side.unwrap_or("")]),
        );
        (!v.is_null()).then_some(v)
    });
    (
        v[0].as_f64().expect("pose"),
        v[1].as_str().unwrap_or("").to_string(),
    )
}

fn shoot_sizes(b: &Browser, name: &str, problems: &mut Vec<String>) {
    for (w, h) in SIZES {
        b.size(w, h);
        // The layout settles in the next frame; the check waits for it, not for a time.
        b.js_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));");
        for p in off_screen(b, &ON_SCREEN) {
            problems.push(format!("{name} at {w}x{h}: {p}"));
        }
        if let Some(dir) = shots_dir() {
            std::fs::create_dir_all(&dir).expect("screenshot dir");
            b.screenshot(&dir.join(format!("phone-{name}-{w}x{h}.png")));
        }
    }
}

/// Every step kind, with and without a side, at each phone size: the count, the figure,
/// Pause, It hurts, It spreads and Stop on screen and on top, without scrolling. Then a
/// message, and the question before Stop, on screen too; stray keys end nothing.
#[test]
fn the_player_fits_one_phone_screen_at_every_step_and_stray_keys_end_nothing() {
    if !chromium() {
        return;
    }
    let Served {
        env,
        base,
        server: _server,
        b,
        ..
    } = served();
    // The back of the thighs and the lower back: stretches with a side and without.
    first_run_as(&b, &base, &["lower-back", "hamstrings"], "10");
    open_player(&b, &format!("{base}/play?speed=10"));
    b.click("[data-pain=before] button[value='3']");
    wait_for("the player", LONG, || {
        (b.count("#player:not([hidden])") == 1 && !b.text("#phase").is_empty()).then_some(())
    });
    b.click("#pause");
    wait_for("paused", LONG, || {
        (b.text("#phase") == "Paused").then_some(())
    });
    let steps = session(&b)["timeline"]["steps"]
        .as_array()
        .expect("steps")
        .len();
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    let mut last_step = usize::MAX;
    loop {
        let (i, kind, side) = current(&b);
        if i == last_step || kind == "done" {
            break;
        }
        last_step = i;
        let what = format!("{kind}{}", if side.is_some() { "-sided" } else { "" });
        if seen.insert(what.clone()) {
            shoot_sizes(&b, &what, &mut problems);
            b.size(390, 844);
            // The figure follows the step: the start pose while getting ready, the stretch
            // at a hold, the way back at a rest; mirrored for the right side; still while
            // paused.
            let (t, drawn_side) = pose(&b, side.as_deref());
            match kind.as_str() {
                "hold" => assert!(
                    (t - 1.0).abs() < 0.01,
                    "a hold starts from the start pose: {t}"
                ),
                "rest" => assert!(t > 2.4, "a rest starts from the stretch: {t}"),
                _ => assert!(t.abs() < 0.01, "{kind} shows the start pose: {t}"),
            }
            assert_eq!(
                Some(drawn_side.as_str()),
                Some(side.as_deref().unwrap_or(""))
            );
            if side.as_deref() == Some("right") {
                assert!(
                    b.js(
                        "return document.querySelector('#figure-caption').textContent;",
                        &json!([])
                    )
                    .as_str()
                    .unwrap_or("")
                    .contains("right"),
                    "the caption says which side"
                );
            }
        }
        if i + 1 >= steps {
            break;
        }
        b.click("#next-step");
        wait_for("the next step", LONG, || (current(&b).0 != i).then_some(()));
    }
    for kind in ["position", "hold", "rest"] {
        assert!(
            seen.iter().any(|s| s.starts_with(kind)),
            "no {kind} step in {seen:?}"
        );
    }
    assert!(
        seen.iter().any(|s| s.ends_with("-sided")),
        "no sided step in {seen:?}"
    );
    assert!(
        seen.iter().any(|s| !s.ends_with("-sided")),
        "no step without a side"
    );
    assert!(problems.is_empty(), "{problems:#?}");
    drop(env);
}

/// A stray key ends nothing: `s` (spreading), `h` (it hurts) and Esc (stop) each ask first,
/// and a "keep going" leaves the session playing with nothing logged. Stop asks too, and
/// its question is on screen at every size; a message stays until dismissed.
#[test]
fn a_stray_key_neither_ends_the_session_nor_records_a_sign() {
    if !chromium() {
        return;
    }
    let Served {
        env,
        base,
        server: _server,
        b,
        ..
    } = served();
    first_run(&b, &base);
    open_player(&b, &format!("{base}/play?speed=10"));
    b.click("[data-pain=before] button[value='3']");
    wait_for("a hold", LONG, || {
        (b.text("#phase") == "Hold").then_some(())
    });
    let id = session(&b)["id"].as_i64().expect("id");
    for key in ["s", "h", "\u{E00C}"] {
        b.keys(key);
        wait_for("the question", LONG, || {
            (b.js(
                "return document.getElementById('confirm').open;",
                &json!([]),
            ) == true)
                .then_some(())
        });
        assert_eq!(
            b.text("#phase"),
            "Paused",
            "the session waits for the answer"
        );
        // Another stray key while asked does nothing more; Escape answers "no".
        b.keys("s");
        b.keys("\u{E00C}");
        wait_for("the question gone", LONG, || {
            (b.js(
                "return document.getElementById('confirm').open;",
                &json!([]),
            ) == false)
                .then_some(())
        });
        assert_eq!(b.count("#player:not([hidden])"), 1, "{key}: still playing");
        wait_for("playing on", LONG, || {
            (b.text("#phase") != "Paused").then_some(())
        });
    }
    let queued = b.js(
        "return localStorage.getItem('backstretch.queue') || '[]';",
        &json!([]),
    );
    assert!(
        !queued.as_str().unwrap_or("").contains("spreading"),
        "{queued}"
    );
    let s = session(&b);
    assert!(s["ending"].is_null() && s["spreading"].is_null(), "{s}");
    // Stop asks, on screen at every size; "keep going" keeps going.
    b.click("#stop");
    wait_for("the stop question", LONG, || {
        (b.js(
            "return document.getElementById('confirm').open;",
            &json!([]),
        ) == true)
            .then_some(())
    });
    let mut problems = Vec::new();
    for (w, h) in SIZES {
        b.size(w, h);
        b.js_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));");
        problems.extend(
            off_screen(&b, &["#confirm-yes", "#confirm-no", "#confirm-title"])
                .into_iter()
                .map(|p| format!("{w}x{h}: {p}")),
        );
        if let Some(dir) = shots_dir() {
            b.screenshot(&dir.join(format!("phone-stop-question-{w}x{h}.png")));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    b.size(390, 844);
    b.click("#confirm-no");
    assert_eq!(b.count("#player:not([hidden])"), 1);
    // "It hurts" (the button, at once): its message shows at the top, on every size, and
    // stays until dismissed.
    wait_for("a hold", LONG, || {
        (b.text("#phase") == "Hold").then_some(())
    });
    b.click("#pause");
    b.click("#hurt");
    wait_for("the hurt message", LONG, || {
        b.text("#notice-text")
            .contains("logged it as hurt")
            .then_some(())
    });
    assert_eq!(
        b.js(
            "return document.getElementById('notice').getAttribute('aria-live');",
            &json!([])
        ),
        "polite"
    );
    for (w, h) in SIZES {
        b.size(w, h);
        b.js_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(1)));");
        let mut ids = ON_SCREEN.to_vec();
        ids.extend(["#notice-text", "#notice-close"]);
        problems.extend(
            off_screen(&b, &ids)
                .into_iter()
                .map(|p| format!("message at {w}x{h}: {p}")),
        );
        if let Some(dir) = shots_dir() {
            b.screenshot(&dir.join(format!("phone-message-{w}x{h}.png")));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    b.size(390, 844);
    b.click("#notice-close");
    assert_eq!(b.count("#notice:not([hidden])"), 0);
    // Stop, answered yes, ends the session; nothing was logged as a sign.
    b.click("#stop");
    b.click("#confirm-yes");
    wait_for("the pain question after", LONG, || {
        (b.count("#after:not([hidden])") == 1).then_some(())
    });
    wait_for("the queue sent", LONG, || {
        (queue_len(&b) == 0).then_some(())
    });
    // One check: the first run's. "It spreads" would have added another, with its sign.
    let checks = sqlite(
        &env.home().join("backstretch.sqlite"),
        "SELECT count(*) FROM screenings",
    );
    assert_eq!(checks.trim(), "1", "no sign was recorded in session {id}");
}

/// A Chromium profile's HOME whose NSS store (`.pki/nssdb`, where Chromium on Linux keeps
/// the user's certificates) trusts the authority `ca` to vouch for sites.
fn trusting_home(ca: &Path) -> tempfile::TempDir {
    let home = tempfile::tempdir().expect("home");
    let db = home.path().join(".pki/nssdb");
    std::fs::create_dir_all(&db).expect("nssdb");
    let db = format!("sql:{}", db.display());
    let ok = |c: &mut Command| {
        let out = c
            .output()
            .expect("certutil (libnss3-tools, installed by scripts/test)");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    ok(Command::new("certutil").args(["-N", "--empty-password", "-d", &db]));
    ok(Command::new("certutil")
        .args(["-A", "-n", "backstretch", "-t", "C,,", "-d", &db, "-i"])
        .arg(ca));
    home
}

/// Over `--lan` on 127.0.0.2 (loopback, standing for the network), with the authority
/// trusted in the profile's NSS store: the service worker registers; the server stops; a
/// reload plays on, kept pages and an offline page show, a session finished offline shows
/// its summary after a reload; after a restart every queued step arrives exactly once.
#[test]
fn over_lan_a_trusted_phone_plays_on_offline_and_every_step_arrives_once() {
    if !chromium() {
        return;
    }
    let env = Env::fresh();
    let port = free_port();
    let addr = format!("127.0.0.2:{port}");
    let base = format!("https://{addr}");
    let mut server = Serve::start(env.home(), &["--lan", "--listen", &addr]);
    let url_line = server.until("/pair?code=");
    let pair_url = url_line
        .split_whitespace()
        .find(|w| w.contains("/pair?code="))
        .expect("pairing URL")
        .to_string();
    let home = trusting_home(&env.home().join("serve/ca.pem"));
    let b = Browser::start_at_home(390, 844, Some(home.path()));
    b.cdp(
        "Page.addScriptToEvaluateOnNewDocument",
        &json!({ "source": SPEECH_STUB }),
    );
    // Not paired yet: a page with the steps to pair, not JSON.
    b.go(&format!("{base}/today"));
    assert!(
        b.text("h1").contains("Pair this device"),
        "{}",
        b.text("main")
    );
    b.go(&pair_url);
    wait_for("the trust page", LONG, || {
        b.url().ends_with("/pair/trust").then_some(())
    });
    assert!(b.text("main").contains("On Android") && b.text("main").contains("iPhone"));
    // The certificate is trusted, so the worker registers and runs.
    wait_for("the worker running", LONG, || {
        (b.count("#offline-ready:not([hidden])") == 1).then_some(())
    });
    if let Some(dir) = shots_dir() {
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        b.screenshot(&dir.join("phone-trust-390x844.png"));
    }
    first_run(&b, &base);
    b.go(&format!("{base}/history"));
    open_player(&b, &format!("{base}/play?speed=10"));
    wait_for("the page under the worker", LONG, || {
        (b.js("return !!navigator.serviceWorker.controller;", &json!([])) == true).then_some(())
    });
    b.click("[data-pain=before] button[value='3']");
    let begun = wait_for("the session in storage", LONG, || {
        let v = b.js(
            "return JSON.parse(localStorage.getItem('backstretch.session'));",
            &json!([]),
        );
        (!v.is_null()).then_some(v)
    });
    let id = begun["id"].as_i64().expect("id");
    wait_for("a hold", LONG, || {
        (b.text("#phase") == "Hold").then_some(())
    });
    let (clean, _) = server.interrupt();
    assert!(clean);
    wait_for("steps queued", LONG, || (queue_len(&b) > 0).then_some(()));
    b.refresh();
    wait_for("the player after a reload, offline", LONG, || {
        (b.count("#player:not([hidden])") == 1 && !b.text("#phase").is_empty()).then_some(())
    });
    // Kept pages, and one that was never kept leads back to the session.
    b.go(&format!("{base}/history"));
    assert!(b.text("h1").contains("History"), "{}", b.text("body"));
    b.go(&format!("{base}/exercises/cat-cow"));
    assert!(b.text("h1").contains("out of reach"), "{}", b.text("body"));
    b.click("a[href='/play']");
    wait_for("back in the session", LONG, || {
        (b.count("#player:not([hidden])") == 1).then_some(())
    });
    // Finished offline: the summary shows, and again after a reload.
    b.click("#stop");
    b.click("#confirm-yes");
    wait_for("the pain question after", LONG, || {
        (b.count("#after:not([hidden])") == 1).then_some(())
    });
    b.click("[data-pain=after] button[value='2']");
    wait_for("the summary", LONG, || {
        (b.count("#summary:not([hidden])") == 1).then_some(())
    });
    b.refresh();
    wait_for("the summary after a reload", LONG, || {
        (b.count("#summary:not([hidden])") == 1
            && b.text("#summary-text").contains("Pain before: 3"))
        .then_some(())
    });
    if let Some(dir) = shots_dir() {
        b.screenshot(&dir.join("phone-offline-summary-390x844.png"));
    }
    // Back: the queue drains, each step once, and the server's summary replaces the device's.
    let _server = Serve::start(env.home(), &["--lan", "--listen", &addr]);
    wait_for("the queue sent", LONG, || {
        (queue_len(&b) == 0).then_some(())
    });
    wait_for("the server's summary", LONG, || {
        b.text("#summary-text")
            .contains("Session stopped")
            .then_some(())
    });
    let rows = sqlite(
        &env.home().join("backstretch.sqlite"),
        &format!(
            "SELECT step, count(*) FROM session_steps WHERE session_id = {id} GROUP BY step HAVING count(*) > 1"
        ),
    );
    assert!(rows.trim().is_empty(), "steps logged twice: {rows}");
    let logged = sqlite(
        &env.home().join("backstretch.sqlite"),
        &format!("SELECT count(*) FROM session_steps WHERE session_id = {id}"),
    );
    assert!(logged.trim().parse::<u32>().expect("count") > 0);
    let ended = sqlite(
        &env.home().join("backstretch.sqlite"),
        &format!("SELECT outcome FROM sessions WHERE id = {id}"),
    );
    assert_eq!(ended.trim(), "stopped");
}
