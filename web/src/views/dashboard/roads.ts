// The access module's walking network 步行路网 for the dashboard map's background. Module-level
// (a <script setup> variable would be per map instance, and drilling into an area re-creates
// the map): the overview and the network are read once per signed-in user (another user may
// see another network, or none), the network only when an area needs it.
export type Net = { id: number; bbox: [number, number, number, number] }

let cacheUser = ''
let overview: Promise<Net | null> | null = null
let geo: Promise<GeoJSON.MultiLineString | null> | null = null

async function getJson<T>(path: string): Promise<T | null> {
  try {
    const res = await fetch('/api/v1' + path, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
    return res.ok ? ((await res.json()) as T) : null
  } catch {
    return null // the map works without its background
  }
}

function forUser(user: string) {
  if (user !== cacheUser) {
    cacheUser = user
    overview = geo = null
  }
}

export function walkingNetwork(user: string): Promise<Net | null> {
  forUser(user)
  overview ??= getJson<{ network: Net | null }>('/access/overview').then((o) => o?.network ?? null)
  return overview
}

export function walkingLines(user: string): Promise<GeoJSON.MultiLineString | null> {
  forUser(user)
  geo ??= getJson<GeoJSON.MultiLineString>('/access/network')
  return geo
}
