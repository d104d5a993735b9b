import type { VideoPlatform } from '../domain/platforms';
import type { VideoStatus } from '../domain/statuses';
import type { Db } from './client';

/** A video's platform, `Other` included (src/domain/platforms.ts). */
export type Platform = VideoPlatform;
export type { VideoStatus };

/** A video as the API returns it: the row plus its latest snapshot and tags. */
export interface VideoRow {
  id: string;
  organization_id: string;
  platform: Platform;
  external_video_id: string;
  video_url: string;
  initial_url: string | null;
  video_status: VideoStatus;
  blogger_id: string | null;
  campaign_id: string | null;
  budget: string | null;
  title: string | null;
  thumbnail_url: string | null;
  published_at: Date | null;
  music_id: string | null;
  author_username: string | null;
  source: string;
  created_by: string | null;
  tracking_started_at: Date | null;
  deleted_at: Date | null;
  created_at: Date;
  updated_at: Date;
  views: string | null;
  likes: string | null;
  comments: string | null;
  reposts: string | null;
  saves: string | null;
  stats_updated_at: Date | null;
  tags: string[];
  /** soft-removed (DELETE /dashboard/videos/:id): hidden from the dashboard list, history kept */
  removed_at: Date | null;
}

const VIDEO_COLUMNS = (db: Db) => db`
  v.id, v.organization_id, v.platform, v.external_video_id, v.video_url, v.initial_url, v.video_status,
  v.blogger_id, v.campaign_id, v.budget, v.title, v.thumbnail_url, v.published_at, v.music_id,
  v.author_username, v.source, v.created_by, v.tracking_started_at, v.deleted_at, v.created_at, v.updated_at,
  v.views, v.likes, v.comments, v.reposts, v.saves, v.stats_updated_at,
  coalesce((select json_agg(t.name order by t.name) from public.video_tags vt join public.tags t on t.id = vt.tag_id
            where vt.video_id = v.id), '[]') as tags,
  (select r.removed_at from public.videos r where r.id = v.id) as removed_at`;

export async function findVideo(db: Db, organizationId: string, videoId: string): Promise<VideoRow | undefined> {
  const [row] = await db<VideoRow[]>`
    select ${VIDEO_COLUMNS(db)} from public.videos_with_statistics_fast v
    where v.organization_id = ${organizationId} and v.id = ${videoId}`;
  return row;
}

export interface VideoListFilter {
  status?: VideoStatus;
  platform?: Platform;
  campaignId?: string;
  bloggerId?: string;
  /** soft-removed videos are left out unless asked for */
  includeRemoved?: boolean;
  /** keyset cursor: the id of the last row of the previous page */
  afterId?: string;
  limit: number;
}

export async function listVideos(db: Db, organizationId: string, f: VideoListFilter): Promise<VideoRow[]> {
  return db<VideoRow[]>`
    select ${VIDEO_COLUMNS(db)} from public.videos_with_statistics_fast v
    where v.organization_id = ${organizationId}
      ${f.status ? db`and v.video_status = ${f.status}` : db``}
      ${f.platform ? db`and v.platform = ${f.platform}` : db``}
      ${f.campaignId ? db`and v.campaign_id = ${f.campaignId}` : db``}
      ${f.bloggerId ? db`and v.blogger_id = ${f.bloggerId}` : db``}
      ${f.includeRemoved ? db`` : db`and not exists (select 1 from public.videos r where r.id = v.id and r.removed_at is not null)`}
      ${f.afterId ? db`and (v.created_at, v.id) < (select c.created_at, c.id from public.videos c where c.id = ${f.afterId} and c.organization_id = ${organizationId})` : db``}
    order by v.created_at desc, v.id desc
    limit ${f.limit}`;
}

export async function campaignExists(db: Db, organizationId: string, campaignId: string): Promise<boolean> {
  const rows = await db`select 1 from public.campaigns where organization_id = ${organizationId} and id = ${campaignId}`;
  return rows.length > 0;
}

export interface NewVideo {
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
  videoUrl: string;
  initialUrl: string;
  campaignId: string | null;
  createdBy: string;
  source: string;
}

/** Inserts the video unless the organization already has it; tells which happened. */
export async function insertVideo(db: Db, v: NewVideo): Promise<{ id: string; created: boolean }> {
  const [inserted] = await db<{ id: string }[]>`
    insert into public.videos (organization_id, platform, external_video_id, video_url, initial_url, campaign_id, created_by, source)
    values (${v.organizationId}, ${v.platform}, ${v.externalVideoId}, ${v.videoUrl}, ${v.initialUrl}, ${v.campaignId}, ${v.createdBy}, ${v.source})
    on conflict (organization_id, platform, external_video_id) do nothing
    returning id`;
  if (inserted) return { id: inserted.id, created: true };
  const [existing] = await db<{ id: string }[]>`
    select id from public.videos
    where organization_id = ${v.organizationId} and platform = ${v.platform} and external_video_id = ${v.externalVideoId}`;
  return { id: existing!.id, created: false };
}

export async function setTrackingStatus(db: Db, organizationId: string, videoId: string, status: 'tracking' | 'stopped') {
  const [row] = await db<{ id: string; organization_id: string; platform: Platform; external_video_id: string; video_url: string; initial_url: string | null; created_by: string | null }[]>`
    update public.videos set
      video_status = ${status},
      tracking_started_at = case when ${status} = 'tracking' then coalesce(tracking_started_at, now()) else tracking_started_at end,
      deleted_at = case when ${status} = 'tracking' then null else deleted_at end,
      removed_at = case when ${status} = 'tracking' then null else removed_at end,
      updated_at = now()
    where organization_id = ${organizationId} and id = ${videoId}
    returning id, organization_id, platform, external_video_id, video_url, initial_url, created_by`;
  return row;
}

export async function videoStatus(db: Db, organizationId: string, videoId: string) {
  const [row] = await db<{ video_status: VideoStatus; platform: Platform }[]>`
    select video_status, platform from public.videos where organization_id = ${organizationId} and id = ${videoId}`;
  return row;
}
