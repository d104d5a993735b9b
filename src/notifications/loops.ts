import { z } from 'zod';
import { backoffSeconds, providerError, type DeliveryResult } from './delivery';

/**
 * Loops transactional email (`POST {base}/api/v1/transactional`, bearer API key). Loops keeps an
 * `Idempotency-Key` (≤ 100 chars) for 24 h and answers 409 when it sees one again: that means the
 * email already went out, so it counts as sent. 429 and 5xx are retried (Retry-After when given),
 * every other 4xx is permanent (bad template id, bad data variables, unknown transactional id).
 */
export interface LoopsConfig {
  baseUrl: string;
  apiKey: string;
}

export interface TransactionalEmail {
  transactionalId: string;
  email: string;
  dataVariables: Record<string, string | number>;
  /** ≤ 100 characters */
  idempotencyKey: string;
}

const LoopsAnswer = z.object({ success: z.boolean(), message: z.string().optional() }).loose();

export async function sendTransactionalEmail(cfg: LoopsConfig, mail: TransactionalEmail, attempts: number, fetchImpl: typeof fetch = fetch): Promise<DeliveryResult> {
  if (mail.idempotencyKey.length > 100) throw new Error('Loops idempotency keys are at most 100 characters');
  let res: Response;
  try {
    res = await fetchImpl(`${cfg.baseUrl.replace(/\/$/, '')}/api/v1/transactional`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cfg.apiKey}`, 'content-type': 'application/json', 'idempotency-key': mail.idempotencyKey },
      body: JSON.stringify({ transactionalId: mail.transactionalId, email: mail.email, dataVariables: mail.dataVariables }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    return { kind: 'retry', delaySeconds: backoffSeconds(attempts), error: `network: ${err instanceof Error ? err.message : String(err)}` };
  }
  const text = await res.text();
  if (res.status === 409) return { kind: 'sent', duplicate: true };
  if (res.status === 429 || res.status >= 500) {
    const hint = Number(res.headers.get('retry-after'));
    return { kind: 'retry', delaySeconds: backoffSeconds(attempts, Number.isFinite(hint) ? hint : null), error: providerError(res.status, text) };
  }
  if (!res.ok) return { kind: 'permanent', code: `loops_${res.status}`, error: providerError(res.status, text) };
  const parsed = LoopsAnswer.safeParse(safeJson(text));
  if (!parsed.success || !parsed.data.success) return { kind: 'permanent', code: 'loops_rejected', error: providerError(res.status, text) };
  return { kind: 'sent' };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
