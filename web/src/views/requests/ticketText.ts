// How a ticket event 办理过程 reads in the UI's language. The store keeps what happened as
// written: the actor "citizen" or "system" for events no staff member made, the channel code as
// the note of a receive event, and system notes (automatic dispatch, escalation, deadline
// warnings and overdue) as "中文 (English)". Staff notes are shown exactly as typed.
type T = (key: string, values?: Record<string, unknown>) => string
type Te = (key: string) => boolean

export interface EventLike {
  action: string
  actor?: string
  note?: string
}

const SYSTEM_ACTORS = ['citizen', 'system']
// "中文 (English)" with Chinese before the last parenthesised part.
const BILINGUAL = /^([\s\S]*[\u4e00-\u9fff][\s\S]*?) \(([^()]+)\)$/

export function eventActor(e: EventLike, t: T): string {
  const a = e.actor ?? ''
  return SYSTEM_ACTORS.includes(a) ? t(`requests.actors.${a}`) : a
}

export function eventNote(e: EventLike, t: T, te: Te, zh: boolean): string {
  const note = e.note ?? ''
  if (e.action === 'receive' && te(`requests.channels.${note}`))
    return t('requests.receivedVia', { channel: t(`requests.channels.${note}`) })
  if (e.actor === 'system') {
    const m = BILINGUAL.exec(note)
    if (m) return zh ? m[1] : m[2]
  }
  return note
}
