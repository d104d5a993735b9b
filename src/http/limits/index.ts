import { Hono } from 'hono';
import { asUser } from '../../db/client';
import { effectiveLimits, quotaUsage, usagePeriod } from '../../db/limits';
import { isCountedLimit, LIMIT_KEYS, type LimitKey } from '../../domain/quota';
import { notFound } from '../errors';
import type { AppEnv } from '../context';

export interface LimitJson {
  /** null = unlimited */
  limit: number | null;
  /** null for per-item caps (videos per blogger fetch), which have nothing in use */
  usage: number | null;
  remaining: number | null;
  source: 'plan' | 'override';
  kind: 'total' | 'per_period' | 'per_item';
}

/** GET /limits: the organization's effective limits (plan + unexpired overrides) and what is in use. */
export const limits = new Hono<AppEnv>().get('/', async (c) => {
  const org = c.get('org');
  const { effective, usage, period } = await asUser(c.get('sql'), c.get('user').claims, async (tx) => {
    const [effective, usage, period] = await Promise.all([effectiveLimits(tx, org.id), quotaUsage(tx, org.id), usagePeriod(tx)]);
    return { effective, usage, period };
  });
  if (!effective) throw notFound('organization');
  const byKey = {} as Record<LimitKey, LimitJson>;
  for (const key of LIMIT_KEYS) {
    const limit = effective.limits[key];
    const used = isCountedLimit(key) ? usage[key] : null;
    byKey[key] = {
      limit,
      usage: used,
      remaining: limit === null || used === null ? null : Math.max(0, limit - used),
      source: effective.overridden.includes(key) ? 'override' : 'plan',
      kind: key === 'videos_per_period' ? 'per_period' : isCountedLimit(key) ? 'total' : 'per_item',
    };
  }
  return c.json({
    organization_id: org.id,
    plan: effective.plan,
    override: effective.override_active ? { limits: effective.overridden, expires_at: effective.override_expires_at } : null,
    period: { start: period.start, end: period.end },
    limits: byKey,
  });
});
