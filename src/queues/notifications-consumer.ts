import { createSql, type Sql } from '../db/client';
import {
  claimOutboxRow, findOutboxRow, forgetEnqueue, markOutboxCancelled, markOutboxFailed, markOutboxSent, releaseOutboxRow, type OutboxRow,
} from '../db/notifications';
import { notificationConfig } from '../notifications/config';
import { backoffSeconds, type DeliveryResult } from '../notifications/delivery';
import { sendTransactionalEmail } from '../notifications/loops';
import { renderOutboxRow } from '../notifications/render';
import { sendTelegramMessage, TELEGRAM_BLOCKED } from '../notifications/telegram';
import { disableTelegramChat, telegramConfig } from '../notifications/telegram-config';
import type { DeadLetter } from '../domain/stats-messages';
import { enqueueOutboxRows, NotificationMessage } from './notification-messages';
import { handleTelegramUpdate } from '../notifications/telegram-updates';

/**
 * Deliveries a message may get: the first plus wrangler.jsonc's `max_retries` (5) for
 * influtics-notifications. On the last one a transient failure is final: the row is marked
 * `failed` and dead-lettered by us (with the provider's error), not silently by the runtime.
 */
export const NOTIFICATION_MAX_DELIVERIES = 6;
/** How long a consumer holds a row while it sends; a crashed consumer's claim lapses after this. */
export const CLAIM_SECONDS = 60;

type Settle = { action: 'ack' } | { action: 'retry'; delaySeconds: number } | { action: 'dead'; code: string; reason: string };

export interface NotificationsOutcome {
  sent: number;
  retried: number;
  failed: number;
  skipped: number;
}

