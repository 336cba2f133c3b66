/// <reference lib="webworker" />
/**
 * Caches the app shell so the app starts with the network off after its first load. Shell files
 * are fetched network-first (a new build shows at once when online) and answered from the cache
 * when the network fails; the API is never cached: data lives in the SDK's IndexedDB.
 */
declare const SHELL_VERSION: string
declare const SHELL_FILES: string[]

const sw = self as unknown as ServiceWorkerGlobalScope
const cacheName = `framelord-shell-${SHELL_VERSION}`
const scope = new URL(sw.registration.scope)
const shellUrls = ['./', ...SHELL_FILES].map(file => new URL(file, scope).href)

sw.addEventListener('install', event => {
  event.waitUntil((async () => {
    const cache = await caches.open(cacheName)
    await cache.addAll(shellUrls.map(url => new Request(url, { cache: 'reload' })))
    await sw.skipWaiting()
  })())
})

sw.addEventListener('activate', event => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('framelord-shell-') && name !== cacheName) await caches.delete(name)
    }
    await sw.clients.claim()
  })())
})

sw.addEventListener('fetch', event => {
  const request = event.request
  if (request.method !== 'GET') return
  const url = new URL(request.url)
  if (url.origin !== scope.origin || url.pathname.startsWith(scope.pathname + 'api/')) return
  const isPage = request.mode === 'navigate'
  if (!isPage && !shellUrls.includes(url.href)) return
  event.respondWith(networkFirst(request, isPage ? scope.href : url.href))
})

async function networkFirst (request: Request, key: string): Promise<Response> {
  const cache = await caches.open(cacheName)
  try {
    const response = await fetch(request)
    if (response.ok && response.type === 'basic') await cache.put(key, response.clone())
    return response
  } catch (error) {
    const cached = await cache.match(key)
    if (cached) return cached
    throw error
  }
}
