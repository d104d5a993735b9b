import { z } from '@hono/zod-openapi';
import { TagNames, Text } from '../../domain/validation';
import { parseVideoUrl } from '../../platforms/video-url';
import { VideoPlatformName } from '../../domain/platforms';
import { VIDEO_STATUSES } from '../../domain/statuses';
import { campaignExists, findVideo, insertVideo, listVideos, setTrackingStatus, videoStatus } from '../../db/videos';
import { assertCanTrackVideos } from '../../steps/limits';
import { linkTags } from '../../db/tags';
import { purgeVideo, restoreRemovedVideo, setVideoTags, softRemoveVideo } from '../../db/video-edits';
import { SingleVideoMessage } from '../../domain/stats-messages';
import { videoIncrements, videoTimeseries } from '../../db/analytics';
import { RangeFields, rangeInOrder, rangeNotInOrder, TimeseriesQuery } from '../analytics-query';
import { asCaller } from '../caller';
import { ApiError, notFound } from '../errors';
import { assertCan } from '../permissions';
import { decodeCursor, page, PageQuery } from '../pagination';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { IdParam, Page, Timestamp, Uuid } from '../openapi/schemas';
import { Series, Video, VideoWithIncrements } from './responses';
import { videoJson } from '../video-json';

export const AddVideoBody = z.object({
  url: Text({ max: 2048 }),
  campaign_id: z.uuid().optional(),
  tags: TagNames.optional(),
});
export const VideoIdBody = z.object({ video_id: z.uuid() });
export const SetVideoTagsBody = z.strictObject({ tags: TagNames });
/** `purge=true` deletes the video and its history; the default removes it softly (README: removing a video). */
export const DeleteVideoQuery = z.object({ purge: z.enum(['true', 'false']).transform((v) => v === 'true').optional() });
/**
 * Which increments GET /dashboard/videos and /:id report (see src/db/analytics.ts#videoIncrements):
 * `to` (default today, UTC) is the day read; `from` (default: since tracking started) starts `range`.
 */
export const ListVideosQuery = PageQuery.extend({
  status: z.enum(VIDEO_STATUSES).optional(),
  platform: VideoPlatformName.optional(),
  campaign_id: z.uuid().optional(),
  ...RangeFields,
}).refine(rangeInOrder, rangeNotInOrder);
export const VideoQuery = z.object(RangeFields).refine(rangeInOrder, rangeNotInOrder);

