import { z } from 'zod';

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

const secret = (name: string) =>
  z.string({ error: (iss) => (iss.input === undefined ? `secret ${name} is not set` : `secret ${name} must be a string`) }).trim().min(1, `secret ${name} is empty`);

// Unset or empty vars take the production default.
const withDefault = <T extends z.ZodType>(schema: T, fallback: string) =>
  z.preprocess((v) => (v === undefined || v === null || v === '' ? fallback : v), schema);

const httpUrl = (name: string) =>
  z
    .string()
    .trim()
    .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), `${name} must be an http(s) URL`)
    .transform((v) => v.replace(/\/+$/, ''));

const EnvSchema = z.object({
  TIKTOK_API_BASE_URL: withDefault(httpUrl('TIKTOK_API_BASE_URL'), 'https://tiktok-scraper7.p.rapidapi.com'),
  TIKTOK_RAPIDAPI_HOST: withDefault(z.string().trim().min(1), 'tiktok-scraper7.p.rapidapi.com'),
  INSTAGRAM_API_BASE_URL: withDefault(httpUrl('INSTAGRAM_API_BASE_URL'), 'https://instagram-scraper-api2.p.rapidapi.com'),
  INSTAGRAM_RAPIDAPI_HOST: withDefault(z.string().trim().min(1), 'instagram-scraper-api2.p.rapidapi.com'),
  YOUTUBE_API_BASE_URL: withDefault(httpUrl('YOUTUBE_API_BASE_URL'), 'https://www.googleapis.com/youtube/v3'),
  RAPIDAPI_KEY: secret('RAPIDAPI_KEY'),
  YOUTUBE_API_KEY: secret('YOUTUBE_API_KEY'),
});

/** Reads and checks the platform vars and secrets; throws one error naming every bad or missing one. */
export function platformConfigFromEnv(env: Record<string, unknown>): PlatformConfig {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`platform configuration is invalid: ${problems.join('; ')}`);
  }
  const e = parsed.data;
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
