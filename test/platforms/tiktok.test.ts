import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountNotFoundError, createPlatformAdapter, PrivateAccountError, RateLimitedError, TransientPlatformError } from '../../src/platforms';
import { fake, rejectionOf, stubFetch, testConfig, uniq } from './support';

const tiktok = (fetchImpl?: typeof fetch) => createPlatformAdapter('TikTok', testConfig(), fetchImpl);
const ref = (id: string, handle = 'creator') => ({ externalVideoId: id, videoUrl: `https://www.tiktok.com/@${handle}/video/${id}` });

beforeEach(async () => {
  await fake.reset();
});

describe('TikTok adapter: user info', () => {
  it('reads a profile by handle, @handle or profile URL, sending the RapidAPI headers', async () => {
    const handle = uniq('alice');
    const byHandle = await tiktok().getUserInfo(handle);
    expect(byHandle).toMatchObject({ username: handle, channel_name: handle.replace(/_/g, ' '), is_private: false, profile_url: `https://www.tiktok.com/@${handle}` });
    expect(byHandle.external_id).toMatch(/^\d{19}$/);
    expect(byHandle.sec_uid).toMatch(/^MS4wLjABAAAA/);
    expect(byHandle.subscribers).toBeGreaterThan(0);
    expect(byHandle.thumbnail).toMatch(/^https:\/\//);
    for (const input of [`@${handle}`, `https://www.tiktok.com/@${handle}?lang=en`, `https://www.tiktok.com/@${handle}/video/7301234567890123456`]) {
      expect(await tiktok().getUserInfo(input)).toEqual(byHandle);
    }
    const calls = await fake.calls('tiktok', '/user/info');
    expect(calls.map((c) => c.query.unique_id)).toEqual([handle, handle, handle, handle]);
  });

  it('throws AccountNotFoundError (permanent) for an unknown handle', async () => {
    const err = await rejectionOf(tiktok().getUserInfo(uniq('unknown')));
    expect(err).toBeInstanceOf(AccountNotFoundError);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/no TikTok account/);
  });

  it('reports a private account, and refuses to list its videos with PrivateAccountError', async () => {
    const handle = uniq('private');
    const info = await tiktok().getUserInfo(handle);
    expect(info.is_private).toBe(true);
    const err = await rejectionOf(tiktok().getUserVideosBatch({ externalId: info.external_id, username: handle, targetCount: 10 }));
    expect(err).toBeInstanceOf(PrivateAccountError);
    expect(err.retryable).toBe(false);
  });

  it('honours accounts made private through the control API', async () => {
    const handle = uniq('bob');
    await fake.markPrivate([handle]);
    expect((await tiktok().getUserInfo(handle)).is_private).toBe(true);
  });
});

