import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startWorkflow } from '../../src/workflows/start';
import { NIGHTLY_STEPS } from '../../src/workflows/nightly-refresh';
import { RUN_STEPS } from '../../src/workflows/tracked-run';
import { BLOGGER_FETCH_STEPS } from '../../src/workflows/blogger-fetch';
import { FAKE_CF_API_TOKEN } from '../fakes/cloudflare-api.mjs';
import { call, tokenFor } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';
import { fakeCloudflare, mirrorToFakeCloudflare, ops } from './support';

const sql = adminSql();
const tag = crypto.randomUUID().slice(0, 6);
let org: Fixture;
let other: Fixture;
let blogger: { id: string; tracking_id: string; username: string; instanceId: string };
const nightly: string[] = [];

/** A real NightlyRefresh run started the way crons start it (registered, then created). */
async function startNightly(id: string, summary: Record<string, unknown> = {}, trigger: 'cron' | 'ops' = 'cron') {
  await startWorkflow(env, sql, {
    workflow: 'NightlyRefresh',
    instanceId: id,
    params: { runKey: '2026-11-22T00', scheduledAt: new Date().toISOString(), pageSize: 10 },
    organizationId: null,
    trigger,
    triggeredBy: '0 0 * * *',
    summary: { run_key: '2026-11-22T00', ...summary },
  });
  return id;
}

beforeAll(async () => {
  await fakePlatforms.reset();
  org = await createOrganization(sql, { plan: 'pro' });
  other = await createOrganization(sql, { plan: 'pro' });
  // an InitialBloggerFetch through the real HTTP route, for the organization
  const username = `opsrun_${tag}`;
  const res = await call('POST', '/blogger/add', { token: await tokenFor(org.userId), body: { username, platform: 'TikTok', initial_videos_count: 3 } });
  expect(res.status).toBe(201);
  blogger = { id: res.body.blogger.id, tracking_id: res.body.blogger.tracking_id, username, instanceId: res.body.workflow.instance_id };
  await waitForWorkflow('INITIAL_BLOGGER_FETCH', blogger.instanceId);
  // three cron-like NightlyRefresh runs, one carrying video ids in its summary (what a per-video workflow records)
  for (let i = 0; i < 3; i++) nightly.push(await startNightly(`ops-list-${tag}-${i}`, i === 2 ? { video_ids: [`vid-${tag}`] } : {}));
  for (const id of nightly) await waitForWorkflow('NIGHTLY_REFRESH', id);
});

beforeEach(async () => {
  await fakeCloudflare.reset();
});

