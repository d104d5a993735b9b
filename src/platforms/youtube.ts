import { z } from 'zod';
import { AccountNotFoundError, PlatformError } from './errors';
import { platformGet } from './http';
import { collectPages } from './paging';
import { count, optionalString } from './schemas';
import { youtubeVideoUrl } from './video-url';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, VideoDetails } from './types';

// YouTube Data API v3 (`key=` query parameter). Counts are strings; `items` may be absent when
// nothing matched; deleted or private videos are silently left out of videos.list answers.

const Thumbnails = z.record(z.string(), z.object({ url: z.string() }).loose()).nullish();
const bestThumbnail = (t: z.infer<typeof Thumbnails>) => t?.maxres?.url ?? t?.standard?.url ?? t?.high?.url ?? t?.medium?.url ?? t?.default?.url ?? null;
const itemsOf = <T extends z.ZodType>(item: T) =>
  item
    .array()
    .nullish()
    .transform((v) => v ?? []);

const Channels = z.object({
  items: itemsOf(
    z.object({
      id: z.string(),
      snippet: z.object({ title: optionalString, customUrl: optionalString, thumbnails: Thumbnails }).nullish(),
      statistics: z.object({ subscriberCount: count, hiddenSubscriberCount: z.boolean().nullish() }).nullish(),
      contentDetails: z.object({ relatedPlaylists: z.object({ uploads: z.string().nullish() }).nullish() }).nullish(),
    }),
  ),
});

const PlaylistItems = z.object({
  nextPageToken: z.string().nullish(),
  items: itemsOf(
    z.object({
      snippet: z.object({ title: optionalString, thumbnails: Thumbnails }).nullish(),
      contentDetails: z.object({ videoId: z.string(), videoPublishedAt: z.string().nullish() }),
    }),
  ),
});

const Videos = z.object({
  items: itemsOf(
    z.object({
      id: z.string(),
      snippet: z
        .object({ publishedAt: z.string().nullish(), title: optionalString, channelId: optionalString, channelTitle: optionalString, thumbnails: Thumbnails })
        .nullish(),
      statistics: z.object({ viewCount: count, likeCount: count, commentCount: count, favoriteCount: count }).nullish(),
    }),
  ),
});

/** videos.list takes at most 50 ids per call; playlistItems.list serves at most 50 per page. */
export const YOUTUBE_MAX_IDS = 50;

type ChannelLookup = { id: string } | { forHandle: string } | { forUsername: string };

/**
 * `@handle`, `handle`, `UC…` channel id, or a URL: youtube.com/@handle, /channel/UC…, /user/name
 * (legacy username), /c/name (custom URL, tried as a handle).
 */
