import { jsonb, type Db } from './client';
import type { StagedRow, ParsedProblem } from '../excel/read-sheet';
import type { Platform } from './videos';

export type ImportStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface ImportJobRow {
  id: string;
  organization_id: string;
  source: string;
  status: ImportStatus;
  file_name: string | null;
  file_size: string | null;
  file_key: string | null;
  sheet_name: string | null;
  campaign_id: string | null;
  start_tracking: boolean;
  total_rows: number | null;
  processed_rows: number;
  added: number;
  already_present: number;
  invalid: number;
  over_quota: number;
  unknown_columns: string[];
  failure_code: string | null;
  failure_reason: string | null;
  workflow_instance_id: string | null;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  finished_at: Date | null;
}

const JOB_COLUMNS = (db: Db) => db`
  id, organization_id, source, status, file_name, file_size, file_key, sheet_name, campaign_id, start_tracking,
  total_rows, processed_rows, added, already_present, invalid, over_quota, unknown_columns, failure_code,
  failure_reason, workflow_instance_id, created_by, created_at, updated_at, finished_at`;

export const importFileKey = (organizationId: string, jobId: string) => `orgs/${organizationId}/imports/${jobId}.xlsx`;

export interface NewExcelJob {
  id: string;
  organizationId: string;
  fileName: string | null;
  fileSize: number;
  sheetName: string | null;
  campaignId: string | null;
  startTracking: boolean;
  createdBy: string;
  workflowInstanceId: string;
}

export async function insertExcelJob(db: Db, j: NewExcelJob): Promise<void> {
  await db`
    insert into public.import_jobs (id, organization_id, source, status, file_key, file_name, file_size, sheet_name, campaign_id,
                                    start_tracking, created_by, workflow_instance_id)
    values (${j.id}, ${j.organizationId}, 'excel', 'pending', ${importFileKey(j.organizationId, j.id)}, ${j.fileName}, ${j.fileSize},
            ${j.sheetName}, ${j.campaignId}, ${j.startTracking}, ${j.createdBy}, ${j.workflowInstanceId})`;
}

export async function findJob(db: Db, organizationId: string, jobId: string): Promise<ImportJobRow | undefined> {
  const [row] = await db<ImportJobRow[]>`select ${JOB_COLUMNS(db)} from public.import_jobs where organization_id = ${organizationId} and id = ${jobId}`;
  return row;
}

export async function listJobs(db: Db, organizationId: string, f: { afterId?: string; limit: number }): Promise<ImportJobRow[]> {
  return db<ImportJobRow[]>`
    select ${JOB_COLUMNS(db)} from public.import_jobs j
    where j.organization_id = ${organizationId}
      ${f.afterId ? db`and (j.created_at, j.id) < (select c.created_at, c.id from public.import_jobs c where c.id = ${f.afterId} and c.organization_id = ${organizationId})` : db``}
    order by j.created_at desc, j.id desc
    limit ${f.limit}`;
}

export interface ImportErrorRow {
  row_number: number;
  column_name: string;
  code: string;
  reason: string;
}

export async function listErrors(db: Db, organizationId: string, jobId: string, f: { after?: { row: number; column: string }; limit: number }): Promise<ImportErrorRow[]> {
  return db<ImportErrorRow[]>`
    select row_number, column_name, code, reason from public.import_job_errors
    where organization_id = ${organizationId} and job_id = ${jobId}
      ${f.after ? db`and (row_number, column_name) > (${f.after.row}, ${f.after.column})` : db``}
    order by row_number, column_name
    limit ${f.limit}`;
}

// ---- the workflow's writes (service role) ---------------------------------------------------------

export async function jobForWorkflow(db: Db, jobId: string): Promise<ImportJobRow | undefined> {
  const [row] = await db<ImportJobRow[]>`select ${JOB_COLUMNS(db)} from public.import_jobs where id = ${jobId}`;
  return row;
}

/** The file was refused as a whole; rows already imported stay (a refusal only ever comes first). */
export async function markJobFailed(db: Db, jobId: string, code: string, reason: string): Promise<void> {
  await db`
    update public.import_jobs set status = 'failed', failure_code = ${code}, failure_reason = ${reason},
      finished_at = coalesce(finished_at, now())
    where id = ${jobId}`;
}

export async function markJobRunning(db: Db, jobId: string, fields: { sheetName: string; totalRows: number; unknownColumns: string[] }): Promise<void> {
  await db`
    update public.import_jobs set status = 'running', sheet_name = ${fields.sheetName}, total_rows = ${fields.totalRows},
      unknown_columns = ${jsonb(fields.unknownColumns)}::text::jsonb
    where id = ${jobId} and status in ('pending', 'running')`;
}

