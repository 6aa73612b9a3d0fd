import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ApiError } from '@/api/client'
import type { Role, Session, User } from '@/api/types'

// The signed-in user and the CSRF token that goes back on every non-GET request.
export const useAuth = defineStore('auth', () => {
  const user = ref<User | null>(null)
  const csrf = ref<string | null>(null)
  // Whether we asked the server yet (a page reload keeps the cookie but loses this store).
  const probed = ref(false)

  const isAdmin = computed(() => user.value?.role === 'admin')

  function hasRole(roles?: Role[]): boolean {
    if (!roles || roles.length === 0) return true
    return !!user.value && roles.includes(user.value.role)
  }

  function accept(s: Session) {
    user.value = s.user
    csrf.value = s.csrf_token
    probed.value = true
  }

  function clear() {
    user.value = null
    csrf.value = null
    probed.value = true
  }

  async function probe(): Promise<User | null> {
    if (probed.value) return user.value
    try {
      accept(await api.get<Session>('/auth/me', undefined, { skipAuthRedirect: true }))
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) clear()
      else {
        // Server unreachable: stay unprobed so the next navigation asks again.
        throw e
      }
    }
    return user.value
  }

  async function login(username: string, password: string) {
    accept(await api.post<Session>('/auth/login', { username, password }, { skipAuthRedirect: true }))
  }

  async function logout() {
    try {
      await api.post('/auth/logout', undefined, { skipAuthRedirect: true })
    } finally {
      clear()
    }
  }

  return { user, csrf, probed, isAdmin, hasRole, accept, clear, probe, login, logout }
})
