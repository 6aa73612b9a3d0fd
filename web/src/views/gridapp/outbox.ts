// The device outbox 待同步: reports 事件上报 and visits 走访 are queued in IndexedDB first, each
// with its own Idempotency-Key made when queued, and sent when the network allows (the online
// event, a retry timer with exponential backoff, or the 同步 button). Each server answer decides
// the item's fate, never silently:
//   2xx (201, or 200 for a replay of the same key) → done (a report then uploads its photos);
//   409 idempotency_mismatch or another 4xx        → 需处理 (conflict) with the server's message,
//                                                    kept until the worker edits or discards it;
//   401                                            → sign in again; the queue stays;
//   no network, 429, 5xx                           → retried later with the same key.
// Case actions 签收 / 退单 / 开始办理 / 答复 (kind 'action') go through the same queue with their own
// key: POST /requests/{id}/actions/{action} answers a repeat of the same key and body without a
// second transition, so a lost answer is retried safely; a 409 illegal_transition (someone else
// acted first) lands in 需处理 with the server's reason. Photos added to an existing case (kind
// 'photos') start in the photos state with the case id.
// Photos are stored as blobs and uploaded after their report exists, through
// POST /api/v1/requests/{id}/attachments; a 404 from a server without that endpoint keeps the
// photo queued with its own status, to be retried later.
import { computed, reactive, ref } from 'vue'
import { newKey } from '@/composables/idempotency'
import { call, type ApiAnswer } from './api'

export type Kind = 'report' | 'visit' | 'action' | 'photos'
export type PhotoStatus = 'queued' | 'uploaded' | 'waiting' | 'failed'

export interface PhotoItem {
  id: string
  name: string
  type: string
  size: number
  blob: Blob | null // null once uploaded
  status: PhotoStatus
  message?: string
}

export interface OutboxError {
  status: number
  code: string
  message: string
  field?: string
}

export interface OutboxItem {
  id: string
  owner: number | string // the user who queued it; only their session sends it
  kind: Kind
  key: string // Idempotency-Key
  body: Record<string, unknown>
  summary: string
  photos: PhotoItem[]
  // pending: not yet created; photos: created, photos left; conflict: needs the worker (需处理)
  state: 'pending' | 'photos' | 'conflict'
  server_id?: number // the created report, or the case an action / photos belong to
  action?: string // kind 'action': the lifecycle action code
  error?: OutboxError
  created_at: number
  attempts: number
  next_at: number
}

// ---- IndexedDB (no library: one object store keyed by id) ----
const DB_NAME = 'gj-grid'
const STORE = 'outbox'
let dbp: Promise<IDBDatabase> | null = null
function db(): Promise<IDBDatabase> {
  if (!dbp)
    dbp = new Promise((resolve, reject) => {
      const r = indexedDB.open(DB_NAME, 1)
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: 'id' })
      r.onsuccess = () => resolve(r.result)
      r.onerror = () => reject(r.error)
    })
  return dbp
}
async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T> | void): Promise<T | undefined> {
  const d = await db()
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode)
    const req = fn(t.objectStore(STORE))
    t.oncomplete = () => resolve(req ? (req.result as T) : undefined)
    t.onerror = () => reject(t.error)
    t.onabort = () => reject(t.error)
  })
}
const idbAll = () => tx<OutboxItem[]>('readonly', (s) => s.getAll() as IDBRequest<OutboxItem[]>)
// Plain copies: IndexedDB cannot clone Vue proxies.
const plain = (it: OutboxItem): OutboxItem => ({
  ...it,
  body: JSON.parse(JSON.stringify(it.body)),
  error: it.error ? { ...it.error } : undefined,
  photos: it.photos.map((p) => ({ ...p })),
})
const idbPut = (it: OutboxItem) => tx('readwrite', (s) => s.put(plain(it)))
const idbDelete = (id: string) => tx('readwrite', (s) => s.delete(id))

// ---- the app's state ----
export interface GridUser {
  id: number | string
  username: string
  display_name: string
  role: string
  scope_code: string | null
  scope_name: string | null
  must_change_password?: boolean
}

export const state = reactive({
  user: null as GridUser | null,
  csrf: null as string | null,
  needLogin: false, // a 401: the session ended; the queue waits for a new sign-in
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  syncing: false,
  lastSyncAt: 0,
  lastSynced: 0, // items finished by the last sync
  loaded: false,
})
export const items = ref<OutboxItem[]>([])

