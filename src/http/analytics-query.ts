import { z } from 'zod';
import { MAX_POINTS } from '../db/analytics';
import { periodCount } from '../domain/analytics';
import { CalendarDate, whenFieldsValid } from '../domain/validation';

/**
 * Query fields shared by the analytics routes (campaigns and dashboard videos). A range's absent
 * `from`/`to` take the route's defaults (the campaign's dates, or since tracking started / today).
 */

/** A UTC calendar day, 'YYYY-MM-DD' (a real date, 2000–2100: src/domain/validation.ts). */
export const Day = CalendarDate;
export const RangeFields = { from: Day.optional(), to: Day.optional() };
export const rangeInOrder = (q: { from?: string; to?: string }) => !q.from || !q.to || q.from <= q.to;
export const rangeNotInOrder = { message: 'from must not be after to', path: ['from'], ...whenFieldsValid };

const seriesFields = { ...RangeFields, interval: z.enum(['day', 'week']).default('day') };
const notTooLong = (q: { from?: string; to?: string; interval: 'day' | 'week' }) => !q.from || !q.to || periodCount(q.from, q.to, q.interval) <= MAX_POINTS[q.interval];
const tooLong = { message: `at most ${MAX_POINTS.day} days or ${MAX_POINTS.week} weeks per request`, path: ['from'], ...whenFieldsValid };

/** A day or ISO-week series; a range given at both ends may not ask for more than MAX_POINTS periods. */
export const TimeseriesQuery = z.object(seriesFields).refine(rangeInOrder, rangeNotInOrder).refine(notTooLong, tooLong);

/** The same, for the organization's series, narrowed to one platform. */
export const PlatformTimeseriesQuery = z
  .object({ ...seriesFields, platform: z.enum(['TikTok', 'Instagram', 'YouTube', 'Other']).optional() })
  .refine(rangeInOrder, rangeNotInOrder)
  .refine(notTooLong, tooLong);
