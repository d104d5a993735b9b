import { beforeAll, describe, expect, it } from 'vitest';
import { addMember, adminSql, createOrganization, type Fixture } from '../helpers/db';
import { call, tokenFor } from '../helpers/api';
import { insertBlogger, insertSnapshots, insertVideo } from './fixtures';

const sql = adminSql();
let owner: Fixture;
let token: string;
const unique = (name: string) => `${name} ${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  owner = await createOrganization(sql);
  token = await tokenFor(owner.userId);
});

const create = (body: Record<string, unknown>, t = token) => call('POST', '/campaigns', { token: t, body });

describe('POST /campaigns', () => {
  it('creates a campaign with budget, dates and tags, and answers it', async () => {
    const name = unique('Spring launch');
    const res = await create({ name, description: 'TikTok push', budget: 2500.5, currency: 'eur', starts_on: '2026-04-01', ends_on: '2026-04-30', tags: ['q2', 'launch', 'q2'] });
    expect(res.status).toBe(201);
    expect(res.body.campaign).toEqual({
      id: expect.any(String),
      name,
      description: 'TikTok push',
      budget: 2500.5,
      currency: 'EUR',
      starts_on: '2026-04-01',
      ends_on: '2026-04-30',
      tags: ['launch', 'q2'],
      blogger_ids: [],
      video_count: 0,
      videos_budget: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const [row] = await sql`select organization_id, budget::text from campaigns where id = ${res.body.campaign.id}`;
    expect(row).toEqual({ organization_id: owner.orgId, budget: '2500.50' });
  });

  it('defaults: no budget, USD, no dates', async () => {
    const res = await create({ name: unique('Bare') });
    expect(res.status).toBe(201);
    expect(res.body.campaign).toMatchObject({ budget: null, currency: 'USD', starts_on: null, ends_on: null, tags: [] });
  });

  it('answers 409 for a name the organization already uses (another organization may use it)', async () => {
    const name = unique('Twice');
    expect((await create({ name })).status).toBe(201);
    const again = await create({ name });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', details: { reason: 'name_taken' } });
    const other = await createOrganization(sql);
    expect((await create({ name }, await tokenFor(other.userId))).status).toBe(201);
  });

  it.each([
    [{}, 'name'],
    [{ name: '  ' }, 'name'],
    [{ name: 'x', budget: -1 }, 'budget'],
    [{ name: 'x', budget: 10.001 }, 'budget'],
    [{ name: 'x', currency: 'dollars' }, 'currency'],
    [{ name: 'x', starts_on: '2026-04-31' }, 'starts_on'],
    [{ name: 'x', starts_on: '2026-05-01', ends_on: '2026-04-01' }, 'ends_on'],
    [{ name: 'x', owner: 'me' }, ''],
  ])('rejects %j with 400 at %s', async (body, path) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.issues[0].path).toBe(path);
  });
});

describe('GET /campaigns and /campaigns/:id', () => {
  let lister: Fixture;
  let listToken: string;
  beforeAll(async () => {
    lister = await createOrganization(sql);
    listToken = await tokenFor(lister.userId);
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta']) await create({ name, tags: name === 'Beta' || name === 'Delta' ? ['vip'] : [] }, listToken);
  });

  it('pages through every campaign once, newest first', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await call('GET', `/campaigns?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { token: listToken });
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((c: any) => c.name));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['Delta', 'Gamma', 'Beta', 'Alpha']);
  });

  it('filters by tag and by name', async () => {
    const vip = await call('GET', '/campaigns?tag=vip', { token: listToken });
    expect(vip.body.data.map((c: any) => c.name)).toEqual(['Delta', 'Beta']);
    const search = await call('GET', '/campaigns?search=mm', { token: listToken });
    expect(search.body.data.map((c: any) => c.name)).toEqual(['Gamma']);
    // LIKE wildcards are matched literally
    expect((await call('GET', '/campaigns?search=%25', { token: listToken })).body.data).toEqual([]);
  });

  it('answers one campaign, 404 for an unknown id and 400 for a malformed one', async () => {
    const list = await call('GET', '/campaigns?limit=1', { token: listToken });
    const one = await call('GET', `/campaigns/${list.body.data[0].id}`, { token: listToken });
    expect(one.status).toBe(200);
    expect(one.body.campaign).toEqual(list.body.data[0]);
    const unknown = await call('GET', `/campaigns/${crypto.randomUUID()}`, { token: listToken });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toEqual({ code: 'not_found', message: 'campaign not found' });
    expect((await call('GET', '/campaigns/42', { token: listToken })).status).toBe(400);
  });
});

