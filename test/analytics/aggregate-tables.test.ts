import { describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { adminSql, createOrganization, rolledBackAs } from '../helpers/db';
import { campaignStats, campaignTimeseries } from '../../src/db/analytics-aggregate';
import { c, createCampaignFixture, insertSnapshots, insertVideo } from '../campaigns/fixtures';

// The snapshots are those of test/campaigns/fixtures.ts (campaign "March push", 03-02 … 03-08).
const sql = adminSql();
const asUser = <T>(userId: string, fn: (tx: postgres.TransactionSql) => Promise<T>) => rolledBackAs(sql, { sub: userId }, fn);

describe('campaign_daily_stats follows campaign membership', () => {
  it('removing, moving and re-adding a video changes the campaign’s answers at once; the organization’s stay', async () => {
    const f = await createCampaignFixture(sql);
    const org = f.owner.orgId;
    const [other] = await sql<{ id: string }[]>`insert into campaigns (organization_id, name) values (${org}, 'Other') returning id`;
    const totals = async (id: string) => (await campaignStats(sql, org, id, { mode: 'totals', from: '2026-03-02', to: '2026-03-08' }))!.stats;
    const orgRows = () => sql`select day, platform, inc_views, base_views from organization_daily_stats where organization_id = ${org} and inc_views + base_views <> 0 order by day, platform`;
    expect(await totals(f.campaignId)).toEqual(c(58000, 5500, 570, 125, 445));
    const before = await orgRows();

    // V2 (52000 5100 520 105 415 on 03-08) moves to the other campaign
    await sql`update videos set campaign_id = ${other!.id} where id = ${f.v.v2}`;
    expect(await totals(f.campaignId)).toEqual(c(6000, 400, 50, 20, 30));
    expect(await totals(other!.id)).toEqual(c(52000, 5100, 520, 105, 415));
    // V1 leaves every campaign
    await sql`update videos set campaign_id = null where id = ${f.v.v1}`;
    expect(await totals(f.campaignId)).toEqual(c(0, 0, 0, 0, 0));
    // both come back in one statement
    await sql`update videos set campaign_id = ${f.campaignId} where id in ${sql([f.v.v1, f.v.v2])}`;
    expect(await totals(f.campaignId)).toEqual(c(58000, 5500, 570, 125, 445));
    expect(await totals(other!.id)).toEqual(c(0, 0, 0, 0, 0));
    expect(await orgRows()).toEqual(before);
  });

  it('a deleted video, a deleted campaign and a platform change leave the right sums', async () => {
    const f = await createCampaignFixture(sql);
    const org = f.owner.orgId;
    await sql`delete from videos where id = ${f.v.v1}`;
    expect((await campaignStats(sql, org, f.campaignId, { mode: 'totals', from: '2026-03-02', to: '2026-03-08' }))!.stats).toEqual(c(52000, 5100, 520, 105, 415));
    const series = await campaignTimeseries(sql, org, f.campaignId, { interval: 'week', from: '2026-03-02', to: '2026-03-08' });
    expect(series!.points).toEqual([{ period: '2026-03-02', increments: c(2000, 100, 20, 5, 15), totals: c(52000, 5100, 520, 105, 415) }]);

    await sql`update videos set platform = 'Instagram', external_video_id = 'moved' where id = ${f.v.v2}`;
    const byPlatform = await sql`select platform::text, sum(inc_views + base_views)::int as views from organization_daily_stats
                                 where organization_id = ${org} group by 1 having sum(inc_views + base_views) <> 0 order by 1`;
    // V2's 52000 now counts as Instagram; V5 (700) and V3 (0) stay TikTok
    expect(byPlatform).toEqual([{ platform: 'Instagram', views: 52000 }, { platform: 'TikTok', views: 700 }]);

    await sql`delete from campaigns where id = ${f.campaignId}`;
    expect(await sql`select 1 from campaign_daily_stats where campaign_id = ${f.campaignId}`).toHaveLength(0);
    // the organization's rows do not depend on campaigns
    expect((await sql`select sum(inc_views + base_views)::int as v from organization_daily_stats where organization_id = ${org}`)[0]!.v).toBe(52700);
  });

  it('a late snapshot before a video’s first day moves its start (base) and its first increment', async () => {
    const f = await createCampaignFixture(sql);
    const org = f.owner.orgId;
    const v = await insertVideo(sql, org, { campaignId: f.campaignId });
    await insertSnapshots(sql, org, v, [['2026-03-05T10:00:00Z', 100, 0, 0, 0, 0], ['2026-03-06T10:00:00Z', 150, 0, 0, 0, 0]]);
    const inc = async () => (await campaignStats(sql, org, f.campaignId, { mode: 'increments', from: '2026-03-02', to: '2026-03-08' }))!;
    expect((await inc()).stats.views).toBe(6000 + 50);
    await insertSnapshots(sql, org, v, [['2026-03-03T10:00:00Z', 40, 0, 0, 0, 0]]);
    expect((await inc()).stats.views).toBe(6000 + 110);
    expect((await inc()).videos).toEqual({ count: 6, with_stats: 4 });
  });
});

describe('RLS on the daily aggregates and the video counts', () => {
  it('members read their organization’s rows and nobody else’s; anonymous callers read none', async () => {
    const a = await createCampaignFixture(sql);
    const b = await createCampaignFixture(sql);
    const seen = await asUser(a.owner.userId, async (tx) => ({
      campaign: await tx`select distinct organization_id from campaign_daily_stats`,
      organization: await tx`select distinct organization_id from organization_daily_stats`,
      theirs: await tx`select 1 from campaign_daily_stats where campaign_id = ${b.campaignId}`,
      campaignCounts: await tx`select distinct organization_id from campaign_video_counts`,
      organizationCounts: await tx`select distinct organization_id from organization_video_counts`,
      theirCounts: await tx`select 1 from campaign_video_counts where campaign_id = ${b.campaignId}`,
    }));
    expect(seen.campaign).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.organization).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.theirs).toHaveLength(0);
    expect(seen.campaignCounts).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.organizationCounts).toEqual([{ organization_id: a.owner.orgId }]);
    expect(seen.theirCounts).toHaveLength(0);
    const anon = await rolledBackAs(sql, null, async (tx) => [
      ...(await tx`select 1 from campaign_daily_stats`.catch(() => [])),
      ...(await tx`select 1 from organization_daily_stats`.catch(() => [])),
      ...(await tx`select 1 from campaign_video_counts`.catch(() => [])),
      ...(await tx`select 1 from organization_video_counts`.catch(() => [])),
    ]);
    expect(anon).toHaveLength(0);
  });

  it('nobody writes them but the triggers, not even an owner; a snapshot the service writes reaches them', async () => {
    const a = await createCampaignFixture(sql);
    const org = a.owner.orgId;
    for (const statement of [
      (tx: postgres.TransactionSql) => tx`update campaign_daily_stats set inc_views = 0 where campaign_id = ${a.campaignId}`,
      (tx: postgres.TransactionSql) => tx`delete from campaign_daily_stats where campaign_id = ${a.campaignId}`,
      (tx: postgres.TransactionSql) => tx`insert into campaign_daily_stats (organization_id, campaign_id, day, platform) values (${org}, ${a.campaignId}, '2030-01-01', 'TikTok')`,
      (tx: postgres.TransactionSql) => tx`update organization_daily_stats set inc_views = 0 where organization_id = ${org}`,
      (tx: postgres.TransactionSql) => tx`delete from organization_daily_stats where organization_id = ${org}`,
      (tx: postgres.TransactionSql) => tx`insert into organization_daily_stats (organization_id, day, platform) values (${org}, '2030-01-01', 'TikTok')`,
      (tx: postgres.TransactionSql) => tx`truncate organization_daily_stats`,
      (tx: postgres.TransactionSql) => tx`select private.fold_analytics_deltas(array[]::private.analytics_delta[])`,
      (tx: postgres.TransactionSql) => tx`update campaign_video_counts set videos = 0 where campaign_id = ${a.campaignId}`,
      (tx: postgres.TransactionSql) => tx`insert into organization_video_counts (organization_id, platform, video_status, videos) values (${org}, 'Other', 'tracking', 9)`,
      (tx: postgres.TransactionSql) => tx`delete from organization_video_counts where organization_id = ${org}`,
    ]) {
      await expect(asUser(a.owner.userId, statement)).rejects.toThrow(/permission denied/);
    }
    // snapshots are the service's to write (roles migration); the service's snapshot reaches them
    await expect(asUser(a.owner.userId, (tx) => tx`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
               values (${org}, ${a.v.v4}, 'x', 5, 'member', '2026-04-01T10:00:00Z')`)).rejects.toThrow(/row-level security|permission denied/);
    await sql`insert into video_statistics (organization_id, video_id, external_video_id, views, fetch_key, created_at)
              values (${org}, ${a.v.v4}, 'x', 5, 'service', '2026-04-01T10:00:00Z')`;
    const rows = await asUser(a.owner.userId, (tx) =>
      tx`select day::text as day, base_views::int, videos_started from campaign_daily_stats where campaign_id = ${a.campaignId} and day = '2026-04-01'`);
    expect(rows).toEqual([{ day: '2026-04-01', base_views: 5, videos_started: 1 }]);
  });

  it('another organization’s campaign has no aggregate answer', async () => {
    const a = await createCampaignFixture(sql);
    const other = await createOrganization(sql);
    expect(await campaignStats(sql, other.orgId, a.campaignId, { mode: 'totals' })).toBeNull();
    expect(await campaignTimeseries(sql, other.orgId, a.campaignId, { interval: 'day' })).toBeNull();
  });
});
