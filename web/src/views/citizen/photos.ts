// Photos 照片 for a request, shared by the citizen form and the workbench: each picked image is
// drawn onto a canvas no larger than 1600 px on its long edge and re-encoded as JPEG before it
// is sent, so a phone's 12-megapixel shot becomes a few hundred kB. The server sniffs the bytes
// (JPEG/PNG/WebP, ≤ 10 MB, ≤ 9 per request) and answers a retry of the same bytes with the
// record it already holds, so re-sending after a lost response is safe.
import { ApiError } from '@/api/client'
import { currentLang } from '@/i18n'

export const MAX_PHOTOS = 9
export const MAX_EDGE = 1600

export interface Attachment {
  id: number
  file_name: string
  content_type: string
  size: number
  sha256: string
  source: 'citizen' | 'staff'
  created_at: string
  url: string
  uploaded_by?: string
}

export type PhotoState = 'ready' | 'uploading' | 'done' | 'failed'
export interface Photo {
  key: string
  name: string
  blob: Blob
  preview: string // object URL of the downscaled JPEG
  state: PhotoState
  error?: string
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('decode'))
    img.src = url
  })
}

// The picked file, at most MAX_EDGE px on its long edge, as JPEG.
export async function downscale(file: Blob): Promise<Blob> {
  const url = URL.createObjectURL(file)
  try {
    const img = await loadImage(url)
    const w0 = img.naturalWidth || 1
    const h0 = img.naturalHeight || 1
    const scale = Math.min(1, MAX_EDGE / Math.max(w0, h0))
    const w = Math.max(1, Math.round(w0 * scale))
    const h = Math.max(1, Math.round(h0 * scale))
    const canvas = document.createElement('canvas')
    canvas.width = w
    canvas.height = h
    const ctx = canvas.getContext('2d')
    if (!ctx) throw new Error('canvas')
    ctx.fillStyle = '#fff' // transparent PNG areas become white, not black
    ctx.fillRect(0, 0, w, h)
    ctx.drawImage(img, 0, 0, w, h)
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('encode'))), 'image/jpeg', 0.85))
  } finally {
    URL.revokeObjectURL(url)
  }
}

let counter = 0
export async function toPhoto(file: File): Promise<Photo> {
  const blob = await downscale(file)
  const base = file.name.replace(/\.[^.]*$/, '') || 'photo'
  return { key: `p${++counter}`, name: `${base}.jpg`, blob, preview: URL.createObjectURL(blob), state: 'ready' }
}

export function releasePhoto(p: Photo) {
  URL.revokeObjectURL(p.preview)
}

// POST the bytes; `auth` carries either the citizen's X-Attachment-Token or the staff CSRF token
// (with the session cookie).
export async function uploadPhoto(requestId: number | string, photo: Photo, auth: { token?: string; csrf?: string | null }): Promise<Attachment> {
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Accept-Language': currentLang(),
    'Content-Type': 'image/jpeg',
    'X-File-Name': encodeURIComponent(photo.name),
  }
  if (auth.token) headers['X-Attachment-Token'] = auth.token
  if (auth.csrf) headers['X-CSRF-Token'] = auth.csrf
  let res: Response
  try {
    res = await fetch(`/api/v1/requests/${requestId}/attachments`, {
      method: 'POST',
      credentials: auth.token ? 'omit' : 'same-origin',
      headers,
      body: photo.blob,
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
    throw new ApiError(res.status, err?.code ?? `http_${res.status}`, err?.message || `${res.status}`, err?.field, err?.request_id)
  }
  return data as Attachment
}

// Sends every photo not yet stored, one after another; failures stay 'failed' for a retry.
export async function uploadAll(requestId: number | string, photos: Photo[], auth: { token?: string; csrf?: string | null }): Promise<Attachment[]> {
  const out: Attachment[] = []
  for (const p of photos) {
    if (p.state === 'done') continue
    p.state = 'uploading'
    p.error = undefined
    try {
      out.push(await uploadPhoto(requestId, p, auth))
      p.state = 'done'
    } catch (e) {
      p.state = 'failed'
      p.error = e instanceof Error ? e.message : String(e)
    }
  }
  return out
}
