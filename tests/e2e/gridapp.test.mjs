// Browser test of the grid-worker app 网格员 (/m/grid) against the real server with the demo
// dataset: the grid worker signs in on a phone, the service worker takes over, the network goes
// away (context.setOffline), two reports (one with a photo) and a visit are queued in the
// IndexedDB outbox (待同步 3: 事件 2 · 走访 1), the page is reloaded offline and still shows the
// app and the queue; back online the outbox syncs by itself — the first POST's answer is cut
// after the server committed, so the app retries with the same Idempotency-Key — and each
// report exists exactly once on the server. A visit the server refuses (400, a time in the
// future) lands in 需处理 with the server's message, is corrected and sent.
// scripts/test-stages/30-e2e.sh starts the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { deflateSync } from 'node:zlib'
import { BASE_URL, DEMO_PASSWORD, PHONE, apiCall, launch, newPage, shoot, shutdown, uniq } from './lib.mjs'

before(launch)
after(shutdown)

const GRID = { username: 'qianyou.grid', password: DEMO_PASSWORD }
// The centre of the demo grid 611026001001001 (仁和社区居委会第1网格), the worker's own grid.
const INSIDE = { latitude: 33.692834, longitude: 109.104509 }

// A camera-sized PNG (2400×1800) the app must shrink to ≤ 1600 px JPEG before queueing it.
function bigPng(w = 2400, h = 1800) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const td = Buffer.concat([Buffer.from(type), data])
    const c = Buffer.alloc(4)
    c.writeUInt32BE(crc(td))
    return Buffer.concat([len, td, c])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(w, 0)
  ihdr.writeUInt32BE(h, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const row = Buffer.alloc(1 + w * 3)
  const rows = []
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      row[1 + x * 3] = (x * 255) / w
      row[2 + x * 3] = (y * 255) / h
      row[3 + x * 3] = 120
    }
    rows.push(Buffer.from(row))
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

async function pending(page) {
  const el = page.locator('[data-test=ga-pending]')
  const detail = page.locator('[data-test=ga-pending-detail]')
  return {
    total: Number(await el.getAttribute('data-count')),
    reports: Number(await detail.getAttribute('data-reports')),
    visits: Number(await detail.getAttribute('data-visits')),
  }
}

async function queueReport(page, { subject, photo }) {
  await page.locator('[data-test=ga-tab-report]').click()
  await page.locator('[data-test=ga-report]').waitFor()
  await page.locator('[data-test=ga-category]').selectOption('0106') // 环境卫生
  await page.locator('[data-test=ga-subject]').fill(subject)
  await page.locator('[data-test=ga-text]').fill('仁和社区东门垃圾桶满溢，网格员巡查发现，需清运')
  await page.locator('[data-test=ga-gps]').click()
  await page.locator('[data-test=ga-pin]', { hasText: '已标注' }).waitFor()
  if (photo) {
    await page.locator('[data-test=ga-photo]').setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: photo })
    await page.locator('.ga-thumbs li').waitFor()
  }
  await page.locator('[data-test=ga-submit]').click()
  await page.locator('[data-test=ga-queued]', { hasText: subject }).waitFor()
}

async function queueVisit(page, { household, at }) {
  await page.locator('[data-test=ga-tab-visit]').click()
  await page.locator('[data-test=ga-visit]').waitFor()
  await page.locator('[data-test=ga-household]').fill(household)
  await page.locator('[data-test=ga-kind]').selectOption('care')
  await page.locator('[data-test=ga-note]').fill('独居老人，身体状况良好，已提醒冬季用火安全')
  if (at) await page.locator('[data-test=ga-at]').fill(at)
  await page.locator('[data-test=ga-visit-submit]').click()
  await page.locator('[data-test=ga-queued]', { hasText: household }).waitFor()
}

function localInput(d) {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16)
}

