import { z } from '@hono/zod-openapi';
import { deleteAlertRule, findAlertRule, insertAlertRule, listAlertRules, updateAlertRule, type AlertRuleRow } from '../../db/alert-rules';
import { ApiError, notFound } from '../errors';
import { assertCan } from '../permissions';
import { asCaller } from '../caller';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { List, Timestamp, Uuid } from '../openapi/schemas';

/**
 * Organization alert rules: every member reads them, owners and admins write them
 * (`notifications.write`; RLS checks the same role). Another organization's rule is 404.
 *   GET /alerts/rules, POST /alerts/rules {type, params, enabled?}, PATCH /alerts/rules/:id {params?, enabled?},
 *   DELETE /alerts/rules/:id
 */
export const RULE_PARAMS = {
  views_threshold: z.strictObject({ views: z.number().int().min(1).max(1e12) }),
  viral: z.strictObject({
    /** 24 h growth must exceed k × the creator's median daily growth over the last 30 days */
    k: z.number().min(1).max(100).default(3),
    /** one alert per video per this many hours */
    cooldown_hours: z.number().int().min(1).max(24 * 30).default(24),
    /** below this 24 h growth nothing is viral (a creator with a median of 3 views a day) */
    min_views_24h: z.number().int().min(0).max(1e12).default(1000),
  }),
  video_unavailable: z.strictObject({}),
  limit_usage: z.strictObject({ percent: z.union([z.literal(80), z.literal(100)]) }),
} as const;

export const CreateRuleBody = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('views_threshold'), params: RULE_PARAMS.views_threshold, enabled: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('viral'), params: RULE_PARAMS.viral.default({ k: 3, cooldown_hours: 24, min_views_24h: 1000 }), enabled: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('video_unavailable'), params: RULE_PARAMS.video_unavailable.default({}), enabled: z.boolean().default(true) }),
  z.strictObject({ type: z.literal('limit_usage'), params: RULE_PARAMS.limit_usage, enabled: z.boolean().default(true) }),
]);
export type CreateRuleBody = z.input<typeof CreateRuleBody>;

const PatchRuleBody = z.strictObject({ params: z.record(z.string().max(50), z.unknown()).optional(), enabled: z.boolean().optional() })
  .refine((b) => b.params !== undefined || b.enabled !== undefined, 'send params and/or enabled');
const IdParam = z.object({ id: z.uuid() });

const ruleJson = (r: AlertRuleRow) => ({ id: r.id, type: r.type, params: r.params, enabled: r.enabled, created_by: r.created_by, created_at: r.created_at, updated_at: r.updated_at });

const T = ['Alert rules'];
const Rule = z
  .object({ id: Uuid, type: z.string(), params: z.record(z.string(), z.unknown()), enabled: z.boolean(), created_by: Uuid.nullable(), created_at: Timestamp, updated_at: Timestamp })
  .openapi('AlertRule');
const listRoute = defineRoute('tenant', { method: 'get', path: '/', tags: T, summary: 'Alert rules', responses: { 200: json(List(Rule), 'The organization’s rules') } });
const createRuleRoute = defineRoute('tenant', {
  method: 'post', path: '/', tags: T, summary: 'Create an alert rule', description: 'Owners and admins. views_threshold, viral, video_unavailable or limit_usage, each with its params.',
  request: { body: jsonBody(CreateRuleBody.openapi({ example: { type: 'views_threshold', params: { views: 100000 } } })) },
  responses: { 201: json(Rule, 'The new rule') },
}, { errors: ['forbidden', 'conflict'] });
const patchRoute = defineRoute('tenant', {
  method: 'patch', path: '/{id}', tags: T, summary: 'Change an alert rule', description: 'Its params (checked against its type) and/or enabled.',
  request: { params: IdParam, body: jsonBody(PatchRuleBody.openapi({ example: { enabled: false } })) }, responses: { 200: json(Rule, 'The rule as changed') },
}, { errors: ['forbidden', 'not_found'] });
const deleteRoute = defineRoute('tenant', {
  method: 'delete', path: '/{id}', tags: T, summary: 'Delete an alert rule',
  request: { params: IdParam }, responses: { 200: json(z.object({ deleted: z.literal(true), id: Uuid }), 'Deleted') },
}, { errors: ['forbidden', 'not_found'] });

export const alertRules = router()
  .openapi(listRoute, async (c) => {
    const rows = await asCaller(c, (tx) => listAlertRules(tx, c.get('org').id));
    return c.json({ data: rows.map(ruleJson) }, 200);
  })
  .openapi(createRuleRoute, async (c) => {
    const org = c.get('org');
    assertCan(org.role, 'notifications.write');
    const body = c.req.valid('json');
    const row = await asCaller(c, (tx) => insertAlertRule(tx, { organizationId: org.id, type: body.type, params: body.params, enabled: body.enabled, createdBy: c.get('user').id }));
    return c.json(ruleJson(row), 201);
  })
  .openapi(patchRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const row = await asCaller(c, async (tx) => {
      const rule = await findAlertRule(tx, org.id, id);
      if (!rule) throw notFound('alert rule');
      assertCan(org.role, 'notifications.write');
      let params: Record<string, unknown> | undefined;
      if (body.params !== undefined) {
        // a rule keeps its type: its params are checked against that type's schema
        const parsed = RULE_PARAMS[rule.type as keyof typeof RULE_PARAMS].safeParse(body.params);
        if (!parsed.success) {
          throw new ApiError('validation_failed', 'invalid request body', { issues: parsed.error.issues.map((i) => ({ path: ['params', ...i.path].join('.'), message: i.message, code: i.code })) });
        }
        params = parsed.data;
      }
      return updateAlertRule(tx, org.id, id, { params, enabled: body.enabled });
    });
    if (!row) throw notFound('alert rule');
    return c.json(ruleJson(row), 200);
  })
  .openapi(deleteRoute, async (c) => {
    const org = c.get('org');
    const { id } = c.req.valid('param');
    await asCaller(c, async (tx) => {
      if (!(await findAlertRule(tx, org.id, id))) throw notFound('alert rule');
      assertCan(org.role, 'notifications.write');
      await deleteAlertRule(tx, org.id, id);
    });
    return c.json({ deleted: true as const, id }, 200);
  });
