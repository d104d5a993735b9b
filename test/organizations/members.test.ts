import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization } from '../helpers/db';
import { tokenOf } from './support';

const sql = adminSql();
const roleOf = async (orgId: string, userId: string) =>
  (await sql`select role from organization_members where organization_id = ${orgId} and user_id = ${userId}`)[0]?.role ?? null;
const owners = async (orgId: string) => (await sql`select count(*)::int as n from organization_members where organization_id = ${orgId} and role = 'owner'`)[0]!.n;

describe('GET /organization/members', () => {
  it('lists every member with email and role to any member, and nobody from other organizations', async () => {
    const org = await createOrganization(sql);
    const admin = await addMember(sql, org.orgId, 'admin');
    const viewer = await addMember(sql, org.orgId, 'viewer');
    await sql`update auth.users set raw_user_meta_data = '{"full_name": "Ada Admin"}' where id = ${admin.userId}`;
    const other = await createOrganization(sql);
    await addMember(sql, other.orgId, 'member');
    const res = await call('GET', '/organization/members', { token: await tokenOf(viewer), orgId: org.orgId });
    expect(res.status).toBe(200);
    expect(res.body.data).toEqual([
      { user_id: org.userId, email: org.email, name: null, role: 'owner', joined_at: expect.any(String), is_you: false },
      { user_id: admin.userId, email: admin.email, name: 'Ada Admin', role: 'admin', joined_at: expect.any(String), is_you: false },
      { user_id: viewer.userId, email: viewer.email, name: null, role: 'viewer', joined_at: expect.any(String), is_you: true },
    ]);
  });
});

describe('changing roles', () => {
  it('an admin changes a member’s role; the answer is the member as stored', async () => {
    const org = await createOrganization(sql);
    const admin = await addMember(sql, org.orgId, 'admin');
    const m = await addMember(sql, org.orgId, 'member');
    const res = await call('PATCH', `/organization/members/${m.userId}`, { token: await tokenOf(admin), orgId: org.orgId, body: { role: 'viewer' } });
    expect(res.status).toBe(200);
    expect(res.body.member).toMatchObject({ user_id: m.userId, email: m.email, role: 'viewer' });
    expect(await roleOf(org.orgId, m.userId)).toBe('viewer');
  });

  it('only an owner grants or takes the owner role: an admin can neither promote themselves nor demote an owner', async () => {
    const org = await createOrganization(sql);
    const admin = await addMember(sql, org.orgId, 'admin');
    const token = await tokenOf(admin);
    const promote = await call('PATCH', `/organization/members/${admin.userId}`, { token, orgId: org.orgId, body: { role: 'owner' } });
    expect(promote.status).toBe(403);
    expect(promote.body.error.details.action).toBe('members.manage_owners');
    const demote = await call('PATCH', `/organization/members/${org.userId}`, { token, orgId: org.orgId, body: { role: 'member' } });
    expect(demote.status).toBe(403);
    const remove = await call('DELETE', `/organization/members/${org.userId}`, { token, orgId: org.orgId });
    expect(remove.status).toBe(403);
    expect(await roleOf(org.orgId, admin.userId)).toBe('admin');
    expect(await roleOf(org.orgId, org.userId)).toBe('owner');

    const granted = await call('PATCH', `/organization/members/${admin.userId}`, { token: await tokenOf(org), orgId: org.orgId, body: { role: 'owner' } });
    expect(granted.status).toBe(200);
    expect(await owners(org.orgId)).toBe(2);
  });

  it('rejects an unknown role, a malformed id, and answers 404 for someone who is not a member', async () => {
    const org = await createOrganization(sql);
    const token = await tokenOf(org);
    const m = await addMember(sql, org.orgId, 'member');
    expect((await call('PATCH', `/organization/members/${m.userId}`, { token, orgId: org.orgId, body: { role: 'superuser' } })).status).toBe(400);
    expect((await call('PATCH', '/organization/members/not-a-uuid', { token, orgId: org.orgId, body: { role: 'viewer' } })).status).toBe(400);
    const missing = await call('PATCH', `/organization/members/${crypto.randomUUID()}`, { token, orgId: org.orgId, body: { role: 'viewer' } });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({ code: 'not_found', message: 'member not found' });
  });
});

