import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from 'cloudflare:workers';
import { NonRetryableError } from 'cloudflare:workflows';
import { z } from 'zod';
import { createSql } from '../db/client';
import { finishJob, jobForWorkflow, markJobFailed, markJobRunning, recordRunProgress, stageRows } from '../db/imports';
import { parseSheet } from '../excel/read-sheet';
import { recordImportFinished } from '../notifications/import-finished';
import { enqueueDueRows } from '../notifications/outbox-events';
import { FileRefused, inspectXlsx } from '../excel/zip-inspect';
import { IMPORT_CHUNK_SIZE, importChunk, type ChunkJob } from '../steps/excel-import';
import { parseParams } from './params';
import { trackedRun } from './tracked-run';
import { checkConfig } from '../env';

export const ExcelImportParams = z.object({
  jobId: z.uuid(),
  organizationId: z.uuid(),
  userId: z.string().nullable(),
  /** rows per chunk step (default 500); smaller chunks are for tests */
  chunkSize: z.number().int().min(1).max(1000).optional(),
});
export type ExcelImportParams = z.infer<typeof ExcelImportParams>;

/** Step names, shared with tests (mockStepError) and visible on /ops. */
export const EXCEL_IMPORT_STEPS = {
  validate: 'validate file',
  stage: 'parse and stage rows',
  chunk: (n: number) => `import rows chunk ${n}`,
  finish: 'finish import',
  failed: 'record import failed',
} as const;

export const excelImportInstanceId = (jobId: string) => `excel-import-${jobId}`;

/**
 * Every step retries quickly: its failures are transient (a dropped database socket, R2) and a
 * user is watching the progress; permanent ones end the run as a refusal, not by retrying.
 */
const STEP_CONFIG = { retries: { limit: 5, delay: '1 second', backoff: 'exponential' }, timeout: '2 minutes' } as const;

type Refusal = { refused: { code: string; reason: string } };
const refusal = (err: unknown): Refusal | null => (err instanceof FileRefused ? { refused: { code: err.code, reason: err.message } } : null);

/** Marks the job failed and writes its `import_finished` notification in one transaction, then enqueues it. */
async function failJob(env: Env, jobId: string, code: string, reason: string): Promise<void> {
  const fanned = (await createSql(env).begin(async (tx) => {
    await markJobFailed(tx, jobId, code, reason);
    return recordImportFinished(tx, jobId);
  })) as Awaited<ReturnType<typeof recordImportFinished>>;
  await enqueueDueRows(env, fanned);
}

/**
 * An uploaded workbook → videos. validate (zip directory and sizes, before inflating anything)
 * → parse and stage every non-empty row in Postgres → one step per chunk of rows (bulk upsert,
 * tags, tracking within quota, errors, counters: one transaction) → finish. A refused file ends
 * the run with the job `failed` and its reason; it is not an error of the run.
 */
