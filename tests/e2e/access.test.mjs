// Browser test of the 15分钟服务圈 page against the real server with the demo dataset, whose
// OSM area is central Chengdu under 成都市 (login chengdu.demo). scripts/test-stages/30-e2e.sh
// starts the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { DEMO_PASSWORD, PHONE, apiCall, launch, login, newPage, shoot, shutdown, uniq } from './lib.mjs'

before(launch)
after(shutdown)

const CHENGDU = { username: 'chengdu.demo', password: DEMO_PASSWORD }

test('15分钟服务圈: map with our own network, homes and facilities; coverage, gaps, sites; registering a facility', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, CHENGDU)
    await page.goto('/access')
    await page.locator('[data-test=access-network]', { hasText: '成都市中心城区（OSM 演示路网）' }).waitFor()
    // The map draws our network on a canvas, with the OSM attribution and no tile images.
    await page.locator('[data-test=access-map] canvas').first().waitFor()
    assert.match(await page.locator('.leaflet-control-attribution').innerText(), /OpenStreetMap/)
    assert.equal(await page.locator('[data-test=access-map] img.leaflet-tile').count(), 0)
    // Summary shares are percentages; the per-unit table says its cells are synthetic.
    assert.match(await page.locator('[data-test=access-share]').first().innerText(), /%$/)
    await page.locator('[data-test=access-coverage] [data-test=synthetic]').waitFor()
    assert.ok((await page.locator('[data-test=access-coverage-table] tbody tr').count()) > 0)
    // The Excel export link downloads a workbook with the page's session.
    const href = await page.locator('[data-test=access-xlsx]').getAttribute('href')
    const xlsx = await context.request.get(href)
    assert.equal(xlsx.status(), 200)
    assert.equal((await xlsx.body()).subarray(0, 2).toString(), 'PK')

    // Site suggestions for the first type.
    await page.locator('[data-test=access-suggest]').click()
    await page.locator('[data-test=access-sites] tbody tr').first().waitFor()
    assert.ok((await page.locator('.gj-site').count()) > 0, 'suggested sites are drawn on the map')
    await shoot(page, 'access')

    // Register a 党群服务中心 (a type OSM lacks) through the dialog; it appears in the registry.
    const name = uniq('演示党群服务中心')
    await page.locator('[data-test=access-add]').click()
    await page.locator('[data-test=access-form-type]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '党群服务中心' }).first().click()
    await page.locator('input[data-test=access-form-name]').fill(name)
    await page.locator('[data-test=access-form-save]').click()
    await page.locator('[data-test=access-type]').click()
    await page.locator('.el-select-dropdown__item:visible', { hasText: '党群服务中心' }).first().click()
    await page.locator('[data-test=access-facilities]', { hasText: name }).waitFor()
    const listed = await apiCall(context, 'GET', '/access/facilities?type=party_service')
    const mine = listed.json.items.find((f) => f.name === name)
    assert.ok(mine, 'stored through the API')
    assert.equal(mine.source, 'manual')
    assert.equal((await apiCall(context, 'DELETE', `/access/facilities/${mine.id}`)).status, 204)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }

  // Phone width; and a Shaanxi user sees the empty state, not Chengdu's data.
  const phone = await newPage({ viewport: PHONE })
  try {
    await login(phone.page, { username: 'zhashui.command', password: DEMO_PASSWORD })
    await phone.page.goto('/access')
    await phone.page.locator('[data-test=empty]').waitFor()
    assert.equal(await phone.page.getByText('成都市中心城区').count(), 0)
  } finally {
    await phone.context.close()
  }
})

test('15分钟服务圈: a run started from the page shows its progress and refreshes the coverage', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, CHENGDU)
    await page.goto('/access')
    await page.locator('[data-test=access-network]').waitFor()
    const before = (await apiCall(context, 'GET', '/access/overview')).json.run.id
    await page.locator('[data-test=access-run]').click()
    // The job panel appears at once with its progress bar, and ends done.
    await page.locator('[data-test=access-job] [data-test=access-job-status]').waitFor()
    await page.locator('[data-test=access-job][data-status=done]').waitFor({ timeout: 30000 })
    assert.equal(await page.locator('[data-test=access-job-progress]').getAttribute('aria-valuenow'), '100')
    const job = (await apiCall(context, 'GET', '/access/jobs')).json.job
    assert.equal(job.status, 'done')
    assert.equal(job.done, job.total)
    const after = (await apiCall(context, 'GET', '/access/overview')).json.run
    assert.equal(after.id, job.run_id)
    assert.ok(after.id > before, 'a new run replaced the old results')
    // The per-unit table has the type's own cut-off column.
    await page.locator('[data-test=access-share-cutoff]').first().waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})
