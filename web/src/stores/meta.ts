import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '@/api/client'
import type { Meta } from '@/api/types'
import { currentLang } from '@/i18n'

// GET /meta: role and level names, and whether this server runs on synthetic demo data.
export const useMeta = defineStore('meta', () => {
  const meta = ref<Meta | null>(null)
  let pending: Promise<void> | null = null

  function load(): Promise<void> {
    if (meta.value) return Promise.resolve()
    if (!pending) {
      pending = api
        .get<Meta>('/meta', undefined, { skipAuthRedirect: true })
        .then((m) => {
          meta.value = m
        })
        .catch(() => {
          // The shell works without names from the server (falls back to its own); try again later.
        })
        .finally(() => {
          pending = null
        })
    }
    return pending
  }

  function roleName(code: string, fallback: string): string {
    const r = meta.value?.roles?.find((x) => x.code === code)
    if (!r) return fallback
    return currentLang() === 'en' ? r.name_en || fallback : r.name_zh || fallback
  }

  return { meta, load, roleName }
})
