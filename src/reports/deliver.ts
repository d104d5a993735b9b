import { jsonb, type Db } from '../db/client';

/**
 * Hands one report delivery (one recipient, one channel) to the notification outbox. This is the
 * only place scheduled reports touch the outbox, so wiring them to notification delivery is one
 * function.
 *
 * In this branch it writes main's `notification_outbox` directly (insert … on conflict
 * (idempotency_key) do nothing, then read the row's id): a second call with the same key writes
 * nothing and answers the first row. MERGE with notification delivery (branch notify): replace the
 * body with `recordNotification(db, { organizationId, userId, channel, recipient, template,
 * payload, idempotencyKey })` from src/db/notifications.ts (same dedupe, service-only table) and,
 * after it, `enqueueOutboxRows(env.NOTIFICATIONS, [{ id, organization_id }])` — or leave the
 * enqueue to the 15-minute outbox relay, which picks rows never enqueued.
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

/** Writes the outbox row once per idempotency key; answers its id. */
export async function enqueueReportDelivery(db: Db, d: ReportDelivery): Promise<string> {
  const [inserted] = await db<{ id: string }[]>`
    insert into public.notification_outbox (organization_id, channel, recipient, template, payload, idempotency_key)
    values (${d.organizationId}, ${d.channel}, ${d.recipient}, ${REPORT_TEMPLATE}, ${jsonb({ ...d.payload, ...(d.userId ? { user_id: d.userId } : {}) })}::text::jsonb, ${d.idempotencyKey})
    on conflict (idempotency_key) do nothing
    returning id`;
  if (inserted) return inserted.id;
  const [existing] = await db<{ id: string }[]>`select id from public.notification_outbox where idempotency_key = ${d.idempotencyKey}`;
  return existing!.id;
}
