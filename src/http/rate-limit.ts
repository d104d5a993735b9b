import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors';
import type { AppEnv } from './context';

/**
 * Per-user and per-organization API rate limits (Cloudflare's Rate Limiting binding; the budgets
 * are in wrangler.jsonc: 600 requests a minute per user, 3,000 per organization). Mounted by the
 * groups in src/http/mount.ts right after the guard that identifies the caller, so every user and
 * tenant route is limited and public ones (health, docs, webhooks, share links) are not.
 *
 * The binding answers only "over or not" for its fixed 60 s window, so `Retry-After` is that
 * window: a client that waits it out finds a fresh budget. Counters are per edge location and
 * eventually consistent: a guard against runaway clients, not an exact quota (plan limits are).
 */
const WINDOW_SECONDS = 60;

function limited(scope: 'user' | 'organization'): ApiError {
  return new ApiError('rate_limited', `too many requests for this ${scope}: retry after ${WINDOW_SECONDS} seconds`, {
    scope,
    retry_after_seconds: WINDOW_SECONDS,
  });
}

/** After requireUser: one request of the caller's per-user budget. */
export const limitPerUser: MiddlewareHandler<AppEnv> = async (c, next) => {
  // guards may run twice for one request (a path under two mounts): count it once
  if (c.get('userRateCounted')) return next();
  c.set('userRateCounted', true);
  const { success } = await c.env.USER_RATE_LIMITER.limit({ key: `user:${c.get('user').id}` });
  if (!success) throw limited('user');
  await next();
};

/** After requireOrganization: one request of the organization's budget, shared by its members. */
export const limitPerOrganization: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.get('orgRateCounted')) return next();
  c.set('orgRateCounted', true);
  const { success } = await c.env.ORG_RATE_LIMITER.limit({ key: `org:${c.get('org').id}` });
  if (!success) throw limited('organization');
  await next();
};
