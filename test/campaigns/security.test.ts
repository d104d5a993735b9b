import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { createCampaignFixture, insertBlogger, insertVideo, type CampaignFixture } from './fixtures';

/**
 * Organization A's owner against organization B's campaign, videos and bloggers: every campaign
 * route answers 404 (never 403: the answer must not reveal that the campaign exists) and nothing of
 * B's changes. Plus the usual door checks on every route: no token, not a member.
 */
const sql = adminSql();
let a: Fixture;
let tokenA: string;
let campaignA: string;
let videoA: string;
let b: CampaignFixture;

beforeAll(async () => {
  a = await createOrganization(sql);
  tokenA = await tokenFor(a.userId);
  const [row] = await sql`insert into campaigns (organization_id, name) values (${a.orgId}, 'Ours') returning id`;
  campaignA = row!.id;
  videoA = await insertVideo(sql, a.orgId, { campaignId: campaignA });
  b = await createCampaignFixture(sql);
});

/** Every campaign route, addressed at B's campaign (and B's video / blogger where the route takes one). */
const routes = (): [string, string, unknown?][] => [
  ['GET', `/campaigns/${b.campaignId}`],
  ['PATCH', `/campaigns/${b.campaignId}`, { budget: 1, name: 'Hijacked' }],
  ['DELETE', `/campaigns/${b.campaignId}`],
  ['GET', `/campaigns/${b.campaignId}/stats?mode=increments`],
  ['GET', `/campaigns/${b.campaignId}/timeseries?interval=week`],
  ['GET', `/campaigns/${b.campaignId}/videos`],
  ['GET', `/campaigns/${b.campaignId}/bloggers`],
  ['POST', `/campaigns/${b.campaignId}/videos`, { video_ids: [videoA] }],
  ['DELETE', `/campaigns/${b.campaignId}/videos/${b.v.v1}`],
  ['PATCH', `/campaigns/${b.campaignId}/videos/${b.v.v1}`, { budget: 0 }],
  ['POST', `/campaigns/${b.campaignId}/bloggers`, { blogger_ids: [b.b.b2] }],
  ['DELETE', `/campaigns/${b.campaignId}/bloggers/${b.b.b1}`],
  ['PUT', `/campaigns/${b.campaignId}/tags`, { tags: ['pwned'] }],
];

async function snapshotOfB() {
  return {
    campaign: await sql`select name, budget::text, description from campaigns where id = ${b.campaignId}`,
    videos: await sql`select id, campaign_id, budget::text from videos where organization_id = ${b.owner.orgId} order by id`,
    bloggers: await sql`select blogger_id from blogger_campaigns where campaign_id = ${b.campaignId} order by blogger_id`,
    tags: await sql`select tag_id from campaign_tags where campaign_id = ${b.campaignId}`,
    ours: await sql`select campaign_id from videos where id = ${videoA}`,
  };
}

describe('another organization’s campaign does not exist for you', () => {
  it('every campaign route answers 404 campaign not found, and nothing changes', async () => {
    const before = await snapshotOfB();
    for (const [method, path, body] of routes()) {
      const res = await call(method, path, { token: tokenA, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error, `${method} ${path}`).toEqual({ code: 'not_found', message: 'campaign not found' });
    }
    expect(await snapshotOfB()).toEqual(before);
  });

  it('the list never shows it', async () => {
    const res = await call('GET', '/campaigns?limit=100', { token: tokenA });
    expect(res.body.data.map((c: any) => c.id)).toEqual([campaignA]);
  });

  it('assigning another organization’s video or blogger to your campaign answers 404 and writes nothing', async () => {
    const before = await snapshotOfB();
    const video = await call('POST', `/campaigns/${campaignA}/videos`, { token: tokenA, body: { video_ids: [b.v.v1] } });
    expect(video.status).toBe(404);
    expect(video.body.error).toEqual({ code: 'not_found', message: 'video not found' });
    // mixed with one of yours: still nothing
    const mixed = await call('POST', `/campaigns/${campaignA}/videos`, { token: tokenA, body: { video_ids: [b.v.v2, videoA] } });
    expect(mixed.status).toBe(404);
    for (const [method, path, body] of [
      ['PATCH', `/campaigns/${campaignA}/videos/${b.v.v1}`, { budget: 0 }],
      ['DELETE', `/campaigns/${campaignA}/videos/${b.v.v1}`],
    ] as [string, string, unknown?][]) {
      const res = await call(method, path, { token: tokenA, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.message).toBe('video not found');
    }
    const blogger = await call('POST', `/campaigns/${campaignA}/bloggers`, { token: tokenA, body: { blogger_ids: [b.b.b1] } });
    expect(blogger.status).toBe(404);
    expect(blogger.body.error).toEqual({ code: 'not_found', message: 'blogger not found' });
    expect(await snapshotOfB()).toEqual(before);
    expect(await sql`select blogger_id from blogger_campaigns where campaign_id = ${campaignA}`).toEqual([]);
  });

  it('B’s own analytics are unaffected by A and A’s never include B’s videos', async () => {
    const theirs = await call('GET', `/campaigns/${b.campaignId}/stats?mode=increments`, { token: await tokenFor(b.owner.userId) });
    expect(theirs.body.stats.views).toBe(6000);
    const ours = await call('GET', `/campaigns/${campaignA}/stats`, { token: tokenA });
    expect(ours.body.videos).toEqual({ count: 1, with_stats: 0 });
  });

  it('a blogger of the same name in your organization is yours to assign', async () => {
    const mine = await insertBlogger(sql, a.orgId, 'alice');
    const res = await call('POST', `/campaigns/${campaignA}/bloggers`, { token: tokenA, body: { blogger_ids: [mine] } });
    expect(res.status).toBe(200);
    expect(res.body.campaign.blogger_ids).toEqual([mine]);
  });
});

describe('the door: every campaign route needs a token and a membership', () => {
  it('answers 401 without a token and 403 for an organization you do not belong to', async () => {
    const all: [string, string, unknown?][] = [['GET', '/campaigns'], ['POST', '/campaigns', { name: 'x' }], ...routes()];
    for (const [method, path, body] of all) {
      const anonymous = await call(method, path, { body });
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      const stranger = await call(method, path, { token: tokenA, orgId: b.owner.orgId, body });
      expect(stranger.status, `${method} ${path}`).toBe(403);
      expect(stranger.body.error.code).toBe('not_a_member');
    }
  });
});
