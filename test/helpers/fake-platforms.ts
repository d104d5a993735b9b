import { controlClient } from './fake-control';

/** The one client of test/fakes/platform-server.mjs's control API (fault injection, pinned stats, clock, call log). */
const control = controlClient('platform', 'platformApiUrl');

export type FakePlatform = 'tiktok' | 'instagram' | 'youtube';
export type FaultKind = 'rate_limit_second' | 'rate_limit_monthly' | 'server_error' | 'slow' | 'unauthorized' | 'not_subscribed' | 'youtube_quota';

export interface Fault {
  platform: FakePlatform | '*';
  path?: string;
  kind: FaultKind;
  times?: number;
  delayMs?: number;
}

export interface FakeCall {
  method: string;
  platform: FakePlatform;
  path: string;
  query: Record<string, string>;
  at: string;
  fault?: FaultKind;
}

export const fakePlatforms = {
  reset: () => control('POST', 'reset'),
  fault: (fault: Fault) => control('POST', 'faults', fault),
  markDeleted: (ids: string[]) => control('POST', 'deleted', { ids }),
  markPrivate: (handles: string[]) => control('POST', 'private', { handles }),
  pinStats: (stats: { id: string; views: number; likes: number; comments: number; reposts: number; saves: number }) => control('POST', 'stats', stats),
  advanceClock: (ms: number) => control('POST', 'clock', { advanceMs: ms }),
  /** seeded probabilistic faults on every platform call not matching `except` (see platform-server.mjs) */
  chaos: (opts: { rate: number; seed: number; kinds?: ('rate_limit_second' | 'server_error' | 'gateway_timeout' | 'reset' | 'slow')[]; except?: string[]; delayMs?: number }) => control('POST', 'chaos', opts),
  chaosStats: () => control('GET', 'chaos') as Promise<{ rate: number; seed?: number; calls?: number; injected?: Record<string, number> }>,
  /** the calls the fake received, optionally only one platform's and only paths containing `pathPart` */
  calls: async (platform?: FakePlatform, pathPart?: string) =>
    (await control<FakeCall[]>('GET', 'calls')).filter((c) => (!platform || c.platform === platform) && (!pathPart || c.path.includes(pathPart))),
};