describe('the last owner', () => {
  it('cannot leave, be demoted (by themselves) or removed; once there is a second owner they can', async () => {
    const org = await createOrganization(sql);
    const token = await tokenOf(org);
    const member = await addMember(sql, org.orgId, 'member');

    for (const [method, path, body] of [
      ['POST', '/organization/leave'],
      ['DELETE', `/organization/members/${org.userId}`],
      ['PATCH', `/organization/members/${org.userId}`, { role: 'admin' }],
    ] as [string, string, unknown?][]) {
      const res = await call(method, path, { token, orgId: org.orgId, body });
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.body.error).toMatchObject({ code: 'conflict', details: { reason: 'last_owner' } });
      expect(await roleOf(org.orgId, org.userId)).toBe('owner');
    }

    expect((await call('PATCH', `/organization/members/${member.userId}`, { token, orgId: org.orgId, body: { role: 'owner' } })).status).toBe(200);
    const left = await call('POST', '/organization/leave', { token, orgId: org.orgId });
    expect(left.status).toBe(200);
    expect(left.body).toEqual({ success: true, organization_id: org.orgId, user_id: org.userId });
    expect(await roleOf(org.orgId, org.userId)).toBeNull();
    // the new sole owner is now the last one
    const res = await call('POST', '/organization/leave', { token: await tokenOf(member), orgId: org.orgId });
    expect(res.status).toBe(409);
  });

  it('two owners demoting each other at the same time: exactly one succeeds', async () => {
    for (let round = 0; round < 3; round++) {
      const org = await createOrganization(sql);
      const second = await addMember(sql, org.orgId, 'owner');
      const [a, b] = await Promise.all([
        call('PATCH', `/organization/members/${second.userId}`, { token: await tokenOf(org), orgId: org.orgId, body: { role: 'admin' } }),
        call('PATCH', `/organization/members/${org.userId}`, { token: await tokenOf(second), orgId: org.orgId, body: { role: 'admin' } }),
      ]);
      const statuses = [a.status, b.status].sort();
      // the loser is either refused as the last owner (409) or, demoted already, no longer allowed to manage owners (403)
      expect(statuses[0]).toBe(200);
      expect([403, 409]).toContain(statuses[1]);
      expect(await owners(org.orgId)).toBe(1);
    }
  });

  it('two owners leaving at the same time: exactly one succeeds', async () => {
    const org = await createOrganization(sql);
    const second = await addMember(sql, org.orgId, 'owner');
    await addMember(sql, org.orgId, 'viewer');
    const results = await Promise.all([org, second].map(async (o) => call('POST', '/organization/leave', { token: await tokenOf(o), orgId: org.orgId })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await owners(org.orgId)).toBe(1);
  });

  it('is kept by the database too, whoever writes', async () => {
    const org = await createOrganization(sql);
    await addMember(sql, org.orgId, 'member');
    await expect(sql`update organization_members set role = 'admin' where organization_id = ${org.orgId} and user_id = ${org.userId}`).rejects.toThrow(
      /at least one owner/,
    );
    await expect(sql`delete from organization_members where organization_id = ${org.orgId} and user_id = ${org.userId}`).rejects.toThrow(/at least one owner/);
    // deleting the organization removes every member at once
    await sql`delete from organizations where id = ${org.orgId}`;
    expect(await sql`select 1 from organization_members where organization_id = ${org.orgId}`).toHaveLength(0);
  });
});

describe('removing members and leaving', () => {
  it('an admin removes a member; the removed member loses access at once', async () => {
    const org = await createOrganization(sql);
    const admin = await addMember(sql, org.orgId, 'admin');
    const m = await addMember(sql, org.orgId, 'member');
    const res = await call('DELETE', `/organization/members/${m.userId}`, { token: await tokenOf(admin), orgId: org.orgId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, organization_id: org.orgId, user_id: m.userId });
    expect(await roleOf(org.orgId, m.userId)).toBeNull();
    const after = await call('GET', '/organization', { token: await tokenOf(m), orgId: org.orgId });
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('not_a_member');
    expect((await call('DELETE', `/organization/members/${m.userId}`, { token: await tokenOf(admin), orgId: org.orgId })).status).toBe(404);
  });

  it('a viewer may leave (also as DELETE of themselves) but not remove anyone else', async () => {
    const org = await createOrganization(sql);
    const v1 = await addMember(sql, org.orgId, 'viewer');
    const v2 = await addMember(sql, org.orgId, 'viewer');
    const refused = await call('DELETE', `/organization/members/${v2.userId}`, { token: await tokenOf(v1), orgId: org.orgId });
    expect(refused.status).toBe(403);
    expect(await roleOf(org.orgId, v2.userId)).toBe('viewer');
    expect((await call('DELETE', `/organization/members/${v1.userId}`, { token: await tokenOf(v1), orgId: org.orgId })).status).toBe(200);
    expect(await roleOf(org.orgId, v1.userId)).toBeNull();
  });
});