test('网格员: queued offline, reloaded offline, synced exactly once after a lost answer; a refused visit waits in 需处理', async () => {
  const { context, page } = await newPage({ viewport: PHONE })
  await context.grantPermissions(['geolocation'])
  await context.setGeolocation(INSIDE)
  try {
    // ---- sign in; the service worker takes the page ----
    await page.goto('/m/grid')
    await page.locator('[data-test=ga-login]').waitFor()
    await shoot(page, 'gridapp-login')
    await page.locator('[data-test=ga-username]').fill(GRID.username)
    await page.locator('[data-test=ga-password]').fill(GRID.password)
    await page.locator('[data-test=ga-password]').press('Enter')
    await page.locator('[data-test=ga-cases]').waitFor()
    await page.locator('[data-test=ga-sw][data-state=ready]').waitFor({ timeout: 20_000 })
    await page.waitForFunction(() => !!navigator.serviceWorker.controller, null, { timeout: 20_000 })
    // The manifest makes it installable: icons and start URL.
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]').href
      return (await fetch(href)).json()
    })
    assert.equal(manifest.start_url, '/m/grid')
    assert.ok(manifest.icons.some((i) => i.sizes === '512x512' && i.type === 'image/png'))
    // Categories and the grid outline are loaded (and cached) while online.
    await page.locator('[data-test=ga-tab-report]').click()
    await page.locator('[data-test=ga-category] option[value="0106"]').waitFor({ state: 'attached' })
    await page.locator('[data-test=ga-report-map] path.leaflet-interactive').waitFor()
    await shoot(page, 'gridapp-report')

    // ---- offline: two reports and a visit go into the outbox ----
    await context.setOffline(true)
    await page.locator('[data-test=ga-offline]').waitFor()
    const s1 = uniq('垃圾满溢A')
    const s2 = uniq('垃圾满溢B')
    const household = uniq('仁和社区7号楼 ')
    await queueReport(page, { subject: s1, photo: bigPng() })
    await queueReport(page, { subject: s2 })
    await queueVisit(page, { household })
    assert.deepEqual(await pending(page), { total: 3, reports: 2, visits: 1 })
    // The photo was shrunk on the phone: JPEG, long side ≤ 1600 px.
    const photo = await page.evaluate(async () => {
      const db = await new Promise((res, rej) => {
        const r = indexedDB.open('gj-grid')
        r.onsuccess = () => res(r.result)
        r.onerror = () => rej(r.error)
      })
      const all = await new Promise((res) => {
        const q = db.transaction('outbox').objectStore('outbox').getAll()
        q.onsuccess = () => res(q.result)
      })
      const p = all.flatMap((it) => it.photos)[0]
      const bmp = await createImageBitmap(p.blob)
      return { type: p.blob.type, w: bmp.width, h: bmp.height, keys: all.map((it) => it.key) }
    })
    assert.equal(photo.type, 'image/jpeg')
    assert.equal(Math.max(photo.w, photo.h), 1600)
    assert.equal(new Set(photo.keys).size, 3, 'each queued item has its own Idempotency-Key')

    // ---- reload with no network: the service worker serves the app, IndexedDB the queue ----
    await page.reload()
    await page.locator('[data-test=gridapp]').waitFor()
    await page.locator('[data-test=ga-pending][data-count="3"]').waitFor()
    await page.locator('[data-test=ga-offline]').waitFor()
    await page.locator('[data-test=ga-tab-outbox]').click()
    await page.locator('[data-test=ga-item-report]').nth(1).waitFor()
    await shoot(page, 'gridapp-offline-queue')

    // ---- back online; the first report's answer is lost after the server committed it ----
    let cut = 0
    let cutStatus = 0
    await context.route('**/api/v1/requests', async (route) => {
      if (route.request().method() === 'POST' && cut === 0) {
        cut++
        const res = await route.fetch()
        cutStatus = res.status()
        await route.abort('connectionreset')
        return
      }
      await route.fallback()
    })
    await context.setOffline(false)
    await page.locator('[data-test=ga-pending-detail][data-reports="0"][data-visits="0"]').waitFor({ timeout: 30_000 })
    assert.equal(cut, 1, 'the first POST was intercepted')
    // 201, or 200 when an earlier attempt had already reached the server while the emulated
    // network was going down (Chromium can let a dispatched request through and drop only its
    // answer): either way the server holds the report and its answer to this attempt was lost.
    assert.ok([200, 201].includes(cutStatus), `the server had committed the first report before its answer was lost (${cutStatus})`)

    const list = await apiCall(context, 'GET', '/requests?page_size=200')
    assert.equal(list.status, 200)
    for (const s of [s1, s2]) {
      const hits = list.json.items.filter((r) => r.subject === s)
      assert.equal(hits.length, 1, `${s} exists exactly once`)
      assert.equal(hits[0].channel, 'grid')
      assert.equal(hits[0].grid_code, '611026001001001')
    }
    const visits = await apiCall(context, 'GET', '/visits')
    assert.equal(visits.status, 200)
    assert.equal(visits.json.items.filter((v) => v.household === household.trim()).length, 1)

    // The photo goes up after its report (this server has the attachment endpoint): wait for
    // the queue to empty rather than read it while the upload may still be in flight, then the
    // report holds exactly one photo, uploaded once.
    await page.locator('[data-test=ga-pending][data-count="0"]').waitFor({ timeout: 30_000 })
    const withPhoto = list.json.items.find((r) => r.subject === s1)
    const photos = await apiCall(context, 'GET', `/requests/${withPhoto.id}/attachments`)
    assert.equal(photos.status, 200)
    assert.equal(photos.json.items.length, 1, 'the queued photo is attached once')
    assert.equal(photos.json.items[0].content_type, 'image/jpeg')
    await shoot(page, 'gridapp-synced')

    // The new report is one of the grid's open cases 案件, and opens with its details.
    await page.locator('[data-test=ga-tab-cases]').click()
    const row = page.locator('[data-test=ga-cases] a', { hasText: s1 })
    await row.waitFor()
    await row.click()
    await page.locator('[data-test=ga-case] h1', { hasText: s1 }).waitFor()
    await page.locator('[data-test=ga-case] li', { hasText: '受理' }).first().waitFor()
    await shoot(page, 'gridapp-case')

    // ---- a visit the server refuses shows in 需处理 with its message, then is corrected ----
    const refused = uniq('仁和社区9号楼 ')
    const tomorrow = new Date(Date.now() + 36 * 3600 * 1000)
    await queueVisit(page, { household: refused, at: localInput(tomorrow) })
    await page.locator('[data-test=ga-conflict-count]').waitFor({ timeout: 15_000 })
    await page.locator('[data-test=ga-tab-outbox]').click()
    const item = page.locator('[data-test=ga-conflict-visit]', { hasText: refused.trim() })
    await item.waitFor()
    assert.match(await item.locator('[data-test=ga-conflict-message]').innerText(), /400.*输入数据有误.*走访时间 · visited_at/)
    await shoot(page, 'gridapp-conflict')
    // Sync again: a refused item is not retried by itself, it waits for the worker.
    await page.locator('[data-test=ga-sync]').click()
    await page.waitForTimeout(500)
    await item.waitFor()
    await item.locator('[data-test=ga-edit]').click()
    await page.locator('[data-test=ga-visit]').waitFor()
    assert.equal(await page.locator('[data-test=ga-household]').inputValue(), refused.trim())
    await page.locator('[data-test=ga-at]').fill(localInput(new Date(Date.now() - 3600 * 1000)))
    await page.locator('[data-test=ga-visit-submit]').click()
    await page.locator('[data-test=ga-conflicts]').waitFor()
    await page.locator('[data-test=ga-pending-detail][data-visits="0"]').waitFor({ timeout: 15_000 })
    await page.locator('[data-test=ga-item-visit]').waitFor({ state: 'detached' })
    assert.equal(await page.locator('[data-test=ga-conflict-visit]').count(), 0)
    const after = await apiCall(context, 'GET', '/visits')
    assert.equal(after.json.items.filter((v) => v.household === refused.trim()).length, 1)

    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('网格员: an expired session keeps the queue and asks to sign in again', async () => {
  const { context, page } = await newPage({ viewport: PHONE })
  try {
    await page.goto('/m/grid')
    await page.locator('[data-test=ga-username]').fill(GRID.username)
    await page.locator('[data-test=ga-password]').fill(GRID.password)
    await page.locator('[data-test=ga-signin]').click()
    await page.locator('[data-test=ga-cases]').waitFor()
    await context.setOffline(true)
    const household = uniq('仁和社区3号楼 ')
    await queueVisit(page, { household })
    // The session ends elsewhere (cookie gone) while the phone is offline.
    await context.clearCookies()
    await context.setOffline(false)
    await page.locator('[data-test=ga-expired]').waitFor({ timeout: 15_000 })
    assert.match(await page.locator('[data-test=ga-expired]').innerText(), /1 条/)
    await shoot(page, 'gridapp-expired')
    // English on request: the app's own texts switch, the choice persists.
    await page.locator('[data-test=ga-lang]').click()
    await page.locator('[data-test=ga-login] h1', { hasText: 'Session expired' }).waitFor()
    await shoot(page, 'gridapp-expired-en')
    await page.locator('[data-test=ga-lang]').click()
    await page.locator('[data-test=ga-login] h1', { hasText: '登录已过期' }).waitFor()
    await page.locator('[data-test=ga-password]').fill(GRID.password)
    await page.locator('[data-test=ga-signin]').click()
    await page.locator('[data-test=ga-pending][data-count="0"]').waitFor({ timeout: 15_000 })
    const visits = await apiCall(context, 'GET', '/visits')
    assert.equal(visits.json.items.filter((v) => v.household === household.trim()).length, 1)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

// ---- case actions 办理 from the phone ----

// A citizen report through the public intake, at the centre of the worker's grid.
async function citizenTicket(subject) {
  const res = await fetch(`${BASE_URL}/api/v1/requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify({
      county_code: '611026000000',
      category: '0107',
      subject,
      text: '仁和社区东门路灯连续三晚不亮，晚上出行不安全。',
      name: '李四',
      phone: '13855557777',
      lat: INSIDE.latitude,
      lon: INSIDE.longitude,
    }),
  })
  assert.equal(res.status, 201)
  return (await res.json()).request
}

// Another device of someone on the same case (its own session): acts through the API directly.
async function otherDevice(username) {
  const res = await fetch(`${BASE_URL}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password: DEMO_PASSWORD }),
  })
  assert.equal(res.status, 200)
  const cookie = res.headers.get('set-cookie').split(';')[0]
  const csrf = (await res.json()).csrf_token
  return (method, path, body) =>
    fetch(`${BASE_URL}/api/v1${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
}

async function act(page, action, fill = async () => {}) {
  await page.locator(`[data-test=ga-act-${action}]`).click()
  await page.locator('[data-test=ga-act-form]').waitFor()
  await fill()
  await page.locator('[data-test=ga-act-submit]').click()
}

test('网格员: claims and starts a case online, replies offline with a template; the reply exists once; an action someone else beat waits in 需处理', async () => {
  const subjectA = uniq('路灯不亮A')
  const subjectB = uniq('路灯不亮B')
  const a = await citizenTicket(subjectA)
  const b = await citizenTicket(subjectB)
  const { context, page } = await newPage({ viewport: PHONE })
  try {
    await page.goto('/m/grid')
    await page.locator('[data-test=ga-username]').fill(GRID.username)
    await page.locator('[data-test=ga-password]').fill(GRID.password)
    await page.locator('[data-test=ga-signin]').click()
    await page.locator('[data-test=ga-cases]').waitFor()
    await page.locator('[data-test=ga-sw][data-state=ready]').waitFor({ timeout: 20_000 })

    // ---- the case opens from the list; only the server's actions the phone handles show ----
    await page.locator('[data-test=ga-cases] a', { hasText: subjectA }).click()
    await page.locator('[data-test=ga-case] h1', { hasText: subjectA }).waitFor()
    await page.locator('[data-test=ga-act-claim]').waitFor()
    const listed = (await apiCall(context, 'GET', `/requests/${a.id}`)).json.available_actions
    const shown = (await page.locator('[data-test=ga-case-actions]').getAttribute('data-actions')).split(',').filter(Boolean)
    assert.ok(shown.length > 0 && shown.every((x) => listed.includes(x)), `${shown} ⊆ ${listed}`)
    await shoot(page, 'gridapp-case-actions')

    // ---- 签收 with 已联系诉求人, then 开始办理, online ----
    await act(page, 'claim', () => page.locator('[data-test=ga-act-contacted]').check())
    await page.locator('[data-test=ga-case-notice]', { hasText: '已提交' }).waitFor()
    await page.locator('[data-test=ga-case] li', { hasText: '签收' }).first().waitFor()
    await act(page, 'start')
    await page.locator('[data-test=ga-act-reply]').waitFor()
    let server = (await apiCall(context, 'GET', `/requests/${a.id}`)).json
    assert.equal(server.status, 'in_progress')

    // ---- offline: 答复 with a reply template goes into the outbox ----
    await context.setOffline(true)
    await page.locator('[data-test=ga-offline]').waitFor()
    await page.reload() // the app and the last detail of the case come from this phone
    await page.locator('[data-test=ga-case] h1', { hasText: subjectA }).waitFor()
    await page.locator('[data-test=ga-case-cached]').waitFor()
    await act(page, 'reply', async () => {
      await page.locator('[data-test=ga-act-template]').selectOption({ index: 1 })
    })
    const replyText = '您反映的问题已处理完毕，感谢您对社区工作的支持。'
    await page.locator('[data-test=ga-case-notice]', { hasText: '已存入待同步' }).waitFor()
    await page.locator('[data-test=ga-case-queued]', { hasText: '答复' }).waitFor()
    await page.locator('[data-test=ga-pending][data-count="1"]').waitFor()
    assert.equal(await page.locator('[data-test=ga-act-reply]').count(), 0, 'no second action while one waits')
    await shoot(page, 'gridapp-case-reply-queued')

    // ---- back online; the reply's first answer is lost after the server committed it ----
    let cut = 0
    let cutStatus = 0
    await context.route(`**/api/v1/requests/${a.id}/actions/reply`, async (route) => {
      if (route.request().method() === 'POST' && cut === 0) {
        cut++
        const res = await route.fetch()
        cutStatus = res.status()
        await route.abort('connectionreset')
        return
      }
      await route.fallback()
    })
    await context.setOffline(false)
    await page.locator('[data-test=ga-pending][data-count="0"]').waitFor({ timeout: 30_000 })
    assert.equal(cut, 1)
    assert.equal(cutStatus, 200, 'the server had replied before its answer was lost')
    server = (await apiCall(context, 'GET', `/requests/${a.id}`)).json
    assert.equal(server.status, 'replied')
    const replies = server.events.filter((e) => e.action === 'reply')
    assert.equal(replies.length, 1, 'the reply exists exactly once')
    assert.equal(replies[0].note, replyText)
    assert.equal(server.events.filter((e) => e.action === 'claim').length, 1)

    // ---- case B: claimed offline on the phone, but another device claims it first ----
    await page.goto(`/m/grid/case/${b.id}`)
    await page.locator('[data-test=ga-act-claim]').waitFor()
    await context.setOffline(true)
    await page.locator('[data-test=ga-offline]').waitFor()
    await act(page, 'claim')
    await page.locator('[data-test=ga-case-queued]').waitFor()
    const other = await otherDevice(GRID.username)
    const first = await other('POST', `/requests/${b.id}/actions/claim`, { contacted: true })
    assert.equal(first.status, 200)
    await context.setOffline(false)
    await page.locator('[data-test=ga-conflict-count]').waitFor({ timeout: 30_000 })
    await page.locator('[data-test=ga-case-refused]').waitFor()
    await page.locator('[data-test=ga-tab-outbox]').click()
    const item = page.locator('[data-test=ga-conflict-action]', { hasText: subjectB })
    await item.waitFor()
    assert.match(await item.locator('[data-test=ga-conflict-message]').innerText(), /409.*当前状态下不能执行该操作/)
    await shoot(page, 'gridapp-case-conflict')
    // Not retried by itself, not dropped: still there after a sync.
    await page.locator('[data-test=ga-sync]').click()
    await page.waitForTimeout(500)
    await item.waitFor()
    const bNow = (await apiCall(context, 'GET', `/requests/${b.id}`)).json
    assert.equal(bNow.events.filter((e) => e.action === 'claim').length, 1)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
