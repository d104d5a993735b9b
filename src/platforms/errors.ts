import type { Platform } from './types';

/**
 * Every platform failure is one of these. `retryable` tells the engine (workflow step retries,
 * queue retry) whether trying again can help; permanent ones end the work and are shown to operators.
 */
export class PlatformError extends Error {
  readonly retryable: boolean = false;
  readonly code: string = 'platform_error';
  constructor(
    readonly platform: Platform,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** RapidAPI per-second 429, YouTube rateLimitExceeded: retry soon. */
export class RateLimitedError extends PlatformError {
  override readonly retryable = true;
  override readonly code = 'rate_limited';
  constructor(platform: Platform, message: string, status: number, readonly retryAfterSeconds?: number) {
    super(platform, message, status);
  }
}

/** RapidAPI MONTHLY quota 429, YouTube quotaExceeded: nothing works until the period ends. */
export class QuotaExhaustedError extends PlatformError {
  override readonly code = 'quota_exhausted';
}

/** Invalid key, not subscribed: a configuration problem. */
export class PlatformAuthError extends PlatformError {
  override readonly code = 'platform_auth';
}

export class AccountNotFoundError extends PlatformError {
  override readonly code = 'account_not_found';
}

export class PrivateAccountError extends PlatformError {
  override readonly code = 'account_private';
}

/** 5xx, timeouts, network errors, bodies we cannot read: worth another try. */
export class TransientPlatformError extends PlatformError {
  override readonly retryable = true;
  override readonly code = 'platform_unavailable';
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof PlatformError) return err.retryable;
  // Anything else thrown during a platform call (a dropped socket) is worth another try.
  return true;
}
