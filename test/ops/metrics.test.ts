import { beforeAll, describe, expect, it } from 'vitest';
import { CRON_WORKFLOWS, runKeyFor } from '../../src/scheduled';
import { adminSql, createOrganization } from '../helpers/db';
import { waitForWorkflow } from '../helpers/workflows';
import { operatorJwt, ops } from './support';
import { call } from '../helpers/api';

const sql = adminSql();
const tag = crypto.randomUUID().slice(0, 6);

describe('scheduled workflows by hand', () => {
  it('lists every cron with the workflow it starts', async () => {
    const res = await ops('GET', '/scheduled');
    expect(res.status).toBe(200);
    expect(res.body.data.map((s: any) => s.cron).sort()).toEqual(Object.keys(CRON_WORKFLOWS).sort());
    expect(res.body.data).toContainEqual({ cron: '0 0 * * *', workflow: 'NightlyRefresh', description: 'nightly stats refresh', available: true });
    expect(res.body.data).toContainEqual(expect.objectContaining({ cron: '0 */4 * * *', workflow: 'SheetsResync', available: true }));
    expect(res.body.data).toContainEqual(expect.objectContaining({ cron: '*/15 * * * *', workflow: 'ReportDispatch', available: true }));
    // every cron starts a workflow now (the 422 'not built' answer has nothing left to refuse)
    expect(res.body.data.every((s: any) => s.available)).toBe(true);
  });

  it('starts a NightlyRefresh now, registered as an ops run by its actor; a second start this hour starts nothing', async () => {
    const operatorId = crypto.randomUUID();
    const token = await operatorJwt('admin', operatorId);
    const hour = runKeyFor(Date.now());
    const res = await call('POST', '/ops/api/scheduled/run', { token, body: { cron: '0 0 * * *' } });
    // the instance id names the hour; a start that straddles an hour boundary still names one hour
    const id = res.body.instance_id as string;
    expect(id).toMatch(/^nightly-refresh-\d{10}$/);
    expect([hour, runKeyFor(Date.now())].map((k) => `nightly-refresh-${k.replace(/[^0-9]/g, '')}`)).toContain(id);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ workflow: 'NightlyRefresh', created: true, run: { instance_id: id, trigger: 'ops', triggered_by: `user:${operatorId}` } });
    expect((await waitForWorkflow('NIGHTLY_REFRESH', id)).status).toBe('complete');
    const [action] = await sql`select action, actor, outcome, workflow, details from ops_actions where instance_id = ${id} and action = 'start_scheduled'`;
    expect(action).toEqual({ action: 'start_scheduled', actor: `user:${operatorId}`, outcome: 'ok', workflow: 'NightlyRefresh', details: { cron: '0 0 * * *', created: true } });

    const again = await call('POST', '/ops/api/scheduled/run', { token, body: { cron: '0 0 * * *' } });
    // same hour → the same instance, not started twice (a new hour would name a new one)
    expect(again.body.created).toBe(again.body.instance_id !== id);
    expect(again.status).toBe(again.body.created ? 201 : 200);
  });

  it('refuses an unknown cron (404) and a body without a cron (400)', async () => {
    expect((await ops('POST', '/scheduled/run', { body: { cron: '1 2 3 4 5' } })).status).toBe(404);
    expect((await ops('POST', '/scheduled/run', { body: {} })).status).toBe(400);
  });
});

