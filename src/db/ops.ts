import { jsonb, type Db } from './client';
import type { RunStatus, RunTrigger } from './workflow-runs';

/** Statuses after which an instance never changes again by itself. */

export interface RunFilter {
  workflows?: string[];
  statuses?: string[];
  triggers?: string[];
  organizationId?: string;
  /** created_at ≥ from */
  from?: Date;
  /** created_at < to */
  to?: Date;
  /** an instance id, or the start of one */
  q?: string;
  /** blogger id, tracking id or username in the params summary */
  blogger?: string;
  /** sheet (integration) id in the params summary */
  sheet?: string;
  /** video id in the params summary (`video_id` or one of `video_ids`) */
  video?: string;
}

export interface RunListRow {
  instance_id: string;
  workflow: string;
  organization_id: string | null;
  organization_name: string | null;
  trigger: RunTrigger;
  triggered_by: string | null;
  params_summary: Record<string, unknown>;
  status: RunStatus;
  error: string | null;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
  updated_at: Date;
  duration_ms: number | null;
  /** created_at with microseconds, for the keyset cursor */
  cursor_at: string;
}

export interface RunRow extends RunListRow {
  output: unknown;
}

export interface RunCursor {
  at: string;
  id: string;
}

const list = (values: string[]) => jsonb(values);

