import { Hono } from 'hono';
import { z } from 'zod';
import { campaignStats } from '../../db/analytics-aggregate';
import { notFound } from '../errors';
import { validate } from '../validate';
import type { AppEnv } from '../context';
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
export const stats = new Hono<AppEnv>().get('/:id/stats', validate('param', IdParam), validate('query', StatsQuery), async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const result = await asCaller(c, (tx) => campaignStats(tx, c.get('org').id, id, { mode: q.mode, from: q.from, to: q.to }));
  if (!result) throw notFound('campaign');
  return c.json(result);
});
export type StatsResponse = NonNullable<Awaited<ReturnType<typeof campaignStats>>>;
