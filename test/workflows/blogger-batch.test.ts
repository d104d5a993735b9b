import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { planBatchFetches } from '../../src/steps/partial-fetch';
import { adminSql, createOrganization, pauseBloggersOutside } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

const sql = adminSql();

describe('MIN_PARTIAL_FETCH', () => {
  const c = (org: string, daily = 30) => ({ trackingId: crypto.randomUUID(), organizationId: org, dailyVideosCount: daily });
  it('fetches in full when remaining ≥ daily, 10 when remaining ≥ 10, and skips below 10', () => {
    const { planned, skipped } = planBatchFetches([c('a'), c('b'), c('c')], new Map([['a', 30], ['b', 10], ['c', 9]]));
    expect(planned.map((p) => [p.candidate.organizationId, p.count, p.partial])).toEqual([['a', 30, false], ['b', 10, true]]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.candidate.organizationId).toBe('c');
    expect(skipped[0]!.reason).toMatch(/9 remaining/);
  });
  it('spends the remaining quota across an organization’s bloggers in order', () => {
    const { planned, skipped } = planBatchFetches([c('a', 20), c('a', 20), c('a', 20)], new Map([['a', 35]]));
    expect(planned.map((p) => p.count)).toEqual([20, 10]);
    expect(skipped).toHaveLength(1);
  });
  it('an unlimited plan (null) always fetches in full', () => {
    const { planned } = planBatchFetches([c('a', 50)], new Map([['a', null]]));
    expect(planned[0]!.count).toBe(50);
  });
});

describe('BloggerBatch workflow', () => {
  const orgs: Record<string, { orgId: string; trackingId: string; bloggerId: string }> = {};

  async function orgWithRemaining(name: string, remaining: number, handle: string, daily = 15) {
    const org = await createOrganization(sql, { plan: 'free' });
    // free plan allows 500 videos per period: use all but `remaining`
    await sql`insert into usage_counters (organization_id, period_start, videos_fetched) values (${org.orgId}, date_trunc('month', now()), ${500 - remaining})`;
    const [b] = await sql`insert into blogger_information (organization_id, platform, username, external_id) values (${org.orgId}, 'TikTok', ${handle}, ${'ext-' + handle}) returning id`;
    const [t] = await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count, initial_videos_fetched) values (${org.orgId}, ${b!.id}, 5, ${daily}, true) returning id`;
    orgs[name] = { orgId: org.orgId, trackingId: t!.id, bloggerId: b!.id };
  }

  beforeAll(async () => {
    await fakePlatforms.reset();
    const suffix = crypto.randomUUID().slice(0, 6);
    await orgWithRemaining('full', 15, `full_${suffix}`);
    await orgWithRemaining('partial', 10, `partial_${suffix}`);
    await orgWithRemaining('skip', 9, `skip_${suffix}`);
    // a blogger whose account disappeared: its child fails, the others must not
    await orgWithRemaining('broken', 100, `unknown_${suffix}`);
    await pauseBloggersOutside(sql, Object.values(orgs).map((o) => o.orgId));
  });
  beforeEach(async () => {
    await fakePlatforms.reset();
  });

  it('plans per organization, starts one child per blogger, and one failing blogger does not stop the others', async () => {
    const runKey = `2026-01-0${Math.floor(Math.random() * 9) + 1}T${String(Math.floor(Math.random() * 24)).padStart(2, '0')}`;
    const id = `blogger-batch-test-${crypto.randomUUID().slice(0, 8)}`;
    await using instance = await introspectWorkflowInstance(env.BLOGGER_BATCH, id);
    await env.BLOGGER_BATCH.create({ id, params: { runKey, scheduledAt: new Date().toISOString() } });
    await instance.waitForStatus('complete');
    const output = (await instance.getOutput()) as any;
    expect(output.children_failed_to_start).toEqual([]);

    const childId = (name: string) => `blogger-daily-${orgs[name]!.trackingId}-${runKey.replace(/[^0-9]/g, '')}`;
    expect((await waitForWorkflow('BLOGGER_DAILY_FETCH', childId('full'))).status).toBe('complete');
    expect((await waitForWorkflow('BLOGGER_DAILY_FETCH', childId('partial'))).status).toBe('complete');
    expect((await waitForWorkflow('BLOGGER_DAILY_FETCH', childId('broken'))).status).toBe('errored');
    await expect(env.BLOGGER_DAILY_FETCH.get(childId('skip'))).rejects.toThrow();

    const count = async (name: string) =>
      (await sql`select count(*)::int as n from videos where blogger_id = ${orgs[name]!.bloggerId}`)[0]!.n;
    expect(await count('full')).toBe(15);
    expect(await count('partial')).toBe(10);
    expect(await count('skip')).toBe(0);

    const [skip] = await sql`select last_skip_reason, last_scraped_at from tracked_accounts where id = ${orgs.skip!.trackingId}`;
    expect(skip!.last_skip_reason).toMatch(/9 remaining/);
    const [full] = await sql`select last_scraped_at, last_skip_reason from tracked_accounts where id = ${orgs.full!.trackingId}`;
    expect(full!.last_scraped_at).not.toBeNull();
    expect(full!.last_skip_reason).toBeNull();

    const runs = await sql`select instance_id, workflow, status, trigger, triggered_by from workflow_runs where triggered_by = ${id}`;
    expect(runs.length).toBeGreaterThanOrEqual(3);
    for (const r of runs) expect(r).toMatchObject({ workflow: 'BloggerDailyFetch', trigger: 'workflow' });
    const [broken] = await sql`select status, error from workflow_runs where instance_id = ${childId('broken')}`;
    expect(broken).toMatchObject({ status: 'errored' });
    expect(broken!.error).toMatch(/not found|account/i);
  });

  it('a duplicate cron fire for the same hour starts nothing new', async () => {
    const { startScheduledWorkflow } = await import('../../src/scheduled');
    const at = Date.UTC(2025, 0, 1 + Math.floor(Math.random() * 28), 12);
    const first = await startScheduledWorkflow(env, '0 0,12 * * *', at);
    const second = await startScheduledWorkflow(env, '0 0,12 * * *', at);
    expect(first).toMatchObject({ created: true });
    expect(second).toEqual({ instanceId: first!.instanceId, created: false });
    const rows = await sql`select trigger, triggered_by, workflow from workflow_runs where instance_id = ${first!.instanceId}`;
    expect(rows).toEqual([{ trigger: 'cron', triggered_by: '0 0,12 * * *', workflow: 'BloggerBatch' }]);
    await waitForWorkflow('BLOGGER_BATCH', first!.instanceId, 60_000);
  });
});
