// backstretch: on every page, install the service worker that keeps the app shell and
// today's routine, so a session that has started can finish without the server.
'use strict';
if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js').catch(() => {});
}
