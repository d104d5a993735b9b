import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, addMember, type Fixture } from '../helpers/db';
import { call, eventually, tokenFor } from '../helpers/api';
import { fakePlatforms } from '../helpers/fake-platforms';

const sql = adminSql();
let owner: Fixture;
let token: string;

beforeAll(async () => {
  owner = await createOrganization(sql);
  token = await tokenFor(owner.userId);
});
afterAll(async () => {
  await fakePlatforms.reset();
});

const tiktokUrl = (id: string) => `https://www.tiktok.com/@creator/video/${id}?is_from_webapp=1`;
const randomDigits = () => `73${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;

describe('POST /dashboard/videos', () => {
  it('adds a TikTok video by URL and answers it with no stats yet', async () => {
    const id = randomDigits();
    const res = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(id) } });
    expect(res.status).toBe(201);
    expect(res.body.created).toBe(true);
    expect(res.body.video).toMatchObject({
      platform: 'TikTok',
      external_video_id: id,
      initial_url: tiktokUrl(id),
      status: 'stopped',
      latest_stats: null,
      tags: [],
    });
    const [row] = await sql`select organization_id, created_by from videos where id = ${res.body.video.id}`;
    expect(row).toEqual({ organization_id: owner.orgId, created_by: owner.userId });
  });

  it('returns the existing video for a duplicate URL instead of a second row', async () => {
    const id = randomDigits();
    const first = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(id) } });
    const second = await call('POST', '/dashboard/videos', { token, body: { url: `https://m.tiktok.com/v/${id}.html` } });
    expect(second.status).toBe(200);
    expect(second.body.created).toBe(false);
    expect(second.body.video.id).toBe(first.body.video.id);
    const [{ count }] = await sql`select count(*)::int from videos where organization_id = ${owner.orgId} and external_video_id = ${id}`;
    expect(count).toBe(1);
  });

  it('stores Instagram and YouTube URLs under their canonical ids', async () => {
    const ig = await call('POST', '/dashboard/videos', { token, body: { url: 'https://www.instagram.com/reel/CowkyywjSZQ/?igsh=abc' } });
    expect(ig.status).toBe(201);
    expect(ig.body.video).toMatchObject({ platform: 'Instagram', external_video_id: '3040091568624969296', video_url: 'https://www.instagram.com/reel/CowkyywjSZQ/' });
    const yt = await call('POST', '/dashboard/videos', { token, body: { url: 'https://youtu.be/dQw4w9WgXcQ?t=42' } });
    expect(yt.status).toBe(201);
    expect(yt.body.video).toMatchObject({ platform: 'YouTube', external_video_id: 'dQw4w9WgXcQ', video_url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' });
  });

  it('creates tags by name and links them, and accepts a campaign of the organization', async () => {
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${owner.orgId}, ${'Spring ' + randomDigits()}) returning id`;
    const res = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(randomDigits()), campaign_id: campaign!.id, tags: ['ugc', 'spring', 'ugc'] } });
    expect(res.status).toBe(201);
    expect(res.body.video.tags).toEqual(['spring', 'ugc']);
    expect(res.body.video.campaign_id).toBe(campaign!.id);
  });

  it.each([
    ['not a url', 'url'],
    ['https://example.com/video/1', 'url'],
    ['https://www.tiktok.com/@creator', 'url'],
    ['https://vm.tiktok.com/ZMabc123/', 'url'],
    ['https://www.youtube.com/watch?v=short', 'url'],
    ['ftp://www.tiktok.com/@a/video/123', 'url'],
  ])('rejects %s with 400 and the field at fault', async (url, field) => {
    const res = await call('POST', '/dashboard/videos', { token, body: { url } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.issues[0].path).toBe(field);
    const [{ count }] = await sql`select count(*)::int from videos where organization_id = ${owner.orgId} and initial_url = ${url}`;
    expect(count).toBe(0);
  });

  it('rejects a missing url, a malformed JSON body and a bad campaign id', async () => {
    const missing = await call('POST', '/dashboard/videos', { token, body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.error.details.issues.map((i: any) => i.path)).toContain('url');
    const malformed = await call('POST', '/dashboard/videos', { token, rawBody: '{"url": ' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('bad_request');
    const badCampaign = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(randomDigits()), campaign_id: 'nope' } });
    expect(badCampaign.status).toBe(400);
    expect(badCampaign.body.error.details.issues[0].path).toBe('campaign_id');
  });

  it("answers 404 for another organization's campaign and writes nothing", async () => {
    const other = await createOrganization(sql);
    const [campaign] = await sql`insert into campaigns (organization_id, name) values (${other.orgId}, 'Theirs') returning id`;
    const id = randomDigits();
    const res = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(id), campaign_id: campaign!.id } });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'campaign not found' });
    const [{ count }] = await sql`select count(*)::int from videos where external_video_id = ${id}`;
    expect(count).toBe(0);
  });
});

describe('start tracking → HIGH_PRIORITY → consumer → snapshot', () => {
  it('fetches the stats and shows them on the video within seconds', async () => {
    const id = randomDigits();
    await fakePlatforms.pinStats({ id, views: 12345, likes: 678, comments: 90, reposts: 12, saves: 34 });
    const added = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(id) } });
    const videoId = added.body.video.id;

    const started = await call('POST', '/dashboard/videos/start-tracking', { token, body: { video_id: videoId } });
    expect(started.status).toBe(200);
    expect(started.body).toEqual({ success: true, video_id: videoId, status: 'tracking' });

    const video = await eventually(async () => {
      const res = await call('GET', `/dashboard/videos/${videoId}`, { token });
      return res.body.video.latest_stats ? res.body.video : undefined;
    });
    expect(video.status).toBe('tracking');
    expect(video.tracking_started_at).not.toBeNull();
    expect(video.latest_stats).toMatchObject({ views: 12345, likes: 678, comments: 90, reposts: 12, saves: 34 });
    // the consumer also filled in what the platform knows about the video
    expect(video.thumbnail_url).toMatch(/^https?:\/\//);
    expect(video.published_at).not.toBeNull();
    const snapshots = await sql`select organization_id, external_video_id, views from video_statistics where video_id = ${videoId}`;
    expect(snapshots).toEqual([{ organization_id: owner.orgId, external_video_id: id, views: '12345' }]);
  });

  it('stop-tracking sets the status and keeps the history', async () => {
    const added = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(randomDigits()) } });
    await call('POST', '/dashboard/videos/start-tracking', { token, body: { video_id: added.body.video.id } });
    const stopped = await call('POST', '/dashboard/videos/stop-tracking', { token, body: { video_id: added.body.video.id } });
    expect(stopped.status).toBe(200);
    const [row] = await sql`select video_status, tracking_started_at from videos where id = ${added.body.video.id}`;
    expect(row!.video_status).toBe('stopped');
    expect(row!.tracking_started_at).not.toBeNull();
  });

  it('refuses to track past the plan’s tracked-videos limit, and two racing requests cannot both take the last unit', async () => {
    const small = await createOrganization(sql, { plan: 'free' });
    const smallToken = await tokenFor(small.userId);
    const [{ max }] = await sql`select max_tracked_videos as max from subscription_plan_limits where plan = 'free'`;
    await sql`insert into videos (organization_id, platform, external_video_id, video_url, video_status)
      select ${small.orgId}, 'TikTok', (7100000000000000000 + g)::text, 'https://www.tiktok.com/@f/video/' || g, 'tracking'
      from generate_series(1, ${max - 1}) g`;
    const a = await call('POST', '/dashboard/videos', { token: smallToken, body: { url: tiktokUrl(randomDigits()) } });
    const b = await call('POST', '/dashboard/videos', { token: smallToken, body: { url: tiktokUrl(randomDigits()) } });
    const [ra, rb] = await Promise.all([
      call('POST', '/dashboard/videos/start-tracking', { token: smallToken, body: { video_id: a.body.video.id } }),
      call('POST', '/dashboard/videos/start-tracking', { token: smallToken, body: { video_id: b.body.video.id } }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 402]);
    const refused = ra.status === 402 ? ra : rb;
    expect(refused.body.error).toMatchObject({ code: 'limit_exceeded', details: { limit: 'max_tracked_videos', max, usage: max, requested: 1 } });
    const [{ n }] = await sql`select count(*)::int as n from videos where organization_id = ${small.orgId} and video_status = 'tracking'`;
    expect(n).toBe(max);
    // re-starting a video that is already tracked consumes nothing
    const winner = ra.status === 200 ? a : b;
    expect((await call('POST', '/dashboard/videos/start-tracking', { token: smallToken, body: { video_id: winner.body.video.id } })).status).toBe(200);
  });

  it('answers 404 for an unknown video and 400 for a malformed id', async () => {
    const unknown = await call('POST', '/dashboard/videos/start-tracking', { token, body: { video_id: crypto.randomUUID() } });
    expect(unknown.status).toBe(404);
    const malformed = await call('POST', '/dashboard/videos/start-tracking', { token, body: { video_id: '123' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.issues[0].path).toBe('video_id');
  });
});

describe('GET /dashboard/videos', () => {
  let listOwner: Fixture;
  let listToken: string;
  beforeAll(async () => {
    listOwner = await createOrganization(sql);
    listToken = await tokenFor(listOwner.userId);
    for (let i = 0; i < 5; i++) await call('POST', '/dashboard/videos', { token: listToken, body: { url: tiktokUrl(randomDigits()) } });
    await call('POST', '/dashboard/videos', { token: listToken, body: { url: 'https://www.youtube.com/shorts/aBcDeFgHiJk' } });
  });

  it('pages through every video exactly once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: any = await call('GET', `/dashboard/videos?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: listToken });
      expect(res.status).toBe(200);
      expect(res.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.data.map((v: any) => v.id));
      cursor = res.body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(6);
    const [{ ids }] = await sql`select array_agg(id::text order by created_at desc, id desc) as ids from videos where organization_id = ${listOwner.orgId}`;
    expect(seen).toEqual(ids);
  });

  it('filters by platform and status', async () => {
    const yt = await call('GET', '/dashboard/videos?platform=YouTube', { token: listToken });
    expect(yt.body.data.map((v: any) => v.platform)).toEqual(['YouTube']);
    const tracking = await call('GET', '/dashboard/videos?status=tracking', { token: listToken });
    expect(tracking.body.data).toEqual([]);
    const stopped = await call('GET', '/dashboard/videos?status=stopped&limit=100', { token: listToken });
    expect(stopped.body.data).toHaveLength(6);
  });

  it('rejects bad filters and cursors with 400', async () => {
    for (const q of ['platform=Vimeo', 'status=paused', 'limit=0', 'limit=1000', 'cursor=%%%', 'campaign_id=1']) {
      const res = await call('GET', `/dashboard/videos?${q}`, { token: listToken });
      expect(res.status, q).toBe(400);
      expect(res.body.error.code, q).toBe('validation_failed');
    }
  });
});

describe('roles', () => {
  it('lets a viewer read but not add or track videos', async () => {
    const viewer = await addMember(sql, owner.orgId, 'viewer');
    const viewerToken = await tokenFor(viewer.userId);
    const list = await call('GET', '/dashboard/videos', { token: viewerToken });
    expect(list.status).toBe(200);
    const add = await call('POST', '/dashboard/videos', { token: viewerToken, body: { url: tiktokUrl(randomDigits()) } });
    expect(add.status).toBe(403);
    expect(add.body.error.code).toBe('forbidden');
    const [video] = await sql`select id from videos where organization_id = ${owner.orgId} limit 1`;
    const track = await call('POST', '/dashboard/videos/start-tracking', { token: viewerToken, body: { video_id: video!.id } });
    expect(track.status).toBe(403);
  });
});
