import { z } from '@hono/zod-openapi';
import { PlatformName } from '../../domain/platforms';
import { isStorableText, TagNames, Text, whenFieldsValid } from '../../domain/validation';
import { asCaller } from '../caller';
import {
  deleteBlogger, findBlogger, linkBloggerCampaign, listBloggers, updateTracking, upsertBlogger, upsertTracking,
  type BloggerRow,
} from '../../db/bloggers';
import { organizationFetchDefaults } from '../../db/organizations';
import { campaignExists, listVideos } from '../../db/videos';
import { linkTags } from '../../db/tags';
import { AccountNotFoundError, PlatformError, PrivateAccountError, RateLimitedError, type Platform, type UserInfo } from '../../platforms';
import { adaptersFromEnv } from '../../steps/fetch-stats';
import { assertCanTrackBloggers, assertPerItemLimit } from '../../steps/limits';
import { startInitialFetchIfNeeded } from './initial-fetch';
import { videoJson } from '../video-json';
import { ApiError, notFound } from '../errors';
import { decodeCursor, page, PageQuery } from '../pagination';
import { assertCan } from '../permissions';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Deleted, IdParam, Page } from '../openapi/schemas';
import type { AppContext } from '../context';
import { Blogger, BloggerAdded, BloggerWithVideos, OneBlogger } from './responses';

const PlatformParam = PlatformName;
const Count = z.number().int().min(1).max(1000);

export const AddBloggerBody = z
  .object({
    username: Text({ max: 200 }).optional(),
    url: z.url().max(2048).refine(isStorableText, 'must not contain NUL characters').optional(),
    platform: PlatformParam,
    campaign_id: z.uuid().optional(),
    tags: TagNames.optional(),
    initial_videos_count: Count.optional(),
    daily_videos_count: Count.optional(),
    /** start a new initial fetch even if one completed (see README: re-adding a blogger) */
    refetch: z.boolean().optional(),
  })
  .refine((b) => Boolean(b.username) !== Boolean(b.url), { message: 'give exactly one of username or url', path: ['username'], ...whenFieldsValid });

export const AddFromTrackingBody = z.object({
  blogger_id: z.uuid(),
  initial_videos_count: Count.optional(),
  daily_videos_count: Count.optional(),
  refetch: z.boolean().optional(),
});

export const UpdateBloggerBody = z
  .object({ initial_videos_count: Count.optional(), daily_videos_count: Count.optional() })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to update' });

export const ListBloggersQuery = PageQuery.extend({
  platform: PlatformParam.optional(),
  is_active: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
  campaign_id: z.uuid().optional(),
  tag: Text({ max: 64 }).optional(),
  search: Text({ max: 100 }).optional(),
});

export function bloggerJson(b: BloggerRow) {
  return {
    id: b.blogger_id,
    tracking_id: b.tracking_id,
    platform: b.platform,
    username: b.username,
    channel_name: b.channel_name,
    external_id: b.external_id,
    subscribers: b.subscribers === null ? null : Number(b.subscribers),
    thumbnail_url: b.thumbnail_url,
    profile_url: b.profile_url,
    is_active: b.is_active ?? false,
    initial_videos_count: b.initial_videos_count,
    daily_videos_count: b.daily_videos_count,
    initial_videos_fetched: b.initial_videos_fetched ?? false,
    last_scraped_at: b.last_scraped_at,
    last_skip_reason: b.last_skip_reason,
    video_count: b.video_count,
    tracking_video_count: b.tracking_video_count,
    tags: b.tags,
    campaign_ids: b.campaign_ids,
    created_at: b.created_at,
  };
}


/** A platform failure while looking up a profile, as the caller should see it. */
function profileError(err: unknown, platform: Platform, handle: string): never {
  if (err instanceof AccountNotFoundError) throw new ApiError('not_found', `no ${platform} account '${handle}'`, { platform, handle });
  if (err instanceof PrivateAccountError) throw new ApiError('unprocessable', `the ${platform} account '${handle}' is private: its videos cannot be tracked`, { platform, handle });
  if (err instanceof RateLimitedError) throw new ApiError('service_unavailable', `${platform} is rate limiting us: try again in a moment`, { retry_after_seconds: err.retryAfterSeconds ?? null });
  if (err instanceof PlatformError) {
    const status = err.retryable ? 'service_unavailable' : 'bad_gateway';
    throw new ApiError(status, `${platform} could not be reached (${err.code})`, { platform, code: err.code });
  }
  throw err;
}

async function orgDefaults(c: AppContext) {
  return (await asCaller(c, (tx) => organizationFetchDefaults(tx, c.get('org').id)))!;
}

