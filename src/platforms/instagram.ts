import { z } from 'zod';
import { AccountNotFoundError, PlatformError, PrivateAccountError } from './errors';
import { mapLimited, MAX_CONCURRENT_CALLS, platformGet } from './http';
import { instagramVideoUrl, isMediaId, mediaIdToShortcode, shortcodeToMediaId } from './instagram-shortcode';
import { collectPages } from './paging';
import { count, idString, optionalString, timestamp, toIsoTimestamp } from './schemas';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, VideoDetails, VideoStats } from './types';

// instagram-scraper-api2 on RapidAPI:
//   /v1/info?username_or_id_or_url=      → {"data":{"id","username","full_name","follower_count","profile_pic_url","is_private"}}
//   /v1/reels?username_or_id_or_url=&pagination_token= → {"data":{"items":[…]},"pagination_token"} (no token = last page)
//   /v1/post_info?code_or_id_or_url=<code> → {"data":{"code","id","taken_at","like_count","comment_count","play_count",
//        "ig_play_count","share_count"?,"save_count"?,"caption":{"text"},"image_versions"?|"thumbnail_url"?,"user":{"id","username"}}}
// Unknown profile or post: 404 {"detail":"Not found"}.

const Info = z.object({
  data: z.object({
    id: idString,
    username: z.string(),
    full_name: optionalString,
    follower_count: count,
    profile_pic_url: optionalString,
    profile_pic_url_hd: optionalString,
    is_private: z.boolean().nullish(),
  }),
});

const ImageList = z.object({ url: z.string() }).array().nullish();

const Item = z.object({
  id: idString.nullish(),
  pk: idString.nullish(),
  code: z.string().nullish(),
  taken_at: timestamp,
  like_count: count,
  comment_count: count,
  play_count: count,
  ig_play_count: count,
  video_view_count: count,
  share_count: count,
  reshare_count: count,
  save_count: count,
  caption: z.object({ text: z.string().nullish() }).nullish(),
  thumbnail_url: optionalString,
  image_versions: z.object({ items: ImageList }).nullish(),
  image_versions2: z.object({ candidates: ImageList }).nullish(),
  user: z.object({ id: idString.nullish(), pk: idString.nullish(), username: z.string().nullish() }).nullish(),
});
type Item = z.infer<typeof Item>;

const Reels = z.object({
  data: z.object({ items: Item.array().nullish(), pagination_token: z.string().nullish() }).nullish(),
  pagination_token: z.string().nullish(),
});
const PostInfo = z.object({ data: Item });

const RESERVED_PATHS = new Set(['p', 'reel', 'reels', 'tv', 'stories', 'explore', 'accounts', 'direct']);

