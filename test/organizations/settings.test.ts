import { beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { tokenOf } from './support';

const sql = adminSql();
let org: Fixture;
let token: string;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'starter', name: 'Settings Co' });
  token = await tokenOf(org);
});

describe('GET /organization', () => {
  it('answers the settings, plan and the caller’s role to every member', async () => {
    const viewer = await addMember(sql, org.orgId, 'viewer');
    const res = await call('GET', '/organization', { token: await tokenOf(viewer), orgId: org.orgId });
    expect(res.status).toBe(200);
    expect(res.body.role).toBe('viewer');
    expect(res.body.organization).toMatchObject({ id: org.orgId, name: 'Settings Co', plan: 'starter', timezone: 'UTC', currency: 'USD', report_preferences: {} });
  });
});

describe('PATCH /organization', () => {
  it('updates the given settings and leaves the others', async () => {
    const report = { enabled: true, frequency: 'weekly', day_of_week: 1, hour: 9, channels: ['email'], recipients: ['boss@test.local'], metrics: ['views', 'cpm'] };
    const res = await call('PATCH', '/organization', {
      token, orgId: org.orgId,
      body: { timezone: 'America/New_York', currency: 'eur', default_initial_videos_count: 40, default_daily_videos_count: 5, report_preferences: report },
    });
    expect(res.status).toBe(200);
    expect(res.body.organization).toMatchObject({
      name: 'Settings Co', timezone: 'America/New_York', currency: 'EUR', default_initial_videos_count: 40, default_daily_videos_count: 5, report_preferences: report,
    });
    const [row] = await sql`select timezone, currency, default_initial_videos_count, default_daily_videos_count, report_preferences, plan from organizations where id = ${org.orgId}`;
    expect(row).toEqual({ timezone: 'America/New_York', currency: 'EUR', default_initial_videos_count: 40, default_daily_videos_count: 5, report_preferences: report, plan: 'starter' });

    const renamed = await call('PATCH', '/organization', { token, orgId: org.orgId, body: { name: 'Settings Company' } });
    expect(renamed.body.organization).toMatchObject({ name: 'Settings Company', timezone: 'America/New_York' });
  });

  it('validates every field and refuses the plan, unknown fields and an empty body', async () => {
    for (const [body, field] of [
      [{}, ''],
      [{ plan: 'enterprise' }, ''],
      [{ timezone: 'Atlantis/Capital' }, 'timezone'],
      [{ currency: 'EURO' }, 'currency'],
      [{ default_initial_videos_count: 0 }, 'default_initial_videos_count'],
      [{ default_daily_videos_count: 1001 }, 'default_daily_videos_count'],
      [{ report_preferences: { frequency: 'hourly' } }, 'report_preferences.frequency'],
      [{ report_preferences: { unknown: true } }, 'report_preferences'],
      [{ report_preferences: { recipients: ['not-an-email'] } }, 'report_preferences.recipients.0'],
      [{ slug: 'UPPER CASE' }, 'slug'],
    ] as [unknown, string][]) {
      const res = await call('PATCH', '/organization', { token, orgId: org.orgId, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.details.issues[0].path).toBe(field);
    }
    const [row] = await sql`select plan from organizations where id = ${org.orgId}`;
    expect(row!.plan).toBe('starter');
  });

  it('refuses default video counts above the plan’s per-blogger limits with limit_exceeded', async () => {
    const [plan] = await sql`select max_initial_videos_per_blogger as initial, max_daily_videos_per_blogger as daily from subscription_plan_limits where plan = 'starter'`;
    const res = await call('PATCH', '/organization', { token, orgId: org.orgId, body: { default_initial_videos_count: plan!.initial + 1 } });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_initial_videos_per_blogger', max: plan!.initial, requested: plan!.initial + 1 } });
    const daily = await call('PATCH', '/organization', { token, orgId: org.orgId, body: { default_daily_videos_count: plan!.daily + 1 } });
    expect(daily.status).toBe(402);
    expect(daily.body.error.details.limit).toBe('max_daily_videos_per_blogger');
    expect((await call('PATCH', '/organization', { token, orgId: org.orgId, body: { default_daily_videos_count: plan!.daily } })).status).toBe(200);
  });

  it('changes the slug, and answers 409 when another organization has it', async () => {
    const other = await createOrganization(sql);
    const [theirs] = await sql`select slug from organizations where id = ${other.orgId}`;
    const taken = await call('PATCH', '/organization', { token, orgId: org.orgId, body: { slug: theirs!.slug, name: 'Should not stick' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({ code: 'conflict', details: { reason: 'slug_taken' } });
    const [row] = await sql`select name from organizations where id = ${org.orgId}`;
    expect(row!.name).not.toBe('Should not stick');
    const slug = `settings-${crypto.randomUUID().slice(0, 8)}`;
    const ok = await call('PATCH', '/organization', { token, orgId: org.orgId, body: { slug } });
    expect(ok.status).toBe(200);
    expect(ok.body.organization.slug).toBe(slug);
  });
});
