import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BLOGGER_FETCH_STEPS } from '../../src/workflows/blogger-fetch';
import { call, eventually, tokenFor } from '../helpers/api';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';
import { liveStatus, operatorJwt, ops, waitForLive } from './support';

const sql = adminSql();
const tag = crypto.randomUUID().slice(0, 6);
let org: Fixture;
let userToken: string;
let n = 0;

/** A real InitialBloggerFetch started through POST /blogger/add. */
async function addBlogger(count = 3) {
  const res = await call('POST', '/blogger/add', { token: userToken, body: { username: `opsact_${tag}_${n++}`, platform: 'TikTok', initial_videos_count: count } });
  expect(res.status).toBe(201);
  return res.body.workflow.instance_id as string;
}

/** A run whose first platform page answers only after `delayMs`: it stays running meanwhile. */
async function slowRun(delayMs: number) {
  await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'slow', delayMs, times: 1 });
  const id = await addBlogger();
  await waitForLive('INITIAL_BLOGGER_FETCH', id, ['running']);
  return id;
}

/** A run that errored for good (monthly quota is a permanent platform error). */
async function erroredRun() {
  await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly', times: 1 });
  const id = await addBlogger();
  expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', id)).status).toBe('errored');
  return id;
}

const registry = async (id: string) => (await sql`select status, error, output, ended_at, started_at from workflow_runs where instance_id = ${id}`)[0]!;
const audit = (id: string) => sql`select action, actor, outcome, error, details, bulk_id from ops_actions where instance_id = ${id} order by id`;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  userToken = await tokenFor(org.userId);
});
beforeEach(async () => {
  await fakePlatforms.reset();
});

