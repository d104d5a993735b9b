import type { z } from 'zod';
import { PlatformAuthError, PlatformError, QuotaExhaustedError, RateLimitedError, TransientPlatformError } from './errors';
import type { Platform } from './types';

/**
 * The platform call policy, in ONE place: each call gets `timeoutMs`; a failed call is tried again
 * `retries` times, `baseDelayMs` × `backoffFactor`^n apart (1.5 s, 6 s, 24 s, …).
 *
 * There is deliberately NO retry loop in this module or in the adapters: the project rule is
 * "retries belong to the engine". Every adapter call makes each HTTP request exactly once and
 * throws a classified PlatformError; the caller runs it
 *   - in a Workflow step: `step.do(name, { retries: { limit: PLATFORM_CALL_POLICY.retries,
 *     delay: retryDelayMs(...) , backoff }, timeout }, ...)` (see src/steps/platform-step.ts),
 *     turning `!isRetryable(err)` into a NonRetryableError, or
 *   - in a queue consumer: `message.retry({ delaySeconds })` with the same delays (or a rate
 *     limit's `retryAfterSeconds`) when `isRetryable(err)`, a dead letter otherwise.
 */
export const PLATFORM_CALL_POLICY = { timeoutMs: 15_000, retries: 2, baseDelayMs: 1_500, backoffFactor: 4 } as const;

/** Delay before retry number `attempt` (0-based): 1.5 s, 6 s, 24 s, … */
export function retryDelayMs(attempt: number): number {
  return PLATFORM_CALL_POLICY.baseDelayMs * PLATFORM_CALL_POLICY.backoffFactor ** Math.max(0, attempt);
}

export interface GetOptions<T extends z.ZodType> {
  platform: Platform;
  headers?: Record<string, string>;
  schema: T;
  fetchImpl?: typeof fetch;
  /** defaults to PLATFORM_CALL_POLICY.timeoutMs; tests pass a small one */
  timeoutMs?: number;
}

/**
 * One GET with a timeout; the answer parsed with zod; every failure mapped to a PlatformError.
 * The timeout covers the whole exchange, body included.
 */
export async function platformGet<T extends z.ZodType>(url: string, opts: GetOptions<T>): Promise<z.infer<T>> {
  const { platform } = opts;
  const timeoutMs = opts.timeoutMs ?? PLATFORM_CALL_POLICY.timeoutMs;
  const doFetch = opts.fetchImpl ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  let res: Response;
  let text: string;
  try {
    res = await doFetch(url, { method: 'GET', headers: opts.headers, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    throw networkError(platform, err, timeoutMs);
  }
  let body: unknown;
  let isJson = true;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
    isJson = false;
  }
  if (!res.ok) throw classifyHttpError(platform, res, body);
  if (!isJson) {
    throw new TransientPlatformError(platform, `${platform} answered ${res.status} with a body that is not JSON: ${text.slice(0, 120)}`, { status: res.status, details: text.slice(0, 500) });
  }
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new TransientPlatformError(
      platform,
      `unexpected ${platform} response shape: ${issues.slice(0, 3).map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      { status: res.status, details: issues },
    );
  }
  return parsed.data;
}

function networkError(platform: Platform, err: unknown, timeoutMs: number): TransientPlatformError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new TransientPlatformError(platform, `${platform} did not answer within ${timeoutMs} ms`, { details: { timeoutMs } });
  }
  return new TransientPlatformError(platform, `${platform} could not be reached: ${err instanceof Error ? err.message : String(err)}`);
}

/** The human message of an error body, whichever provider shape it has. */
export function messageOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; messages?: unknown; error?: unknown; detail?: unknown; msg?: unknown };
    const nested = b.error && typeof b.error === 'object' ? (b.error as { message?: unknown }).message : b.error;
    for (const m of [b.message, nested, b.detail, b.msg, b.messages]) if (typeof m === 'string' && m) return m;
  }
  return typeof body === 'string' && body ? body.slice(0, 200) : 'no message';
}

/** YouTube (Google API) error reason: `error.errors[0].reason`. */
function googleReason(body: unknown): string | undefined {
  const errors = (body as { error?: { errors?: unknown } } | null)?.error?.errors;
  if (!Array.isArray(errors)) return undefined;
  const reason = (errors[0] as { reason?: unknown } | undefined)?.reason;
  return typeof reason === 'string' ? reason : undefined;
}

/** Seconds from a `retry-after` header: delta-seconds or an HTTP date. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) {
    const s = Number(raw);
    return s > 0 ? s : undefined;
  }
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return undefined;
  const s = Math.ceil((at - now) / 1000);
  return s > 0 ? s : undefined;
}

const QUOTA_TEXT = /\bquota\b/i; // RapidAPI: "You have exceeded the MONTHLY quota for Requests on your current plan…"
const GOOGLE_QUOTA = new Set(['quotaExceeded', 'dailyLimitExceeded', 'dailyLimitExceededUnreg']);
const GOOGLE_RATE = new Set(['rateLimitExceeded', 'userRateLimitExceeded']);
const GOOGLE_AUTH = new Set(['keyInvalid', 'keyExpired', 'accessNotConfigured', 'forbidden', 'ipRefererBlocked', 'unregistered']);

/** Maps an HTTP error answer (status + body) onto the error hierarchy. */
export function classifyHttpError(platform: Platform, res: Response, body: unknown): PlatformError {
  const message = messageOf(body);
  const reason = googleReason(body);
  const opts = { status: res.status, details: body };
  if (res.status === 429) {
    if (QUOTA_TEXT.test(message) || (reason && GOOGLE_QUOTA.has(reason))) return new QuotaExhaustedError(platform, message, opts);
    return new RateLimitedError(platform, message, 429, retryAfterSeconds(res.headers));
  }
  if (reason && GOOGLE_QUOTA.has(reason)) return new QuotaExhaustedError(platform, message, opts);
  if (reason && GOOGLE_RATE.has(reason)) return new RateLimitedError(platform, message, res.status, retryAfterSeconds(res.headers));
  if (res.status === 401 || res.status === 403 || (reason && GOOGLE_AUTH.has(reason))) return new PlatformAuthError(platform, message, opts);
  if (res.status >= 500 || res.status === 408) {
    return new TransientPlatformError(platform, `${platform} answered ${res.status}: ${message}`, { ...opts, retryAfterSeconds: retryAfterSeconds(res.headers) });
  }
  return new PlatformError(platform, `${platform} answered ${res.status}: ${message}`, opts);
}

/**
 * Runs `fn` over items with at most `limit` calls in flight (Workers allow 6 simultaneous
 * outgoing connections per request). After the first failure no new call is started; the ones in
 * flight are awaited and the first error is thrown.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  let firstError: unknown;
  const worker = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        if (!failed) firstError = err;
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(limit, items.length)) }, worker));
  if (failed) throw firstError;
  return results;
}

/** Simultaneous outgoing connections a Worker invocation may hold. */
export const MAX_CONCURRENT_CALLS = 6;