export function youtubeChannelLookup(input: string): ChannelLookup | null {
  const trimmed = input.trim();
  const channel = /youtube\.com\/channel\/(UC[\w-]{22})/i.exec(trimmed)?.[1] ?? (/^UC[\w-]{22}$/.test(trimmed) ? trimmed : null);
  if (channel) return { id: channel };
  const user = /youtube\.com\/user\/([^/?#\s]+)/i.exec(trimmed)?.[1];
  if (user) return { forUsername: decodeURIComponent(user) };
  const fromUrl = /youtube\.com\/(?:@|c\/)([^/?#\s]+)/i.exec(trimmed)?.[1];
  if (/youtube\.com|youtu\.be/i.test(trimmed) && !fromUrl) return null;
  const handle = (fromUrl ? decodeURIComponent(fromUrl) : trimmed).replace(/^@/, '');
  return handle ? { forHandle: `@${handle}` } : null;
}

/** Uploads playlist of channel UC… is UU…. */
export const uploadsPlaylistId = (channelId: string) => (channelId.startsWith('UC') ? `UU${channelId.slice(2)}` : channelId);

export function createYouTubeAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.youtubeBaseUrl}${path}?${new URLSearchParams({ ...params, key: config.youtubeApiKey })}`, {
      platform: 'YouTube',
      schema,
      fetchImpl,
      timeoutMs: config.timeoutMs,
    });
  const channelParts = { part: 'snippet,statistics,contentDetails' };

  const adapter: PlatformAdapter = {
    platform: 'YouTube',
    statsBatchSize: YOUTUBE_MAX_IDS,

    async getUserInfo(usernameOrUrl) {
      const lookup = youtubeChannelLookup(usernameOrUrl);
      if (!lookup) throw new AccountNotFoundError('YouTube', `no YouTube channel in '${usernameOrUrl}'`);
      let res = await get('/channels', { ...channelParts, ...lookup }, Channels);
      // a bare name may be a legacy username rather than a handle (one more unit, only on a miss)
      const bare = !/youtube\.com/i.test(usernameOrUrl) && !usernameOrUrl.trim().startsWith('@');
      if (res.items.length === 0 && 'forHandle' in lookup && bare) {
        res = await get('/channels', { ...channelParts, forUsername: lookup.forHandle.slice(1) }, Channels);
      }
      const ch = res.items[0];
      if (!ch) throw new AccountNotFoundError('YouTube', `no YouTube channel '${usernameOrUrl.trim()}'`);
      const customUrl = ch.snippet?.customUrl ?? null;
      const handle = customUrl?.replace(/^@/, '') ?? ('forHandle' in lookup ? lookup.forHandle.slice(1) : null) ?? ch.id;
      return {
        channel_name: ch.snippet?.title ?? null,
        username: handle,
        subscribers: ch.statistics && !ch.statistics.hiddenSubscriberCount ? ch.statistics.subscriberCount : null,
        external_id: ch.id,
        sec_uid: null,
        thumbnail: bestThumbnail(ch.snippet?.thumbnails),
        profile_url: customUrl?.startsWith('@') ? `https://www.youtube.com/${customUrl}` : `https://www.youtube.com/channel/${ch.id}`,
        is_private: false,
      };
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      // The uploads playlist lists ids and dates, not stats: those come from getVideoStats.
      try {
        const res = await get(
          '/playlistItems',
          { part: 'contentDetails', playlistId: uploadsPlaylistId(externalId), maxResults: String(YOUTUBE_MAX_IDS), ...(cursor ? { pageToken: cursor } : {}) },
          PlaylistItems,
        );
        const videos: CommonVideo[] = res.items.map((it) => ({
          external_video_id: it.contentDetails.videoId,
          platform: 'YouTube',
          video_url: youtubeVideoUrl(it.contentDetails.videoId),
          title: it.snippet?.title ?? null,
          thumbnail_url: bestThumbnail(it.snippet?.thumbnails) ?? `https://i.ytimg.com/vi/${it.contentDetails.videoId}/hqdefault.jpg`,
          published_at: it.contentDetails.videoPublishedAt ?? null,
        }));
        const next = res.nextPageToken ?? null;
        return { videos, nextCursor: next && next !== cursor ? next : null };
      } catch (err) {
        if (err instanceof PlatformError && err.status === 404) {
          throw new AccountNotFoundError('YouTube', `YouTube channel ${username ?? externalId} has no uploads playlist`, { status: 404, details: err.details });
        }
        throw err;
      }
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      const ids = [...new Set(videos.map((v) => v.externalVideoId))];
      // sequential calls of ≤ 50 ids (one quota unit each)
      for (let i = 0; i < ids.length; i += YOUTUBE_MAX_IDS) {
        const chunk = ids.slice(i, i + YOUTUBE_MAX_IDS);
        const res = await get('/videos', { part: 'snippet,statistics,contentDetails', id: chunk.join(','), maxResults: String(YOUTUBE_MAX_IDS) }, Videos);
        const byId = new Map(res.items.map((it) => [it.id, it]));
        for (const id of chunk) {
          const it = byId.get(id);
          // deleted or private videos are silently left out of the answer
          if (!it) {
            missing.push(id);
            continue;
          }
          found.push({
            external_video_id: id,
            views: it.statistics?.viewCount ?? 0,
            likes: it.statistics?.likeCount ?? 0,
            comments: it.statistics?.commentCount ?? 0,
            reposts: 0,
            saves: 0,
            title: it.snippet?.title ?? null,
            thumbnail_url: bestThumbnail(it.snippet?.thumbnails),
            published_at: it.snippet?.publishedAt ?? null,
            author_username: it.snippet?.channelTitle ?? null,
            author_external_id: it.snippet?.channelId ?? null,
          });
        }
      }
      return { found, missing };
    },
  };
  return adapter;
}
