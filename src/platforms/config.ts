import { configSection, requireVars } from '../env';

/** Where the adapters call and with which keys. Production and local dev differ only here. */
export interface PlatformConfig {
  tiktokBaseUrl: string;
  tiktokHost: string;
  instagramBaseUrl: string;
  instagramHost: string;
  youtubeBaseUrl: string;
  rapidApiKey: string;
  youtubeApiKey: string;
  /** per-call timeout; defaults to PLATFORM_CALL_POLICY.timeoutMs (tests pass a small one) */
  timeoutMs?: number;
}

const KEYS = [
  'TIKTOK_API_BASE_URL', 'TIKTOK_RAPIDAPI_HOST', 'INSTAGRAM_API_BASE_URL', 'INSTAGRAM_RAPIDAPI_HOST', 'YOUTUBE_API_BASE_URL', 'RAPIDAPI_KEY', 'YOUTUBE_API_KEY',
] as const;

/**
 * The platform part of the one config schema (src/env.ts): unset or empty vars take the production
 * default; throws one error naming every bad or missing var and secret.
 */
export function platformConfigFromEnv(env: Record<string, unknown>): PlatformConfig {
  const e = requireVars(configSection(env, KEYS, 'platform'), ['RAPIDAPI_KEY', 'YOUTUBE_API_KEY'], 'platform');
  return {
    tiktokBaseUrl: e.TIKTOK_API_BASE_URL,
    tiktokHost: e.TIKTOK_RAPIDAPI_HOST,
    instagramBaseUrl: e.INSTAGRAM_API_BASE_URL,
    instagramHost: e.INSTAGRAM_RAPIDAPI_HOST,
    youtubeBaseUrl: e.YOUTUBE_API_BASE_URL,
    rapidApiKey: e.RAPIDAPI_KEY,
    youtubeApiKey: e.YOUTUBE_API_KEY,
  };
}
