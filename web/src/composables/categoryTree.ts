// The category list of GET /categories (each with its parent's code) as the nested options an
// el-cascader takes: the citizen form and the staff intake pick categories the same way.
export interface CategoryItem {
  code: string
  name: string
  parent_code?: string | null
}

export type CategoryNode = {
  [key: string]: unknown
  value: string
  label: string
  children?: CategoryNode[]
}

export function categoryTree(categories: CategoryItem[]): CategoryNode[] {
  const by = new Map<string, CategoryNode>()
  for (const c of categories) by.set(c.code, { value: c.code, label: c.name })
  const roots: CategoryNode[] = []
  for (const c of categories) {
    const node = by.get(c.code)!
    const parent = c.parent_code ? by.get(c.parent_code) : undefined
    if (parent) (parent.children ??= []).push(node)
    else roots.push(node)
  }
  return roots
}
