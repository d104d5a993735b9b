import type { Platform } from '../domain/platforms';
import { parseVideoUrl } from '../platforms/video-url';
import { effectiveLimits, lockOrganizationQuota, usageOf } from '../db/limits';
import {
  campaignIdsByName, linkVideoTags, pendingChunkRows, recordChunk, startTrackingVideos, upsertVideos,
  type ChunkRow, type RowError, type RowOutcome, type VideoToUpsert,
} from '../db/imports';
import type { Db, Sql } from '../db/client';
import { buildVideoBatchMessages, chunkForSendBatch } from './stats-fan-out';

export const IMPORT_CHUNK_SIZE = 500;

export interface ChunkJob {
  id: string;
  organizationId: string;
  campaignId: string | null;
  startTracking: boolean;
  createdBy: string | null;
  /** header text per column, for error messages */
  headers: Partial<Record<'url' | 'campaign' | 'tags' | 'budget' | 'notes', string>>;
}

export interface ChunkResult {
  rows: number;
  added: number;
  already_present: number;
  invalid: number;
  over_quota: number;
  tracking_started: number;
}

/** "1 200,50" / "1,200.50" / "€300" → 1200.5; anything else → null. */
export function parseBudget(text: string): number | null {
  let t = text.replace(/[\s\u00a0$€£₽]/g, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) t = t.replace(/,/g, '');
  else if (/^\d+,\d{1,2}$/.test(t)) t = t.replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) && n < 1e12 ? Math.round(n * 100) / 100 : null;
}

export const splitTags = (text: string) => [...new Set(text.split(/[,;\n]/).map((t) => t.trim()).filter(Boolean))];

/**
 * Imports one chunk of staged rows in ONE transaction: validates each row, upserts the chunk's
 * videos in bulk, links tags, starts tracking within the plan's quota, then records outcomes,
 * errors and counters and queues the first stats fetch. A retry after a crash finds the chunk's
 * rows already carrying an outcome and writes nothing twice; a crash before commit leaves none.
 */
export async function importChunk(sql: Sql, env: Env, job: ChunkJob, seqFrom: number, seqTo: number): Promise<ChunkResult> {
  return (await sql.begin(async (tx) => {
    const rows = await pendingChunkRows(tx, job.id, seqFrom, seqTo);
    const result: ChunkResult = { rows: rows.length, added: 0, already_present: 0, invalid: 0, over_quota: 0, tracking_started: 0 };
    if (rows.length === 0) return result;

    const errors: RowError[] = [];
    const outcomes = new Map<number, RowOutcome>();
    const campaigns = await campaignIdsByName(tx, job.organizationId, [...new Set(rows.flatMap((r) => (r.campaign ? [r.campaign] : [])))]);
    const valid: { row: ChunkRow; video: VideoToUpsert; tags: string[] }[] = [];
    for (const row of rows) {
      const rowErrors = validateRow(row, job, campaigns);
      if ('errors' in rowErrors) {
        errors.push(...rowErrors.errors);
        outcomes.set(row.row_number, { row_number: row.row_number, outcome: 'invalid', video_id: null, over_quota: false });
      } else valid.push(rowErrors);
    }

    const upserted = await upsertVideos(tx, job.organizationId, job.id, job.createdBy, valid.map((v) => v.video));
    const bySeq = new Map(upserted.map((u) => [u.seq, u]));
    const firstRowOfVideo = new Map<string, number>();
    for (const { row } of valid) {
      const u = bySeq.get(row.seq)!;
      const earlier = u.duplicate_of ?? firstRowOfVideo.get(u.id);
      if (earlier !== undefined) {
        errors.push({ row_number: row.row_number, column_name: job.headers.url ?? 'URL', code: 'duplicate_in_file', reason: `the same video as row ${earlier}: imported once` });
        outcomes.set(row.row_number, { row_number: row.row_number, outcome: 'duplicate', video_id: u.id, over_quota: false });
        continue;
      }
      firstRowOfVideo.set(u.id, row.row_number);
      outcomes.set(row.row_number, { row_number: row.row_number, outcome: u.created ? 'added' : 'already_present', video_id: u.id, over_quota: false });
    }
    // a duplicate row adds nothing: the first occurrence of a link brings its tags
    const firstRows = valid.filter(({ row }) => outcomes.get(row.row_number)!.outcome !== 'duplicate');
    await linkVideoTags(tx, job.organizationId, firstRows.flatMap(({ row, tags }) => tags.map((name) => ({ video_id: bySeq.get(row.seq)!.id, name }))));

    let tracked: Awaited<ReturnType<typeof startTrackingVideos>> = [];
    if (job.startTracking) {
      // first rows first: the rows past the quota keep their video, untracked, and are reported
      const candidates = valid.map(({ row }) => ({ row, u: bySeq.get(row.seq)! })).filter(({ row, u }) => u.video_status !== 'tracking' && firstRowOfVideo.get(u.id) === row.row_number);
      if (candidates.length > 0) {
        await lockOrganizationQuota(tx, job.organizationId);
        const max = (await effectiveLimits(tx, job.organizationId))?.limits.max_tracked_videos ?? null;
        const room = max === null ? candidates.length : Math.max(0, max - (await usageOf(tx, job.organizationId, 'max_tracked_videos')));
        tracked = await startTrackingVideos(tx, job.organizationId, candidates.slice(0, room).map((c) => c.u.id));
        for (const { row, u } of candidates.slice(room)) {
          outcomes.get(row.row_number)!.over_quota = true;
          errors.push({ row_number: row.row_number, column_name: job.headers.url ?? 'URL', code: 'over_quota', reason: `saved but not tracked: the plan's limit of ${max} tracked videos is reached` });
          void u;
        }
      }
    }

    const list = [...outcomes.values()];
    await recordChunk(tx, job, list, errors);

    // The first stats fetch of the videos just tracked. Sent before commit: if the commit fails the
    // step reruns and sends again, and the fetch key makes the second copy write no snapshot.
    const messages = buildVideoBatchMessages(
      tracked.filter((t) => t.platform !== 'Other').map((t) => ({ videoId: t.id, organizationId: job.organizationId, platform: t.platform as Platform, externalVideoId: t.external_video_id, videoUrl: t.video_url, userId: job.createdBy })),
      { priority: 'high', requestId: `import-${job.id}-${seqFrom}`, fetchKey: `import-${job.id}-${seqFrom}` },
    );
    for (const batch of chunkForSendBatch(messages)) await env.HIGH_PRIORITY.sendBatch(batch.map((body) => ({ body, contentType: 'json' as const })));

    result.added = list.filter((o) => o.outcome === 'added').length;
    result.already_present = list.filter((o) => o.outcome === 'already_present' || o.outcome === 'duplicate').length;
    result.invalid = list.filter((o) => o.outcome === 'invalid').length;
    result.over_quota = list.filter((o) => o.over_quota).length;
    result.tracking_started = tracked.length;
    return result;
  })) as ChunkResult;
}