describe('GET /ops/api/metrics', () => {
  beforeAll(async () => {
    // a known mix in the last hour: 3 complete with known durations, 1 errored, 1 terminated, 1 running
    await sql`
      insert into workflow_runs (instance_id, workflow, trigger, status, started_at, ended_at, error, created_at)
      values (${`m-${tag}-1`}, ${`Metrics${tag}`}, 'cron', 'complete', now() - interval '10 minutes', now() - interval '9 minutes', null, now() - interval '10 minutes'),
             (${`m-${tag}-2`}, ${`Metrics${tag}`}, 'cron', 'complete', now() - interval '10 minutes', now() - interval '8 minutes', null, now() - interval '10 minutes'),
             (${`m-${tag}-3`}, ${`Metrics${tag}`}, 'cron', 'complete', now() - interval '10 minutes', now() - interval '7 minutes', null, now() - interval '10 minutes'),
             (${`m-${tag}-4`}, ${`Metrics${tag}`}, 'cron', 'errored', now() - interval '5 minutes', now() - interval '4 minutes', 'Error: boom', now() - interval '5 minutes'),
             (${`m-${tag}-5`}, ${`Metrics${tag}`}, 'cron', 'terminated', now() - interval '5 minutes', now() - interval '4 minutes', null, now() - interval '5 minutes'),
             (${`m-${tag}-6`}, ${`Metrics${tag}`}, 'cron', 'running', now() - interval '1 minute', null, null, now() - interval '1 minute'),
             (${`m-${tag}-7`}, ${`Metrics${tag}`}, 'cron', 'errored', now() - interval '3 days', now() - interval '3 days', 'Error: old', now() - interval '3 days')`;
  });

  it('gives failure rate and p50/p95 duration per workflow over the window', async () => {
    const res = await ops('GET', '/metrics?hours=24');
    expect(res.status).toBe(200);
    const mine = res.body.by_workflow.find((w: any) => w.workflow === `Metrics${tag}`);
    expect(mine).toEqual({
      workflow: `Metrics${tag}`,
      total: 6,
      finished: 5,
      complete: 3,
      errored: 1,
      terminated: 1,
      in_flight: 1,
      failure_rate: 0.2,
      p50_ms: 120_000,
      p95_ms: expect.closeTo(174_000, 0),
    });
    // the 3-day-old failure counts only in a wider window
    const week = await ops('GET', '/metrics?hours=168');
    expect(week.body.by_workflow.find((w: any) => w.workflow === `Metrics${tag}`)).toMatchObject({ total: 7, errored: 2 });
  });

  it('counts runs per hour by workflow and status, and totals that add up', async () => {
    const res = await ops('GET', '/metrics?hours=24');
    const mine = res.body.hourly.filter((h: any) => h.workflow === `Metrics${tag}`);
    const byStatus: Record<string, number> = {};
    for (const h of mine) {
      expect(new Date(h.hour).getUTCMinutes()).toBe(0);
      byStatus[h.status] = (byStatus[h.status] ?? 0) + h.runs;
    }
    expect(byStatus).toEqual({ complete: 3, errored: 1, terminated: 1, running: 1 });
    const t = res.body.totals;
    expect(t.runs).toBe(res.body.by_workflow.reduce((s: number, w: any) => s + w.total, 0));
    expect(t.errored).toBe(res.body.by_workflow.reduce((s: number, w: any) => s + w.errored, 0));
    expect(t.failure_rate).toBeCloseTo(t.errored / t.finished, 10);
    expect(res.body.recent_failures.length).toBeGreaterThan(0);
    for (const r of res.body.recent_failures) expect(r.status).toBe('errored');
  });

  it('reports the refresh backlog and unresolved dead letters', async () => {
    const before = (await ops('GET', '/metrics')).body.backlog;
    const org = await createOrganization(sql);
    await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
              values (${org.orgId}, 'TikTok', ${`75${Date.now()}`}, 'https://example.test/v', 'tracking')`;
    await sql`insert into dead_letters (message_id, source_queue, error_code, reason, body) values (${`dl-${tag}`}, 'influtics-low-priority', 'quota', 'monthly quota', '{}')`;
    const after = (await ops('GET', '/metrics')).body.backlog;
    expect(after.videos_awaiting_refresh).toBe(before.videos_awaiting_refresh + 1);
    expect(after.dead_letters_unresolved).toBe(before.dead_letters_unresolved + 1);
    expect(after.dead_letters_by_queue).toContainEqual(expect.objectContaining({ source_queue: 'influtics-low-priority' }));
    expect((await ops('GET', '/metrics?hours=0')).status).toBe(400);
  });
});
