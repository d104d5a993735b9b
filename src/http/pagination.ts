import { z } from 'zod';
import { ApiError } from './errors';

/** Opaque keyset cursors: clients pass back `next_cursor` as `cursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

export function encodeCursor(id: string): string {
  return btoa(JSON.stringify({ id })).replace(/=+$/, '');
}

export function decodeCursor(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = z.object({ id: z.uuid() }).parse(JSON.parse(atob(cursor)));
    return parsed.id;
  } catch {
    throw new ApiError('validation_failed', 'invalid cursor: pass back next_cursor unchanged', { issues: [{ path: 'cursor', message: 'Invalid cursor' }] });
  }
}

/** Fetch limit + 1 rows, answer limit of them and a cursor when there are more. */
export function page<T extends { id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
