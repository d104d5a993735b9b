export type Platform = 'TikTok' | 'Instagram' | 'YouTube';

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
  published_at: string | null;
  /** absent when the listing carries no counters (YouTube uploads playlist) */
  statistics?: VideoStats;
}

export interface UserInfo {
  channel_name: string | null;
  username: string;
  subscribers: number | null;
  external_id: string;
  sec_uid: string | null;
  thumbnail: string | null;
  profile_url: string;
  is_private: boolean;
}

export interface UserVideosQuery {
  externalId: string;
  secUid?: string | null;
  username?: string | null;
}

export interface UserVideosPage {
  videos: CommonVideo[];
  nextCursor: string | null;
}

export interface PlatformAdapter {
  readonly platform: Platform;
  /** videos per stats call (YouTube videos.list takes 50 ids; the others one per call, grouped by 10 per message) */
  readonly statsBatchSize: number;
  getUserInfo(usernameOrUrl: string): Promise<UserInfo>;
  /** One page of a blogger's newest videos; workflows call this once per step. */
  getUserVideosPage(query: UserVideosQuery & { cursor: string | null }): Promise<UserVideosPage>;
  /** Pages until `targetCount` videos, the last page or `maxPages`. */
  getUserVideosBatch(query: UserVideosQuery & { targetCount: number; maxPages?: number }): Promise<CommonVideo[]>;
  /** Stats for up to `statsBatchSize` videos; `missing` are ids the platform no longer returns. */
  getVideoStats(videos: { externalVideoId: string; videoUrl: string }[]): Promise<{ found: VideoDetails[]; missing: string[] }>;
}

export const STATS_BATCH_SIZE: Record<Platform, number> = { TikTok: 10, Instagram: 10, YouTube: 50 };
