import { z } from 'zod';
import { TelegramUpdate } from '../notifications/telegram-updates';

/**
 * NOTIFICATIONS queue messages. Deliveries carry only the outbox row id (and the organization, for
 * the dead-letter table); everything else is read from the row, so a replayed dead letter or a
 * duplicate message cannot send something the row does not say. `invitation_email` is the shape
 * the invitation route sends (with a few descriptive fields the consumer ignores).
 */
export const OutboxDelivery = z.looseObject({
  type: z.enum(['notification', 'invitation_email']),
  outbox_id: z.uuid(),
  organization_id: z.uuid().optional(),
});
export type OutboxDelivery = z.infer<typeof OutboxDelivery>;

/** An update Telegram POSTed to /telegram/webhook, handled here so the webhook answers at once. */
export const TelegramUpdateMessage = z.object({
  type: z.literal('telegram_update'),
  update: TelegramUpdate,
});
export type TelegramUpdateMessage = z.infer<typeof TelegramUpdateMessage>;

export const NotificationMessage = z.discriminatedUnion('type', [OutboxDelivery, TelegramUpdateMessage]);
export type NotificationMessage = z.infer<typeof NotificationMessage>;

/** Sends one queue message per outbox row, in the queue's batch size. */
export async function enqueueOutboxRows(queue: Queue, rows: { id: string; organization_id: string | null }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100).map((r) => ({
      body: { type: 'notification', outbox_id: r.id, ...(r.organization_id ? { organization_id: r.organization_id } : {}) } satisfies OutboxDelivery,
      contentType: 'json' as const,
    }));
    await queue.sendBatch(chunk);
  }
}
