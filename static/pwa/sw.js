/* EZFlow service worker. The server prepends EZFLOW_SW = {version, offline, precache} (see apps/flows/pages.py).
 *
 * - The app shell (CSS, scripts, icons, the offline page) is saved at install time.
 * - Pages under /flows/ and /runs/ are fetched from the network first; each good copy is saved, and when the
 *   network fails the saved copy is shown, marked so the page tells the person they are offline.
 * - Nothing else is stored: no API calls, no WebSocket, no admin, no writes (only GET is ever handled).
 */
/* global EZFLOW_SW */
"use strict";

const SHELL = "ezflow-shell-" + EZFLOW_SW.version;
const PAGES = "ezflow-pages";
const STATIC = "ezflow-static";
const NEVER = ["/api/", "/ws/", "/admin/", "/webhook/", "/i18n/", "/logout/", "/login/", "/auth/", "/sw.js", "/metrics", "/healthz"];
const SAVED_PAGES = /^\/(flows|runs)\//;
const NOT_SAVED = /\/edit\/$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll(EZFLOW_SW.precache))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("ezflow-shell-") && name !== SHELL).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || NEVER.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === "navigate") {
    const savable = SAVED_PAGES.test(url.pathname) && !NOT_SAVED.test(url.pathname);
    event.respondWith(savable ? pageFromNetworkFirst(request) : fetch(request).catch(offlinePage));
  } else if (url.pathname.startsWith("/static/")) {
    event.respondWith(staticFromNetworkFirst(request));
  }
});

async function pageFromNetworkFirst(request) {
  try {
    const response = await fetch(request);
    const html = (response.headers.get("content-type") || "").startsWith("text/html");
    if (response.status === 200 && response.type === "basic" && !response.redirected && html) {
      const cache = await caches.open(PAGES);
      await cache.put(request.url, response.clone());
    }
    return response;
  } catch (error) {
    const saved = (await caches.match(request.url, { cacheName: PAGES, ignoreVary: true }))
      || (await caches.match(request.url, { cacheName: PAGES, ignoreVary: true, ignoreSearch: true }));
    return saved ? markedAsSavedCopy(saved) : offlinePage();
  }
}

async function markedAsSavedCopy(response) {
  const text = await response.text();
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  headers.set("X-EZFlow-Saved-Copy", "1");
  return new Response(text.replace("<html", '<html data-offline-copy="1"'), { status: 200, headers });
}

async function staticFromNetworkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.status === 200 && response.type === "basic") {
      const cache = await caches.open(STATIC);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    const saved = await caches.match(request, { ignoreVary: true, ignoreSearch: true });
    if (saved) return saved;
    throw error;
  }
}

async function offlinePage() {
  const saved = await caches.match(EZFLOW_SW.offline, { cacheName: SHELL, ignoreVary: true });
  return saved || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}
