import { beforeAll, describe, expect, it } from 'vitest';
import { nextRunAt } from '../../src/reports/schedule-time';
import { call, tokenFor } from '../helpers/api';
import { addMember, adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';

const sql = adminSql();
let a: Fixture;
let b: Fixture;
let tokenA: string;
let tokenB: string;
let campaignA: string;
let campaignB: string;

const weekly = (over: Record<string, unknown> = {}) => ({
  name: 'Weekly digest',
  scope: { type: 'campaigns', campaign_ids: [campaignA] },
  frequency: 'weekly',
  day_of_week: 1,
  local_time: '09:00',
  recipients: [{ type: 'member', user_id: a.userId }, { type: 'email', email: 'Client@Example.com' }],
  channels: ['email', 'telegram'],
  contents: { top_videos: 5, xlsx: 'link' },
  ...over,
});

beforeAll(async () => {
  a = await createOrganization(sql);
  b = await createOrganization(sql);
  await sql`update organizations set timezone = 'Europe/Berlin' where id = ${a.orgId}`;
  tokenA = await tokenFor(a.userId);
  tokenB = await tokenFor(b.userId);
  campaignA = (await sql`insert into campaigns (organization_id, name) values (${a.orgId}, 'A campaign') returning id`)[0]!.id;
  campaignB = (await sql`insert into campaigns (organization_id, name) values (${b.orgId}, 'B campaign') returning id`)[0]!.id;
});

describe('POST /reports/schedules', () => {
  it('creates a weekly schedule due next Monday 09:00 in the organization time zone', async () => {
    const res = await call('POST', '/reports/schedules', { token: tokenA, body: weekly() });
    expect(res.status).toBe(201);
    const s = res.body.schedule;
    expect(s).toMatchObject({
      name: 'Weekly digest', enabled: true, frequency: 'weekly', day_of_week: 1, day_of_month: null, local_time: '09:00', timezone: 'Europe/Berlin',
      scope: { type: 'campaigns', campaign_ids: [campaignA] },
      recipients: [{ type: 'member', user_id: a.userId }, { type: 'email', email: 'client@example.com' }],
      channels: ['email', 'telegram'],
      contents: { summary: true, top_videos: 5, new_videos: true, bloggers: true, xlsx: 'link' },
    });
    const next = new Date(s.next_run_at);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.toISOString()).toBe(nextRunAt({ frequency: 'weekly', day_of_week: 1, local_time: '09:00' }, 'Europe/Berlin', new Date(next.getTime() - 7 * 86_400_000 + 1)).toISOString());
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'long', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('Monday 09:00');
  });

  it.each([
    ['weekly without a weekday', { day_of_week: undefined }, 'day_of_week'],
    ['a weekday on a daily schedule', { frequency: 'daily' }, 'day_of_week'],
    ['monthly without a day', { frequency: 'monthly', day_of_week: null }, 'day_of_month'],
    ['day 32', { frequency: 'monthly', day_of_week: null, day_of_month: 32 }, 'day_of_month'],
    ['24:00', { local_time: '24:00' }, 'local_time'],
    ['09:60', { local_time: '09:60' }, 'local_time'],
    ['9:00', { local_time: '9:00' }, 'local_time'],
    ['a NUL in the name', { name: 'bad\u0000name' }, 'name'],
    ['a NUL in a tag', { scope: { type: 'tags', tags: ['ok', 'b\u0000d'] } }, 'scope.tags.1'],
    ['no recipients', { recipients: [] }, 'recipients'],
    ['a recipient twice', { recipients: [{ type: 'email', email: 'x@example.com' }, { type: 'email', email: 'X@example.com' }] }, 'recipients'],
    ['an invalid email', { recipients: [{ type: 'email', email: 'not-an-email' }] }, 'recipients.0.email'],
    ['an unknown channel', { channels: ['sms'] }, 'channels.0'],
    ['an unknown scope', { scope: { type: 'everything' } }, 'scope.type'],
    ['top 51 videos', { contents: { top_videos: 51 } }, 'contents.top_videos'],
    ['an unknown field', { colour: 'red' }, ''],
  ])('answers 400 for %s', async (_, over, path) => {
    const res = await call('POST', '/reports/schedules', { token: tokenA, body: weekly(over) });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.issues.map((i: any) => i.path)).toContain(path);
  });

  it('answers 422 for a member recipient from another organization and for another organization\'s campaign', async () => {
    const notMember = await call('POST', '/reports/schedules', { token: tokenA, body: weekly({ recipients: [{ type: 'member', user_id: b.userId }] }) });
    expect(notMember.status).toBe(422);
    expect(notMember.body.error.details).toEqual({ reason: 'not_members', user_ids: [b.userId] });
    const foreign = await call('POST', '/reports/schedules', { token: tokenA, body: weekly({ scope: { type: 'campaigns', campaign_ids: [campaignB] } }) });
    expect(foreign.status).toBe(422);
    expect(foreign.body.error.details).toEqual({ reason: 'unknown_campaigns', campaign_ids: [campaignB] });
  });

  it('refuses members and viewers with 403 and writes nothing', async () => {
    for (const role of ['member', 'viewer'] as const) {
      const m = await addMember(sql, a.orgId, role);
      const name = `by ${role} ${crypto.randomUUID()}`;
      const res = await call('POST', '/reports/schedules', { token: await tokenFor(m.userId), orgId: a.orgId, body: weekly({ name }) });
      expect(res.status).toBe(403);
      expect(res.body.error.details.action).toBe('reports.write');
      expect(await sql`select 1 from report_schedules where name = ${name}`).toHaveLength(0);
    }
  });

  it('answers 402 limit_exceeded past max_report_schedules; a disabled schedule does not count', async () => {
    const org = await createOrganization(sql);
    await sql`insert into organization_custom_limits (organization_id, max_report_schedules) values (${org.orgId}, 1)`;
    const token = await tokenFor(org.userId);
    const body = { name: 'one', scope: { type: 'organization' }, frequency: 'daily', local_time: '08:00', recipients: [{ type: 'email', email: 'x@example.com' }], channels: ['email'] };
    expect((await call('POST', '/reports/schedules', { token, body })).status).toBe(201);
    const over = await call('POST', '/reports/schedules', { token, body: { ...body, name: 'two' } });
    expect(over.status).toBe(402);
    expect(over.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_report_schedules', max: 1, usage: 1, requested: 1 } });
    const disabled = await call('POST', '/reports/schedules', { token, body: { ...body, name: 'paused', enabled: false } });
    expect(disabled.status).toBe(201);
    const enable = await call('PATCH', `/reports/schedules/${disabled.body.schedule.id}`, { token, body: { enabled: true } });
    expect(enable.status).toBe(402);
    expect((await call('GET', '/limits', { token })).body.limits.max_report_schedules).toMatchObject({ limit: 1, usage: 1 });
  });
});

