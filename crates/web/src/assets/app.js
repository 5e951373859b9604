// backstretch: on every page, install the service worker that keeps the app shell and
// today's routine, so a session that has started can finish without the server.
'use strict';
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}

// The warning-sign check: a "yes" to an emergency sign shows its advice at once, with a button
// to stop there (the questions after it need no answer).
document.addEventListener('change', (e) => {
  const t = e.target;
  if (!(t instanceof HTMLInputElement) || t.type !== 'radio') return;
  const note = t.closest('fieldset[data-level="emergency"]')?.querySelector('.emergency-now');
  if (note) note.hidden = t.value !== 'yes';
});
