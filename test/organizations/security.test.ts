import { beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../helpers/api';
import type postgres from 'postgres';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { invite, newUser, randomEmail, tokenOf } from './support';
import { tenantRoutes } from '../hostile/route-table';

const sql = adminSql();
let mine: Fixture; // the caller: owner of their organization
let theirs: Fixture; // another organization's owner
let theirMember: Fixture;
let theirInvitation: { id: string; token: string };
let token: string;

beforeAll(async () => {
  mine = await createOrganization(sql, { name: 'Mine' });
  theirs = await createOrganization(sql, { name: 'Theirs' });
  theirMember = await addMember(sql, theirs.orgId, 'member');
  theirInvitation = await invite(theirs, randomEmail('their-invitee'));
  token = await tokenOf(mine);
});

/**
 * Every tenant route of organizations and limits, from the app's route table
 * (test/hostile/route-table.ts#tenantRoutes): a route added later is covered without editing this
 * file. Path parameters name the other organization's member and invitation; writes carry a body
 * that would change something if the door let them through.
 */
const BODIES: Record<string, unknown> = {
  'PATCH /organization': { name: 'x' },
  'PATCH /organization/members/:userId': { role: 'viewer' },
  'POST /organization/invitations': { email: 'someone@example.com', role: 'member' },
};
const TENANT_ROUTES = (): [string, string, unknown?][] =>
  tenantRoutes()
    .filter((r) => r.path === '/organization' || r.path.startsWith('/organization/') || r.path === '/limits')
    .map((r) => {
      const path = r.path.replace(':userId', theirMember.userId).replace(':id', theirInvitation.id);
      const body = BODIES[`${r.method} ${r.path}`] ?? (r.method === 'GET' || r.method === 'DELETE' ? undefined : {});
      return [r.method, path, body];
    });

const USER_ROUTES: [string, string, unknown?][] = [
  ['GET', '/organizations'],
  ['POST', '/organizations', { name: 'x' }],
  ['GET', '/me/preferences'],
  ['PUT', '/me/preferences', {}],
  ['GET', '/invitations/mine'],
  ['POST', '/invitations/accept', { token: 'A'.repeat(43) }],
  ['POST', '/invitations/decline', { token: 'A'.repeat(43) }],
];

async function theirStateIsUnchanged() {
  const [org] = await sql`select name from organizations where id = ${theirs.orgId}`;
  expect(org!.name).toBe('Theirs');
  const members = await sql`select user_id, role from organization_members where organization_id = ${theirs.orgId} order by role`;
  expect(members).toEqual([
    { user_id: theirs.userId, role: 'owner' },
    { user_id: theirMember.userId, role: 'member' },
  ]);
  const [inv] = await sql`select revoked_at, accepted_at from invitations where id = ${theirInvitation.id}`;
  expect(inv).toEqual({ revoked_at: null, accepted_at: null });
}

describe('the derived list', () => {
  it('holds every organization and limits route (10 today)', () => {
    expect(TENANT_ROUTES().length).toBeGreaterThanOrEqual(10);
  });
});

describe('every route needs a valid token', () => {
  it('answers 401 without a token, with a token signed by another key and with an expired one', async () => {
    const badTokens = [undefined, await tokenFor(mine.userId, { secret: 'another-secret-another-secret-12345' }), await tokenFor(mine.userId, { expiresIn: '-1m' })];
    for (const [method, path, body] of [...USER_ROUTES, ...TENANT_ROUTES()]) {
      for (const t of badTokens) {
        const res = await call(method, path, { token: t, orgId: mine.orgId, body });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
    await theirStateIsUnchanged();
  });
});

describe('another organization, named in X-Organization-Id', () => {
  it('is refused on every tenant route with 403 not_a_member, answering none of its data', async () => {
    for (const [method, path, body] of TENANT_ROUTES()) {
      const res = await call(method, path, { token, orgId: theirs.orgId, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('not_a_member');
      expect(JSON.stringify(res.body)).not.toContain('Theirs');
    }
    await theirStateIsUnchanged();
  });
});

describe('another organization’s objects, reached from your own organization', () => {
  it('are 404 — members and invitations — and nothing changes', async () => {
    const opts = { token, orgId: mine.orgId };
    const change = await call('PATCH', `/organization/members/${theirMember.userId}`, { ...opts, body: { role: 'viewer' } });
    expect(change.status).toBe(404);
    expect(change.body.error).toEqual({ code: 'not_found', message: 'member not found' });
    expect((await call('PATCH', `/organization/members/${theirs.userId}`, { ...opts, body: { role: 'owner' } })).status).toBe(404);
    expect((await call('DELETE', `/organization/members/${theirMember.userId}`, opts)).status).toBe(404);
    const revoke = await call('DELETE', `/organization/invitations/${theirInvitation.id}`, opts);
    expect(revoke.status).toBe(404);
    expect(revoke.body.error).toEqual({ code: 'not_found', message: 'invitation not found' });
    await theirStateIsUnchanged();
  });

  it('never appear in your lists, settings or limits', async () => {
    const opts = { token, orgId: mine.orgId };
    const org = await call('GET', '/organization', opts);
    expect(org.body.organization.id).toBe(mine.orgId);
    const members = await call('GET', '/organization/members', opts);
    expect(members.body.data.map((m: any) => m.user_id)).toEqual([mine.userId]);
    const invitations = await call('GET', '/organization/invitations', opts);
    expect(invitations.body.data).toEqual([]);
    const limits = await call('GET', '/limits', opts);
    expect(limits.body.organization_id).toBe(mine.orgId);
    expect(limits.body.limits.max_members.usage).toBe(1);
    const orgs = await call('GET', '/organizations', { token });
    expect(orgs.body.data.map((o: any) => o.id)).toEqual([mine.orgId]);
  });

  it('their invitation token does not let you in, and their invitations are not yours', async () => {
    const res = await call('POST', '/invitations/accept', { token, body: { token: theirInvitation.token } });
    expect(res.status).toBe(404);
    expect((await call('POST', '/invitations/decline', { token, body: { token: theirInvitation.token } })).status).toBe(404);
    expect((await call('GET', '/invitations/mine', { token })).body.data).toEqual([]);
    expect(await sql`select 1 from organization_members where organization_id = ${theirs.orgId} and user_id = ${mine.userId}`).toHaveLength(0);
    await theirStateIsUnchanged();
  });

  it('your preferences cannot point at their organization', async () => {
    const res = await call('PUT', '/me/preferences', { token, body: { default_organization_id: theirs.orgId } });
    expect(res.status).toBe(404);
  });
});

describe('a signed-in user with no organization', () => {
  it('can use the user routes but no tenant route', async () => {
    const user = await newUser(sql);
    const t = await tokenOf(user);
    expect((await call('GET', '/organizations', { token: t })).status).toBe(200);
    expect((await call('GET', '/me/preferences', { token: t })).status).toBe(200);
    for (const [method, path, body] of TENANT_ROUTES()) {
      const res = await call(method, path, { token: t, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('not_a_member');
    }
  });
});

describe('SQL: what signed-in users reach directly (RLS)', () => {
  /** Runs fn as Supabase's `authenticated` role for the user, in a transaction rolled back after. */
  const asUser = <T>(userId: string, email: string, fn: (tx: postgres.TransactionSql) => Promise<T>) => rolledBackAs(sql, { sub: userId, email }, fn);

  it('member profiles and pending invitations only of your own organizations and address', async () => {
    const seen = await asUser(mine.userId, mine.email, async (tx) => ({
      theirProfiles: await tx`select * from private.organization_member_profiles(${theirs.orgId})`,
      myProfiles: await tx`select user_id from private.organization_member_profiles(${mine.orgId})`,
      invitations: await tx`select * from private.my_pending_invitations()`,
      theirInvitations: await tx`select id from invitations where organization_id = ${theirs.orgId}`,
    }));
    expect(seen.theirProfiles).toEqual([]);
    expect(seen.myProfiles.map((r: any) => r.user_id)).toEqual([mine.userId]);
    expect(seen.invitations).toEqual([]);
    expect(seen.theirInvitations).toEqual([]);
  });

  it('a member leaves only themselves; nobody writes limits overrides or usage counters', async () => {
    const m = await addMember(sql, mine.orgId, 'member');
    const changed = await asUser(m.userId, m.email, async (tx) => ({
      removedOwner: (await tx`delete from organization_members where organization_id = ${mine.orgId} and user_id = ${mine.userId} returning user_id`).length,
      left: (await tx`delete from organization_members where organization_id = ${mine.orgId} and user_id = ${m.userId} returning user_id`).length,
    }));
    expect(changed).toEqual({ removedOwner: 0, left: 1 });
    await expect(asUser(mine.userId, mine.email, (tx) => tx`insert into organization_custom_limits (organization_id, max_members) values (${mine.orgId}, 1000)`)).rejects.toThrow(
      /row-level security/,
    );
    await expect(
      asUser(mine.userId, mine.email, (tx) => tx`insert into usage_counters (organization_id, period_start, videos_fetched) values (${mine.orgId}, date_trunc('month', now()), 0)`),
    ).rejects.toThrow(/row-level security/);
  });
});
