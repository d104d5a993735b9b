import { backlogCounts, listOpsActions, listRuns, recordOpsActions, runsPerHour, workflowStats } from '../../db/ops';
import { workflowsApiTarget } from '../../ops/config';
import { RUN_ACTIONS } from '../../ops/runs';
import { RUN_STATUSES, RUN_TRIGGERS, WORKFLOW_NAMES } from '../../ops/workflows';
import { CRON_WORKFLOWS, startScheduledWorkflow } from '../../scheduled';
import { ApiError, notFound } from '../errors';
import { validate } from '../validate';
import { z } from '@hono/zod-openapi';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Meta, Metrics, OpsAction, RunView } from './responses';
import { nullableRef } from '../openapi/schemas';
import { requireActingOperator, requireOperator, type OpsEnv } from './auth';
import { opsPage } from './page';
import { opsRuns } from './runs';
import { opsDeadLetters } from './dead-letters';
import { opsOrganizations } from './organizations';

import { opsNotifications } from './notifications';
import { ActionsQuery, MetricsQuery, runView, ScheduledRunBody } from './schemas';

/**
 * The ops API (operators only: src/http/ops/auth.ts) and the ops page that uses it.
 *
 *   GET  /ops                                  the page (no data in it; it asks for a token)
 *   GET  /ops/api/meta                         who you are, filter values, where step detail comes from
 *   GET  /ops/api/runs                         registry list: filters, search, cursor pagination
 *   GET  /ops/api/runs/:id                     detail: params, output, error, step timeline, audit
 *   POST /ops/api/runs/:id/:action             pause | resume | terminate | restart ({from:{name}})
 *   POST /ops/api/runs/bulk                    the same over a filter or ids (dry_run, expected_count)
 *   GET  /ops/api/scheduled                    crons and the workflow each starts
 *   POST /ops/api/scheduled/run                start a cron's workflow now ({cron})
 *   GET  /ops/api/metrics?hours=24             throughput, failure rate, p50/p95, backlog, dead letters
 *   GET  /ops/api/actions                      the audit log (instance_id, dead_letter_id, organization_id)
 *   /ops/api/dead-letters/*                    list, detail, replay, resolve, bulk (./dead-letters.ts)
 *   /ops/api/organizations/:id/{limits,plan}   limit overrides and plan, admin only to change (./organizations.ts)
 */
const T = ['Ops'];
const metaRoute = defineRoute('ops', { method: 'get', path: '/meta', tags: T, summary: 'Who you are and the filter values', responses: { 200: json(Meta, 'The operator, workflows, statuses, triggers, actions, where step detail comes from') } });
const scheduledRoute = defineRoute('ops', {
  method: 'get', path: '/scheduled', tags: T, summary: 'The crons and the workflow each starts',
  responses: { 200: json(z.object({ data: z.array(z.object({ cron: z.string(), workflow: z.string().nullable(), description: z.string(), available: z.boolean() })) }), 'The crons') },
});
const RunStarted = z.object({ instance_id: z.string(), workflow: z.string(), created: z.boolean(), run: nullableRef(RunView) });
const scheduledRunRoute = defineRoute('ops', {
  method: 'post', path: '/scheduled/run', tags: T, summary: 'Start a cron’s workflow now', description: 'Operators and admins; the same instance id as the cron would use, so a second start finds the first (200).',
  middleware: [requireActingOperator], request: { body: jsonBody(ScheduledRunBody.openapi({ example: { cron: '0 0 * * *' } })) },
  responses: { 201: json(RunStarted, 'Started'), 200: json(RunStarted, 'Already started') },
}, { errors: ['not_found', 'unprocessable'] });
const metricsRoute = defineRoute('ops', {
  method: 'get', path: '/metrics', tags: T, summary: 'Throughput, failure rate, p50/p95, backlog, dead letters', request: { query: MetricsQuery }, responses: { 200: json(Metrics, 'The last `hours`') },
});
const actionsRoute = defineRoute('ops', {
  method: 'get', path: '/actions', tags: T, summary: 'The ops audit log', request: { query: ActionsQuery },
  responses: { 200: json(z.object({ data: z.array(OpsAction), next_cursor: z.string().nullable() }), 'A page of actions, newest first') },
});

