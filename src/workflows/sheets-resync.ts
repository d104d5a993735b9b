import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { z } from 'zod';
import { createSql } from '../db/client';
import { openRuns, sourcesForResync } from '../db/google-sheets';
import type { RunResult } from '../db/sheets-resync';
import { DB_STEP } from '../steps/platform-step';
import {
  GOOGLE_STEP,
  UPSERT_STEP,
  openRunStep,
  parseRowsStep,
  readWorksheetStep,
  recordFailureStep,
  recordRunStep,
  tokenStep,
  upsertVideosStep,
  writeStatsStep,
} from '../steps/sheets-resync';
import { parseParams, ScheduledRunParams } from './params';
import { instanceIdFor, startWorkflows, type StartSpec } from './start';
import { scheduledRunRecord, trackedRun } from './tracked-run';
import { checkConfig, configSection } from '../env';

export const SHEETS_RESYNC_STEPS = {
  load: (n: number) => `load sources page ${n}`,
  start: (n: number) => `start source resyncs ${n}`,
} as const;

export const SHEETS_SOURCE_STEPS = {
  open: 'open run',
  token: 'google access token',
  read: 'read worksheet',
  parse: 'parse rows',
  upsert: 'upsert videos',
  wait: 'wait for first stats',
  write: 'write stats',
  record: 'record run',
  failed: 'record run failure',
} as const;

export const SOURCES_PAGE_SIZE = 1000;
export const CHILDREN_PER_STEP = 100; // createBatch takes ≤ 100 instances

export const SheetsResyncSourceParams = z.object({
  organizationId: z.uuid(),
  sourceId: z.uuid(),
  jobId: z.uuid(),
  trigger: z.enum(['cron', 'http', 'ops']),
  /** the 4-hour window (cron) this run belongs to */
  runKey: z.string().optional(),
  /** overrides SHEETS_FIRST_STATS_WAIT_SECONDS for this run */
  firstStatsWaitSeconds: z.number().int().min(0).max(300).optional(),
});
export type SheetsResyncSourceParams = z.infer<typeof SheetsResyncSourceParams>;

/** SHEETS_FIRST_STATS_WAIT_SECONDS (0–300, unset: 15), from the one config schema. */
export const firstStatsWaitSeconds = (env: object): number =>
  configSection(env, ['SHEETS_FIRST_STATS_WAIT_SECONDS'], 'sheets').SHEETS_FIRST_STATS_WAIT_SECONDS;

/** `sheets-resync-<source>-<window>`: a double cron fire or a restarted dispatcher starts nothing twice. */
export const sourceRunId = (sourceId: string, runKey: string) => instanceIdFor('sheets-resync', sourceId, runKey.replace(/[^0-9]/g, ''));

/**
 * Every 4 hours: one child per active source (whose Google account still has its grant). The
 * dispatcher opens each child's import job first (a source with a run in progress is skipped: the
 * one-open-run index), then creates the children 100 per createBatch.
 */
export class SheetsResync extends WorkflowEntrypoint<Env, ScheduledRunParams> {
  override async run(event: WorkflowEvent<ScheduledRunParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const run = scheduledRunRecord('SheetsResync', event.instanceId, ScheduledRunParams.safeParse(event.payload));
    return trackedRun(this.env, step, run, async () => {
      const p = parseParams(ScheduledRunParams, event.payload);
      let created = 0;
      let duplicates = 0;
      let sources = 0;
      let skippedRunning = 0;
      const failed: { instanceId: string; message: string }[] = [];
      let after: string | null = null;
      for (let page = 1, n = 1; ; page++) {
        const cursor: string | null = after;
        const rows: { id: string; organization_id: string; created_by: string | null }[] = await step.do(SHEETS_RESYNC_STEPS.load(page), DB_STEP, () => sourcesForResync(createSql(this.env), cursor, SOURCES_PAGE_SIZE));
        sources += rows.length;
        for (let i = 0; i < rows.length; i += CHILDREN_PER_STEP, n++) {
          const chunk = rows.slice(i, i + CHILDREN_PER_STEP);
          const res = await step.do(SHEETS_RESYNC_STEPS.start(n), DB_STEP, async () => {
            const sql = createSql(this.env);
            const jobs = await openRuns(sql, chunk.map((s) => ({ organizationId: s.organization_id, sourceId: s.id, instanceId: sourceRunId(s.id, p.runKey), trigger: 'cron' as const, createdBy: null })));
            const specs: StartSpec<SheetsResyncSourceParams>[] = jobs.map((j) => ({
              workflow: 'SheetsResyncSource',
              instanceId: j.instance_id,
              params: { organizationId: j.organization_id, sourceId: j.source_id, jobId: j.job_id, trigger: 'cron', runKey: p.runKey },
              organizationId: j.organization_id,
              trigger: 'workflow',
              triggeredBy: event.instanceId,
              summary: { sheet_id: j.source_id, source_id: j.source_id, job_id: j.job_id, run_key: p.runKey, parent: event.instanceId },
            }));
            const started = await startWorkflows(this.env, sql, specs);
            return { ...started, skipped_running: chunk.length - jobs.length };
          });
          created += res.created;
          duplicates += res.duplicates;
          skippedRunning += res.skipped_running;
          failed.push(...res.failed);
        }
        if (rows.length < SOURCES_PAGE_SIZE) break;
        after = rows.at(-1)!.id;
      }
      return { sources, children_created: created, children_already_started: duplicates, skipped_run_in_progress: skippedRunning, children_failed_to_start: failed };
    });
  }
}

