import { createSql } from './db/client';
import { instanceIdFor, startWorkflow, type WorkflowName } from './workflows/start';
import type { ScheduledRunParams } from './workflows/params';

/**
 * Cron → the workflow it starts. The cron strings live in wrangler.jsonc; this table must name
 * each of them (a test checks both lists agree), so a renamed cron cannot silently start nothing.
 * Instance ids come from the scheduled hour, so a duplicate fire of the same cron starts nothing.
 */
export const CRON_WORKFLOWS: Record<string, { workflow: WorkflowName | null; prefix: string; description: string; /** run key to the minute (crons more often than hourly) */ perMinute?: boolean }> = {
  '0 0,12 * * *': { workflow: 'BloggerBatch', prefix: 'blogger-batch', description: 'midnight/noon blogger fetch' },
  '0 0 * * *': { workflow: 'NightlyRefresh', prefix: 'nightly-refresh', description: 'nightly stats refresh' },
  '0 1 * * *': { workflow: 'NightlyRefresh', prefix: 'nightly-refresh', description: 'nightly refresh catch-up (picks up what 00:00 missed)' },
  '0 */4 * * *': { workflow: 'SheetsResync', prefix: 'sheets-resync', description: 'Google Sheets resync (one child per active source)' },
  '*/15 * * * *': { workflow: 'ReportDispatch', prefix: 'report-dispatch', description: 'due scheduled reports (one ScheduledReport per schedule and period)', perMinute: true },
};

/** `2026-11-22T12` for a cron fired at 12:00 UTC on 22 Nov 2026. */
export const runKeyFor = (scheduledTime: number, perMinute = false) => new Date(scheduledTime).toISOString().slice(0, perMinute ? 16 : 13);

export async function startScheduledWorkflow(env: Env, cron: string, scheduledTime: number, trigger: 'cron' | 'ops' = 'cron', triggeredBy: string = cron) {
  const job = CRON_WORKFLOWS[cron];
  if (!job) throw new Error(`no workflow is mapped to cron '${cron}'`);
  if (!job.workflow) {
    console.warn(JSON.stringify({ event: 'cron_without_workflow', cron, description: job.description }));
    return null;
  }
  const runKey = runKeyFor(scheduledTime, job.perMinute);
  const params: ScheduledRunParams = { runKey, scheduledAt: new Date(scheduledTime).toISOString(), cron };
  return startWorkflow(env, createSql(env), {
    workflow: job.workflow,
    instanceId: instanceIdFor(job.prefix, runKey.replace(/[^0-9]/g, '')),
    params,
    organizationId: null,
    trigger,
    triggeredBy,
    summary: { run_key: runKey, cron },
  });
}

export async function handleScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const started = await startScheduledWorkflow(env, controller.cron, controller.scheduledTime);
  console.log(JSON.stringify({ event: 'cron', cron: controller.cron, ...(started ?? { workflow: null }) }));
}
