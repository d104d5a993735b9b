import { jsonb, type Db } from './client';
import type { CommonVideo } from '../platforms';

export interface SaveBloggerVideosInput {
  organizationId: string;
  bloggerId: string;
  createdBy: string | null;
  /** Idempotency key of this fetch: a retried step writes no second snapshot. */
  fetchKey: string;
  source: 'blogger_initial' | 'blogger_batch';
  /** newest first: when the tracked-videos quota admits only some new videos, the newest win */
  videos: CommonVideo[];
  /**
   * How many NEW videos may start tracking (steps/limits `trackedVideosCapacity`, computed under
   * the organization's quota lock in the same transaction); null = unlimited. Videos the
   * organization already has are updated whatever this is.
   */
  trackingCapacity: number | null;
}

export interface SaveBloggerVideosResult {
  videos_inserted: number;
  videos_updated: number;
  snapshots_inserted: number;
  /** new videos not saved because the organization's tracked-videos quota (max_tracked_videos) is used up */
  skipped_for_quota: number;
  /**
   * Videos to refresh through the stats queue: saved without stats (YouTube uploads carry none) or
   * without a thumbnail (the stats lookup fills it in).
   */
  to_refresh: { id: string; external_video_id: string; video_url: string }[];
  /** the newest video this save inserted (the organization did not have it), for the `new_video` notification */
  first_new_video_url?: string | null;
}

/**
 * Upserts a blogger's videos by (organization, platform, external_video_id), inserts a snapshot
 * for each video that came with stats, and counts newly inserted videos against this period's
 * quota — in one statement, so a retry (nothing new to insert) counts nothing twice.
 */
export async function saveBloggerVideos(db: Db, input: SaveBloggerVideosInput): Promise<SaveBloggerVideosResult> {
  const unique = [...new Map(input.videos.map((v) => [v.external_video_id, v])).values()];
  if (unique.length === 0) return { videos_inserted: 0, videos_updated: 0, snapshots_inserted: 0, skipped_for_quota: 0, to_refresh: [] };
  // YouTube's uploads playlist has no stats: those videos get theirs from videos.list via the queue.
  const rows = unique.map((v, ord) => ({
    ord, platform: v.platform, external_video_id: v.external_video_id, video_url: v.video_url, title: v.title ?? null,
    thumbnail_url: v.thumbnail_url ?? null, published_at: v.published_at ?? null, has_stats: v.statistics != null,
    views: v.statistics?.views ?? 0, likes: v.statistics?.likes ?? 0, comments: v.statistics?.comments ?? 0,
    reposts: v.statistics?.reposts ?? 0, saves: v.statistics?.saves ?? 0,
  }));
  const [row] = await db<{ videos_inserted: number; videos_updated: number; snapshots_inserted: number; skipped_for_quota: number; to_refresh: SaveBloggerVideosResult['to_refresh'] | null; first_new_video_url: string | null }[]>`
    with candidates as (
      select u.*, exists (select 1 from public.videos x where x.organization_id = ${input.organizationId}
                            and x.platform = u.platform and x.external_video_id = u.external_video_id) as known
      from jsonb_to_recordset(${jsonb(rows)}::text::jsonb) as u(
        ord int, platform public.platform, external_video_id text, video_url text, title text, thumbnail_url text, published_at timestamptz,
        has_stats boolean, views bigint, likes bigint, comments bigint, reposts bigint, saves bigint)
    ),
    -- videos the organization has, plus the newest new ones the tracked-videos quota admits
    input as (
      select * from (
        select c.*, row_number() over (partition by c.known order by c.ord) as rank_in_kind from candidates c
      ) r
      where r.known or ${input.trackingCapacity}::int is null or r.rank_in_kind <= ${input.trackingCapacity}::int
    ),
    upserted as (
      insert into public.videos as v (organization_id, platform, external_video_id, video_url, initial_url, video_status, blogger_id,
                                      title, thumbnail_url, published_at, source, created_by, tracking_started_at)
      select ${input.organizationId}, platform, external_video_id, video_url, video_url, 'tracking', ${input.bloggerId},
             title, thumbnail_url, published_at, ${input.source}, ${input.createdBy}, now()
      from input
      on conflict (organization_id, platform, external_video_id) do update set
        blogger_id = coalesce(v.blogger_id, excluded.blogger_id),
        title = coalesce(excluded.title, v.title),
        thumbnail_url = coalesce(excluded.thumbnail_url, v.thumbnail_url),
        published_at = coalesce(excluded.published_at, v.published_at),
        updated_at = now()
      returning v.id, v.external_video_id, v.video_url, v.thumbnail_url, (xmax = 0) as inserted
    ),
    snapshots as (
      insert into public.video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key)
      select ${input.organizationId}, u.id, i.external_video_id, i.views, i.likes, i.comments, i.reposts, i.saves, ${input.fetchKey}
      from upserted u join input i using (external_video_id)
      where i.has_stats
      on conflict (video_id, fetch_key) do nothing
      returning 1
    ),
    usage as (
      insert into public.usage_counters (organization_id, period_start, videos_fetched)
      select ${input.organizationId}, date_trunc('month', now()), count(*) from upserted where inserted having count(*) > 0
      on conflict (organization_id, period_start) do update set videos_fetched = public.usage_counters.videos_fetched + excluded.videos_fetched, updated_at = now()
      returning 1
    )
    select (select count(*) from upserted where inserted)::int as videos_inserted,
           (select count(*) from upserted where not inserted)::int as videos_updated,
           (select count(*) from snapshots)::int as snapshots_inserted,
           (select count(*) from candidates)::int - (select count(*) from input)::int as skipped_for_quota,
           (select json_agg(json_build_object('id', u.id, 'external_video_id', u.external_video_id, 'video_url', u.video_url))
              from upserted u join input i using (external_video_id)
             where not i.has_stats or coalesce(i.thumbnail_url, u.thumbnail_url) is null) as to_refresh,
           (select count(*) from usage)::int as usage_rows,
           (select u.video_url from upserted u join input i using (external_video_id) where u.inserted order by i.ord limit 1) as first_new_video_url`;
  return { videos_inserted: row!.videos_inserted, videos_updated: row!.videos_updated, snapshots_inserted: row!.snapshots_inserted, skipped_for_quota: row!.skipped_for_quota, to_refresh: row!.to_refresh ?? [], first_new_video_url: row!.first_new_video_url };
}

export async function markBloggerFetched(db: Db, trackingId: string, opts: { initial: boolean; skipReason?: string | null }) {
  await db`
    update public.tracked_accounts set
      initial_videos_fetched = initial_videos_fetched or ${opts.initial},
      last_scraped_at = now(),
      last_skip_reason = ${opts.skipReason ?? null},
      updated_at = now()
    where id = ${trackingId}`;
}

export async function recordSkip(db: Db, trackingIds: string[], reasons: string[]) {
  if (trackingIds.length === 0) return;
  await db`
    update public.tracked_accounts t set last_skip_reason = r.reason, updated_at = now()
    from jsonb_to_recordset(${jsonb(trackingIds.map((id, i) => ({ id, reason: reasons[i] })))}::text::jsonb) as r(id uuid, reason text)
    where t.id = r.id`;
}
