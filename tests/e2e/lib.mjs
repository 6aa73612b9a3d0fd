// Shared helpers for the browser tests: one headless Debian Chromium per run (playwright-core,
// no downloaded browser), a fresh context per user, API calls through the same cookie jar,
// and screenshots of each main page at phone and desktop width.
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

export const BASE_URL = (process.env.GJ_BASE_URL || 'http://127.0.0.1:8080').replace(/\/$/, '')
export const SHOT_DIR = join(dirname(fileURLToPath(import.meta.url)), 'screenshots')
mkdirSync(SHOT_DIR, { recursive: true })

export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1440, height: 900 }

export const ADMIN = { username: 'admin', password: 'Gongjian-Admin-2026' }
export const COMMAND = { username: 'zhashui.command', password: 'Gongjian-Demo-2026' }
export const TOWNSHIP = { username: 'qianyou.street', password: 'Gongjian-Demo-2026', scopeName: '乾佑街道' }
export const DEMO_PASSWORD = 'Gongjian-Demo-2026'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]

let browser = null
export async function launch() {
  // launch() gives every run a fresh temporary profile (its own --user-data-dir), removed on close.
  browser = await chromium.launch({
    executablePath: process.env.GJ_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  })
  return browser
}
export async function shutdown() {
  await browser?.close()
  browser = null
}

// A fresh, isolated browser context (own cookies and localStorage) with one page.
// Page errors and dialogs are collected so a test can assert nothing ran that should not.
export async function newPage({ viewport = DESKTOP, locale = 'zh-CN' } = {}) {
  const context = await browser.newContext({ viewport, locale, baseURL: BASE_URL })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  page.errors = []
  page.dialogs = []
  page.on('pageerror', (e) => page.errors.push(String(e)))
  // The server's Content-Security-Policy forbids eval and inline scripts: a violation is a bug.
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) page.errors.push(m.text())
  })
  page.on('dialog', (d) => {
    page.dialogs.push(d.message())
    d.dismiss().catch(() => {})
  })
  return { context, page }
}

export async function login(page, { username, password }) {
  await page.goto('/login')
  await page.locator('input[data-test=login-username]').fill(username)
  await page.locator('input[data-test=login-password]').fill(password)
  await page.locator('input[data-test=login-password]').press('Enter')
  await page.locator('[data-test=home]').waitFor()
}

// API calls with the page's own session (cookie jar shared with the context); non-GETs carry
// the CSRF token from /auth/me, as the UI does.
export async function apiCall(context, method, path, body) {
  const headers = { 'Accept-Language': 'zh-CN' }
  if (method !== 'GET') {
    const me = await context.request.get('/api/v1/auth/me')
    headers['X-CSRF-Token'] = (await me.json()).csrf_token
  }
  const res = await context.request.fetch('/api/v1' + path, {
    method,
    headers,
    data: body === undefined ? undefined : body,
  })
  let json = null
  const text = await res.text()
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = text
  }
  return { status: res.status(), json }
}

// Screenshot the current page at phone and at desktop width, then restore the viewport.
// fullPage: false for open dialogs/drawers, which are fixed to the viewport.
export async function shoot(page, name, { fullPage = true } = {}) {
  const original = page.viewportSize()
  for (const [label, size] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ]) {
    await page.setViewportSize(size)
    await page.waitForTimeout(250) // layout and matchMedia-driven re-render settle
    await page.screenshot({ path: join(SHOT_DIR, `${name}-${label}.png`), fullPage })
  }
  if (original) await page.setViewportSize(original)
  await page.waitForTimeout(100)
}

// A valid GB 11643 citizen ID number (18 characters, ISO 7064 MOD 11-2 check character).
export function validIdNumber(prefix17 = '61102619900307123') {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...prefix17].reduce((s, c, i) => s + Number(c) * w[i], 0)
  return prefix17 + '10X98765432'[sum % 11]
}

export const uniq = (prefix) => `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`
