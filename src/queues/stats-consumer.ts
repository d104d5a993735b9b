import { createSql } from '../db/client';
import { freshVideos, videoKey } from '../db/freshness';
import { writeStatsBatch } from '../db/statistics';
import { freshnessMinutes } from '../steps/freshness';
import { isRetryable, PlatformError, retryDelayMs } from '../platforms';
import { adaptersFromEnv, fetchStats, type AdapterFactory, type StatsRequest } from '../steps/fetch-stats';
import { PLATFORM_BY_LOWERCASE } from '../domain/platforms';
import { StatsMessage, type DeadLetter } from '../domain/stats-messages';
import { alertAfterStatsBatch } from '../notifications/alerts';

export interface StatsBatchOutcome {
  acked: number;
  retried: number;
  dead_lettered: number;
  snapshots_inserted: number;
  videos_updated: number;
  videos_marked_deleted: number;
  /** videos not fetched because another path fetched them within the freshness window (steps/freshness) */
  skipped_fresh: number;
  /** statements sent to Postgres for the whole batch (constant, whatever the batch size) */
  db_round_trips: number;
  /** wall time of the freshness check, the platform calls and the database write, for the benchmark's breakdown */
  freshness_ms: number;
  fetch_ms: number;
  write_ms: number;
  /** alert evaluation right after the write (src/notifications/alerts.ts): rows written, wall time */
  outbox_rows?: number;
  alert_ms?: number;
}

function toRequests(messageId: string, body: StatsMessage): StatsRequest[] {
  if (body.type === 'single_video') {
    return [{
      owner: messageId,
      fetchKey: messageId,
      organizationId: body.video.organization_id,
      platform: body.video.platform,
      externalVideoId: body.video.external_video_id,
      videoUrl: body.video.video_url,
      ignoreFreshness: body.ignoreFreshness,
    }];
  }
  return body.videos.map((v) => ({
    owner: messageId,
    fetchKey: body.fetchKey ?? messageId,
    organizationId: v.organizationId,
    platform: PLATFORM_BY_LOWERCASE[body.platform],
    externalVideoId: v.externalVideoId,
    videoUrl: v.videoUrl,
    ignoreFreshness: body.ignoreFreshness,
  }));
}

function deadLetter(queue: string, msg: Message<unknown>, code: string, reason: string): DeadLetter {
  return { kind: 'dead_letter', queue, reason, error_code: code, attempts: msg.attempts, original: msg.body, failed_at: new Date().toISOString() };
}

/** Seconds before a failed message is tried again: the platform's hint, else the call policy's backoff. */
export function retryDelaySeconds(err: unknown, attempts: number): number {
  if (err instanceof PlatformError && err.retryAfterSeconds) return Math.ceil(err.retryAfterSeconds);
  return Math.ceil(retryDelayMs(Math.max(0, attempts - 1)) / 1000);
}

/**
 * The HIGH_PRIORITY and LOW_PRIORITY consumer: fetch every message's stats in platform-sized
 * calls, then write the whole delivered batch in one statement, then settle each message:
 * ack, retry with a delay (rate limits, transient errors), or dead-letter (permanent errors).
 */
export async function consumeStatsBatch(batch: MessageBatch<unknown>, env: Env, adapterFor: AdapterFactory = adaptersFromEnv(env)): Promise<StatsBatchOutcome> {
  const outcome: StatsBatchOutcome = { acked: 0, retried: 0, dead_lettered: 0, snapshots_inserted: 0, videos_updated: 0, videos_marked_deleted: 0, skipped_fresh: 0, db_round_trips: 0, freshness_ms: 0, fetch_ms: 0, write_ms: 0 };
  const dead: DeadLetter[] = [];
  const valid: Message<unknown>[] = [];
  const requests: StatsRequest[] = [];
  for (const msg of batch.messages) {
    const parsed = StatsMessage.safeParse(msg.body);
    if (!parsed.success) {
      dead.push(deadLetter(batch.queue, msg, 'invalid_message', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
      continue;
    }
    valid.push(msg);
    requests.push(...toRequests(msg.id, parsed.data));
  }

  const db = createSql(env, { onQuery: () => outcome.db_round_trips++ });
  // Fetched by another path minutes ago (a start-tracking message, a blogger fetch): no call, ack.
  const checked = Date.now();
  const fresh = await freshVideos(db, requests, freshnessMinutes(env));
  outcome.freshness_ms = Date.now() - checked;
  const toFetch = fresh.size === 0 ? requests : requests.filter((r) => r.ignoreFreshness || !fresh.has(videoKey(r)));
  outcome.skipped_fresh = requests.length - toFetch.length;

  const started = Date.now();
  const fetched = await fetchStats(toFetch, adapterFor);
  const fetchedAt = Date.now();
  const { videos, ...written } = await writeStatsBatch(db, fetched.found, fetched.missing);
  Object.assign(outcome, written, { fetch_ms: fetchedAt - started, write_ms: Date.now() - fetchedAt });
  // on the same (warm) connection: a fresh client per batch paid a connection and a cold backend
  Object.assign(outcome, await alertAfterStatsBatch(env, db, videos));

  const retries: { msg: Message<unknown>; delaySeconds: number }[] = [];
  for (const msg of valid) {
    const err = fetched.failures.get(msg.id);
    if (err === undefined) continue;
    // Retryable errors go back on the queue; its max_retries sends them to the dead-letter queue.
    if (isRetryable(err)) {
      retries.push({ msg, delaySeconds: retryDelaySeconds(err, msg.attempts) });
    } else {
      const e = err as { code?: string; message?: string };
      dead.push(deadLetter(batch.queue, msg, e.code ?? 'platform_error', e.message ?? String(err)));
    }
  }
  // Dead letters are sent before anything is acked, so a crash here redelivers rather than loses.
  if (dead.length > 0) await env.DEAD_LETTERS.sendBatch(dead.map((body) => ({ body, contentType: 'json' as const })));
  const retried = new Set(retries.map((r) => r.msg.id));
  for (const r of retries) r.msg.retry({ delaySeconds: r.delaySeconds });
  for (const msg of batch.messages) if (!retried.has(msg.id)) msg.ack();
  outcome.retried = retries.length;
  outcome.dead_lettered = dead.length;
  outcome.acked = batch.messages.length - retries.length;
  console.log(JSON.stringify({ event: 'stats_batch', queue: batch.queue, messages: batch.messages.length, videos: requests.length, ...outcome }));
  return outcome;
}
