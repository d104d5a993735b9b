import type { FannedOut } from '../db/alerts';
import { enqueueOutboxRows } from '../queues/notification-messages';

/**
 * After the transaction that wrote outbox rows has committed: one NOTIFICATIONS message per row
 * that may be sent now. Rows deferred by quiet hours, and rows whose enqueue is lost (the step
 * failed after its commit), are sent by the relay of the 15-minute cron.
 */
export async function enqueueDueRows(env: Env, rows: FannedOut[]): Promise<void> {
  const due = rows.filter((r) => r.due).map((r) => ({ id: r.outbox_id, organization_id: r.organization_id }));
  if (due.length > 0) await enqueueOutboxRows(env.NOTIFICATIONS, due);
}
