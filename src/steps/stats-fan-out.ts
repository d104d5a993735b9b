import { LOWERCASE_BY_PLATFORM, type Platform } from '../domain/platforms';
import type { VideoBatchMessage } from '../domain/stats-messages';
import { STATS_BATCH_SIZE } from '../platforms';

export interface FanOutVideo {
  videoId?: string;
  organizationId: string;
  platform: Platform;
  externalVideoId: string;
  videoUrl: string;
  userId: string | null;
}

/** Queue limits for sendBatch: 100 messages and 256 KB per call (we keep a margin). */
export const SEND_BATCH_MAX_MESSAGES = 100;
export const SEND_BATCH_MAX_BYTES = 240 * 1024;

/** Splits videos into `video_batch` messages of each platform's stats batch size. */
export function buildVideoBatchMessages(videos: FanOutVideo[], opts: { priority: 'high' | 'low'; requestId: string; fetchKey?: string; enqueuedAt?: string }): VideoBatchMessage[] {
  const messages: VideoBatchMessage[] = [];
  const enqueuedAt = opts.enqueuedAt ?? new Date().toISOString();
  for (const [platform, list] of Map.groupBy(videos, (v) => v.platform)) {
    const size = STATS_BATCH_SIZE[platform];
    const total = Math.ceil(list.length / size);
    for (let i = 0, n = 1; i < list.length; i += size, n++) {
      const chunk = list.slice(i, i + size);
      messages.push({
        type: 'video_batch',
        platform: LOWERCASE_BY_PLATFORM[platform],
        videos: chunk.map((v) => ({ videoId: v.videoId, videoUrl: v.videoUrl, userId: v.userId, organizationId: v.organizationId, externalVideoId: v.externalVideoId })),
        priority: opts.priority,
        batchNumber: n,
        totalBatches: total,
        batchSize: chunk.length,
        enqueuedAt,
        requestId: `${opts.requestId}-${LOWERCASE_BY_PLATFORM[platform]}-${n}`,
        ...(opts.fetchKey ? { fetchKey: opts.fetchKey } : {}),
      });
    }
  }
  return messages;
}

/** Groups messages into sendBatch calls within the count and size limits. */
export function chunkForSendBatch<T>(messages: T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const m of messages) {
    const size = new TextEncoder().encode(JSON.stringify(m)).byteLength + 100; // + per-message overhead
    if (current.length > 0 && (current.length >= SEND_BATCH_MAX_MESSAGES || bytes + size > SEND_BATCH_MAX_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(m);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export async function sendStatsFanOut(queue: Queue, opts: { priority: 'high' | 'low'; requestId: string; fetchKey?: string; videos: FanOutVideo[] }) {
  const messages = buildVideoBatchMessages(opts.videos, opts);
  const chunks = chunkForSendBatch(messages);
  for (const chunk of chunks) await queue.sendBatch(chunk.map((body) => ({ body, contentType: 'json' as const })));
  return { videos: opts.videos.length, messages: messages.length, sendBatchCalls: chunks.length };
}
