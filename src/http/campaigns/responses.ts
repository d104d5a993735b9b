import { z } from '@hono/zod-openapi';
import { analyticsFields, Counters, DayString, Metrics, Mode, PlatformName, Timestamp, Uuid, VideoStatusName } from '../openapi/schemas';

/** The JSON shapes the campaign routes answer with (src/http/campaigns/shared.ts builds them). */

export const Campaign = z
  .object({
    id: Uuid,
    name: z.string(),
    description: z.string().nullable(),
    budget: z.number().nullable(),
    currency: z.string(),
    starts_on: DayString.nullable(),
    ends_on: DayString.nullable(),
    tags: z.array(z.string()),
    blogger_ids: z.array(Uuid),
    video_count: z.number().int(),
    videos_budget: z.number().nullable().openapi({ description: 'sum of the budgets of the campaign’s videos (null when none has one)' }),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .openapi('Campaign');

export const CampaignEnvelope = z.object({ campaign: Campaign });

export const CampaignStats = z
  .object({
    campaign_id: Uuid,
    mode: Mode,
    from: DayString.nullable(),
    to: DayString.nullable(),
    currency: z.string(),
    videos: z.object({ count: z.number().int(), with_stats: z.number().int() }),
    stats: Counters,
    budget: z.object({
      campaign: z.number().nullable(),
      videos: z.number().nullable(),
      effective: z.number().nullable(),
      source: z.enum(['campaign', 'videos']).nullable(),
    }),
    metrics: Metrics,
  })
  .openapi('CampaignStats');

export const Timeseries = z
  .object({
    campaign_id: Uuid,
    interval: z.enum(['day', 'week']),
    from: DayString.nullable(),
    to: DayString.nullable(),
    points: z.array(z.object({ period: DayString, increments: Counters, totals: Counters })),
  })
  .openapi('CampaignTimeseries');

export const CampaignVideo = z
  .object({
    id: Uuid,
    platform: PlatformName,
    external_video_id: z.string(),
    video_url: z.string(),
    title: z.string().nullable(),
    thumbnail_url: z.string().nullable(),
    published_at: Timestamp.nullable(),
    author_username: z.string().nullable(),
    blogger_id: Uuid.nullable(),
    status: VideoStatusName,
    budget: z.number().nullable(),
    tags: z.array(z.string()),
    tracking_started_at: Timestamp.nullable(),
    ...analyticsFields,
  })
  .openapi('CampaignVideo');

export const CampaignVideos = z.object({
  campaign_id: Uuid,
  mode: Mode,
  from: DayString.nullable(),
  to: DayString.nullable(),
  sort: z.enum(['views', 'growth', 'er', 'published_at']),
  order: z.enum(['asc', 'desc']),
  data: z.array(CampaignVideo),
  next_cursor: z.string().nullable(),
});

export const CampaignBloggers = z.object({
  campaign_id: Uuid,
  mode: Mode,
  from: DayString.nullable(),
  to: DayString.nullable(),
  data: z.array(
    z.object({
      blogger: z.object({ id: Uuid, platform: PlatformName, username: z.string(), channel_name: z.string().nullable(), thumbnail_url: z.string().nullable() }).nullable(),
      assigned: z.boolean(),
      videos: z.object({ count: z.number().int(), with_stats: z.number().int() }),
      budget: z.number().nullable(),
      ...analyticsFields,
    }),
  ),
});
