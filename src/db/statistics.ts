import { jsonb, type Db } from './client';
import type { Platform } from './videos';

/** One fetched snapshot, addressed by the video's natural key inside its organization. */
export interface SnapshotInput {
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
  /** Idempotency key of the fetch (queue message id, workflow step): a retry reuses it. */
  fetchKey: string;
  views: number;
  likes: number;
  comments: number;
  reposts: number;
  saves: number;
  title?: string | null;
  thumbnailUrl?: string | null;
  publishedAt?: string | null;
  musicId?: string | null;
  authorUsername?: string | null;
  authorExternalId?: string | null;
}

export interface MissingInput {
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
}

export interface WriteResult {
  snapshots_inserted: number;
  videos_updated: number;
  videos_marked_deleted: number;
}

/**
 * A video the batch resolved: every found one that is tracked (snapshot new or already written by
 * an earlier delivery) and every one marked deleted. What the alert step needs, so it does not look
 * the videos up again (`deleted_at` is set only for those the platform no longer returns).
 */
export interface WrittenVideo {
  video_id: string;
  organization_id: string;
  blogger_id: string | null;
  deleted_at: string | null;
}

/**
 * Writes a whole delivered batch in ONE statement, whatever its size: the snapshots (skipping any
 * whose fetch key was already written, so a redelivered message adds nothing), the video metadata
 * the platform returned (and un-deletes a video it returns again), the blogger link by author,
 * and `deleted` for videos the platform no longer returns. Returns the counts and the videos it
 * resolved (for the alert step).
 */
export async function writeStatsBatch(db: Db, found: SnapshotInput[], missing: MissingInput[]): Promise<WriteResult & { videos: WrittenVideo[] }> {
  if (found.length === 0 && missing.length === 0) return { snapshots_inserted: 0, videos_updated: 0, videos_marked_deleted: 0, videos: [] };
  const rows = found.map((f) => ({
    organization_id: f.organizationId, platform: f.platform, external_video_id: f.externalVideoId, fetch_key: f.fetchKey,
    views: f.views, likes: f.likes, comments: f.comments, reposts: f.reposts, saves: f.saves,
    title: f.title ?? null, thumbnail_url: f.thumbnailUrl ?? null, published_at: f.publishedAt ?? null, music_id: f.musicId ?? null,
    author_username: f.authorUsername ?? null, author_external_id: f.authorExternalId ?? null,
  }));
  const gone = missing.map((m) => ({ organization_id: m.organizationId, platform: m.platform, external_video_id: m.externalVideoId }));
  const [row] = await db<(WriteResult & { videos: WrittenVideo[] })[]>`
    with input as (
      select * from jsonb_to_recordset(${jsonb(rows)}::text::jsonb) as u(
        organization_id uuid, platform public.platform, external_video_id text, fetch_key text, views bigint, likes bigint,
        comments bigint, reposts bigint, saves bigint, title text, thumbnail_url text, published_at timestamptz, music_id text,
        author_username text, author_external_id text)
    ),
    target as (
      select distinct on (v.id) v.id as video_id, i.*
      from input i
      join public.videos v on v.organization_id = i.organization_id and v.platform = i.platform and v.external_video_id = i.external_video_id
      order by v.id, i.fetch_key
    ),
    inserted as (
      insert into public.video_statistics (organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key)
      select organization_id, video_id, external_video_id, views, likes, comments, reposts, saves, fetch_key from target
      on conflict (video_id, fetch_key) do nothing
      returning 1
    ),
    -- Only videos whose metadata, blogger link or deleted state actually changes are rewritten:
    -- a nightly refresh mostly changes counters, which live in the snapshot, not the video row.
    linked as (
      select t.*, v.blogger_id as current_blogger,
             coalesce(v.blogger_id,
               (select b.id from public.blogger_information b
                where b.organization_id = v.organization_id and b.platform = v.platform and b.external_id = t.author_external_id),
               (select b.id from public.blogger_information b
                where b.organization_id = v.organization_id and b.platform = v.platform and lower(b.username) = lower(t.author_username)
                limit 1)) as new_blogger
      from target t join public.videos v on v.id = t.video_id
    ),
    updated as (
      update public.videos v set
        title = coalesce(t.title, v.title),
        thumbnail_url = coalesce(t.thumbnail_url, v.thumbnail_url),
        published_at = coalesce(t.published_at, v.published_at),
        music_id = coalesce(t.music_id, v.music_id),
        author_username = coalesce(t.author_username, v.author_username),
        blogger_id = t.new_blogger,
        video_status = case when v.video_status = 'deleted' then 'tracking'::public.video_status else v.video_status end,
        deleted_at = null,
        updated_at = now()
      from linked t
      where v.id = t.video_id
        and (v.video_status = 'deleted'
          or v.title is distinct from coalesce(t.title, v.title)
          or v.thumbnail_url is distinct from coalesce(t.thumbnail_url, v.thumbnail_url)
          or v.published_at is distinct from coalesce(t.published_at, v.published_at)
          or v.music_id is distinct from coalesce(t.music_id, v.music_id)
          or v.author_username is distinct from coalesce(t.author_username, v.author_username)
          or v.blogger_id is distinct from t.new_blogger)
      returning 1
    ),
    gone as (
      update public.videos v set video_status = 'deleted', deleted_at = coalesce(v.deleted_at, now()), updated_at = now()
      from jsonb_to_recordset(${jsonb(gone)}::text::jsonb) as m(organization_id uuid, platform public.platform, external_video_id text)
      where v.organization_id = m.organization_id and v.platform = m.platform and v.external_video_id = m.external_video_id
        and v.video_status <> 'stopped'
      returning v.id, v.organization_id, v.blogger_id, v.deleted_at
    )
    select (select count(*) from inserted)::int as snapshots_inserted,
           (select count(*) from updated)::int as videos_updated,
           (select count(*) from gone)::int as videos_marked_deleted,
           (select coalesce(jsonb_agg(w), '[]') from (
              select t.video_id, t.organization_id, t.new_blogger as blogger_id, null::timestamptz as deleted_at from linked t
              union all
              select g.id, g.organization_id, g.blogger_id, g.deleted_at from gone g) w) as videos`;
  return row!;
}