export class ExcelImport extends WorkflowEntrypoint<Env, ExcelImportParams> {
  override async run(event: WorkflowEvent<ExcelImportParams>, step: WorkflowStep) {
    checkConfig(this.env);
    const parsed = ExcelImportParams.safeParse(event.payload);
    const record = {
      instanceId: event.instanceId,
      workflow: 'ExcelImport',
      organizationId: parsed.success ? parsed.data.organizationId : null,
      trigger: 'http' as const,
      triggeredBy: parsed.success ? parsed.data.userId : null,
      paramsSummary: parsed.success ? { job_id: parsed.data.jobId } : { invalid_params: true },
    };
    return trackedRun(this.env, step, record, async () => {
      const p = parseParams(ExcelImportParams, event.payload);
      try {
        return await this.body(event.instanceId, p, step);
      } catch (err) {
        // failed for good (a step out of retries): the job says so and its starter hears of it
        const reason = `the import stopped with an error: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500);
        await step.do(EXCEL_IMPORT_STEPS.failed, STEP_CONFIG, async () => {
          await failJob(this.env, p.jobId, 'import_error', reason);
          return null;
        });
        throw err;
      }
    });
  }

  private async body(instanceId: string, p: ExcelImportParams, step: WorkflowStep) {
    const env = this.env;
    const chunkSize = p.chunkSize ?? IMPORT_CHUNK_SIZE;

    const inspected = await step.do(EXCEL_IMPORT_STEPS.validate, STEP_CONFIG, async (): Promise<Refusal | { sheet: string; rows: number; campaignId: string | null; startTracking: boolean }> => {
      const sql = createSql(env);
      const job = await jobForWorkflow(sql, p.jobId);
      if (!job || job.organization_id !== p.organizationId || !job.file_key) throw new NonRetryableError(`import job ${p.jobId} not found`);
      const object = await env.FILES.get(job.file_key);
      if (!object) {
        await failJob(env, p.jobId, 'file_missing', 'the uploaded file is gone: upload it again');
        return { refused: { code: 'file_missing', reason: 'the uploaded file is gone: upload it again' } };
      }
      try {
        const { sheet } = inspectXlsx(new Uint8Array(await object.arrayBuffer()), job.sheet_name);
        return { sheet: sheet.name, rows: sheet.rows, campaignId: job.campaign_id, startTracking: job.start_tracking };
      } catch (err) {
        const r = refusal(err);
        if (!r) throw err;
        await failJob(env, p.jobId, r.refused.code, r.refused.reason);
        return r;
      }
    });
    if ('refused' in inspected) return { job_id: p.jobId, status: 'failed' as const, ...inspected };

    const staged = await step.do(EXCEL_IMPORT_STEPS.stage, STEP_CONFIG, async (): Promise<Refusal | { total: number; headers: ChunkJob['headers']; unknown_columns: string[]; statements: number }> => {
      const sql = createSql(env);
      const job = (await jobForWorkflow(sql, p.jobId))!;
      const object = await env.FILES.get(job.file_key!);
      if (!object) throw new NonRetryableError('the uploaded file disappeared between validation and parsing');
      try {
        const sheet = await parseSheet(new Uint8Array(await object.arrayBuffer()), inspected.sheet);
        const statements = await stageRows(sql, { id: p.jobId, organizationId: p.organizationId }, sheet.rows);
        await markJobRunning(sql, p.jobId, { sheetName: inspected.sheet, totalRows: sheet.rows.length, unknownColumns: sheet.unknownColumns });
        const { platform: _platform, ...headers } = sheet.headers;
        return { total: sheet.rows.length, headers, unknown_columns: sheet.unknownColumns, statements };
      } catch (err) {
        const r = refusal(err);
        if (!r) throw err;
        await failJob(env, p.jobId, r.refused.code, r.refused.reason);
        return r;
      }
    });
    if ('refused' in staged) return { job_id: p.jobId, status: 'failed' as const, ...staged };

    const chunkJob: ChunkJob = { id: p.jobId, organizationId: p.organizationId, createdBy: p.userId, headers: staged.headers, campaignId: inspected.campaignId, startTracking: inspected.startTracking };

    const chunks = Math.ceil(staged.total / chunkSize);
    for (let n = 1; n <= chunks; n++) {
      await step.do(EXCEL_IMPORT_STEPS.chunk(n), STEP_CONFIG, async () => {
        let statements = 0;
        const started = Date.now();
        const sql = createSql(env, { onQuery: () => statements++ });
        const result = await importChunk(sql, env, chunkJob, (n - 1) * chunkSize + 1, n * chunkSize);
        const chunkStatements = statements; // the chunk's own transaction, without the progress update below
        await recordRunProgress(sql, instanceId, { processed: Math.min(n * chunkSize, staged.total), total: staged.total });
        console.log(JSON.stringify({ event: 'excel_import_chunk', job_id: p.jobId, chunk: n, ...result, statements: chunkStatements, ms: Date.now() - started }));
        return { ...result, statements: chunkStatements };
      });
    }

    const counts = await step.do(EXCEL_IMPORT_STEPS.finish, STEP_CONFIG, async () => {
      const { row, fanned } = (await createSql(env).begin(async (tx) => {
        const row = await finishJob(tx, p.jobId);
        return { row, fanned: await recordImportFinished(tx, p.jobId) };
      })) as { row: Awaited<ReturnType<typeof finishJob>>; fanned: Awaited<ReturnType<typeof recordImportFinished>> };
      await enqueueDueRows(env, fanned);
      return row ?? null;
    });
    return { job_id: p.jobId, status: 'completed' as const, ...(counts ?? {}), unknown_columns: staged.unknown_columns };
  }
}