const T = ['Bloggers'];
const addRoute = defineRoute('tenant', {
  method: 'post', path: '/add', tags: T, summary: 'Track a blogger',
  description: 'By username or profile URL. Looks the profile up on the platform, starts tracking it and its initial fetch (InitialBloggerFetch). Re-adding a tracked blogger updates the counts given, resumes a paused one, and starts a new fetch only when one is needed or `refetch` is true.',
  request: { body: jsonBody(AddBloggerBody.openapi({ example: { username: 'creator', platform: 'TikTok', initial_videos_count: 30, daily_videos_count: 10 } })) },
  responses: { 201: json(BloggerAdded, 'The blogger, and the initial fetch started or already running') },
}, { errors: ['forbidden', 'not_found', 'unprocessable', 'limit_exceeded', 'service_unavailable', 'bad_gateway'] });
const addFromTrackingRoute = defineRoute('tenant', {
  method: 'post', path: '/add-from-tracking', tags: T, summary: 'Track a blogger the organization already knows',
  request: { body: jsonBody(AddFromTrackingBody) },
  responses: { 201: json(BloggerAdded, 'The blogger, and the initial fetch started or already running') },
}, { errors: ['forbidden', 'not_found', 'limit_exceeded'] });
const listRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: T, summary: 'List bloggers', description: 'Filtered by platform, tracking state, campaign, tag and a search over username and channel name, in keyset pages.',
  request: { query: ListBloggersQuery }, responses: { 200: json(Page(Blogger), 'A page of bloggers') },
});
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}', tags: T, summary: 'A blogger with its newest videos',
  request: { params: IdParam }, responses: { 200: json(BloggerWithVideos, 'The blogger') },
}, { errors: ['not_found'] });
const updateRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}', tags: T, summary: 'Change a tracked blogger’s video counts',
  request: { params: IdParam, body: jsonBody(UpdateBloggerBody) }, responses: { 200: json(OneBlogger, 'The blogger') },
}, { errors: ['forbidden', 'not_found', 'limit_exceeded'] });
const pauseRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/pause', tags: T, summary: 'Pause tracking a blogger', description: 'Batches leave it out until it is resumed; its videos keep refreshing.',
  request: { params: IdParam }, responses: { 200: json(OneBlogger, 'The blogger') },
}, { errors: ['forbidden', 'not_found'] });
const resumeRoute = defineRoute('tenant', {
  method: 'post', path: '/{id}/resume', tags: T, summary: 'Resume tracking a blogger', description: 'Takes one unit of the tracked-bloggers quota.',
  request: { params: IdParam }, responses: { 200: json(OneBlogger, 'The blogger') },
}, { errors: ['forbidden', 'not_found', 'limit_exceeded'] });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Delete a blogger', description: 'Its tracking record goes; its videos stay.',
  request: { params: IdParam }, responses: { 200: json(Deleted, 'Deleted') },
}, { errors: ['forbidden', 'not_found'] });

