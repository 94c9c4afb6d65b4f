// Lamplighter's service worker: keeps the app shell (the page, its script, WebAssembly, style
// and icons) so the app opens without a network. Pages are fetched from the network first and
// fall back to the kept copy; the other files have content hashes in their names, so a kept
// copy is always right. Only this origin's GET requests are touched: MQTT runs over a
// WebSocket, which service workers never see.
const CACHE = 'lamplighter-shell-v1';
const PAGE_TIMEOUT_MS = 4000;

const scope = () => self.registration.scope;

/** The same-origin files a page links to: what it needs to start. */
function shellOf(html) {
  const urls = new Set([scope()]);
  for (const match of html.matchAll(/(?:href|src|module_or_path:)\s*=?\s*["']([^"']+)["']/g)) {
    const url = new URL(match[1], scope());
    if (url.origin === self.location.origin) urls.add(url.href);
  }
  for (const icon of ['icon-192.png', 'icon-512.png', 'icon-maskable-512.png', 'manifest.webmanifest']) {
    urls.add(new URL(icon, scope()).href);
  }
  return urls;
}

/** Keeps `page` and everything it links to, and forgets files no longer linked. */
async function keepShell(page) {
  const cache = await caches.open(CACHE);
  const html = await page.clone().text();
  const wanted = shellOf(html);
  await cache.put(scope(), page);
  await Promise.all(
    [...wanted].filter((url) => url !== scope()).map(async (url) => {
      if (await cache.match(url)) return;
      const response = await fetch(url, { cache: 'no-cache' });
      if (response.ok) await cache.put(url, response);
    }),
  );
  for (const request of await cache.keys()) {
    if (!wanted.has(request.url)) await cache.delete(request);
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    fetch(scope(), { cache: 'no-cache' })
      .then((page) => (page.ok ? keepShell(page) : undefined))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

async function page(request) {
  const cache = await caches.open(CACHE);
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PAGE_TIMEOUT_MS));
    const response = await Promise.race([fetch(request), timeout]);
    if (response.ok) keepShell(response.clone()).catch(() => {});
    return response;
  } catch (error) {
    const kept = await cache.match(scope());
    if (kept) return kept;
    throw error;
  }
}

async function file(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request, { ignoreSearch: true });
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).href.startsWith(scope())) {
    cache.put(request, response.clone()).catch(() => {});
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(request.mode === 'navigate' ? page(request) : file(request));
});
