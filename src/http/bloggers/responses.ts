import { z } from '@hono/zod-openapi';
import { VideoPlatformName } from '../../domain/platforms';
import { Timestamp, Uuid } from '../openapi/schemas';
import { Video } from '../dashboard/responses';

/** The JSON shapes the blogger routes answer with (src/http/bloggers/index.ts#bloggerJson builds them). */

export const Blogger = z
  .object({
    id: Uuid,
    tracking_id: Uuid.nullable().openapi({ description: 'null for a blogger the organization knows but does not track' }),
    platform: VideoPlatformName,
    username: z.string(),
    channel_name: z.string().nullable(),
    external_id: z.string(),
    subscribers: z.number().nullable(),
    thumbnail_url: z.string().nullable(),
    profile_url: z.string().nullable(),
    is_active: z.boolean(),
    initial_videos_count: z.number().int().nullable(),
    daily_videos_count: z.number().int().nullable(),
    initial_videos_fetched: z.boolean(),
    last_scraped_at: Timestamp.nullable(),
    last_skip_reason: z.string().nullable().openapi({ description: 'why the last batch left this blogger out (e.g. the period’s quota)' }),
    video_count: z.number().int(),
    tracking_video_count: z.number().int(),
    tags: z.array(z.string()),
    campaign_ids: z.array(Uuid),
    created_at: Timestamp,
  })
  .openapi('Blogger');

export const InitialFetch = z
  .object({
    instance_id: z.string().nullable().openapi({ description: 'the InitialBloggerFetch instance started or already running' }),
    created: z.boolean().openapi({ description: 'true when this request started it' }),
    reason: z.enum(['new', 'initial_fetch_incomplete', 'requested', 'initial_count_raised', 'in_progress', 'already_fetched']),
  })
  .openapi('InitialBloggerFetch');

export const BloggerAdded = z.object({ success: z.literal(true), blogger: Blogger, workflow: InitialFetch });
export const OneBlogger = z.object({ blogger: Blogger });
export const BloggerWithVideos = z.object({ blogger: Blogger, videos: z.array(Video).openapi({ description: 'its newest 100 videos' }) });
