// Shapes of /api/v1/access/* (docs/api.md, "Access").
export interface FacilityType {
  code: string
  name_zh: string
  name_en: string
  minutes: number
  speed_kmh: number
  radius_m: number
  from_osm: boolean
}

export interface AccessOverview {
  network: {
    id: number
    name: string
    division_code: string
    source_file: string
    nodes: number
    edges: number
    bbox: [number, number, number, number] // minlon, minlat, maxlon, maxlat
    imported_at: string
  } | null
  run: {
    id: number
    status: string
    started_at: string
    finished_at: string | null
    params: { cutoff_min: number; speed_kmh: number; minutes: number[] }
    types: string
    homes?: string // "osm" (buildings) or "household" (registered households)
  } | null
  types: FacilityType[]
}

export interface CoverageRow {
  level: string
  unit: string
  synthetic: boolean
  type: string
  residences: number
  households: number
  cutoff_min?: number
  households_within_cutoff?: number
  share_households_cutoff?: number
  residences_within: number[]
  households_within: number[]
  share_households: number[]
  median_distance_m: number | null
}

export interface GapRow {
  type: string
  cell: [number, number]
  lat: number
  lon: number
  residences: number
  households: number
}

export interface Facility {
  id: number
  type: string
  name: string
  lat: number
  lon: number
  opening_hours: string
  source: 'osm' | 'manual' | 'csv'
  source_ref: string
  division_code: string
  updated_at: string
}

export interface PointsReply {
  types: string[]
  points: (number | null)[][] // [lat, lon, households, minutes per type…]
}

export interface SitesReply {
  type: string
  households_total: number
  households_covered_before: number
  sites: { rank: number; lat: number; lon: number; candidate: number; households_added: number; residences_added: number; households_covered_after: number }[]
}

// A background run of `access run` started from the page (POST /access/jobs).
export interface AccessJob {
  id: number
  kind: string
  division_code: string
  status: 'queued' | 'running' | 'done' | 'failed'
  stage: string
  done: number
  total: number
  message: string
  run_id: number | null
  created_by: string
  created_at: string
  finished_at: string | null
}

// A registered household 登记户 (GET /access/households): address, location, size; no names.
export interface Household {
  id: number
  grid_code: string
  address: string
  lat: number
  lon: number
  members: number
}

export interface HouseholdsReply {
  total: number
  items: Household[]
}