describe('GET /ops/api/runs', () => {
  it('lists registry rows newest first with organization names, live statuses and summaries', async () => {
    const res = await ops('GET', `/runs?q=ops-list-${tag}`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: any) => r.instance_id)).toEqual([...nightly].reverse());
    for (const r of res.body.data) {
      expect(r).toMatchObject({ workflow: 'NightlyRefresh', trigger: 'cron', status: 'complete', organization_id: null, triggered_by: '0 0 * * *' });
      expect(r.params_summary.run_key).toBe('2026-11-22T00');
      expect(r.duration_ms).toBeGreaterThanOrEqual(0);
      expect(r.ended_at).not.toBeNull();
    }
    const byOrg = await ops('GET', `/runs?organization_id=${org.orgId}`);
    expect(byOrg.body.data).toEqual([expect.objectContaining({ instance_id: blogger.instanceId, workflow: 'InitialBloggerFetch', organization_name: expect.any(String), trigger: 'http', status: 'complete' })]);
    expect((await ops('GET', `/runs?organization_id=${other.orgId}`)).body.data).toEqual([]);
  });

  it('filters by workflow, status, trigger and time range', async () => {
    const mine = (body: any) => body.data.map((r: any) => r.instance_id).filter((id: string) => id.includes(tag));
    expect(mine((await ops('GET', '/runs?workflow=NightlyRefresh&limit=100')).body)).toEqual([...nightly].reverse());
    const ids = async (query: string) => (await ops('GET', `/runs?${query}`)).body.data.map((r: any) => r.instance_id);
    expect(await ids(`workflow=InitialBloggerFetch&blogger=${blogger.id}`)).toEqual([blogger.instanceId]);
    expect(await ids(`workflow=NightlyRefresh,BloggerBatch&blogger=${blogger.id}`)).toEqual([]);
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&status=errored`)).body)).toEqual([]);
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&status=complete,errored`)).body)).toHaveLength(3);
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&trigger=http`)).body)).toEqual([]);
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&trigger=cron`)).body)).toHaveLength(3);

    const [first] = await sql`select created_at from workflow_runs where instance_id = ${nightly[1]!}`;
    const from = new Date(first!.created_at).toISOString();
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&from=${from}`)).body)).toEqual([nightly[2], nightly[1]]);
    expect(mine((await ops('GET', `/runs?q=ops-list-${tag}&to=${from}`)).body)).toEqual([nightly[0]]);
  });

  it('searches by instance id (exact or prefix) and by blogger, video or sheet in the params summary', async () => {
    const ids = async (query: string) => (await ops('GET', `/runs?${query}`)).body.data.map((r: any) => r.instance_id);
    expect(await ids(`q=${nightly[1]}`)).toEqual([nightly[1]]);
    expect(await ids(`blogger=${blogger.id}`)).toEqual([blogger.instanceId]);
    expect(await ids(`blogger=${blogger.username}`)).toEqual([blogger.instanceId]);
    expect(await ids(`blogger=${blogger.tracking_id}`)).toEqual([blogger.instanceId]);
    expect(await ids(`video=vid-${tag}`)).toEqual([nightly[2]]);
    // a sheets run (not built yet) would record its sheet; the registry search already finds it
    await sql`insert into workflow_runs (instance_id, workflow, trigger, params_summary, status) values (${`sheets-${tag}`}, 'SheetsResync', 'cron', ${sql.json({ sheet_id: `sheet-${tag}` })}, 'complete')`;
    expect(await ids(`sheet=sheet-${tag}`)).toEqual([`sheets-${tag}`]);
    expect(await ids(`q=nothing-like-this-${tag}`)).toEqual([]);
  });

  it('pages with an opaque cursor, without gaps or repeats', async () => {
    const first = await ops('GET', `/runs?q=ops-list-${tag}&limit=2`);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await ops('GET', `/runs?q=ops-list-${tag}&limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    expect([...first.body.data, ...second.body.data].map((r: any) => r.instance_id)).toEqual([...nightly].reverse());
  });

  it('validates filters and cursors in the one error envelope', async () => {
    for (const query of ['status=sleeping', 'workflow=Nope', 'organization_id=x', 'from=yesterday', 'limit=1000', 'q=has space', 'cursor=garbage', 'from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z']) {
      const res = await ops('GET', `/runs?${encodeURI(query)}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('reconciles the registry with the live status: a row the runtime finished is corrected on read', async () => {
    const id = `ops-stale-${tag}`;
    await startNightly(id);
    await waitForWorkflow('NIGHTLY_REFRESH', id);
    // the registry missed the end (e.g. a step that recorded it was lost)
    await sql`update workflow_runs set status = 'running', ended_at = null, output = null where instance_id = ${id}`;
    const res = await ops('GET', `/runs?q=${id}`);
    expect(res.body.data[0]).toMatchObject({ instance_id: id, status: 'complete', live: { status: 'complete' } });
    const [row] = await sql`select status, ended_at, output from workflow_runs where instance_id = ${id}`;
    expect(row!.status).toBe('complete');
    expect(row!.ended_at).not.toBeNull();
    expect(row!.output).toMatchObject({ fetch_key: 'nightly-2026-11-22' });
  });
});

describe('GET /ops/api/runs/:id', () => {
  it('shows params, output and the step timeline read from the Workflows REST API', async () => {
    const engine = await mirrorToFakeCloudflare('NIGHTLY_REFRESH', nightly[0]!);
    const res = await ops('GET', `/runs/${nightly[0]}`);
    expect(res.status).toBe(200);
    expect(res.body.run).toMatchObject({ instance_id: nightly[0], workflow: 'NightlyRefresh', status: 'complete', output: { fetch_key: 'nightly-2026-11-22' } });
    // how many pages depends on what earlier test files left tracked in the shared database
    const pages: number = res.body.run.output.pages;
    expect(pages).toBeGreaterThanOrEqual(1);
    const stepNames = [RUN_STEPS.started, ...Array.from({ length: pages }, (_, i) => NIGHTLY_STEPS.page(i + 1)), RUN_STEPS.finished];
    expect(res.body.live).toEqual({ status: 'complete', error: null });
    expect(res.body.params).toMatchObject({ runKey: '2026-11-22T00', pageSize: 10 });
    expect(res.body.steps_source).toBe('configured');
    expect(res.body.steps_error).toBeNull();
    expect(res.body.steps.map((s: any) => s.name)).toEqual(stepNames);
    for (const s of res.body.steps) {
      expect(s).toMatchObject({ type: 'step', state: 'complete', error: null });
      expect(s.attempts).toEqual([expect.objectContaining({ attempt: 1, success: true, error: null })]);
      expect(s.duration_ms).toBeGreaterThanOrEqual(0);
      expect(Date.parse(s.start)).toBeGreaterThan(0);
    }
    expect(JSON.parse(res.body.steps[1].output_preview)).toEqual(engine.steps[1].output);
    expect(res.body.restartable_steps).toEqual(stepNames.map((name) => ({ name, count: 1 })));
    // the client called the account's API with the API token
    const calls = await fakeCloudflare.calls();
    expect(calls).toEqual([expect.objectContaining({ method: 'GET', path: expect.stringMatching(new RegExp(`/client/v4/accounts/[^/]+/workflows/influtics-nightly-refresh/instances/${nightly[0]}$`)), authorization: `Bearer ${FAKE_CF_API_TOKEN}` })]);
  });

  it('shows each attempt of a retried step with its error', async () => {
    const id = `ops-retry-${tag}`;
    await using instance = await introspectWorkflowInstance(env.NIGHTLY_REFRESH, id);
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError({ name: NIGHTLY_STEPS.page(1) }, new Error('connection reset by peer'), 2);
    });
    await startNightly(id);
    await instance.waitForStatus('complete');
    await mirrorToFakeCloudflare('NIGHTLY_REFRESH', id);
    const res = await ops('GET', `/runs/${id}`);
    const page = res.body.steps.find((s: any) => s.name === NIGHTLY_STEPS.page(1));
    expect(page.state).toBe('complete');
    expect(page.attempts.map((a: any) => [a.attempt, a.success, a.error?.message ?? null])).toEqual([
      [1, false, 'connection reset by peer'],
      [2, false, 'connection reset by peer'],
      [3, true, null],
    ]);
  });

  it('shows why a run failed: the registry error, the failed step and its attempts', async () => {
    await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly' });
    const res = await call('POST', '/blogger/add', { token: await tokenFor(org.userId), body: { username: `opsfail_${tag}`, platform: 'TikTok', initial_videos_count: 2 } });
    const id = res.body.workflow.instance_id;
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', id);
    await fakePlatforms.reset();
    await mirrorToFakeCloudflare('INITIAL_BLOGGER_FETCH', id);
    const detail = await ops('GET', `/runs/${id}`);
    expect(detail.body.run).toMatchObject({ status: 'errored', error: expect.stringMatching(/quota/i), organization_id: org.orgId });
    expect(detail.body.live).toMatchObject({ status: 'errored', error: expect.stringMatching(/NonRetryableError/) });
    const failed = detail.body.steps.find((s: any) => s.name === BLOGGER_FETCH_STEPS.page(1));
    expect(failed).toMatchObject({ state: 'errored', error: { message: expect.stringMatching(/quota/i) } });
    expect(failed.attempts).toHaveLength(1);
    expect((await ops('GET', '/runs?status=errored&limit=100')).body.data.map((r: any) => r.instance_id)).toContain(id);
  });

  it('still answers with the registry and live status when the step API is down or does not know the run', async () => {
    await fakeCloudflare.outage(503);
    const down = await ops('GET', `/runs/${nightly[1]}`);
    expect(down.status).toBe(200);
    expect(down.body).toMatchObject({ run: { instance_id: nightly[1], status: 'complete' }, live: { status: 'complete' }, steps: null, steps_error: expect.stringMatching(/503/) });
    const unknown = await ops('GET', `/runs/${nightly[1]}`);
    expect(unknown.body.steps).toBeNull();
    expect(unknown.body.steps_error).toMatch(/404.*not found/i);
  });

  it('answers 404 for a run the registry does not have and 400 for a malformed id', async () => {
    const missing = await ops('GET', `/runs/not-a-run-${tag}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
    expect((await ops('GET', '/runs/bad%20id')).status).toBe(400);
  });
});
