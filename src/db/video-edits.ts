import { jsonb, type Db } from './client';
import { linkTags } from './tags';

/** Replaces the video's tags by these names, creating missing tags (linking goes through the one shared linkTags). */
export async function setVideoTags(db: Db, organizationId: string, videoId: string, names: string[]): Promise<void> {
  const wanted = [...new Set(names)];
  await db`
    delete from public.video_tags vt using public.tags t
    where vt.organization_id = ${organizationId} and vt.video_id = ${videoId} and t.id = vt.tag_id
      and t.name not in (select jsonb_array_elements_text(${jsonb(wanted)}::text::jsonb))`;
  await linkTags(db, organizationId, 'video', videoId, wanted);
}

/**
 * Soft removal (the default of DELETE /dashboard/videos/:id): the video stops tracking (freeing its
 * tracked-videos unit) and leaves the dashboard lists, but keeps its snapshots, tags and campaign
 * link, so campaign totals and timeseries keep its history. Starting tracking again or adding the
 * same URL again brings it back.
 */
export async function softRemoveVideo(db: Db, organizationId: string, videoId: string): Promise<{ id: string; removed_at: Date } | undefined> {
  const [row] = await db<{ id: string; removed_at: Date }[]>`
    update public.videos set
      video_status = case when video_status in ('tracking', 'deleted') then 'stopped'::public.video_status else video_status end,
      removed_at = coalesce(removed_at, now()),
      updated_at = now()
    where organization_id = ${organizationId} and id = ${videoId}
    returning id, removed_at`;
  return row;
}

/**
 * Purge (`?purge=true`): deletes the video with its snapshots (and so its rollup rows), tags and
 * campaign link. Campaign totals lose its history: only when the user asks for it.
 */
export async function purgeVideo(db: Db, organizationId: string, videoId: string): Promise<{ id: string; snapshots_deleted: number } | undefined> {
  const [row] = await db<{ id: string; snapshots_deleted: number }[]>`
    with counted as (
      select count(*)::int as n from public.video_statistics where organization_id = ${organizationId} and video_id = ${videoId}
    )
    delete from public.videos v where v.organization_id = ${organizationId} and v.id = ${videoId}
    returning v.id, (select n from counted) as snapshots_deleted`;
  return row;
}

/** Adding a URL the organization already has brings a soft-removed video back to the lists. */
export async function restoreRemovedVideo(db: Db, organizationId: string, videoId: string): Promise<void> {
  await db`update public.videos set removed_at = null, updated_at = now() where organization_id = ${organizationId} and id = ${videoId} and removed_at is not null`;
}
