import { beforeEach, describe, expect, it } from 'vitest';
import {
  AccountNotFoundError,
  createPlatformAdapter,
  isRetryable,
  PLATFORM_CALL_POLICY,
  PlatformAuthError,
  PlatformError,
  PrivateAccountError,
  QuotaExhaustedError,
  RateLimitedError,
  retryDelayMs,
  TransientPlatformError,
  type Platform,
  type PlatformConfig,
} from '../../src/platforms';
import { fake, rejectionOf, stubFetch, testConfig, type FakePlatform, type FaultKind } from './support';

const lower: Record<Platform, FakePlatform> = { TikTok: 'tiktok', Instagram: 'instagram', YouTube: 'youtube' };
/** One profile lookup: a single HTTP call on every platform. */
const lookup = (platform: Platform, config: Partial<PlatformConfig> = {}, fetchImpl?: typeof fetch) =>
  createPlatformAdapter(platform, testConfig(config), fetchImpl).getUserInfo(platform === 'YouTube' ? '@someone' : 'someone');

beforeEach(async () => {
  await fake.reset();
});

describe('call policy', () => {
  it('is 15 s per call, 2 retries, 1.5 s base delay ×4', () => {
    expect(PLATFORM_CALL_POLICY).toEqual({ timeoutMs: 15_000, retries: 2, baseDelayMs: 1_500, backoffFactor: 4 });
    expect([0, 1, 2].map(retryDelayMs)).toEqual([1_500, 6_000, 24_000]);
  });
});

describe('error classification, per fault kind and platform', () => {
  const cases: { kind: FaultKind; error: new (...args: any[]) => PlatformError; retryable: boolean; status: Record<Platform, number> }[] = [
    { kind: 'rate_limit_second', error: RateLimitedError, retryable: true, status: { TikTok: 429, Instagram: 429, YouTube: 429 } },
    { kind: 'rate_limit_monthly', error: QuotaExhaustedError, retryable: false, status: { TikTok: 429, Instagram: 429, YouTube: 403 } },
    { kind: 'server_error', error: TransientPlatformError, retryable: true, status: { TikTok: 502, Instagram: 502, YouTube: 503 } },
    { kind: 'unauthorized', error: PlatformAuthError, retryable: false, status: { TikTok: 401, Instagram: 401, YouTube: 400 } },
    { kind: 'not_subscribed', error: PlatformAuthError, retryable: false, status: { TikTok: 403, Instagram: 403, YouTube: 403 } },
    { kind: 'youtube_quota', error: QuotaExhaustedError, retryable: false, status: { TikTok: 403, Instagram: 403, YouTube: 403 } },
  ];
  for (const platform of ['TikTok', 'Instagram', 'YouTube'] as const) {
    for (const c of cases) {
      it(`${platform}: ${c.kind} → ${c.error.name}${c.retryable ? ' (retryable)' : ' (permanent)'}`, async () => {
        await fake.fault({ platform: lower[platform], kind: c.kind });
        const err = await rejectionOf(lookup(platform));
        expect(err).toBeInstanceOf(c.error);
        expect(err).toMatchObject({ platform, status: c.status[platform], retryable: c.retryable });
        expect(isRetryable(err)).toBe(c.retryable);
        if (c.kind === 'rate_limit_monthly' && platform !== 'YouTube') expect(err.message).toMatch(/MONTHLY quota/);
        if (c.kind === 'rate_limit_second' && platform !== 'YouTube') expect(err.retryAfterSeconds).toBe(1);
        // one call, no retry loop in the adapter: retrying is the engine's job
        expect(await fake.calls(lower[platform])).toHaveLength(1);
      });
    }
    it(`${platform}: a call slower than the timeout → TransientPlatformError (retryable)`, async () => {
      await fake.fault({ platform: lower[platform], kind: 'slow', delayMs: 2_000, times: 1 });
      const started = Date.now();
      const err = await rejectionOf(lookup(platform, { timeoutMs: 200 }));
      expect(err).toBeInstanceOf(TransientPlatformError);
      expect(err.message).toMatch(/did not answer within 200 ms/);
      expect(err.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(1_500);
    });
  }

  it('a slow answer within the timeout succeeds', async () => {
    await fake.fault({ platform: 'tiktok', kind: 'slow', delayMs: 100, times: 1 });
    expect((await lookup('TikTok', { timeoutMs: 2_000 })).username).toBe('someone');
  });
});

describe('faults in order, and the engine retrying', () => {
  it('"fail twice then succeed" succeeds within the policy’s retries, one HTTP call per attempt', async () => {
    await fake.fault({ platform: 'instagram', path: '/v1/info', kind: 'server_error', times: 1 });
    await fake.fault({ platform: 'instagram', path: '/v1/info', kind: 'rate_limit_second', times: 1 });
    const adapter = createPlatformAdapter('Instagram', testConfig());
    // what a workflow step / queue consumer does, without the sleeps
    const errors: unknown[] = [];
    let result;
    for (let attempt = 0; attempt <= PLATFORM_CALL_POLICY.retries; attempt++) {
      try {
        result = await adapter.getUserInfo('someone');
        break;
      } catch (err) {
        errors.push(err);
        if (!isRetryable(err)) throw err;
      }
    }
    expect(errors.map((e) => (e as Error).constructor.name)).toEqual(['TransientPlatformError', 'RateLimitedError']);
    expect(result?.username).toBe('someone');
    expect((await fake.calls('instagram')).map((c) => c.fault ?? 'ok')).toEqual(['server_error', 'rate_limit_second', 'ok']);
  });

  it('a fault limited to a path leaves other endpoints alone', async () => {
    await fake.fault({ platform: 'tiktok', path: '/user/posts', kind: 'server_error' });
    const user = await createPlatformAdapter('TikTok', testConfig()).getUserInfo('someone');
    const err = await rejectionOf(createPlatformAdapter('TikTok', testConfig()).getUserVideosBatch({ externalId: user.external_id, targetCount: 5 }));
    expect(err).toBeInstanceOf(TransientPlatformError);
  });
});

describe('failures without a fault', () => {
  it('a missing RapidAPI key → 401 PlatformAuthError; a missing YouTube key → 403 PlatformAuthError', async () => {
    const rapid = await rejectionOf(lookup('TikTok', { rapidApiKey: '' }));
    expect(rapid).toBeInstanceOf(PlatformAuthError);
    expect(rapid.status).toBe(401);
    expect(rapid.message).toMatch(/Invalid API key/);
    const yt = await rejectionOf(lookup('YouTube', { youtubeApiKey: '' }));
    expect(yt).toBeInstanceOf(PlatformAuthError);
    expect(yt.status).toBe(403);
  });

  it('a server that cannot be reached → TransientPlatformError', async () => {
    // what workerd's fetch rejects with on a refused or dropped connection (a real refused
    // connection works the same, but workerd then logs a handled rejection as "uncaught")
    const unreachable = (async () => {
      throw new TypeError('Network connection lost.');
    }) as typeof fetch;
    const err = await rejectionOf(lookup('TikTok', {}, unreachable));
    expect(err).toBeInstanceOf(TransientPlatformError);
    expect(err.message).toMatch(/could not be reached/);
  });

  it('a body that is not JSON, or not the documented shape → TransientPlatformError with details', async () => {
    const html = await rejectionOf(lookup('TikTok', {}, stubFetch('<html>Bad gateway</html>', { status: 200 })));
    expect(html).toBeInstanceOf(TransientPlatformError);
    expect(html.message).toMatch(/not JSON/);
    const shape = await rejectionOf(lookup('Instagram', {}, stubFetch({ data: { id: 1 } })));
    expect(shape).toBeInstanceOf(TransientPlatformError);
    expect(shape.message).toMatch(/unexpected Instagram response shape: data\.username/);
    expect(shape.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'data.username' })]));
  });

  it('a 429 carries retry-after as seconds or as an HTTP date', async () => {
    const body = { message: 'You have exceeded the rate limit per second for your plan, BASIC, by the API provider' };
    const secs = await rejectionOf(lookup('TikTok', {}, stubFetch(body, { status: 429, headers: { 'retry-after': '7' } })));
    expect(secs).toBeInstanceOf(RateLimitedError);
    expect(secs.retryAfterSeconds).toBe(7);
    const date = await rejectionOf(lookup('TikTok', {}, stubFetch(body, { status: 429, headers: { 'retry-after': new Date(Date.now() + 30_000).toUTCString() } })));
    expect(date.retryAfterSeconds).toBeGreaterThanOrEqual(28);
    expect(date.retryAfterSeconds).toBeLessThanOrEqual(31);
    const none = await rejectionOf(lookup('TikTok', {}, stubFetch(body, { status: 429 })));
    expect(none.retryAfterSeconds).toBeUndefined();
  });

  it('any other 4xx is a permanent PlatformError', async () => {
    const err = await rejectionOf(
      lookup('YouTube', {}, stubFetch({ error: { code: 400, message: 'The request specifies an invalid page token.', errors: [{ reason: 'invalidPageToken' }] } }, { status: 400 })),
    );
    expect(err.constructor).toBe(PlatformError);
    expect(err).toMatchObject({ code: 'platform_error', status: 400, retryable: false });
  });
});

