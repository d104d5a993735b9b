import { NonRetryableError } from 'cloudflare:workflows';
import type { WorkflowStepConfig } from 'cloudflare:workers';
import { createSql, type Db } from '../db/client';
import { expireAccessToken } from '../db/google-sheets';
import {
  failRun,
  finishRun,
  linkStagedTags,
  lockAndRemainingTracked,
  rowStats,
  saveParsedRows,
  stagedRows,
  stageRows,
  startRun,
  upsertStagedVideos,
  type RowStats,
  type RunContext,
  type RunResult,
  type StagedRow,
} from '../db/sheets-resync';
import { googleConfig } from '../google/config';
import { EXPORT_LABELS, ExportConfig, resolveMapping, SourceMapping, type ExportStat } from '../google/mapping';
import { columnLetter, GoogleApiError, quoteSheet, SheetsApi, type WriteRange, type WriteValue } from '../google/sheets-api';
import type { Platform } from '../domain/platforms';
import { parseVideoUrl } from '../platforms/video-url';
import { accessTokenFor, forgetAccessToken } from './google-token';
import { sendStatsFanOut } from './stats-fan-out';

/**
 * Retry policy of steps that call Google: 429 waits long (the per-minute quota refills after a
 * minute), 5xx and network errors back off exponentially; 403/404 are turned into
 * NonRetryableError by the step itself (`googleCall`), so they never come here.
 */
export function googleRetryDelayMs(error: Error | undefined, attempt: number): number {
  const n = Math.max(1, attempt);
  if (error && /Google 429\b/.test(error.message)) return Math.min(60_000 * n, 240_000);
  return Math.min(2_000 * 2 ** (n - 1), 60_000);
}

/** The upsert of a whole worksheet is one transaction: give it room beyond DB_STEP's minute. */
export const UPSERT_STEP: WorkflowStepConfig = {
  retries: { limit: 5, delay: '2 seconds', backoff: 'exponential' },
  timeout: '5 minutes',
};

export const GOOGLE_STEP: WorkflowStepConfig = {
  retries: { limit: 5, delay: ({ ctx, error }) => googleRetryDelayMs(error, ctx.attempt), backoff: 'constant' },
  timeout: '3 minutes', // Google's own request limit is 180 s
};

/** Ends the run for good (no retries): the source is broken or the step can never succeed. */
export class SourceBrokenError extends NonRetryableError {
  constructor(reason: string) {
    super(`source_broken: ${reason}`);
  }
}

/** Google errors → what the engine should do with them. */
async function googleCall<T>(db: Db, integrationId: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GoogleApiError) {
      if (err.sourceBroken) throw new SourceBrokenError(`${what}: ${err.message} (the sheet was deleted or this Google account lost access to it)`);
      if (err.status === 401) {
        // revoked or expired early: forget the cached token, the retry refreshes (or finds invalid_grant)
        forgetAccessToken(integrationId);
        await expireAccessToken(db, integrationId);
      }
      if (!err.retryable) throw new SourceBrokenError(`${what}: ${err.message}`);
    }
    throw err;
  }
}

/** A client per step that counts the statements it sends (each step reports them; the run sums them). */
function meteredSql(env: Env) {
  let n = 0;
  const sql = createSql(env, { onQuery: () => n++ });
  return { sql, statements: () => n };
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));
const nul = (s: string) => s.replace(/\u0000/g, '');

// ---------- steps ----------

export async function openRunStep(env: Env, jobId: string): Promise<{ ctx: RunContext | null; statements: number }> {
  const { sql, statements } = meteredSql(env);
  const ctx = (await startRun(sql, jobId)) ?? null;
  return { ctx, statements: statements() };
}

export async function tokenStep(env: Env, ctx: RunContext) {
  const { sql, statements } = meteredSql(env);
  const t = await accessTokenFor(env, sql, ctx.integration_id);
  // the token itself never leaves this function: step results are visible to operators
  return { expires_at: t.expiresAt.toISOString(), refreshed: t.refreshed, statements: statements() };
}

