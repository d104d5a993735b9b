import { NonRetryableError } from 'cloudflare:workflows';
import type { WorkflowStepConfig } from 'cloudflare:workers';
import { PlatformError } from '../platforms';

/**
 * How patient a workflow step is with a platform, per error class:
 *   transient (per-second 429, 5xx, timeouts, resets, unreadable bodies): 10 attempts, exponential
 *     backoff 5 s, 10 s, 20 s … capped at 5 min (≈ 20 min in all), or exactly the platform's
 *     Retry-After when it sent one (at least 1 s, capped the same way);
 *   permanent (monthly quota, auth, unknown or private account, other 4xx): NonRetryableError at
 *     once, so the run ends with the reason and the platform is not called again.
 * A queue message keeps the single call's policy (PLATFORM_CALL_POLICY); a durable step can wait
 * longer, and the seed's 2 retries ended runs that a few minutes' patience would have finished.
 */
export const TRANSIENT_RETRY_POLICY = { attempts: 10, baseDelayMs: 5_000, maxDelayMs: 5 * 60_000 } as const;

/** The marker a retryable error's message carries when the platform said when to come back. */
const RETRY_AFTER = /\[retry-after=(\d+(?:\.\d+)?)s\]/;

/**
 * Delay before the next attempt, from the step's attempt number (1 after the first failure) and
 * the error the engine hands back. The error has crossed RPC by then (its class is gone), so the
 * Retry-After hint travels in the message (see `classifyForEngine`).
 */
export function transientRetryDelayMs(attempt: number, error: { message?: string } | undefined): number {
  const hinted = RETRY_AFTER.exec(error?.message ?? '')?.[1];
  if (hinted !== undefined) return Math.min(TRANSIENT_RETRY_POLICY.maxDelayMs, Math.max(1_000, Math.ceil(Number(hinted) * 1000)));
  const exponential = TRANSIENT_RETRY_POLICY.baseDelayMs * 2 ** Math.max(0, attempt - 1);
  return Math.min(TRANSIENT_RETRY_POLICY.maxDelayMs, exponential);
}

/**
 * Step config for anything that calls a platform API. The delay function is the Workflows engine's
 * dynamic retry delay (installed workerd types: `WorkflowDelayFunction`; changelog 2026-07-09);
 * `constant` backoff because the function already computes the whole delay.
 */
export const PLATFORM_STEP: WorkflowStepConfig = {
  retries: {
    limit: TRANSIENT_RETRY_POLICY.attempts - 1,
    delay: ({ ctx, error }) => transientRetryDelayMs(ctx.attempt, error),
    backoff: 'constant',
  },
  // A step makes one page or batch call (≤ 15 s) plus its database write.
  timeout: '2 minutes',
};

/** Step config for database-only steps: quick retries for a dropped connection. */
export const DB_STEP: WorkflowStepConfig = {
  retries: { limit: 5, delay: '2 seconds', backoff: 'exponential' },
  timeout: '1 minute',
};

/**
 * Runs a platform call inside a step and hands its failure to the engine in a form it can act on:
 * permanent platform errors become NonRetryableError (the run ends now, with the reason); retryable
 * ones carry the platform's Retry-After in their message for `transientRetryDelayMs`.
 */
export async function classifyForEngine<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof PlatformError) {
      // (the engine recognises NonRetryableError by its name, so keep its own)
      if (!err.retryable) throw new NonRetryableError(`${err.name} (${err.code}): ${err.message}`);
      const after = err.retryAfterSeconds;
      throw new Error(`${err.name} (${err.code}): ${err.message}${after ? ` [retry-after=${after}s]` : ''}`);
    }
    throw err;
  }
}
