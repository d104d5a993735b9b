import type { z } from 'zod';
import { PlatformAuthError, PlatformError, QuotaExhaustedError, RateLimitedError, TransientPlatformError } from './errors';
import type { Platform } from './types';

/**
 * The platform call policy, in ONE place. Calls here are made once: retrying is the engine's job —
 * workflow steps use it as their retry config (src/steps/platform-step.ts), the queue consumer as
 * its `message.retry({ delaySeconds })` backoff — so there is no retry loop in the adapters.
 */
export const PLATFORM_CALL_POLICY = { timeoutMs: 15_000, retries: 2, baseDelayMs: 1_500, backoffFactor: 4 } as const;

/** Delay before retry number `attempt` (0-based): 1.5 s, 6 s, 24 s, … */
export function retryDelayMs(attempt: number): number {
  return PLATFORM_CALL_POLICY.baseDelayMs * PLATFORM_CALL_POLICY.backoffFactor ** attempt;
}

export interface GetOptions<T extends z.ZodType> {
  platform: Platform;
  headers?: Record<string, string>;
  schema: T;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

const RAPIDAPI_MONTHLY = /monthly quota/i;

/** One GET with a timeout; the answer parsed with zod; every failure mapped to a PlatformError. */
export async function platformGet<T extends z.ZodType>(url: string, opts: GetOptions<T>): Promise<z.infer<T>> {
  const { platform } = opts;
  let res: Response;
  try {
    res = await (opts.fetchImpl ?? fetch)(url, { headers: opts.headers, signal: AbortSignal.timeout(opts.timeoutMs ?? PLATFORM_CALL_POLICY.timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new TransientPlatformError(platform, timedOut ? `${platform} did not answer within ${opts.timeoutMs ?? PLATFORM_CALL_POLICY.timeoutMs} ms` : `${platform} could not be reached: ${err instanceof Error ? err.message : String(err)}`);
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  if (!res.ok) throw classifyHttpError(platform, res, body);
  const parsed = opts.schema.safeParse(body);
  if (!parsed.success) {
    throw new TransientPlatformError(platform, `unexpected ${platform} response shape: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, res.status);
  }
  return parsed.data;
}

function messageOf(body: unknown): string {
  if (body && typeof body === 'object') {
    const b = body as { message?: unknown; error?: { message?: unknown }; detail?: unknown; msg?: unknown };
    const m = b.message ?? b.error?.message ?? b.detail ?? b.msg;
    if (typeof m === 'string') return m;
  }
  return typeof body === 'string' ? body.slice(0, 200) : 'no message';
}

function youtubeReason(body: unknown): string | undefined {
  return (body as { error?: { errors?: { reason?: string }[] } } | null)?.error?.errors?.[0]?.reason;
}

export function classifyHttpError(platform: Platform, res: Response, body: unknown): PlatformError {
  const message = messageOf(body);
  const reason = youtubeReason(body);
  if (res.status === 429) {
    if (RAPIDAPI_MONTHLY.test(message)) return new QuotaExhaustedError(platform, message, 429);
    const retryAfter = Number(res.headers.get('retry-after'));
    return new RateLimitedError(platform, message, 429, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
  }
  if (reason === 'quotaExceeded' || reason === 'dailyLimitExceeded') return new QuotaExhaustedError(platform, message, res.status);
  if (reason === 'rateLimitExceeded' || reason === 'userRateLimitExceeded') return new RateLimitedError(platform, message, res.status);
  if (res.status === 401 || res.status === 403) return new PlatformAuthError(platform, message, res.status);
  if (res.status >= 500 || res.status === 408) return new TransientPlatformError(platform, `${platform} answered ${res.status}: ${message}`, res.status);
  return new PlatformError(platform, `${platform} answered ${res.status}: ${message}`, res.status);
}

/** Runs `fn` over items with at most `limit` in flight (Workers allow 6 simultaneous connections). */
export async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