export interface ReadResult {
  rows_read: number;
  header: string[];
  /** columns used by the widest row (export columns go right of it) */
  width: number;
  google_calls: number;
  statements: number;
}

/** The whole worksheet in ONE values.batchGet; the mapped cells of every non-empty row are staged. */
export async function readWorksheetStep(env: Env, ctx: RunContext): Promise<ReadResult> {
  const { sql, statements } = meteredSql(env);
  const { token } = await accessTokenFor(env, sql, ctx.integration_id);
  const api = new SheetsApi(googleConfig(env).GOOGLE_SHEETS_API_BASE_URL, token);
  const [range] = await googleCall(sql, ctx.integration_id, `reading worksheet '${ctx.sheet_title}'`, () => api.batchGet(ctx.spreadsheet_id, [quoteSheet(ctx.sheet_title)]));
  const values = range?.values ?? [];
  const header = (values[ctx.header_row - 1] ?? []).map((v) => nul(text(v)));
  const mapping = SourceMapping.parse(ctx.column_mapping);
  const resolved = resolveMapping(mapping, header);
  if (!resolved.ok) {
    throw new SourceBrokenError(`row ${ctx.header_row} of '${ctx.sheet_title}' no longer has ${resolved.missing.map((m) => `the ${m.field} column '${m.column}'`).join(', ')}: edit the source's mapping`);
  }
  const c = resolved.columns;
  const rows: StagedRow[] = [];
  let width = header.length;
  for (let i = ctx.header_row; i < values.length; i++) {
    const row = values[i] ?? [];
    width = Math.max(width, row.length);
    const url = nul(text(row[c.url])).trim();
    if (!url) continue; // a blank line is not a link
    const cell = (idx: number | undefined) => (idx === undefined ? null : nul(text(row[idx])).trim() || null);
    rows.push({ row_number: i + 1, url, campaign: cell(c.campaign), tags: cell(c.tags), budget: cell(c.budget) });
  }
  await stageRows(sql, ctx.job_id, rows);
  return { rows_read: rows.length, header, width, google_calls: api.calls, statements: statements() };
}

/** Every staged link through the same URL parser as the dashboard; invalid rows keep their reason. */
export async function parseRowsStep(env: Env, ctx: RunContext) {
  const { sql, statements } = meteredSql(env);
  const rows = await stagedRows(sql, ctx.job_id);
  let invalid = 0;
  const parsed = rows.map((r) => {
    const p = parseVideoUrl(r.url);
    let error = p.ok ? null : p.reason;
    if (!error && r.budget !== null && !/^\s*[0-9]+(\.[0-9]{1,2})?\s*$/.test(r.budget)) error = `budget '${r.budget.slice(0, 50)}' is not an amount like 1200 or 99.50`;
    if (error) invalid++;
    return { row_number: r.row_number, platform: p.ok && !error ? p.platform : null, external_video_id: p.ok && !error ? p.externalVideoId : null, canonical_url: p.ok && !error ? p.canonicalUrl : null, error };
  });
  await saveParsedRows(sql, ctx.job_id, parsed);
  return { valid: rows.length - invalid, invalid, statements: statements() };
}

/** One transaction: the quota lock, then one statement for every row's video; new tracked videos get their first fetch. */
export async function upsertVideosStep(env: Env, ctx: RunContext) {
  const { sql, statements } = meteredSql(env);
  const { counts, started } = await sql.begin(async (tx) => {
    const remaining = await lockAndRemainingTracked(tx, ctx.organization_id);
    const result = await upsertStagedVideos(tx, { jobId: ctx.job_id, organizationId: ctx.organization_id, createdBy: ctx.created_by, remaining });
    if (ctx.column_mapping.tags) await linkStagedTags(tx, ctx.job_id, ctx.organization_id);
    return result;
  });
  // Videos this run started tracking are fetched now (high priority: someone is waiting for the
  // numbers). A retried step inserts nothing twice, so it sends nothing twice.
  const fanOut = started.length
    ? await sendStatsFanOut(env.HIGH_PRIORITY, {
        priority: 'high',
        requestId: `sheets-${ctx.job_id}`,
        fetchKey: `sheets-${ctx.job_id}`,
        videos: started.map((v) => ({ videoId: v.id, organizationId: ctx.organization_id, platform: v.platform as Platform, externalVideoId: v.external_video_id, videoUrl: v.video_url, userId: ctx.created_by })),
      })
    : { messages: 0 };
  return { ...counts, stats_messages: fanOut.messages, statements: statements() };
}

