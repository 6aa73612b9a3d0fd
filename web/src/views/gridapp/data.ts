// Reference data the forms need, kept for offline starts: the category tree and the worker's
// grid outline (GET /api/v1/categories, GET /api/v1/org/grids/{code}).
import { ref } from 'vue'
import { cacheGet, cachePut, call, type Category, type GridInfo } from './api'

export const categories = ref<Category[]>(cacheGet<Category[]>('categories')?.value ?? [])
export const grid = ref<GridInfo | null>(null)

export async function loadCategories() {
  const a = await call<{ items: Category[] }>('GET', '/categories')
  if (a.data?.items) {
    categories.value = a.data.items
    cachePut('categories', a.data.items)
  }
}

export async function loadGrid(code: string | null | undefined) {
  if (!code) return
  grid.value = cacheGet<GridInfo>('grid:' + code)?.value ?? grid.value
  const a = await call<GridInfo>('GET', '/org/grids/' + encodeURIComponent(code))
  if (a.data) {
    grid.value = a.data
    cachePut('grid:' + code, a.data)
  }
}

// Leaf categories grouped under their parent, for <optgroup>.
export function categoryGroups(): { parent: Category; children: Category[] }[] {
  const byParent = new Map<string, Category[]>()
  for (const c of categories.value) {
    if (!c.parent_code) continue
    byParent.set(c.parent_code, [...(byParent.get(c.parent_code) ?? []), c])
  }
  return categories.value.filter((c) => !c.parent_code && byParent.has(c.code)).map((p) => ({ parent: p, children: byParent.get(p.code)! }))
}
