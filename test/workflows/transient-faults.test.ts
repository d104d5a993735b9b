import { env, introspectWorkflow } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TRANSIENT_RETRY_POLICY, transientRetryDelayMs } from '../../src/steps/platform-step';
import { adminSql, createOrganization } from '../helpers/db';
import { call, eventually, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';
import { waitForWorkflow } from '../helpers/workflows';

const sql = adminSql();

describe('the transient retry policy', () => {
  it('backs off exponentially from 5 s to a 5-minute cap over 10 attempts, and honours Retry-After', () => {
    const delays = Array.from({ length: TRANSIENT_RETRY_POLICY.attempts - 1 }, (_, i) => transientRetryDelayMs(i + 1, new Error('TransientPlatformError (platform_unavailable): TikTok answered 502')));
    expect(delays).toEqual([5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(delays.reduce((a, b) => a + b, 0)).toBe(1_215_000); // ≈ 20 minutes of patience per step
    expect(transientRetryDelayMs(6, new Error('RateLimitedError (rate_limited): slow down [retry-after=3s]'))).toBe(3_000);
    expect(transientRetryDelayMs(1, new Error('x [retry-after=0.2s]'))).toBe(1_000); // at least a second
    expect(transientRetryDelayMs(1, new Error('x [retry-after=86400s]'))).toBe(300_000); // never past the cap
  });
});

describe('blogger fetches under random transient faults (30 % of platform calls, seeded)', () => {
  beforeEach(async () => {
    await fakePlatforms.reset();
  });
  afterEach(async () => {
    await fakePlatforms.reset();
  });

  it('every blogger is fetched, every video snapshotted, and no run errors', async () => {
    const org = await createOrganization(sql, { plan: 'pro' });
    const token = await tokenFor(org.userId);
    await using introspector = await introspectWorkflow(env.INITIAL_BLOGGER_FETCH);
    // the backoff is the engine's: skip its waits, keep its attempts
    await introspector.modifyAll(async (m) => {
      await m.disableSleeps();
      await m.disableRetryDelays();
    });
    // Profile lookups run inside the HTTP request (a fault there is the caller's 503 to retry);
    // everything the workflows and the stats queue call is under chaos.
    await fakePlatforms.chaos({ rate: 0.3, seed: 1, except: ['/user/info', '/v1/info', '/channels'] });

    // ≈ 45 page steps (TikTok 35 per page, Instagram 12, YouTube 50) plus the queue's stats calls.
    // With seed 1, one TikTok page call fails 3 times in a row: under the seed's old policy (2
    // retries) that run ended `errored` (checked when this test was written); 10 attempts finish it.
    const wanted = [
      ['TikTok', 100], ['TikTok', 100], ['TikTok', 70], ['Instagram', 60], ['Instagram', 60], ['Instagram', 48],
      ['YouTube', 100], ['YouTube', 100], ['YouTube', 60],
    ] as const;
    const added = [];
    // fixed handles (the organization is new): with the seed they fix which attempts of which call fail
    for (const [i, [platform, count]] of wanted.entries()) {
      const res = await call('POST', '/blogger/add', { token, body: { username: `chaos_${platform.toLowerCase()}_${i}`, platform, initial_videos_count: count } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      added.push({ ...res.body.blogger, count });
    }
    for (const b of added) {
      const status = await waitForWorkflow('INITIAL_BLOGGER_FETCH', `initial-fetch-${b.tracking_id}`, 90_000);
      expect(status.status, JSON.stringify(status)).toBe('complete');
    }

    const [runs] = await sql`select count(*) filter (where status = 'errored')::int as errored, count(*) filter (where status = 'complete')::int as complete
                             from workflow_runs where organization_id = ${org.orgId}`;
    expect(runs).toEqual({ errored: 0, complete: wanted.length });
    for (const b of added) {
      const [t] = await sql`select t.initial_videos_fetched, (select count(*)::int from videos v where v.blogger_id = t.blogger_id) as videos
                            from tracked_accounts t where t.id = ${b.tracking_id}`;
      expect(t, b.platform).toEqual({ initial_videos_fetched: true, videos: b.count });
    }
    // YouTube's stats come through the HIGH_PRIORITY queue, which retries under the same chaos
    const total = wanted.reduce((n, [, c]) => n + c, 0);
    await eventually(async () => {
      const [r] = await sql`select count(*)::int as videos, count(*) filter (where exists (select 1 from video_statistics s where s.video_id = v.id))::int as snapshotted
                            from videos v where v.organization_id = ${org.orgId}`;
      return r!.videos === total && r!.snapshotted === total;
    }, { timeoutMs: 90_000, intervalMs: 500 });

    const chaos = await fakePlatforms.chaosStats();
    const injected = Object.values(chaos.injected ?? {}).reduce((a, b) => a + b, 0);
    expect(injected).toBeGreaterThanOrEqual(3); // the runs did meet faults…
    expect(injected / chaos.calls!).toBeGreaterThan(0.1); // …at about the rate asked for
    console.log(JSON.stringify({ event: 'chaos_summary', calls: chaos.calls, injected: chaos.injected }));
  }, 200_000);
});
