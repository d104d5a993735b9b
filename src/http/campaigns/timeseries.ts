import { campaignTimeseries } from '../../db/analytics-aggregate';
import { TimeseriesQuery } from '../analytics-query';
import { notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Timeseries } from './responses';
import { asCaller, IdParam } from './shared';

/**
 * GET /campaigns/:id/timeseries?interval=day|week&from&to
 *
 * One point per day (or ISO week, labelled by its Monday) from `from` (default: starts_on, else the
 * first day with data) to `to` (default: ends_on if past, else today), days without snapshots
 * included: `increments` = growth in the period, `totals` = values at its end (carried forward).
 */
const timeseriesRoute = defineRoute('tenant', {
  method: 'get', path: '/{id}/timeseries', tags: ['Campaign analytics'], summary: 'Campaign figures per day or week',
  description: 'One point per day (or ISO week, labelled by its Monday), days without snapshots included.',
  request: { params: IdParam, query: TimeseriesQuery }, responses: { 200: json(Timeseries, 'The series') },
}, { errors: ['not_found'] });

export const timeseries = router().openapi(timeseriesRoute, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const result = await asCaller(c, (tx) => campaignTimeseries(tx, c.get('org').id, id, { interval: q.interval, from: q.from, to: q.to }));
  if (!result) throw notFound('campaign');
  return c.json({ campaign_id: id, ...result }, 200);
});
