import { z } from 'zod';
import { ApiError } from '../errors';

/** Input shapes shared by the dead-letter and organization ops routes. */

/** Text without NUL characters (Postgres text cannot hold them; they are never meant). */
export const plainText = (max: number) =>
  z.string().trim().min(1).max(max).refine((s) => !s.includes('\u0000'), { message: 'must not contain NUL characters' });

/**
 * An ISO 8601 instant with an offset, on a date that exists: zod's format check alone would let
 * 2026-02-30 through, and Date would quietly roll it over to March.
 */
export const isoInstant = z.iso
  .datetime({ offset: true })
  .refine((s) => {
    const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
  }, { message: 'no such date' })
  .transform((s) => new Date(s));

/** A bigint row id as the API shows it (a string of digits). */
export const RowId = z.string().regex(/^[1-9]\d{0,18}$/, 'an id is a positive whole number');

/** An empty body is `{}`; anything else must be JSON (for POST routes whose body is optional). */
export async function optionalJson(req: { text: () => Promise<string> }): Promise<unknown> {
  const raw = await req.text();
  if (!raw.trim()) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new ApiError('bad_request', 'the body is not JSON');
  }
}