describe('GET/PATCH/DELETE /reports/schedules/:id', () => {
  it('lists, reads, changes (recomputing next_run_at when the rule changes) and deletes', async () => {
    const created = (await call('POST', '/reports/schedules', { token: tokenA, body: weekly({ name: 'to change' }) })).body.schedule;
    const list = await call('GET', '/reports/schedules?limit=100', { token: tokenA });
    expect(list.status).toBe(200);
    expect(list.body.data.map((s: any) => s.id)).toContain(created.id);

    const renamed = await call('PATCH', `/reports/schedules/${created.id}`, { token: tokenA, body: { name: 'renamed', contents: { bloggers: false } } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.schedule).toMatchObject({ name: 'renamed', next_run_at: created.next_run_at, contents: { top_videos: 5, bloggers: false, xlsx: 'link' } });

    const monthly = await call('PATCH', `/reports/schedules/${created.id}`, { token: tokenA, body: { frequency: 'monthly', day_of_month: 31, local_time: '07:30' } });
    expect(monthly.status).toBe(200);
    expect(monthly.body.schedule).toMatchObject({ frequency: 'monthly', day_of_week: null, day_of_month: 31, local_time: '07:30' });
    const next = new Date(monthly.body.schedule.next_run_at);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(next)).toBe('07:30');

    const bad = await call('PATCH', `/reports/schedules/${created.id}`, { token: tokenA, body: { day_of_week: 3 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: any) => i.path)).toContain('day_of_week');
    expect((await call('PATCH', `/reports/schedules/${created.id}`, { token: tokenA, body: {} })).status).toBe(400);

    expect((await call('DELETE', `/reports/schedules/${created.id}`, { token: tokenA })).body).toEqual({ deleted: true, id: created.id });
    expect((await call('GET', `/reports/schedules/${created.id}`, { token: tokenA })).status).toBe(404);
  });

  it("another organization's schedule is 404 on every route, and nothing changes", async () => {
    const mine = (await call('POST', '/reports/schedules', { token: tokenA, body: weekly({ name: 'private' }) })).body.schedule;
    for (const [method, path, body] of [
      ['GET', `/reports/schedules/${mine.id}`],
      ['PATCH', `/reports/schedules/${mine.id}`, { name: 'stolen' }],
      ['DELETE', `/reports/schedules/${mine.id}`],
      ['POST', `/reports/schedules/${mine.id}/preview`, {}],
    ] as const) {
      const res = await call(method, path, { token: tokenB, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
    expect((await call('GET', '/reports/schedules?limit=100', { token: tokenB })).body.data.map((s: any) => s.id)).not.toContain(mine.id);
    expect((await sql`select name from report_schedules where id = ${mine.id}`)[0]!.name).toBe('private');
  });

  it('answers 400 for a malformed id and 401 without a token', async () => {
    expect((await call('GET', '/reports/schedules/not-a-uuid', { token: tokenA })).status).toBe(400);
    expect((await call('GET', '/reports/schedules')).status).toBe(401);
  });
});

describe('RLS on report tables', () => {
  it('members read their organization only; only owners and admins write schedules; runs and deliveries are read-only', async () => {
    const [row] = await sql`insert into report_schedules (organization_id, name, scope, frequency, local_time, recipients, channels, contents, next_run_at)
      values (${a.orgId}, 'rls', '{"type":"organization"}', 'daily', '09:00', '[{"type":"email","email":"x@example.com"}]', '["email"]', '{}', now()) returning id`;
    const id = row!.id as string;
    const viewer = await addMember(sql, a.orgId, 'viewer');
    const admin = await addMember(sql, a.orgId, 'admin');

    expect(await rolledBackAs(sql, { sub: b.userId }, (tx) => tx`select id from report_schedules where id = ${id}`)).toHaveLength(0);
    expect(await rolledBackAs(sql, { sub: b.userId }, (tx) => tx`update report_schedules set name = 'x' where id = ${id} returning id`)).toHaveLength(0);
    expect(await rolledBackAs(sql, { sub: b.userId }, (tx) => tx`delete from report_schedules where id = ${id} returning id`)).toHaveLength(0);
    expect(await rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`select id from report_schedules where id = ${id}`)).toHaveLength(1);
    expect(await rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`update report_schedules set name = 'x' where id = ${id} returning id`)).toHaveLength(0);
    expect(await rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`delete from report_schedules where id = ${id} returning id`)).toHaveLength(0);
    await expect(rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`insert into report_schedules (organization_id, name, scope, frequency, local_time, recipients, channels, contents, next_run_at)
      values (${a.orgId}, 'v', '{"type":"organization"}', 'daily', '09:00', '[{"type":"email","email":"x@example.com"}]', '["email"]', '{}', now())`)).rejects.toThrow(/row-level security/);
    expect(await rolledBackAs(sql, { sub: admin.userId }, (tx) => tx`update report_schedules set name = 'x' where id = ${id} returning id`)).toHaveLength(1);
    expect(await rolledBackAs(sql, { sub: admin.userId }, (tx) => tx`delete from report_schedules where id = ${id} returning id`)).toHaveLength(1);

    const [run] = await sql`insert into report_runs (organization_id, schedule_id, schedule_name, instance_id, period_start, period_end)
      values (${a.orgId}, ${id}, 'rls', ${`rls-${crypto.randomUUID()}`}, '2026-03-01', '2026-03-07') returning id`;
    expect(await rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`select id from report_runs where id = ${run!.id}`)).toHaveLength(1);
    expect(await rolledBackAs(sql, { sub: b.userId }, (tx) => tx`select id from report_runs where id = ${run!.id}`)).toHaveLength(0);
    expect(await rolledBackAs(sql, { sub: a.userId }, (tx) => tx`update report_runs set status = 'failed' where id = ${run!.id} returning id`)).toHaveLength(0);
    await expect(rolledBackAs(sql, { sub: a.userId }, (tx) => tx`insert into report_deliveries (organization_id, run_id, recipient, channel, idempotency_key, status)
      values (${a.orgId}, ${run!.id}, 'email:x@example.com', 'email', ${crypto.randomUUID()}, 'queued')`)).rejects.toThrow(/row-level security/);
    // share links: owners/admins only, and only to their own organization's runs
    await expect(rolledBackAs(sql, { sub: b.userId }, (tx) => tx`insert into report_share_links (organization_id, run_id, token_hash, expires_at)
      values (${b.orgId}, ${run!.id}, ${'a'.repeat(64)}, now() + interval '1 day')`)).rejects.toThrow(/row-level security/);
    await expect(rolledBackAs(sql, { sub: viewer.userId }, (tx) => tx`insert into report_share_links (organization_id, run_id, token_hash, expires_at)
      values (${a.orgId}, ${run!.id}, ${'b'.repeat(64)}, now() + interval '1 day')`)).rejects.toThrow(/row-level security/);
  });
});

