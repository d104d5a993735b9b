import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BLOGGER_FETCH_STEPS } from '../../src/workflows/blogger-fetch';
import type { BloggerFetchParams } from '../../src/workflows/params';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, eventually, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

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

async function addBlogger(body: Record<string, unknown>, t = token) {
  return call('POST', '/blogger/add', { token: t, body });
}

describe('POST /blogger/add → InitialBloggerFetch', () => {
  it('saves the requested number of TikTok videos with snapshots and marks the blogger fetched', async () => {
    const res = await addBlogger({ username: handle('creator'), platform: 'TikTok', initial_videos_count: 12, tags: ['ugc'] });
    expect(res.status).toBe(201);
    expect(res.body.success).toBe(true);
    expect(res.body.blogger).toMatchObject({ platform: 'TikTok', is_active: true, initial_videos_count: 12, initial_videos_fetched: false, tags: ['ugc'] });
    const instanceId = res.body.workflow.instance_id;
    expect(instanceId).toBe(`initial-fetch-${res.body.blogger.tracking_id}`);

    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', instanceId);
    expect(status.status).toBe('complete');
    expect(status.output).toMatchObject({ requested: 12, fetched: 12, saved: { videos_inserted: 12, snapshots_inserted: 12 } });

    const videos = await sql`select v.id, v.video_status, v.source, (select count(*)::int from video_statistics s where s.video_id = v.id) as snaps
                             from videos v where v.blogger_id = ${res.body.blogger.id}`;
    expect(videos).toHaveLength(12);
    for (const v of videos) expect(v).toMatchObject({ video_status: 'tracking', source: 'blogger_initial', snaps: 1 });
    const [tracking] = await sql`select initial_videos_fetched, last_scraped_at from tracked_accounts where id = ${res.body.blogger.tracking_id}`;
    expect(tracking!.initial_videos_fetched).toBe(true);
    expect(tracking!.last_scraped_at).not.toBeNull();
    const [run] = await sql`select workflow, status, trigger, organization_id, params_summary, ended_at from workflow_runs where instance_id = ${instanceId}`;
    expect(run).toMatchObject({ workflow: 'InitialBloggerFetch', status: 'complete', trigger: 'http', organization_id: org.orgId });
    expect(run!.params_summary).toMatchObject({ blogger_id: res.body.blogger.id, platform: 'TikTok', video_count: 12 });
    const [usage] = await sql`select videos_fetched from usage_counters where organization_id = ${org.orgId}`;
    expect(usage!.videos_fetched).toBeGreaterThanOrEqual(12);
  });

  it('a double add starts one instance and writes no duplicate rows', async () => {
    const username = handle('twice');
    const first = await addBlogger({ username, platform: 'TikTok', initial_videos_count: 5 });
    const second = await addBlogger({ username, platform: 'TikTok', initial_videos_count: 5 });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.workflow).toMatchObject({ instance_id: first.body.workflow.instance_id, created: false });
    // running still, or already done if the first run was that quick: either way nothing new starts
    expect(['in_progress', 'already_fetched']).toContain(second.body.workflow.reason);
    expect(second.body.blogger.id).toBe(first.body.blogger.id);
    await waitForWorkflow('INITIAL_BLOGGER_FETCH', first.body.workflow.instance_id);
    const [counts] = await sql`
      select (select count(*)::int from blogger_information where organization_id = ${org.orgId} and username = ${username}) as bloggers,
             (select count(*)::int from tracked_accounts where blogger_id = ${first.body.blogger.id}) as trackings,
             (select count(*)::int from videos where blogger_id = ${first.body.blogger.id}) as videos,
             (select count(*)::int from workflow_runs where instance_id = ${first.body.workflow.instance_id}) as runs`;
    expect(counts).toEqual({ bloggers: 1, trackings: 1, videos: 5, runs: 1 });
  });

  it('YouTube: saves uploads without stats, then fetches them in videos.list batches of ≤ 50 via HIGH_PRIORITY', async () => {
    const res = await addBlogger({ username: handle('yt'), platform: 'YouTube', initial_videos_count: 60 });
    expect(res.status).toBe(201);
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', res.body.workflow.instance_id);
    expect(status.output).toMatchObject({ fetched: 60, saved: { videos_inserted: 60, snapshots_inserted: 0 }, queued_for_stats: 60 });
    await eventually(async () => {
      const [r] = await sql`select count(distinct s.video_id)::int as n from video_statistics s join videos v on v.id = s.video_id where v.blogger_id = ${res.body.blogger.id}`;
      return r!.n === 60;
    });
    const statsCalls = (await fakePlatforms.calls()).filter((c) => c.platform === 'youtube' && c.path.endsWith('/videos'));
    expect(statsCalls.length).toBeGreaterThanOrEqual(2);
    for (const c of statsCalls) expect(String(c.query.id).split(',').length).toBeLessThanOrEqual(50);
  });

  it('Instagram videos get their URL from the shortcode', async () => {
    const res = await addBlogger({ username: handle('insta'), platform: 'Instagram', initial_videos_count: 8 });
    expect(res.status).toBe(201);
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', res.body.workflow.instance_id);
    expect(status.status).toBe('complete');
    const videos = await sql`select external_video_id, video_url from videos where blogger_id = ${res.body.blogger.id}`;
    expect(videos.length).toBeGreaterThan(0);
    for (const v of videos) expect(v.video_url).toMatch(/^https:\/\/www\.instagram\.com\/(reel|p)\/[A-Za-z0-9_-]+\/$/);
  });

  it('answers 404 for an unknown handle and 422 for a private account, writing nothing', async () => {
    const unknown = await addBlogger({ username: handle('unknown'), platform: 'TikTok' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/no TikTok account/);
    const priv = await addBlogger({ username: handle('private'), platform: 'Instagram' });
    expect(priv.status).toBe(422);
    expect(priv.body.error.message).toMatch(/private/);
    const [{ n }] = await sql`select count(*)::int as n from blogger_information where organization_id = ${org.orgId} and (username like 'unknown%' or username like 'private%')`;
    expect(n).toBe(0);
  });

  it('validates the body', async () => {
    for (const body of [{ platform: 'TikTok' }, { username: 'a', url: 'https://www.tiktok.com/@a', platform: 'TikTok' }, { username: 'a', platform: 'Vimeo' }, { username: 'a', platform: 'TikTok', initial_videos_count: 0 }]) {
      const res = await addBlogger(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });

  it('refuses more initial videos than the plan allows, with the numbers', async () => {
    const small = await createOrganization(sql, { plan: 'free' });
    const res = await addBlogger({ username: handle('big'), platform: 'TikTok', initial_videos_count: 500 }, await tokenFor(small.userId));
    expect(res.status).toBe(402);
    expect(res.body.error.code).toBe('limit_exceeded');
    expect(res.body.error.details).toMatchObject({ limit: 'max_initial_videos_per_blogger', requested: 500 });
  });

  it('a monthly-quota 429 fails the instance permanently and operators see why', async () => {
    await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind: 'rate_limit_monthly' });
    const res = await addBlogger({ username: handle('quota'), platform: 'TikTok', initial_videos_count: 5 });
    expect(res.status).toBe(201);
    const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', res.body.workflow.instance_id);
    expect(status.status).toBe('errored');
    const [run] = await sql`select status, error from workflow_runs where instance_id = ${res.body.workflow.instance_id}`;
    expect(run!.status).toBe('errored');
    expect(run!.error).toMatch(/quota/i);
    // a permanent error is not retried: the posts endpoint was called once
    expect((await fakePlatforms.calls()).filter((c) => c.path.includes('posts')).length).toBe(1);
  });
});

