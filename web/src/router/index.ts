import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { modules } from '@/modules'
import { useAuth } from '@/stores/auth'
import { i18n } from '@/i18n'

// Each module's routes live under the signed-in layout and carry the module's roles, so the
// guard below enforces the same rule the menu shows.
const children: RouteRecordRaw[] = modules.flatMap((m) =>
  m.routes.map((r) => ({ ...r, meta: { ...(r.meta ?? {}), module: m.code, roles: m.roles } }) as RouteRecordRaw),
)

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
    // Citizen pages 市民端: public (no session), their own phone-first shell.
    {
      path: '/m',
      component: () => import('@/views/citizen/CitizenLayout.vue'),
      meta: { public: true, citizen: true },
      children: [
        { path: '', redirect: '/m/report' },
        { path: 'report', name: 'citizen-report', component: () => import('@/views/citizen/ReportView.vue') },
        { path: 'track/:code?', name: 'citizen-track', component: () => import('@/views/citizen/TrackView.vue') },
      ],
    },
    // Grid-worker app 网格员 (views/gridapp): installable, offline first; signs in on its own
    // screen and keeps working without a network, so the guard below leaves it alone.
    {
      path: '/m/grid',
      component: () => import('@/views/gridapp/GridApp.vue'),
      meta: { public: true, gridapp: true },
      children: [
        { path: '', name: 'grid-cases', component: () => import('@/views/gridapp/CasesView.vue') },
        { path: 'case/:id(\\d+)', name: 'grid-case', component: () => import('@/views/gridapp/CaseView.vue') },
        { path: 'report', name: 'grid-report', component: () => import('@/views/gridapp/ReportForm.vue') },
        { path: 'visit', name: 'grid-visit', component: () => import('@/views/gridapp/VisitView.vue') },
        { path: 'outbox', name: 'grid-outbox', component: () => import('@/views/gridapp/OutboxView.vue') },
      ],
    },
    {
      path: '/',
      component: () => import('@/layouts/AppLayout.vue'),
      children: [
        ...children,
        { path: ':rest(.*)*', name: 'not-found', component: () => import('@/views/NotFound.vue') },
      ],
    },
  ],
  scrollBehavior: () => ({ top: 0 }),
})

router.beforeEach(async (to) => {
  // Citizen pages never need a session: no /auth/me probe (and no 401 in a citizen's console).
  if (to.meta.citizen || to.meta.gridapp) return true
  const auth = useAuth()
  let user = auth.user
  try {
    user = await auth.probe()
  } catch {
    // Server unreachable: let the login page show the network error instead of looping.
    user = null
  }
  if (to.meta.public) {
    return user && to.name === 'login' ? { path: (to.query.redirect as string) || '/' } : true
  }
  if (!user) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  // An imported account signs in with a generated password and must replace it before anything else.
  if (user.must_change_password && to.name !== 'settings') return { name: 'settings' }
  const roles = to.meta.roles as string[] | undefined
  if (roles && roles.length && !roles.includes(user.role)) return { name: 'not-found', params: { rest: to.path.split('/').filter(Boolean) } }
  return true
})

// The tab title names the module, so staff with several tabs open can tell them apart.
export function pageTitle(): string {
  const route = router.currentRoute.value
  const mod = modules.find((m) => m.code === route.meta.module)
  const app = i18n.global.t('app.title')
  if (route.meta.gridapp) return i18n.global.t('gridapp.title') + ' · ' + i18n.global.t('app.name')
  if (route.meta.citizen) return `${i18n.global.t('citizen.title')} · ${i18n.global.t('app.name')}`
  return mod && mod.code !== 'home' ? `${i18n.global.t(mod.titleKey)} · ${app}` : app
}
router.afterEach(() => {
  document.title = pageTitle()
})