// ---------- write back ----------

/** Google recommends ≤ 2 MB per request; we keep a margin for the JSON around the values. */
export const MAX_REQUEST_BYTES = 1_800_000;

const num = (v: string | null) => (v === null ? '' : Number(v));
function cellFor(stat: ExportStat, r: RowStats): WriteValue {
  if (r.error) return stat === 'status' ? `invalid link: ${r.error}` : null;
  if (!r.video_id) return null;
  if (stat === 'status') return r.outcome === 'over_quota' ? 'not tracked: tracked-videos limit reached' : (r.video_status ?? '');
  if (stat === 'title') return r.title ?? '';
  if (stat === 'author') return r.author_username ?? '';
  if (stat === 'last_updated') return r.stats_updated_at ? `${r.stats_updated_at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '';
  if (stat === 'er') {
    const views = Number(r.views ?? 0);
    if (r.views === null || views === 0) return '';
    return Math.round(((Number(r.likes) + Number(r.comments) + Number(r.reposts) + Number(r.saves)) / views) * 10000) / 100;
  }
  if (stat === 'views_24h') return r.views === null || r.views_24h_ago === null ? '' : Number(r.views) - Number(r.views_24h_ago);
  if (stat === 'views_7d') return r.views === null || r.views_7d_ago === null ? '' : Number(r.views) - Number(r.views_7d_ago);
  return num(r[stat]);
}

const bytesOf = (v: unknown) => new TextEncoder().encode(JSON.stringify(v)).byteLength;

/**
 * Value ranges → batchUpdate request bodies of ≤ MAX_REQUEST_BYTES. A range too big alone is
 * split by rows first (`splitRange`), so every request fits.
 */
export function packRequests(ranges: WriteRange[]): WriteRange[][] {
  const requests: WriteRange[][] = [];
  let current: WriteRange[] = [];
  let size = 0;
  for (const r of ranges) {
    const b = bytesOf(r) + 1;
    if (current.length && size + b > MAX_REQUEST_BYTES) {
      requests.push(current);
      current = [];
      size = 0;
    }
    current.push(r);
    size += b;
  }
  if (current.length) requests.push(current);
  return requests;
}

/** A block of rows starting at `firstRow` (1-based) as ranges of ≤ MAX_REQUEST_BYTES each. */
export function splitRange(sheet: string, col: number, firstRow: number, rows: WriteValue[][]): WriteRange[] {
  const out: WriteRange[] = [];
  const width = Math.max(1, ...rows.map((r) => r.length));
  let start = 0;
  let size = 0;
  for (let i = 0; i <= rows.length; i++) {
    const b = i < rows.length ? bytesOf(rows[i]) + 1 : 0;
    if (i === rows.length || (i > start && size + b > MAX_REQUEST_BYTES - 1000)) {
      if (i > start) out.push({ range: `${quoteSheet(sheet)}!${columnLetter(col)}${firstRow + start}:${columnLetter(col + width - 1)}${firstRow + i - 1}`, values: rows.slice(start, i) });
      start = i;
      size = 0;
    }
    size += b;
  }
  return out;
}

/**
 * Stats next to each link, matched by the row the link is on NOW (read by this run), never by
 * where it was last time: a sorted or edited sheet still gets every number on its own row.
 * RAW input: strings stay text, so creator titles can never become formulas.
 */
export function planWriteBack(ctx: Pick<RunContext, 'sheet_title' | 'header_row' | 'export_config' | 'previous_tab_rows'>, read: Pick<ReadResult, 'header' | 'width'>, rows: RowStats[]): { ranges: WriteRange[]; tabRows?: number } {
  const cfg = ExportConfig.parse(ctx.export_config);
  const labels = cfg.stats.map((s) => EXPORT_LABELS[s]);
  if (cfg.target === 'tab') {
    const seen = new Set<string>();
    const lines: WriteValue[][] = [['Video URL', ...labels]];
    for (const r of rows) {
      if (!r.video_id || seen.has(r.video_id)) continue;
      seen.add(r.video_id);
      lines.push([r.url ?? '', ...cfg.stats.map((s) => cellFor(s, r) ?? '')]);
    }
    // rows the previous run wrote below the new end are blanked
    for (let i = lines.length; i < ctx.previous_tab_rows; i++) lines.push(Array(labels.length + 1).fill(''));
    return { ranges: splitRange(cfg.tab_title!, 0, 1, lines), tabRows: Math.max(lines.length, 1) };
  }
  // columns: find each stat's header; missing ones are added right of the data
  const norm = (s: string) => s.trim().toLowerCase();
  let next = Math.max(read.width, read.header.length);
  const colOf = new Map<ExportStat, number>();
  const newHeaders: { col: number; label: string }[] = [];
  for (const s of cfg.stats) {
    const at = read.header.findIndex((h) => norm(h) === norm(EXPORT_LABELS[s]));
    if (at >= 0) colOf.set(s, at);
    else {
      colOf.set(s, next);
      newHeaders.push({ col: next, label: EXPORT_LABELS[s] });
      next++;
    }
  }
  const cols = [...colOf.values()];
  const c0 = Math.min(...cols);
  const c1 = Math.max(...cols);
  const ranges: WriteRange[] = [];
  if (newHeaders.length) {
    const line: WriteValue[] = Array(c1 - c0 + 1).fill(null);
    for (const h of newHeaders) line[h.col - c0] = h.label;
    ranges.push(...splitRange(ctx.sheet_title, c0, ctx.header_row, [line]));
  }
  const targets = rows.filter((r) => r.video_id || r.error);
  if (targets.length) {
    const first = targets[0]!.row_number;
    const last = targets.at(-1)!.row_number;
    const block: WriteValue[][] = Array.from({ length: last - first + 1 }, () => Array(c1 - c0 + 1).fill(null));
    for (const r of targets) {
      const line = block[r.row_number - first]!;
      for (const s of cfg.stats) line[colOf.get(s)! - c0] = cellFor(s, r);
    }
    ranges.push(...splitRange(ctx.sheet_title, c0, first, block));
  }
  return { ranges };
}

export async function writeStatsStep(env: Env, ctx: RunContext, read: Pick<ReadResult, 'header' | 'width'>) {
  const { sql, statements } = meteredSql(env);
  const rows = await rowStats(sql, ctx.job_id, ctx.organization_id);
  const plan = planWriteBack(ctx, read, rows);
  if (plan.ranges.length === 0) return { cells_written: 0, google_calls: 0, requests: 0, tab_rows: plan.tabRows, statements: statements() };
  const { token } = await accessTokenFor(env, sql, ctx.integration_id);
  const api = new SheetsApi(googleConfig(env).GOOGLE_SHEETS_API_BASE_URL, token);
  let cells = 0;
  const requests = packRequests(plan.ranges);
  // Writing the same values twice is harmless, so a retried step simply writes again.
  for (const data of requests) {
    const res = await googleCall(sql, ctx.integration_id, `writing stats to '${ctx.sheet_title}'`, () => api.batchUpdate(ctx.spreadsheet_id, data));
    cells += res.totalUpdatedCells;
  }
  return { cells_written: cells, google_calls: api.calls, requests: requests.length, tab_rows: plan.tabRows, statements: statements() };
}

export async function recordRunStep(env: Env, ctx: RunContext, result: RunResult) {
  const { sql, statements } = meteredSql(env);
  await finishRun(sql, ctx.job_id, result);
  return { statements: statements() };
}

export async function recordFailureStep(env: Env, jobId: string, message: string) {
  await failRun(createSql(env), jobId, message, /source_broken:/.test(message));
  return null;
}
