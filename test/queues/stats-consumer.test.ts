import { createExecutionContext, createMessageBatch, env, getQueueResult } from 'cloudflare:test';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { RateLimitedError, TransientPlatformError } from '../../src/platforms';
import { consumeStatsBatch, retryDelaySeconds } from '../../src/queues/stats-consumer';
import type { SingleVideoMessage, VideoBatchMessage } from '../../src/domain/stats-messages';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { eventually } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';

const sql = adminSql();
let org: Fixture;

beforeAll(async () => {
  org = await createOrganization(sql);
});
beforeEach(async () => {
  await fakePlatforms.reset();
});

const digits = () => `74${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;
const ytId = () => crypto.randomUUID().replace(/-/g, '').slice(0, 11);

async function insertVideo(platform: 'TikTok' | 'YouTube' | 'Instagram', externalId: string, status = 'tracking') {
  const url = platform === 'YouTube' ? `https://www.youtube.com/watch?v=${externalId}` : `https://www.tiktok.com/@c/video/${externalId}`;
  const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
    values (${org.orgId}, ${platform}, ${externalId}, ${url}, ${status}) returning id, video_url`;
  return v as { id: string; video_url: string };
}

function single(videoId: string, externalId: string, url: string): SingleVideoMessage {
  return {
    type: 'single_video',
    video_id: videoId,
    video: { organization_id: org.orgId, video_url: url, initial_url: url, platform: 'TikTok', external_video_id: externalId, user_id: org.userId },
    source: 'test',
    priority: 'high',
  };
}

function ytBatch(ids: { id: string; url: string }[], n = 1): VideoBatchMessage {
  return {
    type: 'video_batch',
    platform: 'youtube',
    videos: ids.map((v) => ({ videoUrl: v.url, userId: org.userId, organizationId: org.orgId, externalVideoId: v.id })),
    priority: 'low',
    batchNumber: n,
    totalBatches: 2,
    batchSize: ids.length,
    enqueuedAt: new Date().toISOString(),
    requestId: `test-${n}`,
  };
}

async function deliver(queue: string, messages: { id: string; body: unknown; attempts?: number }[]) {
  const batch = createMessageBatch(queue, messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts ?? 1, body: m.body })));
  const ctx = createExecutionContext();
  await worker.queue(batch, env, ctx);
  return getQueueResult(batch, ctx);
}

describe('retry delays', () => {
  it('honour a rate limit’s retry-after, else back off ×4 from 1.5 s', () => {
    expect(retryDelaySeconds(new RateLimitedError('TikTok', 'slow down', 429, 7), 1)).toBe(7);
    expect([1, 2, 3].map((attempt) => retryDelaySeconds(new TransientPlatformError('TikTok', '502'), attempt))).toEqual([2, 6, 24]);
  });
});

describe('stats consumer', () => {
  it('writes one snapshot per fetch: a redelivered message adds none, a new fetch adds one', async () => {
    const ext = digits();
    const v = await insertVideo('TikTok', ext);
    const msg = single(v.id, ext, v.video_url);
    const first = await deliver('influtics-high-priority', [{ id: 'msg-a', body: msg }]);
    expect(first.explicitAcks).toEqual(['msg-a']);
    await deliver('influtics-high-priority', [{ id: 'msg-a', body: msg, attempts: 2 }]);
    expect((await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`)[0]!.n).toBe(1);
    // a later fetch (past the freshness window, test/queues/freshness.test.ts) adds one
    await sql`update video_statistics set created_at = now() - interval '31 minutes' where video_id = ${v.id}`;
    await deliver('influtics-high-priority', [{ id: 'msg-b', body: msg }]);
    expect((await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`)[0]!.n).toBe(2);
  });

  it('fetches a delivered batch of YouTube messages in calls of at most 50 ids and writes them all', async () => {
    const videos = await Promise.all(Array.from({ length: 70 }, async () => {
      const id = ytId();
      const row = await insertVideo('YouTube', id);
      return { id, url: row.video_url, videoId: row.id };
    }));
    const res = await deliver('influtics-low-priority', [
      { id: 'yt-1', body: ytBatch(videos.slice(0, 35), 1) },
      { id: 'yt-2', body: ytBatch(videos.slice(35), 2) },
    ]);
    expect(res.explicitAcks.sort()).toEqual(['yt-1', 'yt-2']);
    const calls = (await fakePlatforms.calls()).filter((c) => c.platform === 'youtube' && c.path.endsWith('/videos'));
    expect(calls.length).toBe(2);
    for (const c of calls) expect(String(c.query.id).split(',').length).toBeLessThanOrEqual(50);
    const [{ n }] = await sql`select count(distinct video_id)::int as n from video_statistics where video_id = any(${videos.map((v) => v.videoId)}::uuid[])`;
    expect(n).toBe(70);
  });

  it('reads freshness, writes and evaluates alerts for any delivered batch in three database round trips, whatever its size', async () => {
    const make = async (n: number) => Promise.all(Array.from({ length: n }, async () => {
      const id = ytId();
      const row = await insertVideo('YouTube', id);
      return { id, url: row.video_url };
    }));
    const small = await make(1);
    const large = await make(100);
    const outcome = async (messages: { id: string; body: unknown }[]) =>
      consumeStatsBatch(createMessageBatch('influtics-low-priority', messages.map((m) => ({ ...m, timestamp: new Date(), attempts: 1 }))), env);
    const one = await outcome([{ id: 'rt-1', body: ytBatch(small) }]);
    const many = await outcome([{ id: 'rt-2', body: ytBatch(large.slice(0, 50)) }, { id: 'rt-3', body: ytBatch(large.slice(50), 2) }]);
    expect(one).toMatchObject({ snapshots_inserted: 1, db_round_trips: 3 }); // the freshness read, the write, the alert statement
    expect(many).toMatchObject({ snapshots_inserted: 100, db_round_trips: 3 });
  });

  it('marks a video the platform no longer returns as deleted, and restores it when it returns', async () => {
    const id = ytId();
    const v = await insertVideo('YouTube', id);
    await fakePlatforms.markDeleted([id]);
    await deliver('influtics-low-priority', [{ id: 'del-1', body: ytBatch([{ id, url: v.video_url }]) }]);
    const [gone] = await sql`select video_status, deleted_at from videos where id = ${v.id}`;
    expect(gone!.video_status).toBe('deleted');
    expect(gone!.deleted_at).not.toBeNull();
    await fakePlatforms.reset();
    await deliver('influtics-low-priority', [{ id: 'del-2', body: ytBatch([{ id, url: v.video_url }]) }]);
    const [back] = await sql`select video_status, deleted_at from videos where id = ${v.id}`;
    expect(back).toEqual({ video_status: 'tracking', deleted_at: null });
  });

  it('retries a message after a per-second 429 with a delay, writing nothing', async () => {
    const ext = digits();
    const v = await insertVideo('TikTok', ext);
    await fakePlatforms.fault({ platform: 'tiktok', kind: 'rate_limit_second', times: 1 });
    const res = await deliver('influtics-high-priority', [{ id: 'rl-1', body: single(v.id, ext, v.video_url) }]);
    expect(res.retryMessages).toHaveLength(1);
    expect(res.retryMessages[0]!.msgId).toBe('rl-1');
    expect((await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`)[0]!.n).toBe(0);
    // the retry (same message id) succeeds and writes exactly one snapshot
    const again = await deliver('influtics-high-priority', [{ id: 'rl-1', body: single(v.id, ext, v.video_url), attempts: 2 }]);
    expect(again.explicitAcks).toEqual(['rl-1']);
    expect((await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`)[0]!.n).toBe(1);
  });

  it('dead-letters a message on a monthly quota 429 and records it for operators', async () => {
    const ext = digits();
    const v = await insertVideo('TikTok', ext);
    await fakePlatforms.fault({ platform: 'tiktok', kind: 'rate_limit_monthly' });
    const res = await deliver('influtics-high-priority', [{ id: 'quota-1', body: single(v.id, ext, v.video_url) }]);
    expect(res.retryMessages).toEqual([]);
    expect(res.explicitAcks).toEqual(['quota-1']);
    const row = await eventually(async () => {
      const [r] = await sql`select error_code, reason, organization_id, source_queue from dead_letters where body->'video'->>'external_video_id' = ${ext}`;
      return r;
    });
    expect(row).toMatchObject({ organization_id: org.orgId, source_queue: 'influtics-high-priority' });
    expect(row.error_code).toMatch(/quota/);
    expect(row.reason).toMatch(/MONTHLY/);
  });

  it('dead-letters a malformed message without touching the others in the batch', async () => {
    const ext = digits();
    const v = await insertVideo('TikTok', ext);
    const res = await deliver('influtics-high-priority', [
      { id: 'bad-1', body: { type: 'single_video', video_id: 'nope' } },
      { id: 'good-1', body: single(v.id, ext, v.video_url) },
    ]);
    expect(res.explicitAcks.sort()).toEqual(['bad-1', 'good-1']);
    expect((await sql`select count(*)::int as n from video_statistics where video_id = ${v.id}`)[0]!.n).toBe(1);
    await eventually(async () => (await sql`select 1 from dead_letters where message_id like '%' and error_code = 'invalid_message' and body->>'video_id' = 'nope'`).length > 0);
  });
});
