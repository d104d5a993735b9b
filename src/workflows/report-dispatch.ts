import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { createSql } from '../db/client';
import { advanceSchedules, dueSchedules, type ScheduleRow } from '../db/reports';
import { catchUp, periodFor, previousPeriod } from '../reports/schedule-time';
import { DB_STEP } from '../steps/platform-step';
import { ScheduledRunParams, parseParams } from './params';
import type { ScheduledReportParams } from './scheduled-report';
import { instanceIdFor, startWorkflows, type StartSpec } from './start';
import { scheduledRunRecord, trackedRun } from './tracked-run';
import { checkConfig } from '../env';

export const DISPATCH_STEPS = { find: 'find due schedules', start: 'start report runs', advance: 'advance schedules' } as const;

/** Schedules handled per dispatch (the rest are still due at the next 15-minute fire). */
export const DISPATCH_LIMIT = 500;

/** One ScheduledReport per (schedule, period): a second start of the same pair is a duplicate, never a second report. */
export const reportInstanceId = (scheduleId: string, periodStart: string) => instanceIdFor('report', scheduleId, periodStart.replace(/-/g, ''));

export interface DueReport {
  params: ScheduledReportParams;
  instanceId: string;
  scheduleName: string;
  /** the stored next_run_at this dispatch read, and the one it moves to */
  from: string;
  to: string;
}

function knownTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** What a due schedule starts: its latest due occurrence ≤ now, that occurrence's period, and its next due time. */
export function dueReport(s: ScheduleRow, now: Date): DueReport {
  // a zone the runtime does not know (set outside the API) must not stop every other schedule
  const tz = knownTimeZone(s.timezone) ? s.timezone : 'UTC';
  const { occurrence, next } = catchUp(s, tz, new Date(s.next_run_at), now);
  const period = periodFor(s.frequency, occurrence, tz);
  return {
    params: { organizationId: s.organization_id, scheduleId: s.id, occurrence: occurrence.toISOString(), period, previous: previousPeriod(s.frequency, period) },
    instanceId: reportInstanceId(s.id, period.start),
    scheduleName: s.name,
    from: new Date(s.next_run_at).toISOString(),
    to: next.toISOString(),
  };
}

/**
 * Every 15 minutes: finds the due schedules in one query (next_run_at <= now), starts one
 * ScheduledReport per (schedule, period) with a deterministic instance id (createBatch ≤ 100),
 * then moves each schedule to its next due time. A cron fired twice, or this workflow restarted
 * between starting and advancing, starts the same ids again: duplicates, so nothing is sent twice.
 */
export class ReportDispatch extends WorkflowEntrypoint<Env, ScheduledRunParams> {
  override async run(event: WorkflowEvent<ScheduledRunParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const run = scheduledRunRecord('ReportDispatch', event.instanceId, ScheduledRunParams.safeParse(event.payload));
    return trackedRun(this.env, step, run, async () => {
      parseParams(ScheduledRunParams, event.payload);
      const due = await step.do(DISPATCH_STEPS.find, DB_STEP, async () => {
        const now = new Date();
        return (await dueSchedules(createSql(this.env), now, DISPATCH_LIMIT)).map((s) => dueReport(s, now));
      });
      if (due.length === 0) return { due: 0, created: 0, duplicates: 0, failed: 0, advanced: 0 };

      const started = await step.do(DISPATCH_STEPS.start, DB_STEP, async () => {
        const specs: StartSpec<ScheduledReportParams>[] = due.map((d) => ({
          workflow: 'ScheduledReport',
          instanceId: d.instanceId,
          params: d.params,
          organizationId: d.params.organizationId,
          trigger: 'workflow',
          triggeredBy: event.instanceId,
          summary: { schedule_id: d.params.scheduleId, schedule_name: d.scheduleName, period_start: d.params.period.start, period_end: d.params.period.end },
        }));
        const res = await startWorkflows(this.env, createSql(this.env), specs);
        return { created: res.created, duplicates: res.duplicates, failed: res.failed.map((f) => f.instanceId) };
      });

      // a schedule whose run could not be created stays due and is tried again at the next fire
      const failed = new Set(started.failed);
      const advanced = await step.do(DISPATCH_STEPS.advance, DB_STEP, async () =>
        advanceSchedules(createSql(this.env), due.filter((d) => !failed.has(d.instanceId)).map((d) => ({ id: d.params.scheduleId, from: d.from, to: d.to }))),
      );
      return { due: due.length, created: started.created, duplicates: started.duplicates, failed: started.failed.length, advanced };
    });
  }
}
