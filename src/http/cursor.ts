import type { z } from 'zod';
import { ApiError } from './errors';

/**
 * The one codec of opaque page cursors: a small JSON value as unpadded base64url (safe in a query
 * string without escaping), UTF-8 throughout (a cursor may carry a column name in any script).
 * Each list defines what its cursor holds with a zod schema; a cursor that does not decode or
 * does not match is the caller's mistake (400), never a 500.
 */
export function toCursor(value: unknown): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(JSON.stringify(value))) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The cursor's value, or undefined when it is not one of ours or does not match `schema`. */
export function readCursor<T extends z.ZodType>(schema: T, cursor: string): z.output<T> | undefined {
  try {
    const binary = atob(cursor.replace(/-/g, '+').replace(/_/g, '/'));
    const json = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)));
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export const invalidCursor = (message = 'invalid cursor: pass back next_cursor unchanged') =>
  new ApiError('validation_failed', message, { issues: [{ path: 'cursor', message: 'Invalid cursor' }] });

/** The cursor's value (undefined without a cursor); 400 `validation_failed` for a bad one. */
export function fromCursor<T extends z.ZodType>(schema: T, cursor: string | undefined): z.output<T> | undefined {
  if (!cursor) return undefined;
  const value = readCursor(schema, cursor);
  if (value === undefined) throw invalidCursor();
  return value;
}
