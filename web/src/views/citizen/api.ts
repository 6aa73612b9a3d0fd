// The citizen pages talk to the public endpoints only (docs/api.md "Citizens (public)" and the
// public intake). They never send the staff session cookie: a citizen page opened in a browser
// where staff are signed in must still file an anonymous citizen report, not a staff intake.
import { ApiError } from '@/api/client'
import { currentLang } from '@/i18n'

export interface Category {
  code: string
  parent_code: string
  name: string
  sla_tier: string
}

export interface Duplicate {
  id: number
  subject: string
  status: string
  score: number
  distance_m: number | null
  reasons: string[]
}

export interface IntakeBody {
  county_code: string
  category: string
  subject: string
  text: string
  lat?: number
  lon?: number
  address?: string
  name?: string
  phone: string
  email?: string
  language?: 'zh-CN' | 'en' // of the progress updates: the language the form is read in
  public: boolean
}

export interface IntakeResult {
  tracking_code: string
  replayed: boolean
  duplicates: Duplicate[]
  request: { id: number; status: string; status_name: string; holder: { name: string }; resolution_due: string | null }
  // For the photos of this report: X-Attachment-Token, valid 24 h (null if it could not be issued).
  attachment_token?: string | null
}

export interface TrackEvent {
  at: string
  action: string
  from: string
  to: string
  unit_name: string
}

export interface Track {
  tracking_code: string
  status: string
  status_name: string
  category: string
  category_name: string
  subject: string
  handled_by: string
  expected_at: string | null
  rating: string | null
  created_at: string
  updated_at: string
  events: TrackEvent[]
  // 进度通知: where updates go (no address) and whether the requester left them on.
  updates: { channel: 'sms' | 'email' | null; enabled: boolean }
  // The handler's answer 答复: the note of the latest reply.
  reply: { text: string; at: string; unit_name: string } | null
  // Merged 已合并: the case this request joined; its answer is this requester's answer.
  joined: {
    status: string
    status_name: string
    handled_by: string
    expected_at: string | null
    reply: { text: string; at: string; unit_name: string } | null
    updated_at: string
    events: TrackEvent[]
  } | null
}

export interface TrackPhoto {
  id: number
  file_name: string
  content_type: string
  size: number
  created_at: string
  url: string
}

export type Rating = 'satisfied' | 'fairly_satisfied' | 'unsatisfied'

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response
  try {
    res = await fetch('/api/v1' + path, {
      method,
      credentials: 'omit',
      headers: {
        Accept: 'application/json',
        'Accept-Language': currentLang(),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new ApiError(0, 'network', currentLang() === 'en' ? 'Network error: please try again' : '网络异常，请稍后重试')
  }
  const text = await res.text()
  let data: unknown
  try {
    data = text ? JSON.parse(text) : undefined
  } catch {
    data = undefined
  }
  if (!res.ok) {
    const err = (data as { error?: { code?: string; message?: string; field?: string; request_id?: string } })?.error
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message || `${res.status} ${res.statusText}`, err?.field, err?.request_id)
  }
  return data as T
}

export interface ServedCounty {
  code: string
  name: string
  centre: { lat: number; lon: number } | null
}

export const citizenApi = {
  categories: () => call<{ items: Category[] }>('GET', '/categories').then((r) => r.items),
  // The counties this deployment serves (those with grids) and where each one's map opens.
  counties: () => call<{ items: ServedCounty[] }>('GET', '/counties').then((r) => r.items),
  // The same key with the same body answers the same ticket (200, replayed): a retry after a
  // lost response never files a second report.
  submit: (body: IntakeBody, idempotencyKey: string) =>
    call<IntakeResult>('POST', '/requests', body, { 'Idempotency-Key': idempotencyKey }),
  track: (code: string) => call<Track>('GET', `/track/${encodeURIComponent(code)}`),
  rate: (code: string, body: { phone_last4: string; rating: Rating; resolved?: boolean; note?: string }) =>
    call<Track>('POST', `/track/${encodeURIComponent(code)}/rate`, body),
  photos: (code: string) => call<{ items: TrackPhoto[] }>('GET', `/track/${encodeURIComponent(code)}/attachments`).then((r) => r.items),
  // 关注已有诉求: this request is the same as a published one the intake answer offered.
  sameAs: (code: string, body: { phone_last4: string; ticket_id: number }) =>
    call<Track>('POST', `/track/${encodeURIComponent(code)}/same-as`, body),
  // 重办: an unsatisfied requester asks for the case to be handled again.
  reopen: (code: string, body: { phone_last4: string; reason: string }) =>
    call<Track>('POST', `/track/${encodeURIComponent(code)}/reopen`, body),
  updates: (code: string, body: { phone_last4: string; enabled: boolean }) =>
    call<Track>('POST', `/track/${encodeURIComponent(code)}/updates`, body),
}

// The county a report goes to when the link names none (?county=…) and the deployment serves
// several: the demo county if it is one of them (GET /counties decides otherwise).
export const DEFAULT_COUNTY = '611026000000'
