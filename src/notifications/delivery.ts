/**
 * What one attempt to hand a notification to its provider came to. Providers (Loops, Telegram)
 * classify their own answers into these; the NOTIFICATIONS consumer turns them into outbox status
 * changes and queue actions. No retry loop lives anywhere here: a retry is the queue's redelivery.
 */
export type DeliveryResult =
  /** the provider accepted it (or had already accepted it: Loops' 409 on a reused idempotency key) */
  | { kind: 'sent'; duplicate?: boolean }
  /** try again later: rate limited (the provider's delay) or a transient provider/network error */
  | { kind: 'retry'; delaySeconds: number; error: string }
  /** never going to work as it is: a 4xx other than 409/429, a blocked bot, a missing template */
  | { kind: 'permanent'; error: string; code: string };

/** Queue delays: the provider's hint when it gave one, else 5 s × 3^(attempt-1), capped at 15 min. */
export function backoffSeconds(attempts: number, hintSeconds?: number | null): number {
  if (hintSeconds && Number.isFinite(hintSeconds) && hintSeconds > 0) return Math.min(Math.ceil(hintSeconds), 43_200);
  return Math.min(5 * 3 ** Math.max(0, attempts - 1), 900);
}

/** Provider errors end up in the outbox and on /ops: keep them short and free of secrets. */
export function providerError(status: number, body: string): string {
  return `HTTP ${status}: ${body.replace(/\s+/g, ' ').slice(0, 300)}`;
}
