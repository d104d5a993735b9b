import type { WorkflowEvent, WorkflowStep } from 'cloudflare:workers';
import { createSql } from '../db/client';
import { markRunFinished, markRunStarted, type NewRun } from '../db/workflow-runs';

export const RUN_STEPS = { started: 'record run started', finished: 'record run finished', failed: 'record run failed' } as const;

/**
 * Wraps a workflow body so `workflow_runs` follows it: running when it starts, complete with its
 * output or errored with its error when it ends. The records are steps too, so they are durable.
 */
export async function trackedRun<T>(env: Env, step: WorkflowStep, run: Omit<NewRun, 'instanceId'> & { instanceId: string }, body: () => Promise<T>): Promise<T> {
  await step.do(RUN_STEPS.started, async () => {
    await markRunStarted(createSql(env), run);
    return null;
  });
  try {
    const output = await body();
    await step.do(RUN_STEPS.finished, async () => {
      await markRunFinished(createSql(env), run.instanceId, { status: 'complete', output });
      return null;
    });
    return output;
  } catch (err) {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    await step.do(RUN_STEPS.failed, async () => {
      await markRunFinished(createSql(env), run.instanceId, { status: 'errored', error: message });
      return null;
    });
    throw err;
  }
}

/** The registry record of a cron-started run, from params that may be invalid (the body rejects those). */
export function scheduledRunRecord(workflow: string, instanceId: string, parsed: { success: true; data: { runKey: string; cron?: string } } | { success: false }) {
  return {
    instanceId,
    workflow,
    organizationId: null,
    trigger: 'cron' as const,
    triggeredBy: parsed.success ? (parsed.data.cron ?? null) : null,
    paramsSummary: parsed.success ? { run_key: parsed.data.runKey } : { invalid_params: true },
  };
}

export type { WorkflowEvent, WorkflowStep };
