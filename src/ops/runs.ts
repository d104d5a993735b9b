import type { Db } from '../db/client';
import { applyLiveStatuses, markRunsRestarted, recordOpsActions, type LiveStatus, type OpsActionRecord } from '../db/ops';
import { FINAL_STATUSES, isRunStatus, type RunStatus } from '../domain/statuses';
import { isWorkflowName, workflowBinding } from './workflows';

/**
 * Live status and actions through the Workflows binding, and the registry kept in line with them.
 * The binding cannot list instances, so the registry decides which runs exist; the binding decides
 * what state each one is in.
 */

export type RunAction = 'pause' | 'resume' | 'terminate' | 'restart';
export const RUN_ACTIONS = ['pause', 'resume', 'terminate', 'restart'] as const satisfies readonly RunAction[];

export interface RestartFrom {
  name: string;
  count?: number;
  type?: 'do' | 'sleep' | 'waitForEvent';
}

export type Live = { found: true; status: RunStatus; error: string | null; output: unknown } | { found: false; reason: string };

const isFinal = (s: string) => (FINAL_STATUSES as readonly string[]).includes(s);
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isNotFound = (err: unknown) => /not[_ .-]?found/i.test(message(err));

export async function liveStatus(env: Env, workflow: string, instanceId: string): Promise<Live> {
  if (!isWorkflowName(workflow)) return { found: false, reason: `workflow '${workflow}' is not bound to this Worker` };
  try {
    const instance = await workflowBinding(env, workflow).get(instanceId);
    const s = await instance.status();
    return {
      found: true,
      status: isRunStatus(s.status) ? s.status : 'unknown',
      error: s.error ? `${s.error.name}: ${s.error.message}` : null,
      output: s.output,
    };
  } catch (err) {
    return { found: false, reason: isNotFound(err) ? 'the runtime has no such instance (never created, or past retention)' : `status unavailable: ${message(err)}` };
  }
}

/**
 * Reads the live status of the given runs and writes back what changed, in one statement. Returns
 * the live status by instance id.
 */
export async function reconcile(
  env: Env,
  db: Db,
  runs: { instance_id: string; workflow: string; status: string }[],
  opts: { includeFinal?: boolean } = {},
): Promise<Map<string, Live>> {
  // A final status never changes by itself; a list skips those, a detail view checks them too
  // (someone may have restarted the run elsewhere).
  const open = opts.includeFinal ? runs : runs.filter((r) => !isFinal(r.status));
  const lives = await Promise.all(open.map(async (r) => [r.instance_id, await liveStatus(env, r.workflow, r.instance_id)] as const));
  const changed: LiveStatus[] = [];
  for (const [id, live] of lives) {
    const row = open.find((r) => r.instance_id === id)!;
    if (live.found && live.status !== row.status) changed.push({ instanceId: id, status: live.status, error: live.error, output: live.output });
  }
  await applyLiveStatuses(db, changed);
  return new Map(lives);
}

/** Which statuses each action makes sense from; anything else is refused before reaching the runtime. */
export const ACTION_FROM: Record<RunAction, readonly RunStatus[]> = {
  pause: ['queued', 'running', 'waiting'],
  resume: ['paused', 'waitingForPause'],
  terminate: ['queued', 'running', 'paused', 'waiting', 'waitingForPause'],
  restart: ['queued', 'running', 'paused', 'waiting', 'waitingForPause', 'errored', 'terminated', 'complete'],
};

export interface ActionTarget {
  instance_id: string;
  workflow: string;
}

export interface ActionResult {
  instance_id: string;
  workflow: string;
  outcome: 'ok' | 'failed' | 'rejected';
  from_status: RunStatus | null;
  status: RunStatus | null;
  error: string | null;
  /** HTTP-ish reason for a single action: not_found, conflict, unprocessable, bad_gateway */
  code: 'not_found' | 'conflict' | 'unprocessable' | 'bad_gateway' | null;
}

async function actOn(env: Env, target: ActionTarget, action: RunAction, opts: { from?: RestartFrom }): Promise<ActionResult> {
  const base = { instance_id: target.instance_id, workflow: target.workflow };
  if (!isWorkflowName(target.workflow)) {
    return { ...base, outcome: 'rejected', from_status: null, status: null, error: `workflow '${target.workflow}' is not bound to this Worker`, code: 'unprocessable' };
  }
  let instance: WorkflowInstance;
  try {
    instance = await workflowBinding(env, target.workflow).get(target.instance_id);
  } catch (err) {
    return isNotFound(err)
      ? { ...base, outcome: 'rejected', from_status: null, status: null, error: 'the runtime has no such instance (never created, or past retention)', code: 'not_found' }
      : { ...base, outcome: 'failed', from_status: null, status: null, error: message(err), code: 'bad_gateway' };
  }
  const before = (await instance.status()).status as RunStatus;
  if (!ACTION_FROM[action].includes(before)) {
    return { ...base, outcome: 'rejected', from_status: before, status: before, error: `cannot ${action} a run that is ${before}`, code: 'conflict' };
  }
  try {
    switch (action) {
      case 'pause':
        await instance.pause();
        break;
      case 'resume':
        await instance.resume();
        break;
      case 'terminate':
        await instance.terminate();
        break;
      case 'restart':
        await instance.restart(opts.from ? { from: opts.from } : undefined);
        break;
    }
  } catch (err) {
    const msg = message(err);
    // e.g. restart from a step the instance never ran, or a status that changed under us
    const code = /step/i.test(msg) && /not[_ .-]?found/i.test(msg) ? 'unprocessable' : /cannot|finite|invalid/i.test(msg) ? 'conflict' : 'bad_gateway';
    return { ...base, outcome: 'failed', from_status: before, status: before, error: msg, code };
  }
  const after = (await instance.status()).status as RunStatus;
  return { ...base, outcome: 'ok', from_status: before, status: isRunStatus(after) ? after : 'unknown', error: null, code: null };
}

/**
 * Applies an action to runs (one, or a bulk selection), updates their registry rows and records
 * every attempt in `ops_actions` with the actor, in one statement each.
 */
export async function applyAction(
  env: Env,
  db: Db,
  targets: ActionTarget[],
  action: RunAction,
  opts: { actor: string; from?: RestartFrom; bulkId?: string | null },
): Promise<ActionResult[]> {
  const results = await Promise.all(targets.map((t) => actOn(env, t, action, opts)));
  const ok = results.filter((r) => r.outcome === 'ok' && r.status);
  const live = ok.map((r) => ({ instanceId: r.instance_id, status: r.status! }));
  if (action === 'restart') await markRunsRestarted(db, live);
  else await applyLiveStatuses(db, live);
  // A rejected action still tells us the live status: keep the registry honest about it.
  await applyLiveStatuses(db, results.filter((r) => r.outcome !== 'ok' && r.status).map((r) => ({ instanceId: r.instance_id, status: r.status! })));
  const audit: OpsActionRecord[] = results.map((r) => ({
    instanceId: r.instance_id,
    workflow: r.workflow,
    action,
    actor: opts.actor,
    outcome: r.outcome,
    error: r.error,
    details: { from_status: r.from_status, to_status: r.status, ...(opts.from ? { from_step: opts.from } : {}) },
    bulkId: opts.bulkId ?? null,
  }));
  await recordOpsActions(db, audit);
  return results;
}
