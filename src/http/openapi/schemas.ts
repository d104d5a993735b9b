import { z } from '@hono/zod-openapi';

/** Response building blocks shared by the route modules' declarations. */

/** An instant as the API writes it (JSON of a Postgres timestamptz): ISO 8601, UTC. */
export const Timestamp = z.string().openapi({ format: 'date-time', example: '2026-12-03T09:00:00.000Z' });
export const Uuid = z.uuid().openapi({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' });
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '0f8fad5b-d9cb-469f-a165-70867728950e' }) });

/** `{data, next_cursor}`: a page of a keyset-paginated list. */
export const Page = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), next_cursor: z.string().nullable().openapi({ description: 'pass back as `cursor` for the next page; null on the last' }) });

/** `{data}`: a complete (unpaginated) list. */
export const List = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item) });
