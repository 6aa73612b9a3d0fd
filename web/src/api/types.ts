// Shapes of the v1 API (docs/api.md is the contract; keep these in step with it).
import type { AreaGeometry } from '@/composables/geometry'

export type Role = 'admin' | 'command' | 'township' | 'village' | 'grid_worker' | 'department' | 'citizen'

export interface User {
  id: number | string
  username: string
  display_name: string
  role: Role
  scope_code: string | null
  scope_name: string | null
  scope_level: number | null
  unit_id: number | string | null
  unit_name: string | null
  must_change_password?: boolean // a generated initial password: choose one in 个人设置 first
}

export interface Session {
  user: User
  csrf_token: string
}

export interface NamedCode {
  code: string
  name_zh: string
  name_en: string
}

export interface Meta {
  version: string
  roles: NamedCode[]
  levels: { level: number; name_zh: string; name_en: string }[]
  modules: (NamedCode & { path: string })[]
  demo: boolean
  // A demo store's accounts (演示账号), for the login page; empty on a real deployment.
  demo_logins?: DemoLogin[]
}

export interface DemoLogin {
  username: string
  password: string
  role: string
  description_zh: string
  description_en: string
}

export interface OrgNode {
  code: string
  name: string
  level: number
  level_name: string
  kind: string
  parent_code: string | null
  child_count: number
  synthetic: boolean
  retired: boolean // a grid withdrawn by a re-division 网格调整
}

export interface OrgNodeDetail {
  node: OrgNode
  path?: OrgNode[]
  children: OrgNode[]
}

export interface OrgSearchItem extends OrgNode {
  path_names: string
}

export interface GridDetail {
  node: OrgNode
  worker: { id: number | string; display_name: string; phone: string | null } | null
  households: number | null
  residents: number | null
  polygon: AreaGeometry | null
  retired_at: string | null // withdrawn by a re-division 网格调整
}

export interface Unit {
  id: number | string
  name: string
  kind: string
  division_code: string | null
  retired?: boolean // withdrawn by a reform 机构改革: routes nothing, cannot be picked
}

// An organisation-data import's report 导入报告 (POST /org/grids/import, /org/units/import).
export interface ImportProblem {
  item: number // feature (GeoJSON) or line (CSV); 0 = the whole file
  reason: string
  field: string
  value: string
  message: string
}
export interface GridPreviewFeature {
  type: 'Feature'
  properties: { code: string; name: string; status: 'added' | 'changed' | 'unchanged' | 'existing' | 'retired'; overlaps?: boolean }
  geometry: AreaGeometry
}
// A grid a re-division 网格调整 retires, with what still refers to it.
export interface RetiringGrid {
  code: string
  name: string
  worker: string | null
  open_requests: number
  households: number
  households_moved: number // by their location, to a grid in use after the import
}
export interface RetiringUnit {
  id: number | string
  name: string
  kind: string
  division_code: string
  open_requests: number
  staff: number
}

export interface ImportReport {
  dry_run: boolean
  ok: boolean
  read: number
  added: number
  changed: number
  unchanged: number
  problems: ImportProblem[]
  problems_truncated: boolean
  seconds: number
  // grids
  warnings?: ImportProblem[] // overlaps with other grids: shown, not in the way of the import
  overlaps?: number
  villages?: number
  not_in_file?: number
  area_km2?: number
  preview?: { type: 'FeatureCollection'; features: GridPreviewFeature[] }
  preview_truncated?: boolean
  retired?: number // with retire_missing: grids of the file's villages it leaves out
  retiring?: RetiringGrid[] | RetiringUnit[]
  // units
  new_kinds?: string[]
  // units with retire_missing (机构改革): retiring lists units, retired/not_in_file count them
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface UserRow {
  id: number | string
  username: string
  display_name: string
  role: Role
  scope_code: string | null
  scope_name: string | null
  scope_retired?: boolean // their grid was retired in a re-division 网格调整: move them
  unit_retired?: boolean // their unit was withdrawn in a reform 机构改革: move them
  unit_id: number | string | null
  unit_name: string | null
  phone: string | null
  id_number: string | null
  email?: string | null // masked like phone (z***@example.com); full through /users/{id}/pii
  language?: 'zh-CN' | 'en' // of the user's e-mail notifications 通知语言
  disabled: boolean
  locked: boolean
  last_login_at: string | null
  created_at: string
}

export interface AuditRow {
  id: number | string
  at: string
  actor_id: number | string | null
  actor_name: string | null
  action: string
  target_type: string | null
  target_id: number | string | null
  detail: unknown
  ip: string | null
  request_id: string | null
}
