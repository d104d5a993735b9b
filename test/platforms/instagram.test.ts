import { beforeEach, describe, expect, it, vi } from 'vitest';
import { AccountNotFoundError, createPlatformAdapter, PrivateAccountError, shortcodeToMediaId, TransientPlatformError } from '../../src/platforms';
import { fake, rejectionOf, stubFetch, testConfig, uniq } from './support';

const instagram = (fetchImpl?: typeof fetch) => createPlatformAdapter('Instagram', testConfig(), fetchImpl);
const ref = (id: string) => ({ externalVideoId: id, videoUrl: `https://www.instagram.com/reel/x/` });

beforeEach(async () => {
  await fake.reset();
});

describe('Instagram adapter: user info', () => {
  it('reads a profile by handle, @handle or profile URL', async () => {
    const handle = uniq('nasa');
    const info = await instagram().getUserInfo(handle);
    expect(info).toMatchObject({ username: handle, sec_uid: null, is_private: false, profile_url: `https://www.instagram.com/${handle}/` });
    expect(info.external_id).toMatch(/^\d+$/);
    expect(info.subscribers).toBeGreaterThan(0);
    expect(info.channel_name).toBe(handle.replace(/_/g, ' '));
    for (const input of [`@${handle}`, `https://www.instagram.com/${handle}/?hl=en`, `instagram.com/${handle}`]) {
      expect(await instagram().getUserInfo(input)).toEqual(info);
    }
    expect((await fake.calls('instagram', '/v1/info')).map((c) => c.query.username_or_id_or_url)).toEqual([handle, handle, handle, handle]);
  });

  it('throws AccountNotFoundError for an unknown handle (404) and for a link that is not a profile', async () => {
    const err = await rejectionOf(instagram().getUserInfo(uniq('unknown')));
    expect(err).toBeInstanceOf(AccountNotFoundError);
    expect(err.status).toBe(404);
    expect(err.retryable).toBe(false);
    expect(await rejectionOf(instagram().getUserInfo('https://www.instagram.com/reel/CowkyywjSZQ/'))).toBeInstanceOf(AccountNotFoundError);
    expect(await fake.calls('instagram')).toHaveLength(1);
  });

  it('reports a private account, and refuses to list its reels with PrivateAccountError', async () => {
    const handle = uniq('private');
    const info = await instagram().getUserInfo(handle);
    expect(info.is_private).toBe(true);
    const err = await rejectionOf(instagram().getUserVideosBatch({ externalId: info.external_id, username: handle, targetCount: 5 }));
    expect(err).toBeInstanceOf(PrivateAccountError);
    expect(err.retryable).toBe(false);
  });
});

describe('Instagram adapter: reels', () => {
  it('pages with pagination_token until the target count; URLs from the code, else from the id', async () => {
    const handle = uniq('reels');
    const user = await instagram().getUserInfo(handle);
    const videos = await instagram().getUserVideosBatch({ externalId: user.external_id, username: handle, targetCount: 30 });
    expect(videos).toHaveLength(30);
    const calls = await fake.calls('instagram', '/v1/reels');
    expect(calls).toHaveLength(3);
    expect(calls[0]!.query).toEqual({ username_or_id_or_url: user.external_id });
    expect(calls[1]!.query.pagination_token).toEqual(expect.any(String));
    expect(calls[2]!.query.pagination_token).not.toBe(calls[1]!.query.pagination_token);
    for (const v of videos) {
      expect(v.platform).toBe('Instagram');
      const code = /^https:\/\/www\.instagram\.com\/reel\/([A-Za-z0-9_-]+)\/$/.exec(v.video_url)?.[1];
      expect(code).toBeDefined();
      // the id is the media pk (not `<pk>_<owner>`), and the URL's code encodes it — also for the
      // items the fake serves without `code`
      expect(v.external_video_id).toMatch(/^\d+$/);
      expect(shortcodeToMediaId(code!)).toBe(v.external_video_id);
      expect(v.statistics!.views).toBeGreaterThan(0);
      expect(v.statistics!.external_video_id).toBe(v.external_video_id);
      expect(new Date(v.published_at!).toISOString()).toBe(v.published_at);
    }
    // captions become titles; a null caption becomes a null title
    expect(videos.filter((v) => v.title === null)).toHaveLength(2);
  });

  it('stops at the last page and at maxPages (12 reels a page)', async () => {
    const user = await instagram().getUserInfo(uniq('all'));
    expect(await instagram().getUserVideosBatch({ externalId: user.external_id, targetCount: 1000, maxPages: 20 })).toHaveLength(120);
    expect(await fake.calls('instagram', '/v1/reels')).toHaveLength(10);
    await fake.reset();
    expect(await instagram().getUserVideosBatch({ externalId: user.external_id, targetCount: 1000 })).toHaveLength(120); // default maxPages 10
    await fake.reset();
    expect(await instagram().getUserVideosBatch({ externalId: user.external_id, targetCount: 1000, maxPages: 3 })).toHaveLength(36);
    expect(await fake.calls('instagram', '/v1/reels')).toHaveLength(3);
  });

  it('skips an item with neither code nor numeric id, with a warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const res = await instagram(
      stubFetch({
        data: {
          items: [
            { id: '3040091568624969296_25025320', like_count: '10', play_count: 99, caption: null, taken_at: 1700000000 },
            { code: null, id: null, like_count: 1 },
            { code: 'CqIbCzYMi5C', ig_play_count: 5, share_count: 2, save_count: '3', image_versions: { items: [{ url: 'https://img/x.jpg' }] } },
          ],
        },
      }),
    ).getUserVideosPage({ externalId: '1', cursor: null });
    expect(warn).toHaveBeenCalledOnce();
    expect(String(warn.mock.calls[0]![0])).toMatch(/instagram_item_skipped/);
    warn.mockRestore();
    expect(res.nextCursor).toBeNull();
    expect(res.videos).toEqual([
      {
        external_video_id: '3040091568624969296',
        platform: 'Instagram',
        video_url: 'https://www.instagram.com/reel/CowkyywjSZQ/',
        title: null,
        thumbnail_url: null,
        published_at: '2023-11-14T22:13:20.000Z',
        statistics: { external_video_id: '3040091568624969296', views: 99, likes: 10, comments: 0, reposts: 0, saves: 0 },
      },
      {
        external_video_id: '3064818486287150658',
        platform: 'Instagram',
        video_url: 'https://www.instagram.com/reel/CqIbCzYMi5C/',
        title: null,
        thumbnail_url: 'https://img/x.jpg',
        published_at: null,
        statistics: { external_video_id: '3064818486287150658', views: 5, likes: 0, comments: 0, reposts: 2, saves: 3 },
      },
    ]);
  });
});