export const bloggers = router()
  .openapi(addRoute, async (c) => {
    assertCan(c.get('org').role, 'bloggers.write');
    const body = c.req.valid('json');
    const org = c.get('org');
    const defaults = await orgDefaults(c);
    const handle = (body.username ?? body.url)!;

    let profile: UserInfo;
    try {
      profile = await adaptersFromEnv(c.env)(body.platform).getUserInfo(handle);
    } catch (err) {
      profileError(err, body.platform, handle);
    }
    if (profile.is_private) throw new ApiError('unprocessable', `the ${body.platform} account '${handle}' is private: its videos cannot be tracked`, { platform: body.platform, handle });

    const { blogger, before } = await asCaller(c, async (tx) => {
      if (body.campaign_id && !(await campaignExists(tx, org.id, body.campaign_id))) throw notFound('campaign');
      const bloggerId = await upsertBlogger(tx, {
        organizationId: org.id,
        platform: body.platform,
        username: profile.username,
        channelName: profile.channel_name,
        externalId: profile.external_id,
        secUid: profile.sec_uid,
        subscribers: profile.subscribers,
        thumbnailUrl: profile.thumbnail,
        profileUrl: profile.profile_url,
      });
      const existing = await findBlogger(tx, org.id, bloggerId);
      // A re-add keeps the counts it had unless the caller gives new ones; a new one takes the defaults.
      const initialCount = body.initial_videos_count ?? existing?.initial_videos_count ?? defaults.default_initial_videos_count;
      const dailyCount = body.daily_videos_count ?? existing?.daily_videos_count ?? defaults.default_daily_videos_count;
      await assertPerItemLimit(tx, org.id, 'max_initial_videos_per_blogger', initialCount);
      await assertPerItemLimit(tx, org.id, 'max_daily_videos_per_blogger', dailyCount);
      if (!existing?.is_active) {
        await assertCanTrackBloggers(tx, org.id, 1);
      }
      await upsertTracking(tx, { organizationId: org.id, bloggerId, initialVideosCount: initialCount, dailyVideosCount: dailyCount, createdBy: c.get('user').id });
      if (body.campaign_id) await linkBloggerCampaign(tx, org.id, bloggerId, body.campaign_id);
      await linkTags(tx, org.id, 'blogger', bloggerId, body.tags ?? []);
      return { blogger: (await findBlogger(tx, org.id, bloggerId))!, before: existing ?? null };
    });
    const workflow = await startInitialFetchIfNeeded(c, blogger, before, body.refetch ?? false);
    return c.json({ success: true as const, blogger: bloggerJson(blogger), workflow }, 201);
  })

  .openapi(addFromTrackingRoute, async (c) => {
    assertCan(c.get('org').role, 'bloggers.write');
    const body = c.req.valid('json');
    const org = c.get('org');
    const defaults = await orgDefaults(c);
    const { blogger, before } = await asCaller(c, async (tx) => {
      const existing = await findBlogger(tx, org.id, body.blogger_id);
      if (!existing) throw notFound('blogger');
      const initialCount = body.initial_videos_count ?? existing.initial_videos_count ?? defaults.default_initial_videos_count;
      const dailyCount = body.daily_videos_count ?? existing.daily_videos_count ?? defaults.default_daily_videos_count;
      await assertPerItemLimit(tx, org.id, 'max_initial_videos_per_blogger', initialCount);
      await assertPerItemLimit(tx, org.id, 'max_daily_videos_per_blogger', dailyCount);
      if (!existing.is_active) {
        await assertCanTrackBloggers(tx, org.id, 1);
      }
      await upsertTracking(tx, { organizationId: org.id, bloggerId: existing.blogger_id, initialVideosCount: initialCount, dailyVideosCount: dailyCount, createdBy: c.get('user').id });
      return { blogger: (await findBlogger(tx, org.id, existing.blogger_id))!, before: existing.tracking_id ? existing : null };
    });
    const workflow = await startInitialFetchIfNeeded(c, blogger, before, body.refetch ?? false);
    return c.json({ success: true as const, blogger: bloggerJson(blogger), workflow }, 201);
  })

  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await asCaller(c, (tx) =>
      listBloggers(tx, c.get('org').id, { platform: q.platform, isActive: q.is_active, campaignId: q.campaign_id, tag: q.tag, search: q.search, afterId: decodeCursor(q.cursor), limit: q.limit + 1 }),
    );
    const result = page(rows.map((r) => ({ ...r, id: r.blogger_id })), q.limit);
    return c.json({ data: result.data.map(bloggerJson), next_cursor: result.next_cursor }, 200);
  })

  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const org = c.get('org');
    const found = await asCaller(c, async (tx) => {
      const blogger = await findBlogger(tx, org.id, id);
      if (!blogger) return undefined;
      const videos = await listVideosOfBlogger(tx, org.id, id);
      return { blogger, videos };
    });
    if (!found) throw notFound('blogger');
    return c.json({ blogger: bloggerJson(found.blogger), videos: found.videos.map(videoJson) }, 200);
  })

  .openapi(updateRoute, async (c) => {
    assertCan(c.get('org').role, 'bloggers.write');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const org = c.get('org');
    const blogger = await asCaller(c, async (tx) => {
      if (body.initial_videos_count) await assertPerItemLimit(tx, org.id, 'max_initial_videos_per_blogger', body.initial_videos_count);
      if (body.daily_videos_count) await assertPerItemLimit(tx, org.id, 'max_daily_videos_per_blogger', body.daily_videos_count);
      if (!(await updateTracking(tx, org.id, id, { initialVideosCount: body.initial_videos_count, dailyVideosCount: body.daily_videos_count }))) return undefined;
      return findBlogger(tx, org.id, id);
    });
    if (!blogger) throw notFound('tracked blogger');
    return c.json({ blogger: bloggerJson(blogger) }, 200);
  })

  .openapi(pauseRoute, async (c) => c.json({ blogger: bloggerJson(await setActive(c, c.req.valid('param').id, false)) }, 200))
  .openapi(resumeRoute, async (c) => c.json({ blogger: bloggerJson(await setActive(c, c.req.valid('param').id, true)) }, 200))

  .openapi(deleteRoute, async (c) => {
    assertCan(c.get('org').role, 'bloggers.write');
    const { id } = c.req.valid('param');
    const deleted = await asCaller(c, (tx) => deleteBlogger(tx, c.get('org').id, id));
    if (!deleted) throw notFound('blogger');
    return c.json({ success: true as const, id }, 200);
  });

async function setActive(c: AppContext, bloggerId: string, active: boolean): Promise<BloggerRow> {
  assertCan(c.get('org').role, 'bloggers.write');
  const org = c.get('org');
  const blogger = await asCaller(c, async (tx) => {
    const existing = await findBlogger(tx, org.id, bloggerId);
    if (!existing?.tracking_id) return undefined;
    if (active && !existing.is_active) {
      await assertCanTrackBloggers(tx, org.id, 1);
    }
    await updateTracking(tx, org.id, bloggerId, { isActive: active });
    return findBlogger(tx, org.id, bloggerId);
  });
  if (!blogger) throw notFound('tracked blogger');
  return blogger;
}

function listVideosOfBlogger(tx: Parameters<typeof listVideos>[0], organizationId: string, bloggerId: string) {
  return listVideos(tx, organizationId, { bloggerId, limit: 100 });
}
