// The one way the UI talks to the server: JSON over fetch with the session cookie,
// Accept-Language from the chosen UI language, and the CSRF token on every non-GET.
// Failures become ApiError carrying the server's localised message, so views can show it.

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
    public field?: string,
    public requestId?: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

type Hooks = {
  language: () => string
  csrf: () => string | null
  onUnauthenticated: () => void
  networkMessage: () => string
}

let hooks: Hooks = {
  language: () => 'zh-CN',
  csrf: () => null,
  onUnauthenticated: () => {},
  networkMessage: () => 'Network error',
}

export function configureApi(h: Partial<Hooks>) {
  hooks = { ...hooks, ...h }
}

export const API_BASE = '/api/v1'

export type Query = Record<string, string | number | boolean | null | undefined>

function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    params.set(k, String(v))
  }
  const qs = params.toString()
  return qs ? `${path}?${qs}` : path
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  // Login and the session probe handle 401 themselves (a wrong password is not a logout).
  skipAuthRedirect?: boolean
  signal?: AbortSignal
  headers?: Record<string, string> // extra request headers (e.g. Idempotency-Key)
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': hooks.language(),
  }
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
  Object.assign(headers, opts.headers)
  if (method !== 'GET' && method !== 'HEAD') {
    const token = hooks.csrf()
    if (token) headers['X-CSRF-Token'] = token
  }
  let res: Response
  try {
    res = await fetch(API_BASE + withQuery(path, opts.query), {
      method,
      headers,
      credentials: 'same-origin',
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
    })
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e
    throw new ApiError(0, 'network', hooks.networkMessage())
  }
  if (res.status === 204) return undefined as T
  const text = await res.text()
  let data: unknown = undefined
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = undefined
    }
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string; request_id?: string } })?.error
    const apiErr = new ApiError(
      res.status,
      err?.code ?? `http_${res.status}`,
      err?.message ? err.message : `${res.status} ${res.statusText || hooks.networkMessage()}`,
      err?.field,
      err?.request_id,
    )
    // 401 means the session is gone, except bad_credentials (a failed sign-in on the login page).
    if (res.status === 401 && apiErr.code !== 'bad_credentials' && !opts.skipAuthRedirect) hooks.onUnauthenticated()
    throw apiErr
  }
  return data as T
}

export const api = {
  get: <T>(path: string, query?: Query, opts: RequestOptions = {}) => request<T>('GET', path, { ...opts, query }),
  post: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body?: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}
