import { z } from 'zod';
import { AccountNotFoundError, PlatformError } from './errors';
import { platformGet } from './http';
import { count, optionalString } from './schemas';
import { collectPages } from './tiktok';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, VideoDetails } from './types';

const Thumbnails = z.record(z.string(), z.object({ url: z.string() })).nullish();
const bestThumbnail = (t: z.infer<typeof Thumbnails>) => t?.maxres?.url ?? t?.high?.url ?? t?.medium?.url ?? t?.default?.url ?? null;

const Channels = z.object({
  items: z
    .array(
      z.object({
        id: z.string(),
        snippet: z.object({ title: optionalString, customUrl: optionalString, thumbnails: Thumbnails }).optional(),
        statistics: z.object({ subscriberCount: count, hiddenSubscriberCount: z.boolean().optional() }).optional(),
        contentDetails: z.object({ relatedPlaylists: z.object({ uploads: z.string().optional() }) }).optional(),
      }),
    )
    .optional()
    .default([]),
});

const PlaylistItems = z.object({
  nextPageToken: z.string().nullish(),
  items: z.array(z.object({ contentDetails: z.object({ videoId: z.string(), videoPublishedAt: z.string().nullish() }) })).optional().default([]),
});

const Videos = z.object({
  items: z
    .array(
      z.object({
        id: z.string(),
        snippet: z.object({ publishedAt: z.string().nullish(), title: optionalString, channelId: optionalString, channelTitle: optionalString, thumbnails: Thumbnails }).optional(),
        statistics: z.object({ viewCount: count, likeCount: count, commentCount: count, favoriteCount: count }).optional(),
      }),
    )
    .optional()
    .default([]),
});

const MAX_IDS = 50;

function channelLookup(input: string): Record<string, string> {
  const trimmed = input.trim();
  const channel = /youtube\.com\/channel\/(UC[\w-]{22})/i.exec(trimmed)?.[1] ?? (/^UC[\w-]{22}$/.test(trimmed) ? trimmed : null);
  if (channel) return { id: channel };
  const handle = /youtube\.com\/@([^/?#]+)/i.exec(trimmed)?.[1] ?? trimmed.replace(/^@/, '');
  const user = /youtube\.com\/(?:user|c)\/([^/?#]+)/i.exec(trimmed)?.[1];
  return user ? { forUsername: user } : { forHandle: `@${handle}` };
}

export function createYouTubeAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.youtubeBaseUrl}${path}?${new URLSearchParams({ ...params, key: config.youtubeApiKey })}`, { platform: 'YouTube', schema, fetchImpl });

  const adapter: PlatformAdapter = {
    platform: 'YouTube',
    statsBatchSize: MAX_IDS,

    async getUserInfo(usernameOrUrl) {
      const lookup = channelLookup(usernameOrUrl);
      const res = await get('/channels', { part: 'snippet,statistics,contentDetails', ...lookup }, Channels);
      const ch = res.items[0];
      if (!ch) throw new AccountNotFoundError('YouTube', `no YouTube channel '${usernameOrUrl}'`);
      const handle = ch.snippet?.customUrl?.replace(/^@/, '') ?? lookup.forHandle?.replace(/^@/, '') ?? ch.id;
      return {
        channel_name: ch.snippet?.title ?? null,
        username: handle,
        subscribers: ch.statistics?.hiddenSubscriberCount ? null : (ch.statistics?.subscriberCount ?? null),
        external_id: ch.id,
        sec_uid: null,
        thumbnail: bestThumbnail(ch.snippet?.thumbnails),
        profile_url: ch.snippet?.customUrl ? `https://www.youtube.com/${ch.snippet.customUrl}` : `https://www.youtube.com/channel/${ch.id}`,
        is_private: false,
      };
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      // The uploads playlist of channel UC… is UU…; it lists ids and dates, not stats.
      const playlistId = externalId.startsWith('UC') ? `UU${externalId.slice(2)}` : externalId;
      try {
        const res = await get('/playlistItems', { part: 'contentDetails', playlistId, maxResults: String(MAX_IDS), ...(cursor ? { pageToken: cursor } : {}) }, PlaylistItems);
        const videos: CommonVideo[] = res.items.map((it) => ({
          external_video_id: it.contentDetails.videoId,
          platform: 'YouTube',
          video_url: `https://www.youtube.com/watch?v=${it.contentDetails.videoId}`,
          title: null,
          thumbnail_url: `https://i.ytimg.com/vi/${it.contentDetails.videoId}/hqdefault.jpg`,
          published_at: it.contentDetails.videoPublishedAt ?? null,
        }));
        return { videos, nextCursor: res.nextPageToken ?? null };
      } catch (err) {
        if (err instanceof PlatformError && err.status === 404) throw new AccountNotFoundError('YouTube', `YouTube channel ${username ?? externalId} has no uploads playlist`, 404);
        throw err;
      }
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      for (let i = 0; i < videos.length; i += MAX_IDS) {
        const ids = videos.slice(i, i + MAX_IDS).map((v) => v.externalVideoId);
        const res = await get('/videos', { part: 'snippet,statistics,contentDetails', id: ids.join(','), maxResults: String(MAX_IDS) }, Videos);
        const byId = new Map(res.items.map((it) => [it.id, it]));
        for (const id of ids) {
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
            saves: it.statistics?.favoriteCount ?? 0,
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
