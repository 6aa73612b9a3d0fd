// Shapes of the 接诉即办 API (docs/api.md "Requests"; src/api/requests_api.cpp) and the few
// display rules the workbench pages share.

export interface Holder {
  unit_id: string
  type: string
  name: string
  division_code: string
  level: number
}

export interface Ticket {
  id: string
  tracking_code: string
  status: string
  status_name: string
  channel: string
  county_code: string
  category: string
  category_name: string
  subject: string
  text: string
  location: { lat: number; lon: number } | null
  address: string
  grid_code: string
  holder: Holder
  sla_tier: string
  response_due: string | null
  resolution_due: string | null
  overdue: boolean
  supervised: boolean
  reopen_count: number
  escalation_count: number
  callback_attempts?: number // 回访未接通 so far; at 3 the call-back ended (callback_ended)
  callback_ended?: boolean
  merged_into: string
  rating: string | null
  requester: { name: string; phone: string; email: string; language: string }
  public: boolean
  manual_dispatch: boolean
  created_at: string
  updated_at: string
}

export interface TicketEvent {
  id: string | number
  at: string
  actor: string
  actor_role: string
  action: string
  from: string
  to: string
  unit_id: string
  unit_name: string
  note: string
}

export interface Assignment {
  kind: string
  from_unit_id: string
  to_unit_id: string
  to_unit_name: string
  at: string
  reason: string
}

export interface Timer {
  kind: string
  unit_id: string
  tier: string
  warn_at: string
  due_at: string
  state: string
}

export interface TicketDetail extends Ticket {
  events: TicketEvent[]
  assignments: Assignment[]
  timers: Timer[]
  route: { explanation: string; manual_dispatch: boolean }
  available_actions: string[]
  // 分类建议 (null without a model); category_source: did intake take the suggestion?
  category_suggestion?: CategorySuggestion | null
  category_source?: 'suggested' | 'chosen'
}

export interface ScoredCategory {
  code: string
  name: string
  confidence: number
}
export interface CategorySuggestion extends ScoredCategory {
  alternatives: ScoredCategory[]
  applied: boolean
  model_version: string
}

// A similar open request 相似诉求 (GET /requests/{id}/duplicates, and the intake answer).
export interface Duplicate {
  id: number
  subject: string
  status: string
  created_at: string
  score: number
  text_similarity: number
  distance_m: number | null
  reasons: string[]
}

export interface TicketPage {
  items: Ticket[]
  total: number
  page: number
  page_size: number
}

export interface OrgUnit {
  id: string | number
  name: string
  kind: string
  division_code: string | null
  retired?: boolean // withdrawn by a reform 机构改革
}

// Statuses where the clock no longer runs (docs/requests.md state table).
const CLOSED = new Set(['completed', 'callback', 'rated', 'merged', 'redirected', 'rejected', 'withdrawn'])
export const isOpen = (t: Ticket) => !CLOSED.has(t.status)

// The limit that matters now: the response limit until someone claims it, then resolution.
export function activeDue(t: Ticket): string | null {
  if (!isOpen(t)) return null
  return t.status === 'received' || t.status === 'dispatched' ? t.response_due : t.resolution_due
}

export type DeadlineLevel = 'ok' | 'warned' | 'overdue' | 'none'

// Colour of a deadline: red when the server flagged it overdue or the limit has passed; amber
// when a timer of the detail is in state "warned" (the scheduler's 预警) or, in the list (which
// carries no timers), when less than a quarter of a day is left; otherwise green.
export function deadlineLevel(t: Ticket, timers?: Timer[], now = Date.now()): DeadlineLevel {
  const due = activeDue(t)
  if (!isOpen(t)) return 'none'
  if (t.overdue) return 'overdue'
  if (!due) return 'none'
  const left = Date.parse(due) - now
  if (left <= 0) return 'overdue'
  if (timers?.some((x) => x.state === 'warned')) return 'warned'
  if (left < 6 * 3600_000) return 'warned'
  return 'ok'
}

// "2 天 3 小时" / "已超时 4 小时" style, from milliseconds left.
export function leftParts(ms: number): { overdue: boolean; days: number; hours: number; minutes: number } {
  const overdue = ms < 0
  const a = Math.abs(ms)
  const days = Math.floor(a / 86_400_000)
  const hours = Math.floor((a % 86_400_000) / 3_600_000)
  const minutes = Math.floor((a % 3_600_000) / 60_000)
  return { overdue, days, hours, minutes }
}

export const STATUS_FILTERS = [
  'received',
  'dispatched',
  'claimed',
  'returned',
  'in_progress',
  'escalated',
  'whistled',
  'replied',
  'reopened',
  'completed',
  'rated',
]

// What each action's dialog asks for (docs/requests.md: "Reason" column; payload fields in
// docs/api.md). The server still decides; a missing field comes back as missing_field.
export interface ActionForm {
  note: 'required' | 'optional'
  contacted?: boolean
  target?: boolean
  departments?: boolean
  mergedInto?: boolean
  rating?: boolean
  due?: boolean
  templates?: boolean
}
export const ACTION_FORMS: Record<string, ActionForm> = {
  dispatch: { note: 'optional', target: true },
  claim: { note: 'optional', contacted: true },
  return: { note: 'required' },
  start: { note: 'optional' },
  reply: { note: 'required', templates: true },
  complete: { note: 'optional' },
  callback: { note: 'optional' },
  callback_unreached: { note: 'optional' },
  rate: { note: 'optional', rating: true },
  reopen: { note: 'required' },
  escalate: { note: 'required' },
  whistle: { note: 'required', departments: true },
  report_in: { note: 'optional' },
  merge: { note: 'optional', mergedInto: true },
  redirect: { note: 'required', target: true },
  reject: { note: 'required' },
  withdraw: { note: 'optional' },
  supervise: { note: 'required', due: true },
}

// Buttons that change the ticket most often come first; the rest follow in server order.
const PRIMARY = ['claim', 'start', 'reply', 'complete', 'dispatch', 'report_in']
export function orderActions(codes: string[]): string[] {
  return [...codes].sort((a, b) => {
    const ia = PRIMARY.indexOf(a)
    const ib = PRIMARY.indexOf(b)
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib)
  })
}