const T = ['Videos'];
const listRoute = defineRoute('tenant', {
  method: 'get', path: '/', tags: T, summary: 'List videos', description: 'Filtered by status, platform and campaign, with each video’s increments (day, week, range), in keyset pages.',
  request: { query: ListVideosQuery }, responses: { 200: json(Page(VideoWithIncrements), 'A page of videos') },
});
const addRoute = defineRoute('tenant', {
  method: 'post', path: '/', tags: T, summary: 'Add a video by URL', description: 'TikTok, Instagram or YouTube URL (others are stored as platform Other). Adding a known video answers it with 200.',
  request: { body: jsonBody(AddVideoBody.openapi({ example: { url: 'https://www.tiktok.com/@creator/video/7300000000000000001', tags: ['launch'] } })) },
  responses: { 201: json(z.object({ created: z.boolean(), video: Video }), 'The new video'), 200: json(z.object({ created: z.boolean(), video: Video }), 'The video was already there') },
}, { errors: ['forbidden', 'not_found'] });
const TrackingChange = (status: 'tracking' | 'stopped') => z.object({ success: z.literal(true), video_id: Uuid, status: z.literal(status) });
const startRoute = defineRoute('tenant', {
  method: 'post', path: '/start-tracking', tags: T, summary: 'Start tracking a video', description: 'Takes one unit of the tracked-videos quota; fetches it at once.',
  request: { body: jsonBody(VideoIdBody) }, responses: { 200: json(TrackingChange('tracking'), 'Tracking') },
}, { errors: ['forbidden', 'not_found', 'unprocessable', 'limit_exceeded'] });
const stopRoute = defineRoute('tenant', {
  method: 'post', path: '/stop-tracking', tags: T, summary: 'Stop tracking a video',
  request: { body: jsonBody(VideoIdBody) }, responses: { 200: json(TrackingChange('stopped'), 'Stopped') },
}, { errors: ['forbidden', 'not_found'] });
const getRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}', tags: T, summary: 'A video with its increments',
  request: { params: IdParam, query: VideoQuery }, responses: { 200: json(z.object({ video: VideoWithIncrements }), 'The video') },
}, { errors: ['not_found'] });
const timeseriesRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/timeseries', tags: T, summary: 'A video’s figures per day or week',
  request: { params: IdParam, query: TimeseriesQuery }, responses: { 200: json(Series.extend({ video_id: Uuid }), 'The series') },
}, { errors: ['not_found'] });
const tagsRoute = defineRoute('tenant', {
  method: 'put', path: '/{id}/tags', tags: T, summary: 'Replace a video’s tags', description: 'An empty list removes them all.',
  request: { params: IdParam, body: jsonBody(SetVideoTagsBody.openapi({ example: { tags: ['launch'] } })) }, responses: { 200: json(z.object({ video: Video }), 'The video') },
}, { errors: ['forbidden', 'not_found'] });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Remove a video', description: 'Soft by default (stops tracking, hides it, keeps its history); `purge=true` deletes it with its snapshots.',
  request: { params: IdParam, query: DeleteVideoQuery },
  responses: {
    200: json(
      z.union([
        z.object({ success: z.literal(true), id: Uuid, removal: z.literal('purged'), snapshots_deleted: z.number().int() }),
        z.object({ success: z.literal(true), id: Uuid, removal: z.literal('soft'), removed_at: Timestamp, status: z.literal('stopped') }),
      ]),
      'The video was removed',
    ),
  },
}, { errors: ['forbidden', 'not_found'] });

