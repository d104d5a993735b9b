import { env, introspectWorkflowInstance } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildVideoBatchMessages, chunkForSendBatch, SEND_BATCH_MAX_BYTES } from '../../src/steps/stats-fan-out';
import { VideoBatchMessage } from '../../src/domain/stats-messages';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { eventually } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';

const sql = adminSql();

describe('video_batch messages', () => {
  const videos = (platform: 'TikTok' | 'Instagram' | 'YouTube', n: number) =>
    Array.from({ length: n }, (_, i) => ({ organizationId: crypto.randomUUID(), platform, externalVideoId: `${platform}-${i}`, videoUrl: `https://x/${i}`, userId: null }));

  it('splits by platform into each platform’s batch size, in the legacy shape', () => {
    const messages = buildVideoBatchMessages([...videos('YouTube', 120), ...videos('TikTok', 25)], { priority: 'low', requestId: 'r', fetchKey: 'nightly-2026-11-22' });
    const yt = messages.filter((m) => m.platform === 'youtube');
    const tt = messages.filter((m) => m.platform === 'tiktok');
    expect(yt.map((m) => m.videos.length)).toEqual([50, 50, 20]);
    expect(tt.map((m) => m.videos.length)).toEqual([10, 10, 5]);
    expect(yt.map((m) => [m.batchNumber, m.totalBatches])).toEqual([[1, 3], [2, 3], [3, 3]]);
    for (const m of messages) {
      expect(VideoBatchMessage.parse(m)).toEqual(m);
      expect(m).toMatchObject({ type: 'video_batch', priority: 'low', fetchKey: 'nightly-2026-11-22' });
      expect(m.batchSize).toBe(m.videos.length);
    }
  });

  it('groups sends within 100 messages and 256 KB per sendBatch', () => {
    const big = buildVideoBatchMessages(videos('YouTube', 50 * 150).map((v) => ({ ...v, videoUrl: `https://www.youtube.com/watch?v=${'x'.repeat(200)}` })), { priority: 'low', requestId: 'r' });
    const chunks = chunkForSendBatch(big);
    expect(chunks.flat()).toHaveLength(big.length);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(100);
      expect(new TextEncoder().encode(JSON.stringify(chunk)).byteLength).toBeLessThanOrEqual(SEND_BATCH_MAX_BYTES);
    }
    expect(chunks.length).toBeGreaterThan(Math.ceil(big.length / 100)); // the byte limit, not the count, decided
  });
});

