import { z } from 'zod';

/**
 * The value types every boundary schema is built from (HTTP bodies, queries, params, queue
 * messages, workflow params). They accept exactly what Postgres will store, so bad input is a
 * 400 at the door and never an error from the database:
 * - text: Postgres `text` cannot hold U+0000, and `jsonb` (lists travel as one jsonb parameter,
 *   src/db/client.ts#jsonb) rejects the escape of a lone UTF-16 surrogate;
 * - dates: Postgres has no year 0 and JavaScript's Date rolls impossible days over, so only real
 *   calendar dates in a range the product can mean are accepted.
 */

/** The first and last day any date field may name (inclusive). */
export const DATE_MIN = '2000-01-01';
export const DATE_MAX = '2100-12-31';

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string can be stored as Postgres text and inside jsonb. */
export const isStorableText = (s: string) => !NUL.test(s) && !LONE_SURROGATE.test(s);

const storable = { message: 'must not contain NUL characters or unpaired surrogates' };

/**
 * Free text: trimmed, then `min`–`max` characters (min 1 by default: blank is not a value),
 * storable in Postgres. Use `.optional()` / `.nullable()` on the result as the field needs.
 */
export function Text(opts: { max: number; min?: number }) {
  return z
    .string()
    .trim()
    .min(opts.min ?? 1)
    .max(opts.max)
    .refine(isStorableText, storable);
}

/** A list of tag names as every route takes them. */
export const TagName = Text({ max: 64 });
export const TagNames = z.array(TagName).max(20);

/** A UTC calendar day 'YYYY-MM-DD' that exists (no 2023-02-29), between DATE_MIN and DATE_MAX. */
export const CalendarDate = z.iso
  .date()
  .refine((d) => d >= DATE_MIN && d <= DATE_MAX, { message: `a date between ${DATE_MIN} and ${DATE_MAX}` });

/** An ISO 8601 instant with an offset, between DATE_MIN and DATE_MAX (as a Date). */
export const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => new Date(s))
  .refine((d) => !Number.isNaN(d.getTime()) && d >= new Date(`${DATE_MIN}T00:00:00Z`) && d <= new Date(`${DATE_MAX}T23:59:59.999Z`), {
    message: `an instant between ${DATE_MIN} and ${DATE_MAX}`,
  });

/**
 * Options for a cross-field `.refine` on an object: it runs only when every field parsed, so it
 * never sees a value its fields rejected (zod 4 runs object refinements even after field issues,
 * and a date computation on an invalid date throws).
 */
export const whenFieldsValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };
