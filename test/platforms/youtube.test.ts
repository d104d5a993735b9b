import { beforeEach, describe, expect, it } from 'vitest';
import { AccountNotFoundError, createPlatformAdapter, youtubeChannelLookup } from '../../src/platforms';
import { fake, rejectionOf, stubFetch, testConfig, uniq } from './support';

const youtube = (fetchImpl?: typeof fetch) => createPlatformAdapter('YouTube', testConfig(), fetchImpl);
const ref = (id: string) => ({ externalVideoId: id, videoUrl: `https://www.youtube.com/watch?v=${id}` });
const ytIds = (n: number, prefix = 'v') => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(10, '0')}`.slice(-11));

beforeEach(async () => {
  await fake.reset();
});

describe('YouTube adapter: channels', () => {
  it('finds a channel by @handle, handle, /@handle URL and /channel/UC… URL', async () => {
    const handle = uniq('creator').toLowerCase();
    const info = await youtube().getUserInfo(`@${handle}`);
    expect(info).toMatchObject({ username: handle, sec_uid: null, is_private: false, profile_url: `https://www.youtube.com/@${handle}` });
    expect(info.external_id).toMatch(/^UC[\w-]{22}$/);
    expect(info.subscribers).toEqual(expect.any(Number));
    expect(info.thumbnail).toMatch(/^https:\/\//);
    for (const input of [handle, `https://www.youtube.com/@${handle}`, `https://www.youtube.com/@${handle}/videos`, `https://www.youtube.com/channel/${info.external_id}`, info.external_id]) {
      expect(await youtube().getUserInfo(input)).toEqual(info);
    }
    const calls = await fake.calls('youtube', '/channels');
    expect(calls.map((c) => c.query.forHandle ?? c.query.id)).toEqual([`@${handle}`, `@${handle}`, `@${handle}`, `@${handle}`, info.external_id, info.external_id]);
    for (const c of calls) expect(c.query).toMatchObject({ part: 'snippet,statistics,contentDetails', key: 'test-youtube-key' });
  });

  it('throws AccountNotFoundError when no channel matches, whether `items` is empty or absent', async () => {
    // the fake leaves `items` out for some unknown handles and sends [] for others
    for (const handle of ['@unknown_a', '@unknown_b', '@unknown_c', '@unknown_d']) {
      const err = await rejectionOf(youtube().getUserInfo(handle));
      expect(err).toBeInstanceOf(AccountNotFoundError);
      expect(err.retryable).toBe(false);
    }
    expect(await fake.calls('youtube', '/channels')).toHaveLength(4);
  });

  it('tries a bare name as a legacy username after the handle', async () => {
    expect(await rejectionOf(youtube().getUserInfo('unknown_legacy'))).toBeInstanceOf(AccountNotFoundError);
    expect((await fake.calls('youtube', '/channels')).map((c) => c.query.forHandle ?? `user:${c.query.forUsername}`)).toEqual(['@unknown_legacy', 'user:unknown_legacy']);
  });

  it('parses the forms a channel reference can take', () => {
    expect(youtubeChannelLookup('https://www.youtube.com/channel/UCL-8FVaefmqox59LpOJxnOQ')).toEqual({ id: 'UCL-8FVaefmqox59LpOJxnOQ' });
    expect(youtubeChannelLookup('UCL-8FVaefmqox59LpOJxnOQ')).toEqual({ id: 'UCL-8FVaefmqox59LpOJxnOQ' });
    expect(youtubeChannelLookup('https://youtube.com/user/legacyname')).toEqual({ forUsername: 'legacyname' });
    expect(youtubeChannelLookup('https://www.youtube.com/c/CustomName')).toEqual({ forHandle: '@CustomName' });
    expect(youtubeChannelLookup('https://m.youtube.com/@qubane?si=x')).toEqual({ forHandle: '@qubane' });
    expect(youtubeChannelLookup('@qubane')).toEqual({ forHandle: '@qubane' });
    expect(youtubeChannelLookup('https://www.youtube.com/watch?v=dQw4w9WgXcQ')).toBeNull();
  });
});

