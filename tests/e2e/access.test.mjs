// Browser test of the 15分钟服务圈 page against the real server with the demo dataset, whose
// OSM area is central Chengdu under 成都市 (login chengdu.demo). scripts/test-stages/30-e2e.sh
// starts the server.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { COMMAND, DEMO_PASSWORD, PHONE, apiCall, launch, login, newPage, shoot, shutdown, uniq } from './lib.mjs'

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

test('15分钟服务圈: registered households are imported from a CSV file through the page, all rows or none', async () => {
  // 柞水县 has registered grids (成都市 has none), so its command centre keeps the registry.
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    await page.goto('/access')
    await page.locator('#tab-households').click()
    await page.locator('[data-test=access-households]').waitFor()
    const grid = '611026001001001'
    const a1 = uniq('乾佑街道e2e路1号')
    const a2 = uniq('乾佑街道e2e路2号')
    const before = (await apiCall(context, 'GET', '/access/households?limit=1')).json.total
    // A bad row (members 0): nothing stored; the row and the field are named in Chinese.
    const bad = `grid_code,address,lat,lon,members\n${grid},${a1},33.6801,109.1101,3\n${grid},${a2},33.6802,109.1102,0\n`
    await page.locator('[data-test=access-hh-file]').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) })
    await page.locator('[data-test=access-hh-upload]').click()
    const err = page.locator('[data-test=access-hh-error]')
    await err.waitFor()
    const text = await err.innerText()
    assert.match(text, /第 3 行/)
    assert.match(text, /人数/)
    assert.equal((await apiCall(context, 'GET', '/access/households?limit=1')).json.total, before)
    // The good file: every row, listed on the page and through the API.
    const good = `grid_code,address,lat,lon,members\n${grid},"${a1}, 1单元101",33.6801,109.1101,3\n${grid},${a2},33.6802,109.1102,2\n`
    await page.locator('[data-test=access-hh-file]').setInputFiles({ name: 'households.csv', mimeType: 'text/csv', buffer: Buffer.from(good) })
    await page.locator('[data-test=access-hh-upload]').click()
    await page.locator('[data-test=access-hh-done]', { hasText: '2' }).waitFor()
    assert.equal(await err.count(), 0)
    const listed = (await apiCall(context, 'GET', `/access/households?limit=1000&division=${grid}`)).json
    assert.equal(listed.total, before + 2)
    assert.ok(listed.items.some((h) => h.address === `${a1}, 1单元101` && h.members === 3))
    // Narrowed to the grid, the page's table shows the new rows' grid.
    await page.locator('input[data-test=access-hh-division]').fill(grid)
    await page.locator('input[data-test=access-hh-division]').press('Enter')
    await page.locator('[data-test=access-hh-table] tbody tr', { hasText: grid }).first().waitFor()
    await shoot(page, 'access-households')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test("15分钟服务圈: a facility type's walking minutes are edited in a dialog", async () => {
  const { context, page } = await newPage()
  let code = null
  let original = null
  try {
    await login(page, CHENGDU)
    await page.goto('/access')
    await page.locator('[data-test=access-network]').waitFor()
    await page.locator('[data-test=access-type-edit]').click()
    const minutes = page.locator('[data-test=access-type-minutes] input')
    await minutes.waitFor()
    const ov = (await apiCall(context, 'GET', '/access/overview')).json
    code = ov.run ? ov.run.types.split(',')[0] : ov.types[0].code
    original = ov.types.find((x) => x.code === code)
    const target = original.minutes === 12 ? 13 : 12
    await minutes.fill(String(target))
    await minutes.press('Tab')
    await page.locator('[data-test=access-type-save]').click()
    // The network line shows the new reach; the server stored it.
    await page.locator('[data-test=access-network]', { hasText: `步行 ${target} 分钟` }).waitFor()
    const stored = (await apiCall(context, 'GET', `/access/types/${code}`)).json
    assert.equal(stored.minutes, target)
    // Out of range through the API: 400 naming the field, nothing changed.
    const bad = await apiCall(context, 'PUT', `/access/types/${code}`, { minutes: 0 })
    assert.equal(bad.status, 400)
    assert.equal(bad.json.error.field, 'minutes')
    assert.equal((await apiCall(context, 'GET', `/access/types/${code}`)).json.minutes, target)
    assert.deepEqual(page.errors, [])
  } finally {
    if (code && original) await apiCall(context, 'PUT', `/access/types/${code}`, { minutes: original.minutes })
    await context.close()
  }
})
