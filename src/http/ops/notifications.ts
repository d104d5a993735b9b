import { z } from '@hono/zod-openapi';
import { readCursor, toCursor } from '../cursor';
import { listFailedOutbox, outboxStatusCounts } from '../../db/notifications';
import { defineRoute, json, router } from '../openapi/route';
import { Timestamp, Uuid } from '../openapi/schemas';
import type { OpsEnv } from './auth';

/**
 * Notification delivery for operators (mounted under /ops/api, so requireOperator guards it):
 *   GET /ops/api/notifications/failed?organization_id&channel&limit&cursor   outbox rows that failed for good
 *   GET /ops/api/notifications/summary?hours=24                               outbox rows by status
 * The row's payload is not shown (it is what the template reads, not what operators need).
 */
const FailedCursor = z.tuple([z.iso.datetime().transform((d) => new Date(d)), z.uuid()]).transform(([at, id]) => ({ at, id }));
const Cursor = z.string().max(200).transform((s, ctx) => {
  const value = readCursor(FailedCursor, s);
  if (value) return value;
  ctx.addIssue({ code: 'custom', message: 'invalid cursor' });
  return z.NEVER;
});
const encodeCursor = (at: Date, id: string) => toCursor([at.toISOString(), id]);

export const FailedNotificationsQuery = z.strictObject({
  organization_id: z.uuid().optional(),
  channel: z.enum(['email', 'telegram']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: Cursor.optional(),
});

const T = ['Ops: notifications'];
const FailedRow = z.object({
  id: Uuid, organization_id: Uuid.nullable(), organization_name: z.string().nullable(), channel: z.string(), template: z.string(), recipient: z.string(),
  attempts: z.number().int(), error: z.string().nullable(), created_at: Timestamp, failed_at: Timestamp,
});
const failedRoute = defineRoute('ops', {
  method: 'get', path: '/failed', tags: T, summary: 'Notifications that failed for good', request: { query: FailedNotificationsQuery },
  responses: { 200: json(z.object({ data: z.array(FailedRow), next_cursor: z.string().nullable() }), 'A page of failed outbox rows') },
});
const SummaryQuery = z.strictObject({ hours: z.coerce.number().int().min(1).max(24 * 30).default(24) });
const summaryRoute = defineRoute('ops', {
  method: 'get', path: '/summary', tags: T, summary: 'Notification outbox by status', request: { query: SummaryQuery },
  responses: { 200: json(z.object({ since: Timestamp, by_status: z.object({ queued: z.number().int(), sending: z.number().int(), sent: z.number().int(), failed: z.number().int(), cancelled: z.number().int(), combined: z.number().int().describe('digest parts, sent inside their digest row') }) }), 'Counts of rows last changed since `hours` ago') },
});

export const opsNotifications = router<OpsEnv>()
  .openapi(failedRoute, async (c) => {
    const q = c.req.valid('query');
    const rows = await listFailedOutbox(c.get('sql'), { organizationId: q.organization_id, channel: q.channel, before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json({ data: page, next_cursor: rows.length > q.limit && last ? encodeCursor(last.failed_at, last.id) : null }, 200);
  })
  .openapi(summaryRoute, async (c) => {
    const { hours } = c.req.valid('query');
    const since = new Date(Date.now() - hours * 3_600_000);
    return c.json({ since, by_status: await outboxStatusCounts(c.get('sql'), since) }, 200);
  });
