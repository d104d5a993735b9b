import { inject } from 'vitest';

/** The control API of test/fakes/platform-server.mjs (fault injection, pinned stats, call log). */
async function control(method: string, path: string, body?: unknown) {
  const res = await fetch(`${inject('platformApiUrl')}/__control/${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake platform control ${path} answered ${res.status}: ${await res.text()}`);
  return res.json() as Promise<any>;
}

export interface Fault {
  platform: 'tiktok' | 'instagram' | 'youtube' | '*';
  path?: string;
  kind: 'rate_limit_second' | 'rate_limit_monthly' | 'server_error' | 'slow' | 'unauthorized' | 'not_subscribed' | 'youtube_quota';
  times?: number;
  delayMs?: number;
}

export const fakePlatforms = {
  reset: () => control('POST', 'reset'),
  fault: (fault: Fault) => control('POST', 'faults', fault),
  markDeleted: (ids: string[]) => control('POST', 'deleted', { ids }),
  markPrivate: (handles: string[]) => control('POST', 'private', { handles }),
  pinStats: (stats: { id: string; views: number; likes: number; comments: number; reposts: number; saves: number }) => control('POST', 'stats', stats),
  /** seeded probabilistic faults on every platform call not matching `except` (see platform-server.mjs) */
  chaos: (opts: { rate: number; seed: number; kinds?: ('rate_limit_second' | 'server_error' | 'gateway_timeout' | 'reset' | 'slow')[]; except?: string[]; delayMs?: number }) => control('POST', 'chaos', opts),
  chaosStats: () => control('GET', 'chaos') as Promise<{ rate: number; seed?: number; calls?: number; injected?: Record<string, number> }>,
  calls: () => control('GET', 'calls') as Promise<{ method: string; platform: string; path: string; query: Record<string, string>; at: string }[]>,
};
