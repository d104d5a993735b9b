import type { Db } from './client';
import { containsPattern } from './like';
import type { Platform } from './videos';

export interface BloggerRow {
  blogger_id: string;
  tracking_id: string | null;
  organization_id: string;
  platform: Platform;
  username: string;
  channel_name: string | null;
  external_id: string;
  sec_uid: string | null;
  subscribers: string | null;
  thumbnail_url: string | null;
  profile_url: string | null;
  is_active: boolean | null;
  initial_videos_count: number | null;
  daily_videos_count: number | null;
  initial_videos_fetched: boolean | null;
  last_scraped_at: Date | null;
  last_skip_reason: string | null;
  created_at: Date;
  video_count: number;
  tracking_video_count: number;
  tags: string[];
  campaign_ids: string[];
}

const BLOGGER_SELECT = (db: Db) => db`
  select b.id as blogger_id, t.id as tracking_id, b.organization_id, b.platform, b.username, b.channel_name, b.external_id,
         b.sec_uid, b.subscribers, b.thumbnail_url, b.profile_url, t.is_active, t.initial_videos_count, t.daily_videos_count,
         t.initial_videos_fetched, t.last_scraped_at, t.last_skip_reason, b.created_at,
         (select count(*) from public.videos v where v.blogger_id = b.id)::int as video_count,
         (select count(*) from public.videos v where v.blogger_id = b.id and v.video_status = 'tracking')::int as tracking_video_count,
         coalesce((select json_agg(tg.name order by tg.name) from public.blogger_tags bt join public.tags tg on tg.id = bt.tag_id where bt.blogger_id = b.id), '[]') as tags,
         coalesce((select json_agg(bc.campaign_id) from public.blogger_campaigns bc where bc.blogger_id = b.id), '[]') as campaign_ids
  from public.blogger_information b
  left join public.tracked_accounts t on t.blogger_id = b.id and t.organization_id = b.organization_id`;

export async function findBlogger(db: Db, organizationId: string, bloggerId: string): Promise<BloggerRow | undefined> {
  const [row] = await db<BloggerRow[]>`${BLOGGER_SELECT(db)} where b.organization_id = ${organizationId} and b.id = ${bloggerId}`;
  return row;
}

export interface BloggerListFilter {
  platform?: Platform;
  isActive?: boolean;
  campaignId?: string;
  tag?: string;
  search?: string;
  afterId?: string;
  limit: number;
}

export async function listBloggers(db: Db, organizationId: string, f: BloggerListFilter): Promise<BloggerRow[]> {
  return db<BloggerRow[]>`
    ${BLOGGER_SELECT(db)}
    where b.organization_id = ${organizationId}
      ${f.platform ? db`and b.platform = ${f.platform}` : db``}
      ${f.isActive !== undefined ? db`and coalesce(t.is_active, false) = ${f.isActive}` : db``}
      ${f.campaignId ? db`and exists (select 1 from public.blogger_campaigns bc where bc.blogger_id = b.id and bc.campaign_id = ${f.campaignId})` : db``}
      ${f.tag ? db`and exists (select 1 from public.blogger_tags bt join public.tags tg on tg.id = bt.tag_id where bt.blogger_id = b.id and tg.name = ${f.tag})` : db``}
      ${f.search ? db`and (b.username ilike ${containsPattern(f.search)} or b.channel_name ilike ${containsPattern(f.search)})` : db``}
      ${f.afterId ? db`and (b.created_at, b.id) < (select c.created_at, c.id from public.blogger_information c where c.id = ${f.afterId} and c.organization_id = ${organizationId})` : db``}
    order by b.created_at desc, b.id desc
    limit ${f.limit}`;
}

export interface UpsertBlogger {
  organizationId: string;
  platform: Platform;
  username: string;
  channelName: string | null;
  externalId: string;
  secUid: string | null;
  subscribers: number | null;
  thumbnailUrl: string | null;
  profileUrl: string | null;
}

export async function upsertBlogger(db: Db, b: UpsertBlogger): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into public.blogger_information (organization_id, platform, username, channel_name, external_id, sec_uid, subscribers, thumbnail_url, profile_url)
    values (${b.organizationId}, ${b.platform}, ${b.username}, ${b.channelName}, ${b.externalId}, ${b.secUid}, ${b.subscribers}, ${b.thumbnailUrl}, ${b.profileUrl})
    on conflict (organization_id, platform, external_id) do update set
      username = excluded.username, channel_name = excluded.channel_name, sec_uid = coalesce(excluded.sec_uid, public.blogger_information.sec_uid),
      subscribers = excluded.subscribers, thumbnail_url = excluded.thumbnail_url, profile_url = excluded.profile_url, updated_at = now()
    returning id`;
  return row!.id;
}

/**
 * Creates the tracking record, or re-activates the existing one with the counts given (adding twice
 * is not an error: a re-add resumes a paused blogger and takes the counts the caller chose).
 */
export async function upsertTracking(db: Db, t: { organizationId: string; bloggerId: string; initialVideosCount: number; dailyVideosCount: number; createdBy: string }) {
  const [row] = await db<{ id: string; created: boolean }[]>`
    insert into public.tracked_accounts as t (organization_id, blogger_id, is_active, initial_videos_count, daily_videos_count, created_by)
    values (${t.organizationId}, ${t.bloggerId}, true, ${t.initialVideosCount}, ${t.dailyVideosCount}, ${t.createdBy})
    on conflict (organization_id, blogger_id) do update set is_active = true,
      initial_videos_count = excluded.initial_videos_count, daily_videos_count = excluded.daily_videos_count, updated_at = now()
    returning t.id, (xmax = 0) as created`;
  return row!;
}

export async function linkBloggerCampaign(db: Db, organizationId: string, bloggerId: string, campaignId: string) {
  await db`insert into public.blogger_campaigns (organization_id, blogger_id, campaign_id) values (${organizationId}, ${bloggerId}, ${campaignId}) on conflict do nothing`;
}

export async function updateTracking(db: Db, organizationId: string, bloggerId: string, patch: { isActive?: boolean; initialVideosCount?: number; dailyVideosCount?: number }) {
  const [row] = await db<{ id: string }[]>`
    update public.tracked_accounts set
      is_active = coalesce(${patch.isActive ?? null}::boolean, is_active),
      initial_videos_count = coalesce(${patch.initialVideosCount ?? null}::int, initial_videos_count),
      daily_videos_count = coalesce(${patch.dailyVideosCount ?? null}::int, daily_videos_count),
      updated_at = now()
    where organization_id = ${organizationId} and blogger_id = ${bloggerId}
    returning id`;
  return row;
}

export async function deleteBlogger(db: Db, organizationId: string, bloggerId: string): Promise<boolean> {
  const rows = await db`delete from public.blogger_information where organization_id = ${organizationId} and id = ${bloggerId} returning id`;
  return rows.length > 0;
}
