// Browser tests of the web shell against the real server with the demo dataset
// (scripts/test-stages/30-e2e.sh starts it). Run: GJ_BASE_URL=http://127.0.0.1:PORT node --test
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import {
  ADMIN,
  COMMAND,
  DEMO_PASSWORD,
  DESKTOP,
  PHONE,
  TOWNSHIP,
  apiCall,
  launch,
  login,
  newPage,
  shoot,
  shutdown,
  uniq,
  validIdNumber,
} from './lib.mjs'

before(launch)
after(shutdown)

const CJK = /[\u4e00-\u9fff]/

// Pick an option in an Element Plus select: open it, optionally type to search, click the item.
async function pickOption(page, selectLocator, optionText, typeText) {
  await selectLocator.click()
  if (typeText) await page.keyboard.type(typeText, { delay: 30 })
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: optionText }).first()
  await item.waitFor()
  await item.click()
}

test('login: a wrong password shows the server error in Chinese, the right one lands on the home page', async () => {
  const { context, page } = await newPage()
  try {
    await page.goto('/')
    await page.waitForURL(/\/login/)
    await assert.doesNotReject(page.locator('[data-test=login-submit]').waitFor())
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    await shoot(page, 'login')

    // keyboard only: the user name has the focus, Tab moves on, Enter submits
    await page.waitForFunction(() => document.activeElement?.getAttribute('data-test') === 'login-username')
    await page.keyboard.type(COMMAND.username)
    await page.keyboard.press('Tab')
    await page.keyboard.type('not-the-password-1')
    await page.keyboard.press('Enter')
    const err = page.locator('[data-test=login-error]')
    await err.waitFor()
    const msg = (await err.innerText()).trim()
    assert.match(msg, CJK, `error should be Chinese, got "${msg}"`)
    assert.match(msg, /用户名或密码错误/)
    assert.match(page.url(), /\/login/)
    await shoot(page, 'login-error')

    await page.locator('input[data-test=login-password]').fill(COMMAND.password)
    await page.locator('input[data-test=login-password]').press('Enter') // keyboard submit
    await page.locator('[data-test=home]').waitFor()
    assert.equal(new URL(page.url()).pathname, '/')
    assert.match(await page.title(), /共建/)
    assert.match(await page.locator('[data-test=home-role]').innerText(), /指挥中心/)
    assert.match(await page.locator('[data-test=home-scope]').innerText(), /柞水县/)
    await shoot(page, 'home')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('login: a demo store lists its accounts, and clicking one fills the form to sign in with', async () => {
  const { context, page } = await newPage()
  try {
    await page.goto('/login')
    const list = page.locator('[data-test=demo-logins]')
    await list.waitFor()
    assert.match(await list.innerText(), /演示账号/)
    // every listed account is one the demo made; the grid worker is among them, with its role
    const worker = page.locator('[data-test="demo-login-qianyou.grid"]')
    assert.match(await worker.innerText(), /网格员/)
    await worker.click()
    assert.equal(await page.locator('input[data-test=login-username]').inputValue(), 'qianyou.grid')
    assert.equal(await page.locator('input[data-test=login-password]').inputValue(), DEMO_PASSWORD)
    await shoot(page, 'login-demo-accounts')
    await page.locator('[data-test=login-submit]').click()
    await page.locator('[data-test=home]').waitFor()
    assert.match(await page.locator('[data-test=home-role]').innerText(), /网格员/)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('language: switching to English changes the UI and the API messages, persists over reload, and switches back', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    await page.locator('[data-test=menu-org]').getByText('组织架构').waitFor()

    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test=lang-en]').click()
    await page.locator('[data-test=menu-org]').getByText('Organisation').waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en')
    await shoot(page, 'home-en')

    // Accept-Language follows the choice: the server's not-found message comes back in English.
    await page.goto('/org/999999999999')
    const nf = page.locator('[data-test=org-not-found]')
    await nf.waitFor()
    const apiMsg = await page.locator('[data-test=org-error-message]').innerText()
    assert.doesNotMatch(apiMsg, CJK, `expected an English message, got "${apiMsg}"`)
    assert.ok(apiMsg.trim().length > 0)

    await page.reload()
    await page.locator('[data-test=menu-org]').getByText('Organisation').waitFor()

    await page.locator('[data-test=lang-switch]').click()
    await page.locator('[data-test=lang-zh-CN]').click()
    await page.locator('[data-test=menu-org]').getByText('组织架构').waitFor()
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN')
    await page.goto('/org/999999999999')
    await page.locator('[data-test=org-not-found]').waitFor()
    assert.match(await page.locator('[data-test=org-error-message]').innerText(), CJK)
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('org browser: drill down county → township → village → grid, and search by name', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, ADMIN)
    await page.locator('[data-test=menu-org]').click()
    await page.waitForURL(/\/org$/)
    assert.match(await page.title(), /^组织架构/)
    const name = page.locator('[data-test=org-node-name]')
    await assert.doesNotReject(name.waitFor())
    assert.equal(await name.innerText(), '柞水县')
    await shoot(page, 'org-county')

    // county → township: 乾佑街道
    await page.locator('[data-test=org-child]', { hasText: '乾佑街道' }).click()
    await page.waitForURL(/\/org\/\d{12}$/)
    await page.locator('[data-test=org-node-name]', { hasText: '乾佑街道' }).waitFor()
    const crumbs = await page.locator('[data-test=org-breadcrumb]').innerText()
    assert.match(crumbs, /柞水县[\s\S]*乾佑街道/)
    await shoot(page, 'org-township')

    // township → first village/community
    const village = page.locator('[data-test=org-child]').first()
    const villageName = (await village.locator('.node-name').innerText()).trim()
    await village.click()
    await page.locator('[data-test=org-node-name]', { hasText: villageName }).waitFor()
    assert.match(await page.locator('[data-test=org-breadcrumb]').innerText(), /乾佑街道/)
    await shoot(page, 'org-village')

    // village → first grid: synthetic, labelled so, with its grid panel
    const gridLink = page.locator('[data-test=org-child]').first()
    assert.ok(await gridLink.locator('[data-test=synthetic]').count(), 'grids are synthetic demo data and must say so')
    await gridLink.click()
    await page.locator('[data-test=org-grid]').waitFor()
    await page.locator('[data-test=org-grid-worker]').waitFor()
    assert.ok(await page.locator('[data-test=org-node] [data-test=synthetic]').count())
    assert.match(await page.locator('[data-test=org-breadcrumb]').innerText(), new RegExp(villageName))
    await shoot(page, 'org-grid')

    // search by name → result → its page
    await page.goto('/org')
    await page.locator('input[data-test=org-search]').fill('乾佑')
    await page.locator('input[data-test=org-search]').press('Enter')
    const hit = page.locator('[data-test=org-search-item]', { hasText: '乾佑街道' }).first()
    await hit.waitFor()
    assert.match(await hit.innerText(), /柞水县/) // path_names shown
    await shoot(page, 'org-search')
    await hit.click()
    await page.waitForURL(/\/org\/\d{12}$/)
    await page.locator('[data-test=org-node-name]', { hasText: '乾佑街道' }).waitFor()

    // search with no match shows the empty state
    await page.locator('input[data-test=org-search]').fill('不存在的地名xyz')
    await page.locator('input[data-test=org-search]').press('Enter')
    await page.locator('[data-test=org-search-results] [data-test=empty]').waitFor()
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('scope: a township user sees only its township; another township’s code shows not-found', async () => {
  const admin = await newPage()
  let other
  try {
    await login(admin.page, ADMIN)
    const root = await apiCall(admin.context, 'GET', '/org/root')
    assert.equal(root.status, 200)
    other = root.json.children.find((c) => c.name !== TOWNSHIP.scopeName)
    assert.ok(other, 'the county has more than one township')
  } finally {
    await admin.context.close()
  }

  const { context, page } = await newPage({ viewport: PHONE })
  try {
    await login(page, TOWNSHIP)
    await page.goto('/org')
    await page.locator('[data-test=org-node-name]', { hasText: '乾佑街道' }).waitFor()
    // no way up to the county
    assert.doesNotMatch(await page.locator('[data-test=org-breadcrumb]').innerText(), /柞水县/)

    await page.goto(`/org/${other.code}`)
    await page.locator('[data-test=org-not-found]').waitFor()
    assert.match(await page.locator('[data-test=org-error-message]').innerText(), /未找到/)
    assert.equal(await page.getByText(other.name, { exact: true }).count(), 0, 'the other township’s name must not leak')
    await shoot(page, 'org-not-found')

    // the API agrees: 404, not 403 (existence never leaks)
    const r = await apiCall(context, 'GET', `/org/nodes/${other.code}`)
    assert.equal(r.status, 404)
    // and search does not find it either
    const s = await apiCall(context, 'GET', `/org/search?q=${encodeURIComponent(other.name)}`)
    assert.equal(s.status, 200)
    assert.equal(s.json.items.filter((n) => n.code === other.code).length, 0)
  } finally {
    await context.close()
  }
})

test('a grid worker found through the user list sees its own grid as the root', async () => {
  const admin = await newPage()
  let worker
  try {
    await login(admin.page, ADMIN)
    const r = await apiCall(admin.context, 'GET', '/users?role=grid_worker&page_size=200')
    assert.equal(r.status, 200)
    worker = r.json.items.find((u) => u.role === 'grid_worker' && !u.disabled && !u.locked)
    assert.ok(worker, 'the demo dataset has a grid worker in the admin’s county')
  } finally {
    await admin.context.close()
  }
  const { context, page } = await newPage({ viewport: PHONE })
  try {
    await login(page, { username: worker.username, password: DEMO_PASSWORD })
    // phone width: the menu lives in a drawer behind the hamburger
    await page.locator('[data-test=menu-toggle]').click()
    await shoot(page, 'menu-drawer', { fullPage: false })
    const menu = page.locator('.el-drawer [data-test=side-menu]')
    await menu.waitFor()
    assert.equal(await menu.locator('[data-test=menu-users]').count(), 0)
    await menu.locator('[data-test=menu-org]').click()
    await page.waitForURL(/\/org$/)
    await page.locator('[data-test=org-grid]').waitFor()
    assert.equal((await page.locator('[data-test=org-node-code]').innerText()).trim(), worker.scope_code)
    await shoot(page, 'org-grid-worker')
  } finally {
    await context.close()
  }
})

test('users: admin creates a user; a bad ID number shows the error, a valid one succeeds with the chosen notification language, phone is masked; the audit log shows it', async () => {
  const { context, page } = await newPage()
  const username = uniq('e2e.')
  try {
    await login(page, ADMIN)
    await page.locator('[data-test=menu-users]').click()
    await page.waitForURL(/\/users$/)
    await page.locator('[data-test=users-table]').waitFor()
    await shoot(page, 'users')

    await page.locator('[data-test=user-create]').click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.waitFor()
    await dlg.locator('input[data-test=user-username]').fill(username)
    await dlg.locator('input[data-test=user-display-name]').fill('测试用户')
    await dlg.locator('input[data-test=user-password]').fill('Test-Password-2026')
    await pickOption(page, dlg.locator('[data-test=user-role]'), '乡镇（街道）工作人员')
    await pickOption(page, dlg.locator('[data-test=scope-picker]'), '乾佑街道', '乾佑')
    await dlg.locator('input[data-test=user-phone]').fill('13812345678')
    // Their e-mails in English 通知语言 (the form offers the two template languages)
    await dlg.locator('[data-test=user-language-en]').click()
    const bad = validIdNumber().slice(0, 17) + (validIdNumber().endsWith('0') ? '1' : '0')
    await dlg.locator('input[data-test=user-id-number]').fill(bad)
    await dlg.locator('[data-test=user-save]').click()
    // the server's message appears under the ID-number field
    const err = dlg.locator('.el-form-item.is-error', { has: page.locator('input[data-test=user-id-number]') }).locator('.el-form-item__error')
    await err.waitFor()
    assert.match(await err.innerText(), /身份证号码无效/)
    assert.doesNotMatch(await err.innerText(), /id_number/) // no internal field names for staff
    await shoot(page, 'user-create-error', { fullPage: false })

    await dlg.locator('input[data-test=user-id-number]').fill(validIdNumber())
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/users') && r.request().method() === 'POST')
    await dlg.locator('[data-test=user-save]').click()
    const res = await created
    assert.equal(res.status(), 201)
    const row = await res.json()
    assert.equal(row.language, 'en')
    await dlg.waitFor({ state: 'hidden' })

    await page.locator('input[data-test=users-search]').fill(username)
    await page.locator('input[data-test=users-search]').press('Enter')
    const tr = page.locator('.user-row', { hasText: username })
    await tr.waitFor()
    const phone = (await tr.locator('[data-test=user-phone-cell]').innerText()).trim()
    assert.match(phone, /^138\*{4}5678$/, `phone should be masked, got ${phone}`)
    assert.doesNotMatch(await tr.innerText(), /13812345678/)
    await shoot(page, 'users-created')

    // the audit log shows the creation
    await page.locator('[data-test=menu-audit]').click()
    await page.waitForURL(/\/audit$/)
    await page.locator('[data-test=audit-table]').waitFor()
    await pickOption(page, page.locator('[data-test=audit-action]'), '创建用户')
    const auditRow = page.locator('.audit-row', { hasText: '创建用户' }).filter({ hasText: new RegExp(`${username}|#${row.id}\\b`) })
    await auditRow.first().waitFor()
    await shoot(page, 'audit')
    assert.deepEqual(page.errors, [])
  } finally {
    await context.close()
  }
})

test('roles: a non-admin sees no 用户管理 or 审计日志 and the API refuses them', async () => {
  const { context, page } = await newPage()
  try {
    await login(page, COMMAND)
    const menu = page.locator('[data-test=side-menu]')
    await menu.locator('[data-test=menu-org]').waitFor()
    assert.equal(await menu.locator('[data-test=menu-users]').count(), 0)
    assert.equal(await menu.locator('[data-test=menu-audit]').count(), 0)
    assert.equal(await menu.getByText('用户管理').count(), 0)
    await page.goto('/users')
    await page.locator('[data-test=not-found]').waitFor()
    for (const path of ['/users', '/audit']) {
      const r = await apiCall(context, 'GET', path)
      assert.ok([403, 404].includes(r.status), `${path} gave ${r.status}`)
    }
    const post = await apiCall(context, 'POST', '/users', { username: uniq('x.'), display_name: 'x', password: 'Abcdefgh-12345', role: 'citizen' })
    assert.ok([403, 404].includes(post.status), `POST /users gave ${post.status}`)
  } finally {
    await context.close()
  }
})

test('escaping: a script-injection display name is shown as text and never runs', async () => {
  const { context, page } = await newPage()
  // within the 64-character display_name limit; either payload running would set __xss or alert
  const evil = `<img src=x onerror="__xss=1;alert(1)"><script>__xss=2</script>&'`
  const username = uniq('xss.')
  try {
    await login(page, ADMIN)
    const r = await apiCall(context, 'POST', '/users', {
      username,
      display_name: evil,
      password: 'Xss-Password-2026',
      role: 'command', // bound to the county, like the admin creating it
      scope_code: (await apiCall(context, 'GET', '/auth/me')).json.user.scope_code,
    })
    assert.equal(r.status, 201, JSON.stringify(r.json))

    await page.goto('/users')
    await page.locator('input[data-test=users-search]').fill(username)
    await page.locator('input[data-test=users-search]').press('Enter')
    const cell = page.locator('.user-row', { hasText: username }).locator('[data-test=user-display-name-cell]')
    await cell.waitFor()
    assert.equal(await cell.innerText(), evil)
    assert.equal(await page.locator('[data-test=users-table] img').count(), 0)
    await shoot(page, 'users-escaped')

    // the user signs in: their name in the header and greeting is text too
    const other = await newPage({ viewport: PHONE })
    try {
      await login(other.page, { username, password: 'Xss-Password-2026' })
      assert.equal(await other.page.locator('[data-test=user-menu] .user-name').innerText(), evil)
      assert.equal(await other.page.evaluate(() => window.__xss), undefined)
      assert.deepEqual(other.page.dialogs, [])
    } finally {
      await other.context.close()
    }
    assert.equal(await page.evaluate(() => window.__xss), undefined)
    assert.deepEqual(page.dialogs, [])
  } finally {
    await context.close()
  }
})

test('401: when the session ends the app returns to the login page and back afterwards', async () => {
  const { context, page } = await newPage({ viewport: DESKTOP })
  try {
    await login(page, COMMAND)
    await page.goto('/org')
    await page.locator('[data-test=org-child]').first().click()
    await page.waitForURL(/\/org\/\d+$/)
    await page.locator('[data-test=org-breadcrumb] a').first().waitFor()
    await context.clearCookies() // the server no longer knows us
    await page.locator('[data-test=org-child]').first().click()
    await page.waitForURL(/\/login\?redirect=/)
    await page.locator('input[data-test=login-username]').fill(COMMAND.username)
    await page.locator('input[data-test=login-password]').fill(COMMAND.password)
    await page.locator('[data-test=login-submit]').click()
    await page.waitForURL(/\/org\/\d+$/)
    await page.locator('[data-test=org-node-name]').waitFor()
  } finally {
    await context.close()
  }
})

test('pii and accounts: the full phone is shown only on request and audited; a disabled account cannot sign in', async () => {
  const { context, page } = await newPage()
  const username = uniq('pii.')
  try {
    await login(page, ADMIN)
    const me = (await apiCall(context, 'GET', '/auth/me')).json.user
    const r = await apiCall(context, 'POST', '/users', {
      username,
      display_name: '个人信息测试',
      password: 'Pii-Password-2026',
      role: 'command',
      scope_code: me.scope_code,
      phone: '13900001111',
      id_number: validIdNumber(),
    })
    assert.equal(r.status, 201, JSON.stringify(r.json))

    await page.goto('/users')
    await page.locator('input[data-test=users-search]').fill(username)
    await page.locator('input[data-test=users-search]').press('Enter')
    const tr = page.locator('.user-row', { hasText: username })
    await tr.waitFor()
    assert.doesNotMatch(await tr.innerText(), /13900001111/)
    await tr.getByRole('button', { name: '查看完整信息' }).click()
    const box = page.locator('.el-message-box')
    await box.waitFor()
    assert.match(await box.innerText(), /13900001111/)
    assert.match(await box.innerText(), /审计/)
    await shoot(page, 'users-pii', { fullPage: false })
    await box.getByRole('button', { name: '关闭', exact: true }).click()

    // edit: disable the account
    await tr.getByRole('button', { name: '编辑用户' }).click()
    const dlg = page.locator('.el-dialog:visible')
    await dlg.locator('[data-test=user-disabled]').click()
    const patched = page.waitForResponse((res) => res.url().includes(`/api/v1/users/${r.json.id}`) && res.request().method() === 'PATCH')
    await dlg.locator('[data-test=user-save]').click()
    assert.equal((await patched).status(), 200)
    await tr.getByText('已停用').waitFor()

    // the audit log shows the personal-data read and the change
    await page.goto('/audit')
    await page.locator('.audit-row', { hasText: '查阅个人信息' }).first().waitFor()
    await page.locator('.audit-row', { hasText: '修改用户' }).first().waitFor()

    const other = await newPage({ viewport: PHONE })
    try {
      await other.page.goto('/login')
      await other.page.locator('input[data-test=login-username]').fill(username)
      await other.page.locator('input[data-test=login-password]').fill('Pii-Password-2026')
      await other.page.locator('input[data-test=login-password]').press('Enter')
      await other.page.locator('[data-test=login-error]').getByText('账号已停用').waitFor()
    } finally {
      await other.context.close()
    }
  } finally {
    await context.close()
  }
})

test('settings: a user changes the password (a wrong current one is refused) and signs in with the new one', async () => {
  const admin = await newPage()
  const username = uniq('pw.')
  try {
    await login(admin.page, ADMIN)
    const me = (await apiCall(admin.context, 'GET', '/auth/me')).json.user
    const r = await apiCall(admin.context, 'POST', '/users', {
      username,
      display_name: '改密测试',
      password: 'Old-Password-2026',
      role: 'command',
      scope_code: me.scope_code,
    })
    assert.equal(r.status, 201, JSON.stringify(r.json))
  } finally {
    await admin.context.close()
  }
  const { context, page } = await newPage({ viewport: PHONE })
  try {
    await login(page, { username, password: 'Old-Password-2026' })
    await page.locator('[data-test=menu-toggle]').click()
    await page.locator('.el-drawer [data-test=menu-settings]').click()
    await page.locator('[data-test=settings-page]').waitFor()
    await page.locator('input[data-test=old-password]').fill('Wrong-Password-2026')
    await page.locator('input[data-test=new-password]').fill('New-Password-2026')
    await page.locator('input[data-test=confirm-password]').fill('New-Password-2026')
    await page.locator('input[data-test=confirm-password]').press('Enter')
    const oldErr = page.locator('.el-form-item.is-error', { has: page.locator('input[data-test=old-password]') }).locator('.el-form-item__error')
    await oldErr.waitFor()
    assert.match(await oldErr.innerText(), CJK)
    await shoot(page, 'settings-error')

    await page.locator('input[data-test=old-password]').fill('Old-Password-2026')
    const done = page.waitForResponse((res) => res.url().endsWith('/api/v1/auth/password'))
    await page.locator('[data-test=password-submit]').click()
    assert.equal((await done).status(), 204)
    await oldErr.waitFor({ state: 'detached' })
    await page.locator('.el-message--success').waitFor()

    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=logout]').click()
    await page.waitForURL(/\/login/)
    await login(page, { username, password: 'New-Password-2026' })
  } finally {
    await context.close()
  }
})
