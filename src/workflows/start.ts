import { registerRuns, setRunStatus, type NewRun, type RunTrigger } from '../db/workflow-runs';
import type { Db } from '../db/client';

/** Every workflow by its registry name → its binding in wrangler.jsonc. */
export const WORKFLOWS = {
  InitialBloggerFetch: 'INITIAL_BLOGGER_FETCH',
  BloggerBatch: 'BLOGGER_BATCH',
  BloggerDailyFetch: 'BLOGGER_DAILY_FETCH',
  NightlyRefresh: 'NIGHTLY_REFRESH',
  ExcelImport: 'EXCEL_IMPORT',

  SheetsResync: 'SHEETS_RESYNC',
  SheetsResyncSource: 'SHEETS_RESYNC_SOURCE',

  ReportDispatch: 'REPORT_DISPATCH',
  ScheduledReport: 'SCHEDULED_REPORT',
} as const satisfies Record<string, keyof Env>;
export type WorkflowName = keyof typeof WORKFLOWS;

export const workflowBinding = (env: Env, name: WorkflowName) => env[WORKFLOWS[name]] as unknown as Workflow<unknown>;

export interface StartSpec<P> {
  workflow: WorkflowName;
  /** Derived from what the run is about, so a double click or a duplicate cron starts one instance. */
  instanceId: string;
  params: P;
  organizationId: string | null;
  trigger: RunTrigger;
  triggeredBy: string | null;
  summary: Record<string, unknown>;
}

/** Instance ids: ≤ 100 chars of [a-zA-Z0-9_-]. */
export function instanceIdFor(...parts: string[]): string {
  const id = parts.join('-').replace(/[^a-zA-Z0-9_-]/g, '-');
  if (id.length > 100) throw new Error(`workflow instance id longer than 100 characters: ${id}`);
  return id;
}

// createBatch reports an existing id as 'workflows.api.error.instance.already_exists'
const isDuplicate = (err: unknown) => err instanceof Error && /already[ _]exists|already been created|duplicate/i.test(err.message);

/**
 * Registers the run in `workflow_runs` (what operators search) and creates the instance.
 * Starting an id that exists is not an error: it answers `created: false`.
 */
export async function startWorkflow<P>(env: Env, db: Db, spec: StartSpec<P>): Promise<{ instanceId: string; created: boolean }> {
  await registerRuns(db, [toRun(spec)]);
  try {
    await workflowBinding(env, spec.workflow).create({ id: spec.instanceId, params: spec.params });
    return { instanceId: spec.instanceId, created: true };
  } catch (err) {
    if (isDuplicate(err)) return { instanceId: spec.instanceId, created: false };
    await setRunStatus(db, spec.instanceId, 'errored', `could not create the instance: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

/** Many instances of one workflow, in createBatch calls of ≤ 100 (the platform limit). */
export async function startWorkflows<P>(env: Env, db: Db, specs: StartSpec<P>[]): Promise<{ created: number; duplicates: number; failed: { instanceId: string; message: string }[] }> {
  const result = { created: 0, duplicates: 0, failed: [] as { instanceId: string; message: string }[] };
  for (let i = 0; i < specs.length; i += 100) {
    const chunk = specs.slice(i, i + 100);
    await registerRuns(db, chunk.map(toRun));
    const byWorkflow = Map.groupBy(chunk, (s) => s.workflow);
    for (const [workflow, list] of byWorkflow) {
      const res = await workflowBinding(env, workflow).createBatch({ instances: list.map((s) => ({ id: s.instanceId, params: s.params })) });
      result.created += res.created.length;
      for (const e of res.errors) {
        const id = e.id ?? list[e.index]?.instanceId ?? '?';
        if (isDuplicate(new Error(e.message))) result.duplicates++;
        else {
          result.failed.push({ instanceId: id, message: e.message });
          await setRunStatus(db, id, 'errored', `could not create the instance: ${e.message}`);
        }
      }
    }
  }
  return result;
}

function toRun<P>(spec: StartSpec<P>): NewRun {
  return {
    instanceId: spec.instanceId,
    workflow: spec.workflow,
    organizationId: spec.organizationId,
    trigger: spec.trigger,
    triggeredBy: spec.triggeredBy,
    paramsSummary: spec.summary,
  };
}
