import { NonRetryableError } from 'cloudflare:workflows';
import type { WorkflowStepConfig } from 'cloudflare:workers';
import { PLATFORM_CALL_POLICY, PlatformError, RateLimitedError, retryDelayMs } from '../platforms';

/**
 * Step config for anything that calls a platform API: the call policy (2 retries, 1.5 s base
 * delay, ×4 backoff) expressed as the engine's retry config, honouring a rate limit's hint.
 */
export const PLATFORM_STEP: WorkflowStepConfig = {
  retries: {
    limit: PLATFORM_CALL_POLICY.retries,
    delay: ({ ctx, error }) =>
      error instanceof RateLimitedError && error.retryAfterSeconds ? error.retryAfterSeconds * 1000 : retryDelayMs(Math.max(0, ctx.attempt - 1)),
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

/** Permanent platform errors (monthly quota, auth, unknown or private account) end the instance now. */
export async function permanentAsNonRetryable<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    // (the engine recognises the error by its name, so keep NonRetryableError's own)
    if (err instanceof PlatformError && !err.retryable) throw new NonRetryableError(`${err.name} (${err.code}): ${err.message}`);
    throw err;
  }
}
