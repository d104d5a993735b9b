import { Hono } from 'hono';
import type { AppEnv } from '../context';
import { organizationInvitations } from './invitations';
import { leave, members } from './members';
import { settings } from './settings';

export { organizations } from './registration';
export { me } from './preferences';
export { invitations } from './invitations';

/**
 * Tenant routes of the organization the request acts for (X-Organization-Id):
 *   GET/PATCH /organization, /organization/members, /organization/invitations, POST /organization/leave
 */
export const organization = new Hono<AppEnv>()
  .route('/', settings)
  .route('/members', members)
  .route('/invitations', organizationInvitations)
  .post('/leave', (c) => leave(c));