export const dashboardVideos = router()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid('query');
    const org = c.get('org');
    const { result, increments } = await asCaller(c, async (tx) => {
      const rows = await listVideos(tx, org.id, { status: q.status, platform: q.platform, campaignId: q.campaign_id, afterId: decodeCursor(q.cursor), limit: q.limit + 1 });
      const result = page(rows, q.limit);
      return { result, increments: await videoIncrements(tx, org.id, result.data.map((v) => v.id), { from: q.from, to: q.to }) };
    });
    return c.json({ data: result.data.map((v) => ({ ...videoJson(v), increments: increments.get(v.id) ?? null })), next_cursor: result.next_cursor }, 200);
  })

  .openapi(addRoute, async (c) => {
    assertCan(c.get('org').role, 'videos.write');
    const body = c.req.valid('json');
    const parsed = parseVideoUrl(body.url);
    if (!parsed.ok) throw new ApiError('validation_failed', `unsupported video URL: ${parsed.reason}`, { issues: [{ path: 'url', message: parsed.reason }] });
    const org = c.get('org');
    const { video, created } = await asCaller(c, async (tx) => {
      if (body.campaign_id && !(await campaignExists(tx, org.id, body.campaign_id))) throw notFound('campaign');
      const res = await insertVideo(tx, {
        organizationId: org.id,
        platform: parsed.platform,
        externalVideoId: parsed.externalVideoId,
        videoUrl: parsed.canonicalUrl,
        initialUrl: body.url,
        campaignId: body.campaign_id ?? null,
        createdBy: c.get('user').id,
        source: 'dashboard',
      });
      await linkTags(tx, org.id, 'video', res.id, body.tags ?? []);
      if (!res.created) await restoreRemovedVideo(tx, org.id, res.id);
      return { video: (await findVideo(tx, org.id, res.id))!, created: res.created };
    });
    return c.json({ created, video: videoJson(video) }, created ? 201 : 200);
  })

  .openapi(startRoute, async (c) => {
    assertCan(c.get('org').role, 'videos.track');
    const { video_id } = c.req.valid('json');
    const org = c.get('org');
    const updated = await asCaller(c, async (tx) => {
      const current = await videoStatus(tx, org.id, video_id);
      if (!current) return undefined;
      if (current.platform === 'Other') throw new ApiError('unprocessable', 'videos of platform Other cannot be tracked');
      // a video not tracked yet takes one unit of the plan's tracked-videos quota
      if (current.video_status !== 'tracking') await assertCanTrackVideos(tx, org.id, 1);
      return setTrackingStatus(tx, org.id, video_id, 'tracking');
    });
    if (!updated) throw notFound('video');
    const message: SingleVideoMessage = {
      type: 'single_video',
      video_id: updated.id,
      video: {
        organization_id: updated.organization_id,
        video_url: updated.video_url,
        initial_url: updated.initial_url,
        platform: updated.platform as SingleVideoMessage['video']['platform'], // 'Other' was refused above
        external_video_id: updated.external_video_id,
        user_id: c.get('user').id,
      },
      source: 'dashboard-start-tracking',
      priority: 'high',
    };
    await c.env.HIGH_PRIORITY.send(message, { contentType: 'json' });
    return c.json({ success: true as const, video_id: updated.id, status: 'tracking' as const }, 200);
  })

  .openapi(stopRoute, async (c) => {
    assertCan(c.get('org').role, 'videos.track');
    const { video_id } = c.req.valid('json');
    const updated = await asCaller(c, (tx) => setTrackingStatus(tx, c.get('org').id, video_id, 'stopped'));
    if (!updated) throw notFound('video');
    return c.json({ success: true as const, video_id: updated.id, status: 'stopped' as const }, 200);
  })

  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const org = c.get('org');
    const found = await asCaller(c, async (tx) => {
      const video = await findVideo(tx, org.id, id);
      return video && { video, increments: await videoIncrements(tx, org.id, [video.id], { from: q.from, to: q.to }) };
    });
    if (!found) throw notFound('video');
    return c.json({ video: { ...videoJson(found.video), increments: found.increments.get(id) ?? null } }, 200);
  })

  // One video's increments per day or ISO week, with its values at the end of each (carried forward).
  .openapi(timeseriesRoute, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const result = await asCaller(c, (tx) => videoTimeseries(tx, c.get('org').id, id, { interval: q.interval, from: q.from, to: q.to }));
    if (!result) throw notFound('video');
    return c.json({ video_id: id, ...result }, 200);
  })

  // Replaces the video's tags (an empty list removes them all).
  .openapi(tagsRoute, async (c) => {
    assertCan(c.get('org').role, 'tags.write');
    const { id } = c.req.valid('param');
    const { tags } = c.req.valid('json');
    const org = c.get('org');
    const video = await asCaller(c, async (tx) => {
      if (!(await videoStatus(tx, org.id, id))) return undefined;
      await setVideoTags(tx, org.id, id, tags);
      return findVideo(tx, org.id, id);
    });
    if (!video) throw notFound('video');
    return c.json({ video: videoJson(video) }, 200);
  })

  // Default: soft removal (stops tracking, hides it from the list, keeps its history in campaign
  // totals). `?purge=true`: deletes the video with its snapshots, tags and campaign link.
  .openapi(deleteRoute, async (c) => {
    assertCan(c.get('org').role, 'videos.write');
    const { id } = c.req.valid('param');
    const { purge } = c.req.valid('query');
    const org = c.get('org');
    if (purge) {
      const purged = await asCaller(c, (tx) => purgeVideo(tx, org.id, id));
      if (!purged) throw notFound('video');
      return c.json({ success: true as const, id, removal: 'purged' as const, snapshots_deleted: purged.snapshots_deleted }, 200);
    }
    const removed = await asCaller(c, (tx) => softRemoveVideo(tx, org.id, id));
    if (!removed) throw notFound('video');
    return c.json({ success: true as const, id, removal: 'soft' as const, removed_at: removed.removed_at, status: 'stopped' as const }, 200);
  });