describe('TikTok adapter: videos', () => {
  it('pages until the target count (35 per page) and maps every field', async () => {
    const handle = uniq('pager');
    const user = await tiktok().getUserInfo(handle);
    const videos = await tiktok().getUserVideosBatch({ externalId: user.external_id, secUid: user.sec_uid, username: handle, targetCount: 50 });
    expect(videos).toHaveLength(50);
    expect(new Set(videos.map((v) => v.external_video_id)).size).toBe(50);
    const calls = await fake.calls('tiktok', '/user/posts');
    expect(calls.map((c) => [c.query.user_id, c.query.cursor, c.query.count])).toEqual([
      [user.external_id, '0', '35'],
      [user.external_id, '35', '35'],
    ]);
    for (const v of videos) {
      expect(v.platform).toBe('TikTok');
      expect(v.external_video_id).toMatch(/^\d{19}$/);
      expect(v.video_url).toBe(`https://www.tiktok.com/@${handle}/video/${v.external_video_id}`);
      expect(v.thumbnail_url).toMatch(/^https:\/\//);
      expect(v.title).toEqual(expect.any(String));
      expect(new Date(v.published_at!).toISOString()).toBe(v.published_at);
      // some videos come with counts as strings: all are numbers here
      const s = v.statistics!;
      expect(s.external_video_id).toBe(v.external_video_id);
      for (const k of ['views', 'likes', 'comments', 'reposts', 'saves'] as const) expect(Number.isInteger(s[k])).toBe(true);
      expect(s.views).toBeGreaterThan(0);
    }
    // newest first
    const dates = videos.map((v) => Date.parse(v.published_at!));
    expect([...dates].sort((a, b) => b - a)).toEqual(dates);
  });

  it('stops at the last page, and at maxPages', async () => {
    const user = await tiktok().getUserInfo(uniq('all'));
    const all = await tiktok().getUserVideosBatch({ externalId: user.external_id, targetCount: 1000 });
    expect(all).toHaveLength(120);
    expect(await fake.calls('tiktok', '/user/posts')).toHaveLength(4);
    await fake.reset();
    const two = await tiktok().getUserVideosBatch({ externalId: user.external_id, targetCount: 1000, maxPages: 2 });
    expect(two).toHaveLength(70);
    expect(two.map((v) => v.external_video_id)).toEqual(all.slice(0, 70).map((v) => v.external_video_id));
    expect(await fake.calls('tiktok', '/user/posts')).toHaveLength(2);
  });

  it('reads the tikwm variants: counts as strings, missing fields, relative covers', async () => {
    const page = stubFetch({
      code: 0,
      msg: 'success',
      data: {
        videos: [
          { video_id: '7300000000000000001', title: 't', cover: '/video/cover/abc.webp', play_count: '1200', digg_count: '34', comment_count: 5, share_count: null, create_time: '1700000000', author: { unique_id: 'x' } },
          { video_id: 7300000002, play_count: 7 },
          { title: 'no id: skipped' },
        ],
        cursor: 1700000000000,
        hasMore: false,
      },
    });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await tiktok(page).getUserVideosPage({ externalId: '1', cursor: null });
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(res.nextCursor).toBeNull();
    expect(res.videos).toEqual([
      {
        external_video_id: '7300000000000000001',
        platform: 'TikTok',
        video_url: 'https://www.tiktok.com/@x/video/7300000000000000001',
        title: 't',
        thumbnail_url: 'https://www.tikwm.com/video/cover/abc.webp',
        published_at: '2023-11-14T22:13:20.000Z',
        statistics: { external_video_id: '7300000000000000001', views: 1200, likes: 34, comments: 5, reposts: 0, saves: 0 },
      },
      {
        external_video_id: '7300000002',
        platform: 'TikTok',
        video_url: 'https://m.tiktok.com/v/7300000002.html',
        title: null,
        thumbnail_url: null,
        published_at: null,
        statistics: { external_video_id: '7300000002', views: 7, likes: 0, comments: 0, reposts: 0, saves: 0 },
      },
    ]);
  });
});

describe('TikTok adapter: stats', () => {
  it('fetches stats one video per call, deleted ones reported missing', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `73010000000000000${String(10 + i)}`);
    await fake.pinStats({ id: ids[0]!, views: 12345, likes: 678, comments: 90, reposts: 12, saves: 34 });
    await fake.markDeleted([ids[1]!]);
    const refs = [...ids.map((id) => ref(id)), { externalVideoId: '7301deleted0001', videoUrl: 'https://www.tiktok.com/@creator/video/7301deleted0001' }];
    const res = await tiktok().getVideoStats(refs);
    expect(res.missing.sort()).toEqual([ids[1]!, '7301deleted0001'].sort());
    expect(res.found.map((f) => f.external_video_id).sort()).toEqual(ids.filter((_, i) => i !== 1).sort());
    expect(res.found.find((f) => f.external_video_id === ids[0])).toMatchObject({
      views: 12345,
      likes: 678,
      comments: 90,
      reposts: 12,
      saves: 34,
      author_username: 'creator',
      music_id: expect.stringMatching(/^\d+$/),
      title: expect.any(String),
      published_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    const calls = await fake.calls('tiktok');
    expect(calls).toHaveLength(refs.length);
    expect(calls.map((c) => c.query.url).sort()).toEqual(refs.map((r) => r.videoUrl).sort());
  });

  it('counts grow between fetches as time passes', async () => {
    const id = '7301000000000000999';
    const before = (await tiktok().getVideoStats([ref(id)])).found[0]!;
    await fake.advanceClock(60 * 60_000);
    const after = (await tiktok().getVideoStats([ref(id)])).found[0]!;
    expect(after.views).toBeGreaterThan(before.views);
  });

  it('keeps at most 6 calls in flight', async () => {
    await fake.fault({ platform: 'tiktok', path: 'url=', kind: 'slow', delayMs: 150 });
    let inFlight = 0;
    let peak = 0;
    const counting: typeof fetch = async (input, init) => {
      peak = Math.max(peak, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const ids = Array.from({ length: 10 }, (_, i) => `730200000000000000${i}`);
    const res = await tiktok(counting).getVideoStats(ids.map((id) => ref(id)));
    expect(res.found).toHaveLength(10);
    expect(peak).toBe(6);
    expect(await fake.calls('tiktok')).toHaveLength(10);
  });

  it('maps tikwm errors in the body: rate limit → retryable, unknown failure → transient, never "missing"', async () => {
    const limited = await rejectionOf(tiktok(stubFetch({ code: -1, msg: 'Free Api Limit: 1 request/second.' })).getVideoStats([ref('7301000000000000001')]));
    expect(limited).toBeInstanceOf(RateLimitedError);
    expect(limited.retryable).toBe(true);
    const odd = await rejectionOf(tiktok(stubFetch({ code: -5, msg: 'something odd' })).getVideoStats([ref('7301000000000000001')]));
    expect(odd).toBeInstanceOf(TransientPlatformError);
  });
});