describe('PATCH /campaigns/:id', () => {
  it('changes budget, currency, dates and name; null clears', async () => {
    const { body } = await create({ name: unique('Edit me'), budget: 100, starts_on: '2026-04-01' });
    const id = body.campaign.id;
    const name = unique('Edited');
    const res = await call('PATCH', `/campaigns/${id}`, { token, body: { name, budget: 750.25, currency: 'GBP', ends_on: '2026-04-15' } });
    expect(res.status).toBe(200);
    expect(res.body.campaign).toMatchObject({ name, budget: 750.25, currency: 'GBP', starts_on: '2026-04-01', ends_on: '2026-04-15' });
    const cleared = await call('PATCH', `/campaigns/${id}`, { token, body: { budget: null, starts_on: null } });
    expect(cleared.body.campaign).toMatchObject({ budget: null, starts_on: null, ends_on: '2026-04-15' });
  });

  it('refuses dates out of order with the stored one, a taken name and an empty body', async () => {
    const { body } = await create({ name: unique('Dated'), starts_on: '2026-04-10', ends_on: '2026-04-20' });
    const id = body.campaign.id;
    const early = await call('PATCH', `/campaigns/${id}`, { token, body: { ends_on: '2026-04-01' } });
    expect(early.status).toBe(400);
    expect(early.body.error.details.issues[0].path).toBe('ends_on');
    const late = await call('PATCH', `/campaigns/${id}`, { token, body: { starts_on: '2026-05-01' } });
    expect(late.status).toBe(400);
    expect(late.body.error.details.issues[0].path).toBe('starts_on');
    const taken = unique('Taken');
    await create({ name: taken });
    expect((await call('PATCH', `/campaigns/${id}`, { token, body: { name: taken } })).status).toBe(409);
    expect((await call('PATCH', `/campaigns/${id}`, { token, body: {} })).status).toBe(400);
    const [row] = await sql`select starts_on::text, ends_on::text from campaigns where id = ${id}`;
    expect(row).toEqual({ starts_on: '2026-04-10', ends_on: '2026-04-20' });
  });
});

