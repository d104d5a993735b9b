import { z } from '@hono/zod-openapi';
import { Counters, DayString, nullableRef, PlatformName, Timestamp, Uuid, VideoStatusName } from '../openapi/schemas';

/** The JSON shapes the dashboard routes answer with (src/http/dashboard/videos.ts#videoJson builds videos). */

const counterFields = { views: z.number(), likes: z.number(), comments: z.number(), reposts: z.number(), saves: z.number() };

export const Video = z
  .object({
    id: Uuid,
    platform: PlatformName,
    external_video_id: z.string(),
    video_url: z.string(),
    initial_url: z.string().nullable(),
    status: VideoStatusName,
    title: z.string().nullable(),
    thumbnail_url: z.string().nullable(),
    published_at: Timestamp.nullable(),
    music_id: z.string().nullable(),
    author_username: z.string().nullable(),
    blogger_id: Uuid.nullable(),
    campaign_id: Uuid.nullable(),
    budget: z.number().nullable(),
    tags: z.array(z.string()),
    source: z.string().openapi({ description: 'how the video came in: dashboard, excel, google_sheets, blogger, …' }),
    tracking_started_at: Timestamp.nullable(),
    deleted_at: Timestamp.nullable(),
    removed_at: Timestamp.nullable(),
    created_at: Timestamp,
    latest_stats: z
      .object({ views: z.number().nullable(), likes: z.number().nullable(), comments: z.number().nullable(), reposts: z.number().nullable(), saves: z.number().nullable(), fetched_at: Timestamp })
      .nullable(),
  })
  .openapi('Video');

export const VideoIncrements = z
  .object({
    as_of: DayString,
    day: z.object({ ...counterFields, date: DayString }),
    week: z.object({ ...counterFields, week_start: DayString }),
    range: z.object({ ...counterFields, from: DayString.nullable(), to: DayString }),
  })
  .openapi('VideoIncrements');

const videoWithIncrementsFields = { ...Video.shape, increments: nullableRef(VideoIncrements) };
export const VideoWithIncrements = z.object(videoWithIncrementsFields).openapi('VideoWithIncrements');

export const Series = z.object({
  interval: z.enum(['day', 'week']),
  from: DayString.nullable(),
  to: DayString.nullable(),
  points: z.array(z.object({ period: DayString, increments: Counters, totals: Counters })),
});

const videoCounts = z.object({ total: z.number().int(), tracking: z.number().int(), stopped: z.number().int(), deleted: z.number().int(), with_stats: z.number().int() });
const summaryPart = { videos: videoCounts, totals: Counters, increments: Counters };
export const Summary = z
  .object({
    from: DayString.nullable(),
    to: DayString.nullable(),
    platform: PlatformName.nullable(),
    ...summaryPart,
    platforms: z.array(z.object({ platform: PlatformName, ...summaryPart })),
  })
  .openapi('DashboardSummary');
