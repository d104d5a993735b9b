import { beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { adminSql, createOrganization, rolledBackAs, type Fixture } from '../helpers/db';
import { writeStatsBatch } from '../../src/db/statistics';
import type { StatsInput, TimeseriesInput } from '../../src/db/analytics';
import { campaignStatsFromRawSnapshots, campaignTimeseriesFromRawSnapshots } from '../support/analytics-raw';
import { campaignStats, campaignTimeseries } from '../../src/db/analytics-aggregate';
import { contribution, dailyIncrements, rollupDays, weeklyIncrements, type DayValues } from '../../src/domain/analytics';
import { createCampaignFixture, insertSnapshots, insertVideo, type CampaignFixture } from '../campaigns/fixtures';

const sql = adminSql();
let org: Fixture;

beforeAll(async () => {
  org = await createOrganization(sql);
});

const n = (v: string | number) => Number(v);

/** The rollup rows of a video, in the model's shape. */
async function rollupOf(videoId: string): Promise<DayValues[]> {
  const rows = await sql`select day::text as day, views, likes, comments, reposts, saves, open_views, open_likes, open_comments, open_reposts, open_saves
                         from video_daily_stats where video_id = ${videoId} order by day`;
  return rows.map((r) => ({
    day: r.day,
    open: { views: n(r.open_views), likes: n(r.open_likes), comments: n(r.open_comments), reposts: n(r.open_reposts), saves: n(r.open_saves) },
    close: { views: n(r.views), likes: n(r.likes), comments: n(r.comments), reposts: n(r.reposts), saves: n(r.saves) },
  }));
}

/** What the rollup must hold for a video: the model folded over its raw snapshots. */
async function expectedOf(videoId: string): Promise<DayValues[]> {
  const rows = await sql`select id, created_at, views, likes, comments, reposts, saves from video_statistics where video_id = ${videoId}`;
  return rollupDays(rows.map((r) => ({ at: r.created_at, id: n(r.id), views: n(r.views), likes: n(r.likes), comments: n(r.comments), reposts: n(r.reposts), saves: n(r.saves) })));
}

/**
 * The increments stored on the rollup rows (inc_*, is_first) equal the model's daily increments of
 * the video's raw snapshots, and only the first day is marked first.
 */
async function expectStoredIncrements(videoId: string) {
  const rows = await sql`select day::text as day, inc_views, inc_likes, inc_comments, inc_reposts, inc_saves, is_first
                         from video_daily_stats where video_id = ${videoId} order by day`;
  expect(rows.map((r) => ({ day: r.day, delta: { views: n(r.inc_views), likes: n(r.inc_likes), comments: n(r.inc_comments), reposts: n(r.inc_reposts), saves: n(r.inc_saves) } })))
    .toEqual(dailyIncrements(await expectedOf(videoId)));
  expect(rows.map((r) => r.is_first)).toEqual(rows.map((_, i) => i === 0));
}

describe('video_daily_stats follows every write to video_statistics', () => {
  it('the stats consumer’s batch write: only inserted snapshots count, a redelivered fetch key changes nothing', async () => {
    const videoId = await insertVideo(sql, org.orgId);
    const [{ external_video_id: ext }] = await sql`select external_video_id from videos where id = ${videoId}`;
    const input = (fetchKey: string, views: number) => ({ organizationId: org.orgId, platform: 'TikTok' as const, externalVideoId: ext, fetchKey, views, likes: Math.floor(views / 10), comments: 1, reposts: 2, saves: 3 });

    expect((await writeStatsBatch(sql, [input('m1', 100)], [])).snapshots_inserted).toBe(1);
    const [day] = await sql`select (created_at at time zone 'UTC')::date::text as day from video_statistics where video_id = ${videoId}`;
    expect(await rollupOf(videoId)).toEqual([{ day: day!.day, open: { views: 100, likes: 10, comments: 1, reposts: 2, saves: 3 }, close: { views: 100, likes: 10, comments: 1, reposts: 2, saves: 3 } }]);

    // the same message again, with other numbers: the snapshot exists, nothing is inserted, the rollup keeps 100;
    // the video is still handed to the alert step (a redelivery after a crash must still evaluate it)
    const replayed = await writeStatsBatch(sql, [input('m1', 999)], []);
    expect(replayed.snapshots_inserted).toBe(0);
    expect(replayed.videos).toEqual([{ video_id: videoId, organization_id: org.orgId, blogger_id: null, deleted_at: null }]);
    expect((await rollupOf(videoId))[0]!.close.views).toBe(100);

    expect((await writeStatsBatch(sql, [input('m2', 150)], [])).snapshots_inserted).toBe(1);
    const rows = await rollupOf(videoId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.open.views).toBe(100);
    expect(rows[0]!.close.views).toBe(150);
  });

  it('snapshots arriving out of order, several per day in one statement, and equal timestamps', async () => {
    const videoId = await insertVideo(sql, org.orgId);
    await insertSnapshots(sql, org.orgId, videoId, [
      ['2026-05-10T12:00:00Z', 500, 50, 5, 1, 1],
      ['2026-05-10T08:00:00Z', 400, 40, 4, 1, 1],
      ['2026-05-12T09:00:00Z', 900, 90, 9, 2, 2],
      ['2026-05-12T09:00:00Z', 950, 95, 9, 2, 2], // same instant, larger id: the later one
    ]);
    // late arrivals: an earlier first, a later last, and one in between that changes nothing
    await insertSnapshots(sql, org.orgId, videoId, [['2026-05-10T01:00:00Z', 300, 30, 3, 1, 1]]);
    await insertSnapshots(sql, org.orgId, videoId, [['2026-05-12T23:59:59Z', 1000, 99, 9, 2, 2]]);
    await insertSnapshots(sql, org.orgId, videoId, [['2026-05-10T10:00:00Z', 450, 45, 4, 1, 1]]);
    // a day before everything, arriving last
    await insertSnapshots(sql, org.orgId, videoId, [['2026-05-09T23:00:00Z', 100, 10, 1, 0, 0]]);

    const rows = await rollupOf(videoId);
    expect(rows.map((r) => [r.day, r.open.views, r.close.views])).toEqual([
      ['2026-05-09', 100, 100],
      ['2026-05-10', 300, 500],
      ['2026-05-12', 900, 1000],
    ]);
    expect(rows).toEqual(await expectedOf(videoId));
    // the day before everything became the first day: 05-10's increment is now measured from it
    await expectStoredIncrements(videoId);
    const inc = await sql`select day::text as day, inc_views, is_first from video_daily_stats where video_id = ${videoId} order by day`;
    expect(inc.map((r) => [r.day, n(r.inc_views), r.is_first])).toEqual([['2026-05-09', 0, true], ['2026-05-10', 400, false], ['2026-05-12', 500, false]]);
  });

  it('updates and deletes of snapshots rebuild the touched days; deleting a video removes its days', async () => {
    const videoId = await insertVideo(sql, org.orgId);
    await insertSnapshots(sql, org.orgId, videoId, [
      ['2026-06-01T10:00:00Z', 100, 1, 1, 1, 1],
      ['2026-06-01T20:00:00Z', 200, 2, 2, 2, 2],
      ['2026-06-02T10:00:00Z', 300, 3, 3, 3, 3],
    ]);
    // a corrected value of the day's last snapshot
    await sql`update video_statistics set views = 250 where video_id = ${videoId} and created_at = '2026-06-01T20:00:00Z'`;
    expect(await rollupOf(videoId)).toEqual(await expectedOf(videoId));
    expect((await rollupOf(videoId))[0]!.close.views).toBe(250);
    await expectStoredIncrements(videoId);
    // a snapshot moved to another day
    await sql`update video_statistics set created_at = '2026-06-03T08:00:00Z' where video_id = ${videoId} and created_at = '2026-06-02T10:00:00Z'`;
    expect((await rollupOf(videoId)).map((r) => r.day)).toEqual(['2026-06-01', '2026-06-03']);
    expect(await rollupOf(videoId)).toEqual(await expectedOf(videoId));
    await expectStoredIncrements(videoId);
    // the day's last snapshot deleted: the one before becomes the last
    await sql`delete from video_statistics where video_id = ${videoId} and created_at = '2026-06-01T20:00:00Z'`;
    expect((await rollupOf(videoId))[0]).toMatchObject({ day: '2026-06-01', close: { views: 100 } });
    expect(await rollupOf(videoId)).toEqual(await expectedOf(videoId));
    await expectStoredIncrements(videoId);
    // every snapshot of a day deleted: the day goes
    await sql`delete from video_statistics where video_id = ${videoId} and created_at < '2026-06-02'`;
    expect((await rollupOf(videoId)).map((r) => r.day)).toEqual(['2026-06-03']);
    await expectStoredIncrements(videoId);

    await sql`delete from videos where id = ${videoId}`;
    expect(await sql`select 1 from video_daily_stats where video_id = ${videoId}`).toHaveLength(0);
  });
});

describe('legacy views mv_video_daily_increments / mv_video_weekly_increments', () => {
  let f: CampaignFixture;
  beforeAll(async () => {
    f = await createCampaignFixture(sql);
  });

  it('equal the model’s daily and weekly increments (a gap’s growth lands on the next day with data)', async () => {
    for (const videoId of [f.v.v1, f.v.v2, f.v.v3]) {
      const model = await expectedOf(videoId);
      const daily = await sql`select day::text as day, views_delta, likes_delta, comments_delta, reposts_delta, saves_delta
                              from mv_video_daily_increments where video_id = ${videoId} order by day`;
      expect(daily.map((r) => ({ day: r.day, delta: { views: n(r.views_delta), likes: n(r.likes_delta), comments: n(r.comments_delta), reposts: n(r.reposts_delta), saves: n(r.saves_delta) } })))
        .toEqual(dailyIncrements(model));
      const weekly = await sql`select week_start::text as week_start, views_delta, likes_delta, comments_delta, reposts_delta, saves_delta
                               from mv_video_weekly_increments where video_id = ${videoId} order by week_start`;
      expect(weekly.map((r) => ({ week_start: r.week_start, delta: { views: n(r.views_delta), likes: n(r.likes_delta), comments: n(r.comments_delta), reposts: n(r.reposts_delta), saves: n(r.saves_delta) } })))
        .toEqual(weeklyIncrements(model));
    }
    // V1 by hand: 02-27 0, 03-01 +1000, 03-02 +1000 (3000 - 2000), 03-05 +3000, 03-09 +3000
    const v1 = await sql`select day::text as day, views_delta from mv_video_daily_increments where video_id = ${f.v.v1} order by day`;
    expect(v1.map((r) => [r.day, n(r.views_delta)])).toEqual([['2026-02-27', 0], ['2026-03-01', 1000], ['2026-03-02', 1000], ['2026-03-05', 3000], ['2026-03-09', 3000]]);
  });

  it('campaign increments equal the model’s contribution, video by video', async () => {
    for (const videoId of [f.v.v1, f.v.v2, f.v.v3, f.v.v4, f.v.v5]) {
      // the video alone in a campaign
      const [solo] = await sql`insert into campaigns (organization_id, name) values (${f.owner.orgId}, ${'solo ' + videoId}) returning id`;
      await sql`update videos set campaign_id = ${solo!.id} where id = ${videoId}`;
      const model = await expectedOf(videoId);
      for (const [from, to] of [['2026-03-02', '2026-03-08'], ['2026-03-05', '2026-03-06'], [null, '2026-03-04'], [null, null], ['2026-03-09', '2026-03-20']] as const) {
        const want = (model.length === 0 ? null : contribution(model, 'increments', from, to)) ?? { views: 0, likes: 0, comments: 0, reposts: 0, saves: 0 };
        const got = await campaignStats(sql, f.owner.orgId, solo!.id, { mode: 'increments', from, to });
        const { engagements: _e, ...stats } = got!.stats;
        expect(stats, `${videoId} ${from}..${to}`).toEqual(want);
      }
    }
  });
});

describe('the rollup and the raw snapshots give identical answers', () => {
  let f: CampaignFixture;
  beforeAll(async () => {
    f = await createCampaignFixture(sql);
  });

  it('campaign stats, every mode and range', async () => {
    const inputs: StatsInput[] = [
      { mode: 'totals' }, { mode: 'increments' },
      { mode: 'totals', from: null, to: null }, { mode: 'increments', from: null, to: null },
      { mode: 'increments', from: '2026-03-05', to: '2026-03-06' }, { mode: 'increments', from: '2026-03-03', to: '2026-03-03' },
      { mode: 'totals', to: '2026-03-10' }, { mode: 'increments', from: '2026-01-01', to: '2026-02-01' },
      { mode: 'increments', from: '2026-03-09', to: '2026-03-31' },
    ];
    for (const input of inputs) {
      const rollup = await campaignStats(sql, f.owner.orgId, f.campaignId, input);
      expect(rollup, JSON.stringify(input)).toEqual(await campaignStatsFromRawSnapshots(sql, f.owner.orgId, f.campaignId, input));
    }
  });

  it('campaign timeseries, days and weeks', async () => {
    const inputs: TimeseriesInput[] = [
      { interval: 'day' }, { interval: 'week' },
      { interval: 'day', from: '2026-02-20', to: '2026-03-12' }, { interval: 'week', from: '2026-03-04', to: '2026-03-31' },
      { interval: 'day', from: '2026-03-06', to: '2026-03-06' },
    ];
    for (const input of inputs) {
      const rollup = await campaignTimeseries(sql, f.owner.orgId, f.campaignId, input);
      expect(rollup!.points.length, JSON.stringify(input)).toBeGreaterThan(0);
      expect(rollup, JSON.stringify(input)).toEqual(await campaignTimeseriesFromRawSnapshots(sql, f.owner.orgId, f.campaignId, input));
    }
  });

  it('another organization’s campaign is not found by either', async () => {
    const other = await createOrganization(sql);
    expect(await campaignStats(sql, other.orgId, f.campaignId, { mode: 'totals' })).toBeNull();
    expect(await campaignStatsFromRawSnapshots(sql, other.orgId, f.campaignId, { mode: 'totals' })).toBeNull();
    expect(await campaignTimeseries(sql, other.orgId, f.campaignId, { interval: 'day' })).toBeNull();
  });
});

describe('RLS on video_daily_stats', () => {
  /** Runs fn as Supabase's `authenticated` role for the user, inside a transaction rolled back after. */
  const asUser = <T>(userId: string, fn: (tx: postgres.TransactionSql) => Promise<T>) => rolledBackAs(sql, { sub: userId }, fn);

  it('members read their organization’s rows and nobody else’s; the views follow', async () => {
    const a = await createCampaignFixture(sql);
    const b = await createCampaignFixture(sql);
    const seen = await asUser(a.owner.userId, async (tx) => ({
      rollup: await tx`select distinct organization_id from video_daily_stats`,
      daily: await tx`select distinct organization_id from mv_video_daily_increments`,
      weekly: await tx`select distinct organization_id from mv_video_weekly_increments`,
      theirs: await tx`select 1 from video_daily_stats where video_id = ${b.v.v1}`,
    }));
    expect(seen.rollup).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.daily).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.weekly).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.theirs).toHaveLength(0);
  });

  it('nobody writes it but the triggers', async () => {
    const a = await createCampaignFixture(sql);
    for (const statement of [
      (tx: postgres.TransactionSql) => tx`update video_daily_stats set views = 0 where video_id = ${a.v.v1}`,
      (tx: postgres.TransactionSql) => tx`delete from video_daily_stats where video_id = ${a.v.v1}`,
      (tx: postgres.TransactionSql) => tx`insert into video_daily_stats (organization_id, video_id, day, views, likes, comments, reposts, saves, last_snapshot_at, last_snapshot_id,
                                            open_views, open_likes, open_comments, open_reposts, open_saves, first_snapshot_at, first_snapshot_id)
                                          values (${a.owner.orgId}, ${a.v.v1}, '2030-01-01', 1, 1, 1, 1, 1, now(), 1, 1, 1, 1, 1, 1, now(), 1)`,
    ]) {
      await expect(asUser(a.owner.userId, statement)).rejects.toThrow(/permission denied/);
    }
    // nor through snapshots: only the service writes video_statistics (20261203050000_roles_in_the_database.sql)
    const snapshot = asUser(a.owner.userId, (tx) => tx`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
               values (${a.owner.orgId}, ${a.v.v4}, 'x', 5, 'member', '2026-04-01T10:00:00Z')`);
    await expect(snapshot).rejects.toThrow(/row-level security/);
  });
});
