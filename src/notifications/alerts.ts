import type { Db } from '../db/client';
import { evaluateAlertsForBatch } from '../db/alerts';
import type { WrittenVideo } from '../db/statistics';
import { enqueueOutboxRows } from '../queues/notification-messages';

/**
 * Called by the stats consumer right after it wrote a batch, with the videos the write resolved:
 * one statement finds the alerts the batch triggered and writes their outbox rows; the due ones
 * are enqueued at once. A failure here does not fail the stats batch (its snapshots are written):
 * it is logged, and the next batch that touches the video evaluates it again (keys keep that from
 * alerting twice).
 */
export async function alertAfterStatsBatch(env: Env, db: Db, videos: WrittenVideo[]): Promise<{ outbox_rows: number; alert_ms: number }> {
  const started = Date.now();
  try {
    const rows = await evaluateAlertsForBatch(db, videos);
    await enqueueOutboxRows(env.NOTIFICATIONS, rows.filter((r) => r.due).map((r) => ({ id: r.outbox_id, organization_id: r.organization_id })));
    return { outbox_rows: rows.length, alert_ms: Date.now() - started };
  } catch (err) {
    console.error(JSON.stringify({ event: 'alert_evaluation_failed', videos: videos.length, message: err instanceof Error ? err.message : String(err) }));
    return { outbox_rows: 0, alert_ms: Date.now() - started };
  }
}
