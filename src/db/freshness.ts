import { jsonb, type Db } from './client';
import type { Platform } from './videos';

export interface VideoKey {
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
}

export const videoKey = (v: VideoKey) => `${v.organizationId}:${v.platform}:${v.externalVideoId}`;

/**
 * Which of these videos were fetched within the last `minutes` (a snapshot that recent) and have
 * their thumbnail: those need no platform call now. One statement for a whole batch, driven by
 * the batch: per video one probe of `videos` and one of its latest snapshot. (Written as
 * `exists (… created_at > now() - …)` the planner, whose statistics predate tonight's snapshots,
 * estimated one recent row and started from ALL of them — 75,000 midway through a 100,000-video
 * night, each compared with every batch video: 18 s per batch.)
 */
export async function freshVideos(db: Db, videos: VideoKey[], minutes: number): Promise<Set<string>> {
  if (videos.length === 0 || minutes <= 0) return new Set();
  const input = [...new Map(videos.map((v) => [videoKey(v), { organization_id: v.organizationId, platform: v.platform, external_video_id: v.externalVideoId }])).values()];
  const rows = await db<{ organization_id: string; platform: Platform; external_video_id: string }[]>`
    select v.organization_id, v.platform, v.external_video_id
    from jsonb_to_recordset(${jsonb(input)}::text::jsonb) as r(organization_id uuid, platform public.platform, external_video_id text)
    join public.videos v on v.organization_id = r.organization_id and v.platform = r.platform and v.external_video_id = r.external_video_id
    cross join lateral (
      select s.created_at from public.video_statistics s where s.video_id = v.id order by s.created_at desc limit 1) latest
    where v.thumbnail_url is not null
      and latest.created_at > now() - make_interval(mins => ${minutes})`;
  return new Set(rows.map((r) => videoKey({ organizationId: r.organization_id, platform: r.platform, externalVideoId: r.external_video_id })));
}
