import { createExecutionContext, createMessageBatch, env, getQueueResult, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { createSql } from '../../src/db/client';
import { videosNeedingUpdatePage } from '../../src/db/refresh';
import { freshnessMinutes } from '../../src/steps/freshness';
import { buildVideoBatchMessages } from '../../src/steps/stats-fan-out';
import type { SingleVideoMessage } from '../../src/domain/stats-messages';
import { adminSql, createOrganization, pauseBloggersOutside, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

/**
 * "Fetch each video once per freshness window" (STATS_FRESHNESS_MINUTES, default 30): the calls
 * another path would repeat within minutes are not made. Each scenario counts the calls the fake
 * platform server received, with the window and (the same scenario on other videos) without it.
 */
const sql = adminSql();
const digits = (p: string) => `${p}${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;
const ytId = () => crypto.randomUUID().replace(/-/g, '').slice(0, 11);

beforeEach(async () => {
  await fakePlatforms.reset();
});

async function deliver(queue: string, bodies: unknown[], e: Env) {
  const batch = createMessageBatch(queue, bodies.map((body) => ({ id: crypto.randomUUID(), timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, e, ctx);
  return getQueueResult(batch, ctx);
}
const chunks = <T,>(xs: T[], n: number) => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Stats calls the fake received after call number `since` (files run one at a time, so they are ours). */
async function statsCallsSince(since: number) {
  const calls = (await fakePlatforms.calls()).slice(since);
  return calls.filter((c) => (c.platform === 'tiktok' && c.path === '/') || (c.platform === 'instagram' && c.path === '/v1/post_info') || (c.platform === 'youtube' && c.path === '/videos')).length;
}

/**
 * Videos start-tracked while the nightly refresh runs: the nightly reads them (no snapshot yet),
 * then the HIGH_PRIORITY start-tracking messages are processed, then the nightly's LOW_PRIORITY
 * messages. Returns the platform calls made for these videos.
 */
async function startTrackingDuringNightly(org: Fixture, e: Env) {
  const made = [
    ...Array.from({ length: 20 }, () => ({ platform: 'TikTok' as const, ext: digits('75'), url: (x: string) => `https://www.tiktok.com/@f/video/${x}` })),
    ...Array.from({ length: 10 }, () => ({ platform: 'Instagram' as const, ext: digits('31'), url: (x: string) => `https://www.instagram.com/p/${x}/` })),
    ...Array.from({ length: 20 }, () => ({ platform: 'YouTube' as const, ext: ytId(), url: (x: string) => `https://www.youtube.com/watch?v=${x}` })),
  ];
  const videos = await sql<{ id: string; platform: 'TikTok' | 'Instagram' | 'YouTube'; external_video_id: string; video_url: string }[]>`
    insert into videos (organization_id, platform, external_video_id, video_url, video_status, tracking_started_at)
    select ${org.orgId}, p::platform, e, u, 'tracking', now()
    from unnest(${made.map((m) => m.platform)}::text[], ${made.map((m) => m.ext)}::text[], ${made.map((m) => m.url(m.ext))}::text[]) as x(p, e, u)
    returning id, platform, external_video_id, video_url`;
  const ours = new Set(videos.map((v) => v.id));
  const since = (await fakePlatforms.calls()).length;

  // 1. the nightly pages videos_needing_update (they have no snapshot yet, so they are in it)
  const rows = [];
  for (let cursor: string | null = null; ;) {
    const page = await videosNeedingUpdatePage(createSql(env), cursor, 1000);
    rows.push(...page.filter((r) => ours.has(r.id)));
    if (page.length < 1000) break;
    cursor = page.at(-1)!.id;
  }
  expect(rows).toHaveLength(videos.length);
  const nightly = buildVideoBatchMessages(
    rows.map((r) => ({ videoId: r.id, organizationId: r.organization_id, platform: r.platform, externalVideoId: r.external_video_id, videoUrl: r.video_url, userId: null })),
    { priority: 'low', requestId: 'nightly-freshness', fetchKey: `nightly-${crypto.randomUUID().slice(0, 8)}` },
  );
  // 2. the start-tracking messages, still queued when the nightly read, are processed (batches of 10)
  const singles: SingleVideoMessage[] = videos.map((v) => ({
    type: 'single_video', video_id: v.id, source: 'dashboard-start-tracking', priority: 'high',
    video: { organization_id: org.orgId, video_url: v.video_url, initial_url: v.video_url, platform: v.platform, external_video_id: v.external_video_id, user_id: org.userId },
  }));
  for (const batch of chunks(singles, 10)) await deliver('influtics-high-priority', batch, e);
  // 3. then the nightly's messages (LOW_PRIORITY, batches of up to 100)
  for (const batch of chunks(nightly, 100)) await deliver('influtics-low-priority', batch, e);

  const snapshots = await sql`select v.id, count(s.id)::int as n from videos v left join video_statistics s on s.video_id = v.id
                              where v.organization_id = ${org.orgId} group by v.id`;
  return { calls: await statsCallsSince(since), videos: videos.length, snapshots };
}

