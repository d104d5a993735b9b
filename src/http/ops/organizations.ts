import { z } from '@hono/zod-openapi';
import type { Db } from '../../db/client';
import { effectiveLimits, quotaUsage } from '../../db/limits';
import { isCountedLimit, LIMIT_KEYS, type LimitKey } from '../../domain/quota';
import { recordOpsActions } from '../../db/ops';
import { changePlan, clearLimitOverride, limitOverride, organizationForOps, planNames, setLimitOverride } from '../../db/ops-limits';
import { ApiError, notFound } from '../errors';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Timestamp, Uuid } from '../openapi/schemas';
import { requireActingOperator, requireAdminOperator, type OpsEnv } from './auth';
import { isoInstant, plainText } from './inputs';

/**
 * What an organization may use, for operators (reading: every ops role; changing: admin only):
 *
 *   GET    /ops/api/organizations/:id/limits   plan, override (with expiry), effective limits and usage
 *   PUT    /ops/api/organizations/:id/limits   replace the override: {limits:{key: n|null}, expires_at, note?}
 *   DELETE /ops/api/organizations/:id/limits   remove the override (the plan applies again)
 *   PUT    /ops/api/organizations/:id/plan     change the plan: {plan}
 *
 * Every change is audited in ops_actions with the values before and after. GET /limits reads the
 * same rows on every request, so members see a change at once.
 */

const Id = z.object({ id: z.uuid() });
const limitValue = z.number().int().min(0).max(2_147_483_647).nullable();

export const LimitOverrideBody = z
  .object({
    limits: z.object(Object.fromEntries(LIMIT_KEYS.map((k) => [k, limitValue.optional()])) as Record<LimitKey, z.ZodOptional<typeof limitValue>>).strict(),
    /** when the override ends (the plan applies again); null: until cleared */
    expires_at: isoInstant.nullable(),
    note: plainText(500).nullable().optional(),
  })
  .strict()
    // (object refinements also run when a field's own refinement failed, so they check the types they use)
  .refine((b) => typeof b.limits !== 'object' || Object.values(b.limits).some((v) => v !== null && v !== undefined), { message: 'give at least one limit (to remove the override, DELETE it)', path: ['limits'] })
  .refine((b) => !(b.expires_at instanceof Date) || b.expires_at.getTime() > Date.now(), { message: 'expires_at must be in the future', path: ['expires_at'] });
export type LimitOverrideBody = z.input<typeof LimitOverrideBody>;

export const PlanBody = z.object({ plan: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'a plan name') }).strict();

const T = ['Ops: organizations'];
const LimitsView = z
  .object({
    organization: z.object({ id: Uuid, name: z.string(), plan: z.string() }),
    plans: z.array(z.string()),
    override: z
      .object({ limits: z.record(z.enum(LIMIT_KEYS), z.number().int().nullable()), expires_at: Timestamp.nullable(), note: z.string().nullable(), active: z.boolean(), updated_at: Timestamp })
      .nullable(),
    effective: z.object({
      plan: z.string(),
      limits: z.record(z.enum(LIMIT_KEYS), z.object({ limit: z.number().int().nullable(), source: z.enum(['plan', 'override']), usage: z.number().int().nullable() })),
    }),
  })
  .openapi('OpsOrganizationLimits');
const acting = [requireActingOperator, requireAdminOperator];
const getLimitsRoute = defineRoute('ops', {
  method: 'get', path: '/{id}/limits', tags: T, summary: 'An organization’s plan, override and limits', request: { params: Id }, responses: { 200: json(LimitsView, 'What the organization may use') },
}, { errors: ['not_found'] });
const putLimitsRoute = defineRoute('ops', {
  method: 'put', path: '/{id}/limits', tags: T, summary: 'Replace an organization’s limit override', description: 'Admin only. Limits not given follow the plan; audited.',
  middleware: acting,
  request: { params: Id, body: jsonBody(LimitOverrideBody.openapi({ example: { limits: { max_tracked_videos: 60 }, expires_at: '2027-01-31T00:00:00Z', note: 'trial extension' } })) },
  responses: { 200: json(LimitsView, 'The limits with the new override') },
}, { errors: ['not_found'] });
const deleteLimitsRoute = defineRoute('ops', {
  method: 'delete', path: '/{id}/limits', tags: T, summary: 'Remove an organization’s limit override', description: 'Admin only; the plan applies again.',
  middleware: acting, request: { params: Id }, responses: { 200: json(LimitsView, 'The limits without an override') },
}, { errors: ['not_found'] });
const planRoute = defineRoute('ops', {
  method: 'put', path: '/{id}/plan', tags: T, summary: 'Change an organization’s plan', description: 'Admin only; audited.',
  middleware: acting, request: { params: Id, body: jsonBody(PlanBody.openapi({ example: { plan: 'pro' } })) },
  responses: { 200: json(z.object({ changed: z.boolean(), previous_plan: z.string(), ...LimitsView.shape }), 'The new plan and limits') },
}, { errors: ['not_found', 'unprocessable'] });