function validateRow(row: ChunkRow, job: ChunkJob, campaigns: Map<string, string>): { errors: RowError[] } | { row: ChunkRow; video: VideoToUpsert; tags: string[] } {
  const errors: RowError[] = row.parse_problems.map((p) => ({ row_number: row.row_number, column_name: p.column, code: p.code, reason: p.reason }));
  const col = (c: keyof ChunkJob['headers']) => job.headers[c] ?? c;
  let parsed: ReturnType<typeof parseVideoUrl> | null = null;
  if (!row.parse_problems.some((p) => p.column === col('url'))) {
    if (row.url === null) errors.push({ row_number: row.row_number, column_name: col('url'), code: 'missing_url', reason: 'the row has no link' });
    else {
      parsed = parseVideoUrl(row.url);
      if (!parsed.ok) errors.push({ row_number: row.row_number, column_name: col('url'), code: 'unsupported_url', reason: parsed.reason });
    }
  }
  let budget: number | null = null;
  if (row.budget !== null) {
    budget = parseBudget(row.budget);
    if (budget === null) errors.push({ row_number: row.row_number, column_name: col('budget'), code: 'invalid_budget', reason: `"${row.budget.slice(0, 40)}" is not an amount (a number ≥ 0, e.g. 1200.50)` });
  }
  let campaignId = job.campaignId;
  if (row.campaign !== null) {
    campaignId = campaigns.get(row.campaign.toLowerCase()) ?? null;
    if (campaignId === null) errors.push({ row_number: row.row_number, column_name: col('campaign'), code: 'unknown_campaign', reason: `no campaign named "${row.campaign.slice(0, 80)}" in this organization` });
  }
  const tags = row.tags === null ? [] : splitTags(row.tags);
  if (tags.length > 20 || tags.some((t) => t.length > 64)) errors.push({ row_number: row.row_number, column_name: col('tags'), code: 'invalid_tags', reason: 'at most 20 tags of up to 64 characters, separated by commas' });
  if (errors.length > 0 || !parsed || !parsed.ok) return { errors };
  return {
    row,
    tags,
    video: { seq: row.seq, platform: parsed.platform, external_video_id: parsed.externalVideoId, video_url: parsed.canonicalUrl, initial_url: row.url!, campaign_id: campaignId, budget, notes: row.notes },
  };
}

export type { Db };
