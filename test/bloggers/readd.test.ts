import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STUCK_AFTER_MINUTES } from '../../src/db/initial-fetch-claims';
import { adminSql, createOrganization, pauseBloggersOutside, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

/**
 * Re-adding a blogger whose tracking record exists (README "Re-adding a blogger"): the counts the
 * caller gives replace the old ones, a paused blogger resumes, and a new InitialBloggerFetch (with
 * a new instance id) starts when the initial fetch never completed, when asked (`refetch`), or
 * when the initial count was raised — never while one is running.
 */
const sql = adminSql();
let org: Fixture;
let token: string;
const handle = (p: string) => `${p}_${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  org = await createOrganization(sql, { plan: 'pro' });
  token = await tokenFor(org.userId);
});
beforeEach(async () => {
  await fakePlatforms.reset();
});

const add = (body: Record<string, unknown>) => call('POST', '/blogger/add', { token, body });
const addFromTracking = (body: Record<string, unknown>) => call('POST', '/blogger/add-from-tracking', { token, body });
const videosOf = async (bloggerId: string) => (await sql`select count(*)::int as n from videos where blogger_id = ${bloggerId}`)[0]!.n as number;

async function addedAndFetched(count: number) {
  const res = await add({ username: handle('re'), platform: 'TikTok', initial_videos_count: count, daily_videos_count: 3 });
  expect(res.status).toBe(201);
  expect(res.body.workflow).toMatchObject({ instance_id: `initial-fetch-${res.body.blogger.tracking_id}`, created: true, reason: 'new' });
  expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', res.body.workflow.instance_id)).status).toBe('complete');
  return res.body.blogger as { id: string; tracking_id: string; username: string };
}

describe('re-adding a blogger', () => {
  it('a paused blogger re-added with other counts resumes with those counts and starts no fetch it does not need', async () => {
    const b = await addedAndFetched(4);
    expect((await call('POST', `/blogger/${b.id}/pause`, { token })).body.blogger.is_active).toBe(false);

    const again = await add({ username: b.username, platform: 'TikTok', initial_videos_count: 4, daily_videos_count: 9 });
    expect(again.status).toBe(201);
    expect(again.body.blogger).toMatchObject({ id: b.id, is_active: true, initial_videos_count: 4, daily_videos_count: 9, initial_videos_fetched: true });
    expect(again.body.workflow).toEqual({ instance_id: `initial-fetch-${b.tracking_id}`, created: false, reason: 'already_fetched' });
    const [t] = await sql`select is_active, daily_videos_count, initial_fetch_generation from tracked_accounts where id = ${b.tracking_id}`;
    expect(t).toEqual({ is_active: true, daily_videos_count: 9, initial_fetch_generation: 1 });
  });

  it('a re-add without counts keeps the counts the blogger had (not the organization defaults)', async () => {
    const b = await addedAndFetched(3);
    const again = await add({ username: b.username, platform: 'TikTok' });
    expect(again.body.blogger).toMatchObject({ initial_videos_count: 3, daily_videos_count: 3 });
  });

  it('refetch: true starts a new instance with a new id, which fetches again', async () => {
    const b = await addedAndFetched(3);
    const again = await addFromTracking({ blogger_id: b.id, refetch: true });
    expect(again.status).toBe(201);
    expect(again.body.workflow).toEqual({ instance_id: `initial-fetch-${b.tracking_id}-r2`, created: true, reason: 'requested' });
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', again.body.workflow.instance_id);
    expect(status.status).toBe('complete');
    expect(status.output).toMatchObject({ fetched: 3, saved: { videos_inserted: 0, videos_updated: 3 } });
    const third = await addFromTracking({ blogger_id: b.id, refetch: true });
    expect(third.body.workflow.instance_id).toBe(`initial-fetch-${b.tracking_id}-r3`);
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', third.body.workflow.instance_id);
  });

  it('raising initial_videos_count fetches up to the new count', async () => {
    const b = await addedAndFetched(3);
    const again = await add({ username: b.username, platform: 'TikTok', initial_videos_count: 8 });
    expect(again.body.workflow).toMatchObject({ instance_id: `initial-fetch-${b.tracking_id}-r2`, created: true, reason: 'initial_count_raised' });
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', again.body.workflow.instance_id);
    expect(await videosOf(b.id)).toBe(8);
  });

  it('after an errored initial fetch, add-from-tracking starts a new one that completes', async () => {
    await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly', times: 1 });
    const first = await add({ username: handle('err'), platform: 'TikTok', initial_videos_count: 5 });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', first.body.workflow.instance_id)).status).toBe('errored');
    const b = first.body.blogger;
    expect(await videosOf(b.id)).toBe(0);

    const retry = await addFromTracking({ blogger_id: b.id });
    expect(retry.status).toBe(201);
    expect(retry.body.workflow).toEqual({ instance_id: `initial-fetch-${b.tracking_id}-r2`, created: true, reason: 'initial_fetch_incomplete' });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', retry.body.workflow.instance_id)).status).toBe('complete');
    expect(await videosOf(b.id)).toBe(5);
    const [t] = await sql`select initial_videos_fetched from tracked_accounts where id = ${b.tracking_id}`;
    expect(t!.initial_videos_fetched).toBe(true);
  });

  it('while a fetch is running, a re-add answers its instance and starts none; a stuck one is replaced', async () => {
    const b = await addedAndFetched(2);
    // simulate a run that is still going (registered, running)
    const running = `initial-fetch-${b.tracking_id}-r7`;
    await sql`insert into workflow_runs (instance_id, workflow, organization_id, trigger, status, params_summary) values (${running}, 'InitialBloggerFetch', ${org.orgId}, 'http', 'running', '{}')`;
    await sql`update tracked_accounts set initial_fetch_instance_id = ${running}, initial_fetch_generation = 7, initial_fetch_requested_at = now() - interval '5 minutes' where id = ${b.tracking_id}`;
    const busy = await addFromTracking({ blogger_id: b.id, refetch: true });
    expect(busy.body.workflow).toEqual({ instance_id: running, created: false, reason: 'in_progress' });

    // hours later it has still not ended: stuck, so the next re-add starts a new run
    await sql`update tracked_accounts set initial_fetch_requested_at = now() - make_interval(mins => ${STUCK_AFTER_MINUTES + 1}) where id = ${b.tracking_id}`;
    const replaced = await addFromTracking({ blogger_id: b.id, refetch: true });
    expect(replaced.body.workflow).toEqual({ instance_id: `initial-fetch-${b.tracking_id}-r8`, created: true, reason: 'requested' });
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', replaced.body.workflow.instance_id);
  });

  it('ten simultaneous re-adds asking for a refetch start exactly one instance', async () => {
    const b = await addedAndFetched(2);
    const answers = await Promise.all(Array.from({ length: 10 }, () => addFromTracking({ blogger_id: b.id, refetch: true })));
    for (const a of answers) expect(a.status).toBe(201);
    const created = answers.filter((a) => a.body.workflow.created);
    expect(created).toHaveLength(1);
    for (const a of answers) expect(a.body.workflow.instance_id).toBe(created[0]!.body.workflow.instance_id);
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', created[0]!.body.workflow.instance_id);
    const [{ n }] = await sql`select count(*)::int as n from workflow_runs where instance_id like ${'initial-fetch-' + b.tracking_id + '%'}`;
    expect(n).toBe(2);
  });
});

describe('BloggerBatch retries initial fetches that never completed', () => {
  it('starts a new InitialBloggerFetch for an errored one, and leaves a running one alone', async () => {
    const batchOrg = await createOrganization(sql, { plan: 'pro' });
    const batchToken = await tokenFor(batchOrg.userId);
    await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly', times: 1 });
    const failed = await call('POST', '/blogger/add', { token: batchToken, body: { username: handle('bfail'), platform: 'TikTok', initial_videos_count: 6 } });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', failed.body.workflow.instance_id)).status).toBe('errored');

    // another blogger whose initial fetch is running right now
    const [bi] = await sql`insert into blogger_information (organization_id, platform, username, external_id) values (${batchOrg.orgId}, 'TikTok', ${handle('busy')}, ${'ext-busy-' + crypto.randomUUID()}) returning id`;
    const [busy] = await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count) values (${batchOrg.orgId}, ${bi!.id}, 5, 5) returning id`;
    const busyRun = `initial-fetch-${busy!.id}`;
    await sql`insert into workflow_runs (instance_id, workflow, organization_id, trigger, status, params_summary) values (${busyRun}, 'InitialBloggerFetch', ${batchOrg.orgId}, 'http', 'running', '{}')`;
    await sql`update tracked_accounts set initial_fetch_instance_id = ${busyRun}, initial_fetch_generation = 1, initial_fetch_requested_at = now() where id = ${busy!.id}`;
    await pauseBloggersOutside(sql, [batchOrg.orgId]);

    const runKey = `2026-02-${String(Math.floor(Math.random() * 28) + 1).padStart(2, '0')}T${String(Math.floor(Math.random() * 24)).padStart(2, '0')}`;
    const id = `blogger-batch-retry-${crypto.randomUUID().slice(0, 8)}`;
    await using instance = await introspectWorkflowInstance(env.BLOGGER_BATCH, id);
    await env.BLOGGER_BATCH.create({ id, params: { runKey, scheduledAt: new Date().toISOString() } });
    await instance.waitForStatus('complete');
    const output = (await instance.getOutput()) as any;
    expect(output.initial_fetch_retries).toBeGreaterThanOrEqual(1);
    expect(output.initial_fetch_in_progress).toBeGreaterThanOrEqual(1);

    const retryId = `initial-fetch-${failed.body.blogger.tracking_id}-b${runKey.replace(/[^0-9]/g, '')}`;
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', retryId)).status).toBe('complete');
    expect(await videosOf(failed.body.blogger.id)).toBe(6);
    const [t] = await sql`select initial_videos_fetched, initial_fetch_instance_id from tracked_accounts where id = ${failed.body.blogger.tracking_id}`;
    expect(t).toEqual({ initial_videos_fetched: true, initial_fetch_instance_id: retryId });
    // no daily fetch for either blogger in this run: the retry replaces it, the running one is left alone
    await expect(env.BLOGGER_DAILY_FETCH.get(`blogger-daily-${failed.body.blogger.tracking_id}-${runKey.replace(/[^0-9]/g, '')}`)).rejects.toThrow();
    await expect(env.BLOGGER_DAILY_FETCH.get(`blogger-daily-${busy!.id}-${runKey.replace(/[^0-9]/g, '')}`)).rejects.toThrow();
    const [busyAfter] = await sql`select initial_fetch_instance_id from tracked_accounts where id = ${busy!.id}`;
    expect(busyAfter!.initial_fetch_instance_id).toBe(busyRun);
  }, 60_000);
});
