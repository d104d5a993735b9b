import { z } from 'zod';
import { AccountNotFoundError, PlatformError, PrivateAccountError, RateLimitedError, TransientPlatformError } from './errors';
import { mapLimited, MAX_CONCURRENT_CALLS, platformGet } from './http';
import { collectPages } from './paging';
import { count, idString, optionalString, timestamp, toIsoTimestamp } from './schemas';
import { tiktokVideoUrl } from './video-url';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, UserInfo, VideoDetails } from './types';

// tiktok-scraper7 on RapidAPI, which answers in the tikwm format: success is `code === 0`
// (HTTP 200 either way), the payload is in `data`, the reason of a failure in `msg`.
const Envelope = <T extends z.ZodType>(data: T) =>
  z.object({
    code: z.union([z.number(), z.string().regex(/^-?\d+$/).transform(Number)]),
    msg: z.string().nullish(),
    data: data.nullish(),
  });

const User = z.object({
  user: z.object({
    id: idString,
    uniqueId: z.string(),
    nickname: optionalString,
    avatarThumb: optionalString,
    avatarMedium: optionalString,
    secUid: optionalString,
    privateAccount: z.boolean().nullish(),
    secret: z.boolean().nullish(),
  }),
  stats: z.object({ followerCount: count }).nullish(),
});

const Video = z.object({
  video_id: idString.nullish(),
  id: idString.nullish(),
  title: optionalString,
  cover: optionalString,
  origin_cover: optionalString,
  play_count: count,
  digg_count: count,
  comment_count: count,
  share_count: count,
  collect_count: count,
  create_time: timestamp,
  music_info: z.object({ id: idString.nullish() }).nullish(),
  author: z.object({ id: idString.nullish(), unique_id: z.string().nullish() }).nullish(),
});
type Video = z.infer<typeof Video>;

const Posts = z.object({
  videos: z.array(Video).nullish().transform((v) => v ?? []),
  cursor: idString.nullish(),
  hasMore: z.boolean().nullish(),
});

/** tiktok-scraper7 serves at most 35 posts per page. */
const PAGE_SIZE = 35;

const USER_MISSING = /not exist|doesn.?t exist|not found|no such user|check unique_id/i;
const PRIVATE = /private/i;
const LIMITED = /limit|too many|frequen/i;
/** The lookup of a single video failed because the video is gone (deleted, private, banned). */
const VIDEO_GONE = /parsing is failed|not exist|doesn.?t exist|not found|deleted|removed|unavailable|private/i;

/** `name`, `@name`, `https://www.tiktok.com/@name?lang=en`, `tiktok.com/@name/video/1` → `name`. */
export function tiktokHandle(input: string): string {
  const trimmed = input.trim();
  const fromUrl = /tiktok\.com\/@([^/?#\s]+)/i.exec(trimmed)?.[1];
  const handle = (fromUrl ? decodeURIComponent(fromUrl) : trimmed).replace(/^@/, '').trim();
  return handle;
}

/** tikwm covers are absolute on RapidAPI, relative (`/video/cover/…`) on tikwm.com itself. */
const absoluteCover = (url: string | null) => (url && url.startsWith('/') ? `https://www.tikwm.com${url}` : url);

/** A `code !== 0` answer in the hierarchy. */
function tikwmError(what: string, msg: string | null | undefined, code: number): PlatformError {
  const text = msg ?? `code ${code}`;
  if (LIMITED.test(text)) return new RateLimitedError('TikTok', `TikTok ${what}: ${text}`, 429);
  if (PRIVATE.test(text)) return new PrivateAccountError('TikTok', `TikTok ${what}: ${text}`, { details: { code, msg } });
  if (USER_MISSING.test(text)) return new AccountNotFoundError('TikTok', `TikTok ${what}: ${text}`, { details: { code, msg } });
  return new TransientPlatformError('TikTok', `TikTok ${what} failed: ${text}`, { details: { code, msg } });
}

export function createTikTokAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const headers = { 'X-RapidAPI-Key': config.rapidApiKey, 'X-RapidAPI-Host': config.tiktokHost };
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.tiktokBaseUrl}${path}?${new URLSearchParams(params)}`, {
      platform: 'TikTok',
      headers,
      schema: Envelope(schema),
      fetchImpl,
      timeoutMs: config.timeoutMs,
    });

  const toCommon = (v: Video, idOverride?: string, handleHint?: string | null): CommonVideo | null => {
    const id = idOverride ?? v.video_id ?? v.id;
    if (!id) {
      console.warn(JSON.stringify({ event: 'tiktok_item_skipped', reason: 'no video id', item_keys: Object.keys(v) }));
      return null;
    }
    return {
      external_video_id: id,
      platform: 'TikTok',
      video_url: tiktokVideoUrl(id, v.author?.unique_id ?? handleHint ?? null),
      title: v.title,
      thumbnail_url: absoluteCover(v.origin_cover ?? v.cover),
      published_at: toIsoTimestamp(v.create_time),
      statistics: { external_video_id: id, views: v.play_count, likes: v.digg_count, comments: v.comment_count, reposts: v.share_count, saves: v.collect_count },
    };
  };

  const adapter: PlatformAdapter = {
    platform: 'TikTok',
    statsBatchSize: 10,

    async getUserInfo(usernameOrUrl) {
      const handle = tiktokHandle(usernameOrUrl);
      if (!handle) throw new AccountNotFoundError('TikTok', `no TikTok handle in '${usernameOrUrl}'`);
      const res = await get('/user/info', { unique_id: handle }, User);
      if (res.code !== 0 || !res.data) {
        const err = tikwmError(`user '${handle}'`, res.msg, res.code);
        if (err instanceof AccountNotFoundError) throw new AccountNotFoundError('TikTok', `no TikTok account '${handle}'`, { details: err.details });
        throw err;
      }
      const { user: u, stats } = res.data;
      const info: UserInfo = {
        channel_name: u.nickname,
        username: u.uniqueId,
        subscribers: stats ? stats.followerCount : null,
        external_id: u.id,
        sec_uid: u.secUid,
        thumbnail: u.avatarThumb ?? u.avatarMedium,
        profile_url: `https://www.tiktok.com/@${u.uniqueId}`,
        is_private: Boolean(u.privateAccount ?? u.secret ?? false),
      };
      return info;
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      const res = await get('/user/posts', { user_id: externalId, count: String(PAGE_SIZE), cursor: cursor ?? '0' }, Posts);
      if (res.code !== 0 || !res.data) throw tikwmError(`posts of ${username ?? externalId}`, res.msg, res.code);
      const videos = res.data.videos.map((v) => toCommon(v, undefined, username)).filter((v): v is CommonVideo => v !== null);
      const next = res.data.cursor ?? null;
      return { videos, nextCursor: res.data.hasMore && next && next !== cursor ? next : null };
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      // one call per video, at most MAX_CONCURRENT_CALLS in flight
      await mapLimited(videos, MAX_CONCURRENT_CALLS, async ({ externalVideoId, videoUrl }) => {
        const res = await get('/', { url: videoUrl || tiktokVideoUrl(externalVideoId, null) }, Video);
        if (res.code !== 0 || !res.data) {
          if (VIDEO_GONE.test(res.msg ?? '') && !LIMITED.test(res.msg ?? '')) return void missing.push(externalVideoId);
          throw tikwmError(`video ${externalVideoId}`, res.msg, res.code);
        }
        const v = toCommon(res.data, externalVideoId)!;
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
