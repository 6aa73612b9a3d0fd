// Browser test of the citizen pages 市民端 (/m/report, /m/track) against the real server with the
// demo dataset: no session; a located report gets a tracking code; a retry after a lost response
// files nothing twice; a similar report is offered the duplicate; staff drive the loop through the
// API (grid worker claims, starts, replies; command centre completes); the citizen rates it
// 不满意 with the last 4 phone digits, sees the handler's reply text and the photo sent with the
// report (downscaled in the browser, uploaded with the intake's attachment token after a lost
// response was retried), and reopens it 重办 from the tracking page; a requester turns their SMS
// updates off and on again from it.
// scripts/test-stages/30-e2e.sh starts the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { COMMAND, DEMO_PASSWORD, PHONE, apiCall, launch, newPage, shoot, shutdown, uniq } from './lib.mjs'

before(launch)
after(shutdown)

const GRID = { username: 'qianyou.grid', password: DEMO_PASSWORD }
// A real 1×1 PNG: the browser decodes it, redraws it on a canvas and sends a JPEG.
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')
const phoneNumber = () => '139' + String(Math.floor(Math.random() * 1e8)).padStart(8, '0')

async function fillReport(page, { subject, text, phone }) {
  await page.goto('/m/report')
  await page.locator('[data-test=cz-report] h1', { hasText: '反映问题' }).waitFor()
  // The demo serves two counties with grids (GET /counties): the form asks which one, with the
  // demo county chosen and its map open on its first grid.
  const county = page.locator('[data-test=cz-county]')
  await county.waitFor()
  assert.match(await county.innerText(), /柞水县/)
  // Category cascader 城乡建设 → 市政设施, from GET /categories.
  await page.locator('[data-test=cz-category]').click()
  await page.locator('.el-cascader-node:visible', { hasText: '城乡建设' }).click()
  await page.locator('.el-cascader-node:visible', { hasText: '市政设施' }).click()
  await page.locator('input[data-test=cz-subject]').fill(subject)
  await page.locator('textarea[data-test=cz-text]').fill(text)
  // A click on the map places the pin (the map opens on the demo county seat, inside a grid).
  await page.locator('[data-test=cz-map]').click()
  await page.locator('[data-test=cz-pin]', { hasText: '已标注' }).waitFor()
  await page.locator('input[data-test=cz-address]').fill('乾佑街道仁和社区小公园')
  await page.locator('input[data-test=cz-phone]').fill(phone)
}

// Staff sign in through the API in their own context (cookie jar), as the UI would.
async function staff(credentials) {
  const s = await newPage()
  const res = await s.context.request.post('/api/v1/auth/login', { data: credentials })
  assert.equal(res.status(), 200, `login ${credentials.username}`)
  return s
}
async function act(ctx, id, action, body) {
  const r = await apiCall(ctx, 'POST', `/requests/${id}/actions/${action}`, body)
  assert.equal(r.status, 200, `${action}: ${JSON.stringify(r.json)}`)
  return r.json
}

