import { z } from 'zod';

const ConfigSchema = z.object({
  TIKTOK_API_BASE_URL: z.url().default('https://tiktok-scraper7.p.rapidapi.com'),
  TIKTOK_RAPIDAPI_HOST: z.string().min(1).default('tiktok-scraper7.p.rapidapi.com'),
  INSTAGRAM_API_BASE_URL: z.url().default('https://instagram-scraper-api2.p.rapidapi.com'),
  INSTAGRAM_RAPIDAPI_HOST: z.string().min(1).default('instagram-scraper-api2.p.rapidapi.com'),
  YOUTUBE_API_BASE_URL: z.url().default('https://www.googleapis.com/youtube/v3'),
  RAPIDAPI_KEY: z.string({ error: 'secret RAPIDAPI_KEY is not set' }).min(1, 'secret RAPIDAPI_KEY is empty'),
  YOUTUBE_API_KEY: z.string({ error: 'secret YOUTUBE_API_KEY is not set' }).min(1, 'secret YOUTUBE_API_KEY is empty'),
});

export interface PlatformConfig {
  tiktokBaseUrl: string;
  tiktokHost: string;
  instagramBaseUrl: string;
  instagramHost: string;
  youtubeBaseUrl: string;
  rapidApiKey: string;
  youtubeApiKey: string;
}

export function platformConfigFromEnv(env: Record<string, unknown>): PlatformConfig {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) throw new Error(`platform configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
  return {
    tiktokBaseUrl: e.TIKTOK_API_BASE_URL.replace(/\/$/, ''),
    tiktokHost: e.TIKTOK_RAPIDAPI_HOST,
    instagramBaseUrl: e.INSTAGRAM_API_BASE_URL.replace(/\/$/, ''),
    instagramHost: e.INSTAGRAM_RAPIDAPI_HOST,
    youtubeBaseUrl: e.YOUTUBE_API_BASE_URL.replace(/\/$/, ''),
    rapidApiKey: e.RAPIDAPI_KEY,
    youtubeApiKey: e.YOUTUBE_API_KEY,
  };
}
