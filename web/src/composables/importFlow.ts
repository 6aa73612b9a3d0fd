// The import dialogs' flow (组织架构 导入, 用户管理 批量导入): pick a file → the server checks it
// (a dry run) → the administrator confirms → it is written. `send(text, dryRun)` posts the file;
// `show(report)` puts an answer on screen, also the report a refused import returns with its
// 400 (the store changed since the check: the problems are listed again).
import { ref, type Ref } from 'vue'
import { ApiError, errorMessage } from '@/api/client'

export type ImportPhase = 'pick' | 'checking' | 'checked' | 'importing' | 'done'

export function useImportFlow<R>(o: {
  send: (text: string, dryRun: boolean) => Promise<R>
  show: (report: R | null) => void
  imported: (report: R) => void
  input: Ref<HTMLInputElement | null> // the file picker, emptied by reset()
}) {
  const phase = ref<ImportPhase>('pick')
  const text = ref('')
  const error = ref<string | null>(null)

  function reset() {
    phase.value = 'pick'
    text.value = ''
    error.value = null
    o.show(null)
    if (o.input.value) o.input.value.value = ''
  }

  async function check(read: () => Promise<string>) {
    error.value = null
    o.show(null)
    phase.value = 'checking'
    try {
      text.value = await read()
      o.show(await o.send(text.value, true))
      phase.value = 'checked'
    } catch (err) {
      error.value = errorMessage(err)
      phase.value = 'pick'
    }
  }

  function onFile(e: Event) {
    const f = (e.target as HTMLInputElement).files?.[0]
    if (f) return check(() => f.text())
  }

  // The same file checked again: an option of the import changed what it would do.
  function recheck() {
    if (text.value) return check(async () => text.value)
  }

  async function confirm() {
    phase.value = 'importing'
    error.value = null
    try {
      const r = await o.send(text.value, false)
      o.show(r)
      phase.value = 'done'
      o.imported(r)
    } catch (err) {
      const body = err instanceof ApiError ? (err.body as { report?: R } | undefined) : undefined
      if (body?.report) o.show(body.report)
      error.value = errorMessage(err)
      phase.value = 'checked'
    }
  }

  return { phase, text, error, reset, onFile, recheck, confirm }
}

// A CSV file for Excel: UTF-8 with a byte-order mark, so Chinese text opens readable.
export function downloadCsv(csv: string, name: string) {
  const a = document.createElement('a')
  a.href = URL.createObjectURL(new Blob(['\uFEFF' + csv], { type: 'text/csv' }))
  a.download = name
  a.click()
  setTimeout(() => URL.revokeObjectURL(a.href), 1000)
}
