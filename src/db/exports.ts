import { jsonb, type Db } from './client';

/** What an export adds to the API's video rows: notes, blogger username, campaign name, stats time. */
export interface VideoExtras {
  notes: string | null;
  blogger: string | null;
  campaign: string | null;
  stats_updated_at: Date | null;
}

export async function videoExtras(db: Db, organizationId: string, videoIds: string[], opts: { statsTime: boolean }): Promise<Map<string, VideoExtras>> {
  if (videoIds.length === 0) return new Map();
  const rows = await db<(VideoExtras & { id: string })[]>`
    select v.id, v.notes, b.username as blogger, c.name as campaign,
      ${opts.statsTime ? db`(select s.created_at from public.video_statistics s where s.video_id = v.id order by s.created_at desc, s.id desc limit 1)` : db`null::timestamptz`} as stats_updated_at
    from public.videos v
    left join public.blogger_information b on b.organization_id = v.organization_id and b.id = v.blogger_id
    left join public.campaigns c on c.organization_id = v.organization_id and c.id = v.campaign_id
    where v.organization_id = ${organizationId}
      and v.id in (select x::uuid from jsonb_array_elements_text(${jsonb(videoIds)}::text::jsonb) x)`;
  return new Map(rows.map(({ id, ...rest }) => [id, rest]));
}

/**
 * One page of a campaign's video ids in the dashboard's order (newest first), keyset on
 * (created_at, id): an export pages by video, then computes each page's analytics.
 */
export async function campaignVideoIdsPage(db: Db, organizationId: string, campaignId: string, after: string | undefined, limit: number): Promise<string[]> {
  const rows = await db<{ id: string }[]>`
    select v.id from public.videos v
    where v.organization_id = ${organizationId} and v.campaign_id = ${campaignId}
      ${after ? db`and (v.created_at, v.id) < (select c.created_at, c.id from public.videos c where c.id = ${after} and c.organization_id = ${organizationId})` : db``}
    order by v.created_at desc, v.id desc
    limit ${limit}`;
  return rows.map((r) => r.id);
}
