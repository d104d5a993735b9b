import { z } from '@hono/zod-openapi';
import { campaignStats } from '../../db/analytics-aggregate';
import { notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { CampaignStats } from './responses';
import { asCaller, IdParam, ModeParam, RangeFields, rangeInOrder, rangeNotInOrder } from './shared';

export const StatsQuery = z.object({ ...RangeFields, mode: ModeParam }).refine(rangeInOrder, rangeNotInOrder);

/**
 * GET /campaigns/:id/stats?mode=totals|increments&from&to
 *
 * totals: the campaign's videos' values on `to` (default: ends_on, else the latest snapshot).
 * increments: their growth from `from` (default: starts_on, else since tracking started) to `to`;
 * a video whose tracking started inside the range counts from its first snapshot.
 * Budget metrics divide the campaign's effective budget by these values.
 */
const statsRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/stats', tags: ['Campaign analytics'], summary: 'Campaign totals or increments, budget and metrics',
  description: 'totals: values on `to`; increments: growth from `from` to `to`. Budget metrics divide the campaign’s effective budget by these values.',
  request: { params: IdParam, query: StatsQuery }, responses: { 200: json(CampaignStats, 'The campaign’s figures') },
}, { errors: ['not_found'] });

export const stats = router().openapi(statsRoute, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const result = await asCaller(c, (tx) => campaignStats(tx, c.get('org').id, id, { mode: q.mode, from: q.from, to: q.to }));
  if (!result) throw notFound('campaign');
  return c.json(result, 200);
});
export type StatsResponse = NonNullable<Awaited<ReturnType<typeof campaignStats>>>;
