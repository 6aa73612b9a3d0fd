// Times arrive as ISO 8601 with zone (2026-11-28T14:00:00+08:00); staff read them in local
// wall-clock form as the server wrote them, without a seconds/zone tail.
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?/.exec(iso)
  return m ? `${m[1]} ${m[2]}` : iso
}

// Audit detail may be text or a JSON object; either way it is shown as plain text.
export function detailText(d: unknown): string {
  if (d === null || d === undefined) return ''
  if (typeof d === 'string') return d
  try {
    return JSON.stringify(d)
  } catch {
    return String(d)
  }
}
