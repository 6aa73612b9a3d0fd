// Shapes of GET /api/v1/dashboard, /dashboard/map and /dashboard/token (docs/api.md, "Dashboard").
export interface Crumb {
  code: string
  name: string
  level: number
}
export interface MetricValue {
  value: number | null
  numerator: number
  denominator: number
}
export interface Kpi {
  code: string
  name: string
  current: MetricValue
  previous: MetricValue
  delta: number | null
  higher_is_better: boolean
}
export interface TrendPoint {
  period: string
  received: number
  satisfaction_rate?: number | null
  response_rate?: number | null
}
export interface ChildRow {
  code: string
  name: string
  level: number
  has_children: boolean
  received: number
  satisfaction_rate: number | null
  response_rate: number | null
  on_time_rate: number | null
  overdue: number
}
export interface UnitRow {
  unit_id: string
  name: string
  rank: number
  assignments: number
  satisfaction_rate: number | null
  response_rate: number | null
  on_time_rate: number | null
}
export interface Summary {
  area: Crumb
  path: Crumb[]
  from: string
  to: string
  previous: { from: string; to: string }
  totals: { received: number; received_previous: number; open_now: number; overdue: number; overdue_previous: number }
  kpis: Kpi[]
  trend: { granularity: 'day' | 'month'; points: TrendPoint[] }
  categories: { code: string; name: string; count: number }[]
  children: ChildRow[]
  units: UnitRow[]
  units_total: number
  token: string
}
export interface MapGrid {
  code: string
  name: string
  received: number
  polygon: GeoJSON.Polygon | GeoJSON.MultiPolygon | null
}
export interface MapPoint {
  id: number
  lat: number
  lon: number
  status: string
  category: string
  grid_code: string
}
export interface MapData {
  area: string
  received: number
  points_capped: boolean
  max_points: number
  grids: MapGrid[]
  points: MapPoint[]
}
export interface HotIssue {
  label: string
  category: string
  request_ids: string[]
  count_current: number
  count_previous: number
  trend: string
  trend_code: string
}

export const OPEN_STATUSES = new Set([
  'received',
  'dispatched',
  'claimed',
  'returned',
  'in_progress',
  'escalated',
  'whistled',
  'replied',
  'reopened',
])

// The division one level below `level` that contains grid `grid` (drill-down from the map).
export function childContaining(grid: string, level: number): string | null {
  if (level === 3) return grid.slice(0, 9) + '000'
  if (level === 4) return grid.slice(0, 12)
  if (level === 5) return grid
  return null
}

function ym(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`
}
export type Preset = 'month' | 'last3' | 'last6' | 'year' | 'custom'
// Month range of a preset, in the browser's calendar (the server counts in UTC+8).
export function presetRange(p: Preset, now = new Date()): [string, string] {
  const to = ym(now)
  const back = (n: number) => ym(new Date(now.getFullYear(), now.getMonth() - n, 1))
  if (p === 'last3') return [back(2), to]
  if (p === 'last6') return [back(5), to]
  if (p === 'year') return [`${now.getFullYear()}-01`, to]
  return [to, to]
}
