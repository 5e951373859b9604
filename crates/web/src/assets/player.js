// backstretch web player. It plays the timeline core computed (steps and cues come from the
// server, never made here) with the same rules as the terminal player (crates/core/src/player.rs):
// elapsed time comes from one start instant and the time paused, so it never drifts; "next"
// logs the step as skipped, "it hurts" logs it as hurt and skips the rest of the exercise,
// "back" replays a step (and logs it again). After the tab was hidden or the phone slept, it
// catches up from the clock: the steps that ended are logged, the cues missed are not said.
//
// Each finished step is sent at once with an idempotency key (the session and the report's
// number); without the server, reports queue on the device and go when it is back. A reload
// resumes the session where it was.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const root = $('player-app');
  if (!root) return;
  const SESSION = 'backstretch.session';
  const QUEUE = 'backstretch.queue';
  // Reports the server refused for what they said: kept on the device and shown, never
  // dropped unseen.
  const REFUSED = 'backstretch.refused';
  // How far the server's clock is ahead of this device's (ms), learned from the Date header
  // of every answer: reports carry the server's time, so a phone whose clock is off still logs.
  const SKEW = 'backstretch.skew';
  // A cue more than this late (after the phone slept) is not said: it would be out of date.
  const STALE_MS = 1500;
  // Back more than this long after the routine would have ended, the session was left, not
  // played with the screen off: it waits, paused, at the first step not logged.
  const LEFT_MS = 5 * 60 * 1000;
  const params = new URLSearchParams(location.search);
  // Test speed (the terminal's --speed): 1 is real time.
  const speed = Math.max(1, Math.min(100, Number(params.get('speed')) || 1));

  let S = null;            // the session being played (kept in localStorage)
  let timer = null;
  let wakeLock = null;
  let audio = null;
  let stopArmed = 0;
  const cueLog = [];       // [{text, late_ms}] for tests and the benchmark
  window.backstretchCues = cueLog;

  const load = (k, d) => { try { return JSON.parse(localStorage.getItem(k)) ?? d; } catch { return d; } };
  const store = (k, v) => { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* full: keep going */ } };
  const save = () => store(SESSION, S);
  const show = (id) => {
    for (const s of ['before', 'high', 'player', 'after', 'summary']) $(s).hidden = s !== id;
    document.body.classList.toggle('playing', id === 'player');
  };
  const fail = (msg) => { const e = $('player-error'); e.textContent = msg; e.hidden = !msg; };

  // --- Time ---------------------------------------------------------------------------
  const steps = () => S.timeline.steps;
  const totalMs = () => { const st = steps(); const l = st[st.length - 1]; return (l.start_s + l.seconds) * 1000; };
  const elapsed = (now) => (S.pausedAt !== null ? S.pausedAt - S.origin : now - S.origin) * speed;
  function at(el) {
    const st = steps();
    if (el >= totalMs()) return { step: st.length - 1, into: 0, remaining: 0, finished: true };
    let i = 0;
    while (i + 1 < st.length && st[i + 1].start_s * 1000 <= el) i++;
    const into = el - st[i].start_s * 1000;
    return { step: i, into, remaining: st[i].seconds * 1000 - into, finished: false };
  }
  function jumpTo(step, now) {
    const target = steps()[step].start_s * 1000;
    const base = S.pausedAt !== null ? S.pausedAt : now;
    S.origin = base - target / speed;
    S.nextCue = S.cues.findIndex((c) => c.at_ms >= target);
    if (S.nextCue < 0) S.nextCue = S.cues.length;
  }

  // --- Reports --------------------------------------------------------------------------
  function localStamp(d) {
    const off = -d.getTimezoneOffset();
    const pad = (n) => String(Math.floor(Math.abs(n))).padStart(2, '0');
    const sign = off >= 0 ? '+' : '-';
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${sign}${pad(off / 60)}:${pad(off % 60)}`;
  }
  let skew = load(SKEW, 0);
  const serverNow = () => new Date(Date.now() + skew);
  // The Date header has whole seconds: the server's clock read sometime in that second,
  // about halfway between sending and the answer.
  function learnClock(res, sentAt) {
    const d = Date.parse(res.headers.get('Date') || '');
    if (Number.isNaN(d)) return;
    skew = d + 500 - (sentAt + Date.now()) / 2;
    store(SKEW, skew);
  }
  function showRefused() {
    const kept = load(REFUSED, []);
    if (!kept.length) return;
    const why = kept[kept.length - 1].error || 'not saved';
    fail(`${kept.length} report${kept.length === 1 ? '' : 's'} could not be saved (${why}); kept on this device.`);
  }
  function report(step, outcome, doneMs) {
    const planned = steps()[step].seconds * 1000;
    enqueue({
      url: `/api/sessions/${S.id}/steps`,
      body: { report: S.reports++, step, outcome, done_ms: Math.max(0, Math.min(planned, Math.round(doneMs))), at: localStamp(serverNow()) },
    });
  }
  function reportUntil(step) {
    while (S.nextReport < step) {
      report(S.nextReport, 'done', steps()[S.nextReport].seconds * 1000);
      S.nextReport++;
    }
  }
  function endCurrent(now, outcome) {
    const a = at(elapsed(now));
    reportUntil(a.step);
    if (S.nextReport === a.step && !a.finished) {
      report(a.step, outcome, a.into);
      S.nextReport = a.step + 1;
    }
  }

  // --- Cues -----------------------------------------------------------------------------
  function beep(times) {
    if (!audio) return;
    for (let i = 0; i < times; i++) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = 880;
      g.gain.value = 0.2;
      o.connect(g).connect(audio.destination);
      const t = audio.currentTime + i * 0.25;
      o.start(t);
      o.stop(t + 0.15);
    }
  }
  function say(cue) {
    const step = steps()[cue.step];
    if (step.kind === 'switch' && navigator.vibrate) navigator.vibrate([200, 100, 200]);
    const synth = window.speechSynthesis;
    const voices = synth && synth.getVoices ? synth.getVoices() : [];
    if (synth && voices.length && window.SpeechSynthesisUtterance) {
      synth.cancel();
      synth.speak(new SpeechSynthesisUtterance(cue.text));
    } else {
      beep(step.kind === 'switch' ? 2 : 1);
    }
  }

  // --- Playing --------------------------------------------------------------------------
  function poll(now) {
    if (S.finished) return;
    const el = elapsed(now);
    const a = at(el);
    reportUntil(a.step);
    while (S.nextCue < S.cues.length && S.cues[S.nextCue].at_ms <= el) {
      const c = S.cues[S.nextCue++];
      const late = (el - c.at_ms) / speed;
      if (late <= STALE_MS) {
        cueLog.push({ text: c.text, late_ms: late });
        say(c);
      }
    }
    if (a.finished) {
      S.finished = true;
      save();
      end('completed');
    }
  }
  function tick() {
    clearTimeout(timer);
    if (!S || S.finished || S.ending) return;
    const now = Date.now();
    poll(now);
    if (S.finished || S.ending) return;
    draw(now);
    save();
    let wait = 250;
    if (S.pausedAt === null && S.nextCue < S.cues.length) {
      const due = S.origin + S.cues[S.nextCue].at_ms / speed;
      wait = Math.min(wait, Math.max(0, due - now));
    }
    timer = setTimeout(tick, wait);
  }
  let shownItem = -1;
  function draw(now) {
    const el = elapsed(now);
    const a = at(el);
    const st = steps()[a.step];
    const item = S.items[st.item];
    $('phase').textContent = S.pausedAt !== null ? 'Paused' : S.phases[st.kind];
    if (item && shownItem !== st.item) {
      shownItem = st.item;
      $('exercise').textContent = item.name;
      const fig = $('figure');
      if (item.figure) { fig.src = item.figure; fig.alt = `Figure: ${item.name}`; fig.hidden = false; } else { fig.hidden = true; }
      $('get-into').textContent = `${item.position}: ${item.get_into}`;
      const ol = $('steps'); ol.replaceChildren(...item.steps.map((t) => { const li = document.createElement('li'); li.textContent = t; return li; }));
      const ul = $('cautions'); ul.replaceChildren(...item.cautions.map((t) => { const li = document.createElement('li'); li.textContent = t; return li; }));
      const nextItem = S.items[st.item + 1];
      $('next').textContent = nextItem ? `Next: ${nextItem.name}` : 'This is the last exercise.';
    }
    const parts = [];
    if (st.side) {
      const said = (item && item.sides && item.sides[st.side]) || `${st.side} side`;
      parts.push(said[0].toUpperCase() + said.slice(1));
    }
    if (st.rep) parts.push(`repetition ${st.rep} of ${st.reps}`);
    $('side').textContent = parts.join(', ');
    $('count').textContent = String(Math.ceil(a.remaining / 1000));
    $('count').setAttribute('aria-label', `${Math.ceil(a.remaining / 1000)} seconds left`);
    const p = $('progress'); p.value = Math.min(1, el / totalMs());
    $('pause').textContent = S.pausedAt !== null ? 'Resume' : 'Pause';
  }

  async function lockScreen() {
    try {
      if (navigator.wakeLock && document.visibilityState === 'visible') wakeLock = await navigator.wakeLock.request('screen');
    } catch { wakeLock = null; }
  }
  function releaseScreen() { if (wakeLock) { wakeLock.release().catch(() => {}); wakeLock = null; } }

  function catchUpOrWait(now) {
    if (S.pausedAt === null && !S.ending && (now - S.origin) - totalMs() / speed > LEFT_MS) {
      S.pausedAt = now;
      jumpTo(Math.min(S.nextReport, steps().length - 1), now);
      save();
      $('sync').textContent = 'You left this session; it waits here, paused, where you were. Press Resume to go on, or Stop.';
    }
  }

  function start() {
    catchUpOrWait(Date.now());
    show('player');
    shownItem = -1;
    lockScreen();
    tick();
  }

  const act = {
    pause() {
      const now = Date.now();
      if (S.pausedAt !== null) { S.origin += now - S.pausedAt; S.pausedAt = null; } else { poll(now); S.pausedAt = now; }
      save(); tick();
    },
    next() {
      const now = Date.now();
      const cur = at(elapsed(now)).step;
      endCurrent(now, 'skipped');
      jumpTo(Math.min(cur + 1, steps().length - 1), now);
      save(); tick();
    },
    back() {
      const now = Date.now();
      const a = at(elapsed(now));
      const target = a.into < 2000 ? Math.max(0, a.step - 1) : a.step;
      jumpTo(target, now);
      S.nextReport = Math.min(S.nextReport, target);
      save(); tick();
    },
    hurt() {
      const now = Date.now();
      const a = at(elapsed(now));
      const item = steps()[a.step].item;
      endCurrent(now, 'hurt');
      // At high pain, or while plans are eased, "sharper or worse" ends the session.
      if (S.hurt_ends) {
        S.hurtStopped = true;
        end('stopped');
        return;
      }
      let nextItem = steps().findIndex((s) => s.item > item);
      if (nextItem < 0) nextItem = steps().length - 1;
      while (S.nextReport < nextItem) { report(S.nextReport, 'skipped', 0); S.nextReport++; }
      jumpTo(nextItem, now);
      $('sync').textContent = `Stopped ${S.items[item].name} and logged it as hurt. Moving on gently.`;
      save(); tick();
    },
    spreading() {
      const now = Date.now();
      endCurrent(now, 'hurt');
      enqueue({ url: '/api/safety/spreading', body: {} });
      S.spreading = true;
      end('stopped');
    },
    stop() {
      const now = Date.now();
      if (now - stopArmed > 4000) {
        stopArmed = now;
        $('sync').textContent = 'Press Stop again to end the session.';
        return;
      }
      endCurrent(now, 'skipped');
      end('stopped');
    },
  };

  function end(ending) {
    clearTimeout(timer);
    S.ending = ending;
    save();
    releaseScreen();
    show('after');
  }

  async function finish(painAfter) {
    enqueue({
      url: `/api/sessions/${S.id}/finish`,
      body: { pain_after: painAfter, ending: S.ending, at: localStamp(serverNow()) },
      summary: true,
    });
    S.done = true;
    save();
    show('summary');
    const t = $('summary-text');
    if (!t.textContent) t.textContent = S.spreading ? `${S.spreading_stopped} Saving your session…` : 'Saving your session…';
  }

  // --- Sending, and the queue -------------------------------------------------------------
  let flushing = false;
  let retryMs = 1000;
  function enqueue(entry) {
    const q = load(QUEUE, []);
    q.push(entry);
    store(QUEUE, q);
    save();
    flush();
  }
  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (;;) {
        const q = load(QUEUE, []);
        if (!q.length) break;
        const e = q[0];
        let res;
        const sentAt = Date.now();
        try {
          res = await fetch(e.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(e.body), credentials: 'same-origin' });
        } catch {
          res = null;
        }
        if (res) learnClock(res, sentAt);
        if (!res || res.status >= 500 || res.status === 408 || res.status === 429) {
          $('sync').textContent = `Saved on this device: ${q.length} to send when backstretch is back.`;
          setTimeout(flush, retryMs);
          retryMs = Math.min(retryMs * 2, 15000);
          return;
        }
        retryMs = 1000;
        const body = await res.json().catch(() => ({}));
        if (!res.ok) {
          const kept = load(REFUSED, []);
          kept.push({ ...e, status: res.status, error: body.error || 'not saved' });
          store(REFUSED, kept);
          showRefused();
        }
        if (e.summary && res.ok) showSummary(body);
        const rest = load(QUEUE, []);
        rest.shift();
        store(QUEUE, rest);
        if (!rest.length) $('sync').textContent = '';
      }
      if (S && S.done) { localStorage.removeItem(SESSION); }
    } finally {
      flushing = false;
    }
  }
  function showSummary(b) {
    const t = $('summary-text');
    t.replaceChildren();
    const lines = (b.text || '').split('\n').filter((l) => l.trim());
    if (S && S.spreading) lines.unshift(S.spreading_stopped);
    if (S && S.hurtStopped) lines.unshift(S.hurt_ends_text);
    for (const line of lines) {
      const p = document.createElement('p');
      p.textContent = line;
      t.append(p);
    }
  }

  // --- Beginning ----------------------------------------------------------------------------
  async function begin(painBefore, gentlest) {
    fail('');
    if (!audio && window.AudioContext) { try { audio = new AudioContext(); } catch { audio = null; } }
    let res;
    const sentAt = Date.now();
    try {
      res = await fetch('/api/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ pain_before: painBefore, gentlest }), credentials: 'same-origin' });
    } catch {
      fail('backstretch cannot be reached. Is `backstretch serve` still running?');
      return;
    }
    learnClock(res, sentAt);
    const b = await res.json().catch(() => ({}));
    if (res.status === 409 && b.gate === 'high-pain') {
      $('high-text').textContent = b.error;
      $('high-help').textContent = b.help || '';
      show('high');
      $('gentlest').onclick = () => begin(painBefore, true);
      return;
    }
    if (!res.ok) {
      fail(`${b.error || 'The session could not begin'}${b.help ? `. ${b.help}` : ''}`);
      return;
    }
    S = { ...b, origin: Date.now(), pausedAt: null, nextCue: 0, nextReport: 0, reports: 0, finished: false, ending: null, done: false };
    save();
    start();
  }

  function painButtons(name, pick) {
    for (const btn of document.querySelectorAll(`[data-pain="${name}"] button`)) {
      btn.addEventListener('click', () => pick(btn.value === '' ? null : Number(btn.value)));
    }
  }
  painButtons('before', (p) => begin(p, false));
  painButtons('after', (p) => finish(p));
  $('pause').addEventListener('click', act.pause);
  $('next-step').addEventListener('click', act.next);
  $('back').addEventListener('click', act.back);
  $('hurt').addEventListener('click', act.hurt);
  $('stop').addEventListener('click', act.stop);
  $('spreading').addEventListener('click', act.spreading);
  document.addEventListener('keydown', (e) => {
    if (!S || $('player').hidden || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = { ' ': 'pause', ArrowRight: 'next', ArrowLeft: 'back', h: 'hurt', H: 'hurt', s: 'spreading', S: 'spreading', Escape: 'stop' }[e.key];
    if (k && !(k === 'pause' && e.target instanceof HTMLButtonElement)) { e.preventDefault(); act[k](); }
  });
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && S && !S.ending) { catchUpOrWait(Date.now()); lockScreen(); tick(); }
  });
  window.addEventListener('online', flush);

  // A session in progress on this device: carry on where it was.
  S = load(SESSION, null);
  if (S && S.timeline && !S.done) {
    if (S.ending) show('after'); else start();
  } else {
    S = null;
    show('before');
  }
  showRefused();
  flush();
})();
