import { Hono } from 'hono';
import { campaignTimeseries } from '../../db/analytics-aggregate';
import { TimeseriesQuery } from '../analytics-query';
import { notFound } from '../errors';
import { validate } from '../validate';
import type { AppEnv } from '../context';
import { asCaller, IdParam } from './shared';

/**
 * GET /campaigns/:id/timeseries?interval=day|week&from&to
 *
 * One point per day (or ISO week, labelled by its Monday) from `from` (default: starts_on, else the
 * first day with data) to `to` (default: ends_on if past, else today), days without snapshots
 * included: `increments` = growth in the period, `totals` = values at its end (carried forward).
 */
export const timeseries = new Hono<AppEnv>().get('/:id/timeseries', validate('param', IdParam), validate('query', TimeseriesQuery), async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const result = await asCaller(c, (tx) => campaignTimeseries(tx, c.get('org').id, id, { interval: q.interval, from: q.from, to: q.to }));
  if (!result) throw notFound('campaign');
  return c.json({ campaign_id: id, ...result });
});
