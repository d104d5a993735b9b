import type { Db } from '../db/client';
import { recordNotification } from '../db/notifications';

/**
 * Hands one report delivery (one recipient, one channel) to the notification outbox. This is the
 * only place scheduled reports touch the outbox, so wiring them to notification delivery is one
 * function.
 *
 * Delivery itself (Loops, Telegram, retries, never twice) is the NOTIFICATIONS consumer's job.
 */

export const REPORT_TEMPLATE = 'scheduled_report';

export interface ReportDelivery {
  organizationId: string;
  /** the member the delivery is for (null: an external address) */
  userId: string | null;
  channel: 'email' | 'telegram';
  /** an email address or a Telegram chat id */
  recipient: string;
  /**
   * email: flat string/number data variables for the Loops template (subject, digest_text,
   * digest_html, report_url, xlsx_url, period_start, period_end, schedule_name), plus `attachment`
   * {r2_key, filename, content_type} when the schedule attaches the xlsx;
   * telegram: { text }.
   */
  payload: Record<string, unknown>;
  idempotencyKey: string;
}

/** `report:<schedule>:<period>:<recipient>:<channel>`; recipients that would make it longer than 200 characters are hashed. */
export async function reportIdempotencyKey(scheduleId: string, periodStart: string, recipientKey: string, channel: string): Promise<string> {
  const key = `report:${scheduleId}:${periodStart}:${recipientKey}:${channel}`;
  if (key.length <= 200) return key;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(recipientKey));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `report:${scheduleId}:${periodStart}:sha256-${hex}:${channel}`;
}

/**
 * Writes the outbox row once per idempotency key (notification delivery's transactional outbox:
 * a retried step finds the first row) and answers its id; the caller enqueues it.
 */
export async function enqueueReportDelivery(db: Db, d: ReportDelivery): Promise<string> {
  return recordNotification(db, {
    organizationId: d.organizationId,
    userId: d.userId,
    channel: d.channel,
    recipient: d.recipient,
    template: REPORT_TEMPLATE,
    payload: d.payload,
    idempotencyKey: d.idempotencyKey,
  });
}
