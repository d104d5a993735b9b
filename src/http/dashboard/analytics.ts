import { z } from '@hono/zod-openapi';
import { VideoPlatformName } from '../../domain/platforms';
import { organizationSummary, organizationTimeseries } from '../../db/analytics-aggregate';
import { PlatformTimeseriesQuery, RangeFields, rangeInOrder, rangeNotInOrder } from '../analytics-query';
import { asCaller } from '../caller';
import { defineRoute, json, router } from '../openapi/route';
import { Series, Summary } from './responses';

const Platform = VideoPlatformName;

export const SummaryQuery = z.object({ ...RangeFields, platform: Platform.optional() }).refine(rangeInOrder, rangeNotInOrder);
export const OrganizationTimeseriesQuery = PlatformTimeseriesQuery;

/**
 * The organization dashboard: its videos' totals and growth, read from organization_daily_stats
 * (one row per UTC day and platform; src/db/analytics-aggregate.ts), so the cost grows with the
 * days in range, not the organization's videos. Open to every member.
 */
const summaryRoute = defineRoute('tenant', {
  method: 'get', path: '/summary', tags: ['Dashboard'], summary: 'The organization’s totals and growth',
  description: 'totals on `to`, increments from `from` through `to`, videos counted by status, and the same per platform.',
  request: { query: SummaryQuery }, responses: { 200: json(Summary, 'The summary') },
});
const timeseriesRoute = defineRoute('tenant', {
  method: 'get', path: '/timeseries', tags: ['Dashboard'], summary: 'The organization’s figures per day or week',
  request: { query: OrganizationTimeseriesQuery },
  responses: { 200: json(Series.extend({ platform: z.enum(['TikTok', 'Instagram', 'YouTube', 'Other']).nullable() }), 'The series') },
});

export const dashboardAnalytics = router()
  /**
   * GET /dashboard/summary?from&to&platform
   * totals: every video's value on `to` (default: its latest snapshot); increments: growth from
   * `from` (default: since tracking started) through `to`, a video tracked inside the range counting
   * from its first snapshot; videos: counts by status now (stopped = tracking paused) and how many
   * have a snapshot by `to`; platforms: the same per platform (every platform with videos).
   */
  .openapi(summaryRoute, async (c) => {
    const q = c.req.valid('query');
    const result = await asCaller(c, (tx) => organizationSummary(tx, c.get('org').id, { from: q.from ?? null, to: q.to ?? null, platform: q.platform }));
    return c.json(result, 200);
  })
  /**
   * GET /dashboard/timeseries?interval=day|week&from&to&platform
   * One point per day (or ISO week, labelled by its Monday) from `from` (default: the first day with
   * data) to `to` (default: today): `increments` = growth in the period, `totals` = values at its end.
   */
  .openapi(timeseriesRoute, async (c) => {
    const q = c.req.valid('query');
    const result = await asCaller(c, (tx) => organizationTimeseries(tx, c.get('org').id, { interval: q.interval, from: q.from, to: q.to, platform: q.platform }));
    return c.json({ platform: q.platform ?? null, ...result }, 200);
  });