/** Stages rows in statements of ≤ 1000 rows; a rerun of the step inserts nothing twice. Returns statements sent. */
export async function stageRows(db: Db, job: { id: string; organizationId: string }, rows: StagedRow[]): Promise<number> {
  let statements = 0;
  for (let i = 0; i < rows.length; i += 1000) {
    await db`
      insert into public.import_job_rows (job_id, organization_id, row_number, seq, url, campaign, tags, budget, notes, parse_problems)
      select ${job.id}, ${job.organizationId}, row_number, seq, url, campaign, tags, budget, notes, parse_problems
      from jsonb_to_recordset(${jsonb(rows.slice(i, i + 1000))}::text::jsonb)
        as x(row_number int, seq int, url text, campaign text, tags text, budget text, notes text, parse_problems jsonb)
      on conflict (job_id, row_number) do nothing`;
    statements++;
  }
  return statements;
}

export interface ChunkRow {
  row_number: number;
  seq: number;
  url: string | null;
  campaign: string | null;
  tags: string | null;
  budget: string | null;
  notes: string | null;
  parse_problems: ParsedProblem[];
}

/** The chunk's rows not imported yet, locked so a concurrent retry of the same step waits. */
export async function pendingChunkRows(db: Db, jobId: string, seqFrom: number, seqTo: number): Promise<ChunkRow[]> {
  return db<ChunkRow[]>`
    select row_number, seq, url, campaign, tags, budget, notes, parse_problems from public.import_job_rows
    where job_id = ${jobId} and seq between ${seqFrom} and ${seqTo} and outcome is null
    order by seq
    for update`;
}

/** Campaign names (case-insensitive) → ids in the organization. */
export async function campaignIdsByName(db: Db, organizationId: string, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  const rows = await db<{ key: string; id: string }[]>`
    select lower(c.name) as key, c.id from public.campaigns c
    where c.organization_id = ${organizationId}
      and lower(c.name) in (select lower(x) from jsonb_array_elements_text(${jsonb(names)}::text::jsonb) x)`;
  return new Map(rows.map((r) => [r.key, r.id]));
}

export interface VideoToUpsert {
  seq: number;
  platform: Platform;
  external_video_id: string;
  video_url: string;
  initial_url: string;
  campaign_id: string | null;
  budget: number | null;
  notes: string | null;
}

export interface UpsertedVideo {
  seq: number;
  id: string;
  created: boolean;
  video_status: 'tracking' | 'stopped' | 'deleted';
  platform: Platform;
  external_video_id: string;
  video_url: string;
  /** the earliest earlier row of this job that already brought this video (a duplicate link) */
  duplicate_of: number | null;
}

/**
 * Inserts the chunk's videos (one per distinct link) and fills campaign, budget and notes of
 * videos the organization already had where they are empty; answers every row's video.
 * Three statements whatever the chunk size.
 */
export async function upsertVideos(db: Db, organizationId: string, jobId: string, createdBy: string | null, rows: VideoToUpsert[]): Promise<UpsertedVideo[]> {
  if (rows.length === 0) return [];
  const payload = jsonb(rows);
  const inserted = await db<{ id: string }[]>`
    insert into public.videos (organization_id, platform, external_video_id, video_url, initial_url, campaign_id, budget, notes, created_by, source)
    select distinct on (x.platform, x.external_video_id)
      ${organizationId}, x.platform::public.platform, x.external_video_id, x.video_url, x.initial_url, x.campaign_id, x.budget, x.notes, ${createdBy}, 'excel_import'
    from jsonb_to_recordset(${payload}::text::jsonb)
      as x(seq int, platform text, external_video_id text, video_url text, initial_url text, campaign_id uuid, budget numeric, notes text)
    order by x.platform, x.external_video_id, x.seq
    on conflict (organization_id, platform, external_video_id) do nothing
    returning id`;
  const createdIds = new Set(inserted.map((r) => r.id));
  // videos that were there before: an import names their campaign, and fills budget and notes only where empty
  await db`
    update public.videos v set
      campaign_id = coalesce(x.campaign_id, v.campaign_id),
      budget = coalesce(v.budget, x.budget),
      notes = coalesce(v.notes, x.notes)
    from (select distinct on (platform, external_video_id) * from jsonb_to_recordset(${payload}::text::jsonb)
            as r(seq int, platform text, external_video_id text, campaign_id uuid, budget numeric, notes text)
          order by platform, external_video_id, seq) x
    where v.organization_id = ${organizationId} and v.platform = x.platform::public.platform and v.external_video_id = x.external_video_id
      and not (v.id = any (select (e)::uuid from jsonb_array_elements_text(${jsonb([...createdIds])}::text::jsonb) e))
      and (x.campaign_id is not null and v.campaign_id is distinct from x.campaign_id
           or v.budget is null and x.budget is not null or v.notes is null and x.notes is not null)`;
  const found = await db<{ seq: number; id: string; video_status: UpsertedVideo['video_status']; platform: Platform; external_video_id: string; video_url: string; duplicate_of: number | null }[]>`
    select x.seq, v.id, v.video_status, v.platform, v.external_video_id, v.video_url,
      (select min(s.row_number) from public.import_job_rows s where s.job_id = ${jobId} and s.video_id = v.id and s.outcome is not null) as duplicate_of
    from jsonb_to_recordset(${payload}::text::jsonb) as x(seq int, platform text, external_video_id text)
    join public.videos v on v.organization_id = ${organizationId} and v.platform = x.platform::public.platform and v.external_video_id = x.external_video_id`;
  return found.map((r) => ({ ...r, created: createdIds.has(r.id) }));
}

