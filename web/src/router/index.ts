import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { modules } from '@/modules'
import { useAuth } from '@/stores/auth'

// Each module's routes live under the signed-in layout and carry the module's roles, so the
// guard below enforces the same rule the menu shows.
const children: RouteRecordRaw[] = modules.flatMap((m) =>
  m.routes.map((r) => ({ ...r, meta: { ...(r.meta ?? {}), module: m.code, roles: m.roles } }) as RouteRecordRaw),
)

export const router = createRouter({
  history: createWebHistory(),
  routes: [
    { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
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
  const roles = to.meta.roles as string[] | undefined
  if (roles && roles.length && !roles.includes(user.role)) return { name: 'not-found', params: { rest: to.path.split('/').filter(Boolean) } }
  return true
})
