// Browser test of the organisation data imports 组织数据导入 on the 组织架构 page against the real
// server with the demo dataset: the 柞水县 administrator picks a grid boundary file with problems
// and is shown each one (feature, field, reason in Chinese) with nothing written; picks a good
// file, sees the summary and the preview map, confirms, and finds the grid with its boundary in
// the tree (an overlap between two of its grids is shown as a warning, not in the way); then
// imports a unit and sees it listed under the county. A command-centre user has no
// import buttons. A grid in two parts shows both in the preview, and the citizen form's map
// places a pin in either part and in neither between them; a re-division then retires that
// grid once the dialog has listed what it still holds. The grids lie far north of the demo's
// grids and have the highest codes of their village, so the tests that follow see the demo as
// before.
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { ADMIN, COMMAND, PHONE, apiCall, launch, login, newPage, shoot, shutdown } from './lib.mjs'

before(launch)
after(shutdown)

const VILLAGE = '611026001208' // 梨园村委会, 乾佑街道
const GRID = `${VILLAGE}901`
const square = (lat, lon, d = 0.004) => ({
  type: 'Polygon',
  coordinates: [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]],
})
// A grid in two parts 多块网格: a MultiPolygon of two squares.
const twoParts = (a, b) => ({ type: 'MultiPolygon', coordinates: [a.coordinates, b.coordinates] })
const feature = (properties, geometry) => ({ type: 'Feature', properties, geometry })
const file = (name, obj) => ({ name, mimeType: 'application/geo+json', buffer: Buffer.from(JSON.stringify(obj)) })

test('org import: problems are listed and nothing is written; a good file is previewed, imported and shown in the tree', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    await page.goto('/org')
    await page.locator('[data-test=org-node]').waitFor()
    await page.locator('[data-test=org-import-grids]').click()
    const dialog = page.locator('[data-test=org-import-grids]').last()
    const input = page.locator('[data-test=org-import-file]')

    // A file with problems: a 12-digit code, projected coordinates.
    await input.setInputFiles(
      file('bad.geojson', {
        type: 'FeatureCollection',
        features: [
          feature({ code: VILLAGE, name: '缺三位' }, square(34.0, 109.3)),
          feature({ code: `${VILLAGE}902`, name: '投影坐标' }, square(4060000, 12130000, 300)),
        ],
      }),
    )
    const problems = page.locator('[data-test=org-import-problems]')
    await problems.waitFor()
    const text = await problems.innerText()
    assert.match(text, /第 1 个要素[\s\S]*网格编码须为 15 位数字/)
    assert.match(text, /第 2 个要素[\s\S]*投影坐标/)
    assert.ok(await page.locator('[data-test=org-import-confirm]').isDisabled(), 'a file with problems can be confirmed')
    assert.equal((await apiCall(context, 'GET', `/org/grids/${GRID}`)).status, 404)

    // A good file (its second grid in two parts, the first drawn over part of the first grid):
    // summary, the overlap as a warning, and the preview first; nothing written yet.
    await input.setInputFiles(
      file('good.geojson', {
        type: 'FeatureCollection',
        features: [
          feature({ 网格编码: GRID, 网格名称: '梨园北网格', 户数: 120, 人口: 410 }, square(34.0, 109.3)),
          feature({ 网格编码: `${VILLAGE}902`, 网格名称: '梨园东北网格' }, twoParts(square(34.003, 109.303), square(34.003, 109.33))),
        ],
      }),
    )
    await page.locator('[data-test=org-import-summary]').waitFor()
    assert.equal(await page.locator('[data-test=org-import-added]').innerText(), '2')
    assert.match(await page.locator('[data-test=org-import-overlaps]').innerText(), /1 处网格重叠/)
    assert.match(await page.locator('[data-test=org-import-warnings]').innerText(), new RegExp(`第 1 个要素[\\s\\S]*${VILLAGE}902`))
    await page.locator('[data-test=grids-preview]').waitFor()
    assert.equal(await page.locator('[data-test=grids-preview-shape]').count(), 2)
    // Each grid is one shape; the two-part one draws both parts.
    const subpaths = await page.locator('[data-test=grids-preview-shape]').evaluateAll((els) => els.map((e) => (e.getAttribute('d').match(/M/g) || []).length))
    assert.deepEqual(subpaths.sort(), [1, 2])
    assert.match(await page.locator('[data-test=grids-preview]').innerText(), /新增 2[\s\S]*有重叠 2/)
    await shoot(page, 'org-import-preview')
    assert.equal((await apiCall(context, 'GET', `/org/grids/${GRID}`)).status, 404, 'the check wrote the grid')

    await page.locator('[data-test=org-import-confirm]').click()
    await page.locator('[data-test=org-import-done]').waitFor()
    await page.getByRole('button', { name: '关闭' }).last().click()
    await page.locator('[data-test=org-imported]').waitFor()
    assert.match(await page.locator('[data-test=org-imported]').innerText(), /新增 2/)
    assert.ok(dialog)

    // The grid is in the tree with its boundary and counts.
    await page.goto(`/org/${GRID}`)
    await page.locator('[data-test=org-grid]').waitFor()
    assert.equal(await page.locator('[data-test=org-node-name]').innerText(), '梨园北网格')
    await page.locator('[data-test=grid-shape]').waitFor()
    assert.match(await page.locator('[data-test=org-grid]').innerText(), /120[\s\S]*410/)
  } finally {
    await context.close()
  }
})