/**
 * One source: token → read the worksheet (one values.batchGet) → parse rows → upsert videos (a
 * constant number of statements) → write stats back (values.batchUpdate, ≤ 2 MB each) → record.
 * A failure records why on the run (and marks the source broken on 403/404) before it ends.
 */
export class SheetsResyncSource extends WorkflowEntrypoint<Env, SheetsResyncSourceParams> {
  override async run(event: WorkflowEvent<SheetsResyncSourceParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const parsed = SheetsResyncSourceParams.safeParse(event.payload);
    const run = {
      instanceId: event.instanceId,
      workflow: 'SheetsResyncSource',
      organizationId: parsed.success ? parsed.data.organizationId : null,
      trigger: parsed.success ? (parsed.data.trigger === 'http' ? ('http' as const) : ('workflow' as const)) : ('workflow' as const),
      triggeredBy: null,
      paramsSummary: parsed.success ? { sheet_id: parsed.data.sourceId, source_id: parsed.data.sourceId, job_id: parsed.data.jobId } : { invalid_params: true },
    };
    return trackedRun(this.env, step, run, async () => {
      const p = parseParams(SheetsResyncSourceParams, event.payload);
      try {
        // each step's wall time (engine included) and database statements, for the run's output
        const stepMs: Record<string, number> = {};
        let statements = 0;
        const timed = async <T extends { statements: number }>(name: string, run: () => Promise<T>): Promise<T> => {
          const t = Date.now();
          const out = await run();
          stepMs[name] = Date.now() - t;
          statements += out.statements;
          return out;
        };
        const { ctx } = await timed(SHEETS_SOURCE_STEPS.open, () => step.do(SHEETS_SOURCE_STEPS.open, DB_STEP, () => openRunStep(this.env, p.jobId)));
        if (!ctx) return { skipped: 'the run or its source no longer exists' };
        const token = await timed(SHEETS_SOURCE_STEPS.token, () => step.do(SHEETS_SOURCE_STEPS.token, GOOGLE_STEP, () => tokenStep(this.env, ctx)));
        const read = await timed(SHEETS_SOURCE_STEPS.read, () => step.do(SHEETS_SOURCE_STEPS.read, GOOGLE_STEP, () => readWorksheetStep(this.env, ctx)));
        const parsedRows = await timed(SHEETS_SOURCE_STEPS.parse, () => step.do(SHEETS_SOURCE_STEPS.parse, DB_STEP, () => parseRowsStep(this.env, ctx)));
        const upserted = await timed(SHEETS_SOURCE_STEPS.upsert, () => step.do(SHEETS_SOURCE_STEPS.upsert, UPSERT_STEP, () => upsertVideosStep(this.env, ctx)));
        // Links this run started tracking get their first fetch from the HIGH_PRIORITY queue within
        // seconds: waiting for it lets this run write their numbers instead of the next one, 4 hours
        // later (a sleeping instance costs nothing). A fetch that is later still lands next run.
        const wait = p.firstStatsWaitSeconds ?? firstStatsWaitSeconds(this.env);
        if (upserted.stats_messages > 0 && wait > 0) await step.sleep(SHEETS_SOURCE_STEPS.wait, wait * 1000);
        const written = await timed(SHEETS_SOURCE_STEPS.write, () => step.do(SHEETS_SOURCE_STEPS.write, GOOGLE_STEP, () => writeStatsStep(this.env, ctx, read)));
        const result: RunResult = {
          rows_read: read.rows_read,
          added: upserted.added,
          already_tracked: upserted.already_tracked,
          duplicates: upserted.duplicates,
          invalid: parsedRows.invalid,
          over_quota: upserted.over_quota,
          cells_written: written.cells_written,
          google_calls: (token.refreshed ? 1 : 0) + read.google_calls + written.google_calls,
          ...(written.tab_rows !== undefined ? { tab_rows: written.tab_rows } : {}),
        };
        await timed(SHEETS_SOURCE_STEPS.record, () => step.do(SHEETS_SOURCE_STEPS.record, DB_STEP, () => recordRunStep(this.env, ctx, result)));
        return { ...result, db_statements: statements, step_ms: stepMs };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await step.do(SHEETS_SOURCE_STEPS.failed, DB_STEP, () => recordFailureStep(this.env, p.jobId, message));
        throw err;
      }
    });
  }
}
