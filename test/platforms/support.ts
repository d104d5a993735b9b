// Shared by the platform tests: a PlatformConfig pointing at the fake platform server started by
// the global setup; its control API is test/helpers/fake-platforms.ts.
import { inject } from 'vitest';
import type { PlatformConfig } from '../../src/platforms';

export const fakeRoot = () => inject('platformApiUrl');

export function testConfig(overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  const root = fakeRoot();
  return {
    tiktokBaseUrl: `${root}/tiktok`,
    tiktokHost: 'tiktok-scraper7.p.rapidapi.com',
    instagramBaseUrl: `${root}/instagram`,
    instagramHost: 'instagram-scraper-api2.p.rapidapi.com',
    youtubeBaseUrl: `${root}/youtube/v3`,
    rapidApiKey: 'test-rapidapi-key',
    youtubeApiKey: 'test-youtube-key',
    ...overrides,
  };
}

export { fakePlatforms as fake, type FakeCall, type FakePlatform, type FaultKind } from '../helpers/fake-platforms';

/** A fetch that answers every request with `body` (JSON unless a string) — for wire variants the fake does not serve. */
export function stubFetch(body: unknown, init: ResponseInit = { status: 200 }): typeof fetch & { urls: string[] } {
  const urls: string[] = [];
  const f = (async (input: RequestInfo | URL) => {
    urls.push(String(input instanceof Request ? input.url : input));
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { ...init, headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) } });
  }) as typeof fetch & { urls: string[] };
  f.urls = urls;
  return f;
}

/** The rejection of `promise` (fails the test when it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to fail, it succeeded');
}

export const uniq = (prefix: string) => `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