describe('migration of report_preferences', () => {
  it('the migration SQL turned enabled preferences into a schedule (re-run here on a fresh organization)', async () => {
    // The migration ran before this organization existed; its statement is applied again to prove what it does.
    const org = await createOrganization(sql);
    await sql`update organizations set timezone = 'Europe/Berlin',
      report_preferences = '{"enabled":true,"frequency":"weekly","day_of_week":1,"hour":9,"channels":["email"],"recipients":["boss@example.com"]}' where id = ${org.orgId}`;
    const migration = await import('../../supabase/migrations/20261203160000_report_schedules.sql?raw');
    const text: string = migration.default;
    const insert = text.slice(text.indexOf('insert into public.report_schedules'), text.indexOf(';', text.indexOf("jsonb_array_length(p.recipients) > 0")) + 1);
    await sql.unsafe(insert.replace('where (o.report_preferences', `where o.id = '${org.orgId}' and (o.report_preferences`));
    const [s] = await sql`select * from report_schedules where organization_id = ${org.orgId}`;
    expect(s).toMatchObject({ frequency: 'weekly', day_of_week: 1, local_time: '09:00', channels: ['email'], recipients: [{ type: 'email', email: 'boss@example.com' }], scope: { type: 'organization' } });
    expect((s!.next_run_at as Date).toISOString()).toBe(nextRunAt({ frequency: 'weekly', day_of_week: 1, local_time: '09:00' }, 'Europe/Berlin', new Date()).toISOString());
  });
});
