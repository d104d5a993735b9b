import { z } from '@hono/zod-openapi';
import { Text } from '../../domain/validation';
import { campaignVideos, type VideoSort } from '../../db/analytics';
import { ApiError, notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { CampaignVideos } from './responses';
import { analyticsJson, asCaller, IdParam, ModeParam, RangeFields, rangeInOrder, rangeNotInOrder } from './shared';

export const CampaignVideosQuery = z
  .object({
    ...RangeFields,
    mode: ModeParam,
    /** views = views on `to`; growth = views gained over the range; er = engagement rate of the mode's values */
    sort: z.enum(['views', 'growth', 'er', 'published_at']).default('views'),
    order: z.enum(['asc', 'desc']).default('desc'),
    platform: z.enum(['TikTok', 'Instagram', 'YouTube', 'Other']).optional(),
    status: z.enum(['tracking', 'stopped', 'deleted']).optional(),
    blogger_id: z.uuid().optional(),
    tag: Text({ max: 64 }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(300).optional(),
  })
  .refine(rangeInOrder, rangeNotInOrder);

/** Keyset cursor over (sort key, id); it names its sort and order, so it cannot be replayed on another one. */
const SortCursor = z.object({ s: z.string(), o: z.enum(['asc', 'desc']), k: z.number().nullable(), id: z.uuid() });

function encodeSortCursor(sort: VideoSort, order: 'asc' | 'desc', key: number | null, id: string) {
  return btoa(JSON.stringify({ s: sort, o: order, k: key, id })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decodeSortCursor(cursor: string | undefined, sort: VideoSort, order: 'asc' | 'desc') {
  if (!cursor) return undefined;
  const invalid = (message: string) => new ApiError('validation_failed', message, { issues: [{ path: 'cursor', message: 'Invalid cursor' }] });
  let parsed: z.infer<typeof SortCursor>;
  try {
    parsed = SortCursor.parse(JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))));
  } catch {
    throw invalid('invalid cursor: pass back next_cursor unchanged');
  }
  if (parsed.s !== sort || parsed.o !== order) throw invalid('this cursor belongs to another sort or order: start again without a cursor');
  return { key: parsed.k, id: parsed.id };
}

/**
 * GET /campaigns/:id/videos — the campaign's videos with totals, increments over the range and
 * metrics (each video's own budget), sorted by views, growth, er or published_at (nulls last,
 * ties by id), filtered by platform, status, blogger_id and tag, in keyset pages.
 */
const videosRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/videos', tags: ['Campaign analytics'], summary: 'The campaign’s videos with their figures',
  description: 'Sorted by views, growth, er or published_at (nulls last), filtered by platform, status, blogger and tag, in keyset pages.',
  request: { params: IdParam, query: CampaignVideosQuery }, responses: { 200: json(CampaignVideos, 'A page of videos') },
}, { errors: ['not_found'] });

export const videos = router().openapi(videosRoute, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const after = decodeSortCursor(q.cursor, q.sort, q.order);
  const result = await asCaller(c, (tx) =>
    campaignVideos(tx, c.get('org').id, id, {
      mode: q.mode, from: q.from, to: q.to, sort: q.sort, order: q.order, platform: q.platform, status: q.status,
      bloggerId: q.blogger_id, tag: q.tag, after, limit: q.limit + 1,
    }),
  );
  if (!result) throw notFound('campaign');
  const rows = result.rows.slice(0, q.limit);
  const last = rows[rows.length - 1];
  const data = rows.map((v) => ({
    id: v.id,
    platform: v.platform,
    external_video_id: v.external_video_id,
    video_url: v.video_url,
    title: v.title,
    thumbnail_url: v.thumbnail_url,
    published_at: v.published_at,
    author_username: v.author_username,
    blogger_id: v.blogger_id,
    status: v.video_status,
    budget: v.budget,
    tags: v.tags,
    tracking_started_at: v.tracking_started_at,
    ...analyticsJson(v.has_stats, v.totals, v.increments, q.mode, v.budget),
  }));
  return c.json({
    campaign_id: id,
    mode: q.mode,
    from: result.from,
    to: result.to,
    sort: q.sort,
    order: q.order,
    data,
    next_cursor: result.rows.length > q.limit && last ? encodeSortCursor(q.sort, q.order, last.sort_key, last.id) : null,
  }, 200);
});
