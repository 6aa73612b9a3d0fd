// Service worker of the grid-worker app 网格员 (/m/grid), written by hand (no Workbox): the
// build (sw-plugin.mjs) prepends `self.__GJ_PRECACHE` (the app shell: index.html and every
// chunk /m/grid loads) and `self.__GJ_VERSION` (a hash of that list). It is served at
// /grid-sw.js with Cache-Control: no-cache, so the browser checks for a new version on each
// visit; a new version precaches the new shell, then drops the old caches.
//
// Strategy: navigations under /m/grid get the cached index.html at once (the phone may have
// no network at all); the shell's assets come from the cache, anything else under /assets
// from the cache or the network (then cached). The API (/api/*) is never touched: the page
// queues submissions in its IndexedDB outbox and decides what to do with each answer.
/* eslint-disable no-restricted-globals */
const CACHE = 'gj-grid-' + self.__GJ_VERSION
const SHELL = '/index.html'

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // cache: 'reload' skips the HTTP cache so a half-updated shell is never stored.
      .then((c) => c.addAll(self.__GJ_PRECACHE.map((u) => new Request(u, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  )
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith('gj-grid-') && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('message', (event) => {
  if (event.data === 'version') event.source?.postMessage({ version: self.__GJ_VERSION })
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return
  if (req.mode === 'navigate') {
    if (url.pathname === '/m/grid' || url.pathname.startsWith('/m/grid/')) {
      event.respondWith(
        caches.open(CACHE).then((c) =>
          c.match(SHELL).then((hit) => hit || fetch(req)),
        ),
      )
    }
    return
  }
  event.respondWith(
    caches.match(req, { ignoreSearch: true }).then((hit) => {
      if (hit) return hit
      return fetch(req).then((res) => {
        // Hashed assets never change: keep a copy for the next offline start.
        if (res.ok && url.pathname.startsWith('/assets/')) {
          const copy = res.clone()
          caches.open(CACHE).then((c) => c.put(req, copy))
        }
        return res
      })
    }),
  )
})
