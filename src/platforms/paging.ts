import { DEFAULT_MAX_PAGES, type CommonVideo, type PlatformAdapter } from './types';

/**
 * Shared `getUserVideosBatch`: pages until `targetCount` videos, the last page, or `maxPages`.
 * Stops as well when a platform hands back the cursor it was given (no endless loop), and keeps
 * each video once (a pinned video may be listed twice).
 */
export async function collectPages(
  adapter: Pick<PlatformAdapter, 'getUserVideosPage'>,
  q: Parameters<PlatformAdapter['getUserVideosBatch']>[0],
): Promise<CommonVideo[]> {
  const target = Math.max(0, Math.floor(q.targetCount));
  const maxPages = Math.max(1, q.maxPages ?? DEFAULT_MAX_PAGES);
  const videos = new Map<string, CommonVideo>();
  if (target === 0) return [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const res = await adapter.getUserVideosPage({ externalId: q.externalId, secUid: q.secUid, username: q.username, cursor });
    for (const v of res.videos) if (!videos.has(v.external_video_id)) videos.set(v.external_video_id, v);
    if (!res.nextCursor || res.nextCursor === cursor || videos.size >= target) break;
    cursor = res.nextCursor;
  }
  return [...videos.values()].slice(0, target);
}
