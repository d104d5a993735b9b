import { router } from '../openapi/route';
import { organizationInvitations } from './invitations';
import { leave, leaveRoute, members } from './members';
import { settings } from './settings';

export { organizations } from './registration';
export { me } from './preferences';
export { invitations } from './invitations';

/**
 * Tenant routes of the organization the request acts for (X-Organization-Id):
 *   GET/PATCH /organization, /organization/members, /organization/invitations, POST /organization/leave
 */
export const organization = router()
  .route('/', settings)
  .route('/members', members)
  .route('/invitations', organizationInvitations)
  .openapi(leaveRoute, (c) => leave(c));
