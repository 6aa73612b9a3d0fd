// The grid-worker app talks to the v1 API with its own small fetch (not @/api/client): every
// answer comes back as a value — status 0 for no network — because the outbox decides per
// status what happens to a queued submission, and a 401 must not navigate away from the queue.
import { currentLang } from '@/i18n'
import type { AreaGeometry } from '@/composables/geometry'

export interface ApiAnswer<T = unknown> {
  status: number // 0: no network / aborted
  data: T | null
  code: string
  message: string
  field?: string
}

export interface CallOptions {
  body?: unknown
  raw?: Blob
  headers?: Record<string, string>
  csrf?: string | null
  timeoutMs?: number
}

export async function call<T = unknown>(method: string, path: string, opts: CallOptions = {}): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLang(), ...(opts.headers ?? {}) }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && opts.csrf) headers['X-CSRF-Token'] = opts.csrf
  // A weak network can hang a request for minutes: give up and let the outbox retry later.
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), opts.timeoutMs ?? 30000)
  let res: Response
  try {
    res = await fetch('/api/v1' + path, {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
      signal: ctl.signal,
    })
  } catch {
    return { status: 0, data: null, code: 'network', message: '' }
  } finally {
    clearTimeout(timer)
  }
  let data: unknown = null
  try {
    const text = await res.text()
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (res.ok) return { status: res.status, data: data as T, code: 'ok', message: '' }
  const err = (data as { error?: { code?: string; message?: string; field?: string } } | null)?.error
  return {
    status: res.status,
    data: null,
    code: err?.code ?? `http_${res.status}`,
    message: err?.message ?? `${res.status} ${res.statusText}`,
    field: err?.field,
  }
}

// ---- shapes (docs/api.md) ----
export interface Category {
  code: string
  parent_code: string
  name: string
}
export interface CaseRow {
  id: number
  tracking_code: string
  status: string
  status_name: string
  category_name: string
  subject: string
  text: string
  address: string
  grid_code: string
  location: { lat: number; lon: number } | null
  resolution_due: string | null
  overdue: boolean
  created_at: string
  holder: { name: string }
}
export interface CaseDetail extends CaseRow {
  events: { at: string; action: string; to: string; actor?: string; unit_name: string; note?: string }[]
  available_actions: string[]
}
export interface VisitRow {
  id: number
  client_id: string | null
  household: string
  kind: string
  kind_name: string
  note: string
  visited_at: string
  worker: { name: string }
}
export interface GridInfo {
  node: { code: string; name: string }
  polygon: AreaGeometry | null
  retired_at?: string | null // withdrawn by a re-division 网格调整: new requests go elsewhere
}

export const CLOSED_STATUSES = ['completed', 'callback', 'rated', 'merged', 'redirected', 'rejected', 'withdrawn']
export const VISIT_KINDS = ['routine', 'care', 'safety', 'policy', 'dispute', 'other'] as const

// Small read caches for offline starts (categories, the grid outline, the last case list).
export function cacheGet<T>(key: string): { at: number; value: T } | null {
  try {
    const s = localStorage.getItem('gj.grid.' + key)
    return s ? JSON.parse(s) : null
  } catch {
    return null
  }
}
export function cachePut(key: string, value: unknown) {
  try {
    localStorage.setItem('gj.grid.' + key, JSON.stringify({ at: Date.now(), value }))
  } catch {
    /* storage full: the app still works online */
  }
}
