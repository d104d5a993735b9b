import { z } from '@hono/zod-openapi';
import { campaignBloggers } from '../../db/analytics';
import { notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { CampaignBloggers } from './responses';
import { analyticsJson, asCaller, IdParam, ModeParam, RangeFields, rangeInOrder, rangeNotInOrder } from './shared';

export const BloggersQuery = z.object({ ...RangeFields, mode: ModeParam }).refine(rangeInOrder, rangeNotInOrder);

/**
 * GET /campaigns/:id/bloggers?mode&from&to — the per-blogger rollup: every blogger assigned to the
 * campaign or authoring one of its videos, plus `blogger: null` for videos without a blogger;
 * totals, increments and metrics over the same range as /stats, each blogger's budget being the
 * sum of their videos' budgets. Sorted by the mode's views, most first.
 */
const bloggersRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/bloggers', tags: ['Campaign analytics'], summary: 'The campaign’s figures per blogger',
  description: 'Every assigned or authoring blogger (and `blogger: null` for videos without one), sorted by the mode’s views.',
  request: { params: IdParam, query: BloggersQuery }, responses: { 200: json(CampaignBloggers, 'One row per blogger') },
}, { errors: ['not_found'] });

export const bloggers = router().openapi(bloggersRoute, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const result = await asCaller(c, (tx) => campaignBloggers(tx, c.get('org').id, id, { mode: q.mode, from: q.from, to: q.to }));
  if (!result) throw notFound('campaign');
  const key = (r: (typeof result.rows)[number]) => (q.mode === 'increments' ? r.increments.views : r.totals.views);
  const data = result.rows
    .map((r) => ({
      blogger: r.blogger,
      assigned: r.assigned,
      videos: r.videos,
      budget: r.budget,
      ...analyticsJson(r.videos.with_stats > 0, r.totals, r.increments, q.mode, r.budget),
      _key: key(r),
    }))
    .sort((a, b) => Number(a.blogger === null) - Number(b.blogger === null) || b._key - a._key || (a.blogger?.username ?? '').localeCompare(b.blogger?.username ?? ''))
    .map(({ _key, ...row }) => row);
  return c.json({ campaign_id: id, mode: q.mode, from: result.from, to: result.to, data }, 200);
});
