import { beforeAll, describe, expect, it } from 'vitest';
import { call, tokenFor } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { operatorJwt, ops } from './support';

const sql = adminSql();
let org: Fixture;
let memberToken: string;

const limitsOf = async (f: Fixture, token = memberToken) => (await call('GET', '/limits', { token, orgId: f.orgId })).body;
const audit = (orgId: string) => sql`select action, actor, outcome, details from ops_actions where organization_id = ${orgId} and action <> 'dead_letter_replay' order by id`;
const inDays = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString();

async function trackVideos(orgId: string, n: number) {
  await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    select ${orgId}, 'TikTok', md5(random()::text), 'https://www.tiktok.com/@l/video/1', 'tracking' from generate_series(1, ${n})`;
}

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'free', role: 'member' });
  memberToken = await tokenFor(org.userId);
});

describe('limit overrides through the ops API', () => {
  it('an admin sets an override with an expiry: GET /limits shows it at once and the quota checks use it; clearing restores the plan', async () => {
    const o = await createOrganization(sql, { plan: 'free' });
    const token = await tokenFor(o.userId);
    await trackVideos(o.orgId, 50); // the free plan's max_tracked_videos
    expect((await limitsOf(o, token)).limits.max_tracked_videos).toMatchObject({ limit: 50, source: 'plan', remaining: 0 });
    const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      values (${o.orgId}, 'TikTok', '7301234567890123999', 'https://www.tiktok.com/@l/video/7301234567890123999', 'stopped') returning id`;
    const refused = await call('POST', '/dashboard/videos/start-tracking', { token, orgId: o.orgId, body: { video_id: v!.id } });
    expect(refused.status).toBe(402);
    expect(refused.body.error.details).toMatchObject({ limit: 'max_tracked_videos', max: 50 });

    const expires = inDays(30);
    const adminId = crypto.randomUUID();
    const set = await call('PUT', `/ops/api/organizations/${o.orgId}/limits`, {
      token: await operatorJwt('admin', adminId),
      body: { limits: { max_tracked_videos: 60, max_members: 3 }, expires_at: expires, note: 'trial of the starter features' },
    });
    expect(set.status).toBe(200);
    expect(set.body.override).toMatchObject({ expires_at: expires, note: 'trial of the starter features', active: true });
    expect(set.body.override.limits).toMatchObject({ max_tracked_videos: 60, max_members: 3, max_tracked_bloggers: null });
    expect(set.body.effective.limits.max_tracked_videos).toEqual({ limit: 60, source: 'override', usage: 50 });

    const seen = await limitsOf(o, token);
    expect(seen.override).toEqual({ limits: ['max_tracked_videos', 'max_members'], expires_at: expires });
    expect(seen.limits.max_tracked_videos).toMatchObject({ limit: 60, source: 'override', usage: 50, remaining: 10 });
    expect(seen.limits.max_tracked_bloggers).toMatchObject({ source: 'plan' });

    // the quota check uses it at once: the same request now succeeds
    const started = await call('POST', '/dashboard/videos/start-tracking', { token, orgId: o.orgId, body: { video_id: v!.id } });
    expect(started.status, JSON.stringify(started.body)).toBeLessThan(300);

    // a PUT replaces the whole override: limits not given go back to the plan
    const replaced = await ops('PUT', `/organizations/${o.orgId}/limits`, { body: { limits: { max_members: 4 }, expires_at: null } });
    expect(replaced.status).toBe(200);
    expect((await limitsOf(o, token)).limits.max_tracked_videos).toMatchObject({ limit: 50, source: 'plan' });
    expect((await limitsOf(o, token)).override).toEqual({ limits: ['max_members'], expires_at: null });

    const cleared = await ops('DELETE', `/organizations/${o.orgId}/limits`);
    expect(cleared.status).toBe(200);
    expect(cleared.body.override).toBeNull();
    expect((await limitsOf(o, token)).override).toBeNull();
    expect((await limitsOf(o, token)).limits.max_members).toMatchObject({ limit: 2, source: 'plan' });
    expect((await ops('DELETE', `/organizations/${o.orgId}/limits`)).status).toBe(404);

    const rows = await audit(o.orgId);
    expect(rows.map((r) => [r.action, r.actor, r.outcome])).toEqual([
      ['limits_override_set', `user:${adminId}`, 'ok'],
      ['limits_override_set', 'ops-token', 'ok'],
      ['limits_override_clear', 'ops-token', 'ok'],
    ]);
    expect(rows[0]!.details).toMatchObject({ before: null, after: { limits: expect.objectContaining({ max_tracked_videos: 60, max_members: 3 }), expires_at: expires, note: 'trial of the starter features' } });
    expect(rows[1]!.details.before.limits.max_tracked_videos).toBe(60);
    expect(rows[2]!.details.before.limits).toMatchObject({ max_members: 4, max_tracked_videos: null });
    const log = await ops('GET', `/actions?organization_id=${o.orgId}`);
    expect(log.body.data.map((a: any) => a.action)).toEqual(['limits_override_clear', 'limits_override_set', 'limits_override_set']);
  });

  it('an override that has expired no longer applies, and GET shows it as inactive', async () => {
    const o = await createOrganization(sql, { plan: 'free' });
    expect((await ops('PUT', `/organizations/${o.orgId}/limits`, { body: { limits: { max_members: 9 }, expires_at: new Date(Date.now() + 1500).toISOString() } })).status).toBe(200);
    expect((await limitsOf(o, await tokenFor(o.userId))).limits.max_members.limit).toBe(9);
    await new Promise((r) => setTimeout(r, 1600));
    const view = await ops('GET', `/organizations/${o.orgId}/limits`);
    expect(view.body.override).toMatchObject({ active: false });
    expect(view.body.effective.limits.max_members).toEqual({ limit: 2, source: 'plan', usage: 1 });
    expect((await limitsOf(o, await tokenFor(o.userId))).limits.max_members).toMatchObject({ limit: 2, source: 'plan' });
  });

  it('refuses bad input with 400 and changes nothing', async () => {
    for (const body of [
      {},
      { limits: {}, expires_at: null },
      { limits: { max_members: null }, expires_at: null },
      { limits: { max_members: -1 }, expires_at: null },
      { limits: { max_members: 1.5 }, expires_at: null },
      { limits: { max_members: 3_000_000_000 }, expires_at: null },
      { limits: { max_everything: 5 }, expires_at: null },
      { limits: { max_members: 3 } },
      { limits: { max_members: 3 }, expires_at: '2020-01-01T00:00:00Z' },
      { limits: { max_members: 3 }, expires_at: '2030-02-30T00:00:00Z' },
      { limits: { max_members: 3 }, expires_at: 'next week' },
      { limits: { max_members: 3 }, expires_at: null, note: 'a\u0000b' },
      { limits: { max_members: 3 }, expires_at: null, plan: 'pro' },
    ]) {
      const res = await ops('PUT', `/organizations/${org.orgId}/limits`, { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await ops('PUT', '/organizations/not-a-uuid/limits', { body: { limits: { max_members: 3 }, expires_at: null } })).status).toBe(400);
    expect((await ops('PUT', `/organizations/${crypto.randomUUID()}/limits`, { body: { limits: { max_members: 3 }, expires_at: null } })).status).toBe(404);
    expect((await ops('GET', `/organizations/${crypto.randomUUID()}/limits`)).body.error.code).toBe('not_found');
    expect((await limitsOf(org)).override).toBeNull();
    expect(await audit(org.orgId)).toEqual([]);
  });
});