const api = router<OpsEnv>();
api.use('*', requireOperator);

api.openapi(metaRoute, (c) => {
  const target = workflowsApiTarget(c.env, c.req.url);
  return c.json({
    operator: c.get('operator'),
    workflows: WORKFLOW_NAMES,
    statuses: [...RUN_STATUSES],
    triggers: [...RUN_TRIGGERS],
    actions: [...RUN_ACTIONS],
    step_detail: target.available ? { available: true as const, source: target.source } : { available: false as const, reason: target.reason },
  }, 200);
});

api.route('/runs', opsRuns);
api.route('/dead-letters', opsDeadLetters);
api.route('/organizations', opsOrganizations);

api.route('/notifications', opsNotifications);

api.openapi(scheduledRoute, (c) =>
  c.json({ data: Object.entries(CRON_WORKFLOWS).map(([cron, job]) => ({ cron, workflow: job.workflow, description: job.description, available: job.workflow !== null })) }, 200),
);

api.openapi(scheduledRunRoute, async (c) => {
  const { cron } = c.req.valid('json');
  const job = CRON_WORKFLOWS[cron];
  if (!job) throw notFound('cron');
  if (!job.workflow) throw new ApiError('unprocessable', `'${cron}' (${job.description}) starts no workflow yet`);
  const actor = c.get('operator').actor;
  const started = await startScheduledWorkflow(c.env, cron, Date.now(), 'ops', actor);
  if (!started) throw new ApiError('unprocessable', `'${cron}' starts no workflow`);
  await recordOpsActions(c.get('sql'), [
    { instanceId: started.instanceId, workflow: job.workflow, action: 'start_scheduled', actor, outcome: 'ok', details: { cron, created: started.created } },
  ]);
  const [run] = await listRuns(c.get('sql'), { q: started.instanceId }, 1);
  return c.json({ instance_id: started.instanceId, workflow: job.workflow, created: started.created, run: run ? runView(run) : null }, started.created ? 201 : 200);
});

api.openapi(metricsRoute, async (c) => {
  const { hours } = c.req.valid('query');
  const sql = c.get('sql');
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3_600_000);
  const [hourly, byWorkflow, backlog, recentFailures] = await Promise.all([
    runsPerHour(sql, from, to),
    workflowStats(sql, from, to),
    backlogCounts(sql, from),
    listRuns(sql, { statuses: ['errored'], from, to }, 5),
  ]);
  const finished = byWorkflow.reduce((s, w) => s + w.finished, 0);
  const errored = byWorkflow.reduce((s, w) => s + w.errored, 0);
  return c.json({
    from,
    to,
    hours,
    hourly,
    by_workflow: byWorkflow,
    totals: {
      runs: byWorkflow.reduce((s, w) => s + w.total, 0),
      in_flight: byWorkflow.reduce((s, w) => s + w.in_flight, 0),
      finished,
      errored,
      failure_rate: finished > 0 ? errored / finished : null,
    },
    backlog,
    recent_failures: recentFailures.slice(0, 5).map(runView),
  }, 200);
});

api.openapi(actionsRoute, async (c) => {
  const q = c.req.valid('query');
  const rows = await listOpsActions(c.get('sql'), { instanceId: q.instance_id, deadLetterId: q.dead_letter_id, organizationId: q.organization_id, limit: q.limit, beforeId: q.cursor });
  const data = rows.slice(0, q.limit);
  return c.json({ data, next_cursor: rows.length > q.limit ? (data.at(-1)?.id ?? null) : null }, 200);
});

export const ops = router<OpsEnv>();
ops.route('/api', api);
ops.route('/', opsPage);
