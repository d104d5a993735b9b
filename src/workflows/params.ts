import { NonRetryableError } from 'cloudflare:workflows';
import { z } from 'zod';
import { PlatformName } from '../domain/platforms';

/** Params of InitialBloggerFetch and of each BloggerDailyFetch child. */
export const BloggerFetchParams = z.object({
  trackingId: z.uuid(),
  organizationId: z.uuid(),
  bloggerId: z.uuid(),
  platform: PlatformName,
  externalId: z.string().min(1),
  secUid: z.string().nullable(),
  username: z.string().min(1),
  videoCount: z.number().int().min(1).max(1000),
  userId: z.string().nullable(),
  /** Which batch run started this fetch (children of BloggerBatch); absent for the initial fetch. */
  runKey: z.string().optional(),
});
export type BloggerFetchParams = z.infer<typeof BloggerFetchParams>;

/** Params of cron-started workflows: the run they belong to. */
export const ScheduledRunParams = z.object({
  runKey: z.string().regex(/^[0-9TZ:-]+$/),
  scheduledAt: z.string(),
  cron: z.string().optional(),
});
export type ScheduledRunParams = z.infer<typeof ScheduledRunParams>;

export const NightlyRefreshParams = ScheduledRunParams.extend({
  /** videos per page step (default 1000); smaller pages are for tests and small catalogues */
  pageSize: z.number().int().min(10).max(1000).optional(),
});
export type NightlyRefreshParams = z.infer<typeof NightlyRefreshParams>;

/** Params are checked before any step runs; bad params can never succeed, so they do not retry. */
export function parseParams<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new NonRetryableError(`invalid workflow params: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
