import { z } from '@hono/zod-openapi';
import { fromCursor, invalidCursor, toCursor } from '../cursor';
import { VideoPlatformName } from '../../domain/platforms';
import { VIDEO_STATUSES } from '../../domain/statuses';
import { Text } from '../../domain/validation';
import { campaignVideos, type VideoSort } from '../../db/analytics';
import { notFound } from '../errors';
import { videoSummaryJson } from '../video-json';
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
    platform: VideoPlatformName.optional(),
    status: z.enum(VIDEO_STATUSES).optional(),
    blogger_id: z.uuid().optional(),
    tag: Text({ max: 64 }).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(300).optional(),
  })
  .refine(rangeInOrder, rangeNotInOrder);

/** Keyset cursor over (sort key, id); it names its sort and order, so it cannot be replayed on another one. */
const SortCursor = z.object({ s: z.string(), o: z.enum(['asc', 'desc']), k: z.number().nullable(), id: z.uuid() });

const encodeSortCursor = (sort: VideoSort, order: 'asc' | 'desc', key: number | null, id: string) => toCursor({ s: sort, o: order, k: key, id });

function decodeSortCursor(cursor: string | undefined, sort: VideoSort, order: 'asc' | 'desc') {
  const parsed = fromCursor(SortCursor, cursor);
  if (!parsed) return undefined;
  if (parsed.s !== sort || parsed.o !== order) throw invalidCursor('this cursor belongs to another sort or order: start again without a cursor');
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
    ...videoSummaryJson(v),
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
