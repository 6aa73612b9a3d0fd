// First load of the dashboard in Chromium (playwright-core + Debian chromium, as tests/e2e):
// a fresh browser context per run (no HTTP cache, new session), signed in through the API, then
// /dashboard is opened and timed from navigation start until the KPI cards show figures and the
// map has drawn the grid layer. Prints one JSON line: the runs (ms) and their median.
// usage: node load.mjs BASE_URL RUNS
import { chromium } from '../../tests/e2e/node_modules/playwright-core/index.mjs'

const [base = 'http://127.0.0.1:8080', runsArg = '5'] = process.argv.slice(2)
const runs = Number(runsArg)
const browser = await chromium.launch({
  executablePath: process.env.GJ_CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
})
const times = []
const api = []
try {
  for (let i = 0; i < runs; i++) {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const login = await context.request.post('/api/v1/auth/login', {
      data: { username: 'zhashui.command', password: 'Gongjian-Demo-2026' },
    })
    if (login.status() !== 200) throw new Error(`login ${login.status()}`)
    const page = await context.newPage()
    page.setDefaultTimeout(60_000)
    const summary = page.waitForResponse((r) => r.url().includes('/api/v1/dashboard?'))
    await page.goto('/dashboard')
    // KPI cards with numbers, and the map's grid layer drawn (Leaflet's canvas renderer).
    const ms = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const ready = () => {
            const v = document.querySelector('[data-test=kpi-received] [data-test=kpi-value]')
            const map = document.querySelector('[data-test=dashboard-map]')
            const drawn = map && Number(map.getAttribute('data-grids')) > 0 && map.querySelector('.leaflet-overlay-pane canvas, .leaflet-overlay-pane path')
            if (v && /\d/.test(v.textContent ?? '') && drawn) return resolve(performance.now())
            requestAnimationFrame(ready)
          }
          ready()
        }),
    )
    const r = await summary
    api.push((r.request().timing().responseEnd ?? 0) - (r.request().timing().requestStart ?? 0))
    times.push(Math.round(ms))
    await context.close()
  }
} finally {
  await browser.close()
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]
console.log(JSON.stringify({ runs: times, median_ms: median(times), summary_api_ms: api.map(Math.round), summary_api_median_ms: Math.round(median(api)) }))
