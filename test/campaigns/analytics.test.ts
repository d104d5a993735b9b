import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { c, createCampaignFixture, insertSnapshots, insertVideo, type CampaignFixture } from './fixtures';

// Every expected number below is computed by hand from the snapshots listed in ./fixtures.ts.
const sql = adminSql();
let f: CampaignFixture;
let token: string;
const get = (path: string) => call('GET', path, { token });

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  token = await tokenFor(f.owner.userId);
});

describe('GET /campaigns/:id/stats', () => {
  it('increments over the campaign dates: growth since the start, a mid-campaign video only since tracking started', async () => {
    const res = await get(`/campaigns/${f.campaignId}/stats?mode=increments`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      campaign_id: f.campaignId,
      mode: 'increments',
      from: '2026-03-02',
      to: '2026-03-08',
      currency: 'USD',
      videos: { count: 5, with_stats: 3 },
      // V1 4000 250 30 10 20 + V2 2000 100 20 5 15 + V3 0
      stats: c(6000, 350, 50, 15, 35),
      budget: { campaign: 1200, videos: 550, effective: 1200, source: 'campaign' },
      metrics: {
        cpm: 200, // 1200 / 6000 × 1000
        cpv: 0.2, // 1200 / 6000
        cpe: 2.666667, // 1200 / 450
        engagement_rate: 0.075, // 450 / 6000
      },
    });
  });

  it('totals on the end date (carried forward over missing days)', async () => {
    const res = await get(`/campaigns/${f.campaignId}/stats?mode=totals`);
    expect(res.status).toBe(200);
    expect(res.body.stats).toEqual(c(58000, 5500, 570, 125, 445));
    expect(res.body.metrics).toEqual({
      cpm: 20.689655, // 1200 / 58000 × 1000 = 20.6896551…
      cpv: 0.02069, // 0.0206896…
      cpe: 0.180723, // 1200 / 6640 = 0.1807228…
      engagement_rate: 0.114483, // 6640 / 58000 = 0.1144827…
    });
  });

  it('mode defaults to totals; an explicit range overrides the campaign dates', async () => {
    const totals = await get(`/campaigns/${f.campaignId}/stats`);
    expect(totals.body.mode).toBe('totals');
    expect(totals.body.stats).toEqual(c(58000, 5500, 570, 125, 445));
    // 03-05..03-06: V1 6000-3000 (end of 03-04 carries 03-02's 3000), V2 52000-50800, V3 0
    const mid = await get(`/campaigns/${f.campaignId}/stats?mode=increments&from=2026-03-05&to=2026-03-06`);
    expect(mid.body).toMatchObject({ from: '2026-03-05', to: '2026-03-06', stats: c(3000 + 1200, 200 + 60, 20 + 10, 8 + 3, 16 + 7) });
    // totals on 03-10 include V5 (its first snapshot is that day) and V1's 03-09 value
    const later = await get(`/campaigns/${f.campaignId}/stats?mode=totals&to=2026-03-10`);
    expect(later.body.stats).toEqual(c(9000 + 52000 + 0 + 700, 500 + 5100 + 70, 60 + 520 + 7, 25 + 105 + 1, 40 + 415 + 2));
    expect(later.body.videos).toEqual({ count: 5, with_stats: 4 });
  });

  it('a range before any snapshot counts nothing and has no metrics (no Infinity, no NaN)', async () => {
    const res = await get(`/campaigns/${f.campaignId}/stats?mode=increments&from=2026-01-01&to=2026-01-31`);
    expect(res.status).toBe(200);
    expect(res.body.videos).toEqual({ count: 5, with_stats: 0 });
    expect(res.body.stats).toEqual(c(0, 0, 0, 0, 0));
    expect(res.body.metrics).toEqual({ cpm: null, cpv: null, cpe: null, engagement_rate: null });
  });

  it('consecutive ranges add up to the whole range', async () => {
    const whole = await get(`/campaigns/${f.campaignId}/stats?mode=increments&from=2026-03-02&to=2026-03-08`);
    const a = await get(`/campaigns/${f.campaignId}/stats?mode=increments&from=2026-03-02&to=2026-03-04`);
    const b = await get(`/campaigns/${f.campaignId}/stats?mode=increments&from=2026-03-05&to=2026-03-08`);
    for (const k of ['views', 'likes', 'comments', 'reposts', 'saves'] as const) expect(a.body.stats[k] + b.body.stats[k]).toBe(whole.body.stats[k]);
  });

  it('rejects a bad mode, a malformed date and from after to', async () => {
    for (const q of ['mode=sum', 'from=2026-3-1', 'to=tomorrow', 'from=2026-03-09&to=2026-03-01']) {
      const res = await get(`/campaigns/${f.campaignId}/stats?${q}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
  });
});

describe('budget: the campaign budget wins, else the sum of the videos’ budgets', () => {
  it('uses the videos’ budgets when the campaign has none, and no cost metrics when nobody set a budget', async () => {
    const [camp] = await sql`insert into campaigns (organization_id, name) values (${f.owner.orgId}, 'No budget') returning id`;
    const v = await insertVideo(sql, f.owner.orgId, { campaignId: camp!.id, budget: 40 });
    const w = await insertVideo(sql, f.owner.orgId, { campaignId: camp!.id, budget: 10 });
    await insertSnapshots(sql, f.owner.orgId, v, [['2026-03-02T10:00:00Z', 1000, 40, 5, 3, 2]]);
    await insertSnapshots(sql, f.owner.orgId, w, [['2026-03-02T11:00:00Z', 1500, 10, 0, 0, 0]]);
    const res = await get(`/campaigns/${camp!.id}/stats`);
    expect(res.body.budget).toEqual({ campaign: null, videos: 50, effective: 50, source: 'videos' });
    // 50 / 2500 × 1000 = 20; engagements 60
    expect(res.body.metrics).toEqual({ cpm: 20, cpv: 0.02, cpe: 0.833333, engagement_rate: 0.024 });

    await sql`update videos set budget = null where campaign_id = ${camp!.id}`;
    const none = await get(`/campaigns/${camp!.id}/stats`);
    expect(none.body.budget).toEqual({ campaign: null, videos: null, effective: null, source: null });
    expect(none.body.metrics).toEqual({ cpm: null, cpv: null, cpe: null, engagement_rate: 0.024 });
  });
});

describe('GET /campaigns/:id/timeseries', () => {
  it('one point per day, days without snapshots included, increments and carried-forward totals', async () => {
    const res = await get(`/campaigns/${f.campaignId}/timeseries?interval=day`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      campaign_id: f.campaignId,
      interval: 'day',
      from: '2026-03-02',
      to: '2026-03-08',
      points: [
        // carried in before 03-02: V1 2000 150 20 10 10
        { period: '2026-03-02', increments: c(1000, 50, 10, 2, 4), totals: c(3000, 200, 30, 12, 14) },
        // V3's first day: close - open = 0 (it joins the totals with 0)
        { period: '2026-03-03', increments: c(0, 0, 0, 0, 0), totals: c(3000, 200, 30, 12, 14) },
        // V2 starts at 50000 (not counted as growth), grows 800 that day
        { period: '2026-03-04', increments: c(800, 40, 10, 2, 8), totals: c(53800, 5240, 540, 114, 422) },
        // V1 after a two-day gap: 6000 - 3000
        { period: '2026-03-05', increments: c(3000, 200, 20, 8, 16), totals: c(56800, 5440, 560, 122, 438) },
        // V2's last of the day is 07:00 (the late 03:00 snapshot does not replace it)
        { period: '2026-03-06', increments: c(1200, 60, 10, 3, 7), totals: c(58000, 5500, 570, 125, 445) },
        { period: '2026-03-07', increments: c(0, 0, 0, 0, 0), totals: c(58000, 5500, 570, 125, 445) },
        { period: '2026-03-08', increments: c(0, 0, 0, 0, 0), totals: c(58000, 5500, 570, 125, 445) },
      ],
    });
    // the points add up to /stats?mode=increments over the same range
    const sum = res.body.points.reduce((a: number, p: any) => a + p.increments.views, 0);
    expect(sum).toBe(6000);
  });

  it('ISO weeks labelled by their Monday', async () => {
    const res = await get(`/campaigns/${f.campaignId}/timeseries?interval=week&from=2026-02-23&to=2026-03-15`);
    expect(res.status).toBe(200);
    expect(res.body.points).toEqual([
      // V1's first day 02-27 (one snapshot: 0) and 03-01 (+1000 …)
      { period: '2026-02-23', increments: c(1000, 50, 10, 5, 5), totals: c(2000, 150, 20, 10, 10) },
      { period: '2026-03-02', increments: c(6000, 350, 50, 15, 35), totals: c(58000, 5500, 570, 125, 445) },
      // V1 03-09: +3000 100 10 5 10; V5 joins at 700 (its first day, no growth)
      { period: '2026-03-09', increments: c(3000, 100, 10, 5, 10), totals: c(61700, 5670, 587, 131, 457) },
    ]);
  });

  it('a week cut by the range counts only its days in range', async () => {
    const res = await get(`/campaigns/${f.campaignId}/timeseries?interval=week&from=2026-03-05&to=2026-03-08`);
    expect(res.body.points).toEqual([{ period: '2026-03-02', increments: c(4200, 260, 30, 11, 23), totals: c(58000, 5500, 570, 125, 445) }]);
  });

  it('refuses more than 731 days in one request', async () => {
    const res = await get(`/campaigns/${f.campaignId}/timeseries?from=2020-01-01&to=2026-01-01`);
    expect(res.status).toBe(400);
    expect(res.body.error.details.issues[0].path).toBe('from');
  });
});

describe('GET /campaigns/:id/videos', () => {
  const ids = (res: any) => res.body.data.map((v: any) => v.id);

  it('each video with totals, increments and its own budget metrics', async () => {
    const res = await get(`/campaigns/${f.campaignId}/videos?mode=increments&sort=growth`);
    expect(res.status).toBe(200);
    const [v1, v2, v3] = res.body.data;
    expect(v1).toMatchObject({
      id: f.v.v1, budget: 300, blogger_id: f.b.b1,
      totals: c(6000, 400, 50, 20, 30), increments: c(4000, 250, 30, 10, 20),
      // 300 / 4000 × 1000; 300 / 310; 310 / 4000
      metrics: { cpm: 75, cpv: 0.075, cpe: 0.967742, engagement_rate: 0.0775 },
    });
    expect(v2).toMatchObject({
      id: f.v.v2, totals: c(52000, 5100, 520, 105, 415), increments: c(2000, 100, 20, 5, 15),
      metrics: { cpm: 100, cpv: 0.1, cpe: 1.428571, engagement_rate: 0.07 },
    });
    // zero views: no CPM, CPV, CPE or engagement rate
    expect(v3).toMatchObject({ id: f.v.v3, budget: 50, totals: c(0, 0, 0, 0, 0), increments: c(0, 0, 0, 0, 0), metrics: { cpm: null, cpv: null, cpe: null, engagement_rate: null } });
    // V4 (never fetched) and V5 (first snapshot after the range) have no values in range
    for (const v of res.body.data.slice(3)) expect(v).toMatchObject({ totals: null, increments: null, metrics: { cpm: null, engagement_rate: null } });
  });

  it('sorts by views, growth, engagement rate and published_at, nulls last, both directions', async () => {
    const nulls = [f.v.v4, f.v.v5].sort().reverse(); // ties (no value) by id, descending
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=views`))).toEqual([f.v.v2, f.v.v1, f.v.v3, ...nulls]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=growth`))).toEqual([f.v.v1, f.v.v2, f.v.v3, ...nulls]);
    // increments ER: V1 0.0775 > V2 0.07; V3 has zero views (null)
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=er&mode=increments`))).toEqual([f.v.v1, f.v.v2, ...[f.v.v3, f.v.v4, f.v.v5].sort().reverse()]);
    // totals ER: V2 6140/52000 = 0.1181 > V1 500/6000 = 0.0833
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=er&mode=totals`))).toEqual([f.v.v2, f.v.v1, ...[f.v.v3, f.v.v4, f.v.v5].sort().reverse()]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=published_at`))).toEqual([f.v.v5, f.v.v2, f.v.v3, f.v.v1, f.v.v4]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=published_at&order=asc`))).toEqual([f.v.v1, f.v.v3, f.v.v2, f.v.v5, f.v.v4]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?sort=views&order=asc`))).toEqual([f.v.v3, f.v.v1, f.v.v2, ...[f.v.v4, f.v.v5].sort()]);
  });

  it('pages through the sorted list exactly once', async () => {
    for (const [sort, order] of [['views', 'desc'], ['er', 'asc'], ['published_at', 'desc']]) {
      const all = ids(await get(`/campaigns/${f.campaignId}/videos?sort=${sort}&order=${order}&mode=increments`));
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: any = await get(`/campaigns/${f.campaignId}/videos?sort=${sort}&order=${order}&mode=increments&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...ids(res));
        cursor = res.body.next_cursor;
        pages++;
      } while (cursor);
      expect(pages, `${sort} ${order}`).toBe(3);
      expect(seen, `${sort} ${order}`).toEqual(all);
    }
  });

  it('filters by blogger, platform, status and tag', async () => {
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?blogger_id=${f.b.b1}&sort=views`))).toEqual([f.v.v1, f.v.v3]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?platform=YouTube`))).toEqual([]);
    expect(ids(await get(`/campaigns/${f.campaignId}/videos?status=tracking`))).toHaveLength(5);
    const [tag] = await sql`insert into tags (organization_id, name) values (${f.owner.orgId}, 'hero') returning id`;
    await sql`insert into video_tags (organization_id, video_id, tag_id) values (${f.owner.orgId}, ${f.v.v2}, ${tag!.id})`;
    const tagged = await get(`/campaigns/${f.campaignId}/videos?tag=hero`);
    expect(ids(tagged)).toEqual([f.v.v2]);
    expect(tagged.body.data[0].tags).toEqual(['hero']);
  });

  it('rejects a cursor of another sort, a forged cursor and an unknown sort', async () => {
    const first = await get(`/campaigns/${f.campaignId}/videos?sort=views&limit=1`);
    const other = await get(`/campaigns/${f.campaignId}/videos?sort=growth&limit=1&cursor=${first.body.next_cursor}`);
    expect(other.status).toBe(400);
    expect(other.body.error.details.issues[0].path).toBe('cursor');
    expect((await get(`/campaigns/${f.campaignId}/videos?cursor=abc`)).status).toBe(400);
    expect((await get(`/campaigns/${f.campaignId}/videos?sort=likes`)).status).toBe(400);
  });
});

describe('GET /campaigns/:id/bloggers', () => {
  it('rolls the videos up per blogger: assigned bloggers without videos too, and videos without a blogger last', async () => {
    const res = await get(`/campaigns/${f.campaignId}/bloggers?mode=increments`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ campaign_id: f.campaignId, mode: 'increments', from: '2026-03-02', to: '2026-03-08' });
    expect(res.body.data).toEqual([
      {
        blogger: { id: f.b.b1, platform: 'TikTok', username: 'alice', channel_name: null, thumbnail_url: null },
        assigned: true,
        videos: { count: 2, with_stats: 2 },
        budget: 350,
        // V1 + V3
        totals: c(6000, 400, 50, 20, 30),
        increments: c(4000, 250, 30, 10, 20),
        // 350 / 4000 × 1000; 350 / 310; 310 / 4000
        metrics: { cpm: 87.5, cpv: 0.0875, cpe: 1.129032, engagement_rate: 0.0775 },
      },
      {
        blogger: { id: f.b.b2, platform: 'TikTok', username: 'bob', channel_name: null, thumbnail_url: null },
        assigned: false,
        videos: { count: 1, with_stats: 1 },
        budget: 200,
        totals: c(52000, 5100, 520, 105, 415),
        increments: c(2000, 100, 20, 5, 15),
        metrics: { cpm: 100, cpv: 0.1, cpe: 1.428571, engagement_rate: 0.07 },
      },
      {
        blogger: { id: f.b.b3, platform: 'TikTok', username: 'carol', channel_name: null, thumbnail_url: null },
        assigned: true,
        videos: { count: 0, with_stats: 0 },
        budget: null,
        totals: null,
        increments: null,
        metrics: { cpm: null, cpv: null, cpe: null, engagement_rate: null },
      },
      {
        blogger: null,
        assigned: false,
        videos: { count: 2, with_stats: 0 },
        budget: null,
        totals: null,
        increments: null,
        metrics: { cpm: null, cpv: null, cpe: null, engagement_rate: null },
      },
    ]);
  });
});
