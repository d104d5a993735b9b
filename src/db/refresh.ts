import type { Db } from './client';
import type { Platform } from './videos';

export interface VideoNeedingUpdate {
  id: string;
  organization_id: string;
  platform: Exclude<Platform, 'Other'>;
  external_video_id: string;
  video_url: string;
  created_by: string | null;
}

/** One keyset page of `videos_needing_update`, ordered by id (NightlyRefresh reads a step per page). */
export async function videosNeedingUpdatePage(db: Db, afterId: string | null, limit: number): Promise<VideoNeedingUpdate[]> {
  return db<VideoNeedingUpdate[]>`
    select id, organization_id, platform, external_video_id, video_url, created_by
    from public.videos_needing_update
    ${afterId ? db`where id > ${afterId}` : db``}
    order by id
    limit ${limit}`;
}
