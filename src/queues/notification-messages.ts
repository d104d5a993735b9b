import { z } from 'zod';

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

export const NotificationMessage = OutboxDelivery;
export type NotificationMessage = z.infer<typeof NotificationMessage>;

/** Sends one queue message per outbox row, in the queue's batch size. */
export async function enqueueOutboxRows(queue: Queue, rows: { id: string; organization_id: string }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100).map((r) => ({
      body: { type: 'notification', outbox_id: r.id, organization_id: r.organization_id } satisfies OutboxDelivery,
      contentType: 'json' as const,
    }));
    await queue.sendBatch(chunk);
  }
}
