// Browser test of the 接诉即办 workbench and the 督办 page against the real server with the demo
// dataset (柞水县). A citizen's ticket comes in through the public API at the centre of demo grid
// 611026001001001; the grid worker claims, starts and replies through the buttons the server
// lists; a role that may not act sees none; the command centre supervises it (督办).
// scripts/test-stages/30-e2e.sh starts the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { BASE_URL, COMMAND, DEMO_PASSWORD, PHONE, TOWNSHIP, apiCall, launch, login, newPage, shoot, shutdown, uniq } from './lib.mjs'

// A real 1×1 PNG: the browser decodes it, redraws it on a canvas and sends a JPEG.
const PNG_1X1 = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64')

before(launch)
after(shutdown)

const GRID = { username: 'qianyou.grid', password: DEMO_PASSWORD }
const CADRE = { username: 'qianyou.cadre', password: DEMO_PASSWORD }

// A citizen report through the public intake (no session, no CSRF), as the citizen pages send
// it; answers the stored request.
async function publicIntake(report) {
  const res = await fetch(`${BASE_URL}/api/v1/requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Accept-Language': 'zh-CN' },
    body: JSON.stringify({ county_code: '611026000000', category: '0107', ...report }),
  })
  assert.equal(res.status, 201)
  return (await res.json()).request
}

// A street-light report at the centre of the grid the demo grid worker holds.
async function citizenTicket(subject) {
  const request = await publicIntake({
    subject,
    text: '仁和社区东门路灯连续三晚不亮，晚上出行不安全。',
    name: '李四',
    phone: '13855557777',
    lat: 33.692834,
    lon: 109.104509,
  })
  assert.equal(request.holder.unit_id, '611026001001001')
  return request
}

// Submit the open action dialog and wait for it to close; a refusal fails with the server's message.
async function submitDialog(page) {
  const dialog = page.locator('[data-test=action-dialog]')
  await dialog.locator('[data-test=action-submit]').click()
  const error = dialog.locator('[data-test=action-error]')
  await Promise.race([dialog.waitFor({ state: 'hidden' }), error.waitFor()])
  if (await error.isVisible()) assert.fail(`action refused: ${await error.innerText()}`)
}

async function act(page, action, note) {
  await page.locator(`[data-test=action-${action}]`).click()
  const dialog = page.locator('[data-test=action-dialog]')
  await dialog.waitFor()
  if (note !== undefined) await dialog.locator('textarea[data-test=action-note]').fill(note)
  await submitDialog(page)
}

test('接诉即办: the grid worker claims, starts and replies from the queue; the timeline shows each step', async () => {
  const subject = uniq('东门路灯不亮')
  const ticket = await citizenTicket(subject)

  const { context, page } = await newPage()
  try {
    await login(page, GRID)
    await page.locator('[data-test=side-menu]', { hasText: '接诉即办' }).waitFor()
    await page.goto('/requests')
    const row = page.locator('[data-test=requests-table] tr', { hasText: subject })
    await row.waitFor()
    // A fresh ticket has days left: green.
    assert.equal(await row.locator('[data-test=deadline]').getAttribute('data-level'), 'ok')
    await shoot(page, 'requests-queue')

    await row.locator('[data-test=requests-row]').click()
    await page.locator('[data-test=case-subject]', { hasText: subject }).waitFor()
    assert.equal(await page.locator('[data-test=case-status]').getAttribute('data-status'), 'dispatched')
    assert.notEqual((await page.locator('[data-test=case-route]').innerText()).trim(), '')
    await page.locator('[data-test=case-map] canvas').first().waitFor()
    // Masked until asked; the full number is an explicit, audited read.
    assert.match(await page.locator('[data-test=case-phone]').innerText(), /138\*{4}7777/)
    await page.locator('[data-test=case-show-phone]').click()
    await page.locator('[data-test=case-phone]', { hasText: '13855557777' }).waitFor()

    // 现场照片: the grid worker adds a photo (downscaled to JPEG in the browser); the thumbnail
    // shows, served by the audited content endpoint. The category card names the source.
    await page.locator('[data-test=case-photos]').waitFor()
    await page.locator('[data-test=case-photos] [data-test=photo-input]').setInputFiles({ name: 'site.png', mimeType: 'image/png', buffer: PNG_1X1 })
    await page.locator('[data-test=case-photos] [data-test=photo-item] img').waitFor()
    await page.locator('[data-test=case-photos-send]').click()
    await page.locator('[data-test=case-photo] img').waitFor()
    const photos = await apiCall(context, 'GET', `/requests/${ticket.id}/attachments`)
    assert.equal(photos.json.items.length, 1)
    assert.equal(photos.json.items[0].source, 'staff')
    assert.equal(photos.json.items[0].content_type, 'image/jpeg')
    await page.locator('[data-test=case-category-current]').waitFor()

    // Only what the server lists: a dispatched ticket can be claimed, not replied to yet.
    assert.equal(await page.locator('[data-test=action-reply]').count(), 0)
    await act(page, 'claim')
    await page.locator('[data-test=case-status][data-status=claimed]').waitFor()
    await act(page, 'start')
    await page.locator('[data-test=case-status][data-status=in_progress]').waitFor()

    // Reply needs a reason: without it the server's message shows in the dialog.
    await page.locator('[data-test=action-reply]').click()
    const dialog = page.locator('[data-test=action-dialog]')
    await dialog.locator('[data-test=action-submit]').click()
    await dialog.locator('[data-test=action-error]').waitFor()
    await shoot(page, 'requests-reply-dialog', { fullPage: false })
    // A reply template fills the note.
    await dialog.locator('[data-test=action-template]').click()
    await page.locator('.el-select-dropdown__item:visible').first().click()
    assert.notEqual(await dialog.locator('textarea[data-test=action-note]').inputValue(), '')
    await dialog.locator('textarea[data-test=action-note]').fill('已联系供电所更换灯泡，路灯恢复照明')
    await dialog.locator('[data-test=action-submit]').click()
    await dialog.waitFor({ state: 'hidden' })
    await page.locator('[data-test=case-status][data-status=replied]').waitFor()

    const steps = await page.locator('[data-test=case-event]').evaluateAll((els) => els.map((e) => e.dataset.action))
    for (const a of ['receive', 'dispatch', 'claim', 'start', 'reply']) assert.ok(steps.includes(a), `timeline has ${a}: ${steps}`)
    await page.locator('[data-test=case-timeline]', { hasText: '已联系供电所更换灯泡' }).waitFor()
    // Events no staff member made read in Chinese: the citizen and the system by name, the
    // channel of the intake, and the automatic dispatch without its stored English half.
    const received = page.locator('[data-test=case-event][data-action=receive]')
    assert.match(await received.innerText(), /群众/)
    assert.match(await received.locator('[data-test=case-event-note]').innerText(), /来源：群众自报/)
    const dispatched = page.locator('[data-test=case-event][data-action=dispatch]')
    assert.match(await dispatched.innerText(), /系统/)
    assert.equal((await dispatched.locator('[data-test=case-event-note]').innerText()).trim(), '按责任清单自动派单')
    assert.doesNotMatch(await page.locator('[data-test=case-timeline]').innerText(), /citizen|system|dispatched by/)
    // The grid worker may not complete: no button for it.
    assert.equal(await page.locator('[data-test=action-complete]').count(), 0)
    await shoot(page, 'requests-case')

    const stored = await apiCall(context, 'GET', `/requests/${ticket.id}`)
    assert.equal(stored.json.status, 'replied')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }

  // Phone width: cards instead of the table.
  const phone = await newPage({ viewport: PHONE })
  try {
    await login(phone.page, GRID)
    await phone.page.goto('/requests')
    await phone.page.locator('[data-test=requests-cards] [data-test=requests-row]').first().waitFor()
    assert.equal(await phone.page.locator('[data-test=requests-table]').count(), 0)
  } finally {
    await phone.context.close()
  }
})

// Two calls about the same thing at one spot outside every grid: both wait at the command centre
// for manual dispatch. On the second one the 相似诉求 card lists the first (same text, same
// place), and the command centre merges the second into it from there.
test('相似诉求: the case lists a similar open request and the command centre merges into it', async () => {
  const tag = uniq('')
  const text = `县城北新街井盖缺失，行人夜间容易跌落，请尽快处理。编号${tag}`
  const make = async () => {
    // A point in the county but outside every demo grid: the command centre dispatches it.
    const request = await publicIntake({ subject: `井盖缺失${tag}`, text, name: '王五', phone: '13855556666', lat: 33.9, lon: 109.4 })
    assert.equal(request.status, 'received')
    return request
  }
  const first = await make()
  const second = await make()

  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.goto(`/requests/${second.id}`)
    const card = page.locator('[data-test=case-duplicates]')
    const item = card.locator('[data-test=case-duplicate]', { hasText: `#${first.id}` })
    await item.waitFor()
    assert.match(await item.innerText(), /井盖缺失/)
    await shoot(page, 'requests-similar')
    await item.locator('[data-test=case-duplicate-merge]').click()
    const dialog = page.locator('[data-test=action-dialog]')
    await dialog.waitFor()
    assert.equal(await dialog.locator('input[data-test=action-merged-into]').inputValue(), String(first.id))
    await submitDialog(page)
    await page.locator('[data-test=case-status][data-status=merged]').waitFor()
    const merged = await apiCall(context, 'GET', `/requests/${second.id}`)
    assert.equal(String(merged.json.merged_into), String(first.id))
    // The surviving case no longer lists the merged one: only open requests are candidates.
    await page.goto(`/requests/${first.id}`)
    await page.locator('[data-test=case-duplicates]').waitFor()
    await page.waitForLoadState('networkidle')
    assert.equal(await page.locator('[data-test=case-duplicate]', { hasText: `#${second.id}` }).count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

// 受理登记: the command centre records a hotline call; a missing subject is caught in the form,
// the answer shows the tracking code and where the request went, and the case opens from it.
// A township user has no such page (the server would refuse its hotline channel too).
test('受理登记: the command centre records a hotline call and reads the tracking code to the caller', async () => {
  const tag = uniq('')
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.locator('[data-test=side-menu] [data-test=menu-intake]').click()
    await page.locator('[data-test=intake-page]').waitFor()
    assert.match(await page.locator('[data-test=intake-channel]').innerText(), /热线/)
    await page.locator('input[data-test=intake-name]').fill('赵六')
    // A landline with its area code, as callers often give.
    await page.locator('input[data-test=intake-phone]').fill('0914-2321234')
    await page.locator('textarea[data-test=intake-text]').fill(`乾佑街道仁和社区东门垃圾桶满溢，异味很大，请尽快清运。${tag}`)
    await page.locator('input[data-test=intake-address]').fill('乾佑街道仁和社区东门')
    // The county's map with its grids: a pin says where it lies; this call is placed by address.
    await page.getByText('细线为各网格边界').waitFor()
    await page.locator('[data-test=intake-pin-centre]').click()
    assert.match(await page.locator('[data-test=intake-where]').innerText(), /^(位于 .+网格|不在已划分的网格内)/)
    await page.getByRole('button', { name: '清除标注' }).click()
    await page.locator('[data-test=intake-pin]', { hasText: '尚未标注' }).waitFor()
    // The subject is required: the form says so before anything is sent.
    await page.locator('[data-test=intake-submit]').click()
    await page.locator('.el-form-item.is-error', { has: page.locator('input[data-test=intake-subject]') }).getByText('请填写此项').waitFor()
    await page.locator('input[data-test=intake-subject]').fill(`垃圾桶满溢${tag}`)
    await page.locator('[data-test=intake-category]').click()
    await page.keyboard.type('环境卫生', { delay: 30 })
    await page.locator('.el-cascader__suggestion-item:visible', { hasText: '环境卫生' }).first().click()
    const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/requests') && r.request().method() === 'POST')
    await page.locator('[data-test=intake-submit]').click()
    const res = await posted
    assert.equal(res.status(), 201)
    assert.ok(res.request().headers()['idempotency-key'], 'the intake carries an Idempotency-Key')
    const answer = await res.json()
    assert.equal(answer.request.channel, 'hotline')
    assert.equal(answer.request.requester.phone, '091****1234')
    await page.locator('[data-test=intake-result]').waitFor()
    assert.equal((await page.locator('[data-test=intake-code]').innerText()).trim(), answer.tracking_code)
    assert.match(await page.locator('[data-test=intake-route]').innerText(), /仁和社区/)
    await shoot(page, 'requests-intake')
    await page.locator('[data-test=intake-open]').click()
    await page.locator('[data-test=case-subject]', { hasText: `垃圾桶满溢${tag}` }).waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
  const other = await newPage()
  try {
    await login(other.page, TOWNSHIP)
    await other.page.locator('[data-test=side-menu]').waitFor()
    assert.equal(await other.page.locator('[data-test=side-menu] [data-test=menu-intake]').count(), 0)
  } finally {
    await other.context.close()
  }
})

test('接诉即办: a role that may not act on a ticket sees no action buttons', async () => {
  const subject = uniq('东门路灯不亮')
  const ticket = await citizenTicket(subject)
  const { context, page } = await newPage()
  try {
    await login(page, CADRE)
    const detail = await apiCall(context, 'GET', `/requests/${ticket.id}`)
    assert.equal(detail.status, 200)
    assert.deepEqual(detail.json.available_actions, [])
    await page.goto(`/requests/${ticket.id}`)
    await page.locator('[data-test=case-subject]', { hasText: subject }).waitFor()
    await page.locator('[data-test=case-no-actions]').waitFor()
    assert.equal(await page.locator('[data-test=case-actions] button').count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('督办: the command centre supervises an open ticket with a note; citizens-only roles lack the menu', async () => {
  const subject = uniq('东门路灯督办')
  const ticket = await citizenTicket(subject)
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.goto('/supervision')
    await page.locator('[data-test=supervision]').waitFor()
    // Nothing in the demo is overdue yet (limits are days away): the empty state says so.
    await page.locator('[data-test=supervision-filter-open]').click()
    const card = page.locator('[data-test=supervision-row]', { hasText: subject })
    await card.waitFor()
    await card.locator('[data-test=supervision-supervise]').click()
    const dialog = page.locator('[data-test=action-dialog]')
    await dialog.waitFor()
    await dialog.locator('textarea[data-test=action-note]').fill('群众反映强烈，请于明日前办结')
    await dialog.locator('[data-test=action-submit]').click()
    await dialog.waitFor({ state: 'hidden' })
    await card.locator('[data-test=supervision-supervised]').waitFor()
    await shoot(page, 'requests-supervision')

    const d = await apiCall(context, 'GET', `/requests/${ticket.id}`)
    assert.equal(d.json.supervised, true)
    assert.ok(d.json.events.some((e) => e.action === 'supervise' && e.note.includes('群众反映强烈')))
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }

  // A grid worker has no 督办 menu and the route is refused.
  const grid = await newPage()
  try {
    await login(grid.page, GRID)
    assert.equal(await grid.page.locator('[data-test=side-menu]', { hasText: '督办' }).count(), 0)
    await grid.page.goto('/supervision')
    assert.equal(await grid.page.locator('[data-test=supervision]').count(), 0)
  } finally {
    await grid.context.close()
  }
})

test('吹哨报到: the township platform whistles departments with a reason; the case and the 督办 page show it', async () => {
  const subject = uniq('河道垃圾需多部门处理')
  // No point: the ticket waits at the county command centre, which dispatches it to 乾佑街道.
  const res = await fetch(`${BASE_URL}/api/v1/requests`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ county_code: '611026000000', category: '0106', subject, text: '河道内垃圾堆积，涉及住建、水利。', phone: '13800001111' }),
  })
  assert.equal(res.status, 201)
  const ticket = (await res.json()).request
  assert.equal(ticket.route.manual_dispatch, true)
  const cmd = await newPage()
  try {
    await login(cmd.page, COMMAND)
    const d = await apiCall(cmd.context, 'POST', `/requests/${ticket.id}/actions/dispatch`, { target_unit_id: '611026001000' })
    assert.equal(d.status, 200)
  } finally {
    await cmd.context.close()
  }

  const { context, page } = await newPage()
  try {
    await login(page, { username: 'qianyou.street', password: DEMO_PASSWORD })
    await page.goto(`/requests/${ticket.id}`)
    await page.locator('[data-test=case-subject]', { hasText: subject }).waitFor()
    assert.equal(await page.locator('[data-test=action-whistle]').count(), 0, 'no whistle before handling starts')
    await act(page, 'claim')
    await page.locator('[data-test=case-status][data-status=claimed]').waitFor()
    await act(page, 'start')
    await page.locator('[data-test=action-whistle]').click()
    const dialog = page.locator('[data-test=action-dialog]')
    await dialog.waitFor()
    // The township's area lists no county departments: the id of 住房和城乡建设局 is typed.
    await dialog.locator('[data-test=action-departments] input').pressSequentially('1')
    await page.locator('.el-select-dropdown__item:visible', { hasText: /^1$/ }).first().click()
    await dialog.locator('.el-dialog__title').click() // closes the dropdown, not the dialog
    await dialog.locator('textarea[data-test=action-note]').fill('需住建局协同清理河道')
    await submitDialog(page)
    await page.locator('[data-test=case-status][data-status=whistled]').waitFor()
    await page.locator('[data-test=case-whistle]', { hasText: '需住建局协同清理河道' }).waitFor()
    await shoot(page, 'requests-whistle')

    await page.goto('/supervision')
    await page.locator('[data-test=supervision-filter-whistled]').click()
    await page.locator('[data-test=supervision-row]', { hasText: subject }).locator('[data-test=supervision-whistle-reason]').waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }

  // The summoned department (住房和城乡建设局) sees the joint case and reports in 报到; with
  // every department reported, the case is back in progress with the township.
  const dept = await newPage()
  try {
    await login(dept.page, { username: 'zhashui.zhujian', password: DEMO_PASSWORD })
    // The joint case is in the department's own queue (a whistle assigns each summoned one).
    await dept.page.goto('/requests')
    await dept.page.locator('[data-test=requests-table] tr', { hasText: subject }).waitFor()
    const seen = await apiCall(dept.context, 'GET', `/requests/${ticket.id}`)
    assert.equal(seen.status, 200, 'a summoned department can open the joint case')
    const r = await apiCall(dept.context, 'POST', `/requests/${ticket.id}/actions/report_in`, { note: '已到场' })
    assert.equal(r.status, 200, JSON.stringify(r.json))
    const after = await apiCall(dept.context, 'GET', `/requests/${ticket.id}`)
    assert.equal(after.json.status, 'in_progress')
  } finally {
    await dept.context.close()
  }
})
