import { z } from 'zod';
import { AccountNotFoundError, TransientPlatformError } from './errors';
import { mapLimited, platformGet } from './http';
import { count, idString, optionalString } from './schemas';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, UserInfo, VideoDetails } from './types';

// tiktok-scraper7 (tikwm format): success is `code === 0`, whatever the HTTP status says.
const Envelope = <T extends z.ZodType>(data: T) => z.object({ code: z.number(), msg: z.string().optional(), data: data.optional() });

const User = z.object({
  user: z.object({ id: idString, uniqueId: z.string(), nickname: optionalString, avatarThumb: optionalString, secUid: optionalString, privateAccount: z.boolean().optional() }),
  stats: z.object({ followerCount: count }).optional(),
});

const Video = z.object({
  video_id: idString.optional(),
  aweme_id: z.string().optional(),
  id: idString.optional(),
  title: optionalString,
  cover: optionalString,
  origin_cover: optionalString,
  play_count: count,
  digg_count: count,
  comment_count: count,
  share_count: count,
  collect_count: count,
  create_time: z.union([z.number(), z.string()]).nullish(),
  music_info: z.object({ id: idString.optional() }).nullish(),
  author: z.object({ id: idString.optional(), unique_id: z.string().optional() }).nullish(),
});
type Video = z.infer<typeof Video>;

const Posts = z.object({ videos: z.array(Video).default([]), cursor: idString.nullish(), hasMore: z.boolean().optional() });

const PAGE_SIZE = 35;

function handleFrom(input: string): string {
  const m = /tiktok\.com\/@([^/?#]+)/i.exec(input);
  return (m?.[1] ?? input).replace(/^@/, '').trim();
}

function isUserMissing(msg: string | undefined) {
  return /not exist|not found|doesn.?t exist|unavailable/i.test(msg ?? '');
}

export function createTikTokAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const headers = { 'X-RapidAPI-Key': config.rapidApiKey, 'X-RapidAPI-Host': config.tiktokHost };
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.tiktokBaseUrl}${path}?${new URLSearchParams(params)}`, { platform: 'TikTok', headers, schema: Envelope(schema), fetchImpl });

  const toCommon = (v: Video, authorHandle: string | undefined): CommonVideo | null => {
    const id = v.video_id ?? v.id;
    if (!id) return null;
    const handle = v.author?.unique_id ?? authorHandle ?? '_';
    return {
      external_video_id: id,
      platform: 'TikTok',
      video_url: `https://www.tiktok.com/@${handle}/video/${id}`,
      title: v.title,
      thumbnail_url: v.origin_cover ?? v.cover,
      published_at: v.create_time ? new Date(Number(v.create_time) * 1000).toISOString() : null,
      statistics: { external_video_id: id, views: v.play_count, likes: v.digg_count, comments: v.comment_count, reposts: v.share_count, saves: v.collect_count },
    };
  };

  const adapter: PlatformAdapter = {
    platform: 'TikTok',
    statsBatchSize: 10,

    async getUserInfo(usernameOrUrl) {
      const handle = handleFrom(usernameOrUrl);
      const res = await get('/user/info', { unique_id: handle }, User);
      if (res.code !== 0 || !res.data) {
        if (isUserMissing(res.msg)) throw new AccountNotFoundError('TikTok', `no TikTok account '${handle}'`);
        throw new TransientPlatformError('TikTok', `TikTok user info failed: ${res.msg ?? res.code}`);
      }
      const u = res.data.user;
      const info: UserInfo = {
        channel_name: u.nickname,
        username: u.uniqueId,
        subscribers: res.data.stats?.followerCount ?? null,
        external_id: u.id,
        sec_uid: u.secUid,
        thumbnail: u.avatarThumb,
        profile_url: `https://www.tiktok.com/@${u.uniqueId}`,
        is_private: u.privateAccount ?? false,
      };
      return info;
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      const res = await get('/user/posts', { user_id: externalId, count: String(PAGE_SIZE), cursor: cursor ?? '0' }, Posts);
      if (res.code !== 0 || !res.data) {
        if (isUserMissing(res.msg)) throw new AccountNotFoundError('TikTok', `TikTok account ${username ?? externalId} not found`);
        throw new TransientPlatformError('TikTok', `TikTok user posts failed: ${res.msg ?? res.code}`);
      }
      const videos = res.data.videos.map((v) => toCommon(v, username ?? undefined)).filter((v): v is CommonVideo => v !== null);
      return { videos, nextCursor: res.data.hasMore && res.data.cursor ? res.data.cursor : null };
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      await mapLimited(videos, 6, async ({ externalVideoId, videoUrl }) => {
        const res = await get('/', { url: videoUrl || externalVideoId }, Video);
        if (res.code !== 0 || !res.data) {
          // tikwm answers code -1 for a removed or private video
          if (res.code === -1) return void missing.push(externalVideoId);
          throw new TransientPlatformError('TikTok', `TikTok video lookup failed: ${res.msg ?? res.code}`);
        }
        const v = toCommon({ ...res.data, video_id: externalVideoId }, undefined)!;
        found.push({
          ...v.statistics!,
          title: v.title,
          thumbnail_url: v.thumbnail_url,
          published_at: v.published_at,
          music_id: res.data.music_info?.id ?? null,
          author_username: res.data.author?.unique_id ?? null,
          author_external_id: res.data.author?.id ?? null,
        });
      });
      return { found, missing };
    },
  };
  return adapter;
}

/** Shared by every adapter: page until the target count, the last page or maxPages. */
export async function collectPages(adapter: PlatformAdapter, q: Parameters<PlatformAdapter['getUserVideosBatch']>[0]): Promise<CommonVideo[]> {
  const videos: CommonVideo[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < (q.maxPages ?? 10); page++) {
    const res = await adapter.getUserVideosPage({ ...q, cursor });
    videos.push(...res.videos);
    cursor = res.nextCursor;
    if (!cursor || videos.length >= q.targetCount) break;
  }
  return videos.slice(0, q.targetCount);
}

