import { createSql } from '../db/client';
import { takeRowsToEnqueue } from '../db/notifications';
import { enqueueOutboxRows } from '../queues/notification-messages';

/**
 * The outbox relay: writers send a queue message right after their commit; this catches the rest —
 * a send that failed after the commit, rows deferred by quiet hours that are now due, a claim whose
 * consumer vanished. Runs from the 15-minute cron. Rows are marked enqueued in the statement that
 * picks them, so overlapping relays do not double up (and the claim would absorb it anyway).
 */
export const RELAY_GRACE_MINUTES = 10;

export async function relayDueNotifications(env: Env, limit = 1000): Promise<number> {
  const rows = await takeRowsToEnqueue(createSql(env), RELAY_GRACE_MINUTES, limit);
  await enqueueOutboxRows(env.NOTIFICATIONS, rows);
  if (rows.length > 0) console.log(JSON.stringify({ event: 'notifications_relayed', rows: rows.length }));
  return rows.length;
}