/** `name`, `@name`, `https://www.instagram.com/name/?hl=en` → `name`. */
export function instagramHandle(input: string): string {
  const trimmed = input.trim();
  const m = /instagram\.com\/([^/?#\s]+)/i.exec(trimmed);
  if (m) {
    const first = decodeURIComponent(m[1]!);
    return RESERVED_PATHS.has(first.toLowerCase()) ? '' : first.replace(/^@/, '');
  }
  return trimmed.replace(/^@/, '');
}

/** Media pk of an item: `pk`, else the part of `id` before `_`, else decoded from the shortcode. */
function pkOf(item: Item): string | null {
  if (item.pk && isMediaId(item.pk)) return item.pk;
  if (item.id && isMediaId(item.id)) return item.id.split('_')[0]!;
  if (item.code && /^[A-Za-z0-9_-]{1,12}$/.test(item.code)) return shortcodeToMediaId(item.code);
  return null;
}

function statsOf(item: Item, id: string): VideoStats {
  return {
    external_video_id: id,
    views: item.play_count || item.ig_play_count || item.video_view_count,
    likes: item.like_count,
    comments: item.comment_count,
    reposts: item.share_count || item.reshare_count,
    saves: item.save_count,
  };
}

/** What to send as code_or_id_or_url for a tracked video: its shortcode when the id is a media pk. */
function lookupKey(externalVideoId: string, videoUrl: string): string {
  if (isMediaId(externalVideoId)) return mediaIdToShortcode(externalVideoId);
  const code = /instagram\.com\/(?:[^/]+\/)?(?:reels?|p|tv)\/([A-Za-z0-9_-]+)/i.exec(videoUrl)?.[1];
  return code ?? externalVideoId;
}

const isNotFound = (err: unknown) => err instanceof PlatformError && err.status === 404;
const isPrivate = (err: unknown) => err instanceof PlatformError && !err.retryable && /private/i.test(err.message);

export function createInstagramAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const headers = { 'X-RapidAPI-Key': config.rapidApiKey, 'X-RapidAPI-Host': config.instagramHost };
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.instagramBaseUrl}${path}?${new URLSearchParams(params)}`, {
      platform: 'Instagram',
      headers,
      schema,
      fetchImpl,
      timeoutMs: config.timeoutMs,
    });

  /** Account-level failures (unknown, private) in their own classes; everything else unchanged. */
  const accountError = (err: unknown, who: string): unknown => {
    if (isNotFound(err)) return new AccountNotFoundError('Instagram', `no Instagram account '${who}'`, { status: 404 });
    if (isPrivate(err)) return new PrivateAccountError('Instagram', `the Instagram account '${who}' is private`, { status: (err as PlatformError).status });
    return err;
  };

  const toCommon = (item: Item, idOverride?: string): CommonVideo | null => {
    const pk = idOverride ?? pkOf(item);
    const url = instagramVideoUrl({ code: item.code, pk: pkOf(item) ?? pk });
    if (!pk || !url) {
      console.warn(JSON.stringify({ event: 'instagram_item_skipped', reason: 'neither a shortcode nor a numeric id', item_keys: Object.keys(item) }));
      return null;
    }
    return {
      external_video_id: pk,
      platform: 'Instagram',
      video_url: url,
      title: item.caption?.text ?? null,
      thumbnail_url: item.thumbnail_url ?? item.image_versions?.items?.[0]?.url ?? item.image_versions2?.candidates?.[0]?.url ?? null,
      published_at: toIsoTimestamp(item.taken_at),
      statistics: statsOf(item, pk),
    };
  };

  const adapter: PlatformAdapter = {
    platform: 'Instagram',
    statsBatchSize: 10,

    async getUserInfo(usernameOrUrl) {
      const handle = instagramHandle(usernameOrUrl);
      if (!handle) throw new AccountNotFoundError('Instagram', `no Instagram profile in '${usernameOrUrl}'`);
      try {
        const { data } = await get('/v1/info', { username_or_id_or_url: handle }, Info);
        return {
          channel_name: data.full_name,
          username: data.username,
          subscribers: data.follower_count,
          external_id: data.id,
          sec_uid: null,
          thumbnail: data.profile_pic_url ?? data.profile_pic_url_hd,
          profile_url: `https://www.instagram.com/${data.username}/`,
          is_private: data.is_private ?? false,
        };
      } catch (err) {
        throw accountError(err, handle);
      }
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      try {
        const res = await get('/v1/reels', { username_or_id_or_url: externalId, ...(cursor ? { pagination_token: cursor } : {}) }, Reels);
        const videos = (res.data?.items ?? []).map((it) => toCommon(it)).filter((v): v is CommonVideo => v !== null);
        const next = res.pagination_token ?? res.data?.pagination_token ?? null;
        return { videos, nextCursor: next && next !== cursor ? next : null };
      } catch (err) {
        throw accountError(err, username ?? externalId);
      }
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      // one call per video, at most MAX_CONCURRENT_CALLS in flight
      await mapLimited(videos, MAX_CONCURRENT_CALLS, async ({ externalVideoId, videoUrl }) => {
        let data: Item;
        try {
          ({ data } = await get('/v1/post_info', { code_or_id_or_url: lookupKey(externalVideoId, videoUrl) }, PostInfo));
        } catch (err) {
          // deleted, or its account went private: no longer returned
          if (isNotFound(err) || isPrivate(err)) return void missing.push(externalVideoId);
          throw err;
        }
        const v = toCommon(data, externalVideoId);
        if (!v) return;
        found.push({
          ...v.statistics!,
          title: v.title,
          thumbnail_url: v.thumbnail_url,
          published_at: v.published_at,
          author_username: data.user?.username ?? null,
          author_external_id: data.user?.id ?? data.user?.pk ?? null,
        });
      });
      return { found, missing };
    },
  };
  return adapter;
}