describe('the freshness window', () => {
  it('defaults to 30 minutes; 0 turns it off; anything else is refused plainly', () => {
    expect(freshnessMinutes({})).toBe(30);
    expect(freshnessMinutes({ STATS_FRESHNESS_MINUTES: '45' })).toBe(45);
    expect(freshnessMinutes({ STATS_FRESHNESS_MINUTES: '0' })).toBe(0);
    expect(() => freshnessMinutes({ STATS_FRESHNESS_MINUTES: 'soon' })).toThrow(/STATS_FRESHNESS_MINUTES must be a whole number/);
    expect(freshnessMinutes(env)).toBe(30);
  });

  it('a start-tracking fetch and the nightly refresh fetch each video once', async () => {
    const withWindow = await startTrackingDuringNightly(await createOrganization(sql), env);
    for (const s of withWindow.snapshots) expect(s.n).toBe(1);
    const without = await startTrackingDuringNightly(await createOrganization(sql), { ...env, STATS_FRESHNESS_MINUTES: '0' } as unknown as Env);
    for (const s of without.snapshots) expect(s.n).toBe(2);
    // 20 TikTok + 10 Instagram singles (1 call each) + 20 YouTube singles (2 batched calls of 10)
    expect(withWindow.calls).toBe(32);
    // without the window the nightly's messages fetch all 50 again: 20 + 10 + 1 more calls
    expect(without.calls).toBe(63);
    console.log(JSON.stringify({ event: 'freshness_scenario', scenario: 'start-tracking during nightly', videos: withWindow.videos, calls_with_window: withWindow.calls, calls_without: without.calls, saved: without.calls - withWindow.calls }));
  });

  it('a BloggerBatch leaves a blogger whose initial fetch ran minutes ago', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const token = await tokenFor(org.userId);
    const username = `fresh_${crypto.randomUUID().slice(0, 8)}`;
    const added = await call('POST', '/blogger/add', { token, body: { username, platform: 'TikTok', initial_videos_count: 30, daily_videos_count: 30 } });
    expect((await waitForWorkflow('INITIAL_BLOGGER_FETCH', added.body.workflow.instance_id)).status).toBe('complete');
    const listing = async () => (await fakePlatforms.calls()).filter((c) => c.platform === 'tiktok' && c.path === '/user/posts').length;
    const before = await listing();
    await pauseBloggersOutside(sql, [org.orgId]);

    const runKey = `2026-03-${String(Math.floor(Math.random() * 28) + 1).padStart(2, '0')}T${String(Math.floor(Math.random() * 24)).padStart(2, '0')}`;
    const id = `blogger-batch-fresh-${crypto.randomUUID().slice(0, 8)}`;
    await using instance = await introspectWorkflowInstance(env.BLOGGER_BATCH, id);
    await env.BLOGGER_BATCH.create({ id, params: { runKey, scheduledAt: new Date().toISOString() } });
    await instance.waitForStatus('complete');
    expect(((await instance.getOutput()) as any).fetched_recently).toBeGreaterThanOrEqual(1);
    await expect(env.BLOGGER_DAILY_FETCH.get(`blogger-daily-${added.body.blogger.tracking_id}-${runKey.replace(/[^0-9]/g, '')}`)).rejects.toThrow();

    // past the window, the next batch fetches it as usual
    await sql`update tracked_accounts set last_scraped_at = now() - interval '31 minutes' where id = ${added.body.blogger.tracking_id}`;
    const later = `${runKey.slice(0, 11)}${String((Number(runKey.slice(11)) + 1) % 24).padStart(2, '0')}`;
    const id2 = `blogger-batch-fresh-${crypto.randomUUID().slice(0, 8)}`;
    await env.BLOGGER_BATCH.create({ id: id2, params: { runKey: later, scheduledAt: new Date().toISOString() } });
    const child = `blogger-daily-${added.body.blogger.tracking_id}-${later.replace(/[^0-9]/g, '')}`;
    await waitForWorkflow('BLOGGER_BATCH', id2, 60_000);
    expect((await waitForWorkflow('BLOGGER_DAILY_FETCH', child, 60_000)).status).toBe('complete');
    expect(await listing()).toBeGreaterThan(before);
  }, 120_000);
});
