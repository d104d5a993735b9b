import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { c, createCampaignFixture, insertSnapshots, insertVideo, type CampaignFixture } from '../campaigns/fixtures';

// The TikTok videos are those of test/campaigns/fixtures.ts (V1 … V5); one Instagram video, paused,
// is added: 03-03 100 10 1 1 1, 03-07 300 20 2 1 1. Every number is computed by hand from them.
const sql = adminSql();
let f: CampaignFixture;
let token: string;

beforeAll(async () => {
  f = await createCampaignFixture(sql);
  token = await tokenFor(f.owner.userId);
  const ig = await insertVideo(sql, f.owner.orgId, { platform: 'Instagram' });
  await sql`update videos set video_status = 'stopped' where id = ${ig}`;
  await insertSnapshots(sql, f.owner.orgId, ig, [['2026-03-03T10:00:00Z', 100, 10, 1, 1, 1], ['2026-03-07T10:00:00Z', 300, 20, 2, 1, 1]]);
});

const counts = (total: number, tracking: number, stopped: number, deleted: number, with_stats: number) => ({ total, tracking, stopped, deleted, with_stats });

describe('GET /dashboard/summary', () => {
  it('totals on `to`, increments over the range, videos by status, split by platform', async () => {
    const res = await call('GET', '/dashboard/summary?from=2026-03-02&to=2026-03-08', { token });
    expect(res.status).toBe(200);
    // TikTok: V1 6000 400 50 20 30 + V2 52000 5100 520 105 415 + V3 0 (the campaign fixture's totals);
    // increments V1 4000 250 30 10 20 + V2 2000 100 20 5 15; V4 has no snapshot, V5's first is 03-10.
    // Instagram: 300 20 2 1 1 on 03-08; tracked from 03-03 inside the range: 300-100 …
    expect(res.body).toEqual({
      from: '2026-03-02',
      to: '2026-03-08',
      platform: null,
      videos: counts(6, 5, 1, 0, 4),
      totals: c(58300, 5520, 572, 126, 446),
      increments: c(6200, 360, 51, 15, 35),
      platforms: [
        { platform: 'TikTok', videos: counts(5, 5, 0, 0, 3), totals: c(58000, 5500, 570, 125, 445), increments: c(6000, 350, 50, 15, 35) },
        { platform: 'Instagram', videos: counts(1, 0, 1, 0, 1), totals: c(300, 20, 2, 1, 1), increments: c(200, 10, 1, 0, 0) },
      ],
    });
  });

  it('open range: latest values and growth since tracking started; one platform', async () => {
    const all = await call('GET', '/dashboard/summary', { token });
    // latest: V1 9000 500 60 25 40 (03-09), V2 52000 …, V5 700 70 7 1 2, Instagram 300 20 2 1 1
    expect(all.body.totals).toEqual(c(61700 + 300, 5670 + 20, 587 + 2, 131 + 1, 457 + 1));
    // growth since each video's first snapshot: V1 8000 400 50 20 35, V2 2000 100 20 5 15, V5 0, Instagram 200 10 1 0 0
    expect(all.body.increments).toEqual(c(10200, 510, 71, 25, 50));
    expect(all.body.videos).toEqual(counts(6, 5, 1, 0, 5));

    const ig = await call('GET', '/dashboard/summary?platform=Instagram&to=2026-03-05', { token });
    expect(ig.body).toEqual({
      from: null, to: '2026-03-05', platform: 'Instagram',
      videos: counts(1, 0, 1, 0, 1), totals: c(100, 10, 1, 1, 1), increments: c(0, 0, 0, 0, 0),
      platforms: [{ platform: 'Instagram', videos: counts(1, 0, 1, 0, 1), totals: c(100, 10, 1, 1, 1), increments: c(0, 0, 0, 0, 0) }],
    });
  });

  it('another organization sees only its own numbers, and cannot ask for this one', async () => {
    const other = await createOrganization(sql);
    const otherToken = await tokenFor(other.userId);
    const theirs = await call('GET', '/dashboard/summary', { token: otherToken });
    expect(theirs.status).toBe(200);
    expect(theirs.body).toEqual({ from: null, to: null, platform: null, videos: counts(0, 0, 0, 0, 0), totals: c(0, 0, 0, 0, 0), increments: c(0, 0, 0, 0, 0), platforms: [] });
    for (const path of ['/dashboard/summary', '/dashboard/timeseries?from=2026-03-02&to=2026-03-08']) {
      const res = await call('GET', path, { token: otherToken, orgId: f.owner.orgId });
      expect(res.status, path).toBe(403);
      expect(JSON.stringify(res.body)).not.toContain('58000');
    }
    expect((await call('GET', '/dashboard/summary')).status).toBe(401);
  });

  it('rejects bad ranges, platforms, impossible days and NUL characters', async () => {
    for (const q of ['from=2026-03-06&to=2026-03-05', 'to=03/05/2026', 'to=2026-02-30', 'platform=Facebook', 'from=2026-03-01%00', 'platform=TikTok%00']) {
      const res = await call('GET', `/dashboard/summary?${q}`, { token });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
  });
});

describe('GET /dashboard/timeseries', () => {
  it('the organization’s growth per day with carried-forward totals', async () => {
    const res = await call('GET', '/dashboard/timeseries?from=2026-03-03&to=2026-03-05', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      platform: null,
      interval: 'day',
      from: '2026-03-03',
      to: '2026-03-05',
      points: [
        // V1 carries 03-02's 3000 …; V3 and Instagram start (growth 0 on their first day)
        { period: '2026-03-03', increments: c(0, 0, 0, 0, 0), totals: c(3100, 210, 31, 13, 15) },
        // V2 starts at 50000 and ends the day at 50800
        { period: '2026-03-04', increments: c(800, 40, 10, 2, 8), totals: c(53900, 5250, 541, 115, 423) },
        // V1 6000 - 3000
        { period: '2026-03-05', increments: c(3000, 200, 20, 8, 16), totals: c(56900, 5450, 561, 123, 439) },
      ],
    });
  });

  it('weeks, one platform, and the default range from the first day with data', async () => {
    const week = await call('GET', '/dashboard/timeseries?interval=week&from=2026-03-02&to=2026-03-08', { token });
    expect(week.body.points).toEqual([{ period: '2026-03-02', increments: c(6200, 360, 51, 15, 35), totals: c(58300, 5520, 572, 126, 446) }]);
    const ig = await call('GET', '/dashboard/timeseries?interval=week&to=2026-03-08&platform=Instagram', { token });
    expect(ig.body).toEqual({
      platform: 'Instagram', interval: 'week', from: '2026-03-03', to: '2026-03-08',
      points: [{ period: '2026-03-02', increments: c(200, 10, 1, 0, 0), totals: c(300, 20, 2, 1, 1) }],
    });
    // V1's first snapshot (02-27) starts the organization's default range
    const all = await call('GET', '/dashboard/timeseries?interval=week&to=2026-03-01', { token });
    expect(all.body.from).toBe('2026-02-27');
    expect(all.body.points).toEqual([{ period: '2026-02-23', increments: c(1000, 50, 10, 5, 5), totals: c(2000, 150, 20, 10, 10) }]);
  });

  it('rejects unknown intervals, too long ranges and bad platforms', async () => {
    for (const q of ['interval=month', 'from=2020-01-01&to=2026-01-01', 'platform=tiktok', 'from=2026-13-01']) {
      const res = await call('GET', `/dashboard/timeseries?${q}`, { token });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
  });
});
