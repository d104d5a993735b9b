import { describe, expect, it } from 'vitest';
import { createPlatformAdapter, platformConfigFromEnv, STATS_BATCH_SIZE, PLATFORMS } from '../../src/platforms';

const secrets = { RAPIDAPI_KEY: 'rk', YOUTUBE_API_KEY: 'yk' };

describe('platformConfigFromEnv', () => {
  it('takes the production endpoints by default', () => {
    expect(platformConfigFromEnv(secrets)).toEqual({
      tiktokBaseUrl: 'https://tiktok-scraper7.p.rapidapi.com',
      tiktokHost: 'tiktok-scraper7.p.rapidapi.com',
      instagramBaseUrl: 'https://instagram-scraper-api2.p.rapidapi.com',
      instagramHost: 'instagram-scraper-api2.p.rapidapi.com',
      youtubeBaseUrl: 'https://www.googleapis.com/youtube/v3',
      rapidApiKey: 'rk',
      youtubeApiKey: 'yk',
    });
  });

  it('reads every override, trims trailing slashes, and treats empty vars as unset', () => {
    const config = platformConfigFromEnv({
      ...secrets,
      TIKTOK_API_BASE_URL: 'http://127.0.0.1:8790/tiktok/',
      TIKTOK_RAPIDAPI_HOST: 'tiktok-api23.p.rapidapi.com',
      INSTAGRAM_API_BASE_URL: 'http://127.0.0.1:8790/instagram',
      INSTAGRAM_RAPIDAPI_HOST: '',
      YOUTUBE_API_BASE_URL: 'http://127.0.0.1:8790/youtube/v3//',
      UNRELATED_BINDING: { some: 'object' },
    });
    expect(config).toMatchObject({
      tiktokBaseUrl: 'http://127.0.0.1:8790/tiktok',
      tiktokHost: 'tiktok-api23.p.rapidapi.com',
      instagramBaseUrl: 'http://127.0.0.1:8790/instagram',
      instagramHost: 'instagram-scraper-api2.p.rapidapi.com',
      youtubeBaseUrl: 'http://127.0.0.1:8790/youtube/v3',
    });
  });

  it('names each missing or empty secret', () => {
    expect(() => platformConfigFromEnv({ YOUTUBE_API_KEY: 'yk' })).toThrow(/RAPIDAPI_KEY.*not set/);
    expect(() => platformConfigFromEnv({ RAPIDAPI_KEY: 'rk', YOUTUBE_API_KEY: '  ' })).toThrow(/YOUTUBE_API_KEY.*empty/);
    const err = (() => {
      try {
        platformConfigFromEnv({});
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/RAPIDAPI_KEY/);
    expect(err?.message).toMatch(/YOUTUBE_API_KEY/);
  });

  it('refuses a base URL that is not http(s)', () => {
    expect(() => platformConfigFromEnv({ ...secrets, TIKTOK_API_BASE_URL: 'not a url' })).toThrow(/TIKTOK_API_BASE_URL must be an http\(s\) URL/);
    expect(() => platformConfigFromEnv({ ...secrets, YOUTUBE_API_BASE_URL: 'ftp://example.com' })).toThrow(/YOUTUBE_API_BASE_URL/);
  });
});

describe('createPlatformAdapter', () => {
  it('builds each platform with the batch size the queue fan-out uses', () => {
    const config = platformConfigFromEnv(secrets);
    for (const platform of PLATFORMS) {
      const adapter = createPlatformAdapter(platform, config);
      expect(adapter.platform).toBe(platform);
      expect(adapter.statsBatchSize).toBe(STATS_BATCH_SIZE[platform]);
    }
    expect(STATS_BATCH_SIZE).toEqual({ TikTok: 10, Instagram: 10, YouTube: 50 });
  });
});
