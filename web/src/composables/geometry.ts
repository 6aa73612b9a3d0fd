// Grid boundaries 网格边界 as the server stores and serves them: a GeoJSON Polygon (outer ring,
// then holes) or, for a grid in several parts 多块网格, a MultiPolygon. Positions are [lon, lat].
export type Position = number[]
export type AreaGeometry = { type: 'Polygon'; coordinates: Position[][] } | { type: 'MultiPolygon'; coordinates: Position[][][] }

// Each part's rings, the outer ring first.
export function partsOf(g: AreaGeometry): Position[][][] {
  return g.type === 'MultiPolygon' ? g.coordinates : [g.coordinates]
}

// Every ring of every part: for extents, and for SVG paths drawn with fill-rule evenodd.
export function ringsOf(g: AreaGeometry): Position[][] {
  return partsOf(g).flat()
}

// A point on an edge counts as inside (as on the server).
function inRing(ring: Position[], lon: number, lat: number): 'in' | 'edge' | 'out' {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]
    const [xj, yj] = ring[j]
    const cross = (xj - xi) * (lat - yi) - (yj - yi) * (lon - xi)
    if (Math.abs(cross) < 1e-12 && lon >= Math.min(xi, xj) && lon <= Math.max(xi, xj) && lat >= Math.min(yi, yj) && lat <= Math.max(yi, yj))
      return 'edge'
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside
  }
  return inside ? 'in' : 'out'
}

// Inside some part's outer ring and not strictly inside one of its holes.
export function contains(g: AreaGeometry, lon: number, lat: number): boolean {
  return partsOf(g).some(([outer, ...holes]) => !!outer && inRing(outer, lon, lat) !== 'out' && holes.every((h) => inRing(h, lon, lat) !== 'in'))
}

function ringArea(ring: Position[]): number {
  let a = 0
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1])
  return Math.abs(a / 2)
}

// Planar area in square degrees (for comparing grids of one place): outer rings less holes.
export function area(g: AreaGeometry): number {
  return partsOf(g).reduce((sum, [outer, ...holes]) => sum + (outer ? ringArea(outer) : 0) - holes.reduce((s, h) => s + ringArea(h), 0), 0)
}

// [lat, lon] for a marker: the vertex mean of the largest part's outer ring.
export function centreOf(g: AreaGeometry): [number, number] {
  let ring: Position[] = []
  let best = -1
  for (const [outer] of partsOf(g)) {
    const a = outer ? ringArea(outer) : 0
    if (a > best) [ring, best] = [outer, a]
  }
  let lat = 0
  let lon = 0
  for (const [x, y] of ring) {
    lon += x
    lat += y
  }
  return [lat / Math.max(1, ring.length), lon / Math.max(1, ring.length)]
}
