import { z } from 'zod';

/**
 * A counter: a number or a numeric string ("129292"), possibly missing or null (→ 0). A string
 * that is not a number fails the parse rather than silently recording 0.
 */
export const count = z
  .union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? 0 : Math.max(0, Math.trunc(Number(v)))));

/** An id that may arrive as a number or a string. */
export const idString = z.union([z.string(), z.number()]).transform(String);

/** An optional text field, normalised to `string | null`. */
export const optionalString = z
  .string()
  .nullish()
  .transform((v) => v ?? null);

/** A timestamp in unix seconds (number or numeric string) or ISO text, possibly missing. */
export const timestamp = z.union([z.number(), z.string()]).nullish();

/** `timestamp` → ISO string, or null when missing or unreadable. */
export function toIsoTimestamp(v: number | string | null | undefined): string | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  const ms = Number.isFinite(n) ? (n > 1e12 ? n : n * 1000) : Date.parse(String(v));
  if (!Number.isFinite(ms) || ms <= 0) return null;
  return new Date(ms).toISOString();
}
