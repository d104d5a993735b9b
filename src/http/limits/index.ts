import { z } from '@hono/zod-openapi';
import { asUser } from '../../db/client';
import { effectiveLimits, quotaUsage, usagePeriod } from '../../db/limits';
import { isCountedLimit, LIMIT_KEYS, type LimitKey } from '../../domain/quota';
import { notFound } from '../errors';
import { defineRoute, json, router } from '../openapi/route';

const Limit = z
  .object({
    limit: z.number().int().nullable().openapi({ description: 'null = unlimited' }),
    usage: z.number().int().nullable().openapi({ description: 'null for per-item caps (videos per blogger fetch), which have nothing in use' }),
    remaining: z.number().int().nullable(),
    source: z.enum(['plan', 'override']),
    kind: z.enum(['total', 'per_period', 'per_item']),
  })
  .openapi('Limit');
export type LimitJson = z.infer<typeof Limit>;

export const LimitsResponse = z
  .object({
    organization_id: z.uuid(),
    plan: z.string(),
    override: z.object({ limits: z.array(z.enum(LIMIT_KEYS)), expires_at: z.string().nullable() }).nullable(),
    period: z.object({ start: z.string(), end: z.string() }),
    limits: z.object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, Limit])) as Record<LimitKey, typeof Limit>),
  })
  .openapi('Limits');

const getLimits = defineRoute(
  'tenant',
  {
    method: 'get',
    path: '/',
    tags: ['Limits'],
    summary: 'Effective limits and usage',
    description: "The organization's effective limits (plan + unexpired overrides) and what is in use this period.",
    responses: { 200: json(LimitsResponse, 'Limits, usage and the current period') },
  },
  { errors: ['not_found'] },
);

/** GET /limits: the organization's effective limits (plan + unexpired overrides) and what is in use. */
export const limits = router().openapi(getLimits, async (c) => {
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
  return c.json(
    {
      organization_id: org.id,
      plan: effective.plan,
      override: effective.override_active ? { limits: effective.overridden, expires_at: effective.override_expires_at } : null,
      period: { start: period.start, end: period.end },
      limits: byKey,
    },
    200,
  );
});