describe('assignments', () => {
  it('assigns videos (moving them from another campaign) and unassigns them', async () => {
    const a = (await create({ name: unique('A') })).body.campaign.id;
    const b = (await create({ name: unique('B') })).body.campaign.id;
    const v1 = await insertVideo(sql, owner.orgId, { campaignId: b });
    const v2 = await insertVideo(sql, owner.orgId);
    const res = await call('POST', `/campaigns/${a}/videos`, { token, body: { video_ids: [v1, v2, v1] } });
    expect(res.status).toBe(200);
    expect(res.body.campaign.video_count).toBe(2);
    expect((await sql`select count(*)::int as n from videos where campaign_id = ${b}`)[0]!.n).toBe(0);

    const removed = await call('DELETE', `/campaigns/${a}/videos/${v1}`, { token });
    expect(removed.status).toBe(200);
    expect(removed.body.campaign.video_count).toBe(1);
    // not (or no longer) in this campaign
    expect((await call('DELETE', `/campaigns/${a}/videos/${v1}`, { token })).status).toBe(404);
  });

  it('an unknown video id in the list answers 404 and assigns none of them', async () => {
    const a = (await create({ name: unique('All or nothing') })).body.campaign.id;
    const v = await insertVideo(sql, owner.orgId);
    const res = await call('POST', `/campaigns/${a}/videos`, { token, body: { video_ids: [v, crypto.randomUUID()] } });
    expect(res.status).toBe(404);
    expect(res.body.error).toEqual({ code: 'not_found', message: 'video not found' });
    expect((await sql`select campaign_id from videos where id = ${v}`)[0]!.campaign_id).toBeNull();
    expect((await call('POST', `/campaigns/${a}/videos`, { token, body: { video_ids: [] } })).status).toBe(400);
  });

  it('sets a campaign video’s own budget, which the campaign’s budget falls back to', async () => {
    const a = (await create({ name: unique('Per video') })).body.campaign.id;
    const v = await insertVideo(sql, owner.orgId, { campaignId: a });
    await insertSnapshots(sql, owner.orgId, v, [['2026-03-02T10:00:00Z', 4000, 100, 20, 10, 30]]);
    const res = await call('PATCH', `/campaigns/${a}/videos/${v}`, { token, body: { budget: 80 } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ campaign_id: a, video_id: v, budget: 80 });
    expect((await call('GET', `/campaigns/${a}`, { token })).body.campaign.videos_budget).toBe(80);
    const stats = await call('GET', `/campaigns/${a}/stats`, { token });
    // 80 / 4000 × 1000 = 20; engagements 160
    expect(stats.body.budget).toEqual({ campaign: null, videos: 80, effective: 80, source: 'videos' });
    expect(stats.body.metrics).toEqual({ cpm: 20, cpv: 0.02, cpe: 0.5, engagement_rate: 0.04 });
    const other = await insertVideo(sql, owner.orgId);
    expect((await call('PATCH', `/campaigns/${a}/videos/${other}`, { token, body: { budget: 1 } })).status).toBe(404);
    expect((await call('PATCH', `/campaigns/${a}/videos/${v}`, { token, body: { budget: -5 } })).status).toBe(400);
  });

  it('links bloggers idempotently, refuses unknown ones, and unlinks', async () => {
    const a = (await create({ name: unique('Roster') })).body.campaign.id;
    const b1 = await insertBlogger(sql, owner.orgId, 'one');
    const b2 = await insertBlogger(sql, owner.orgId, 'two');
    const res = await call('POST', `/campaigns/${a}/bloggers`, { token, body: { blogger_ids: [b1, b2] } });
    expect(res.status).toBe(200);
    // linked in one statement (same created_at): ordered by id
    expect(res.body.campaign.blogger_ids).toEqual([b1, b2].sort());
    expect((await call('POST', `/campaigns/${a}/bloggers`, { token, body: { blogger_ids: [b1] } })).body.campaign.blogger_ids).toHaveLength(2);
    const unknown = await call('POST', `/campaigns/${a}/bloggers`, { token, body: { blogger_ids: [crypto.randomUUID()] } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('blogger not found');
    const removed = await call('DELETE', `/campaigns/${a}/bloggers/${b1}`, { token });
    expect(removed.body.campaign.blogger_ids).toEqual([b2]);
    expect((await call('DELETE', `/campaigns/${a}/bloggers/${b1}`, { token })).status).toBe(404);
  });

  it('replaces the campaign’s tags', async () => {
    const a = (await create({ name: unique('Tagged'), tags: ['old', 'keep'] })).body.campaign.id;
    const res = await call('PUT', `/campaigns/${a}/tags`, { token, body: { tags: ['keep', 'new'] } });
    expect(res.status).toBe(200);
    expect(res.body.campaign.tags).toEqual(['keep', 'new']);
    expect((await call('PUT', `/campaigns/${a}/tags`, { token, body: { tags: [] } })).body.campaign.tags).toEqual([]);
  });
});

describe('DELETE /campaigns/:id', () => {
  it('deletes the campaign; its videos stay, unassigned', async () => {
    const a = (await create({ name: unique('Short-lived') })).body.campaign.id;
    const v = await insertVideo(sql, owner.orgId, { campaignId: a });
    const res = await call('DELETE', `/campaigns/${a}`, { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, id: a });
    expect((await sql`select campaign_id from videos where id = ${v}`)[0]!.campaign_id).toBeNull();
    expect((await call('GET', `/campaigns/${a}`, { token })).status).toBe(404);
    expect((await call('DELETE', `/campaigns/${a}`, { token })).status).toBe(404);
  });
});

describe('roles', () => {
  it('a viewer reads campaigns and their analytics but changes nothing', async () => {
    const a = (await create({ name: unique('Viewed') })).body.campaign.id;
    const viewer = await addMember(sql, owner.orgId, 'viewer');
    const t = await tokenFor(viewer.userId);
    const v = await insertVideo(sql, owner.orgId);
    for (const path of ['/campaigns', `/campaigns/${a}`, `/campaigns/${a}/stats`, `/campaigns/${a}/timeseries`, `/campaigns/${a}/videos`, `/campaigns/${a}/bloggers`]) {
      expect((await call('GET', path, { token: t })).status, path).toBe(200);
    }
    for (const [method, path, body] of [
      ['POST', '/campaigns', { name: unique('Nope') }],
      ['PATCH', `/campaigns/${a}`, { budget: 1 }],
      ['DELETE', `/campaigns/${a}`],
      ['POST', `/campaigns/${a}/videos`, { video_ids: [v] }],
      ['DELETE', `/campaigns/${a}/videos/${v}`],
      ['PATCH', `/campaigns/${a}/videos/${v}`, { budget: 1 }],
      ['POST', `/campaigns/${a}/bloggers`, { blogger_ids: [crypto.randomUUID()] }],
      ['DELETE', `/campaigns/${a}/bloggers/${crypto.randomUUID()}`],
      ['PUT', `/campaigns/${a}/tags`, { tags: ['x'] }],
    ] as [string, string, unknown?][]) {
      const res = await call(method, path, { token: t, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.details.action).toBe('campaigns.write');
    }
    expect((await sql`select c.budget, v.campaign_id from campaigns c, videos v where c.id = ${a} and v.id = ${v}`)[0]).toEqual({ budget: null, campaign_id: null });
  });
});