describe('Instagram adapter: stats', () => {
  it('looks each video up by its shortcode, deleted ones reported missing', async () => {
    const ids = ['3040091568624969296', '3064818486287150658', '3100000000000000001', '3100000000000000002', '3100000000000000003'];
    await fake.pinStats({ id: ids[0]!, views: 5000, likes: 400, comments: 30, reposts: 2, saves: 1 });
    await fake.markDeleted([ids[3]!]);
    const res = await instagram().getVideoStats([...ids.map(ref), { externalVideoId: 'deleted-reel', videoUrl: 'https://www.instagram.com/reel/deleted-reel/' }]);
    expect(res.missing.sort()).toEqual([ids[3]!, 'deleted-reel'].sort());
    expect(res.found.map((f) => f.external_video_id).sort()).toEqual([ids[0], ids[1], ids[2], ids[4]].sort());
    expect(res.found.find((f) => f.external_video_id === ids[0])).toEqual({
      external_video_id: ids[0],
      views: 5000,
      likes: 400,
      comments: 30,
      reposts: 2,
      saves: 1,
      title: 'Reel 9296',
      thumbnail_url: expect.stringMatching(/^https:\/\//),
      published_at: expect.stringMatching(/^\d{4}-/),
      author_username: 'creator9296',
      author_external_id: expect.stringMatching(/^\d+$/),
    });
    for (const f of res.found) for (const k of ['views', 'likes', 'comments', 'reposts', 'saves'] as const) expect(Number.isInteger(f[k])).toBe(true);
    const keys = (await fake.calls('instagram', '/v1/post_info')).map((c) => c.query.code_or_id_or_url);
    expect(keys).toContain('CowkyywjSZQ');
    expect(keys).toContain('CqIbCzYMi5C');
    expect(keys).toHaveLength(6);
  });

  it('reads post_info variants: counts as strings, no share/save counts, thumbnail_url or image_versions', async () => {
    const res = await instagram(
      stubFetch({ data: { code: 'CowkyywjSZQ', id: '3040091568624969296_1', taken_at: '1700000000', like_count: '12', comment_count: '3', play_count: '456', ig_play_count: '400', caption: { text: 'hi' }, thumbnail_url: 'https://img/t.jpg', user: { id: 1, username: 'u' } } }),
    ).getVideoStats([ref('3040091568624969296')]);
    expect(res).toEqual({
      found: [
        {
          external_video_id: '3040091568624969296',
          views: 456,
          likes: 12,
          comments: 3,
          reposts: 0,
          saves: 0,
          title: 'hi',
          thumbnail_url: 'https://img/t.jpg',
          published_at: '2023-11-14T22:13:20.000Z',
          author_username: 'u',
          author_external_id: '1',
        },
      ],
      missing: [],
    });
  });

  it('treats a body it cannot read as transient, never as missing', async () => {
    const err = await rejectionOf(instagram(stubFetch({ data: { like_count: 'lots' } })).getVideoStats([ref('3040091568624969296')]));
    expect(err).toBeInstanceOf(TransientPlatformError);
    expect(err.message).toMatch(/unexpected Instagram response shape/);
  });
});
