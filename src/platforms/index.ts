import { createInstagramAdapter } from './instagram';
import { createTikTokAdapter } from './tiktok';
import { createYouTubeAdapter } from './youtube';
import type { PlatformConfig } from './config';
import type { Platform, PlatformAdapter } from './types';

export function createPlatformAdapter(platform: Platform, config: PlatformConfig, fetchImpl?: typeof fetch): PlatformAdapter {
  switch (platform) {
    case 'TikTok':
      return createTikTokAdapter(config, fetchImpl);
    case 'Instagram':
      return createInstagramAdapter(config, fetchImpl);
    case 'YouTube':
      return createYouTubeAdapter(config, fetchImpl);
  }
}

export * from './types';
export * from './errors';
export { PLATFORM_CALL_POLICY, retryDelayMs } from './http';
export { platformConfigFromEnv, type PlatformConfig } from './config';
export { parseVideoUrl, type ParsedVideoUrl } from './video-url';
export { mediaIdToShortcode, shortcodeToMediaId, instagramVideoUrl } from './instagram-shortcode';