describe('YouTube adapter: uploads', () => {
  it('pages the uploads playlist (UC→UU, 50 a page, pageToken) until the target; no stats in the listing', async () => {
    const info = await youtube().getUserInfo(uniq('uploads'));
    const videos = await youtube().getUserVideosBatch({ externalId: info.external_id, targetCount: 120 });
    expect(videos).toHaveLength(120);
    expect(new Set(videos.map((v) => v.external_video_id)).size).toBe(120);
    const calls = await fake.calls('youtube', '/playlistItems');
    expect(calls).toHaveLength(3);
    expect(calls.every((c) => c.query.playlistId === `UU${info.external_id.slice(2)}` && c.query.maxResults === '50')).toBe(true);
    expect(calls[0]!.query.pageToken).toBeUndefined();
    expect(calls[1]!.query.pageToken).toEqual(expect.any(String));
    for (const v of videos) {
      expect(v).toMatchObject({ platform: 'YouTube', video_url: `https://www.youtube.com/watch?v=${v.external_video_id}`, title: null });
      expect(v.external_video_id).toMatch(/^[\w-]{11}$/);
      expect(v.statistics).toBeUndefined();
      expect(new Date(v.published_at!).toISOString()).toBe(v.published_at);
    }
  });

  it('stops at the target count and at maxPages', async () => {
    const info = await youtube().getUserInfo(uniq('stop'));
    expect(await youtube().getUserVideosBatch({ externalId: info.external_id, targetCount: 60 })).toHaveLength(60);
    expect(await fake.calls('youtube', '/playlistItems')).toHaveLength(2);
    await fake.reset();
    expect(await youtube().getUserVideosBatch({ externalId: info.external_id, targetCount: 1000, maxPages: 1 })).toHaveLength(50);
    expect(await fake.calls('youtube', '/playlistItems')).toHaveLength(1);
  });

  it('throws AccountNotFoundError when the uploads playlist does not exist (404 playlistNotFound)', async () => {
    const err = await rejectionOf(youtube().getUserVideosBatch({ externalId: 'UCunknown0000000000000000', targetCount: 5 }));
    expect(err).toBeInstanceOf(AccountNotFoundError);
    expect(err.status).toBe(404);
  });
});

describe('YouTube adapter: stats', () => {
  it('never sends more than 50 ids per videos.list; ids not returned are missing', async () => {
    const ids = ytIds(120, 'stat');
    const deleted = ['deleted0001', ids[7]!, ids[77]!];
    await fake.markDeleted([ids[7]!, ids[77]!]);
    await fake.pinStats({ id: ids[0]!, views: 1000, likes: 50, comments: 5, reposts: 0, saves: 0 });
    const res = await youtube().getVideoStats([...ids, 'deleted0001'].map(ref));
    const calls = await fake.calls('youtube', '/videos');
    expect(calls.map((c) => c.query.id!.split(',').length)).toEqual([50, 50, 21]);
    for (const c of calls) expect(c.query.part).toContain('statistics');
    expect(res.missing.sort()).toEqual(deleted.sort());
    expect(res.found).toHaveLength(118);
    expect(res.found.find((f) => f.external_video_id === ids[0])).toMatchObject({ views: 1000, likes: 50, comments: 5, reposts: 0, saves: 0 });
    for (const f of res.found) {
      for (const k of ['views', 'likes', 'comments', 'reposts', 'saves'] as const) expect(Number.isInteger(f[k])).toBe(true);
      expect(f.published_at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(f.author_external_id).toMatch(/^UC/);
    }
    // the fake hides likeCount / commentCount for some ids: those count 0, the rest are read
    expect(res.found.some((f) => f.likes === 0)).toBe(true);
    expect(res.found.some((f) => f.likes > 0)).toBe(true);
  });

  it('asks for each id once', async () => {
    const res = await youtube().getVideoStats([ref('dupdupdup01'), ref('dupdupdup01'), ref('dupdupdup02')]);
    expect(res.found.map((f) => f.external_video_id)).toEqual(['dupdupdup01', 'dupdupdup02']);
    expect((await fake.calls('youtube', '/videos'))[0]!.query.id).toBe('dupdupdup01,dupdupdup02');
  });

  it('reads counts given as strings, missing counts as 0, and an answer without `items` as all missing', async () => {
    const some = await youtube(
      stubFetch({ items: [{ id: 'aaaaaaaaaaa', snippet: { publishedAt: '2024-01-02T03:04:05Z', title: 'T', thumbnails: { default: { url: 'https://d' }, high: { url: 'https://h' } } }, statistics: { viewCount: '129292', favoriteCount: '0' } }] }),
    ).getVideoStats([ref('aaaaaaaaaaa'), ref('bbbbbbbbbbb')]);
    expect(some).toEqual({
      found: [{ external_video_id: 'aaaaaaaaaaa', views: 129292, likes: 0, comments: 0, reposts: 0, saves: 0, title: 'T', thumbnail_url: 'https://h', published_at: '2024-01-02T03:04:05Z', author_username: null, author_external_id: null }],
      missing: ['bbbbbbbbbbb'],
    });
    const none = await youtube(stubFetch({ kind: 'youtube#videoListResponse', pageInfo: { totalResults: 0 } })).getVideoStats([ref('ccccccccccc')]);
    expect(none).toEqual({ found: [], missing: ['ccccccccccc'] });
    // the fake does the same when every id is gone
    expect(await youtube().getVideoStats([ref('deleted0002')])).toEqual({ found: [], missing: ['deleted0002'] });
  });
});