/** Links tags by name to videos, creating missing tags (two statements, both idempotent). */
export async function linkVideoTags(db: Db, organizationId: string, pairs: { video_id: string; name: string }[]): Promise<void> {
  if (pairs.length === 0) return;
  const payload = jsonb(pairs);
  await db`
    insert into public.tags (organization_id, name)
    select distinct ${organizationId}::uuid, x.name from jsonb_to_recordset(${payload}::text::jsonb) as x(video_id uuid, name text)
    on conflict (organization_id, name) do nothing`;
  await db`
    insert into public.video_tags (organization_id, video_id, tag_id)
    select distinct ${organizationId}::uuid, x.video_id, t.id
    from jsonb_to_recordset(${payload}::text::jsonb) as x(video_id uuid, name text)
    join public.tags t on t.organization_id = ${organizationId} and t.name = x.name
    on conflict do nothing`;
}

/** Starts tracking these videos (not yet tracking); answers the rows it changed. */
export async function startTrackingVideos(db: Db, organizationId: string, videoIds: string[]) {
  if (videoIds.length === 0) return [];
  return db<{ id: string; platform: Platform; external_video_id: string; video_url: string }[]>`
    update public.videos set video_status = 'tracking', tracking_started_at = coalesce(tracking_started_at, now()), deleted_at = null
    where organization_id = ${organizationId} and video_status <> 'tracking' and platform <> 'Other'
      and id in (select x::uuid from jsonb_array_elements_text(${jsonb(videoIds)}::text::jsonb) x)
    returning id, platform, external_video_id, video_url`;
}

export interface RowOutcome {
  row_number: number;
  outcome: 'added' | 'already_present' | 'duplicate' | 'invalid';
  video_id: string | null;
  over_quota: boolean;
}

export interface RowError {
  row_number: number;
  column_name: string;
  code: string;
  reason: string;
}

/** Records the chunk's outcomes, errors and counters (three statements, in the chunk's transaction). */
export async function recordChunk(db: Db, job: { id: string; organizationId: string }, outcomes: RowOutcome[], errors: RowError[]): Promise<void> {
  if (outcomes.length === 0) return;
  await db`
    update public.import_job_rows r set outcome = x.outcome, video_id = x.video_id, over_quota = x.over_quota
    from jsonb_to_recordset(${jsonb(outcomes)}::text::jsonb) as x(row_number int, outcome text, video_id uuid, over_quota boolean)
    where r.job_id = ${job.id} and r.row_number = x.row_number`;
  if (errors.length > 0) {
    await db`
      insert into public.import_job_errors (job_id, organization_id, row_number, column_name, code, reason)
      select ${job.id}, ${job.organizationId}, row_number, column_name, code, reason
      from jsonb_to_recordset(${jsonb(errors)}::text::jsonb) as x(row_number int, column_name text, code text, reason text)
      on conflict do nothing`;
  }
  const count = (o: RowOutcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
  const added = count('added');
  const present = count('already_present') + count('duplicate');
  const invalid = count('invalid');
  const overQuota = outcomes.filter((x) => x.over_quota).length;
  await db`
    update public.import_jobs set
      processed_rows = processed_rows + ${outcomes.length}, added = added + ${added}, inserted = inserted + ${added},
      already_present = already_present + ${present}, invalid = invalid + ${invalid}, failed_rows = failed_rows + ${invalid},
      over_quota = over_quota + ${overQuota}
    where id = ${job.id}`;
}

export async function finishJob(db: Db, jobId: string) {
  const [row] = await db<Pick<ImportJobRow, 'total_rows' | 'processed_rows' | 'added' | 'already_present' | 'invalid' | 'over_quota'>[]>`
    update public.import_jobs set status = 'completed', finished_at = coalesce(finished_at, now())
    where id = ${jobId} and status <> 'failed'
    returning total_rows, processed_rows, added, already_present, invalid, over_quota`;
  return row;
}

/** Shows an import's progress on /ops next to the run. */
export async function recordRunProgress(db: Db, instanceId: string, progress: { processed: number; total: number }): Promise<void> {
  await db`
    update public.workflow_runs set params_summary = params_summary || ${jsonb({ progress })}::text::jsonb
    where instance_id = ${instanceId}`;
}