async function organizationOr404(db: Db, id: string) {
  const org = await organizationForOps(db, id);
  if (!org) throw notFound('organization');
  return org;
}

/** The plan, the override and the effective limits with usage: what the organization's GET /limits shows. */
async function limitsView(db: Db, organizationId: string) {
  const [org, override, effective, usage, plans] = await Promise.all([
    organizationForOps(db, organizationId),
    limitOverride(db, organizationId),
    effectiveLimits(db, organizationId),
    quotaUsage(db, organizationId),
    planNames(db),
  ]);
  if (!org || !effective) throw notFound('organization');
  const limits = Object.fromEntries(
    LIMIT_KEYS.map((k) => [k, { limit: effective.limits[k], source: effective.overridden.includes(k) ? ('override' as const) : ('plan' as const), usage: isCountedLimit(k) ? usage[k] : null }]),
  ) as Record<LimitKey, { limit: number | null; source: 'plan' | 'override'; usage: number | null }>;
  return { organization: org, plans, override, effective: { plan: effective.plan, limits } };
}

export const opsOrganizations = router<OpsEnv>()
  .openapi(getLimitsRoute, async (c) => c.json(await limitsView(c.get('sql'), c.req.valid('param').id), 200))

  .openapi(putLimitsRoute, async (c) => {
  const { id } = c.req.valid('param');
  const body = c.req.valid('json');
  const sql = c.get('sql');
  await organizationOr404(sql, id);
  const before = await limitOverride(sql, id);
  await setLimitOverride(sql, id, body.limits, body.expires_at, body.note ?? null);
  const view = await limitsView(sql, id);
  await recordOpsActions(sql, [{
    instanceId: null, workflow: null, action: 'limits_override_set', actor: c.get('operator').actor, outcome: 'ok', organizationId: id,
    details: { before: before && { limits: before.limits, expires_at: before.expires_at, note: before.note }, after: { limits: view.override!.limits, expires_at: view.override!.expires_at, note: view.override!.note } },
  }]);
  return c.json(view, 200);
})

  .openapi(deleteLimitsRoute, async (c) => {
  const { id } = c.req.valid('param');
  const sql = c.get('sql');
  await organizationOr404(sql, id);
  const before = await limitOverride(sql, id);
  if (!before || !(await clearLimitOverride(sql, id))) throw new ApiError('not_found', 'this organization has no limit override');
  await recordOpsActions(sql, [{
    instanceId: null, workflow: null, action: 'limits_override_clear', actor: c.get('operator').actor, outcome: 'ok', organizationId: id,
    details: { before: { limits: before.limits, expires_at: before.expires_at, note: before.note } },
  }]);
  return c.json(await limitsView(sql, id), 200);
})

  .openapi(planRoute, async (c) => {
  const { id } = c.req.valid('param');
  const { plan } = c.req.valid('json');
  const sql = c.get('sql');
  await organizationOr404(sql, id);
  const plans = await planNames(sql);
  if (!plans.includes(plan)) throw new ApiError('unprocessable', `no plan '${plan}'`, { plans });
  const changed = await changePlan(sql, id, plan);
  if (!changed) throw notFound('organization');
  await recordOpsActions(sql, [{
    instanceId: null, workflow: null, action: 'plan_change', actor: c.get('operator').actor, outcome: 'ok', organizationId: id,
    details: { from: changed.previous, to: plan },
  }]);
  return c.json({ changed: changed.previous !== plan, previous_plan: changed.previous, ...(await limitsView(sql, id)) }, 200);
});
