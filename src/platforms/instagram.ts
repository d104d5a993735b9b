import { z } from 'zod';
import { AccountNotFoundError, PlatformError } from './errors';
import { mapLimited, platformGet } from './http';
import { instagramVideoUrl, mediaIdToShortcode } from './instagram-shortcode';
import { count, idString, optionalString } from './schemas';
import { collectPages } from './tiktok';
import type { PlatformConfig } from './config';
import type { CommonVideo, PlatformAdapter, VideoDetails } from './types';

// instagram-scraper-api2
const Info = z.object({
  data: z.object({
    id: idString,
    username: z.string(),
    full_name: optionalString,
    follower_count: count,
    profile_pic_url: optionalString,
    is_private: z.boolean().optional(),
  }),
});

const Item = z.object({
  id: idString.optional(),
  pk: idString.optional(),
  code: z.string().nullish(),
  taken_at: z.union([z.number(), z.string()]).nullish(),
  like_count: count,
  comment_count: count,
  play_count: count,
  ig_play_count: count,
  reshare_count: count,
  share_count: count,
  save_count: count,
  caption: z.object({ text: z.string().nullish() }).nullish(),
  thumbnail_url: optionalString,
  image_versions: z.object({ items: z.array(z.object({ url: z.string() })).default([]) }).nullish(),
  user: z.object({ id: idString.optional(), username: z.string().optional() }).nullish(),
});
type Item = z.infer<typeof Item>;

const Reels = z.object({ data: z.object({ items: z.array(Item).default([]) }).optional(), pagination_token: z.string().nullish() });
const PostInfo = z.object({ data: Item });

function handleFrom(input: string): string {
  const m = /instagram\.com\/([^/?#]+)/i.exec(input);
  return (m?.[1] ?? input).replace(/^@/, '').trim();
}

/** Media pk of an item: `pk`, else the part of `id` before `_`, else decoded from the shortcode. */
function pkOf(item: Item): string | null {
  if (item.pk) return item.pk;
  if (item.id) return item.id.split('_')[0] ?? null;
  return null;
}

function stats(item: Item, pk: string) {
  return {
    external_video_id: pk,
    views: Math.max(item.play_count, item.ig_play_count),
    likes: item.like_count,
    comments: item.comment_count,
    reposts: Math.max(item.reshare_count, item.share_count),
    saves: item.save_count,
  };
}

export function createInstagramAdapter(config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  const headers = { 'X-RapidAPI-Key': config.rapidApiKey, 'X-RapidAPI-Host': config.instagramHost };
  const get = <T extends z.ZodType>(path: string, params: Record<string, string>, schema: T) =>
    platformGet(`${config.instagramBaseUrl}${path}?${new URLSearchParams(params)}`, { platform: 'Instagram', headers, schema, fetchImpl });
  const notFound = (err: unknown) => err instanceof PlatformError && err.status === 404;

  const toCommon = (item: Item): CommonVideo | null => {
    const pk = pkOf(item);
    const url = instagramVideoUrl({ code: item.code, id: pk });
    if (!pk || !url) {
      console.warn(JSON.stringify({ event: 'instagram_item_skipped', reason: 'neither code nor numeric id', item_keys: Object.keys(item) }));
      return null;
    }
    return {
      external_video_id: pk,
      platform: 'Instagram',
      video_url: url,
      title: item.caption?.text ?? null,
      thumbnail_url: item.thumbnail_url ?? item.image_versions?.items[0]?.url ?? null,
      published_at: item.taken_at ? new Date(Number(item.taken_at) * 1000).toISOString() : null,
      statistics: stats(item, pk),
    };
  };

  const adapter: PlatformAdapter = {
    platform: 'Instagram',
    statsBatchSize: 10,

    async getUserInfo(usernameOrUrl) {
      const handle = handleFrom(usernameOrUrl);
      try {
        const { data } = await get('/v1/info', { username_or_id_or_url: handle }, Info);
        return {
          channel_name: data.full_name,
          username: data.username,
          subscribers: data.follower_count,
          external_id: data.id,
          sec_uid: null,
          thumbnail: data.profile_pic_url,
          profile_url: `https://www.instagram.com/${data.username}/`,
          is_private: data.is_private ?? false,
        };
      } catch (err) {
        if (notFound(err)) throw new AccountNotFoundError('Instagram', `no Instagram account '${handle}'`, 404);
        throw err;
      }
    },

    async getUserVideosPage({ externalId, username, cursor }) {
      try {
        const res = await get('/v1/reels', { username_or_id_or_url: externalId, ...(cursor ? { pagination_token: cursor } : {}) }, Reels);
        const videos = (res.data?.items ?? []).map(toCommon).filter((v): v is CommonVideo => v !== null);
        return { videos, nextCursor: res.pagination_token ?? null };
      } catch (err) {
        if (notFound(err)) throw new AccountNotFoundError('Instagram', `Instagram account ${username ?? externalId} not found`, 404);
        throw err;
      }
    },

    getUserVideosBatch: (q) => collectPages(adapter, q),

    async getVideoStats(videos) {
      const found: VideoDetails[] = [];
      const missing: string[] = [];
      await mapLimited(videos, 6, async ({ externalVideoId }) => {
        try {
          const { data } = await get('/v1/post_info', { code_or_id_or_url: mediaIdToShortcode(externalVideoId) }, PostInfo);
          const v = toCommon({ ...data, pk: externalVideoId });
          if (!v) return;
          found.push({
            ...v.statistics!,
            title: v.title,
            thumbnail_url: v.thumbnail_url,
            published_at: v.published_at,
            author_username: data.user?.username ?? null,
            author_external_id: data.user?.id ?? null,
          });
        } catch (err) {
          if (notFound(err)) return void missing.push(externalVideoId);
          throw err;
        }
      });
      return { found, missing };
    },
  };
  return adapter;
}
