import type { Platform } from '../domain/platforms';

export { PLATFORMS, type Platform } from '../domain/platforms';

export interface VideoStats {
  external_video_id: string;
  views: number;
  likes: number;
  comments: number;
  reposts: number;
  saves: number;
}

/** What a stats lookup knows about a video besides its counters. */
export interface VideoDetails extends VideoStats {
  title?: string | null;
  thumbnail_url?: string | null;
  published_at?: string | null;
  music_id?: string | null;
  author_username?: string | null;
  author_external_id?: string | null;
}

/** A video as listed on a blogger's profile (the legacy CommonVideo). */
export interface CommonVideo {
  external_video_id: string;
  platform: Platform;
  video_url: string;
  title: string | null;
  thumbnail_url: string | null;
  /** ISO 8601 */
  published_at: string | null;
  /**
   * Counters as listed. Absent only for YouTube: its uploads playlist carries ids and dates, and
   * the caller fetches stats through `getVideoStats` (videos.list, 50 ids per call) — see
   * src/db/blogger-videos.ts `to_refresh`.
   */
  statistics?: VideoStats;
}

export interface UserInfo {
  channel_name: string | null;
  username: string;
  /** null when the platform hides it (YouTube hiddenSubscriberCount) */
  subscribers: number | null;
  external_id: string;
  sec_uid: string | null;
  thumbnail: string | null;
  profile_url: string;
  is_private: boolean;
}

export interface UserVideosQuery {
  /** TikTok user id, Instagram user pk, YouTube channel id (UC…) */
  externalId: string;
  secUid?: string | null;
  username?: string | null;
}

export interface UserVideosPage {
  videos: CommonVideo[];
  /** pass back to get the next page; null on the last page */
  nextCursor: string | null;
}

export interface VideoRef {
  externalVideoId: string;
  videoUrl: string;
}

export interface VideoStatsResult {
  found: VideoDetails[];
  /** ids the platform no longer returns (deleted or made private): the caller marks them deleted */
  missing: string[];
}

export interface PlatformAdapter {
  readonly platform: Platform;
  /** videos per getVideoStats call: YouTube videos.list takes 50 ids; TikTok/Instagram make one call per video, 10 per batch */
  readonly statsBatchSize: number;
  /** A handle (with or without @) or a profile URL. Throws AccountNotFoundError for unknown handles. */
  getUserInfo(usernameOrUrl: string): Promise<UserInfo>;
  /** One page of a blogger's newest videos (one HTTP call): workflows run one page per step. */
  getUserVideosPage(query: UserVideosQuery & { cursor: string | null }): Promise<UserVideosPage>;
  /** Pages until `targetCount` videos, the last page or `maxPages` (default 10). */
  getUserVideosBatch(query: UserVideosQuery & { targetCount: number; maxPages?: number }): Promise<CommonVideo[]>;
  /** Stats for up to `statsBatchSize` videos (more are split into several calls). */
  getVideoStats(videos: VideoRef[]): Promise<VideoStatsResult>;
}

/** The adapters' statsBatchSize, for code that batches before it has an adapter (queue fan-out). */
export const STATS_BATCH_SIZE: Record<Platform, number> = { TikTok: 10, Instagram: 10, YouTube: 50 };

export const DEFAULT_MAX_PAGES = 10;
