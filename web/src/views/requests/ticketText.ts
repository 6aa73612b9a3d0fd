// How a ticket's status and events 办理过程 read in the UI's language: a status code by its
// name (the code itself when unknown). The store keeps events as written: the actor "citizen" or "system" for events no staff member made, the channel code as
// the note of a receive event, and system notes (automatic dispatch, escalation, deadline
// warnings and overdue) as "中文 (English)". Staff notes are shown exactly as typed.
import { useI18n } from 'vue-i18n'

export interface EventLike {
  action: string
  actor?: string
  note?: string
}

const SYSTEM_ACTORS = ['citizen', 'system']
// "中文 (English)" with Chinese before the last parenthesised part.
const BILINGUAL = /^([\s\S]*[\u4e00-\u9fff][\s\S]*?) \(([^()]+)\)$/

export function useTicketText() {
  const { t, te, locale } = useI18n()
  function status(code: string): string {
    return te(`requests.status.${code}`) ? t(`requests.status.${code}`) : code
  }
  function actor(e: EventLike): string {
    const a = e.actor ?? ''
    return SYSTEM_ACTORS.includes(a) ? t(`requests.actors.${a}`) : a
  }
  function note(e: EventLike): string {
    const n = e.note ?? ''
    if (e.action === 'receive' && te(`requests.channels.${n}`))
      return t('requests.receivedVia', { channel: t(`requests.channels.${n}`) })
    if (e.actor === 'system') {
      const m = BILINGUAL.exec(n)
      if (m) return locale.value.startsWith('zh') ? m[1] : m[2]
    }
    return n
  }
  return { status, actor, note }
}