describe('single run actions', () => {
  it('pause, then resume: the runtime, the registry and the audit log agree', async () => {
    const id = await slowRun(2_500);
    const paused = await ops('POST', `/runs/${id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body.result).toMatchObject({ instance_id: id, outcome: 'ok', from_status: 'running', error: null });
    // the engine pauses once the step in flight has finished
    expect(['waitingForPause', 'paused']).toContain(paused.body.result.status);
    expect(paused.body.run.status).toBe(paused.body.result.status);
    expect((await registry(id)).status).toBe(paused.body.result.status);

    await waitForLive('INITIAL_BLOGGER_FETCH', id, ['paused']);
    const detail = await ops('GET', `/runs/${id}`);
    expect(detail.body.run.status).toBe('paused');
    expect((await registry(id)).status).toBe('paused');

    const resumed = await ops('POST', `/runs/${id}/resume`);
    expect(resumed.status).toBe(200);
    expect(resumed.body.result).toMatchObject({ outcome: 'ok', from_status: 'paused' });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', id)).status).toBe('complete');
    await eventually(async () => (await registry(id)).status === 'complete');

    expect(await audit(id)).toEqual([
      { action: 'pause', actor: 'ops-token', outcome: 'ok', error: null, details: { from_status: 'running', to_status: paused.body.result.status }, bulk_id: null },
      { action: 'resume', actor: 'ops-token', outcome: 'ok', error: null, details: { from_status: 'paused', to_status: resumed.body.result.status }, bulk_id: null },
    ]);
  });

  it('terminate by an operator account: terminated with an end time, recorded with the user as actor', async () => {
    const id = await slowRun(3_000);
    const operatorId = crypto.randomUUID();
    const res = await call('POST', `/ops/api/runs/${id}/terminate`, { token: await operatorJwt('operator', operatorId) });
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ outcome: 'ok', from_status: 'running', status: 'terminated' });
    expect(await liveStatus('INITIAL_BLOGGER_FETCH', id)).toBe('terminated');
    const row = await registry(id);
    expect(row.status).toBe('terminated');
    expect(row.ended_at).not.toBeNull();
    expect(await audit(id)).toEqual([expect.objectContaining({ action: 'terminate', actor: `user:${operatorId}`, outcome: 'ok' })]);

    // a terminated run cannot be terminated again: refused before the runtime, and recorded
    const again = await ops('POST', `/runs/${id}/terminate`);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', message: 'cannot terminate a run that is terminated' });
    expect((await audit(id)).at(-1)).toMatchObject({ action: 'terminate', outcome: 'rejected', error: 'cannot terminate a run that is terminated' });
  });

  it('restart an errored run from the start: live again, error cleared, then complete', async () => {
    const id = await erroredRun();
    expect((await registry(id)).error).toMatch(/quota/i);
    const res = await ops('POST', `/runs/${id}/restart`);
    expect(res.status).toBe(200);
    expect(res.body.result).toMatchObject({ outcome: 'ok', from_status: 'errored' });
    expect(['queued', 'running', 'complete']).toContain(res.body.result.status);
    expect(res.body.run.error).toBeNull();
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', id)).status).toBe('complete');
    await eventually(async () => (await registry(id)).status === 'complete');
    const row = await registry(id);
    expect(row.error).toBeNull();
    expect(row.output).toMatchObject({ fetched: 3 });
    expect(await audit(id)).toEqual([expect.objectContaining({ action: 'restart', outcome: 'ok', details: expect.objectContaining({ from_status: 'errored' }) })]);
  });

  it('restart from a named step keeps the steps before it; an unknown step is refused by the runtime', async () => {
    const id = await erroredRun();
    const unknown = await ops('POST', `/runs/${id}/restart`, { body: { from: { name: 'no such step' } } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.message).toMatch(/no such step/);
    expect((await audit(id)).at(-1)).toMatchObject({ action: 'restart', outcome: 'failed', details: expect.objectContaining({ from_step: { name: 'no such step' } }) });
    expect(await liveStatus('INITIAL_BLOGGER_FETCH', id)).toBe('errored');

    const { started_at } = await registry(id);
    const res = await ops('POST', `/runs/${id}/restart`, { body: { from: { name: BLOGGER_FETCH_STEPS.page(1) } } });
    expect(res.status).toBe(200);
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', id)).status).toBe('complete');
    await eventually(async () => (await registry(id)).status === 'complete');
    // "record run started" came before the page step: it was kept, not run again
    expect((await registry(id)).started_at).toEqual(started_at);
  });

  it('refuses bad requests in the error envelope, and only restart takes a step', async () => {
    const id = await erroredRun();
    expect((await ops('POST', `/runs/${id}/explode`)).status).toBe(400);
    const pauseFrom = await ops('POST', `/runs/${id}/pause`, { body: { from: { name: 'x' } } });
    expect(pauseFrom.status).toBe(400);
    expect(pauseFrom.body.error.code).toBe('validation_failed');
    expect((await ops('POST', `/runs/${id}/restart`, { rawBody: '{nope', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    const pauseErrored = await ops('POST', `/runs/${id}/pause`);
    expect(pauseErrored.status).toBe(409);
    expect(pauseErrored.body.error.message).toBe('cannot pause a run that is errored');
    const missing = await ops('POST', `/runs/nothing-${tag}/terminate`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('a registry row without a runtime instance (creation failed) answers 404 and keeps its status', async () => {
    const id = `ops-orphan-${tag}`;
    await sql`insert into workflow_runs (instance_id, workflow, trigger, status, error) values (${id}, 'NightlyRefresh', 'cron', 'errored', 'could not create the instance: boom')`;
    const res = await ops('POST', `/runs/${id}/restart`);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/no such instance/);
    expect(await registry(id)).toMatchObject({ status: 'errored', error: 'could not create the instance: boom' });
    const detail = await ops('GET', `/runs/${id}`);
    expect(detail.body.live).toMatchObject({ status: null, unavailable: expect.stringMatching(/no such instance/) });
  });
});

describe('POST /ops/api/runs/bulk', () => {
  let bulkOrg: Fixture;
  const ids: string[] = [];

  beforeAll(async () => {
    bulkOrg = await createOrganization(sql, { plan: 'pro' });
    const token = await tokenFor(bulkOrg.userId);
    for (let i = 0; i < 3; i++) {
      await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly', times: 1 });
      const res = await call('POST', '/blogger/add', { token, body: { username: `opsbulk_${tag}_${i}`, platform: 'TikTok', initial_videos_count: 2 } });
      ids.push(res.body.workflow.instance_id);
      expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', ids[i]!)).status).toBe('errored');
    }
    await fakePlatforms.reset();
  });

  it('dry run → confirmed count → restarts every errored run of the selection, each audited under one bulk id', async () => {
    const filter = { organization_id: bulkOrg.orgId, status: 'errored' };
    const dry = await ops('POST', '/runs/bulk', { body: { action: 'restart', filter, dry_run: true } });
    expect(dry.status).toBe(200);
    expect(dry.body).toEqual({ dry_run: true, action: 'restart', matched: 3, by_status: { errored: 3 }, instance_ids: [...ids].reverse() });
    expect((await sql`select count(*)::int as n from ops_actions where instance_id in ${sql(ids)}`)[0]!.n).toBe(0);

    const unconfirmed = await ops('POST', '/runs/bulk', { body: { action: 'restart', filter } });
    expect(unconfirmed.status).toBe(400);
    const stale = await ops('POST', '/runs/bulk', { body: { action: 'restart', filter, expected_count: 2 } });
    expect(stale.status).toBe(409);
    expect(stale.body.error.details).toEqual({ matched: 3, expected_count: 2 });

    const res = await ops('POST', '/runs/bulk', { body: { action: 'restart', filter, expected_count: 3 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ action: 'restart', matched: 3, ok: 3, failed: 0, rejected: 0 });
    for (const id of ids) expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', id)).status).toBe('complete');
    await eventually(async () => (await sql`select count(*)::int as n from workflow_runs where instance_id in ${sql(ids)} and status = 'complete'`)[0]!.n === 3);
    const rows = await sql`select instance_id, action, actor, outcome, bulk_id from ops_actions where bulk_id = ${res.body.bulk_id} order by instance_id`;
    expect(rows.map((r) => r.instance_id)).toEqual([...ids].sort());
    for (const r of rows) expect(r).toMatchObject({ action: 'restart', actor: 'ops-token', outcome: 'ok' });
  });

  it('by instance ids: runs in the wrong status are rejected, not acted on', async () => {
    const res = await ops('POST', '/runs/bulk', { body: { action: 'terminate', instance_ids: ids, expected_count: 3 } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ matched: 3, ok: 0, rejected: 3 });
    for (const r of res.body.results) expect(r).toMatchObject({ outcome: 'rejected', code: 'conflict', status: 'complete' });
    for (const id of ids) expect(await liveStatus('INITIAL_BLOGGER_FETCH', id)).toBe('complete');
    const unknown = await ops('POST', '/runs/bulk', { body: { action: 'terminate', instance_ids: [...ids, `nope-${tag}`], expected_count: 4 } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.details).toEqual({ instance_ids: [`nope-${tag}`] });
  });

  it('refuses an empty filter, a filter over more than 100 runs, and from with another action', async () => {
    expect((await ops('POST', '/runs/bulk', { body: { action: 'terminate', filter: {}, dry_run: true } })).status).toBe(400);
    expect((await ops('POST', '/runs/bulk', { body: { action: 'terminate', dry_run: true } })).status).toBe(400);
    expect((await ops('POST', '/runs/bulk', { body: { action: 'pause', instance_ids: ids, dry_run: true, from: { name: 'x' } } })).status).toBe(400);
    await sql`insert into workflow_runs (instance_id, workflow, trigger, status)
              select ${`ops-many-${tag}-`} || g, 'NightlyRefresh', 'cron', 'complete' from generate_series(1, 101) g`;
    const many = await ops('POST', '/runs/bulk', { body: { action: 'restart', filter: { q: `ops-many-${tag}-` }, dry_run: true } });
    expect(many.status).toBe(422);
    expect(many.body.error.details).toEqual({ matched_at_least: 101 });
  });
});

describe('the audit log', () => {
  it('GET /ops/api/actions lists actions newest first with a cursor', async () => {
    const first = await ops('GET', '/actions?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.data).toHaveLength(2);
    expect(Number(first.body.data[0].id)).toBeGreaterThan(Number(first.body.data[1].id));
    const next = await ops('GET', `/actions?limit=2&cursor=${first.body.next_cursor}`);
    expect(Number(next.body.data[0].id)).toBeLessThan(Number(first.body.data[1].id));
  });
});