describe('plan changes through the ops API', () => {
  it('an admin changes the plan: GET /limits follows at once, audited with from and to', async () => {
    const o = await createOrganization(sql, { plan: 'free' });
    const token = await tokenFor(o.userId);
    const res = await ops('PUT', `/organizations/${o.orgId}/plan`, { body: { plan: 'starter' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ changed: true, previous_plan: 'free', organization: { id: o.orgId, plan: 'starter' } });
    const seen = await limitsOf(o, token);
    expect(seen.plan).toBe('starter');
    expect(seen.limits.max_tracked_videos).toMatchObject({ limit: 500, source: 'plan' });
    const same = await ops('PUT', `/organizations/${o.orgId}/plan`, { body: { plan: 'starter' } });
    expect(same.body.changed).toBe(false);
    expect((await audit(o.orgId)).map((r) => r.details)).toEqual([{ from: 'free', to: 'starter' }, { from: 'starter', to: 'starter' }]);
  });

  it('an unknown plan is 422 with the plans there are; a malformed one 400', async () => {
    const res = await ops('PUT', `/organizations/${org.orgId}/plan`, { body: { plan: 'platinum' } });
    expect(res.status).toBe(422);
    expect(res.body.error).toEqual({ code: 'unprocessable', message: "no plan 'platinum'", details: { plans: ['enterprise', 'free', 'pro', 'starter'] } });
    for (const body of [{}, { plan: '' }, { plan: 'Pro!' }, { plan: 'pro', extra: true }]) {
      expect((await ops('PUT', `/organizations/${org.orgId}/plan`, { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await limitsOf(org)).plan).toBe('free');
  });
});

describe('who may change limits and plans', () => {
  it('admin only: operators and viewers read the limits but get 403 on every change; organization members never reach it', async () => {
    for (const role of ['operator', 'viewer']) {
      const token = await operatorJwt(role);
      expect((await call('GET', `/ops/api/organizations/${org.orgId}/limits`, { token })).status, role).toBe(200);
      for (const [method, path, body] of [
        ['PUT', `/ops/api/organizations/${org.orgId}/limits`, { limits: { max_members: 50 }, expires_at: null }],
        ['DELETE', `/ops/api/organizations/${org.orgId}/limits`, undefined],
        ['PUT', `/ops/api/organizations/${org.orgId}/plan`, { plan: 'enterprise' }],
      ] as const) {
        const res = await call(method, path, { token, body });
        expect(res.status, `${role} ${method} ${path}`).toBe(403);
        expect(res.body.error.code).toBe('forbidden');
      }
    }
    // the organization's own owner cannot raise its limits either
    const owner = await createOrganization(sql, { plan: 'free', role: 'owner' });
    const ownerToken = await tokenFor(owner.userId);
    expect((await call('PUT', `/ops/api/organizations/${owner.orgId}/plan`, { token: ownerToken, body: { plan: 'enterprise' } })).status).toBe(403);
    expect((await limitsOf(owner, ownerToken)).plan).toBe('free');
    expect((await limitsOf(org)).plan).toBe('free');
    expect(await audit(org.orgId)).toEqual([]);
  });
});
