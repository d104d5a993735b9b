import type { Platform } from './types';

export interface PlatformErrorOptions {
  /** HTTP status of the answer, when there was one */
  status?: number;
  /** what the platform said, or the validation issues of a body we could not read */
  details?: unknown;
  /** from a `retry-after` header: when the platform said to come back (429s, some 503s) */
  retryAfterSeconds?: number;
}

/**
 * Every platform failure is one of these. `retryable` tells the engine (a workflow step's retry
 * config, a queue message's `retry({ delaySeconds })`) whether trying again can help; permanent
 * ones end the work (NonRetryableError / dead letter) and are shown to operators by `code`.
 *
 *   RateLimitedError        per-second 429                         retryable (honour retryAfterSeconds)
 *   TransientPlatformError  5xx, timeout, network, unreadable body retryable
 *   QuotaExhaustedError     RapidAPI monthly 429, YouTube quota    permanent until the period ends
 *   PlatformAuthError       invalid key, not subscribed            permanent (configuration)
 *   AccountNotFoundError    unknown handle / channel               permanent
 *   PrivateAccountError     private account                        permanent
 *   PlatformError           any other 4xx                          permanent
 */
export class PlatformError extends Error {
  readonly retryable: boolean = false;
  readonly code: string = 'platform_error';
  readonly status?: number;
  readonly details?: unknown;
  /** the platform's Retry-After, when it sent one: the retry waits exactly that (workflow steps, queue retries) */
  readonly retryAfterSeconds?: number;

  constructor(
    readonly platform: Platform,
    message: string,
    statusOrOptions?: number | PlatformErrorOptions,
  ) {
    super(message);
    this.name = new.target.name;
    const opts = typeof statusOrOptions === 'number' ? { status: statusOrOptions } : (statusOrOptions ?? {});
    this.status = opts.status;
    this.details = opts.details;
    this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

/** RapidAPI per-second 429, YouTube rateLimitExceeded: try again soon. */
export class RateLimitedError extends PlatformError {
  override readonly retryable = true;
  override readonly code = 'rate_limited';
  constructor(platform: Platform, message: string, status: number, retryAfterSeconds?: number) {
    super(platform, message, { status, retryAfterSeconds });
  }
}

/** RapidAPI MONTHLY quota 429 (only the message text tells it from the per-second one), YouTube quotaExceeded. */
export class QuotaExhaustedError extends PlatformError {
  override readonly code = 'quota_exhausted';
}

/** Invalid key, not subscribed to the API: a configuration problem no retry fixes. */
export class PlatformAuthError extends PlatformError {
  override readonly code = 'platform_auth';
}

/** The handle, channel or profile does not exist. */
export class AccountNotFoundError extends PlatformError {
  override readonly code = 'account_not_found';
}

/** The account exists but its videos cannot be read. */
export class PrivateAccountError extends PlatformError {
  override readonly code = 'account_private';
}

/** 5xx, timeouts, network errors, bodies we cannot read: worth another try. */
export class TransientPlatformError extends PlatformError {
  override readonly retryable = true;
  override readonly code = 'platform_unavailable';
}

/**
 * Whether the engine should try again. Platform errors say so themselves; anything else thrown
 * during a platform call (a dropped socket surfacing as a TypeError) is treated as transient — the
 * engine's retry limit still bounds it.
 */
export function isRetryable(err: unknown): boolean {
  if (err instanceof PlatformError) return err.retryable;
  return true;
}
