import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';

const sql = adminSql();
let a: Fixture;
let b: Fixture;
let tokenA: string;

beforeAll(async () => {
  a = await createOrganization(sql);
  b = await createOrganization(sql);
  tokenA = await tokenFor(a.userId);
});

/** Every tenant route; a new route is added here so the security suite covers it. */
const TENANT_ROUTES: [string, string, unknown?][] = [
  ['GET', '/dashboard/videos'],
  ['GET', `/dashboard/videos/${crypto.randomUUID()}`],
  ['POST', '/dashboard/videos', { url: 'https://www.tiktok.com/@a/video/7300000000000000001' }],
  ['POST', '/dashboard/videos/start-tracking', { video_id: crypto.randomUUID() }],
  ['POST', '/dashboard/videos/stop-tracking', { video_id: crypto.randomUUID() }],
  ['GET', '/me/notifications'],
  ['PUT', '/me/notifications', {}],
  ['POST', '/me/telegram/link'],
  ['GET', '/me/telegram'],
  ['DELETE', '/me/telegram'],
  ['GET', '/alerts/rules'],
  ['POST', '/alerts/rules', { type: 'video_unavailable' }],
  ['PATCH', `/alerts/rules/${crypto.randomUUID()}`, { enabled: false }],
  ['DELETE', `/alerts/rules/${crypto.randomUUID()}`],

  ['POST', '/imports/excel', {}],
  ['GET', '/imports'],
  ['GET', '/imports/excel/template'],
  ['GET', `/imports/${crypto.randomUUID()}`],
  ['GET', `/imports/${crypto.randomUUID()}/errors`],
  ['GET', `/imports/${crypto.randomUUID()}/file`],
  ['GET', '/exports/videos.xlsx'],
  ['GET', `/campaigns/${crypto.randomUUID()}/export.xlsx`],

  ['GET', '/reports/schedules'],
  ['POST', '/reports/schedules', { name: 'x', scope: { type: 'organization' }, frequency: 'daily', local_time: '09:00', recipients: [{ type: 'email', email: 'x@example.com' }], channels: ['email'] }],
  ['GET', '/reports/runs'],
  ['GET', `/reports/runs/${crypto.randomUUID()}/file`],
  ['POST', `/reports/runs/${crypto.randomUUID()}/share`, {}],
];

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
