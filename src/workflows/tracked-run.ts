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

export type { WorkflowEvent, WorkflowStep };