test('org import: the citizen location map places a pin in either part of a two-part grid, and none between them', async () => {
  // The grid of the test above, in two parts about 2.5 km apart. A fresh page for each place:
  // the browser answers a second "my location" within a minute from its cache.
  for (const [lon, want] of [
    [109.331, /梨园东北网格/], // the second part
    [109.316, /不在已划分的网格内/], // between the parts
    [109.3045, /梨园东北网格/], // the first part, outside the smaller 梨园北网格 it overlaps
  ]) {
    const { context, page } = await newPage()
    try {
      await context.grantPermissions(['geolocation'])
      await context.setGeolocation({ latitude: 34.0062, longitude: lon })
      await page.goto('/m/report')
      await page.locator('[data-test=cz-county]').waitFor()
      await page.locator('[data-test=cz-map]').waitFor()
      await page.getByRole('button', { name: '使用我的位置' }).click()
      await page.locator('[data-test=cz-pin]', { hasText: lon.toFixed(5) }).waitFor()
      assert.match(await page.locator('[data-test=cz-where]').innerText(), want, `at ${lon}`)
      assert.deepEqual(page.errors, [])
    } finally {
      await context.close()
    }
  }
})

test('org import: a re-division retires the grid the new layer leaves out, after listing what it still holds', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    // The two-part grid has its grid worker 网格员.
    const worker = `e2e.lygrid.${Date.now().toString(36)}`
    const made = await apiCall(context, 'POST', '/users', {
      username: worker,
      display_name: '梨园网格员',
      password: 'Grid-Pass-2026x',
      role: 'grid_worker',
      scope_code: `${VILLAGE}902`,
    })
    assert.equal(made.status, 201, JSON.stringify(made.json))
    // The village's layer as exported, without the two-part grid of the first test.
    const exported = await apiCall(context, 'GET', `/org/grids.geojson?scope=${VILLAGE}`)
    assert.equal(exported.status, 200)
    const layer = { ...exported.json, features: exported.json.features.filter((f) => f.properties.code !== `${VILLAGE}902`) }
    await page.goto('/org')
    await page.locator('[data-test=org-node]').waitFor()
    await page.locator('[data-test=org-import-grids]').click()
    await page.locator('[data-test=org-import-file]').setInputFiles(file('layer.geojson', layer))
    await page.locator('[data-test=org-import-summary]').waitFor()
    // Without the switch the grid is kept; with it, the check runs again and lists it.
    assert.match(await page.locator('[data-test=org-import-grids]').last().innerText(), /另有 1 个已有网格不在文件中，将保留不变/)
    await page.locator('[data-test=org-import-retire]').click()
    await page.locator('[data-test=org-import-retiring-title]', { hasText: '将停用 1 个网格' }).waitFor()
    assert.match(await page.locator('[data-test=org-import-retiring]').innerText(), new RegExp(`梨园东北网格[\\s\\S]*${VILLAGE}902`))
    assert.match(await page.locator('[data-test=grids-preview]').innerText(), /停用 1/)
    await shoot(page, 'org-import-retire')
    await page.locator('[data-test=org-import-confirm]').click()
    await page.locator('[data-test=org-import-done]', { hasText: '已停用 1 个网格' }).waitFor()
    await page.getByRole('button', { name: '关闭' }).last().click()

    // The grid page says it is retired; the grid the layer kept is not.
    await page.goto(`/org/${VILLAGE}902`)
    await page.locator('[data-test=org-grid-retired]').waitFor()
    assert.match(await page.locator('[data-test=org-grid-retired]').innerText(), /已停用/)
    await page.goto(`/org/${GRID}`)
    await page.locator('[data-test=org-grid]').waitFor()
    assert.equal(await page.locator('[data-test=org-grid-retired]').count(), 0)
    // The village's page marks it among its grids.
    await page.goto(`/org/${VILLAGE}`)
    await page.locator('[data-test=org-child]').first().waitFor()
    const retiredChild = page.locator('[data-test=org-child]', { has: page.locator('[data-test=org-retired-tag]') })
    assert.equal(await retiredChild.count(), 1)
    assert.match(await retiredChild.innerText(), new RegExp(`梨园东北网格[\\s\\S]*${VILLAGE}902`))

    // The worker, signing in to the grid app on their phone, is told their grid is retired.
    const phone = await newPage({ viewport: PHONE })
    try {
      assert.equal((await apiCall(phone.context, 'POST', '/auth/login', { username: worker, password: 'Grid-Pass-2026x' })).status, 200)
      const own = await apiCall(phone.context, 'POST', '/auth/password', { old_password: 'Grid-Pass-2026x', new_password: 'Grid-Own-2026xy' })
      assert.equal(own.status, 204, JSON.stringify(own.json))
      await phone.page.goto('/m/grid')
      await phone.page.locator('[data-test=ga-grid-retired]', { hasText: '网格调整中停用' }).waitFor()
    } finally {
      await phone.context.close()
    }

    // The user list flags its grid worker; in the form the retired grid is listed but cannot be
    // picked, and the worker is moved to the grid the new layer kept.
    await page.goto('/users')
    await page.locator('input[data-test=users-search]').fill(worker)
    await page.locator('input[data-test=users-search]').press('Enter')
    const row = page.locator('.user-row', { hasText: worker })
    await row.locator('[data-test=user-scope-retired]', { hasText: '网格已停用' }).waitFor()
    await row.getByRole('button', { name: '编辑' }).click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('[data-test=scope-picker]').click()
    await page.keyboard.type('梨园', { delay: 30 })
    const retiredOption = page.locator('.el-select-dropdown__item.is-disabled:visible', { hasText: '梨园东北网格' })
    await retiredOption.waitFor()
    assert.match(await retiredOption.innerText(), /已停用/)
    await page.locator('.el-select-dropdown__item:visible', { hasText: '梨园北网格' }).click()
    const saved = page.waitForResponse((r) => /\/api\/v1\/users\/\d+$/.test(r.url()) && r.request().method() === 'PATCH')
    await dlg.locator('[data-test=user-save]').click()
    assert.equal((await saved).status(), 200)
    await dlg.waitFor({ state: 'hidden' })
    // The list reloads after the save: the tag goes.
    await page.locator('.user-row', { hasText: worker }).locator('[data-test=user-scope-retired]').waitFor({ state: 'detached' })
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('org import: a unit file adds the county unit and names its new kind; the command centre cannot import', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    await page.goto('/org')
    await page.locator('[data-test=org-units]').waitFor()
    await page.locator('[data-test=org-import-units]').click()
    await page
      .locator('[data-test=org-import-file]')
      .setInputFiles({
        name: 'units.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('单位名称,单位类型,所属区划代码\n柞水县城市管理和综合执法局,城市管理部门,611026000000\n'),
      })
    await page.locator('[data-test=org-import-new-kinds]').waitFor()
    assert.match(await page.locator('[data-test=org-import-new-kinds]').innerText(), /城市管理部门/)
    await page.locator('[data-test=org-import-confirm]').click()
    await page.locator('[data-test=org-import-done]').waitFor()
    await page.getByRole('button', { name: '关闭' }).last().click()
    // The county page lists it under 部门和单位.
    await page.locator('[data-test=org-unit]', { hasText: '柞水县城市管理和综合执法局' }).waitFor()
    const units = await apiCall(context, 'GET', '/org/units?division=611026000000')
    assert.ok(units.json.items.some((u) => u.name === '柞水县城市管理和综合执法局' && u.kind === '城市管理部门'))
  } finally {
    await context.close()
  }
  const other = await newPage()
  try {
    await login(other.page, COMMAND)
    await other.page.goto('/org')
    await other.page.locator('[data-test=org-node]').waitFor()
    assert.equal(await other.page.locator('[data-test=org-import-grids]').count(), 0)
    await other.page.locator('[data-test=org-export-grids]').waitFor() // reading is for every staff role
  } finally {
    await other.context.close()
  }
})

