import type { Component } from 'vue'
import type { RouteRecordRaw } from 'vue-router'
import { House, OfficeBuilding, User, Document, Setting, Location, Tickets, Bell, Operation, DataAnalysis, EditPen } from '@element-plus/icons-vue'
import type { Role } from '@/api/types'

// The menu is this list: one entry per module that exists. A later module (接诉即办 requests,
// 15分钟服务圈 service circle, 指挥中心 command centre …) adds one entry here with its own lazy
// routes and i18n keys; nothing else in the shell changes. Order here is menu order.
export interface ModuleDef {
  code: string
  titleKey: string // i18n key for the menu label
  descKey?: string // i18n key for the home page card
  icon: Component
  path: string // where the menu item goes
  roles?: Role[] // who sees it; absent = every signed-in user
  routes: RouteRecordRaw[] // children of the signed-in layout
}

export const modules: ModuleDef[] = [
  {
    code: 'home',
    titleKey: 'menu.home',
    icon: House,
    path: '/',
    routes: [{ path: '', name: 'home', component: () => import('@/views/HomeView.vue') }],
  },
  {
    code: 'org',
    titleKey: 'menu.org',
    descKey: 'home.moduleOrg',
    icon: OfficeBuilding,
    path: '/org',
    routes: [
      { path: 'org', name: 'org-root', component: () => import('@/views/org/OrgBrowser.vue') },
      { path: 'org/:code', name: 'org-node', component: () => import('@/views/org/OrgBrowser.vue') },
    ],
  },
  {
    // 接诉即办 workbench: every staff role handles or follows tickets (citizens use the public pages).
    code: 'requests',
    titleKey: 'requests.menu',
    descKey: 'requests.moduleDesc',
    icon: Tickets,
    path: '/requests',
    roles: ['admin', 'command', 'township', 'village', 'grid_worker', 'department'],
    routes: [
      { path: 'requests', name: 'requests', component: () => import('@/views/requests/RequestQueue.vue') },
      { path: 'requests/:id', name: 'request-case', component: () => import('@/views/requests/RequestCase.vue') },
    ],
  },
  {
    // 受理登记: staff intake on their own channel — a hotline call at the command centre, a
    // transfer from a department (the server refuses any other channel for a role).
    code: 'intake',
    titleKey: 'intake.menu',
    icon: EditPen,
    path: '/requests/new',
    roles: ['admin', 'command', 'department'],
    routes: [{ path: 'requests/new', name: 'request-new', component: () => import('@/views/requests/IntakeForm.vue') }],
  },
  {
    // 督办: overdue, escalated and 吹哨 cases across the area, for those who may supervise.
    code: 'supervision',
    titleKey: 'requests.menuSupervision',
    icon: Bell,
    path: '/supervision',
    roles: ['admin', 'command', 'township'],
    routes: [{ path: 'supervision', name: 'supervision', component: () => import('@/views/requests/SupervisionView.vue') }],
  },
  {
    // 指挥中心: the area's figures, map and rankings, for the command chain's platforms only.
    code: 'dashboard',
    titleKey: 'dashboard.menu',
    descKey: 'dashboard.moduleDesc',
    icon: DataAnalysis,
    path: '/dashboard',
    roles: ['admin', 'command', 'township'],
    routes: [{ path: 'dashboard', name: 'dashboard', component: () => import('@/views/dashboard/DashboardView.vue') }],
  },
  {
    code: 'access',
    titleKey: 'menu.access',
    descKey: 'home.moduleAccess',
    icon: Location,
    path: '/access',
    roles: ['admin', 'command', 'township', 'village', 'grid_worker', 'department'],
    routes: [{ path: 'access', name: 'access', component: () => import('@/views/access/AccessView.vue') }],
  },
  {
    code: 'users',
    titleKey: 'menu.users',
    descKey: 'home.moduleUsers',
    icon: User,
    path: '/users',
    roles: ['admin'],
    routes: [{ path: 'users', name: 'users', component: () => import('@/views/users/UserList.vue') }],
  },
  {
    code: 'audit',
    titleKey: 'menu.audit',
    descKey: 'home.moduleAudit',
    icon: Document,
    path: '/audit',
    roles: ['admin'],
    routes: [{ path: 'audit', name: 'audit', component: () => import('@/views/audit/AuditLog.vue') }],
  },
  {
    // 配置管理: responsibility matrix, SLA tiers and holidays (deployment-wide; docs/api.md).
    code: 'config',
    titleKey: 'config.menu',
    descKey: 'config.moduleDesc',
    icon: Operation,
    path: '/config',
    roles: ['admin', 'command'],
    routes: [{ path: 'config', name: 'config', component: () => import('@/views/config/ConfigView.vue') }],
  },
  {
    code: 'settings',
    titleKey: 'menu.settings',
    descKey: 'home.moduleSettings',
    icon: Setting,
    path: '/settings',
    routes: [{ path: 'settings', name: 'settings', component: () => import('@/views/settings/SettingsView.vue') }],
  },
]
