import type { Role } from '@/api/types'

export const ROLES: Role[] = ['admin', 'command', 'township', 'village', 'grid_worker', 'department', 'citizen']

// Which position a role is bound to (docs/api.md, Roles): a division/grid, a unit, or nothing.
export const needsScope = (r: Role | '') => r !== '' && r !== 'department' && r !== 'citizen'
export const needsUnit = (r: Role | '') => r === 'department'