test('org import: a reform withdraws the unit its file leaves out, after listing what it holds', async () => {
  const { context, page } = await newPage()
  const csv = (text) => ({ name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(text) })
  try {
    await login(page, ADMIN)
    const first = await apiCall(context, 'POST', '/org/units/import', { csv: '单位名称,单位类型,所属区划代码\n乾佑街道市政所,城市管理部门,611026001000\n' })
    assert.equal(first.status, 200, JSON.stringify(first.json))
    await page.goto('/org/611026001000')
    await page.locator('[data-test=org-unit]', { hasText: '乾佑街道市政所' }).waitFor()
    await page.locator('[data-test=org-import-units]').click()
    await page.locator('[data-test=org-import-file]').setInputFiles(csv('单位名称,单位类型,所属区划代码\n乾佑街道综合执法办,城市管理部门,611026001000\n'))
    await page.locator('[data-test=org-import-summary]').waitFor()
    // Kept unless the reform switch is on; with it, the check lists the unit it withdraws.
    assert.match(await page.locator('.el-dialog:visible').innerText(), /另有 1 个已有单位不在文件中/)
    await page.locator('[data-test=org-import-retire]').click()
    await page.locator('[data-test=org-import-retiring-title]', { hasText: '将撤销 1 个单位' }).waitFor()
    assert.match(await page.locator('[data-test=org-import-retiring]').innerText(), /乾佑街道市政所/)
    await page.locator('[data-test=org-import-confirm]').click()
    await page.locator('[data-test=org-import-done]', { hasText: '已撤销 1 个单位' }).waitFor()
    await page.getByRole('button', { name: '关闭' }).last().click()
    // The street's page tags it; the new office is not tagged.
    const old = page.locator('[data-test=org-unit]', { hasText: '乾佑街道市政所' })
    await old.locator('[data-test=org-unit-retired]', { hasText: '已撤销' }).waitFor()
    const current = page.locator('[data-test=org-unit]', { hasText: '乾佑街道综合执法办' })
    await current.waitFor()
    assert.equal(await current.locator('[data-test=org-unit-retired]').count(), 0)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('user import: problems are listed by line; a good file adds the accounts, shows each initial password once, and the first sign-in replaces it', async () => {
  const { context, page } = await newPage()
  const name = `lz${Date.now().toString(36)}`
  let password = ''
  try {
    await login(page, ADMIN)
    await page.goto('/users')
    await page.locator('[data-test=user-import-open]').click()
    const input = page.locator('[data-test=user-import-file]')
    const csv = (body) => ({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(`username,display_name,role,scope_code,phone\n${body}`) })
    await input.setInputFiles(csv(`${name}a,梨园村干部,village,611026001208,12345\n`))
    const problems = page.locator('[data-test=user-import-problems]')
    await problems.waitFor()
    assert.match(await problems.innerText(), /第 2 行[\s\S]*phone[\s\S]*手机号码格式不正确/)
    assert.ok(await page.locator('[data-test=user-import-confirm]').isDisabled())

    await input.setInputFiles(csv(`${name}a,梨园村干部,village,611026001208,13912345678\n${name}b,梨园村干部二,village,611026001208,\n`))
    await page.locator('[data-test=user-import-ready]').waitFor()
    assert.match(await page.locator('[data-test=user-import-ready]').innerText(), /可导入 2 个账号/)
    await page.locator('[data-test=user-import-confirm]').click()
    await page.locator('[data-test=user-import-done]').waitFor()
    const rows = page.locator('[data-test=user-import-passwords] tbody tr')
    assert.equal(await rows.count(), 2)
    password = (await rows.first().locator('td').nth(1).innerText()).trim()
    assert.match(password, /^[0-9A-Z]{12}$/)
    await shoot(page, 'user-import-done')
  } finally {
    await context.close()
  }
  // The new cadre signs in with the password shown and is sent to 个人设置 to choose their own
  // before anything else; after that the app opens as usual.
  const fresh = await newPage()
  try {
    const p = fresh.page
    await p.goto('/login')
    await p.locator('input[data-test=login-username]').fill(`${name}a`)
    await p.locator('input[data-test=login-password]').fill(password)
    await p.locator('input[data-test=login-password]').press('Enter')
    await p.locator('[data-test=must-change-password]').waitFor()
    await p.goto('/requests') // any other page leads back here
    await p.locator('[data-test=must-change-password]').waitFor()
    await p.locator('input[data-test=old-password]').fill(password)
    await p.locator('input[data-test=new-password]').fill('Liyuan-2026-own')
    await p.locator('input[data-test=confirm-password]').fill('Liyuan-2026-own')
    await p.locator('[data-test=password-submit]').click()
    await p.locator('[data-test=home]').waitFor()
    const me = await apiCall(fresh.context, 'GET', '/auth/me')
    assert.equal(me.json.user.username, `${name}a`)
    assert.equal(me.json.user.must_change_password, false)
  } finally {
    await fresh.context.close()
  }
})
