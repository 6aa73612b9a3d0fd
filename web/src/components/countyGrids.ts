// A served county's grids 网格 (GET /counties/{code}/grids, public GeoJSON), fetched once per
// county per page load, and which grid a point lies in — as the server's router decides it:
// boundary counts as inside, and where grids overlap the smallest wins.
import { area, contains, type AreaGeometry } from '@/composables/geometry'

export interface GridFeature {
  type: 'Feature'
  properties: { code: string; name: string; village: string }
  geometry: AreaGeometry
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

export function gridAt(grids: CountyGrids, at: { lat: number; lon: number }): GridHit | null {
  let best: GridHit | null = null
  let bestArea = Infinity
  for (const f of grids.features) {
    if (!contains(f.geometry, at.lon, at.lat)) continue
    const a = area(f.geometry)
    if (a < bestArea || (a === bestArea && best && f.properties.code < best.code)) {
      best = { ...f.properties, feature: f }
      bestArea = a
    }
  }
  return best
}
