import type postgres from 'postgres';
import { createOrganization, type Fixture } from '../helpers/db';

/**
 * The hand-computed campaign of the analytics tests. Campaign "March push" runs Monday 2026-03-02
 * to Sunday 2026-03-08, budget 1200 USD. Snapshots (UTC):
 *
 *   V1 (blogger B1, budget 300) tracked before the campaign; no snapshots on 03-03, 03-04, 03-06..08
 *      02-27 12:00   1000 100 10  5  5
 *      03-01 20:00   2000 150 20 10 10   ← value at the campaign's start (end of 03-01)
 *      03-02 08:00   2500 160 22 10 12
 *      03-02 22:00   3000 200 30 12 14   ← last of 03-02
 *      03-05 10:00   6000 400 50 20 30   ← value on 03-08 (carried forward)
 *      03-09 09:00   9000 500 60 25 40   (after the campaign)
 *   V2 (blogger B2, budget 200) added mid-campaign: tracking started 03-04 09:00
 *      03-04 10:00  50000 5000 500 100 400  ← tracking start: its earlier views never count
 *      03-04 18:00  50800 5040 510 102 408
 *      03-06 07:00  52000 5100 520 105 415
 *      03-06 03:00  51500 5080 515 104 411  (inserted LAST: arrives out of order, is not the day's last)
 *   V3 (blogger B1, budget 50) zero views: 03-03 12:00 and 03-07 12:00, all counters 0
 *   V4 (no blogger) no snapshot at all
 *   V5 (no blogger) first snapshot 03-10 (after the campaign): nothing on or before 03-08
 *   B3 is assigned to the campaign and has no videos.
 *
 * Increments 03-02..03-08: V1 = 6000-2000 … = 4000 250 30 10 20; V2 = 52000-50000 … = 2000 100 20 5 15;
 * V3 = 0. Campaign: 6000 350 50 15 35 (engagements 450). Totals on 03-08: V1 6000 400 50 20 30,
 * V2 52000 5100 520 105 415, V3 0 → 58000 5500 570 125 445 (engagements 6640).
 */
export interface CampaignFixture {
  owner: Fixture;
  campaignId: string;
  v: { v1: string; v2: string; v3: string; v4: string; v5: string };
  b: { b1: string; b2: string; b3: string };
}

type Row = [at: string, views: number, likes: number, comments: number, reposts: number, saves: number];

export async function insertSnapshots(sql: postgres.Sql, orgId: string, videoId: string, rows: Row[]) {
  const values = rows.map(([at, views, likes, comments, reposts, saves], i) => ({
    organization_id: orgId, video_id: videoId, external_video_id: 'x', views, likes, comments, reposts, saves,
    fetch_key: `fixture-${at}-${i}-${crypto.randomUUID().slice(0, 8)}`, created_at: at,
  }));
  await sql`insert into video_statistics ${sql(values, 'organization_id', 'video_id', 'external_video_id', 'views', 'likes', 'comments', 'reposts', 'saves', 'fetch_key', 'created_at')}`;
}

let counter = 0;
export async function insertVideo(sql: postgres.Sql, orgId: string, opts: { campaignId?: string | null; bloggerId?: string | null; budget?: number | null; publishedAt?: string | null; trackingStartedAt?: string | null; platform?: string } = {}) {
  const ext = `${7400000000000000000n + BigInt(Date.now()) * 1000n + BigInt(counter++)}`;
  const [row] = await sql<{ id: string }[]>`
    insert into videos (organization_id, platform, external_video_id, video_url, video_status, campaign_id, blogger_id, budget, published_at, tracking_started_at)
    values (${orgId}, ${opts.platform ?? 'TikTok'}, ${ext}, ${'https://www.tiktok.com/@f/video/' + ext}, 'tracking', ${opts.campaignId ?? null},
            ${opts.bloggerId ?? null}, ${opts.budget ?? null}, ${opts.publishedAt ?? null}, ${opts.trackingStartedAt ?? null})
    returning id`;
  return row!.id;
}

