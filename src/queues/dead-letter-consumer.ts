import { createSql } from '../db/client';
import { recordDeadLetters } from '../db/dead-letters';
import { DeadLetter } from '../domain/stats-messages';

/**
 * Records every dead letter where operators can see it. Two kinds arrive: our own `DeadLetter`
 * envelopes (permanent errors, with the reason) and raw messages the runtime moved here after
 * max_retries (the reason is then only "retries exhausted").
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const rows = batch.messages.map((msg) => {
    const ours = DeadLetter.safeParse(msg.body);
    const body = ours.success ? ours.data.original : msg.body;
    return {
      messageId: msg.id,
      sourceQueue: ours.success ? ours.data.queue : 'unknown (retries exhausted)',
      errorCode: ours.success ? ours.data.error_code : 'retries_exhausted',
      reason: ours.success ? ours.data.reason : 'the message failed on every delivery attempt',
      attempts: ours.success ? ours.data.attempts : msg.attempts,
      organizationId: organizationOf(body),
      body,
    };
  });
  await recordDeadLetters(createSql(env), rows);
  batch.ackAll();
}

function organizationOf(body: unknown): string | null {
  const b = body as { video?: { organization_id?: unknown }; videos?: { organizationId?: unknown }[]; organization_id?: unknown } | null;
  const id = b?.video?.organization_id ?? b?.videos?.[0]?.organizationId ?? b?.organization_id;
  return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}
