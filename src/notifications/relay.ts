import { createSql } from '../db/client';
import { combineDueDigests, takeRowsToEnqueue } from '../db/notifications';
import { enqueueOutboxRows } from '../queues/notification-messages';

/**
 * The outbox relay: writers send a queue message right after their commit; this catches the rest —
 * a send that failed after the commit, rows deferred by quiet hours that are now due, a claim whose
 * consumer vanished — and combines due digest parts into one message per member and channel
 * (combineDueDigests). Runs from the 15-minute cron. Rows are marked enqueued in the statement that
 * picks them, so overlapping relays do not double up (and the claim would absorb it anyway).
 */
export const RELAY_GRACE_MINUTES = 10;

export async function relayDueNotifications(env: Env, limit = 1000): Promise<number> {
  const sql = createSql(env);
  // digest parts that are due become one digest row per member and channel, enqueued just below
  const digests = await combineDueDigests(sql, 5 * limit);
  if (digests.length > 0) console.log(JSON.stringify({ event: 'digests_combined', digests: digests.length, parts: digests.reduce((a, d) => a + d.parts, 0) }));
  const rows = await takeRowsToEnqueue(sql, RELAY_GRACE_MINUTES, limit);
  await enqueueOutboxRows(env.NOTIFICATIONS, rows);
  if (rows.length > 0) console.log(JSON.stringify({ event: 'notifications_relayed', rows: rows.length }));
  return rows.length;
}
