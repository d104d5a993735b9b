import type { Db } from '../db/client';
import { recordNotificationEvents, type FannedOut } from '../db/alerts';
import type { SaveBloggerVideosResult } from '../db/blogger-videos';
import type { BloggerFetchParams } from '../workflows/params';

/**
 * `new_video` after a daily blogger fetch saved videos the organization did not have: one per
 * blogger per run (key: tracking id and run), with how many and the newest one's link. Call it in
 * the save's transaction; the initial fetch of a blogger does not notify (everything is new then).
 */
export async function recordNewVideos(db: Db, p: BloggerFetchParams, runId: string, saved: SaveBloggerVideosResult): Promise<FannedOut[]> {
  if (saved.videos_inserted <= 0) return [];
  const n = saved.videos_inserted;
  const link = saved.first_new_video_url ?? '';
  return recordNotificationEvents(db, [{
    organizationId: p.organizationId,
    type: 'new_video',
    dedupeKey: `${p.trackingId}:${runId}`,
    text: `🆕 @${p.username} (${p.platform}) posted ${n} new video${n === 1 ? '' : 's'}${link ? `: ${link}` : ''}`,
    vars: { username: p.username, platform: p.platform, newVideos: n, videoUrl: link },
  }]);
}