const mine = (it: OutboxItem) => !state.user || String(it.owner) === String(state.user.id)
export const pending = computed(() => items.value.filter((it) => it.state === 'pending'))
export const pendingReports = computed(() => pending.value.filter((it) => it.kind === 'report').length)
export const pendingVisits = computed(() => pending.value.filter((it) => it.kind === 'visit').length)
export const pendingActions = computed(() => pending.value.filter((it) => it.kind === 'action').length)
// Queued actions of one case (shown on the case while they wait).
export const actionsFor = (ticketId: number) => items.value.filter((it) => it.kind === 'action' && it.server_id === ticketId)
export const conflicts = computed(() => items.value.filter((it) => it.state === 'conflict'))
export const photosWaiting = computed(() =>
  items.value.reduce((n, it) => n + it.photos.filter((p) => p.status !== 'uploaded').length, 0),
)
export const pendingCount = computed(() => items.value.filter((it) => it.state !== 'conflict').length)

export async function loadOutbox() {
  const all = (await idbAll()) ?? []
  all.sort((a, b) => a.created_at - b.created_at)
  items.value = all
  state.loaded = true
}

function replace(it: OutboxItem) {
  const i = items.value.findIndex((x) => x.id === it.id)
  if (i >= 0) items.value.splice(i, 1, it)
  else items.value.push(it)
}
async function save(it: OutboxItem) {
  replace(it)
  await idbPut(it)
}
async function drop(id: string) {
  items.value = items.value.filter((x) => x.id !== id)
  await idbDelete(id)
}

// Keys are made on the phone when a submission is queued (not when sent), so every retry of
// the same submission carries the same key.
const prefix: Record<Kind, string> = { report: 'gr', visit: 'gv', action: 'ga', photos: 'gp' }

export async function enqueue(
  kind: Kind,
  body: Record<string, unknown>,
  summary: string,
  photos: { name: string; blob: Blob }[] = [],
  target: { ticketId?: number; action?: string } = {},
) {
  const it: OutboxItem = {
    id: newKey(prefix[kind]),
    owner: state.user?.id ?? '',
    kind,
    key: '',
    body,
    summary,
    photos: photos.map((p) => ({ id: newKey('ph'), name: p.name, type: p.blob.type, size: p.blob.size, blob: p.blob, status: 'queued' })),
    state: kind === 'photos' ? 'photos' : 'pending',
    server_id: target.ticketId,
    action: target.action,
    created_at: Date.now(),
    attempts: 0,
    next_at: 0,
  }
  it.key = it.id
  await save(it)
  void syncNow()
  return it
}

// The worker edited a 需处理 item: a new key (the old one may be bound to the other body).
export async function requeue(id: string, body: Record<string, unknown>, summary: string) {
  const it = items.value.find((x) => x.id === id)
  if (!it) return
  const next: OutboxItem = { ...it, body, summary, key: newKey(prefix[it.kind]), state: 'pending', error: undefined, attempts: 0, next_at: 0 }
  await save(next)
  void syncNow(true)
}

export async function discard(id: string) {
  await drop(id)
}

// A report that exists but whose photo was refused: drop the failed photos, keep the rest going.
export async function dropFailedPhotos(id: string) {
  const it = items.value.find((x) => x.id === id)
  if (!it) return
  const photos = it.photos.filter((p) => p.status !== 'failed')
  if (!photos.some((p) => p.status !== 'uploaded')) return drop(id)
  await save({ ...it, photos, state: 'photos', error: undefined })
  void syncNow(true)
}

// ---- sync ----
const BASE_DELAY = 2000
const MAX_DELAY = 5 * 60 * 1000
let timer: ReturnType<typeof setTimeout> | null = null
let running: Promise<void> | null = null
export const listeners = { onSessionExpired: () => {} }

function backoff(it: OutboxItem): OutboxItem {
  const attempts = it.attempts + 1
  const delay = Math.min(MAX_DELAY, BASE_DELAY * 2 ** (attempts - 1)) * (0.8 + Math.random() * 0.4)
  return { ...it, attempts, next_at: Date.now() + delay }
}

function schedule() {
  if (timer) clearTimeout(timer)
  timer = null
  const due = items.value.filter((it) => it.state !== 'conflict' && mine(it)).map((it) => it.next_at)
  if (!due.length) return
  const wait = Math.max(500, Math.min(...due) - Date.now())
  timer = setTimeout(() => void syncNow(), wait)
}

// The session for sending: the CSRF token from /auth/me after a reload. false: offline or signed out.
async function ensureSession(): Promise<boolean> {
  if (state.user && state.csrf && !state.needLogin) return true
  const me = await call<{ user: GridUser; csrf_token: string }>('GET', '/auth/me')
  if (me.status === 0) {
    state.online = false
    return false
  }
  if (me.status === 401) {
    expire()
    return false
  }
  if (!me.data) return false
  acceptSession(me.data.user, me.data.csrf_token)
  return true
}

export function acceptSession(user: GridUser, csrf: string) {
  state.user = user
  state.csrf = csrf
  state.needLogin = false
  try {
    localStorage.setItem('gj.grid.user', JSON.stringify(user))
  } catch {
    /* private mode */
  }
}
function expire() {
  state.csrf = null
  state.needLogin = true
  listeners.onSessionExpired()
}

type Step = 'next' | 'stop'

