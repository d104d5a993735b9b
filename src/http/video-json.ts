import type { CampaignVideoRow } from '../db/analytics';
import type { VideoRow } from '../db/videos';

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** What every video in the API shows about itself, in the dashboard, a blogger's page or a campaign. */
export function videoSummaryJson(v: VideoRow | CampaignVideoRow) {
  return {
    id: v.id,
    platform: v.platform,
    external_video_id: v.external_video_id,
    video_url: v.video_url,
    status: v.video_status,
    title: v.title,
    thumbnail_url: v.thumbnail_url,
    published_at: v.published_at,
    author_username: v.author_username,
    blogger_id: v.blogger_id,
    budget: num(v.budget),
    tags: v.tags,
    tracking_started_at: v.tracking_started_at,
  };
}

/** The public JSON shape of a video (dashboard and blogger pages): the summary, where it came from, and its latest snapshot. */
export function videoJson(v: VideoRow) {
  return {
    ...videoSummaryJson(v),
    initial_url: v.initial_url,
    music_id: v.music_id,
    campaign_id: v.campaign_id,
    source: v.source,
    deleted_at: v.deleted_at,
    removed_at: v.removed_at,
    created_at: v.created_at,
    latest_stats:
      v.stats_updated_at === null
        ? null
        : { views: num(v.views), likes: num(v.likes), comments: num(v.comments), reposts: num(v.reposts), saves: num(v.saves), fetched_at: v.stats_updated_at },
  };
}
export type VideoJson = ReturnType<typeof videoJson>;
