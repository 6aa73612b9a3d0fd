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
    public body?: unknown, // the whole error body (e.g. an import's list of problems)
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
      data,
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

// A file sent as the request body as is (GeoJSON, CSV), with upload progress (0–1): imports of
// a county's boundary file can be tens of megabytes on a slow line. fetch cannot report upload
// progress, XMLHttpRequest can. Errors become ApiError like request()'s.
export function upload<T>(
  path: string,
  text: string,
  contentType: string,
  opts: { query?: Query; onProgress?: (fraction: number) => void } = {},
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', API_BASE + withQuery(path, opts.query))
    xhr.withCredentials = true
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.setRequestHeader('Accept-Language', hooks.language())
    xhr.setRequestHeader('Content-Type', contentType)
    const token = hooks.csrf()
    if (token) xhr.setRequestHeader('X-CSRF-Token', token)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(e.loaded / e.total)
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', hooks.networkMessage()))
    xhr.onload = () => {
      let data: unknown = undefined
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined
      } catch {
        data = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T)
      const err = (data as { error?: { code?: string; message?: string; field?: string; request_id?: string } })?.error
      if (xhr.status === 401) hooks.onUnauthenticated()
      reject(
        new ApiError(
          xhr.status,
          err?.code ?? `http_${xhr.status}`,
          err?.message ?? `${xhr.status} ${xhr.statusText || hooks.networkMessage()}`,
          err?.field,
          err?.request_id,
          data,
        ),
      )
    }
    xhr.send(text)
  })
}

export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message
  if (e instanceof Error) return e.message
  return String(e)
}
