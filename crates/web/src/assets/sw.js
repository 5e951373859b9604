// backstretch service worker: keeps the app shell (the player page, styles, scripts) and the
// pages and figures last seen (today's routine among them), so a started session can finish
// with the server gone. Pages are fetched fresh when the server answers; the API never comes
// from the cache (the player keeps its session, and queues its steps, on the device).
'use strict';
const CACHE = 'backstretch-v2';
const SHELL = ['/static/app.css', '/static/app.js', '/static/player.js', '/static/icon.svg', '/static/offline.html', '/manifest.webmanifest'];
// The pages a person looks at after a session: kept when they can be (they are behind the
// first run's gates, so one that redirects is not kept), and again each time they are seen.
const PAGES = ['/today', '/play', '/history', '/progress'];
function keepPages(c) {
  return Promise.all(PAGES.map((p) => fetch(p, { credentials: 'same-origin' })
    .then((res) => (res.ok && !res.redirected ? c.put(p, res) : undefined))
    .catch(() => undefined)));
}

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE)
    .then((c) => c.addAll(SHELL).then(() => keepPages(c)))
    .catch(() => {})
    .then(() => self.skipWaiting()));
});

// The player asks for the pages to be kept anew when a session has been saved.
self.addEventListener('message', (e) => {
  if (e.data === 'keep-pages') e.waitUntil(caches.open(CACHE).then(keepPages));
});

self.addEventListener('activate', (e) => {
  e.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener('fetch', (e) => {
  const req = e.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/')) {
    return;
  }
  // Network first; on success keep a copy; without the server, the copy.
  e.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok && !res.redirected) {
          const copy = res.clone();
          caches.open(CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.match(req)
        .then((hit) => hit || (url.pathname === '/play' ? caches.match('/play', { ignoreSearch: true }) : undefined))
        // A page not kept: one that says so and leads back to the session.
        .then((hit) => hit || (req.mode === 'navigate' ? caches.match('/static/offline.html') : undefined))
        .then((hit) => hit || new Response('backstretch cannot be reached right now.', { status: 503, headers: { 'Content-Type': 'text/plain' } })))
  );
});
