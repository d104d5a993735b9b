import { z } from 'zod';
import { backoffSeconds, providerError, type DeliveryResult } from './delivery';

/**
 * Telegram Bot API `sendMessage` (`{base}/bot<token>/sendMessage`). Answers are
 * `{ok:true,result}` or `{ok:false,error_code,description,parameters?}`: 429 carries
 * `parameters.retry_after` (seconds), 403 "Forbidden: bot was blocked by the user" means the user
 * left — the link is disabled and nothing is retried. Telegram has no idempotency key; the outbox
 * claim is what keeps a message from going out twice.
 */
export interface TelegramConfig {
  baseUrl: string;
  botToken: string;
}

const TelegramAnswer = z.object({
  ok: z.boolean(),
  error_code: z.number().int().optional(),
  description: z.string().optional(),
  parameters: z.object({ retry_after: z.number().optional() }).loose().optional(),
}).loose();

export const TELEGRAM_BLOCKED = 'telegram_blocked';

export async function sendTelegramMessage(cfg: TelegramConfig, chatId: string, text: string, attempts: number, fetchImpl: typeof fetch = fetch): Promise<DeliveryResult> {
  let res: Response;
  try {
    res = await fetchImpl(`${cfg.baseUrl.replace(/\/$/, '')}/bot${cfg.botToken}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text, disable_web_page_preview: true }),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (err) {
    return { kind: 'retry', delaySeconds: backoffSeconds(attempts), error: `network: ${err instanceof Error ? err.message : String(err)}` };
  }
  const text_ = await res.text();
  let body: z.infer<typeof TelegramAnswer> | null = null;
  try {
    const parsed = TelegramAnswer.safeParse(JSON.parse(text_));
    if (parsed.success) body = parsed.data;
  } catch {
    /* not JSON: classified by status below */
  }
  if (res.ok && body?.ok) return { kind: 'sent' };
  const error = providerError(res.status, body?.description ?? text_);
  if (res.status === 429) return { kind: 'retry', delaySeconds: backoffSeconds(attempts, body?.parameters?.retry_after ?? Number(res.headers.get('retry-after'))), error };
  if (res.status >= 500) return { kind: 'retry', delaySeconds: backoffSeconds(attempts), error };
  if (res.status === 403) return { kind: 'permanent', code: TELEGRAM_BLOCKED, error };
  return { kind: 'permanent', code: `telegram_${res.status}`, error };
}