/** The WHERE clause of a run filter: every value a bind parameter, lists as one jsonb parameter. */
function whereRuns(db: Db, f: RunFilter) {
  const none = db``;
  const prefix = f.q ? `${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  return db`
    where true
    ${f.workflows?.length ? db`and w.workflow in (select jsonb_array_elements_text(${list(f.workflows)}::text::jsonb))` : none}
    ${f.statuses?.length ? db`and w.status in (select jsonb_array_elements_text(${list(f.statuses)}::text::jsonb))` : none}
    ${f.triggers?.length ? db`and w.trigger in (select jsonb_array_elements_text(${list(f.triggers)}::text::jsonb))` : none}
    ${f.organizationId ? db`and w.organization_id = ${f.organizationId}::uuid` : none}
    ${f.from ? db`and w.created_at >= ${f.from}` : none}
    ${f.to ? db`and w.created_at < ${f.to}` : none}
    ${prefix ? db`and (w.instance_id = ${f.q!} or w.instance_id like ${prefix})` : none}
    ${f.blogger
      ? db`and (w.params_summary @> ${jsonb({ blogger_id: f.blogger })}::text::jsonb
             or w.params_summary @> ${jsonb({ tracking_id: f.blogger })}::text::jsonb
             or w.params_summary @> ${jsonb({ username: f.blogger })}::text::jsonb)`
      : none}
    ${f.sheet
      ? db`and (w.params_summary @> ${jsonb({ sheet_id: f.sheet })}::text::jsonb
             or w.params_summary @> ${jsonb({ integration_id: f.sheet })}::text::jsonb)`
      : none}
    ${f.video
      ? db`and (w.params_summary @> ${jsonb({ video_id: f.video })}::text::jsonb
             or w.params_summary @> ${jsonb({ video_ids: [f.video] })}::text::jsonb)`
      : none}`;
}

const runColumns = (db: Db) => db`
  w.instance_id, w.workflow, w.organization_id, o.name as organization_name, w.trigger, w.triggered_by,
  w.params_summary, w.status, w.error, w.created_at, w.started_at, w.ended_at, w.updated_at,
  (extract(epoch from (coalesce(w.ended_at, case when w.status in ('running', 'waiting', 'waitingForPause') then now() end) - w.started_at)) * 1000)::float8 as duration_ms,
  to_char(w.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`;

/** One page of runs, newest first (limit + 1 rows so the caller knows whether there are more). */
export async function listRuns(db: Db, filter: RunFilter, limit: number, cursor?: RunCursor): Promise<RunListRow[]> {
  return db<RunListRow[]>`
    select ${runColumns(db)}
    from public.workflow_runs w
    left join public.organizations o on o.id = w.organization_id
    ${whereRuns(db, filter)}
    ${cursor ? db`and (w.created_at, w.instance_id) < (${cursor.at}::timestamptz, ${cursor.id})` : db``}
    order by w.created_at desc, w.instance_id desc
    limit ${limit + 1}`;
}

/** Instance ids (and workflows) a bulk action would act on, capped at `max` + 1 to detect "too many". */
export async function selectRuns(db: Db, filter: RunFilter, max: number): Promise<{ instance_id: string; workflow: string; status: RunStatus }[]> {
  return db`
    select w.instance_id, w.workflow, w.status
    from public.workflow_runs w
    ${whereRuns(db, filter)}
    order by w.created_at desc, w.instance_id desc
    limit ${max + 1}`;
}

export async function runsByIds(db: Db, ids: string[]): Promise<{ instance_id: string; workflow: string; status: RunStatus }[]> {
  if (ids.length === 0) return [];
  return db`
    select w.instance_id, w.workflow, w.status
    from public.workflow_runs w
    where w.instance_id in (select jsonb_array_elements_text(${list(ids)}::text::jsonb))
    order by w.created_at desc, w.instance_id desc`;
}

export async function getRun(db: Db, instanceId: string): Promise<RunRow | null> {
  const [row] = await db<RunRow[]>`
    select ${runColumns(db)}, w.output
    from public.workflow_runs w
    left join public.organizations o on o.id = w.organization_id
    where w.instance_id = ${instanceId}`;
  return row ?? null;
}

export interface LiveStatus {
  instanceId: string;
  status: RunStatus;
  /** `Name: message` of the instance's error, when it errored */
  error?: string | null;
  output?: unknown;
}

/**
 * Brings registry rows in line with what the runtime reports, in one statement. A final status
 * keeps the row's first end time; a run that is live again (restarted, resumed) loses its end time,
 * error and output, which belong to the attempt that ended.
 */
export async function applyLiveStatuses(db: Db, live: LiveStatus[]): Promise<number> {
  if (live.length === 0) return 0;
  const res = await db`
    update public.workflow_runs w set
      status = x.status,
      error = case when x.status in ('errored', 'terminated') then coalesce(x.error, w.error)
                   when x.status = 'complete' then w.error
                   else null end,
      output = case when x.status = 'complete' then coalesce(w.output, x.output)
                    when x.status in ('errored', 'terminated') then w.output
                    else null end,
      ended_at = case when x.status in ('complete', 'errored', 'terminated') then coalesce(w.ended_at, now()) else null end
    from jsonb_to_recordset(${jsonb(live.map((l) => ({ instance_id: l.instanceId, status: l.status, error: l.error ?? null, output: l.output === undefined ? null : l.output })))}::text::jsonb)
      as x(instance_id text, status text, error text, output jsonb)
    where w.instance_id = x.instance_id
      and (w.status is distinct from x.status
           or (x.status = 'complete' and w.output is null and x.output is not null)
           or (x.status = 'errored' and w.error is null and x.error is not null))`;
  return res.count;
}

/** A restarted run is live again from the start (or from a step): its previous end no longer applies. */
export async function markRunsRestarted(db: Db, live: LiveStatus[]): Promise<void> {
  if (live.length === 0) return;
  await db`
    update public.workflow_runs w set status = x.status, error = null, output = null, ended_at = null
    from jsonb_to_recordset(${jsonb(live.map((l) => ({ instance_id: l.instanceId, status: l.status })))}::text::jsonb)
      as x(instance_id text, status text)
    where w.instance_id = x.instance_id`;
}

export type OpsActionName =
  | 'pause' | 'resume' | 'terminate' | 'restart' | 'start_scheduled'
  | 'dead_letter_replay' | 'dead_letter_resolve'
  | 'limits_override_set' | 'limits_override_clear' | 'plan_change';

export interface OpsActionRecord {
  instanceId: string | null;
  workflow: string | null;
  action: OpsActionName;
  actor: string;
  outcome: 'ok' | 'failed' | 'rejected';
  error?: string | null;
  details?: Record<string, unknown>;
  bulkId?: string | null;
  /** the dead letter acted on (dead-letter actions) */
  deadLetterId?: string | null;
  /** the organization concerned (dead letters of an organization, limit and plan changes) */
  organizationId?: string | null;
}

/** The audit log: one multi-row insert for a single or a bulk action. */
export async function recordOpsActions(db: Db, rows: OpsActionRecord[]): Promise<void> {
  if (rows.length === 0) return;
  await db`
    insert into public.ops_actions (instance_id, workflow, action, actor, outcome, error, details, bulk_id, dead_letter_id, organization_id)
    select instance_id, workflow, action, actor, outcome, error, details, bulk_id, dead_letter_id, organization_id
    from jsonb_to_recordset(${jsonb(rows.map((r) => ({ instance_id: r.instanceId, workflow: r.workflow, action: r.action, actor: r.actor, outcome: r.outcome, error: r.error ?? null, details: r.details ?? null, bulk_id: r.bulkId ?? null, dead_letter_id: r.deadLetterId ?? null, organization_id: r.organizationId ?? null })))}::text::jsonb)
      as x(instance_id text, workflow text, action text, actor text, outcome text, error text, details jsonb, bulk_id uuid, dead_letter_id bigint, organization_id uuid)`;
}

export interface OpsActionRow {
  id: string;
  instance_id: string | null;
  workflow: string | null;
  action: string;
  actor: string;
  outcome: string;
  error: string | null;
  details: Record<string, unknown> | null;
  bulk_id: string | null;
  dead_letter_id: string | null;
  organization_id: string | null;
  created_at: Date;
}

export async function listOpsActions(db: Db, opts: { instanceId?: string; deadLetterId?: string; organizationId?: string; limit: number; beforeId?: string }): Promise<OpsActionRow[]> {
  return db<OpsActionRow[]>`
    select id::text, instance_id, workflow, action, actor, outcome, error, details, bulk_id, dead_letter_id::text, organization_id, created_at
    from public.ops_actions
    where true
      ${opts.instanceId ? db`and instance_id = ${opts.instanceId}` : db``}
      ${opts.deadLetterId ? db`and dead_letter_id = ${opts.deadLetterId}::bigint` : db``}
      ${opts.organizationId ? db`and organization_id = ${opts.organizationId}::uuid` : db``}
      ${opts.beforeId ? db`and id < ${opts.beforeId}::bigint` : db``}
    order by id desc
    limit ${opts.limit + 1}`;
}

// Metrics ----------------------------------------------------------------------------------------

export interface HourlyCount {
  hour: Date;
  workflow: string;
  status: RunStatus;
  runs: number;
}

/** Runs created per hour, by workflow and (current) status. */
export async function runsPerHour(db: Db, from: Date, to: Date): Promise<HourlyCount[]> {
  return db<HourlyCount[]>`
    select date_trunc('hour', created_at, 'UTC') as hour, workflow, status, count(*)::int as runs
    from public.workflow_runs
    where created_at >= ${from} and created_at < ${to}
    group by 1, 2, 3
    order by 1, 2, 3`;
}

export interface WorkflowStats {
  workflow: string;
  total: number;
  finished: number;
  complete: number;
  errored: number;
  terminated: number;
  in_flight: number;
  /** errored / finished, null when nothing finished */
  failure_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
}

/** Failure rate and p50/p95 duration (of runs that completed) per workflow, over runs created in the window. */
export async function workflowStats(db: Db, from: Date, to: Date): Promise<WorkflowStats[]> {
  return db<WorkflowStats[]>`
    select workflow,
      count(*)::int as total,
      count(*) filter (where status in ('complete', 'errored', 'terminated'))::int as finished,
      count(*) filter (where status = 'complete')::int as complete,
      count(*) filter (where status = 'errored')::int as errored,
      count(*) filter (where status = 'terminated')::int as terminated,
      count(*) filter (where status not in ('complete', 'errored', 'terminated'))::int as in_flight,
      (count(*) filter (where status = 'errored'))::float8 / nullif(count(*) filter (where status in ('complete', 'errored', 'terminated')), 0) as failure_rate,
      (percentile_cont(0.5) within group (order by extract(epoch from ended_at - started_at) * 1000)
        filter (where status = 'complete' and started_at is not null and ended_at is not null))::float8 as p50_ms,
      (percentile_cont(0.95) within group (order by extract(epoch from ended_at - started_at) * 1000)
        filter (where status = 'complete' and started_at is not null and ended_at is not null))::float8 as p95_ms
    from public.workflow_runs
    where created_at >= ${from} and created_at < ${to}
    group by workflow
    order by workflow`;
}

export interface BacklogCounts {
  /** videos the nightly refresh would send to LOW_PRIORITY now, counted up to `cap` */
  videos_awaiting_refresh: number;
  videos_awaiting_refresh_capped: boolean;
  dead_letters_unresolved: number;
  dead_letters_in_window: number;
  dead_letters_by_queue: { source_queue: string; unresolved: number; in_window: number }[];
}

/**
 * What is waiting: the stats-refresh backlog (Queues expose no depth to a binding, so we count what
 * feeds LOW_PRIORITY, bounded so a huge catalogue stays cheap) and dead letters.
 */
export async function backlogCounts(db: Db, from: Date, cap = 10_000): Promise<BacklogCounts> {
  const [[stale], byQueue] = await Promise.all([
    db<{ n: number }[]>`select count(*)::int as n from (select 1 from public.videos_needing_update limit ${cap + 1}) s`,
    db<{ source_queue: string; unresolved: number; in_window: number }[]>`
      select source_queue,
        count(*) filter (where resolved_at is null)::int as unresolved,
        count(*) filter (where created_at >= ${from})::int as in_window
      from public.dead_letters
      where resolved_at is null or created_at >= ${from}
      group by source_queue
      order by source_queue`,
  ]);
  const n = stale?.n ?? 0;
  return {
    videos_awaiting_refresh: Math.min(n, cap),
    videos_awaiting_refresh_capped: n > cap,
    dead_letters_unresolved: byQueue.reduce((s, q) => s + q.unresolved, 0),
    dead_letters_in_window: byQueue.reduce((s, q) => s + q.in_window, 0),
    dead_letters_by_queue: byQueue,
  };
}
