// Browser test of the exports 导出 on the supervision page (command centre): the request list as
// Excel and the monthly report as PDF download through the page's session; a failed export shows
// the server's message. Run by scripts/test-stages/30-e2e.sh when listed there.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { ADMIN, COMMAND, launch, login, newPage, shutdown } from './lib.mjs'

before(launch)
after(shutdown)

async function download(page, selector) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()])
  return { name: dl.suggestedFilename(), bytes: readFileSync(await dl.path()) }
}

test('导出: the supervision page downloads the request list (xlsx) and the monthly report (pdf)', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.goto('/supervision')
    await page.locator('[data-test=report-bar]').waitFor()
    const xlsx = await download(page, '[data-test=supervision-export] [data-test=export-button]')
    assert.equal(xlsx.name, 'requests.xlsx')
    assert.equal(xlsx.bytes.subarray(0, 2).toString(), 'PK')
    const pdf = await download(page, '[data-test=export-report] [data-test=export-button]')
    assert.match(pdf.name, /^monthly-report-\d{4}-\d{2}\.pdf$/)
    assert.equal(pdf.bytes.subarray(0, 5).toString(), '%PDF-')
    const metrics = await download(page, '[data-test=export-metrics] [data-test=export-button]')
    assert.equal(metrics.bytes.subarray(0, 2).toString(), 'PK')

    // A refusal shows the server's message in the user's language, next to the button.
    await page.route('**/api/v1/reports/monthly.pdf*', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'invalid_input', message: '输入数据有误', field: 'month' } }),
      }),
    )
    await page.locator('[data-test=export-report] [data-test=export-button]').click()
    assert.match(await page.locator('[data-test=export-report] [data-test=export-error]').innerText(), /导出失败：输入数据有误/)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('导出: an administrator downloads the users list and the audit log', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    await page.goto('/users')
    const users = await download(page, '[data-test=users-export] [data-test=export-button]')
    assert.equal(users.name, 'users.xlsx')
    assert.equal(users.bytes.subarray(0, 2).toString(), 'PK')
    await page.goto('/audit')
    const audit = await download(page, '[data-test=audit-export] [data-test=export-button]')
    assert.equal(audit.name, 'audit.xlsx')
    assert.equal(audit.bytes.subarray(0, 2).toString(), 'PK')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
