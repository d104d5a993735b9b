import { z } from 'zod';
import { fromCursor, toCursor } from './cursor';

/** Opaque keyset cursors: clients pass back `next_cursor` as `cursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(200).optional(),
});

const IdCursor = z.object({ id: z.uuid() });

export const encodeCursor = (id: string) => toCursor({ id });

/** The id a `cursor` query parameter points after (400 for one that is not ours). */
export const decodeCursor = (cursor: string | undefined) => fromCursor(IdCursor, cursor)?.id;

/** Fetch limit + 1 rows, answer limit of them and a cursor when there are more. */
export function page<T extends { id: string }>(rows: T[], limit: number) {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, next_cursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
