import { describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { env } from 'cloudflare:test';
import { quotaUsage } from '../../src/db/limits';
import { assertCanAddMembers, assertCanTrackBloggers, assertCanTrackVideos, assertQuota } from '../../src/steps/limits';
import { LimitExceededError } from '../../src/domain/quota';
import { call, eventually, tokenFor } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';

const sql = adminSql();
const tokenOf = (f: Fixture) => tokenFor(f.userId, { email: f.email });
const randomEmail = () => `seat-${crypto.randomUUID().slice(0, 8)}@test.local`;

async function planLimits(plan: string) {
  const [row] = await sql`select * from subscription_plan_limits where plan = ${plan}`;
  return row!;
}

async function trackedVideos(orgId: string, n: number, status = 'tracking') {
  await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    select ${orgId}, 'TikTok', md5(random()::text), 'https://www.tiktok.com/@l/video/1', ${status}::video_status from generate_series(1, ${n})`;
}

async function bloggers(orgId: string, n: number, active: boolean) {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const [b] = await sql`insert into blogger_information (organization_id, platform, username, external_id)
      values (${orgId}, 'TikTok', ${'limits_' + crypto.randomUUID().slice(0, 8)}, ${crypto.randomUUID()}) returning id`;
    await sql`insert into tracked_accounts (organization_id, blogger_id, is_active, initial_videos_count, daily_videos_count) values (${orgId}, ${b!.id}, ${active}, 5, 5)`;
    ids.push(b!.id);
  }
  return ids;
}

describe('GET /limits', () => {
  it('shows the plan’s limits and what is in use, counted the way every quota check counts', async () => {
    const org = await createOrganization(sql, { plan: 'starter' });
    await addMember(sql, org.orgId, 'viewer');
    await trackedVideos(org.orgId, 3);
    await trackedVideos(org.orgId, 2, 'stopped');
    await bloggers(org.orgId, 2, true);
    await bloggers(org.orgId, 1, false);
    await sql`insert into usage_counters (organization_id, period_start, videos_fetched) values
      (${org.orgId}, date_trunc('month', now()), 42), (${org.orgId}, date_trunc('month', now()) - interval '1 month', 999)`;
    const [integration] = await sql`insert into google_sheet_integrations (organization_id) values (${org.orgId}) returning id`;
    await sql`insert into google_sheet_sources (organization_id, integration_id, spreadsheet_id, is_active) values
      (${org.orgId}, ${integration!.id}, 's1', true), (${org.orgId}, ${integration!.id}, 's2', false)`;
    // enabled report schedules count; a disabled one does not
    await sql`insert into report_schedules (organization_id, name, scope, frequency, day_of_week, local_time, recipients, channels, contents, next_run_at, enabled) values
      (${org.orgId}, 'weekly', '{"type":"organization"}', 'weekly', 1, '09:00', '[{"type":"email","email":"a@example.com"}]', '["email"]', '{}', now(), true),
      (${org.orgId}, 'paused', '{"type":"organization"}', 'daily', null, '09:00', '[{"type":"email","email":"a@example.com"}]', '["email"]', '{}', now(), false)`;
    // open invitations hold a seat; expired, revoked and accepted ones do not
    await sql`insert into invitations (organization_id, email, role, token_hash, expires_at, revoked_at) values
      (${org.orgId}, ${randomEmail()}, 'member', ${crypto.randomUUID()}, now() + interval '1 day', null),
      (${org.orgId}, ${randomEmail()}, 'member', ${crypto.randomUUID()}, now() - interval '1 day', null),
      (${org.orgId}, ${randomEmail()}, 'member', ${crypto.randomUUID()}, now() + interval '1 day', now())`;

    const viewer = await addMember(sql, org.orgId, 'viewer');
    const res = await call('GET', '/limits', { token: await tokenOf(viewer), orgId: org.orgId });
    expect(res.status).toBe(200);
    const plan = await planLimits('starter');
    const total = (key: string, usage: number) => ({ limit: plan[key], usage, remaining: plan[key] - usage, source: 'plan', kind: 'total' });
    expect(res.body).toEqual({
      organization_id: org.orgId,
      plan: 'starter',
      override: null,
      period: { start: expect.stringMatching(/-01T00:00:00.000Z$/), end: expect.stringMatching(/-01T00:00:00.000Z$/) },
      limits: {
        max_tracked_videos: total('max_tracked_videos', 3),
        max_tracked_bloggers: total('max_tracked_bloggers', 2),
        videos_per_period: { limit: plan.videos_per_period, usage: 42, remaining: plan.videos_per_period - 42, source: 'plan', kind: 'per_period' },
        max_initial_videos_per_blogger: { limit: plan.max_initial_videos_per_blogger, usage: null, remaining: null, source: 'plan', kind: 'per_item' },
        max_daily_videos_per_blogger: { limit: plan.max_daily_videos_per_blogger, usage: null, remaining: null, source: 'plan', kind: 'per_item' },
        max_sheets_sources: total('max_sheets_sources', 1),
        max_members: total('max_members', 4),
        max_report_schedules: total('max_report_schedules', 1),
      },
    });
    // the same numbers the quota checks use
    const usage = await quotaUsage(sql, org.orgId);
    for (const [key, value] of Object.entries(usage)) expect(res.body.limits[key].usage, key).toBe(value);
  });

  it('applies an unexpired override column by column, and shows where each limit comes from', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const plan = await planLimits('free');
    const expires = new Date(Date.now() + 86_400_000);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos, max_members, expires_at, note)
      values (${org.orgId}, 5000, 40, ${expires}, 'pilot')`;
    const res = await call('GET', '/limits', { token: await tokenOf(org), orgId: org.orgId });
    expect(res.body.override).toEqual({ limits: ['max_tracked_videos', 'max_members'], expires_at: expires.toISOString() });
    expect(res.body.limits.max_tracked_videos).toMatchObject({ limit: 5000, source: 'override' });
    expect(res.body.limits.max_members).toMatchObject({ limit: 40, usage: 1, remaining: 39, source: 'override' });
    expect(res.body.limits.max_tracked_bloggers).toMatchObject({ limit: plan.max_tracked_bloggers, source: 'plan' });
  });

  it('an override without expiry applies; an expired one is ignored entirely', async () => {
    const forever = await createOrganization(sql, { plan: 'free' });
    await sql`insert into organization_custom_limits (organization_id, max_tracked_bloggers) values (${forever.orgId}, 77)`;
    const a = await call('GET', '/limits', { token: await tokenOf(forever), orgId: forever.orgId });
    expect(a.body.override).toEqual({ limits: ['max_tracked_bloggers'], expires_at: null });
    expect(a.body.limits.max_tracked_bloggers).toMatchObject({ limit: 77, source: 'override' });

    const lapsed = await createOrganization(sql, { plan: 'free' });
    await sql`insert into organization_custom_limits (organization_id, max_tracked_bloggers, max_members, expires_at)
      values (${lapsed.orgId}, 77, 50, now() - interval '1 second')`;
    const b = await call('GET', '/limits', { token: await tokenOf(lapsed), orgId: lapsed.orgId });
    const plan = await planLimits('free');
    expect(b.body.override).toBeNull();
    expect(b.body.limits.max_tracked_bloggers).toMatchObject({ limit: plan.max_tracked_bloggers, source: 'plan' });
    expect(b.body.limits.max_members).toMatchObject({ limit: plan.max_members, source: 'plan' });
  });

  it('an expired override stops counting for the quota checks too', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    await sql`insert into organization_custom_limits (organization_id, max_members, expires_at) values (${org.orgId}, 50, now() - interval '1 second')`;
    const plan = await planLimits('free');
    for (let i = 1; i < plan.max_members; i++) await addMember(sql, org.orgId, 'member');
    const res = await call('POST', '/organization/invitations', { token: await tokenOf(org), orgId: org.orgId, body: { email: randomEmail(), role: 'member' } });
    expect(res.status).toBe(402);
    await sql`update organization_custom_limits set expires_at = null where organization_id = ${org.orgId}`;
    expect((await call('POST', '/organization/invitations', { token: await tokenOf(org), orgId: org.orgId, body: { email: randomEmail(), role: 'member' } })).status).toBe(201);
  });
});

