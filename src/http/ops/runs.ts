import { z } from '@hono/zod-openapi';
import { getRun, listOpsActions, listRuns, runsByIds, selectRuns } from '../../db/ops';
import { workflowsApiTarget } from '../../ops/config';
import { applyAction, reconcile, type ActionResult, type Live } from '../../ops/runs';
import { toTimeline, workflowsApi, WorkflowsApiError, type TimelineStep } from '../../ops/workflows-api';
import { isWorkflowName, WORKFLOW_API_NAMES } from '../../ops/workflows';
import { ApiError, notFound, validationError } from '../errors';
import { validate } from '../validate';
import { defineRoute, json, jsonBody, router } from '../openapi/route';
import { Live as LiveView, OpsAction, RunActionResult, RunView } from './responses';
import { requireActingOperator, type OpsEnv } from './auth';
import {
  ActionBody,
  ActionParam,
  BulkBody,
  decodeRunCursor,
  encodeRunCursor,
  InstanceId,
  ListRunsQuery,
  MAX_BULK,
  runView,
  toRunFilter,
} from './schemas';

const T = ['Ops: runs'];
const ActionRequestBody = { content: { 'application/json': { schema: { type: 'object', properties: { from: { type: 'object', properties: { name: { type: 'string' }, count: { type: 'integer', minimum: 1 }, type: { type: 'string', enum: ['do', 'sleep', 'waitForEvent'] } }, required: ['name'] } }, additionalProperties: false } } } } as never;
const listRoute = defineRoute('ops', {
  method: 'get', path: '/', tags: T, summary: 'Workflow runs, newest first, with live statuses',
  // the filter is an intersection (zod-to-openapi documents only object queries): validated as before
  description: 'Filters: workflow, status, trigger (comma lists), organization_id, from, to (ISO instants), q (instance id prefix), blogger, sheet, video; limit, cursor; `reconcile=false` skips live statuses.',
  middleware: [validate('query', ListRunsQuery)],
  responses: { 200: json(z.object({ data: z.array(z.object({ ...RunView.shape, live: LiveView })), next_cursor: z.string().nullable() }), 'A page of runs') },
}, { errors: ['validation_failed'] });
const bulkRoute = defineRoute('ops', {
  method: 'post', path: '/bulk', tags: T, summary: 'One action over many runs', description: 'A filter or up to 100 ids: `dry_run` first, then its `expected_count`.',
  middleware: [requireActingOperator], request: { body: jsonBody(BulkBody) },
  responses: {
    200: json(
      z.union([
        z.object({ dry_run: z.literal(true), action: z.string(), matched: z.number().int(), by_status: z.record(z.string(), z.number().int()), instance_ids: z.array(z.string()) }),
        z.object({ bulk_id: z.uuid(), action: z.string(), matched: z.number().int(), ok: z.number().int(), failed: z.number().int(), rejected: z.number().int(), results: z.array(RunActionResult) }),
      ]),
      'The dry run, or what the action did to each run',
    ),
  },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable'] });
const detailRoute = defineRoute('ops', {
  method: 'get', path: '/{id}', tags: T, summary: 'A run with its step timeline', request: { params: z.object({ id: InstanceId }) },
  responses: {
    200: json(
      z.object({
        run: RunView,
        live: LiveView,
        params: z.unknown(),
        steps: z.array(z.record(z.string(), z.unknown())).nullable(),
        steps_source: z.string().nullable(),
        steps_error: z.string().nullable(),
        restartable_steps: z.array(z.object({ name: z.string(), count: z.number().int() })),
        actions: z.array(OpsAction),
      }),
      'The run',
    ),
  },
}, { errors: ['not_found'] });
const actionRoute = defineRoute('ops', {
  method: 'post', path: '/{id}/{action}', tags: T, summary: 'Pause, resume, terminate or restart a run', description: 'restart takes `{from: {name}}` to restart from a step.',
  middleware: [requireActingOperator], request: { params: ActionParam, body: ActionRequestBody },
  responses: { 200: json(z.object({ result: RunActionResult, run: RunView }), 'What the action did') },
}, { errors: ['forbidden', 'not_found', 'conflict', 'unprocessable', 'bad_gateway'] });

export const opsRuns = router<OpsEnv>();

const liveView = (live: Live | undefined) =>
  live === undefined ? null : live.found ? { status: live.status, error: live.error } : { status: null, error: null, unavailable: live.reason };

/** GET /ops/api/runs — the registry, filtered and searched, newest first, with live statuses. */
opsRuns.openapi(listRoute, async (c) => {
  const q = (c.req.valid as (target: 'query') => unknown)('query') as z.output<typeof ListRunsQuery>;
  const sql = c.get('sql');
  const filter = toRunFilter(q);
  const cursor = decodeRunCursor(q.cursor);
  let rows = await listRuns(sql, filter, q.limit, cursor);
  let live = new Map<string, Live>();
  if (q.reconcile === 'true') {
    live = await reconcile(c.env, sql, rows.slice(0, q.limit));
    const changed = rows.some((r) => {
      const l = live.get(r.instance_id);
      return l?.found && l.status !== r.status;
    });
    if (changed) rows = await listRuns(sql, filter, q.limit, cursor);
  }
  const data = rows.slice(0, q.limit);
  const last = data.at(-1);
  return c.json({
    data: data.map((r) => ({ ...runView(r), live: liveView(live.get(r.instance_id)) })),
    next_cursor: rows.length > q.limit && last ? encodeRunCursor(last) : null,
  }, 200);
});

/** POST /ops/api/runs/bulk — one action over a filtered selection or a list of ids (≤ 100). */
opsRuns.openapi(bulkRoute, async (c) => {
  const body = c.req.valid('json');
  const sql = c.get('sql');
  const selected = body.filter ? await selectRuns(sql, toRunFilter(body.filter), MAX_BULK) : await runsByIds(sql, body.instance_ids!);
  if (body.instance_ids) {
    const known = new Set(selected.map((r) => r.instance_id));
    const unknown = body.instance_ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new ApiError('not_found', `${unknown.length} of the runs are not in the registry`, { instance_ids: unknown });
  }
  if (selected.length > MAX_BULK) {
    throw new ApiError('unprocessable', `the filter matches more than ${MAX_BULK} runs: narrow it (a bulk action covers at most ${MAX_BULK})`, { matched_at_least: selected.length });
  }
  const byStatus: Record<string, number> = {};
  for (const r of selected) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
  if (body.dry_run) {
    return c.json({ dry_run: true as const, action: body.action, matched: selected.length, by_status: byStatus, instance_ids: selected.map((r) => r.instance_id) }, 200);
  }
  if (body.expected_count !== selected.length) {
    throw new ApiError('conflict', `the selection changed: ${selected.length} runs match now, ${body.expected_count} were confirmed`, { matched: selected.length, expected_count: body.expected_count });
  }
  const bulkId = crypto.randomUUID();
  const results = await applyAction(c.env, sql, selected, body.action, { actor: c.get('operator').actor, from: body.from, bulkId });
  const count = (o: ActionResult['outcome']) => results.filter((r) => r.outcome === o).length;
  return c.json({ bulk_id: bulkId, action: body.action, matched: selected.length, ok: count('ok'), failed: count('failed'), rejected: count('rejected'), results }, 200);
});

/** GET /ops/api/runs/:id — registry row, live status, params, output, error and the step timeline. */
opsRuns.openapi(detailRoute, async (c) => {
  const id = { data: c.req.valid('param').id };
  const sql = c.get('sql');
  let run = await getRun(sql, id.data);
  if (!run) throw notFound('run');
  const live = (await reconcile(c.env, sql, [run], { includeFinal: true })).get(run.instance_id);
  if (live?.found && live.status !== run.status) run = (await getRun(sql, id.data))!;

  let steps: TimelineStep[] | null = null;
  let stepsError: string | null = null;
  let params: unknown = null;
  const target = workflowsApiTarget(c.env, c.req.url);
  if (!target.available) stepsError = target.reason;
  else if (!isWorkflowName(run.workflow)) stepsError = `workflow '${run.workflow}' has no Workflows API name`;
  else {
    try {
      const detail = await workflowsApi(target).getInstance(WORKFLOW_API_NAMES[run.workflow], run.instance_id);
      steps = toTimeline(detail, { engineKeys: target.source === 'local-explorer' });
      params = detail.params ?? null;
    } catch (err) {
      stepsError = err instanceof WorkflowsApiError ? err.message : `step detail failed: ${err instanceof Error ? err.message : String(err)}`;
    }
  }
  const actions = (await listOpsActions(sql, { instanceId: run.instance_id, limit: 20 })).slice(0, 20);
  return c.json({
    run: runView(run),
    live: liveView(live),
    params,
    steps,
    steps_source: target.available ? target.source : null,
    steps_error: stepsError,
    restartable_steps: (steps ?? []).filter((s) => s.type === 'step').map((s) => ({ name: s.name, count: s.count })),
    actions,
  }, 200);
});

/** POST /ops/api/runs/:id/{pause|resume|terminate|restart} — restart takes `{from: {name}}` to restart from a step. */
opsRuns.openapi(actionRoute, async (c) => {
  const { id, action } = c.req.valid('param');
  const raw = await c.req.text();
  let json: unknown = {};
  if (raw.trim()) {
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ApiError('bad_request', 'the body is not JSON');
    }
  }
  const body = ActionBody.safeParse(json);
  if (!body.success) throw validationError(body.error, 'body');
  if (body.data.from && action !== 'restart') throw new ApiError('validation_failed', "'from' applies to restart only", { issues: [{ path: 'from', message: 'restart only' }] });
  const sql = c.get('sql');
  const run = await getRun(sql, id);
  if (!run) throw notFound('run');
  const [result] = await applyAction(c.env, sql, [run], action, { actor: c.get('operator').actor, from: body.data.from });
  if (result!.outcome !== 'ok') throw new ApiError(result!.code ?? 'bad_gateway', result!.error ?? `${action} failed`, { result });
  return c.json({ result: result!, run: runView((await getRun(sql, id))!) }, 200);
});
