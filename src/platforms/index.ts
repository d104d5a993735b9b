import { createInstagramAdapter } from './instagram';
import { createTikTokAdapter } from './tiktok';
import { createYouTubeAdapter } from './youtube';
import type { PlatformConfig } from './config';
import type { Platform, PlatformAdapter } from './types';

/**
 * The adapter of one platform. Each adapter call makes each HTTP request once (timeout from the
 * call policy) and throws classified PlatformErrors; retrying is the caller's engine's job —
 * see PLATFORM_CALL_POLICY in ./http.ts.
 */
export function createPlatformAdapter(platform: Platform, config: PlatformConfig, fetchImpl: typeof fetch = (input, init) => fetch(input, init)): PlatformAdapter {
  switch (platform) {
    case 'TikTok':
      return createTikTokAdapter(config, fetchImpl);
    case 'Instagram':
      return createInstagramAdapter(config, fetchImpl);
    case 'YouTube':
      return createYouTubeAdapter(config, fetchImpl);
    default: {
      const unknown: never = platform;
      throw new Error(`unknown platform ${String(unknown)}`);
    }
  }
}

export * from './types';
export * from './errors';
export { PLATFORM_CALL_POLICY, retryDelayMs, MAX_CONCURRENT_CALLS } from './http';
export { platformConfigFromEnv, type PlatformConfig } from './config';
export { parseVideoUrl, tiktokVideoUrl, instagramReelUrl, youtubeVideoUrl, type ParsedVideoUrl } from './video-url';
export { mediaIdToShortcode, shortcodeToMediaId, instagramVideoUrl } from './instagram-shortcode';
export { tiktokHandle } from './tiktok';
export { instagramHandle } from './instagram';
export { youtubeChannelLookup, uploadsPlaylistId, YOUTUBE_MAX_IDS } from './youtube';