function classify(a: ApiAnswer): 'ok' | 'retry' | 'offline' | 'login' | 'csrf' | 'conflict' {
  if (a.status === 0) return 'offline'
  if (a.status >= 200 && a.status < 300) return 'ok'
  if (a.status === 401) return 'login'
  if (a.status === 403 && a.code === 'csrf') return 'csrf'
  if (a.status === 408 || a.status === 429 || a.status >= 500) return 'retry'
  return 'conflict'
}

async function send(it: OutboxItem, attempt = 0): Promise<Step> {
  const path = it.kind === 'action' ? `/requests/${it.server_id}/actions/${it.action}` : it.kind === 'report' ? '/requests' : '/visits'
  const a = await call<{ request?: { id: number }; visit?: { id: number } }>('POST', path, {
    body: it.body,
    csrf: state.csrf,
    headers: { 'Idempotency-Key': it.key },
  })
  switch (classify(a)) {
    case 'ok': {
      state.lastSynced++
      const id = a.data?.request?.id ?? a.data?.visit?.id
      if (it.kind === 'report' && it.photos.length && id) {
        const next: OutboxItem = { ...it, server_id: id, state: 'photos', attempts: 0, next_at: 0 }
        await save(next)
        return uploadPhotos(next)
      }
      await drop(it.id)
      return 'next'
    }
    case 'offline':
      // Also a lost answer (the server may have committed): the same key makes the retry safe.
      state.online = navigator.onLine
      await save(backoff(it))
      return 'stop'
    case 'retry':
      await save(backoff(it))
      return 'next'
    case 'login':
      expire()
      return 'stop'
    case 'csrf':
      // The token went stale (a new session in another tab): fetch it again once.
      state.csrf = null
      if (attempt === 0 && (await ensureSession())) return send(it, 1)
      return 'stop'
    case 'conflict':
      await save({ ...it, state: 'conflict', error: { status: a.status, code: a.code, message: a.message, field: a.field } })
      return 'next'
  }
}

async function uploadPhotos(it: OutboxItem): Promise<Step> {
  let cur = it
  for (const p of it.photos) {
    if (p.status === 'uploaded' || p.status === 'failed' || !p.blob) continue
    const a = await call('POST', `/requests/${it.server_id}/attachments`, {
      raw: p.blob,
      csrf: state.csrf,
      headers: { 'Content-Type': p.type || 'image/jpeg', 'X-File-Name': encodeURIComponent(p.name) },
      timeoutMs: 120000,
    })
    const kind = classify(a)
    const setPhoto = (patch: Partial<PhotoItem>) => ({ ...cur, photos: cur.photos.map((x) => (x.id === p.id ? { ...x, ...patch } : x)) })
    if (kind === 'ok') {
      cur = setPhoto({ status: 'uploaded', blob: null, message: undefined })
      await save(cur)
      continue
    }
    if (kind === 'offline') {
      await save(backoff(cur))
      return 'stop'
    }
    if (kind === 'login') {
      expire()
      return 'stop'
    }
    const noEndpoint = a.status === 404 && a.code !== 'not_found'
    if (noEndpoint || kind === 'retry' || kind === 'csrf') {
      // 404 no_route: this server has no attachment endpoint yet: keep the photo on the phone
      // and try again later rather than lose it. (404 not_found is the report being out of the
      // worker's sight, e.g. filed in a neighbouring grid: that one waits for the worker.)
      cur = backoff(setPhoto({ status: 'waiting', message: noEndpoint ? 'endpoint_missing' : a.message }))
      await save(cur)
      return 'next'
    }
    cur = setPhoto({ status: 'failed', message: a.message })
    cur = { ...cur, state: 'conflict', error: { status: a.status, code: a.code, message: a.message, field: 'photo' } }
    await save(cur)
    return 'next'
  }
  if (cur.photos.every((x) => x.status === 'uploaded')) await drop(cur.id)
  return 'next'
}

// One sync pass; concurrent calls share it. `force`: ignore the backoff timers (the 同步 button,
// the online event).
export function syncNow(force = false): Promise<void> {
  if (running) return running
  running = (async () => {
    state.syncing = true
    state.lastSynced = 0
    try {
      if (!(await ensureSession())) return
      state.online = true
      const now = Date.now()
      const due = items.value.filter((it) => it.state !== 'conflict' && mine(it) && (force || it.next_at <= now))
      for (const it of due) {
        const step = it.state === 'photos' ? await uploadPhotos(it) : await send(it)
        if (step === 'stop') break
      }
      state.lastSyncAt = Date.now()
    } finally {
      state.syncing = false
      running = null
      schedule()
    }
  })()
  return running
}

let started = false
export function startSync() {
  if (started) return
  started = true
  window.addEventListener('online', () => {
    state.online = true
    void syncNow(true)
  })
  window.addEventListener('offline', () => {
    state.online = false
  })
  void loadOutbox().then(() => syncNow())
}