describe('limit_exceeded: one error shape wherever quota is consumed', () => {
  it('inviting past max_members answers 402 with limit, max, usage and requested, and writes nothing', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const plan = await planLimits('free');
    await sql`insert into invitations (organization_id, email, role, token_hash) select ${org.orgId}, 'held-' || g || '-' || md5(random()::text) || '@test.local', 'member', md5(random()::text)
      from generate_series(1, ${plan.max_members - 1}) g`;
    const email = randomEmail();
    const res = await call('POST', '/organization/invitations', { token: await tokenOf(org), orgId: org.orgId, body: { email, role: 'member' } });
    expect(res.status).toBe(402);
    expect(res.body.error).toEqual({
      code: 'limit_exceeded',
      message: `max members: limit ${plan.max_members}, in use ${plan.max_members}, requested 1`,
      details: { limit: 'max_members', max: plan.max_members, usage: plan.max_members, requested: 1 },
    });
    expect(await sql`select 1 from invitations where email = ${email}`).toHaveLength(0);
    expect(await sql`select 1 from notification_outbox where recipient = ${email}`).toHaveLength(0);

    // an invitation that expires gives its seat back
    await sql`update invitations set expires_at = now() - interval '1 second' where organization_id = ${org.orgId} and email like 'held-1-%'`;
    expect((await call('POST', '/organization/invitations', { token: await tokenOf(org), orgId: org.orgId, body: { email, role: 'member' } })).status).toBe(201);
  });

  it('the blogger routes and the check function give the same answer GET /limits shows', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    const [paused] = await bloggers(org.orgId, 1, false);
    await bloggers(org.orgId, 3, true);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_bloggers) values (${org.orgId}, 3)`;
    const token = await tokenOf(org);
    const limits = await call('GET', '/limits', { token, orgId: org.orgId });
    expect(limits.body.limits.max_tracked_bloggers).toMatchObject({ limit: 3, usage: 3, remaining: 0, source: 'override' });

    const resume = await call('POST', `/blogger/${paused}/resume`, { token, orgId: org.orgId });
    expect(resume.status).toBe(402);
    expect(resume.body.error.details).toEqual({ limit: 'max_tracked_bloggers', max: 3, usage: 3, requested: 1 });

    const direct = await sql.begin((tx) => assertCanTrackBloggers(tx, org.orgId, 1)).catch((e) => e);
    expect(direct).toBeInstanceOf(LimitExceededError);
    expect(direct.details).toEqual(resume.body.error.details);
  });

  it('assertQuota for every counted limit: fits exactly, refuses one more, and requesting nothing checks nothing', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    await trackedVideos(org.orgId, 4);
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos, max_members) values (${org.orgId}, 6, 1)`;
    await sql.begin((tx) => assertCanTrackVideos(tx, org.orgId, 2));
    const over = await sql.begin((tx) => assertCanTrackVideos(tx, org.orgId, 3)).catch((e) => e);
    expect(over).toBeInstanceOf(LimitExceededError);
    expect(over.details).toEqual({ limit: 'max_tracked_videos', max: 6, usage: 4, requested: 3 });
    expect(over.code).toBe('limit_exceeded');
    // already at max_members = 1 (the owner): adding nobody passes
    await sql.begin((tx) => assertCanAddMembers(tx, org.orgId, 0));
    await expect(sql.begin((tx) => assertQuota(tx, org.orgId, 'max_members', 1))).rejects.toBeInstanceOf(LimitExceededError);
    await expect(sql.begin((tx) => assertQuota(tx, crypto.randomUUID(), 'max_members', 1))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('racing for the last unit of quota', () => {
  it('two invitations for the last seat: exactly one 201, one 402 limit_exceeded', async () => {
    for (let round = 0; round < 3; round++) {
      const org = await createOrganization(sql, { plan: 'free' }); // 2 seats, the owner holds one
      const token = await tokenOf(org);
      const results = await Promise.all(
        [randomEmail(), randomEmail()].map((email) => call('POST', '/organization/invitations', { token, orgId: org.orgId, body: { email, role: 'member' } })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 402]);
      const refused = results.find((r) => r.status === 402)!;
      expect(refused.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_members', max: 2, usage: 2, requested: 1 } });
      const [{ n }] = await sql`select count(*)::int as n from invitations where organization_id = ${org.orgId}`;
      expect(n).toBe(1);
    }
  });

  it('five invitations for two seats: exactly two succeed', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    await sql`insert into organization_custom_limits (organization_id, max_members) values (${org.orgId}, 3)`;
    const token = await tokenOf(org);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => call('POST', '/organization/invitations', { token, orgId: org.orgId, body: { email: randomEmail(), role: 'viewer' } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 402, 402, 402]);
    expect((await quotaUsage(sql, org.orgId)).max_members).toBe(3);
  });

  it('the check waits for the transaction holding the quota, then counts what it wrote', async () => {
    const org = await createOrganization(sql, { plan: 'free' });
    await sql`insert into organization_custom_limits (organization_id, max_tracked_videos) values (${org.orgId}, 1)`;
    const first = postgres(env.DB.connectionString, { max: 1 });
    const second = postgres(env.DB.connectionString, { max: 1 });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const hasLock = new Promise<void>((r) => (locked = r));

    const a = first.begin(async (tx) => {
      await assertCanTrackVideos(tx, org.orgId, 1);
      locked();
      await held;
      await tx`insert into videos (organization_id, platform, external_video_id, video_url, video_status) values (${org.orgId}, 'TikTok', 'race-a', 'u', 'tracking')`;
    });
    await hasLock;
    let pidB = 0;
    const b = second
      .begin(async (tx) => {
        pidB = (await tx`select pg_backend_pid() as pid`)[0]!.pid;
        await assertCanTrackVideos(tx, org.orgId, 1);
        await tx`insert into videos (organization_id, platform, external_video_id, video_url, video_status) values (${org.orgId}, 'TikTok', 'race-b', 'u', 'tracking')`;
      })
      .then(
        () => 'committed',
        (e) => e,
      );
    // the second transaction is blocked on the organization's quota lock
    await eventually(async () => pidB !== 0 && (await sql`select 1 from pg_locks where pid = ${pidB} and locktype = 'advisory' and not granted`).length === 1);
    release();
    await a;
    const outcome = await b;
    expect(outcome).toBeInstanceOf(LimitExceededError);
    expect(outcome.details).toEqual({ limit: 'max_tracked_videos', max: 1, usage: 1, requested: 1 });
    expect((await sql`select external_video_id from videos where organization_id = ${org.orgId}`).map((r) => r.external_video_id)).toEqual(['race-a']);
  });
});
