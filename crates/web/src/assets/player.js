// backstretch web player. It plays the timeline core computed (steps and cues come from the
// server, never made here) with the same rules as the terminal player (crates/core/src/player.rs):
// elapsed time comes from one start instant and the time paused, so it never drifts; "next"
// logs the step as skipped, "it hurts" logs it as hurt and skips the rest of the exercise,
// "back" replays a step (and logs it again). After the tab was hidden or the phone slept, it
// catches up from the clock: the steps that ended are logged, the cues missed are not said.
//
// Each finished step is sent at once with an idempotency key (the session and the report's
// number); without the server, reports queue on the device and go when it is back. A reload
// resumes the session where it was; a session finished while the server was away shows its
// summary, kept on the device, until the server has it.
//
// One screen while playing: the figure follows the step (into the stretch at Hold, back out at
// Rest, still while paused or for people who ask for less motion), mirrored for the right side.
// Every message stays where the eyes are until dismissed or the next step. Stop and "it
// spreads", and every key that would end the session or log a sign, ask first.
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
  const cueLog = [];       // [{text, late_ms}] for tests and the benchmark
  window.backstretchCues = cueLog;
  const soundLog = [];     // [{kind, from, to}] on the audio clock (s): sounds never overlap
  window.backstretchSounds = soundLog;
  const lessMotion = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : { matches: false };

  const load = (k, d) => { try { return JSON.parse(localStorage.getItem(k)) ?? d; } catch { return d; } };
  const store = (k, v) => { try { localStorage.setItem(k, JSON.stringify(v)); } catch { /* full: keep going */ } };
  const save = () => store(SESSION, S);
  const show = (id) => {
    for (const s of ['before', 'high', 'player', 'after', 'summary']) $(s).hidden = s !== id;
    document.body.classList.toggle('playing', id === 'player');
  };
  const fail = (msg) => { const e = $('player-error'); e.textContent = msg; e.hidden = !msg; };
  // A message for the person, at the top of the screen, until dismissed or the next step.
  let noticeStep = -1;
  const notice = (msg, step) => {
    $('notice-text').textContent = msg;
    $('notice').hidden = !msg;
    noticeStep = msg ? (step ?? (S ? at(elapsed(Date.now())).step : -1)) : -1;
  };

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
      body: { report: S.reports++, step, outcome, done_ms: Math.max(0, Math.min(planned, Math.round(doneMs))), at: localStamp(serverNow()), ...(S.rating ? { rating: S.rating } : {}) },
    });
    S.rating = null;
  }
  // After an exercise, while the next is got ready, the person may say how it felt; the answer
  // goes with the next step reported. Not for one that hurt, and once per exercise.
  function offerRating(item) {
    const prev = S.items[item - 1];
    const rated = S.rated || [];
    const ask = item > 0 && prev && !rated.includes(item - 1) && !(S.hurtItems || []).includes(item - 1);
    $('rate').hidden = !ask;
    if (ask) { $('rate-question').textContent = `How was ${prev.name}?`; $('rate').dataset.item = String(item - 1); }
  }
  function rate(effort) {
    const item = Number($('rate').dataset.item);
    S.rating = { exercise: S.items[item].id, effort };
    S.rated = [...(S.rated || []), item];
    $('rate').hidden = true;
    notice(`${S.items[item].name}: ${effort.replace('-', ' ')}, noted. It shapes your next sessions.`);
    save();
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
  // Without a voice, each kind of moment has its own sound: hold rises, rest falls, a side
  // switch is two double taps, done is three notes up, a get-ready is one low note and the
  // last seconds a short tick. A sound starts after the one before has ended, never over it.
  const SOUNDS = {
    hold: [[523, 0.14], [784, 0.22]],
    rest: [[784, 0.14], [523, 0.22]],
    switch: [[659, 0.08], [0, 0.06], [659, 0.08], [0, 0.18], [659, 0.08], [0, 0.06], [659, 0.08]],
    done: [[523, 0.14], [659, 0.14], [784, 0.3]],
    ready: [[392, 0.25]],
    tick: [[1047, 0.06]],
  };
  let soundFree = 0;
  function sound(kind) {
    if (!audio) return;
    const notes = SOUNDS[kind] || SOUNDS.ready;
    let t = Math.max(audio.currentTime, soundFree);
    const from = t;
    for (const [hz, len] of notes) {
      if (hz) {
        const o = audio.createOscillator();
        const g = audio.createGain();
        o.frequency.value = hz;
        g.gain.setValueAtTime(0.2, t);
        g.gain.exponentialRampToValueAtTime(0.01, t + len);
        o.connect(g).connect(audio.destination);
        o.start(t);
        o.stop(t + len);
      }
      t += len;
    }
    soundFree = t + 0.05;
    soundLog.push({ kind, from, to: t });
  }
  const soundOf = (kind) => ({ hold: 'hold', rest: 'rest', switch: 'switch', done: 'done' }[kind] || 'ready');
  // Speech is never cut off: a cue waits for the one before it to end. A count (3, 2, 1)
  // that would have to wait is left out rather than said late.
  function speak(synth, text, count) {
    if (count && (synth.speaking || synth.pending)) return;
    synth.speak(new SpeechSynthesisUtterance(text));
  }
  function say(cue) {
    const step = steps()[cue.step];
    const count = /^[0-9]+$/.test(cue.text);
    if (step.kind === 'switch' && !count && navigator.vibrate) navigator.vibrate([200, 100, 200]);
    const synth = window.speechSynthesis;
    const voices = synth && synth.getVoices ? synth.getVoices() : [];
    if (synth && voices.length && window.SpeechSynthesisUtterance) {
      speak(synth, cue.text, count);
    } else {
      sound(count ? 'tick' : soundOf(step.kind));
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
  // --- The figure ---------------------------------------------------------------------------
  // The exercise's moving figure (the server's animated SVG, one for each side), put in the
  // page so its clock can be set: the pose follows the step instead of looping.
  const figures = new Map();
  function figureFor(url) {
    if (!figures.has(url)) {
      figures.set(url, fetch(url, { credentials: 'same-origin' })
        .then((r) => (r.ok ? r.text() : Promise.reject(new Error(r.status))))
        .then((text) => {
          const svg = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
          if (svg.nodeName !== 'svg') return null;
          // The words go in the caption, readable at any size; the panel's white goes too.
          for (const t of svg.querySelectorAll('text, title')) t.remove();
          const bg = svg.querySelector('rect');
          if (bg && bg.getAttribute('width') === svg.getAttribute('width')) bg.remove();
          svg.removeAttribute('width');
          svg.removeAttribute('height');
          svg.setAttribute('aria-hidden', 'true');
          svg.setAttribute('focusable', 'false');
          const dur = parseFloat((svg.querySelector('animate') || { getAttribute: () => '' }).getAttribute('dur')) || 0;
          return { svg: document.importNode(svg, true), dur, cropped: false };
        })
        .catch(() => null));
    }
    return figures.get(url);
  }
  // Cropped to what moves and what it rests on, over the whole movement.
  function crop(f) {
    if (f.cropped || !f.svg.isConnected) return;
    let box = null;
    f.svg.pauseAnimations();
    for (let i = 0; i <= 16; i++) {
      f.svg.setCurrentTime((f.dur * i) / 16);
      const b = f.svg.getBBox();
      box = box ? { x0: Math.min(box.x0, b.x), y0: Math.min(box.y0, b.y), x1: Math.max(box.x1, b.x + b.width), y1: Math.max(box.y1, b.y + b.height) }
        : { x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height };
    }
    if (!box || box.x1 <= box.x0) return;
    const pad = 0.04 * Math.max(box.x1 - box.x0, box.y1 - box.y0);
    f.svg.setAttribute('viewBox', `${box.x0 - pad} ${box.y0 - pad} ${box.x1 - box.x0 + 2 * pad} ${box.y1 - box.y0 + 2 * pad}`);
    f.cropped = true;
  }
  let shownFigure = null;   // { url, f }
  const ease = (ms, over) => { const t = Math.min(1, Math.max(0, ms / over)); return t * t * (3 - 2 * t); };
  // Where the figure's clock stands for a moment of a step: the animation goes from the
  // start pose into the stretch over its first half (after a still second) and back over
  // the second half.
  function figureTime(f, st, into) {
    const half = f.dur / 2;
    const still = lessMotion.matches;
    if (st.kind === 'hold') return 1 + (still ? 1 : ease(into, 2000)) * (half - 1);
    if (st.kind === 'rest') return Math.min(f.dur - 0.01, half + 1 + (still ? 1 : ease(into, 1500)) * (half - 1));
    return 0;
  }
  function poseFigure(now) {
    if (!shownFigure || !shownFigure.f || !S) return false;
    const a = at(elapsed(now));
    const st = steps()[a.step];
    const f = shownFigure.f;
    const t = figureTime(f, st, a.into);
    f.svg.setCurrentTime(t);
    f.svg.dataset.pose = t.toFixed(3);
    // Still moving: while playing, within the ease at the start of a hold or rest.
    return S.pausedAt === null && !lessMotion.matches && (st.kind === 'hold' || st.kind === 'rest') && a.into < 2000;
  }
  let moving = 0;
  function animateFigure() {
    cancelAnimationFrame(moving);
    const frame = () => { if (poseFigure(Date.now())) moving = requestAnimationFrame(frame); };
    frame();
  }
  function captionFigure(item, side) {
    const f = shownFigure && shownFigure.f;
    if (!f) return;
    f.svg.dataset.side = side || '';
    const said = side && item.sides && item.sides[side];
    const which = said ? ` ${said[0].toUpperCase()}${said.slice(1)}.` : '';
    $('figure-caption').textContent = `${item.figure_note || ''}${which}`.trim();
  }
  async function showFigure(item, side) {
    const url = side === 'right' && item.figure_right ? item.figure_right : item.figure;
    if (shownFigure && shownFigure.url === url) { captionFigure(item, side); return; }
    const box = $('figure-box');
    shownFigure = { url, f: null };
    if (!url) { box.hidden = true; return; }
    const f = await figureFor(url);
    if (!shownFigure || shownFigure.url !== url) return;
    if (!f) { box.hidden = true; return; }
    shownFigure.f = f;
    box.hidden = false;
    $('figure').replaceChildren(f.svg);
    crop(f);
    f.svg.pauseAnimations();
    captionFigure(item, side);
    animateFigure();
  }

  let shownItem = -1;
  let shownStep = -1;
  function draw(now) {
    const el = elapsed(now);
    const a = at(el);
    const st = steps()[a.step];
    const item = S.items[st.item];
    $('phase').textContent = S.pausedAt !== null ? 'Paused' : S.phases[st.kind];
    if (item && shownItem !== st.item) {
      shownItem = st.item;
      $('exercise').textContent = item.name;
      $('get-into').textContent = `${item.get_into[0].toUpperCase()}${item.get_into.slice(1)}.`;
      const ol = $('steps'); ol.replaceChildren(...item.steps.map((t) => { const li = document.createElement('li'); li.textContent = t; return li; }));
      const ul = $('cautions'); ul.replaceChildren(...item.cautions.map((t) => { const li = document.createElement('li'); li.textContent = t; return li; }));
      const nextItem = S.items[st.item + 1];
      $('next').textContent = nextItem ? `Next: ${nextItem.name}` : 'This is the last exercise.';
      offerRating(st.item);
    }
    if (shownStep !== a.step) {
      if (shownStep !== -1 && noticeStep !== -1 && noticeStep !== a.step) notice('');
      shownStep = a.step;
      if (item) showFigure(item, st.side);
      animateFigure();
    }
    const parts = [];
    if (st.side) parts.push(st.side === 'right' ? 'Right side' : 'Left side');
    if (st.rep) parts.push(`repetition ${st.rep} of ${st.reps}`);
    $('side').textContent = parts.join(' · ');
    $('side').dataset.side = st.side || '';
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
      notice('You left this session; it waits here, paused, where you were. Press Resume to go on, or Stop.');
    }
  }

  function start() {
    catchUpOrWait(Date.now());
    show('player');
    shownItem = -1;
    lockScreen();
    tick();
  }

  // Asks before something that cannot be undone; the session waits, paused, for the answer.
  function ask(title, text, yes, then) {
    const d = $('confirm');
    const now = Date.now();
    const wasPaused = S.pausedAt !== null;
    if (!wasPaused) { poll(now); S.pausedAt = now; save(); tick(); }
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-yes').textContent = yes;
    const answer = (ok) => {
      $('confirm-yes').onclick = null;
      $('confirm-no').onclick = null;
      d.onclose = null;
      d.oncancel = null;
      if (d.open) d.close();
      if (!wasPaused && S.pausedAt !== null) { const t = Date.now(); S.origin += t - S.pausedAt; S.pausedAt = null; save(); }
      if (ok) then(); else tick();
    };
    $('confirm-yes').onclick = () => answer(true);
    $('confirm-no').onclick = () => answer(false);
    d.onclose = () => answer(false);
    d.oncancel = (e) => { e.preventDefault(); answer(false); };
    if (typeof d.showModal === 'function') d.showModal(); else d.setAttribute('open', '');
    $('confirm-no').focus();
  }
  const asking = () => $('confirm').open;

  const act = {
    pause() {
      const now = Date.now();
      if (S.pausedAt !== null) { S.origin += now - S.pausedAt; S.pausedAt = null; } else { poll(now); S.pausedAt = now; }
      save(); tick(); animateFigure();
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
      S.hurtItems = [...(S.hurtItems || []), item];
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
      notice(`Stopped ${S.items[item].name} and logged it as hurt. Moving on gently.`, nextItem);
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
      endCurrent(Date.now(), 'skipped');
      end('stopped');
    },
  };
  // What each control does once asked: Stop and "it spreads" always ask; a key asks before
  // anything it cannot undo.
  const ASK = {
    stop: ['End the session now?', 'The steps you have done are kept. You will be asked how it feels now.', 'Yes, end the session'],
    spreading: ['Pain spreading, numbness or tingling?', 'This ends the session and is logged as a warning sign: your plans pause until you have been checked.', 'Yes, it spreads'],
    hurt: ['Does it hurt: sharper or worse?', 'This exercise stops and is logged as hurt.', 'Yes, it hurts'],
  };
  function ifSure(k) {
    if (asking()) return;
    const [title, text, yes] = ASK[k];
    ask(title, text, yes, act[k]);
  }

  function end(ending) {
    clearTimeout(timer);
    S.ending = ending;
    save();
    releaseScreen();
    show('after');
  }

  async function finish(painAfter) {
    S.painAfter = painAfter;
    enqueue({
      url: `/api/sessions/${S.id}/finish`,
      body: { pain_after: painAfter, ending: S.ending, at: localStamp(serverNow()) },
      summary: true,
    });
    S.done = true;
    save();
    showSaved();
  }
  // The summary the device can give on its own, until the server's arrives (after a reload
  // without the server, too).
  function showSaved() {
    show('summary');
    const t = $('summary-text');
    if (t.dataset.from === 'server') return;
    t.dataset.from = 'device';
    const lines = [];
    if (S.spreading) lines.push(S.spreading_stopped);
    if (S.hurtStopped) lines.push(S.hurt_ends_text);
    lines.push(S.ending === 'completed' ? 'Session done. Well done.' : 'Session stopped. The steps you did are kept.');
    const pain = (p) => (p === null || p === undefined ? 'not given' : `${p} out of 10`);
    lines.push(`Pain before: ${pain(S.pain_before)}; after: ${pain(S.painAfter)}.`);
    lines.push('Saving your session…');
    t.replaceChildren(...lines.map((l) => { const p = document.createElement('p'); p.textContent = l; return p; }));
  }

  // --- Sending, and the queue -------------------------------------------------------------
  let flushing = false;
  let waiting = false;       // the person was told steps wait on the device
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
          const msg = `Saved on this device: ${q.length} to send when backstretch is back.`;
          if (S && !S.done && !$('player').hidden) { notice(msg); waiting = true; }
          if (S && S.done) $('summary-sync').textContent = msg;
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
        if (!rest.length && waiting) {
          waiting = false;
          if (S && !S.done && !$('player').hidden) notice('backstretch is back: every step is saved.');
        }
      }
      if (S && S.done) { localStorage.removeItem(SESSION); }
    } finally {
      flushing = false;
    }
  }
  function showSummary(b) {
    // The history and progress changed: the worker keeps them anew for offline.
    navigator.serviceWorker?.controller?.postMessage('keep-pages');
    const t = $('summary-text');
    t.dataset.from = 'server';
    $('summary-sync').textContent = '';
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
  for (const btn of document.querySelectorAll('#rate button')) btn.addEventListener('click', () => rate(btn.value));
  $('pause').addEventListener('click', act.pause);
  $('next-step').addEventListener('click', act.next);
  $('back').addEventListener('click', act.back);
  $('hurt').addEventListener('click', act.hurt);
  $('stop').addEventListener('click', () => ifSure('stop'));
  $('spreading').addEventListener('click', () => ifSure('spreading'));
  $('notice-close').addEventListener('click', () => { notice(''); $('pause').focus(); });
  document.addEventListener('keydown', (e) => {
    if (!S || $('player').hidden || asking() || e.altKey || e.ctrlKey || e.metaKey) return;
    const k = { ' ': 'pause', ArrowRight: 'next', ArrowLeft: 'back', h: 'hurt', H: 'hurt', s: 'spreading', S: 'spreading', Escape: 'stop' }[e.key];
    if (!k || (k === 'pause' && e.target instanceof HTMLButtonElement)) return;
    e.preventDefault();
    if (ASK[k]) ifSure(k); else act[k]();
  });
  lessMotion.addEventListener?.('change', animateFigure);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && S && !S.ending) { catchUpOrWait(Date.now()); lockScreen(); tick(); }
  });
  window.addEventListener('online', flush);

  // A session in progress on this device: carry on where it was.
  S = load(SESSION, null);
  if (S && S.timeline && !S.done) {
    if (S.ending) show('after'); else start();
  } else if (S && S.timeline && S.done) {
    showSaved();
  } else {
    S = null;
    show('before');
  }
  showRefused();
  flush();
})();
