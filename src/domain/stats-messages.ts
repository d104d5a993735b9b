import { z } from 'zod';
import { LowercasePlatformName, PlatformName } from './platforms';

/**
 * Message shapes of the HIGH_PRIORITY and LOW_PRIORITY queues (kept from the legacy system): the
 * contract between the steps that produce them and the consumers in src/queues.
 */

export const SingleVideoMessage = z.object({
  type: z.literal('single_video'),
  video_id: z.uuid(),
  video: z.object({
    organization_id: z.uuid(),
    video_url: z.string(),
    initial_url: z.string().nullable(),
    platform: PlatformName,
    external_video_id: z.string().min(1),
    user_id: z.string().nullable(),
  }),
  source: z.string(),
  priority: z.literal('high'),
  /** Set by an operator's repeated replay (ops `again: true`): fetch even within the freshness window. */
  ignoreFreshness: z.boolean().optional(),
});
export type SingleVideoMessage = z.infer<typeof SingleVideoMessage>;

export const VideoBatchMessage = z.object({
  type: z.literal('video_batch'),
  /** lowercase in the legacy shape: 'tiktok' | 'instagram' | 'youtube' */
  platform: LowercasePlatformName,
  videos: z
    .array(
      z.object({
        videoId: z.uuid().optional(),
        videoUrl: z.string(),
        userId: z.string().nullable(),
        organizationId: z.uuid(),
        externalVideoId: z.string().min(1),
      }),
    )
    .min(1)
    .max(50),
  priority: z.enum(['high', 'low']),
  batchNumber: z.number().int(),
  totalBatches: z.number().int(),
  batchSize: z.number().int(),
  enqueuedAt: z.string(),
  requestId: z.string(),
  /**
   * Idempotency key for the snapshots this message writes. Producers that may send the same batch
   * twice (a retried workflow step, the 01:00 rerun of the nightly refresh) set one per run, so
   * the second copy writes nothing; without it the queue message id is used.
   */
  fetchKey: z.string().min(1).max(200).optional(),
  /** Set by an operator's repeated replay (ops `again: true`): fetch even within the freshness window. */
  ignoreFreshness: z.boolean().optional(),
});
export type VideoBatchMessage = z.infer<typeof VideoBatchMessage>;

export const StatsMessage = z.discriminatedUnion('type', [SingleVideoMessage, VideoBatchMessage]);
export type StatsMessage = z.infer<typeof StatsMessage>;

/** What we put on the dead-letter queue ourselves when a message fails for good. */
export const DeadLetter = z.object({
  kind: z.literal('dead_letter'),
  queue: z.string(),
  reason: z.string(),
  error_code: z.string(),
  attempts: z.number().int(),
  original: z.unknown(),
  failed_at: z.string(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
