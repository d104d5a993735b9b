import { z } from 'zod';
import { MAX_POINTS } from '../db/analytics';
import { periodCount } from '../steps/analytics';

/**
 * Query fields shared by the analytics routes (campaigns and dashboard videos). A range's absent
 * `from`/`to` take the route's defaults (the campaign's dates, or since tracking started / today).
 */

/** A UTC calendar day, 'YYYY-MM-DD'. */
export const Day = z.iso.date();
export const RangeFields = { from: Day.optional(), to: Day.optional() };
export const rangeInOrder = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
export const rangeNotInOrder = { message: 'from must not be after to', path: ['from'] };

/** A day or ISO-week series; a range given at both ends may not ask for more than MAX_POINTS periods. */
export const TimeseriesQuery = z
  .object({ ...RangeFields, interval: z.enum(['day', 'week']).default('day') })
  .refine(rangeInOrder, rangeNotInOrder)
  .refine((q) => !q.from || !q.to || periodCount(q.from, q.to, q.interval) <= MAX_POINTS[q.interval], {
    message: `at most ${MAX_POINTS.day} days or ${MAX_POINTS.week} weeks per request`,
    path: ['from'],
  });