test('市民端: a located report gets a code; a lost response retried files one ticket; the loop to rating and reopening', async () => {
  const { context, page } = await newPage({ viewport: PHONE })
  const subject = uniq('路灯不亮')
  const phone = phoneNumber()
  let first = null
  const keys = []
  try {
    await fillReport(page, { subject, text: '小公园东门的路灯一周都不亮了，晚上很黑', phone })
    // A photo: previewed before sending (already downscaled to JPEG).
    await page.locator('[data-test=photo-input]').setInputFiles({ name: '路灯.png', mimeType: 'image/png', buffer: PNG_1X1 })
    await page.locator('[data-test=cz-photos] [data-test=photo-item] img').waitFor()
    // The description shows its character counter.
    assert.match(await page.locator('[data-test=cz-report] .el-input__count').last().innerText(), /\/\s*4000/)
    await shoot(page, 'citizen-report')

    // Simulated lost response: the request reaches the server (a ticket is filed) but the
    // browser sees a network failure. The citizen presses submit again with the same form.
    await page.route('**/api/v1/requests', async (route) => {
      keys.push(route.request().headers()['idempotency-key'])
      if (!first) {
        const res = await route.fetch()
        first = { status: res.status(), json: await res.json() }
        await route.abort('connectionreset')
      } else await route.continue()
    })
    await page.locator('[data-test=cz-submit]').click()
    await page.locator('[data-test=cz-submit-error]').waitFor()
    assert.equal(first.status, 201)
    assert.match(await page.locator('[data-test=cz-submit-error]').innerText(), /不会重复登记/)
    await page.locator('[data-test=cz-submit]').click()
    await page.locator('[data-test=cz-done]').waitFor()
    assert.equal(keys.length, 2)
    assert.ok(keys[0] && keys[0] === keys[1], 'the retry reuses the Idempotency-Key')
    const code = (await page.locator('[data-test=cz-code]').innerText()).trim()
    assert.equal(code, first.json.tracking_code, 'the retry answers the ticket already filed')
    await page.locator('[data-test=cz-replayed]').waitFor()
    // The photo goes up with the (replayed) intake's token once the code is known.
    await page.locator('[data-test=cz-photos-sent] [data-test=photo-done]').waitFor()
    const id = first.json.request.id
    assert.equal(first.json.request.status, 'dispatched', 'located in a grid: dispatched automatically')
    await page.unroute('**/api/v1/requests')
    await shoot(page, 'citizen-done')

    // Tracking: the code page shows status, unit, deadline and the plain-word timeline.
    await page.locator('[data-test=cz-go-track]').click()
    await page.locator('[data-test=cz-track-subject]', { hasText: subject }).waitFor()
    assert.equal(await page.locator('[data-test=cz-track-status]').innerText(), '已派单')
    assert.match(await page.locator('[data-test=cz-timeline]').innerText(), /诉求已受理/)
    assert.match(await page.locator('[data-test=cz-track-deadline]').innerText(), /\d{4}/)
    await page.locator('[data-test=cz-rate-later]').waitFor()
    await shoot(page, 'citizen-track')

    // Staff: the grid worker claims, starts and replies; the command centre completes.
    const grid = await staff(GRID)
    await act(grid.context, id, 'claim', { contacted: true })
    await act(grid.context, id, 'start')
    await act(grid.context, id, 'reply', { note: '已联系供电所更换灯泡，路灯恢复照明' })
    await grid.context.close()
    const command = await staff(COMMAND)
    await act(command.context, id, 'complete')

    // Tracking by typing the code (keyboard: Enter submits) shows the answer and the rating form.
    await page.goto('/m/track')
    await page.locator('input[data-test=cz-track-code]').fill(code)
    await page.locator('input[data-test=cz-track-code]').press('Enter')
    await page.locator('[data-test=cz-track-status]', { hasText: '已办结' }).waitFor()
    assert.match(await page.locator('[data-test=cz-reply]').innerText(), /已于.*答复/)
    assert.match(await page.locator('[data-test=cz-timeline]').innerText(), /已答复办理结果/)
    // The reply text itself, and the citizen's photo (a JPEG now, as the browser sent it).
    assert.match(await page.locator('[data-test=cz-reply-text]').innerText(), /已联系供电所更换灯泡/)
    await page.locator('[data-test=cz-track-photo] img').waitFor()
    const photos = await apiCall(page.context(), 'GET', `/track/${encodeURIComponent(code)}/attachments`)
    assert.equal(photos.json.items.length, 1, 'one photo, uploaded once despite the retried intake')
    assert.equal(photos.json.items[0].content_type, 'image/jpeg')
    assert.equal(photos.json.items[0].file_name, '路灯.jpg')
    // Wrong digits: the server's message is shown and nothing is rated.
    await page.locator('[data-test=cz-rating] label', { hasText: '不满意' }).click()
    await page.locator('[data-test=cz-resolved] label', { hasText: '未解决' }).click()
    await page.locator('input[data-test=cz-last4]').fill(phone.slice(-4) === '0000' ? '1111' : '0000')
    await page.locator('[data-test=cz-rate-submit]').click()
    await page.locator('[data-test=cz-rate-error]', { hasText: '手机号后 4 位与提交时所留号码不符' }).waitFor()
    await shoot(page, 'citizen-rate')
    await page.locator('input[data-test=cz-last4]').fill(phone.slice(-4))
    await page.locator('[data-test=cz-rate-submit]').click()
    await page.locator('[data-test=cz-rated]', { hasText: '不满意' }).waitFor()
    await page.locator('[data-test=cz-reopen-note]').waitFor()
    assert.equal(await page.locator('[data-test=cz-track-status]').innerText(), '已评价')
    await shoot(page, 'citizen-rated')

    // Not satisfied → the citizen asks for 重办 from the tracking page; wrong digits are refused.
    await command.context.close()
    await page.locator('[data-test=cz-reopen-open]').click()
    await page.locator('textarea[data-test=cz-reopen-reason]').fill('路灯晚上还是不亮')
    await page.locator('input[data-test=cz-reopen-last4]').fill(phone.slice(-4) === '0000' ? '1111' : '0000')
    await page.locator('[data-test=cz-reopen-submit]').click()
    await page.locator('[data-test=cz-reopen-error]', { hasText: '手机号后 4 位' }).waitFor()
    await page.locator('input[data-test=cz-reopen-last4]').fill(phone.slice(-4))
    await page.locator('[data-test=cz-reopen-submit]').click()
    await page.locator('[data-test=cz-reopen-done]').waitFor()
    await page.locator('[data-test=cz-track-status]', { hasText: '重办' }).waitFor()
    assert.match(await page.locator('[data-test=cz-timeline]').innerText(), /重新办理/)
    await shoot(page, 'citizen-reopened')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('市民端: a similar report nearby is offered as a duplicate to follow; English works; an unknown code says so', async () => {
  const subject = uniq('井盖缺失')
  const text = '仁和社区小公园门口的井盖丢了，很危险'
  // Someone reports it first (through the public API, as another phone would).
  const a = await newPage()
  try {
    const r = await a.context.request.post('/api/v1/requests', {
      data: {
        county_code: '611026000000', category: '0104', subject, text,
        phone: phoneNumber(), lat: 33.692834, lon: 109.104509,
        public: true, // published 公开: only such a report is shown to another citizen
      },
    })
    assert.equal(r.status(), 201)
  } finally {
    await a.context.close()
  }
  const { context, page } = await newPage({ viewport: PHONE })
  const myPhone = phoneNumber()
  try {
    await fillReport(page, { subject, text, phone: myPhone })
    await page.locator('[data-test=cz-submit]').click()
    await page.locator('[data-test=cz-duplicates] h1', { hasText: '已有类似诉求' }).waitFor()
    assert.ok((await page.locator('[data-test=cz-duplicate]', { hasText: subject }).count()) >= 1)
    await shoot(page, 'citizen-duplicate')
    // Earlier runs against the same store may offer their reports too: follow this one.
    await page.locator('[data-test=cz-duplicate]', { hasText: subject }).first().locator('[data-test=cz-dup-follow]').click()
    await page.locator('[data-test=cz-done] [data-test=cz-code]').waitFor()
    // The choice was recorded on the new request, not just acknowledged: its tracking page says so.
    const mine = (await page.locator('[data-test=cz-code]').innerText()).trim()
    await page.goto(`/m/track/${mine}`)
    await page.getByText('您已说明与已有诉求相同').waitFor()

    // 进度通知: updates go by SMS; the requester turns them off (wrong digits first) and on again.
    const state = page.locator('[data-test=cz-updates-state]')
    assert.match(await state.innerText(), /办理进度将通过短信通知您/)
    await page.locator('[data-test=cz-updates-toggle]').click()
    await page.locator('input[data-test=cz-updates-last4]').fill(myPhone.slice(-4) === '0000' ? '1111' : '0000')
    await page.locator('[data-test=cz-updates-confirm]').click()
    await page.locator('[data-test=cz-updates-error]', { hasText: '手机号后 4 位与提交时所留号码不符' }).waitFor()
    await page.locator('input[data-test=cz-updates-last4]').fill(myPhone.slice(-4))
    await page.locator('[data-test=cz-updates-confirm]').click()
    await state.filter({ hasText: '您已关闭短信通知' }).waitFor()
    await shoot(page, 'citizen-updates-off')
    await page.reload()
    await state.filter({ hasText: '您已关闭短信通知' }).waitFor() // stored, not just shown
    await page.locator('[data-test=cz-updates-toggle]', { hasText: '重新开启通知' }).click()
    await page.locator('input[data-test=cz-updates-last4]').fill(myPhone.slice(-4))
    await page.locator('[data-test=cz-updates-confirm]').click()
    await state.filter({ hasText: '办理进度将通过短信通知您' }).waitFor()

    // Unknown code: a clear message, not a blank page.
    await page.goto('/m/track/NO-SUCH-CODE')
    await page.locator('[data-test=error-message]', { hasText: '未找到' }).waitFor()

    // The language switch works without a session.
    await page.goto('/m/report')
    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test=lang-en]').click()
    await page.locator('[data-test=cz-report] h1', { hasText: 'Report a problem' }).waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('市民端: an e-mail for updates goes with the report; a request merged into another follows that case to its answer', async () => {
  const subject = uniq('合并：北门垃圾')
  const { context, page } = await newPage({ viewport: PHONE })
  const grid = await staff(GRID)
  const command = await staff(COMMAND)
  try {
    await fillReport(page, { subject, text: '仁和社区北门垃圾堆放一周无人清运', phone: phoneNumber() })
    // The map draws the county's grids and says where the pin lies: the grid the request will
    // go to, or outside every grid (the command centre dispatches those by hand).
    await page.locator('[data-test=cz-where]', { hasText: '位于 仁和社区居委会第1网格' }).waitFor()
    // The county's grids tile it, so the map is zoomed out until its corner lies beyond them.
    const where = page.locator('[data-test=cz-where]')
    for (let i = 0; i < 12 && !(await where.innerText()).includes('不在已划分的网格内'); i++) {
      await page.locator('[data-test=cz-map] .leaflet-control-zoom-out').click()
      await page.waitForTimeout(300)
      await page.locator('[data-test=cz-map]').click({ position: { x: 5, y: 5 } })
      await page.waitForTimeout(100)
    }
    await page.locator('[data-test=cz-where]', { hasText: '不在已划分的网格内' }).waitFor()
    await page.locator('[data-test=cz-map]').click()
    await page.locator('[data-test=cz-where]', { hasText: '位于 仁和社区居委会第1网格' }).waitFor()
    // A malformed address is caught in the form, in Chinese, before anything is sent.
    await page.locator('input[data-test=cz-email]').fill('wang at example')
    await page.locator('input[data-test=cz-email]').blur()
    await page.getByText('请填写正确的电子邮箱地址').waitFor()
    await page.locator('input[data-test=cz-email]').fill('wang@example.com')
    const filed = page.waitForResponse((r) => r.url().endsWith('/api/v1/requests') && r.request().method() === 'POST')
    await page.locator('[data-test=cz-submit]').click()
    const intake = await (await filed).json()
    const done = page.locator('[data-test=cz-done] [data-test=cz-code]')
    const dupStep = page.locator('[data-test=cz-dup-keep]')
    await done.or(dupStep).waitFor()
    if (await dupStep.isVisible()) await dupStep.click()
    assert.equal((await page.locator('[data-test=cz-code]').innerText()).trim(), intake.tracking_code)
    assert.equal(intake.request.grid_code, '611026001001001', 'the server routes the pin where the map said')

    // Staff see the address masked, with the language the form was read in.
    const first = (await apiCall(command.context, 'GET', `/requests/${intake.request.id}`)).json
    assert.equal(first.subject, subject)
    assert.equal(first.requester.email, 'w***@example.com')
    assert.equal(first.requester.language, 'zh-CN')

    // A second citizen reports the same from outside every grid: it waits at the command
    // centre, which merges it into the first case.
    const other = await page.context().request.post('/api/v1/requests', {
      data: { county_code: '611026000000', category: '0104', subject: subject + '（又一位）', text: '北门垃圾还是没人清运',
        phone: phoneNumber(), lat: 34.9, lon: 108.2 },
    })
    assert.equal(other.status(), 201)
    const dup = await other.json()
    await act(command.context, dup.request.id, 'merge', { merged_into: String(first.id) })

    // Its tracking page shows the case it joined, then that case's answer.
    await page.goto(`/m/track/${dup.tracking_code}`)
    await page.locator('[data-test=cz-joined]').waitFor()
    assert.equal(await page.locator('[data-test=cz-track-status]').innerText(), '已合并')
    assert.equal(await page.locator('[data-test=cz-joined-status]').innerText(), '已派单')
    assert.match(await page.locator('[data-test=cz-joined-unit]').innerText(), /仁和社区居委会第1网格/)
    await act(grid.context, first.id, 'claim', { contacted: true })
    await act(grid.context, first.id, 'start')
    await act(grid.context, first.id, 'reply', { note: '已协调环卫站清运北门垃圾' })
    await page.locator('[data-test=cz-track] button', { hasText: '刷新' }).click()
    await page.locator('[data-test=cz-joined-status]', { hasText: '已答复' }).waitFor()
    assert.equal(await page.locator('[data-test=cz-reply-text]').innerText(), '已协调环卫站清运北门垃圾')
    await page.locator('[data-test=cz-rate-merged]').waitFor() // nothing to rate on a merged request
    await shoot(page, 'citizen-track-joined')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
    await grid.context.close()
    await command.context.close()
  }
})
