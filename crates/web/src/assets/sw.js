// backstretch service worker: keeps the app shell (the player page, styles, scripts) and the
// pages and figures last seen (today's routine among them), so a started session can finish
// with the server gone. Pages are fetched fresh when the server answers; the API never comes
// from the cache (the player keeps its session, and queues its steps, on the device).
'use strict';
const CACHE = 'backstretch-v1';
// The pages are behind the first run's gates, so they are kept as they are seen, not here.
const SHELL = ['/static/app.css', '/static/app.js', '/static/player.js', '/static/icon.svg', '/manifest.webmanifest'];

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).catch(() => {}).then(() => self.skipWaiting()));
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
        .then((hit) => hit || new Response('backstretch cannot be reached right now.', { status: 503, headers: { 'Content-Type': 'text/plain' } })))
  );
});