/** The NOTIFICATIONS consumer: one outbox row per message, claimed, sent, settled. */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env, fetchImpl: typeof fetch = fetch): Promise<NotificationsOutcome> {
  const sql = createSql(env);
  const outcome: NotificationsOutcome = { sent: 0, retried: 0, failed: 0, skipped: 0 };
  const dead: DeadLetter[] = [];
  const settled: { msg: Message<unknown>; settle: Settle }[] = [];
  // One at a time: a batch is ≤ 10 messages, and Telegram's per-chat pacing is checked per claim.
  for (const msg of batch.messages) {
    const parsed = NotificationMessage.safeParse(msg.body);
    const settle: Settle = parsed.success
      ? await handle(env, sql, parsed.data, msg.attempts, fetchImpl, outcome).catch((err: unknown) => {
          // our own failure (database, config): the message comes back; a claim lapses by itself
          console.error(JSON.stringify({ event: 'notification_error', type: parsed.data.type, message: err instanceof Error ? err.message : String(err) }));
          return { action: 'retry', delaySeconds: backoffSeconds(msg.attempts) } as const;
        })
      : { action: 'dead', code: 'invalid_message', reason: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
    if (settle.action === 'dead') {
      dead.push({ kind: 'dead_letter', queue: batch.queue, reason: settle.reason, error_code: settle.code, attempts: msg.attempts, original: msg.body, failed_at: new Date().toISOString() });
    }
    settled.push({ msg, settle });
  }
  // Dead letters first, so a crash before the acks redelivers rather than loses.
  if (dead.length > 0) await env.DEAD_LETTERS.sendBatch(dead.map((body) => ({ body, contentType: 'json' as const })));
  for (const { msg, settle } of settled) {
    if (settle.action === 'retry') msg.retry({ delaySeconds: settle.delaySeconds });
    else msg.ack();
  }
  console.log(JSON.stringify({ event: 'notifications_batch', queue: batch.queue, messages: batch.messages.length, ...outcome }));
  return outcome;
}

async function handle(env: Env, sql: Sql, message: NotificationMessage, attempts: number, fetchImpl: typeof fetch, outcome: NotificationsOutcome): Promise<Settle> {
  if (message.type === 'telegram_update') {
    // the replies it writes are outbox rows like any other: enqueue them for delivery
    await enqueueOutboxRows(env.NOTIFICATIONS, await handleTelegramUpdate(sql, message.update));
    return { action: 'ack' };
  }
  return deliver(env, sql, message.outbox_id, attempts, fetchImpl, outcome);
}

async function deliver(env: Env, sql: Sql, outboxId: string, attempts: number, fetchImpl: typeof fetch, outcome: NotificationsOutcome): Promise<Settle> {
  const claim = await claimOutboxRow(sql, outboxId, CLAIM_SECONDS);
  if (claim.chatBusyUntil) {
    outcome.retried++;
    return { action: 'retry', delaySeconds: Math.max(1, Math.ceil((claim.chatBusyUntil.getTime() - Date.now()) / 1000)) };
  }
  if (!claim.row) return notClaimed(sql, outboxId, outcome);
  const row = claim.row;

  const rendered = await renderOutboxRow(env, sql, row);
  let result: DeliveryResult;
  if (rendered.kind === 'cancel') {
    await markOutboxCancelled(sql, row.id, rendered.reason);
    outcome.skipped++;
    return { action: 'ack' };
  } else if (rendered.kind === 'permanent') {
    result = rendered;
  } else if (rendered.kind === 'email') {
    const cfg = notificationConfig(env);
    result = cfg.LOOPS_API_KEY
      ? await sendTransactionalEmail(
          { baseUrl: cfg.LOOPS_API_BASE_URL, apiKey: cfg.LOOPS_API_KEY },
          // Loops remembers the key for 24 h: a claim that lapsed after a send that did go out answers 409
          { transactionalId: rendered.transactionalId, email: rendered.email, dataVariables: rendered.dataVariables, idempotencyKey: `outbox-${row.id}` },
          attempts, fetchImpl)
      : { kind: 'permanent', code: 'loops_not_configured', error: 'set the LOOPS_API_KEY secret' };
  } else {
    const cfg = telegramConfig(env);
    result = cfg
      ? await sendTelegramMessage(cfg, rendered.chatId, rendered.text, attempts, fetchImpl)
      : { kind: 'permanent', code: 'telegram_not_configured', error: 'set the TELEGRAM_BOT_TOKEN secret' };
  }
  return settleRow(sql, row, result, attempts, outcome);
}

async function settleRow(sql: Sql, row: OutboxRow, result: DeliveryResult, attempts: number, outcome: NotificationsOutcome): Promise<Settle> {
  if (result.kind === 'sent') {
    await markOutboxSent(sql, row.id);
    outcome.sent++;
    return { action: 'ack' };
  }
  if (result.kind === 'retry' && attempts < NOTIFICATION_MAX_DELIVERIES) {
    await releaseOutboxRow(sql, row.id, result.error);
    outcome.retried++;
    return { action: 'retry', delaySeconds: result.delaySeconds };
  }
  const code = result.kind === 'retry' ? 'retries_exhausted' : result.code;
  await markOutboxFailed(sql, row.id, result.error);
  // The user blocked the bot: stop sending to that chat at all, not just this message.
  if (code === TELEGRAM_BLOCKED) await disableTelegramChat(sql, row.recipient);
  outcome.failed++;
  return { action: 'dead', code, reason: `${row.template} via ${row.channel}: ${result.error}` };
}

/** Nothing to claim: say why, and whether the message should come back. */
async function notClaimed(sql: Sql, outboxId: string, outcome: NotificationsOutcome): Promise<Settle> {
  const row = await findOutboxRow(sql, outboxId);
  outcome.skipped++;
  if (!row) return { action: 'ack' }; // the organization (and its outbox) was deleted
  if (row.status === 'sending' && row.claimed_until && row.claimed_until > new Date()) {
    // another delivery holds it: look again when its claim lapses, in case that consumer died
    return { action: 'retry', delaySeconds: Math.max(1, Math.ceil((row.claimed_until.getTime() - Date.now()) / 1000) + 1) };
  }
  // deferred (quiet hours): the relay enqueues it when due; a digest part: it goes out inside its
  // digest (the relay combines it); sent / cancelled / combined: nothing to do
  if (row.status === 'queued' && row.deliver_after > new Date()) await forgetEnqueue(sql, row.id);
  return { action: 'ack' };
}
