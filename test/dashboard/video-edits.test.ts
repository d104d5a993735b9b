import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, addMember, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { createCampaignFixture, type CampaignFixture } from '../campaigns/fixtures';

const sql = adminSql();
let org: Fixture;
let token: string;
let stranger: string;
const tiktokUrl = () => `https://www.tiktok.com/@e/video/75${Math.floor(Math.random() * 1e15).toString().padStart(15, '0')}`;

beforeAll(async () => {
  org = await createOrganization(sql);
  token = await tokenFor(org.userId);
  stranger = await tokenFor((await createOrganization(sql)).userId);
});

async function newVideo(tags: string[] = []) {
  const res = await call('POST', '/dashboard/videos', { token, body: { url: tiktokUrl(), tags } });
  expect(res.status).toBe(201);
  return res.body.video as { id: string; tags: string[] };
}

describe('PUT /dashboard/videos/:id/tags', () => {
  it('replaces the tags (creating new names), and an empty list removes them all', async () => {
    const v = await newVideo(['alpha', 'beta']);
    const res = await call('PUT', `/dashboard/videos/${v.id}/tags`, { token, body: { tags: ['beta', 'gamma', 'gamma'] } });
    expect(res.status).toBe(200);
    expect(res.body.video.tags).toEqual(['beta', 'gamma']);
    expect((await call('GET', `/dashboard/videos/${v.id}`, { token })).body.video.tags).toEqual(['beta', 'gamma']);
    // the tag that lost its last link still exists for the organization (other objects may use it)
    expect((await sql`select 1 from tags where organization_id = ${org.orgId} and name = 'alpha'`).length).toBe(1);
    const cleared = await call('PUT', `/dashboard/videos/${v.id}/tags`, { token, body: { tags: [] } });
    expect(cleared.body.video.tags).toEqual([]);
  });

  it('validates the body and answers 404 for an unknown or another organization’s video, changing nothing', async () => {
    const v = await newVideo(['keep']);
    for (const body of [{}, { tags: 'x' }, { tags: [''] }, { tags: ['a'], extra: 1 }, { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }]) {
      const res = await call('PUT', `/dashboard/videos/${v.id}/tags`, { token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect((await call('PUT', `/dashboard/videos/${crypto.randomUUID()}/tags`, { token, body: { tags: ['x'] } })).status).toBe(404);
    const theirs = await call('PUT', `/dashboard/videos/${v.id}/tags`, { token: stranger, body: { tags: ['hijack'] } });
    expect(theirs.status).toBe(404);
    expect((await call('GET', `/dashboard/videos/${v.id}`, { token })).body.video.tags).toEqual(['keep']);
  });

  it('a viewer may not change tags (403, tags.write)', async () => {
    const v = await newVideo(['keep']);
    const viewer = await addMember(sql, org.orgId, 'viewer');
    const res = await call('PUT', `/dashboard/videos/${v.id}/tags`, { token: await tokenFor(viewer.userId), orgId: org.orgId, body: { tags: ['x'] } });
    expect(res.status).toBe(403);
    expect(res.body.error.details).toMatchObject({ action: 'tags.write', role: 'viewer' });
  });
});

describe('DELETE /dashboard/videos/:id', () => {
  let f: CampaignFixture;
  let ownerToken: string;
  const totals = async () => (await call('GET', `/campaigns/${f.campaignId}/stats?mode=totals`, { token: ownerToken })).body.stats;

  beforeAll(async () => {
    f = await createCampaignFixture(sql);
    ownerToken = await tokenFor(f.owner.userId);
  });

  it('by default removes softly: tracking stops, the list hides it, its history stays in campaign totals', async () => {
    const before = await totals();
    expect(before.views).toBe(58000);
    const res = await call('DELETE', `/dashboard/videos/${f.v.v1}`, { token: ownerToken });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, id: f.v.v1, removal: 'soft', status: 'stopped' });
    expect(await totals()).toEqual(before);

    const list = await call('GET', '/dashboard/videos?limit=100', { token: ownerToken });
    expect(list.body.data.map((v: any) => v.id)).not.toContain(f.v.v1);
    const one = await call('GET', `/dashboard/videos/${f.v.v1}`, { token: ownerToken });
    expect(one.body.video).toMatchObject({ status: 'stopped', campaign_id: f.campaignId });
    expect(one.body.video.removed_at).not.toBeNull();
    const [{ n }] = await sql`select count(*)::int as n from video_statistics where video_id = ${f.v.v1}`;
    expect(n).toBe(6);
    const [needing] = await sql`select count(*)::int as n from videos_needing_update where id = ${f.v.v1}`;
    expect(needing!.n).toBe(0);

    // starting tracking again brings it back
    const back = await call('POST', '/dashboard/videos/start-tracking', { token: ownerToken, body: { video_id: f.v.v1 } });
    expect(back.status).toBe(200);
    const again = await call('GET', '/dashboard/videos?limit=100', { token: ownerToken });
    expect(again.body.data.map((v: any) => v.id)).toContain(f.v.v1);
  });

  it('?purge=true deletes the video with its snapshots, and the campaign totals lose it', async () => {
    const res = await call('DELETE', `/dashboard/videos/${f.v.v2}?purge=true`, { token: ownerToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, id: f.v.v2, removal: 'purged', snapshots_deleted: 4 });
    expect((await totals()).views).toBe(6000);
    expect((await call('GET', `/dashboard/videos/${f.v.v2}`, { token: ownerToken })).status).toBe(404);
    const [{ n }] = await sql`select count(*)::int as n from video_statistics where video_id = ${f.v.v2}`;
    expect(n).toBe(0);
    expect((await call('DELETE', `/dashboard/videos/${f.v.v2}?purge=true`, { token: ownerToken })).status).toBe(404);
  });

  it('adding the same URL again brings a soft-removed video back', async () => {
    const v = await newVideo();
    const [row] = await sql`select video_url from videos where id = ${v.id}`;
    await call('DELETE', `/dashboard/videos/${v.id}`, { token });
    const again = await call('POST', '/dashboard/videos', { token, body: { url: row!.video_url } });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: false, video: { id: v.id, removed_at: null } });
  });

  it('another organization’s video answers 404 and stays; a bad purge flag is a 400', async () => {
    const v = await newVideo();
    expect((await call('DELETE', `/dashboard/videos/${v.id}`, { token: stranger })).status).toBe(404);
    expect((await call('DELETE', `/dashboard/videos/${v.id}?purge=true`, { token: stranger })).status).toBe(404);
    const [row] = await sql`select removed_at from videos where id = ${v.id}`;
    expect(row!.removed_at).toBeNull();
    const bad = await call('DELETE', `/dashboard/videos/${v.id}?purge=yes`, { token });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect((await call('DELETE', '/dashboard/videos/not-a-uuid', { token })).status).toBe(400);
  });
});
