import { Hono } from 'hono';
import { z } from 'zod';
import type postgres from 'postgres';
import { lockOrganizationQuota } from '../../db/limits';
import { countOwners, findMemberRole, listMembers, removeMember, setMemberRole } from '../../db/organizations';
import { ApiError, notFound } from '../errors';
import { assertCan, type OrgRole } from '../permissions';
import { validate } from '../validate';
import type { AppContext, AppEnv } from '../context';
import { asCaller, keepingAnOwner, lastOwnerConflict, memberJson } from './shared';
import { MemberRole } from './schemas';

export const ChangeRoleBody = z.strictObject({ role: MemberRole });
export type ChangeRoleBody = z.infer<typeof ChangeRoleBody>;
const UserIdParam = z.object({ userId: z.uuid() });

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
  return c.json({ success: true, organization_id: org.id, user_id: c.get('user').id });
}

/** GET /organization/members, PATCH / DELETE /organization/members/:userId. */
export const members = new Hono<AppEnv>()
  .get('/', async (c) => {
    const org = c.get('org');
    const rows = await asCaller(c, (tx) => listMembers(tx, org.id));
    return c.json({ data: rows.map((m) => memberJson(m, c.get('user').id)) });
  })

  .patch('/:userId', validate('param', UserIdParam), validate('json', ChangeRoleBody), async (c) => {
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
    return c.json({ member: memberJson(member, c.get('user').id) });
  })

  .delete('/:userId', validate('param', UserIdParam), async (c) => {
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
    return c.json({ success: true, organization_id: org.id, user_id: userId });
  });
