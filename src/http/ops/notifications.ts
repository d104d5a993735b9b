import { Hono } from 'hono';
import { z } from 'zod';
import { readCursor, toCursor } from '../cursor';
import { listFailedOutbox, outboxStatusCounts } from '../../db/notifications';
import { validate } from '../validate';
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

export const opsNotifications = new Hono<OpsEnv>()
  .get('/failed', validate('query', FailedNotificationsQuery), async (c) => {
    const q = c.req.valid('query');
    const rows = await listFailedOutbox(c.get('sql'), { organizationId: q.organization_id, channel: q.channel, before: q.cursor, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return c.json({ data: page, next_cursor: rows.length > q.limit && last ? encodeCursor(last.failed_at, last.id) : null });
  })
  .get('/summary', validate('query', z.strictObject({ hours: z.coerce.number().int().min(1).max(24 * 30).default(24) })), async (c) => {
    const { hours } = c.req.valid('query');
    const since = new Date(Date.now() - hours * 3_600_000);
    return c.json({ since, by_status: await outboxStatusCounts(c.get('sql'), since) });
  });