export async function insertBlogger(sql: postgres.Sql, orgId: string, username: string) {
  const [row] = await sql<{ id: string }[]>`
    insert into blogger_information (organization_id, platform, username, external_id)
    values (${orgId}, 'TikTok', ${username}, ${crypto.randomUUID()}) returning id`;
  return row!.id;
}

export async function createCampaignFixture(sql: postgres.Sql): Promise<CampaignFixture> {
  const owner = await createOrganization(sql);
  const org = owner.orgId;
  const [campaign] = await sql<{ id: string }[]>`
    insert into campaigns (organization_id, name, budget, currency, starts_on, ends_on)
    values (${org}, 'March push', 1200, 'USD', '2026-03-02', '2026-03-08') returning id`;
  const campaignId = campaign!.id;
  const b1 = await insertBlogger(sql, org, 'alice');
  const b2 = await insertBlogger(sql, org, 'bob');
  const b3 = await insertBlogger(sql, org, 'carol');
  await sql`insert into blogger_campaigns (organization_id, blogger_id, campaign_id) values (${org}, ${b1}, ${campaignId}), (${org}, ${b3}, ${campaignId})`;

  const v1 = await insertVideo(sql, org, { campaignId, bloggerId: b1, budget: 300, publishedAt: '2026-02-20T10:00:00Z', trackingStartedAt: '2026-02-27T11:00:00Z' });
  const v2 = await insertVideo(sql, org, { campaignId, bloggerId: b2, budget: 200, publishedAt: '2026-03-03T10:00:00Z', trackingStartedAt: '2026-03-04T09:00:00Z' });
  const v3 = await insertVideo(sql, org, { campaignId, bloggerId: b1, budget: 50, publishedAt: '2026-03-01T10:00:00Z', trackingStartedAt: '2026-03-03T11:00:00Z' });
  const v4 = await insertVideo(sql, org, { campaignId });
  const v5 = await insertVideo(sql, org, { campaignId, publishedAt: '2026-03-09T10:00:00Z', trackingStartedAt: '2026-03-10T08:00:00Z' });

  await insertSnapshots(sql, org, v1, [
    ['2026-02-27T12:00:00Z', 1000, 100, 10, 5, 5],
    ['2026-03-01T20:00:00Z', 2000, 150, 20, 10, 10],
    ['2026-03-02T08:00:00Z', 2500, 160, 22, 10, 12],
    ['2026-03-02T22:00:00Z', 3000, 200, 30, 12, 14],
    ['2026-03-05T10:00:00Z', 6000, 400, 50, 20, 30],
    ['2026-03-09T09:00:00Z', 9000, 500, 60, 25, 40],
  ]);
  await insertSnapshots(sql, org, v2, [
    ['2026-03-04T10:00:00Z', 50000, 5000, 500, 100, 400],
    ['2026-03-04T18:00:00Z', 50800, 5040, 510, 102, 408],
    ['2026-03-06T07:00:00Z', 52000, 5100, 520, 105, 415],
  ]);
  await insertSnapshots(sql, org, v2, [['2026-03-06T03:00:00Z', 51500, 5080, 515, 104, 411]]);
  await insertSnapshots(sql, org, v3, [
    ['2026-03-03T12:00:00Z', 0, 0, 0, 0, 0],
    ['2026-03-07T12:00:00Z', 0, 0, 0, 0, 0],
  ]);
  await insertSnapshots(sql, org, v5, [['2026-03-10T12:00:00Z', 700, 70, 7, 1, 2]]);
  return { owner, campaignId, v: { v1, v2, v3, v4, v5 }, b: { b1, b2, b3 } };
}

/** Counters with engagements, as the API answers them. */
export const c = (views: number, likes: number, comments: number, reposts: number, saves: number) => ({
  views, likes, comments, reposts, saves, engagements: likes + comments + reposts + saves,
});
