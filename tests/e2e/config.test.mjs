// Browser test of the configuration page 配置管理 against the real server with the demo dataset
// (scripts/test-stages/30-e2e.sh starts it): the command centre adds a holiday in the settings
// table, sees it saved (also after a reload and through the API), is told in Chinese why a
// make-up working day on a Wednesday is refused, and removes the day again.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { COMMAND, TOWNSHIP, apiCall, launch, login, newPage, shoot, shutdown } from './lib.mjs'

before(launch)
after(shutdown)

// A day far from the demo's own calendar, so this test never changes a deadline the others see.
const DAY = '2031-01-08' // a Wednesday

async function pickDay(page, day) {
  const input = page.locator('[data-test=holiday-day] input')
  await input.click()
  await input.fill(day)
  await input.press('Enter')
  await page.keyboard.press('Escape')
}

test('config: each tab explains its settings; the command centre adds a holiday in the table, sees it saved, and a bad day is refused in Chinese', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.locator('[data-test=side-menu] [data-test=menu-config]').click() // the menu entry 配置管理
    await page.locator('[data-test=config-page]').waitFor()
    await page.locator('[data-test=matrix-table]').waitFor()
    // Each tab says what its settings do, in the staff's language.
    assert.match(await page.locator('[data-test=config-about-matrix]').innerText(), /最具体的一行.*默认行/)
    await page.getByRole('tab', { name: '办理时限' }).click()
    assert.match(await page.locator('[data-test=config-about-tiers]:visible').innerText(), /响应时限内须签收.*自动升级到指挥链的上一级/)
    await page.getByRole('tab', { name: '节假日' }).click()
    assert.match(await page.locator('[data-test=config-about-holidays]:visible').innerText(), /调休上班日/)

    // A make-up working day must be a weekend day: the server says so, nothing is stored.
    await pickDay(page, DAY)
    await page.locator('[data-test=kind-workday]').click()
    await page.locator('[data-test=holiday-save]').click()
    const err = page.locator('[data-test=config-error]:visible')
    await err.waitFor()
    assert.match(await err.innerText(), /调休上班日须为周六或周日/)
    let cfg = await apiCall(context, 'GET', '/config')
    assert.equal(cfg.status, 200)
    assert.ok(!cfg.json.holidays.some((h) => h.day === DAY), 'the refused day was stored')

    // As a holiday it is saved and listed under its year.
    await page.locator('[data-test=kind-holiday]').click()
    await page.locator('[data-test=holiday-save]').click()
    const row = page.locator('.holiday-row', { hasText: DAY })
    await row.waitFor()
    assert.match(await row.innerText(), /节假日/)
    assert.match(await row.innerText(), /星期三/)
    await shoot(page, 'config-holidays')

    cfg = await apiCall(context, 'GET', '/config')
    assert.ok(cfg.json.holidays.some((h) => h.day === DAY && h.kind === 'holiday'))
    assert.equal(cfg.json.updated_by, COMMAND.username)

    // Still there after a reload (the store, not the page, holds it).
    await page.reload()
    await page.getByRole('tab', { name: '节假日' }).click()
    await page.locator('[data-test=holiday-table]').waitFor()
    const years = page.locator('[data-test=holiday-form] .el-select')
    await years.click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '2031' }).click()
    await page.locator('.holiday-row', { hasText: DAY }).waitFor()

    // Removed again through the table.
    await page.locator('.holiday-row', { hasText: DAY }).getByRole('button', { name: '删除' }).click()
    await page.locator('.holiday-row', { hasText: DAY }).waitFor({ state: 'detached' })
    cfg = await apiCall(context, 'GET', '/config')
    assert.ok(!cfg.json.holidays.some((h) => h.day === DAY))
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('config: a matrix row edited in the dialog is saved, and a bad level is refused with the reason', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.goto('/config')
    await page.locator('[data-test=matrix-table]').waitFor()
    await page.locator('[data-test=matrix-add]').click()
    const dialog = page.locator('.el-dialog:visible')
    await dialog.waitFor()
    await dialog.locator('[data-test=matrix-form-category]').click()
    await page.keyboard.type('0106', { delay: 30 })
    await page.locator('.el-select-dropdown__item:visible', { hasText: '环境卫生' }).first().click()
    await dialog.locator('[data-test=matrix-form-unit]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '乡镇（街道）综合指挥平台' }).first().click()
    // A township platform sits at township level; force the grid level to see the server refuse it.
    await dialog.locator('[data-test=matrix-form-level]').click()
    await page.locator('[data-test=level-6]:visible').click()
    await dialog.locator('[data-test=matrix-save]').click()
    const err = dialog.locator('[data-test=config-error]')
    await err.waitFor()
    assert.match(await err.innerText(), /本级/)
    let cfg = await apiCall(context, 'GET', '/config')
    assert.ok(!cfg.json.matrix.some((r) => r.category === '0106'), 'a refused row was stored')

    await dialog.locator('[data-test=matrix-form-level]').click()
    await page.locator('[data-test=level-4]:visible').click()
    await dialog.locator('[data-test=matrix-save]').click()
    await dialog.waitFor({ state: 'hidden' })
    const row = page.locator('[data-test=matrix-table] tr', { hasText: '0106' })
    await row.waitFor()
    assert.match(await row.innerText(), /乡镇（街道）综合指挥平台/)
    cfg = await apiCall(context, 'GET', '/config')
    const saved = cfg.json.matrix.find((r) => r.category === '0106')
    assert.deepEqual([saved.unit_type, saved.level], ['township_platform', 4])

    // Back to the shipped matrix, so nothing else sees the change.
    const del = await apiCall(context, 'DELETE', '/config/matrix/0106')
    assert.equal(del.status, 204)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('config: a township user has no configuration menu and the API refuses it', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, TOWNSHIP)
    const menu = page.locator('[data-test=side-menu]')
    await menu.locator('[data-test=menu-org]').waitFor()
    assert.equal(await menu.locator('[data-test=menu-config]').count(), 0)
    const r = await apiCall(context, 'GET', '/config')
    assert.equal(r.status, 403)
  } finally {
    await context.close()
  }
})
