// A served county's grids 网格 (GET /counties/{code}/grids, public GeoJSON), fetched once per
// county per page load, and which grid a point lies in — as the server's router decides it:
// boundary counts as inside, and where grids overlap the smallest wins.
export interface GridFeature {
  type: 'Feature'
  properties: { code: string; name: string; village: string }
  geometry: { type: 'Polygon'; coordinates: [number, number][][] }
}
export interface CountyGrids {
  type: 'FeatureCollection'
  features: GridFeature[]
}
export interface GridHit {
  code: string
  name: string
  village: string
  feature: GridFeature
}

const cache = new Map<string, Promise<CountyGrids>>()

export function countyGrids(county: string): Promise<CountyGrids> {
  let p = cache.get(county)
  if (!p) {
    // Public data: never send the staff session cookie with it (citizen pages share the origin).
    p = fetch(`/api/v1/counties/${county}/grids`, { credentials: 'omit', headers: { Accept: 'application/geo+json, application/json' } }).then(
      async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status}`)
        return (await res.json()) as CountyGrids
      },
    )
    p.catch(() => cache.delete(county)) // a failure is retried next time
    cache.set(county, p)
  }
  return p
}

// Ray casting on the outer ring ([lon, lat] pairs); a point on an edge counts as inside.
function inRing(ring: [number, number][], lon: number, lat: number): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    // On the segment: collinear and within its box.
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi)
    if (Math.abs(cross) < 1e-12 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj))
      return true
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside
}

function area(ring: [number, number][]): number {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1])
  return Math.abs(a / 2)
}

export function gridAt(grids: CountyGrids, at: { lat: number; lon: number }): GridHit | null {
  let best: GridHit | null = null
  let bestArea = Infinity
  for (const f of grids.features) {
    const ring = f.geometry.coordinates[0]
    if (!ring || !inRing(ring, at.lon, at.lat)) continue
    const a = area(ring)
    if (a < bestArea || (a === bestArea && best && f.properties.code < best.code)) {
      best = { ...f.properties, feature: f }
      bestArea = a
    }
  }
  return best
}
