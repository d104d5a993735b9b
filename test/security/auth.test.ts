import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { concrete, tenantRoutes } from '../hostile/route-table';

const sql = adminSql();
let a: Fixture;
let b: Fixture;
let tokenA: string;

beforeAll(async () => {
  a = await createOrganization(sql);
  b = await createOrganization(sql);
  tokenA = await tokenFor(a.userId);
});

/**
 * Every tenant route, from the app's route table (test/hostile/route-table.ts#tenantRoutes): a new
 * tenant route is covered without editing this file. Path parameters are fresh UUIDs; the door
 * checks answer before any validation, so no body is needed.
 */
const TENANT_ROUTES: [string, string, unknown?][] = tenantRoutes().map((r) => [r.method, concrete(r.path), r.method === 'GET' ? undefined : {}]);

describe.each(TENANT_ROUTES)('%s %s', (method, path, body) => {
  it('answers 401 without a token', async () => {
    const res = await call(method, path, { body });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toMatch(/bearer token/);
  });

  it('answers 401 for a token signed with another secret, an expired token and a wrong audience', async () => {
    for (const token of [
      await tokenFor(a.userId, { secret: 'some-other-secret-some-other-secret!!' }),
      await tokenFor(a.userId, { expiresIn: '-1m' }),
      await tokenFor(a.userId, { audience: 'anon' }),
      'not.a.jwt',
    ]) {
      const res = await call(method, path, { token, body });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
  });

  it("answers 403 when the caller asks for an organization they don't belong to", async () => {
    const res = await call(method, path, { token: tokenA, orgId: b.orgId, body });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('not_a_member');
  });
});

describe('organization selection', () => {
  it('answers 403 for a user with no organization', async () => {
    const res = await call('GET', '/dashboard/videos', { token: await tokenFor(crypto.randomUUID()) });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('not_a_member');
  });

  it('asks a member of several organizations to choose, and honours the header or query', async () => {
    const user = await createOrganization(sql);
    await sql`insert into organization_members (organization_id, user_id, role) values (${b.orgId}, ${user.userId}, 'member')`;
    const token = await tokenFor(user.userId);
    const ambiguous = await call('GET', '/dashboard/videos', { token });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.code).toBe('organization_required');
    expect(ambiguous.body.error.details.organizations.sort()).toEqual([user.orgId, b.orgId].sort());
    expect((await call('GET', '/dashboard/videos', { token, orgId: b.orgId })).status).toBe(200);
    expect((await call('GET', `/dashboard/videos?organization_id=${user.orgId}`, { token })).status).toBe(200);
    const bad = await call('GET', '/dashboard/videos', { token, orgId: 'not-a-uuid' });
    expect(bad.status).toBe(400);
  });

  it('does not leak internals in a 500', async () => {
    // a user id that is not a uuid cannot reach the database; the token itself is rejected first
    const res = await call('GET', '/dashboard/videos', { token: await tokenFor('not-a-uuid') });
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toMatch(/stack|postgres/i);
  });
});
