import { can, PERMISSIONS, type Action, type OrgRole } from '../domain/roles';
import { ApiError } from './errors';

/** Roles and the permission matrix live in src/domain/roles.ts; this is the HTTP check that uses them. */
export type { OrgRole } from '../domain/roles';

export function assertCan(role: OrgRole, action: Action): void {
  if (!can(role, action)) {
    throw new ApiError('forbidden', `role '${role}' may not perform '${action}'`, { action, role, allowed: PERMISSIONS[action] });
  }
}