describe('NightlyRefresh workflow', () => {
  let org: Fixture;
  let ruleless: Fixture;
  let rulelessVideo: string;
  const ids: { id: string; platform: string }[] = [];

  beforeAll(async () => {
    await fakePlatforms.reset();
    org = await createOrganization(sql);
    // 230 stale tracking videos across the platforms → at least 3 pages of 100
    const rows = Array.from({ length: 230 }, (_, i) => {
      const platform = (['TikTok', 'Instagram', 'YouTube'] as const)[i % 3]!;
      const ext = platform === 'YouTube' ? `n${crypto.randomUUID().replace(/-/g, '').slice(0, 10)}` : platform === 'Instagram' ? `30${String(Math.floor(Math.random() * 1e17)).padStart(17, '0')}` : `75${String(Math.floor(Math.random() * 1e17)).padStart(17, '0')}`;
      return { platform, ext };
    });
    const inserted = await sql`
      insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      select ${org.orgId}, p::platform, e, 'https://example.test/' || e, 'tracking'
      from unnest(${rows.map((r) => r.platform)}::text[], ${rows.map((r) => r.ext)}::text[]) as u(p, e)
      returning id, platform`;
    ids.push(...(inserted as any));
    // one fresh video (snapshot 1 h old) must not be refreshed; one stopped video neither
    await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
              select organization_id, id, external_video_id, 1, 'old', now() - interval '1 hour' from videos where id = ${ids[0]!.id}`;
    await sql`update videos set video_status = 'stopped' where id = ${ids[1]!.id}`;
    // a viral alert rule: the run prepares today's growth baselines of the creators it pages
    await sql`insert into alert_rules (organization_id, type, params) values (${org.orgId}, 'viral', '{"k": 3}')`;
    // an organization without one: nothing prepared for its videos
    ruleless = await createOrganization(sql);
    const [r] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      values (${ruleless.orgId}, 'TikTok', ${`76${String(Math.floor(Math.random() * 1e17)).padStart(17, '0')}`}, 'https://example.test/ruleless', 'tracking') returning id`;
    rulelessVideo = r!.id;
  });

  it('pages videos_needing_update, fans out LOW_PRIORITY batches and the consumer writes one snapshot each', async () => {
    const id = `nightly-refresh-test-${crypto.randomUUID().slice(0, 8)}`;
    await using instance = await introspectWorkflowInstance(env.NIGHTLY_REFRESH, id);
    await env.NIGHTLY_REFRESH.create({ id, params: { runKey: '2026-11-22T00', scheduledAt: new Date().toISOString(), pageSize: 100 } });
    await instance.waitForStatus('complete');
    const output = (await instance.getOutput()) as any;
    expect(output.pages).toBeGreaterThanOrEqual(3);
    expect(output.videos).toBeGreaterThanOrEqual(228);
    expect(output.fetch_key).toBe('nightly-2026-11-22');

    const wanted = ids.slice(2).map((v) => v.id);
    await eventually(async () => {
      const [r] = await sql`select count(distinct video_id)::int as n from video_statistics where video_id = any(${wanted}::uuid[]) and fetch_key = 'nightly-2026-11-22'`;
      return r!.n === wanted.length;
    }, { timeoutMs: 50_000, intervalMs: 500 });
    const [fresh] = await sql`select count(*)::int as n from video_statistics where video_id = ${ids[0]!.id}`;
    expect(fresh!.n).toBe(1);
    const [stopped] = await sql`select count(*)::int as n from video_statistics where video_id = ${ids[1]!.id}`;
    expect(stopped!.n).toBe(0);
    const ytCalls = (await fakePlatforms.calls()).filter((c) => c.platform === 'youtube' && c.path.endsWith('/videos'));
    for (const c of ytCalls) expect(String(c.query.id).split(',').length).toBeLessThanOrEqual(50);

    // every paged video of the organization with a viral rule has today's baseline (no blogger: the
    // video is its own creator; no history yet: no median), the organization without one none
    const baselines = await sql`select creator_id, median from creator_growth_baselines where day = current_date and creator_id = any(${wanted}::uuid[])`;
    expect(baselines).toHaveLength(wanted.length);
    expect(baselines.every((b) => b.median === null)).toBe(true);
    expect(await sql`select 1 from creator_growth_baselines where creator_id in (${ids[0]!.id}, ${rulelessVideo})`).toHaveLength(0);
  }, 60_000);

  it('the 01:00 rerun re-sends nothing it has already refreshed, and its copies write no second snapshot', async () => {
    const id = `nightly-refresh-test-${crypto.randomUUID().slice(0, 8)}`;
    await using instance = await introspectWorkflowInstance(env.NIGHTLY_REFRESH, id);
    await env.NIGHTLY_REFRESH.create({ id, params: { runKey: '2026-11-22T01', scheduledAt: new Date().toISOString(), pageSize: 100 } });
    await instance.waitForStatus('complete');
    const [r] = await sql`select count(*)::int as n, count(distinct video_id)::int as d from video_statistics where organization_id = ${org.orgId} and fetch_key = 'nightly-2026-11-22'`;
    expect(r!.n).toBe(r!.d);
  });

  it('a failing baseline statement costs the night nothing: the run completes and its videos are refreshed', async () => {
    // a stale video of the organization with a viral rule, and the baselines' function made to fail
    const [v] = await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      values (${org.orgId}, 'TikTok', ${`77${String(Math.floor(Math.random() * 1e17)).padStart(17, '0')}`}, 'https://example.test/baseline-fault', 'tracking') returning id`;
    await sql`alter function private.creator_growth_median(uuid, uuid, uuid, date) rename to creator_growth_median_away`;
    try {
      const id = `nightly-refresh-test-${crypto.randomUUID().slice(0, 8)}`;
      await using instance = await introspectWorkflowInstance(env.NIGHTLY_REFRESH, id);
      await env.NIGHTLY_REFRESH.create({ id, params: { runKey: '2026-11-23T00', scheduledAt: new Date().toISOString(), pageSize: 100 } });
      await instance.waitForStatus('complete');
      await eventually(async () => (await sql`select 1 from video_statistics where video_id = ${v!.id} and fetch_key = 'nightly-2026-11-23'`).length === 1, { timeoutMs: 50_000, intervalMs: 500 });
      expect(await sql`select 1 from creator_growth_baselines where creator_id = ${v!.id}`).toHaveLength(0);
    } finally {
      await sql`alter function private.creator_growth_median_away(uuid, uuid, uuid, date) rename to creator_growth_median`;
    }
  }, 60_000);
});
