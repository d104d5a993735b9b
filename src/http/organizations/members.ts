import { z } from '@hono/zod-openapi';
import type postgres from 'postgres';
import { lockOrganizationQuota } from '../../db/limits';
import { countOwners, findMemberRole, listMembers, removeMember, setMemberRole } from '../../db/organizations';
import { ApiError, notFound } from '../errors';
import { assertCan, type OrgRole } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { List } from '../openapi/schemas';
import type { AppContext } from '../context';
import { Member, MembershipChange } from './responses';
import { asCaller, keepingAnOwner, lastOwnerConflict, memberJson } from './shared';
import { MemberRole } from './schemas';

export const ChangeRoleBody = z.strictObject({ role: MemberRole });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;
const UserIdParam = z.object({ userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' } }) });

/**
 * Membership writes of one organization run one at a time (the organization's quota lock, which
 * the last-owner trigger takes too), and the caller's role is read again under that lock.
 */
async function lockedCallerRole(tx: postgres.TransactionSql, c: AppContext): Promise<OrgRole> {
  const org = c.get('org');
  await lockOrganizationQuota(tx, org.id);
  const role = await findMemberRole(tx, org.id, c.get('user').id);
  if (!role) throw new ApiError('not_a_member', 'you are not a member of this organization');
  return role;
}

/** POST /organization/leave, and DELETE /organization/members/<yourself>. */
export async function leave(c: AppContext) {
  const org = c.get('org');
  assertCan(org.role, 'organization.leave');
  await asCaller(c, async (tx) => {
    const myRole = await lockedCallerRole(tx, c);
    assertCan(myRole, 'organization.leave');
    // The database keeps an owner while members remain; an owner who is the only member would
    // leave the organization to nobody, so the last owner may not leave in any case.
    if (myRole === 'owner' && (await countOwners(tx, org.id)) === 1) throw lastOwnerConflict();
    await keepingAnOwner(removeMember(tx, org.id, c.get('user').id));
  });
  return c.json({ success: true as const, organization_id: org.id, user_id: c.get('user').id }, 200);
}

export const leaveRoute = defineRoute('tenant', {
  method: 'post', path: '/leave', tags: ['Organization'], summary: 'Leave the organization',
  description: 'Ends your membership. The last owner cannot leave (409 `last_owner`).',
  responses: { 200: json(MembershipChange, 'You are no longer a member') },
}, { errors: ['forbidden', 'conflict'] });

const listMembersRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: ['Members'], summary: 'Members', description: 'Every member with email, name and role.',
  responses: { 200: json(List(Member), 'The members') },
});

const changeRole = defineRoute('tenant', {
  method: 'patch', path: '/{userId}', tags: ['Members'], summary: 'Change a member’s role',
  description: 'Owners and admins; only owners make or unmake owners. The organization keeps at least one owner.',
  request: { params: UserIdParam, body: jsonBody(ChangeRoleBody.openapi({ example: { role: 'admin' } })) },
  responses: { 200: json(z.object({ member: Member }), 'The member with the new role') },
}, { errors: ['forbidden', 'not_found', 'conflict'] });

const removeMemberRoute = defineRoute('tenant', {
  method: 'delete', path: '/{userId}', tags: ['Members'], summary: 'Remove a member',
  description: 'Owners and admins (only owners remove owners); your own id leaves the organization.',
  request: { params: UserIdParam },
  responses: { 200: json(MembershipChange, 'The member was removed') },
}, { errors: ['forbidden', 'not_found', 'conflict'] });

/** GET /organization/members, PATCH / DELETE /organization/members/:userId. */
export const members = router()
  .openapi(listMembersRoute, async (c) => {
    const org = c.get('org');
    const rows = await asCaller(c, (tx) => listMembers(tx, org.id));
    return c.json({ data: rows.map((m) => memberJson(m, c.get('user').id)) }, 200);
  })

  .openapi(changeRole, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'members.change_role');
    const { userId } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const member = await asCaller(c, async (tx) => {
      const myRole = await lockedCallerRole(tx, c);
      assertCan(myRole, 'members.change_role');
      const current = await findMemberRole(tx, org.id, userId);
      if (!current) throw notFound('member');
      if (current === 'owner' || role === 'owner') assertCan(myRole, 'members.manage_owners');
      if (current !== role) await keepingAnOwner(setMemberRole(tx, org.id, userId, role));
      return (await listMembers(tx, org.id)).find((m) => m.user_id === userId)!;
    });
    return c.json({ member: memberJson(member, c.get('user').id) }, 200);
  })

  .openapi(removeMemberRoute, async (c) => {
    const { userId } = c.req.valid('param');
    if (userId === c.get('user').id) return leave(c);
    const org = c.get('org');
    assertCan(org.role, 'members.remove');
    await asCaller(c, async (tx) => {
      const myRole = await lockedCallerRole(tx, c);
      assertCan(myRole, 'members.remove');
      const current = await findMemberRole(tx, org.id, userId);
      if (!current) throw notFound('member');
      if (current === 'owner') assertCan(myRole, 'members.manage_owners');
      await keepingAnOwner(removeMember(tx, org.id, userId));
    });
    return c.json({ success: true as const, organization_id: org.id, user_id: userId }, 200);
  });
