// backstretch: on every page, install the service worker that keeps the app shell and
// today's routine, so a session that has started can finish without the server.
'use strict';
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
  // The pairing's last step says when it worked: the worker runs, so sessions go on offline.
  const ready = document.getElementById('offline-ready');
  if (ready) navigator.serviceWorker.ready.then(() => { ready.hidden = false; });
}

// The warning-sign check: a "yes" to an emergency sign shows its advice at once, with a button
// to stop there (the questions after it need no answer).
document.addEventListener('change', (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement) || t.type !== 'radio') return;
  const note = t.closest('fieldset[data-level="emergency"]')?.querySelector('.emergency-now');
  if (note) note.hidden = t.value !== 'yes';
});

// The profile: until the person picks the area that hurts most, it is the first one ticked
// (a form sends ticked boxes in page order, not in the order they were ticked).
(() => {
  const main = document.getElementById('primary');
  if (!main) return;
  const order = [...document.querySelectorAll('input[name=areas]:checked')].map((b) => b.value);
  if (main.value) main.dataset.picked = '1';
  main.addEventListener('change', () => { main.dataset.picked = '1'; });
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement) || t.name !== 'areas') return;
    const i = order.indexOf(t.value);
    if (i >= 0) order.splice(i, 1);
    if (t.checked) order.push(t.value);
    if (!main.dataset.picked) main.value = order[0] || '';
  });
})();

// Reminders in this browser (Notification API), while a page of backstretch is open: at the
// time the person chose (kept in this browser), the server says what a reminder says now
// (nothing on a day done), and a click opens Today.
(() => {
  if (!('Notification' in window)) return;
  const KEY = 'backstretch.remind-at';
  const box = document.getElementById('remind-here');
  const status = document.getElementById('remind-status');
  const input = document.getElementById('remind-time');
  const on = document.getElementById('remind-on');
  const off = document.getElementById('remind-off');
  let timer = null;
  const say = (text) => { if (status) status.textContent = text; };
  const saved = () => { try { return localStorage.getItem(KEY); } catch { return null; } };
  const ask = (at) => fetch('/api/reminder?at=' + encodeURIComponent(at), {
    headers: { Accept: 'application/json' },
  }).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status))));
  const show = (r) => {
    if (Notification.permission !== 'granted' || !r.title) return null;
    const n = new Notification(r.title, { body: r.body || '', tag: 'backstretch-reminder' });
    n.onclick = () => { window.focus(); window.location.href = '/today'; n.close(); };
    return n;
  };
  // Shows the reminder if there is something to say, then waits for the next one.
  const check = () => ask(saved() || '08:00').then((r) => {
    if (r.nudge === 'remind' || r.nudge === 'blocked') show(r);
    schedule();
    return r;
  });
  const schedule = () => {
    clearTimeout(timer);
    const at = saved();
    if (!at || Notification.permission !== 'granted') return;
    ask(at).then((r) => {
      if (r.in_ms == null) return;
      say('Reminding you here each day at ' + at + '.');
      // Woken at least every six hours, so a computer that slept does not drift.
      const wait = Math.min(r.in_ms, 6 * 3600 * 1000);
      timer = setTimeout(wait === r.in_ms ? check : schedule, Math.max(wait, 1000));
    }).catch(() => say('The reminder could not be set: is backstretch still running?'));
  };
  const refresh = () => {
    const at = saved();
    if (on) on.hidden = !!at && Notification.permission === 'granted';
    if (off) off.hidden = !on || !on.hidden;
    if (input && at) input.value = at;
    if (Notification.permission === 'denied') {
      say('This browser blocks notifications from backstretch; allow them in its site settings to be reminded here.');
    }
  };
  if (box) box.hidden = false;
  on?.addEventListener('click', () => {
    const at = input?.value || '08:00';
    Notification.requestPermission().then((p) => {
      if (p !== 'granted') { refresh(); return; }
      try { localStorage.setItem(KEY, at); } catch { /* private mode: this page only */ }
      refresh();
      schedule();
    });
  });
  off?.addEventListener('click', () => {
    try { localStorage.removeItem(KEY); } catch { /* nothing kept */ }
    clearTimeout(timer);
    say('No more reminders in this browser.');
    refresh();
  });
  refresh();
  schedule();
  window.backstretchReminder = { check, schedule };
})();
