// Vite build plugin: writes dist/grid-sw.js, the service worker of the grid-worker app, from
// sw-template.js with the list of files /m/grid needs offline (its "app shell"): index.html,
// the entry chunk and its static imports, the grid app's chunks and their CSS and assets, and
// the web app manifest with its icons. Walking the chunk graph from the grid app keeps the
// rest of the staff UI (ECharts, tables…) out of a phone's first download.
import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const PUBLIC_FOR_SHELL = ['grid.webmanifest', 'favicon.svg']

export function gridServiceWorker({ marker = '/views/gridapp/', template }) {
  let publicDir = ''
  return {
    name: 'gj-grid-service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      publicDir = config.publicDir
    },
    generateBundle(_options, bundle) {
      const chunks = Object.values(bundle).filter((o) => o.type === 'chunk')
      const byName = new Map(Object.values(bundle).map((o) => [o.fileName, o]))
      const files = new Set()
      const seen = new Set()
      const visit = (fileName, followDynamic) => {
        if (seen.has(fileName)) return
        seen.add(fileName)
        const o = byName.get(fileName)
        if (!o) return
        files.add(fileName)
        if (o.type !== 'chunk') return
        for (const css of o.viteMetadata?.importedCss ?? []) files.add(css)
        for (const a of o.viteMetadata?.importedAssets ?? []) files.add(a)
        for (const i of o.imports) visit(i, followDynamic)
        if (followDynamic) for (const d of o.dynamicImports) visit(d, true)
      }
      for (const c of chunks) if (c.isEntry) visit(c.fileName, false)
      const grid = chunks.filter((c) => Object.keys(c.modules).some((m) => m.includes(marker)))
      if (!grid.length) this.error('gj-grid-service-worker: no chunk holds ' + marker)
      // Every chunk holding grid-app code is listed by itself (the router loads the views lazily);
      // their static imports follow, dynamic ones do not (the shared entry's router would pull in
      // every staff page).
      for (const c of grid) visit(c.fileName, false)

      const pub = []
      const walk = (dir) => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name)
          if (statSync(p).isDirectory()) walk(p)
          else pub.push(relative(publicDir, p).split('\\').join('/'))
        }
      }
      walk(publicDir)
      const shellPublic = pub.filter((p) => PUBLIC_FOR_SHELL.includes(p) || p.startsWith('icons/grid-'))

      const urls = ['/index.html', ...[...files].sort().map((f) => '/' + f), ...shellPublic.map((p) => '/' + p)]
      const hash = createHash('sha256')
      hash.update(urls.join('\n'))
      for (const p of shellPublic) hash.update(readFileSync(join(publicDir, p)))
      // index.html is not hashed by name; its content follows the entry chunk's hash, which is listed.
      const version = hash.digest('hex').slice(0, 16)
      const source =
        `self.__GJ_VERSION = ${JSON.stringify(version)}\n` +
        `self.__GJ_PRECACHE = ${JSON.stringify(urls, null, 0)}\n` +
        readFileSync(template, 'utf8')
      this.emitFile({ type: 'asset', fileName: 'grid-sw.js', source })
    },
  }
}