describe('isRetryable', () => {
  it('follows each class; unknown errors count as transient', () => {
    expect(isRetryable(new RateLimitedError('TikTok', 'x', 429))).toBe(true);
    expect(isRetryable(new TransientPlatformError('TikTok', 'x'))).toBe(true);
    expect(isRetryable(new QuotaExhaustedError('TikTok', 'x', 429))).toBe(false);
    expect(isRetryable(new PlatformAuthError('TikTok', 'x', 401))).toBe(false);
    expect(isRetryable(new AccountNotFoundError('TikTok', 'x'))).toBe(false);
    expect(isRetryable(new PrivateAccountError('TikTok', 'x'))).toBe(false);
    expect(isRetryable(new PlatformError('TikTok', 'x', 400))).toBe(false);
    expect(isRetryable(new TypeError('Network connection lost.'))).toBe(true);
  });

  it('gives each class a stable code and name', () => {
    const all = [
      [new RateLimitedError('YouTube', 'x', 429), 'rate_limited'],
      [new QuotaExhaustedError('YouTube', 'x'), 'quota_exhausted'],
      [new PlatformAuthError('YouTube', 'x'), 'platform_auth'],
      [new AccountNotFoundError('YouTube', 'x'), 'account_not_found'],
      [new PrivateAccountError('YouTube', 'x'), 'account_private'],
      [new TransientPlatformError('YouTube', 'x'), 'platform_unavailable'],
      [new PlatformError('YouTube', 'x'), 'platform_error'],
    ] as const;
    for (const [err, code] of all) {
      expect(err.code).toBe(code);
      expect(err.name).toBe(err.constructor.name);
      expect(err).toBeInstanceOf(PlatformError);
      expect(err).toBeInstanceOf(Error);
    }
  });
});