describe('InitialBloggerFetch retries', () => {
  async function trackingFor(username: string): Promise<BloggerFetchParams> {
    const [b] = await sql`insert into blogger_information (organization_id, platform, username, external_id)
      values (${org.orgId}, 'TikTok', ${username}, ${'ext-' + username}) returning id`;
    const [t] = await sql`insert into tracked_accounts (organization_id, blogger_id, initial_videos_count, daily_videos_count)
      values (${org.orgId}, ${b!.id}, 6, 3) returning id`;
    return { trackingId: t!.id, organizationId: org.orgId, bloggerId: b!.id, platform: 'TikTok', externalId: `ext-${username}`, secUid: null, username, videoCount: 6, userId: org.userId };
  }

  it('a transient page failure is retried by the engine and each snapshot is written once', async () => {
    const params = await trackingFor(handle('flaky'));
    const id = `initial-fetch-${params.trackingId}`;
    await using instance = await introspectWorkflowInstance(env.INITIAL_BLOGGER_FETCH, id);
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
      await m.mockStepError({ name: BLOGGER_FETCH_STEPS.page(1) }, new Error('socket hang up'), 1);
      await m.mockStepError({ name: BLOGGER_FETCH_STEPS.save }, new Error('connection reset'), 1);
    });
    await env.INITIAL_BLOGGER_FETCH.create({ id, params });
    await instance.waitForStatus('complete');
    const [{ videos, snaps }] = await sql`
      select count(distinct v.id)::int as videos, count(s.id)::int as snaps
      from videos v left join video_statistics s on s.video_id = v.id where v.blogger_id = ${params.bloggerId}`;
    expect(videos).toBe(6);
    expect(snaps).toBe(6);
  });

  it.each([
    ['a 5xx', 'server_error'],
    ['a per-second 429', 'rate_limit_second'],
  ] as const)('%s from the platform is retried by the engine and each snapshot is written once', async (_label, kind) => {
    await fakePlatforms.fault({ platform: 'tiktok', path: 'posts', kind, times: 1 });
    const params = await trackingFor(handle(kind.replace(/_/g, '')));
    const id = `initial-fetch-${params.trackingId}`;
    await using instance = await introspectWorkflowInstance(env.INITIAL_BLOGGER_FETCH, id);
    await instance.modify(async (m) => {
      await m.disableRetryDelays();
    });
    await env.INITIAL_BLOGGER_FETCH.create({ id, params });
    await instance.waitForStatus('complete');
    const [{ n }] = await sql`select count(*)::int as n from video_statistics s join videos v on v.id = s.video_id where v.blogger_id = ${params.bloggerId}`;
    expect(n).toBe(6);
    expect((await fakePlatforms.calls()).filter((c) => c.path.includes('posts')).length).toBe(2);
  });

  it('invalid params fail at once without retries', async () => {
    const id = `initial-fetch-bad-${crypto.randomUUID()}`;
    await using instance = await introspectWorkflowInstance(env.INITIAL_BLOGGER_FETCH, id);
    await env.INITIAL_BLOGGER_FETCH.create({ id, params: { trackingId: 'nope' } as unknown as BloggerFetchParams });
    await instance.waitForStatus('errored');
    const [run] = await sql`select workflow, status, error, params_summary from workflow_runs where instance_id = ${id}`;
    expect(run).toMatchObject({ workflow: 'InitialBloggerFetch', status: 'errored', params_summary: { invalid_params: true } });
    expect(run!.error).toMatch(/invalid workflow params: trackingId/);
  });
});
