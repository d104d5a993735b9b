// Shared by the platform tests: a PlatformConfig pointing at the fake platform server started by
// the global setup, and its control API (test/fakes/platform-server.mjs).
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

export type FakePlatform = 'tiktok' | 'instagram' | 'youtube';
export type FaultKind = 'rate_limit_second' | 'rate_limit_monthly' | 'server_error' | 'slow' | 'unauthorized' | 'not_subscribed' | 'youtube_quota';
export interface FakeCall {
  method: string;
  platform: FakePlatform;
  path: string;
  query: Record<string, string>;
  at: string;
  fault?: FaultKind;
}

async function control<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${fakeRoot()}/__control/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake control ${method} ${path} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

export const fake = {
  reset: () => control('POST', 'reset'),
  fault: (f: { platform: FakePlatform | '*'; kind: FaultKind; path?: string; times?: number; delayMs?: number }) => control('POST', 'faults', f),
  markDeleted: (ids: string[]) => control('POST', 'deleted', { ids }),
  markPrivate: (handles: string[]) => control('POST', 'private', { handles }),
  pinStats: (s: { id: string; views: number; likes: number; comments: number; reposts: number; saves: number }) => control('POST', 'stats', s),
  advanceClock: (ms: number) => control('POST', 'clock', { advanceMs: ms }),
  calls: async (platform?: FakePlatform, pathPart?: string) =>
    (await control<FakeCall[]>('GET', 'calls')).filter((c) => (!platform || c.platform === platform) && (!pathPart || c.path.includes(pathPart))),
};

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
