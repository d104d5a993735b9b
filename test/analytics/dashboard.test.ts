import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { c, createCampaignFixture, type CampaignFixture } from '../campaigns/fixtures';

// The snapshots are those of test/campaigns/fixtures.ts; every number is computed by hand from them.
const sql = adminSql();
let f: CampaignFixture;
let token: string;
const k = (views: number, likes: number, comments: number, reposts: number, saves: number) => ({ views, likes, comments, reposts, saves });

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  token = await tokenFor(f.owner.userId);
});

describe('GET /dashboard/videos/:id increments', () => {
  it('day, ISO week and range growth on the `to` day, next to the latest totals', async () => {
    const res = await call('GET', `/dashboard/videos/${f.v.v1}?from=2026-03-02&to=2026-03-05`, { token });
    expect(res.status).toBe(200);
    // totals are still the latest snapshot (03-09)
    expect(res.body.video.latest_stats).toMatchObject(k(9000, 500, 60, 25, 40));
    expect(res.body.video.increments).toEqual({
      as_of: '2026-03-05',
      // 6000 - 3000 (03-03 and 03-04 carry 03-02's last value)
      day: { date: '2026-03-05', ...k(3000, 200, 20, 8, 16) },
      // week of Monday 03-02: 6000 - 2000 (end of Sunday 03-01)
      week: { week_start: '2026-03-02', ...k(4000, 250, 30, 10, 20) },
      range: { from: '2026-03-02', to: '2026-03-05', ...k(4000, 250, 30, 10, 20) },
    });
  });

  it('a day without snapshots grew by 0; without `from` the range starts at tracking start', async () => {
    const res = await call('GET', `/dashboard/videos/${f.v.v1}?to=2026-03-04`, { token });
    expect(res.body.video.increments).toEqual({
      as_of: '2026-03-04',
      day: { date: '2026-03-04', ...k(0, 0, 0, 0, 0) },
      week: { week_start: '2026-03-02', ...k(1000, 50, 10, 2, 4) },
      // 3000 - 1000 (its first snapshot, 02-27)
      range: { from: null, to: '2026-03-04', ...k(2000, 100, 20, 7, 9) },
    });
  });

  it('a video tracked mid-week counts from its first snapshot', async () => {
    const res = await call('GET', `/dashboard/videos/${f.v.v2}?from=2026-03-01&to=2026-03-06`, { token });
    expect(res.body.video.increments).toEqual({
      as_of: '2026-03-06',
      day: { date: '2026-03-06', ...k(1200, 60, 10, 3, 7) },
      week: { week_start: '2026-03-02', ...k(2000, 100, 20, 5, 15) },
      range: { from: '2026-03-01', to: '2026-03-06', ...k(2000, 100, 20, 5, 15) },
    });
  });

  it('null for a video without a snapshot on or before `to`', async () => {
    expect((await call('GET', `/dashboard/videos/${f.v.v4}?to=2026-03-05`, { token })).body.video.increments).toBeNull();
    expect((await call('GET', `/dashboard/videos/${f.v.v5}?to=2026-03-05`, { token })).body.video.increments).toBeNull();
  });

  it('rejects from after to and malformed days', async () => {
    for (const q of ['from=2026-03-06&to=2026-03-05', 'to=03/05/2026']) {
      const res = await call('GET', `/dashboard/videos/${f.v.v1}?${q}`, { token });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
  });
});

describe('GET /dashboard/videos increments', () => {
  it('every video of the page carries its increments (one statement for the page)', async () => {
    const res = await call('GET', `/dashboard/videos?campaign_id=${f.campaignId}&to=2026-03-06&limit=100`, { token });
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.data.map((v: any) => [v.id, v.increments]));
    expect(byId[f.v.v1].day).toEqual({ date: '2026-03-06', ...k(0, 0, 0, 0, 0) });
    expect(byId[f.v.v2].day).toEqual({ date: '2026-03-06', ...k(1200, 60, 10, 3, 7) });
    expect(byId[f.v.v3].week).toEqual({ week_start: '2026-03-02', ...k(0, 0, 0, 0, 0) });
    expect(byId[f.v.v4]).toBeNull();
    expect(byId[f.v.v5]).toBeNull();
  });
});

describe('GET /dashboard/videos/:id/timeseries', () => {
  it('one video’s increments per day with carried-forward totals', async () => {
    const res = await call('GET', `/dashboard/videos/${f.v.v2}/timeseries?from=2026-03-03&to=2026-03-07`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      video_id: f.v.v2,
      interval: 'day',
      from: '2026-03-03',
      to: '2026-03-07',
      points: [
        { period: '2026-03-03', increments: c(0, 0, 0, 0, 0), totals: c(0, 0, 0, 0, 0) },
        { period: '2026-03-04', increments: c(800, 40, 10, 2, 8), totals: c(50800, 5040, 510, 102, 408) },
        { period: '2026-03-05', increments: c(0, 0, 0, 0, 0), totals: c(50800, 5040, 510, 102, 408) },
        { period: '2026-03-06', increments: c(1200, 60, 10, 3, 7), totals: c(52000, 5100, 520, 105, 415) },
        { period: '2026-03-07', increments: c(0, 0, 0, 0, 0), totals: c(52000, 5100, 520, 105, 415) },
      ],
    });
  });

  it('weeks; another organization’s video is not found', async () => {
    const res = await call('GET', `/dashboard/videos/${f.v.v1}/timeseries?interval=week&from=2026-02-23&to=2026-03-08`, { token });
    expect(res.body.points.map((p: any) => [p.period, p.increments.views, p.totals.views])).toEqual([['2026-02-23', 1000, 2000], ['2026-03-02', 4000, 6000]]);
    const other = await createCampaignFixture(sql);
    const theirs = await call('GET', `/dashboard/videos/${other.v.v1}/timeseries`, { token });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error).toEqual({ code: 'not_found', message: 'video not found' });
  });
});
