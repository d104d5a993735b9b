import { z } from '@hono/zod-openapi';
import { VideoPlatformName } from '../../domain/platforms';
import { VIDEO_STATUSES } from '../../domain/statuses';

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

/**
 * A named (component) schema or null. `.nullable()` on a named schema comes out of zod-to-openapi
 * as `allOf: [$ref, {type: [object, null]}]`, which refuses null; a union says what is meant.
 */
export const nullableRef = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** A calendar day 'YYYY-MM-DD'. */
export const DayString = z.string().openapi({ format: 'date', example: '2026-12-01' });
/** The platform and status a video can have (the domain's lists, under their response names). */
export const PlatformName = VideoPlatformName;
export const VideoStatusName = z.enum(VIDEO_STATUSES);
export const Mode = z.enum(['totals', 'increments']);

const counterFields = { views: z.number(), likes: z.number(), comments: z.number(), reposts: z.number(), saves: z.number() };
/** views, likes, comments, reposts, saves and engagements (= likes + comments + reposts + saves). */
export const Counters = z.object({ ...counterFields, engagements: z.number() }).openapi('Counters');
/** CPM, CPV, CPE (null without a budget or a positive denominator) and engagement rate (a fraction). */
export const Metrics = z
  .object({ cpm: z.number().nullable(), cpv: z.number().nullable(), cpe: z.number().nullable(), engagement_rate: z.number().nullable() })
  .openapi('Metrics');
/** Totals and increments (null before the first snapshot) and the metrics of the requested mode's values. */
export const analyticsFields = { totals: nullableRef(Counters), increments: nullableRef(Counters), metrics: Metrics };

/** `{success, id}`: a deleted object. */
export const Deleted = z.object({ success: z.literal(true), id: Uuid });
