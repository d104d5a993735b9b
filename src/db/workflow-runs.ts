import { jsonb, type Db } from './client';
import type { RunStatus, RunTrigger } from '../domain/statuses';

export type { RunStatus, RunTrigger } from '../domain/statuses';

export interface NewRun {
  instanceId: string;
  workflow: string;
  organizationId: string | null;
  trigger: RunTrigger;
  triggeredBy: string | null;
  paramsSummary: Record<string, unknown>;
}

/** Registers runs (idempotent: a run registered twice keeps its first row). */
export async function registerRuns(db: Db, runs: NewRun[]): Promise<void> {
  if (runs.length === 0) return;
  await db`
    insert into public.workflow_runs (instance_id, workflow, organization_id, trigger, triggered_by, params_summary)
    select instance_id, workflow, organization_id, trigger, triggered_by, params_summary
    from jsonb_to_recordset(${jsonb(runs.map((r) => ({ instance_id: r.instanceId, workflow: r.workflow, organization_id: r.organizationId, trigger: r.trigger, triggered_by: r.triggeredBy, params_summary: r.paramsSummary })))}::text::jsonb)
      as x(instance_id text, workflow text, organization_id uuid, trigger text, triggered_by text, params_summary jsonb)
    on conflict (instance_id) do nothing`;
}

/** The run started executing: registers it if it was created elsewhere (e.g. by hand). */
export async function markRunStarted(db: Db, run: NewRun): Promise<void> {
  await db`
    insert into public.workflow_runs (instance_id, workflow, organization_id, trigger, triggered_by, params_summary, status, started_at)
    values (${run.instanceId}, ${run.workflow}, ${run.organizationId}, ${run.trigger}, ${run.triggeredBy}, ${JSON.stringify(run.paramsSummary)}::text::jsonb, 'running', now())
    on conflict (instance_id) do update set
      status = 'running', started_at = coalesce(public.workflow_runs.started_at, now()), ended_at = null, error = null, updated_at = now()`;
}

export async function markRunFinished(db: Db, instanceId: string, outcome: { status: 'complete'; output: unknown } | { status: 'errored'; error: string }): Promise<void> {
  await db`
    update public.workflow_runs set
      status = ${outcome.status},
      output = ${outcome.status === 'complete' ? JSON.stringify(outcome.output ?? null) : null}::text::jsonb,
      error = ${outcome.status === 'errored' ? outcome.error : null},
      ended_at = now(), updated_at = now()
    where instance_id = ${instanceId}`;
}

export async function setRunStatus(db: Db, instanceId: string, status: RunStatus, error?: string | null): Promise<void> {
  await db`
    update public.workflow_runs set status = ${status}, error = coalesce(${error ?? null}, error), updated_at = now(),
      ended_at = case when ${status} in ('complete', 'errored', 'terminated') then coalesce(ended_at, now()) else ended_at end
    where instance_id = ${instanceId}`;
}
